// The slot queue decides which waiting lane gets a freed place in the rate windows. A fan-out of
// several messages per chat must end when Feishu's windows allow, not a second later because a few
// chats were left with more than one second's worth for the end (slot-queue.ts).
import { describe, expect, it } from 'vitest';
import { RateLimiter, SEND_API, type RateSlot } from '../../src/adapters/outbox/rate-limiter.ts';
import { SlotQueue } from '../../src/adapters/outbox/slot-queue.ts';
import { VirtualRateTime } from '../../src/ports/rate-time.ts';

const LIMITS = { perSecond: 10, perMinute: 1000, perChat: 5 };

function maxInAnyWindow(times: number[], windowMs: number): number {
  return Math.max(0, ...times.map((t) => times.filter((u) => u >= t && u < t + windowMs).length));
}

/**
 * `chats` lanes of `rows` each, started at once, each sending its rows one after another (as the
 * worker's lanes do); every call is answered `answerMs` after it leaves. Returns when each call left.
 */
async function fanOut(chats: number, rows: number, grant: (limiter: RateLimiter, chat: string, rowsLeft: number, lane: number) => Promise<RateSlot | undefined>, answerMs = 0) {
  const time = new VirtualRateTime(() => 0);
  const limiter = new RateLimiter(LIMITS, time);
  const sent = new Map<string, number[]>();
  await Promise.all(
    Array.from({ length: chats }, async (_, lane) => {
      const chat = `oc_${lane}`;
      const times: number[] = [];
      sent.set(chat, times);
      for (let i = 0; i < rows; i++) {
        const slot = await grant(limiter, chat, rows - i, lane);
        times.push(time.now());
        if (answerMs > 0) await time.sleep(answerMs);
        slot!.done();
      }
    }),
  );
  const all = [...sent.values()].flat();
  return { sent, all, last: Math.max(...all) };
}

/** A repeatable stream of numbers in [0, 1). */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('SlotQueue', () => {
  it('ends a fan-out of ten messages per chat in the second the windows allow', async () => {
    // 12 chats × 10 = 120 calls at 10/s for the app: twelve seconds' worth, the last leaving at 11 s.
    const { queue } = { queue: new Map<RateLimiter, SlotQueue>() };
    const viaQueue = (limiter: RateLimiter, chat: string, rowsLeft: number, lane: number) => {
      if (!queue.has(limiter)) queue.set(limiter, new SlotQueue(limiter));
      return queue.get(limiter)!.acquire(chat, SEND_API, { rowsLeft, lane });
    };
    const { sent, all, last } = await fanOut(12, 10, viaQueue);
    expect(last).toBe(11_000);
    expect(maxInAnyWindow(all, 1000)).toBe(10);
    for (const times of sent.values()) expect(maxInAnyWindow(times, 1000)).toBeLessThanOrEqual(5);
  });

  it('keeps the limits when calls take time to answer', async () => {
    const queue = new Map<RateLimiter, SlotQueue>();
    const viaQueue = (limiter: RateLimiter, chat: string, rowsLeft: number, lane: number) => {
      if (!queue.has(limiter)) queue.set(limiter, new SlotQueue(limiter));
      return queue.get(limiter)!.acquire(chat, SEND_API, { rowsLeft, lane });
    };
    const { sent, all, last } = await fanOut(12, 10, viaQueue, 40);
    expect(maxInAnyWindow(all, 1000)).toBeLessThanOrEqual(10);
    for (const times of sent.values()) expect(maxInAnyWindow(times, 1000)).toBeLessThanOrEqual(5);
    // each reuse of a place waits for its answer (40 ms) on top of the second: eleven reuses
    expect(last).toBeLessThanOrEqual(11 * 1040 + 40 * 5);
  });

  it('under 5xx and 429 faults, ends a fan-out sooner by rows left than by whole seconds left', async () => {
    // 50 chats × 10 rows at 50/s for the app, as the bench's fault run: 25 % of calls fail (sent
    // again at once, in order) and 5 % draw a 429 (the app waits a second, then the call is sent
    // again). A second's calls are answered one after another (the answers spread), so a 429
    // stops the calls not yet granted that second. Ranked by whole seconds of sending left, the
    // lanes of chats held back by failures tied with the others and lost to older lanes, and the
    // chat with the most calls left finished after the rest. Same faults per chat for both.
    const run = async (priority: (rowsLeft: number) => number, seed: number) => {
      const time = new VirtualRateTime(() => 0);
      const limiter = new RateLimiter({ perSecond: 50, perMinute: 100_000, perChat: 5 }, time);
      const queue = new SlotQueue(limiter);
      let last = 0;
      let burstAt = -1;
      let inBurst = 0;
      await Promise.all(
        Array.from({ length: 50 }, async (_, lane) => {
          const draw = seeded(seed * 1000 + lane);
          for (let i = 0; i < 10;) {
            const slot = await queue.acquire(`oc_${lane}`, SEND_API, { rowsLeft: priority(10 - i), lane });
            const now = time.now();
            inBurst = now === burstAt ? inBurst + 1 : 1;
            burstAt = now;
            last = Math.max(last, now);
            const fate = draw();
            await time.sleep(5 + inBurst);
            slot!.done();
            if (fate < 0.05) {
              limiter.block('app', 1);
              await time.sleep(1000);
            } else if (fate >= 0.3) i++;
          }
        }),
      );
      return last;
    };
    let byRows = 0;
    let bySeconds = 0;
    for (let seed = 1; seed <= 12; seed++) {
      byRows += await run((left) => left, seed);
      bySeconds += await run((left) => Math.ceil(left / LIMITS.perChat), seed);
    }
    // measured: 0.95 (12 seeds: 16.8 s against 17.8 s on average)
    expect(byRows / bySeconds).toBeLessThan(0.97);
  });

  it('gives the place to the lane with more rows left, then to the older lane', async () => {
    const time = new VirtualRateTime(() => 0);
    const limiter = new RateLimiter({ perSecond: 1, perMinute: 1000, perChat: 5 }, time);
    const queue = new SlotQueue(limiter);
    limiter.take('oc_other').done(); // the app's one place this second is gone
    const order: string[] = [];
    const wait = (chat: string, rowsLeft: number, lane: number) =>
      queue.acquire(chat, SEND_API, { rowsLeft, lane }).then((slot) => {
        order.push(chat);
        slot!.done();
      });
    await Promise.all([wait('oc_young_short', 6, 5), wait('oc_old_short', 6, 1), wait('oc_long', 7, 9)]);
    expect(order).toEqual(['oc_long', 'oc_old_short', 'oc_young_short']);
  });

  it('notices within 250 ms that the share grew (another worker went idle), not a minute later', async () => {
    const time = new VirtualRateTime(() => 0);
    const limiter = new RateLimiter({ perSecond: 50, perMinute: 2, perChat: 5 }, time);
    limiter.setShare(2); // one call a minute for this worker
    const queue = new SlotQueue(limiter);
    (await queue.acquire('oc_a', SEND_API, { rowsLeft: 1, lane: 0 }))!.done();
    const second = queue.acquire('oc_b', SEND_API, { rowsLeft: 1, lane: 1 });
    limiter.setShare(1); // the other worker is idle: two a minute again
    expect(await second).toBeDefined();
    expect(time.now()).toBeLessThanOrEqual(250);
  });

  it('holds every grant until notBefore, and cancelAll answers every waiter with no place', async () => {
    const time = new VirtualRateTime(() => 0);
    const limiter = new RateLimiter(LIMITS, time);
    const queue = new SlotQueue(limiter, () => 500);
    const first = await queue.acquire('oc_a', SEND_API, { rowsLeft: 1, lane: 0 });
    expect(first).toBeDefined();
    expect(time.now()).toBe(500);

    const full = new SlotQueue(new RateLimiter({ perSecond: 1, perMinute: 1000, perChat: 1 }, new VirtualRateTime(() => 0)));
    const a = full.acquire('oc_a', SEND_API, { rowsLeft: 1, lane: 0 });
    expect(await a).toBeDefined();
    const b = full.acquire('oc_a', SEND_API, { rowsLeft: 1, lane: 0 });
    expect(full.waiting).toBe(1);
    full.cancelAll();
    expect(await b).toBeUndefined();
    expect(full.waiting).toBe(0);
  });
});
