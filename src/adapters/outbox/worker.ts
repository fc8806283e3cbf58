// Delivers outbox rows through the gateway, one lane per target (the chat or user a message lands
// in, or the message a patch changes): a lane sends its rows one after another in enqueue order
// (`seq`), so a chat's later message never overtakes an earlier one — not across retries (a row
// waiting for its retry holds the rows behind it) and not across restarts or workers (a target is
// claimed only as a prefix of its open rows, and never while another worker holds a lease on it).
//
// Leases are short and renewed by a heartbeat while the worker lives; rows claimed but not yet
// attempted are handed back on stop, and after a crash every row is claimable again once its lease
// ran out (seconds). A re-claimed row whose call had started is ambiguous: retried with the same
// Feishu uuid while that still dedupes (1 h), else given up and reported; urgent calls (no uuid)
// are never repeated after an ambiguous outcome.
//
// Claiming (which rows, leased how) is in claim.ts; this file delivers what was claimed.
//
// Rates: the limiter keeps Feishu's windows (see rate-limiter.ts); workers of one app (several
// instances on one PostgreSQL) register in OutboxWorkerHeartbeat and split the app-wide limits
// among those with lanes to deliver (demand), by need: a lane can use 5 calls a second (a chat's
// limit), so a worker delivering one chat takes 5/s and leaves 45 to the one delivering the rest,
// two delivering 40 and 10 chats take 40/s and 10/s (each chat the same rate, whoever delivers it),
// and a worker left alone with the tail of a fan-out goes back to the whole 50/s. A worker that
// goes idle, or whose need falls, takes its smaller part at once and writes so with its own calls
// still in its windows; the others count those over its new part as theirs and widen at their
// next share check (every shareCheckMs while they deliver). A worker that gains demand, or whose
// need rises, writes it and keeps to its old part (none, when it gains demand) until every worker
// delivering has listed it in `sharesWith` (they took their smaller parts first); then it counts
// their calls over their parts in its own windows (in the last second by the ages they report, so
// it fills the places their old calls free; in the minute by count) and takes its part
// (share-report.ts).
// Every wait for those windows is on the limiter's RateTime (wall time but in the simulated year).
import { randomBytes } from 'node:crypto';
import type { Config } from '../../config.ts';
import type { Db, Tx } from '../db/database.ts';
import type { Provider } from '../db/schema/providers.ts';
import type { Clock } from '../../ports/clock.ts';
import { FeishuApiError, type FeishuGateway, type MsgType } from '../../ports/feishu.ts';
import type { FileStorage } from '../../ports/storage.ts';
import type { Logger } from '../../app/log.ts';
import { enqueue, feishuUuid, outboxOpSchema, type OutboxOp, type Recipient } from '../../app/outbox.ts';
import { coordinatorChatIds } from '../../app/access.ts';
import { card, escapeMarkdown, field, markdown, note, type CardJson } from '../../../cards/kit.ts';
import { RateLimiter, SEND_API, type RateSlot } from './rate-limiter.ts';
import { allocate, demandKeyOf, joinSeeds, lists, readReport, writeReport, type Seeds, type ShareReport } from './share-report.ts';
import { SlotQueue, type LanePriority } from './slot-queue.ts';
import type { RateTime } from '../../ports/rate-time.ts';
import { Pump } from '../../app/pump.ts';
import { anythingDue, claimDue, releaseRows, type Row } from './claim.ts';
import { AttemptMarks, RetryMarks, SentMarks } from './row-writes.ts';
import { byLane, launchLanes } from '../db/lease-claim.ts';
import type { OutboxMetrics } from '../../app/metrics.ts';

export const ALERT_KEY_PREFIX = 'alert:';
/** Feishu dedupes a uuid for 1 h; past this age an ambiguous send is not retried blindly. */
export const UUID_SAFE_MS = 55 * 60_000;

/**
 * Optional hooks for metrics (counters, histograms) and tracing; every method is optional and
 * called synchronously, after the database recorded the outcome. Must not throw.
 */
export interface OutboxObserver {
  /** rows claimed in one claim (across `targets` lanes) */
  claimed?(e: { rows: number; targets: number }): void;
  /** one Feishu call made for a row, with how long it took and how it ended */
  call?(e: { op: string; ms: number; outcome: 'ok' | 'rate_limit' | 'transient' | 'ambiguous' | 'permanent' }): void;
  /** a row reached its final state */
  settled?(e: { op: string; status: 'sent' | 'failed' | 'dead'; attempts: number; enqueueToDoneMs: number }): void;
  /** a row goes back to pending for a retry after `delayMs` */
  retry?(e: { op: string; attempt: number; delayMs: number; code: number | undefined }): void;
  /** Feishu refused for its rate limit: the app or one target is paused for `seconds` */
  rateLimited?(e: { scope: 'app' | 'target'; seconds: number }): void;
  /** rows of expired leases taken over from a worker that stopped answering */
  reclaimed?(e: { rows: number }): void;
}

export interface OutboxWorkerOptions {
  db: Db;
  provider: Provider;
  gateway: FeishuGateway;
  storage: FileStorage;
  clock: Clock;
  log: Logger;
  config: Pick<Config, 'rateLimits' | 'outboxMaxAttempts' | 'coordinatorChatId'>;
  /** background polling interval; 0 disables the loop (tests call drain()) */
  pollMs?: number;
  /** how long a claim holds without a heartbeat (a crashed worker's rows are free after this) */
  leaseMs?: number;
  /** heartbeat: renews this worker's leases and its registration */
  heartbeatMs?: number;
  /**
   * While delivering beside other workers: how often to look for workers that joined or left or
   * whose need changed (the parts). A part taken back or handed on waits for these reads: at 250 ms
   * a fan-out that two workers started together ran at up to a second's worth below 50/s while the
   * parts followed their lanes (bench outbox, two instances: 10.3–10.5 s; at 100 ms 9.5–9.6 s).
   */
  shareCheckMs?: number;
  /** rows looked at per claim (oldest first) */
  batchSize?: number;
  /** most rows one target's lane takes per claim */
  laneSize?: number;
  /**
   * Targets delivered in parallel. Enough for every group of a county-wide fan-out at once (one
   * group per unit): a chat whose lane starts late, with more than five messages, ends a second
   * after the others (500 messages to 50 chats took 10.2 s with 32 lanes, 9.4 s with all 50).
   */
  concurrency?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /**
   * A retry due within this long is waited for in its lane (the background loop only): the row
   * and the chat's later rows stay claimed, so the retry leaves as soon as its backoff and the
   * rate windows allow, with no hand-back, re-claim or poll in between. Longer waits hand the
   * chat back. Stays well under `leaseMs` (the heartbeat renews the lease meanwhile).
   */
  inLaneRetryMs?: number;
  /**
   * Quick retries (see QUICK_RETRIES): how many this worker may have in hand. Each spends one;
   * each call Feishu accepts earns back QUICK_RETRY_EARN, up to this many. 0: never quick.
   */
  quickRetryQuota?: number;
  random?: () => number;
  limiter?: RateLimiter;
  /** the timeline of Feishu's rate windows when no limiter is given (default: wall time; src/ports/rate-time.ts) */
  rateTime?: RateTime;
  workerId?: string;
  observer?: OutboxObserver;
  /** the /metrics counters (src/app/metrics.ts) */
  metrics?: OutboxMetrics;
}

type Outcome = 'sent' | 'retry' | 'failed' | 'dead' | 'waiting' | 'released' | 'lost';

/**
 * A lane's sent marks still being written. Feishu has accepted the call, so the lane's next row
 * need not wait for the mark: waiting put a turn of the event loop and a statement between an
 * answer and the chat's next call, and a 429 answered meanwhile held that call for a second (in a
 * fault run's last seconds each chat then sent one call a second, where the bare SDK sent two).
 * Safe for order and against duplicates: a crash before the mark leaves the row ambiguous (its
 * attempt was marked), so it is sent again with its uuid before the chat's later rows, and Feishu
 * answers with the message it already has (docs/reliability.md §9 O2, O6). The lane waits for them all
 * before it ends. (A row that reads another row's outcome, an urgent or a patch by key, is in the
 * lane `key:<parent>`, never in its parent's: the mark is written as soon as before, only not waited for.)
 */
class SettlingMarks {
  private pending: Promise<void>[] = [];
  private failure: { error: unknown } | undefined;

  add(mark: Promise<void>): void {
    // Handled at once: a failure waits for all() without being an unhandled rejection meanwhile.
    this.pending.push(
      mark.catch((error: unknown) => {
        this.failure ??= { error };
      }),
    );
  }

  /** Waits for every mark added so far; throws the first failure (the database failed under the lane). */
  async all(): Promise<void> {
    const pending = this.pending;
    this.pending = [];
    await Promise.all(pending);
    const failure = this.failure;
    this.failure = undefined;
    if (failure) throw failure.error;
  }
}

/**
 * A row's first failures (a 5xx, a dropped connection) are retried at once while Feishu accepts
 * most other calls: such a failure is a blip, and a backoff there only holds the chat's later
 * messages back (a county's fan-out ended seconds late on a few rows' waits). The retries draw on a
 * quota that accepted calls refill, the retry quota of the AWS SDKs' "standard" retry mode: while
 * more than about a third of calls fail (an outage), the quota runs dry and every retry backs off
 * exponentially (full jitter). While the quota holds, the row's later failures wait random(0,
 * base): a message Feishu keeps refusing while it takes the rest goes dead after its attempts in
 * seconds (the coordinators are told), and its chat's later messages no longer wait minutes for it.
 */
const QUICK_RETRIES = 2;
const QUICK_RETRY_EARN = 0.5;

/** This worker's report as its row holds it (`text`), what of it does not age (`settled`), and the limiter's calls so far when taken. */
interface Report {
  text: string;
  settled: string;
  taken: number;
}

const AMBIGUOUS_MARK = /^\[ambiguous@([0-9TZ:.-]+)\]/;

export class OutboxWorker {
  private readonly o: Required<Omit<OutboxWorkerOptions, 'limiter' | 'rateTime' | 'workerId' | 'observer' | 'metrics'>> & { workerId: string; observer: OutboxObserver; metrics?: OutboxMetrics };
  readonly limiter: RateLimiter;
  /** lanes waiting for a place in the rate windows, the most seconds of sending ahead first */
  private readonly slots: SlotQueue;
  /** lanes started so far (a lane's number is its age in the slot queue) */
  private laneCount = 0;
  private readonly lanes = new Map<string, Promise<number>>();
  private started = false;
  private stopping = false;
  private readonly pump: Pump;
  /** registered while started or draining */
  private active = 0;
  private heartbeat: NodeJS.Timeout | undefined;
  private registration: Promise<void> | undefined;
  /** nothing is sent before this (on the limiter's RateTime): after a failed join, the others shrink first */
  private joinUntil = 0;
  private shareTimer: NodeJS.Timeout | undefined;
  /** since when this worker has lanes (takes a share of the app-wide limits); undefined = idle */
  private demandSince: Date | undefined;
  /** gained demand and waits for the workers already sending to list it (and shrink) */
  private joining = false;
  private joined: Promise<void> = Promise.resolve();
  /** the demand key this worker's row holds (written): a join ends only on a read made after it */
  private demandWritten: string | undefined;
  /** times this worker went idle (reported, so the others count its calls once per time) */
  private idleCount = 0;
  /** the calls a second this worker's lanes can use (5 a second each), as its row says */
  private need = 0;
  /** the need its part of the limits is taken with: a higher need counts once the others list it */
  private usedNeed = 0;
  /** the other live workers as last read: their demand key and idle count */
  private others = new Map<string, { demand: string | undefined; idle: number }>();
  /** heartbeat row reads and writes, one at a time */
  private rowQueue: Promise<unknown> = Promise.resolve();
  /**
   * What this worker's row holds as last written here, and when (performance.now()); `settled` is
   * the row without its calls' counts and ages, and `taken` the limiter's calls so far when its
   * report was taken.
   */
  private lastRow: { text: string; settled: string; taken: number; sharesWith: string; at: number } | undefined;
  /** a claim or a lane failed part-way: rows may still be leased to this worker, unattempted */
  private mayHoldRows = false;
  /** quick retries in hand (QUICK_RETRIES) */
  private quickRetries: number;
  /** the calls about to leave, marked together (row-writes.ts) */
  private readonly attemptMarks: AttemptMarks;
  /** the calls Feishu accepted, marked sent together (row-writes.ts) */
  private readonly sentMarks: SentMarks;
  /** the failed calls retried in their lanes, marked together (row-writes.ts) */
  private readonly retryMarks: RetryMarks;

  constructor(options: OutboxWorkerOptions) {
    this.o = {
      pollMs: 1000,
      leaseMs: 10_000,
      heartbeatMs: 3000,
      shareCheckMs: 100,
      batchSize: 200,
      laneSize: 50,
      concurrency: 128,
      backoffBaseMs: 2000,
      backoffCapMs: 10 * 60_000,
      inLaneRetryMs: 2500,
      quickRetryQuota: 20,
      random: Math.random,
      workerId: randomBytes(6).toString('hex'),
      observer: {},
      ...options,
    } as OutboxWorker['o'];
    this.quickRetries = this.o.quickRetryQuota;
    this.attemptMarks = new AttemptMarks(this.o.db, this.o.provider, this.o.workerId, this.o.leaseMs, () => this.o.clock.now());
    this.sentMarks = new SentMarks(this.o.db, this.o.provider, this.o.workerId);
    this.retryMarks = new RetryMarks(this.o.db, this.o.provider, this.o.workerId);
    this.limiter = options.limiter ?? new RateLimiter(options.config.rateLimits, options.rateTime);
    this.slots = new SlotQueue(this.limiter, () => this.joinUntil);
    this.pump = new Pump({
      pollMs: this.o.pollMs,
      hasRoom: () => this.lanes.size < this.o.concurrency,
      step: async () => (await this.claimAndLaunch(false)).length,
      onError: (error) => this.o.log.error('outbox claim failed', { error }),
    });
  }

  get workerId(): string {
    return this.o.workerId;
  }

  /** Starts the background loop (no-op when pollMs is 0). */
  start(): void {
    if (this.started || this.o.pollMs <= 0) return;
    this.started = true;
    this.stopping = false;
    this.active++;
    this.pump.start();
  }

  /** Look for work now (after a commit). */
  kick(): void {
    this.pump.kick();
  }

  /**
   * Stops: no new claims, lanes finish the call in flight and hand their other rows back
   * (pending, unattempted) for whoever runs next; the registration is removed.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.slots.cancelAll();
    if (this.started) {
      this.started = false;
      await this.pump.stop();
      await this.deactivate();
    }
    await Promise.all(this.lanes.values());
    // A worker that only drained (tests, one-shot runs) kept its row between drains.
    if (this.lastRow) await this.unregister();
    this.stopping = false;
  }

  /**
   * Runs until nothing is due now. `skipBackoff` also takes retries whose backoff has not run out
   * (tests on a frozen clock); rows scheduled for later by their producer still wait.
   */
  async drain(options: { skipBackoff?: boolean; maxRounds?: number } = {}): Promise<void> {
    // Nothing due and nothing in flight: done, without registering, claiming and unregistering.
    const idle = this.lanes.size === 0;
    if (idle && !(await anythingDue(this.o.db, this.o.clock.now(), options.skipBackoff ?? false))) return;
    this.active++;
    try {
      for (let round = 0; round < (options.maxRounds ?? 1000); round++) {
        // The first claim follows the read above that found work due: it need not read again.
        const progress = await this.runOnce(options.skipBackoff ?? false, idle && round === 0);
        if (progress > 0) continue;
        if (this.lanes.size === 0) return;
        await Promise.race(this.lanes.values());
      }
    } finally {
      await this.deactivate();
    }
  }

  /** One claim, its lanes run to the end. Returns rows that changed state. */
  async runOnce(skipBackoff = false, knownDue = false): Promise<number> {
    const launched = await this.claimAndLaunch(skipBackoff, knownDue);
    const results = await Promise.all(launched);
    return results.reduce((a, b) => a + b, 0);
  }

  // ---- registration and heartbeat ------------------------------------------------------------

  /**
   * Starts the heartbeat and the share timer. It reads and writes nothing itself: a worker that
   * claims rows writes its demand and reads the others before its first call (gainDemand, which
   * every send waits for), and one that claims nothing needs no part of the app's limits. (It used
   * to beat at once: a read of the others before every activation's claim, ~170 of a campaign
   * year's statements, whose result the join read again anyway.)
   */
  private async ensureRegistered(): Promise<void> {
    if (this.heartbeat) return;
    this.registration ??= (async () => {
      this.heartbeat = setInterval(() => void this.beat().catch((error: unknown) => this.o.log.warn('outbox heartbeat failed', { error })), this.o.heartbeatMs);
      this.heartbeat.unref();
      // Only while delivering beside other workers: an idle or lone worker reads nothing more.
      this.shareTimer = setInterval(() => {
        if (this.demandSince && this.others.size > 0) void this.checkShare().catch((error: unknown) => this.o.log.warn('outbox share check failed', { error }));
      }, this.o.shareCheckMs);
      this.shareTimer.unref();
    })().finally(() => {
      this.registration = undefined;
    });
    await this.registration;
  }

  /** Renews this worker's leases and registration, and the share. */
  private async beat(): Promise<void> {
    if (this.lanes.size > 0) {
      const now = this.o.clock.now();
      await this.o.db.outboxMessage.updateMany({ where: { status: 'sending', claimedBy: this.o.workerId }, data: { leaseUntil: new Date(now.getTime() + this.o.leaseMs) } });
    }
    await this.checkShare();
  }

  /** This demand, as the others list it (share-report.ts). */
  private demandKey(): string | undefined {
    return this.demandSince ? demandKeyOf(this.o.workerId, { idle: this.idleCount, need: this.need }) : undefined;
  }

  /** What the others read in this worker's `recentCalls` (share-report.ts): its idle count, need, part, and own calls still in its windows. */
  private report(): Report {
    const cap = this.limiter.shareCaps()[SEND_API]!;
    const taken = this.limiter.ownTaken;
    const report = { idle: this.idleCount, calls: this.limiter.ownCalls(), ages: this.limiter.ownSecondAges(), need: this.need, cap };
    return { text: writeReport(report), settled: JSON.stringify([report.idle, report.need, report.cap]), taken };
  }

  /**
   * What `lanes` can use: 5 calls a second each (Feishu's per-chat limit). Not capped at the app's
   * limit: beside another worker, the limit is split in proportion to the needs (allocate).
   */
  private needOf(lanes: number): number {
    return this.o.config.rateLimits.perChat * Math.max(1, lanes);
  }

  /** No other worker had demand at the last read. */
  private get alone(): boolean {
    for (const w of this.others.values()) if (w.demand) return false;
    return true;
  }

  /**
   * Writes this worker's row (created if missing: one statement either way). `unlessSame` skips a
   * write that would change nothing but the passing of time when the last one is less than half a
   * heartbeat old (a join's read right after the demand was written; the activation of a lone
   * worker; the share timer while nothing changed). With no call made since the row was written,
   * its calls are only older now than it says: a reader takes every reported call as answered when
   * it reads (share-report.ts), so it counts them at least as long as they count, never shorter.
   */
  private async writeRow(fields: { demandSince: Date | null; report: Report; sharesWith?: string }, options: { unlessSame?: boolean } = {}): Promise<void> {
    // One key order whoever writes, so the same row has the same text.
    const data = { demandSince: fields.demandSince, sharesWith: fields.sharesWith ?? this.lastRow?.sharesWith ?? '', recentCalls: fields.report.text };
    const text = JSON.stringify(data);
    const settled = JSON.stringify([data.demandSince, data.sharesWith, fields.report.settled]);
    const at = performance.now();
    const last = this.lastRow;
    if (options.unlessSame && last && (last.text === text || (last.settled === settled && last.taken === fields.report.taken)) && at - last.at < this.o.heartbeatMs / 2) return;
    const { workerId } = this.o;
    const now = this.o.clock.now();
    await this.o.db.outboxWorkerHeartbeat.upsert({ where: { workerId }, create: { workerId, startedAt: now, seenAt: now, ...data }, update: { seenAt: now, ...data } });
    this.lastRow = { text, settled, taken: fields.report.taken, sharesWith: data.sharesWith, at };
  }

  private inQueue<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.rowQueue.then(fn, fn);
    this.rowQueue = run.catch(() => undefined);
    return run;
  }

  /**
   * Reads the other workers' rows and splits the app-wide limits with those that have demand, by
   * need (share-report.ts `allocate`); counts the calls of those that went idle or vanished, and,
   * when this worker's part grows, the others' calls over their parts. A join, or a rise in need,
   * counts once every worker with demand lists its key (they took their smaller parts first). Then
   * writes this worker's row (its acknowledgements, need, part and own calls, after the part
   * changed). Returns the number of workers sharing. Runs on the heartbeat and the share timer;
   * tests call it directly.
   */
  async checkShare(): Promise<number> {
    return this.inQueue(async () => {
      const now = this.o.clock.now();
      const { db, workerId } = this.o;
      const { perSecond, perMinute } = this.o.config.rateLimits;
      const written = this.demandWritten;
      const rows = await db.outboxWorkerHeartbeat.findMany({ where: { workerId: { not: workerId }, seenAt: { gt: new Date(now.getTime() - 3 * this.o.heartbeatMs - 1000) } } });
      const seen: typeof this.others = new Map();
      const sharing: { sharesWith: string; report: ShareReport }[] = [];
      const before = this.limiter.shareCaps();
      for (const r of rows) {
        const report = readReport(r.recentCalls);
        const demand = r.demandSince ? demandKeyOf(r.workerId, report) : undefined;
        // It went idle since last read: its calls are still in Feishu's windows, now ours to count.
        if (report.idle > (this.others.get(r.workerId)?.idle ?? 0)) this.limiter.seedApp(report.calls);
        if (demand) sharing.push({ sharesWith: r.sharesWith, report });
        seen.set(r.workerId, { demand, idle: report.idle });
      }
      // A worker that had demand and is gone (stopped, or silent): its part may have grown since
      // it was read, but the parts in use never add up to more than the whole, so it holds at most
      // what this worker's part leaves: count that.
      const rest = Object.fromEntries(Object.entries(before).map(([api, [second, minute]]) => [api, [perSecond - second, perMinute - minute] as [number, number]]));
      for (const [id, was] of this.others) if (was.demand && !seen.has(id)) this.limiter.seedApp(rest);
      this.others = seen;
      const workers = sharing.length + 1;
      // Rows of a version before the split by need keep to an even split.
      const evenCap: [number, number] = [Math.floor(perSecond / workers), Math.floor(perMinute / workers)];
      const countExcess = (seeds: Seeds) => {
        this.limiter.seedApp(seeds.minute);
        for (const [api, ages] of Object.entries(seeds.second)) this.limiter.seedAppSecond(api, ages);
      };

      // The need follows the lanes: a lower one counts at once; a higher one once it is listed.
      if (this.demandSince && !this.joining) {
        this.need = this.needOf(this.lanes.size);
        if (sharing.length === 0 || this.need < this.usedNeed) this.usedNeed = this.need;
      }
      let grown = false;
      const key = this.demandKey();
      if ((this.joining || this.need > this.usedNeed) && key && written === key) {
        // Every worker with demand lists this key: their calls over their parts count here until
        // they leave the windows, and this worker takes its part.
        const seeds = joinSeeds(
          sharing.map((r) => ({ acked: lists(r, key), report: r.report })),
          evenCap,
        );
        if (seeds) {
          countExcess(seeds);
          this.joining = false;
          this.usedNeed = this.need;
          grown = true;
        }
      }
      // Idle, no part is used: an even split stands until demand comes (and the join sets the part).
      if (sharing.length === 0 || !this.demandSince) this.limiter.setShare(workers);
      else {
        // A row of a version before the split by need keeps to an even split: so does this one beside it.
        const needs = sharing.map((r) => r.report.need);
        let part = needs.every((n) => n !== undefined) ? allocate([this.usedNeed, ...needs], perSecond)[0]! : evenCap[0];
        const current = this.limiter.shareCaps()[SEND_API]![0];
        if (part > current && !grown && !this.joining) {
          // Wider (another's need fell): its calls over its new part count here first.
          const seeds = joinSeeds(
            sharing.map((r) => ({ acked: true, report: r.report })),
            evenCap,
          );
          if (seeds) countExcess(seeds);
          else part = current;
        }
        this.limiter.setAllowance(part, workers);
      }
      await this.writeRow({ demandSince: this.demandSince ?? null, sharesWith: [...seen.values()].flatMap((w) => (w.demand ? [w.demand] : [])).join(','), report: this.report() }, { unlessSame: true });
      this.demandWritten = key;
      return this.limiter.workersSharing;
    });
  }

  /**
   * Lanes start after none: written before the others are read, so of two workers gaining demand
   * at once at least one sees the other (and waits for it). Sends wait on `joined`.
   */
  private gainDemand(lanes: number): void {
    this.demandSince = this.o.clock.now();
    this.need = this.usedNeed = this.needOf(lanes);
    this.joining = true;
    this.joined = (async () => {
      const demandSince = this.demandSince;
      const key = this.demandKey();
      const report = this.report();
      await this.inQueue(async () => {
        await this.writeRow({ demandSince: demandSince ?? null, report });
        if (this.demandKey() === key) this.demandWritten = key;
      });
      while (this.joining && !this.stopping && this.demandSince === demandSince) {
        await this.checkShare();
        if (this.joining) await this.limiter.time.sleep(this.o.shareCheckMs);
      }
    })().catch((error: unknown) => {
      // Unknown who else sends: keep to an even split with every live worker, after a heartbeat.
      this.o.log.warn('outbox share join failed', { error });
      this.limiter.setShare(this.others.size + 1);
      this.joinUntil = this.limiter.time.now() + this.o.heartbeatMs + 1100;
      this.joining = false;
    });
  }

  /** No lanes and nothing claimable: the others may widen (they count this worker's calls). */
  private async loseDemand(): Promise<void> {
    this.demandSince = undefined;
    this.joining = false;
    this.idleCount++;
    const report = this.report();
    await this.inQueue(async () => {
      await this.writeRow({ demandSince: null, report });
      this.demandWritten = undefined;
    });
  }

  private async deactivate(): Promise<void> {
    this.active = Math.max(0, this.active - 1);
    if (this.active > 0) return;
    await this.registration;
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.shareTimer) clearInterval(this.shareTimer);
    this.heartbeat = undefined;
    this.shareTimer = undefined;
    await Promise.all(this.lanes.values());
    // Idle from here: the others may widen (a drain that ended on its last claim already said so).
    if (this.demandSince) await this.loseDemand().catch((error: unknown) => this.o.log.warn('outbox idle report failed', { error }));
    this.joining = false;
    await this.joined;
    this.others.clear();
    // Safety net: nothing claimed by this worker stays leased once it is gone. Lanes that ran to
    // their end settled or handed back every row they were given, so only a failure leaves any.
    if (this.mayHoldRows) {
      this.mayHoldRows = false;
      await this.o.db.outboxMessage.updateMany({ where: { status: 'sending', claimedBy: this.o.workerId, attemptStartedAt: null }, data: { status: 'pending', claimedBy: null, leaseUntil: null } }).catch((error: unknown) => {
        this.mayHoldRows = true;
        this.o.log.warn('outbox release failed', { error });
      });
    }
    // Between drains the row stays, idle (the next activation writes it again; the others read
    // its last calls meanwhile and drop it once its heartbeat is stale). Stopping removes it.
    if (this.stopping) await this.unregister();
  }

  private async unregister(): Promise<void> {
    await this.inQueue(async () => {
      await this.o.db.outboxWorkerHeartbeat.deleteMany({ where: { workerId: this.o.workerId } });
      this.lastRow = undefined;
    }).catch(() => undefined);
  }

  // ---- claiming -------------------------------------------------------------------------------

  /** Claims what is due and starts a lane per target; returns the lanes started. */
  private async claimAndLaunch(skipBackoff: boolean, knownDue = false): Promise<Promise<number>[]> {
    await this.ensureRegistered();
    try {
      const claimed = await this.claim(skipBackoff, knownDue);
      if (claimed.length === 0) {
        if (this.lanes.size === 0 && this.demandSince) await this.loseDemand();
        return [];
      }
      const byTarget = byLane(claimed, (r) => r.target);
      if (!this.demandSince) this.gainDemand(byTarget.size);
      await this.seedLimiter([...byTarget.keys()]);
      this.o.observer.claimed?.({ rows: claimed.length, targets: byTarget.size });
      const reclaimed = claimed.filter((r) => r.status === 'sending').length;
      if (reclaimed > 0) this.o.observer.reclaimed?.({ rows: reclaimed });
      // Rows that wait for a parent (urgent, patch by key) go after the lanes of plain sends.
      const queues = [...byTarget.entries()].sort(([, a], [, b]) => Number(a.some((r) => r.parentId)) - Number(b.some((r) => r.parentId)));
      const launched = launchLanes(
        this.lanes,
        queues,
        (rows) => this.runLane(rows),
        () => this.pump.kick(),
      );
      // Alone, the need is only what the others will read when they come: it follows the lanes.
      // Beside others, a higher need counts once they list it (checkShare).
      if (this.alone && !this.joining) this.need = this.usedNeed = this.needOf(this.lanes.size);
      return launched;
    } catch (error) {
      // The claim may have committed before the failure: its rows never reached a lane.
      this.mayHoldRows = true;
      throw error;
    }
  }

  private async claim(skipBackoff: boolean, knownDue: boolean): Promise<Row[]> {
    const free = this.o.concurrency - this.lanes.size;
    if (free <= 0) return [];
    return claimDue(this.o.db, this.o.provider, {
      workerId: this.o.workerId,
      now: this.o.clock.now(),
      leaseMs: this.o.leaseMs,
      lanes: free,
      busy: [...this.lanes.keys()],
      batchSize: this.o.batchSize,
      laneSize: this.o.laneSize,
      skipBackoff,
      knownDue,
    });
  }

  /**
   * When other workers deliver too, a target new to this worker may have been sent to by one of
   * them a moment ago: count those sends in this worker's window for the target.
   */
  private async seedLimiter(targets: string[]): Promise<void> {
    // Alone, or the others idle now: they may have sent to these targets a moment ago all the same.
    if (this.others.size === 0) return;
    const unknown = targets.filter((t) => !this.limiter.knows(t));
    if (unknown.length === 0) return;
    const now = this.o.clock.now();
    const recent = await this.o.db.outboxMessage.findMany({
      where: { target: { in: unknown }, status: 'sent', sentAt: { gte: new Date(now.getTime() - 1500) } },
      select: { target: true, sentAt: true },
    });
    const byTarget = new Map<string, number[]>();
    for (const r of recent) byTarget.set(r.target, [...(byTarget.get(r.target) ?? []), now.getTime() - r.sentAt!.getTime()]);
    for (const [target, ago] of byTarget) this.limiter.seed(target, ago);
  }

  // ---- lanes ----------------------------------------------------------------------------------

  /** Delivers one target's rows in order; stops at the first row that must wait and hands the rest back. */
  private async runLane(rows: Row[]): Promise<number> {
    try {
      return await this.deliverLane(rows);
    } catch (error) {
      this.mayHoldRows = true;
      throw error;
    }
  }

  private async deliverLane(rows: Row[]): Promise<number> {
    const settling = new SettlingMarks();
    try {
      return await this.deliverRows(rows, settling);
    } finally {
      // Every row the lane delivered is marked before the lane is over (a drain waits for lanes).
      // A mark that failed leaves its row leased and marked attempted: ambiguous, sent again with
      // its uuid once the lease runs out, as when a mark failed before the lane went on.
      await settling.all().catch((error: unknown) => {
        this.o.log.error('outbox sent mark failed', { error });
        this.mayHoldRows = true;
      });
    }
  }

  private async deliverRows(rows: Row[], settling: SettlingMarks): Promise<number> {
    let progress = 0;
    const lane = this.laneCount++;
    for (let i = 0; i < rows.length; i++) {
      if (this.stopping) {
        await this.release(rows.slice(i));
        break;
      }
      let outcome: Outcome;
      try {
        outcome = await this.deliver(rows[i]!, { rowsLeft: rows.length - i, lane }, settling);
      } catch (error) {
        // The database failed under us: hand the rest back; the lease covers this row.
        this.o.log.error('outbox delivery failed', { error, outboxId: rows[i]!.id });
        this.mayHoldRows = true;
        await this.release(rows.slice(i + 1)).catch(() => undefined);
        break;
      }
      if (outcome === 'sent' || outcome === 'failed' || outcome === 'dead') {
        progress++;
        continue;
      }
      if (outcome === 'retry') progress++;
      // retry / waiting for a parent / released / lease lost: the rows behind it wait (order kept).
      await this.release(rows.slice(i + 1));
      break;
    }
    return progress;
  }

  /** Hands claimed, unattempted rows back (pending, due as they were). */
  private async release(rows: Row[]): Promise<void> {
    await releaseRows(
      this.o.db,
      this.o.workerId,
      rows.map((r) => r.id),
    );
  }

  /** Waits for a place in the rate windows; undefined when the worker stops meanwhile. */
  private async rateSlot(target: string, api: string, priority: LanePriority): Promise<RateSlot | undefined> {
    if (this.joining) await this.joined;
    if (this.stopping) return undefined;
    return this.slots.acquire(target, api, priority);
  }

  // ---- delivery -------------------------------------------------------------------------------

  /** `priority`: who goes first when lanes wait for the same place (slot-queue.ts) */
  private async deliver(claimed: Row, priority: LanePriority, settling: SettlingMarks): Promise<Outcome> {
    let row = claimed;
    for (;;) {
      const outcome = await this.attempt(row, priority, settling);
      if (typeof outcome === 'string') return outcome;
      // A retry soon: wait for it here, still holding the row and its chat's later rows. Feishu's
      // rate-limit pause (x-ogw-ratelimit-reset) is counted on the rate windows' timeline.
      if (outcome.rateWait) await this.limiter.time.sleep(outcome.inLaneMs);
      else await new Promise((r) => setTimeout(r, outcome.inLaneMs));
      if (this.stopping) {
        await this.release([outcome.row]);
        return 'released';
      }
      row = outcome.row;
    }
  }

  /** One attempt at a row; a retry waited for in the lane comes back as the row to try again. */
  private async attempt(row: Row, priority: LanePriority, settling: SettlingMarks): Promise<Outcome | { inLaneMs: number; rateWait: boolean; row: Row }> {
    const attempt = row.attempts + 1;
    const mine = { id: row.id, status: 'sending', claimedBy: this.o.workerId };
    const api = apiOf(row.op);
    const log = this.o.log.child({ outboxId: row.id, key: row.idempotencyKey, op: row.op, attempt });
    const parsed = (() => {
      try {
        return outboxOpSchema.safeParse(JSON.parse(row.payload));
      } catch {
        return undefined;
      }
    })();
    if (!parsed?.success) return this.fail(row, 'failed', undefined, '无法解析的消息内容 / unparseable payload', log);
    const op = parsed.data;

    // Taken over from a worker that died after its call had left: the call may have reached Feishu.
    let ambiguousSince = this.ambiguousSince(row);
    if (row.status === 'sending' && row.attemptStartedAt) {
      ambiguousSince = ambiguousSince && ambiguousSince < row.attemptStartedAt ? ambiguousSince : row.attemptStartedAt;
      log.warn('re-claimed a row whose call had started (worker crashed mid-delivery?)');
      if (op.op === 'urgent') return this.fail(row, 'failed', undefined, '加急可能已发出（投递中断），为避免重复加急不再重试', log);
      if (usesUuid(op) && this.o.clock.now().getTime() - ambiguousSince.getTime() > UUID_SAFE_MS) {
        return this.fail(row, 'dead', undefined, '投递中断且已超过 uuid 去重时限，为避免重复发送已放弃', log);
      }
    }

    let parentMessageId: string | undefined;
    if (op.op === 'urgent' || (op.op === 'patch' && !op.messageId)) {
      const parent = await this.o.db.outboxMessage.findUnique({ where: { idempotencyKey: op.messageOfKey! } });
      if (!parent) return this.fail(row, 'failed', undefined, `找不到父消息 ${op.messageOfKey}`, log);
      if (parent.status === 'sent' && parent.resultMessageId) parentMessageId = parent.resultMessageId;
      else if (parent.status === 'failed' || parent.status === 'dead') return this.fail(row, 'failed', undefined, '父消息未能发出', log);
      else {
        // Wait for the parent without spending an attempt; due again when the parent is.
        await this.o.db.outboxMessage.updateMany({
          where: mine,
          data: { status: 'pending', claimedBy: null, leaseUntil: null, attemptStartedAt: null, nextAttemptAt: parent.nextAttemptAt > this.o.clock.now() ? parent.nextAttemptAt : this.o.clock.now() },
        });
        return 'waiting';
      }
    }

    // Feishu counts a card's updates per message (5 a second), however the row names the message
    // (by id, or by the key of the row that sent it, whose lanes differ): the window is the message's.
    const rateTarget = op.op === 'patch' ? (op.messageId ?? parentMessageId ?? row.target) : row.target;
    const slot = await this.rateSlot(rateTarget, api, priority);
    if (!slot) {
      await this.release([row]);
      return 'released';
    }
    // The call leaves now: mark it (a crash from here on is ambiguous) and renew the lease, only
    // if this worker still holds the row.
    const started = this.o.clock.now();
    let still: boolean;
    try {
      still = await this.attemptMarks.mark(row.id);
    } catch (error) {
      // No call left, but the place was taken: given back, it counts for its second like any other;
      // kept, it would count as a call in flight for ever.
      slot.done();
      throw error;
    }
    if (!still) {
      slot.done();
      log.warn('lease lost before sending; another worker has the row');
      return 'lost';
    }

    const t0 = performance.now();
    try {
      const messageId = await this.call(row, op, parentMessageId);
      slot.done();
      this.o.observer.call?.({ op: row.op, ms: performance.now() - t0, outcome: 'ok' });
      this.o.metrics?.send('ok');
      this.quickRetries = Math.min(this.o.quickRetryQuota, this.quickRetries + QUICK_RETRY_EARN);
      const sentAt = this.o.clock.now();
      // The lane goes on to its next row while this is written (SettlingMarks).
      settling.add(
        this.sentMarks.mark({ id: row.id, sentAt, messageId }).then((marked) => {
          if (!marked) log.warn('row changed while sending (lease lost)');
          else this.o.observer.settled?.({ op: row.op, status: 'sent', attempts: attempt, enqueueToDoneMs: sentAt.getTime() - row.createdAt.getTime() });
          log.debug('delivered');
        }),
      );
      return 'sent';
    } catch (error) {
      slot.done();
      const e = error instanceof FeishuApiError ? error : new FeishuApiError(String((error as Error)?.message ?? error), 'transient', undefined, undefined);
      this.o.observer.call?.({ op: row.op, ms: performance.now() - t0, outcome: e.kind === 'rate_limit' ? 'rate_limit' : e.kind === 'permanent' ? 'permanent' : e.kind === 'ambiguous' ? 'ambiguous' : 'transient' });
      this.o.metrics?.send(e.kind === 'rate_limit' ? 'rate_limited' : e.kind === 'permanent' ? 'permanent' : 'transient');
      if (e.kind === 'rate_limit') {
        const scope = e.code === 230020 ? rateTarget : 'app';
        this.limiter.block(scope, e.retryAfterSeconds ?? 1, api);
        this.o.observer.rateLimited?.({ scope: scope === 'app' ? 'app' : 'target', seconds: e.retryAfterSeconds ?? 1 });
      }
      if (e.kind === 'permanent') return this.fail(row, 'failed', e.code, e.message, log, attempt);
      if (e.kind === 'ambiguous') {
        if (!usesUuid(op) && op.op === 'urgent') return this.fail(row, 'failed', e.code, `加急结果不确定（${e.message}），为避免重复加急不再重试`, log, attempt);
        ambiguousSince ??= started;
        if (usesUuid(op) && this.o.clock.now().getTime() - ambiguousSince.getTime() > UUID_SAFE_MS) {
          return this.fail(row, 'dead', e.code, `结果不确定且已超过 uuid 去重时限：${e.message}`, log, attempt);
        }
      }
      if (attempt >= this.o.config.outboxMaxAttempts) return this.fail(row, 'dead', e.code, `重试 ${attempt} 次仍失败：${e.message}`, log, attempt);
      const delay = this.retryDelay(attempt, e);
      const mark = ambiguousSince ? `[ambiguous@${ambiguousSince.toISOString()}] ` : '';
      if (this.started && !this.stopping && delay <= this.o.inLaneRetryMs) {
        // Keep the lease; the call's outcome is known (attemptStartedAt cleared), so a crash in the
        // wait re-claims the row as unattempted (or as ambiguous through the mark, as below).
        const lastError = (mark + e.message).slice(0, 1000);
        if (!(await this.retryMarks.mark({ id: row.id, lastError, lastErrorCode: e.code }))) return 'lost';
        this.o.observer.retry?.({ op: row.op, attempt, delayMs: delay, code: e.code });
        log.info('delivery failed, retrying in its lane', { kind: e.kind, code: e.code, delayMs: delay });
        return { inLaneMs: delay, rateWait: e.kind === 'rate_limit', row: { ...row, status: 'pending', attempts: attempt, attemptStartedAt: null, lastError } };
      }
      await this.o.db.outboxMessage.updateMany({
        where: mine,
        data: { status: 'pending', claimedBy: null, leaseUntil: null, attemptStartedAt: null, nextAttemptAt: new Date(this.o.clock.now().getTime() + delay), lastError: (mark + e.message).slice(0, 1000), lastErrorCode: e.code ?? null },
      });
      this.o.observer.retry?.({ op: row.op, attempt, delayMs: delay, code: e.code });
      log.info('delivery failed, will retry', { kind: e.kind, code: e.code, delayMs: delay });
      return 'retry';
    }
  }

  private ambiguousSince(row: Row): Date | undefined {
    const m = row.lastError ? AMBIGUOUS_MARK.exec(row.lastError) : null;
    return m?.[1] ? new Date(m[1]) : undefined;
  }

  /**
   * How long a failed row waits. A rate limit: its reset, then again (Feishu: "等待
   * x-ogw-ratelimit-reset 中指定的秒数 … 重试请求 … 直到成功",
   * https://open.feishu.cn/document/server-docs/api-call-guide/frequency-control; the limiter
   * holds the app or the chat that long). A first failure otherwise: at once while the quota lasts
   * (QUICK_RETRIES). Else full jitter: random(0, min(cap, base·2^(n−1))), never sooner than a reset.
   */
  private retryDelay(attempt: number, e: FeishuApiError): number {
    if (e.kind === 'rate_limit') return (e.retryAfterSeconds ?? 1) * 1000;
    // Feishu accepting most calls (the quota holds): a blip, or a message it keeps refusing, which
    // holds its chat's later messages back while it waits; its waits stop growing.
    const healthy = e.kind === 'transient' && this.quickRetries >= 1;
    if (healthy && attempt <= QUICK_RETRIES) {
      this.quickRetries -= 1;
      return 0;
    }
    const ceiling = Math.min(this.o.backoffCapMs, this.o.backoffBaseMs * 2 ** (healthy ? 0 : attempt - 1));
    const jitter = Math.floor(this.o.random() * ceiling);
    return Math.max(jitter, (e.retryAfterSeconds ?? 0) * 1000);
  }

  private async call(row: Row, op: OutboxOp, parentMessageId: string | undefined): Promise<string | undefined> {
    const { gateway } = this.o;
    const uuid = feishuUuid(row.idempotencyKey);
    switch (op.op) {
      case 'send': {
        const { msgType, content } = body(op);
        return (await gateway.sendMessage({ ...recipient(op.to), msgType, content, uuid })).messageId;
      }
      case 'reply': {
        const { msgType, content } = body(op);
        return (await gateway.replyMessage({ messageId: op.messageId, msgType, content, uuid })).messageId;
      }
      case 'patch': {
        const messageId = op.messageId ?? parentMessageId!;
        await gateway.patchCard({ messageId, card: op.card });
        return messageId;
      }
      case 'urgent': {
        const res = await gateway.urgentApp({ messageId: parentMessageId!, openIds: op.openIds });
        if (res.invalidOpenIds.length > 0) this.o.log.warn('urgent: some recipients invalid', { key: row.idempotencyKey, invalid: res.invalidOpenIds.length });
        return parentMessageId;
      }
      case 'file': {
        let data: Buffer;
        try {
          data = await this.o.storage.get(op.storedPath);
        } catch (error) {
          throw new FeishuApiError(`文件不存在或无法读取：${op.storedPath} (${(error as Error).message})`, 'permanent', undefined, undefined);
        }
        const { fileKey } = await gateway.uploadFile({ fileName: op.fileName, fileType: op.fileType, data });
        return (await gateway.sendMessage({ ...recipient(op.to), msgType: 'file', content: JSON.stringify({ file_key: fileKey }), uuid })).messageId;
      }
      case 'card_update':
        await gateway.delayedCardUpdate({ token: op.token, card: op.card });
        return undefined;
    }
  }

  /** Final state (failed = permanent, dead = gave up) plus an alert to the coordinators, in one transaction. */
  private async fail(row: Row, status: 'failed' | 'dead', code: number | undefined, message: string, log: Logger, attempts = row.attempts): Promise<Outcome> {
    const now = this.o.clock.now();
    const isAlert = row.idempotencyKey.startsWith(ALERT_KEY_PREFIX);
    const changed = await this.o.db.$transaction(async (tx: Tx) => {
      const n = await tx.outboxMessage.updateMany({
        where: { id: row.id, status: 'sending', claimedBy: this.o.workerId },
        data: { status, claimedBy: null, leaseUntil: null, attemptStartedAt: null, lastError: message.slice(0, 1000), lastErrorCode: code ?? null },
      });
      if (n.count === 0) return false;
      if (isAlert || outsideUpdateWindow(row.op, code)) return true;
      const chats = await coordinatorChatIds(tx, this.o.config.coordinatorChatId);
      const alert = alertCard(row, status, code, message, Math.max(1, attempts));
      for (const chatId of chats) {
        await enqueue(tx, `${ALERT_KEY_PREFIX}${row.id}:${chatId}`, { op: 'send', to: { chatId }, card: alert }, {}, now);
      }
      if (chats.length === 0) log.error('no coordinator chat to alert');
      return true;
    });
    if (changed) this.o.observer.settled?.({ op: row.op, status, attempts, enqueueToDoneMs: now.getTime() - row.createdAt.getTime() });
    if (changed && status === 'dead') this.o.metrics?.send('dead');
    if (outsideUpdateWindow(row.op, code)) log.warn("card older than Feishu's 14-day update window left as sent", { code });
    else log.error(isAlert ? 'alert could not be delivered' : `outbox row ${status}`, { code, error: message });
    return status;
  }
}

/**
 * Feishu updates a card only within 14 days of sending it (230031; open.feishu.cn 更新已发送的消息卡片
 * im/v1/messages/:message_id PATCH, 使用限制: "仅支持更新 14 天内发送的消息"). Freshening an older card (a
 * March receipt when the plan is published in April) is best effort: the row fails quietly, without a
 * red alert sending the coordinators to check the bot's groups.
 */
export const PATCH_WINDOW_EXPIRED = 230031;
function outsideUpdateWindow(op: string, code: number | undefined): boolean {
  return code === PATCH_WINDOW_EXPIRED && (op === 'patch' || op === 'card_update');
}

/**
 * The Feishu API an operation calls, for its app-wide rate windows (each API has its own 50/s and
 * 1000/min, and a 429 pauses that API only): frequency-control page cited in rate-limiter.ts.
 * A file is uploaded, then sent: it holds a place in the send API's windows (the upload's own
 * limits are far above what a fan-out of files reaches).
 */
export function apiOf(op: string): string {
  switch (op) {
    case 'reply':
      return 'im.message.reply';
    case 'patch':
      return 'im.message.patch';
    case 'urgent':
      return 'im.message.urgent_app';
    case 'card_update':
      return 'interactive.card.update';
    default:
      return SEND_API;
  }
}

function usesUuid(op: OutboxOp): boolean {
  return op.op === 'send' || op.op === 'reply' || op.op === 'file';
}

function recipient(to: Recipient): { receiveIdType: 'chat_id' | 'open_id'; receiveId: string } {
  return 'chatId' in to ? { receiveIdType: 'chat_id', receiveId: to.chatId } : { receiveIdType: 'open_id', receiveId: to.openId };
}

function body(op: { card?: CardJson; text?: string }): { msgType: MsgType; content: string } {
  if (op.card) return { msgType: 'interactive', content: JSON.stringify(op.card) };
  return { msgType: 'text', content: JSON.stringify({ text: op.text ?? '' }) };
}

const OP_LABEL: Record<string, string> = { send: '发送消息', reply: '回复消息', patch: '更新卡片', urgent: '加急', file: '发送文件', card_update: '更新卡片' };

function alertCard(row: Row, status: 'failed' | 'dead', code: number | undefined, message: string, attempts: number) {
  return card({
    title: status === 'failed' ? '消息发送失败' : '消息多次重试后仍未发出',
    template: 'red',
    elements: [
      markdown([field('操作', escapeMarkdown(OP_LABEL[row.op] ?? row.op)), field('目标', escapeMarkdown(row.target)), field('错误', escapeMarkdown(`${code !== undefined ? `${code} ` : ''}${message.slice(0, 300)}`))].join('\n')),
      note(`编号 ${escapeMarkdown(row.idempotencyKey.slice(0, 80))} · 已尝试 ${attempts} 次。请检查机器人是否仍在群内、对方是否可接收消息。`),
    ],
  });
}
