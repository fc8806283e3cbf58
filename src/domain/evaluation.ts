// The year-end 最佳政务公开主题日活动 evaluation: rubric, score validation, aggregation and ranking. Pure.
//
// Definitions (tested with hand-computed numbers in test/evaluation/domain.test.ts):
// - A criterion c has a weight w_c > 0 and a maximum score M_c (an integer). The weights of a
//   campaign's criteria add up to 100.
// - A judge j scores activity a on every criterion: 0 ≤ s(j,a,c) ≤ M_c, in steps of 0.5.
// - The judge's weighted total is T(j,a) = Σ_c s(j,a,c) / M_c × w_c, between 0 and 100. Only a
//   complete set (every criterion scored) counts.
// - The final score F(a) of an activity with n complete totals: when n ≥ 5, the single highest and
//   the single lowest totals are dropped and F is the mean of the remaining n − 2; when 1 ≤ n < 5,
//   F is the mean of all n; with n = 0 the activity has no score and no rank.
// - F is rounded to 2 decimals; activities are ranked by the rounded F, highest first, with
//   competition ranking: equal rounded scores share a rank and are reported as 并列 (1, 2, 2, 4).
import { z } from 'zod';
import { asciiDigits } from './user-text.ts';

export interface Criterion {
  key: string;
  name: string;
  description: string;
  weight: number;
  maxScore: number;
  sortOrder: number;
}

/** Default rubric built from the plan's 活动目的 and 工作保障; equal weights, 0–10 per criterion. */
export const DEFAULT_CRITERIA: Criterion[] = [
  { key: 'theme_fit', name: '主题契合度', description: '紧扣县委县政府重大决策部署和社会关切，主题鲜明、结合主责主业', weight: 25, maxScore: 10, sortOrder: 1 },
  { key: 'openness', name: '公开属性与参与面', description: '人大代表、政协委员、专家学者、媒体、群众参与；现场设置 LOGO；政策解读与回应关切', weight: 25, maxScore: 10, sortOrder: 2 },
  { key: 'publicity', name: '宣传推介实效', description: '新闻媒体报道、政府网站专栏、政务新媒体发布，社会反响', weight: 25, maxScore: 10, sortOrder: 3 },
  { key: 'outcome', name: '成效与典型经验', description: '收集意见建议并回应，形成可复制可推广的典型经验做法', weight: 25, maxScore: 10, sortOrder: 4 },
];

export const TRIM_MIN_JUDGES = 5;
export const SCORE_STEP = 0.5;
export const MAX_CRITERIA = 8;

export function round2(n: number): number {
  return Math.round((n + Number.EPSILON) * 100) / 100;
}

/** Criteria as the coordinator edits them (strings from a card form). */
export interface CriterionDraft {
  name: string;
  weight: string;
  maxScore: string;
}

export type CriteriaParse = { ok: true; criteria: Criterion[] } | { ok: false; errors: Record<string, string> };

export function criterionKeyFor(name: string, index: number, existing: Criterion[]): string {
  return existing.find((c) => c.name === name)?.key ?? `c${index + 1}`;
}

/** Validates edited criteria: 1–8 rows with a name, weights > 0 adding up to 100, maxima 1–100. Empty rows are ignored. */
export function parseCriteria(rows: CriterionDraft[], existing: Criterion[]): CriteriaParse {
  const errors: Record<string, string> = {};
  const out: Criterion[] = [];
  rows.forEach((row, i) => {
    const name = row.name.trim();
    if (name === '' && row.weight.trim() === '' && row.maxScore.trim() === '') return;
    if (name === '' || name.length > 20) errors[`name_${i}`] = '名称应为 1–20 个字';
    const weightText = asciiDigits(row.weight);
    const maxText = asciiDigits(row.maxScore);
    const weight = Number(weightText);
    if (weightText === '' || !Number.isFinite(weight) || weight <= 0 || weight > 100) errors[`weight_${i}`] = '权重应为 0–100 之间的数（不含 0）';
    const max = Number(maxText);
    if (!/^\d+$/.test(maxText) || max < 1 || max > 100) errors[`max_${i}`] = '满分应为 1–100 的整数';
    const prior = existing.find((c) => c.name === name);
    out.push({ key: prior?.key ?? '', name, description: prior?.description ?? '', weight, maxScore: max, sortOrder: out.length + 1 });
  });
  if (out.length === 0) errors.name_0 = '至少需要一项评分标准';
  if (out.length > MAX_CRITERIA) errors.name_0 = `评分标准最多 ${MAX_CRITERIA} 项`;
  const names = out.map((c) => c.name);
  const dup = names.find((n, i) => n !== '' && names.indexOf(n) !== i);
  if (dup) errors.name_0 = `评分标准名称重复：${dup}`;
  const sum = round2(out.reduce((s, c) => s + (Number.isFinite(c.weight) ? c.weight : 0), 0));
  if (Object.keys(errors).length === 0 && sum !== 100) errors.weight_0 = `各项权重之和应为 100（当前 ${sum}）`;
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  // Keys: keep the old key of a criterion with the same name, otherwise a fresh unused one.
  const used = new Set(out.map((c) => c.key).filter(Boolean));
  let n = 1;
  for (const c of out) {
    if (c.key) continue;
    while (used.has(`c${n}`)) n++;
    c.key = `c${n}`;
    used.add(c.key);
  }
  return { ok: true, criteria: out };
}

/** One judge's raw scores on one activity, keyed by criterion. */
export type ScoreSheet = Record<string, number>;

export type ScoreParse = { ok: true; scores: ScoreSheet } | { ok: false; errors: Record<string, string> };

/** Validates typed scores (strings keyed by criterion key). */
export function parseScores(typed: Record<string, string>, criteria: Criterion[]): ScoreParse {
  const errors: Record<string, string> = {};
  const scores: ScoreSheet = {};
  for (const c of criteria) {
    const t = asciiDigits(typed[c.key] ?? '');
    if (t === '') {
      errors[c.key] = `请为“${c.name}”打分（0–${c.maxScore}）`;
      continue;
    }
    const v = Number(t);
    // A negative number is a number out of range, not "not a number".
    if (!/^-?\d+(\.\d+)?$/.test(t) || !Number.isFinite(v)) errors[c.key] = `“${c.name}”应为数字（0–${c.maxScore}）`;
    else if (v < 0 || v > c.maxScore) errors[c.key] = `“${c.name}”应在 0–${c.maxScore} 之间`;
    else if (Math.abs(v / SCORE_STEP - Math.round(v / SCORE_STEP)) > 1e-9) errors[c.key] = `“${c.name}”请按 ${SCORE_STEP} 分一档填写，如 8 或 ${8 + SCORE_STEP}`;
    else scores[c.key] = v;
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, scores };
}

/** T(j,a) = Σ s/M × w; undefined when a criterion is missing. Not rounded. */
export function weightedTotal(sheet: ScoreSheet, criteria: Criterion[]): number | undefined {
  let total = 0;
  for (const c of criteria) {
    const s = sheet[c.key];
    if (s === undefined) return undefined;
    total += (s / c.maxScore) * c.weight;
  }
  return total;
}

export interface Aggregate {
  /** the complete totals used, in input order */
  totals: number[];
  /** totals dropped as highest / lowest (when n ≥ 5) */
  dropped: { high?: number; low?: number };
  trimmed: boolean;
  /** F(a), rounded to 2 decimals; undefined without any complete total */
  final?: number;
}

/** F(a) from the judges' weighted totals (see the definitions at the top). */
export function aggregate(totals: number[]): Aggregate {
  if (totals.length === 0) return { totals, dropped: {}, trimmed: false };
  if (totals.length < TRIM_MIN_JUDGES) return { totals, dropped: {}, trimmed: false, final: round2(totals.reduce((s, t) => s + t, 0) / totals.length) };
  const sorted = [...totals].sort((a, b) => a - b);
  const kept = sorted.slice(1, -1);
  return { totals, dropped: { low: sorted[0], high: sorted[sorted.length - 1] }, trimmed: true, final: round2(kept.reduce((s, t) => s + t, 0) / kept.length) };
}

export interface RankInput {
  id: string;
  final?: number;
}

export interface Ranked {
  id: string;
  final?: number;
  /** competition rank; undefined when unscored */
  rank?: number;
  tied: boolean;
}

/** Ranks by final score (rounded), highest first; equal scores share a rank and are flagged as ties. Unscored last, unranked. */
export function rank(items: RankInput[]): Ranked[] {
  const scored = items.filter((i) => i.final !== undefined).sort((a, b) => b.final! - a.final!);
  const out: Ranked[] = [];
  scored.forEach((item, i) => {
    const prev = out[i - 1];
    const r = prev && prev.final === item.final ? prev.rank! : i + 1;
    out.push({ id: item.id, final: item.final, rank: r, tied: false });
  });
  for (const r of out) r.tied = out.filter((o) => o.rank === r.rank).length > 1;
  for (const item of items.filter((i) => i.final === undefined)) out.push({ id: item.id, rank: undefined, tied: false });
  return out;
}

export function rankLabel(r: Ranked): string {
  if (r.rank === undefined) return '—';
  return r.tied ? `${r.rank}（并列）` : String(r.rank);
}

/**
 * The default winners for a top-N selection: everyone ranked ≤ N, so a tie at the boundary keeps
 * every tied activity (the coordinator may then narrow it down and the tie is shown).
 */
export function topN(ranked: Ranked[], n: number): string[] {
  return ranked.filter((r) => r.rank !== undefined && r.rank <= n).map((r) => r.id);
}

/** December of the campaign year (Shanghai civil date) or later. */
export function evaluationWindowOpen(year: number, today: string): boolean {
  return today >= `${year}-12-01`;
}

export const evaluationWinnersSchema = z.array(z.string()).catch([]);

export function parseWinners(json: string | null | undefined): string[] {
  try {
    return evaluationWinnersSchema.parse(json ? JSON.parse(json) : []);
  } catch {
    return [];
  }
}

export const EVALUATION_STATUS_LABELS: Record<string, string> = { open: '评分中', closed: '评分结束', confirmed: '已确认', announced: '已公布' };
