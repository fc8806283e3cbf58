// Who gets the next place in the rate windows when several lanes wait for one (rate-limiter.ts).
//
// A fan-out is bound by the app-wide window (50/s), and a chat may send only 5 a second. A lane
// sends its chat's rows one after another (order kept: the next row leaves once the last one was
// answered), so when more lanes wait than places free, each lane gets about one call a second,
// and the chat with the most rows left sets when the fan-out ends. Here one queue grants places:
// the lane with the most rows left goes first, and among equals the older lane. Lanes whose rows
// failed and had to be sent again stay ahead, so they do not finish a second or more after the
// rest; and when a 429 stops a second's calls part way through (x-ogw-ratelimit-reset), the calls
// it stops are those of the lanes with the least left to do.
//
// Measured (bench outbox, 500 messages to 50 chats, 25 % 5xx + 5 % 429, seven rounds of seeds
// 7–13 each, 2026-12-07): ranked by whole seconds of sending left (ceil(rows / 5)), with the chat
// enqueued last last among equals, SQLite's median was 1.08 × the bare sender with the same
// faults; by rows left 1.04 and 1.02 in two runs (PostgreSQL's rounds, 0.95–1.16, moved within
// their noise). Without faults both end in the same second: the calls per second are the same.
// Polling lanes instead, each on its own timer, ended about 60 ms later and could leave a chat a
// second's worth for the end.

import type { RateLimiter, RateSlot } from './rate-limiter.ts';

/**
 * The longest a waiting lane goes without a fresh look at the windows. Without it, a lane whose
 * wait was computed at half the app's share (two workers delivering) slept out a full minute
 * window after the other worker had gone idle: 41 rows stalled for 35 s in the bench's
 * two-instance fault run.
 */
const LOOK_AGAIN_MS = 250;

/** Who goes first: more rows left in the lane, then the older lane. */
export interface LanePriority {
  /** rows the lane still has to deliver, this one included */
  rowsLeft: number;
  /** the lane's age (lower is older) */
  lane: number;
}

interface Waiter {
  target: string;
  api: string;
  /** rows the lane still has to deliver (more goes first) */
  rowsLeft: number;
  /** the lane's age (lower goes first among equal rows left), then the waiter's */
  lane: number;
  order: number;
  resolve(slot: RateSlot | undefined): void;
}

export class SlotQueue {
  private waiters: Waiter[] = [];
  private order = 0;
  /** when the pending wake-up fires (on the limiter's timeline); Infinity when none is pending */
  private wakeAt = Number.POSITIVE_INFINITY;

  constructor(
    private readonly limiter: RateLimiter,
    /** nothing is granted before this, on the limiter's timeline (a worker that just joined others) */
    private readonly notBefore: () => number = () => 0,
  ) {}

  /** Waits for a place for `target` through `api`; undefined when cancelled (the worker stops). */
  acquire(target: string, api: string, priority: LanePriority): Promise<RateSlot | undefined> {
    return new Promise((resolve) => {
      this.waiters.push({ target, api, ...priority, order: this.order++, resolve });
      this.grant();
    });
  }

  /** Every waiter gets no place (undefined) at once. */
  cancelAll(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.resolve(undefined);
  }

  get waiting(): number {
    return this.waiters.length;
  }

  private grant(): void {
    if (this.waiters.length === 0) return;
    this.waiters.sort((a, b) => b.rowsLeft - a.rowsLeft || a.lane - b.lane || a.order - b.order);
    const hold = this.notBefore() - this.limiter.time.now();
    let next = Number.POSITIVE_INFINITY;
    const still: Waiter[] = [];
    // The app-wide wait is the same for every waiter of an API until a place is taken: read once.
    const appWait = new Map<string, number>();
    for (const w of this.waiters) {
      let app = appWait.get(w.api);
      if (app === undefined) appWait.set(w.api, (app = this.limiter.appWaitMs(w.api)));
      const wait = Math.max(hold, app, app > 0 ? 0 : this.limiter.targetWaitMs(w.target));
      if (wait <= 0) {
        w.resolve(this.granted(this.limiter.take(w.target, w.api)));
        appWait.delete(w.api);
      } else {
        still.push(w);
        next = Math.min(next, wait);
      }
    }
    this.waiters = still;
    // Waits are computed for the windows as they are now; the worker's share of the app-wide
    // windows can grow meanwhile (another worker went idle): look again within LOOK_AGAIN_MS.
    if (Number.isFinite(next)) this.wakeIn(Math.min(next, LOOK_AGAIN_MS));
  }

  /** The answer coming back moves the place's window: look again then (the next macrotask). */
  private granted(slot: RateSlot): RateSlot {
    return {
      done: () => {
        slot.done();
        if (this.waiters.length > 0) setImmediate(() => this.grant());
      },
    };
  }

  private wakeIn(ms: number): void {
    const at = this.limiter.time.now() + ms;
    if (at >= this.wakeAt) return;
    this.wakeAt = at;
    // A later wake-up that an earlier one replaced still fires: one pass that may grant nothing.
    void this.limiter.time.sleep(ms).then(() => {
      if (this.wakeAt === at) this.wakeAt = Number.POSITIVE_INFINITY;
      this.grant();
    });
  }
}
