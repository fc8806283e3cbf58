// SQLite commits are synced to disk (src/adapters/db/database.ts): better-sqlite3's build makes a
// WAL database NORMAL (SQLITE_DEFAULT_WAL_SYNCHRONOUS=1), where a power loss may roll back commits
// the app had already acknowledged. The app's own connection runs FULL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import BetterSqlite3 from 'better-sqlite3';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { sqlitePath } from '../../src/adapters/db/database.ts';

const FULL = 2;
const NORMAL = 1;

describe('SQLite durability', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
  });
  afterAll(async () => db.destroy());

  it("the app's connection syncs every commit (synchronous = FULL), where the driver's default for WAL is NORMAL", async () => {
    await db.client.unit.count();
    const [row] = await db.client.$queryRawUnsafe<{ synchronous: bigint | number }[]>('PRAGMA synchronous');
    expect(Number(row!.synchronous)).toBe(FULL);

    // The same file opened with the driver's defaults: what the app ran before.
    const plain = new BetterSqlite3(sqlitePath(db.url), { readonly: true });
    try {
      plain.prepare('SELECT count(*) FROM "Unit"').get();
      expect(plain.pragma('synchronous', { simple: true })).toBe(NORMAL);
      expect(plain.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      plain.close();
    }
  });
});
