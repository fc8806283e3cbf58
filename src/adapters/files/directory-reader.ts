// Reads a unit directory spreadsheet into raw rows with their line numbers: CSV (UTF-8 with or
// without BOM, UTF-16 "Unicode text", or GBK as Excel saves it on Chinese Windows) and XLSX
// (first sheet). The header row is found by its column names, so a title row above it is fine.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type ExcelJS from 'exceljs';
import { loadExcel } from './excel.ts';
import { matchDirectoryColumn, type DirectoryColumn, type DirectoryTable, type RawDirectoryRow } from '../../domain/directory.ts';

export class DirectoryFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DirectoryFileError';
  }
}

/** How far down the header row may be (title rows, notes above it). */
const HEADER_SEARCH_ROWS = 10;

export async function readDirectoryFile(file: string): Promise<DirectoryTable> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new DirectoryFileError(`无法读取文件 ${file}：${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const ext = path.extname(file).toLowerCase();
  if (ext === '.xlsx') return readDirectoryXlsx(bytes);
  if (ext === '.csv' || ext === '.txt') return readDirectoryCsv(bytes);
  if (ext === '.xls') throw new DirectoryFileError('不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 CSV 后再导入');
  throw new DirectoryFileError(`不支持的文件类型“${ext || '（无扩展名）'}”：请使用 .xlsx 或 .csv`);
}

/** Bytes → text: BOMs first, then strict UTF-8, and GBK when the bytes are not valid UTF-8. */
export function decodeText(bytes: Uint8Array): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return new TextDecoder('utf-8').decode(bytes.subarray(3));
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Excel on Chinese Windows saves "CSV" in the ANSI code page, i.e. GBK.
    return new TextDecoder('gbk').decode(bytes);
  }
}

export interface CsvRecord {
  /** line on which the record starts (1-based) */
  line: number;
  fields: string[];
}

/** RFC 4180: quoted fields may hold delimiters, "" and line breaks; CRLF, LF and CR all end a record. */
export function parseCsv(text: string, delimiter = ','): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  let i = 0;
  const endRecord = () => {
    fields.push(field);
    records.push({ line: start, fields });
    fields = [];
    field = '';
  };
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) line++;
        field += c;
      }
      i++;
      continue;
    }
    if (c === '"' && field === '') {
      quoted = true;
    } else if (c === delimiter) {
      fields.push(field);
      field = '';
    } else if (c === '\r' || c === '\n') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      start = line;
    } else {
      field += c;
    }
    i++;
  }
  if (quoted) throw new DirectoryFileError(`第 ${start} 行：引号未闭合，请检查 CSV 文件`);
  if (field !== '' || fields.length > 0) endRecord();
  return records;
}

export function readDirectoryCsv(bytes: Uint8Array): DirectoryTable {
  const text = decodeText(bytes);
  const firstLine = text.slice(0, text.search(/\r|\n|$/));
  // "Unicode text" exports from Excel are tab-separated.
  const delimiter = !firstLine.includes(',') && firstLine.includes('\t') ? '\t' : ',';
  return toTable(parseCsv(text, delimiter));
}

export async function readDirectoryXlsx(bytes: Uint8Array): Promise<DirectoryTable> {
  const workbook = new (await loadExcel()).Workbook();
  try {
    await workbook.xlsx.load(Buffer.from(bytes) as unknown as ExcelJS.Buffer);
  } catch (error) {
    throw new DirectoryFileError(`无法解析 Excel 文件：${(error as Error).message}`);
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) throw new DirectoryFileError('Excel 文件中没有工作表');
  const records: CsvRecord[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const fields: string[] = [];
    row.eachCell({ includeEmpty: true }, (c, col) => {
      fields[col - 1] = cellText(c.value);
    });
    records.push({ line: rowNumber, fields: Array.from(fields, (f) => f ?? '') });
  });
  return toTable(records);
}

/** A cell's value as the person sees it; phone numbers typed as numbers come back without exponent. */
function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isInteger(value) ? value.toFixed(0) : String(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if ('richText' in value) return value.richText.map((r) => r.text).join('');
  if ('formula' in value || 'sharedFormula' in value) return 'result' in value && value.result !== undefined ? cellText(value.result as ExcelJS.CellValue) : '';
  if ('text' in value && typeof value.text === 'string') return value.text;
  if ('error' in value) return '';
  return '';
}

function toTable(records: CsvRecord[]): DirectoryTable {
  const headerIndex = records.slice(0, HEADER_SEARCH_ROWS).findIndex((r) => r.fields.some((f) => matchDirectoryColumn(f) === '单位名称'));
  if (headerIndex < 0) {
    throw new DirectoryFileError('未找到表头：文件前几行中应有一行包含「单位名称」「单位类型」「联系人」「联系电话」等列名');
  }
  const header = records[headerIndex]!;
  const byIndex = new Map<number, DirectoryColumn>();
  const columns: DirectoryColumn[] = [];
  header.fields.forEach((f, index) => {
    const column = matchDirectoryColumn(f);
    if (!column) return;
    if (columns.includes(column)) throw new DirectoryFileError(`第 ${header.line} 行：表头中「${column}」出现了两次`);
    byIndex.set(index, column);
    columns.push(column);
  });
  const rows: RawDirectoryRow[] = [];
  for (const record of records.slice(headerIndex + 1)) {
    if (record.fields.every((f) => f.trim() === '')) continue;
    const cells: RawDirectoryRow['cells'] = {};
    for (const [index, column] of byIndex) cells[column] = record.fields[index] ?? '';
    rows.push({ line: record.line, cells });
  }
  return { headerLine: header.line, columns, rows };
}
