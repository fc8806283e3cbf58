// Two outbox workers of one app share Feishu's app-wide limits by demand: a worker with nothing to
// send stops counting, so the other goes back to the whole 50/s; a worker that gains demand sends
// nothing until the worker already sending has listed it (and shrunk). Each worker's calls are held
// in its gateway until the test lets them go, and the share checks the test relies on are called
// by hand (the timers are an hour): the steps follow one another without the wall clock. The parts
// follow need: 5 calls a second per chat a worker is delivering (src/adapters/outbox/share-report.ts).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { withContext } from '../../src/app/context.ts';
import { createLogger } from '../../src/app/log.ts';
import { OutboxWorker } from '../../src/adapters/outbox/worker.ts';
import type { FeishuGateway } from '../../src/ports/feishu.ts';
import { VirtualRateTime } from '../../src/ports/rate-time.ts';
import { PROVIDERS_UNDER_TEST } from '../support/db.ts';
import { startHarness, type Harness } from '../support/harness.ts';

const HOUR = 3_600_000;
/** how long a step may take to happen on a busy machine (a bound, not a measure) */
const STEP = { timeout: 20_000 };

/**
 * The harness's gateway, with every send held until `open()` (or `openChat(chatId)` for one chat's);
 * `called(n)` resolves at the n-th send.
 */
function heldGateway(inner: FeishuGateway) {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const chatGates = new Map<string, { opened: Promise<void>; open(): void }>();
  const chatGate = (chatId: string) => {
    let g = chatGates.get(chatId);
    if (!g) {
      let openChat!: () => void;
      const opened = new Promise<void>((resolve) => (openChat = resolve));
      g = { opened, open: openChat };
      chatGates.set(chatId, g);
    }
    return g;
  };
  const sends: string[] = [];
  const waiters: { n: number; resolve(): void }[] = [];
  const sendMessage: FeishuGateway['sendMessage'] = async (p) => {
    sends.push(p.uuid ?? '');
    for (const w of waiters.filter((w) => sends.length >= w.n)) w.resolve();
    await Promise.race([gate, chatGate(p.receiveId).opened]);
    return inner.sendMessage(p);
  };
  const gateway = new Proxy(inner, {
    get: (target, key) => (key === 'sendMessage' ? sendMessage : (Reflect.get(target, key) as unknown)),
  });
  return {
    gateway,
    sends,
    open: () => open(),
    openChat: (chatId: string) => chatGate(chatId).open(),
    called: (n: number) => new Promise<void>((resolve) => (sends.length >= n ? resolve() : waiters.push({ n, resolve }))),
  };
}

describe.each(PROVIDERS_UNDER_TEST)('outbox workers sharing the app-wide limits by demand (%s)', (provider) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ provider, features: () => [] });
  });
  afterAll(async () => {
    await h?.stop();
  });

  function worker(gateway: FeishuGateway): OutboxWorker {
    return new OutboxWorker({
      db: h.db,
      provider,
      gateway,
      storage: h.services.storage,
      clock: h.clock,
      log: createLogger('silent'),
      config: h.app.config,
      pollMs: HOUR,
      heartbeatMs: HOUR,
      shareCheckMs: HOUR,
      rateTime: new VirtualRateTime(() => 0),
    });
  }
  const send = (key: string, chatId: string) => withContext(h.services, 'test', (ctx) => ctx.enqueue(key, { op: 'send', to: { chatId }, text: key }));
  // A test that failed midway leaves rows its stopped workers handed back: the next test's workers
  // would claim them beside their own. (An error thrown in `finally` would also hide the failure.)
  const forgetUnsent = (prefix: string) => h.db.outboxMessage.deleteMany({ where: { idempotencyKey: { startsWith: prefix }, status: { not: 'sent' } } });
  const demandOf = async (w: OutboxWorker) => (await h.db.outboxWorkerHeartbeat.findUniqueOrThrow({ where: { workerId: w.workerId } })).demandSince;

  it('the busy worker gets the whole limits back when the other has nothing to send; a worker joining waits to be seen', async () => {
    const [x, y] = [h.demo.units[0]!.chatId, h.demo.units[1]!.chatId];
    const heldA = heldGateway(h.services.gateway);
    const heldB = heldGateway(h.services.gateway);
    const a = worker(heldA.gateway);
    const b = worker(heldB.gateway);
    try {
      // A alone with demand: the whole limits, at once.
      await send('share:x1', x);
      a.start();
      await heldA.called(1);
      expect(a.limiter.workersSharing).toBe(1);

      // B claims y1 (x is A's) and shares by two, but sends nothing until A has seen it.
      await send('share:y1', y);
      b.start();
      await vi.waitFor(async () => expect(await demandOf(b)).not.toBeNull(), STEP);
      // Its demand is written before it reads the others (gainDemand): the read may still be on its way.
      await vi.waitFor(() => expect(b.limiter.workersSharing).toBe(2), STEP);
      expect(heldB.sends).toEqual([]);
      expect(await a.checkShare()).toBe(2);
      await heldB.called(1);
      expect(b.limiter.workersSharing).toBe(2);

      // A's call answered and nothing left it can claim (y is B's): A goes idle, B widens.
      heldA.open();
      await vi.waitFor(async () => expect(await demandOf(a)).toBeNull(), STEP);
      expect(await b.checkShare()).toBe(1);
      expect(b.limiter.workersSharing).toBe(1);

      // A gains demand again: it waits for B to see it before sending.
      await send('share:x2', x);
      a.kick();
      await vi.waitFor(async () => expect(await demandOf(a)).not.toBeNull(), STEP);
      await vi.waitFor(() => expect(a.limiter.workersSharing).toBe(2), STEP);
      expect(heldA.sends).toHaveLength(1);
      expect(await b.checkShare()).toBe(2);
      await heldA.called(2);
      heldB.open();
      await vi.waitFor(async () => expect(await h.db.outboxMessage.count({ where: { idempotencyKey: { startsWith: 'share:' }, status: 'sent' } })).toBe(3), STEP);
    } finally {
      heldA.open();
      heldB.open();
      await a.stop();
      await b.stop();
      await forgetUnsent('share:');
    }
    expect(h.emulator.calls().filter((c) => c.code === 230020 || c.status === 429)).toEqual([]);
    expect(
      h
        .messages(x)
        .filter((m) => m.uuid?.startsWith('share:'))
        .map((m) => m.uuid),
    ).toEqual(['share:x1', 'share:x2']);
    expect(await h.db.outboxWorkerHeartbeat.count({ where: { workerId: { in: [a.workerId, b.workerId] } } })).toBe(0);
  });

  it('splits the limits by need (5 a second per chat being delivered): a rise counts once the other has listed it, a fall at once', async () => {
    const chat = (name: string) => h.emulator.createChat({ name, memberOpenIds: [h.demo.coordinatorOpenId], botMember: true }).chatId;
    const aChats = ['甲1', '甲2', '甲3', '甲4'].map(chat);
    const bChats = ['乙1', '乙2', '乙3', '乙4', '乙5'].map(chat);
    const heldA = heldGateway(h.services.gateway);
    const heldB = heldGateway(h.services.gateway);
    const a = worker(heldA.gateway);
    const b = worker(heldB.gateway);
    const capsOf = (w: OutboxWorker) => w.limiter.shareCaps()['im.message.create'];
    try {
      // A alone with four chats: the whole limits.
      for (const [i, c] of aChats.entries()) await send(`need:a${i}`, c);
      a.start();
      await heldA.called(4);
      expect(capsOf(a)).toEqual([50, 1000]);

      // B with one chat (need 5) beside A with four (need 20): each its need and half the rest.
      await send('need:b0', bChats[0]!);
      b.start();
      await vi.waitFor(async () => expect(await demandOf(b)).not.toBeNull(), STEP);
      expect(await a.checkShare()).toBe(2);
      expect(capsOf(a)).toEqual([32, 640]);
      await heldB.called(1);
      expect(capsOf(b)).toEqual([17, 340]);

      // B takes four more chats (need 25): it keeps to its part until A has listed the new need.
      for (const [i, c] of bChats.slice(1).entries()) await send(`need:b${i + 1}`, c);
      b.kick();
      await heldB.called(5);
      await b.checkShare();
      expect(capsOf(b)).toEqual([17, 340]);
      await a.checkShare();
      expect(capsOf(a)).toEqual([22, 440]);
      await b.checkShare();
      expect(capsOf(b)).toEqual([27, 540]);

      // Four of B's chats are done (need 5 again): B shrinks at once, A widens when it reads so.
      for (const c of bChats.slice(1)) heldB.openChat(c);
      await vi.waitFor(async () => expect(await h.db.outboxMessage.count({ where: { idempotencyKey: { startsWith: 'need:b' }, status: 'sent' } })).toBe(4), STEP);
      // The rows read as sent a moment before their lanes end; A reads nothing meanwhile.
      await vi.waitFor(async () => {
        await b.checkShare();
        expect(capsOf(b)).toEqual([17, 340]);
      }, STEP);
      await a.checkShare();
      expect(capsOf(a)).toEqual([32, 640]);

      // A falls silent (its row gone while it had demand): B takes the whole limits and counts A's
      // part as still in the windows: whatever B's part (17) left, 33, beside its own five calls.
      await h.db.outboxWorkerHeartbeat.deleteMany({ where: { workerId: a.workerId } });
      expect(await b.checkShare()).toBe(1);
      let places = 0;
      while (b.limiter.waitMs(`oc_probe_${places}`) === 0 && places < 50) b.limiter.take(`oc_probe_${places++}`).done();
      expect(places).toBe(50 - 33 - 5);
      heldA.open();
      heldB.open();
      await vi.waitFor(async () => expect(await h.db.outboxMessage.count({ where: { idempotencyKey: { startsWith: 'need:' }, status: 'sent' } })).toBe(9), STEP);
    } finally {
      heldA.open();
      heldB.open();
      await a.stop();
      await b.stop();
      await forgetUnsent('need:');
    }
    expect(h.emulator.calls().filter((c) => c.code === 230020 || c.status === 429)).toEqual([]);
  });

  it('beside a worker of a version before the split by need (no need in its row), keeps to an even split', async () => {
    const chats = ['丙1', '丙2', '丙3'].map((name) => h.emulator.createChat({ name, memberOpenIds: [h.demo.coordinatorOpenId], botMember: true }).chatId);
    const held = heldGateway(h.services.gateway);
    const a = worker(held.gateway);
    const now = h.clock.now();
    // Delivering, and listing A's demand by the key that version gives it (no need in it).
    await h.db.outboxWorkerHeartbeat.create({ data: { workerId: 'older-version', startedAt: now, seenAt: now, demandSince: now, sharesWith: `${a.workerId}#0`, recentCalls: JSON.stringify({ idle: 0, calls: {} }) } });
    try {
      for (const [i, c] of chats.entries()) await send(`older:${i}`, c);
      a.start();
      await held.called(3);
      expect(a.limiter.workersSharing).toBe(2);
      expect(a.limiter.shareCaps()['im.message.create']).toEqual([25, 500]);
      held.open();
      await vi.waitFor(async () => expect(await h.db.outboxMessage.count({ where: { idempotencyKey: { startsWith: 'older:' }, status: 'sent' } })).toBe(3), STEP);
    } finally {
      held.open();
      await a.stop();
      await h.db.outboxWorkerHeartbeat.deleteMany({ where: { workerId: 'older-version' } });
      await forgetUnsent('older:');
    }
  });
});
