// Launching the next year from the last (issue 10, items 4 and 6), end to end on both databases
// through the emulator: the launch card shows what carries over (units, groups, liaisons,
// reminder ladder, rubric, 主题领域; reviewers only when ticked), confirming copies the ticked
// settings and audits it, no 2026 submission is copied; a liaison's 2027 form shows the unit's
// 2026 themes with their results and 以此为草稿 pre-fills a new theme; themes carry 主题领域, the
// 进度 card counts by 领域 and flags empty ones, the review card names near-duplicates across
// units, and `主题领域` edits the year's list.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVIDERS_UNDER_TEST } from '../support/db.ts';
import { startHarness, type DemoUnitInfo, type Harness } from '../support/harness.ts';
import { FakeClock } from '../../src/ports/clock.ts';
import { atShanghai } from '../../src/domain/time.ts';
import { validateCard } from '../../src/emulator/card-schema.ts';
import { parseSettings } from '../../src/domain/campaign.ts';
import { buttonValue, cardText, clickForm, lastInteractive, shownFormValues } from '../submissions/support.ts';
import { STORY } from '../support/kit.ts';

const TITLE = (year: number) => `长沙县${year}年“政务公开主题日”活动`;
const INTRO = '邀请企业代表和人大代表座谈，解读优化营商环境的各项政策措施，听取意见建议。';

// A story: 2027 is launched by the first step, and each later step works on the themes the one before submitted.
describe.each(PROVIDERS_UNDER_TEST)('carry-over to next year, 主题领域 and near-duplicates (%s)', STORY, (provider) => {
  let h: Harness;
  let coord: string;
  let office: string;
  let units: DemoUnitInfo[];
  let c2026: string;
  let c2027: string;
  const settings2026 = { reminderOffsets: [5, 2, 0], maxActivitiesPerMonth: 8, escalationLadder: ['group', 'dm', 'leader'] };

  const p2p = (openId: string) => h.emulator.p2pChatId(openId);
  const liaisonOf = (u: DemoUnitInfo) => u.liaisons.find((l) => l.role === 'primary')!.openId;
  // The bot's answer to this message (the office chat also gets notices, e.g. missing holiday data).
  const ask = async (text: string) => {
    const { messageId } = await h.say(coord, office, text);
    await h.drainOutbox();
    const list = h.messages(office).filter((m) => m.senderType === 'app' && m.parentId === messageId);
    return list[list.length - 1]!;
  };
  const noticeOf = async (u: DemoUnitInfo, campaignId: string) => {
    const sub = await h.db.submission.findUniqueOrThrow({ where: { campaignId_unitId: { campaignId, unitId: u.id } } });
    return h
      .messages(u.chatId)
      .filter((m) => m.msgType === 'interactive' && cardText(m.card).includes('submission.open') && cardText(m.card).includes(sub.id))
      .pop();
  };
  /** 进度 sends a fresh (tracked) card into the chat rather than a reply. */
  const progressCard = async (year: number) => {
    await h.say(coord, office, `进度 ${year}`);
    await h.drainOutbox();
    const list = h.messages(office).filter((m) => m.senderType === 'app' && cardText(m.card).includes(`申报进度 · ${TITLE(year)}`));
    return cardText(list[list.length - 1]!.card);
  };
  async function openForm(u: DemoUnitInfo) {
    const notice = (await noticeOf(u, c2027))!;
    expect(notice, `2027 notice in ${u.name}`).toBeDefined();
    const r = await h.click(liaisonOf(u), notice.messageId, buttonValue(notice.card, { text: '填写申报表' }));
    expect(r.toast?.type, r.toast?.content).toBe('success');
    await h.drainOutbox();
    return lastInteractive(h.messages(p2p(liaisonOf(u))))!;
  }

  beforeAll(async () => {
    h = await startHarness({ provider, clock: new FakeClock(atShanghai('2026-12-02', '10:00')), env: { EVIDENCE_CHECK_LINKS: 'false' } });
    coord = h.demo.coordinatorOpenId;
    office = h.demo.officeChatId;
    units = h.demo.units.slice(0, 6);
    await h.db.unit.updateMany({ where: { id: { notIn: units.map((u) => u.id) } }, data: { active: false } });
    // 2026, closed: its own settings, a two-line rubric, a reviewer, and one approved, held theme for units[0].
    c2026 = (
      await h.db.campaign.create({
        data: {
          year: 2026,
          title: TITLE(2026),
          status: 'closed',
          noticeDate: '2026-03-23',
          deadline: '2026-04-07',
          contactName: '李成英',
          contactPhone: '0731-84872387',
          contactEmail: 'CSX84872387@163.com',
          launchedAt: atShanghai('2026-03-23', '10:00'),
          launchedBy: coord,
          settings: JSON.stringify(settings2026),
        },
      })
    ).id;
    await h.db.evaluationCriterion.createMany({
      data: [
        { campaignId: c2026, key: 'effect', name: '活动成效', weight: 60, maxScore: 10, sortOrder: 1 },
        { campaignId: c2026, key: 'publicity', name: '宣传报道', weight: 40, maxScore: 10, sortOrder: 2 },
      ],
    });
    await h.db.reviewer.create({ data: { campaignId: c2026, openId: 'ou_reviewer_wang', name: '王审核', addedBy: coord } });
    const sub = await h.db.submission.create({ data: { campaignId: c2026, unitId: units[0]!.id, status: 'submitted', version: 1, submittedAt: atShanghai('2026-04-01', '10:00') } });
    const theme = await h.db.theme.create({ data: { submissionId: sub.id, seq: 1, title: '优化营商环境政策面对面', month: 6, forms: '["forum"]', intro: INTRO, domains: '["营商环境"]', reviewStatus: 'approved' } });
    await h.db.summary.create({ data: { themeId: theme.id, status: 'submitted', version: 1, heldDates: '["2026-06-12"]', submittedAt: atShanghai('2026-06-20', '10:00'), submittedBy: liaisonOf(units[0]!) } });
    await h.db.theme.create({ data: { submissionId: sub.id, seq: 2, title: '一件事一次办政策解读', month: 9, forms: '["policy"]', intro: INTRO, reviewStatus: 'rejected' } });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('the launch card shows what carries over; confirming copies the ticked settings, audited, and no submission', async () => {
    const launch = await ask('发起申报 2027');
    expect(validateCard(launch.card)).toEqual({ ok: true });
    const text = cardText(launch.card);
    for (const s of ['沿用 2026 年', '6 个，6 个已绑定工作群', '截止前 5 个工作日、前 2 个工作日、截止当天', '群内提醒 → 私聊联系人 → 抄送分管领导', '活动成效（60）、宣传报道（40）', '王审核', '科教强县、改革开放'])
      expect(text).toContain(s);
    // Settings and rubric ticked, reviewers not, unless the coordinator ticks them.
    expect(shownFormValues(launch.card).launch_carry).toEqual(['settings', 'rubric']);

    const bad = await clickForm(h, coord, launch.messageId, { name: 'btn_launch' }, { launch_carry: ['settings', 'everything'] });
    expect(bad.toast?.type).toBe('error');
    expect(await h.db.campaign.count({ where: { year: 2027 } })).toBe(0);

    const ok = await clickForm(h, coord, launch.messageId, { name: 'btn_launch' }, { launch_notice_date: '2026-12-02 +0800', launch_deadline: '2027-01-08 +0800' });
    expect(ok.toast?.type, ok.toast?.content).toBe('success');
    expect(cardText(ok.card)).toContain('已沿用 2026 年的提醒设置与主题领域、评分标准（2 项）。');
    await h.drainOutbox();
    const c = await h.db.campaign.findUniqueOrThrow({ where: { year: 2027 } });
    c2027 = c.id;
    expect(parseSettings(c.settings)).toEqual(parseSettings(JSON.stringify(settings2026)));
    expect((await h.db.evaluationCriterion.findMany({ where: { campaignId: c2027 }, orderBy: { sortOrder: 'asc' } })).map((r) => [r.key, r.weight])).toEqual([
      ['effect', 60],
      ['publicity', 40],
    ]);
    expect(await h.db.reviewer.count({ where: { campaignId: c2027 } })).toBe(0);
    expect(await h.db.submission.count({ where: { campaignId: c2027, status: 'pending' } })).toBe(6);
    expect(await h.db.theme.count({ where: { submission: { campaignId: c2027 } } })).toBe(0);
    expect(await h.db.theme.count({ where: { submission: { campaignId: c2026 } } })).toBe(2);
    const audit = await h.db.auditLog.findFirstOrThrow({ where: { action: 'campaign.carry_over', entityId: c2027 } });
    expect(JSON.parse(audit.after!)).toMatchObject({ fromYear: 2026, chosen: ['settings', 'rubric'] });
    // Every unit group got the 2027 notice.
    for (const u of units) expect(await noticeOf(u, c2027), u.name).toBeDefined();
  });

  it('reviewers carry over only when ticked (a re-launch of a draft year)', async () => {
    const draft = await h.db.campaign.create({
      data: { year: 2028, title: TITLE(2028), status: 'draft', noticeDate: '2026-12-02', deadline: '2026-12-30', contactName: '李成英', contactPhone: '0731-84872387', contactEmail: 'CSX84872387@163.com' },
    });
    // 2028 carries from 2027, which has no reviewer: tick them on 2027 first, from 2026.
    await h.db.reviewer.create({ data: { campaignId: c2027, openId: 'ou_reviewer_wang', name: '王审核', addedBy: coord } });
    const launch = await ask('发起申报 2028');
    expect(cardText(launch.card)).toContain('沿用 2027 年');
    const ok = await clickForm(h, coord, launch.messageId, { name: 'btn_launch' }, { launch_notice_date: '2026-12-02 +0800', launch_deadline: '2028-01-07 +0800', launch_carry: ['reviewers'] });
    expect(ok.toast?.type, ok.toast?.content).toBe('success');
    expect((await h.db.reviewer.findMany({ where: { campaignId: draft.id } })).map((r) => r.name)).toEqual(['王审核']);
    // Settings unticked: 2028 starts from the defaults, not 2027's.
    expect(parseSettings((await h.db.campaign.findUniqueOrThrow({ where: { id: draft.id } })).settings).reminderOffsets).toEqual([7, 3, 1, 0]);
    // Back to one campaign collecting for the rest of the file.
    await h.db.campaign.delete({ where: { id: draft.id } });
    await h.db.reviewer.deleteMany({ where: { campaignId: c2027 } });
  });

  it('the 2027 form shows 2026 themes and results read-only; 以此为草稿 pre-fills a new theme; 领域 are saved', async () => {
    const form = await openForm(units[0]!);
    expect(validateCard(form.card)).toEqual({ ok: true });
    const text = cardText(form.card);
    for (const s of ['2026 年本单位申报的主题（仅供参考）', '优化营商环境政策面对面', '审核通过 · 已举办', '一件事一次办政策解读', '未采纳', '主题领域（选填，可多选）', '乡村振兴']) expect(text).toContain(s);

    const unpicked = await clickForm(h, liaisonOf(units[0]!), form.messageId, { name: 'btn_reuse' });
    expect(unpicked.toast).toMatchObject({ type: 'warning', content: '请先选择一个往年主题，再点“以此为草稿”' });
    const reused = await clickForm(h, liaisonOf(units[0]!), form.messageId, { name: 'btn_reuse' }, { reuse_pick: '0' });
    expect(reused.toast?.type, reused.toast?.content).toBe('success');
    const values = shownFormValues(reused.card);
    expect(values).toMatchObject({ theme_title: '优化营商环境政策面对面', theme_month: '', theme_forms: ['forum'], theme_intro: INTRO, theme_domains: ['营商环境'] });

    const submitted = await clickForm(h, liaisonOf(units[0]!), form.messageId, { name: 'btn_submit' }, { contact_phone: '0731-84875001', theme_month: '6', theme_domains: ['营商环境', '改革开放'] });
    expect(submitted.toast?.type, submitted.toast?.content).toBe('success');
    const t = await h.db.theme.findFirstOrThrow({ where: { submission: { campaignId: c2027, unitId: units[0]!.id } } });
    expect(t).toMatchObject({ title: '优化营商环境政策面对面', month: 6, domains: '["改革开放","营商环境"]' });
    // Order follows the campaign's list (改革开放 comes before 营商环境 in the plan).
    // 2026 is untouched.
    expect(await h.db.theme.count({ where: { submission: { campaignId: c2026 } } })).toBe(2);

    // A 领域 not in the year's list is refused next to the field, nothing lost.
    const other = await openForm(units[1]!);
    expect(cardText(other.card)).not.toContain('仅供参考'); // no 2026 themes for this unit
    const refused = await clickForm(
      h,
      liaisonOf(units[1]!),
      other.messageId,
      { name: 'btn_submit' },
      { contact_phone: '0731-84875002', theme_title: '营商环境优化政策解读会', theme_month: '6', theme_forms: ['forum'], theme_intro: INTRO, theme_domains: ['外星领域'] },
    );
    expect(refused.toast?.type).toBe('error');
    expect(cardText(refused.card)).toContain('主题领域只能从列出的选项中选择');
    const ok = await clickForm(h, liaisonOf(units[1]!), other.messageId, { name: 'btn_submit' }, { theme_domains: ['营商环境'] });
    expect(ok.toast?.type, ok.toast?.content).toBe('success');
  });

  it('进度 counts by 领域 and flags empty ones; 审核 names near-duplicates across units', async () => {
    const p = await progressCard(2027);
    expect(p).toContain('按主题领域');
    expect(p).toContain('营商环境 2');
    expect(p).toContain('改革开放 1');
    expect(p).toMatch(/暂无主题的领域（7）：科教强县、城乡品质/);

    const review = await ask('审核 2027');
    const r = cardText(review.card);
    expect(r).toContain('同月同形式的相近主题');
    expect(r).toMatch(/营商环境优化政策解读会|优化营商环境政策面对面/);
    expect(r).toContain('主题领域：');
  });

  it('主题领域 shows and edits the year’s list (audited); a bad list is refused', async () => {
    const shown = await ask('主题领域 2027');
    expect(shown.text).toContain('2027 年的主题领域（实施方案的九大主题）：科教强县（0）、改革开放（1）、城乡品质（0）、营商环境（2）');
    const bad = await ask('主题领域 2027 科教强县、科教强县');
    expect(bad.text).toBe('领域名称有重复');
    const set = await ask('主题领域 2027 营商环境、数字政府');
    expect(set.text).toContain('已将2027 年的主题领域设为：营商环境、数字政府（2 个）');
    expect(set.text).toContain('改革开放');
    expect(parseSettings((await h.db.campaign.findUniqueOrThrow({ where: { id: c2027 } })).settings).themeDomains).toEqual(['营商环境', '数字政府']);
    expect(await h.db.auditLog.count({ where: { action: 'campaign.theme_domains', entityId: c2027, decision: 'allow' } })).toBe(1);
    const progress = await progressCard(2027);
    expect(progress).toContain('营商环境 2');
    expect(progress).toContain('暂无主题的领域（1）：数字政府');
    // 2026's settings are not touched by a 2027 edit.
    expect(parseSettings((await h.db.campaign.findUniqueOrThrow({ where: { id: c2026 } })).settings).themeDomains).toHaveLength(9);
  });
});
