// 延期 and 重新开放 as the coordinator and the unit see them (found in a browser pass on 2026-12-07):
// a unit that has already submitted is told in its group (its receipt alone changed in place, so
// the "已通知该单位工作群" of the coordinator's answer was not true); a reopening that would change
// nothing says so instead of claiming to have reopened; a date that is no date is named as such;
// 发起申报 for a year already launched is refused at once, not after a fresh launch form; a stale
// form counts 第 N 版 as the receipts do, and a theme's history shows the unit's withdrawal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORY } from '../support/kit.ts';
import { PROVIDERS_UNDER_TEST } from '../support/db.ts';
import { startHarness, type DemoUnitInfo, type Harness } from '../support/harness.ts';
import { FakeClock } from '../../src/ports/clock.ts';
import { buttons, buttonValue, cardText, clickForm, lastInteractive } from './support.ts';
import { buildHistory } from '../../src/usecases/review/history.ts';
import { launchCampaignFanOut } from '../support/fan-out.ts';

const INTRO = '组织人大代表、政协委员和群众代表实地走访重点项目现场，介绍政策落实情况并听取意见建议。';

describe.each(PROVIDERS_UNDER_TEST)('延期 and 重新开放 as the unit sees them (%s)', STORY, (provider) => {
  let h: Harness;
  // Thursday 2023-03-30, before the deadline (Friday 2023-04-07).
  const clock = new FakeClock('2023-03-30T02:00:00Z');
  let coordinator: string;
  let office: string;
  let submitted: DemoUnitInfo;
  let pending: DemoUnitInfo;

  const liaisonOf = (u: DemoUnitInfo) => u.liaisons.find((l) => l.role === 'primary')!.openId;
  const appTexts = (chatId: string) => h.messages(chatId).filter((m) => m.msgType === 'text' && m.senderType === 'app');
  const lastText = (chatId: string) => appTexts(chatId).at(-1)?.text ?? '';
  const say = async (text: string) => {
    await h.say(coordinator, office, text);
    await h.drainOutbox();
    return lastText(office);
  };

  beforeAll(async () => {
    h = await startHarness({ provider, clock });
    coordinator = h.demo.coordinatorOpenId;
    office = h.demo.officeChatId;
    [submitted, pending] = h.demo.units as [DemoUnitInfo, DemoUnitInfo];
    await launchCampaignFanOut({ emulator: h.emulator, db: h.db, settle: () => h.drainOutbox() });
    await h.drainOutbox();
    const notice = [...h.messages(submitted.chatId)].reverse().find((m) => m.msgType === 'interactive' && buttons(m.card).some((b) => b.text === '填写申报表'))!;
    const opened = await h.click(liaisonOf(submitted), notice.messageId, buttonValue(notice.card, { text: '填写申报表' }));
    expect(opened.toast?.type).toBe('success');
    await h.drainOutbox();
    const form = lastInteractive(h.messages(h.emulator.p2pChatId(liaisonOf(submitted))))!;
    const s = await clickForm(h, liaisonOf(submitted), form.messageId, { name: 'btn_submit' }, { contact_phone: '0731-84875001', theme_title: '政策面对面', theme_month: '6', theme_forms: ['forum'], theme_intro: INTRO });
    expect(s.toast?.type, s.toast?.content).toBe('success');
    await h.drainOutbox();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('tells a unit that has submitted about its extension in its group, beside the receipt updated in place', async () => {
    const before = h.messages(submitted.chatId).length;
    const answer = await say(`延期 ${submitted.name} 2023-04-12`);
    expect(answer).toContain(`已将${submitted.name}的申报截止日期延长至 2023-04-12`);
    expect(answer).toContain('已通知该单位工作群');
    const told = h.messages(submitted.chatId).slice(before);
    expect(told.map((m) => m.text ?? '')).toContainEqual(`县政务公开办已将${submitted.name}的申报截止日期延长至 2023年4月12日（星期三）。本单位已提交的第 1 版申报在此之前仍可在群里的申报回执上修改或撤回。`);
    // The receipt itself is updated in place, not posted again.
    const receipts = h.messages(submitted.chatId).filter((m) => m.msgType === 'interactive' && cardText(m.card).includes('申报已收到'));
    expect(receipts).toHaveLength(1);
    expect(cardText(h.emulator.message(receipts[0]!.messageId)!.card)).toContain('2023年4月12日');
  });

  it('says a reopening would change nothing instead of claiming it reopened', async () => {
    const rows = () => h.db.submissionRevision.count({ where: { action: 'reopen' } });
    const before = await rows();
    const messages = h.messages(submitted.chatId).length;
    // Three working days from today end before what the unit already has (its extension).
    const answer = await say(`重新开放 ${submitted.name}`);
    expect(answer).toBe(`${submitted.name}目前已可提交至 2023年4月12日（星期三）（含当天），无需重新开放，未作修改。如需更晚，请写明日期，例如：重新开放 ${submitted.name} 至 4月17日`);
    // The same date typed: nothing to change either.
    expect(await say(`重新开放 ${submitted.name} 至 4月12日`)).toContain('无需重新开放，未作修改');
    // A unit without its own window: the campaign's deadline still runs, and reaches further.
    expect(await say(`重新开放 ${pending.name} 至 2023-04-07`)).toContain(`${pending.name}目前已可提交至 2023年4月7日（星期五）（含当天），无需重新开放`);
    expect(await rows()).toBe(before);
    expect(h.messages(submitted.chatId)).toHaveLength(messages);
    // A date reaching further still reopens, and says so.
    expect(await say(`重新开放 ${submitted.name} 至 2023-04-14`)).toContain(`已为${submitted.name}重新开放申报至 2023年4月14日（星期五）（含当天），已通知该单位工作群`);
    expect(lastText(submitted.chatId)).toContain(`县政务公开办已为${submitted.name}重新开放申报，2023年4月14日（星期五）前可提交`);
  });

  it('names a date that is no date, and gives examples in the campaign’s year', async () => {
    expect(await say(`延期 ${pending.name} 2023-13-45`)).toBe('“2023-13-45”不是有效的日期，请写成 4月14日 或 2023-04-14 这样的格式');
    expect(await say('延期 4月31日')).toContain('“4月31日”不是有效的日期');
    expect(await say(`重新开放 ${pending.name} 至 2月30日`)).toContain('“2月30日”不是有效的日期');
    expect(await say('延期')).toBe('请写明延期到哪一天，例如：延期 4月14日 或 延期 星沙街道 4月14日');
    expect((await h.db.submission.findFirstOrThrow({ where: { unitId: pending.id } })).deadlineOverride).toBeNull();
  });

  it('counts 第 N 版 as the receipts do when a stale form is refused (a withdrawal is no version), and the history tells the withdrawal', async () => {
    const [a, b] = (['primary', 'backup'] as const).map((role) => submitted.liaisons.find((l) => l.role === role)!.openId) as [string, string];
    const receipt = () => [...h.messages(submitted.chatId)].reverse().find((m) => m.msgType === 'interactive' && cardText(m.card).includes('申报已收到'))!;
    // Withdrawn, then submitted again: the lock's counter is at 3, the receipts say 第 2 版.
    clock.set('2023-03-30T03:00:00Z');
    const w = await h.click(a, receipt().messageId, buttonValue(receipt().card, { text: '撤回' }));
    expect(w.toast?.type, w.toast?.content).toBe('success');
    await h.drainOutbox();
    const withdrawn = [...h.messages(submitted.chatId)].reverse().find((m) => m.msgType === 'interactive' && cardText(m.card).includes('申报已撤回'))!;
    clock.set('2023-03-30T03:10:00Z');
    await h.click(a, withdrawn.messageId, buttonValue(withdrawn.card, { text: '重新填写申报表' }));
    await h.drainOutbox();
    const again = await clickForm(h, a, lastInteractive(h.messages(h.emulator.p2pChatId(a)))!.messageId, { name: 'btn_submit' });
    expect(again.toast?.type, again.toast?.content).toBe('success');
    await h.drainOutbox();
    expect(cardText(receipt().card)).toContain('第 2 版');
    // Both liaisons open 修改 on it; the primary submits first (第 3 版), the backup's form is stale.
    for (const who of [a, b]) await h.click(who, receipt().messageId, buttonValue(receipt().card, { text: '修改' }));
    await h.drainOutbox();
    const [fa, fb] = [a, b].map((who) => lastInteractive(h.messages(h.emulator.p2pChatId(who)))!);
    await clickForm(h, a, fa!.messageId, { name: 'btn_edit_0' });
    expect((await clickForm(h, a, fa!.messageId, { name: 'btn_submit' }, { theme_title: '政策面对面（修改）' })).toast?.type).toBe('success');
    await h.drainOutbox();
    expect(cardText(receipt().card)).toContain('第 3 版');
    await clickForm(h, b, fb!.messageId, { name: 'btn_edit_0' });
    const stale = await clickForm(h, b, fb!.messageId, { name: 'btn_submit' }, { theme_title: '备用联系人的主题' });
    expect(stale.toast?.content).toBe('本单位的申报已被更新为第 3 版，你的表单基于第 2 版，未提交');
    expect(cardText(stale.card)).toContain('本单位的申报已被更新为第 3 版');
    const rebased = await clickForm(h, b, fb!.messageId, { name: 'btn_rebase' });
    expect(rebased.toast?.content).toBe('将以你的内容为准，点击“提交申报”替换第 3 版');

    // The theme's history tells the withdrawal and the resubmission after it apart from an edit.
    const theme = await h.db.theme.findFirstOrThrow({ where: { submission: { unitId: submitted.id }, state: 'active' } });
    const history = (await buildHistory(h.db, theme.id))!.entries.map((e) => `${e.what}${e.detail ? `：${e.detail}` : ''}`);
    expect(history).toEqual(['撤回本单位的申报：全部主题随之撤回', '撤回后重新提交（v2）', '修改并重新提交（v3）']);
  });

  it('refuses 发起申报 for a year already launched at once, without a fresh launch form', async () => {
    const cards = h.messages(office).filter((m) => m.msgType === 'interactive').length;
    expect(await say('发起申报 2023')).toBe('2023 年的申报已于 2023-03-30 发起，不能重复发起。可用“延期”调整截止日期，用“进度”查看各单位的提交情况。');
    expect(h.messages(office).filter((m) => m.msgType === 'interactive')).toHaveLength(cards);
  });
  // A browser pass (2026-12-07): after the deadline 催办 sent units to a form that refused them
  // without saying so, and once the year was over 延期 and 重新开放 reported success for windows
  // in which every month was already past.
  it('after the deadline, 催办 says which units need 重新开放 before they can submit', async () => {
    clock.set('2023-04-10T02:00:00Z'); // Monday after the deadline
    await h.say(coordinator, office, `催办 ${pending.name}`);
    await h.drainOutbox();
    const preview = lastInteractive(h.messages(office))!;
    expect(cardText(preview.card)).toContain('催办预览');
    expect(cardText(preview.card)).toContain(`${pending.name}的申报已截止：联系人收到催办后，需先由你发送“重新开放 ${pending.name}”才能提交（截止后提交记为逾期）`);
    expect(buttons(preview.card).map((b) => b.text)).toContain('确认催办');
  });

  it('once every month of the year is past, refuses 延期 and 重新开放 and nudges nobody', async () => {
    clock.set('2024-01-08T02:00:00Z');
    const over = '2023 年已经过去，各单位已不能再申报该年度的活动，未作修改。如需开展新一年的申报，请发送“发起申报”。';
    expect(await say(`重新开放 ${pending.name}`)).toBe(over);
    expect(await say(`延期 ${pending.name} 2024-01-20`)).toBe(over);
    expect(await say('延期 2024-01-20')).toBe(over);
    const sub = await h.db.submission.findFirstOrThrow({ where: { unitId: pending.id } });
    expect([sub.deadlineOverride, sub.reopenedUntil]).toEqual([null, null]);
    await h.say(coordinator, office, '催办');
    await h.drainOutbox();
    const preview = lastInteractive(h.messages(office))!;
    expect(cardText(preview.card)).toContain('没有需要催办的单位');
    expect(cardText(preview.card)).toContain('2023 年已经过去，各单位已不能再申报该年度的活动，未发送催办');
    expect(buttons(preview.card).map((b) => b.text)).not.toContain('确认催办');
    // the progress card's button says so too, instead of asking to press a 确认催办 that is not there
    await h.say(coordinator, office, '进度');
    await h.drainOutbox();
    const progress = lastInteractive(h.messages(office))!;
    const pressed = await h.click(coordinator, progress.messageId, buttonValue(progress.card, { text: '催办未提交单位' }));
    expect(pressed.toast?.content).toBe('没有需要催办的单位，原因见预览卡片');
  });
});
