// Intake through the inbox: a webhook event is acknowledged after one insert and processed in
// order per chat; a poison event (a handler error that would fail again) is answered 200, recorded
// as failed, never retried, and the coordinators are alerted once; a transient failure is retried
// and holds the rest of its chat (issue 17 goal 1, issue 14 item 3).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Bot } from '../../src/app/bot.ts';
import type { Job } from '../../src/app/jobs.ts';
import { PROVIDERS_UNDER_TEST } from '../support/db.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { powerOfTwoChunks } from '../../src/app/inbox.ts';

const seen: string[] = [];
let flakyLeft = 0;

function features(bot: Bot): Job[] {
  bot.command({ names: ['记录'], summary: 'test', example: '@bot 记录 x', audience: 'everyone' }, async (ctx, message, args) => {
    // slow first event: a later one in the same chat must still come after it
    if (args === 'slow') await new Promise((r) => setTimeout(r, 300));
    seen.push(args);
    await ctx.enqueue(`rec:${message.messageId}`, { op: 'send', to: { chatId: message.chatId }, text: `记下了 ${args}` });
  });
  bot.command({ names: ['毒'], summary: 'test', example: '@bot 毒', audience: 'everyone' }, async () => {
    throw new Error('LIKE or GLOB pattern too complex');
  });
  bot.command({ names: ['抖'], summary: 'test', example: '@bot 抖', audience: 'everyone' }, async (_ctx, _m, args) => {
    if (flakyLeft > 0) {
      flakyLeft--;
      throw Object.assign(new Error('Transaction failed due to a write conflict or a deadlock'), { code: 'P2034' });
    }
    seen.push(`抖 ${args}`);
  });
  return [];
}

describe.each(PROVIDERS_UNDER_TEST)('inbox (%s)', (provider) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ provider, features });
  });
  afterAll(async () => {
    await h?.stop();
  });

  const send = (chatId: string, text: string) => {
    const unit = h.demo.units.find((u) => u.chatId === chatId)!;
    return h.emulator.userSendText(unit.liaisons[0]!.openId, chatId, text, { mentionBot: true });
  };

  it('acknowledges with one insert and processes events of one chat in arrival order', async () => {
    seen.length = 0;
    const chat = h.demo.units[0]!.chatId;
    const a = await send(chat, '记录 slow');
    const b = await send(chat, '记录 second');
    expect([a.delivery.httpStatus, b.delivery.httpStatus]).toEqual([200, 200]);
    expect(await h.app.inbox.idle()).toBe(true);
    expect(seen).toEqual(['slow', 'second']);
    const rows = await h.db.inboxEvent.findMany({ where: { key: { in: [`msg:${a.messageId}`, `msg:${b.messageId}`] } } });
    expect(rows.map((r) => r.status)).toEqual(['done', 'done']);
  });

  it('a claim reads nothing back after its UPDATE: the claimed rows come from it (RETURNING), in order', async () => {
    seen.length = 0;
    const [one, two] = [h.demo.units[5]!.chatId, h.demo.units[6]!.chatId];
    const findMany = vi.spyOn(h.db.inboxEvent, 'findMany');
    try {
      for (const text of ['记录 r1', '记录 r2', '记录 r3']) await send(one, text);
      await send(two, '记录 r4');
      expect(await h.app.inbox.idle()).toBe(true);
      // The claim runs in a transaction (its own client): outside it, the inbox reads no rows.
      expect(findMany).not.toHaveBeenCalled();
    } finally {
      findMany.mockRestore();
    }
    expect(seen.filter((x) => x !== 'r4')).toEqual(['r1', 'r2', 'r3']);
    expect(seen).toContain('r4');
  });

  it('a poison event is answered 200, recorded as failed, not retried, and the coordinators are alerted once', async () => {
    const chat = h.demo.units[1]!.chatId;
    const r = await send(chat, '毒');
    expect(r.delivery.httpStatus).toBe(200);
    expect(await h.app.inbox.idle()).toBe(true);
    const row = await h.db.inboxEvent.findUniqueOrThrow({ where: { key: `msg:${r.messageId}` } });
    expect(row.status).toBe('failed');
    expect(row.attempts).toBe(1);
    expect(row.lastError).toContain('too complex');
    expect(await h.db.processedEvent.count({ where: { eventId: `msg:${r.messageId}` } })).toBe(0);
    const alerts = await h.db.outboxMessage.findMany({ where: { idempotencyKey: { startsWith: `alert:inbox:msg:${r.messageId}` } } });
    expect(alerts).toHaveLength(1);
    await h.drainOutbox();
    expect(JSON.stringify(h.lastCard(h.demo.officeChatId)?.card)).toContain('收到的消息未能处理');
    // Feishu re-delivers it (or the same message arrives under a new event id): a duplicate, no new alert
    await h.app.inbox.accept({ ...(JSON.parse(row.payload) as object), eventId: 'ev_again' } as never);
    expect(await h.app.inbox.idle()).toBe(true);
    expect(await h.db.outboxMessage.count({ where: { idempotencyKey: { startsWith: `alert:inbox:msg:${r.messageId}` } } })).toBe(1);
    // and the chat goes on
    seen.length = 0;
    await send(chat, '记录 after');
    expect(await h.app.inbox.idle()).toBe(true);
    expect(seen).toEqual(['after']);
  });

  it('a transient failure is retried, and the events behind it in that chat wait for it', async () => {
    seen.length = 0;
    flakyLeft = 2;
    const chat = h.demo.units[2]!.chatId;
    const first = await send(chat, '抖 1');
    await send(chat, '记录 2');
    // the clock is frozen: the first failure's backoff never runs out by itself
    expect(await h.app.inbox.idle()).toBe(true);
    expect(seen).toEqual([]);
    const waiting = await h.db.inboxEvent.findUniqueOrThrow({ where: { key: `msg:${first.messageId}` } });
    expect([waiting.status, waiting.attempts]).toEqual(['pending', 1]);
    await h.app.inbox.idle({ skipBackoff: true }); // second failure, then success
    await h.app.inbox.idle({ skipBackoff: true });
    expect(seen).toEqual(['抖 1', '2']);
    const row = await h.db.inboxEvent.findUniqueOrThrow({ where: { key: `msg:${first.messageId}` } });
    expect(row.status).toBe('done');
    expect(row.attempts).toBe(3);
  });

  it('a storm of 100 concurrent copies of one event costs one inbox row and one effect', async () => {
    seen.length = 0;
    const chat = h.demo.units[3]!.chatId;
    const r = await send(chat, '记录 storm');
    const row = await h.db.inboxEvent.findUniqueOrThrow({ where: { key: `msg:${r.messageId}` } });
    const event = JSON.parse(row.payload) as object;
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => h.app.inbox.accept({ ...event, eventId: `ev_storm_${i}` } as never)));
    expect(results.every((x) => x === 'duplicate')).toBe(true);
    expect(await h.app.inbox.idle()).toBe(true);
    expect(seen).toEqual(['storm']);
    expect(await h.db.inboxEvent.count({ where: { key: `msg:${r.messageId}` } })).toBe(1);
  });

  it('a burst of 230 events taken in at once (inserts of 128, 64, … rows) keeps every one, in order', async () => {
    seen.length = 0;
    const chat = h.demo.units[4]!.chatId;
    const r = await send(chat, '记录 first');
    expect(await h.app.inbox.idle()).toBe(true);
    const row = await h.db.inboxEvent.findUniqueOrThrow({ where: { key: `msg:${r.messageId}` } });
    const event = JSON.parse(row.payload) as { text: string };
    const burst = Array.from({ length: 230 }, (_, i) => ({ ...event, eventId: `ev_burst_${i}`, messageId: `om_burst_${i}`, text: event.text.replace('first', `b${i}`) }));
    const results = await Promise.all(burst.map((e) => h.app.inbox.accept(e as never)));
    expect(results.every((x) => x === 'accepted')).toBe(true);
    expect(await h.app.inbox.idle()).toBe(true);
    expect(seen).toEqual(['first', ...burst.map((_, i) => `b${i}`)]);
  });
});

describe('powerOfTwoChunks', () => {
  it('splits a batch into statements of 128, 64, … 1 rows, every row once and in order', () => {
    const sizes = (n: number) => powerOfTwoChunks(Array.from({ length: n }, (_, i) => i)).map((c) => c.length);
    expect(sizes(0)).toEqual([]);
    expect(sizes(1)).toEqual([1]);
    expect(sizes(13)).toEqual([8, 4, 1]);
    expect(sizes(200)).toEqual([128, 64, 8]);
    expect(sizes(300)).toEqual([128, 128, 32, 8, 4]);
    const items = Array.from({ length: 300 }, (_, i) => i);
    expect(powerOfTwoChunks(items).flat()).toEqual(items);
  });
});
