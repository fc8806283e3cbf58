// Prometheus figures for the ops desk (GET /metrics). Counters and histograms are kept by this
// process (sends, intake and callback latency); everything that describes shared state (outbox
// depth, oldest row, dead letters, reminders) is read from the database at scrape time, so every
// instance behind a load balancer reports the same truth.
import client from 'prom-client';
import type { Database } from '../adapters/db/database.ts';
import { planCacheStats } from '../adapters/db/plan-cache.ts';
import type { Clock } from '../ports/clock.ts';
import type { Config } from '../config.ts';
import type { DispatchResult } from './bot.ts';
import type { InboundEvent } from './events.ts';
import { shanghaiDate } from '../domain/time.ts';
import { planCampaign } from '../domain/reminders.ts';
import { ACTIVE_CAMPAIGN_STATUSES, loadCalendar, loadPlanInput } from '../usecases/reminders/shared.ts';

/** How a delivery attempt ended: ok, or why not. `dead` = given up after retries. */
export type SendResult = 'ok' | 'rate_limited' | 'transient' | 'permanent' | 'dead';

/** Feishu answers a card callback within 3 s or shows the person an error. */
export const CARD_CALLBACK_BUDGET_SECONDS = 3;

/** What the outbox worker reports (optional, so the worker runs without metrics in tests). */
export interface OutboxMetrics {
  send(result: SendResult): void;
}

export class AppMetrics implements OutboxMetrics {
  readonly registry = new client.Registry();
  private readonly sends: client.Counter<'result'>;
  private readonly intake: client.Histogram<'kind'>;
  private readonly callback: client.Histogram;
  private readonly overBudget: client.Counter;

  constructor(private readonly o: { database: Database; clock: Clock; config: Pick<Config, 'reminderTime' | 'reminderGraceHours'> }) {
    const registers = [this.registry];
    client.collectDefaultMetrics({ register: this.registry, prefix: 'themeday_process_' });
    this.sends = new client.Counter({ name: 'themeday_outbox_sends_total', help: 'Outbox delivery attempts by result', labelNames: ['result'], registers });
    for (const r of ['ok', 'rate_limited', 'transient', 'permanent', 'dead'] as const) this.sends.inc({ result: r }, 0);
    this.intake = new client.Histogram({
      name: 'themeday_event_intake_seconds',
      help: 'Time from receiving an inbound event to its transaction committing',
      labelNames: ['kind'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.callback = new client.Histogram({
      name: 'themeday_card_callback_seconds',
      help: `Card callback handling time (Feishu's budget is ${CARD_CALLBACK_BUDGET_SECONDS} s)`,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 2.5, CARD_CALLBACK_BUDGET_SECONDS, 5, 10],
      registers,
    });
    this.overBudget = new client.Counter({ name: 'themeday_card_callback_over_budget_total', help: 'Card callbacks slower than the 3 s budget', registers });
    new client.Gauge({ name: 'themeday_card_callback_budget_seconds', help: "Feishu's card callback budget", registers }).set(CARD_CALLBACK_BUDGET_SECONDS);

    const { database, clock } = this.o;
    const remindersOn = (date: string) => this.remindersOn(date);
    /** Outbox rows in each of `statuses`, read from the database at scrape time (0 for a status with none). */
    const outboxByStatus = (name: string, help: string, statuses: string[]) =>
      new client.Gauge({
        name,
        help,
        labelNames: ['status'],
        registers,
        async collect() {
          const rows = await database.client.outboxMessage.groupBy({ by: ['status'], where: { status: { in: statuses } }, _count: { _all: true } });
          for (const status of statuses) this.set({ status }, rows.find((r) => r.status === status)?._count._all ?? 0);
        },
      });
    outboxByStatus('themeday_outbox_depth', 'Outbox rows waiting (pending) or being delivered (sending)', ['pending', 'sending']);
    new client.Gauge({
      name: 'themeday_outbox_oldest_age_seconds',
      help: 'How long the longest-waiting due outbox row has been due (0 when nothing is due)',
      registers,
      async collect() {
        // Due time, written with the app clock (createdAt is the database's own clock); rows
        // scheduled for later are not late.
        const now = clock.now();
        const oldest = await database.client.outboxMessage.findFirst({
          where: { OR: [{ status: 'pending', nextAttemptAt: { lte: now } }, { status: 'sending' }] },
          orderBy: { nextAttemptAt: 'asc' },
          select: { nextAttemptAt: true },
        });
        this.set(oldest ? Math.max(0, (now.getTime() - oldest.nextAttemptAt.getTime()) / 1000) : 0);
      },
    });
    outboxByStatus('themeday_outbox_dead_letters', 'Outbox rows that will not be delivered: failed (permanent error) or dead (gave up after retries)', ['failed', 'dead']);
    new client.Gauge({
      name: 'themeday_reminders_today',
      help: 'Reminders today (Asia/Shanghai): planned by the schedule, sent, skipped',
      labelNames: ['status'],
      registers,
      async collect() {
        const today = shanghaiDate(clock.now());
        const { sent, skipped, planned } = await remindersOn(today);
        this.set({ status: 'planned' }, planned);
        this.set({ status: 'sent' }, sent);
        this.set({ status: 'skipped' }, skipped);
      },
    });
    new client.Gauge({
      name: 'themeday_reminders_logged',
      help: 'Reminders recorded in the reminder log, all time, by status',
      labelNames: ['status'],
      registers,
      async collect() {
        const rows = await database.client.reminderLog.groupBy({ by: ['status'], _count: { _all: true } });
        for (const status of ['sent', 'skipped']) this.set({ status }, rows.find((r) => r.status === status)?._count._all ?? 0);
      },
    });
    new client.Gauge({
      name: 'themeday_db_pool_connections',
      help: 'Database connections of this instance: total, idle, waiting callers, max',
      labelNames: ['state'],
      registers,
      collect() {
        const p = database.pool?.() ?? { total: 1, idle: 1, waiting: 0, max: 1 };
        this.set({ state: 'total' }, p.total);
        this.set({ state: 'idle' }, p.idle);
        this.set({ state: 'waiting' }, p.waiting);
        this.set({ state: 'max' }, p.max);
      },
    });
    new client.Gauge({
      name: 'themeday_db_statements',
      help: 'SQL statements this instance has sent to the database since start (BEGIN and COMMIT included)',
      registers,
      collect() {
        this.set(database.statements?.() ?? 0);
      },
    });
    new client.Gauge({
      name: 'themeday_prisma_plan_cache_requests',
      help: "Prisma query compilations since start: answered from the plan cache (hit), compiled while a query's shape was new or being verified (miss), compiled because the shape cannot be cached (uncacheable)",
      labelNames: ['result'],
      registers,
      collect() {
        const s = planCacheStats();
        this.set({ result: 'hit' }, s.hits);
        this.set({ result: 'miss' }, s.misses);
        this.set({ result: 'uncacheable' }, s.uncacheable);
      },
    });
  }

  send(result: SendResult): void {
    this.sends.inc({ result });
  }

  /** Wraps a dispatch: intake latency for every event, callback latency for card actions. */
  async timeDispatch(event: InboundEvent, dispatch: () => Promise<DispatchResult>): Promise<DispatchResult> {
    const started = performance.now();
    try {
      return await dispatch();
    } finally {
      const seconds = (performance.now() - started) / 1000;
      this.intake.observe({ kind: event.kind }, seconds);
      if (event.kind === 'card_action') {
        this.callback.observe(seconds);
        if (seconds > CARD_CALLBACK_BUDGET_SECONDS) this.overBudget.inc();
      }
    }
  }

  private async remindersOn(date: string): Promise<{ planned: number; sent: number; skipped: number }> {
    const db = this.o.database.client;
    // One row per reminder; its escalations (key#dm, #urgent …) are not counted again.
    const rows = await db.reminderLog.groupBy({ by: ['status'], where: { date, key: { not: { contains: '#' } } }, _count: { _all: true } });
    const count = (s: string) => rows.find((r) => r.status === s)?._count._all ?? 0;
    let planned = 0;
    const campaigns = await db.campaign.findMany({ where: { status: { in: ACTIVE_CAMPAIGN_STATUSES }, launchedAt: { not: null } } });
    if (campaigns.length > 0) {
      const calendar = await loadCalendar(db);
      for (const campaign of campaigns) {
        const { input } = await loadPlanInput(db, campaign, this.o.config);
        planned += planCampaign(input, calendar, { from: date, to: date }).length;
      }
    }
    return { planned, sent: count('sent'), skipped: count('skipped') };
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
