// Feishu's card `chart` component: a VChart `chart_spec` built from data. Pure.
// Page: https://open.feishu.cn/document/feishu-cards/card-json-v2-components/content-components/chart
//  - at most five charts a card ("单张卡片建议最多放置五个图表组件"); no JavaScript in the spec (JSON only);
//  - phones cannot draw textures, conical gradients, grid word clouds, repeated extension images or svg
//    mark backgrounds — the builders never emit them (the workspace's `chartSpecProblems` names any,
//    and fails such a chart on phone widths as Feishu does);
//  - `aspect_ratio` 1:1 | 2:1 | 4:3 | 16:9 (default 16:9 on desktop, 1:1 on phones) or a fixed `height`
//    of 1–999px, which then wins over the ratio.
import type { CardElement } from './kit.ts';

export const MAX_CHARTS_PER_CARD = 5;

export type ChartAspectRatio = '1:1' | '2:1' | '4:3' | '16:9';

export interface ChartBox {
  /** A fixed height in px (1–999): the same on desktop and phones. */
  heightPx?: number;
  aspectRatio?: ChartAspectRatio;
}

export interface BarDatum {
  category: string;
  value: number;
  /** Stack or group name; bars without one form a single series. */
  series?: string;
}

export interface BarChartOptions extends ChartBox {
  title?: string;
  data: BarDatum[];
  /** Series stacked in one bar per category (else side by side). */
  stacked?: boolean;
  /** Colours by series name (fixed meaning, e.g. 已提交 green); else Feishu's colour theme. */
  seriesColors?: Record<string, string>;
  /** Categories in this order (else first appearance). */
  categories?: string[];
}

export interface PieDatum {
  category: string;
  value: number;
}

export interface PieChartOptions extends ChartBox {
  title?: string;
  data: PieDatum[];
  /** Ring instead of a full pie. */
  donut?: boolean;
}

function box(o: ChartBox): Record<string, unknown> {
  if (o.heightPx !== undefined) {
    const h = Math.round(o.heightPx);
    if (!(h >= 1 && h <= 999)) throw new RangeError(`chart height must be 1–999px, got ${o.heightPx}`);
    return { height: `${h}px` };
  }
  return o.aspectRatio ? { aspect_ratio: o.aspectRatio } : {};
}

function title(text: string | undefined): Record<string, unknown> {
  return text ? { title: { visible: true, text, textStyle: { fontSize: 14 } } } : {};
}

function finite(value: number): number {
  return Number.isFinite(value) ? value : 0;
}

/** A bar chart: one bar per category, optionally split by series (stacked or grouped). */
export function barChart(o: BarChartOptions): CardElement {
  const categories = o.categories ?? [...new Set(o.data.map((d) => d.category))];
  const seriesNames = [...new Set(o.data.map((d) => d.series).filter((s): s is string => s !== undefined))];
  const multi = seriesNames.length > 0;
  // VChart draws the band axis in data order: sort the rows by the wanted category order.
  const order = (c: string): number => {
    const i = categories.indexOf(c);
    return i < 0 ? categories.length : i;
  };
  // A stacked segment of 0 would only print a stray "0" label inside its neighbour.
  const values = o.data
    .filter((d) => !(o.stacked && multi && finite(d.value) === 0))
    .sort((a, b) => order(a.category) - order(b.category))
    .map((d) => ({ category: d.category, value: finite(d.value), ...(multi ? { series: d.series ?? '' } : {}) }));
  const spec: Record<string, unknown> = {
    type: 'bar',
    data: [{ id: 'values', values }],
    xField: multi && !o.stacked ? ['category', 'series'] : 'category',
    yField: 'value',
    ...(multi ? { seriesField: 'series', stack: o.stacked === true } : {}),
    ...title(o.title),
    axes: [
      // Every category keeps its label (VChart would thin them out on a phone-width chart).
      { orient: 'bottom', type: 'band', sampling: false },
      { orient: 'left', type: 'linear', min: 0, tick: { noDecimals: true } },
    ],
    // A stacked segment too short for its number: VChart's default moves the label out, onto the
    // next segment, where it reads as that colour's count (found in a Chromium pass: 街道's "3"
    // submitted sat on its red 未提交 part). Labels stay centred on their own segment and one that
    // collides with another is hidden; the table under the chart has every count.
    label: o.stacked ? { visible: true, position: 'inside', overlap: { hideOnHit: true, avoidBaseMark: false, strategy: [] } } : { visible: true, position: 'top' },
    legends: { visible: multi, orient: 'bottom' },
  };
  if (o.seriesColors && multi) {
    spec.color = { type: 'ordinal', domain: seriesNames, range: seriesNames.map((s) => o.seriesColors?.[s] ?? '#3370ff') };
  }
  return { tag: 'chart', ...box(o), chart_spec: spec };
}

/** A pie (or ring) chart of shares. */
export function pieChart(o: PieChartOptions): CardElement {
  const spec: Record<string, unknown> = {
    type: 'pie',
    data: [{ id: 'values', values: o.data.map((d) => ({ category: d.category, value: finite(d.value) })) }],
    categoryField: 'category',
    valueField: 'value',
    outerRadius: 0.8,
    ...(o.donut ? { innerRadius: 0.5 } : {}),
    ...title(o.title),
    label: { visible: true },
    legends: { visible: true, orient: 'bottom' },
  };
  return { tag: 'chart', ...box(o), chart_spec: spec };
}

/** Every chart component in a card's element tree. */
export function chartsIn(elements: unknown): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(walk);
      return;
    }
    if (!node || typeof node !== 'object') return;
    const rec = node as Record<string, unknown>;
    if (rec.tag === 'chart') {
      found.push(rec);
      return;
    }
    for (const key of ['elements', 'columns']) if (key in rec) walk(rec[key]);
  };
  walk(elements);
  return found;
}
