import path from 'node:path';
import { parseArgs } from 'node:util';
import { DirectoryFileError, readDirectoryFile } from '../../adapters/files/directory-reader.ts';
import { OPEN_ID_RE, formatDirectoryError } from '../../domain/directory.ts';
import { importDirectory, type UpsertCounts } from '../../usecases/import-directory.ts';
import type { CliCommand } from '../io.ts';

const USAGE = 'units import <文件.xlsx|文件.csv> [--operator ou_xxx]';

function line(label: string, c: UpsertCounts): string {
  return `  ${label}：新增 ${c.created}，更新 ${c.updated}，未变 ${c.unchanged}`;
}

export const unitsImport: CliCommand = {
  name: 'units import',
  summary: '导入单位名录（单位及联络员，XLSX 或 CSV）；任一行有误则全部不导入并列出所有问题',
  usage: USAGE,
  async run(args, io) {
    let file: string | undefined;
    let operator = 'cli';
    try {
      const { values, positionals } = parseArgs({ args, options: { operator: { type: 'string' } }, allowPositionals: true, strict: true });
      if (positionals.length !== 1) throw new Error('需要且只需要一个文件');
      file = positionals[0]!;
      if (values.operator !== undefined) {
        if (!OPEN_ID_RE.test(values.operator)) throw new Error(`--operator “${values.operator}” 不是有效的 open_id（应以 ou_ 开头）`);
        operator = values.operator;
      }
    } catch (error) {
      io.stderr(`参数错误：${(error as Error).message}\n用法：npm run cli -- ${USAGE}`);
      return 2;
    }

    let table;
    try {
      table = await readDirectoryFile(file);
    } catch (error) {
      if (error instanceof DirectoryFileError) {
        io.stderr(`导入失败：${error.message}`);
        return 1;
      }
      throw error;
    }

    const db = await io.openDb();
    const result = await importDirectory(db.client, { table, actorOpenId: operator, now: io.now(), source: path.basename(file) });
    if (!result.ok) {
      io.stderr([`导入失败：发现 ${result.errors.length} 处问题，未导入任何数据。请修改后重新导入。`, ...result.errors.map((e) => `  ${formatDirectoryError(e)}`)].join('\n'));
      return 1;
    }
    io.stdout([`导入完成：${path.basename(file)}`, line('单位', result.counts.units), line('联络员', result.counts.liaisons)].join('\n'));
    return 0;
  },
};
