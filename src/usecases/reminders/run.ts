// The reminder tick: computes from the database what is due now, and sends each due reminder
// that nobody has claimed yet (one transaction per reminder, claimed by its unique key). Safe to
// run every minute on several instances, after a restart, and after downtime: reminders missed by
// less than the grace period (same day) are sent, older ones are recorded as skipped.
import type { AppServices } from '../../app/bot.ts';
import { isUniqueViolation } from '../../app/bot.ts';
import { withContext } from '../../app/context.ts';
import { dueState, LOOKBACK_DAYS, planCampaign, type PlannedReminder } from '../../domain/reminders.ts';
import { addDays, shanghaiDate } from '../../domain/time.ts';
import { deliverReminder, recordMissed } from './deliver.ts';
import { warnMissingHolidayData } from './calendar.ts';
import type { WorkCalendar } from '../../domain/workdays.ts';
import { ACTIVE_CAMPAIGN_STATUSES, loadCalendar, loadPlanInput, REMINDER_ACTOR, reminderSettings, type CampaignRow } from './shared.ts';

export interface RunOptions {
  /** test hook: called before each due reminder is handled (throw to simulate a crash mid fan-out) */
  beforeItem?: (item: PlannedReminder, index: number) => void | Promise<void>;
}

export interface RunResult {
  sent: number;
  skipped: number;
  /** claimed by someone else meanwhile (another instance) or no longer applicable */
  passed: number;
}

/** Everything due (fireAt ≤ now, within the lookback) and not yet claimed, across active campaigns. */
export async function dueReminders(services: AppServices, now: Date, calendar: WorkCalendar, allCampaigns: CampaignRow[]): Promise<{ item: PlannedReminder; graceHours: number; campaignId: string }[]> {
  const { db } = services;
  const campaigns = allCampaigns.filter((c) => ACTIVE_CAMPAIGN_STATUSES.includes(c.status) && c.launchedAt !== null);
  if (campaigns.length === 0) return [];
  const oldest = addDays(shanghaiDate(now), -LOOKBACK_DAYS);
  const out: { item: PlannedReminder; graceHours: number; campaignId: string }[] = [];
  for (const campaign of campaigns) {
    const { input, settings } = await loadPlanInput(db, campaign, services.config);
    const due = planCampaign(input, calendar).filter((p) => p.date >= oldest && p.fireAt.getTime() <= now.getTime());
    if (due.length === 0) continue;
    const claimed = new Set(
      (await db.reminderLog.findMany({ where: { campaignId: campaign.id, date: { gte: oldest } }, select: { key: true } })).map((r) => r.key),
    );
    for (const item of due) if (!claimed.has(item.key)) out.push({ item, graceHours: settings.graceHours, campaignId: campaign.id });
  }
  return out.sort((a, b) => a.item.fireAt.getTime() - b.item.fireAt.getTime());
}

export async function runReminders(services: AppServices, now: Date, options: RunOptions = {}): Promise<RunResult> {
  const result: RunResult = { sent: 0, skipped: 0, passed: 0 };
  const calendar = await loadCalendar(services.db);
  const campaigns = await services.db.campaign.findMany({ where: { status: { not: 'closed' } }, orderBy: { year: 'asc' } });
  await warnMissingHolidayData(services, now, { calendar, campaignYears: campaigns.map((c) => c.year) });
  const due = await dueReminders(services, now, calendar, campaigns);
  let index = 0;
  for (const { item, graceHours, campaignId } of due) {
    await options.beforeItem?.(item, index++);
    try {
      const outcome = await withContext(
        services,
        REMINDER_ACTOR,
        async (ctx) => {
          if (dueState(item.fireAt, now, graceHours) === 'missed') {
            await recordMissed(ctx, item);
            return 'skipped' as const;
          }
          const campaign = await ctx.tx.campaign.findUnique({ where: { id: campaignId } });
          if (!campaign) return 'not-applicable' as const;
          const calendar = await loadCalendar(ctx.tx);
          return deliverReminder(ctx, { campaign, settings: reminderSettings(campaign.settings, ctx.config), calendar }, item);
        },
        { now, eventId: `reminder:${item.key}` },
      );
      if (outcome === 'sent') result.sent++;
      else if (outcome === 'skipped') result.skipped++;
      else result.passed++;
    } catch (error) {
      if (isUniqueViolation(error)) {
        result.passed++;
        continue;
      }
      services.log.error('reminder failed', { key: item.key, error });
    }
  }
  if (result.sent + result.skipped > 0) services.log.info('reminders', { ...result, at: now.toISOString() });
  return result;
}
