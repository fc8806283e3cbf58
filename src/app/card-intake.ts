// Admission for card callbacks (issue 17 goal 1). Feishu shows a press as failed when its answer
// takes more than 3 s, and a burst of presses (200 liaisons submitting at once) cannot all be
// processed inside that: each is a write transaction, and on SQLite its synchronous work holds the
// event loop, so even the budget timer of the others cannot fire.
//
// The rule: when no other callback is being processed or waiting in this process, the press is
// processed inline and the person gets the real answer (toast and replacement card) as before.
// Otherwise it is stored in the inbox (one durable insert, deduplicated by event id) and answered
// at once with QUEUED_TOAST; the inbox worker processes it in order per chat, and its card follows
// as a delayed update (Bot.dispatch with `answered`). Feishu allows a delayed update only after the
// callback was answered, with the callback's token, within 30 minutes, at most twice:
// https://open.feishu.cn/document/ukTMukTMukTM/uMDO1YjLzgTN24yM4UjN
import { dedupeKey, type CardActionEvent, type InboundEvent } from './events.ts';

export const QUEUED_TOAST = '已收到，正在处理…';

/** What the callback edges (webhook route, long connection) use of the rule. */
export interface CardQueue {
  /** a slot on the inline path (call the function when the work settled), or undefined: queue it */
  tryInline(): (() => void) | undefined;
  /** stores the press durably; rejects when the database cannot take it */
  queue(event: InboundEvent): Promise<unknown>;
  /** the toast a queued press is answered with */
  queuedToast: string;
}

export interface CardAdmissionOptions {
  /** callbacks processed inline at once (the rest are queued) */
  maxInline?: number;
  /**
   * A queued callback another instance processed is never settled here: after this long it no
   * longer holds new presses off the inline path (they would only be queued, never lost).
   */
  forgetAfterMs?: number;
  nowMs?: () => number;
}

export class CardAdmission {
  private inline = 0;
  /** dedupe keys of callbacks queued by this process and not processed yet → when queued */
  private readonly waiting = new Map<string, number>();
  private readonly maxInline: number;
  private readonly forgetAfterMs: number;
  private readonly nowMs: () => number;

  constructor(o: CardAdmissionOptions = {}) {
    this.maxInline = o.maxInline ?? 1;
    this.forgetAfterMs = o.forgetAfterMs ?? 60_000;
    this.nowMs = o.nowMs ?? (() => performance.now());
  }

  /**
   * A slot on the inline path, or undefined when the press must be queued (others are being
   * processed, or queued presses are still waiting: a later press never overtakes them). The
   * returned function is called once the inline work settled (also when it ran past the budget).
   */
  tryInline(): (() => void) | undefined {
    if (this.inline >= this.maxInline || this.pendingQueued() > 0) return undefined;
    this.inline += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inline -= 1;
    };
  }

  /** The press was stored in the inbox. */
  queued(event: CardActionEvent): void {
    this.waiting.set(dedupeKey(event), this.nowMs());
  }

  /** A queued press was processed (or given up): it no longer holds the inline path. */
  settled(event: CardActionEvent): void {
    this.waiting.delete(dedupeKey(event));
  }

  /** Queued presses still waiting (those older than `forgetAfterMs` are dropped first). */
  pendingQueued(): number {
    const cutoff = this.nowMs() - this.forgetAfterMs;
    for (const [key, at] of this.waiting) {
      if (at >= cutoff) break; // insertion order = time order
      this.waiting.delete(key);
    }
    return this.waiting.size;
  }

  /** Presses processed inline right now. */
  inlineNow(): number {
    return this.inline;
  }
}
