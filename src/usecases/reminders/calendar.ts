// The working-day calendar's coordinator side: overrides (设置工作日 / 删除工作日 / 工作日列表),
// the once-per-year warning when the holiday data lacks a year we need, and the readiness check.
import type { AppServices, UseCaseContext, ReadinessCheck } from '../../app/bot.ts';
import { isUniqueViolation } from '../../app/bot.ts';
import { withContext } from '../../app/context.ts';
import type { Tx } from '../../adapters/db/database.ts';
import { calendarOverridesCard, holidayWarningCard } from '../../../cards/reminder.ts';
import { bold, type CardJson } from '../../../cards/kit.ts';
import { monthOf, shanghaiDate, yearOf } from '../../domain/time.ts';
import { lastCoveredYear, WorkCalendar, type OverrideCommand } from '../../domain/workdays.ts';
import { coordinatorRecipients, loadCalendar, recipientKey, REMINDER_ACTOR } from './shared.ts';

export const HOLIDAY_WARNING_PREFIX = 'holiday-warning:';

/** Years whose working days matter now: active campaigns' years, this year, and next year from December. */
export function yearsInUse(campaignYears: readonly number[], now: Date): number[] {
  const today = shanghaiDate(now);
  const years = new Set<number>([yearOf(today), ...campaignYears]);
  if (monthOf(today) === 12) years.add(yearOf(today) + 1);
  return [...years].sort();
}

export async function missingYears(db: Pick<Tx, 'campaign' | 'calendarOverride'>, now: Date): Promise<{ missing: number[]; years: number[]; calendar: WorkCalendar }> {
  const calendar = await loadCalendar(db);
  const campaigns = await db.campaign.findMany({ where: { status: { not: 'closed' } }, select: { year: true } });
  const years = yearsInUse(
    campaigns.map((c) => c.year),
    now,
  );
  return { years, calendar, missing: years.filter((y) => calendar.coverage(y) === 'missing') };
}

/**
 * Warns the coordinator ONCE per uncovered year (KeyValue `holiday-warning:<year>`, claimed in the
 * same transaction as the message). A year with coordinator overrides counts as covered.
 */
export async function warnMissingHolidayData(services: AppServices, now: Date, known?: { calendar: WorkCalendar; campaignYears: number[] }): Promise<number[]> {
  const missing = known ? yearsInUse(known.campaignYears, now).filter((y) => known.calendar.coverage(y) === 'missing') : (await missingYears(services.db, now)).missing;
  const warned: number[] = [];
  for (const year of missing) {
    const key = `${HOLIDAY_WARNING_PREFIX}${year}`;
    if (await services.db.keyValue.findUnique({ where: { key }, select: { key: true } })) continue;
    try {
      await withContext(
        services,
        REMINDER_ACTOR,
        async (ctx) => {
          await ctx.tx.keyValue.create({ data: { key, value: JSON.stringify({ warnedAt: now.toISOString(), lastCoveredYear: lastCoveredYear() }) } });
          const card = holidayWarningCard(year, lastCoveredYear());
          for (const to of await coordinatorRecipients(ctx.tx, ctx.config)) {
            await ctx.enqueue(`holiday-warning:${year}:${recipientKey(to)}`, { op: 'send', to, card });
          }
          await ctx.audit({ action: 'reminders.holiday_warning', entity: 'KeyValue', entityId: key, after: { year } });
        },
        { now, eventId: `holiday-warning:${year}` },
      );
      warned.push(year);
      services.log.warn('holiday data missing; coordinator warned', { year, lastCoveredYear: lastCoveredYear() });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
  }
  return warned;
}

export interface HolidayCoverageResult {
  name: 'holidays';
  ok: boolean;
  detail: string;
}

/**
 * For /readyz: the holiday data covers the years in use now (this year and the active campaigns'
 * years), by the chinese-days package or by coordinator overrides. Next year missing in December
 * is reported in the detail without failing readiness (the coordinator is warned, and the
 * holiday-data test fails in CI).
 */
export async function holidayCoverageCheck(services: Pick<AppServices, 'db'>, now: Date): Promise<HolidayCoverageResult> {
  const { missing, years, calendar } = await missingYears(services.db, now);
  const parts = years.map((y) => `${y}:${calendar.coverage(y)}`).join(', ');
  const nextYear = yearOf(shanghaiDate(now)) + 1;
  const campaignYears = new Set((await services.db.campaign.findMany({ where: { status: { not: 'closed' } }, select: { year: true } })).map((c) => c.year));
  const critical = missing.filter((y) => y !== nextYear || campaignYears.has(y));
  const base = `chinese-days data through ${lastCoveredYear()}; ${parts}`;
  if (missing.length === 0) return { name: 'holidays', ok: true, detail: base };
  const message = `节假日数据缺少 ${missing.join('、')} 年（chinese-days 仅到 ${lastCoveredYear()} 年，且未设置工作日）：请在协调群发送“节假日安排”并粘贴国务院办公厅通知全文，或运行 npm run cli -- holidays import 通知.txt --yes / holiday data missing for ${missing.join(', ')}: import the State Council notice (节假日安排 / holidays import), set days with 设置工作日, or bump chinese-days`;
  return { name: 'holidays', ok: critical.length === 0, detail: `${message}; ${base}` };
}

/** The check in the shape /readyz collects (AppServices.readiness). */
export function holidayReadiness(services: Pick<AppServices, 'db' | 'clock'>): ReadinessCheck {
  return {
    name: 'holidays',
    async check() {
      const r = await holidayCoverageCheck(services, services.clock.now());
      return { ok: r.ok, detail: r.detail };
    },
  };
}

const KIND_LABEL = (isWorkday: boolean) => (isWorkday ? '上班' : '休息');

export async function overridesCard(tx: Tx, year: number | undefined): Promise<CardJson> {
  const rows = await tx.calendarOverride.findMany({
    where: year ? { date: { startsWith: `${year}-` } } : {},
    orderBy: { date: 'asc' },
    take: 100,
  });
  const calendar = await loadCalendar(tx);
  const y = year ?? (rows[0] ? yearOf(rows[0].date) : undefined);
  const coverage = y
    ? calendar.coverage(y) === 'package'
      ? `${y}年的法定节假日和调休已内置（数据到 ${lastCoveredYear()} 年）；下面的设置优先于内置数据。`
      : calendar.coverage(y) === 'overrides'
        ? `${y}年没有内置节假日数据，按下面的设置和周一至周五计算。`
        : `${bold(`${y}年没有内置节假日数据，也还没有设置`)}，提醒暂按周一至周五计算。`
    : `内置节假日数据到 ${lastCoveredYear()} 年。`;
  return calendarOverridesCard(
    year,
    rows.map((r) => ({ date: r.date, kind: KIND_LABEL(r.isWorkday), note: r.note, by: r.source === 'notice' ? '通知导入' : r.createdBy })),
    coverage,
  );
}

export async function setOverride(ctx: UseCaseContext, cmd: OverrideCommand): Promise<CardJson> {
  const before = await ctx.tx.calendarOverride.findUnique({ where: { date: cmd.date } });
  const after = await ctx.tx.calendarOverride.upsert({
    where: { date: cmd.date },
    create: { date: cmd.date, isWorkday: cmd.isWorkday, note: cmd.note, createdBy: ctx.actor, createdAt: ctx.now },
    update: { isWorkday: cmd.isWorkday, note: cmd.note, source: 'manual', createdBy: ctx.actor },
  });
  await ctx.audit({
    action: 'calendar.override_set',
    entity: 'CalendarOverride',
    entityId: cmd.date,
    before: before ? { isWorkday: before.isWorkday, note: before.note } : null,
    after: { isWorkday: after.isWorkday, note: after.note },
  });
  return overridesCard(ctx.tx, yearOf(cmd.date));
}

export async function deleteOverride(ctx: UseCaseContext, date: string): Promise<{ found: boolean; card: CardJson }> {
  const before = await ctx.tx.calendarOverride.findUnique({ where: { date } });
  if (before) {
    await ctx.tx.calendarOverride.delete({ where: { date } });
    await ctx.audit({ action: 'calendar.override_delete', entity: 'CalendarOverride', entityId: date, before: { isWorkday: before.isWorkday, note: before.note } });
  }
  return { found: before !== null, card: await overridesCard(ctx.tx, yearOf(date)) };
}
