// Reminder planning: which reminder is due for whom on which working day, at what instant, over
// which channels. Pure: the use-case loads the campaign state and the calendar overrides and
// passes them in with the time. Every planned reminder has a unique key
// `campaign:unit:kind:date` that the use-case claims in the database (ReminderLog) in the same
// transaction that puts the message in the outbox, so each reminder goes out once.
import type { CampaignSettings } from './campaign.ts';
import { addDays, atShanghai, lastOfMonth, shanghaiDate, weekday, type CivilDate } from './time.ts';
import type { WorkCalendar } from './workdays.ts';

export const REMINDER_KIND_LABELS: Record<string, string> = {
  deadline: '截止提醒',
  overdue: '逾期名单',
  digest: '每周进度',
  'month-start': '月初活动提醒',
  'month-end': '月末总结提醒',
  'summary-due': '总结催交',
  nudge: '手动催办',
  'holiday-warning': '节假日数据提醒',
};

/** '截止前7个工作日' … for a kind like 'deadline-7'. */
export function reminderKindLabel(kind: string): string {
  const m = /^(deadline|summary-due)-(\d+)$/.exec(kind);
  if (m) {
    const n = Number(m[2]);
    if (m[1] === 'deadline') return n === 0 ? '截止当天提醒' : `截止前${n}个工作日提醒`;
    return `总结催交（月后第${n}个工作日）`;
  }
  return REMINDER_KIND_LABELS[kind] ?? kind;
}

export const CHANNEL_LABELS: Record<string, string> = {
  group: '群内@',
  dm: '单聊',
  urgent: '加急',
  leader: '分管领导',
  coordinator: '协调人',
};

export const REMINDER_STATUS_LABELS: Record<string, string> = { sent: '已发送', skipped: '已跳过' };

export type ReminderChannel = 'group' | 'dm' | 'urgent' | 'leader' | 'coordinator';

export interface PlannedReminder {
  key: string;
  campaignId: string;
  /** null for reminders to the coordinator (digest, overdue list) */
  unitId: string | null;
  kind: string;
  date: CivilDate;
  fireAt: Date;
  /** deadline reminders: the unit's deadline and whether this is its last reminder */
  deadline?: CivilDate;
  offset?: number;
  isLast?: boolean;
  /** month and summary reminders: the themes concerned and their month */
  themeIds?: string[];
  month?: number;
  /** overdue list: the units concerned */
  unitIds?: string[];
}

export interface PlanUnit {
  id: string;
  /** 'pending' | 'submitted' | 'withdrawn' */
  status: string;
  deadlineOverride: CivilDate | null;
  /** when the unit last started owing a submission (launch, or a withdrawal) */
  owingSince: Date;
}

export interface PlanTheme {
  id: string;
  unitId: string;
  /** scheduledMonth ?? month */
  month: number;
  approvedAt: Date;
  summarySubmitted: boolean;
}

export interface PlanInput {
  campaign: { id: string; year: number; status: string; deadline: CivilDate; launchedAt: Date | null };
  settings: CampaignSettings;
  units: PlanUnit[];
  themes: PlanTheme[];
}

export function reminderKey(campaignId: string, unitId: string | null, kind: string, date: CivilDate): string {
  return `${campaignId}:${unitId ?? '-'}:${kind}:${date}`;
}

/** FNV-1a: a stable per-unit offset, the same on every instance and across restarts. */
export function stableHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function spreadOffsetMinutes(unitId: string, spreadMinutes: number): number {
  return spreadMinutes <= 0 ? 0 : stableHash(unitId) % spreadMinutes;
}

/** The instant a reminder fires: the reminder time on its date, plus the unit's spread offset. */
export function fireInstant(date: CivilDate, settings: CampaignSettings, unitId: string | null): Date {
  const base = atShanghai(date, settings.reminderTime).getTime();
  // Reminders to the coordinator come after the units' spread, so they report the state after it.
  const minutes = unitId === null ? settings.reminderSpreadMinutes : spreadOffsetMinutes(unitId, settings.reminderSpreadMinutes);
  return new Date(base + minutes * 60_000);
}

export interface DeadlineSlot {
  kind: string;
  offset: number;
  date: CivilDate;
  isLast: boolean;
}

/**
 * Deadline reminder dates: `offset` working days before the deadline (0 = the morning of the
 * deadline, or the previous working day when the deadline is a holiday). Offsets that land on the
 * same day collapse into the more urgent one.
 */
export function deadlineSlots(deadline: CivilDate, offsets: readonly number[], calendar: WorkCalendar): DeadlineSlot[] {
  const byDate = new Map<CivilDate, DeadlineSlot>();
  for (const offset of [...new Set(offsets)].sort((a, b) => a - b)) {
    const date = calendar.workdaysBefore(deadline, offset);
    if (!byDate.has(date)) byDate.set(date, { kind: `deadline-${offset}`, offset, date, isLast: false });
  }
  const slots = [...byDate.values()].sort((a, b) => (a.date < b.date ? -1 : 1));
  if (slots.length > 0) slots[slots.length - 1]!.isLast = true;
  return slots;
}

/** The working day after the deadline on which the coordinator gets the list of missing units. */
export function overdueDate(deadline: CivilDate, calendar: WorkCalendar): CivilDate {
  return calendar.workdaysAfter(deadline, 1);
}

/** Monday of the ISO week containing the date. */
export function isoWeekStart(date: CivilDate): CivilDate {
  const wd = weekday(date);
  return addDays(date, wd === 0 ? -6 : 1 - wd);
}

/** Weekly digest dates: the first working day of each week from launch to the deadline. */
export function digestDates(launchDate: CivilDate, deadline: CivilDate, calendar: WorkCalendar): CivilDate[] {
  const out: CivilDate[] = [];
  for (let week = isoWeekStart(launchDate); week <= deadline; week = addDays(week, 7)) {
    const first = calendar.workdaysBetween(week, addDays(week, 6))[0];
    if (first && first > launchDate && first <= deadline) out.push(first);
  }
  return out;
}

export function monthStartDate(year: number, month: number, calendar: WorkCalendar): CivilDate {
  return calendar.firstWorkdayOfMonth(year, month);
}

/** 7 days before the month ends, or the working day before that when it is a day off. */
export function monthEndDate(year: number, month: number, calendar: WorkCalendar): CivilDate {
  return calendar.onOrBefore(addDays(lastOfMonth(year, month), -7));
}

export function summaryDueDate(year: number, month: number, offset: number, calendar: WorkCalendar): CivilDate {
  return calendar.workdaysAfter(lastOfMonth(year, month), offset);
}

const DEADLINE_STATUSES = new Set(['collecting']);
const OVERDUE_STATUSES = new Set(['collecting', 'reviewing']);
const MONTH_STATUSES = new Set(['collecting', 'reviewing', 'scheduled', 'evaluating']);

/** Whether a unit still owes its submission. */
export function owesSubmission(status: string): boolean {
  return status === 'pending' || status === 'withdrawn';
}

/**
 * Every reminder the current state calls for, across the whole campaign. A reminder is only
 * planned for an instant at which its reason held (the unit owed a submission, the theme was
 * approved), so a reminder planned for yesterday means it was missed, not that it never applied.
 * `dates` keeps only the reminders dated within it (the reminder tick asks for the lookback up to
 * today each minute: the rest of the year need not be worked out to the instant).
 */
export function planCampaign(input: PlanInput, calendar: WorkCalendar, dates?: { from: CivilDate; to: CivilDate }): PlannedReminder[] {
  const { campaign, settings } = input;
  const out: PlannedReminder[] = [];
  const launchedAt = campaign.launchedAt;
  if (!launchedAt) return out;
  const inDates = (date: CivilDate) => !dates || (date >= dates.from && date <= dates.to);
  const push = (p: Omit<PlannedReminder, 'key' | 'campaignId' | 'fireAt'>, notBefore: Date): void => {
    if (!inDates(p.date)) return;
    const fireAt = fireInstant(p.date, settings, p.unitId);
    if (fireAt.getTime() < notBefore.getTime()) return;
    out.push({ ...p, campaignId: campaign.id, key: reminderKey(campaign.id, p.unitId, p.kind, p.date), fireAt });
  };

  const owing = input.units.filter((u) => owesSubmission(u.status));
  const slotsByDeadline = new Map<CivilDate, DeadlineSlot[]>();
  if (DEADLINE_STATUSES.has(campaign.status)) {
    for (const unit of owing) {
      const deadline = unit.deadlineOverride ?? campaign.deadline;
      let slots = slotsByDeadline.get(deadline);
      if (!slots) slotsByDeadline.set(deadline, (slots = deadlineSlots(deadline, settings.reminderOffsets, calendar)));
      for (const slot of slots) {
        push({ unitId: unit.id, kind: slot.kind, date: slot.date, deadline, offset: slot.offset, isLast: slot.isLast }, maxDate(launchedAt, unit.owingSince));
      }
    }
    for (const date of digestDates(shanghaiDate(launchedAt), campaign.deadline, calendar)) push({ unitId: null, kind: 'digest', date }, launchedAt);
  }
  if (OVERDUE_STATUSES.has(campaign.status)) {
    const byDate = new Map<CivilDate, { unitIds: string[]; deadline: CivilDate }>();
    const overdueByDeadline = new Map<CivilDate, CivilDate>();
    for (const unit of owing) {
      const deadline = unit.deadlineOverride ?? campaign.deadline;
      let date = overdueByDeadline.get(deadline);
      if (!date) overdueByDeadline.set(deadline, (date = overdueDate(deadline, calendar)));
      const group = byDate.get(date) ?? { unitIds: [], deadline };
      group.unitIds.push(unit.id);
      if (deadline > group.deadline) group.deadline = deadline;
      byDate.set(date, group);
    }
    for (const [date, g] of byDate) push({ unitId: null, kind: 'overdue', date, unitIds: g.unitIds, deadline: g.deadline }, launchedAt);
  }
  if (MONTH_STATUSES.has(campaign.status)) {
    // unit → month → themes
    const groups = new Map<string, PlanTheme[]>();
    for (const t of input.themes) {
      const k = `${t.unitId}|${t.month}`;
      groups.set(k, [...(groups.get(k) ?? []), t]);
    }
    // The month's slot dates are the same for every unit with an activity that month: computed once.
    const slotsByMonth = new Map<number, { kind: string; date: CivilDate; all: boolean }[]>();
    const monthSlots = (month: number) => {
      let slots = slotsByMonth.get(month);
      if (!slots) {
        slots = [
          { kind: 'month-start', date: monthStartDate(campaign.year, month, calendar), all: true },
          { kind: 'month-end', date: monthEndDate(campaign.year, month, calendar), all: false },
          ...settings.summaryDueOffsets.map((k) => ({ kind: `summary-due-${k}`, date: summaryDueDate(campaign.year, month, k, calendar), all: false })),
        ];
        slotsByMonth.set(month, slots);
      }
      return slots;
    };
    for (const themes of groups.values()) {
      const { unitId, month } = themes[0]!;
      for (const slot of monthSlots(month)) {
        if (!inDates(slot.date)) continue;
        const fireAt = fireInstant(slot.date, settings, unitId);
        const concerned = themes.filter((t) => (slot.all || !t.summarySubmitted) && t.approvedAt.getTime() <= fireAt.getTime());
        if (concerned.length === 0) continue;
        push({ unitId, kind: slot.kind, date: slot.date, month, themeIds: concerned.map((t) => t.id) }, launchedAt);
      }
    }
  }
  return out.sort((a, b) => a.fireAt.getTime() - b.fireAt.getTime() || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function maxDate(a: Date, b: Date): Date {
  return a.getTime() >= b.getTime() ? a : b;
}

export type DueState = 'future' | 'send' | 'missed';

/**
 * Downtime rule: a reminder missed by less than the grace period, on the same day, is still sent;
 * an older one is skipped and recorded, never sent late in a burst at night.
 */
export function dueState(fireAt: Date, now: Date, graceHours: number): DueState {
  const late = now.getTime() - fireAt.getTime();
  if (late < 0) return 'future';
  if (late < graceHours * 3_600_000 + 60_000 && shanghaiDate(now) === shanghaiDate(fireAt)) return 'send';
  return 'missed';
}

/** How far back a tick looks for reminders that were never claimed (and records them as missed). */
export const LOOKBACK_DAYS = 31;

/**
 * The channels of the n-th automatic deadline reminder to a unit (n = reminders already sent):
 * always the group @ (or direct messages when the unit has no bound group), plus the ladder's
 * step for this reminder, plus 加急 on the last one, plus the 分管领导 and the coordinator once
 * the unit has missed `escalateToLeaderAfter` reminders.
 */
export function deadlineChannels(sentBefore: number, isLast: boolean, settings: CampaignSettings, hasGroup: boolean): ReminderChannel[] {
  const ladder = settings.escalationLadder;
  const step = ladder.length > 0 ? ladder[Math.min(sentBefore, ladder.length - 1)] : 'group';
  const channels = new Set<ReminderChannel>([hasGroup ? 'group' : 'dm']);
  if (step === 'dm') channels.add('dm');
  if (step === 'urgent' || (isLast && settings.urgentOnLastReminder)) channels.add('urgent');
  if (ladder.includes('leader') && sentBefore >= settings.escalateToLeaderAfter) {
    channels.add('leader');
    channels.add('coordinator');
  }
  return [...channels];
}

/** Kinds that count towards the weekly cap (automatic reminders to units). */
export function isCappedKind(kind: string): boolean {
  return /^(deadline-\d+|month-start|month-end|summary-due-\d+)$/.test(kind);
}

/**
 * Whole working days left until the deadline, for the card text ('今天截止' when 0). Counted over a
 * year whose holidays are not known (Monday to Friday only), the count is said to be approximate;
 * why (the year's holidays are not recorded) is said only to the coordinator, who can record them
 * (`audience: 'coordinator'`): to a liaison it is an internal detail they can do nothing about.
 */
export function workdaysLeftText(today: CivilDate, deadline: CivilDate, calendar: WorkCalendar, audience: 'unit' | 'coordinator' = 'unit'): string {
  if (today >= deadline) return today === deadline ? '今天截止' : '已过截止日期';
  const days = calendar.workdaysBetween(addDays(today, 1), deadline).length;
  if (days <= 1) return '明天截止';
  const unknown: number[] = [];
  for (let year = Number(addDays(today, 1).slice(0, 4)); year <= Number(deadline.slice(0, 4)); year++) if (calendar.coverage(year) === 'missing') unknown.push(year);
  // No brackets of its own: cards put the text in brackets (截止时间：…（还剩 N 个工作日）).
  if (unknown.length === 0) return `还剩 ${days} 个工作日`;
  return audience === 'coordinator' ? `还剩约 ${days} 个工作日，${unknown.join('、')}年节假日安排未收录` : `还剩约 ${days} 个工作日`;
}
