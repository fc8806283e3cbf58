// Live updates for the desk (GET /desk/api/events, server-sent events). The signal is the audit
// log: every change the chat or the desk makes writes a row in the same transaction (that is also
// what makes the progress card refresh: submit/withdraw/extend audit and patch it together). Polling
// it works across instances and processes (the CLI, a second replica), with no hook into the bot.
// One poller per process, running only while someone is connected.
import type { Db } from '../adapters/db/database.ts';
import type { DeskEvent, DeskEventType } from './api.ts';

const POLL_MS = 1000;
const WINDOW = 200;

export function eventTypeOf(action: string): DeskEventType | null {
  if (/^(submission\.|submit$|edit$|withdraw$|extend$|reopen$|campaign\.)/.test(action)) return 'submission';
  if (action.startsWith('review.') || action.startsWith('reviewer.')) return 'review';
  if (action.startsWith('schedule.')) return 'schedule';
  if (action.startsWith('summary.')) return 'summary';
  if (action.startsWith('evaluation.')) return 'evaluation';
  if (/^(unit\.|liaison\.|directory\.|group\.)/.test(action)) return 'units';
  if (/^(coordinator\.|calendar\.|desk\.settings)/.test(action)) return 'settings';
  return null;
}

export class DeskEvents {
  private readonly listeners = new Set<(e: DeskEvent) => void>();
  private seen = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private primed = false;
  private polling = false;

  constructor(
    private readonly db: () => Db,
    private readonly pollMs = POLL_MS,
  ) {}

  subscribe(fn: (e: DeskEvent) => void): () => void {
    this.listeners.add(fn);
    if (!this.timer) {
      this.primed = false;
      void this.poll();
      this.timer = setInterval(() => void this.poll(), this.pollMs);
      this.timer.unref();
    }
    return () => {
      this.listeners.delete(fn);
      if (this.listeners.size === 0) this.stop();
    };
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Newest rows first; those not seen before become events (the first poll only learns the ids). */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const rows = await this.db().auditLog.findMany({ orderBy: [{ at: 'desc' }, { id: 'desc' }], take: WINDOW, select: { id: true, action: true, decision: true } });
      const fresh = rows.filter((r) => !this.seen.has(r.id));
      this.seen = new Set(rows.map((r) => r.id));
      if (!this.primed) {
        this.primed = true;
        return;
      }
      const types = new Set<DeskEventType>();
      for (const r of fresh) {
        if (r.decision !== 'allow') continue;
        const t = eventTypeOf(r.action);
        if (t) types.add(t);
      }
      const at = new Date().toISOString();
      for (const type of types) for (const fn of this.listeners) fn({ type, at });
    } catch {
      // The database is briefly unavailable: try again on the next tick.
    } finally {
      this.polling = false;
    }
  }
}
