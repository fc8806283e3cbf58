// Loads everything the evaluation needs and computes per-judge totals, trimmed means and ranks
// (rules in src/domain/evaluation.ts). Used by the cards, the exports and the CLI.
import type { Tx } from '../../adapters/db/database.ts';
import { aggregate, DEFAULT_CRITERIA, rank, rankLabel, weightedTotal, type Aggregate, type Criterion, type Ranked, type ScoreSheet } from '../../domain/evaluation.ts';
import { listActivities, type ActivityRow } from '../summaries/common.ts';

export interface JudgeRow {
  openId: string;
  name: string;
  unitId: string | null;
  unitName: string;
}

export interface ActivityResult {
  activity: ActivityRow;
  /** per judge open_id: raw scores and the weighted total (undefined when incomplete) */
  sheets: Map<string, { scores: ScoreSheet; comment: string | null; total?: number }>;
  /** judges who may not score it (own unit) */
  conflicts: Set<string>;
  aggregate: Aggregate;
  ranked: Ranked;
  rankLabel: string;
}

export interface EvaluationResults {
  campaign: { id: string; year: number; title: string };
  evaluation: { status: string; winners: string[] } | null;
  criteria: Criterion[];
  judges: JudgeRow[];
  results: ActivityResult[];
}

export async function loadCriteria(tx: Tx, campaignId: string): Promise<Criterion[]> {
  const rows = await tx.evaluationCriterion.findMany({ where: { campaignId }, orderBy: [{ sortOrder: 'asc' }, { key: 'asc' }] });
  return rows.map((r) => ({ key: r.key, name: r.name, description: r.description, weight: r.weight, maxScore: r.maxScore, sortOrder: r.sortOrder }));
}

/** The campaign's rubric, creating the default one on first use. */
export async function ensureCriteria(tx: Tx, campaignId: string): Promise<Criterion[]> {
  const existing = await loadCriteria(tx, campaignId);
  if (existing.length > 0) return existing;
  for (const c of DEFAULT_CRITERIA) {
    await tx.evaluationCriterion.upsert({ where: { campaignId_key: { campaignId, key: c.key } }, create: { campaignId, ...c }, update: {} });
  }
  return loadCriteria(tx, campaignId);
}

/** Activities that were held: approved, with a submitted summary. */
export async function heldActivities(tx: Tx, campaignId: string): Promise<ActivityRow[]> {
  return listActivities(tx, campaignId, undefined, { held: true });
}

export async function loadJudges(tx: Tx, campaignId: string): Promise<JudgeRow[]> {
  const judges = await tx.judge.findMany({ where: { campaignId }, orderBy: [{ createdAt: 'asc' }, { name: 'asc' }] });
  const unitIds = judges.map((j) => j.unitId).filter((x): x is string => !!x);
  const units = await tx.unit.findMany({ where: { id: { in: unitIds } }, select: { id: true, name: true } });
  return judges.map((j) => ({ openId: j.openId, name: j.name, unitId: j.unitId, unitName: units.find((u) => u.id === j.unitId)?.name ?? '' }));
}

/** A judge's own units: the Judge.unitId plus any unit the judge is a liaison of. */
export async function judgeConflictUnits(tx: Tx, judge: { openId: string; unitId: string | null }): Promise<Set<string>> {
  const liaison = await tx.liaison.findMany({ where: { openId: judge.openId }, select: { unitId: true } });
  return ownUnits(judge, liaison);
}

/** judgeConflictUnits for every judge, by open_id, in one read. */
async function judgesConflictUnits(tx: Tx, judges: { openId: string; unitId: string | null }[]): Promise<Map<string, Set<string>>> {
  const liaisons = judges.length > 0 ? await tx.liaison.findMany({ where: { openId: { in: judges.map((j) => j.openId) } }, select: { openId: true, unitId: true } }) : [];
  const byJudge = new Map<string, Set<string>>();
  for (const j of judges) {
    const liaisonOf = liaisons.filter((l) => l.openId === j.openId);
    byJudge.set(j.openId, ownUnits(j, liaisonOf));
  }
  return byJudge;
}

function ownUnits(judge: { unitId: string | null }, liaisonOf: { unitId: string }[]): Set<string> {
  const set = new Set(liaisonOf.map((l) => l.unitId));
  if (judge.unitId) set.add(judge.unitId);
  return set;
}

export async function computeResults(tx: Tx, campaign: { id: string; year: number; title: string }): Promise<EvaluationResults> {
  const [criteria, judges, activities, scores, evaluation] = await Promise.all([
    loadCriteria(tx, campaign.id),
    loadJudges(tx, campaign.id),
    heldActivities(tx, campaign.id),
    tx.score.findMany({ where: { campaignId: campaign.id } }),
    tx.evaluation.findUnique({ where: { campaignId: campaign.id } }),
  ]);
  const conflictUnits = await judgesConflictUnits(tx, judges);
  const judgeIds = new Set(judges.map((j) => j.openId));
  const partial = activities.map((activity) => {
    const sheets = new Map<string, { scores: ScoreSheet; comment: string | null; total?: number }>();
    const conflicts = new Set(judges.filter((j) => conflictUnits.get(j.openId)?.has(activity.unitId)).map((j) => j.openId));
    for (const s of scores) {
      if (s.themeId !== activity.themeId || !judgeIds.has(s.judgeOpenId) || conflicts.has(s.judgeOpenId)) continue;
      const sheet = sheets.get(s.judgeOpenId) ?? { scores: {}, comment: null };
      sheet.scores[s.criterionKey] = s.score;
      if (s.comment) sheet.comment = s.comment;
      sheets.set(s.judgeOpenId, sheet);
    }
    for (const sheet of sheets.values()) sheet.total = weightedTotal(sheet.scores, criteria);
    // Totals in judge order, so the "dropped" values are reproducible in the export.
    const totals = judges.map((j) => sheets.get(j.openId)?.total).filter((t): t is number => t !== undefined);
    return { activity, sheets, conflicts, aggregate: aggregate(totals) };
  });
  const ranked = rank(partial.map((p) => ({ id: p.activity.themeId, final: p.aggregate.final })));
  const results: ActivityResult[] = ranked.map((r) => {
    const p = partial.find((x) => x.activity.themeId === r.id)!;
    return { ...p, ranked: r, rankLabel: rankLabel(r) };
  });
  return {
    campaign,
    evaluation: evaluation ? { status: evaluation.status, winners: parseWinnerIds(evaluation.winners) } : null,
    criteria,
    judges,
    results,
  };
}

function parseWinnerIds(json: string): string[] {
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}
