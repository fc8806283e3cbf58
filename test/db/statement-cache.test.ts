// The SQLite adapter keeps compiled statements (src/adapters/db/database.ts, cachedPrepare): the
// same SQL text with other arguments, read and write, after an error and inside transactions must
// behave exactly as a freshly prepared statement would.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { failRollBackAndCommit } from './reused-statements.ts';

describe('SQLite statement cache', () => {
  let db: TestDatabase;
  // Each test gets its own database, so they pass in any order.
  beforeEach(async () => {
    db = await createTestDatabase('sqlite');
  });
  afterEach(async () => {
    await db?.destroy();
  });

  it('binds each call its own arguments on a reused statement', async () => {
    const c = db.client;
    for (let n = 0; n < 5; n++) await c.unit.create({ data: { name: `缓存单位${n}`, kind: n % 2 ? 'town' : 'street', sortOrder: n } });
    // the same query text five times, each with its own argument
    for (let n = 0; n < 5; n++) expect((await c.unit.findFirst({ where: { name: `缓存单位${n}` } }))?.sortOrder).toBe(n);
    expect(await c.unit.count({ where: { kind: 'town' } })).toBe(2);
    expect(await c.unit.count({ where: { kind: 'street' } })).toBe(3);
    // row objects and raw rows from the same text alternate without leaking the mode
    const raw = `SELECT "name", "sortOrder" FROM "Unit" WHERE "sortOrder" >= ? ORDER BY "sortOrder"`;
    expect((await c.$queryRawUnsafe<{ name: string }[]>(raw, 3)).map((r) => r.name)).toEqual(['缓存单位3', '缓存单位4']);
    expect((await c.unit.findMany({ where: { sortOrder: { gte: 3 } }, orderBy: { sortOrder: 'asc' } })).map((u) => u.name)).toEqual(['缓存单位3', '缓存单位4']);
    expect((await c.$queryRawUnsafe<{ name: string }[]>(raw, 4)).map((r) => r.name)).toEqual(['缓存单位4']);
  });

  it('a failed statement is usable again; transactions commit and roll back as before', async () => {
    await failRollBackAndCommit(db.client, '缓存单位');
  });
});
