// The 申报表 as files: XLSX in the layout of the plan's attachment (one county sheet with a
// 填报单位 column, one sheet per submitted unit) and a CSV of the county sheet that opens in
// Excel and WPS (UTF-8 with BOM, CRLF, RFC 4180 quoting). Both are safe against formula
// injection: XLSX cells are written as text, CSV cells starting with = + - @ tab or CR get a
// leading apostrophe.
import type ExcelJS from 'exceljs';
import { loadExcel } from './excel.ts';
import type { SubmissionExport, SubmissionExportTheme, SubmissionExportUnit } from '../../ports/files.ts';
export type { SubmissionExport, SubmissionExportTheme, SubmissionExportUnit };

// The plan's columns first, in its order; 主题领域 (issue 10) is appended so the layout stays the plan's.
export const UNIT_SHEET_COLUMNS = ['序号', '活动主题', '活动时间（月份）', '活动形式', '活动简介', '主题领域'] as const;
export const COUNTY_SHEET_COLUMNS = ['序号', '填报单位', '活动主题', '活动时间（月份）', '活动形式', '活动简介', '联系人', '联系电话', '提交时间', '状态', '主题领域'] as const;
export const COUNTY_SHEET_NAME = '全县汇总';

// Formula starters, their full-width forms (WPS and Excel with a CJK IME accept ＝ as =), and any
// leading whitespace or line break (spreadsheets skip it before looking for a formula).
const RISKY = /^[=+\-@\uFF1D\uFF0B\uFF0D\uFF20\s\u3000\u00A0\uFEFF]/;

/** For CSV (and any text a spreadsheet may parse): a risky first character is neutralised. */
export function guardCell(text: string): string {
  return RISKY.test(text) ? `'${text}` : text;
}

function monthText(m: number): string {
  return `${m}月`;
}

/** The county table as rows of cell text (also the CSV content). */
export function countyRows(data: SubmissionExport): string[][] {
  const rows: string[][] = [];
  let n = 0;
  for (const u of data.units) {
    if (u.submitted && u.themes.length > 0) {
      for (const t of u.themes) {
        n++;
        rows.push([String(n), u.unitName, t.title, monthText(t.month), t.forms.join('、'), t.intro, u.contactName, u.contactPhone, u.submittedAtText, u.statusLabel, (t.domains ?? []).join('、')]);
      }
    } else {
      rows.push(['', u.unitName, '', '', '', '', u.contactName, u.contactPhone, u.submittedAtText, u.statusLabel, '']);
    }
  }
  return rows;
}

/** Sheet names: ≤31 characters, none of []:*?/\ and unique. */
export function sheetName(name: string, used: Set<string>): string {
  const base = name.replace(/[[\]:*?/\\]/g, '_').slice(0, 31) || 'Sheet';
  let candidate = base;
  for (let i = 2; used.has(candidate); i++) candidate = `${base.slice(0, 28)}(${i})`;
  used.add(candidate);
  return candidate;
}

const THIN = { style: 'thin' as const };
const BORDER = { top: THIN, left: THIN, bottom: THIN, right: THIN };

function textCell(cell: ExcelJS.Cell, value: string): void {
  // A plain string value is written as a shared string: never evaluated as a formula.
  cell.value = value;
  cell.numFmt = '@';
}

function styleHeader(row: ExcelJS.Row): void {
  row.font = { bold: true, name: '宋体', size: 11 };
  row.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
  row.eachCell((c) => {
    c.border = BORDER;
    c.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFF2F2F2' } };
  });
}

function titleRow(ws: ExcelJS.Worksheet, title: string, span: number): void {
  ws.mergeCells(1, 1, 1, span);
  const c = ws.getCell(1, 1);
  textCell(c, title);
  c.font = { bold: true, name: '方正小标宋简体', size: 16 };
  c.alignment = { horizontal: 'center', vertical: 'middle' };
  ws.getRow(1).height = 36;
}

export async function buildSubmissionsXlsx(data: SubmissionExport): Promise<Buffer> {
  const wb = new (await loadExcel()).Workbook();
  wb.creator = '主题日助手';
  const used = new Set<string>();

  const county = wb.addWorksheet(sheetName(COUNTY_SHEET_NAME, used), { pageSetup: { orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 } });
  titleRow(county, data.title, COUNTY_SHEET_COLUMNS.length);
  county.mergeCells(2, 1, 2, COUNTY_SHEET_COLUMNS.length);
  const submitted = data.units.filter((u) => u.submitted);
  textCell(county.getCell(2, 1), `已提交 ${submitted.length}/${data.units.length} 个单位，共 ${submitted.reduce((a, u) => a + u.themes.length, 0)} 个主题\u3000导出时间：${data.exportedAtText}`);
  const head = county.getRow(3);
  COUNTY_SHEET_COLUMNS.forEach((h, i) => textCell(head.getCell(i + 1), h));
  styleHeader(head);
  countyRows(data).forEach((cells, r) => {
    const row = county.getRow(4 + r);
    cells.forEach((v, i) => {
      const cell = row.getCell(i + 1);
      textCell(cell, v);
      cell.border = BORDER;
      cell.alignment = { vertical: 'top', wrapText: true, horizontal: i === 0 || i === 3 ? 'center' : 'left' };
    });
  });
  [6, 22, 30, 12, 18, 60, 10, 16, 18, 10, 18].forEach((w, i) => (county.getColumn(i + 1).width = w));
  county.views = [{ state: 'frozen', ySplit: 3 }];

  for (const u of submitted) {
    const ws = wb.addWorksheet(sheetName(u.unitName, used), { pageSetup: { orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 } });
    titleRow(ws, data.title, UNIT_SHEET_COLUMNS.length);
    const lines: [string, string][] = [
      ['填报单位（公章）：', u.unitName],
      ['联系人：', u.contactName],
      ['联系电话：', u.contactPhone],
    ];
    lines.forEach(([label, value], i) => {
      ws.mergeCells(2 + i, 1, 2 + i, UNIT_SHEET_COLUMNS.length);
      textCell(ws.getCell(2 + i, 1), `${label}${value}`);
      ws.getCell(2 + i, 1).font = { name: '宋体', size: 12 };
    });
    const h = ws.getRow(5);
    UNIT_SHEET_COLUMNS.forEach((t, i) => textCell(h.getCell(i + 1), t));
    styleHeader(h);
    u.themes.forEach((t, r) => {
      const row = ws.getRow(6 + r);
      [String(t.seq), t.title, monthText(t.month), t.forms.join('、'), t.intro, (t.domains ?? []).join('、')].forEach((v, i) => {
        const cell = row.getCell(i + 1);
        textCell(cell, v);
        cell.border = BORDER;
        cell.alignment = { vertical: 'top', wrapText: true, horizontal: i === 0 || i === 2 ? 'center' : 'left' };
      });
    });
    [8, 30, 16, 22, 70, 18].forEach((w, i) => (ws.getColumn(i + 1).width = w));
  }
  const out = await wb.xlsx.writeBuffer();
  return Buffer.from(out as ArrayBuffer);
}

function csvField(value: string): string {
  const v = guardCell(value);
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** The county table as CSV: UTF-8 with BOM (Excel/WPS read Chinese correctly), CRLF line ends. */
export function buildSubmissionsCsv(data: SubmissionExport): Buffer {
  const lines = [[...COUNTY_SHEET_COLUMNS], ...countyRows(data)].map((cells) => cells.map(csvField).join(','));
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(lines.join('\r\n') + '\r\n', 'utf8')]);
}
