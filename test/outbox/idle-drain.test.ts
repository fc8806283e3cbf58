// A drain or poll with nothing due is one read: no registration, no claim transaction
// (src/adapters/outbox/claim.ts anythingDue). With work due it delivers as before, and a lone
// worker writes its heartbeat row only to gain and to lose demand (a write that would change only
// the ages of calls already reported is left out: src/adapters/outbox/worker.ts writeRow). Calls
// leaving together mark their attempts in one statement (row-writes.ts AttemptMarks), and calls
// answered together are marked sent in fewer statements than rows (SentMarks).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PROVIDERS_UNDER_TEST } from '../support/db.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { withContext } from '../../src/app/context.ts';
import { anythingDue } from '../../src/adapters/outbox/claim.ts';

describe.each(PROVIDERS_UNDER_TEST)('outbox drain with nothing due (%s)', (provider) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ provider });
    await h.drainOutbox();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('skips registering and claiming when nothing is due, delivers when something is', async () => {
    const chatId = h.demo.units[0]!.chatId;
    expect(await anythingDue(h.db, h.clock.now(), true)).toBe(false);
    const before = await h.db.outboxWorkerHeartbeat.count();
    // a worker writes its row (heartbeat upsert) when it claims rows, before its first call
    const upsert = vi.spyOn(h.db.outboxWorkerHeartbeat, 'upsert');
    const beats = () => upsert.mock.calls.length;
    try {
      await h.app.worker.drain({ skipBackoff: true });
      expect(beats()).toBe(0);
      expect(await h.db.outboxWorkerHeartbeat.count()).toBe(before);

      // scheduled for later by its producer: not due yet, still skipped
      await withContext(h.services, 'test', (ctx) => ctx.enqueue('idle-drain:later', { op: 'send', to: { chatId }, text: '稍后' }, { notBefore: new Date(h.clock.now().getTime() + 3_600_000) }));
      expect(await anythingDue(h.db, h.clock.now(), true)).toBe(false);
      await h.app.worker.drain({ skipBackoff: true });
      expect(beats()).toBe(0);

      await withContext(h.services, 'test', (ctx) => ctx.enqueue('idle-drain:now', { op: 'send', to: { chatId }, text: '现在' }));
      expect(await anythingDue(h.db, h.clock.now(), true)).toBe(true);
      await h.app.worker.drain({ skipBackoff: true });
      expect(beats()).toBeGreaterThan(0);
      expect((await h.db.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: 'idle-drain:now' } })).status).toBe('sent');
      expect((await h.db.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: 'idle-drain:later' } })).status).toBe('pending');
      expect(h.messages(chatId).some((m) => m.text === '现在')).toBe(true);
    } finally {
      upsert.mockRestore();
    }
  });

  it('a lone worker writes its row to gain and to lose demand, not to age its calls', async () => {
    const chatId = h.demo.units[1]!.chatId;
    const send = (key: string) => withContext(h.services, 'test', (ctx) => ctx.enqueue(key, { op: 'send', to: { chatId }, text: key }));
    await send('lone-drain:1');
    await h.app.worker.drain({ skipBackoff: true });
    const rowOf = async () => JSON.parse((await h.db.outboxWorkerHeartbeat.findFirstOrThrow()).recentCalls) as { idle: number; calls: Record<string, [number, number]> };
    const inLastMinute = (r: { calls: Record<string, [number, number]> }) => Object.values(r.calls).reduce((n, [, minute]) => n + minute, 0);
    const before = await rowOf();
    const upsert = vi.spyOn(h.db.outboxWorkerHeartbeat, 'upsert');
    try {
      await send('lone-drain:2');
      await h.app.worker.drain({ skipBackoff: true });
      // demand (before the call leaves) and idle (after): the activation's and the join's rewrites
      // would have said only that the last drain's calls are older now
      expect(upsert.mock.calls.length).toBe(2);
      const after = await rowOf();
      expect(after.idle).toBe(before.idle + 1);
      // the new call is in the report the others read
      expect(inLastMinute(after)).toBe(inLastMinute(before) + 1);
    } finally {
      upsert.mockRestore();
    }
  });

  it('calls leaving together mark their attempts in one statement', async () => {
    const chats = h.demo.units.slice(0, 6).map((u) => u.chatId);
    await withContext(h.services, 'test', async (ctx) => {
      for (const chatId of chats) await ctx.enqueue(`together:${chatId}`, { op: 'send', to: { chatId }, text: '同时' });
    });
    const query = vi.spyOn(h.db, '$queryRawUnsafe');
    const marks = () => query.mock.calls.filter(([sql]) => String(sql).startsWith('UPDATE "OutboxMessage" SET "attempts"'));
    try {
      await h.app.worker.drain({ skipBackoff: true });
      // one lane per chat, all let go at once by the rate windows: one UPDATE … IN (six ids)
      expect(marks()).toHaveLength(1);
      expect(marks()[0]!.length).toBeGreaterThan(chats.length);
    } finally {
      query.mockRestore();
    }
    const rows = await h.db.outboxMessage.findMany({ where: { idempotencyKey: { startsWith: 'together:' } } });
    expect(rows.map((r) => [r.status, r.attempts])).toEqual(chats.map(() => ['sent', 1]));
  });

  it('calls answered together are marked sent together, each with its own message id', async () => {
    const chats = h.demo.units.slice(0, 6).map((u) => u.chatId);
    await withContext(h.services, 'test', async (ctx) => {
      for (const chatId of chats) await ctx.enqueue(`sent-together:${chatId}`, { op: 'send', to: { chatId }, text: '一起' });
    });
    const query = vi.spyOn(h.db, '$queryRawUnsafe');
    const marks = () => query.mock.calls.filter(([sql]) => String(sql).startsWith('UPDATE "OutboxMessage" SET "status" = \'sent\''));
    try {
      await h.app.worker.drain({ skipBackoff: true });
      // six lanes answered within milliseconds: the first mark goes alone or with some, the rest
      // wait for it and go together
      expect(marks().length).toBeGreaterThanOrEqual(1);
      expect(marks().length).toBeLessThan(chats.length);
    } finally {
      query.mockRestore();
    }
    const rows = await h.db.outboxMessage.findMany({ where: { idempotencyKey: { startsWith: 'sent-together:' } } });
    expect(rows.map((r) => r.status)).toEqual(chats.map(() => 'sent'));
    expect(rows.every((r) => r.sentAt !== null && r.claimedBy === null && r.leaseUntil === null)).toBe(true);
    // each row holds the id Feishu gave its own message
    const ids = rows.map((r) => r.resultMessageId);
    expect(new Set(ids).size).toBe(chats.length);
    for (const r of rows) expect(h.messages(r.target).some((m) => m.messageId === r.resultMessageId)).toBe(true);
  });
});
