// The State Council notice parser against the real notices of 2024–2026 (test/fixtures/holiday-notices)
// and chinese-days' data for the same years, plus the ways a pasted notice can go wrong.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { parseHolidayNotice, type HolidayNotice } from '../../src/domain/holiday-notice.ts';

const DATA = createRequire(import.meta.url)('chinese-days/dist/chinese-days.json') as { holidays: Record<string, string>; workdays: Record<string, string> };
const fixture = (year: number) => readFileSync(new URL(`../fixtures/holiday-notices/${year}.txt`, import.meta.url), 'utf8');

function parsed(text: string, year?: number): HolidayNotice {
  const r = parseHolidayNotice(text, year);
  if (!r.ok) throw new Error(r.error);
  return r.notice;
}

const packageDays = (year: number, kind: 'holidays' | 'workdays') =>
  Object.entries(DATA[kind])
    .filter(([d]) => d.startsWith(`${year}-`))
    .map(([d, label]) => ({ date: d, name: label.split(',')[1]! }))
    .sort((a, b) => a.date.localeCompare(b.date));

describe('the State Council holiday notice parser', () => {
  it.each([2017, 2024, 2025, 2026])('reproduces chinese-days exactly for %i from the real notice', (year) => {
    const notice = parsed(fixture(year));
    expect(notice.year).toBe(year);
    const holidays = notice.days.filter((d) => !d.isWorkday);
    const workdays = notice.days.filter((d) => d.isWorkday);
    expect(holidays.map((d) => d.date)).toEqual(packageDays(year, 'holidays').map((d) => d.date));
    expect(workdays.map((d) => d.date)).toEqual(packageDays(year, 'workdays').map((d) => d.date));
    // Same festival: the package's short name (清明, 端午, 中秋 …) is part of the notice's item name.
    for (const [kind, days] of [
      ['holidays', holidays],
      ['workdays', workdays],
    ] as const) {
      const names = new Map(packageDays(year, kind).map((d) => [d.date, d.name]));
      for (const d of days) expect(d.festival).toContain(names.get(d.date));
    }
  });

  it('reads ranges across months, 农历 notes, several 上班 days and 星期/周 variants', () => {
    const n = parsed(fixture(2025));
    expect(n.items.map((i) => i.festival)).toEqual(['元旦', '春节', '清明节', '劳动节', '端午节', '国庆节、中秋节']);
    const spring = n.items[1]!;
    expect(spring.holidays).toEqual(['2025-01-28', '2025-01-29', '2025-01-30', '2025-01-31', '2025-02-01', '2025-02-02', '2025-02-03', '2025-02-04']);
    expect(spring.workdays).toEqual(['2025-01-26', '2025-02-08']);
    expect(n.days.find((d) => d.date === '2025-01-28')?.lunar).toBe('农历除夕');
    expect(n.items[4]!.holidays).toEqual(['2025-05-31', '2025-06-01', '2025-06-02']);
    // 2024 writes 星期日 and gives single days without a weekday.
    const y2024 = parsed(fixture(2024));
    expect(y2024.items[0]!.holidays).toEqual(['2024-01-01']);
    expect(y2024.items[3]!.workdays).toEqual(['2024-04-28', '2024-05-11']);
  });

  it('accepts half-width punctuation, one-paragraph pastes and a year given separately', () => {
    const halfWidth = fixture(2026).replace(/：/g, ':').replace(/（/g, '(').replace(/）/g, ')').replace(/，/g, ',');
    expect(parsed(halfWidth).days).toEqual(parsed(fixture(2026)).days);
    const oneParagraph = fixture(2026).replace(/\n+/g, '');
    expect(parsed(oneParagraph).days).toEqual(parsed(fixture(2026)).days);
    const itemsOnly = '一、元旦：1月1日（周五）至3日（周日）放假，共3天。\n二、春节：2月6日（农历除夕、周六）至14日（农历正月初八、周日）放假调休，共9天。2月20日（周六）上班。';
    const n = parsed(itemsOnly, 2027);
    expect(n.year).toBe(2027);
    expect(n.days.filter((d) => d.isWorkday).map((d) => d.date)).toEqual(['2027-02-20']);
    expect(n.days.filter((d) => !d.isWorkday)).toHaveLength(12);
  });

  it('handles a range into the next year and explicit years', () => {
    const n = parsed('现将2019年元旦……通知如下。\n一、元旦：2018年12月30日至2019年1月1日放假调休，共3天。2018年12月29日（星期六）上班。');
    expect(n.items[0]!.holidays).toEqual(['2018-12-30', '2018-12-31', '2019-01-01']);
    expect(n.items[0]!.workdays).toEqual(['2018-12-29']);
  });

  it('refuses what it cannot fully parse, naming the item', () => {
    const bad = (text: string, year?: number) => {
      const r = parseHolidayNotice(text, year);
      expect(r.ok).toBe(false);
      return r.ok ? '' : r.error;
    };
    const garbled = fixture(2026).replace('5月9日（周六）上班', '5月9日（周六）照常上班');
    expect(bad(garbled)).toContain('第四项“四、劳动节：');
    expect(bad(garbled)).toContain('照常上班');
    expect(bad(fixture(2026).replace('1月1日（周四）', '1月1日（周五）'))).toMatch(/第一项.*标注为周五.*2026-01-01是星期四/);
    expect(bad(fixture(2026).replace('共9天', '共8天'))).toMatch(/第二项.*共8天.*9 天/);
    expect(bad(fixture(2026).replace('三、清明节', '四、清明节'))).toContain('条目编号不连续');
    expect(bad(fixture(2026).replace('2月30日', '2月30日').replace('2月28日（周六）', '2月30日（周六）'))).toContain('2月30日不是有效日期');
    expect(bad('一、元旦：1月1日放假。')).toContain('找不到年份');
    expect(bad(fixture(2026), 2027)).toContain('2026 年');
    expect(bad('国务院办公厅关于2027年部分节假日安排的通知\n请见附件。')).toContain('没有找到');
    expect(bad(fixture(2026).replace('（农历腊月二十八、周日）', '（腊八、周日）'))).toContain('腊八');
  });
});
