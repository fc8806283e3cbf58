// The time Feishu's rate windows are counted in (50/s and 1000/min per API, 5/s per chat), read by
// the outbox's RateLimiter and by the emulator's limits. It is wall time, not the app's Clock, on
// purpose: Feishu counts real seconds whatever the app's clock says (a FakeClock in March does not
// give the app a fresh minute window). See src/adapters/outbox/rate-limiter.ts.
//
// A simulation that runs a whole year on a FakeClock would still wait real seconds at every fan-out
// of more than 50 messages. It shares one VirtualRateTime between the worker's limiter and the
// emulator instead: the same windows, on a timeline where a rate wait costs no wall time.

/** Milliseconds on a monotonic timeline, and waiting on it. */
export interface RateTime {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** Production and every test but the simulated year: real milliseconds, real waits. */
export const wallRateTime: RateTime = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

interface Sleeper {
  wake: number;
  resolve(): void;
}

/**
 * Wall time that skips its waits: `now()` is `base()` (the wall clock by default) plus every jump
 * taken so far. `sleep(ms)` jumps to the caller's start + ms (unless time already got there) and
 * resolves on a later macrotask; sleepers wake earliest first, one wake time per macrotask, so
 * concurrent sleepers advance time to the latest of their wakes, never to their sum.
 *
 * Time still flows with the wall clock between waits, so calls nobody paces (token fetches, reads)
 * are never denser on this timeline than they would be in real time. Tests pass `base: () => 0`
 * for a timeline that moves only when someone sleeps.
 */
export class VirtualRateTime implements RateTime {
  private skipped = 0;
  private readonly sleepers: Sleeper[] = [];
  private scheduled = false;

  constructor(private readonly base: () => number = () => performance.now()) {}

  now(): number {
    return this.base() + this.skipped;
  }

  /** How far this timeline is ahead of its base (the wall time the waits did not cost). */
  get skippedMs(): number {
    return this.skipped;
  }

  sleep(ms: number): Promise<void> {
    const wake = this.now() + Math.max(0, ms);
    return new Promise<void>((resolve) => {
      this.sleepers.push({ wake, resolve });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.sleepers.length === 0) return;
    this.scheduled = true;
    // A macrotask, not a microtask: I/O in progress (a call on its way to Feishu) goes on meanwhile.
    setImmediate(() => {
      this.scheduled = false;
      this.wakeEarliest();
      this.schedule();
    });
  }

  private wakeEarliest(): void {
    if (this.sleepers.length === 0) return;
    const earliest = Math.min(...this.sleepers.map((s) => s.wake));
    const now = this.now();
    if (earliest > now) this.skipped += earliest - now;
    const at = this.now();
    const due = this.sleepers.filter((s) => s.wake <= at);
    const rest = this.sleepers.filter((s) => s.wake > at);
    this.sleepers.splice(0, this.sleepers.length, ...rest);
    for (const s of due) s.resolve();
  }
}
