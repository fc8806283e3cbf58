import { describe, expect, it } from 'vitest';
import { DirectoryFileError, decodeText, parseCsv, readDirectoryCsv, readDirectoryFile, readDirectoryXlsx } from '../../src/adapters/files/directory-reader.ts';
import { GOOD_ROWS, encodeGbk, tmpFile, toCsv, toXlsx } from './fixtures.ts';

const utf8 = (s: string) => new TextEncoder().encode(s);

describe('CSV', () => {
  it('follows RFC 4180 quoting and tracks the line each record starts on', () => {
    expect(() => parseCsv('a,"open')).toThrow(DirectoryFileError);
    expect(parseCsv('a,"b, c","say ""hi"""\r\n"multi\nline",x,\n\nlast')).toEqual([
      { line: 1, fields: ['a', 'b, c', 'say "hi"'] },
      { line: 2, fields: ['multi\nline', 'x', ''] },
      { line: 4, fields: [''] },
      { line: 5, fields: ['last'] },
    ]);
  });

  it('decodes UTF-8, UTF-8 with BOM, UTF-16 and GBK', () => {
    const text = '单位名称,联系人\n星沙街道,周晓燕\n';
    expect(decodeText(utf8(text))).toBe(text);
    expect(decodeText(new Uint8Array([0xef, 0xbb, 0xbf, ...utf8(text)]))).toBe(text);
    expect(decodeText(encodeGbk(text))).toBe(text);
    const utf16 = Buffer.from(`\ufeff${text}`, 'utf16le');
    expect(decodeText(utf16)).toBe(text);
  });

  it('finds the header under a title row and maps columns by name', () => {
    const table = readDirectoryCsv(encodeGbk(toCsv(GOOD_ROWS)));
    expect(table.headerLine).toBe(2);
    expect(table.rows).toHaveLength(GOOD_ROWS.length);
    expect(table.rows[0]).toEqual({
      line: 3,
      cells: { 单位名称: '星沙街道', 单位类型: '街道', 排序: '1', 联系人: '周晓燕', 联系电话: '13812345678', 飞书open_id: 'ou_t_xingsha_1', 角色: '主联系人', 分管领导: '刘建华', 分管领导open_id: 'ou_t_xingsha_leader' },
    });
    expect(table.rows[5]!.cells.联系人).toBe('李娟, 副科长');
  });

  it('accepts columns in any order and tab-separated exports', () => {
    const table = readDirectoryCsv(utf8('联系电话\t联系人\t单位类型\t单位名称\t备注\n13812345678\t张三\t镇\t黄兴镇\t随便\n'));
    expect(table.columns).toEqual(['联系电话', '联系人', '单位类型', '单位名称']);
    expect(table.rows).toEqual([{ line: 2, cells: { 联系电话: '13812345678', 联系人: '张三', 单位类型: '镇', 单位名称: '黄兴镇' } }]);
  });

  it('refuses a file without a header', () => {
    expect(() => readDirectoryCsv(utf8('a,b,c\n1,2,3\n'))).toThrow(/未找到表头/);
  });
});

describe('XLSX', () => {
  it('reads the first sheet: title row, numbers, rich text, row numbers as lines', async () => {
    const table = await readDirectoryXlsx(await toXlsx(GOOD_ROWS));
    expect(table.headerLine).toBe(2);
    expect(table.rows.map((r) => r.line)).toEqual([3, 4, 5, 6, 7, 8]);
    expect(table.rows[0]!.cells.联系电话).toBe('13812345678');
    expect(table.rows[0]!.cells.排序).toBe('1');
    expect(table.rows[2]!.cells.单位名称).toBe('黄兴镇');
    expect(table.rows[1]!.cells.飞书open_id).toBe('');
  });

  it('names unsupported and unreadable files', async () => {
    await expect(readDirectoryFile(tmpFile('名录.xls', 'x'))).rejects.toThrow(/另存为 \.xlsx/);
    await expect(readDirectoryFile(tmpFile('名录.xlsx', 'not a zip'))).rejects.toThrow(/无法解析 Excel 文件/);
    await expect(readDirectoryFile('/nonexistent/名录.csv')).rejects.toThrow(/无法读取文件/);
  });
});
