// The 计划安排表 as an Excel workbook, in the county's layout: a title row, the publication line,
// a header, then the activities grouped by month (a "5月（N项）" row before each month).
import type ExcelJS from 'exceljs';
import { loadExcel } from './excel.ts';
import { formLabel } from '../../domain/campaign.ts';
import { describeChange, groupByMonth } from '../../domain/schedule.ts';
import type { ScheduleXlsxInput } from '../../ports/files.ts';
export type { ScheduleXlsxInput };

export const SCHEDULE_COLUMNS = ['序号', '活动月份', '单位', '活动主题', '活动形式', '联系人', '联系电话'] as const;

/** Row numbers: 1 title, 2 subtitle, 3 header, then month headings and activities. */
export async function writeScheduleXlsx(input: ScheduleXlsxInput): Promise<Buffer> {
  const wb = new (await loadExcel()).Workbook();
  wb.creator = '主题日助手';
  const ws = wb.addWorksheet('计划安排表', { pageSetup: { orientation: 'landscape', paperSize: 9, fitToPage: true, fitToWidth: 1, fitToHeight: 0 } });
  ws.columns = [{ width: 6 }, { width: 10 }, { width: 22 }, { width: 42 }, { width: 22 }, { width: 10 }, { width: 16 }];
  const border: Partial<ExcelJS.Borders> = { top: { style: 'thin' }, left: { style: 'thin' }, bottom: { style: 'thin' }, right: { style: 'thin' } };

  ws.mergeCells(1, 1, 1, SCHEDULE_COLUMNS.length);
  const title = ws.getCell(1, 1);
  title.value = input.title;
  title.font = { name: '方正小标宋简体', size: 18, bold: true };
  title.alignment = { horizontal: 'center', vertical: 'middle' };
  ws.getRow(1).height = 36;

  ws.mergeCells(2, 1, 2, SCHEDULE_COLUMNS.length);
  const sub = ws.getCell(2, 1);
  sub.value = input.subtitle;
  sub.alignment = { horizontal: 'right' };
  sub.font = { size: 11 };

  const header = ws.getRow(3);
  SCHEDULE_COLUMNS.forEach((h, i) => {
    const c = header.getCell(i + 1);
    c.value = h;
    c.font = { bold: true };
    c.alignment = { horizontal: 'center', vertical: 'middle' };
    c.border = border;
    c.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9E1F2' } };
  });
  ws.views = [{ state: 'frozen', ySplit: 3 }];

  let r = 4;
  let n = 0;
  for (const g of groupByMonth(input.rows)) {
    ws.mergeCells(r, 1, r, SCHEDULE_COLUMNS.length);
    const m = ws.getCell(r, 1);
    m.value = `${g.month}月（${g.rows.length}项）`;
    m.font = { bold: true };
    m.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFF2F2F2' } };
    m.border = border;
    r++;
    for (const row of g.rows) {
      n++;
      const values = [n, `${row.month}月`, row.unitName, row.title, row.forms.map(formLabel).join('、'), row.contactName, row.contactPhone];
      const xr = ws.getRow(r);
      values.forEach((v, i) => {
        const c = xr.getCell(i + 1);
        c.value = v;
        c.border = border;
        c.alignment = { vertical: 'middle', wrapText: true, horizontal: i <= 1 ? 'center' : 'left' };
      });
      r++;
    }
  }

  if (input.changes && input.changes.length > 0) {
    const cs = wb.addWorksheet('本版变更');
    cs.columns = [{ header: '变更', width: 80 }];
    for (const c of input.changes) cs.addRow([describeChange(c)]);
  }
  const data = await wb.xlsx.writeBuffer();
  return Buffer.from(data as ArrayBuffer);
}
