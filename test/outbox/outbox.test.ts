// The outbox worker against the emulator through the real SDK: faults, permanent errors and
// alerts, urgent never repeated on an ambiguous outcome, rate-limit resets honoured, and two
// workers on one PostgreSQL database (docs/reliability.md §9 O1, O4, O8, O10).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noticeCard } from '../../cards/kit.ts';
import { withContext } from '../../src/app/context.ts';
import type { OutboxOp } from '../../src/app/outbox.ts';
import { openDatabase } from '../../src/adapters/db/database.ts';
import { createFeishuGateway } from '../../src/adapters/feishu/gateway.ts';
import { OutboxWorker } from '../../src/adapters/outbox/worker.ts';
import { createLogger } from '../../src/app/log.ts';
import { PROVIDERS_UNDER_TEST, postgresAvailable } from '../support/db.ts';
import { startHarness, type Harness } from '../support/harness.ts';

async function put(h: Harness, rows: [string, OutboxOp][]): Promise<void> {
  await withContext(h.services, 'test', async (ctx) => {
    for (const [key, op] of rows) await ctx.enqueue(key, op);
  });
}

function uuidCounts(h: Harness, chatIds: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const chatId of chatIds) for (const m of h.messages(chatId)) if (m.uuid) counts.set(m.uuid, (counts.get(m.uuid) ?? 0) + 1);
  return counts;
}

/** The n of each `<prefix><n>` message in a chat, in the order the emulator stored them. */
function orderOf(h: Harness, chatId: string, prefix: string): number[] {
  return h
    .messages(chatId)
    .filter((m) => m.uuid?.startsWith(prefix))
    .map((m) => Number(m.uuid!.slice(prefix.length)));
}

describe.each(PROVIDERS_UNDER_TEST)('outbox worker (%s)', (provider) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ provider, features: () => [], emulator: { rateLimits: false } });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('delivers every message exactly once with 30% injected 5xx/429 and accept-then-drop', async () => {
    const chats = h.demo.units.slice(0, 4).map((u) => u.chatId);
    const rows: [string, OutboxOp][] = [];
    for (let i = 0; i < 40; i++) rows.push([`chaos:${i}`, { op: 'send', to: { chatId: chats[i % chats.length]! }, card: noticeCard(`第 ${i} 条`, ['内容']) }]);
    await put(h, rows);
    h.emulator.faults.seed(7);
    h.emulator.faults.route('/open-apis/im/v1/messages', { error5xx: 0.15, rateLimit429: 0.15, resetSeconds: 1 }, 'POST');
    h.emulator.faults.route('/open-apis/im/v1/messages', { drop: 0.1, dropAfterEffect: true }, 'POST');
    try {
      await h.drainOutbox();
    } finally {
      h.emulator.faults.reset();
    }
    const counts = uuidCounts(h, chats);
    for (let i = 0; i < 40; i++) expect(counts.get(`chaos:${i}`), `chaos:${i}`).toBe(1);
    // and each chat got its messages in enqueue order, retries and all
    for (const chatId of chats) expect(orderOf(h, chatId, 'chaos:'), chatId).toEqual([...orderOf(h, chatId, 'chaos:')].sort((a, b) => a - b));
    const rowsAfter = await h.db.outboxMessage.findMany({ where: { idempotencyKey: { startsWith: 'chaos:' } } });
    expect(rowsAfter.every((r) => r.status === 'sent' && r.resultMessageId)).toBe(true);
    const calls = h.emulator.calls({ path: /\/open-apis\/im\/v1\/messages$/, method: 'POST' });
    expect(calls.length).toBeGreaterThan(40); // faults really happened
    expect(calls.some((c) => c.status === 429)).toBe(true);
    expect(calls.some((c) => c.status >= 500)).toBe(true);
  });

  it('a row waiting for its retry holds the rest of its chat; other chats go on', async () => {
    const [held, free] = h.demo.units.slice(5, 7).map((u) => u.chatId) as [string, string];
    // An outage's retries back off (no quick retry in hand): the row waits for its retry.
    const worker = new OutboxWorker({ db: h.db, provider, gateway: h.services.gateway, storage: h.services.storage, clock: h.clock, log: createLogger('silent'), config: h.app.config, quickRetryQuota: 0 });
    await put(h, [
      ['hold:0', { op: 'send', to: { chatId: held }, text: '第一条' }],
      ['hold:1', { op: 'send', to: { chatId: held }, text: '第二条' }],
      ['hold:2', { op: 'send', to: { chatId: held }, text: '第三条' }],
    ]);
    // The fault is by path only: the held chat is alone when it fails (with another chat's lane in
    // parallel, whichever call came first would take it).
    h.emulator.faults.route('/open-apis/im/v1/messages', { error5xx: 1, times: 1 }, 'POST');
    try {
      await worker.runOnce(false); // no skipping backoff: hold:0 now waits for its retry
    } finally {
      h.emulator.faults.reset();
    }
    await put(h, [['free:0', { op: 'send', to: { chatId: free }, text: '别的群' }]]);
    await worker.runOnce(false); // the other chat goes on while the held one waits
    const rows = await h.db.outboxMessage.findMany({ where: { idempotencyKey: { startsWith: 'hold:' } }, orderBy: { idempotencyKey: 'asc' } });
    expect(rows.map((r) => [r.status, r.attempts])).toEqual([
      ['pending', 1],
      ['pending', 0],
      ['pending', 0],
    ]);
    expect(rows.every((r) => r.claimedBy === null && r.leaseUntil === null)).toBe(true);
    expect(orderOf(h, held, 'hold:')).toEqual([]);
    expect(orderOf(h, free, 'free:')).toEqual([0]);
    await worker.runOnce(false); // still in its backoff: nothing of that chat moves
    expect(orderOf(h, held, 'hold:')).toEqual([]);
    await worker.drain({ skipBackoff: true });
    await worker.stop();
    expect(orderOf(h, held, 'hold:')).toEqual([0, 1, 2]);
  });

  // Three 500s in a row on the chat's first message (its first three calls), then all goes through.
  // While Feishu accepts most calls (the quick-retry quota holds) the first two retries leave at
  // once and the third waits random(0, base); in an outage (the quota spent) each waits full
  // jitter of base·2^(n−1) (src/adapters/outbox/worker.ts retryDelay).
  it.each([
    { regime: 'Feishu accepting most calls', quota: undefined, delays: [0, 0, 50] },
    { regime: 'an outage (no quick retry left)', quota: 0, delays: [50, 100, 200] },
    { regime: 'the quota running out', quota: 1, delays: [0, 100, 200] },
  ])('the running worker retries a failed send in its lane, soon, and the chat keeps its order: $regime', async ({ quota, delays }) => {
    const chat = h.demo.units[7]!.chatId;
    const prefix = `lane${String(quota)}:`;
    const retries: number[] = [];
    const worker = new OutboxWorker({
      db: h.db,
      provider,
      gateway: h.services.gateway,
      storage: h.services.storage,
      clock: h.clock,
      log: createLogger('silent'),
      config: h.app.config,
      pollMs: 50,
      backoffBaseMs: 100,
      random: () => 0.5,
      ...(quota !== undefined ? { quickRetryQuota: quota } : {}),
      observer: { retry: (e) => retries.push(e.delayMs) },
    });
    h.emulator.faults.route('/open-apis/im/v1/messages', { error5xx: 1, times: 3 }, 'POST');
    try {
      await put(
        h,
        [0, 1, 2, 3].map((n) => [`${prefix}${n}`, { op: 'send', to: { chatId: chat }, text: `第 ${n} 条` }] as [string, OutboxOp]),
      );
      worker.start();
      for (let i = 0; i < 200 && orderOf(h, chat, prefix).length < 4; i++) await new Promise((r) => setTimeout(r, 25));
    } finally {
      await worker.stop();
      h.emulator.faults.reset();
    }
    expect(orderOf(h, chat, prefix)).toEqual([0, 1, 2, 3]);
    const first = await h.db.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: `${prefix}0` } });
    expect([first.status, first.attempts]).toEqual(['sent', 4]);
    expect(retries).toEqual(delays);
  });

  it('a permanent error fails the row at once, and the coordinators are alerted (never about an alert)', async () => {
    const alerts = () => h.db.outboxMessage.count({ where: { idempotencyKey: { startsWith: 'alert:' } } });
    const before = await alerts(); // other tests' failures (an urgent dropped) alert too
    await put(h, [['perm:1', { op: 'send', to: { chatId: 'oc_does_not_exist' }, text: '你好' }]]);
    await h.drainOutbox();
    const row = await h.db.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: 'perm:1' } });
    expect(row.status).toBe('failed');
    expect(row.attempts).toBe(1);
    expect(row.lastErrorCode).toBeGreaterThan(0);
    const tries = h.emulator.calls({ path: /\/open-apis\/im\/v1\/messages$/ }).filter((c) => JSON.stringify(c.body).includes('oc_does_not_exist'));
    expect(tries).toHaveLength(1);
    const alert = h.lastCard(h.demo.officeChatId);
    expect(JSON.stringify(alert?.card)).toContain('消息发送失败');
    // an alert that cannot be delivered raises no further alert
    await put(h, [['alert:manual', { op: 'send', to: { chatId: 'oc_nowhere' }, text: 'x' }]]);
    await h.drainOutbox();
    expect((await h.db.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: 'alert:manual' } })).status).toBe('failed');
    expect(await h.db.outboxMessage.count({ where: { idempotencyKey: { startsWith: 'alert:' }, target: { not: 'oc_nowhere' }, payload: { contains: 'alert:manual' } } })).toBe(0);
    expect(await alerts()).toBe(before + 2); // perm:1's alert and alert:manual itself, nothing about the latter
  });

  it('urgent waits for its message and is never repeated after an ambiguous outcome', async () => {
    const unit = h.demo.units[1]!;
    const who = unit.liaisons[0]!.openId;
    await put(h, [
      ['urg:msg', { op: 'send', to: { chatId: unit.chatId }, card: noticeCard('请尽快提交', ['x']) }],
      ['urg:buzz', { op: 'urgent', messageOfKey: 'urg:msg', openIds: [who] }],
    ]);
    h.emulator.faults.route('urgent_app', { drop: 1, dropAfterEffect: true, times: 1 });
    try {
      await h.drainOutbox();
    } finally {
      h.emulator.faults.reset();
    }
    const urgent = await h.db.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: 'urg:buzz' } });
    expect(urgent.status).toBe('failed');
    expect(urgent.lastError).toContain('加急');
    const msg = h.messages(unit.chatId).find((m) => m.uuid === 'urg:msg')!;
    expect(msg.urgentRecipients).toEqual([who]);
    expect(h.emulator.calls({ path: /urgent_app/ })).toHaveLength(1);
  });

  it('a patch by key waits for the send, then updates that message', async () => {
    const unit = h.demo.units[2]!;
    await put(h, [
      ['p:send', { op: 'send', to: { chatId: unit.chatId }, card: noticeCard('v1', ['a']) }],
      ['p:patch', { op: 'patch', messageOfKey: 'p:send', card: noticeCard('v2', ['b']) }],
    ]);
    await h.drainOutbox();
    const msg = h.messages(unit.chatId).find((m) => m.uuid === 'p:send')!;
    expect(msg.updateCount).toBe(1);
    expect(JSON.stringify(msg.card)).toContain('v2');
  });

  it("a card past Feishu's 14-day update window (230031) is left as sent, without a red alert to the coordinators", async () => {
    // A year's receipts are sent from late March; publishing in mid-April updates them in place. Feishu
    // refuses updates of messages older than 14 days (open.feishu.cn, 更新应用发送的消息卡片: "仅支持更新
    // 14 天内发送的消息"): an expected limit, not a delivery failure for the coordinators to chase.
    const unit = h.demo.units[3]!;
    await put(h, [['old:send', { op: 'send', to: { chatId: unit.chatId }, card: noticeCard('v1', ['a']) }]]);
    await h.drainOutbox();
    const alerts = () => h.db.outboxMessage.count({ where: { idempotencyKey: { startsWith: 'alert:' } } });
    const before = await alerts();
    h.clock.advance(15 * 86_400_000);
    await put(h, [['old:patch', { op: 'patch', messageOfKey: 'old:send', card: noticeCard('v2', ['b']) }]]);
    await h.drainOutbox();
    const row = await h.db.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: 'old:patch' } });
    expect(row.status).toBe('failed');
    expect(row.lastErrorCode).toBe(230031);
    expect(row.attempts).toBe(1);
    expect(await alerts()).toBe(before);
    expect(JSON.stringify(h.messages(unit.chatId).find((m) => m.uuid === 'old:send')!.card)).toContain('v1');
  });

  it('honours x-ogw-ratelimit-reset before calling again', async () => {
    const unit = h.demo.units[3]!;
    await put(h, [['rl:1', { op: 'send', to: { chatId: unit.chatId }, text: '限流测试' }]]);
    h.emulator.faults.route('/open-apis/im/v1/messages', { rateLimit429: 1, resetSeconds: 2, times: 1 }, 'POST');
    const started = performance.now();
    try {
      await h.drainOutbox();
    } finally {
      h.emulator.faults.reset();
    }
    expect(performance.now() - started).toBeGreaterThanOrEqual(1900);
    expect((await h.db.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: 'rl:1' } })).status).toBe('sent');
  });

  it.runIf(provider === 'postgresql' && postgresAvailable)('two workers on one database deliver each row once', async () => {
    const second = await openDatabase(h.app.config.databaseUrl);
    try {
      const chats = h.demo.units.slice(4, 10).map((u) => u.chatId);
      const rows: [string, OutboxOp][] = [];
      for (let i = 0; i < 60; i++) rows.push([`two:${i}`, { op: 'send', to: { chatId: chats[i % chats.length]! }, text: `第 ${i} 条` }]);
      await put(h, rows);
      const before = h.emulator.calls({ path: /\/open-apis\/im\/v1\/messages$/, method: 'POST' }).length;
      const other = new OutboxWorker({
        db: second.client,
        provider: 'postgresql',
        gateway: createFeishuGateway({ appId: h.app.config.feishu.appId, appSecret: h.app.config.feishu.appSecret, domain: h.url }),
        storage: h.services.storage,
        clock: h.clock,
        log: createLogger('silent'),
        config: h.app.config,
        pollMs: 0,
        batchSize: 5,
      });
      await Promise.all([h.drainOutbox(), other.drain({ skipBackoff: true }), h.drainOutbox()]);
      const calls = h.emulator.calls({ path: /\/open-apis\/im\/v1\/messages$/, method: 'POST' }).length - before;
      expect(calls).toBe(60);
      const counts = uuidCounts(h, chats);
      for (let i = 0; i < 60; i++) expect(counts.get(`two:${i}`)).toBe(1);
      for (const chatId of chats) expect(orderOf(h, chatId, 'two:'), chatId).toEqual([...orderOf(h, chatId, 'two:')].sort((a, b) => a - b));
    } finally {
      await second.close();
    }
  });
});
