// Progress of a campaign's collection: who has submitted, who has not, by unit kind, and the
// declared themes counted by form and by month. Pure aggregation over already-loaded rows.
import { ACTIVITY_FORMS, UNIT_KINDS, unitKindLabel } from './campaign.ts';

export interface ProgressUnitRow {
  unitId: string;
  unitName: string;
  kind: string;
  sortOrder: number;
  status: string;
  late: boolean;
  submittedAt: Date | null;
  deadlineOverride: string | null;
  reopenedUntil: string | null;
  /** active themes: month and form keys */
  themes: { month: number; forms: string[] }[];
}

export interface ProgressKindGroup {
  kind: string;
  label: string;
  total: number;
  submitted: number;
  missing: string[];
}

export interface ProgressSnapshot {
  campaignId: string;
  year: number;
  title: string;
  status: string;
  deadline: string;
  total: number;
  submitted: number;
  pending: number;
  withdrawn: number;
  byKind: ProgressKindGroup[];
  /** names of units not submitted (pending or withdrawn), in directory order */
  missing: string[];
  late: string[];
  withdrawnUnits: string[];
  extended: { unitName: string; until: string }[];
  reopened: { unitName: string; until: string }[];
  themeCount: number;
  byForm: { key: string; label: string; count: number }[];
  /** index 0 = January */
  byMonth: number[];
}

export function summarizeProgress(campaign: { id: string; year: number; title: string; status: string; deadline: string }, rows: ProgressUnitRow[]): ProgressSnapshot {
  const sorted = [...rows].sort((a, b) => a.sortOrder - b.sortOrder || a.unitName.localeCompare(b.unitName, 'zh'));
  const isIn = (r: ProgressUnitRow) => r.status === 'submitted';
  const kinds = [...UNIT_KINDS.map((k) => k.key as string), ...new Set(sorted.map((r) => r.kind).filter((k) => !UNIT_KINDS.some((u) => u.key === k)))];
  const byKind = kinds
    .map((kind) => {
      const of = sorted.filter((r) => r.kind === kind);
      return { kind, label: unitKindLabel(kind), total: of.length, submitted: of.filter(isIn).length, missing: of.filter((r) => !isIn(r)).map((r) => r.unitName) };
    })
    .filter((g) => g.total > 0);
  const active = sorted.filter(isIn).flatMap((r) => r.themes);
  const byMonth = Array.from({ length: 12 }, (_, i) => active.filter((t) => t.month === i + 1).length);
  return {
    campaignId: campaign.id,
    year: campaign.year,
    title: campaign.title,
    status: campaign.status,
    deadline: campaign.deadline,
    total: sorted.length,
    submitted: sorted.filter(isIn).length,
    pending: sorted.filter((r) => r.status === 'pending').length,
    withdrawn: sorted.filter((r) => r.status === 'withdrawn').length,
    byKind,
    missing: sorted.filter((r) => !isIn(r)).map((r) => r.unitName),
    late: sorted.filter((r) => isIn(r) && r.late).map((r) => r.unitName),
    withdrawnUnits: sorted.filter((r) => r.status === 'withdrawn').map((r) => r.unitName),
    extended: sorted.filter((r) => r.deadlineOverride).map((r) => ({ unitName: r.unitName, until: r.deadlineOverride! })),
    reopened: sorted.filter((r) => r.reopenedUntil).map((r) => ({ unitName: r.unitName, until: r.reopenedUntil! })),
    themeCount: active.length,
    byForm: ACTIVITY_FORMS.map((f) => ({ key: f.key, label: f.label, count: active.filter((t) => t.forms.includes(f.key)).length })),
    byMonth,
  };
}
