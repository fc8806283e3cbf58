// What outbox workers of one app tell each other in their heartbeat rows (`recentCalls`) to share
// Feishu's app-wide limits (worker.ts explains the protocol): how the limits are split by need,
// and what a worker whose part grows counts of the others' calls.
import { z } from 'zod';
import type { SecondAges, WindowCalls } from './rate-limiter.ts';

/** A worker's report. Rows written before the split by need carry only `idle` and `calls`. */
export interface ShareReport {
  /** how often it went idle */
  idle: number;
  /** its own calls per API in its last second and minute */
  calls: WindowCalls;
  /** how long ago each of its calls in the last second was answered, per API */
  ages?: SecondAges;
  /** the calls a second it can use (5 a second per chat it delivers), as the others read it */
  need?: number;
  /** what it keeps to per API, [second, minute], after taking this row's view of the others */
  cap?: [number, number];
}

export function writeReport(report: ShareReport): string {
  return JSON.stringify(report);
}

const pair = z.tuple([z.number(), z.number()]);
/** A field that does not parse reads as absent (or as nothing reported): a row is never refused. */
const reportSchema = z.object({
  idle: z.number().catch(0),
  calls: z.record(z.string(), pair).catch({}),
  ages: z.record(z.string(), z.array(z.number())).optional().catch(undefined),
  need: z.number().optional().catch(undefined),
  cap: pair.optional().catch(undefined),
});

/** A heartbeat row's `recentCalls`; anything unreadable reads as nothing reported. */
export function readReport(json: string): ShareReport {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    raw = {};
  }
  const r = reportSchema.safeParse(raw);
  if (!r.success) return { idle: 0, calls: {} };
  const { idle, calls, ages, need, cap } = r.data;
  return { idle, calls, ...(ages ? { ages } : {}), ...(need !== undefined ? { need } : {}), ...(cap ? { cap } : {}) };
}

/**
 * The key under which the others list a worker with demand (`sharesWith`): new when it goes idle
 * and comes back (a clock may stand still), and when its need changes.
 */
export function demandKeyOf(workerId: string, report: Pick<ShareReport, 'idle' | 'need'>): string {
  return report.need === undefined ? `${workerId}#${report.idle}` : `${workerId}#${report.idle}#${report.need}`;
}

/**
 * Whether a row lists this worker's demand: by its whole key, or, in a row written before the split
 * by need, by the key that version gave it (that version keeps to an even split, and so does this
 * one beside it: worker.ts checkShare).
 */
export function lists(row: { sharesWith: string; report: ShareReport }, key: string): boolean {
  const listed = row.sharesWith.split(',');
  return listed.includes(key) || (row.report.need === undefined && listed.includes(key.split('#').slice(0, 2).join('#')));
}

/**
 * Splits `total` calls a second among workers by need (5 a second per chat each delivers): every
 * worker gets its need when the needs fit, plus an even part of what is left; otherwise each gets
 * the total in proportion to its need, so every chat of the app gets the same rate whichever worker
 * delivers it. (Split max-min instead, a worker delivering 40 chats beside one delivering 10 took
 * 25 a second like it: after each of Feishu's 429 pauses, a wave of one call per chat, 15 of its
 * chats waited for the next wave while the other left 15 places unused; measured in the bench.)
 * Rounded down, so the parts never add up to more than `total`. A part rises with the worker's own
 * need and falls as another's rises, and depends only on the needs, not on who computes it: one
 * that reads another's need higher than it is (not yet lowered) or keeps its own raise unused (not
 * yet listed) takes less.
 */
export function allocate(needs: number[], total: number): number[] {
  if (needs.length === 0) return [];
  const sum = needs.reduce((a, b) => a + b, 0);
  if (sum <= total) return needs.map((n) => Math.floor(n + (total - sum) / needs.length));
  return needs.map((n) => Math.floor((total * n) / sum));
}

/** What a worker counts as others' calls in its own windows: ages in its last second, counts in its minute. */
export interface Seeds {
  second: SecondAges;
  minute: WindowCalls;
}

/**
 * One worker's calls over `cap` ([second, minute] per API): of its last second the oldest calls
 * beyond the cap at the ages it reported (those are what keeps it over its cap, and they leave
 * first), of its minute the count beyond. Undefined when it is over its cap in the last second and
 * reported no ages (a version before them): wait until it is down to the cap, as that version did.
 */
export function excessOver(report: ShareReport, cap: [number, number], into: Seeds = { second: {}, minute: {} }): Seeds | undefined {
  const [secondCap, minuteCap] = cap;
  for (const [api, [second, minute]] of Object.entries(report.calls)) {
    const ages = report.ages?.[api];
    if (ages) {
      const oldestFirst = [...ages].sort((a, b) => b - a);
      const excess = oldestFirst.slice(0, Math.max(0, oldestFirst.length - secondCap));
      if (excess.length > 0) into.second[api] = [...(into.second[api] ?? []), ...excess];
    } else if (second > secondCap) return undefined;
    if (minute > minuteCap) into.minute[api] = [0, (into.minute[api]?.[1] ?? 0) + minute - minuteCap];
  }
  return into;
}

/**
 * Whether a worker whose part grows (it gained demand, or its need rose) may use it beside the
 * workers already delivering, and what of their calls it must count. Every worker with demand must
 * have listed its key: each took its own smaller part before writing that row (`cap`, or for an
 * older version the even split, `evenCap`). Each can from then on hold at most max(its old calls
 * still in the window, its cap) in any second, as it takes a new place only below its cap; with the
 * newcomer counting their calls over their caps (excessOver) and keeping its own to its part, the
 * app stays within the whole limit. It fills the places those calls free instead of waiting for
 * the others to report being down to their caps (a second at half the rate, measured in the bench).
 */
export function joinSeeds(rows: { acked: boolean; report: ShareReport }[], evenCap: [number, number]): Seeds | undefined {
  const seeds: Seeds = { second: {}, minute: {} };
  for (const { acked, report } of rows) {
    if (!acked) return undefined;
    if (!excessOver(report, report.cap ?? evenCap, seeds)) return undefined;
  }
  return seeds;
}
