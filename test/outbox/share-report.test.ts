// Workers split Feishu's app-wide limits by need (allocate). A worker whose part grows counts the
// others' calls over their parts (joinSeeds), by the ages they report, and fills the places those
// calls free: the app stays at 50/s through a join, never over it. Checked on a timeline the test
// moves by hand.
import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/adapters/outbox/rate-limiter.ts';
import { allocate, demandKeyOf, joinSeeds, lists, readReport, writeReport, type ShareReport } from '../../src/adapters/outbox/share-report.ts';

const LIMITS = { perSecond: 50, perMinute: 1000, perChat: 5 };
const SEND = 'im.message.create';
const at = (now: () => number) => ({ now, sleep: () => Promise.reject(new Error('no sleeping in this test')) });
const reportOf = (l: RateLimiter): ShareReport => readReport(writeReport({ idle: 0, calls: l.ownCalls(), ages: l.ownSecondAges() }));

function maxInAnyWindow(times: number[], windowMs: number): number {
  let max = 0;
  for (const start of times) max = Math.max(max, times.filter((t) => t >= start && t < start + windowMs).length);
  return max;
}

describe('joinSeeds', () => {
  const evenCap: [number, number] = [25, 500];

  it('waits until every worker with demand has listed the newcomer', () => {
    const report: ShareReport = { idle: 0, calls: { [SEND]: [10, 10] }, ages: { [SEND]: [30, 20] } };
    expect(
      joinSeeds(
        [
          { acked: true, report },
          { acked: false, report },
        ],
        evenCap,
      ),
    ).toBeUndefined();
  });

  it("counts each worker's oldest calls beyond the share, at their ages, and its minute beyond the share", () => {
    const ages = Array.from({ length: 40 }, (_, i) => 20 * i); // 0 … 780 ms
    const seeds = joinSeeds(
      [
        { acked: true, report: { idle: 2, calls: { [SEND]: [40, 640] }, ages: { [SEND]: ages } } },
        { acked: true, report: { idle: 0, calls: { [SEND]: [5, 5] }, ages: { [SEND]: [1, 2, 3, 4, 5] } } },
      ],
      evenCap,
    );
    expect(seeds).toEqual({ second: { [SEND]: ages.slice(25).reverse() }, minute: { [SEND]: [0, 140] } });
  });

  it('waits, as before, for a report without ages (an older version) until that worker is down to its share', () => {
    expect(joinSeeds([{ acked: true, report: { idle: 0, calls: { [SEND]: [26, 26] } } }], evenCap)).toBeUndefined();
    expect(joinSeeds([{ acked: true, report: { idle: 0, calls: { [SEND]: [25, 600] } } }], evenCap)).toEqual({ second: {}, minute: { [SEND]: [0, 100] } });
  });

  it("counts a worker's calls over the part it reports, not over the newcomer's", () => {
    const report: ShareReport = { idle: 0, calls: { [SEND]: [45, 45] }, ages: { [SEND]: Array.from({ length: 45 }, (_, i) => 10 * i) }, need: 50, cap: [40, 800] };
    expect(joinSeeds([{ acked: true, report }], evenCap)).toEqual({ second: { [SEND]: [440, 430, 420, 410, 400] }, minute: {} });
  });

  it('reads what an unreadable or older row holds as nothing or counts only', () => {
    expect(readReport('not json')).toEqual({ idle: 0, calls: {} });
    expect(readReport('null')).toEqual({ idle: 0, calls: {} });
    expect(readReport('{"idle":"2","calls":[1],"need":"x","cap":[1],"ages":{"im.message.create":[1,2]}}')).toEqual({ idle: 0, calls: {}, ages: { [SEND]: [1, 2] } });
    expect(readReport('{"idle":3,"calls":{"im.message.create":[4,9]}}')).toEqual({ idle: 3, calls: { [SEND]: [4, 9] } });
    expect(readReport('{"idle":1,"calls":{},"ages":{},"need":15,"cap":[17,340]}')).toEqual({ idle: 1, calls: {}, ages: {}, need: 15, cap: [17, 340] });
  });
});

describe('allocate: the app-wide limits split by need', () => {
  it('gives each its need and an even part of the rest when the needs fit, else a part in proportion to its need', () => {
    expect(allocate([50], 50)).toEqual([50]);
    expect(allocate([250], 50)).toEqual([50]);
    expect(allocate([45, 5], 50)).toEqual([45, 5]);
    expect(allocate([20, 5], 50)).toEqual([32, 17]);
    expect(allocate([50, 50], 50)).toEqual([25, 25]);
    // 40 chats beside 10: every chat the same rate, whichever worker delivers it.
    expect(allocate([200, 50], 50)).toEqual([40, 10]);
    expect(allocate([245, 5], 50)).toEqual([49, 1]);
    expect(allocate([50, 50, 50], 50)).toEqual([16, 16, 16]);
    expect(allocate([10, 50, 50], 50)).toEqual([4, 22, 22]);
  });

  it('never hands out more than the total; reading another need higher never gives a worker more, nor its own higher less', () => {
    let seed = 7;
    const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    for (let round = 0; round < 2000; round++) {
      const needs = Array.from({ length: 1 + rand(4) }, () => 5 * (1 + rand(40)));
      const parts = allocate(needs, 50);
      expect(parts.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(50);
      const other = rand(needs.length);
      const higher = needs.map((n, i) => (i === other ? n + 5 * (1 + rand(5)) : n));
      const after = allocate(higher, 50);
      needs.forEach((_, i) => {
        if (i !== other) expect(after[i]).toBeLessThanOrEqual(parts[i]!);
        else expect(after[i]).toBeGreaterThanOrEqual(parts[i]!);
      });
    }
  });

  it('a row of a version before the split by need lists a worker by its key without the need', () => {
    const key = demandKeyOf('w1', { idle: 3, need: 25 });
    expect(key).toBe('w1#3#25');
    expect(lists({ sharesWith: 'w0#1,w1#3#25', report: { idle: 0, calls: {}, need: 50 } }, key)).toBe(true);
    expect(lists({ sharesWith: 'w0#1,w1#3#5', report: { idle: 0, calls: {}, need: 50 } }, key)).toBe(false);
    expect(lists({ sharesWith: 'w1#3', report: { idle: 0, calls: {} } }, key)).toBe(true);
    expect(lists({ sharesWith: 'w1#3', report: { idle: 0, calls: {}, need: 50 } }, key)).toBe(false);
  });
});

describe('a worker joining one that sends at the whole 50/s', () => {
  /**
   * A sends a call every 10 ms (a lane's round trip) while its windows allow. At 700 ms it has read
   * B's demand, shrunk to half and written its report (and again every 250 ms); B reads A's rows
   * from 750 ms, every 250 ms, and sends every 10 ms once joined. `rule` is how B decides it joined.
   */
  function run(rule: 'ages' | 'counts') {
    let t = 0;
    const a = new RateLimiter(
      LIMITS,
      at(() => t),
    );
    const b = new RateLimiter(
      LIMITS,
      at(() => t),
    );
    const calls: number[] = [];
    let n = 0;
    const send = (l: RateLimiter) => {
      const target = `oc_${n}`;
      if (l.waitMs(target) > 0) return;
      l.take(target).done();
      n++;
      calls.push(t);
    };
    let written: ShareReport | undefined;
    let joinedAt: number | undefined;
    for (t = 0; t < 5000; t++) {
      if (t === 700) a.setShare(2);
      if (t >= 700 && (t - 700) % 250 === 0) written = reportOf(a);
      if (joinedAt === undefined && t >= 750 && (t - 750) % 250 === 0) {
        b.setShare(2);
        const caps = b.shareCaps();
        if (rule === 'ages') {
          const seeds = joinSeeds([{ acked: true, report: written! }], caps[SEND]!);
          for (const [api, ages] of Object.entries(seeds!.second)) b.seedAppSecond(api, ages);
          joinedAt = t;
        } else if (written!.calls[SEND]![0] <= caps[SEND]![0]) joinedAt = t;
      }
      if (t % 10 === 0) send(a);
      if (joinedAt !== undefined && t % 10 === 5) send(b);
    }
    return { calls, joinedAt: joinedAt! };
  }

  it('keeps the app within 50 in any second, and at 50/s from the join on instead of waiting for A to drain to its share', () => {
    const byAges = run('ages');
    const byCounts = run('counts');
    expect(maxInAnyWindow(byAges.calls, 1000)).toBeLessThanOrEqual(50);
    expect(maxInAnyWindow(byCounts.calls, 1000)).toBeLessThanOrEqual(50);
    expect(byAges.joinedAt).toBe(750);
    expect(byCounts.joinedAt).toBe(1500);
    // A's first 50 calls left at 0–490 ms; the next 50 can leave from 1000 ms, as their places free.
    // B reads A's report 50 ms after A wrote it: its first call waits until 1055 ms; they catch up once A is under its share.
    const hundredth = (r: { calls: number[] }) => r.calls[99]!;
    expect(hundredth(byAges)).toBeLessThanOrEqual(1500);
    expect(hundredth(byCounts)).toBeGreaterThanOrEqual(1700);
  });
});
