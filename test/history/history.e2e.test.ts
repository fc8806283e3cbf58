// 年度对比 end to end on both databases: two campaign years (2023 held and evaluated by the demo
// seed, 2024 written here with known outcomes), the coordinator's card read back figure by figure,
// a liaison refused, and `export history` read back from the XLSX.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, PROVIDERS_UNDER_TEST } from '../support/db.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { FakeClock } from '../../src/ports/clock.ts';
import { atShanghai } from '../../src/domain/time.ts';
import { unitKindLabel } from '../../src/domain/campaign.ts';
import { seedEvaluatedStage } from '../../src/usecases/demo/seed-evaluated.ts';
import { computeResults } from '../../src/usecases/evaluation/results.ts';
import { exportHistory } from '../../src/cli/commands/export-history.ts';
import { HISTORY_UNIT_COLUMNS, HISTORY_UNIT_SHEET, HISTORY_YEAR_SHEET } from '../../src/adapters/files/history-xlsx.ts';
import { chartsIn } from '../../cards/chart.ts';
import type { CliIo } from '../../src/cli/io.ts';
import { expectValidCard, lastBot, lastBotCard, seedScheduled2023, waitFor } from '../summaries/support.ts';

type Row = Record<string, string>;
type Values = Record<string, unknown>[];

/**
 * 2024, by directory index: 0–9 on time with two approved themes (政策发布; 实地调研 + 座谈交流),
 * 10–14 late with one theme still pending review (问卷调查), 15–19 never submitted, 20–24 withdrawn.
 * Unit 0's first activity is held with a complete summary and four links.
 */
async function seed2024(h: Harness): Promise<void> {
  const db = h.db;
  const campaign = await db.campaign.create({
    data: {
      year: 2024,
      title: '长沙县2024年“政务公开主题日”活动',
      status: 'scheduled',
      noticeDate: '2024-03-22',
      deadline: '2024-04-08',
      contactName: '李成英',
      contactPhone: '0731-84872387',
      contactEmail: 'a@b.cn',
      launchedAt: atShanghai('2024-03-22', '10:00'),
      launchedBy: h.demo.coordinatorOpenId,
    },
  });
  for (const [i, u] of h.demo.units.slice(0, 25).entries()) {
    const status = i < 15 ? 'submitted' : i < 20 ? 'pending' : 'withdrawn';
    const sub = await db.submission.create({
      data: { campaignId: campaign.id, unitId: u.id, status, version: 1, late: i >= 10 && i < 15, submittedAt: status === 'submitted' ? atShanghai(i < 10 ? '2024-04-01' : '2024-04-12', '10:00') : null },
    });
    const themes: [string[], string, string][] =
      i < 10
        ? [
            [['policy'], 'approved', 'active'],
            [['survey', 'forum'], 'approved', 'active'],
          ]
        : i < 15
          ? [[['questionnaire'], 'pending', 'active']]
          : i >= 20
            ? [[['observe'], 'approved', 'removed']]
            : [];
    for (const [k, [forms, reviewStatus, state]] of themes.entries()) {
      const theme = await db.theme.create({
        data: { submissionId: sub.id, seq: k + 1, title: `${u.name}2024年活动${k + 1}`, month: 6 + k, forms: JSON.stringify(forms), intro: '围绕重点工作邀请代表委员和群众参与，听取意见建议。', reviewStatus, state },
      });
      if (i === 0 && k === 0) {
        const s = await db.summary.create({
          data: {
            themeId: theme.id,
            status: 'submitted',
            version: 1,
            heldDates: JSON.stringify(['2024-06-18']),
            links: JSON.stringify({ media: ['https://a.cn/1', 'https://a.cn/2'], website: ['https://b.cn/1'], newMedia: ['https://c.cn/1'] }),
            submittedAt: atShanghai('2024-06-20', '10:00'),
            submittedBy: 'ou_x',
          },
        });
        await db.attachment.create({ data: { summaryId: s.id, kind: 'logo_photo', storagePath: 'x', fileName: 'logo.jpg', mimeType: 'image/jpeg', sizeBytes: 10, sha256: 'f'.repeat(64), uploadedBy: 'ou_x' } });
      }
    }
  }
}

describe.each(PROVIDERS_UNDER_TEST)('年度对比 (%s)', (provider) => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ provider, clock: new FakeClock('2024-12-04T02:00:00Z'), env: { EVIDENCE_CHECK_LINKS: 'false' } });
    await seedScheduled2023(h.db, 20);
    // The demo's evaluated stage for 2023: 18 of 20 activities held with photos and links, scored and ranked.
    expect((await seedEvaluatedStage(h.services)).summaries).toBe(18);
    await seed2024(h);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('the coordinator gets both years side by side, with charts and the exact figures', async () => {
    await h.say(h.demo.coordinatorOpenId, h.demo.officeChatId, '年度对比');
    await h.drainOutbox();
    const { card } = lastBotCard(h, h.demo.officeChatId);
    expectValidCard(card);
    expect((card.header as { title: { content: string } }).title.content).toBe('年度对比 · 2023–2024年');

    const elements = (card.body as { elements: Record<string, unknown>[] }).elements;
    const rows = (elements.find((e) => e.tag === 'table')!.rows as Row[]).map((r) => [r.metric, r.y2023, r.y2024]);
    expect(rows).toEqual([
      ['应报单位', '20', '25'],
      ['按时提交', '20', '10'],
      ['按时率', '100%', '40%'],
      ['逾期提交', '0', '5'],
      ['未提交', '0', '10'],
      ['申报主题', '20', '25'],
      ['审核通过', '20', '20'],
      ['已举办', '18', '1'],
      ['总结完整', '18', '1'],
      // 2023: six summaries with two links (media, new media), twelve with three; 2024: one with four
      ['宣传链接', '48', '4'],
    ]);

    const charts = chartsIn(elements);
    expect(charts.length).toBeGreaterThanOrEqual(3);
    expect(charts.length).toBeLessThanOrEqual(5);
    const values = (i: number) => (charts[i]!.chart_spec as { data: { values: Values }[] }).data[0]!.values;
    expect(values(0)).toContainEqual({ category: '2024年', series: '审核通过', value: 20 });
    expect(values(0)).toContainEqual({ category: '2023年', series: '已举办', value: 18 });
    expect(values(1)).toContainEqual({ category: '2024年', series: '政策发布', value: 10 });
    expect(values(1)).toContainEqual({ category: '2024年', series: '问卷调查', value: 0 });
    // On-time rate per unit kind, from the directory's kinds.
    const units = h.demo.units.slice(0, 25);
    const kinds = [...new Set(units.map((u) => u.kind))];
    for (const kind of kinds) {
      const of = units.map((u, i) => ({ u, i })).filter((x) => x.u.kind === kind);
      const onTime = of.filter((x) => x.i < 10).length;
      expect(values(2)).toContainEqual({ category: unitKindLabel(kind), series: '2024年', value: Math.round((onTime / of.length) * 1000) / 10 });
      if (of.some((x) => x.i < 20)) expect(values(2)).toContainEqual({ category: unitKindLabel(kind), series: '2023年', value: 100 });
    }

    const text = JSON.stringify(card);
    expect(text).toContain('较2023年退步（按时 → 逾期或未提交，10）**：');
    expect(text).toContain('2 个年度均按时提交（10）**：');
    const results = await computeResults(h.db, await h.db.campaign.findUniqueOrThrow({ where: { year: 2023 } }));
    const first = results.results.find((r) => r.ranked.rank === 1)!;
    // The demo's evaluation is still open: the judges' order so far, not a result.
    expect(text).toContain(`2023年评选暂列前三（评选结果尚未确认）**：${first.activity.unitName}（1`);
    expect(text).not.toContain('2023年评选前三名');
    // Once the coordinator confirms the results, they are the year's.
    const campaign = await h.db.campaign.findUniqueOrThrow({ where: { year: 2023 } });
    await h.db.evaluation.update({ where: { campaignId: campaign.id }, data: { status: 'confirmed' } });
    try {
      await h.say(h.demo.coordinatorOpenId, h.demo.officeChatId, '年度对比');
      await h.drainOutbox();
      const confirmed = JSON.stringify(lastBotCard(h, h.demo.officeChatId).card);
      expect(confirmed).toContain(`2023年评选前三名**：${first.activity.unitName}（1`);
      expect(confirmed).not.toContain('暂定');
    } finally {
      await h.db.evaluation.update({ where: { campaignId: campaign.id }, data: { status: 'open' } });
    }
  });

  it('the card button sends the XLSX to the chat; a liaison click is refused', async () => {
    // A working group where a unit's liaison sits beside the coordinator: the button checks who clicks.
    const liaison = h.demo.units[0]!.liaisons[0]!.openId;
    const group = h.emulator.createChat({ name: '主题日工作专班', memberOpenIds: [h.demo.coordinatorOpenId, liaison], botMember: true });
    await h.say(h.demo.coordinatorOpenId, group.chatId, '年度对比');
    await h.drainOutbox();
    const { messageId } = lastBotCard(h, group.chatId);
    const no = await h.click(liaison, messageId, { a: 'history.export' });
    expect(no.toast).toMatchObject({ type: 'error' });
    expect(await h.db.auditLog.count({ where: { action: 'history.export', decision: 'deny' } })).toBe(1);
    const r = await h.click(h.demo.coordinatorOpenId, messageId, { a: 'history.export' });
    expect(r.toast?.content).toContain('正在生成年度对比表');
    await waitFor(async () => (await h.db.outboxMessage.count({ where: { idempotencyKey: { startsWith: 'history.export:' } } })) === 1);
    await h.drainOutbox();
    const file = h
      .messages(group.chatId)
      .filter((m) => m.msgType === 'file')
      .pop();
    expect(file?.fileName).toMatch(/^政务公开主题日年度对比-\d{12}\.xlsx$/);
    const row = await h.db.outboxMessage.findFirstOrThrow({ where: { idempotencyKey: { startsWith: 'history.export:' } } });
    expect(row.status).toBe('sent');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await h.services.storage.get((JSON.parse(row.payload) as { storedPath: string }).storedPath)) as unknown as ArrayBuffer);
    expect(wb.getWorksheet(HISTORY_UNIT_SHEET)!.rowCount).toBe(1 + 45);
    expect(await h.db.auditLog.count({ where: { action: 'history.export', decision: 'allow' } })).toBe(1);
  });

  it('a liaison is refused, and the refusal is audited', async () => {
    const unit = h.demo.units[0]!;
    const { messageId } = await h.say(unit.liaisons[0]!.openId, unit.chatId, '年度对比');
    await h.drainOutbox();
    const reply = lastBot(h, unit.chatId);
    expect(reply.parentId).toBe(messageId);
    expect(reply.text).toContain('只有县政务公开办的协调人可以使用这个指令');
    expect(reply.msgType).not.toBe('interactive');
    expect(await h.db.auditLog.count({ where: { action: 'history.view', decision: 'deny' } })).toBe(1);
    // 帮助 lists it for coordinators only.
    await h.say(unit.liaisons[0]!.openId, unit.chatId, '帮助');
    await h.say(h.demo.coordinatorOpenId, h.demo.officeChatId, '帮助');
    await h.drainOutbox();
    expect(JSON.stringify(lastBotCard(h, unit.chatId).card)).not.toContain('年度对比');
    const help = lastBotCard(h, h.demo.officeChatId).card;
    expectValidCard(help);
    expect(JSON.stringify(help)).toContain('年度对比');
  });

  it('export history writes one row per unit and year, text cells never formulas', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'themeday-history-'));
    try {
      const out: string[] = [];
      const io: CliIo = {
        stdout: (t) => out.push(t),
        stderr: (t) => out.push(t),
        now: () => h.clock.now(),
        openDb: async () => ({ provider, client: h.db, migrations: { applied: [], alreadyApplied: [] } as never, ping: async () => undefined, close: async () => undefined }),
      };
      const evil = '=HYPERLINK("http://x.cn","点我")';
      await h.db.unit.update({ where: { id: h.demo.units[1]!.id }, data: { name: evil } });
      const file = path.join(dir, 'sub', '年度对比.xlsx');
      expect(await exportHistory.run(['--out', file], io)).toBe(0);
      expect(out.pop()).toContain('2023、2024 年，45 行');
      expect(await exportHistory.run([], io)).toBe(2);
      expect(await exportHistory.run(['--out', 'x.csv'], io)).toBe(2);
      // No launched year yet (a draft does not count): refused, no file.
      const empty = await createTestDatabase(provider);
      try {
        await empty.client.campaign.create({ data: { year: 2025, title: 't', status: 'draft', noticeDate: '2025-03-01', deadline: '2025-04-01', contactName: 'a', contactPhone: '1', contactEmail: 'a@b.cn' } });
        const none = path.join(dir, 'none.xlsx');
        expect(await exportHistory.run(['--out', none], { ...io, openDb: async () => empty })).toBe(1);
        expect(out.pop()).toContain('还没有已发起的主题日活动年度');
        expect(existsSync(none)).toBe(false);
      } finally {
        await empty.destroy();
      }

      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(readFileSync(file) as unknown as ArrayBuffer);
      const ws = wb.getWorksheet(HISTORY_UNIT_SHEET)!;
      expect(ws.getRow(1).values).toEqual([undefined, ...HISTORY_UNIT_COLUMNS]);
      expect(ws.rowCount).toBe(1 + 45);
      const byKey = new Map<string, unknown[]>();
      ws.eachRow((row, n) => {
        if (n > 1) byKey.set(`${String(row.getCell(2).value)}:${String(row.getCell(1).value)}`, (row.values as unknown[]).slice(1));
      });
      const u = h.demo.units;
      expect(byKey.get(`${u[0]!.name}:2024`)).toEqual([2024, u[0]!.name, unitKindLabel(u[0]!.kind), '按时', 2, 2, 1, 1, 4, '—']);
      expect(byKey.get(`${u[12]!.name}:2024`)).toEqual([2024, u[12]!.name, unitKindLabel(u[12]!.kind), '逾期', 1, 0, 0, 0, 0, '—']);
      expect(byKey.get(`${u[17]!.name}:2024`)?.slice(3, 5)).toEqual(['未提交', 0]);
      expect(byKey.get(`${u[22]!.name}:2024`)?.slice(3, 5)).toEqual(['未提交', 0]);
      expect(byKey.has(`${u[22]!.name}:2023`)).toBe(false);
      const y2023 = byKey.get(`${u[0]!.name}:2023`)!;
      expect(y2023.slice(3, 8)).toEqual(['按时', 1, 1, 1, 1]);
      // 2023's evaluation is still open in the demo: its places are marked provisional.
      expect(String(y2023[9])).toMatch(/^\d+(（并列）)?（暂定）$/);
      // The formula-looking unit name stays text.
      const evilCell = ws.getRow([...byKey.keys()].indexOf(`${evil}:2023`) + 2).getCell(2);
      expect(evilCell.value).toBe(evil);
      expect(evilCell.type).toBe(ExcelJS.ValueType.String);
      expect(evilCell.formula).toBeUndefined();

      const years = wb.getWorksheet(HISTORY_YEAR_SHEET)!;
      expect((years.getRow(2).values as unknown[]).slice(1)).toEqual([2023, 20, 20, 0, 0, '100%', 20, 20, 18, 18, 48, 18]);
      expect((years.getRow(3).values as unknown[]).slice(1)).toEqual([2024, 25, 10, 5, 10, '40%', 25, 20, 1, 1, 4, 0]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
