// Claiming, apart from delivering (worker.ts): which outbox rows a worker may take now, taken in
// one short transaction. A target (chat, user, message) is claimed only as a prefix of its open
// rows in `seq` order, never while another worker holds a live lease on it and never past a row
// waiting for its retry, so a chat's later message cannot overtake an earlier one across retries,
// restarts or workers. On PostgreSQL an advisory lock serialises claims across workers.
import type { Db } from '../db/database.ts';
import type { Provider } from '../db/schema/providers.ts';
import { duePrefixes, dueWhere, firstLanes } from '../db/lease-claim.ts';

/** A claimed row, as the lanes deliver it. */
export interface Row {
  id: string;
  idempotencyKey: string;
  op: string;
  target: string;
  payload: string;
  /** 'pending', or 'sending' when taken over from a worker that died mid-call (ambiguous) */
  status: string;
  attempts: number;
  nextAttemptAt: Date;
  leaseUntil: Date | null;
  lastError: string | null;
  parentId: string | null;
  createdAt: Date;
  attemptStartedAt: Date | null;
}

export const ORDER = [{ seq: 'asc' as const }, { createdAt: 'asc' as const }, { id: 'asc' as const }];
/** PostgreSQL advisory lock key that serialises claims across workers (claims are short). */
const CLAIM_LOCK = 7_031_017;

export interface ClaimParams {
  workerId: string;
  now: Date;
  leaseMs: number;
  /** how many new targets may be taken (free lanes) */
  lanes: number;
  /** targets this worker is delivering now (not claimed again) */
  busy: string[];
  /** rows looked at per claim (oldest first) */
  batchSize: number;
  /** most rows one target takes per claim */
  laneSize: number;
  /** also take retries whose backoff has not run out (tests on a frozen clock) */
  skipBackoff: boolean;
  /** the caller has just read that something is due (anythingDue): no second read before the claim */
  knownDue?: boolean;
}

/** Rows a claim may take now: due, retries (all of them with `skipBackoff`), expired leases. */
function dueNow(now: Date, skipBackoff: boolean, busy: string[] = []) {
  return { ...dueWhere('sending', { now, skipBackoff }), ...(busy.length > 0 ? { target: { notIn: busy } } : {}) };
}

/**
 * Whether anything is due now: one indexed read ([status, nextAttemptAt]) and no write lock, so an
 * idle poll or drain costs a read instead of a claim transaction (BEGIN IMMEDIATE on SQLite, the
 * advisory lock on PostgreSQL).
 */
export async function anythingDue(db: Db, now: Date, skipBackoff: boolean, busy: string[] = []): Promise<boolean> {
  return (await db.outboxMessage.findFirst({ where: dueNow(now, skipBackoff, busy), select: { id: true } })) !== null;
}

/** Claims what is due, in delivery order; the rows come back leased to `workerId`. */
export async function claimDue(db: Db, provider: Provider, p: ClaimParams): Promise<Row[]> {
  if (p.lanes <= 0) return [];
  const leaseUntil = new Date(p.now.getTime() + p.leaseMs);
  const due = dueNow(p.now, p.skipBackoff, p.busy);
  if (!p.knownDue && !(await anythingDue(db, p.now, p.skipBackoff, p.busy))) return [];

  const claimed = await db.$transaction(async (tx) => {
    if (provider === 'postgresql') await tx.$executeRawUnsafe('SELECT pg_advisory_xact_lock($1)', CLAIM_LOCK);
    const candidates = await tx.outboxMessage.findMany({ where: due, orderBy: ORDER, take: p.batchSize, select: { target: true } });
    const targets = firstLanes(candidates, (c) => c.target, p.lanes);
    if (targets.length === 0) return [];
    const open = await tx.outboxMessage.findMany({
      where: { target: { in: targets }, status: { in: ['pending', 'sending'] } },
      orderBy: ORDER,
      select: { id: true, target: true, status: true, attempts: true, nextAttemptAt: true, leaseUntil: true },
    });
    // A row scheduled for later by its producer and never attempted is not due yet and holds
    // nothing; a retry in its backoff or a live lease keeps the rows behind it waiting.
    const take = duePrefixes(open, p, { laneOf: (r) => r.target, laneSize: p.laneSize, passes: (r) => r.status !== 'sending' && r.attempts === 0 }).map((r) => r.id);
    if (take.length === 0) return [];
    // The claimed rows come back from the UPDATE itself (RETURNING): no read after the claim.
    return tx.outboxMessage.updateManyAndReturn({ where: { id: { in: take } }, data: { status: 'sending', leaseUntil, claimedBy: p.workerId } });
  });
  // Outcomes clear attemptStartedAt, so a row that still has it was taken over from a worker that
  // died mid-call: marked 'sending' here (ambiguous), every other row 'pending'.
  return claimed.sort(inDeliveryOrder).map((r) => ({ ...r, status: r.attemptStartedAt ? 'sending' : 'pending' }));
}

/** ORDER, for rows from an UPDATE … RETURNING (which has no order of its own). */
function inDeliveryOrder(a: { seq: bigint; createdAt: Date; id: string }, b: { seq: bigint; createdAt: Date; id: string }): number {
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  return a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Hands claimed, unattempted rows back (pending, due as they were). */
export async function releaseRows(db: Db, workerId: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.outboxMessage.updateMany({
    where: { id: { in: ids }, status: 'sending', claimedBy: workerId },
    data: { status: 'pending', claimedBy: null, leaseUntil: null },
  });
}
