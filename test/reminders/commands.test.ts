// Coordinator commands and card actions through the bot router (real database, outbox observed):
// 催办 with preview / confirm / cool-down, 提醒记录, 设置工作日 / 工作日列表 / 删除工作日, refusals.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reminderActions } from '../../cards/actions.ts';
import { STORY } from '../support/kit.ts';
import { createTestDatabase, PROVIDERS_UNDER_TEST, type TestDatabase } from '../support/db.ts';
import { Bot, type AppServices } from '../../src/app/bot.ts';
import type { MessageEvent } from '../../src/app/events.ts';
import { FakeClock } from '../../src/ports/clock.ts';
import { atShanghai } from '../../src/domain/time.ts';
import { registerReminders } from '../../src/handlers/reminders.ts';
import { reminderLogSection } from '../../src/usecases/reminders/log.ts';
import { runReminders } from '../../src/usecases/reminders/run.ts';
import { validateCard } from '../../src/emulator/card-schema.ts';
import type { CardJson } from '../../cards/kit.ts';
import { cardText, COORDINATOR, makeServices, OFFICE_CHAT, outbox, seedCounty, submit, type Seeded, groupMessage, cardClick as click } from './support.ts';

const message = (sender: string, chatId: string, text: string): MessageEvent => groupMessage(sender, chatId, text, new Date('2023-03-20T02:00:00Z'));

/** Callback values of every button in a card. */
function buttonValues(card: CardJson | undefined): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (o.tag === 'button' && Array.isArray(o.behaviors)) for (const b of o.behaviors as { value?: Record<string, unknown> }[]) if (b.value) out.push(b.value);
      Object.values(o).forEach(walk);
    }
  };
  walk(card);
  return out;
}

// A sequential story: each test continues from the state the previous one left.
describe.each(PROVIDERS_UNDER_TEST)('reminder commands and actions (%s)', STORY, (provider) => {
  let db: TestDatabase;
  let services: AppServices;
  let bot: Bot;
  let seeded: Seeded;
  const clock = new FakeClock(atShanghai('2023-04-06', '15:00'));

  beforeAll(async () => {
    db = await createTestDatabase(provider);
    services = makeServices(db.client, clock, db.url);
    bot = new Bot(services);
    registerReminders(bot);
    seeded = await seedCounty(db.client);
    await submit(db.client, seeded.units.huangxing, atShanghai('2023-03-30', '10:00'));
  });
  afterAll(async () => {
    await db?.destroy();
  });

  const replyTo = async (m: MessageEvent) => (await outbox(db.client)).find((o) => o.key === `reply:${m.messageId}#1`)!;

  it('refuses 催办 from someone who is not a coordinator, explains and audits', async () => {
    const m = message('ou_xs1', 'oc_xingsha', '催办');
    await bot.dispatch(m);
    expect((await replyTo(m)).text).toContain('只有县政务公开办的协调人');
    expect(await db.client.auditLog.count({ where: { actorOpenId: 'ou_xs1', decision: 'deny', action: 'reminders.nudge' } })).toBe(1);
    const r = await bot.dispatch(click('ou_xs1', 'oc_xingsha', { a: 'reminders.nudge_confirm', previewId: '0123456789abcdef' }));
    expect(r.response.toast?.type).toBe('error');
    expect(await db.client.auditLog.count({ where: { actorOpenId: 'ou_xs1', decision: 'deny', action: 'reminder.nudge_confirm' } })).toBe(1);
  });

  it('refuses 催办 outside its stages with the stage, when it is used and what to do next (issue 13)', async () => {
    const before = await db.client.campaign.findUniqueOrThrow({ where: { id: seeded.campaignId } });
    await db.client.campaign.update({ where: { id: seeded.campaignId }, data: { status: 'scheduled' } });
    try {
      const m = message(COORDINATOR, OFFICE_CHAT, '催办 星沙街道');
      await bot.dispatch(m);
      const text = (await replyTo(m)).text;
      expect(text).toContain('当前阶段为“计划已发布”');
      expect(text).toContain('“催办”在申报中、审核中阶段使用');
      expect(text).toContain('下一步：');
      expect(await db.client.auditLog.count({ where: { actorOpenId: COORDINATOR, decision: 'deny', action: 'reminders.nudge', reason: 'stage scheduled' } })).toBe(1);
      expect((await outbox(db.client)).some((o) => o.key.startsWith('nudge:'))).toBe(false);
    } finally {
      await db.client.campaign.update({ where: { id: seeded.campaignId }, data: { status: before.status } });
    }
  });

  it('previews, then sends on 确认催办 (with 加急), once even when clicked twice', async () => {
    const m = message(COORDINATOR, OFFICE_CHAT, '催办 星沙街道 黄兴镇 不存在 加急');
    await bot.dispatch(m);
    const preview = (await replyTo(m)).card!;
    expect(validateCard(preview)).toEqual({ ok: true });
    const text = cardText(preview);
    expect(text).toContain('星沙街道');
    expect(text).toContain('群内@ + 加急');
    expect(text).toContain('黄兴镇 已提交，无需催办');
    expect(text).toContain('未找到单位“不存在”');
    expect(await db.client.reminderLog.count()).toBe(0); // a preview sends nothing
    const confirm = buttonValues(preview).find((v) => v.a === reminderActions.nudgeConfirm.name)!;
    expect(confirm.force).toBe(false);

    const r = await bot.dispatch(click(COORDINATOR, OFFICE_CHAT, confirm));
    expect(r.response.toast).toMatchObject({ type: 'success', content: '已催办 1 个单位' });
    expect(validateCard(r.response.card)).toEqual({ ok: true });
    const sent = (await outbox(db.client)).filter((o) => o.key.startsWith('nudge:'));
    expect(sent.map((o) => [o.op, o.target])).toEqual([
      ['send', 'oc_xingsha'],
      ['urgent', `key:${sent[0]!.key}`],
    ]);
    expect(cardText(sent[0]!.card)).toContain('<at id=ou_xs1></at>');
    expect(sent[1]!.openIds).toEqual(['ou_xs1', 'ou_xs2']);

    const again = await bot.dispatch(click(COORDINATOR, OFFICE_CHAT, confirm));
    expect(again.response.toast?.content).toBe('没有需要发送的催办');
    expect((await outbox(db.client)).filter((o) => o.key.startsWith('nudge:'))).toHaveLength(2);
    expect((await db.client.reminderLog.findMany({ where: { kind: 'nudge' } })).map((r) => r.channel).sort()).toEqual(['group', 'urgent']);
  });

  it('asks for explicit confirmation within the cool-down and shows when the last 催办 was', async () => {
    clock.set(atShanghai('2023-04-06', '17:00'));
    const m = message(COORDINATOR, OFFICE_CHAT, '催办');
    await bot.dispatch(m);
    const preview = (await replyTo(m)).card!;
    const text = cardText(preview);
    expect(text).toContain('2023-04-06 15:00'); // 星沙街道's last one
    expect(text).toContain('县财政局');
    expect(text).toContain('县教育局');
    expect(text).not.toContain('黄兴镇');
    const confirm = buttonValues(preview).find((v) => v.a === reminderActions.nudgeConfirm.name)!;
    expect(confirm.force).toBe(true);
    expect(text).toContain('再次催办？');

    // A stale button without force (e.g. an older preview) is turned back into the warning.
    const stale = await bot.dispatch(click(COORDINATOR, OFFICE_CHAT, { ...confirm, force: false }));
    expect(stale.response.toast?.type).toBe('warning');
    expect(cardText(stale.response.card)).toContain('仍要催办');

    const r = await bot.dispatch(click(COORDINATOR, OFFICE_CHAT, confirm));
    expect(r.response.toast?.content).toBe('已催办 3 个单位');
    // 县财政局 has no group: direct message to its liaison
    expect((await outbox(db.client)).some((o) => o.key.startsWith('nudge:') && o.target === 'ou_cz1')).toBe(true);
  });

  it('reminders.nudge_preview from the progress card posts a preview in that chat', async () => {
    const r = await bot.dispatch(click(COORDINATOR, OFFICE_CHAT, { a: 'reminders.nudge_preview', campaignId: seeded.campaignId }));
    expect(r.response.toast?.type).toBe('info');
    const posted = (await outbox(db.client)).filter((o) => o.key.startsWith('reply:') && o.op === 'send');
    expect(posted).toHaveLength(1);
    expect(posted[0]).toMatchObject({ op: 'send', target: OFFICE_CHAT });
    expect(validateCard(posted[0]!.card)).toEqual({ ok: true });
  });

  it('提醒记录 shows sent and skipped reminders with their delivery result; the progress card section too', async () => {
    clock.set(atShanghai('2023-04-07', '09:45'));
    await runReminders(services, atShanghai('2023-04-07', '09:45'));
    await db.client.outboxMessage.updateMany({ where: { target: 'oc_xingsha' }, data: { status: 'sent' } });
    const m = message(COORDINATOR, OFFICE_CHAT, '提醒记录 30');
    await bot.dispatch(m);
    const card = (await replyTo(m)).card!;
    expect(validateCard(card)).toEqual({ ok: true });
    const text = cardText(card);
    expect(text).toContain('截止当天提醒');
    expect(text).toContain('手动催办');
    expect(text).toContain('已送达');
    expect(text).toContain('停机错过'); // the earlier ones, before this test's first tick
    const section = await reminderLogSection(db.client, seeded.campaignId);
    expect(section.map((e) => e.tag)).toEqual(['markdown', 'table']);
  });

  it('设置工作日 / 工作日列表 / 删除工作日: coordinator-only, validated, audited', async () => {
    const bad = message(COORDINATOR, OFFICE_CHAT, '设置工作日 2027-02-30 休息');
    await bot.dispatch(bad);
    expect((await replyTo(bad)).text).toContain('2027-02-30');
    const set = message(COORDINATOR, OFFICE_CHAT, '设置工作日 2027-01-01 休息 元旦');
    await bot.dispatch(set);
    expect(validateCard((await replyTo(set)).card)).toEqual({ ok: true });
    const set2 = message(COORDINATOR, OFFICE_CHAT, '设置工作日 2027-02-06 上班 调休');
    await bot.dispatch(set2);
    expect(await db.client.calendarOverride.findMany({ orderBy: { date: 'asc' }, select: { date: true, isWorkday: true, note: true, createdBy: true } })).toEqual([
      { date: '2027-01-01', isWorkday: false, note: '元旦', createdBy: COORDINATOR },
      { date: '2027-02-06', isWorkday: true, note: '调休', createdBy: COORDINATOR },
    ]);
    expect(await db.client.auditLog.count({ where: { action: 'calendar.override_set' } })).toBe(2);
    const list = message(COORDINATOR, OFFICE_CHAT, '工作日列表 2027');
    await bot.dispatch(list);
    const listText = cardText((await replyTo(list)).card);
    expect(listText).toContain('2027-02-06');
    expect(listText).toContain('没有内置节假日数据');
    const del = message(COORDINATOR, OFFICE_CHAT, '删除工作日 2027-02-06');
    await bot.dispatch(del);
    expect(await db.client.calendarOverride.count()).toBe(1);
    const denied = message('ou_xs1', 'oc_xingsha', '设置工作日 2027-01-02 休息');
    await bot.dispatch(denied);
    expect((await replyTo(denied)).text).toContain('只有');
    expect(await db.client.calendarOverride.count()).toBe(1);
  });
});
