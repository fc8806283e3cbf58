// The virtual rate timeline of the simulated year (src/ports/rate-time.ts): waits jump instead of
// costing wall time, concurrent waits overlap as they would in real time, and the outbox's
// limiter on it keeps Feishu's windows as it does on the wall clock.
import { describe, expect, it } from 'vitest';
import { VirtualRateTime } from '../../src/ports/rate-time.ts';
import { RateLimiter } from '../../src/adapters/outbox/rate-limiter.ts';

/** A timeline that moves only when someone sleeps. */
const frozen = () => new VirtualRateTime(() => 0);

function maxInAnyWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= windowMs) j++;
    max = Math.max(max, i - j + 1);
  }
  return max;
}

describe('VirtualRateTime', () => {
  it('a sleep jumps to the caller start + ms', async () => {
    const time = frozen();
    expect(time.now()).toBe(0);
    await time.sleep(1500);
    expect(time.now()).toBe(1500);
    await time.sleep(250);
    expect(time.now()).toBe(1750);
    expect(time.skippedMs).toBe(1750);
  });

  it('concurrent sleepers wake earliest first and advance time to the latest wake, not the sum', async () => {
    const time = frozen();
    const woke: [string, number][] = [];
    await Promise.all(
      [
        ['long', 1000],
        ['short', 300],
        ['same', 1000],
      ].map(async ([name, ms]) => {
        await time.sleep(ms as number);
        woke.push([name as string, time.now()]);
      }),
    );
    expect(woke).toEqual([
      ['short', 300],
      ['long', 1000],
      ['same', 1000],
    ]);
    expect(time.now()).toBe(1000);
  });

  it('does not jump back or past what time already reached', async () => {
    let wall = 0;
    const time = new VirtualRateTime(() => wall);
    const sleeping = time.sleep(100);
    wall = 400; // the wall clock ran past the wake meanwhile (a busy event loop)
    await sleeping;
    expect(time.now()).toBe(400);
    expect(time.skippedMs).toBe(0);
    await time.sleep(100);
    expect(time.now()).toBe(500);
    wall = 450;
    expect(time.now()).toBe(550); // time flows with its base between waits
  });

  it('a sleep of 0 (or less) resolves without moving time', async () => {
    const time = frozen();
    await time.sleep(0);
    await time.sleep(-5);
    expect(time.now()).toBe(0);
  });
});

describe('RateLimiter on a VirtualRateTime', () => {
  it("keeps Feishu's windows for concurrent lanes (one per chat) and is no slower than the limits", async () => {
    const time = frozen();
    const limiter = new RateLimiter({ perSecond: 50, perMinute: 1000, perChat: 5 }, time);
    const sent: { chat: string; at: number }[] = [];
    // 40 chats × 6 messages, each chat's lane sending one after another, all lanes at once (the worker)
    await Promise.all(
      Array.from({ length: 40 }, async (_, c) => {
        for (let i = 0; i < 6; i++) {
          const slot = await limiter.acquireSlot(`oc_${c}`, Number.POSITIVE_INFINITY);
          sent.push({ chat: `oc_${c}`, at: time.now() });
          slot!.done();
        }
      }),
    );
    expect(sent).toHaveLength(240);
    expect(
      maxInAnyWindow(
        sent.map((s) => s.at),
        1000,
      ),
    ).toBeLessThanOrEqual(50);
    for (let c = 0; c < 40; c++) {
      expect(
        maxInAnyWindow(
          sent.filter((s) => s.chat === `oc_${c}`).map((s) => s.at),
          1000,
        ),
      ).toBeLessThanOrEqual(5);
    }
    // 240 calls at 50 per second: the last leaves at 4 s (waves at 0, 1, 2, 3, 4 s); waits overlapped
    const last = Math.max(...sent.map((s) => s.at));
    expect(last).toBeGreaterThanOrEqual(4000);
    expect(last).toBeLessThan(5000);
  });

  it('waits out a block (429 reset) on the timeline', async () => {
    const time = frozen();
    const limiter = new RateLimiter({ perSecond: 50, perMinute: 1000, perChat: 5 }, time);
    limiter.block('app', 3);
    expect(await limiter.acquire('oc_x')).toBe(true);
    expect(time.now()).toBe(3000);
  });
});
