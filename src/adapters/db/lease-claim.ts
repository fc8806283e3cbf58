// The lease claim the outbox (adapters/outbox/claim.ts) and the inbox (app/inbox.ts) share. Rows
// queue per lane (an outbox target, an inbox chat) in `seq` order. A row is due when it is pending
// and its next attempt has come (or, with skipBackoff, it is any retry), or when the worker that
// leased it let the lease run out. A claim takes each lane's due prefix only: a row that is not due
// closes its lane, so a later row never overtakes an earlier one across retries, restarts or workers.
// Callers run the two queries (their tables differ) inside one transaction under an advisory lock.

/** What the claim reads of a row. */
export interface LeasedRow {
  status: string;
  attempts: number;
  nextAttemptAt: Date;
  leaseUntil: Date | null;
}

export interface LeaseClaimTime {
  now: Date;
  /** also take retries whose backoff has not run out (tests on a frozen clock) */
  skipBackoff: boolean;
}

/** Prisma `where` for due rows; `leased` is the table's status while a worker holds a row. */
export function dueWhere(leased: string, { now, skipBackoff }: LeaseClaimTime) {
  return {
    OR: [{ status: 'pending', nextAttemptAt: { lte: now } }, ...(skipBackoff ? [{ status: 'pending', attempts: { gt: 0 } }] : []), { status: leased, leaseUntil: { lt: now } }],
  };
}

/** The row may be taken now (the in-memory form of `dueWhere`). */
export function isDue(r: LeasedRow, { now, skipBackoff }: LeaseClaimTime): boolean {
  return r.status === 'pending' ? r.nextAttemptAt <= now || (skipBackoff && r.attempts > 0) : r.leaseUntil !== null && r.leaseUntil < now;
}

/** The first `count` distinct lanes of the due candidates, oldest first. */
export function firstLanes<R>(candidates: R[], laneOf: (r: R) => string, count: number): string[] {
  return [...new Set(candidates.map(laneOf))].slice(0, count);
}

/**
 * Each lane's due prefix of its open rows (given in queue order): rows are taken until the lane
 * meets a row that is not due, or has `laneSize` rows. A row that is not due but `passes` (e.g.
 * scheduled for later and never attempted) is stepped over instead of closing the lane.
 */
export function duePrefixes<R extends LeasedRow>(open: R[], time: LeaseClaimTime, o: { laneOf: (r: R) => string; laneSize?: number; passes?: (r: R) => boolean }): R[] {
  const take: R[] = [];
  const perLane = new Map<string, number>();
  const closed = new Set<string>();
  for (const r of open) {
    const lane = o.laneOf(r);
    if (closed.has(lane)) continue;
    const n = perLane.get(lane) ?? 0;
    const due = isDue(r, time);
    if (due && n < (o.laneSize ?? Infinity)) {
      take.push(r);
      perLane.set(lane, n + 1);
    } else if (!due && o.passes?.(r)) {
      continue;
    } else {
      closed.add(lane);
    }
  }
  return take;
}

/** Claimed rows grouped by lane, lanes in the order they first appear (rows keep their order). */
export function byLane<R>(rows: R[], laneOf: (r: R) => string): Map<string, R[]> {
  const lanes = new Map<string, R[]>();
  for (const r of rows) lanes.set(laneOf(r), [...(lanes.get(laneOf(r)) ?? []), r]);
  return lanes;
}

/**
 * Starts one runner per claimed lane and keeps it in `running` (the lanes the next claim skips)
 * until it ends, then calls `ended` (which looks for more work); returns the runners started.
 */
export function launchLanes<R, T>(running: Map<string, Promise<T>>, queues: Iterable<[string, R[]]>, run: (rows: R[]) => Promise<T>, ended: () => void): Promise<T>[] {
  const launched: Promise<T>[] = [];
  for (const [lane, rows] of queues) {
    const p = run(rows).finally(() => {
      running.delete(lane);
      ended();
    });
    running.set(lane, p);
    launched.push(p);
  }
  return launched;
}
