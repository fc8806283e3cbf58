import { describe, expect, it } from 'vitest';
import { bestRankLabel, computeHistory, type HistoryInput, type HistorySummary } from '../../src/domain/history.ts';

const full: HistorySummary = { status: 'submitted', heldDates: 1, photos: 2, logoPhoto: true, links: 3 };

function input(): HistoryInput {
  return {
    years: [2025, 2024, 2025],
    units: [
      { id: 'd', name: '县发改局', kind: 'department', sortOrder: 3 },
      { id: 't', name: '黄兴镇', kind: 'town', sortOrder: 1 },
      { id: 's', name: '星沙街道', kind: 'street', sortOrder: 2 },
      { id: 'x', name: '未参与单位', kind: 'town', sortOrder: 0 },
    ],
    submissions: [
      { year: 2024, unitId: 't', status: 'submitted', late: false },
      { year: 2024, unitId: 's', status: 'submitted', late: true },
      { year: 2024, unitId: 'd', status: 'pending', late: false },
      { year: 2025, unitId: 't', status: 'submitted', late: false },
      { year: 2025, unitId: 's', status: 'withdrawn', late: false },
      // 县发改局 had no submission row in 2025 (added to the directory later, say)
    ],
    themes: [
      { year: 2024, unitId: 't', themeId: 't1', reviewStatus: 'approved', forms: ['survey', 'forum'], summary: full, rank: { rank: 4, tied: false } },
      { year: 2024, unitId: 't', themeId: 't2', reviewStatus: 'approved', forms: ['forum'], summary: { ...full, logoPhoto: false, links: 2 }, rank: { rank: 2, tied: true } },
      { year: 2024, unitId: 't', themeId: 't3', reviewStatus: 'rejected', forms: ['policy'], summary: null },
      { year: 2024, unitId: 's', themeId: 's1', reviewStatus: 'approved', forms: ['policy'], summary: { ...full, status: 'draft' } },
      { year: 2024, unitId: 's', themeId: 's2', reviewStatus: 'approved', forms: ['observe'], summary: { ...full, heldDates: 0, photos: 0 } },
      { year: 2025, unitId: 't', themeId: 't4', reviewStatus: 'pending', forms: ['survey'], summary: null },
      // a withdrawn declaration's stray theme never counts
      { year: 2025, unitId: 's', themeId: 's3', reviewStatus: 'approved', forms: ['survey'], summary: full },
    ],
  };
}

describe('computeHistory', () => {
  const h = computeHistory(input());

  it('one row per participating unit and year, in directory order', () => {
    expect(h.years).toEqual([2024, 2025]);
    expect(h.rows.map((r) => `${r.unitName}:${r.year}`)).toEqual(['黄兴镇:2024', '黄兴镇:2025', '星沙街道:2024', '星沙街道:2025', '县发改局:2024', '县发改局:2025']);
  });

  it('counts themes, approval, held, complete summaries, links and the best rank per unit-year', () => {
    const t24 = h.rows.find((r) => r.unitId === 't' && r.year === 2024)!;
    expect(t24).toMatchObject({ outcome: 'on_time', kindLabel: '镇', themes: 3, approved: 2, held: 2, summariesComplete: 1, links: 5, bestRank: { rank: 2, tied: true } });
    expect(bestRankLabel(t24.bestRank)).toBe('2（并列）');
    const s24 = h.rows.find((r) => r.unitId === 's' && r.year === 2024)!;
    // a draft summary is neither held nor counted for links; held needs dates
    expect(s24).toMatchObject({ outcome: 'late', themes: 2, approved: 2, held: 0, summariesComplete: 0, links: 3 });
    expect(s24.bestRank).toBeUndefined();
    expect(bestRankLabel(s24.bestRank)).toBe('—');
    expect(bestRankLabel({ rank: 3, tied: false, provisional: true })).toBe('3（暂定）');
    expect(bestRankLabel({ rank: 2, tied: true, provisional: true })).toBe('2（并列）（暂定）');
    expect(h.rows.find((r) => r.unitId === 's' && r.year === 2025)).toMatchObject({ outcome: 'not_submitted', themes: 0, approved: 0, links: 0 });
    expect(h.rows.find((r) => r.unitId === 'd' && r.year === 2024)).toMatchObject({ outcome: 'not_submitted', themes: 0 });
    expect(h.rows.find((r) => r.unitId === 'd' && r.year === 2025)).toMatchObject({ outcome: 'absent', themes: 0 });
  });

  it('totals per year, by form and on-time rate per unit kind', () => {
    const [y24, y25] = h.totals;
    expect(y24).toMatchObject({ year: 2024, units: 3, onTime: 1, late: 1, notSubmitted: 1, themes: 5, approved: 4, held: 2, summariesComplete: 1, links: 8, ranked: 1 });
    expect(Object.fromEntries(y24!.byForm.map((f) => [f.label, f.count]))).toEqual({ 实地调研: 1, 现场观摩: 1, 座谈交流: 2, 政策发布: 1, 问卷调查: 0 });
    expect(y24!.byKind).toEqual([
      { kind: 'town', label: '镇', units: 1, onTime: 1, rate: 100 },
      { kind: 'street', label: '街道', units: 1, onTime: 0, rate: 0 },
      { kind: 'department', label: '县直部门', units: 1, onTime: 0, rate: 0 },
    ]);
    // the absent unit is not in 2025's denominator
    expect(y25).toMatchObject({ year: 2025, units: 2, onTime: 1, late: 0, notSubmitted: 1, themes: 1, approved: 0 });
    expect(y25!.byForm.every((f) => f.count === 0)).toBe(true);
    expect(y25!.byKind.map((k) => [k.label, k.rate])).toEqual([
      ['镇', 100],
      ['街道', 0],
    ]);
  });

  it('an empty database gives an empty history', () => {
    expect(computeHistory({ years: [], units: [], submissions: [], themes: [] })).toEqual({ years: [], rows: [], totals: [] });
  });

  it('rates round to one decimal', () => {
    const units = [1, 2, 3].map((i) => ({ id: `u${i}`, name: `单位${i}`, kind: 'town', sortOrder: i }));
    const r = computeHistory({ years: [2026], units, submissions: units.map((u, i) => ({ year: 2026, unitId: u.id, status: 'submitted', late: i === 0 })), themes: [] });
    expect(r.totals[0]!.byKind[0]!.rate).toBe(66.7);
  });
});
