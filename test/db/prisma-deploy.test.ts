// Either tool can take over: the real `prisma migrate deploy` (JS engine, SQLite) finds nothing
// to do on a database our runner migrated, and our runner finds nothing to do after it.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/adapters/db/database.ts';
import { loadMigrations } from '../../src/adapters/db/migrate.ts';
import { ROOT } from '../../src/adapters/db/schema/providers.ts';
import { createEmptyDatabase, type TestDatabaseUrl } from '../support/db.ts';

const PRISMA = path.join(ROOT, 'node_modules', '.bin', 'prisma');

function prismaDeploy(url: string): string {
  return execFileSync(PRISMA, ['migrate', 'deploy'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, THEMEDAY_PRISMA_PROVIDER: 'sqlite', DATABASE_URL: url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

describe('prisma migrate deploy (SQLite)', () => {
  const databases: TestDatabaseUrl[] = [];
  afterAll(async () => {
    for (const db of databases) await db.drop();
  });

  it('accepts a database our runner migrated: no pending migrations', { timeout: 180_000 }, async () => {
    const empty = await createEmptyDatabase('sqlite');
    databases.push(empty);
    const db = await openDatabase(empty.url);
    expect(db.migrations.applied.length).toBeGreaterThan(0);
    await db.close();
    expect(prismaDeploy(empty.url)).toContain('No pending migrations to apply');
  });

  it('hands over the other way: our runner applies nothing after prisma migrate deploy', { timeout: 180_000 }, async () => {
    const empty = await createEmptyDatabase('sqlite');
    databases.push(empty);
    const out = prismaDeploy(empty.url);
    expect(out).toMatch(/applied/i);
    const db = await openDatabase(empty.url);
    expect(db.migrations).toEqual({ applied: [], alreadyApplied: loadMigrations('sqlite').length });
    expect(await db.client.unit.count()).toBe(0);
    await db.close();
  });
});
