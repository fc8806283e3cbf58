// Token buckets in wall-clock time: Feishu counts real seconds whatever the app's clock says.
// App-wide per second and per minute, plus one bucket per target (chat, user or message).

export interface RateLimits {
  perSecond: number;
  perMinute: number;
  perChat: number;
}

class Bucket {
  private tokens: number;
  private last: number;
  /** nothing may be taken before this (a 429's x-ogw-ratelimit-reset) */
  blockedUntil = 0;
  constructor(
    private readonly capacity: number,
    private readonly refillPerMs: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.last = now;
  }
  private refill(now: number): void {
    this.tokens = Math.min(this.capacity, this.tokens + (now - this.last) * this.refillPerMs);
    this.last = now;
  }
  /** ms until a token is available (0 = now) */
  waitMs(now: number): number {
    this.refill(now);
    const block = Math.max(0, this.blockedUntil - now);
    const lack = this.tokens >= 1 ? 0 : Math.ceil((1 - this.tokens) / this.refillPerMs);
    return Math.max(block, lack);
  }
  take(now: number): void {
    this.refill(now);
    this.tokens -= 1;
  }
  idleSince(now: number): boolean {
    this.refill(now);
    return this.tokens >= this.capacity && this.blockedUntil <= now;
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
    this.second = new Bucket(limits.perSecond, limits.perSecond / 1000, t);
    this.minute = new Bucket(limits.perMinute, limits.perMinute / 60_000, t);
  }

  private target(key: string): Bucket {
    let b = this.perTarget.get(key);
    if (!b) {
      const t = this.now();
      if (this.perTarget.size > 5000) for (const [k, v] of this.perTarget) if (v.idleSince(t)) this.perTarget.delete(k);
      b = new Bucket(this.limits.perChat, this.limits.perChat / 1000, t);
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
