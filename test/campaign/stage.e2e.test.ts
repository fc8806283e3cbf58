// The campaign stage machine end to end (issue 13, block 1): publishing before the deadline warns
// and closes nothing unless asked, a unit holding an extension keeps it through publication, a
// unit reopened after publication can really submit and its themes join the next version as a
// change; 重新开放 and 延期 never shorten what a unit has and land on working days; the stage is
// shown on 进度 and in 帮助, whose examples are valid on the day.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORY } from '../support/kit.ts';
import { PROVIDERS_UNDER_TEST } from '../support/db.ts';
import { startHarness, type DemoUnitInfo, type Harness } from '../support/harness.ts';
import { FakeClock } from '../../src/ports/clock.ts';
import { validateCard } from '../../src/emulator/card-schema.ts';
import { parseLaunchArgs } from '../../src/usecases/campaign/launch.ts';
import { validateLaunch } from '../../src/domain/launch.ts';
import { WorkCalendar } from '../../src/domain/workdays.ts';
import { buttons, buttonValue, cardText, clickForm, lastInteractive, waitUntil } from '../submissions/support.ts';

const INTRO = '组织人大代表、政协委员和群众代表实地走访重点项目现场，介绍政策落实情况并听取意见建议。';

// A sequential story: each test continues from the state the previous one left.
describe.each(PROVIDERS_UNDER_TEST)('campaign stages (%s)', STORY, (provider) => {
  let h: Harness;
  const clock = new FakeClock('2023-03-23T02:00:00Z');
  let units: DemoUnitInfo[];
  let coordinator: string;
  let office: string;
  let campaignId: string;

  const p2p = (openId: string) => h.emulator.p2pChatId(openId);
  const liaisonOf = (u: DemoUnitInfo) => u.liaisons.find((l) => l.role === 'primary')!.openId;
  const lastText = (chatId: string) => [...h.messages(chatId)].reverse().find((m) => m.msgType === 'text' && m.senderType === 'app')?.text ?? '';
  /** The newest card in the unit's group with a 填写申报表 button (the notice, or a reopening's). */
  const openButton = (u: DemoUnitInfo) => [...h.messages(u.chatId)].reverse().find((m) => m.msgType === 'interactive' && buttons(m.card).some((b) => b.text === '填写申报表'))!;

  async function openForm(u: DemoUnitInfo) {
    const notice = openButton(u);
    const r = await h.click(liaisonOf(u), notice.messageId, buttonValue(notice.card, { text: '填写申报表' }));
    await h.drainOutbox();
    return { r, form: lastInteractive(h.messages(p2p(liaisonOf(u)))) };
  }

  async function submit(u: DemoUnitInfo, title: string, month: number) {
    const { r, form } = await openForm(u);
    expect(r.toast?.type, `${u.name}: ${r.toast?.content}`).toBe('success');
    const s = await clickForm(h, liaisonOf(u), form!.messageId, { name: 'btn_submit' }, { contact_phone: '0731-84875001', theme_title: title, theme_month: String(month), theme_forms: ['forum'], theme_intro: INTRO });
    expect(s.toast?.type, `${u.name} submit: ${s.toast?.content}`).toBe('success');
    await h.drainOutbox();
  }

  async function approveAll(u: DemoUnitInfo) {
    await h.db.theme.updateMany({ where: { submission: { campaignId, unitId: u.id }, state: 'active' }, data: { reviewStatus: 'approved' } });
  }

  async function publishCard() {
    await h.say(coordinator, office, '发布计划');
    await h.drainOutbox();
    const m = lastInteractive(h.messages(office))!;
    expect(validateCard(m.card)).toEqual({ ok: true });
    return m;
  }

  const status = async () => (await h.db.campaign.findUniqueOrThrow({ where: { id: campaignId } })).status;
  const versions = () => h.db.scheduleVersion.count({ where: { campaignId } });

  beforeAll(async () => {
    h = await startHarness({ provider, clock });
    coordinator = h.demo.coordinatorOpenId;
    office = h.demo.officeChatId;
    units = h.demo.units.slice(0, 6);
    await h.db.unit.updateMany({ where: { id: { notIn: units.map((u) => u.id) } }, data: { active: false } });
    await h.say(coordinator, office, '发起申报 2023');
    await h.drainOutbox();
    const launch = lastInteractive(h.messages(office))!;
    const ok = await clickForm(h, coordinator, launch.messageId, { name: 'btn_launch' }, { launch_contact_phone: '0731-84872387', launch_contact_email: 'CSX84872387@163.com' });
    expect(ok.toast?.type).toBe('success');
    await h.drainOutbox();
    campaignId = (await h.db.campaign.findUniqueOrThrow({ where: { year: 2023 } })).id;
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('before the deadline, 发布计划 states who has not submitted and who holds an extension, and closes nothing unless asked', async () => {
    clock.set('2023-03-27T02:00:00Z');
    await submit(units[0]!, '优化营商环境政策解读', 6);
    await submit(units[1]!, '乡村振兴项目现场观摩', 7);
    await h.say(coordinator, office, `延期 ${units[2]!.name} 2023-04-14`);
    await approveAll(units[0]!);
    await approveAll(units[1]!);

    // 总结 before the schedule exists: where the year stands, not "no campaign".
    await h.say(liaisonOf(units[0]!), units[0]!.chatId, '总结');
    await h.drainOutbox();
    expect(lastText(units[0]!.chatId)).toContain('当前阶段：申报中。活动总结在计划安排表发布、活动举办之后填写');

    clock.set('2023-04-03T02:00:00Z');
    const confirm = await publishCard();
    const text = cardText(confirm.card);
    expect(text).toContain('申报截止日 2023年4月7日 还没到');
    expect(text).toContain(`3 个单位未提交，截止后将不能再提交（可再“重新开放”）：${units[3]!.name}、${units[4]!.name}、${units[5]!.name}`);
    expect(text).toContain(`${units[2]!.name}（未提交）持有延期至 2023年4月14日`);
    expect(buttons(confirm.card).map((b) => b.text)).toEqual(['发布，申报继续开放', '发布并提前截止申报', '返回编排']);
    const early = buttons(confirm.card).find((b) => b.text === '发布并提前截止申报')!;
    expect(JSON.stringify(confirm.card)).toContain('截止日还没到，确认提前截止申报？');
    expect(early.value.close).toBe(true);

    // A card from before this change (no choice in its value) publishes nothing and closes nothing.
    const stale = await h.click(coordinator, confirm.messageId, { a: 'schedule.publish', n: 1 });
    expect(stale.toast?.content).toBe('请先确认发布后申报是否截止');
    expect(await versions()).toBe(0);

    // Publish and keep 申报 open: the schedule goes out, units may still submit until the deadline.
    const keep = await h.click(coordinator, confirm.messageId, buttonValue(confirm.card, { text: '发布，申报继续开放' }));
    expect(keep.toast?.content).toBe('正在发布第 1 版…');
    await waitUntil(async () => (await versions()) === 1);
    await h.drainOutbox();
    expect(await status()).toBe('collecting');
    // A unit with nothing in the plan is told it may still apply, and until when (its own extension
    // included), not only that the plan has nothing of it.
    const scheduleIn = (u: DemoUnitInfo) => cardText([...h.messages(u.chatId)].reverse().find((m) => m.msgType === 'interactive' && cardText(m.card).includes('本单位活动'))!.card);
    expect(scheduleIn(units[3]!)).toContain('尚未申报，本版计划暂无本单位的活动。申报开放至 2023年4月7日：发送“填写申报表”提交主题');
    expect(scheduleIn(units[2]!)).toContain('申报开放至 2023年4月14日');
    expect(scheduleIn(units[0]!)).toContain('优化营商环境政策解读');
    expect(scheduleIn(units[0]!)).not.toContain('尚未申报');
    // The plan is out: 总结 lists the unit's activities, and 进度 says the plan is out while 申报 is open.
    await h.say(liaisonOf(units[0]!), units[0]!.chatId, '总结');
    await h.drainOutbox();
    const reply = [...h.messages(units[0]!.chatId)].reverse().find((m) => m.senderType === 'app')!;
    expect(reply.msgType).toBe('interactive');
    expect(cardText(reply.card)).toContain('优化营商环境政策解读');
    await h.say(coordinator, office, '进度');
    await h.drainOutbox();
    expect(cardText(lastInteractive(h.messages(office))!.card)).toContain('计划安排表已发布，申报仍开放');
    expect(cardText(lastInteractive(h.messages(office))!.card)).toContain('【计划已发布，申报仍开放】');
    // Editing a unit whose themes are approved and in the plan: the form says first what an edit does.
    const receipt = [...h.messages(units[0]!.chatId)].reverse().find((m) => m.msgType === 'interactive' && buttons(m.card).some((b) => b.text === '修改'))!;
    const edit = await h.click(liaisonOf(units[0]!), receipt.messageId, buttonValue(receipt.card, { text: '修改' }));
    expect(edit.toast?.type, edit.toast?.content).toBe('success');
    await h.drainOutbox();
    expect(cardText(lastInteractive(h.messages(p2p(liaisonOf(units[0]!))))!.card)).toContain('已审核通过并列入计划安排表：「优化营商环境政策解读」。修改这些主题的名称、月份、形式、简介或领域后需重新审核');
    await submit(units[3]!, '民生实事办理情况座谈', 8);
  });

  it('a withdrawal is not a version, and superseded receipts lose their buttons in place', async () => {
    const u = units[3]!;
    const receipts = () => h.messages(u.chatId).filter((m) => m.msgType === 'interactive' && /申报回执|申报已撤回/.test(cardText(m.card)));
    const first = receipts().at(-1)!;
    expect(cardText(first.card)).toContain('的申报已收到（第 1 版）');
    const withdraw = await h.click(liaisonOf(u), first.messageId, buttonValue(first.card, { text: '撤回' }));
    expect(withdraw.toast?.type).toBe('success');
    await h.drainOutbox();
    const withdrawn = receipts().at(-1)!;
    expect(withdrawn.messageId).not.toBe(first.messageId);
    expect(cardText(withdrawn.card)).toContain('**撤回**了本单位的第 1 版申报');
    // The v1 receipt was updated in place: no 修改/撤回 left to click.
    const old = h.emulator.message(first.messageId)!;
    expect(cardText(old.card)).toContain('申报回执（已被取代）');
    expect(cardText(old.card)).toContain('本单位的申报已撤回');
    expect(buttons(old.card)).toEqual([]);
    // The liaison's submitted form (申报已提交) in the direct chat is updated to say so as well.
    const dm = h.messages(p2p(liaisonOf(u))).filter((m) => m.msgType === 'interactive');
    expect(dm.map((m) => cardText(m.card)).filter((t) => t.includes('申报已提交'))).toEqual([]);
    expect(cardText(dm.at(-1)!.card)).toContain('的申报已于 2023-04-03');
    expect(cardText(dm.at(-1)!.card)).toContain('撤回。截止前可在本单位工作群的撤回回执上点击“重新填写申报表”');

    await submit(u, '民生实事办理情况座谈（重新提交）', 8);
    const second = receipts().at(-1)!;
    expect(cardText(second.card)).toContain('的申报已收到（第 2 版）');
    expect(cardText(h.emulator.message(withdrawn.messageId)!.card)).toContain('这是第 1 版的撤回记录。本单位的申报已更新为第 2 版');
    expect(buttons(h.emulator.message(withdrawn.messageId)!.card)).toEqual([]);
  });

  it('after the deadline, publishing closes 申报 only for units without a window of their own', async () => {
    clock.set('2023-04-10T02:00:00Z');
    const refused = await openForm(units[4]!);
    expect(refused.r.toast?.content).toContain('已于 2023年4月7日（星期五） 截止');
    await approveAll(units[3]!);
    const confirm = await publishCard();
    expect(cardText(confirm.card)).not.toContain('还没到');
    expect(buttons(confirm.card).map((b) => b.text)).toEqual(['发布并截止申报', '仅发布，暂不截止申报', '返回编排']);
    await h.click(coordinator, confirm.messageId, buttonValue(confirm.card, { text: '发布并截止申报' }));
    await waitUntil(async () => (await versions()) === 2);
    await h.drainOutbox();
    expect(await status()).toBe('scheduled');
    const audit = await h.db.auditLog.findFirstOrThrow({ where: { action: 'campaign.status', entityId: campaignId } });
    expect(JSON.parse(audit.after!)).toMatchObject({ status: 'scheduled', closedFor: 2, keptWindows: 1, beforeDeadline: false });

    // Receipts of units whose 申报 closed are updated in place: no 修改/撤回.
    const receipt = h
      .messages(units[3]!.chatId)
      .filter((m) => m.msgType === 'interactive' && cardText(m.card).includes('申报回执'))
      .at(-1)!;
    expect(buttons(h.emulator.message(receipt.messageId)!.card)).toEqual([]);
    expect(cardText(h.emulator.message(receipt.messageId)!.card)).toContain('已过截止时间');

    // The unit holding an extension keeps it; a unit without one is told 申报 has closed.
    await submit(units[2]!, '城乡品质提升实地调研', 9);
    const closed = await openForm(units[4]!);
    expect(closed.r.toast?.content).toContain('的申报已截止（当前阶段：计划已发布）');
  });

  it('重新开放 never shortens what a unit has and ends on a working day', async () => {
    // units[2] has its extension to 04-14: an earlier reopening is refused, nothing changes.
    await h.say(coordinator, office, `重新开放 ${units[2]!.name} 至 2023-04-12`);
    await h.drainOutbox();
    expect(lastText(office)).toContain(`${units[2]!.name}目前可提交至 2023年4月14日（星期五），比 2023-04-12 更晚；重新开放不会缩短单位已有的期限`);
    expect((await h.db.submission.findFirstOrThrow({ where: { campaignId, unitId: units[2]!.id } })).reopenedUntil).toBeNull();
    // A Saturday moves to the Monday after.
    await h.say(coordinator, office, `重新开放 ${units[2]!.name} 至 2023-04-15`);
    await h.drainOutbox();
    expect(lastText(office)).toContain('已顺延至下一个工作日 2023年4月17日（星期一）');
    expect((await h.db.submission.findFirstOrThrow({ where: { campaignId, unitId: units[2]!.id } })).reopenedUntil).toBe('2023-04-17');
    // 延期 cannot shorten either.
    await h.say(coordinator, office, `延期 ${units[2]!.name} 2023-04-11`);
    await h.drainOutbox();
    expect(lastText(office)).toContain('延期不会缩短单位已有的期限');
  });

  it('a unit reopened after publication can submit, and its approved themes join the next version as a change', async () => {
    const u = units[4]!;
    await h.say(coordinator, office, `重新开放 ${u.name}`);
    await h.drainOutbox();
    // Default: three working days from Monday 04-10.
    expect(lastText(office)).toContain(`已为${u.name}重新开放申报至 2023年4月13日（星期四）`);
    await submit(u, '社会治理问卷调查', 10);
    await approveAll(u);
    await approveAll(units[2]!);
    const confirm = await publishCard();
    expect(cardText(confirm.card)).toContain('即将发布 **第 3 版**');
    expect(cardText(confirm.card)).toContain('与上一版相比 2 处变更');
    expect(buttons(confirm.card).map((b) => b.text)).toEqual(['确认发布', '返回编排']);
    await h.click(coordinator, confirm.messageId, buttonValue(confirm.card, { text: '确认发布' }));
    await waitUntil(async () => (await versions()) === 3);
    const v3 = await h.db.scheduleVersion.findFirstOrThrow({ where: { campaignId, version: 3 } });
    const changes = JSON.parse(v3.changes) as { kind: string; unitId: string }[];
    expect(
      changes
        .filter((c) => c.kind === 'added')
        .map((c) => c.unitId)
        .sort(),
    ).toEqual([units[2]!.id, u.id].sort());
  });

  it('shows the stage on 进度 and in 帮助, with examples valid today', async () => {
    // 总结 once published, before the first activity month: the unit's activities.
    await h.say(liaisonOf(units[0]!), units[0]!.chatId, '总结');
    await h.drainOutbox();
    expect(cardText(lastInteractive(h.messages(units[0]!.chatId))!.card)).toContain('2023 年本单位入选活动 1 项');

    await h.say(coordinator, office, '进度');
    await h.drainOutbox();
    const progress = cardText(lastInteractive(h.messages(office))!.card);
    expect(progress).toContain('当前阶段**：');
    expect(progress).toContain('【计划已发布】');
    expect(progress).toContain('可“重新开放”某个单位');

    await h.say(coordinator, office, '帮助');
    await h.drainOutbox();
    const help = lastInteractive(h.messages(office))!;
    expect(validateCard(help.card)).toEqual({ ok: true });
    const text = cardText(help.card);
    expect(text).toContain('【计划已发布】');
    expect(text).toContain('现在常用');
    // 现在常用 names the commands (described once, in the full list below).
    expect(text).toMatch(/现在常用\*\*：[^\n]*计划安排表/);
    // …the coordinator's own: 总结 is the units' (in the liaisons' list below).
    const nowLine = /现在常用\*\*：([^"\\]*)/.exec(text)![1]!;
    expect(nowLine).toBe('计划安排表、调整月份、发布计划、重新开放');
    expect(text.split('· **计划安排表**').length - 1).toBe(1);
    // Workflow order: launch before progress before review before publishing before evaluation.
    const at = (s: string) => text.indexOf(`· **${s}**`, text.indexOf('协调人（县政务公开办）可用'));
    for (const [a, b] of [
      ['发起申报', '进度'],
      ['进度', '审核'],
      ['审核', '发布计划'],
      ['发布计划', '总结进度'],
      ['总结进度', '开启评选'],
    ] as const)
      expect(at(a), `${a} before ${b}`).toBeLessThan(at(b));
    // Examples valid today (2023-04-10): next year's launch, dates after the deadline.
    expect(text).toContain('@主题日助手 发起申报 2024 截止 2024-04-07');
    // 延期 and 重新开放 name working days after today (4月10日, Monday): 5 and 4 of them. The
    // reopening example said 2023-04-15 (five calendar days, a Saturday), which the command moves on.
    const calendar = new WorkCalendar();
    const extendTo = /@主题日助手 延期 \S+ (\d{4}-\d{2}-\d{2})/.exec(text)![1]!;
    const reopenTo = /@主题日助手 重新开放 \S+ 至 (\d{4}-\d{2}-\d{2})/.exec(text)![1]!;
    expect([extendTo, reopenTo]).toEqual(['2023-04-17', '2023-04-14']);
    for (const d of [extendTo, reopenTo]) expect(calendar.isWorkday(d), d).toBe(true);
    // Commands that take a year show the campaign's year (their fixed examples said 2026).
    for (const c of ['进度', '导出申报表', '计划安排表', '总结进度', '开启评选']) expect(text).toContain(`@主题日助手 ${c} 2023`);
    expect(text).not.toMatch(/@主题日助手 (进度|导出申报表|计划安排表|总结进度|开启评选) 2026/);

    // 添加评委 without an @: a person named from the unit directory (the office group does not hold them).
    const liaison = units[1]!.liaisons.find((l) => l.role === 'primary')!;
    await h.say(coordinator, office, `添加评委 ${liaison.name} ${units[1]!.name}`);
    await h.drainOutbox();
    expect(lastText(office)).toContain(`已添加评委 ${liaison.name}（${units[1]!.name}，回避本单位活动）`);
    expect(await h.db.judge.findFirst({ where: { campaignId, openId: liaison.openId } })).toMatchObject({ unitId: units[1]!.id });
    // A name two people share: the coordinator picks the person on a card; a forged id is refused.
    await h.db.liaison.update({ where: { unitId_openId: { unitId: units[3]!.id, openId: liaisonOf(units[3]!) } }, data: { name: '同名者' } });
    await h.db.liaison.update({ where: { unitId_openId: { unitId: units[4]!.id, openId: liaisonOf(units[4]!) } }, data: { name: '同名者' } });
    await h.say(coordinator, office, '添加评委 同名者');
    await h.drainOutbox();
    const pick = lastInteractive(h.messages(office))!;
    expect(validateCard(pick.card)).toEqual({ ok: true });
    expect(
      buttons(pick.card)
        .map((b) => b.text)
        .sort(),
    ).toEqual([`同名者（${units[3]!.name}）`, `同名者（${units[4]!.name}）`].sort());
    expect((await h.click(coordinator, pick.messageId, { a: 'evaluation.add_judge_pick', o: 'ou_forged' })).toast?.content).toContain('名录中找不到');
    const picked = await h.click(coordinator, pick.messageId, buttonValue(pick.card, { text: `同名者（${units[4]!.name}）` }));
    expect(picked.toast?.content).toContain(`已添加评委 同名者（${units[4]!.name}，回避本单位活动）`);
    expect(await h.db.judge.findFirst({ where: { campaignId, openId: liaisonOf(units[4]!) } })).toMatchObject({ unitId: units[4]!.id });

    await h.say(coordinator, office, '添加评委 查无此人');
    await h.drainOutbox();
    expect(lastText(office)).toContain('名录中找不到“查无此人”');

    // A returned theme revised by the unit: its receipt in the group (v2, sent 4月3日, within
    // Feishu's 14-day update window) lists the revised theme.
    const u0 = units[3]!;
    const t0 = await h.db.theme.findFirstOrThrow({ where: { submission: { campaignId, unitId: u0.id }, state: 'active' } });
    await h.db.theme.update({ where: { id: t0.id }, data: { reviewStatus: 'returned', reviewFields: '["title"]', reviewReason: '请写明面向的对象' } });
    await h.say(liaisonOf(u0), u0.chatId, '帮助');
    await h.drainOutbox();
    const disposable = lastInteractive(h.messages(u0.chatId))!;
    const revised = await h.click(
      liaisonOf(u0),
      disposable.messageId,
      { a: 'review.revise_submit', themeId: t0.id, version: t0.version },
      { title: `${t0.title}企业专场`, month: String(t0.month), forms: JSON.parse(t0.forms) as string[], intro: t0.intro },
    );
    expect(revised.toast?.type, revised.toast?.content).toBe('success');
    await h.drainOutbox();
    const receipt = [...h.messages(u0.chatId)].reverse().find((m) => m.msgType === 'interactive' && cardText(m.card).includes('申报回执'))!;
    const receiptText = cardText(h.emulator.message(receipt.messageId)!.card);
    expect(receiptText).toContain(`${t0.title}企业专场`);
    // Its 第 N 版 and 提交人 are the submission's: the revised theme says who resubmitted it, and when.
    expect(receiptText).toContain(`v${t0.version + 1}：`);
    expect(receiptText).toContain('修改后重新提交审核');

    // In December 2026 the 发起申报 example still launches (next year, deadline ahead).
    clock.set('2026-12-04T02:00:00Z');
    await h.say(coordinator, office, '帮助');
    await h.drainOutbox();
    const dec = cardText(lastInteractive(h.messages(office))!.card);
    const example = /发起申报 (\d{4} 截止 \d{4}-\d{2}-\d{2})/.exec(dec)![1]!;
    const args = parseLaunchArgs(example, '2026-12-04');
    expect(args).toEqual({ year: 2027, deadline: '2027-04-07' });
    const launch = validateLaunch(2027, { title: 't', noticeDate: '2027-03-23', deadline: '2027-04-07', contactName: '李成英', contactPhone: '0731-84872387', contactEmail: 'CSX84872387@163.com' }, '2026-12-04');
    expect(launch.ok).toBe(true);
    expect(dec).toContain('设置工作日 2027-01-01 休息 元旦');
  });
});
