// Directory files for the tests, built in code: the same rows as UTF-8, UTF-8 with BOM, GBK
// (as Excel on Chinese Windows saves CSV) and XLSX.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';

export const HEADER = ['单位名称', '单位类型', '排序', '联系人', '联系电话', '飞书open_id', '角色', '分管领导', '分管领导open_id'];

export const GOOD_ROWS: string[][] = [
  ['星沙街道', '街道', '1', '周晓燕', '13812345678', 'ou_t_xingsha_1', '主联系人', '刘建华', 'ou_t_xingsha_leader'],
  ['星沙街道', '街道', '', '陈浩', '0731-84870001', '', '备用联系人', '', ''],
  ['黄兴镇', '镇', '2', '曾雅琴', '0731 8487 0002', 'ou_t_huangxing_1', '', '', ''],
  ['县教育局', '县直部门', '3', '刘芳', '84870003', '', '主联系人', '赵国强', ''],
  ['县发展和改革局', '县直部门', '4', '王晨', '+86 139 0000 1111', 'ou_t_fagai_1', '主联系人', '', ''],
  ['县发展和改革局', '县直部门', '', '李娟, 副科长', '0731-84870005', 'ou_t_fagai_2', '备用联系人', '', ''],
];
export const GOOD_UNITS = 4;
export const GOOD_LIAISONS = 6;

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function toCsv(rows: string[][], { title = true } = {}): string {
  const lines = [...(title ? ['长沙县政务公开主题日联络员名录（2024）'] : []), HEADER.join(','), ...rows.map((r) => r.map(csvField).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

let gbkTable: Map<string, number[]> | undefined;

/** GBK bytes for a string, from the reverse of the platform's GBK decoder (no extra package). */
export function encodeGbk(text: string): Uint8Array {
  if (!gbkTable) {
    gbkTable = new Map();
    const decoder = new TextDecoder('gbk');
    for (let lead = 0x81; lead <= 0xfe; lead++) {
      for (let trail = 0x40; trail <= 0xfe; trail++) {
        if (trail === 0x7f) continue;
        const ch = decoder.decode(new Uint8Array([lead, trail]));
        if (ch.length === 1 && ch !== '\ufffd' && !gbkTable.has(ch)) gbkTable.set(ch, [lead, trail]);
      }
    }
  }
  const out: number[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code < 0x80) out.push(code);
    else {
      const bytes = gbkTable.get(ch);
      if (!bytes) throw new Error(`not in GBK: ${ch}`);
      out.push(...bytes);
    }
  }
  return new Uint8Array(out);
}

/** An .xlsx as a person would make it: a title row, phones typed as numbers, a rich-text cell. */
export async function toXlsx(rows: string[][]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('联络员名录');
  sheet.addRow(['长沙县政务公开主题日联络员名录（2024）']);
  sheet.addRow(HEADER);
  for (const row of rows) {
    sheet.addRow(
      row.map((cell, i) => {
        if (i === 4 && /^1\d{10}$/.test(cell)) return Number(cell);
        if (i === 2 && /^\d+$/.test(cell)) return Number(cell);
        if (i === 0 && cell === '黄兴镇') return { richText: [{ text: '黄兴' }, { text: '镇', font: { bold: true } }] };
        return cell === '' ? null : cell;
      }),
    );
  }
  // A second sheet the reader must ignore.
  workbook.addWorksheet('说明').addRow(['单位名称', '只读第一个工作表']);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

export function tmpFile(name: string, content: string | Uint8Array): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'themeday-dir-'));
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}
