// Civil dates and times in Asia/Shanghai (UTC+8, no daylight saving since 1991), as pure functions.
// A civil date is a 'YYYY-MM-DD' string; an instant is a Date. Nothing here reads the clock.

export type CivilDate = string;

const OFFSET_MS = 8 * 60 * 60 * 1000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isCivilDate(value: string): value is CivilDate {
  const m = DATE_RE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === value;
}

/**
 * A date as people type it: 2023-04-14, 2023/4/14, 2023.4.14, 2023年4月14日, or without the year
 * (4月14日, 4-14; the year is `defaultYear`). Null when it is not a real date. No trimming.
 */
export function parseDateToken(token: string, defaultYear: number): CivilDate | null {
  const full = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(token);
  const short = full ? null : /^(\d{1,2})[-/.月](\d{1,2})日?$/.exec(token);
  if (!full && !short) return null;
  const [y, mo, d] = full ? [Number(full[1]), Number(full[2]), Number(full[3])] : [defaultYear, Number(short![1]), Number(short![2])];
  const s = `${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  return isCivilDate(s) ? s : null;
}

/** The Shanghai calendar date of an instant. */
export function shanghaiDate(instant: Date): CivilDate {
  return new Date(instant.getTime() + OFFSET_MS).toISOString().slice(0, 10);
}

/** 'HH:MM' in Shanghai for an instant. */
export function shanghaiTime(instant: Date): string {
  return new Date(instant.getTime() + OFFSET_MS).toISOString().slice(11, 16);
}

/** 'YYYY-MM-DD HH:MM' in Shanghai, for display. */
export function shanghaiDateTime(instant: Date): string {
  return `${shanghaiDate(instant)} ${shanghaiTime(instant)}`;
}

/** The instant at which a Shanghai wall-clock time occurs on a civil date. */
export function atShanghai(date: CivilDate, time = '00:00'): Date {
  const [h, min] = time.split(':').map(Number);
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y!, m! - 1, d!, h!, min!) - OFFSET_MS);
}

export function addDays(date: CivilDate, days: number): CivilDate {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y!, m! - 1, d! + days)).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday */
export function weekday(date: CivilDate): number {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y!, m! - 1, d!)).getUTCDay();
}

export function yearOf(date: CivilDate): number {
  return Number(date.slice(0, 4));
}

export function monthOf(date: CivilDate): number {
  return Number(date.slice(5, 7));
}

export function firstOfMonth(year: number, month: number): CivilDate {
  return `${year}-${String(month).padStart(2, '0')}-01`;
}

export function lastOfMonth(year: number, month: number): CivilDate {
  return new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10);
}

/** '2023-04-07' → '2023年4月7日' */
export function formatChineseDate(date: CivilDate): string {
  const [y, m, d] = date.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

export function compareDates(a: CivilDate, b: CivilDate): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
