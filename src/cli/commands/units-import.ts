import path from 'node:path';
import { DirectoryFileError, readDirectoryFile } from '../../adapters/files/directory-reader.ts';
import { formatDirectoryError } from '../../domain/directory.ts';
import { importDirectory, type UpsertCounts } from '../../usecases/import-directory.ts';
import { defineCliCommand, operatorOf } from '../io.ts';

function line(label: string, c: UpsertCounts): string {
  return `  ${label}：新增 ${c.created}，更新 ${c.updated}，未变 ${c.unchanged}`;
}

export const unitsImport = defineCliCommand({
  usage: 'units import <文件.xlsx|文件.csv> [--operator ou_xxx]',
  summary: '导入单位名录（单位及联系人，XLSX 或 CSV）；任一行有误则全部不导入并列出所有问题',
  flags: { operator: { type: 'string' } },
  positionals: true,
  parse(values, positionals) {
    if (positionals.length !== 1) throw new Error('需要且只需要一个文件');
    return { file: positionals[0]!, operator: operatorOf(values.operator) };
  },
  async run({ file, operator }, io) {
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
    io.stdout([`导入完成：${path.basename(file)}`, line('单位', result.counts.units), line('联系人', result.counts.liaisons)].join('\n'));
    return 0;
  },
});
