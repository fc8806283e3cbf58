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
