// What a CLI command may touch: output streams, the clock, and the database named by
// DATABASE_URL (opened on first use, so `help` works without a database).
import { loadConfig, loadDotEnv } from '../config.ts';
import { openDatabase, type Database } from '../adapters/db/database.ts';

export interface CliIo {
  /** writes one line (or several, joined by \n) to standard output */
  stdout(text: string): void;
  stderr(text: string): void;
  now(): Date;
  openDb(): Promise<Database>;
}

export interface CliCommand {
  /** one or more words, e.g. 'units import'; argv is matched by the longest name */
  name: string;
  /** one line, Chinese, for `help` */
  summary: string;
  /** e.g. 'units import 文件.xlsx|文件.csv [--operator ou_xxx]' */
  usage: string;
  /** returns the exit code: 0 done, 1 refused (bad data), 2 usage or configuration error */
  run(args: string[], io: CliIo): Promise<number>;
}

/** The real process: stdout/stderr, .env + environment, one database opened lazily and closed by close(). */
export function createProcessIo(env: NodeJS.ProcessEnv = process.env): { io: CliIo; close(): Promise<void> } {
  let db: Promise<Database> | undefined;
  const io: CliIo = {
    stdout: (text) => process.stdout.write(`${text}\n`),
    stderr: (text) => process.stderr.write(`${text}\n`),
    now: () => new Date(),
    openDb() {
      db ??= (async () => {
        if (env === process.env) loadDotEnv();
        return openDatabase(loadConfig(env).databaseUrl);
      })();
      return db;
    },
  };
  return {
    io,
    async close() {
      if (db) await (await db.catch(() => undefined))?.close();
    },
  };
}
