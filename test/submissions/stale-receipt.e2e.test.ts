// An older receipt clicked after a newer version (issue 13, item 7, past Feishu's 14-day update
// window): postReceipt turns older receipts grey in place only within 14 days of sending them
// ("发送卡片后，支持在 14 天内更新卡片", feishu-cards/update-feishu-card), so a receipt from March
// superseded in April keeps its 修改/撤回. A click on it must not act on the old version: 撤回 is
// refused with a toast naming the current version (when and by whom), and, while the card is still
// inside the window, the answer turns the clicked card grey.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORY } from '../support/kit.ts';
import { PROVIDERS_UNDER_TEST } from '../support/db.ts';
import { startHarness, type DemoUnitInfo, type Harness } from '../support/harness.ts';
import { FakeClock } from '../../src/ports/clock.ts';
import { buttons, buttonValue, cardText, clickForm, lastInteractive } from './support.ts';

const INTRO = '组织人大代表、政协委员和群众代表实地走访重点项目现场，介绍政策落实情况并听取意见建议。';

describe.each(PROVIDERS_UNDER_TEST)('a superseded receipt clicked (%s)', STORY, (provider) => {
  let h: Harness;
  const clock = new FakeClock('2023-03-23T02:00:00Z');
  let unit: DemoUnitInfo;
  let liaison: string;
  const receipts = () => h.messages(unit.chatId).filter((m) => m.msgType === 'interactive' && cardText(m.card).includes('申报回执'));

  async function submit(title: string) {
    const notice = [...h.messages(unit.chatId)].reverse().find((m) => m.msgType === 'interactive' && buttons(m.card).some((b) => b.text === '填写申报表'))!;
    const opened = await h.click(liaison, notice.messageId, buttonValue(notice.card, { text: '填写申报表' }));
    expect(opened.toast?.type).toBe('success');
    await h.drainOutbox();
    const form = lastInteractive(h.messages(h.emulator.p2pChatId(liaison)))!;
    const s = await clickForm(h, liaison, form.messageId, { name: 'btn_submit' }, { contact_phone: '0731-84875001', theme_title: title, theme_month: '6', theme_forms: ['forum'], theme_intro: INTRO });
    expect(s.toast?.type, s.toast?.content).toBe('success');
    await h.drainOutbox();
    return receipts().at(-1)!;
  }

  beforeAll(async () => {
    h = await startHarness({ provider, clock });
    unit = h.demo.units[0]!;
    liaison = unit.liaisons.find((l) => l.role === 'primary')!.openId;
    await h.say(h.demo.coordinatorOpenId, h.demo.officeChatId, '发起申报 2023');
    await h.drainOutbox();
    const launch = lastInteractive(h.messages(h.demo.officeChatId))!;
    const ok = await clickForm(h, h.demo.coordinatorOpenId, launch.messageId, { name: 'btn_launch' }, { launch_contact_phone: '0731-84872387', launch_contact_email: 'CSX84872387@163.com' });
    expect(ok.toast?.type).toBe('success');
    await h.drainOutbox();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('past 14 days the old receipt keeps its buttons; 撤回 on it is refused naming the current version', async () => {
    const v1 = await submit('优化营商环境政策解读');
    expect(cardText(v1.card)).toContain('第 1 版');
    const withdrawV1 = buttonValue(v1.card, { text: '撤回' });
    // Fifteen days later (the deadline day) the unit submits again: the March receipt is past the window.
    clock.set('2023-04-07T03:00:00Z');
    const v2 = await submit('优化营商环境政策解读（修改）');
    expect(cardText(v2.card)).toContain('第 2 版');
    expect(buttons(h.emulator.message(v1.messageId)!.card).map((b) => b.text)).toEqual(['修改', '撤回']);

    const click = await h.click(liaison, v1.messageId, withdrawV1);
    expect(click.toast?.type).toBe('warning');
    expect(click.toast?.content).toContain('这是第 1 版的回执，已被取代：本单位的申报现在是第 2 版（2023-04-07 11:00');
    expect(click.toast?.content).toContain('请以本群最新的回执为准');
    // No card in the answer: Feishu would not apply it to a card older than 14 days.
    expect(click.cardReplaced).toBe(false);
    expect(click.errorDetail).toBeUndefined();
    const s = await h.db.submission.findFirstOrThrow({ where: { unitId: unit.id } });
    expect(s.status).toBe('submitted');
    expect(await h.db.auditLog.count({ where: { action: 'submission.withdraw', decision: 'deny', actorOpenId: liaison } })).toBe(1);

    // 修改 on it opens the current version's form privately and says so.
    const edit = await h.click(liaison, v1.messageId, buttonValue(v1.card, { text: '修改' }));
    expect(edit.toast?.content).toContain('本单位的申报现在是第 2 版');
    expect(edit.toast?.content).toContain('已把最新的申报表发到你与主题日助手的私聊');
    expect(edit.cardReplaced).toBe(false);
  });

  it('within 14 days a click on an older receipt turns it grey in place', async () => {
    const v2 = receipts().at(-1)!;
    const withdrawV2 = buttonValue(v2.card, { text: '撤回' });
    clock.set('2023-04-07T05:00:00Z');
    await submit('优化营商环境政策解读（第三稿）');
    // Already patched grey by postReceipt; a click with the old button (as on a device that still shows it) answers with the grey card again.
    const click = await h.click(liaison, v2.messageId, withdrawV2);
    expect(click.toast?.content).toContain('这是第 2 版的回执，已被取代：本单位的申报现在是第 3 版');
    expect(click.cardReplaced).toBe(true);
    const now = h.emulator.message(v2.messageId)!.card;
    expect(cardText(now)).toContain('申报回执（已被取代）');
    expect(buttons(now)).toEqual([]);
  });
});
