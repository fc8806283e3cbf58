// Opens the database named by DATABASE_URL: SQLite (embedded, the default) or PostgreSQL, with
// the same build and no rebuild. Pending migrations are applied before the client is handed out.
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
// Each provider's driver, adapter and generated client (with its query compiler) is loaded only
// when that provider is opened: a SQLite deployment never loads the PostgreSQL stack, nor the
// reverse (start-up time and idle memory, issue 17 goal 3).
import type { PrismaClient as SqliteClient, Prisma } from './generated/sqlite/client.ts';
import { loadMigrations, migratePostgres, migrateSqlite, type MigrationResult } from './migrate.ts';
import { installPlanCache, type QueryCompilerRuntime } from './plan-cache.ts';
import type { Provider } from './schema/providers.ts';

/** The Prisma client type the app is written against; both providers' clients share its shape. */
export type Db = SqliteClient;
/** A client bound to an open interactive transaction. */
export type Tx = Prisma.TransactionClient;
export type { Prisma };

export interface Database {
  provider: Provider;
  client: Db;
  migrations: MigrationResult;
  /** Runs a trivial query; used by /healthz and /readyz. */
  ping(): Promise<void>;
  /** connections held by the client (SQLite: its one connection) */
  pool?(): PoolStats;
  /** SQL statements the client has sent since it opened (BEGIN and COMMIT included; migrations not) */
  statements?(): number;
  close(): Promise<void>;
}

export interface PoolStats {
  total: number;
  idle: number;
  /** callers waiting for a connection */
  waiting: number;
  max: number;
}

export const SQLITE_BUSY_TIMEOUT_MS = 10_000;

/**
 * Prisma's default error format captures a call site (`new Error()`, ~2.5 % of a campaign year's
 * CPU) on every request, only to print the caller's file and line in a validation error (a query
 * the code built wrong). Errors from the database (unique constraint, record not found) read the
 * same either way, and the thrown error keeps its stack.
 */
const ERROR_FORMAT = 'minimal';

export function providerOf(url: string): Provider {
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgresql';
  if (url.startsWith('file:')) return 'sqlite';
  throw new Error(`unsupported DATABASE_URL: ${url.replace(/:[^:@/]*@/, ':***@')}`);
}

/** `file:./data/themeday.db` → absolute path (relative paths are relative to the working directory). */
export function sqlitePath(url: string): string {
  const raw = url.slice('file:'.length).split('?')[0] ?? '';
  return raw === ':memory:' ? raw : path.resolve(raw);
}

export async function openDatabase(url: string): Promise<Database> {
  return providerOf(url) === 'sqlite' ? openSqlite(url) : openPostgres(url);
}

/**
 * Interactive transactions take SQLite's write lock up front (BEGIN IMMEDIATE). The adapter's plain
 * BEGIN is deferred: a transaction that reads, then writes after another process (the CLI next to
 * the app) committed, fails at once with SQLITE_BUSY_SNAPSHOT, which the busy timeout cannot wait
 * out. With the lock taken at BEGIN, the second writer waits (busy timeout) and then succeeds.
 * A function of the (lazily loaded) adapter class, so SQLite's stack loads only when it is used.
 */
function immediateAdapterFactory(Base: typeof import('@prisma/adapter-better-sqlite3').PrismaBetterSQLite3, sent: StatementCount) {
  return class ImmediateSqliteAdapterFactory extends Base {
    override async connect(): ReturnType<InstanceType<typeof Base>['connect']> {
      const adapter = await super.connect();
      const client = (adapter as unknown as { client: import('better-sqlite3').Database }).client;
      // Every commit synced to disk, as PostgreSQL's synchronous_commit does: an event is answered
      // 200 (and a liaison told 已提交) only after its commit, and Feishu does not send it again.
      // better-sqlite3 is built with SQLITE_DEFAULT_WAL_SYNCHRONOUS=1 (NORMAL), under which "a
      // transaction committed in WAL mode … might roll back following a power loss or system
      // crash" (https://www.sqlite.org/pragma.html#pragma_synchronous). Cost measured on the
      // simulated year: ~1 s of ~13 s; the intake benches did not move.
      client.pragma('synchronous = FULL');
      const prepare = cachedPrepare(client.prepare.bind(client), sent);
      client.prepare = ((sql: string) => prepare(sql === 'BEGIN' ? 'BEGIN IMMEDIATE' : sql)) as unknown as typeof client.prepare;
      // better-sqlite3 is synchronous and the adapter answers with resolved promises, so a loop of
      // transactions (a fan-out writing a transaction per unit) runs as one chain of microtasks and
      // starves the event loop: no socket is read, no timer fires until it ends (measured: the
      // outbox's Feishu calls of the first 2.5 s all waited for the fan-out's 50 transactions to
      // finish, issue 17). Each transaction first lets pending I/O run, one event-loop turn.
      const start = adapter.startTransaction.bind(adapter);
      // One connection: a statement issued outside a transaction while one is open would run inside
      // it (reading its uncommitted rows, rolled back with it). Such statements wait until no
      // transaction is open or waiting to begin (counted before BEGIN can run), then run at once,
      // synchronously, in autocommit. PostgreSQL's pool gives them a connection of their own.
      let inTransaction = 0;
      let noneOpen: Promise<void> = Promise.resolve();
      let allEnded = () => {};
      const began = () => {
        if (inTransaction++ === 0) noneOpen = new Promise<void>((resolve) => (allEnded = resolve));
      };
      const ended = () => {
        if (--inTransaction === 0) allEnded();
      };
      adapter.startTransaction = async (isolationLevel) => {
        await new Promise<void>((resolve) => setImmediate(resolve));
        began();
        let tx: Awaited<ReturnType<typeof start>>;
        try {
          tx = await start(isolationLevel);
        } catch (error) {
          ended();
          throw error;
        }
        let done = false;
        const end = () => {
          if (done) return;
          done = true;
          ended();
        };
        const commit = tx.commit.bind(tx);
        const rollback = tx.rollback.bind(tx);
        tx.commit = () => commit().finally(end);
        tx.rollback = () => rollback().finally(end);
        return tx;
      };
      const outside =
        <A extends unknown[], R>(run: (...args: A) => Promise<R>) =>
        async (...args: A): Promise<R> => {
          while (inTransaction > 0) await noneOpen;
          return run(...args);
        };
      adapter.queryRaw = outside(adapter.queryRaw.bind(adapter));
      adapter.executeRaw = outside(adapter.executeRaw.bind(adapter));
      return adapter;
    }
  };
}

/** Distinct SQL texts kept prepared (Prisma's are few hundred; IN lists of other lengths are new texts). */
const STATEMENT_CACHE_SIZE = 500;

/**
 * The adapter prepares every query anew (`client.prepare(sql).bind(args)`, then `reader`, `run()`,
 * `columns()`, `raw().all()`): compiling the SQL each time was the largest single cost in the
 * profile of a simulated campaign year. better-sqlite3 binds a statement's parameters only once, so
 * the cache keeps the compiled statement and hands out a light object holding this call's arguments.
 * Statements run synchronously to the end (no iterators), so one statement never serves two calls
 * at once. Least recently used texts leave the cache first.
 */
function cachedPrepare(prepare: (sql: string) => import('better-sqlite3').Statement, sent: StatementCount) {
  const cache = new Map<string, import('better-sqlite3').Statement>();
  const columnsOf = new WeakMap<import('better-sqlite3').Statement, import('better-sqlite3').ColumnDefinition[]>();
  class Bound {
    constructor(
      private readonly stmt: import('better-sqlite3').Statement,
      private readonly args: unknown[],
    ) {}
    get reader(): boolean {
      return this.stmt.reader;
    }
    bind(args: unknown[]): Bound {
      return new Bound(this.stmt, args);
    }
    run() {
      sent.count++;
      return this.stmt.run(this.args);
    }
    columns() {
      // Asked on every read (the adapter maps each result by it) and fixed for a prepared statement.
      let cols = columnsOf.get(this.stmt);
      if (!cols) columnsOf.set(this.stmt, (cols = this.stmt.columns()));
      return cols;
    }
    raw(on = true): Bound {
      this.stmt.raw(on);
      return this;
    }
    all() {
      sent.count++;
      return this.stmt.all(this.args);
    }
    get() {
      sent.count++;
      return this.stmt.get(this.args);
    }
  }
  return (sql: string): Bound => {
    let stmt = cache.get(sql);
    if (stmt) cache.delete(sql);
    else {
      stmt = prepare(sql);
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
    }
    cache.set(sql, stmt);
    // A fresh statement is in row-object mode; a cached one keeps the last raw() setting, so reset it.
    if (stmt.reader) stmt.raw(false);
    return new Bound(stmt, []);
  };
}

async function openSqlite(url: string): Promise<Database> {
  const [{ default: BetterSqlite3 }, { PrismaBetterSQLite3 }, { PrismaClient }, compiler] = await Promise.all([
    import('better-sqlite3'),
    import('@prisma/adapter-better-sqlite3'),
    import('./generated/sqlite/client.ts'),
    loadCompilerRuntime('sqlite'),
  ]);
  installPlanCache(compiler);
  const file = sqlitePath(url);
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const raw = new BetterSqlite3(file, { timeout: SQLITE_BUSY_TIMEOUT_MS });
  let migrations: MigrationResult;
  try {
    raw.pragma('journal_mode = WAL');
    raw.pragma('foreign_keys = ON');
    migrations = migrateSqlite(raw, loadMigrations('sqlite'));
  } finally {
    raw.close();
  }
  const sent: StatementCount = { count: 0 };
  const ImmediateAdapter = immediateAdapterFactory(PrismaBetterSQLite3, sent);
  const adapter = new ImmediateAdapter({ url: file, timeout: SQLITE_BUSY_TIMEOUT_MS });
  const client = new PrismaClient({ adapter, errorFormat: ERROR_FORMAT });
  return connected('sqlite', client, migrations, sent, () => ({ total: 1, idle: 1, waiting: 0, max: 1 }));
}

/**
 * The query compiler's JavaScript glue, the very module the generated client loads
 * (`config.compilerWasm.getRuntime` in generated/<provider>/internal/class.ts): the plan cache
 * wraps its compiler class (src/adapters/db/plan-cache.ts).
 */
async function loadCompilerRuntime(provider: Provider): Promise<QueryCompilerRuntime> {
  return provider === 'sqlite' ? await import('@prisma/client/runtime/query_compiler_bg.sqlite.mjs') : await import('@prisma/client/runtime/query_compiler_bg.postgresql.mjs');
}

/** Statements sent through a client, counted where they reach the driver (cachedPrepare, the pool's client class). */
interface StatementCount {
  count: number;
}

/** The opened database; `release` frees what the provider holds besides the client (its pool). */
function connected(provider: Provider, client: Db, migrations: MigrationResult, sent: StatementCount, pool: () => PoolStats, release: () => Promise<void> = async () => undefined): Database {
  return {
    provider,
    client,
    migrations,
    async ping() {
      await client.$queryRawUnsafe('SELECT 1');
    },
    pool,
    statements: () => sent.count,
    async close() {
      await client.$disconnect();
      await release();
    },
  };
}

/** Statement texts each connection prepares (named); later new texts run unnamed, as before. */
const PREPARED_PER_CONNECTION = 300;

/**
 * PgBouncer in transaction mode hands each statement a server connection of its own, where a
 * statement prepared on another does not exist: Prisma's `pgbouncer=true` URL flag says so.
 */
function preparesStatements(url: string): boolean {
  return new URL(url).searchParams.get('pgbouncer') !== 'true';
}

/**
 * The pool's client class, naming the statements Prisma sends. Prisma's PostgreSQL adapter sends
 * every statement unnamed, so the server parses and plans its text anew each time (a campaign year
 * is ~20,000 statements of a few hundred texts). A named statement is parsed once per connection
 * and then only bound and run (measured 0.46 → 0.41 ms a round trip for a typical Prisma SELECT).
 * The name is a digest of the text: one text, one name. Each connection names its first
 * PREPARED_PER_CONNECTION texts and runs the rest unnamed, so IN lists of ever new lengths cannot
 * grow the server's prepared statements without bound. The SQLite counterpart is cachedPrepare.
 * Behind PgBouncer (`prepare` false) it names nothing and only counts what it sends.
 */
function preparingClient(Base: typeof import('pg').Client, sent: StatementCount, prepare: boolean): typeof import('pg').Client {
  return class PreparingClient extends Base {
    readonly #names = new Map<string, string>();
    override query(...args: unknown[]): never {
      sent.count++;
      const config = args[0] as { text?: unknown; name?: unknown } | null;
      if (prepare && config !== null && typeof config === 'object' && typeof config.text === 'string' && config.name === undefined) {
        let name = this.#names.get(config.text);
        if (name === undefined && this.#names.size < PREPARED_PER_CONNECTION) {
          name = `prisma_${createHash('sha1').update(config.text).digest('hex')}`;
          this.#names.set(config.text, name);
        }
        if (name !== undefined) args[0] = { ...config, name };
      }
      return (super.query as (...a: unknown[]) => never)(...args);
    }
  } as typeof import('pg').Client;
}

async function openPostgres(url: string): Promise<Database> {
  const [{ default: pg }, { PrismaPg }, { PrismaClient }, compiler] = await Promise.all([import('pg'), import('@prisma/adapter-pg'), import('./generated/postgresql/client.ts'), loadCompilerRuntime('postgresql')]);
  installPlanCache(compiler);
  const migrator = new pg.Client({ connectionString: url });
  await migrator.connect();
  let migrations: MigrationResult;
  try {
    migrations = await migratePostgres(migrator, loadMigrations('postgresql'));
  } finally {
    await migrator.end();
  }
  // Our own pool (pg's default size) so its figures can be reported on /metrics.
  const sent: StatementCount = { count: 0 };
  const pool = new pg.Pool({ connectionString: url, Client: preparingClient(pg.Client, sent, preparesStatements(url)) });
  pool.on('error', () => undefined); // an idle client dropped by the server is replaced on next use
  const adapter = new PrismaPg(pool);
  const client = new PrismaClient({ adapter, errorFormat: ERROR_FORMAT }) as unknown as Db;
  return connected(
    'postgresql',
    client,
    migrations,
    sent,
    () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: pool.options.max ?? 10 }),
    () => pool.end().catch(() => undefined),
  );
}
