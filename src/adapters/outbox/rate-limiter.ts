// Sliding-window limits in wall-clock time: Feishu counts real seconds whatever the app's clock says.
// Per API for the app (per second and per minute), plus one bucket per target (chat, user or message).
// The time comes from a RateTime (src/ports/rate-time.ts): the wall clock, except in the simulated
// year, where the limiter and the emulator share a virtual timeline so its waits cost no real time.
//
// Feishu's tiers apply "每个 API、每个应用、每个租户" (frequency-control page below): sending and
// replying, patching a card, 加急 and delayed card updates each have their own 50/s and 1000/min,
// and a 429 from one API ("将来自该客户端的任何进一步操作限制在一段时间内", x-ogw-ratelimit-reset)
// pauses that API, not the others. The 5/s per chat is counted on what lands in the chat (send and
// reply share it: 发送消息 / 回复消息 "向同一群组发送消息 … 5 QPS").
//
// Feishu documents the limits (send: 5 QPS per user and per group, 230020; every API 50/s and
// 1000/min per app, HTTP 429 / 99991400 with x-ogw-ratelimit-reset; "either ceiling trips it":
// https://open.feishu.cn/document/server-docs/api-call-guide/frequency-control) but not where in
// a request it counts one, nor the window's alignment. So a call holds its place in every window
// from the moment it leaves until its answer comes back, and only then starts its one-second (or
// one-minute) stay: wherever between send and answer Feishu counts it, the next call that reuses
// the place arrives a full window later. A call slowed by a busy network costs throughput, never
// a refusal.

import { wallRateTime, type RateTime } from '../../ports/rate-time.ts';

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
  /** stands for another worker's call (seeded), not one of this limiter's own */
  seeded?: boolean;
}

/** Calls per Feishu API in the last second and the last minute: [second, minute]. */
export type WindowCalls = Record<string, [number, number]>;

/** Per Feishu API, how long ago (ms) each call in the last second was answered (0 while in flight), oldest first. */
export type SecondAges = Record<string, number[]>;

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
    if (agoMs >= 0 && agoMs < this.windowMs) this.entries.push({ at: now - agoMs, seeded: true });
  }
  /** This limiter's own calls in the window (seeded ones left out). */
  own(now: number): number {
    this.expire(now);
    return this.entries.filter((e) => !e.seeded).length;
  }
  /** How long ago each own call in the window was answered (0 while in flight), oldest first. */
  ownAges(now: number): number[] {
    this.expire(now);
    return this.entries
      .filter((e) => !e.seeded)
      .map((e) => (Number.isFinite(e.at) ? now - e.at : 0))
      .sort((a, b) => b - a);
  }
  idle(now: number): boolean {
    this.expire(now);
    return this.entries.length === 0 && this.blockedUntil <= now;
  }
}

/** The Feishu API a call goes to (its own app-wide windows); sends when not said otherwise. */
export const SEND_API = 'im.message.create';

interface ApiBuckets {
  second: Bucket;
  minute: Bucket;
}

export class RateLimiter {
  private readonly apis = new Map<string, ApiBuckets>();
  private readonly perTarget = new Map<string, Bucket>();
  /** workers delivering for the app, this one included */
  private share = 1;
  /** this worker's calls a second per API when the workers split by need (undefined: an even split) */
  private allowance: number | undefined;
  private taken = 0;

  constructor(
    private readonly limits: RateLimits,
    /** the timeline the windows are counted on (shared with whoever waits for them) */
    readonly time: RateTime = wallRateTime,
  ) {}

  private now(): number {
    return this.time.now();
  }

  private api(name: string): ApiBuckets {
    let a = this.apis.get(name);
    if (!a) {
      a = { second: new Bucket(this.limits.perSecond, 1000), minute: new Bucket(this.limits.perMinute, 60_000) };
      this.apis.set(name, a);
      this.applyShare(a);
    }
    return a;
  }

  private applyShare(a: ApiBuckets): void {
    const { perSecond, perMinute } = this.limits;
    a.second.capacity = Math.max(1, this.allowance ?? Math.floor(perSecond / this.share));
    a.minute.capacity = Math.max(1, this.allowance !== undefined ? Math.floor((perMinute * this.allowance) / perSecond) : Math.floor(perMinute / this.share));
  }

  /**
   * Several workers (app instances) deliver for one app: each keeps to an even share of the
   * app-wide limits. (A chat is delivered by one worker at a time, so per-target limits stay whole.)
   */
  setShare(workers: number): void {
    this.share = Math.max(1, Math.floor(workers));
    this.allowance = undefined;
    for (const a of this.apis.values()) this.applyShare(a);
  }

  /**
   * The workers split the app-wide limits by need (share-report.ts `allocate`): this one keeps to
   * `perSecond` calls a second per API, and to the same part of each minute.
   */
  setAllowance(perSecond: number, workers: number): void {
    this.share = Math.max(1, Math.floor(workers));
    this.allowance = Math.max(1, Math.min(this.limits.perSecond, Math.floor(perSecond)));
    for (const a of this.apis.values()) this.applyShare(a);
  }

  get workersSharing(): number {
    return this.share;
  }

  /** This worker's own calls per API still in its app-wide windows (what it reports to the others). */
  ownCalls(): WindowCalls {
    const t = this.now();
    const out: WindowCalls = {};
    for (const [name, a] of this.apis) {
      const calls: [number, number] = [a.second.own(t), a.minute.own(t)];
      if (calls[1] > 0) out[name] = calls;
    }
    return out;
  }

  /** This worker's own calls per API in its last second, as ages (what a worker joining it counts). */
  ownSecondAges(): SecondAges {
    const t = this.now();
    const out: SecondAges = {};
    for (const [name, a] of this.apis) {
      const ages = a.second.ownAges(t);
      if (ages.length > 0) out[name] = ages;
    }
    return out;
  }

  /** The app-wide windows' capacities per API at the current share (at least the send API's). */
  shareCaps(): WindowCalls {
    this.api(SEND_API);
    const out: WindowCalls = {};
    for (const [name, a] of this.apis) out[name] = [a.second.capacity, a.minute.capacity];
    return out;
  }

  /**
   * Counts other workers' calls in this worker's app-wide windows, as if answered now (so they stay
   * at least as long as the real ones): what a worker that stopped sharing may still have there.
   */
  seedApp(calls: WindowCalls): void {
    const t = this.now();
    for (const [name, [second, minute]] of Object.entries(calls)) {
      const a = this.api(name);
      for (let i = 0; i < second; i++) a.second.seed(t, 0);
      for (let i = 0; i < minute; i++) a.minute.seed(t, 0);
    }
  }

  /**
   * Counts another worker's calls in this worker's last-second window for `api`, each answered
   * `agesMs[i]` ago as that worker reported them. The report is taken as written now, so each stays
   * at least as long as the real call does.
   */
  seedAppSecond(api: string, agesMs: number[]): void {
    const t = this.now();
    const a = this.api(api);
    for (const ago of agesMs) a.second.seed(t, ago);
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

  /** How long a call to `target` through `api` would have to wait now. */
  waitMs(target: string, api = SEND_API): number {
    return Math.max(this.appWaitMs(api), this.targetWaitMs(target));
  }

  /** How long any call through `api` would have to wait now for the app-wide windows. */
  appWaitMs(api = SEND_API): number {
    const t = this.now();
    const a = this.api(api);
    return Math.max(a.second.waitMs(t), a.minute.waitMs(t));
  }

  /** How long a call to `target` would have to wait now for the target's own window. */
  targetWaitMs(target: string): number {
    return this.target(target).waitMs(this.now());
  }

  /** Places this limiter has taken so far (its own calls, ever): a report written since none was taken still holds. */
  get ownTaken(): number {
    return this.taken;
  }

  /** Takes a place now in every window; the caller checked waitMs() === 0. */
  take(target: string, api = SEND_API): RateSlot {
    this.taken++;
    const t = this.now();
    const entry: Entry = { at: Number.POSITIVE_INFINITY };
    const a = this.api(api);
    a.second.take(entry, t);
    a.minute.take(entry, t);
    this.target(target).take(entry, t);
    return {
      done: () => {
        if (!Number.isFinite(entry.at)) entry.at = this.now();
      },
    };
  }

  /** Waits for a place in every window and takes it; gives up (undefined) past maxWaitMs. */
  async acquireSlot(target: string, maxWaitMs = 30_000, api = SEND_API): Promise<RateSlot | undefined> {
    for (;;) {
      const wait = this.waitMs(target, api);
      if (wait === 0) return this.take(target, api);
      if (wait > maxWaitMs) return undefined;
      await this.time.sleep(wait);
    }
  }

  /** A call that is answered at once (counted from now): tests and the bench's limiter alone. */
  async acquire(target: string, maxWaitMs = 30_000): Promise<boolean> {
    const slot = await this.acquireSlot(target, maxWaitMs);
    slot?.done();
    return slot !== undefined;
  }

  /**
   * Feishu said stop: block one API for the app (429 / 99991400, for x-ogw-ratelimit-reset) or one
   * target (230020) for `seconds`. Other APIs and other targets go on.
   */
  block(scope: 'app' | string, seconds: number, api = SEND_API): void {
    const until = this.now() + seconds * 1000;
    if (scope === 'app') {
      const a = this.api(api);
      a.second.blockedUntil = Math.max(a.second.blockedUntil, until);
    } else {
      const b = this.target(scope);
      b.blockedUntil = Math.max(b.blockedUntil, until);
    }
  }
}
