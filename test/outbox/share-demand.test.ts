// Two outbox workers of one app share Feishu's app-wide limits by demand: a worker with nothing to
// send stops counting, so the other goes back to the whole 50/s; a worker that gains demand sends
// nothing until the worker already sending has listed it (and shrunk). Each worker's calls are held
// in its gateway until the test lets them go, and the share checks the test relies on are called
// by hand (the timers are an hour): the steps follow one another without the wall clock.
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

/** The harness's gateway, with every send held until `open()`; `called(n)` resolves at the n-th send. */
function heldGateway(inner: FeishuGateway) {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const sends: string[] = [];
  const waiters: { n: number; resolve(): void }[] = [];
  const sendMessage: FeishuGateway['sendMessage'] = async (p) => {
    sends.push(p.uuid ?? '');
    for (const w of waiters.filter((w) => sends.length >= w.n)) w.resolve();
    await gate;
    return inner.sendMessage(p);
  };
  const gateway = new Proxy(inner, {
    get: (target, key) => (key === 'sendMessage' ? sendMessage : (Reflect.get(target, key) as unknown)),
  });
  return {
    gateway,
    sends,
    open: () => open(),
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
      expect(b.limiter.workersSharing).toBe(2);
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
      expect(a.limiter.workersSharing).toBe(2);
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
});
