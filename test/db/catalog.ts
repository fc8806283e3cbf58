// Normalized schema catalogs, to compare two databases structurally.
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { sqlitePath } from '../../src/adapters/db/database.ts';
import type { Provider } from '../../src/adapters/db/schema/providers.ts';

export interface Catalog {
  [part: string]: string[];
}

const squash = (sql: string | null) => (sql ?? '').replace(/\s+/g, ' ').replace(/\( /g, '(').replace(/ \)/g, ')').trim();

export function sqliteCatalog(file: string, { includeMigrationsTable = false } = {}): Catalog {
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    const rows = db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name').all() as { type: string; name: string; tbl_name: string; sql: string | null }[];
    return {
      objects: rows.filter((r) => includeMigrationsTable || (r.tbl_name !== '_prisma_migrations' && r.name !== 'sqlite_sequence')).map((r) => `${r.type} ${r.name} ON ${r.tbl_name}: ${squash(r.sql)}`),
    };
  } finally {
    db.close();
  }
}

export async function postgresCatalog(url: string, { includeMigrationsTable = false } = {}): Promise<Catalog> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const skip = includeMigrationsTable ? '' : "AND table_name <> '_prisma_migrations'";
    const columns = await client.query<{ line: string }>(
      `SELECT table_name || '.' || column_name || ' ' || data_type || ' null=' || is_nullable || ' default=' || coalesce(column_default, '-') AS line
         FROM information_schema.columns WHERE table_schema = 'public' ${skip} ORDER BY table_name, column_name`,
    );
    const indexes = await client.query<{ line: string }>(
      `SELECT indexname || ': ' || indexdef AS line FROM pg_indexes WHERE schemaname = 'public' ${includeMigrationsTable ? '' : "AND tablename <> '_prisma_migrations'"} ORDER BY indexname`,
    );
    const constraints = await client.query<{ line: string }>(
      `SELECT rel.relname || '.' || con.conname || ' ' || con.contype::text || ': ' || pg_get_constraintdef(con.oid) AS line
         FROM pg_constraint con JOIN pg_class rel ON rel.oid = con.conrelid JOIN pg_namespace ns ON ns.oid = rel.relnamespace
        WHERE ns.nspname = 'public' ${includeMigrationsTable ? '' : "AND rel.relname <> '_prisma_migrations'"} ORDER BY 1`,
    );
    const enums = await client.query<{ line: string }>(
      `SELECT t.typname || ': ' || string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) AS line
         FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace ns ON ns.oid = t.typnamespace
        WHERE ns.nspname = 'public' GROUP BY t.typname ORDER BY 1`,
    );
    return {
      columns: columns.rows.map((r) => r.line),
      indexes: indexes.rows.map((r) => squash(r.line)),
      constraints: constraints.rows.map((r) => squash(r.line)),
      enums: enums.rows.map((r) => r.line),
    };
  } finally {
    await client.end();
  }
}

export function catalog(provider: Provider, url: string, options: { includeMigrationsTable?: boolean } = {}): Promise<Catalog> {
  return provider === 'sqlite' ? Promise.resolve(sqliteCatalog(sqlitePath(url), options)) : postgresCatalog(url, options);
}

/** Runs a multi-statement SQL script on a database. */
export async function execScript(provider: Provider, url: string, sql: string): Promise<void> {
  if (provider === 'sqlite') {
    const db = new BetterSqlite3(sqlitePath(url));
    try {
      db.exec(sql);
    } finally {
      db.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
