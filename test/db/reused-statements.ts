// One check shared by the statement caches of both providers (statement-cache.test.ts for
// SQLite's prepared statements, prepared-statements.test.ts for PostgreSQL's named ones): a text
// that failed is usable again, and transactions commit and roll back as without the cache.
import { expect } from 'vitest';
import type { Database } from '../../src/adapters/db/database.ts';

/** Writes units `${prefix}0` … and checks what is stored: the sort orders [0, 1, 2, 3]. */
export async function failRollBackAndCommit(c: Database['client'], prefix: string): Promise<void> {
  for (let n = 0; n < 3; n++) await c.unit.create({ data: { name: `${prefix}${n}`, kind: 'town', sortOrder: n } });
  // a failed statement (a unique name taken) leaves its text usable
  await expect(c.unit.create({ data: { name: `${prefix}0`, kind: 'town', sortOrder: 9 } })).rejects.toThrow();
  await expect(
    c.$transaction(async (tx) => {
      await tx.unit.create({ data: { name: `${prefix}4`, kind: 'town', sortOrder: 4 } });
      throw new Error('roll back');
    }),
  ).rejects.toThrow('roll back');
  await c.$transaction(async (tx) => {
    await tx.unit.create({ data: { name: `${prefix}3`, kind: 'street', sortOrder: 3 } });
  });
  expect((await c.unit.findMany({ where: { name: { startsWith: prefix } }, orderBy: { sortOrder: 'asc' } })).map((u) => u.sortOrder)).toEqual([0, 1, 2, 3]);
}
