// `npm run cli -- backup --out FILE` (safe while the app runs) and
// `npm run cli -- restore --from FILE --yes` (with the app stopped).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { CliCommand, CliIo } from '../io.ts';
import { loadConfig, loadDotEnv } from '../../config.ts';
import { BackupError, backupDatabase, restoreDatabase } from '../../adapters/db/backup.ts';

function flags(args: string[], io: CliIo, usage: string, spec: Record<string, { type: 'string' | 'boolean' }>): Record<string, string | boolean | undefined> | undefined {
  try {
    const { values, positionals } = parseArgs({ args, options: spec, allowPositionals: true, strict: true });
    if (positionals.length > 0) throw new Error(`多余的参数：${positionals.join(' ')}`);
    return values;
  } catch (error) {
    io.stderr(`参数错误：${(error as Error).message}\n用法：npm run cli -- ${usage}`);
    return undefined;
  }
}

function databaseUrl(env: NodeJS.ProcessEnv): string {
  if (env === process.env) loadDotEnv();
  return loadConfig(env).databaseUrl;
}

const BACKUP_USAGE = 'backup --out 备份文件';

export function backupCommand(env: NodeJS.ProcessEnv = process.env): CliCommand {
  return {
    name: 'backup',
    summary: '备份数据库（应用运行中也可执行）：SQLite 用在线备份生成一致的 .db 文件；PostgreSQL 调用 pg_dump（custom 格式）',
    usage: BACKUP_USAGE,
    async run(args, io) {
      const v = flags(args, io, BACKUP_USAGE, { out: { type: 'string' } });
      if (!v) return 2;
      if (typeof v.out !== 'string' || v.out === '') {
        io.stderr(`参数错误：缺少 --out 备份文件\n用法：npm run cli -- ${BACKUP_USAGE}`);
        return 2;
      }
      await mkdir(path.dirname(path.resolve(v.out)), { recursive: true });
      try {
        const r = await backupDatabase(databaseUrl(env), v.out);
        io.stdout(`已备份${r.provider === 'sqlite' ? ' SQLite 数据库' : ' PostgreSQL 数据库（pg_dump）'}到 ${v.out}`);
        return 0;
      } catch (error) {
        if (error instanceof BackupError) {
          io.stderr(`备份失败：${error.message}`);
          return 1;
        }
        throw error;
      }
    },
  };
}

const RESTORE_USAGE = 'restore --from 备份文件 --yes';

export function restoreCommand(env: NodeJS.ProcessEnv = process.env): CliCommand {
  return {
    name: 'restore',
    summary: '用备份替换当前数据库（请先停止应用）；需加 --yes 确认。重启后未送达的消息会按原编号补发，飞书按 uuid 去重',
    usage: RESTORE_USAGE,
    async run(args, io) {
      const v = flags(args, io, RESTORE_USAGE, { from: { type: 'string' }, yes: { type: 'boolean' } });
      if (!v) return 2;
      if (typeof v.from !== 'string' || v.from === '') {
        io.stderr(`参数错误：缺少 --from 备份文件\n用法：npm run cli -- ${RESTORE_USAGE}`);
        return 2;
      }
      if (v.yes !== true) {
        io.stderr('恢复会覆盖当前数据库。请先停止应用，确认后加 --yes 重新执行。');
        return 2;
      }
      try {
        const r = await restoreDatabase(databaseUrl(env), v.from, io.now());
        io.stdout(`已从 ${v.from} 恢复数据库${r.kept ? `；原数据库已另存为 ${r.kept}` : ''}。现在可以启动应用。`);
        return 0;
      } catch (error) {
        if (error instanceof BackupError) {
          io.stderr(`恢复失败：${error.message}`);
          return 1;
        }
        throw error;
      }
    },
  };
}

export const backup = backupCommand();
export const restore = restoreCommand();
