// The self-applied migrations (src/adapters/db/migrate.ts) against real databases: they build
// exactly the current schema, book-keep like `prisma migrate deploy`, survive two instances
// starting together, and a failing or edited migration stops start-up without a trace.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, sqlitePath } from '../../src/adapters/db/database.ts';
import { MigrationError, loadMigrations, migratePostgres, migrateSqlite, type Migration, type MigrationResult } from '../../src/adapters/db/migrate.ts';
import { ROOT, migrationsDir, schemaFile, type Provider } from '../../src/adapters/db/schema/providers.ts';
import { PROVIDERS_UNDER_TEST, createEmptyDatabase, type TestDatabaseUrl } from '../support/db.ts';
import { catalog, execScript } from './catalog.ts';

const PRISMA = path.join(ROOT, 'node_modules', '.bin', 'prisma');

interface MigrationRow {
  id: string;
  checksum: string;
  finished_at: unknown;
  migration_name: string;
  logs: string | null;
  rolled_back_at: unknown;
  started_at: unknown;
  applied_steps_count: number;
}

async function migrationRows(provider: Provider, url: string): Promise<MigrationRow[]> {
  if (provider === 'sqlite') {
    const db = new BetterSqlite3(sqlitePath(url), { readonly: true });
    try {
      return db.prepare('SELECT * FROM _prisma_migrations ORDER BY migration_name').all() as MigrationRow[];
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<MigrationRow>('SELECT * FROM _prisma_migrations ORDER BY migration_name')).rows;
  } finally {
    await client.end();
  }
}

/** Runs our migrator directly on a raw connection, as openDatabase does. */
async function migrate(provider: Provider, url: string, migrations: Migration[]): Promise<MigrationResult> {
  if (provider === 'sqlite') {
    const db = new BetterSqlite3(sqlitePath(url));
    try {
      return migrateSqlite(db, migrations);
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await migratePostgres(client, migrations);
  } finally {
    await client.end();
  }
}

/** The schema Prisma itself would create from the current datamodel (no Rust engine needed). */
function prismaCreateScript(provider: Provider, url: string): string {
  return execFileSync(PRISMA, ['migrate', 'diff', '--from-empty', '--to-schema-datamodel', schemaFile(provider), '--script'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, THEMEDAY_PRISMA_PROVIDER: provider, DATABASE_URL: provider === 'postgresql' ? url : '' },
  });
}

function migrationFiles(provider: Provider): { name: string; checksum: string }[] {
  const dir = migrationsDir(provider);
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => ({
      name,
      checksum: createHash('sha256')
        .update(readFileSync(path.join(dir, name, 'migration.sql')))
        .digest('hex'),
    }));
}

describe.each(PROVIDERS_UNDER_TEST)('migrations on %s', (provider) => {
  const databases: TestDatabaseUrl[] = [];
  const tmpDirs: string[] = [];
  async function emptyDb(): Promise<TestDatabaseUrl> {
    const db = await createEmptyDatabase(provider);
    databases.push(db);
    return db;
  }
  function tmpDir(): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'themeday-migr-'));
    tmpDirs.push(dir);
    return dir;
  }
  afterAll(async () => {
    for (const db of databases) await db.drop();
    for (const dir of tmpDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('applied to an empty database, yield exactly the schema Prisma derives from the current model', { timeout: 180_000 }, async () => {
    const migrated = await emptyDb();
    const db = await openDatabase(migrated.url);
    expect(db.migrations.applied).toEqual(migrationFiles(provider).map((m) => m.name));
    await db.close();

    const reference = await emptyDb();
    await execScript(provider, reference.url, prismaCreateScript(provider, reference.url));

    const [actual, expected] = [await catalog(provider, migrated.url), await catalog(provider, reference.url)];
    expect(Object.values(expected).flat().length).toBeGreaterThan(20);
    expect(actual, 'the migrations do not produce the current schema: run `npm run db:migration -- <name>` (and never edit an applied migration)').toEqual(expected);
  });

  describe('book-keeping', () => {
    let url: string;
    let first: MigrationResult;
    beforeAll(async () => {
      url = (await emptyDb()).url;
      const db = await openDatabase(url);
      first = db.migrations;
      await db.close();
    });

    it('writes _prisma_migrations rows the way prisma migrate deploy does', async () => {
      const files = migrationFiles(provider);
      expect(first).toEqual({ applied: files.map((f) => f.name), alreadyApplied: 0 });
      const rows = await migrationRows(provider, url);
      expect(rows.map((r) => ({ name: r.migration_name, checksum: r.checksum }))).toEqual(files);
      for (const row of rows) {
        expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
        expect(row.finished_at).toBeTruthy();
        expect(row.started_at).toBeTruthy();
        expect(row.rolled_back_at).toBeNull();
        expect(row.logs).toBeNull();
        expect(Number(row.applied_steps_count)).toBe(1);
      }
    });

    it('re-opening applies nothing', async () => {
      const before = await migrationRows(provider, url);
      const db = await openDatabase(url);
      expect(db.migrations).toEqual({ applied: [], alreadyApplied: before.length });
      await db.close();
      expect(await migrationRows(provider, url)).toEqual(before);
    });
  });

  it('two instances starting together on an empty database both succeed and migrate once', { timeout: 180_000 }, async () => {
    const { url } = await emptyDb();
    const script = path.join(ROOT, 'test', 'db', 'fixtures', 'open-database.ts');
    const children = [1, 2].map(() => {
      const child = spawn(process.execPath, ['--import', 'tsx', script, url], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
      const ready = new Promise<void>((resolve, reject) => {
        child.stdout.on('data', () => out.includes('ready\n') && resolve());
        child.on('exit', () => reject(new Error(`child exited before it was ready: ${err}`)));
      });
      const done = new Promise<MigrationResult>((resolve, reject) => {
        child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.split('\n')[1]!) as MigrationResult) : reject(new Error(`child failed (${code}): ${err}`))));
      });
      return { child, ready, done };
    });
    await Promise.all(children.map((c) => c.ready));
    for (const c of children) c.child.stdin.end('go\n');
    const results = await Promise.all(children.map((c) => c.done));

    const names = migrationFiles(provider).map((m) => m.name);
    expect(results.flatMap((r) => r.applied).sort()).toEqual(names);
    expect(results.map((r) => r.applied.length + r.alreadyApplied)).toEqual([names.length, names.length]);
    const rows = await migrationRows(provider, url);
    expect(rows.map((r) => r.migration_name)).toEqual(names);
  });

  describe('a failing migration', () => {
    const FIRST = '20000101000000_first';
    const BROKEN = '20000101000001_broken';
    let dir: string;
    beforeAll(() => {
      dir = tmpDir();
      mkdirSync(path.join(dir, FIRST));
      writeFileSync(path.join(dir, FIRST, 'migration.sql'), 'CREATE TABLE "first_table" ("id" INTEGER NOT NULL PRIMARY KEY, "name" TEXT);\n');
      mkdirSync(path.join(dir, BROKEN));
      writeFileSync(
        path.join(dir, BROKEN, 'migration.sql'),
        ['CREATE TABLE "broken_table" ("id" INTEGER NOT NULL PRIMARY KEY);', 'CREATE INDEX "broken_index" ON "first_table"("name");', `INSERT INTO "first_table" ("id", "name") VALUES (1, 'half-done');`, 'THIS IS NOT SQL;', ''].join('\n'),
      );
    });

    it('throws MigrationError naming it and leaves the database as after the previous migration', async () => {
      const { url } = await emptyDb();
      const all = loadMigrations(provider, dir);
      expect(all.map((m) => m.name)).toEqual([FIRST, BROKEN]);

      // Reference: the state after the first migration alone.
      expect(await migrate(provider, url, all.slice(0, 1))).toEqual({ applied: [FIRST], alreadyApplied: 0 });
      const afterFirst = await catalog(provider, url, { includeMigrationsTable: true });
      const rowsAfterFirst = await migrationRows(provider, url);

      const error = await migrate(provider, url, all).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(MigrationError);
      expect((error as MigrationError).migration).toBe(BROKEN);
      expect((error as MigrationError).message).toContain(BROKEN);

      expect(await catalog(provider, url, { includeMigrationsTable: true })).toEqual(afterFirst);
      expect(JSON.stringify(afterFirst)).not.toContain('broken_');
      expect(await migrationRows(provider, url)).toEqual(rowsAfterFirst);
      expect(rowsAfterFirst.map((r) => r.migration_name)).toEqual([FIRST]);
      await execScript(provider, url, `INSERT INTO "first_table" ("id", "name") VALUES (1, 'the insert of the broken migration was rolled back');`);
    });

    it('on a fresh database stops before it, keeping the earlier one applied', async () => {
      const { url } = await emptyDb();
      await expect(migrate(provider, url, loadMigrations(provider, dir))).rejects.toThrow(MigrationError);
      expect((await migrationRows(provider, url)).map((r) => r.migration_name)).toEqual([FIRST]);
    });

    it('refuses an applied migration whose file was edited (checksum mismatch)', async () => {
      const { url } = await emptyDb();
      const edited = tmpDir();
      mkdirSync(path.join(edited, FIRST));
      writeFileSync(path.join(edited, FIRST, 'migration.sql'), readFileSync(path.join(dir, FIRST, 'migration.sql')));
      await migrate(provider, url, loadMigrations(provider, edited));
      const before = await catalog(provider, url, { includeMigrationsTable: true });
      const rows = await migrationRows(provider, url);

      appendFileSync(path.join(edited, FIRST, 'migration.sql'), '-- a later edit\n');
      const error = await migrate(provider, url, loadMigrations(provider, edited)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(MigrationError);
      expect((error as MigrationError).migration).toBe(FIRST);
      expect((error as MigrationError).message).toMatch(/校验和|checksum/);
      expect(await catalog(provider, url, { includeMigrationsTable: true })).toEqual(before);
      expect(await migrationRows(provider, url)).toEqual(rows);
    });
  });
});

// Prisma rebuilds SQLite tables (DROP + CREATE) for many changes, e.g. a new column default. Its
// `PRAGMA foreign_keys=OFF` is a no-op inside a transaction, so the runner switches enforcement off
// before BEGIN; otherwise the DROP TABLE would cascade-delete every child row.
describe('a Prisma RedefineTables migration on SQLite', () => {
  it('keeps the rows of child tables (foreign keys must be off while migrating)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'themeday-migr-'));
    const empty = await createEmptyDatabase('sqlite');
    try {
      const write = (name: string, sql: string) => {
        mkdirSync(path.join(dir, name));
        writeFileSync(path.join(dir, name, 'migration.sql'), sql);
      };
      write(
        '20000101000000_init',
        `CREATE TABLE "Parent" ("id" TEXT NOT NULL PRIMARY KEY, "kind" TEXT NOT NULL);
CREATE TABLE "Child" ("id" TEXT NOT NULL PRIMARY KEY, "parentId" TEXT NOT NULL,
  CONSTRAINT "Child_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "Parent" ("id") ON DELETE CASCADE ON UPDATE CASCADE);
`,
      );
      write(
        '20000101000001_parent_kind_default',
        `-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Parent" ("id" TEXT NOT NULL PRIMARY KEY, "kind" TEXT NOT NULL DEFAULT 'town');
INSERT INTO "new_Parent" ("id", "kind") SELECT "id", "kind" FROM "Parent";
DROP TABLE "Parent";
ALTER TABLE "new_Parent" RENAME TO "Parent";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
`,
      );
      const migrations = loadMigrations('sqlite', dir);
      const db = new BetterSqlite3(sqlitePath(empty.url));
      try {
        // as openSqlite prepares the connection
        db.pragma('journal_mode = WAL');
        db.pragma('foreign_keys = ON');
        migrateSqlite(db, migrations.slice(0, 1));
        db.exec(`INSERT INTO "Parent" VALUES ('p1', 'street'); INSERT INTO "Child" VALUES ('c1', 'p1');`);
        migrateSqlite(db, migrations);
        expect(db.prepare('SELECT count(*) AS n FROM "Child"').get()).toEqual({ n: 1 });
      } finally {
        db.close();
      }
    } finally {
      await empty.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
