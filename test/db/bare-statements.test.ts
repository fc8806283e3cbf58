// A statement issued outside a transaction while another flow's transaction is open (the outbox
// marking a row sent while a handler's transaction runs, say). SQLite's adapter has one
// connection: without a guard the statement runs inside the open transaction, reads its
// uncommitted rows, and is rolled back with it. It must wait for the transaction to end instead,
// as PostgreSQL's pool gives it a connection of its own. Both providers, the same outcome.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROVIDERS_UNDER_TEST, createTestDatabase, type TestDatabase } from '../support/db.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(PROVIDERS_UNDER_TEST)('statements outside a transaction on %s', (provider) => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase(provider);
  });
  afterEach(async () => {
    await db?.destroy();
  });

  const insertUnit = provider === 'postgresql' ? `INSERT INTO "Unit" ("id", "name", "kind", "updatedAt") VALUES ($1, $2, 'town', now())` : `INSERT INTO "Unit" ("id", "name", "kind", "updatedAt") VALUES (?, ?, 'town', CURRENT_TIMESTAMP)`;

  it('a bare write is neither joined to nor rolled back with another flow’s transaction', async () => {
    const writes: Promise<unknown>[] = [];
    const failed = db.client
      .$transaction(async (tx) => {
        await tx.unit.create({ data: { name: '回滚的单位', kind: 'town' } });
        // meanwhile, elsewhere: a raw write, a batch of one (the outbox's row writes) and a model write
        writes.push(db.client.$executeRawUnsafe(insertUnit, 'bare-raw', '直接写入'));
        writes.push(db.client.$transaction([db.client.$executeRawUnsafe(insertUnit, 'bare-batch', '批量写入')]));
        writes.push(db.client.unit.create({ data: { name: '模型写入', kind: 'town' } }));
        await sleep(30);
        throw new Error('the handler failed');
      })
      .catch((error: unknown) => error);
    expect(String(await failed)).toContain('the handler failed');
    await Promise.all(writes);
    const names = (await db.client.unit.findMany({ orderBy: { name: 'asc' } })).map((u) => u.name);
    expect(names.sort()).toEqual(['批量写入', '模型写入', '直接写入'].sort());
  });

  it('a bare read does not see another flow’s uncommitted rows', async () => {
    let seen: number | undefined;
    let read: Promise<unknown> = Promise.resolve();
    await db.client.$transaction(async (tx) => {
      await tx.unit.create({ data: { name: '未提交的单位', kind: 'town' } });
      read = db.client.unit.count().then((n) => (seen = n));
      await sleep(30);
      // still open: the read has either waited (SQLite) or read the committed state (PostgreSQL)
      expect(seen === undefined || seen === 0).toBe(true);
    });
    await read;
    expect(seen).toBeDefined();
  });
});
