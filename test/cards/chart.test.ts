// Charts in cards: the pure builder makes Feishu `chart` elements (a VChart chart_spec), and the progress
// and evaluation cards carry them within Feishu's limits (≤ 5 charts, nothing phones cannot draw), valid
// for the emulator's Card JSON 2.0 validator.
import { describe, expect, it } from 'vitest';
import { validateCard } from '../../src/emulator/card-schema.ts';
import { summarizeProgress } from '../../src/domain/submission-progress.ts';
import { barChart, chartsIn, MAX_CHARTS_PER_CARD, pieChart } from '../../cards/chart.ts';
import { chartSpecProblems } from '../../src/emulator/workspace/public/card-logic.js';
import { buildProgressCard } from '../../cards/progress.ts';
import { evaluationProgressCard, scoreDistributionChart, type RankingRow } from '../../cards/evaluation.ts';
import { card } from '../../cards/kit.ts';
import { countyProgress } from './county-progress.ts';

type Spec = { type: string; data: { values: Record<string, unknown>[] }[]; [k: string]: unknown };
const specOf = (chart: Record<string, unknown>): Spec => chart.chart_spec as Spec;

describe('chart builder', () => {
  it('builds a stacked bar chart with categories in the given order and fixed series colours', () => {
    const chart = barChart({
      title: 't',
      stacked: true,
      heightPx: 240,
      categories: ['镇', '街道'],
      seriesColors: { 已提交: '#34c724', 未提交: '#f54a45' },
      data: [
        { category: '街道', series: '已提交', value: 3 },
        { category: '镇', series: '已提交', value: 10 },
        { category: '镇', series: '未提交', value: 2 },
      ],
    });
    expect(chart).toMatchObject({ tag: 'chart', height: '240px' });
    const spec = specOf(chart);
    expect(spec).toMatchObject({ type: 'bar', xField: 'category', yField: 'value', seriesField: 'series', stack: true });
    expect(spec.data[0]?.values.map((v) => v.category)).toEqual(['镇', '镇', '街道']);
    expect(spec.color).toEqual({ type: 'ordinal', domain: ['已提交', '未提交'], range: ['#34c724', '#f54a45'] });
    // A number never moves off its own segment (onto another colour); a colliding one is hidden.
    expect((spec as { label?: unknown }).label).toEqual({ visible: true, position: 'inside', overlap: { hideOnHit: true, avoidBaseMark: false, strategy: [] } });
    expect(chartSpecProblems(spec)).toEqual([]);
    const withZero = specOf(
      barChart({
        stacked: true,
        data: [
          { category: '镇', series: '已提交', value: 0 },
          { category: '镇', series: '未提交', value: 4 },
        ],
      }),
    );
    expect(withZero.data[0]?.values).toEqual([{ category: '镇', series: '未提交', value: 4 }]);
  });

  it('groups series side by side unless stacked, and builds pies and rings', () => {
    const grouped = specOf(
      barChart({
        data: [
          { category: 'a', series: 's1', value: 1 },
          { category: 'a', series: 's2', value: 2 },
        ],
      }),
    );
    expect(grouped.xField).toEqual(['category', 'series']);
    const pie = pieChart({
      title: '形式',
      donut: true,
      aspectRatio: '4:3',
      data: [
        { category: '座谈', value: 3 },
        { category: '调研', value: Number.NaN },
      ],
    });
    expect(pie).toMatchObject({ tag: 'chart', aspect_ratio: '4:3', chart_spec: { type: 'pie', categoryField: 'category', valueField: 'value', innerRadius: 0.5 } });
    expect(specOf(pie).data[0]?.values[1]).toEqual({ category: '调研', value: 0 });
    expect(() => barChart({ data: [], heightPx: 1000 })).toThrow(RangeError);
  });

  it('names what Feishu refuses or phones cannot draw', () => {
    expect(chartSpecProblems({ type: 'bar', bar: { style: { texture: 'circle' } } })).toEqual(['bar.style.texture: textures do not render on phones']);
    expect(chartSpecProblems({ type: 'bar', bar: { style: { fill: { gradient: 'conical' } } } })[0]).toContain('conical');
    expect(chartSpecProblems({ type: 'wordCloud', wordCloudConfig: { layoutMode: 'grid' } })[0]).toContain('grid');
    expect(chartSpecProblems({ type: 'bar', label: { formatMethod: () => 'x' } })[0]).toContain('JavaScript');
    expect(chartSpecProblems({ type: 'bar', bar: { style: { background: 'data:image/svg+xml;base64,AAAA' } } })[0]).toContain('svg');
    expect(chartSpecProblems({})).toEqual(['chart_spec needs a chart type']);
  });

  it('the emulator accepts up to five charts a card and refuses a sixth', () => {
    const charts = (n: number) => Array.from({ length: n }, (_, i) => barChart({ data: [{ category: `c${i}`, value: i }] }));
    expect(validateCard(card({ title: 'x', elements: charts(MAX_CHARTS_PER_CARD) }))).toEqual({ ok: true });
    const refused = validateCard(card({ title: 'x', elements: charts(MAX_CHARTS_PER_CARD + 1) }));
    expect(refused.ok).toBe(false);
  });
});

describe('cards with charts', () => {
  it('the progress card charts submitted vs not by unit kind (county scale, 60 units)', () => {
    const { snap, card: built } = countyProgress();
    expect(validateCard(built)).toEqual({ ok: true });
    const charts = chartsIn(built.body.elements);
    expect(charts).toHaveLength(1);
    const spec = specOf(charts[0]!);
    expect(chartSpecProblems(spec)).toEqual([]);
    // Side by side with each count on top: a few submitted units never put a number on the red.
    expect(spec).toMatchObject({ stack: false, xField: ['category', 'series'], label: { visible: true, position: 'top' } });
    const values = spec.data[0]!.values;
    const count = (label: string, series: string): number => (values.find((v) => v.category === label && v.series === series)?.value as number | undefined) ?? 0;
    for (const g of snap.byKind.filter((k) => k.total > 0)) {
      expect(count(g.label, '已提交')).toBe(g.submitted);
      expect(count(g.label, '未提交')).toBe(g.total - g.submitted);
    }
    expect(values.map((v) => v.category)).toEqual(expect.arrayContaining(['镇', '街道', '县直部门']));
    expect(values.reduce((n, v) => n + (v.value as number), 0)).toBe(60);
    // Both series for every kind, a zero included, so the legend keeps its order.
    expect(values).toHaveLength(snap.byKind.filter((k) => k.total > 0).length * 2);
  });

  it('the progress card has no chart before there are units', () => {
    const snap = summarizeProgress({ id: 'c1', year: 2026, title: 't', status: 'collecting', deadline: '2026-04-07' }, []);
    expect(chartsIn(buildProgressCard(snap, { updatedAtText: 'x', deadlineText: 'y' }).body.elements)).toEqual([]);
  });

  it('the evaluation results card charts the score distribution (75 scored activities)', () => {
    const ranking: RankingRow[] = Array.from({ length: 80 }, (_, i) => ({
      themeId: `t${i}`,
      rankLabel: `第${i + 1}名`,
      unitName: `单位${i}`,
      title: `活动${i}`,
      judges: 5,
      trimmed: true,
      ...(i < 75 ? { final: 50 + (i % 51) } : {}),
    }));
    const built = evaluationProgressCard({
      year: 2026,
      statusLabel: '评分中',
      criteria: [{ key: 'k', name: '创新性', weight: 100, maxScore: 10, description: '', sortOrder: 1 }],
      judges: [{ name: '评委', unitName: '县委办', scored: 75, eligible: 80 }],
      ranking,
      defaultWinners: [],
      winners: [],
      canConfirm: true,
    });
    expect(validateCard(built)).toEqual({ ok: true });
    // 评委数 says how many scores count once the highest and lowest are dropped.
    const ranked = built.body.elements.find((e) => e.tag === 'table' && (e.columns as { name: string }[]).some((c) => c.name === 'rank')) as unknown as { rows: Record<string, string>[] };
    expect(ranked.rows[0]!.n).toBe('5（计 3）');
    const charts = chartsIn(built.body.elements);
    expect(charts.length).toBeGreaterThan(0);
    expect(charts.length).toBeLessThanOrEqual(MAX_CHARTS_PER_CARD);
    const values = specOf(charts[0]!).data[0]!.values;
    expect(values.map((v) => v.category)).toEqual(['60 以下', '60–69', '70–79', '80–89', '90–100']);
    expect(values.reduce((n, v) => n + (v.value as number), 0)).toBe(75);
    const expected = [0, 0, 0, 0, 0];
    for (let i = 0; i < 75; i += 1) {
      const f = 50 + (i % 51);
      expected[f < 60 ? 0 : f < 70 ? 1 : f < 80 ? 2 : f < 90 ? 3 : 4]! += 1;
    }
    expect(values.map((v) => v.value)).toEqual(expected);
    expect(scoreDistributionChart(ranking.slice(75))).toBeNull();
  });
});
