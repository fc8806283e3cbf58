// What a CLI command may touch: output streams, the clock, and the database named by
// DATABASE_URL (opened on first use, so `help` works without a database).
import { loadConfig, loadDotEnv, type Config } from '../config.ts';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase, type Database } from '../adapters/db/database.ts';
import { OPEN_ID_RE } from '../domain/directory.ts';

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

export type FlagSpec = Record<string, { type: 'string' | 'boolean' }>;
export type FlagValues<F extends FlagSpec> = { [K in keyof F]?: F[K]['type'] extends 'boolean' ? boolean : string };

/**
 * Parses a command's flags (strict: an unknown flag is an error) and hands them to `check`, which
 * validates and returns what the command needs or throws an Error with a Chinese message. On any
 * error the usage is printed and undefined returned (the command then exits with 2).
 */
export function parseCli<F extends FlagSpec, R>(args: string[], io: CliIo, usage: string, flags: F, check: (parsed: { values: FlagValues<F>; positionals: string[] }) => R): R | undefined {
  try {
    const parsed = parseArgs({ args, options: flags, allowPositionals: true, strict: true });
    return check({ values: parsed.values as FlagValues<F>, positionals: parsed.positionals });
  } catch (error) {
    io.stderr(`参数错误：${(error as Error).message}\n用法：npm run cli -- ${usage}`);
    return undefined;
  }
}

/** What a command is made of: its help entry, its flags, how they become arguments, and the work. */
export interface CliCommandSpec<F extends FlagSpec, A> {
  /** the command's words, then its arguments: 'units import <文件.xlsx|文件.csv> [--operator ou_xxx]' (the name is read from it) */
  usage: string;
  summary: string;
  flags: F;
  /** the command takes positional arguments (files); otherwise any is refused before `parse` */
  positionals?: true;
  /** validates the parsed flags (and positionals) and returns the command's arguments; throws an Error with a Chinese message */
  parse(values: FlagValues<F>, positionals: string[]): A;
  /** the work, on valid arguments; returns the exit code */
  run(args: A, io: CliIo): Promise<number>;
}

/** The command's words at the start of its usage line: 'export history --out …' → 'export history'. */
export function commandName(usage: string): string {
  const words = /^[a-z]+(?: [a-z]+)*(?= |$)/.exec(usage);
  if (!words) throw new Error(`usage must start with the command's words: ${usage}`);
  return words[0];
}

/** A command whose argument errors all end the same way: the message and the usage, exit code 2. */
export function defineCliCommand<F extends FlagSpec, A>(spec: CliCommandSpec<F, A>): CliCommand {
  return {
    name: commandName(spec.usage),
    summary: spec.summary,
    usage: spec.usage,
    async run(args, io) {
      const parsed = parseCli(args, io, spec.usage, spec.flags, ({ values, positionals }) => {
        if (!spec.positionals) noPositionals(positionals);
        return { args: spec.parse(values, positionals) };
      });
      return parsed ? spec.run(parsed.args, io) : 2;
    },
  };
}

/** Writes a file, creating its folder first. */
export async function writeOutFile(out: string, data: Uint8Array | string): Promise<void> {
  await mkdir(path.dirname(path.resolve(out)), { recursive: true });
  await writeFile(out, data);
}

/** For commands that take flags only. */
export function noPositionals(positionals: string[]): void {
  if (positionals.length > 0) throw new Error(`多余的参数：${positionals.join(' ')}`);
}

/** `--operator ou_xxx` (who the audit log names), 'cli' when absent. */
export function operatorOf(value: string | undefined): string {
  if (value === undefined) return 'cli';
  if (!OPEN_ID_RE.test(value)) throw new Error(`--operator “${value}” 不是有效的 open_id（应以 ou_ 开头）`);
  return value;
}

/** The argument shape every export command shares: `--year YYYY --out PATH` plus the command's own flags. */
export function parseYearOut<F extends FlagSpec>(args: string[], io: CliIo, usage: string, flags: F, options: { outLabel?: string; extension?: string } = {}): YearOutArgs<FlagValues<F>> | undefined {
  const outLabel = options.outLabel ?? '文件名';
  return parseCli(args, io, usage, { year: { type: 'string' }, out: { type: 'string' }, ...flags }, ({ values: v, positionals }) => {
    noPositionals(positionals);
    const values = v as Record<string, string | boolean | undefined>;
    const year = Number(values.year);
    if (!Number.isInteger(year) || year < 2000 || year > 2100) throw new Error('--year 应为年份，如 2023');
    if (typeof values.out !== 'string' || values.out === '') throw new Error(`缺少 --out ${outLabel}`);
    if (options.extension && !values.out.toLowerCase().endsWith(options.extension)) throw new Error(`--out 应以 ${options.extension} 结尾`);
    return { year, out: values.out, values: values as FlagValues<F> };
  });
}

type ExportOptions = { outLabel?: string; extension?: string; missing?: (year: number) => string };
type CampaignExportArgs<F extends FlagSpec> = YearOutArgs<FlagValues<F>> & { db: Database; campaign: { id: string; year: number; title: string } };

/** An export of one year's campaign: `--year YYYY --out PATH` plus its own flags, refused (exit 1) when the year has no campaign. */
export function defineExportCommand<F extends FlagSpec = Record<never, never>>(spec: { usage: string; summary: string; flags?: F; options?: ExportOptions; run(a: CampaignExportArgs<F>, io: CliIo): Promise<number> }): CliCommand {
  return {
    name: commandName(spec.usage),
    summary: spec.summary,
    usage: spec.usage,
    async run(args, io) {
      const a = await campaignExport(args, io, spec.usage, spec.flags ?? ({} as F), spec.options);
      return typeof a === 'number' ? a : spec.run(a, io);
    },
  };
}

/** An export's arguments and the year's campaign; a number is the exit code after saying why (2 usage, 1 no such year). */
export async function campaignExport<F extends FlagSpec>(args: string[], io: CliIo, usage: string, flags: F, options: ExportOptions = {}): Promise<CampaignExportArgs<F> | number> {
  const parsed = parseYearOut(args, io, usage, flags, options);
  if (!parsed) return 2;
  const db = await io.openDb();
  const campaign = await db.client.campaign.findUnique({ where: { year: parsed.year }, select: { id: true, year: true, title: true } });
  if (!campaign) {
    io.stderr(options.missing?.(parsed.year) ?? `没有 ${parsed.year} 年的主题日活动。`);
    return 1;
  }
  return { ...parsed, db, campaign };
}
