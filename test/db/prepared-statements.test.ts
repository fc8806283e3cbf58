// PostgreSQL connections prepare the statements Prisma sends (src/adapters/db/database.ts,
// preparingClient): a text is parsed once per connection and then only bound and run. The answers
// must be those of unnamed statements, in and out of transactions and after an error, and a URL
// that says PgBouncer (`pgbouncer=true`) must get unnamed statements only.
import { afterEach, describe, expect, it } from 'vitest';
import { createEmptyDatabase, postgresAvailable, type TestDatabaseUrl } from '../support/db.ts';
import { openDatabase, type Database } from '../../src/adapters/db/database.ts';
import { failRollBackAndCommit } from './reused-statements.ts';

describe.skipIf(!postgresAvailable)('PostgreSQL prepared statements', () => {
  let empty: TestDatabaseUrl | undefined;
  let db: Database | undefined;
  afterEach(async () => {
    await db?.close();
    await empty?.drop();
    db = undefined;
    empty = undefined;
  });

  /** The statements this transaction's connection has prepared under our names. */
  async function preparedOnConnection(c: Database['client']): Promise<{ before: number; after: number; names: string[] }> {
    return c.$transaction(async (tx) => {
      const count = async () => (await tx.$queryRawUnsafe<{ name: string }[]>(`SELECT name FROM pg_prepared_statements WHERE name LIKE 'prisma\\_%'`)).map((r) => r.name);
      const before = (await count()).length;
      for (let n = 0; n < 3; n++) expect((await tx.unit.findFirst({ where: { name: `预备单位${n}` } }))?.sortOrder).toBe(n);
      const names = await count();
      return { before, after: names.length, names };
    });
  }

  it('answers as unnamed statements do, and prepares each text once per connection', async () => {
    empty = await createEmptyDatabase('postgresql');
    db = await openDatabase(empty.url);
    const c = db.client;
    await failRollBackAndCommit(c, '预备单位');
    const { before, after, names } = await preparedOnConnection(c);
    // the three look-ups share one text: one more statement at most on this connection
    expect(after - before).toBeLessThanOrEqual(1);
    expect(after).toBeGreaterThan(0);
    expect(new Set(names).size).toBe(names.length);
  });

  it('prepares nothing when the URL says PgBouncer', async () => {
    empty = await createEmptyDatabase('postgresql');
    const url = new URL(empty.url);
    url.searchParams.set('pgbouncer', 'true');
    db = await openDatabase(url.toString());
    for (let n = 0; n < 3; n++) await db.client.unit.create({ data: { name: `预备单位${n}`, kind: 'town', sortOrder: n } });
    const { after } = await preparedOnConnection(db.client);
    expect(after).toBe(0);
  });
});
