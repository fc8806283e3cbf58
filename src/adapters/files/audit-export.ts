// The audit trail as a file for inspectors: XLSX (exceljs' streaming writer) or CSV (UTF-8 with
// BOM, CRLF), written row by row so six months of records never sit in memory at once.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import ExcelJS from 'exceljs';
import { guardCell } from './submissions-export.ts';
import { shanghaiDateTime } from '../../domain/time.ts';
import type { AuditRecord } from '../../app/audit.ts';

export const AUDIT_COLUMNS = ['时间（北京时间）', '操作人', '操作', '对象', '对象编号', '结果', '原因', '变更前', '变更后', '事件编号'] as const;

function cells(r: AuditRecord): string[] {
  return [shanghaiDateTime(r.at), r.actorOpenId, r.action, r.entity, r.entityId ?? '', r.decision === 'deny' ? '拒绝' : '允许', r.reason ?? '', r.before ?? '', r.after ?? '', r.eventId ?? ''];
}

function csvField(value: string): string {
  const v = guardCell(value);
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** The same CSV in memory (the desk's download of a filtered page: UTF-8 BOM, CRLF). */
export function auditCsvText(rows: readonly AuditRecord[]): string {
  return '\ufeff' + [AUDIT_COLUMNS.map(csvField).join(','), ...rows.map((r) => cells(r).map(csvField).join(','))].join('\r\n') + '\r\n';
}

/** Writes the rows; returns how many were written. */
export async function writeAuditCsv(rows: AsyncIterable<AuditRecord>, file: string): Promise<number> {
  const out = createWriteStream(file);
  const write = async (text: string | Buffer) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  let n = 0;
  await write(Buffer.from([0xef, 0xbb, 0xbf]));
  await write(AUDIT_COLUMNS.map(csvField).join(',') + '\r\n');
  for await (const r of rows) {
    await write(cells(r).map(csvField).join(',') + '\r\n');
    n++;
  }
  out.end();
  await once(out, 'finish');
  return n;
}

export async function writeAuditXlsx(rows: AsyncIterable<AuditRecord>, file: string, title: string): Promise<number> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: false, useStyles: true });
  const ws = wb.addWorksheet('审计记录', { views: [{ state: 'frozen', ySplit: 2 }] });
  ws.columns = [22, 28, 26, 16, 28, 8, 30, 40, 40, 30].map((width) => ({ width }));
  const head = ws.addRow([title]);
  head.font = { bold: true, size: 13 };
  head.commit();
  const header = ws.addRow([...AUDIT_COLUMNS]);
  header.font = { bold: true };
  header.commit();
  let n = 0;
  for await (const r of rows) {
    // Inline strings, never formulas: a value starting with = stays text.
    const row = ws.addRow(cells(r).map(guardCell));
    row.commit();
    n++;
  }
  ws.commit();
  await wb.commit();
  return n;
}
