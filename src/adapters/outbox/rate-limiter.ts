// Sliding-window limits in wall-clock time: Feishu counts real seconds whatever the app's clock says.
// App-wide per second and per minute, plus one bucket per target (chat, user or message).
//
// Feishu documents the limits (send: 5 QPS per user and per group, 230020; every API 50/s and
// 1000/min per app, HTTP 429 / 99991400 with x-ogw-ratelimit-reset; "either ceiling trips it":
// https://open.feishu.cn/document/server-docs/api-call-guide/frequency-control) but not where in
// a request it counts one, nor the window's alignment. So a call holds its place in every window
// from the moment it leaves until its answer comes back, and only then starts its one-second (or
// one-minute) stay: wherever between send and answer Feishu counts it, the next call that reuses
// the place arrives a full window later. A call slowed by a busy network costs throughput, never
// a refusal.

export interface RateLimits {
  perSecond: number;
  perMinute: number;
  perChat: number;
}

/** A place taken in the windows; `done()` when the answer came back (or the call failed). */
export interface RateSlot {
  done(): void;
}

interface Entry {
  /** when the call's answer came back; Infinity while in flight */
  at: number;
}

/** At most `capacity` calls in any window of `windowMs`, counted from each call's answer. */
class Bucket {
  private entries: Entry[] = [];
  /** nothing may be taken before this (a 429's x-ogw-ratelimit-reset) */
  blockedUntil = 0;
  constructor(
    public capacity: number,
    private readonly windowMs: number,
  ) {}
  private expire(now: number): void {
    if (this.entries.length > 0 && this.entries.some((e) => e.at <= now - this.windowMs)) this.entries = this.entries.filter((e) => e.at > now - this.windowMs);
  }
  /** ms until a call is allowed (0 = now) */
  waitMs(now: number): number {
    this.expire(now);
    const block = Math.max(0, this.blockedUntil - now);
    if (this.entries.length < this.capacity) return block;
    // Full: the place that frees first is the oldest answered call (in-flight ones free later).
    const excess = this.entries.length - this.capacity;
    const sorted = this.entries.map((e) => e.at).sort((a, b) => a - b);
    const frees = sorted[excess]!;
    const lack = Number.isFinite(frees) ? Math.ceil(frees + this.windowMs - now) : 10;
    return Math.max(block, Math.max(1, lack));
  }
  take(entry: Entry, now: number): void {
    this.expire(now);
    this.entries.push(entry);
  }
  /** Seeds a call another worker made (its answer `agoMs` ago). */
  seed(now: number, agoMs: number): void {
    if (agoMs >= 0 && agoMs < this.windowMs) this.entries.push({ at: now - agoMs });
  }
  idle(now: number): boolean {
    this.expire(now);
    return this.entries.length === 0 && this.blockedUntil <= now;
  }
}

export class RateLimiter {
  private readonly second: Bucket;
  private readonly minute: Bucket;
  private readonly perTarget = new Map<string, Bucket>();
  private share = 1;

  constructor(
    private readonly limits: RateLimits,
    private readonly now: () => number = () => performance.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    this.second = new Bucket(limits.perSecond, 1000);
    this.minute = new Bucket(limits.perMinute, 60_000);
  }

  /**
   * Several workers (app instances) deliver for one app: each keeps to its share of the app-wide
   * limits. (A chat is delivered by one worker at a time, so per-target limits stay whole.)
   */
  setShare(workers: number): void {
    this.share = Math.max(1, Math.floor(workers));
    this.second.capacity = Math.max(1, Math.floor(this.limits.perSecond / this.share));
    this.minute.capacity = Math.max(1, Math.floor(this.limits.perMinute / this.share));
  }

  get workersSharing(): number {
    return this.share;
  }

  private target(key: string): Bucket {
    let b = this.perTarget.get(key);
    if (!b) {
      const t = this.now();
      if (this.perTarget.size > 5000) for (const [k, v] of this.perTarget) if (v.idle(t)) this.perTarget.delete(k);
      b = new Bucket(this.limits.perChat, 1000);
      this.perTarget.set(key, b);
    }
    return b;
  }

  /** True when this limiter has no recent call to `target` in memory (another worker may have). */
  knows(target: string): boolean {
    const b = this.perTarget.get(target);
    return b !== undefined && !b.idle(this.now());
  }

  /** Records calls to `target` that another worker answered `agoMs` ago each. */
  seed(target: string, agoMs: number[]): void {
    const t = this.now();
    const b = this.target(target);
    for (const ago of agoMs) b.seed(t, ago);
  }

  /** How long a call to `target` would have to wait now. */
  waitMs(target: string): number {
    const t = this.now();
    return Math.max(this.second.waitMs(t), this.minute.waitMs(t), this.target(target).waitMs(t));
  }

  /** Takes a place now in every window; the caller checked waitMs() === 0. */
  take(target: string): RateSlot {
    const t = this.now();
    const entry: Entry = { at: Number.POSITIVE_INFINITY };
    this.second.take(entry, t);
    this.minute.take(entry, t);
    this.target(target).take(entry, t);
    return {
      done: () => {
        if (!Number.isFinite(entry.at)) entry.at = this.now();
      },
    };
  }

  /** Waits for a place in every window and takes it; gives up (undefined) past maxWaitMs. */
  async acquireSlot(target: string, maxWaitMs = 30_000): Promise<RateSlot | undefined> {
    for (;;) {
      const wait = this.waitMs(target);
      if (wait === 0) return this.take(target);
      if (wait > maxWaitMs) return undefined;
      await this.sleep(wait);
    }
  }

  /** A call that is answered at once (counted from now): tests and the bench's limiter alone. */
  async acquire(target: string, maxWaitMs = 30_000): Promise<boolean> {
    const slot = await this.acquireSlot(target, maxWaitMs);
    slot?.done();
    return slot !== undefined;
  }

  /** Feishu said stop: block the app (generic limiter) or one target (230020) for `seconds`. */
  block(scope: 'app' | string, seconds: number): void {
    const until = this.now() + seconds * 1000;
    if (scope === 'app') {
      this.second.blockedUntil = Math.max(this.second.blockedUntil, until);
    } else {
      const b = this.target(scope);
      b.blockedUntil = Math.max(b.blockedUntil, until);
    }
  }
}
