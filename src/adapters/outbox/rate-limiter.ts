// Sliding-window limits in wall-clock time: Feishu counts real seconds whatever the app's clock says.
// App-wide per second and per minute, plus one bucket per target (chat, user or message).

export interface RateLimits {
  perSecond: number;
  perMinute: number;
  perChat: number;
}

/**
 * At most `capacity` calls in any window of `windowMs`, counted over a sliding window the way
 * Feishu counts them. (A token bucket would allow a full burst plus the refill inside one second,
 * e.g. 9 calls to a chat whose limit is 5 per second.)
 */
class Bucket {
  private readonly taken: number[] = [];
  /** nothing may be taken before this (a 429's x-ogw-ratelimit-reset) */
  blockedUntil = 0;
  constructor(
    private readonly capacity: number,
    private readonly windowMs: number,
    _now: number,
  ) {}
  private expire(now: number): void {
    while (this.taken.length > 0 && this.taken[0]! <= now - this.windowMs) this.taken.shift();
  }
  /** ms until a call is allowed (0 = now) */
  waitMs(now: number): number {
    this.expire(now);
    const block = Math.max(0, this.blockedUntil - now);
    const lack = this.taken.length < this.capacity ? 0 : Math.ceil(this.taken[0]! + this.windowMs - now);
    return Math.max(block, lack);
  }
  take(now: number): void {
    this.expire(now);
    this.taken.push(now);
  }
  idleSince(now: number): boolean {
    this.expire(now);
    return this.taken.length === 0 && this.blockedUntil <= now;
  }
}

export class RateLimiter {
  private readonly second: Bucket;
  private readonly minute: Bucket;
  private readonly perTarget = new Map<string, Bucket>();

  constructor(
    private readonly limits: RateLimits,
    private readonly now: () => number = () => performance.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    const t = now();
    this.second = new Bucket(limits.perSecond, 1000, t);
    this.minute = new Bucket(limits.perMinute, 60_000, t);
  }

  private target(key: string): Bucket {
    let b = this.perTarget.get(key);
    if (!b) {
      const t = this.now();
      if (this.perTarget.size > 5000) for (const [k, v] of this.perTarget) if (v.idleSince(t)) this.perTarget.delete(k);
      b = new Bucket(this.limits.perChat, 1000, t);
      this.perTarget.set(key, b);
    }
    return b;
  }

  /** How long a call to `target` would have to wait now. */
  waitMs(target: string): number {
    const t = this.now();
    return Math.max(this.second.waitMs(t), this.minute.waitMs(t), this.target(target).waitMs(t));
  }

  /** Waits for a token in every bucket, then takes them; gives up (returns false) if that would exceed maxWaitMs. */
  async acquire(target: string, maxWaitMs = 30_000): Promise<boolean> {
    for (;;) {
      const wait = this.waitMs(target);
      if (wait === 0) {
        const t = this.now();
        this.second.take(t);
        this.minute.take(t);
        this.target(target).take(t);
        return true;
      }
      if (wait > maxWaitMs) return false;
      await this.sleep(wait);
    }
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
