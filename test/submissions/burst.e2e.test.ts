// A burst of liaisons pressing 提交申报 at once (issue 17 goal 1, card half), end to end: real SDK,
// the emulator posting signed callbacks over HTTP, a real database, a fake clock. While a press is
// being processed, the others are stored in the inbox and answered at once (已收到，正在处理…);
// the inbox processes them in order per chat and their cards follow as delayed updates (Feishu:
// after the answer, with the callback's token, within 30 min, at most twice — enforced by the
// emulator). Every press takes effect exactly once; a queued press with invalid values ends with
// the form showing its errors and what was typed (nothing lost). Not timed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORY } from '../support/kit.ts';
import { PROVIDERS_UNDER_TEST } from '../support/db.ts';
import { startHarness, type DemoUnitInfo, type Harness } from '../support/harness.ts';
import { FakeClock } from '../../src/ports/clock.ts';
import { QUEUED_TOAST } from '../../src/app/card-intake.ts';
import { buttonValue, cardText, clickForm, errorNotes, lastInteractive, shownFormValues } from './support.ts';

const BURST = 30;
const INTRO = '组织人大代表、政协委员和群众代表实地走访重点项目现场，介绍政策落实情况并听取意见建议。';

describe.each(PROVIDERS_UNDER_TEST)('card-callback burst: %s', STORY, (provider) => {
  let h: Harness;
  const clock = new FakeClock('2023-03-23T02:00:00Z');
  let units: DemoUnitInfo[];
  let campaignId: string;
  const forms = new Map<string, string>(); // liaison → form message id

  const liaisonOf = (u: DemoUnitInfo) => u.liaisons.find((l) => l.role === 'primary')!.openId;
  const p2p = (openId: string) => h.emulator.p2pChatId(openId);
  const values = (i: number) => ({
    contact_phone: '0731-84875001',
    theme_title: `优化营商环境政策面对面 第${i}场`,
    theme_month: String(5 + (i % 7)),
    theme_forms: ['observe', 'forum'],
    theme_intro: INTRO,
  });

  beforeAll(async () => {
    // Not a timing test (the bench measures the answers): the emulator waits for every answer.
    h = await startHarness({ provider, clock, emulator: { ackTimeoutMs: 60_000 } });
    units = h.demo.units.slice(0, BURST + 1);
    await h.db.unit.updateMany({ where: { id: { notIn: units.map((u) => u.id) } }, data: { active: false } });
    await h.say(h.demo.coordinatorOpenId, h.demo.officeChatId, '发起申报 2023');
    await h.drainOutbox();
    const launch = lastInteractive(h.messages(h.demo.officeChatId))!;
    const launched = await clickForm(h, h.demo.coordinatorOpenId, launch.messageId, { name: 'btn_launch' });
    expect(launched.toast?.type).toBe('success');
    await h.drainOutbox();
    campaignId = (await h.db.campaign.findUniqueOrThrow({ where: { year: 2023 } })).id;
    // Each liaison opens the form (one at a time: these are answered inline).
    for (const u of units) {
      const notice = h.messages(u.chatId).find((m) => m.msgType === 'interactive' && cardText(m.card).includes('submission.open'))!;
      const r = await h.click(liaisonOf(u), notice.messageId, buttonValue(notice.card, { text: '填写申报表' }));
      expect(r.toast?.type, u.name).toBe('success');
      await h.drainOutbox();
      forms.set(liaisonOf(u), lastInteractive(h.messages(p2p(liaisonOf(u))))!.messageId);
    }
  }, 240_000);
  afterAll(async () => {
    await h?.stop();
  });

  it(`answers all ${BURST} presses at once; each takes effect exactly once; queued ones end with the submitted card`, async () => {
    const burst = units.slice(0, BURST);
    // A press is being processed when the burst arrives (deterministic: on SQLite the driver is
    // synchronous and this in-process client would otherwise deliver the presses one by one).
    const busy = h.app.cardAdmission.tryInline();
    expect(busy).toBeDefined();
    // One press carries invalid values: wherever it lands (inline or queued) it ends as the form with its errors.
    const bad = 7;
    const answers = await Promise.all(burst.map((u, i) => clickForm(h, liaisonOf(u), forms.get(liaisonOf(u))!, { name: 'btn_submit' }, i === bad ? { ...values(i), contact_phone: '12345', theme_title: '' } : values(i))));
    busy!();
    for (const [i, a] of answers.entries()) {
      expect(a.error, `press ${i}: ${a.errorDetail ?? ''}`).toBeUndefined();
      expect(a.httpStatus).toBe(200);
    }
    const queued = answers.filter((a) => a.toast?.content === QUEUED_TOAST);
    // An inline press slower than the callback budget (a loaded machine) is answered 正在处理 and its card follows the same way.
    const late = answers.filter((a) => a.toast?.content === '正在处理，请稍候');
    const direct = answers.filter((a) => !queued.includes(a) && !late.includes(a));
    expect(queued.length, 'presses arriving while another is processed are queued').toBe(BURST);
    for (const a of [...queued, ...late]) {
      expect(a.toast?.type).toBe('info');
      expect(a.cardReplaced).toBe(false);
    }
    for (const a of direct) expect(a.cardReplaced).toBe(true);

    await h.drainOutbox();
    expect(await h.db.inboxEvent.count({ where: { kind: 'card_action', status: { not: 'done' } } })).toBe(0);
    expect(await h.db.submission.count({ where: { campaignId, status: 'submitted' } })).toBe(BURST - 1);
    // Exactly once: one accepted revision per unit, one receipt to each unit's group.
    for (const [i, u] of burst.entries()) {
      const s = await h.db.submission.findFirstOrThrow({ where: { campaignId, unitId: u.id }, include: { revisions: true, themes: true } });
      const card = h.emulator.message(forms.get(liaisonOf(u))!)!.card;
      if (i === bad) {
        expect(s.status).toBe('pending');
        expect(s.revisions).toHaveLength(0);
        expect(errorNotes(card).join('\n')).toMatch(/联系电话格式不正确/);
        expect(shownFormValues(card)).toMatchObject({ contact_phone: '12345', theme_forms: ['observe', 'forum'], theme_intro: INTRO });
        continue;
      }
      expect(s.status, u.name).toBe('submitted');
      expect(
        s.revisions.filter((r) => r.action === 'submit'),
        u.name,
      ).toHaveLength(1);
      expect(s.themes.map((t) => t.title)).toEqual([`优化营商环境政策面对面 第${i}场`]);
      expect(cardText(card), u.name).toContain('申报已提交');
      const receipts = h.messages(u.chatId).filter((m) => m.msgType === 'interactive' && cardText(m.card).includes('submission.withdraw'));
      expect(receipts, u.name).toHaveLength(1);
    }
    // Queued presses: their card came as one delayed update each (and one outbox row each).
    const delayed = burst.filter((u) => h.emulator.message(forms.get(liaisonOf(u))!)!.history.some((x) => x.via === 'delayed_update'));
    expect(delayed).toHaveLength(queued.length + late.length);
    expect(await h.db.outboxMessage.count({ where: { idempotencyKey: { startsWith: 'late-card:' }, status: 'sent' } })).toBe(queued.length + late.length);
    expect(await h.db.outboxMessage.count({ where: { status: { in: ['failed', 'dead'] } } })).toBe(0);
  }, 120_000);

  it('a queued press with invalid values ends with the error form; fixed, it is submitted', async () => {
    const u = units[BURST]!;
    const openId = liaisonOf(u);
    const form = forms.get(openId)!;
    // Another press is being processed: this one is queued.
    const busy = h.app.cardAdmission.tryInline();
    expect(busy).toBeDefined();
    const r = await clickForm(h, openId, form, { name: 'btn_submit' }, { ...values(99), theme_month: '', theme_intro: '  ' });
    busy!();
    expect(r.toast).toEqual({ type: 'info', content: QUEUED_TOAST });
    expect(r.cardReplaced).toBe(false);
    await h.drainOutbox();
    const card = h.emulator.message(form)!.card;
    expect(h.emulator.message(form)!.history.at(-1)?.via).toBe('delayed_update');
    expect(errorNotes(card).join('\n')).toMatch(/月份/);
    expect(shownFormValues(card)).toMatchObject({ theme_title: '优化营商环境政策面对面 第99场', contact_phone: '0731-84875001' });
    expect((await h.db.submission.findFirstOrThrow({ where: { campaignId, unitId: u.id } })).status).toBe('pending');

    // Nothing idle any more: the next press is answered inline with the real answer.
    const ok = await clickForm(h, openId, form, { name: 'btn_submit' }, { theme_month: '6', theme_intro: INTRO });
    expect(ok.toast?.type, ok.toast?.content).toBe('success');
    expect(ok.cardReplaced).toBe(true);
    expect(cardText(ok.card)).toContain('申报已提交');
    expect((await h.db.submission.findFirstOrThrow({ where: { campaignId, unitId: u.id } })).status).toBe('submitted');
  }, 60_000);
});
