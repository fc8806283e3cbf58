// `npm run cli -- export submissions --year 2023 --out FILE [--csv]`: the 申报表 as XLSX (and CSV).
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { CliCommand } from '../io.ts';
import { buildSubmissionsCsv, buildSubmissionsXlsx } from '../../adapters/files/submissions-export.ts';
import { loadSubmissionExport } from '../../usecases/submissions/export.ts';

const USAGE = 'export submissions --year 2023 --out 申报表.xlsx [--csv]';

export const exportSubmissions: CliCommand = {
  name: 'export submissions',
  summary: '导出主题申报表：XLSX（全县汇总 + 各单位一页，按实施方案附表格式）；--csv 或 --out 以 .csv 结尾时另写 CSV（UTF-8 BOM）',
  usage: USAGE,
  async run(args, io) {
    let year: number;
    let xlsxOut: string;
    let csvOut: string | undefined;
    try {
      const { values, positionals } = parseArgs({ args, options: { year: { type: 'string' }, out: { type: 'string' }, csv: { type: 'boolean' } }, allowPositionals: true, strict: true });
      if (positionals.length > 0) throw new Error(`多余的参数：${positionals.join(' ')}`);
      year = Number(values.year);
      if (!Number.isInteger(year) || year < 2000 || year > 2100) throw new Error('--year 应为年份，如 2023');
      if (!values.out) throw new Error('缺少 --out 文件名');
      const out = values.out;
      const base = out.replace(/\.(xlsx|csv)$/i, '');
      xlsxOut = `${base}.xlsx`;
      if (values.csv || /\.csv$/i.test(out)) csvOut = `${base}.csv`;
    } catch (error) {
      io.stderr(`参数错误：${(error as Error).message}\n用法：npm run cli -- ${USAGE}`);
      return 2;
    }
    const db = await io.openDb();
    const campaign = await db.client.campaign.findUnique({ where: { year }, select: { id: true } });
    if (!campaign) {
      io.stderr(`没有 ${year} 年的主题申报。`);
      return 1;
    }
    const data = await loadSubmissionExport(db.client, campaign.id, io.now());
    await mkdir(path.dirname(path.resolve(xlsxOut)), { recursive: true });
    await writeFile(xlsxOut, await buildSubmissionsXlsx(data));
    const submitted = data.units.filter((u) => u.submitted);
    io.stdout(`已写入 ${xlsxOut}：${submitted.length}/${data.units.length} 个单位已提交，共 ${submitted.reduce((a, u) => a + u.themes.length, 0)} 个主题。`);
    if (csvOut) {
      await writeFile(csvOut, buildSubmissionsCsv(data));
      io.stdout(`已写入 ${csvOut}（UTF-8 BOM，可直接用 Excel / WPS 打开）。`);
    }
    return 0;
  },
};
