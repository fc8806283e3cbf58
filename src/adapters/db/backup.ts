// Backups of the app's database while it runs. SQLite: better-sqlite3's online backup API, copying
// every page in one step (one read transaction: a consistent snapshot, never restarted by the
// app's writes). PostgreSQL: pg_dump (custom format; a consistent snapshot by design) and
// pg_restore. Restores run with the app stopped.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { providerOf, sqlitePath, SQLITE_BUSY_TIMEOUT_MS } from './database.ts';

export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (error: NodeJS.ErrnoException) => reject(new BackupError(error.code === 'ENOENT' ? `找不到 ${cmd}：请安装与服务器同版本的 PostgreSQL 客户端 / ${cmd} not found` : error.message)));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new BackupError(`${cmd} 失败（退出码 ${code}）：${stderr.trim().slice(0, 500)}`))));
  });
}

/** libpq wants the URL without Prisma-only parameters. */
function libpqUrl(url: string): string {
  const u = new URL(url);
  for (const k of ['schema', 'connection_limit', 'pool_timeout', 'pgbouncer']) u.searchParams.delete(k);
  return u.toString();
}

export interface BackupResult {
  provider: 'sqlite' | 'postgresql';
  file: string;
  bytes?: number;
}

export async function backupDatabase(databaseUrl: string, out: string): Promise<BackupResult> {
  const file = path.resolve(out);
  if (providerOf(databaseUrl) === 'postgresql') {
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      await run('pg_dump', ['--format=custom', '--no-owner', '--no-privileges', `--file=${tmp}`, `--dbname=${libpqUrl(databaseUrl)}`]);
      renameSync(tmp, file);
    } finally {
      rmSync(tmp, { force: true });
    }
    return { provider: 'postgresql', file };
  }
  const source = sqlitePath(databaseUrl);
  if (!existsSync(source)) throw new BackupError(`数据库文件不存在：${source}`);
  const db = new BetterSqlite3(source, { readonly: true, fileMustExist: true, timeout: SQLITE_BUSY_TIMEOUT_MS });
  try {
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      // All pages in one step: one read transaction, so the copy is one consistent moment.
      await db.backup(tmp, { progress: ({ totalPages }) => Math.max(totalPages, 1) });
      renameSync(tmp, file);
    } finally {
      rmSync(tmp, { force: true });
    }
  } finally {
    db.close();
  }
  const check = new BetterSqlite3(file, { readonly: true });
  try {
    const ok = check.pragma('integrity_check', { simple: true });
    if (ok !== 'ok') throw new BackupError(`备份文件校验失败：${String(ok)}`);
  } finally {
    check.close();
  }
  return { provider: 'sqlite', file };
}

/**
 * Replaces the database with a backup (the app must be stopped). SQLite keeps the replaced file
 * beside it as `<db>.before-restore-<time>`; PostgreSQL drops and recreates the dumped objects.
 */
export async function restoreDatabase(databaseUrl: string, backup: string, now: Date): Promise<{ kept?: string }> {
  const from = path.resolve(backup);
  if (!existsSync(from)) throw new BackupError(`备份文件不存在：${from}`);
  if (providerOf(databaseUrl) === 'postgresql') {
    await run('pg_restore', ['--clean', '--if-exists', '--no-owner', '--no-privileges', '--single-transaction', '--exit-on-error', `--dbname=${libpqUrl(databaseUrl)}`, from]);
    return {};
  }
  const check = new BetterSqlite3(from, { readonly: true, fileMustExist: true });
  try {
    if (check.pragma('integrity_check', { simple: true }) !== 'ok') throw new BackupError('备份文件已损坏（integrity_check 未通过）');
  } catch (error) {
    if (error instanceof BackupError) throw error;
    throw new BackupError(`不是有效的 SQLite 备份：${(error as Error).message}`);
  } finally {
    check.close();
  }
  const target = sqlitePath(databaseUrl);
  let kept: string | undefined;
  if (existsSync(target)) {
    // Fold the WAL into the file first so the kept copy is complete.
    const cur = new BetterSqlite3(target, { timeout: SQLITE_BUSY_TIMEOUT_MS });
    try {
      cur.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      cur.close();
    }
    kept = `${target}.before-restore-${now.toISOString().replace(/[:.]/g, '-')}`;
    copyFileSync(target, kept);
  }
  const tmp = `${target}.restore.tmp`;
  copyFileSync(from, tmp);
  for (const suffix of ['-wal', '-shm']) rmSync(`${target}${suffix}`, { force: true });
  renameSync(tmp, target);
  return kept ? { kept } : {};
}
