// The harness end to end: a user's @bot message goes through the signed + encrypted webhook, the
// handler enqueues a card, the outbox delivers it through the real SDK, a click answers a toast.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVIDERS_UNDER_TEST } from '../support/db.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { pingFeature } from './ping-feature.ts';

describe.each(PROVIDERS_UNDER_TEST)('harness (%s)', (provider) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ provider, features: pingFeature });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('seeds the demo county', () => {
    expect(h.demo.units.length).toBeGreaterThan(10);
    const unit = h.demo.units[0]!;
    expect(unit.id).not.toBe('');
    expect(h.emulator.chats().some((c) => c.chatId === unit.chatId && c.memberOpenIds.includes(h.demo.coordinatorOpenId))).toBe(true);
  });

  it('message → handler → outbox → emulator, then a click', async () => {
    const unit = h.demo.units[0]!;
    const liaison = unit.liaisons[0]!.openId;
    await h.say(liaison, unit.chatId, 'ping 你好');
    await h.drainOutbox();
    const card = h.lastCard(unit.chatId);
    expect(card?.senderType).toBe('app');
    expect(JSON.stringify(card?.card)).toContain('你好');
    const r = await h.click(liaison, card!.messageId, { a: 'test.click', n: 7 });
    expect(r.error).toBeUndefined();
    expect(r.toast?.content).toBe('已收到 7');
    expect(r.cardReplaced).toBe(true);
    const failing = await h.click(liaison, card!.messageId, { a: 'test.fail' });
    expect(failing.toast?.content).toBe('系统繁忙，请稍后再试');
  });
});
