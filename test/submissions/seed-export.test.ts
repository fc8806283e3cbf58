// The demo seed and the export CLI on real databases: `demo seed` writes a 2023 campaign in
// every state and is idempotent; `export submissions` writes the XLSX (and the CSV).
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORY } from '../support/kit.ts';
import type { CliIo } from '../../src/cli/io.ts';
import { runCli } from '../../src/cli/run.ts';
import { ACTIVITY_FORM_KEYS } from '../../src/domain/campaign.ts';
import { PROVIDERS_UNDER_TEST, createTestDatabase, type TestDatabase } from '../support/db.ts';
import { progressSnapshot } from '../../src/usecases/submissions/progress.ts';

const NOW = new Date('2023-04-20T02:00:00Z');

function testIo(db: TestDatabase): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => out.push(t), stderr: (t) => err.push(t), now: () => NOW, openDb: async () => db };
}

// A sequential story: each test continues from the state the previous one left.
describe.each(PROVIDERS_UNDER_TEST)('demo seed and export CLI (%s)', STORY, (provider) => {
  let db: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await createTestDatabase(provider);
    dir = mkdtempSync(path.join(os.tmpdir(), 'themeday-sub-export-'));
  });
  afterAll(async () => {
    await db?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('seeds a realistic 2023 campaign in every state, once', async () => {
    const io = testIo(db);
    expect(await runCli(['demo', 'seed'], io)).toBe(0);
    expect(io.out[0]).toContain('已写入 2023 年演示申报：40 个单位，已提交 33（逾期 2，修改过 3），撤回 2，未提交 5');
    const c = db.client;
    const campaign = await c.campaign.findUniqueOrThrow({ where: { year: 2023 } });
    expect(campaign).toMatchObject({ noticeDate: '2023-03-23', deadline: '2023-04-07', status: 'collecting', contactName: '李成英' });
    const counts = async () => ({
      campaigns: await c.campaign.count(),
      submissions: await c.submission.count(),
      themes: await c.theme.count(),
      versions: await c.themeVersion.count(),
      revisions: await c.submissionRevision.count(),
      units: await c.unit.count(),
      liaisons: await c.liaison.count(),
    });
    const before = await counts();
    // states
    const subs = await c.submission.findMany({ where: { campaignId: campaign.id }, include: { revisions: true, themes: { where: { state: 'active' } } } });
    expect(subs.filter((s) => s.status === 'pending').length).toBe(5);
    expect(subs.filter((s) => s.status === 'withdrawn').length).toBe(2);
    expect(subs.filter((s) => s.late).every((s) => s.reopenedUntil === '2023-04-12')).toBe(true);
    expect(subs.find((s) => s.deadlineOverride === '2023-04-14')).toMatchObject({ status: 'submitted', late: false });
    expect(Math.max(...subs.map((s) => s.version))).toBe(3);
    expect(subs.some((s) => s.status === 'submitted' && s.revisions.some((r) => r.action === 'withdraw'))).toBe(true);
    const active = subs.flatMap((s) => s.themes);
    const forms = new Set(active.flatMap((t) => JSON.parse(t.forms) as string[]));
    expect([...forms].sort()).toEqual([...ACTIVITY_FORM_KEYS].sort());
    expect(active.every((t) => t.month >= 4 && t.month <= 12)).toBe(true);
    expect(new Set(subs.filter((s) => s.status === 'submitted').map((s) => s.themes.length))).toEqual(new Set([1, 2, 3, 4]));
    const snap = await progressSnapshot(c, campaign.id);
    expect([snap.submitted, snap.total, snap.late.length]).toEqual([33, 40, 2]);

    const again = testIo(db);
    expect(await runCli(['demo', 'seed'], again)).toBe(0);
    expect(again.out[0]).toContain('已存在，未重复写入');
    expect(await counts()).toEqual(before);
  });

  it('exports XLSX and CSV through the CLI', async () => {
    const io = testIo(db);
    const out = path.join(dir, 'sub', '申报表.csv');
    expect(await runCli(['export', 'submissions', '--year', '2023', '--out', out], io)).toBe(0);
    const xlsxPath = out.replace(/\.csv$/, '.xlsx');
    expect(existsSync(xlsxPath)).toBe(true);
    const csv = readFileSync(out);
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = csv.toString('utf8').slice(1).split('\r\n');
    expect(lines[0]).toBe('序号,填报单位,活动主题,活动时间（月份）,活动形式,活动简介,联系人,联系电话,提交时间,状态,主题领域');
    const themes = await db.client.theme.count({ where: { state: 'active' } });
    expect(lines.length).toBe(1 + themes + 7 + 1); // header, themes, 7 units without themes, trailing CRLF
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(xlsxPath);
    expect(wb.worksheets.length).toBe(1 + 33);
    expect(wb.worksheets[0]!.name).toBe('全县汇总');
    expect(wb.worksheets[1]!.getCell('A2').value).toBe('填报单位（公章）：星沙街道');

    const xOnly = testIo(db);
    expect(await runCli(['export', 'submissions', '--year', '2023', '--out', path.join(dir, 'only.xlsx')], xOnly)).toBe(0);
    expect(existsSync(path.join(dir, 'only.csv'))).toBe(false);
    expect(await runCli(['export', 'submissions', '--year', '2020', '--out', path.join(dir, 'x.xlsx')], testIo(db))).toBe(1);
    const bad = testIo(db);
    expect(await runCli(['export', 'submissions', '--year', 'abc', '--out', 'x.xlsx'], bad)).toBe(2);
    expect(bad.err[0]).toContain('--year 应为年份');
    expect(await runCli(['demo', 'seed', '--stage', 'nope'], testIo(db))).toBe(2);
  });
});
