import { describe, expect, it } from 'vitest';
import { formatDirectoryError, matchDirectoryColumn, parseDirectory, type DirectoryColumn, type DirectoryTable } from '../../src/domain/directory.ts';
import { HEADER } from './fixtures.ts';

function table(rows: string[][], firstLine = 2): DirectoryTable {
  return {
    headerLine: firstLine - 1,
    columns: HEADER as DirectoryColumn[],
    rows: rows.map((r, i) => ({ line: firstLine + i, cells: Object.fromEntries(HEADER.map((h, j) => [h, r[j] ?? ''])) })),
  };
}

function messages(rows: string[][]): string[] {
  const result = parseDirectory(table(rows));
  if (result.ok) throw new Error('expected errors');
  return result.errors.map(formatDirectoryError);
}

describe('directory rows', () => {
  it('parses units with their liaisons, kinds, roles and leaders', () => {
    const result = parseDirectory(
      table([
        ['星沙街道', '街道', '1', '周晓燕', '13812345678', 'ou_a', '主联系人', '刘建华', 'ou_l'],
        ['星沙街道', '街道', '', '陈浩', '0731-84870001', '', '备用联系人', '', ''],
        ['黄兴镇', '镇', '', '曾雅琴', '84870002', '', '', '', ''],
        ['县教育局', '县直部门', '3', '刘芳', '+86 139 0000 1111', '', '主联系人', '', ''],
      ]),
    );
    expect(result).toEqual({
      ok: true,
      units: [
        {
          line: 2,
          name: '星沙街道',
          kind: 'street',
          sortOrder: 1,
          leaderName: '刘建华',
          leaderOpenId: 'ou_l',
          liaisons: [
            { line: 2, name: '周晓燕', phone: '13812345678', openId: 'ou_a', role: 'primary' },
            { line: 3, name: '陈浩', phone: '0731-84870001', openId: null, role: 'backup' },
          ],
        },
        { line: 4, name: '黄兴镇', kind: 'town', sortOrder: null, leaderName: null, leaderOpenId: null, liaisons: [{ line: 4, name: '曾雅琴', phone: '84870002', openId: null, role: 'primary' }] },
        { line: 5, name: '县教育局', kind: 'department', sortOrder: 3, leaderName: null, leaderOpenId: null, liaisons: [{ line: 5, name: '刘芳', phone: '13900001111', openId: null, role: 'primary' }] },
      ],
    });
  });

  it('names line, column and reason for every bad cell, in Chinese', () => {
    expect(
      messages([
        ['星沙街道', '街道', '1', '周晓燕', '13812345678', '', '', '', ''],
        ['', '乡', 'x', '', '12345', 'u_1', '组长', '', 'abc'],
        ['长'.repeat(41), '镇', '', '张三', '13812345678', '', '', '', ''],
      ]),
    ).toEqual([
      '第 3 行「单位名称」：不能为空',
      '第 3 行「单位类型」：“乡” 不是有效的单位类型（应为 镇、街道 或 县直部门）',
      '第 3 行「排序」：“x” 不是 0–9999 的整数',
      '第 3 行「联系人」：不能为空',
      '第 3 行「联系电话」：“12345” 不是有效的手机号或固定电话',
      '第 3 行「飞书open_id」：“u_1” 不是有效的飞书 open_id（应以 ou_ 开头）',
      '第 3 行「角色」：“组长” 不是有效的角色（应为 主联系人 或 备用联系人）',
      '第 3 行「分管领导open_id」：“abc” 不是有效的飞书 open_id（应以 ou_ 开头）',
      `第 4 行「单位名称」：“${'长'.repeat(41)}” 超过 40 个字`,
    ]);
  });

  it('checks the rules across a unit’s rows', () => {
    expect(
      messages([
        ['星沙街道', '街道', '1', '周晓燕', '13812345678', 'ou_a', '', '刘建华', ''],
        ['星沙街道', '镇', '2', '陈浩', '13812345679', '', '备用联系人', '张卫东', ''],
        ['星沙街道', '街道', '', '王五', '13812345670', '', '主联系人', '', ''],
        ['星沙街道', '街道', '', '周晓燕', '13812345671', '', '备用联系人', '', ''],
        ['星沙街道', '街道', '', '赵六', '13812345672', 'ou_a', '备用联系人', '', ''],
        ['黄兴镇', '镇', '', '曾雅琴', '84870002', '', '备用联系人', '', ''],
      ]),
    ).toEqual([
      '第 3 行「单位类型」：“镇” 与第 2 行的“街道”不一致（同一单位各行必须相同）',
      '第 3 行「排序」：“2” 与第 2 行的“1”不一致（同一单位各行必须相同）',
      '第 3 行「分管领导」：“张卫东” 与第 2 行的“刘建华”不一致（同一单位各行必须相同）',
      '第 4 行「角色」：单位“星沙街道”已在第 2 行指定主联系人，每个单位只能有一名主联系人',
      '第 5 行「联系人」：“周晓燕” 与第 2 行重复（同一单位的同一联系人只能出现一次）',
      '第 6 行「飞书open_id」：“ou_a” 与第 2 行重复（同一单位的同一联系人只能出现一次）',
      '第 7 行「角色」：单位“黄兴镇”没有主联系人（至少一行的角色应为“主联系人”）',
    ]);
  });

  it('reports missing columns and an empty table at the header line', () => {
    expect(parseDirectory({ headerLine: 3, columns: ['单位名称', '联系人'], rows: [] })).toEqual({
      ok: false,
      errors: [
        { line: 3, column: '单位类型', reason: '表头缺少此列' },
        { line: 3, column: '联系电话', reason: '表头缺少此列' },
      ],
    });
    expect(parseDirectory({ headerLine: 1, columns: HEADER as DirectoryColumn[], rows: [] })).toEqual({
      ok: false,
      errors: [{ line: 1, column: null, reason: '表头下没有任何数据行' }],
    });
  });

  it('matches header variants', () => {
    expect(matchDirectoryColumn(' 飞书 OpenID ')).toBe('飞书open_id');
    expect(matchDirectoryColumn('分管领导 open_id')).toBe('分管领导open_id');
    expect(matchDirectoryColumn('*单位名称')).toBe('单位名称');
    expect(matchDirectoryColumn('备注')).toBeUndefined();
  });
});
