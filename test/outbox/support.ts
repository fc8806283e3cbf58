// Shared by the outbox tests that make the database fail under the worker.
import { vi } from 'vitest';
import type { Db } from '../../src/adapters/db/database.ts';

/**
 * Runs `run` while the first raw statement starting with `prefix` fails ("database went away");
 * every other statement goes through. Returns whether the failure happened.
 */
export async function failingOnce(db: Db, prefix: string, run: () => Promise<void>): Promise<boolean> {
  const original = db.$queryRawUnsafe.bind(db);
  let failed = false;
  const spy = vi.spyOn(db, '$queryRawUnsafe').mockImplementation(((sql: string, ...values: unknown[]) => {
    if (sql.startsWith(prefix) && !failed) {
      failed = true;
      return Promise.reject(new Error('database went away'));
    }
    return original(sql, ...values);
  }) as typeof db.$queryRawUnsafe);
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return failed;
}
