// 评选汇总表 (XLSX): ranking with every judge's weighted total, the dropped highest/lowest, the
// trimmed mean, rank and ties; the per-criterion detail; the rubric.
import type ExcelJS from 'exceljs';
import { loadExcel } from './excel.ts';
import type { EvaluationSheetData } from '../../ports/files.ts';
export type { EvaluationSheetData };

const r2 = (n: number) => Math.round(n * 100) / 100;

function styleHeader(row: ExcelJS.Row): void {
  row.font = { bold: true };
  row.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
  row.eachCell((c) => {
    c.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EEF7' } };
    c.border = { top: { style: 'thin' }, bottom: { style: 'thin' }, left: { style: 'thin' }, right: { style: 'thin' } };
  });
}

export async function writeEvaluationWorkbook(d: EvaluationSheetData): Promise<Buffer> {
  const wb = new (await loadExcel()).Workbook();
  wb.creator = '主题日助手';
  const ws = wb.addWorksheet('评选汇总表');
  const headers = ['名次', '并列', '单位', '活动主题', '月份', ...d.judges.map((j) => `${j.name}${j.unitName ? `（${j.unitName}）` : ''}`), '有效评委数', '去掉最高分', '去掉最低分', '最终得分', '获奖'];
  ws.mergeCells(1, 1, 1, headers.length);
  ws.getCell(1, 1).value = d.title;
  ws.getCell(1, 1).font = { bold: true, size: 14 };
  ws.getCell(1, 1).alignment = { horizontal: 'center' };
  ws.mergeCells(2, 1, 2, headers.length);
  ws.getCell(2, 1).value = `评委加权总分 = Σ 得分 ÷ 满分 × 权重（满分 100）；有效评委 ≥5 人时去掉一个最高分和一个最低分后取平均，否则取平均；最终得分保留两位小数，得分相同者名次并列。生成时间：${d.generatedAt}`;
  ws.getCell(2, 1).alignment = { wrapText: true };
  ws.getRow(2).height = 30;
  styleHeader(ws.addRow(headers));
  for (const row of d.rows) {
    ws.addRow([
      row.rank ?? '',
      row.tied ? '并列' : '',
      row.unitName,
      row.title,
      row.month,
      ...d.judges.map((j) => {
        const t = row.totals[j.openId];
        return t === 'conflict' ? '回避' : t === undefined ? '' : r2(t);
      }),
      row.count,
      row.droppedHigh !== undefined ? r2(row.droppedHigh) : '',
      row.droppedLow !== undefined ? r2(row.droppedLow) : '',
      row.final ?? '',
      row.winner ? '获奖' : '',
    ]);
  }
  ws.columns.forEach((c, i) => {
    c.width = i === 3 ? 40 : i === 2 ? 18 : 12;
  });
  ws.views = [{ state: 'frozen', ySplit: 3 }];

  const detail = wb.addWorksheet('评分明细');
  styleHeader(detail.addRow(['单位', '活动主题', '评委', '评委单位', ...d.criteria.map((c) => `${c.name}（满分${c.maxScore}，权重${c.weight}）`), '加权总分', '评语']));
  for (const row of d.rows) {
    for (const j of d.judges) {
      const t = row.totals[j.openId];
      if (t === 'conflict') {
        detail.addRow([row.unitName, row.title, j.name, j.unitName, ...d.criteria.map(() => ''), '回避（本单位）', '']);
        continue;
      }
      const s = row.scores[j.openId];
      if (!s) continue;
      detail.addRow([row.unitName, row.title, j.name, j.unitName, ...d.criteria.map((c) => s[c.key] ?? ''), t === undefined ? '未完成' : r2(t), row.comments[j.openId] ?? '']);
    }
  }
  detail.columns.forEach((c, i) => {
    c.width = i === 1 ? 36 : 14;
  });

  const rubric = wb.addWorksheet('评分标准');
  styleHeader(rubric.addRow(['评分标准', '权重', '满分', '说明']));
  for (const c of d.criteria) rubric.addRow([c.name, c.weight, c.maxScore, c.description]);
  rubric.columns.forEach((c, i) => {
    c.width = i === 3 ? 60 : 16;
  });

  const out = await wb.xlsx.writeBuffer();
  return Buffer.from(out as ArrayBuffer);
}
