// Pure tests of the working-day calendar (chinese-days + overrides) and the coverage check.
import { describe, expect, it } from 'vitest';
import { lastCoveredYear, packageCoversYear, parseLooseDate, parseOverrideCommand, WorkCalendar } from '../../src/domain/workdays.ts';
import { yearsInUse } from '../../src/usecases/reminders/calendar.ts';
import { atShanghai } from '../../src/domain/time.ts';

describe('WorkCalendar (chinese-days)', () => {
  const cal = new WorkCalendar();

  it('knows 2023 holidays and adjusted working days (调休)', () => {
    expect(cal.isWorkday('2023-04-05')).toBe(false); // 清明 (Wednesday)
    expect(cal.day('2023-04-05')).toMatchObject({ source: 'holiday', name: '清明' });
    expect(cal.isWorkday('2023-04-23')).toBe(true); // working Sunday before 劳动节
    expect(cal.day('2023-04-23')).toMatchObject({ source: 'adjusted-workday' });
    expect(cal.isWorkday('2023-05-06')).toBe(true); // working Saturday
    expect(cal.isWorkday('2023-05-01')).toBe(false);
    expect(cal.isWorkday('2023-04-22')).toBe(false); // ordinary Saturday
    expect(cal.isWorkday('2023-04-07')).toBe(true);
  });

  it('counts working days before and after a date, skipping holidays', () => {
    expect(cal.workdaysBefore('2023-04-07', 1)).toBe('2023-04-06');
    expect(cal.workdaysBefore('2023-04-07', 2)).toBe('2023-04-04'); // skips 清明
    expect(cal.workdaysBefore('2023-04-07', 3)).toBe('2023-04-03');
    expect(cal.workdaysBefore('2023-04-07', 7)).toBe('2023-03-28');
    expect(cal.workdaysBefore('2023-04-07', 0)).toBe('2023-04-07');
    expect(cal.workdaysBefore('2023-10-01', 0)).toBe('2023-09-28'); // deadline on a holiday
    expect(cal.workdaysAfter('2023-04-30', 3)).toBe('2023-05-06'); // the working Saturday
    expect(cal.workdaysAfter('2023-04-07', 1)).toBe('2023-04-10');
    expect(cal.firstWorkdayOfMonth(2023, 5)).toBe('2023-05-04');
    expect(cal.firstWorkdayOfMonth(2023, 10)).toBe('2023-10-07'); // working Saturday after 国庆
    expect(cal.onOrBefore('2023-04-23')).toBe('2023-04-23');
  });

  it('reports coverage: package years, missing years, years covered by overrides', () => {
    expect(packageCoversYear(2023)).toBe(true);
    expect(packageCoversYear(2026)).toBe(true);
    expect(packageCoversYear(2027)).toBe(false);
    expect(packageCoversYear(1999)).toBe(false);
    expect(lastCoveredYear()).toBeGreaterThanOrEqual(2026);
    expect(cal.coverage(2027)).toBe('missing');
    const withOverrides = new WorkCalendar([{ date: '2027-01-01', isWorkday: false, note: '元旦' }]);
    expect(withOverrides.coverage(2027)).toBe('overrides');
    expect(withOverrides.coverage(2023)).toBe('package');
  });

  it('lets overrides win over the package and the weekday fallback', () => {
    const c = new WorkCalendar([
      { date: '2027-02-06', isWorkday: true, note: '调休' }, // a Saturday
      { date: '2027-01-01', isWorkday: false, note: '元旦' }, // a Friday
      { date: '2023-04-05', isWorkday: true, note: '本地安排' },
    ]);
    expect(c.isWorkday('2027-02-06')).toBe(true);
    expect(c.isWorkday('2027-01-01')).toBe(false);
    expect(c.day('2027-01-01')).toMatchObject({ source: 'override', name: '元旦' });
    expect(c.isWorkday('2023-04-05')).toBe(true);
    expect(c.workdaysAfter('2026-12-31', 1)).toBe('2027-01-04');
  });

  it('parses the override command and loose dates', () => {
    expect(parseLooseDate('2027年1月1日')).toBe('2027-01-01');
    expect(parseLooseDate('2027/2/6')).toBe('2027-02-06');
    expect(parseLooseDate('2027-02-30')).toBeUndefined();
    expect(parseOverrideCommand('2027-01-01 休息 元旦')).toEqual({ ok: true, value: { date: '2027-01-01', isWorkday: false, note: '元旦' } });
    expect(parseOverrideCommand('2027-02-06 上班 调休')).toEqual({ ok: true, value: { date: '2027-02-06', isWorkday: true, note: '调休' } });
    const bad = parseOverrideCommand('2027-02-06 开会');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toContain('2027-02-06 开会');
    expect(parseOverrideCommand('').ok).toBe(false);
  });
});

describe('holiday data coverage on an injected date', () => {
  // Never the wall clock: the package's data ends at some year, and the app must behave the same
  // whatever today is. The dates below are parameters, exactly as the app passes its Clock's value.
  const cal = new WorkCalendar();
  const missingOn = (now: Date, campaignYears: number[] = []) => yearsInUse(campaignYears, now).filter((y) => cal.coverage(y) === 'missing');

  it('in November only this year matters; from 1 December next year is needed too', () => {
    expect(yearsInUse([], atShanghai('2026-11-30', '23:59'))).toEqual([2026]);
    expect(yearsInUse([], atShanghai('2026-12-01', '00:00'))).toEqual([2026, 2027]);
    expect(missingOn(atShanghai('2026-11-30', '09:00'))).toEqual([]);
    expect(missingOn(atShanghai('2026-12-01', '09:00'))).toEqual([2027]);
  });

  it('counts the years of active campaigns and treats coordinator overrides as coverage', () => {
    expect(missingOn(atShanghai('2026-06-01', '09:00'), [2027])).toEqual([2027]);
    const withOverrides = new WorkCalendar([{ date: '2027-01-01', isWorkday: false, note: '元旦' }]);
    expect(yearsInUse([], atShanghai('2026-12-01', '09:00')).filter((y) => withOverrides.coverage(y) === 'missing')).toEqual([]);
  });

  it('the package itself covers 2024 to 2026 (the years the tests rely on)', () => {
    for (const y of [2023, 2024, 2025, 2026]) expect(packageCoversYear(y)).toBe(true);
  });
});
