// The outbox and the emulator on one virtual rate timeline (the simulated year's setup,
// src/ports/rate-time.ts): a fan-out past Feishu's limits is paced on that timeline, so the
// emulator, counting on the same one, refuses nothing, and the waits were jumps, not wall time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bot } from '../../src/app/bot.ts';
import { VirtualRateTime } from '../../src/ports/rate-time.ts';
import { PROVIDERS_UNDER_TEST } from '../support/db.ts';
import { startHarness, type Harness } from '../support/harness.ts';

const PER_UNIT = 2;
const TO_FIRST = 8;

function features(bot: Bot) {
  bot.command({ names: ['群发'], summary: 'test', example: '@bot 群发', audience: 'everyone' }, async (ctx, message) => {
    const chats = await ctx.tx.unit.findMany({ where: { chatId: { not: null } }, select: { chatId: true }, orderBy: { sortOrder: 'asc' } });
    for (const [u, { chatId }] of chats.entries()) {
      const n = u === 0 ? TO_FIRST : PER_UNIT;
      for (let i = 0; i < n; i++) await ctx.enqueue(`fanout:${message.messageId}:${chatId}:${i}`, { op: 'send', to: { chatId: chatId! }, text: `通知 ${i}` });
    }
  });
  return [];
}

describe.each(PROVIDERS_UNDER_TEST)('the outbox on a virtual rate timeline (%s)', (provider) => {
  let h: Harness;
  // moves only when the outbox waits for a window: every jump is a wait the limits required
  const time = new VirtualRateTime(() => 0);
  beforeAll(async () => {
    h = await startHarness({ provider, features, rateTime: time });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("paces a fan-out past 50 a second and 5 a chat to Feishu's windows: no refusal, the waits skipped", async () => {
    const office = h.demo.officeChatId;
    const before = h.emulator.calls().length;
    await h.say(h.demo.coordinatorOpenId, office, '群发');
    await h.drainOutbox();
    const sends = await h.db.outboxMessage.findMany({ where: { idempotencyKey: { startsWith: 'fanout:' } } });
    expect(sends.length).toBeGreaterThan(50);
    expect(sends.every((r) => r.status === 'sent')).toBe(true);
    const calls = h.emulator.calls().slice(before);
    expect(calls.filter((c) => c.code === 230020 || c.status === 429)).toEqual([]);
    // the first chat's 8 messages need a second past its first 5; the app's 50/s needs one too
    expect(time.skippedMs).toBeGreaterThanOrEqual(1000);
  });
});
