// End to end through the harness (the real app and SDK over HTTP to the emulator): a campaign
// launched by the coordinator, the scheduler's ticks on a fake clock, reminders with @mentions
// in the units' groups, 加急 recorded by the emulator, the leader escalation, a unit submitting
// from the reminder card and receiving nothing more, 催办 from the coordinator, and 提醒记录.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORY, buildCampaign } from '../support/kit.ts';
import { PROVIDERS_UNDER_TEST } from '../support/db.ts';
import { startHarness, type DemoUnitInfo, type Harness } from '../support/harness.ts';
import { FakeClock } from '../../src/ports/clock.ts';
import { atShanghai } from '../../src/domain/time.ts';
import { validateCard } from '../../src/emulator/card-schema.ts';
import type { EmuMessage } from '../../src/emulator/types.ts';

function text(card: unknown): string {
  return JSON.stringify(card ?? {});
}

function buttonValue(card: unknown, label: string): Record<string, unknown> {
  let found: Record<string, unknown> | undefined;
  const walk = (node: unknown): void => {
    if (found) return;
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      const t = o.text as { content?: string } | undefined;
      if (o.tag === 'button' && t?.content === label && Array.isArray(o.behaviors)) {
        found = (o.behaviors as { value: Record<string, unknown> }[])[0]!.value;
        return;
      }
      Object.values(o).forEach(walk);
    }
  };
  walk(card);
  if (!found) throw new Error(`no button ${label} in ${text(card).slice(0, 300)}`);
  return found;
}

const reminderCards = (list: EmuMessage[]) => list.filter((m) => m.msgType === 'interactive' && text(m.card).includes('尚未报送'));

// A sequential story: each test continues from the state the previous one left.
describe.each(PROVIDERS_UNDER_TEST)('reminders end to end (%s)', STORY, (provider) => {
  let h: Harness;
  let units: DemoUnitInfo[];
  let coordinator: string;
  let office: string;
  const clock = new FakeClock(atShanghai('2023-03-23', '10:00'));

  beforeAll(async () => {
    h = await startHarness({ provider, clock });
    coordinator = h.demo.coordinatorOpenId;
    office = h.demo.officeChatId;
    // Three units with groups and liaisons, one of them with a 分管领导; the rest inactive this year.
    const withLeader = h.demo.units.find((u) => u.leaderOpenId && u.liaisons.length > 0)!;
    units = [withLeader, ...h.demo.units.filter((u) => u !== withLeader && u.liaisons.length > 0).slice(0, 2)];
    await h.db.unit.updateMany({ where: { id: { notIn: units.map((u) => u.id) } }, data: { active: false } });
    // The campaign as the submissions feature launches it (its own e2e covers the launch card).
    const campaign = await h.db.campaign.create({ data: buildCampaign({ launchedBy: coordinator }) });
    for (const u of units) await h.db.submission.create({ data: { campaignId: campaign.id, unitId: u.id } });
  });
  afterAll(async () => {
    await h?.stop();
  });

  async function day(date: string): Promise<void> {
    await h.tick(atShanghai(date, '09:29'));
    await h.tick(atShanghai(date, '09:45'));
    await h.drainOutbox();
  }

  it('reminds each pending unit in its group with @mentions and the 填写申报表 button', async () => {
    await day('2023-03-27');
    const digest = h.messages(office).filter((m) => text(m.card).includes('申报进度周报'));
    expect(digest).toHaveLength(1);
    await day('2023-03-28');
    for (const u of units) {
      const cards = reminderCards(h.messages(u.chatId));
      expect(cards, u.name).toHaveLength(1);
      expect(validateCard(cards[0]!.card)).toEqual({ ok: true });
      for (const l of u.liaisons) expect(text(cards[0]!.card)).toContain(`<at id=${l.openId}></at>`);
      expect(text(cards[0]!.card)).toContain('截止时间');
    }
    // a second tick the same morning sends nothing more
    await h.tick(atShanghai('2023-03-28', '10:30'));
    await h.drainOutbox();
    for (const u of units) expect(reminderCards(h.messages(u.chatId))).toHaveLength(1);
  });

  it('a unit that opens the form from the reminder and submits gets no more reminders', async () => {
    const u = units[2]!;
    const reminder = reminderCards(h.messages(u.chatId))[0]!;
    const r = await h.click(u.liaisons[0]!.openId, reminder.messageId, buttonValue(reminder.card, '填写申报表'));
    expect(r.toast?.type ?? 'info', JSON.stringify(r)).not.toBe('error');
    expect(r.toast?.content ?? '', 'the submissions feature handles the button').not.toContain('按钮无效');
    // (the form itself is the submissions feature's; here the submission is recorded directly)
    await h.db.submission.updateMany({ where: { unitId: u.id }, data: { status: 'submitted', submittedAt: atShanghai('2023-03-29', '10:00'), version: 1 } });
    for (const d of ['2023-04-03', '2023-04-06', '2023-04-07']) await day(d);
    expect(reminderCards(h.messages(u.chatId))).toHaveLength(1);
    for (const other of units.slice(0, 2)) expect(reminderCards(h.messages(other.chatId)), other.name).toHaveLength(4);
  });

  it('buzzes the liaisons with 加急 on the last reminders and escalates to the 分管领导', async () => {
    const u = units[0]!;
    const cards = reminderCards(h.messages(u.chatId));
    const last = cards[cards.length - 1]!;
    const ids = u.liaisons.map((l) => l.openId).sort();
    expect([...last.urgentRecipients].sort()).toEqual(ids);
    expect([...cards[2]!.urgentRecipients].sort()).toEqual(ids); // 4月6日: third step of the ladder
    expect(cards[0]!.urgentRecipients).toEqual([]);
    const urgentCalls = h.emulator.calls({ path: /urgent_app/ });
    expect(urgentCalls.length).toBeGreaterThanOrEqual(4);
    const leaderChat = h.emulator.p2pChatId(u.leaderOpenId!);
    const leaderMsgs = h.messages(leaderChat).filter((m) => text(m.card).includes('已提醒'));
    expect(leaderMsgs).toHaveLength(1);
    expect(text(leaderMsgs[0]!.card)).toContain(u.name);
    // 4月6日's second step: direct messages to the liaisons
    const dm = h.messages(h.emulator.p2pChatId(u.liaisons[0]!.openId)).filter((m) => text(m.card).includes('尚未报送'));
    expect(dm.length).toBeGreaterThanOrEqual(1);
  });

  it('the coordinator gets the overdue list with 一键催办, previews and confirms; the log shows it all', async () => {
    await day('2023-04-10');
    const overdue = h.messages(office).find((m) => text(m.card).includes('已过截止日期'))!;
    expect(overdue).toBeDefined();
    expect(text(overdue.card)).toContain(units[0]!.name);
    expect(text(overdue.card)).not.toContain(units[2]!.name);
    clock.set(atShanghai('2023-04-10', '10:00'));
    const r = await h.click(coordinator, overdue.messageId, buttonValue(overdue.card, '一键催办'));
    expect(r.toast?.type).toBe('info');
    await h.drainOutbox();
    const preview = h
      .messages(office)
      .filter((m) => text(m.card).includes('催办预览'))
      .pop()!;
    expect(validateCard(preview.card)).toEqual({ ok: true });
    const before = reminderCards(h.messages(units[1]!.chatId)).length;
    const confirm = buttonValue(preview.card, '确认催办');
    const done = await h.click(coordinator, preview.messageId, confirm);
    expect(done.toast?.content).toBe('已催办 2 个单位');
    await h.drainOutbox();
    expect(reminderCards(h.messages(units[1]!.chatId))).toHaveLength(before + 1);
    // a liaison cannot confirm a nudge, even by forging the value on a card they can see
    const own = reminderCards(h.messages(units[1]!.chatId))[0]!;
    const denied = await h.click(units[1]!.liaisons[0]!.openId, own.messageId, confirm);
    expect(denied.toast?.content).toContain('只有县政务公开办的协调人');

    await h.say(coordinator, office, '提醒记录');
    await h.drainOutbox();
    const log = h
      .messages(office)
      .filter((m) => text(m.card).includes('提醒记录'))
      .pop()!;
    expect(validateCard(log.card)).toEqual({ ok: true });
    expect(text(log.card)).toContain('已送达');
    expect(text(log.card)).toContain('手动催办');
    const rows = await h.db.reminderLog.findMany({ where: { status: 'sent', outboxId: { not: null } }, select: { outboxId: true } });
    const delivered = await h.db.outboxMessage.count({ where: { id: { in: rows.map((r) => r.outboxId!) }, status: 'sent' } });
    expect(delivered).toBe(rows.length);
  });
});
