// 年度对比 (XLSX): one row per unit and campaign year (sheet 逐单位), the county totals per year
// (sheet 年度汇总). Text cells are plain strings formatted as text, so a unit name such as
// "=HYPERLINK(…)" stays text and is never evaluated as a formula.
import type ExcelJS from 'exceljs';
import { loadExcel } from './excel.ts';
import { bestRankLabel, OUTCOME_LABELS, type History } from '../../domain/history.ts';

export const HISTORY_UNIT_COLUMNS = ['年度', '单位', '单位类别', '申报情况', '申报主题数', '审核通过数', '已举办数', '总结完整数', '宣传链接数', '评选名次'] as const;
export const HISTORY_YEAR_COLUMNS = ['年度', '应报单位', '按时提交', '逾期提交', '未提交', '按时提交率', '申报主题数', '审核通过数', '已举办数', '总结完整数', '宣传链接数', '有获评名次的单位'] as const;
export const HISTORY_UNIT_SHEET = '逐单位';
export const HISTORY_YEAR_SHEET = '年度汇总';

type Cell = string | number;

function addRow(ws: ExcelJS.Worksheet, values: Cell[]): ExcelJS.Row {
  const row = ws.addRow(values);
  values.forEach((v, i) => {
    if (typeof v === 'string') row.getCell(i + 1).numFmt = '@';
  });
  return row;
}

function header(ws: ExcelJS.Worksheet, titles: readonly string[], widths: number[]): void {
  const row = addRow(ws, [...titles]);
  row.font = { bold: true };
  row.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
  row.eachCell((c) => {
    c.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EEF7' } };
  });
  ws.columns.forEach((c, i) => {
    c.width = widths[i] ?? 12;
  });
  ws.views = [{ state: 'frozen', ySplit: 1 }];
}

export async function writeHistoryWorkbook(h: History): Promise<Buffer> {
  const wb = new (await loadExcel()).Workbook();
  wb.creator = '主题日助手';
  const units = wb.addWorksheet(HISTORY_UNIT_SHEET);
  header(units, HISTORY_UNIT_COLUMNS, [8, 28, 10, 10]);
  // Units not yet in the directory that year have nothing to compare: no row.
  for (const r of h.rows.filter((x) => x.outcome !== 'absent')) {
    addRow(units, [r.year, r.unitName, r.kindLabel, OUTCOME_LABELS[r.outcome], r.themes, r.approved, r.held, r.summariesComplete, r.links, bestRankLabel(r.bestRank)]);
  }
  const years = wb.addWorksheet(HISTORY_YEAR_SHEET);
  header(years, HISTORY_YEAR_COLUMNS, [8]);
  for (const t of h.totals) {
    addRow(years, [t.year, t.units, t.onTime, t.late, t.notSubmitted, t.units === 0 ? '—' : `${Math.round((t.onTime / t.units) * 1000) / 10}%`, t.themes, t.approved, t.held, t.summariesComplete, t.links, t.ranked]);
  }
  const out = await wb.xlsx.writeBuffer();
  return Buffer.from(out as ArrayBuffer);
}
