// `年度对比`: the county's campaign years side by side. Charts (Feishu `chart`, see cards/chart.ts)
// for activities per year, per 活动形式 and the on-time rate per unit kind; a compact table of the
// yearly figures; and the units worth a word, summarised (names capped) so the card stays within
// Feishu's limits at county scale. Every unit-year row is in `export history` (XLSX).
import { bestRankLabel, type History, type UnitYear, type YearTotals } from '../src/domain/history.ts';
import { barChart, MAX_CHARTS_PER_CARD } from './chart.ts';
import { downloadElements, type DownloadLink } from './download.ts';
import { button, buttonRow, card, escapeMarkdown, field, hr, markdown, note, strong, table, type CardElement, type CardJson } from './kit.ts';
import { historyActions } from './actions.ts';

/** Years shown on the card (the latest ones); the export has them all. */
export const HISTORY_CARD_YEARS = 5;
/** Names listed per line before "等 N 个". */
export const HISTORY_NAMES_SHOWN = 12;

export interface HistoryCardOptions {
  /** e.g. '2026-12-04 10:15' */
  generatedAtText: string;
  /** the export the card's button produced (after it is built) */
  downloads?: DownloadLink[];
}

const yearLabel = (y: number): string => `${y}年`;

function names(list: string[]): string {
  if (list.length === 0) return '无';
  const shown = list.slice(0, HISTORY_NAMES_SHOWN).map(escapeMarkdown).join('、');
  return list.length > HISTORY_NAMES_SHOWN ? `${shown} 等 ${list.length} 个` : shown;
}

function pct(part: number, whole: number): string {
  return whole === 0 ? '—' : `${Math.round((part / whole) * 100)}%`;
}

function activitiesChart(totals: YearTotals[]): CardElement {
  const series: [string, (t: YearTotals) => number][] = [
    ['申报主题', (t) => t.themes],
    ['审核通过', (t) => t.approved],
    ['已举办', (t) => t.held],
    ['总结完整', (t) => t.summariesComplete],
  ];
  return barChart({
    title: '活动数量（按年度）',
    heightPx: 260,
    categories: totals.map((t) => yearLabel(t.year)),
    data: totals.flatMap((t) => series.map(([name, f]) => ({ category: yearLabel(t.year), series: name, value: f(t) }))),
  });
}

function formsChart(totals: YearTotals[]): CardElement {
  // Years as categories (short labels that fit a phone), one bar per form.
  return barChart({
    title: '审核通过的活动：按活动形式',
    heightPx: 260,
    categories: totals.map((t) => yearLabel(t.year)),
    data: totals.flatMap((t) => t.byForm.map((f) => ({ category: yearLabel(t.year), series: f.label, value: f.count }))),
  });
}

function onTimeChart(totals: YearTotals[]): CardElement {
  const kinds = [...new Map(totals.flatMap((t) => t.byKind.map((k) => [k.kind, k.label] as const))).values()];
  return barChart({
    title: '按时提交率（%）：按单位类别',
    heightPx: 240,
    categories: kinds,
    data: totals.flatMap((t) => t.byKind.map((k) => ({ category: k.label, series: yearLabel(t.year), value: k.rate }))),
  });
}

function outcomesChart(totals: YearTotals[]): CardElement {
  return barChart({
    title: '申报提交情况（单位数）',
    heightPx: 220,
    stacked: true,
    categories: totals.map((t) => yearLabel(t.year)),
    seriesColors: { 按时: '#34c724', 逾期: '#ff8800', 未提交: '#f54a45' },
    data: totals.flatMap((t) => [
      { category: yearLabel(t.year), series: '按时', value: t.onTime },
      { category: yearLabel(t.year), series: '逾期', value: t.late },
      { category: yearLabel(t.year), series: '未提交', value: t.notSubmitted },
    ]),
  });
}

/** Metrics as rows (labels ≤ 5 characters, one page of ten), years as columns: three years fit a phone unscrolled. */
function figuresTable(totals: YearTotals[]): CardElement {
  const metrics: [string, (t: YearTotals) => string | number][] = [
    ['应报单位', (t) => t.units],
    ['按时提交', (t) => t.onTime],
    ['按时率', (t) => pct(t.onTime, t.units)],
    ['逾期提交', (t) => t.late],
    ['未提交', (t) => t.notSubmitted],
    ['申报主题', (t) => t.themes],
    ['审核通过', (t) => t.approved],
    ['已举办', (t) => t.held],
    ['总结完整', (t) => t.summariesComplete],
    ['宣传链接', (t) => t.links],
  ];
  return table(
    [{ name: 'metric', display_name: '指标', width: '80px' }, ...totals.map((t) => ({ name: `y${t.year}`, display_name: yearLabel(t.year) }))],
    metrics.map(([label, f]) => ({ metric: label, ...Object.fromEntries(totals.map((t) => [`y${t.year}`, String(f(t))])) })),
    metrics.length,
  );
}

/** The units worth a word between the last two years, and the latest evaluation's top ranks. */
function unitLines(rows: UnitYear[], years: number[]): CardElement[] {
  const latest = years[years.length - 1];
  if (latest === undefined) return [];
  const previous = years[years.length - 2];
  const of = (y: number | undefined) => new Map(rows.filter((r) => r.year === y).map((r) => [r.unitId, r]));
  const now = of(latest);
  const before = of(previous);
  const lines: string[] = [];
  const missing = [...now.values()].filter((r) => r.outcome === 'not_submitted').map((r) => r.unitName);
  lines.push(field(`${latest}年未提交（${missing.length}）`, names(missing)));
  const late = [...now.values()].filter((r) => r.outcome === 'late').map((r) => r.unitName);
  if (late.length > 0) lines.push(field(`${latest}年逾期（${late.length}）`, names(late)));
  if (previous !== undefined) {
    const slipped = [...now.values()].filter((r) => before.get(r.unitId)?.outcome === 'on_time' && (r.outcome === 'late' || r.outcome === 'not_submitted')).map((r) => r.unitName);
    const improved = [...now.values()].filter((r) => r.outcome === 'on_time' && ['late', 'not_submitted'].includes(before.get(r.unitId)?.outcome ?? '')).map((r) => r.unitName);
    lines.push(field(`较${previous}年退步（按时 → 逾期或未提交，${slipped.length}）`, names(slipped)));
    lines.push(field(`较${previous}年进步（转为按时提交，${improved.length}）`, names(improved)));
  }
  const everyYear = [...new Set(rows.map((r) => r.unitId))].filter((id) => years.every((y) => rows.find((r) => r.unitId === id && r.year === y)?.outcome === 'on_time'));
  if (years.length > 1) lines.push(field(`${years.length} 个年度均按时提交（${everyYear.length}）`, names(everyYear.map((id) => rows.find((r) => r.unitId === id)!.unitName))));
  const rankedYear = [...years].reverse().find((y) => rows.some((r) => r.year === y && r.bestRank));
  if (rankedYear !== undefined) {
    const ranked = rows.filter((r) => r.year === rankedYear && r.bestRank && r.bestRank.rank <= 3).sort((a, b) => a.bestRank!.rank - b.bestRank!.rank);
    // Before the coordinator confirms the results, the order is the judges' so far, not a result.
    const provisional = ranked.some((r) => r.bestRank!.provisional);
    const top = ranked.map((r) => `${r.unitName}（${bestRankLabel(provisional ? { ...r.bestRank!, provisional: false } : r.bestRank)}）`);
    lines.push(field(provisional ? `${rankedYear}年评选暂列前三（评选结果尚未确认）` : `${rankedYear}年评选前三名`, names(top)));
  }
  return lines.map((l) => markdown(l));
}

export function buildHistoryCard(h: History, o: HistoryCardOptions): CardJson {
  const totals = h.totals.slice(-HISTORY_CARD_YEARS);
  const years = totals.map((t) => t.year);
  if (totals.length === 0) {
    return card({ title: '年度对比', template: 'grey', elements: [markdown('还没有已发起的主题日活动年度，暂无可对比的数据。'), note(`生成于 ${escapeMarkdown(o.generatedAtText)}`)] });
  }
  const first = years[0]!;
  const last = years[years.length - 1]!;
  const latest = totals[totals.length - 1]!;
  const prev = totals[totals.length - 2];
  const rate = (t: YearTotals) => (t.units === 0 ? 0 : (t.onTime / t.units) * 100);
  const delta = prev ? Math.round(rate(latest) - rate(prev)) : undefined;
  const charts = [activitiesChart(totals), formsChart(totals), onTimeChart(totals), outcomesChart(totals)].slice(0, MAX_CHARTS_PER_CARD);
  const shownRows = h.rows.filter((r) => years.includes(r.year));
  const elements: CardElement[] = [
    markdown(
      `${field(`${last}年`, `按时提交 ${strong(`${latest.onTime}/${latest.units}`)}`)}（${pct(latest.onTime, latest.units)}${delta === undefined ? '' : `，较${prev!.year}年${delta >= 0 ? '+' : ''}${delta} 个百分点`}）\u3000审核通过 ${strong(latest.approved)} 项\u3000已举办 ${strong(latest.held)} 项\u3000总结完整 ${strong(latest.summariesComplete)} 项\u3000宣传链接 ${strong(latest.links)} 条`,
    ),
    ...charts,
    figuresTable(totals),
    hr(),
    ...unitLines(shownRows, years),
    note(
      `口径：已举办 = 活动总结已提交且填写了举办日期；总结完整 = 总结、照片、LOGO 照片、宣传链接齐全；名次为该单位最好的一项活动。${h.years.length > totals.length ? `卡片只显示最近 ${HISTORY_CARD_YEARS} 个年度；` : ''}逐单位逐年明细见“导出 Excel”。\n生成于 ${escapeMarkdown(o.generatedAtText)}`,
    ),
    buttonRow([button('导出 Excel（逐单位逐年）', historyActions.export.value({}), { type: o.downloads?.length ? 'default' : 'primary' })]),
    ...downloadElements(o.downloads ?? []),
  ];
  return card({
    title: first === last ? `年度对比 · ${first}年` : `年度对比 · ${first}–${last}年`,
    subtitle: `${years.length} 个年度 · ${new Set(shownRows.map((r) => r.unitId)).size} 个单位`,
    template: 'wathet',
    summary: `年度对比：${last}年按时提交 ${latest.onTime}/${latest.units}`,
    elements,
  });
}
