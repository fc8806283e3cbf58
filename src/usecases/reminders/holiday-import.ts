// 节假日安排: the coordinator pastes the State Council's notice (or runs `holidays import`), sees a
// preview of every day, and only on confirmation the days become CalendarOverride rows marked
// source 'notice'. A re-import of the same year replaces the earlier imported days; days the
// coordinator set by hand (设置工作日, source 'manual') are never touched.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Tx } from '../../adapters/db/database.ts';
import type { UseCaseContext } from '../../app/bot.ts';
import { holidayImportDoneCard, holidayImportPreviewCard, type HolidayImportDayView, type HolidayImportFestivalView } from '../../../cards/holidays.ts';
import type { CardJson } from '../../../cards/kit.ts';
import { overrideNote, parseHolidayNotice, weekdayName, type HolidayNotice, type NoticeDay } from '../../domain/holiday-notice.ts';
import { packageCoversYear } from '../../domain/workdays.ts';
import { addDays } from '../../domain/time.ts';

export const IMPORT_PREVIEW_PREFIX = 'holiday-import:';
const PREVIEW_TTL_MS = 24 * 60 * 60 * 1000;
export const NOTICE_SOURCE = 'notice';

const daySchema = z.object({ date: z.string(), isWorkday: z.boolean(), festival: z.string(), lunar: z.string().optional() });
const previewSchema = z.object({ year: z.number().int(), days: z.array(daySchema), by: z.string(), createdAt: z.string() });

export interface ImportPlan {
  year: number;
  notice: HolidayNotice;
  /** dates set by hand that the import leaves as they are */
  manualKept: { date: string; isWorkday: boolean; note: string; notice: NoticeDay }[];
  /** dates of an earlier import of the year that the notice no longer lists */
  removed: string[];
  packageCovered: boolean;
}

/** What confirming would change, from the database as it is now. */
export async function planImport(tx: Pick<Tx, 'calendarOverride'>, notice: HolidayNotice): Promise<ImportPlan> {
  const existing = await tx.calendarOverride.findMany({ where: { date: { startsWith: `${notice.year}-` } } });
  const noticeDates = new Set(notice.days.map((d) => d.date));
  const manual = new Map(existing.filter((r) => r.source !== NOTICE_SOURCE).map((r) => [r.date, r]));
  // Cross-year items (元旦 from 12月30日) touch a date outside the year: a manual row there counts too.
  for (const d of notice.days) {
    if (d.date.startsWith(`${notice.year}-`) || manual.has(d.date)) continue;
    const row = await tx.calendarOverride.findUnique({ where: { date: d.date } });
    if (row && row.source !== NOTICE_SOURCE) manual.set(d.date, row);
  }
  return {
    year: notice.year,
    notice,
    manualKept: notice.days.filter((d) => manual.has(d.date)).map((d) => ({ date: d.date, isWorkday: manual.get(d.date)!.isWorkday, note: manual.get(d.date)!.note, notice: d })),
    removed: existing.filter((r) => r.source === NOTICE_SOURCE && !noticeDates.has(r.date)).map((r) => r.date),
    packageCovered: packageCoversYear(notice.year),
  };
}

const md = (date: string) => `${Number(date.slice(5, 7))}月${Number(date.slice(8, 10))}日`;
const mdw = (date: string) => `${md(date)}（${weekdayName(date)}）`;

/** Consecutive holidays as ranges: 2月6日（星期六）至2月14日（星期日），共9天. */
function rangesText(dates: string[]): string {
  const ranges: string[][] = [];
  for (const d of dates) {
    const last = ranges[ranges.length - 1];
    if (last && addDays(last[last.length - 1]!, 1) === d) last.push(d);
    else ranges.push([d]);
  }
  return ranges.map((r) => (r.length === 1 ? `${mdw(r[0]!)}，1天` : `${mdw(r[0]!)}至${mdw(r[r.length - 1]!)}，共${r.length}天`)).join('；');
}

export interface ImportPreviewText {
  festivals: HolidayImportFestivalView[];
  days: HolidayImportDayView[];
  notes: string[];
  holidayCount: number;
  workdayCount: number;
}

/** The preview as data, shared by the card and the CLI. */
export function describePlan(plan: ImportPlan): ImportPreviewText {
  const kept = new Map(plan.manualKept.map((m) => [m.date, m]));
  const days = plan.notice.days.map((d) => {
    const manual = kept.get(d.date);
    const remark = manual ? `已手动设置为${manual.isWorkday ? '上班' : '休息'}，保留手动设置` : (d.lunar ?? '');
    return { date: d.date, weekday: weekdayName(d.date), kind: d.isWorkday ? '上班' : '放假', festival: d.festival, remark };
  });
  const notes: string[] = [];
  if (plan.removed.length > 0) notes.push(`将替换此前导入的 ${plan.year} 年节假日安排；此前导入、本次通知中没有的 ${plan.removed.length} 天（${plan.removed.map(md).join('、')}）将恢复按周一至周五计算。`);
  if (plan.manualKept.length > 0) notes.push(`${plan.manualKept.length} 天已用“设置工作日”手动设置，导入不会改动；如需按通知执行，请先“删除工作日”再导入。`);
  if (plan.packageCovered) notes.push(`内置节假日数据已包含 ${plan.year} 年；导入后以导入的安排为准。`);
  return {
    festivals: plan.notice.items.map((i) => ({ festival: i.festival, holidays: rangesText(i.holidays), workdays: i.workdays.map(mdw).join('、') })),
    days,
    notes,
    holidayCount: plan.notice.days.filter((d) => !d.isWorkday).length,
    workdayCount: plan.notice.days.filter((d) => d.isWorkday).length,
  };
}

export type PreviewResult = { ok: true; card: CardJson; year: number } | { ok: false; error: string };

/** Parses the pasted notice and stores it under an opaque preview id; writes no calendar day. */
export async function previewHolidayImport(ctx: UseCaseContext, text: string): Promise<PreviewResult> {
  const parsed = parseHolidayNotice(text);
  if (!parsed.ok) {
    await ctx.audit({ action: 'calendar.import_preview', entity: 'CalendarOverride', entityId: null, decision: 'deny', reason: parsed.error });
    return { ok: false, error: parsed.error };
  }
  const notice = parsed.notice;
  const previewId = createHash('sha256').update(ctx.eventId).digest('hex').slice(0, 16);
  const key = `${IMPORT_PREVIEW_PREFIX}${previewId}`;
  const value = JSON.stringify({ year: notice.year, days: notice.days, by: ctx.actor, createdAt: ctx.now.toISOString() });
  await ctx.tx.keyValue.upsert({ where: { key }, create: { key, value }, update: {} });
  const view = describePlan(await planImport(ctx.tx, notice));
  return { ok: true, year: notice.year, card: holidayImportPreviewCard({ year: notice.year, previewId, ...view }) };
}

export interface ImportResult {
  year: number;
  written: number;
  removed: number;
  keptManual: number;
}

/**
 * Writes the notice's days: this year's earlier imported rows go, manual rows stay, every other
 * day of the notice is written with source 'notice'. Run inside the caller's transaction.
 */
export async function applyHolidayImport(
  tx: Tx,
  input: { year: number; days: readonly NoticeDay[]; actor: string; now: Date },
  audit: (entry: { action: string; entity: string; entityId: string | null; before?: unknown; after?: unknown }) => Promise<void>,
): Promise<ImportResult> {
  const before = await tx.calendarOverride.findMany({ where: { source: NOTICE_SOURCE, date: { startsWith: `${input.year}-` } }, orderBy: { date: 'asc' } });
  await tx.calendarOverride.deleteMany({ where: { source: NOTICE_SOURCE, date: { startsWith: `${input.year}-` } } });
  let written = 0;
  let keptManual = 0;
  for (const d of input.days) {
    const existing = await tx.calendarOverride.findUnique({ where: { date: d.date } });
    if (existing && existing.source !== NOTICE_SOURCE) {
      keptManual += 1;
      continue;
    }
    const data = { isWorkday: d.isWorkday, note: overrideNote(d), source: NOTICE_SOURCE, createdBy: input.actor };
    await tx.calendarOverride.upsert({ where: { date: d.date }, create: { date: d.date, ...data, createdAt: input.now }, update: data });
    written += 1;
  }
  const notice = new Set(input.days.map((d) => d.date));
  const removed = before.filter((r) => !notice.has(r.date)).length;
  await audit({
    action: 'calendar.import_notice',
    entity: 'CalendarOverride',
    entityId: String(input.year),
    before: before.map((r) => ({ date: r.date, isWorkday: r.isWorkday, note: r.note })),
    after: { year: input.year, written, removed, keptManual },
  });
  return { year: input.year, written, removed, keptManual };
}

export type ConfirmImportResult = { kind: 'expired' } | { kind: 'done'; card: CardJson; result: ImportResult };

/** The 确认导入 button: applies the stored preview once (a second click finds it gone). */
export async function confirmHolidayImport(ctx: UseCaseContext, previewId: string): Promise<ConfirmImportResult> {
  const key = `${IMPORT_PREVIEW_PREFIX}${previewId}`;
  const kv = await ctx.tx.keyValue.findUnique({ where: { key } });
  if (!kv) return { kind: 'expired' };
  const parsed = previewSchema.safeParse(JSON.parse(kv.value));
  if (!parsed.success || ctx.now.getTime() - new Date(parsed.data.createdAt).getTime() > PREVIEW_TTL_MS) {
    await ctx.tx.keyValue.delete({ where: { key } });
    return { kind: 'expired' };
  }
  await ctx.tx.keyValue.delete({ where: { key } });
  const result = await applyHolidayImport(ctx.tx, { year: parsed.data.year, days: parsed.data.days, actor: ctx.actor, now: ctx.now }, (entry) => ctx.audit(entry));
  const coordinator = await ctx.tx.coordinator.findUnique({ where: { openId: ctx.actor }, select: { name: true } });
  return { kind: 'done', result, card: holidayImportDoneCard({ ...result, by: coordinator?.name ?? '协调人' }) };
}
