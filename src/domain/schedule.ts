// The annual 计划安排表: approved themes placed in months, balance checks before publishing,
// and what changed between two published versions. Pure.
import { z } from 'zod';
import { ACTIVITY_FORMS, formLabel } from './campaign.ts';

/** One frozen row of a published schedule (ScheduleVersion.snapshot). */
export const scheduleRowSchema = z.object({
  themeId: z.string(),
  unitId: z.string(),
  unitName: z.string(),
  unitKind: z.string().default(''),
  unitOrder: z.number().default(0),
  seq: z.number().default(1),
  title: z.string(),
  month: z.number().int().min(1).max(12),
  forms: z.array(z.string()),
  contactName: z.string().default(''),
  contactPhone: z.string().default(''),
  /** 主题领域 (absent in versions published before they existed) */
  domains: z.array(z.string()).optional(),
});
export type ScheduleRow = z.infer<typeof scheduleRowSchema>;

export const scheduleChangeSchema = z.object({
  kind: z.enum(['added', 'removed', 'moved', 'changed']),
  themeId: z.string(),
  unitId: z.string(),
  unitName: z.string(),
  title: z.string(),
  fromMonth: z.number().optional(),
  toMonth: z.number().optional(),
  fields: z.array(z.string()).optional(),
});
export type ScheduleChange = z.infer<typeof scheduleChangeSchema>;

export function parseSnapshot(json: string): ScheduleRow[] {
  try {
    return z.array(scheduleRowSchema).parse(JSON.parse(json));
  } catch {
    return [];
  }
}

export function parseChanges(json: string): ScheduleChange[] {
  try {
    return z.array(scheduleChangeSchema).parse(JSON.parse(json));
  } catch {
    return [];
  }
}

const KIND_ORDER: Record<string, number> = { street: 0, town: 1, department: 2 };

/** Month, then unit (streets, towns, departments in directory order), then 序号. */
export function sortRows(rows: readonly ScheduleRow[]): ScheduleRow[] {
  return [...rows].sort(
    (a, b) => a.month - b.month || (KIND_ORDER[a.unitKind] ?? 9) - (KIND_ORDER[b.unitKind] ?? 9) || a.unitOrder - b.unitOrder || a.unitName.localeCompare(b.unitName, 'zh') || a.seq - b.seq || a.themeId.localeCompare(b.themeId),
  );
}

export interface MonthGroup {
  month: number;
  rows: ScheduleRow[];
}

/** Months that have activities, in calendar order. */
export function groupByMonth(rows: readonly ScheduleRow[]): MonthGroup[] {
  const sorted = sortRows(rows);
  const groups: MonthGroup[] = [];
  for (const row of sorted) {
    const last = groups[groups.length - 1];
    if (last && last.month === row.month) last.rows.push(row);
    else groups.push({ month: row.month, rows: [row] });
  }
  return groups;
}

/**
 * A short token for the order of the rows (FNV-1a over the sorted theme ids): a move by row
 * number is refused when the schedule changed between showing the card and submitting it.
 */
export function orderToken(rows: readonly ScheduleRow[]): string {
  let h = 0x811c9dc5;
  for (const ch of sortRows(rows)
    .map((r) => r.themeId)
    .join(',')) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

// ---------------------------------------------------------------- balance checks

export type BalanceWarning =
  | { kind: 'overfull'; month: number; count: number; max: number }
  | { kind: 'empty'; month: number }
  | { kind: 'unit_cluster'; month: number; unitId: string; unitName: string; count: number }
  | { kind: 'form_cluster'; month: number; form: string; count: number; total: number }
  | { kind: 'form_unused'; form: string }
  | { kind: 'domain_empty'; domains: string[] };

export interface BalanceOptions {
  maxPerMonth: number;
  /** months the schedule should cover (e.g. the month after the deadline through December) */
  fromMonth: number;
  toMonth?: number;
  /** a form in more than this share of a month's activities is a cluster */
  formShare?: number;
  /** … only checked when the month has at least this many activities */
  formClusterMinActivities?: number;
  /** the campaign's 主题领域: one with no activity all year is flagged */
  domains?: readonly string[];
}

/**
 * What the coordinator should look at before publishing: months over the cap, months with no
 * activity, a unit with several activities in one month, one form dominating a month (more than
 * half of its activities, when the month has at least 3), and forms nobody uses all year.
 */
export function balanceChecks(rows: readonly ScheduleRow[], o: BalanceOptions): BalanceWarning[] {
  const warnings: BalanceWarning[] = [];
  const share = o.formShare ?? 0.5;
  const minForCluster = o.formClusterMinActivities ?? 3;
  const to = o.toMonth ?? 12;
  const byMonth = new Map<number, ScheduleRow[]>();
  for (const r of rows) byMonth.set(r.month, [...(byMonth.get(r.month) ?? []), r]);
  for (let m = 1; m <= 12; m++) {
    const list = byMonth.get(m) ?? [];
    if (list.length === 0) {
      if (m >= o.fromMonth && m <= to) warnings.push({ kind: 'empty', month: m });
      continue;
    }
    if (list.length > o.maxPerMonth) warnings.push({ kind: 'overfull', month: m, count: list.length, max: o.maxPerMonth });
    const perUnit = new Map<string, ScheduleRow[]>();
    for (const r of list) perUnit.set(r.unitId, [...(perUnit.get(r.unitId) ?? []), r]);
    for (const [unitId, unitRows] of perUnit) {
      if (unitRows.length > 1) warnings.push({ kind: 'unit_cluster', month: m, unitId, unitName: unitRows[0]!.unitName, count: unitRows.length });
    }
    if (list.length >= minForCluster) {
      for (const f of ACTIVITY_FORMS) {
        const count = list.filter((r) => r.forms.includes(f.key)).length;
        if (count / list.length > share) warnings.push({ kind: 'form_cluster', month: m, form: f.key, count, total: list.length });
      }
    }
  }
  for (const f of ACTIVITY_FORMS) {
    if (!rows.some((r) => r.forms.includes(f.key))) warnings.push({ kind: 'form_unused', form: f.key });
  }
  const emptyDomains = (o.domains ?? []).filter((d) => !rows.some((r) => (r.domains ?? []).includes(d)));
  if (emptyDomains.length > 0) warnings.push({ kind: 'domain_empty', domains: emptyDomains });
  return warnings;
}

export function describeWarning(w: BalanceWarning): string {
  switch (w.kind) {
    case 'overfull':
      return `${w.month}月有 ${w.count} 项活动，超过每月上限 ${w.max} 项`;
    case 'empty':
      return `${w.month}月没有安排活动`;
    case 'unit_cluster':
      return `${w.unitName} 在${w.month}月有 ${w.count} 项活动`;
    case 'form_cluster':
      return `${w.month}月 ${w.total} 项活动中有 ${w.count} 项是“${formLabel(w.form)}”，形式较集中`;
    case 'form_unused':
      return `全年没有“${formLabel(w.form)}”形式的活动`;
    case 'domain_empty':
      return `全年没有突出以下主题领域的活动：${w.domains.join('、')}`;
  }
}

// ---------------------------------------------------------------- versions

/** What changed from one published version to the next (by theme). */
export function diffSchedules(previous: readonly ScheduleRow[], next: readonly ScheduleRow[]): ScheduleChange[] {
  const prev = new Map(previous.map((r) => [r.themeId, r]));
  const nextMap = new Map(next.map((r) => [r.themeId, r]));
  const changes: ScheduleChange[] = [];
  for (const r of sortRows(next)) {
    const p = prev.get(r.themeId);
    const base = { themeId: r.themeId, unitId: r.unitId, unitName: r.unitName, title: r.title };
    if (!p) {
      changes.push({ kind: 'added', ...base, toMonth: r.month });
      continue;
    }
    if (p.month !== r.month) changes.push({ kind: 'moved', ...base, fromMonth: p.month, toMonth: r.month });
    const fields: string[] = [];
    if (p.title !== r.title) fields.push('title');
    if (p.forms.join(',') !== r.forms.join(',')) fields.push('forms');
    if (p.contactName !== r.contactName || p.contactPhone !== r.contactPhone) fields.push('contact');
    if (p.unitName !== r.unitName) fields.push('unit');
    if (fields.length > 0) changes.push({ kind: 'changed', ...base, fields });
  }
  for (const p of sortRows(previous)) {
    if (!nextMap.has(p.themeId)) changes.push({ kind: 'removed', themeId: p.themeId, unitId: p.unitId, unitName: p.unitName, title: p.title, fromMonth: p.month });
  }
  return changes;
}

export function affectedUnitIds(changes: readonly ScheduleChange[]): string[] {
  return [...new Set(changes.map((c) => c.unitId))];
}

const CHANGE_FIELD_LABELS: Record<string, string> = { title: '主题', forms: '形式', contact: '联系人', unit: '单位名称' };

export function describeChange(c: ScheduleChange): string {
  switch (c.kind) {
    case 'added':
      return `新增：${c.unitName}「${c.title}」（${c.toMonth}月）`;
    case 'removed':
      return `移出计划：${c.unitName}「${c.title}」（原${c.fromMonth}月）`;
    case 'moved':
      return `调整月份：${c.unitName}「${c.title}」${c.fromMonth}月 → ${c.toMonth}月`;
    case 'changed':
      return `内容变更：${c.unitName}「${c.title}」（${(c.fields ?? []).map((f) => CHANGE_FIELD_LABELS[f] ?? f).join('、')}）`;
  }
}

/**
 * The calendar event of a scheduled activity: an all-day event spanning its month (the plan
 * fixes only the month; a whole-month block shows up in every unit's calendar view without
 * pretending to know the day). Dates are inclusive 'YYYY-MM-DD'.
 */
export function monthEventDates(year: number, month: number): { startDate: string; endDate: string } {
  const mm = String(month).padStart(2, '0');
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return { startDate: `${year}-${mm}-01`, endDate: `${year}-${mm}-${String(last).padStart(2, '0')}` };
}

export const monthSchema = z.coerce.number().int().min(1, '月份应为 1-12').max(12, '月份应为 1-12');
