// Replies are laned and rate-limited by the chat of the message they answer (issue 14 item 4's
// "replies within Feishu's limits"): Feishu counts 5 sends per second per chat, replies included,
// so a reply keyed by its message id could run beside the chat's own sends at twice that rate and
// overtake them. The reply row stores the chat; the emulator (counting Feishu's way) refuses nothing
// and the chat sees every message in the order it was enqueued.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bot } from '../../src/app/bot.ts';
import { PROVIDERS_UNDER_TEST } from '../support/db.ts';
import { startHarness, type Harness } from '../support/harness.ts';

function features(bot: Bot) {
  bot.command({ names: ['连答'], summary: 'test', example: '@bot 连答', audience: 'everyone' }, async (ctx, message) => {
    for (let i = 0; i < 8; i++) {
      await ctx.enqueue(`lane-send:${message.messageId}:${i}`, { op: 'send', to: { chatId: message.chatId }, text: `通知 ${i}` });
      await ctx.enqueue(`lane-reply:${message.messageId}:${i}`, { op: 'reply', messageId: message.messageId, text: `回复 ${i}` });
    }
  });
  return [];
}

describe.each(PROVIDERS_UNDER_TEST)('reply lanes (%s)', (provider) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ provider, features });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('a reply is laned by its chat: 0 refusals for the chat limit and the chat order kept', async () => {
    const unit = h.demo.units[0]!;
    const callsBefore = h.emulator.calls({ method: 'POST', path: /\/im\/v1\/messages/ }).length;
    const { messageId } = await h.say(unit.liaisons[0]!.openId, unit.chatId, '连答');
    const rows = await h.db.outboxMessage.findMany({ where: { idempotencyKey: { startsWith: `lane-reply:${messageId}:` } } });
    expect(rows).toHaveLength(8);
    expect(new Set(rows.map((r) => r.target))).toEqual(new Set([unit.chatId]));
    expect(rows.every((r) => (JSON.parse(r.payload) as { chatId?: string }).chatId === unit.chatId)).toBe(true);
    await h.drainOutbox();
    const calls = h.emulator.calls({ method: 'POST', path: /\/im\/v1\/messages/ }).slice(callsBefore);
    expect(calls.filter((c) => c.code === 230020)).toEqual([]);
    const texts = h.emulator
      .messages(unit.chatId)
      .map((m) => JSON.stringify(m.content))
      .map((c) => /(通知|回复) (\d)/.exec(c)?.[0])
      .filter((t): t is string => t !== undefined);
    expect(texts).toEqual(Array.from({ length: 8 }, (_, i) => [`通知 ${i}`, `回复 ${i}`]).flat());
  });

  it('a reply to another message (chat unknown) keeps the message id as its lane', async () => {
    const { targetOf } = await import('../../src/app/outbox.ts');
    expect(targetOf({ op: 'reply', messageId: 'om_x', text: 'x' })).toBe('om_x');
    expect(targetOf({ op: 'reply', messageId: 'om_x', chatId: 'oc_y', text: 'x' })).toBe('oc_y');
  });
});
