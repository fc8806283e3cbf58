// Applies the checked-in migrations at start-up, the way `prisma migrate deploy` does: same
// `_prisma_migrations` table, same sha256 checksum of migration.sql, so either tool can take over.
// Each migration runs in its own transaction under a lock (PostgreSQL advisory lock, SQLite
// write lock), so two instances starting together do not race. A failing migration rolls back,
// leaves the database as it was and stops start-up with a clear message.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import type pg from 'pg';
import { migrationsDir, type Provider } from './schema/providers.ts';

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationResult {
  applied: string[];
  alreadyApplied: number;
}

export class MigrationError extends Error {
  constructor(
    readonly migration: string,
    cause: unknown,
  ) {
    super(`数据库迁移失败 / migration failed: ${migration}: ${cause instanceof Error ? cause.message : String(cause)}（数据库已回滚到迁移前的状态 / the database was left as it was）`);
    this.name = 'MigrationError';
  }
}

/** The same number Prisma's schema engine uses for its advisory lock. */
const PG_LOCK_KEY = 72707369;

export function loadMigrations(provider: Provider, dir = migrationsDir(provider)): Migration[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(dir, d.name, 'migration.sql')))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

const SQLITE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

const PG_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

function checkApplied(migrations: Migration[], rows: { migration_name: string; checksum: string; finished_at: unknown; rolled_back_at: unknown }[]): Set<string> {
  const applied = new Set<string>();
  for (const row of rows) {
    if (row.rolled_back_at) continue;
    if (!row.finished_at) {
      throw new MigrationError(row.migration_name, new Error('上次迁移未完成，请人工检查数据库 / a previous run of this migration did not finish'));
    }
    const known = migrations.find((m) => m.name === row.migration_name);
    if (known && known.checksum !== row.checksum) {
      throw new MigrationError(row.migration_name, new Error('已应用的迁移文件被修改过（校验和不一致）/ applied migration was edited (checksum mismatch)'));
    }
    applied.add(row.migration_name);
  }
  return applied;
}

function isoNow(): string {
  return new Date().toISOString().replace('Z', '+00:00');
}

export function migrateSqlite(db: BetterSqlite3.Database, migrations: Migration[]): MigrationResult {
  db.exec(SQLITE_TABLE);
  const result: MigrationResult = { applied: [], alreadyApplied: 0 };
  // Prisma rebuilds SQLite tables (DROP + CREATE) for many changes. Its `PRAGMA foreign_keys=OFF`
  // is a no-op inside a transaction, so enforcement is switched off here, before BEGIN, and the
  // result is checked with foreign_key_check before COMMIT; otherwise a rebuild would cascade-delete
  // child rows.
  const foreignKeys = db.pragma('foreign_keys', { simple: true }) as number;
  db.pragma('foreign_keys = OFF');
  try {
    for (const migration of migrations) applyOneSqlite(db, migrations, migration, result);
  } finally {
    db.pragma(`foreign_keys = ${foreignKeys ? 'ON' : 'OFF'}`);
  }
  return result;
}

function applyOneSqlite(db: BetterSqlite3.Database, migrations: Migration[], migration: Migration, result: MigrationResult): void {
  {
    // BEGIN IMMEDIATE takes the write lock before reading, so a second process waits
    // (busy_timeout) and then sees the migration as applied.
    db.exec('BEGIN IMMEDIATE');
    try {
      const rows = db.prepare('SELECT migration_name, checksum, finished_at, rolled_back_at FROM _prisma_migrations').all() as never[];
      const applied = checkApplied(migrations, rows);
      if (applied.has(migration.name)) {
        db.exec('COMMIT');
        result.alreadyApplied++;
        return;
      }
      const started = isoNow();
      db.exec(migration.sql);
      const violations = db.prepare('PRAGMA foreign_key_check').all();
      if (violations.length > 0) {
        throw new Error(`迁移后有 ${violations.length} 条外键不一致 / ${violations.length} foreign key violations after the migration`);
      }
      db.prepare('INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count) VALUES (?, ?, ?, ?, NULL, NULL, ?, 1)').run(
        randomUUID(),
        migration.checksum,
        isoNow(),
        migration.name,
        started,
      );
      db.exec('COMMIT');
      result.applied.push(migration.name);
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw error instanceof MigrationError ? error : new MigrationError(migration.name, error);
    }
  }
}

export async function migratePostgres(client: pg.ClientBase, migrations: Migration[]): Promise<MigrationResult> {
  const result: MigrationResult = { applied: [], alreadyApplied: 0 };
  // A session lock held for the whole run: a second instance waits here, then finds nothing to do.
  await client.query('SELECT pg_advisory_lock($1)', [PG_LOCK_KEY]);
  try {
    await client.query(PG_TABLE);
    for (const migration of migrations) {
      const { rows } = await client.query('SELECT migration_name, checksum, finished_at, rolled_back_at FROM _prisma_migrations');
      const applied = checkApplied(migrations, rows);
      if (applied.has(migration.name)) {
        result.alreadyApplied++;
        continue;
      }
      await client.query('BEGIN');
      try {
        const started = new Date();
        await client.query(migration.sql);
        await client.query('INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count) VALUES ($1, $2, now(), $3, NULL, NULL, $4, 1)', [
          randomUUID(),
          migration.checksum,
          migration.name,
          started,
        ]);
        await client.query('COMMIT');
        result.applied.push(migration.name);
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw new MigrationError(migration.name, error);
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [PG_LOCK_KEY]).catch(() => undefined);
  }
  return result;
}
