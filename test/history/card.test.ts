// The 年度对比 card: county scale (60 units × 3 years) within Feishu's limits, charts a phone can
// draw, the figures in the table, user text inert.
import { describe, expect, it } from 'vitest';
import { validateCard } from '../../src/emulator/card-schema.ts';
import { chartSpecProblems } from '../../src/emulator/workspace/public/card-logic.js';
import { chartsIn, MAX_CHARTS_PER_CARD } from '../../cards/chart.ts';
import { buildHistoryCard, HISTORY_CARD_YEARS } from '../../cards/history.ts';
import { computeHistory, type HistoryInput } from '../../src/domain/history.ts';
import { markdownToPlainText } from '../../src/emulator/workspace/public/markdown.js';

const KINDS = ['town', 'street', 'department'];

/** A county: `units` units over `years`, with varied outcomes, up to 10 themes each, summaries and ranks. */
function county(units: number, years: number[]): HistoryInput {
  const input: HistoryInput = { years, units: [], submissions: [], themes: [] };
  for (let i = 0; i < units; i++) {
    input.units.push({ id: `u${i}`, name: `${i === 0 ? '*星沙*<at id=all>' : '长沙县第'}${i}个单位名称较长的县直部门`, kind: KINDS[i % 3]!, sortOrder: i });
    for (const [yi, year] of years.entries()) {
      const status = (i + yi) % 9 === 0 ? 'pending' : 'submitted';
      input.submissions.push({ year, unitId: `u${i}`, status, late: (i + yi) % 7 === 0 });
      for (let k = 0; k < 10; k++) {
        input.themes.push({
          year,
          unitId: `u${i}`,
          themeId: `t${year}_${i}_${k}`,
          reviewStatus: k % 4 === 3 ? 'returned' : 'approved',
          forms: [['survey', 'observe', 'forum', 'policy', 'questionnaire'][(i + k) % 5]!],
          summary: k % 3 === 0 ? null : { status: 'submitted', heldDates: 1, photos: k % 2, logoPhoto: true, links: 2 },
          ...(k === 0 ? { rank: { rank: 1 + (i % 40), tied: i % 40 === 5 } } : {}),
        });
      }
    }
  }
  return input;
}

const bytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v), 'utf8');

describe('history card', () => {
  it('at county scale: valid, ≤ 5 charts phones can draw, under 30 KB and 200 components', () => {
    const card = buildHistoryCard(computeHistory(county(60, [2024, 2025, 2026])), { generatedAtText: '2026-12-04 10:00' });
    const v = validateCard(card);
    expect(v.ok, v.ok ? '' : v.message).toBe(true);
    const charts = chartsIn(card.body.elements);
    expect(charts.length).toBeGreaterThanOrEqual(3);
    expect(charts.length).toBeLessThanOrEqual(MAX_CHARTS_PER_CARD);
    for (const c of charts) expect(chartSpecProblems(c.chart_spec)).toEqual([]);
    // Feishu rejects a send request body over 30 KB: the card itself stays well below.
    expect(bytes(card)).toBeLessThan(24 * 1024);
    expect(card.body.elements.length).toBeLessThan(40);
    const text = JSON.stringify(card);
    expect(text).not.toContain('<at id=all>');
    expect(text).toContain('&#42;星沙&#42;&lt;at id=all&gt;');
    expect(text).toContain('等 ');
    // Bold ends before the full-width colon, else CommonMark (and Feishu) print the asterisks.
    const md = card.body.elements.filter((e) => e.tag === 'markdown').map((e) => markdownToPlainText(e.content as string, () => ''));
    expect(md.length).toBeGreaterThan(4);
    for (const line of md) expect(line).not.toContain('**');
  });

  it('shows the yearly figures in the table and the charts', () => {
    const input: HistoryInput = {
      years: [2025, 2026],
      units: [
        { id: 'a', name: '黄兴镇', kind: 'town', sortOrder: 1 },
        { id: 'b', name: '星沙街道', kind: 'street', sortOrder: 2 },
      ],
      submissions: [
        { year: 2025, unitId: 'a', status: 'submitted', late: false },
        { year: 2025, unitId: 'b', status: 'submitted', late: true },
        { year: 2026, unitId: 'a', status: 'pending', late: false },
        { year: 2026, unitId: 'b', status: 'submitted', late: false },
      ],
      themes: [
        { year: 2025, unitId: 'a', themeId: '1', reviewStatus: 'approved', forms: ['forum'], summary: { status: 'submitted', heldDates: 1, photos: 1, logoPhoto: true, links: 2 }, rank: { rank: 1, tied: false } },
        { year: 2025, unitId: 'b', themeId: '2', reviewStatus: 'approved', forms: ['policy'], summary: null, rank: { rank: 2, tied: false } },
        { year: 2026, unitId: 'b', themeId: '3', reviewStatus: 'approved', forms: ['policy', 'survey'], summary: null },
      ],
    };
    const card = buildHistoryCard(computeHistory(input), { generatedAtText: '2026-12-04 10:00' });
    expect(card.header?.title.content).toBe('年度对比 · 2025–2026年');
    const tableEl = card.body.elements.find((e) => e.tag === 'table') as unknown as { rows: Record<string, string>[] };
    const row = (m: string) => tableEl.rows.find((r) => r.metric === m);
    expect(row('按时提交')).toEqual({ metric: '按时提交', y2025: '1', y2026: '1' });
    expect(row('按时率')).toEqual({ metric: '按时率', y2025: '50%', y2026: '50%' });
    expect(row('逾期提交')).toMatchObject({ y2025: '1', y2026: '0' });
    expect(row('审核通过')).toMatchObject({ y2025: '2', y2026: '1' });
    expect(row('已举办')).toMatchObject({ y2025: '1', y2026: '0' });
    expect(row('宣传链接')).toMatchObject({ y2025: '2', y2026: '0' });
    // One page: Feishu's table shows at most ten rows a page.
    expect(tableEl.rows.length).toBeLessThanOrEqual(10);
    const text = JSON.stringify(card);
    expect(text).toContain('较2025年退步（按时 → 逾期或未提交，1）**：黄兴镇');
    expect(text).toContain('较2025年进步（转为按时提交，1）**：星沙街道');
    expect(text).toContain('2025年评选前三名**：黄兴镇（1）、星沙街道（2）');
    const [activities, forms, onTime] = chartsIn(card.body.elements).map((c) => (c.chart_spec as { data: { values: Record<string, unknown>[] }[] }).data[0]!.values);
    expect(activities).toContainEqual({ category: '2025年', series: '审核通过', value: 2 });
    expect(forms).toContainEqual({ category: '2026年', series: '政策发布', value: 1 });
    expect(onTime).toContainEqual({ category: '镇', series: '2026年', value: 0 });
    expect(onTime).toContainEqual({ category: '街道', series: '2026年', value: 100 });
  });

  it('keeps to the latest years and says so; an empty history is a plain notice', () => {
    const years = [2020, 2021, 2022, 2023, 2024, 2025, 2026];
    const card = buildHistoryCard(computeHistory(county(10, years)), { generatedAtText: 'x' });
    expect(validateCard(card).ok).toBe(true);
    expect(card.header?.title.content).toBe(`年度对比 · ${years[years.length - HISTORY_CARD_YEARS]}–2026年`);
    expect(JSON.stringify(card)).toContain(`卡片只显示最近 ${HISTORY_CARD_YEARS} 个年度`);
    const empty = buildHistoryCard(computeHistory({ years: [], units: [], submissions: [], themes: [] }), { generatedAtText: 'x' });
    expect(validateCard(empty).ok).toBe(true);
    expect(JSON.stringify(empty)).toContain('暂无可对比的数据');
  });
});
