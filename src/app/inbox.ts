// Intake: a webhook event is acknowledged after one durable insert into InboxEvent (its primary
// key, the dedupe key, turns every re-delivery into a no-op), then processed here, in arrival order
// per chat, by the bot's normal dispatch (one transaction per event, ProcessedEvent recorded with
// its effect). Feishu re-delivers what is not answered within 3 s, so a slow intake multiplies its
// own load; one insert answers within the SDK's own time even under a burst.
//
// A handler failure that would fail again (a bug, data the database refuses) is a poison event:
// recorded as 'failed', never retried, the coordinators alerted once. Transient failures (database
// unavailable, lock timeouts) are retried with backoff, holding the rest of their chat behind them.
import { randomBytes } from 'node:crypto';
import type { Db, Tx } from '../adapters/db/database.ts';
import type { Provider } from '../adapters/db/schema/providers.ts';
import { byLane, duePrefixes, dueWhere, firstLanes, launchLanes } from '../adapters/db/lease-claim.ts';
import type { Clock } from '../ports/clock.ts';
import type { Logger } from './log.ts';
import { card, escapeMarkdown, markdown, note } from '../../cards/kit.ts';
import { coordinatorChatIds } from './access.ts';
import type { DispatchResult } from './bot.ts';
import type { Job } from './jobs.ts';
import { Pump } from './pump.ts';
import { dedupeKey, type InboundEvent } from './events.ts';
import { enqueue, nextOutboxSeq } from './outbox.ts';

export interface InboxOptions {
  db: Db;
  provider: Provider;
  clock: Clock;
  log: Logger;
  /** processes one event (the bot's dispatch), `now` = when it was received */
  dispatch(event: InboundEvent, receivedAt: Date): Promise<DispatchResult>;
  /** after a commit that enqueued outbox rows */
  kickOutbox(): void;
  coordinatorChatId: string | undefined;
  /** background polling for work (retries, events another instance received); 0 = only kicks */
  pollMs?: number;
  leaseMs?: number;
  /** chats processed in parallel */
  concurrency?: number;
  /** transient failures retried this many times before the event is given up */
  maxAttempts?: number;
  backoffBaseMs?: number;
  workerId?: string;
}

export type AcceptResult = 'accepted' | 'duplicate';

/** What the operator of a queued card press that failed for good is told. */
export const QUEUED_PRESS_FAILED = '你刚才在卡片上的操作未能完成（系统出错），县政务公开办已收到提醒。请稍后重新打开卡片再试一次。';

/**
 * Days an inbound event's dedupe record is kept. Feishu re-delivers an event it got no answer
 * for during about 7 hours (15 s, 5 min, 1 h, 6 h; reliability.md [S11]) and a reconnect backfills
 * at most 24 hours of history, so 3 days covers both with a wide margin.
 */
export const INBOUND_RETENTION_DAYS = 3;
/** Failed events are the record of what was lost: kept longer for whoever investigates. */
export const FAILED_INBOUND_RETENTION_DAYS = 30;

/**
 * Deletes finished inbox rows and processed-event ids older than the retention (pending or
 * processing rows are never touched). Safe to run on several instances at once.
 */
export async function pruneInbound(db: Db, now: Date, o: { keepDays?: number; keepFailedDays?: number } = {}): Promise<{ inbox: number; processed: number }> {
  const day = 24 * 3600_000;
  const cutoff = new Date(now.getTime() - (o.keepDays ?? INBOUND_RETENTION_DAYS) * day);
  const failedCutoff = new Date(now.getTime() - Math.max(o.keepFailedDays ?? FAILED_INBOUND_RETENTION_DAYS, o.keepDays ?? INBOUND_RETENTION_DAYS) * day);
  const inbox = await db.inboxEvent.deleteMany({
    where: {
      OR: [
        { status: 'done', receivedAt: { lt: cutoff } },
        { status: 'failed', receivedAt: { lt: failedCutoff } },
      ],
    },
  });
  const processed = await db.processedEvent.deleteMany({ where: { receivedAt: { lt: cutoff } } });
  return { inbox: inbox.count, processed: processed.count };
}

/** The job that prunes, at most once an hour (each tick is once a minute). */
export function inboundPruneJob(o: { keepDays?: number; keepFailedDays?: number } = {}): Job {
  let last = Number.NEGATIVE_INFINITY;
  return {
    name: 'inbound.prune',
    async run(services, now) {
      if (now.getTime() - last < 3600_000 && now.getTime() >= last) return;
      last = now.getTime();
      const r = await pruneInbound(services.db, now, o);
      if (r.inbox + r.processed > 0) services.log.info('pruned old inbound events', r);
    },
  };
}

/** Prisma / driver errors that mean "try again later", not "this event is bad". */
export function isTransientDbError(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown; cause?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  // P1001 unreachable, P1002 timed out, P1008 operation timeout, P1017 connection closed,
  // P2024 pool timeout, P2028 transaction API error (e.g. expired), P2034 write conflict/deadlock.
  if (['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028', 'P2034'].includes(code)) return true;
  const msg = `${typeof e?.message === 'string' ? e.message : ''} ${String((e?.cause as { message?: unknown } | undefined)?.message ?? '')}`;
  return /SQLITE_BUSY|database is locked|ECONNREFUSED|ECONNRESET|ETIMEDOUT|Connection terminated|connection timeout|terminating connection|too many clients|Transaction already closed|Unable to start a transaction/i.test(msg);
}

function laneOf(event: InboundEvent): string {
  return event.chatId;
}

function toJson(event: InboundEvent): string {
  return JSON.stringify(event);
}

function fromJson(payload: string): InboundEvent {
  const e = JSON.parse(payload) as InboundEvent & { createTime?: string };
  if (e.kind === 'message') return { ...e, createTime: new Date(e.createTime as unknown as string) };
  return e;
}

interface Claimed {
  key: string;
  lane: string;
  payload: string;
  attempts: number;
  receivedAt: Date;
  kind: string;
  eventId: string;
}

const ORDER = [{ seq: 'asc' as const }, { key: 'asc' as const }];
/** ORDER, for rows from an UPDATE … RETURNING (which has no order of its own). */
function inQueueOrder(a: { seq: bigint; key: string }, b: { seq: bigint; key: string }): number {
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}
/** Accepts this close together are a burst being taken in (a lone event is not). */
const BURST_GAP_MS = 10;
/** After a burst's last accept, processing waits this long for more to arrive. */
const QUIET_MS = 50;
/** Rows per intake batch (a few statements, powerOfTwoChunks). */
const BATCH_ROWS = 200;

/** The longest an acknowledgement waits for others of its burst to share its insert. */
const GATHER_MS = 15;
/** An intake insert this soon after the previous one is part of a burst. */
const INSERT_BURST_GAP_MS = 50;
const CLAIM_LOCK = 7_031_018;

/**
 * A batch as chunks of 128, 64, … 1 rows (200 = 128 + 64 + 8): eight statement texts in all, which
 * SQLite's prepared statements and the query-plan cache keep for good. A text per batch size (up to
 * 200) was a prepare and a plan compile (1–3 ms of event loop) for nearly every insert of a first
 * burst, in front of its acknowledgements.
 */
export function powerOfTwoChunks<T>(items: T[]): T[][] {
  const chunks: T[][] = [];
  let at = 0;
  while (at < items.length) {
    let size = 128;
    while (size > items.length - at) size /= 2;
    chunks.push(items.slice(at, at + size));
    at += size;
  }
  return chunks;
}
export class Inbox {
  private readonly o: Required<Omit<InboxOptions, 'coordinatorChatId'>> & { coordinatorChatId: string | undefined };
  private readonly lanes = new Map<string, Promise<void>>();
  /** keys this process took in lately (or is taking in): copies of an event answer without the database */
  private readonly recent = new Map<string, Promise<AcceptResult>>();
  private accepting = 0;
  /** requests announced by `arriving()` and not answered yet */
  private arrived = 0;
  /** accepts between `insert()` and their answer from the database */
  private inserting = 0;
  /** wakes a flush that is gathering a burst (an accept joined, or a request was answered) */
  private gatherWake: (() => void) | undefined;
  private lastInsertAt = -Infinity;
  /** processing waiting for intake to be quiet (intakeQuiet) */
  private quietWaiters: (() => void)[] = [];
  private claiming = 0;
  private readonly pending: { event: InboundEvent; key: string; resolve(r: AcceptResult): void; reject(e: unknown): void }[] = [];
  private flushing = false;
  /** when the last two accepts ended (performance.now): two close together mean a burst */
  private lastAcceptAt = Number.NEGATIVE_INFINITY;
  private previousAcceptAt = Number.NEGATIVE_INFINITY;
  /** idle() callers waiting for a claim in progress to register its lanes */
  private claimWaiters: (() => void)[] = [];
  private stopping = false;
  private readonly pump: Pump;

  constructor(options: InboxOptions) {
    this.o = {
      pollMs: 1000,
      leaseMs: 30_000,
      // SQLite has one writer: more lanes only queue for it (and in front of the acknowledgements).
      concurrency: options.provider === 'sqlite' ? 2 : 8,
      maxAttempts: 8,
      backoffBaseMs: 500,
      workerId: randomBytes(6).toString('hex'),
      ...options,
    };
    this.pump = new Pump({
      pollMs: this.o.pollMs > 0 ? this.o.pollMs : 60_000,
      hasRoom: () => this.lanes.size < this.o.concurrency,
      step: async () => (await this.claimAndLaunch(false)).length,
      onError: (error) => this.o.log.error('inbox claim failed', { error }),
    });
  }

  /**
   * The acknowledgement: one insert. Throws only when the database cannot take it (the caller
   * answers non-2xx and Feishu re-delivers).
   */
  async accept(event: InboundEvent): Promise<AcceptResult> {
    const key = dedupeKey(event);
    const known = this.recent.get(key);
    if (known) {
      // A copy of an event this process took in (a re-delivery storm): wait for the first copy's
      // insert, then it is a duplicate. If that insert failed, this copy tries again.
      const first = await known.catch(() => undefined);
      if (first !== undefined) return 'duplicate';
    }
    const inserting = this.insert(event, key);
    this.recent.set(key, inserting);
    if (this.recent.size > 20_000) this.recent.delete(this.recent.keys().next().value!);
    inserting.catch(() => this.recent.delete(key));
    return inserting;
  }

  /** An event request arrived (before its body is read): processing yields until it is answered. */
  arriving(): () => void {
    this.accepting++;
    this.arrived++;
    return () => {
      this.accepting--;
      this.arrived--;
      this.gatherWake?.();
      this.wakeQuiet();
    };
  }

  /** Queues the insert; concurrent accepts go to the database together (one statement per batch). */
  private insert(event: InboundEvent, key: string): Promise<AcceptResult> {
    this.accepting++;
    this.inserting++;
    return new Promise<AcceptResult>((resolve, reject) => {
      this.pending.push({ event, key, resolve, reject });
      this.gatherWake?.();
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => void this.flush());
      }
    }).finally(() => {
      this.accepting--;
      this.inserting--;
      this.previousAcceptAt = this.lastAcceptAt;
      this.lastAcceptAt = performance.now();
      this.wakeQuiet();
    });
  }

  /**
   * Measured on the card burst (200 presses at once, SQLite): the requests reach the insert one at a
   * time (each read, verified and parsed in its own turn, the client's sends in between), so every
   * acknowledgement was a transaction of its own: 199 transactions, the largest cost on the path.
   * Now, while a burst is on (an insert less than INSERT_BURST_GAP_MS ago, or requests arrived and not
   * yet here), a batch waits up to GATHER_MS for the rest: 200 presses take ~13 inserts. A lone
   * event is not held.
   */
  private async gather(): Promise<void> {
    const until = performance.now() + GATHER_MS;
    for (;;) {
      // others arrived and not in the batch yet, or (they come one at a time) a burst is on
      const onTheirWay = this.arrived - this.inserting + (performance.now() - this.lastInsertAt < INSERT_BURST_GAP_MS ? 1 : 0);
      const left = until - performance.now();
      if (onTheirWay <= 0 || left <= 0 || this.pending.length >= BATCH_ROWS) return;
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.gatherWake = resolve;
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
      this.gatherWake = undefined;
    }
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      await this.gather();
      const batch = this.pending.splice(0, BATCH_ROWS);
      let any = false;
      for (const chunk of powerOfTwoChunks(batch)) {
        try {
          const inserted = await this.insertBatch(chunk);
          for (const b of chunk) b.resolve(inserted.has(b.key) ? 'accepted' : 'duplicate');
          any ||= inserted.size > 0;
        } catch (error) {
          for (const b of chunk) b.reject(error);
        }
      }
      if (any) this.kick();
    }
    this.flushing = false;
  }

  /** INSERT … ON CONFLICT DO NOTHING RETURNING key: the keys that were new (the rest were duplicates). */
  private async insertBatch(batch: { event: InboundEvent; key: string }[]): Promise<Set<string>> {
    const now = this.o.clock.now();
    const pg = this.o.provider === 'postgresql';
    const params: unknown[] = [];
    const ph = (value: unknown, cast = '') => {
      params.push(value);
      return pg ? `$${params.length}${cast}` : '?';
    };
    // timestamp(3) columns hold UTC; the cast ignores the 'Z' whatever the session zone.
    const at = pg ? (d: Date) => ph(d.toISOString(), '::timestamp(3)') : (d: Date) => ph(d);
    const values = batch.map(({ event, key }) => `(${ph(key)}, ${ph(event.kind)}, ${ph(event.eventId)}, ${ph(laneOf(event))}, ${ph(nextOutboxSeq())}, ${ph(toJson(event))}, 'pending', 0, ${at(now)}, ${at(now)})`);
    // One statement, atomic on its own. On SQLite it waits for a handler's open transaction to end
    // rather than joining it (and rolling back with it): src/adapters/db/database.ts.
    const sql = `INSERT INTO "InboxEvent" ("key", "kind", "eventId", "lane", "seq", "payload", "status", "attempts", "nextAttemptAt", "receivedAt") VALUES ${values.join(', ')} ON CONFLICT DO NOTHING RETURNING "key"`;
    const rows = await this.o.db.$queryRawUnsafe<{ key: string }[]>(sql, ...params);
    this.lastInsertAt = performance.now();
    return new Set(rows.map((r) => r.key));
  }

  /**
   * Acknowledgements first: while a burst is being taken in, processing (which holds the database
   * for a transaction per event) waits, up to `maxMs` per event so a long burst cannot starve it.
   * A burst is a request being answered now, or accepts close together (within BURST_GAP_MS) with
   * the last one less than QUIET_MS ago: more may follow. A lone event is processed at once.
   */
  private async intakeQuiet(maxMs = 5000): Promise<void> {
    const until = performance.now() + maxMs;
    while (this.intakeBusy() && performance.now() < until) {
      // Woken as soon as the last request in hand is answered; otherwise when the burst's quiet
      // time is up (a poll would add its step to every event's processing).
      const now = performance.now();
      const wait = this.accepting > 0 ? until - now : this.lastAcceptAt + QUIET_MS - now;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(wake, Math.max(1, Math.min(wait, until - now)));
        function wake() {
          clearTimeout(timer);
          resolve();
        }
        this.quietWaiters.push(wake);
      });
    }
  }

  /** An acknowledgement ended: processing that waits for a quiet intake looks again. */
  private wakeQuiet(): void {
    if (this.accepting > 0 || this.quietWaiters.length === 0) return;
    const waiters = this.quietWaiters;
    this.quietWaiters = [];
    for (const wake of waiters) wake();
  }

  private intakeBusy(): boolean {
    if (this.accepting > 0) return true;
    return performance.now() - this.lastAcceptAt < QUIET_MS && this.lastAcceptAt - this.previousAcceptAt < BURST_GAP_MS;
  }

  start(): void {
    this.stopping = false;
    this.pump.start();
  }

  kick(): void {
    this.pump.kick();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.pump.stop();
    await Promise.all(this.lanes.values());
    // Hand back what this worker claimed but did not start.
    await this.o.db.inboxEvent.updateMany({ where: { status: 'processing', claimedBy: this.o.workerId }, data: { status: 'pending', claimedBy: null, leaseUntil: null } }).catch(() => undefined);
    this.stopping = false;
  }

  /**
   * Processes until nothing can be claimed now and no chat is being processed (tests, the bench).
   * `skipBackoff` also takes retries whose backoff has not run out (tests on a frozen clock).
   */
  async idle(options: { timeoutMs?: number; skipBackoff?: boolean } = {}): Promise<boolean> {
    const until = performance.now() + (options.timeoutMs ?? 30_000);
    for (;;) {
      if (this.lanes.size === 0 && this.claiming === 0) {
        const launched = await this.claimAndLaunch(options.skipBackoff ?? false);
        if (launched.length === 0 && this.lanes.size === 0 && this.claiming === 0) return true;
      }
      const left = until - performance.now();
      if (left <= 0) return false;
      // Wake when the lanes end or a claim in progress (the pump's) has registered its lanes; the
      // timer only bounds the wait.
      const claimed = this.claiming > 0 ? new Promise<void>((r) => this.claimWaiters.push(r)) : Promise.resolve();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all([...this.lanes.values(), claimed]), new Promise((r) => (timer = setTimeout(r, left)))]);
      clearTimeout(timer);
    }
  }

  /** One claim, its lanes run to the end (no background loop needed). */
  async runOnce(skipBackoff = false): Promise<void> {
    await Promise.all(await this.claimAndLaunch(skipBackoff));
  }

  private async claimAndLaunch(skipBackoff: boolean): Promise<Promise<void>[]> {
    // Counted until the lanes are registered: idle() must not see claimed rows without their lane.
    this.claiming++;
    try {
      // The claim is a transaction too: not while a burst is being taken in (SQLite's inserts would
      // wait for it, and its first run compiles its query plans).
      await this.intakeQuiet();
      const rows = await this.claim(skipBackoff);
      return launchLanes(
        this.lanes,
        byLane(rows, (r) => r.lane),
        (list) => this.runLane(list),
        () => this.kick(),
      );
    } finally {
      this.claiming--;
      if (this.claiming === 0) for (const wake of this.claimWaiters.splice(0)) wake();
    }
  }

  private async claim(skipBackoff: boolean): Promise<Claimed[]> {
    const free = this.o.concurrency - this.lanes.size;
    if (free <= 0) return [];
    const now = this.o.clock.now();
    const busy = [...this.lanes.keys()];
    const due = { ...dueWhere('processing', { now, skipBackoff }), ...(busy.length > 0 ? { lane: { notIn: busy } } : {}) };
    // Nothing due: one indexed read, no write lock (an idle poll is most polls).
    if (!(await this.o.db.inboxEvent.findFirst({ where: due, select: { key: true } }))) return [];
    const claimed = await this.o.db.$transaction(async (tx) => {
      if (this.o.provider === 'postgresql') await tx.$executeRawUnsafe('SELECT pg_advisory_xact_lock($1)', CLAIM_LOCK);
      const candidates = await tx.inboxEvent.findMany({
        where: due,
        orderBy: ORDER,
        take: 200,
        select: { lane: true },
      });
      const lanes = firstLanes(candidates, (c) => c.lane, free);
      if (lanes.length === 0) return [];
      const open = await tx.inboxEvent.findMany({
        where: { lane: { in: lanes }, status: { in: ['pending', 'processing'] } },
        orderBy: ORDER,
        select: { key: true, lane: true, status: true, attempts: true, nextAttemptAt: true, leaseUntil: true },
      });
      // a retry in its backoff or a live claim holds the chat
      const take = duePrefixes(open, { now, skipBackoff }, { laneOf: (r) => r.lane }).map((r) => r.key);
      if (take.length === 0) return [];
      // The claimed rows come back from the UPDATE itself (RETURNING), as the outbox's claim does: no read after it.
      return tx.inboxEvent.updateManyAndReturn({
        where: { key: { in: take } },
        data: { status: 'processing', claimedBy: this.o.workerId, leaseUntil: new Date(now.getTime() + this.o.leaseMs) },
        select: { key: true, lane: true, payload: true, attempts: true, receivedAt: true, kind: true, eventId: true, seq: true },
      });
    });
    return claimed.sort(inQueueOrder);
  }

  private async runLane(rows: Claimed[]): Promise<void> {
    for (let i = 0; i < rows.length; i++) {
      if (this.stopping) {
        await this.release(rows.slice(i));
        return;
      }
      // Between items the event loop takes new requests first (on SQLite each item's transaction
      // runs synchronous driver work), then waits while acknowledgements are being written.
      await new Promise((r) => setImmediate(r));
      await this.intakeQuiet();
      const ok = await this.process(rows[i]!).catch((error: unknown) => {
        this.o.log.error('inbox bookkeeping failed', { key: rows[i]!.key, error });
        return false;
      });
      if (!ok) {
        await this.release(rows.slice(i + 1)).catch(() => undefined);
        return;
      }
    }
  }

  private async release(rows: Claimed[]): Promise<void> {
    if (rows.length === 0) return;
    await this.o.db.inboxEvent.updateMany({ where: { key: { in: rows.map((r) => r.key) }, status: 'processing', claimedBy: this.o.workerId }, data: { status: 'pending', claimedBy: null, leaseUntil: null } });
  }

  /** Returns false when the event waits for a retry (its chat waits with it). */
  private async process(row: Claimed): Promise<boolean> {
    const { db, log } = this.o;
    const mine = { key: row.key, status: 'processing', claimedBy: this.o.workerId };
    let event: InboundEvent;
    try {
      event = fromJson(row.payload);
    } catch (error) {
      await this.poison(row, `无法解析的事件：${(error as Error).message}`);
      return true;
    }
    try {
      await this.o.dispatch(event, row.receivedAt);
      await db.inboxEvent.updateMany({ where: mine, data: { status: 'done', doneAt: this.o.clock.now(), claimedBy: null, leaseUntil: null, attempts: row.attempts + 1 } });
      return true;
    } catch (error) {
      const attempt = row.attempts + 1;
      if (!isTransientDbError(error) || attempt >= this.o.maxAttempts) {
        await this.poison(row, String((error as Error)?.message ?? error), attempt);
        return true;
      }
      const delay = Math.min(60_000, this.o.backoffBaseMs * 2 ** (attempt - 1));
      log.warn('inbound event failed (transient), will retry', { key: row.key, attempt, delayMs: delay, error });
      await db.inboxEvent.updateMany({
        where: mine,
        data: { status: 'pending', attempts: attempt, claimedBy: null, leaseUntil: null, nextAttemptAt: new Date(this.o.clock.now().getTime() + delay), lastError: String((error as Error)?.message ?? error).slice(0, 1000) },
      });
      return false;
    }
  }

  /** A failure that would fail again: recorded, never retried, the coordinators told once. */
  private async poison(row: Claimed, message: string, attempts = row.attempts + 1): Promise<void> {
    const now = this.o.clock.now();
    this.o.log.error('inbound event failed for good (poison); coordinators alerted', { key: row.key, kind: row.kind, error: message.slice(0, 300) });
    await this.o.db.$transaction(async (tx) => {
      const n = await tx.inboxEvent.updateMany({
        where: { key: row.key, status: 'processing', claimedBy: this.o.workerId },
        data: { status: 'failed', attempts, claimedBy: null, leaseUntil: null, doneAt: now, lastError: message.slice(0, 1000) },
      });
      if (n.count === 0) return;
      await this.alert(tx, { key: row.key, kind: row.kind, lane: row.lane, eventId: row.eventId }, message, now);
      await this.tellOperator(tx, row, now);
    });
    this.o.kickOutbox();
  }

  /**
   * A card callback answered on the fast path (not through the inbox) whose handler failed for
   * good: recorded as a failed inbound event (its dedupe key, so a re-push or a second click under
   * the same event id does not alert again), the coordinators alerted once. Returns false when the
   * event was already recorded. Throws when the database cannot take it.
   */
  async recordFailed(event: InboundEvent, error: unknown): Promise<boolean> {
    const key = dedupeKey(event);
    const now = this.o.clock.now();
    const message = String((error as Error)?.message ?? error);
    this.o.log.error('inbound event failed for good (poison); coordinators alerted', { key, kind: event.kind, error: message.slice(0, 300) });
    const created = await this.o.db.$transaction(async (tx) => {
      const pg = this.o.provider === 'postgresql';
      const ts = pg ? '::timestamp(3)' : '';
      const p = (i: number) => (pg ? `$${i}` : '?');
      const at = pg ? now.toISOString() : now;
      const inserted = await tx.$queryRawUnsafe<{ key: string }[]>(
        `INSERT INTO "InboxEvent" ("key", "kind", "eventId", "lane", "seq", "payload", "status", "attempts", "lastError", "nextAttemptAt", "receivedAt", "doneAt") VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}, 'failed', 1, ${p(7)}, ${p(8)}${ts}, ${p(9)}${ts}, ${p(10)}${ts}) ON CONFLICT DO NOTHING RETURNING "key"`,
        key,
        event.kind,
        event.eventId,
        laneOf(event),
        nextOutboxSeq(),
        toJson(event),
        message.slice(0, 1000),
        at,
        at,
        at,
      );
      const rows = { count: inserted.length };
      if (rows.count === 0) return false;
      await this.alert(tx, { key, kind: event.kind, lane: laneOf(event), eventId: event.eventId }, message, now);
      return true;
    });
    if (created) this.o.kickOutbox();
    return created;
  }

  /**
   * A queued card press was answered 已收到 at once; when it fails for good the person is told
   * privately (the card cannot show it any more), or they would wait for nothing.
   */
  private async tellOperator(tx: Tx, row: Claimed, now: Date): Promise<void> {
    if (row.kind !== 'card_action') return;
    let operator: string | undefined;
    try {
      const e = fromJson(row.payload);
      operator = e.kind === 'card_action' ? e.operatorOpenId : undefined;
    } catch {
      return;
    }
    if (!operator) return;
    await enqueue(tx, `late-failed:${row.key}`.slice(0, 190), { op: 'send', to: { openId: operator }, text: QUEUED_PRESS_FAILED }, {}, now);
  }

  private async alert(tx: Tx, row: { key: string; kind: string; lane: string; eventId: string }, message: string, now: Date): Promise<void> {
    const alert = card({
      title: '收到的消息未能处理',
      template: 'red',
      elements: [
        markdown(`**类型**：${escapeMarkdown(row.kind)}\n**群**：${escapeMarkdown(row.lane)}\n**错误**：${escapeMarkdown(message.slice(0, 300))}`),
        note(`事件 ${escapeMarkdown(row.eventId.slice(0, 80))} 已记录为失败，不再重试（重试也会失败）。请联系维护人员查看日志。`),
      ],
    });
    for (const chatId of await coordinatorChatIds(tx, this.o.coordinatorChatId)) {
      await enqueue(tx, `alert:inbox:${row.key}:${chatId}`.slice(0, 190), { op: 'send', to: { chatId }, card: alert }, {}, now);
    }
  }
}
