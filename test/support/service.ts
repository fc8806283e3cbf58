// Production-shaped apps for operations tests: the Feishu emulator runs on its own port (as Feishu
// would), each app instance is createApp in webhook mode against it, several instances may share
// one database, and a small round-robin proxy plays the load balancer in front of them.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../src/config.ts';
import { createApp, demoEmulatorSeed, type App } from '../../src/app/create-app.ts';
import { createLogger } from '../../src/app/log.ts';
import { createEmulator } from '../../src/emulator/index.ts';
import type { Emulator } from '../../src/emulator/types.ts';
import { openDatabase } from '../../src/adapters/db/database.ts';
import { seedDemoDirectory } from '../../src/usecases/seed-demo-directory.ts';
import type { Clock } from '../../src/ports/clock.ts';

export const APP_ID = 'cli_ops00000000000';
const APP_SECRET = 'ops-secret';

export interface Feishu {
  emulator: Emulator;
  url: string;
  encryptKey: string;
  verificationToken: string;
  close(): Promise<void>;
}

export async function startFeishu(): Promise<Feishu> {
  const encryptKey = randomBytes(16).toString('hex');
  const verificationToken = `vt_${randomBytes(8).toString('hex')}`;
  const emulator = createEmulator({ appId: APP_ID, appSecret: APP_SECRET, encryptKey, verificationToken, redeliveryDelaysMs: [300, 1000, 2000, 4000, 8000, 15_000, 30_000, 60_000] });
  emulator.seed(demoEmulatorSeed());
  const server = await emulator.listen(0);
  return {
    emulator,
    url: server.url,
    encryptKey,
    verificationToken,
    async close() {
      emulator.stopRedeliveries();
      await server.close();
    },
  };
}

/** The environment `npm start` would get for this database and emulator. */
export function serviceEnv(databaseUrl: string, feishu: Feishu, storageDir = mkdtempSync(path.join(os.tmpdir(), 'themeday-ops-'))): Record<string, string> {
  return {
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    STORAGE_DIR: storageDir,
    LOG_LEVEL: process.env.HARNESS_LOG_LEVEL ?? 'silent',
    FEISHU_APP_ID: APP_ID,
    FEISHU_APP_SECRET: APP_SECRET,
    FEISHU_DOMAIN: feishu.url,
    FEISHU_EVENT_MODE: 'webhook',
    FEISHU_ENCRYPT_KEY: feishu.encryptKey,
    FEISHU_VERIFICATION_TOKEN: feishu.verificationToken,
  };
}

/** The demo county in a fresh database (what `npm run cli -- demo seed`-like set-up leaves). */
export async function seedDirectory(databaseUrl: string, now: Date): Promise<void> {
  const db = await openDatabase(databaseUrl);
  try {
    await seedDemoDirectory(db.client, { actorOpenId: 'system', now });
  } finally {
    await db.close();
  }
}

export async function startInstance(databaseUrl: string, feishu: Feishu, options: { clock?: Clock; env?: Record<string, string>; batchSize?: number } = {}): Promise<App> {
  const config = { ...loadConfig({ ...serviceEnv(databaseUrl, feishu), ...options.env }), port: 0, host: '127.0.0.1' };
  return createApp({ config, logger: createLogger(config.logLevel), ...(options.clock ? { clock: options.clock } : {}), outbox: { pollMs: 20, ...(options.batchSize ? { batchSize: options.batchSize } : {}) }, cron: false });
}

/** A round-robin HTTP proxy (the load balancer): each request goes to the next instance. */
export async function startBalancer(targets: () => string[]): Promise<{ url: string; close(): Promise<void> }> {
  let next = 0;
  const server = http.createServer((req, res) => {
    const list = targets();
    const target = new URL(req.url ?? '/', list[next++ % list.length]);
    const upstream = http.request(target, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => {
      res.writeHead(502).end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
