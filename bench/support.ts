// Shared helpers for the benchmarks: which databases to run on, the whole app (local mode, the
// emulator in process, the real SDK over HTTP on loopback) on a wall clock, and small statistics.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { createApp, type App } from '../src/app/create-app.ts';
import { createLogger } from '../src/app/log.ts';
import type { Bot } from '../src/app/bot.ts';
import type { Job } from '../src/app/jobs.ts';
import type { Provider } from '../src/adapters/db/schema/providers.ts';
import type { Emulator, EmulatorOptions } from '../src/emulator/types.ts';
import { systemClock } from '../src/ports/clock.ts';
import { adminPostgresUrl, createEmptyDatabase } from '../test/support/db.ts';

/**
 * SQLite always; PostgreSQL too when reachable (TEST_POSTGRES_URL or the test default).
 * BENCH_PG=0 skips PostgreSQL; BENCH_PG=1 makes it required (fails when unreachable);
 * BENCH_PG=only runs PostgreSQL alone.
 */
export async function benchProviders(): Promise<Provider[]> {
  const mode = process.env.BENCH_PG;
  if (mode === '0') return ['sqlite'];
  const client = new pg.Client({ connectionString: adminPostgresUrl(), connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return mode === 'only' ? ['postgresql'] : ['sqlite', 'postgresql'];
  } catch (error) {
    if (mode === '1' || mode === 'only') throw new Error(`BENCH_PG=1 but PostgreSQL at ${adminPostgresUrl()} is not reachable: ${(error as Error).message}`);
    console.log(`[bench] PostgreSQL not reachable at ${adminPostgresUrl()}: SQLite only`);
    return ['sqlite'];
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface BenchApp {
  app: App;
  emulator: Emulator;
  url: string;
  encryptKey: string;
  verificationToken: string;
  stop(): Promise<void>;
}

export interface BenchAppOptions {
  provider: Provider;
  /** background outbox polling (0 = the worker only runs when drained/kicked by hand) */
  pollMs: number;
  env?: Record<string, string>;
  emulator?: Partial<EmulatorOptions>;
  features?: (bot: Bot) => Job[];
  seedDemo?: boolean;
}

/** The whole app as `npm start` runs it in local mode, on a fresh database, port 0, wall clock, no cron. */
export async function startBenchApp(o: BenchAppOptions): Promise<BenchApp> {
  const database = await createEmptyDatabase(o.provider);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'themeday-bench-'));
  const encryptKey = randomBytes(16).toString('hex');
  const verificationToken = `vt_${randomBytes(8).toString('hex')}`;
  const config = {
    ...loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      STORAGE_DIR: path.join(dir, 'files'),
      LOG_LEVEL: (process.env.BENCH_LOG_LEVEL as string | undefined) ?? 'silent',
      LOCAL_DEMO: String(o.seedDemo ?? true),
      ...o.env,
    }),
    port: 0,
    host: '127.0.0.1',
  };
  let app: App;
  try {
    app = await createApp({
      config,
      clock: systemClock,
      logger: createLogger(config.logLevel),
      ...(o.features ? { features: o.features } : {}),
      emulator: { redeliveryDelaysMs: [], ...o.emulator, encryptKey, verificationToken },
      seedDemo: o.seedDemo ?? true,
      outbox: { pollMs: o.pollMs },
      cron: false,
    });
  } catch (error) {
    await database.drop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    app,
    emulator: app.emulator!,
    url: app.url,
    encryptKey,
    verificationToken,
    async stop() {
      app.emulator?.stopRedeliveries();
      await app.stop();
      await database.drop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Nearest-rank percentile (p in 0..100) of unsorted values. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

/** The most events found in any window of `windowMs` (sliding, starting at each event). */
export function maxInWindow(timesMs: number[], windowMs: number): number {
  const t = [...timesMs].sort((a, b) => a - b);
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < t.length; hi++) {
    while (t[hi]! - t[lo]! >= windowMs) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

export const round = (n: number, digits = 1): number => Number(n.toFixed(digits));

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The soonest the last of a workload's calls can leave under Feishu's limits, in ms from the first
 * (calls taking no time, windows sliding): `perChat[i]` messages to chat i, at most `perSecond`
 * and `perMinute` calls per app and `perChatSecond` per chat in any window. Greedy earliest-first
 * is optimal here (every call is interchangeable but for its chat, and chats are served round
 * robin). 500 messages to 50 chats → 9 s (50 at 0 s, 1 s, …, 9 s); 2,000 to 2,000 chats → 79 s
 * (1,000 in the first 20 s, then the minute window holds the rest until 60 s).
 */
export function fanoutFloorMs(perChat: number[], limits: { perSecond: number; perMinute: number; perChat: number }): number {
  const left = [...perChat];
  const chatTimes: number[][] = perChat.map(() => []);
  const app: number[] = [];
  let remaining = left.reduce((a, b) => a + b, 0);
  let t = 0;
  let last = 0;
  const inWindow = (times: number[], windowMs: number) => {
    let n = 0;
    for (let i = times.length - 1; i >= 0 && times[i]! > t - windowMs; i--) n++;
    return n;
  };
  while (remaining > 0) {
    let sent = false;
    for (let c = 0; c < left.length && remaining > 0; c++) {
      if (left[c]! === 0) continue;
      if (inWindow(app, 1000) >= limits.perSecond || inWindow(app, 60_000) >= limits.perMinute) break;
      if (inWindow(chatTimes[c]!, 1000) >= limits.perChat) continue;
      app.push(t);
      chatTimes[c]!.push(t);
      left[c]!--;
      remaining--;
      last = t;
      sent = true;
      c--; // the same chat may take another call at this instant
    }
    if (remaining === 0) break;
    if (!sent || inWindow(app, 1000) >= limits.perSecond) {
      // next instant a window frees: 1 s or 60 s after some earlier call
      const candidates = [...app.map((x) => x + 1000), ...app.map((x) => x + 60_000), ...chatTimes.flat().map((x) => x + 1000)].filter((x) => x > t);
      t = Math.min(...candidates);
    }
  }
  return last;
}
