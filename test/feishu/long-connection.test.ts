// Long-connection mode without a socket: the dispatcher is invoked exactly as WSClient does
// (needCheck:false), and the reconnect backfill replays missed messages once (docs/reliability.md §9 D5, D6).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfillChats, createWsDispatcher } from '../../src/adapters/feishu/long-connection.ts';
import { createLogger } from '../../src/app/log.ts';
import { PROVIDERS_UNDER_TEST } from '../support/db.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { pingFeature } from '../app/ping-feature.ts';

describe.each(PROVIDERS_UNDER_TEST)('long connection (%s)', (provider) => {
  let h: Harness;
  const log = createLogger('silent');
  beforeAll(async () => {
    h = await startHarness({ provider, features: pingFeature });
  });
  afterAll(async () => {
    await h?.stop();
  });
  const botOpenId = async () => h.emulator.botOpenId;

  it('dispatches messages and answers card callbacks; a repeat is processed once', async () => {
    const d = createWsDispatcher({ bot: h.bot, log, botOpenId });
    const unit = h.demo.units[0]!;
    const envelope = {
      schema: '2.0',
      header: { event_id: 'ws_ev_1', event_type: 'im.message.receive_v1', create_time: String(Date.now()), token: '', app_id: 'a', tenant_key: 't' },
      event: {
        sender: { sender_id: { open_id: unit.liaisons[0]!.openId }, sender_type: 'user' },
        message: {
          message_id: 'om_ws_1',
          chat_id: unit.chatId,
          chat_type: 'group',
          message_type: 'text',
          content: JSON.stringify({ text: '@_user_1 ping 长连接' }),
          mentions: [{ key: '@_user_1', id: { open_id: h.emulator.botOpenId }, name: 'bot' }],
          create_time: String(Date.now()),
        },
      },
    };
    await d.invoke(envelope, { needCheck: false });
    await d.invoke({ ...envelope, header: { ...envelope.header, event_id: 'ws_ev_2' } }, { needCheck: false });
    expect(await h.db.outboxMessage.count({ where: { idempotencyKey: 'pong:om_ws_1' } })).toBe(1);

    const cb = (a: string) => ({
      schema: '2.0',
      header: { event_id: `ws_cb_${a}`, event_type: 'card.action.trigger', token: 'v', create_time: '1', app_id: 'a', tenant_key: 't' },
      event: { operator: { open_id: unit.liaisons[0]!.openId }, token: `c-${a}`, action: { value: { a, n: 1 }, tag: 'button' }, context: { open_message_id: 'om_x', open_chat_id: unit.chatId } },
    });
    const ok = (await d.invoke(cb('test.click'), { needCheck: false })) as { toast?: { content: string }; card?: { type: string } };
    expect(ok.toast?.content).toBe('已收到 1');
    expect(ok.card?.type).toBe('raw');
    const failed = (await d.invoke(cb('test.fail'), { needCheck: false })) as { toast?: { content: string } };
    expect(failed.toast?.content).toBe('系统繁忙，请稍后再试');
  });

  it('backfills messages missed while disconnected, once', async () => {
    const unit = h.demo.units[1]!;
    h.emulator.setBotUrl(undefined); // the socket is down: nothing is pushed
    const sent = await h.emulator.userSendText(unit.liaisons[0]!.openId, unit.chatId, 'ping 补发', { mentionBot: true });
    h.emulator.setBotUrl(h.url);
    expect(await h.db.processedEvent.count({ where: { eventId: `msg:${sent.messageId}` } })).toBe(0);
    const deps = { db: h.db, gateway: h.services.gateway, bot: h.bot, log, botOpenId };
    const now = h.clock.now();
    const first = await backfillChats(deps, new Date(now.getTime() - 60_000), new Date(now.getTime() + 60_000));
    expect(first.dispatched).toBeGreaterThanOrEqual(1);
    expect(await h.db.outboxMessage.count({ where: { idempotencyKey: `pong:${sent.messageId}` } })).toBe(1);
    const second = await backfillChats(deps, new Date(now.getTime() - 60_000), new Date(now.getTime() + 60_000));
    expect(second.dispatched).toBe(0);
    expect(await h.db.outboxMessage.count({ where: { idempotencyKey: `pong:${sent.messageId}` } })).toBe(1);
  });
});
