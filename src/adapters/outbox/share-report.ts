// What outbox workers of one app tell each other in their heartbeat rows (`recentCalls`) to share
// Feishu's app-wide limits (worker.ts explains the protocol), and what a worker joining the others
// counts of their calls.
import { SEND_API, type SecondAges, type WindowCalls } from './rate-limiter.ts';

/** A worker's report: how often it went idle, its own calls per API in its windows, and their ages in the last second. */
export interface ShareReport {
  idle: number;
  calls: WindowCalls;
  /** absent in rows written by a version that reported counts only */
  ages?: SecondAges;
}

export function writeReport(report: ShareReport): string {
  return JSON.stringify(report);
}

/** A heartbeat row's `recentCalls`; anything unreadable reads as nothing reported. */
export function readReport(json: string): ShareReport {
  try {
    const r = JSON.parse(json) as { idle?: unknown; calls?: unknown; ages?: unknown };
    const ages = r.ages && typeof r.ages === 'object' ? (r.ages as SecondAges) : undefined;
    return { idle: typeof r.idle === 'number' ? r.idle : 0, calls: r.calls && typeof r.calls === 'object' ? (r.calls as WindowCalls) : {}, ...(ages ? { ages } : {}) };
  } catch {
    return { idle: 0, calls: {} };
  }
}

/** What a joining worker counts as others' calls in its own windows: ages in its last second, counts in its minute. */
export interface JoinSeeds {
  second: SecondAges;
  minute: WindowCalls;
}

/**
 * Whether a worker that gained demand may start sending beside the workers already delivering,
 * and what of their calls it must count in its windows. `caps` are its windows' capacities at the
 * new share, which every worker that listed it (`acked`) shrank to before writing that report.
 *
 * Each of them can from then on hold at most max(its old calls still in the window, its cap) in any
 * second: it takes a new place only below its cap. So the newcomer counts, of each one's last
 * second, the oldest calls beyond the cap (those are what keeps it over its cap, and they leave
 * first), at the ages reported; with its own calls kept to (its cap − those), the app stays within
 * the whole limit. The newcomer fills the places the others' old calls free, instead of waiting
 * for them to report being down to their share (a second at half rate, measured in the bench).
 * Of the minute it counts what each sent beyond its share.
 *
 * Undefined while a worker with demand has not listed it, or reports a last second over its cap
 * without the ages (a version before this one): wait, as that version did.
 */
export function joinSeeds(reports: { acked: boolean; report: ShareReport }[], caps: WindowCalls): JoinSeeds | undefined {
  const capsOf = (api: string) => caps[api] ?? caps[SEND_API] ?? [1, 1];
  const seeds: JoinSeeds = { second: {}, minute: {} };
  for (const { acked, report } of reports) {
    if (!acked) return undefined;
    for (const [api, [second, minute]] of Object.entries(report.calls)) {
      const [secondCap, minuteCap] = capsOf(api);
      const ages = report.ages?.[api];
      if (ages) {
        const oldestFirst = [...ages].sort((a, b) => b - a);
        const excess = oldestFirst.slice(0, Math.max(0, oldestFirst.length - secondCap));
        if (excess.length > 0) seeds.second[api] = [...(seeds.second[api] ?? []), ...excess];
      } else if (second > secondCap) return undefined;
      if (minute > minuteCap) seeds.minute[api] = [0, (seeds.minute[api]?.[1] ?? 0) + minute - minuteCap];
    }
  }
  return seeds;
}
