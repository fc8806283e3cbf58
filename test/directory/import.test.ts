// Directory import end to end on real databases: through the `units import` command and the
// use-case, in every encoding a coordinator's spreadsheet may come in.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDirectoryFile } from '../../src/adapters/files/directory-reader.ts';
import { ROOT } from '../../src/adapters/db/schema/providers.ts';
import type { CliIo } from '../../src/cli/io.ts';
import { runCli } from '../../src/cli/run.ts';
import { findCommand } from '../../src/cli/commands/index.ts';
import { importDirectory } from '../../src/usecases/import-directory.ts';
import { PROVIDERS_UNDER_TEST, createEmptyDatabase, createTestDatabase, type TestDatabase } from '../support/db.ts';
import { GOOD_LIAISONS, GOOD_ROWS, GOOD_UNITS, encodeGbk, tmpFile, toCsv, toXlsx } from './fixtures.ts';

const NOW = new Date('2024-03-25T01:30:00Z');

function testIo(db: TestDatabase): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    now: () => NOW,
    openDb: async () => db,
  };
}

/** Everything the import writes, without generated ids and timestamps. */
async function snapshot(db: TestDatabase) {
  const units = await db.client.unit.findMany({ include: { liaisons: { orderBy: { name: 'asc' } } }, orderBy: { name: 'asc' } });
  return units.map((u) => ({
    name: u.name,
    kind: u.kind,
    sortOrder: u.sortOrder,
    leaderName: u.leaderName,
    leaderOpenId: u.leaderOpenId,
    active: u.active,
    liaisons: u.liaisons.map((l) => ({ id: l.id, name: l.name, phone: l.phone, openId: l.openId, role: l.role })),
  }));
}

const files = {
  'UTF-8 CSV': async () => tmpFile('名录.csv', toCsv(GOOD_ROWS)),
  'UTF-8 CSV with BOM': async () => tmpFile('名录.csv', `\ufeff${toCsv(GOOD_ROWS)}`),
  'GBK CSV (Excel on Chinese Windows)': async () => tmpFile('名录.csv', encodeGbk(toCsv(GOOD_ROWS))),
  XLSX: async () => tmpFile('名录.xlsx', await toXlsx(GOOD_ROWS)),
};

describe.each(PROVIDERS_UNDER_TEST)('directory import on %s', (provider) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(provider);
  });
  afterAll(async () => {
    await db?.destroy();
  });

  async function clear() {
    await db.client.liaison.deleteMany();
    await db.client.unit.deleteMany();
    await db.client.auditLog.deleteMany();
  }

  it.each(Object.entries(files))('imports a %s through `units import`, idempotently', async (_label, make) => {
    await clear();
    const file = await make();
    const io = testIo(db);
    expect(await runCli(['units', 'import', file], io)).toBe(0);
    expect(io.err).toEqual([]);
    expect(io.out.join('\n')).toBe([`导入完成：名录.${file.endsWith('xlsx') ? 'xlsx' : 'csv'}`, `  单位：新增 ${GOOD_UNITS}，更新 0，未变 0`, `  联系人：新增 ${GOOD_LIAISONS}，更新 0，未变 0`].join('\n'));

    const first = await snapshot(db);
    expect(first).toEqual([
      {
        name: '县发展和改革局',
        kind: 'department',
        sortOrder: 4,
        leaderName: null,
        leaderOpenId: null,
        active: true,
        liaisons: [
          { id: expect.any(String), name: '李娟, 副科长', phone: '0731-84870005', openId: 'ou_t_fagai_2', role: 'backup' },
          { id: expect.any(String), name: '王晨', phone: '13900001111', openId: 'ou_t_fagai_1', role: 'primary' },
        ],
      },
      {
        name: '县教育局',
        kind: 'department',
        sortOrder: 3,
        leaderName: '赵国强',
        leaderOpenId: null,
        active: true,
        liaisons: [{ id: expect.any(String), name: '刘芳', phone: '84870003', openId: null, role: 'primary' }],
      },
      {
        name: '星沙街道',
        kind: 'street',
        sortOrder: 1,
        leaderName: '刘建华',
        leaderOpenId: 'ou_t_xingsha_leader',
        active: true,
        liaisons: [
          { id: expect.any(String), name: '周晓燕', phone: '13812345678', openId: 'ou_t_xingsha_1', role: 'primary' },
          { id: expect.any(String), name: '陈浩', phone: '0731-84870001', openId: null, role: 'backup' },
        ],
      },
      {
        name: '黄兴镇',
        kind: 'town',
        sortOrder: 2,
        leaderName: null,
        leaderOpenId: null,
        active: true,
        liaisons: [{ id: expect.any(String), name: '曾雅琴', phone: '073184870002', openId: 'ou_t_huangxing_1', role: 'primary' }],
      },
    ]);

    const again = testIo(db);
    expect(await runCli(['units', 'import', file, '--operator', 'ou_coordinator'], again)).toBe(0);
    expect(again.out.join('\n')).toContain(`单位：新增 0，更新 0，未变 ${GOOD_UNITS}`);
    expect(again.out.join('\n')).toContain(`联系人：新增 0，更新 0，未变 ${GOOD_LIAISONS}`);
    expect(await snapshot(db)).toEqual(first);

    const audit = await db.client.auditLog.findMany({ orderBy: { at: 'asc' } });
    expect(audit.map((a) => [a.actorOpenId, a.action, a.entity])).toEqual([
      ['cli', 'directory.import', 'Unit'],
      ['ou_coordinator', 'directory.import', 'Unit'],
    ]);
    expect(audit[0]!.at).toEqual(NOW);
    expect(JSON.parse(audit[0]!.after!)).toMatchObject({ source: path.basename(file), units: GOOD_UNITS });
  });

  it('imports nothing when one row is bad, and names its line, column and reason', async () => {
    await clear();
    const rows = GOOD_ROWS.map((r) => [...r]);
    rows[3]![4] = '12345';
    const file = tmpFile('名录.csv', encodeGbk(toCsv(rows)));
    const io = testIo(db);
    expect(await runCli(['units', 'import', file], io)).toBe(1);
    expect(io.out).toEqual([]);
    expect(io.err.join('\n')).toBe(['导入失败：发现 1 处问题，未导入任何数据。请修改后重新导入。', '  第 6 行「联系电话」：“12345” 不是有效的手机号或固定电话'].join('\n'));
    expect(await db.client.unit.count()).toBe(0);
    expect(await db.client.liaison.count()).toBe(0);
    expect(await db.client.auditLog.count()).toBe(0);

    // The use-case returns every error as data.
    const result = await importDirectory(db.client, { table: await readDirectoryFile(file), actorOpenId: 'cli', now: NOW });
    expect(result).toEqual({ ok: false, errors: [{ line: 6, column: '联系电话', reason: '“12345” 不是有效的手机号或固定电话' }] });
  });

  it('a valid file on top of existing data updates what changed and keeps one primary per unit', async () => {
    await clear();
    const table = await readDirectoryFile(tmpFile('名录.csv', toCsv(GOOD_ROWS)));
    expect(await importDirectory(db.client, { table, actorOpenId: 'cli', now: NOW })).toMatchObject({ ok: true });
    const before = await snapshot(db);

    const changed = tmpFile(
      '名录2.csv',
      toCsv([
        // new phone for the primary; the old backup becomes primary
        ['星沙街道', '街道', '', '周晓燕', '13812340000', 'ou_t_xingsha_1', '备用联系人', '', ''],
        ['星沙街道', '街道', '', '陈浩', '0731-84870001', 'ou_t_xingsha_2', '主联系人', '', ''],
        // a new unit
        ['开慧镇', '镇', '9', '杨秀英', '0731-84870009', '', '', '', ''],
      ]),
    );
    const result = await importDirectory(db.client, { table: await readDirectoryFile(changed), actorOpenId: 'cli', now: NOW });
    expect(result).toEqual({
      ok: true,
      counts: { units: { created: 1, updated: 0, unchanged: 1 }, liaisons: { created: 1, updated: 2, unchanged: 0 } },
    });
    const after = await snapshot(db);
    const xingsha = after.find((u) => u.name === '星沙街道')!;
    // blank 排序 and 分管领导 keep the existing values; liaison ids survive (matched by open_id, then name)
    expect(xingsha).toMatchObject({ sortOrder: 1, leaderName: '刘建华' });
    expect(xingsha.liaisons).toEqual([
      { id: before.find((u) => u.name === '星沙街道')!.liaisons[0]!.id, name: '周晓燕', phone: '13812340000', openId: 'ou_t_xingsha_1', role: 'backup' },
      { id: before.find((u) => u.name === '星沙街道')!.liaisons[1]!.id, name: '陈浩', phone: '0731-84870001', openId: 'ou_t_xingsha_2', role: 'primary' },
    ]);
    // units absent from the file are left alone
    expect(after.filter((u) => u.name !== '星沙街道' && u.name !== '开慧镇')).toEqual(before.filter((u) => u.name !== '星沙街道'));
  });

  it('`units list` shows the directory grouped by kind with masked phones', async () => {
    await clear();
    expect(await runCli(['units', 'import', tmpFile('名录.csv', toCsv(GOOD_ROWS))], testIo(db))).toBe(0);
    const io = testIo(db);
    expect(await runCli(['units', 'list'], io)).toBe(0);
    const text = io.out.join('\n');
    expect(text).toContain('共 4 个单位');
    expect(text.indexOf('【街道】')).toBeLessThan(text.indexOf('【镇】'));
    expect(text.indexOf('【镇】')).toBeLessThan(text.indexOf('【县直部门】'));
    expect(text).toContain('星沙街道  主联系人 周晓燕 138****5678；备用联系人 陈浩 0731-****0001（未关联飞书）；分管领导 刘建华；未绑定工作群');
    expect(text).not.toContain('13812345678');
    const full = testIo(db);
    expect(await runCli(['units', 'list', '--phones'], full)).toBe(0);
    expect(full.out.join('\n')).toContain('13812345678');
  });
});

describe('the CLI', () => {
  it('picks the command with the longest matching name', () => {
    const cmd = (name: string) => ({ name, summary: '', usage: name, run: async () => 0 });
    const list = [cmd('export'), cmd('export submissions'), cmd('units import')];
    expect(findCommand(['export', 'submissions', '--year', '2024'], list)).toEqual({ command: list[1], args: ['--year', '2024'] });
    expect(findCommand(['export', 'schedule'], list)).toEqual({ command: list[0], args: ['schedule'] });
    expect(findCommand(['units'], list)).toBeUndefined();
  });

  it('matches the longest command name, prints usage errors and lists commands in Chinese', async () => {
    const db = await createTestDatabase('sqlite');
    try {
      const io = testIo(db);
      expect(await runCli(['help'], io)).toBe(0);
      expect(io.out.join('\n')).toMatch(/units import +导入单位名录/);
      expect(io.out.join('\n')).toMatch(/units list +列出单位名录/);
      const bad = testIo(db);
      expect(await runCli(['units', 'import'], bad)).toBe(2);
      expect(bad.err.join('\n')).toContain('用法：npm run cli -- units import');
      const unknown = testIo(db);
      expect(await runCli(['units', 'delete'], unknown)).toBe(2);
      expect(unknown.err.join('\n')).toContain('未知命令：units delete');
      const missing = testIo(db);
      expect(await runCli(['units', 'import', '/nonexistent/名录.csv'], missing)).toBe(1);
      expect(missing.err.join('\n')).toContain('无法读取文件');
    } finally {
      await db.destroy();
    }
  });

  it('runs as `npm run cli -- units import` against DATABASE_URL', { timeout: 180_000 }, async () => {
    const empty = await createEmptyDatabase('sqlite');
    try {
      const file = tmpFile('名录.csv', encodeGbk(toCsv(GOOD_ROWS)));
      const run = promisify(execFile);
      const env = { ...process.env, DATABASE_URL: empty.url };
      const { stdout } = await run('npm', ['run', '-s', 'cli', '--', 'units', 'import', file], { cwd: ROOT, env });
      expect(stdout).toContain(`单位：新增 ${GOOD_UNITS}`);
      const help = await run('npm', ['run', '-s', 'cli', '--', 'help'], { cwd: ROOT, env });
      expect(help.stdout).toContain('主题日助手 命令行工具');
      const failed = await run('npm', ['run', '-s', 'cli', '--', 'units', 'import', tmpFile('x.csv', '单位名称,单位类型,联系人,联系电话\n星沙街道,街道,张三,1\n')], { cwd: ROOT, env }).then(
        () => undefined,
        (e: { code: number; stderr: string }) => e,
      );
      expect(failed?.code).toBe(1);
      expect(failed?.stderr).toContain('第 2 行「联系电话」：“1” 不是有效的手机号或固定电话');
    } finally {
      await empty.drop();
    }
  });
});
