// Real databases for tests: a temporary SQLite file, and (when reachable) a fresh PostgreSQL
// database per test file, dropped afterwards, so parallel runs never collide.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/adapters/db/database.ts';
import type { Provider } from '../../src/adapters/db/schema/providers.ts';
import { DEFAULT_TEST_POSTGRES_URL } from './global-setup.ts';

export const postgresAvailable = process.env.THEMEDAY_TEST_PG === '1';

/** Providers to run a suite against: SQLite always, PostgreSQL when available. */
export const PROVIDERS_UNDER_TEST: Provider[] = postgresAvailable ? ['sqlite', 'postgresql'] : ['sqlite'];

export function adminPostgresUrl(): string {
  return process.env.TEST_POSTGRES_URL || DEFAULT_TEST_POSTGRES_URL;
}

export interface TestDatabaseUrl {
  provider: Provider;
  url: string;
  drop(): Promise<void>;
}

/** An empty database (no migrations applied). */
export async function createEmptyDatabase(provider: Provider): Promise<TestDatabaseUrl> {
  if (provider === 'sqlite') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'themeday-test-'));
    return {
      provider,
      url: `file:${path.join(dir, 'test.db')}`,
      async drop() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const name = `themeday_t_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminPostgresUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(adminPostgresUrl());
  url.pathname = `/${name}`;
  return {
    provider,
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminPostgresUrl() });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface TestDatabase extends Database {
  url: string;
  /** closes the client and removes the database */
  destroy(): Promise<void>;
}

/** A migrated database ready for use. */
export async function createTestDatabase(provider: Provider): Promise<TestDatabase> {
  const empty = await createEmptyDatabase(provider);
  const db = await openDatabase(empty.url);
  return Object.assign(db, {
    url: empty.url,
    async destroy() {
      await db.close();
      await empty.drop();
    },
  });
}
