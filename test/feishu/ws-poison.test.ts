// Long-connection mode (the default) takes events through the inbox like webhooks (issue 14 item 3,
// issue 17 goal 1): a message whose handler fails for good is acked OK over the socket (no re-push),
// recorded as a failed inbound event and the coordinators are alerted once; a card callback whose
// handler fails for good is answered on its fast path with an error toast, recorded and alerted the
// same way. End to end over the emulator's long connection with the real SDK's WSClient.
import { looseAction } from '../../cards/actions.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVIDERS_UNDER_TEST } from '../support/db.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { pingFeature } from '../app/ping-feature.ts';
import type { Bot } from '../../src/app/bot.ts';

const seen: string[] = [];

function features(bot: Bot) {
  bot.command({ names: ['毒'], summary: 'test', example: '@bot 毒', audience: 'everyone' }, async () => {
    throw new Error('LIKE or GLOB pattern too complex');
  });
  bot.command({ names: ['记录'], summary: 'test', example: '@bot 记录 x', audience: 'everyone' }, async (_ctx, _m, args) => {
    seen.push(args);
  });
  bot.action(looseAction('test.poison'), async () => {
    throw new Error('invalid byte sequence (lone surrogate)');
  });
  return pingFeature(bot);
}

describe.each(PROVIDERS_UNDER_TEST)('long-connection poison events (%s)', (provider) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ provider, features, mode: 'ws' });
  });
  afterAll(async () => {
    await h?.stop();
  });
  const alerts = (key: string) => h.db.outboxMessage.count({ where: { idempotencyKey: { startsWith: `alert:inbox:${key}` } } });

  it('a poison message is acked OK over the socket, recorded as failed, alerted once, and its chat goes on in order', async () => {
    seen.length = 0;
    const unit = h.demo.units[0]!;
    // Feishu pushes it twice (the second copy under a new event id): one row, one alert
    h.emulator.faults.duplicateDeliveries(1);
    let messageId: string;
    try {
      // not h.say: it waits for the message to be processed, which a poison message never is
      ({ messageId } = await h.emulator.userSendText(unit.liaisons[0]!.openId, unit.chatId, '毒', { mentionBot: true }));
    } finally {
      h.emulator.faults.duplicateDeliveries(0);
    }
    const pushes = h.emulator.deliveries().filter((d) => d.eventType === 'im.message.receive_v1' && (d.payload.event as { message: { message_id: string } }).message.message_id === messageId);
    expect(pushes.map((d) => d.ok)).toEqual([true, true]);
    await h.say(unit.liaisons[0]!.openId, unit.chatId, '记录 一');
    await h.say(unit.liaisons[0]!.openId, unit.chatId, '记录 二');
    await h.drainOutbox();
    const row = await h.db.inboxEvent.findUniqueOrThrow({ where: { key: `msg:${messageId}` } });
    expect(row.status).toBe('failed');
    expect(row.attempts).toBe(1);
    expect(row.lastError).toContain('too complex');
    expect(await h.db.inboxEvent.count({ where: { key: `msg:${messageId}` } })).toBe(1);
    expect(await alerts(`msg:${messageId}`)).toBe(1);
    expect(JSON.stringify(h.lastCard(h.demo.officeChatId)?.card)).toContain('收到的消息未能处理');
    expect(seen).toEqual(['一', '二']);
    expect(await alerts(`msg:${messageId}`)).toBe(1);
  });

  it('a poison card callback is answered in time with an error toast, recorded as failed, and alerted once', async () => {
    const unit = h.demo.units[1]!;
    await h.say(unit.liaisons[0]!.openId, unit.chatId, 'ping 卡');
    await h.drainOutbox();
    const card = h.lastCard(unit.chatId)!;
    const before = h.emulator.deliveries({ eventType: 'card.action.trigger' }).length;
    const r = await h.click(unit.liaisons[0]!.openId, card.messageId, { a: 'test.poison' });
    expect(r.error).toBeUndefined();
    expect(r.ms).toBeLessThan(3000);
    expect(r.toast?.type).toBe('error');
    expect(r.toast?.content).toBe('系统繁忙，请稍后再试');
    const push = h.emulator.deliveries({ eventType: 'card.action.trigger' }).slice(before);
    expect(push.map((d) => d.ok)).toEqual([true]);
    const eventId = (push[0]!.payload.header as { event_id: string }).event_id;
    const row = await h.db.inboxEvent.findUniqueOrThrow({ where: { key: `evt:${eventId}` } });
    expect([row.status, row.kind]).toEqual(['failed', 'card_action']);
    expect(row.lastError).toContain('lone surrogate');
    expect(await alerts(`evt:${eventId}`)).toBe(1);
    await h.drainOutbox();
    // nothing of the failed callback was committed
    expect(await h.db.processedEvent.count({ where: { eventId: `evt:${eventId}` } })).toBe(0);
  });
});
