// The reminder tick: computes from the database what is due now, and sends each due reminder
// that nobody has claimed yet (one transaction per reminder, claimed by its unique key; several
// units at once on PostgreSQL). Safe to run every minute on several instances, after a restart,
// and after downtime: reminders missed by less than the grace period (same day) are sent, older
// ones are recorded as skipped.
import type { AppServices } from '../../app/bot.ts';
import { isUniqueViolation } from '../../app/bot.ts';
import { withContext } from '../../app/context.ts';
import { dueState, LOOKBACK_DAYS, planCampaign, type PlannedReminder } from '../../domain/reminders.ts';
import { addDays, shanghaiDate } from '../../domain/time.ts';
import { deliverReminder, recordMissed } from './deliver.ts';
import { warnMissingHolidayData } from './calendar.ts';
import type { WorkCalendar } from '../../domain/workdays.ts';
import type { CampaignSettings } from '../../domain/campaign.ts';
import { ACTIVE_CAMPAIGN_STATUSES, loadCalendar, loadPlanInput, loadUnitContacts, REMINDER_ACTOR, type CampaignRow, type UnitContact } from './shared.ts';

export interface RunOptions {
  /** test hook: called before each due reminder is handled (throw to simulate a crash mid fan-out) */
  beforeItem?: (item: PlannedReminder, index: number) => void | Promise<void>;
}

const MAX_ATTEMPTS = 3;

export interface RunResult {
  sent: number;
  skipped: number;
  /** claimed by someone else meanwhile (another instance) or no longer applicable */
  passed: number;
  /** failed after retries; left unclaimed for the next tick */
  failed: number;
}

/** Everything due (fireAt ≤ now, within the lookback) and not yet claimed, across active campaigns. */
interface DueItem {
  item: PlannedReminder;
  campaign: CampaignRow;
  settings: CampaignSettings;
}

export async function dueReminders(services: AppServices, now: Date, calendar: WorkCalendar, allCampaigns: CampaignRow[]): Promise<DueItem[]> {
  const { db } = services;
  const campaigns = allCampaigns.filter((c) => ACTIVE_CAMPAIGN_STATUSES.includes(c.status) && c.launchedAt !== null);
  if (campaigns.length === 0) return [];
  const oldest = addDays(shanghaiDate(now), -LOOKBACK_DAYS);
  const out: DueItem[] = [];
  for (const campaign of campaigns) {
    // The recorded keys are read beside the plan's input (on PostgreSQL the two round trips overlap):
    // within the lookback something is nearly always due, recorded or not.
    const [{ input, settings }, recorded] = await Promise.all([loadPlanInput(db, campaign, services.config), db.reminderLog.findMany({ where: { campaignId: campaign.id, date: { gte: oldest } }, select: { key: true } })]);
    const due = planCampaign(input, calendar, { from: oldest, to: shanghaiDate(now) }).filter((p) => p.fireAt.getTime() <= now.getTime());
    if (due.length === 0) continue;
    const claimed = new Set(recorded.map((r) => r.key));
    for (const item of due) if (!claimed.has(item.key)) out.push({ item, campaign, settings });
  }
  return out.sort((a, b) => a.item.fireAt.getTime() - b.item.fireAt.getTime());
}

export async function runReminders(services: AppServices, now: Date, options: RunOptions = {}): Promise<RunResult> {
  const result: RunResult = { sent: 0, skipped: 0, passed: 0, failed: 0 };
  const [calendar, campaigns] = await Promise.all([loadCalendar(services.db), services.db.campaign.findMany({ where: { status: { not: 'closed' } }, orderBy: { year: 'asc' } })]);
  await warnMissingHolidayData(services, now, { calendar, campaignYears: campaigns.map((c) => c.year) });
  const due = await dueReminders(services, now, calendar, campaigns);
  // Who each unit's reminder goes to, read once for the run (not once per reminder): where it is
  // sent is not a reason to send it, so it need not be read inside each reminder's transaction.
  const contacts = await loadUnitContacts(
    services.db,
    due.flatMap((d) => (d.item.unitId ? [d.item.unitId] : [])),
  );
  // One lane per unit (the coordinator's reminders are one more), taken in the order of their
  // first reminder: `reminderParallelism` lanes at a time, a lane's reminders one after another (the
  // weekly cap and the deadline ladder read the unit's earlier ones). A failing hook (a simulated
  // crash) stops the run: no lane starts another reminder, and those in flight finish.
  const byUnit = new Map<string, DueItem[]>();
  for (const d of due) {
    const unit = d.item.unitId ?? '';
    const lane = byUnit.get(unit);
    if (lane) lane.push(d);
    else byUnit.set(unit, [d]);
  }
  const lanes = [...byUnit.values()];
  let index = 0;
  let stopped = false;
  const runLanes = async () => {
    for (let items = lanes.shift(); items && !stopped; items = lanes.shift()) {
      for (const due1 of items) {
        if (stopped) return;
        try {
          await options.beforeItem?.(due1.item, index++);
        } catch (error) {
          stopped = true;
          throw error;
        }
        const outcome = await handleWithRetry(services, now, { calendar, contacts }, due1);
        result[outcome === 'sent' || outcome === 'skipped' || outcome === 'failed' ? outcome : 'passed']++;
      }
    }
  };
  const runs = await Promise.allSettled(Array.from({ length: Math.max(1, Math.min(services.config.reminderParallelism, lanes.length)) }, runLanes));
  for (const r of runs) if (r.status === 'rejected') throw r.reason;
  if (result.sent + result.skipped + result.failed > 0) services.log.info('reminders', { ...result, at: now.toISOString() });
  return result;
}

type Outcome = 'sent' | 'skipped' | 'not-applicable' | 'claimed-elsewhere' | 'failed';

/** What a run reads once for all its reminders. */
interface RunShared {
  calendar: WorkCalendar;
  contacts: ReadonlyMap<string, UnitContact>;
}

/** One reminder in one transaction: the missed record, or its delivery (recorded under its key last). */
async function handleOnce(services: AppServices, now: Date, { calendar, contacts }: RunShared, { item, campaign, settings }: DueItem): Promise<Outcome> {
  return withContext(
    services,
    REMINDER_ACTOR,
    async (ctx) => {
      if (dueState(item.fireAt, now, settings.graceHours) === 'missed') {
        await recordMissed(ctx, item);
        return 'skipped' as const;
      }
      // The campaign, its settings and the calendar as this tick planned with; the unit's state is
      // re-checked inside the transaction.
      return deliverReminder(ctx, { campaign, settings, calendar, contacts }, item);
    },
    { now, eventId: `reminder:${item.key}` },
  );
}

async function handleWithRetry(services: AppServices, now: Date, shared: RunShared, due: DueItem): Promise<Outcome> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await handleOnce(services, now, shared, due);
    } catch (error) {
      // Someone else (another instance, an overlapping run) holds this reminder.
      if (isUniqueViolation(error)) return 'claimed-elsewhere';
      // Lock contention (SQLite busy, PostgreSQL serialization) is retried a few times; anything
      // else is left for the next tick, which finds the reminder still unclaimed.
      if (attempt < MAX_ATTEMPTS) {
        await new Promise((r) => setTimeout(r, 50 * attempt + Math.floor(Math.random() * 50)));
        continue;
      }
      services.log.error('reminder failed', { key: due.item.key, attempts: attempt, error });
      return 'failed';
    }
  }
}
