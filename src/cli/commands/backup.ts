// `npm run cli -- backup --out FILE` (safe while the app runs) and
// `npm run cli -- restore --from FILE --yes` (with the app stopped).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { defineCliCommand, type CliCommand, type CliIo } from '../io.ts';
import { loadConfig, loadDotEnv } from '../../config.ts';
import { BackupError, backupDatabase, restoreDatabase } from '../../adapters/db/backup.ts';

/** The path flag (`--out` or `--from`) as a non-empty string, else a usage error. */
function pathFlag(flag: 'out' | 'from', value: string | undefined): string {
  if (value === undefined || value === '') throw new Error(`缺少 --${flag} 备份文件`);
  return value;
}

/** A BackupError is the person's problem (its message, exit 1); anything else is a bug and propagates. */
async function reportBackupError(io: CliIo, what: string, work: () => Promise<string>): Promise<number> {
  try {
    io.stdout(await work());
    return 0;
  } catch (error) {
    if (error instanceof BackupError) {
      io.stderr(`${what}失败：${error.message}`);
      return 1;
    }
    throw error;
  }
}

function databaseUrl(env: NodeJS.ProcessEnv): string {
  if (env === process.env) loadDotEnv();
  return loadConfig(env).databaseUrl;
}

export function backupCommand(env: NodeJS.ProcessEnv = process.env): CliCommand {
  return defineCliCommand({
    usage: 'backup --out 备份文件',
    summary: '备份数据库（应用运行中也可执行）：SQLite 用在线备份生成一致的 .db 文件；PostgreSQL 调用 pg_dump（custom 格式）',
    flags: { out: { type: 'string' } },
    parse: (values) => pathFlag('out', values.out),
    async run(out, io) {
      await mkdir(path.dirname(path.resolve(out)), { recursive: true });
      return reportBackupError(io, '备份', async () => {
        const r = await backupDatabase(databaseUrl(env), out);
        return `已备份${r.provider === 'sqlite' ? ' SQLite 数据库' : ' PostgreSQL 数据库（pg_dump）'}到 ${out}`;
      });
    },
  });
}

export function restoreCommand(env: NodeJS.ProcessEnv = process.env): CliCommand {
  return defineCliCommand({
    usage: 'restore --from 备份文件 --yes',
    summary: '用备份替换当前数据库（请先停止应用）；需加 --yes 确认。重启后未送达的消息会按原编号补发，飞书按 uuid 去重',
    flags: { from: { type: 'string' }, yes: { type: 'boolean' } },
    parse: (values) => ({ path: pathFlag('from', values.from), yes: values.yes === true }),
    async run(v, io) {
      if (!v.yes) {
        io.stderr('恢复会覆盖当前数据库。请先停止应用，确认后加 --yes 重新执行。');
        return 2;
      }
      return reportBackupError(io, '恢复', async () => {
        const r = await restoreDatabase(databaseUrl(env), v.path, io.now());
        return `已从 ${v.path} 恢复数据库${r.kept ? `；原数据库已另存为 ${r.kept}` : ''}。现在可以启动应用。`;
      });
    },
  });
}

export const backup = backupCommand();
export const restore = restoreCommand();
