// What a CLI command may touch: output streams, the clock, and the database named by
// DATABASE_URL (opened on first use, so `help` works without a database).
import { loadConfig, loadDotEnv, type Config } from '../config.ts';
import { parseArgs } from 'node:util';
import { openDatabase, type Database } from '../adapters/db/database.ts';

export interface CliIo {
  /** writes one line (or several, joined by \n) to standard output */
  stdout(text: string): void;
  stderr(text: string): void;
  now(): Date;
  openDb(): Promise<Database>;
  /** the configuration (environment + .env); commands that talk to Feishu need it */
  config?(): Config;
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
    config() {
      if (env === process.env) loadDotEnv();
      return loadConfig(env);
    },
  };
  return {
    io,
    async close() {
      if (db) await (await db.catch(() => undefined))?.close();
    },
  };
}

/** Parsed `--year YYYY --out PATH` (plus the command's own flags). */
export interface YearOutArgs<V> {
  year: number;
  out: string;
  values: V;
}

type FlagSpec = Record<string, { type: 'string' | 'boolean' }>;
type FlagValues<F extends FlagSpec> = { [K in keyof F]?: F[K]['type'] extends 'boolean' ? boolean : string };

/**
 * The argument shape every export command shares. Returns the parsed values, or writes the
 * Chinese usage error and returns undefined (the command then exits with 2).
 */
export function parseYearOut<F extends FlagSpec>(
  args: string[],
  io: CliIo,
  usage: string,
  flags: F,
  options: { outLabel?: string; extension?: string } = {},
): YearOutArgs<FlagValues<F>> | undefined {
  const outLabel = options.outLabel ?? '文件名';
  try {
    const parsed = parseArgs({ args, options: { year: { type: 'string' }, out: { type: 'string' }, ...flags }, allowPositionals: true, strict: true });
    const positionals = parsed.positionals;
    const values = parsed.values as Record<string, string | boolean | undefined>;
    if (positionals.length > 0) throw new Error(`多余的参数：${positionals.join(' ')}`);
    const year = Number(values.year);
    if (!Number.isInteger(year) || year < 2000 || year > 2100) throw new Error('--year 应为年份，如 2023');
    if (typeof values.out !== 'string' || values.out === '') throw new Error(`缺少 --out ${outLabel}`);
    if (options.extension && !values.out.toLowerCase().endsWith(options.extension)) throw new Error(`--out 应以 ${options.extension} 结尾`);
    return { year, out: values.out, values: values as FlagValues<F> };
  } catch (error) {
    io.stderr(`参数错误：${(error as Error).message}\n用法：npm run cli -- ${usage}`);
    return undefined;
  }
}
