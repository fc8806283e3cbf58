// The December evaluation end to end: opening (refused before December, forced with an audit
// row), judges, five judges scoring 20 held activities on cards with one conflict of interest
// refused, the trimmed mean and a tie checked against hand-computed numbers, the announcement,
// and both exports read back (card buttons and CLI).
import { mkdtempSync, readFileSync, readdirSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCampaign, createTheme, STORY } from '../support/kit.ts';
import { PROVIDERS_UNDER_TEST } from '../support/db.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { FakeClock } from '../../src/ports/clock.ts';
import { tinyJpeg } from '../../src/adapters/files/sample-jpeg.ts';
import { readZip } from '../../src/adapters/files/evidence-zip.ts';
import { computeResults } from '../../src/usecases/evaluation/results.ts';
import { exportEvaluation } from '../../src/cli/commands/export-evaluation.ts';
import { exportEvidence } from '../../src/cli/commands/export-evidence.ts';
import type { CliIo } from '../../src/cli/io.ts';
import { cardText, currentCard, expectValidCard, lastBot, lastBotCard, seedScheduled2023, waitFor, type ApprovedTheme } from '../summaries/support.ts';

const JUDGES = [
  { openId: 'ou_judge_chen', name: '陈评审' },
  { openId: 'ou_judge_lin', name: '林专家' },
  { openId: 'ou_judge_zhou', name: '周记者' },
  { openId: 'ou_judge_wu', name: '吴教授' },
];

/** Splits a sum of four 0–10 scores evenly: 34 → 9, 9, 8, 8. */
function split(sum: number): string[] {
  const base = Math.floor(sum / 4);
  const rem = sum - base * 4;
  return [0, 1, 2, 3].map((k) => String(base + (k < rem ? 1 : 0)));
}

/**
 * Hand-computed plan (default rubric: total = 2.5 × sum of the four scores):
 * - activity 0: sums 34, 37, 28, 32, 34 → totals 85, 92.5, 70, 80, 85 → drop 92.5 and 70 → (80+85+85)/3 = 83.33
 * - activity 1: sums 30, 32, 34, 34, 40 → totals 75, 80, 85, 85, 100 → drop 100 and 75 → 83.33 — a tie with activity 0
 * - activity 18 (县发展和改革局, judge 5 is its liaison and must abstain): sums 36, 32, 28, 24 → 90, 80, 70, 60 → mean of 4 = 75.00
 * - every other activity: sum 20 + ((i + j) % 5) → totals between 50 and 60.
 */
function plannedSum(i: number, j: number): number | undefined {
  if (i === 0) return [34, 37, 28, 32, 34][j]!;
  if (i === 1) return [30, 32, 34, 34, 40][j]!;
  if (i === 18) return j === 4 ? undefined : [36, 32, 28, 24][j]!;
  return 20 + ((i + j) % 5);
}

// A sequential story: each test continues from the state the previous one left.
describe.each(PROVIDERS_UNDER_TEST)('evaluation end to end (%s)', STORY, (provider) => {
  let h: Harness;
  let themes: ApprovedTheme[];
  let campaignId: string;
  let panelChat: string;
  const judgeIds: string[] = [];

  beforeAll(async () => {
    h = await startHarness({ provider, clock: new FakeClock('2023-11-20T02:00:00Z'), env: { EVIDENCE_CHECK_LINKS: 'false' } });
    ({ themes, campaignId } = await seedScheduled2023(h.db, 20));
    // Twenty held activities: submitted summaries with two photos each (the summary card itself is covered in test/summaries).
    for (const [i, t] of themes.entries()) {
      const s = await h.db.summary.create({
        data: {
          themeId: t.id,
          status: 'submitted',
          version: 1,
          heldDates: JSON.stringify([`2023-${String(t.month).padStart(2, '0')}-15`]),
          formsUsed: JSON.stringify(['forum']),
          participants: JSON.stringify({ npcDeputies: 2, cppccMembers: 1, experts: 1, media: 2, citizens: 20 + i }),
          logoShown: true,
          links: JSON.stringify({ media: [`https://news.example.cn/${i}.html`], website: [], newMedia: [] }),
          policyReleased: true,
          opinionsCount: 10 + i,
          summaryText: `第 ${i + 1} 项活动总结：邀请代表委员和群众参加座谈，介绍工作推进情况并听取意见建议。`,
          experience: `第 ${i + 1} 项典型经验：会前征集、会上回应、会后公开。`,
          submittedAt: new Date('2023-11-01T02:00:00Z'),
          submittedBy: 'ou_x',
        },
      });
      for (let p = 0; p < 2; p++) {
        const bytes = tinyJpeg({ dateTimeOriginal: `2023:${String(t.month).padStart(2, '0')}:15 10:00:00`, description: `a${i}p${p}` });
        const storagePath = await h.services.storage.put(`photos/2023/${t.id}/${i}-${p}.jpg`, bytes);
        await h.db.attachment.create({
          data: {
            summaryId: s.id,
            kind: p === 0 ? 'logo_photo' : 'photo',
            storagePath,
            fileName: `现场${p + 1}.jpg`,
            mimeType: 'image/jpeg',
            sizeBytes: bytes.length,
            sha256: `${i}-${p}`,
            takenOn: `2023-${String(t.month).padStart(2, '0')}-15`,
            uploadedBy: 'ou_x',
          },
        });
      }
    }
    for (const j of JUDGES) h.emulator.addUser(j);
    const fagai = h.demo.units[18]!;
    expect(fagai.name).toBe('县发展和改革局');
    const wang = fagai.liaisons[0]!;
    judgeIds.push(...JUDGES.map((j) => j.openId), wang.openId);
    panelChat = h.emulator.createChat({ name: '评审组', memberOpenIds: [h.demo.coordinatorOpenId, ...judgeIds], botMember: true }).chatId;
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('opening: refused before December with the reason, forced with an audit row', async () => {
    const coord = h.demo.coordinatorOpenId;
    await h.say(coord, h.demo.officeChatId, '开启评选');
    await h.drainOutbox();
    expect(lastBot(h, h.demo.officeChatId).text).toContain('2023 年 12 月开展');
    // The way round it names the year, so it reaches this campaign whatever the date.
    expect(lastBot(h, h.demo.officeChatId).text).toContain('“开启评选 2023 强制”');
    expect(await h.db.evaluation.count()).toBe(0);
    expect(await h.db.auditLog.count({ where: { action: 'evaluation.open', decision: 'deny' } })).toBe(1);

    // A liaison cannot open it.
    await h.say(h.demo.units[0]!.liaisons[0]!.openId, h.demo.units[0]!.chatId, '开启评选 强制');
    await h.drainOutbox();
    expect(lastBot(h, h.demo.units[0]!.chatId).text).toContain('仅县政务公开办');

    await h.say(coord, h.demo.officeChatId, '开启评选 强制');
    await h.drainOutbox();
    const card = lastBotCard(h, h.demo.officeChatId);
    expectValidCard(card.card);
    // How many of the plan's activities can be scored, and what becomes of the rest.
    const planned = await h.db.theme.count({ where: { submission: { campaignId }, state: 'active', reviewStatus: 'approved' } });
    expect(cardText(card.card)).toContain(`评选已开启：计划内 ${planned} 项活动，20 项已提交总结，可参评`);
    if (planned > 20) expect(cardText(card.card)).toContain(`其余 ${planned - 20} 项提交总结后即参加评选`);
    expect(await h.db.auditLog.count({ where: { action: 'evaluation.open_forced' } })).toBe(1);
    expect((await h.db.campaign.findUniqueOrThrow({ where: { id: campaignId } })).status).toBe('evaluating');
    expect(await h.db.evaluationCriterion.count({ where: { campaignId } })).toBe(4);

    await h.say(coord, h.demo.officeChatId, '评分标准');
    await h.drainOutbox();
    const rubric = lastBotCard(h, h.demo.officeChatId);
    expectValidCard(rubric.card);
    // Weights must add up to 100: refused next to the field, typed values kept.
    const bad = await h.click(
      coord,
      rubric.messageId,
      { a: 'evaluation.criteria_save', rows: 5 },
      { name_0: '主题契合度', weight_0: '30', max_0: '10', name_1: '公开属性与参与面', weight_1: '25', max_1: '10', name_2: '宣传推介实效', weight_2: '25', max_2: '10', name_3: '成效与典型经验', weight_3: '25', max_3: '10' },
    );
    expect(bad.toast?.content).toContain('权重之和应为 100（当前 105）');
    expect(cardText(currentCard(h, rubric.messageId))).toContain('"default_value":"30"');
  });

  it('judges are named; each gets an invitation card', async () => {
    const coord = h.demo.coordinatorOpenId;
    await h.say(coord, panelChat, '添加评委 @陈评审 @林专家 @周记者 @吴教授');
    await h.say(coord, panelChat, '添加评委 @王晨 县发展和改革局');
    await h.drainOutbox();
    // Each command is answered in its own thread; two threads' replies may arrive in either order.
    const answers = h
      .messages(panelChat)
      .filter((m) => m.senderType === 'app')
      .map((m) => m.text ?? '');
    expect(answers.some((t) => t.includes('已添加评委 王晨（县发展和改革局，回避本单位活动）'))).toBe(true);
    expect(answers.some((t) => t.includes('已添加评委 陈评审（未关联单位）'))).toBe(true);
    expect(await h.db.judge.count({ where: { campaignId } })).toBe(5);
    for (const id of judgeIds) {
      const invite = lastBotCard(h, h.emulator.p2pChatId(id));
      expectValidCard(invite.card);
      expect(cardText(invite.card)).toContain('评委');
    }
    // Asked in a group, the scoring card goes to the judge's single chat (typed scores stay private).
    const before = h.messages(h.emulator.p2pChatId(judgeIds[0]!)).length;
    await h.say(judgeIds[0]!, panelChat, '评分');
    await h.drainOutbox();
    expect(lastBot(h, panelChat).text).toContain('评分卡片已私聊发给您');
    expect(h.messages(h.emulator.p2pChatId(judgeIds[0]!)).length).toBe(before + 1);
    // Someone who is not a judge is told so.
    await h.say(coord, panelChat, '评分');
    await h.drainOutbox();
    expect(lastBot(h, panelChat).text).toContain('您不是本年度评选的评委');
    h.clock.set('2023-12-04T02:00:00Z');
  });

  it("a card kept from last year's evaluation cannot score into this year's", async () => {
    // 2022's activity of the same unit, approved and summarised: only 2022's evaluation may score it.
    const old = await h.db.campaign.create({ data: buildCampaign({ year: 2022, status: 'closed' }) });
    const submission = await h.db.submission.create({ data: { campaignId: old.id, unitId: themes[0]!.unitId, status: 'submitted', version: 1 } });
    const oldTheme = await createTheme(h.db, { submissionId: submission.id, seq: 1, title: '2022年政策面对面', month: 6, forms: ['forum'], intro: '往年的活动。', reviewStatus: 'approved' });
    await h.db.summary.create({ data: { themeId: oldTheme.id, status: 'submitted', version: 1, submittedAt: new Date('2022-07-05T02:00:00Z'), submittedBy: 'ou_x' } });
    const judge = judgeIds[0]!;
    const { messageId } = lastBotCard(h, h.emulator.p2pChatId(judge));
    const pick = await h.click(judge, messageId, { a: 'evaluation.pick' }, { themeId: oldTheme.id });
    expect(pick.toast?.content).toBe('这项活动属于2022年的评选，请在2023年的评分卡上评分');
    const score = await h.click(judge, messageId, { a: 'evaluation.score', themeId: oldTheme.id }, { c_theme_fit: '9', c_openness: '9', c_publicity: '9', c_outcome: '9' });
    expect(score.toast?.content).toBe('这项活动属于2022年的评选，请在2023年的评分卡上评分');
    expect(await h.db.score.count({ where: { themeId: oldTheme.id } })).toBe(0);
  });

  it('five judges score on cards; the own-unit activity is refused; bad input kept', async () => {
    for (const [j, judge] of judgeIds.entries()) {
      const p2p = h.emulator.p2pChatId(judge);
      const { messageId } = lastBotCard(h, p2p);
      for (const [i, t] of themes.entries()) {
        const sum = plannedSum(i, j);
        if (sum === undefined) {
          // A stale or forged click on one's own unit: refused with the reason and audited.
          const pick = await h.click(judge, messageId, { a: 'evaluation.pick' }, { themeId: t.id });
          expect(pick.toast?.type).toBe('error');
          expect(pick.toast?.content).toContain('回避');
          const forged = await h.click(judge, messageId, { a: 'evaluation.score', themeId: t.id }, { c_theme_fit: '10', c_openness: '10', c_publicity: '10', c_outcome: '10' });
          expect(forged.toast?.content).toContain('回避');
          continue;
        }
        if (i === 0) {
          // After the first one, each saved score shows the next activity to score (checked below).
          const pick = await h.click(judge, messageId, { a: 'evaluation.pick' }, { themeId: t.id });
          expect(pick.error, pick.errorDetail).toBeUndefined();
        } else expect(cardText(currentCard(h, messageId))).toContain(t.title);
        if (i === 0 && j === 0) {
          const card = currentCard(h, messageId);
          expectValidCard(card);
          expect(cardText(card)).toContain('活动照片**：2 张');
          // Four fields wrong: the toast shows two and says how many the card marks.
          const four = await h.click(judge, messageId, { a: 'evaluation.score', themeId: t.id }, { c_theme_fit: '-1', c_openness: 'abc', c_publicity: '', c_outcome: '' });
          expect(four.toast?.content).toBe('“主题契合度”应在 0–10 之间；“公开属性与参与面”应为数字（0–10）；共 4 处需修改，见卡片');
          const wrong = await h.click(judge, messageId, { a: 'evaluation.score', themeId: t.id }, { c_theme_fit: '11', c_openness: '8.3', c_publicity: '8', c_outcome: '8', comment: '亮点突出' });
          expect(wrong.toast?.type).toBe('error');
          const kept = cardText(currentCard(h, messageId));
          expect(kept).toContain('"default_value":"11"');
          expect(kept).toContain('亮点突出');
          expect(kept).toContain('应在 0–10 之间');
        }
        const [a, b, c, d] = split(sum);
        const r = await h.click(judge, messageId, { a: 'evaluation.score', themeId: t.id }, { c_theme_fit: a, c_openness: b, c_publicity: c, c_outcome: d });
        expect(r.toast?.type, r.toast?.content).toBe('success');
        if (i === 17 && j === 4) {
          // The next one is the judge's own unit: skipped, the card moves on to activity 19.
          expect(cardText(currentCard(h, messageId))).toContain(themes[19]!.title);
        }
      }
      expectValidCard(currentCard(h, messageId));
      expect(cardText(currentCard(h, messageId))).toContain('您已完成全部评分');
    }
    expect(await h.db.auditLog.count({ where: { actorOpenId: judgeIds[4], decision: 'deny' } })).toBe(2);
    expect(await h.db.score.count({ where: { campaignId } })).toBe((20 * 5 - 1) * 4);

    // A judge changes a saved score (its rows are updated in place, the audit keeps the old ones),
    // then puts it back, so the hand-computed numbers below still hold.
    const judge = judgeIds[0]!;
    const { messageId } = lastBotCard(h, h.emulator.p2pChatId(judge));
    const theme = themes[0]!;
    const rowsOf = async () => (await h.db.score.findMany({ where: { themeId: theme.id, judgeOpenId: judge } })).map((s) => `${s.criterionKey}=${s.score}${s.comment ? ` ${s.comment}` : ''}`).sort();
    const original = await rowsOf();
    const rescore = async (values: Record<string, string>) => {
      await h.click(judge, messageId, { a: 'evaluation.pick' }, { themeId: theme.id });
      const r = await h.click(judge, messageId, { a: 'evaluation.score', themeId: theme.id }, values);
      expect(r.toast?.type, r.toast?.content).toBe('success');
      // The judge is told the earlier score was replaced, not that a new one was saved.
      expect(r.toast?.content).toContain('评分已更新');
      expect(cardText(currentCard(h, messageId))).toContain('评分已更新');
    };
    await rescore({ c_theme_fit: '1', c_openness: '2', c_publicity: '3', c_outcome: '4', comment: '复核后改分' });
    expect(await rowsOf()).toEqual(['openness=2 复核后改分', 'outcome=4 复核后改分', 'publicity=3 复核后改分', 'theme_fit=1 复核后改分']);
    const audits = await h.db.auditLog.findMany({ where: { actorOpenId: judge, action: 'evaluation.score', entityId: theme.id } });
    const change = audits.find((a) => a.after?.includes('"theme_fit":1'));
    expect(JSON.parse(change!.before!)).toHaveLength(4);
    await rescore(Object.fromEntries(original.map((line) => line.split('=')).map(([key, score]) => [`c_${key}`, score!])));
    expect(await rowsOf()).toEqual(original);
    expect(await h.db.score.count({ where: { campaignId } })).toBe((20 * 5 - 1) * 4);
  }, 200_000);

  it('trimmed mean, tie and ranking match the hand-computed numbers', async () => {
    const campaign = await h.db.campaign.findUniqueOrThrow({ where: { id: campaignId } });
    const r = await computeResults(h.db, campaign);
    const byTheme = new Map(r.results.map((x) => [x.activity.themeId, x]));
    const a = byTheme.get(themes[0]!.id)!;
    const b = byTheme.get(themes[1]!.id)!;
    const f = byTheme.get(themes[18]!.id)!;
    expect(a.aggregate).toMatchObject({ trimmed: true, dropped: { high: 92.5, low: 70 }, final: 83.33 });
    expect(b.aggregate).toMatchObject({ trimmed: true, dropped: { high: 100, low: 75 }, final: 83.33 });
    expect(f.aggregate).toMatchObject({ trimmed: false, final: 75 });
    expect([...f.aggregate.totals].sort((x, y) => y - x)).toEqual([90, 80, 70, 60]);
    expect(f.conflicts.has(judgeIds[4]!)).toBe(true);
    expect([a.rankLabel, b.rankLabel, f.rankLabel]).toEqual(['1（并列）', '1（并列）', '3']);
    expect(r.results.slice(3).every((x) => (x.aggregate.final ?? 0) <= 60)).toBe(true);

    await h.say(h.demo.coordinatorOpenId, h.demo.officeChatId, '评选进度');
    await h.drainOutbox();
    const progress = lastBotCard(h, h.demo.officeChatId);
    expectValidCard(progress.card);
    const text = cardText(progress.card);
    expect(text).toContain('1（并列）');
    expect(text).toContain('有并列名次');
    expect(text).toContain('"progress":"19/19"');
    expect(text).toContain('"progress":"20/20"');
  });

  it('exports from the card: 评选汇总表 XLSX and the evidence ZIP, read back', async () => {
    const coord = h.demo.coordinatorOpenId;
    const progress = lastBotCard(h, h.demo.officeChatId);
    const x = await h.click(coord, progress.messageId, { a: 'evaluation.export_xlsx' });
    expect(x.toast?.content).toContain('正在生成');
    const z = await h.click(coord, progress.messageId, { a: 'evaluation.export_evidence' });
    expect(z.toast?.content).toContain('正在打包');
    await waitFor(async () => (await h.db.outboxMessage.count({ where: { op: 'file' } })) === 2);
    await h.drainOutbox();
    const files = h.messages(h.demo.officeChatId).filter((m) => m.msgType === 'file');
    expect(files.map((m) => m.fileName)).toEqual(expect.arrayContaining([expect.stringContaining('评选汇总表'), expect.stringContaining('证据包')]));
    const rows = await h.db.outboxMessage.findMany({ where: { op: 'file' } });
    const xlsxPath = (JSON.parse(rows.find((r) => r.payload.includes('.xlsx'))!.payload) as { storedPath: string }).storedPath;
    const zipPath = (JSON.parse(rows.find((r) => r.payload.includes('.zip'))!.payload) as { storedPath: string }).storedPath;

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await h.services.storage.get(xlsxPath)) as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('评选汇总表')!;
    const header = (ws.getRow(3).values as unknown[]).slice(1).map(String);
    expect(header.slice(0, 5)).toEqual(['名次', '并列', '单位', '活动主题', '月份']);
    const col = (name: string) => header.findIndex((hd) => hd.startsWith(name)) + 1;
    const rowOf = (unitName: string) => {
      for (let r = 4; r <= ws.rowCount; r++) if (ws.getRow(r).getCell(3).value === unitName) return ws.getRow(r);
      throw new Error(`no row for ${unitName}`);
    };
    const first = rowOf(h.demo.units[0]!.name);
    expect(first.getCell(1).value).toBe(1);
    expect(first.getCell(2).value).toBe('并列');
    expect(first.getCell(col('最终得分')).value).toBe(83.33);
    expect(first.getCell(col('去掉最高分')).value).toBe(92.5);
    expect(first.getCell(col('去掉最低分')).value).toBe(70);
    expect(first.getCell(col('陈评审')).value).toBe(85);
    const fagai = rowOf('县发展和改革局');
    expect(fagai.getCell(col('王晨')).value).toBe('回避');
    expect(fagai.getCell(col('有效评委数')).value).toBe(4);
    expect(fagai.getCell(col('最终得分')).value).toBe(75);
    const detail = wb.getWorksheet('评分明细')!;
    expect(detail.rowCount).toBe(1 + 20 * 5);
    expect(wb.getWorksheet('评分标准')!.getRow(2).getCell(1).value).toBe('主题契合度');

    const entries = await readZip(await h.services.storage.get(zipPath));
    expect(entries.filter((e) => e.name.endsWith('/活动总结.html'))).toHaveLength(20);
    expect(entries.filter((e) => e.name.includes('/照片/'))).toHaveLength(40);
    expect(entries.some((e) => e.name.endsWith('01-LOGO.jpg'))).toBe(true);
    const doc = entries.find((e) => e.name.startsWith('01-') && e.name.endsWith('活动总结.html'))!.data.toString('utf8');
    expect(doc).toContain('第 1 项典型经验');
    expect(doc).toContain('https://news.example.cn/0.html');
  });

  it('the coordinator confirms the winners (ties kept) and the bot announces them to every group', async () => {
    const coord = h.demo.coordinatorOpenId;
    await h.say(coord, h.demo.officeChatId, '评选进度');
    await h.drainOutbox();
    const progress = lastBotCard(h, h.demo.officeChatId);
    // The default selection is the top 3 with both tied first places.
    expect(cardText(progress.card)).toContain(`"selected_values":["${themes[0]!.id}","${themes[1]!.id}","${themes[18]!.id}"]`);
    const notCoord = await h.click(judgeIds[0]!, h.emulator.p2pChatId(judgeIds[0]!) && lastBotCard(h, h.emulator.p2pChatId(judgeIds[0]!)).messageId, { a: 'evaluation.confirm' }, { winners: [themes[0]!.id] });
    expect(notCoord.toast?.type).toBe('error');
    const ok = await h.click(coord, progress.messageId, { a: 'evaluation.confirm' }, { winners: [themes[0]!.id, themes[1]!.id, themes[18]!.id] });
    expect(ok.toast?.type).toBe('success');
    await h.drainOutbox();
    const evaluation = await h.db.evaluation.findUniqueOrThrow({ where: { campaignId } });
    expect(evaluation.status).toBe('announced');
    expect(JSON.parse(evaluation.winners)).toEqual([themes[0]!.id, themes[1]!.id, themes[18]!.id]);
    const groups = await h.db.groupChat.count({ where: { status: { in: ['bound', 'coordinator'] } } });
    expect(await h.db.outboxMessage.count({ where: { idempotencyKey: { startsWith: 'evaluation.announce:' }, status: 'sent' } })).toBe(groups);
    const announced = lastBotCard(h, h.demo.units[30]!.chatId);
    expectValidCard(announced.card);
    expect(cardText(announced.card)).toContain('最佳政务公开主题日活动');
    expect(cardText(announced.card)).toContain('（并列）');
    // Scoring is closed now.
    const late = await h.click(judgeIds[0]!, lastBotCard(h, h.emulator.p2pChatId(judgeIds[0]!)).messageId, { a: 'evaluation.score', themeId: themes[5]!.id }, { c_theme_fit: '1', c_openness: '1', c_publicity: '1', c_outcome: '1' });
    expect(late.toast?.content).toContain('评分已结束');
  });

  it('CLI: export evaluation and export evidence', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'themeday-eval-'));
    const out: string[] = [];
    const io: CliIo = {
      stdout: (t) => out.push(t),
      stderr: (t) => out.push(t),
      now: () => h.clock.now(),
      openDb: async () => ({ provider, client: h.db, migrations: { applied: [], alreadyApplied: [] } as never, ping: async () => undefined, close: async () => undefined }),
    };
    const file = path.join(dir, '评选汇总表.xlsx');
    expect(await exportEvaluation.run(['--year', '2023', '--out', file], io)).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(readFileSync(file) as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('评选汇总表')!;
    expect(ws.getRow(4).getCell(2).value).toBe('并列');
    expect(ws.getRow(4).getCell(ws.getRow(3).cellCount).value).toBe('获奖');
    expect(await exportEvaluation.run(['--year', '2019', '--out', file], io)).toBe(1);
    expect(await exportEvaluation.run(['--year', '2023'], io)).toBe(2);

    const evDir = path.join(dir, '证据包');
    expect(await exportEvidence.run(['--year', '2023', '--out', evDir, '--zip', '--storage', h.services.config.storageDir], io)).toBe(0);
    expect(out.join('\n')).toContain('已导出 20 项活动、40 张照片');
    const folders = readdirSync(evDir).filter((f) => f !== '目录.html');
    expect(folders).toHaveLength(20);
    expect(existsSync(path.join(evDir, folders[0]!, '活动总结.html'))).toBe(true);
    expect((await readZip(readFileSync(`${evDir}.zip`))).length).toBe(1 + 20 + 40);
  });
});
