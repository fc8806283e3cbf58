// FEISHU_EVENT_MODE=ws against the emulator's long connection, beyond the submission scenario:
// duplicate pushes over the socket are processed once, card callbacks are answered over it, and
// /readyz follows the connection through a drop and a reconnect.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVIDERS_UNDER_TEST } from '../support/db.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { pingFeature } from '../app/ping-feature.ts';
import { noticeCard } from '../../cards/kit.ts';
import { looseAction } from '../../cards/actions.ts';
import type { Bot } from '../../src/app/bot.ts';

/** pingFeature plus an action slower than the 3 s callback budget. */
function features(bot: Bot) {
  bot.action(looseAction('test.slow'), async () => {
    await new Promise((r) => setTimeout(r, 3200));
    return { toast: { type: 'success', content: '慢慢好了' }, card: noticeCard('slow', ['done late']) };
  });
  return pingFeature(bot);
}

describe.each(PROVIDERS_UNDER_TEST.slice(0, 1))('long-connection mode (%s)', (provider) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ provider, features, mode: 'ws' });
  });
  afterAll(async () => {
    await h?.stop();
  });
  const readyz = async () => {
    const res = await fetch(`${h.url}/readyz`);
    return { status: res.status, body: (await res.json()) as { longConnection?: { ok: boolean; detail?: string } } };
  };

  it('processes a message pushed twice over the socket once, and answers a card click over it', async () => {
    const unit = h.demo.units[0]!;
    h.emulator.faults.duplicateDeliveries(1);
    try {
      const { messageId } = await h.say(unit.liaisons[0]!.openId, unit.chatId, 'ping 长连接');
      const pushes = h.emulator.deliveries().filter((d) => d.eventType === 'im.message.receive_v1' && (d.payload.event as { message: { message_id: string } }).message.message_id === messageId);
      expect(pushes.map((d) => [d.ok, d.duplicate])).toEqual([
        [true, false],
        [true, true],
      ]);
      await h.drainOutbox();
      expect(await h.db.outboxMessage.count({ where: { idempotencyKey: `pong:${messageId}` } })).toBe(1);
    } finally {
      h.emulator.faults.duplicateDeliveries(0);
    }
    const card = h.lastCard(unit.chatId)!;
    const r = await h.click(unit.liaisons[0]!.openId, card.messageId, { a: 'test.click', n: 7 });
    expect(r.error).toBeUndefined();
    expect(r.toast?.content).toBe('已收到 7');
    expect(r.cardReplaced).toBe(true);
    expect(h.emulator.deliveries({ eventType: 'card.action.trigger' }).at(-1)?.ok).toBe(true);
  });

  it('a handler slower than the budget is acked in time over the socket and lands as a delayed update', async () => {
    const unit = h.demo.units[1]!;
    await h.say(unit.liaisons[0]!.openId, unit.chatId, 'ping 慢');
    await h.drainOutbox();
    const card = h.lastCard(unit.chatId)!;
    const r = await h.click(unit.liaisons[0]!.openId, card.messageId, { a: 'test.slow' });
    expect(r.error).toBeUndefined();
    expect(r.ms).toBeLessThan(3000);
    expect(r.toast?.content).toBe('正在处理，请稍候');
    const deadline = Date.now() + 10_000;
    // The late result goes out through the outbox (a delayed update with the callback's token).
    while (!h.emulator.message(card.messageId)!.history.some((v) => v.via === 'delayed_update') && Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, 100));
      await h.drainOutbox();
    }
    expect(JSON.stringify(h.emulator.message(card.messageId)!.card)).toContain('done late');
  });

  it('/readyz reports the connection, degraded while it is down', async () => {
    expect((await readyz()).body.longConnection).toEqual({ ok: true, detail: 'connected' });
    const lc = h.emulator.longConnection;
    lc.drop({ refuse: true });
    const deadline = Date.now() + 5000;
    let down = await readyz();
    while (down.body.longConnection?.ok && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      down = await readyz();
    }
    expect(down.status).toBe(503);
    expect(down.body.longConnection?.ok).toBe(false);
    lc.refuse(false);
    await lc.waitForConnection(10_000);
    const until = Date.now() + 5000;
    let up = await readyz();
    while (!up.body.longConnection?.ok && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 50));
      up = await readyz();
    }
    expect(up.body.longConnection).toEqual({ ok: true, detail: 'connected' });
  });
});
