// Feishu allows 5 updates a second per message. The app updates one card by its message id or by
// the key of the row that sent it (before the id was known), and the two lanes differ: the worker
// paces both in the message's own window (src/adapters/outbox/worker.ts `attempt`).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noticeCard } from '../../cards/kit.ts';
import { withContext } from '../../src/app/context.ts';
import type { OutboxOp } from '../../src/app/outbox.ts';
import { PROVIDERS_UNDER_TEST } from '../support/db.ts';
import { startHarness, type Harness } from '../support/harness.ts';

describe.each(PROVIDERS_UNDER_TEST)('card updates of one message by key and by id (%s)', (provider) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ provider, features: () => [] });
  });
  afterAll(async () => {
    await h?.stop();
  });

  const put = (rows: [string, OutboxOp][]) =>
    withContext(h.services, 'test', async (ctx) => {
      for (const [key, op] of rows) await ctx.enqueue(key, op);
    });

  it('share the message’s 5 a second: none is refused, every update lands', async () => {
    const chatId = h.demo.units[0]!.chatId;
    await put([['pr:send', { op: 'send', to: { chatId }, card: noticeCard('进度 0', ['a']) }]]);
    await h.drainOutbox();
    const { resultMessageId: messageId } = await h.db.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: 'pr:send' } });
    const rows: [string, OutboxOp][] = [];
    for (let i = 1; i <= 4; i++) {
      rows.push([`pr:key:${i}`, { op: 'patch', messageOfKey: 'pr:send', card: noticeCard(`进度 ${i}`, ['a']) }]);
      rows.push([`pr:id:${i}`, { op: 'patch', messageId: messageId!, card: noticeCard(`进度 ${i}`, ['b']) }]);
    }
    await put(rows);
    await h.drainOutbox();
    expect(h.emulator.calls().filter((c) => c.code === 230020)).toEqual([]);
    expect(await h.db.outboxMessage.count({ where: { idempotencyKey: { startsWith: 'pr:' }, status: 'sent' } })).toBe(9);
    expect(h.messages(chatId).find((m) => m.uuid === 'pr:send')!.updateCount).toBe(8);
  });
});
