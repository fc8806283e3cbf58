// The working-day calendar: China's official holidays and adjusted working days (调休) from the
// `chinese-days` package, plus coordinator-edited overrides (CalendarOverride rows, loaded by the
// use-cases and passed in). Pure: no clock, no database.
//
// chinese-days silently treats a year it has no data for as plain Monday–Friday, so coverage is
// checked explicitly (yearCoverage) and an uncovered year without overrides is reported.
import { createRequire } from 'node:module';
import { z } from 'zod';
import { addDays, firstOfMonth, lastOfMonth, weekday, type CivilDate } from './time.ts';
import { quoteInput } from './user-text.ts';

// The package's own data maps, read directly: its helper functions format dates with local-time
// getters, which shifts days on hosts west of UTC. The JSON is keyed by civil date.
const holidayDataSchema = z.object({
  holidays: z.record(z.string(), z.string()),
  workdays: z.record(z.string(), z.string()),
  inLieuDays: z.record(z.string(), z.string()).optional(),
});
const DATA = holidayDataSchema.parse(createRequire(import.meta.url)('chinese-days/dist/chinese-days.json'));

export interface CalendarOverrideEntry {
  date: CivilDate;
  isWorkday: boolean;
  note: string;
}

export type YearCoverage = 'package' | 'overrides' | 'missing';

/** Shown beside a planned date in a year without holiday data (counted Monday–Friday, may move). */
export const PROVISIONAL_MARK = '暂定';

export interface DayInfo {
  date: CivilDate;
  workday: boolean;
  /** where the answer came from */
  source: 'override' | 'holiday' | 'adjusted-workday' | 'weekday' | 'weekend';
  /** 元旦, 春节, 调休 … (Chinese name when known) */
  name: string;
}

/** The Chinese name in a chinese-days label like "Tomb-sweeping Day,清明,1". */
function chineseName(label: string): string {
  const parts = label.split(',');
  return parts[1] ?? parts[0] ?? '';
}

/**
 * Whether chinese-days has the State Council's arrangement for a year. New Year's Day (元旦) is a
 * statutory holiday every year, so a covered year always lists January 1st as a holiday; an
 * uncovered one has no entries for the year at all.
 */
export function packageCoversYear(year: number): boolean {
  const label = DATA.holidays[`${year}-01-01`];
  return label !== undefined && label.includes('元旦');
}

/** The last year chinese-days has data for (e.g. 2026 for chinese-days 1.5.7). */
export function lastCoveredYear(): number {
  let last = 0;
  for (const key of Object.keys(DATA.holidays)) last = Math.max(last, Number(key.slice(0, 4)));
  while (last > 0 && !packageCoversYear(last)) last -= 1;
  return last;
}

export class WorkCalendar {
  private readonly overrides: ReadonlyMap<CivilDate, CalendarOverrideEntry>;
  /** a tick plans many units against the same few weeks: answers are memoized per instance */
  private readonly memo = new Map<CivilDate, DayInfo>();

  constructor(overrides: readonly CalendarOverrideEntry[] = []) {
    this.overrides = new Map(overrides.map((o) => [o.date, o]));
  }

  day(date: CivilDate): DayInfo {
    let info = this.memo.get(date);
    if (!info) {
      info = this.compute(date);
      this.memo.set(date, info);
    }
    return info;
  }

  private compute(date: CivilDate): DayInfo {
    const override = this.overrides.get(date);
    if (override) return { date, workday: override.isWorkday, source: 'override', name: override.note || (override.isWorkday ? '上班' : '休息') };
    const work = DATA.workdays[date];
    if (work !== undefined) return { date, workday: true, source: 'adjusted-workday', name: `${chineseName(work)}调休` };
    const holiday = DATA.holidays[date];
    if (holiday !== undefined) return { date, workday: false, source: 'holiday', name: chineseName(holiday) };
    const wd = weekday(date);
    return wd >= 1 && wd <= 5 ? { date, workday: true, source: 'weekday', name: '工作日' } : { date, workday: false, source: 'weekend', name: '周末' };
  }

  isWorkday(date: CivilDate): boolean {
    return this.day(date).workday;
  }

  /** Where the year's arrangement comes from: the package, the coordinator's overrides, or nowhere. */
  coverage(year: number): YearCoverage {
    if (packageCoversYear(year)) return 'package';
    const prefix = `${year}-`;
    for (const date of this.overrides.keys()) if (date.startsWith(prefix)) return 'overrides';
    return 'missing';
  }

  /** The date itself when it is a working day, else the previous working day. */
  onOrBefore(date: CivilDate): CivilDate {
    let d = date;
    for (let i = 0; i < 400 && !this.isWorkday(d); i++) d = addDays(d, -1);
    return d;
  }

  /** The date itself when it is a working day, else the next working day. */
  onOrAfter(date: CivilDate): CivilDate {
    let d = date;
    for (let i = 0; i < 400 && !this.isWorkday(d); i++) d = addDays(d, 1);
    return d;
  }

  /** The n-th working day strictly before the date (n ≥ 1); n = 0 is onOrBefore(date). */
  workdaysBefore(date: CivilDate, n: number): CivilDate {
    return n <= 0 ? this.onOrBefore(date) : this.countWorkdays(date, n, -1);
  }

  /** The n-th working day strictly after the date (n ≥ 1); n = 0 is onOrAfter(date). */
  workdaysAfter(date: CivilDate, n: number): CivilDate {
    return n <= 0 ? this.onOrAfter(date) : this.countWorkdays(date, n, 1);
  }

  /** Walks day by day in `direction` from the date (not counting it) to the n-th working day. */
  private countWorkdays(date: CivilDate, n: number, direction: 1 | -1): CivilDate {
    let d = date;
    let left = n;
    while (left > 0) {
      d = addDays(d, direction);
      if (this.isWorkday(d)) left -= 1;
    }
    return d;
  }

  firstWorkdayOfMonth(year: number, month: number): CivilDate {
    return this.onOrAfter(firstOfMonth(year, month));
  }

  lastWorkdayOfMonth(year: number, month: number): CivilDate {
    return this.onOrBefore(lastOfMonth(year, month));
  }

  /** Working days in [from, to], both inclusive. */
  workdaysBetween(from: CivilDate, to: CivilDate): CivilDate[] {
    const out: CivilDate[] = [];
    for (let d = from; d <= to; d = addDays(d, 1)) if (this.isWorkday(d)) out.push(d);
    return out;
  }
}

/** Parses '2027-01-01', '2027/1/1', '2027年1月1日' into a civil date, or undefined. */
export function parseLooseDate(text: string): CivilDate | undefined {
  const m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/.exec(text.trim());
  if (!m) return undefined;
  const date = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
  const check = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(check.getTime()) && check.toISOString().slice(0, 10) === date ? date : undefined;
}

/** `设置工作日 2027-01-01 休息 元旦` / `设置工作日 2027-02-06 上班 调休` */
export const overrideCommandSchema = z.object({
  date: z
    .string()
    .refine((s) => parseLooseDate(s) !== undefined, '日期格式应为 2027-01-01')
    .transform((s) => parseLooseDate(s)!),
  isWorkday: z.enum(['上班', '工作日', '休息', '放假', '节假日']).transform((s) => s === '上班' || s === '工作日'),
  note: z.string().max(40, '备注最多 40 个字').default(''),
});

export type OverrideCommand = z.infer<typeof overrideCommandSchema>;

export function parseOverrideCommand(args: string): { ok: true; value: OverrideCommand } | { ok: false; error: string } {
  const [date, kind, ...rest] = args.trim().split(/\s+/).filter(Boolean);
  if (!date || !kind) return { ok: false, error: '格式：设置工作日 2027-01-01 休息 元旦 或 设置工作日 2027-02-06 上班 调休' };
  const parsed = overrideCommandSchema.safeParse({ date, isWorkday: kind, note: rest.join(' ') });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = String(issue.path[0] ?? '');
    const msg = field === 'isWorkday' ? '第二项应为“上班”或“休息”' : issue.message;
    return { ok: false, error: `${msg}（你输入的是：${quoteInput(args)}）` };
  }
  return { ok: true, value: parsed.data };
}
