// `npm run cli -- export submissions --year 2023 --out FILE [--csv]`: the 申报表 as XLSX (and CSV).
import { writeFile } from 'node:fs/promises';
import { defineExportCommand, writeOutFile } from '../io.ts';
import { buildSubmissionsCsv, buildSubmissionsXlsx } from '../../adapters/files/submissions-export.ts';
import { loadSubmissionExport } from '../../usecases/submissions/export.ts';

export const exportSubmissions = defineExportCommand({
  usage: 'export submissions --year 2023 --out 申报表.xlsx [--csv]',
  summary: '导出主题申报表：XLSX（全县汇总 + 各单位一页，按实施方案附表格式）；--csv 或 --out 以 .csv 结尾时另写 CSV（UTF-8 BOM）',
  flags: { csv: { type: 'boolean' } },
  options: { missing: (year) => `没有 ${year} 年的主题申报。` },
  async run({ out, db, campaign, values }, io) {
    const base = out.replace(/\.(xlsx|csv)$/i, '');
    const xlsxOut = `${base}.xlsx`;
    const csvOut = values.csv || /\.csv$/i.test(out) ? `${base}.csv` : undefined;
    const data = await loadSubmissionExport(db.client, campaign.id, io.now());
    await writeOutFile(xlsxOut, await buildSubmissionsXlsx(data));
    const submitted = data.units.filter((u) => u.submitted);
    io.stdout(`已写入 ${xlsxOut}：${submitted.length}/${data.units.length} 个单位已提交，共 ${submitted.reduce((a, u) => a + u.themes.length, 0)} 个主题。`);
    if (csvOut) {
      await writeFile(csvOut, buildSubmissionsCsv(data));
      io.stdout(`已写入 ${csvOut}（UTF-8 BOM，可直接用 Excel / WPS 打开）。`);
    }
    return 0;
  },
});
