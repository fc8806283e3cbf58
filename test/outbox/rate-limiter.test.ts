// The limiter must never let more than N calls into any one-second window (Feishu counts a
// sliding second): a token bucket would pass a full burst plus its refill.
import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/adapters/outbox/rate-limiter.ts';

function virtualLimiter(limits: { perSecond: number; perMinute: number; perChat: number }) {
  let now = 0;
  const limiter = new RateLimiter(limits, {
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
  });
  return { limiter, now: () => now };
}

/** A timeline the test moves by hand (nothing here sleeps). */
const at = (now: () => number) => ({ now, sleep: () => Promise.reject(new Error('no sleeping in this test')) });

function maxInAnyWindow(times: number[], windowMs: number): number {
  let max = 0;
  for (let i = 0; i < times.length; i++) {
    const inWindow = times.filter((t) => t >= times[i]! && t < times[i]! + windowMs).length;
    max = Math.max(max, inWindow);
  }
  return max;
}

describe('RateLimiter', () => {
  it('keeps one chat at 5 calls in any second', async () => {
    const { limiter, now } = virtualLimiter({ perSecond: 50, perMinute: 1000, perChat: 5 });
    const times: number[] = [];
    for (let i = 0; i < 23; i++) {
      expect(await limiter.acquire('oc_a')).toBe(true);
      times.push(now());
    }
    expect(maxInAnyWindow(times, 1000)).toBe(5);
    // and it is not slower than it must be: 23 calls need just over 4 seconds
    expect(now()).toBeLessThanOrEqual(4000);
  });

  it('keeps the app at 50 calls in any second across chats', async () => {
    const { limiter, now } = virtualLimiter({ perSecond: 50, perMinute: 1000, perChat: 5 });
    const times: number[] = [];
    for (let i = 0; i < 160; i++) {
      await limiter.acquire(`oc_${i % 40}`);
      times.push(now());
    }
    expect(maxInAnyWindow(times, 1000)).toBeLessThanOrEqual(50);
  });

  it('honours a block (429 reset) for the whole app, and 230020 for one chat', async () => {
    const { limiter } = virtualLimiter({ perSecond: 50, perMinute: 1000, perChat: 5 });
    limiter.block('app', 3);
    expect(limiter.waitMs('oc_x')).toBe(3000);
    const other = virtualLimiter({ perSecond: 50, perMinute: 1000, perChat: 5 }).limiter;
    other.block('oc_busy', 2);
    expect(other.waitMs('oc_busy')).toBe(2000);
    expect(other.waitMs('oc_free')).toBe(0);
  });

  it('gives up instead of waiting past maxWaitMs', async () => {
    const { limiter } = virtualLimiter({ perSecond: 50, perMinute: 1000, perChat: 5 });
    limiter.block('app', 60);
    expect(await limiter.acquire('oc_x', 1000)).toBe(false);
  });

  it('a call holds its place from send until a window after its answer', async () => {
    const { limiter } = virtualLimiter({ perSecond: 50, perMinute: 1000, perChat: 5 });
    let t = 0;
    const clocked = new RateLimiter(
      { perSecond: 50, perMinute: 1000, perChat: 5 },
      at(() => t),
    );
    const slots = Array.from({ length: 5 }, () => clocked.take('oc_a'));
    t = 2000; // answers are slow: the places stay taken however long the calls are in flight
    expect(clocked.waitMs('oc_a')).toBeGreaterThan(0);
    for (const s of slots) s.done();
    t = 2999;
    expect(clocked.waitMs('oc_a')).toBe(1);
    t = 3000;
    expect(clocked.waitMs('oc_a')).toBe(0);
    expect(limiter.waitMs('oc_a')).toBe(0);
  });

  it('shares the app-wide limits among the workers of one app', () => {
    let t = 0;
    const limiter = new RateLimiter(
      { perSecond: 50, perMinute: 1000, perChat: 5 },
      at(() => t),
    );
    limiter.setShare(2);
    for (let i = 0; i < 25; i++) {
      expect(limiter.waitMs(`oc_${i}`)).toBe(0);
      limiter.take(`oc_${i}`).done();
    }
    expect(limiter.waitMs('oc_next')).toBe(1000);
    t = 1000;
    expect(limiter.waitMs('oc_next')).toBe(0);
  });

  it("widening to the whole limits counts the other worker's calls still in the windows, and reports only its own", () => {
    let t = 0;
    const limiter = new RateLimiter(
      { perSecond: 50, perMinute: 1000, perChat: 5 },
      at(() => t),
    );
    limiter.setShare(2);
    for (let i = 0; i < 25; i++) limiter.take(`oc_${i}`).done();
    // the other worker went idle with 20 calls in its last second and 300 in its minute
    limiter.seedApp({ 'im.message.create': [20, 300] });
    limiter.setShare(1);
    for (let i = 0; i < 5; i++) {
      expect(limiter.waitMs(`oc_more_${i}`)).toBe(0);
      limiter.take(`oc_more_${i}`).done();
    }
    expect(limiter.waitMs('oc_next')).toBe(1000);
    expect(limiter.ownCalls()).toEqual({ 'im.message.create': [30, 30] });
    t = 1000;
    expect(limiter.waitMs('oc_next')).toBe(0);
    expect(limiter.shareCaps()).toEqual({ 'im.message.create': [50, 1000] });
  });

  it('keeps windows per Feishu API: a 429 on sends pauses sends only, and a full send window leaves patches free', () => {
    let t = 0;
    const limiter = new RateLimiter(
      { perSecond: 50, perMinute: 1000, perChat: 5 },
      at(() => t),
    );
    limiter.block('app', 2); // a 429 from the send API, x-ogw-ratelimit-reset: 2
    expect(limiter.waitMs('oc_a')).toBe(2000);
    expect(limiter.waitMs('om_card', 'im.message.patch')).toBe(0);
    t = 2000;
    for (let i = 0; i < 50; i++) limiter.take(`oc_${i}`).done();
    expect(limiter.waitMs('oc_next')).toBe(1000);
    expect(limiter.waitMs('om_card', 'im.message.patch')).toBe(0);
    limiter.block('app', 5, 'im.message.patch');
    expect(limiter.waitMs('om_card', 'im.message.patch')).toBe(5000);
    t = 3000;
    expect(limiter.waitMs('oc_next')).toBe(0);
  });
});
