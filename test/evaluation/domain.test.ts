// The evaluation's arithmetic, checked against numbers computed by hand.
import { describe, expect, it } from 'vitest';
import { aggregate, DEFAULT_CRITERIA, evaluationWindowOpen, parseCriteria, parseScores, rank, rankLabel, topN, weightedTotal, type Criterion } from '../../src/domain/evaluation.ts';

const sheet = (a: number, b: number, c: number, d: number) => ({ theme_fit: a, openness: b, publicity: c, outcome: d });

describe('weighted totals', () => {
  it('default rubric: 4 × (score / 10 × 25) = 2.5 × sum of scores', () => {
    expect(DEFAULT_CRITERIA.reduce((s, c) => s + c.weight, 0)).toBe(100);
    expect(weightedTotal(sheet(9, 9, 8, 8), DEFAULT_CRITERIA)).toBe(85);
    expect(weightedTotal(sheet(10, 9, 9, 9), DEFAULT_CRITERIA)).toBe(92.5);
    expect(weightedTotal(sheet(10, 10, 10, 10), DEFAULT_CRITERIA)).toBe(100);
  });

  it('unequal weights and maxima: 8/10×40 + 6/10×30 + 4/5×20 + 50/100×10 = 32 + 18 + 16 + 5 = 71', () => {
    const criteria: Criterion[] = [
      { key: 'a', name: 'A', description: '', weight: 40, maxScore: 10, sortOrder: 1 },
      { key: 'b', name: 'B', description: '', weight: 30, maxScore: 10, sortOrder: 2 },
      { key: 'c', name: 'C', description: '', weight: 20, maxScore: 5, sortOrder: 3 },
      { key: 'd', name: 'D', description: '', weight: 10, maxScore: 100, sortOrder: 4 },
    ];
    expect(weightedTotal({ a: 8, b: 6, c: 4, d: 50 }, criteria)).toBeCloseTo(71, 10);
  });

  it('an incomplete sheet has no total', () => {
    expect(weightedTotal({ theme_fit: 9, openness: 9, publicity: 8 }, DEFAULT_CRITERIA)).toBeUndefined();
  });
});

describe('trimmed mean', () => {
  it('five judges: drop 70 and 92.5, mean of 80, 85, 85 = 83.33', () => {
    const a = aggregate([85, 92.5, 70, 80, 85]);
    expect(a.trimmed).toBe(true);
    expect(a.dropped).toEqual({ low: 70, high: 92.5 });
    expect(a.final).toBe(83.33);
  });
  it('four judges: plain mean of 90, 80, 70, 60 = 75', () => {
    const a = aggregate([90, 80, 70, 60]);
    expect(a.trimmed).toBe(false);
    expect(a.final).toBe(75);
  });
  it('a repeated extreme is dropped once: 80, 80, 80, 90, 90 → mean(80, 80, 90) = 83.33', () => {
    expect(aggregate([80, 80, 80, 90, 90]).final).toBe(83.33);
  });
  it('no totals: no score', () => {
    expect(aggregate([]).final).toBeUndefined();
  });
});

describe('ranking', () => {
  it('ties share a rank and are reported; the next rank skips (1, 1, 3)', () => {
    const r = rank([{ id: 'C', final: 75 }, { id: 'A', final: aggregate([85, 92.5, 70, 80, 85]).final }, { id: 'B', final: aggregate([75, 80, 85, 85, 100]).final }, { id: 'D' }]);
    expect(r.map((x) => [x.id, x.rank, x.tied])).toEqual([
      ['A', 1, true],
      ['B', 1, true],
      ['C', 3, false],
      ['D', undefined, false],
    ]);
    expect(rankLabel(r[0]!)).toBe('1（并列）');
    expect(rankLabel(r[2]!)).toBe('3');
    expect(rankLabel(r[3]!)).toBe('—');
    expect(topN(r, 1)).toEqual(['A', 'B']);
    expect(topN(r, 3)).toEqual(['A', 'B', 'C']);
  });
});

describe('score and rubric validation', () => {
  it('scores: range, half-point steps, missing, Chinese messages', () => {
    expect(parseScores({ theme_fit: '9', openness: '8.5', publicity: '0', outcome: '10' }, DEFAULT_CRITERIA)).toEqual({ ok: true, scores: { theme_fit: 9, openness: 8.5, publicity: 0, outcome: 10 } });
    // Typed in a Chinese input method's full-width mode.
    expect(parseScores({ theme_fit: '９', openness: '８．５', publicity: '０', outcome: '１０' }, DEFAULT_CRITERIA)).toEqual({ ok: true, scores: { theme_fit: 9, openness: 8.5, publicity: 0, outcome: 10 } });
    const bad = parseScores({ theme_fit: '11', openness: '8.3', publicity: '', outcome: 'abc' }, DEFAULT_CRITERIA);
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.errors.theme_fit).toContain('0–10');
      expect(bad.errors.openness).toContain('0.5');
      expect(bad.errors.publicity).toContain('请为');
      expect(bad.errors.outcome).toContain('数字');
    }
    // a negative number is out of range, not "not a number"
    const negative = parseScores({ theme_fit: '-1', openness: '8', publicity: '8', outcome: '8' }, DEFAULT_CRITERIA);
    expect(negative.ok || negative.errors.theme_fit).toBe('“主题契合度”应在 0–10 之间');
  });
  it('criteria: weights must add up to 100; keys kept by name', () => {
    const bad = parseCriteria(
      [
        { name: '主题契合度', weight: '30', maxScore: '10' },
        { name: '宣传', weight: '30', maxScore: '10' },
      ],
      DEFAULT_CRITERIA,
    );
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors.weight_0).toContain('100');
    const ok = parseCriteria(
      [
        { name: '主题契合度', weight: '50', maxScore: '10' },
        { name: '宣传实效', weight: '50', maxScore: '20' },
        { name: '', weight: '', maxScore: '' },
      ],
      DEFAULT_CRITERIA,
    );
    expect(ok.ok).toBe(true);
    if (ok.ok)
      expect(ok.criteria.map((c) => [c.key, c.weight, c.maxScore])).toEqual([
        ['theme_fit', 50, 10],
        ['c1', 50, 20],
      ]);
  });
  it('the evaluation opens from December of the campaign year', () => {
    expect(evaluationWindowOpen(2023, '2023-11-30')).toBe(false);
    expect(evaluationWindowOpen(2023, '2023-12-01')).toBe(true);
    expect(evaluationWindowOpen(2023, '2024-01-05')).toBe(true);
  });
});
