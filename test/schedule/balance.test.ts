// Pure schedule rules: balance checks, version diffs, grouping, the month event.
import { describe, expect, it } from 'vitest';
import { affectedUnitIds, balanceChecks, describeWarning, diffSchedules, groupByMonth, monthEventDates, type ScheduleRow } from '../../src/domain/schedule.ts';

let n = 0;
function row(unit: string, month: number, forms: string[], extra: Partial<ScheduleRow> = {}): ScheduleRow {
  n++;
  return { themeId: `t${n}`, unitId: unit, unitName: `单位${unit}`, unitKind: 'town', unitOrder: 0, seq: 1, title: `主题${n}`, month, forms, contactName: '张三', contactPhone: '13812345678', ...extra };
}

const ALL = ['survey', 'observe', 'forum', 'policy', 'questionnaire'];

describe('balanceChecks', () => {
  it('is quiet for a balanced year', () => {
    const rows = [5, 6, 7, 8, 9, 10, 11, 12].map((m, i) => row(`u${i}`, m, [ALL[i % 5]!]));
    expect(balanceChecks(rows, { maxPerMonth: 6, fromMonth: 5 })).toEqual([]);
  });

  it('flags months over the cap and empty months in the range only', () => {
    const rows = [...Array.from({ length: 4 }, (_, i) => row(`a${i}`, 5, [ALL[i]!])), row('b', 7, ['questionnaire']), row('c', 1, ['forum'])];
    const w = balanceChecks(rows, { maxPerMonth: 3, fromMonth: 5 });
    expect(w).toContainEqual({ kind: 'overfull', month: 5, count: 4, max: 3 });
    expect(w.filter((x) => x.kind === 'empty').map((x) => (x as { month: number }).month)).toEqual([6, 8, 9, 10, 11, 12]);
    // month 1 has an activity but is outside the range: neither empty nor a problem
    expect(w.some((x) => x.kind === 'empty' && x.month < 5)).toBe(false);
    expect(describeWarning({ kind: 'overfull', month: 5, count: 4, max: 3 })).toBe('5月有 4 项活动，超过每月上限 3 项');
  });

  it('flags one unit with several activities in a month', () => {
    const rows = [row('x', 6, ['forum']), row('x', 6, ['policy']), row('y', 6, ['survey'])];
    const w = balanceChecks(rows, { maxPerMonth: 6, fromMonth: 6, toMonth: 6 });
    expect(w).toContainEqual({ kind: 'unit_cluster', month: 6, unitId: 'x', unitName: '单位x', count: 2 });
    expect(describeWarning(w.find((x) => x.kind === 'unit_cluster')!)).toBe('单位x 在6月有 2 项活动');
  });

  it('flags a form in more than half of a month (from 3 activities) and forms unused all year', () => {
    const rows = [row('a', 9, ['forum']), row('b', 9, ['forum', 'policy']), row('c', 9, ['survey'])];
    const w = balanceChecks(rows, { maxPerMonth: 6, fromMonth: 9, toMonth: 9 });
    expect(w).toContainEqual({ kind: 'form_cluster', month: 9, form: 'forum', count: 2, total: 3 });
    expect(w.filter((x) => x.kind === 'form_unused').map((x) => (x as { form: string }).form)).toEqual(['observe', 'questionnaire']);
    // exactly half is not a cluster; two activities are too few to call it one
    const even = [row('a', 10, ['forum']), row('b', 10, ['forum']), row('c', 10, ['survey']), row('d', 10, ['policy'])];
    expect(balanceChecks(even, { maxPerMonth: 6, fromMonth: 10, toMonth: 10 }).some((x) => x.kind === 'form_cluster')).toBe(false);
    const two = [row('a', 11, ['forum']), row('b', 11, ['forum'])];
    expect(balanceChecks(two, { maxPerMonth: 6, fromMonth: 11, toMonth: 11 }).some((x) => x.kind === 'form_cluster')).toBe(false);
  });
});

describe('diffSchedules', () => {
  it('finds added, removed, moved and changed rows and the units they touch', () => {
    const a = row('u1', 5, ['forum']);
    const b = row('u2', 6, ['policy']);
    const c = row('u3', 7, ['survey']);
    const prev = [a, b, c];
    const next = [{ ...a, month: 8 }, { ...b, title: '新标题', contactPhone: '13900000000' }, row('u4', 9, ['forum'])];
    const changes = diffSchedules(prev, next);
    expect(changes.map((x) => x.kind).sort()).toEqual(['added', 'changed', 'moved', 'removed']);
    expect(changes.find((x) => x.kind === 'moved')).toMatchObject({ themeId: a.themeId, fromMonth: 5, toMonth: 8 });
    expect(changes.find((x) => x.kind === 'changed')).toMatchObject({ themeId: b.themeId, fields: ['title', 'contact'] });
    expect(changes.find((x) => x.kind === 'removed')).toMatchObject({ themeId: c.themeId, fromMonth: 7 });
    expect(affectedUnitIds(changes).sort()).toEqual(['u1', 'u2', 'u3', 'u4']);
    expect(diffSchedules(prev, prev)).toEqual([]);
  });
});

describe('groupByMonth and calendar dates', () => {
  it('groups in calendar order, streets before towns before departments', () => {
    const rows = [row('d', 6, ['forum'], { unitKind: 'department', unitName: '县财政局' }), row('s', 6, ['forum'], { unitKind: 'street', unitName: '星沙街道' }), row('t', 5, ['forum'])];
    const g = groupByMonth(rows);
    expect(g.map((x) => x.month)).toEqual([5, 6]);
    expect(g[1]!.rows.map((r) => r.unitName)).toEqual(['星沙街道', '县财政局']);
  });

  it('spans the whole month as an all-day event (inclusive end date)', () => {
    expect(monthEventDates(2023, 2)).toEqual({ startDate: '2023-02-01', endDate: '2023-02-28' });
    expect(monthEventDates(2024, 2)).toEqual({ startDate: '2024-02-01', endDate: '2024-02-29' });
    expect(monthEventDates(2023, 12)).toEqual({ startDate: '2023-12-01', endDate: '2023-12-31' });
  });
});
