// Year over year (`年度对比`, `export history`): per unit and campaign year, what the unit
// declared, whether on time, what was approved, held and summarised, and its best evaluation rank;
// and per year the county totals behind the charts. Pure aggregation over already-loaded rows.
import { ACTIVITY_FORMS, UNIT_KINDS, unitKindLabel } from './campaign.ts';

export interface HistoryUnit {
  id: string;
  name: string;
  kind: string;
  sortOrder: number;
}

/** A unit's submission in one campaign year (every unit gets one at launch). */
export interface HistorySubmission {
  year: number;
  unitId: string;
  /** 'pending' | 'submitted' | 'withdrawn' */
  status: string;
  late: boolean;
}

export interface HistorySummary {
  /** 'draft' | 'submitted' */
  status: string;
  heldDates: number;
  photos: number;
  logoPhoto: boolean;
  links: number;
}

/** An active (not removed) theme of a submission. */
export interface HistoryTheme {
  year: number;
  unitId: string;
  themeId: string;
  /** 'pending' | 'approved' | 'returned' | 'rejected' */
  reviewStatus: string;
  forms: string[];
  summary: HistorySummary | null;
  /** the evaluation's competition rank of this activity, when scored */
  rank?: Rank;
}

export interface HistoryInput {
  years: number[];
  units: HistoryUnit[];
  submissions: HistorySubmission[];
  themes: HistoryTheme[];
}

/** 'on_time' | 'late' submitted; 'not_submitted' pending or withdrawn; 'absent' no submission that year. */
export type SubmissionOutcome = 'on_time' | 'late' | 'not_submitted' | 'absent';

export const OUTCOME_LABELS: Record<SubmissionOutcome, string> = { on_time: '按时', late: '逾期', not_submitted: '未提交', absent: '—' };

export interface UnitYear {
  year: number;
  unitId: string;
  unitName: string;
  kind: string;
  kindLabel: string;
  outcome: SubmissionOutcome;
  /** themes in the submitted declaration */
  themes: number;
  approved: number;
  /** approved activities whose submitted summary names the days they were held */
  held: number;
  /** approved activities with nothing missing: submitted summary, photos, LOGO photo, links */
  summariesComplete: number;
  /** publicity links in submitted summaries */
  links: number;
  /** the unit's best-ranked activity in that year's evaluation */
  bestRank?: Rank;
}

/**
 * A place in a year's evaluation; `provisional` while the coordinator has not confirmed the results
 * (the judges may still be scoring, and the winners are chosen at confirmation).
 */
export interface Rank {
  rank: number;
  tied: boolean;
  provisional?: boolean;
}

export interface KindRate {
  kind: string;
  label: string;
  /** units with a submission that year */
  units: number;
  onTime: number;
  /** on-time share in percent (0 without units) */
  rate: number;
}

export interface YearTotals {
  year: number;
  units: number;
  onTime: number;
  late: number;
  notSubmitted: number;
  themes: number;
  approved: number;
  held: number;
  summariesComplete: number;
  links: number;
  /** units with a ranked activity */
  ranked: number;
  /** approved activities using each form (an activity may use several) */
  byForm: { key: string; label: string; count: number }[];
  byKind: KindRate[];
}

export interface History {
  years: number[];
  /** by unit (directory order), then year ascending; only units with a submission in some year */
  rows: UnitYear[];
  totals: YearTotals[];
}

/** Rank label as the evaluation shows it: 3, 3（并列）, 3（暂定）, or — */
export function bestRankLabel(r: Rank | undefined): string {
  if (!r) return '—';
  return `${r.rank}${r.tied ? '（并列）' : ''}${r.provisional ? '（暂定）' : ''}`;
}

function outcomeOf(s: HistorySubmission | undefined): SubmissionOutcome {
  if (!s) return 'absent';
  if (s.status !== 'submitted') return 'not_submitted';
  return s.late ? 'late' : 'on_time';
}

function isHeld(s: HistorySummary | null): boolean {
  return s?.status === 'submitted' && s.heldDates > 0;
}

function isComplete(s: HistorySummary | null): boolean {
  return s?.status === 'submitted' && s.photos > 0 && s.logoPhoto && s.links > 0;
}

function percent(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 1000) / 10;
}

export function computeHistory(input: HistoryInput): History {
  const years = [...new Set(input.years)].sort((a, b) => a - b);
  const subByKey = new Map(input.submissions.map((s) => [`${s.year}:${s.unitId}`, s]));
  const themesByKey = new Map<string, HistoryTheme[]>();
  for (const t of input.themes) {
    const key = `${t.year}:${t.unitId}`;
    themesByKey.set(key, [...(themesByKey.get(key) ?? []), t]);
  }
  const seen = new Set(input.submissions.map((s) => s.unitId));
  const units = input.units.filter((u) => seen.has(u.id)).sort((a, b) => a.sortOrder - b.sortOrder || a.name.localeCompare(b.name, 'zh'));

  const rows: UnitYear[] = [];
  for (const u of units) {
    for (const year of years) {
      const key = `${year}:${u.id}`;
      const outcome = outcomeOf(subByKey.get(key));
      // A withdrawn or pending declaration counts no themes, whatever rows linger.
      const declared = outcome === 'on_time' || outcome === 'late' ? (themesByKey.get(key) ?? []) : [];
      const approved = declared.filter((t) => t.reviewStatus === 'approved');
      const ranks = approved.map((t) => t.rank).filter((r): r is Rank => r !== undefined);
      const best = ranks.sort((a, b) => a.rank - b.rank || Number(b.tied) - Number(a.tied))[0];
      rows.push({
        year,
        unitId: u.id,
        unitName: u.name,
        kind: u.kind,
        kindLabel: unitKindLabel(u.kind),
        outcome,
        themes: declared.length,
        approved: approved.length,
        held: approved.filter((t) => isHeld(t.summary)).length,
        summariesComplete: approved.filter((t) => isComplete(t.summary)).length,
        links: approved.reduce((n, t) => n + (t.summary?.status === 'submitted' ? t.summary.links : 0), 0),
        ...(best ? { bestRank: { rank: best.rank, tied: best.tied, ...(best.provisional ? { provisional: true } : {}) } } : {}),
      });
    }
  }

  const kinds = [...UNIT_KINDS.map((k) => k.key as string), ...new Set(units.map((u) => u.kind).filter((k) => !UNIT_KINDS.some((x) => x.key === k)))];
  const totals: YearTotals[] = years.map((year) => {
    const of = rows.filter((r) => r.year === year && r.outcome !== 'absent');
    const sum = (f: (r: UnitYear) => number) => of.reduce((n, r) => n + f(r), 0);
    const approvedThemes = input.themes.filter((t) => t.year === year && t.reviewStatus === 'approved' && ['on_time', 'late'].includes(outcomeOf(subByKey.get(`${year}:${t.unitId}`))));
    return {
      year,
      units: of.length,
      onTime: of.filter((r) => r.outcome === 'on_time').length,
      late: of.filter((r) => r.outcome === 'late').length,
      notSubmitted: of.filter((r) => r.outcome === 'not_submitted').length,
      themes: sum((r) => r.themes),
      approved: sum((r) => r.approved),
      held: sum((r) => r.held),
      summariesComplete: sum((r) => r.summariesComplete),
      links: sum((r) => r.links),
      ranked: of.filter((r) => r.bestRank).length,
      byForm: ACTIVITY_FORMS.map((f) => ({ key: f.key, label: f.label, count: approvedThemes.filter((t) => t.forms.includes(f.key)).length })),
      byKind: kinds
        .map((kind) => {
          const k = of.filter((r) => r.kind === kind);
          const onTime = k.filter((r) => r.outcome === 'on_time').length;
          return { kind, label: unitKindLabel(kind), units: k.length, onTime, rate: percent(onTime, k.length) };
        })
        .filter((k) => k.units > 0),
    };
  });
  return { years, rows, totals };
}
