// The evaluation's use-cases: open it (December, or forced and audited), rubric, judges, scoring
// (never one's own unit), progress and ranking, winners and the announcement.
import type { UseCaseContext } from '../../app/bot.ts';
import type { Mention } from '../../app/events.ts';
import { isCoordinator } from '../../app/access.ts';
import { EVALUATION_STATUS_LABELS, evaluationWindowOpen, parseCriteria, parseScores, topN, type Criterion, type CriterionDraft } from '../../domain/evaluation.ts';
import { parseEvidenceCheck } from '../../domain/evidence.ts';
import { shanghaiDate } from '../../domain/time.ts';
import { stageRefusal } from '../../domain/campaign-stage.ts';
import { loadStage } from '../campaign/load-stage.ts';
import { resultsReadiness } from '../../domain/results-readiness.ts';
import { announcementCard, judgeHomeCard, type criteriaCard, type EvaluationProgressView, type JudgeItem, type judgePickerCard, type ScoreCardView } from '../../../cards/evaluation.ts';

export type CriteriaView = Parameters<typeof criteriaCard>[0];
export type JudgeHomeView = Parameters<typeof judgeHomeCard>[0];
export type JudgePickerView = Parameters<typeof judgePickerCard>[0];
import { deny, loadActivity, type ActivityRow } from '../summaries/common.ts';
import { summaryRowSelect, valuesOf } from '../summaries/summary.ts';
import { computeResults, ensureCriteria, heldActivities, judgeConflictUnits, loadCriteria, type EvaluationResults } from './results.ts';
import { quoteInput } from '../../domain/user-text.ts';

export type Campaign = { id: string; year: number; title: string; status: string };

export const COORD_ONLY = '仅县政务公开办（协调人）可以操作评选';

export async function requireCoordinator(ctx: UseCaseContext, action: string): Promise<string | undefined> {
  if (await isCoordinator(ctx.tx, ctx.actor, ctx.config.coordinatorOpenIds)) return undefined;
  return deny(ctx, action, 'Evaluation', null, COORD_ONLY);
}

// ---------------------------------------------------------------- open

/** `held`: activities with a submitted summary, of `activities` in the plan (approved); `judgesNotified`: judges invited now. */
export type OpenResult =
  | { ok: true; alreadyOpen: true; progress: EvaluationProgressView }
  | { ok: true; alreadyOpen: false; forced: boolean; held: number; activities: number; judgesNotified: number; progress: EvaluationProgressView }
  | { ok: false; message: string };

/** `开启评选` [强制]: from December of the campaign year; earlier only with 强制 (audited). */
export async function openEvaluation(ctx: UseCaseContext, campaign: Campaign, force: boolean): Promise<OpenResult> {
  const refusal = await requireCoordinator(ctx, 'evaluation.open');
  if (refusal) return { ok: false, message: refusal };
  const existing = await ctx.tx.evaluation.findUnique({ where: { campaignId: campaign.id } });
  if (existing) return { ok: true, alreadyOpen: true, progress: await progressOf(ctx, campaign) };
  // 强制 moves the date, never the year's order: opening it while 申报 is open would end 申报 for
  // units just told they may still apply (found trying local mode: 开启评选 2027 强制 in December 2026).
  const early = stageRefusal('openEvaluation', await loadStage(ctx.tx, campaign, ctx.now));
  if (early) return { ok: false, message: await deny(ctx, 'evaluation.open', 'Campaign', campaign.id, `${campaign.year}年：${early}`) };
  const today = shanghaiDate(ctx.now);
  const inWindow = evaluationWindowOpen(campaign.year, today);
  if (!inWindow && !force) {
    const msg = await deny(
      ctx,
      'evaluation.open',
      'Campaign',
      campaign.id,
      `按实施方案，最佳政务公开主题日活动评选在 ${campaign.year} 年 12 月开展（今天是 ${today}）。如确需提前，请发送“开启评选 ${campaign.year} 强制”（将记录在审计日志中）。`,
    );
    return { ok: false, message: msg };
  }
  const criteria = await ensureCriteria(ctx.tx, campaign.id);
  await ctx.tx.evaluation.create({ data: { campaignId: campaign.id, status: 'open', openedBy: ctx.actor, openedAt: ctx.now } });
  await ctx.tx.campaign.update({ where: { id: campaign.id }, data: { status: 'evaluating' } });
  await ctx.audit({
    action: inWindow ? 'evaluation.open' : 'evaluation.open_forced',
    entity: 'Evaluation',
    entityId: campaign.id,
    reason: inWindow ? undefined : `forced before December (today ${today})`,
    after: { criteria: criteria.map((c) => ({ key: c.key, weight: c.weight, max: c.maxScore })) },
  });
  const judges = await ctx.tx.judge.findMany({ where: { campaignId: campaign.id } });
  for (const j of judges) await inviteJudge(ctx, campaign, j);
  const held = (await heldActivities(ctx.tx, campaign.id)).length;
  const activities = await ctx.tx.theme.count({ where: { submission: { campaignId: campaign.id }, state: 'active', reviewStatus: 'approved' } });
  return { ok: true, alreadyOpen: false, forced: !inWindow, held, activities, judgesNotified: judges.length, progress: await progressOf(ctx, campaign) };
}

async function inviteJudge(ctx: UseCaseContext, campaign: Campaign, { openId, name, unitId }: JudgeRecord): Promise<void> {
  await ctx.enqueue(`evaluation.invite:${campaign.id}:${openId}`, {
    op: 'send',
    to: { openId },
    card: judgeHomeCard({ ...(await judgeHome(ctx, campaign, { openId, name, unitId })), notice: `您已被邀请担任 ${campaign.year} 年最佳政务公开主题日活动评委。` }),
  });
}

// ---------------------------------------------------------------- judges

export interface AddJudgesResult {
  lines: string[];
}

/**
 * `添加评委 张三 [单位]` without an @: the coordinator's group does not hold everyone, so people are
 * named from the unit directory (liaisons, 分管领导, coordinators, reviewers). A name shared by
 * several people is narrowed by a unit written alongside, else the candidates are listed.
 */
export interface JudgeChoice {
  name: string;
  candidates: { openId: string; name: string; unitName: string }[];
}

export async function judgesByName(ctx: UseCaseContext, text: string): Promise<{ people: Mention[]; unitText: string; problems: string[]; choices: JudgeChoice[] }> {
  const tokens = text
    .normalize('NFKC')
    .split(/[\s、，,;；]+/)
    .map((t) => t.trim())
    .filter(Boolean);
  const units = await ctx.tx.unit.findMany({ where: { active: true }, select: { id: true, name: true, shortName: true, leaderName: true, leaderOpenId: true } });
  const unitTokens = tokens.filter((t) => units.some((u) => u.name === t || u.shortName === t));
  const names = tokens.filter((t) => !unitTokens.includes(t));
  const unitIds = new Set(units.filter((u) => unitTokens.includes(u.name) || (u.shortName && unitTokens.includes(u.shortName))).map((u) => u.id));
  const people: Mention[] = [];
  const problems: string[] = [];
  const choices: JudgeChoice[] = [];
  for (const name of names) {
    const found = new Map<string, { openId: string; name: string; unitId: string | null; unitName: string }>();
    for (const l of await ctx.tx.liaison.findMany({ where: { name, openId: { not: null } }, select: { openId: true, name: true, unit: { select: { id: true, name: true } } } })) {
      found.set(l.openId!, { openId: l.openId!, name: l.name, unitId: l.unit.id, unitName: l.unit.name });
    }
    for (const u of units.filter((x) => x.leaderName === name && x.leaderOpenId)) if (!found.has(u.leaderOpenId!)) found.set(u.leaderOpenId!, { openId: u.leaderOpenId!, name, unitId: u.id, unitName: u.name });
    for (const c of await ctx.tx.coordinator.findMany({ where: { name }, select: { openId: true, name: true } })) if (!found.has(c.openId)) found.set(c.openId, { openId: c.openId, name, unitId: null, unitName: '县政务公开办' });
    for (const r of await ctx.tx.reviewer.findMany({ where: { name }, select: { openId: true } })) if (!found.has(r.openId)) found.set(r.openId, { openId: r.openId, name, unitId: null, unitName: '审核人' });
    let candidates = [...found.values()];
    if (candidates.length > 1 && unitIds.size > 0) candidates = candidates.filter((c) => c.unitId && unitIds.has(c.unitId));
    if (candidates.length === 1) people.push({ key: '', openId: candidates[0]!.openId, name: candidates[0]!.name });
    else if (candidates.length === 0) problems.push(`名录中找不到“${name}”：请写名录中的姓名，或在此群 @ 他/她。`);
    else {
      problems.push(`名录中有 ${candidates.length} 位“${name}”：${candidates.map((c) => c.unitName).join('、')}。请在卡片上选择，或写成“添加评委 ${name} 单位名”。`);
      choices.push({ name, candidates: candidates.slice(0, 10).map((c) => ({ openId: c.openId, name: c.name, unitName: c.unitName })) });
    }
  }
  return { people, unitText: unitTokens.length === 1 ? unitTokens[0]! : '', problems, choices };
}

/** A person picked on the choice card: only someone the directory knows (the value is never trusted). */
export async function directoryPerson(ctx: UseCaseContext, openId: string): Promise<Mention | null> {
  const l = await ctx.tx.liaison.findFirst({ where: { openId }, select: { name: true } });
  if (l) return { key: '', openId, name: l.name };
  const u = await ctx.tx.unit.findFirst({ where: { leaderOpenId: openId }, select: { leaderName: true } });
  if (u?.leaderName) return { key: '', openId, name: u.leaderName };
  const c = await ctx.tx.coordinator.findUnique({ where: { openId }, select: { name: true } });
  if (c) return { key: '', openId, name: c.name };
  const r = await ctx.tx.reviewer.findFirst({ where: { openId }, select: { name: true } });
  return r ? { key: '', openId, name: r.name } : null;
}

/** Everyone in the directory who has an open_id (liaisons, unit leaders, coordinators, reviewers), once each. */
export async function directoryPeople(ctx: UseCaseContext): Promise<{ openId: string; name: string; unitName: string }[]> {
  const found = new Map<string, { openId: string; name: string; unitName: string }>();
  const liaisons = await ctx.tx.liaison.findMany({
    where: { openId: { not: null }, unit: { active: true } },
    select: { openId: true, name: true, unit: { select: { name: true, sortOrder: true } } },
    orderBy: [{ unit: { sortOrder: 'asc' } }, { role: 'asc' }],
  });
  for (const l of liaisons) if (!found.has(l.openId!)) found.set(l.openId!, { openId: l.openId!, name: l.name, unitName: l.unit.name });
  for (const u of await ctx.tx.unit.findMany({ where: { active: true, leaderOpenId: { not: null } }, select: { name: true, leaderName: true, leaderOpenId: true }, orderBy: { sortOrder: 'asc' } })) {
    if (!found.has(u.leaderOpenId!)) found.set(u.leaderOpenId!, { openId: u.leaderOpenId!, name: u.leaderName ?? u.leaderOpenId!, unitName: u.name });
  }
  for (const c of await ctx.tx.coordinator.findMany({ select: { openId: true, name: true } })) if (!found.has(c.openId)) found.set(c.openId, { openId: c.openId, name: c.name, unitName: '县政务公开办' });
  for (const r of await ctx.tx.reviewer.findMany({ select: { openId: true, name: true } })) if (!found.has(r.openId)) found.set(r.openId, { openId: r.openId, name: r.name, unitName: '' });
  return [...found.values()];
}

/** The 添加评委 person picker: the directory's people and the judges so far. */
export async function judgePicker(ctx: UseCaseContext, campaign: Campaign): Promise<JudgePickerView> {
  const judges = await ctx.tx.judge.findMany({ where: { campaignId: campaign.id }, select: { name: true, unitId: true }, orderBy: { createdAt: 'asc' } });
  const units = new Map((await ctx.tx.unit.findMany({ where: { id: { in: judges.map((j) => j.unitId).filter((u): u is string => !!u) } }, select: { id: true, name: true } })).map((u) => [u.id, u.name]));
  return { year: campaign.year, people: await directoryPeople(ctx), judges: judges.map((j) => ({ name: j.name, unitName: (j.unitId && units.get(j.unitId)) || '' })) };
}

/** `添加评委 @某人 [单位]`: the unit (for conflict of interest) from the text, else from the directory. */
export async function addJudges(ctx: UseCaseContext, campaign: Campaign, people: Mention[], unitText: string): Promise<AddJudgesResult> {
  const refusal = await requireCoordinator(ctx, 'evaluation.add_judge');
  if (refusal) return { lines: [refusal] };
  if (people.length === 0) return { lines: ['请写要添加的评委：名录中的姓名或 @ 某人，例如：添加评委 张三 县发展和改革局（单位用于回避本单位活动，可省略）'] };
  let unit: { id: string; name: string } | null = null;
  const t = unitText.trim();
  if (t) {
    const units = await ctx.tx.unit.findMany({ where: { active: true }, select: { id: true, name: true, shortName: true } });
    unit = units.find((u) => u.name === t || u.shortName === t) ?? units.find((u) => u.name.includes(t) || t.includes(u.name)) ?? null;
    if (!unit) return { lines: [`找不到单位“${quoteInput(t)}”。请写单位全称（与名录一致），或省略单位。`] };
  }
  const evaluation = await ctx.tx.evaluation.findUnique({ where: { campaignId: campaign.id } });
  const lines: string[] = [];
  for (const p of people) {
    let unitId = unit?.id ?? null;
    let unitName = unit?.name ?? '';
    if (!unitId) {
      const l = await ctx.tx.liaison.findFirst({ where: { openId: p.openId }, select: { unit: { select: { id: true, name: true } } } });
      if (l) {
        unitId = l.unit.id;
        unitName = l.unit.name;
      }
    }
    const existing = await ctx.tx.judge.findUnique({ where: { campaignId_openId: { campaignId: campaign.id, openId: p.openId } } });
    if (existing) {
      await ctx.tx.judge.update({ where: { id: existing.id }, data: { unitId, name: p.name || existing.name } });
      lines.push(`${p.name} 已是评委${unitName ? `（${unitName}，回避本单位活动）` : ''}`);
    } else {
      await ctx.tx.judge.create({ data: { campaignId: campaign.id, openId: p.openId, name: p.name || p.openId, unitId, addedBy: ctx.actor, createdAt: ctx.now } });
      lines.push(`已添加评委 ${p.name}${unitName ? `（${unitName}，回避本单位活动）` : '（未关联单位）'}`);
      if (evaluation && evaluation.status === 'open') await inviteJudge(ctx, campaign, { openId: p.openId, name: p.name, unitId });
    }
    await ctx.audit({ action: 'evaluation.add_judge', entity: 'Judge', entityId: p.openId, after: { name: p.name, unitId } });
  }
  return { lines };
}

// ---------------------------------------------------------------- criteria

export async function criteriaView(ctx: UseCaseContext, campaign: Campaign): Promise<CriteriaView> {
  const criteria = await ensureCriteria(ctx.tx, campaign.id);
  const scored = await ctx.tx.score.count({ where: { campaignId: campaign.id } });
  const coordinator = await isCoordinator(ctx.tx, ctx.actor, ctx.config.coordinatorOpenIds);
  return { year: campaign.year, criteria, editable: coordinator && scored === 0 };
}

/** What 保存评分标准 did; `invalid`: the typed rows with their errors, to show again. */
export type SaveCriteriaResult = { kind: 'refused'; text: string } | { kind: 'invalid'; error: string; view: CriteriaView } | { kind: 'saved'; view: CriteriaView };

export async function saveCriteria(ctx: UseCaseContext, campaign: Campaign, formValue: Record<string, unknown> | undefined, rows: number): Promise<SaveCriteriaResult> {
  const refusal = await requireCoordinator(ctx, 'evaluation.criteria_save');
  if (refusal) return { kind: 'refused', text: refusal };
  const typed: CriterionDraft[] = [];
  const f = formValue ?? {};
  const s = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
  for (let i = 0; i < Math.min(Math.max(rows, 1), 8); i++) typed.push({ name: s(f[`name_${i}`]), weight: s(f[`weight_${i}`]), maxScore: s(f[`max_${i}`]) });
  if ((await ctx.tx.score.count({ where: { campaignId: campaign.id } })) > 0) {
    return { kind: 'refused', text: await deny(ctx, 'evaluation.criteria_save', 'Campaign', campaign.id, '已有评委打分，评分标准不能再修改') };
  }
  const existing = await ensureCriteria(ctx.tx, campaign.id);
  const parsed = parseCriteria(typed, existing);
  if (!parsed.ok) {
    const first = Object.values(parsed.errors)[0] ?? '请检查输入';
    return { kind: 'invalid', error: first, view: { year: campaign.year, criteria: existing, editable: true, typed, errors: parsed.errors } };
  }
  await ctx.tx.evaluationCriterion.deleteMany({ where: { campaignId: campaign.id } });
  for (const c of parsed.criteria) await ctx.tx.evaluationCriterion.create({ data: { campaignId: campaign.id, ...c } });
  await ctx.audit({ action: 'evaluation.criteria_save', entity: 'EvaluationCriterion', entityId: campaign.id, before: existing, after: parsed.criteria });
  return { kind: 'saved', view: { year: campaign.year, criteria: parsed.criteria, editable: true } };
}

// ---------------------------------------------------------------- judging

type JudgeRecord = { openId: string; name: string; unitId: string | null };

/**
 * What a judge's click works from, loaded once and passed down (a score click used to read the
 * rubric four times and the held activities twice): the campaign's held activities, the rubric and
 * the units the judge may not score.
 */
interface JudgingScope {
  judge: JudgeRecord;
  held: ActivityRow[];
  criteria: Criterion[];
  own: Set<string>;
}

async function judgeOf(ctx: UseCaseContext, campaign: Campaign) {
  return ctx.tx.judge.findUnique({ where: { campaignId_openId: { campaignId: campaign.id, openId: ctx.actor } } });
}

async function judgingScope(ctx: UseCaseContext, campaign: Campaign, judge: JudgeRecord): Promise<JudgingScope> {
  const [held, criteria, own] = await Promise.all([heldActivities(ctx.tx, campaign.id), loadCriteria(ctx.tx, campaign.id), judgeConflictUnits(ctx.tx, judge)]);
  return { judge, held, criteria, own };
}

type ScoreRow = { themeId: string; criterionKey: string; score: number; comment: string | null };

async function judgeScores(ctx: UseCaseContext, campaign: Campaign, scope: JudgingScope): Promise<ScoreRow[]> {
  return ctx.tx.score.findMany({ where: { campaignId: campaign.id, judgeOpenId: scope.judge.openId }, select: { themeId: true, criterionKey: true, score: true, comment: true } });
}

/** Every held activity with the judge's state on it (scored, to do, own unit), from the judge's scores (as stored now unless given). */
async function judgeItems(ctx: UseCaseContext, campaign: Campaign, scope: JudgingScope, stored?: ScoreRow[]): Promise<JudgeItem[]> {
  const scores = stored ?? (await judgeScores(ctx, campaign, scope));
  return scope.held.map((a) => {
    const label = `${a.unitName} · ${a.month}月 · ${a.title}`;
    if (scope.own.has(a.unitId)) return { themeId: a.themeId, label, state: 'conflict' as const };
    const mine = scores.filter((s) => s.themeId === a.themeId);
    const complete = scope.criteria.length > 0 && scope.criteria.every((c) => mine.some((s) => s.criterionKey === c.key));
    return { themeId: a.themeId, label, state: complete ? ('scored' as const) : ('todo' as const) };
  });
}

function homeView(campaign: Campaign, judge: JudgeRecord, items: JudgeItem[], evaluation: { status: string } | null): JudgeHomeView {
  return { year: campaign.year, judgeName: judge.name, items, closed: !evaluation || evaluation.status !== 'open' };
}

/** The judge's home card content; `judge.name` is the name shown. */
export async function judgeHome(ctx: UseCaseContext, campaign: Campaign, judge: JudgeRecord): Promise<JudgeHomeView> {
  const evaluation = await ctx.tx.evaluation.findUnique({ where: { campaignId: campaign.id } });
  const items = await judgeItems(ctx, campaign, await judgingScope(ctx, campaign, judge));
  return homeView(campaign, judge, items, evaluation);
}

/**
 * Why a judge's click did nothing: `refused` (not a judge, own unit, activity gone; audited) or
 * `unavailable` (not open yet, closed, no summary yet), each with the text to show.
 */
export type JudgeRefusal = { kind: 'refused' | 'unavailable'; text: string };

/** The judge's entry point (`评分` command, `evaluation.home`). */
export async function judgeHomeFor(ctx: UseCaseContext, campaign: Campaign): Promise<JudgeRefusal | { kind: 'home'; home: JudgeHomeView }> {
  const judge = await judgeOf(ctx, campaign);
  if (!judge) return { kind: 'refused', text: await deny(ctx, 'evaluation.home', 'Evaluation', campaign.id, '您不是本年度评选的评委。如需参与评分，请联系县政务公开办添加。') };
  const evaluation = await ctx.tx.evaluation.findUnique({ where: { campaignId: campaign.id } });
  if (!evaluation) return { kind: 'unavailable', text: '评选尚未开启' };
  const items = await judgeItems(ctx, campaign, await judgingScope(ctx, campaign, judge));
  return { kind: 'home', home: homeView(campaign, judge, items, evaluation) };
}

/**
 * The score card for one held activity. `items` and `scores`: the judge's list and scores when the
 * caller has them as stored now; `typed`, `comment` and `errors`: a refused form shown again.
 */
async function scoreCardFor(
  ctx: UseCaseContext,
  campaign: Campaign,
  scope: JudgingScope,
  a: ActivityRow,
  o: { items?: JudgeItem[]; scores?: ScoreRow[]; typed?: Record<string, string>; comment?: string; errors?: Record<string, string> } = {},
): Promise<ScoreCardView | undefined> {
  const { items, scores, typed, comment, errors = {} } = o;
  const s = await ctx.tx.summary.findUnique({
    where: { themeId: a.themeId },
    select: {
      ...summaryRowSelect,
      attachments: { where: { deletedAt: null }, orderBy: [{ kind: 'asc' }, { createdAt: 'asc' }], select: { feishuKey: true, fileName: true, kind: true } },
    },
  });
  if (!s) return undefined;
  let shownTyped = typed;
  let shownComment = comment;
  if (!shownTyped) {
    const mine = scores ? scores.filter((m) => m.themeId === a.themeId) : await ctx.tx.score.findMany({ where: { themeId: a.themeId, judgeOpenId: scope.judge.openId } });
    shownTyped = Object.fromEntries(mine.map((m) => [m.criterionKey, String(m.score)]));
    shownComment = mine.find((m) => m.comment)?.comment ?? '';
  }
  const list = items ?? (await judgeItems(ctx, campaign, scope));
  const done = list.filter((i) => i.state === 'scored').length;
  const eligible = list.filter((i) => i.state !== 'conflict').length;
  // LOGO photos first (kind 'logo_photo' sorts before 'photo').
  const photos = s.attachments;
  return {
    themeId: a.themeId,
    unitName: a.unitName,
    title: a.title,
    month: a.month,
    values: valuesOf(s),
    photoCount: photos.length,
    imageKeys: photos
      .map((p) => p.feishuKey)
      .filter((k): k is string => !!k)
      .slice(0, 3),
    photoNames: photos.map((p) => p.fileName),
    evidence: parseEvidenceCheck(s.evidenceCheck),
    criteria: scope.criteria,
    typed: shownTyped,
    comment: shownComment ?? '',
    errors,
    position: `已评 ${done}/${eligible}`,
  };
}

/** May the judge score this activity now? The activity when so. */
async function refuseConflict(ctx: UseCaseContext, campaign: Campaign, scope: JudgingScope, themeId: string, action: string): Promise<JudgeRefusal | { activity: ActivityRow }> {
  // A held activity of this campaign is approved and has a submitted summary; any other goes the long way.
  const held = scope.held.find((x) => x.themeId === themeId);
  const a = held ?? (await loadActivity(ctx.tx, themeId));
  if (!a) return { kind: 'refused', text: '找不到这项活动' };
  // A card kept from an earlier year's evaluation names an activity of that year: its scores would
  // land in this year's evaluation under the wrong campaign.
  if (a.campaignId !== campaign.id) return { kind: 'unavailable', text: `这项活动属于${a.year}年的评选，请在${campaign.year}年的评分卡上评分` };
  if (scope.own.has(a.unitId)) return { kind: 'refused', text: await deny(ctx, action, 'Theme', themeId, `回避：评委不能为本单位（${a.unitName}）的活动评分`) };
  const evaluation = await ctx.tx.evaluation.findUnique({ where: { campaignId: campaign.id } });
  if (!evaluation || evaluation.status !== 'open') return { kind: 'unavailable', text: evaluation ? '评分已结束，不能再修改' : '评选尚未开启' };
  if (!held) {
    const summary = await ctx.tx.summary.findUnique({ where: { themeId }, select: { status: true } });
    if (summary?.status !== 'submitted') return { kind: 'unavailable', text: '这项活动还没有提交总结，暂不能评分' };
  }
  return { activity: a };
}

/**
 * What a judge's pick or score did: `score` is the card to show (absent when the summary is gone),
 * `all_done` the judge's home once nothing is left to score.
 */
export type ScoringResult =
  | JudgeRefusal
  /** `saved`: this press saved a score; `changed`: it replaced one the judge had saved before */
  | { kind: 'all_done'; saved: boolean; changed: boolean; home: JudgeHomeView }
  | { kind: 'score'; score: ScoreCardView | undefined }
  | { kind: 'invalid'; errors: string[]; score: ScoreCardView | undefined }
  | { kind: 'saved_next'; changed: boolean; score: ScoreCardView | undefined };

/** `evaluation.pick` / `evaluation.next`: a score card (never for one's own unit). */
export async function openScoreCard(ctx: UseCaseContext, campaign: Campaign, themeId: string | undefined): Promise<ScoringResult> {
  const judge = await judgeOf(ctx, campaign);
  if (!judge) return { kind: 'refused', text: await deny(ctx, 'evaluation.pick', 'Evaluation', campaign.id, '您不是本年度评选的评委') };
  const scope = await judgingScope(ctx, campaign, judge);
  let target = themeId;
  let items: JudgeItem[] | undefined;
  if (!target) {
    items = await judgeItems(ctx, campaign, scope);
    target = items.find((i) => i.state === 'todo')?.themeId;
    if (!target) return { kind: 'all_done', saved: false, changed: false, home: homeView(campaign, judge, items, await ctx.tx.evaluation.findUnique({ where: { campaignId: campaign.id } })) };
  }
  const checked = await refuseConflict(ctx, campaign, scope, target, 'evaluation.pick');
  if ('kind' in checked) return checked;
  return { kind: 'score', score: await scoreCardFor(ctx, campaign, scope, checked.activity, { items }) };
}

/** `evaluation.score`: validates and saves one judge's scores on one activity, then shows the next. */
export async function submitScores(ctx: UseCaseContext, campaign: Campaign, themeId: string, formValue: Record<string, unknown> | undefined): Promise<ScoringResult> {
  const judge = await judgeOf(ctx, campaign);
  if (!judge) return { kind: 'refused', text: await deny(ctx, 'evaluation.score', 'Evaluation', campaign.id, '您不是本年度评选的评委') };
  const scope = await judgingScope(ctx, campaign, judge);
  const checked = await refuseConflict(ctx, campaign, scope, themeId, 'evaluation.score');
  if ('kind' in checked) return checked;
  const { criteria } = scope;
  const f = formValue ?? {};
  const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
  const typed = Object.fromEntries(criteria.map((c) => [c.key, str(f[`c_${c.key}`])]));
  const comment = str(f.comment).trim().slice(0, 300);
  const parsed = parseScores(typed, criteria);
  if (!parsed.ok) {
    return { kind: 'invalid', errors: Object.values(parsed.errors), score: await scoreCardFor(ctx, campaign, scope, checked.activity, { typed, comment, errors: parsed.errors }) };
  }
  // The judge's scores, read once: what this activity had before, and (with the new ones put in
  // their place) the judge's list and the next card after the save.
  const stored = await judgeScores(ctx, campaign, scope);
  const before = stored.filter((r) => r.themeId === themeId).map((r) => ({ criterionKey: r.criterionKey, score: r.score }));
  const row = (key: string) => ({ campaignId: campaign.id, themeId, judgeOpenId: ctx.actor, criterionKey: key, score: parsed.scores[key]!, comment: comment || null });
  if (before.length === 0) {
    // A first score (the usual case): the criteria's rows in one INSERT. Another copy of this judge's
    // press racing it on another instance fails on the unique key and is answered as failed; the
    // judge's retry then updates.
    await ctx.tx.score.createMany({ data: criteria.map((c) => row(c.key)) });
  } else {
    for (const c of criteria) {
      await ctx.tx.score.upsert({
        where: { themeId_judgeOpenId_criterionKey: { themeId, judgeOpenId: ctx.actor, criterionKey: c.key } },
        create: row(c.key),
        update: { score: parsed.scores[c.key]!, comment: comment || null },
      });
    }
  }
  await ctx.audit({ action: 'evaluation.score', entity: 'Theme', entityId: themeId, before: before.length ? before : undefined, after: parsed.scores });
  const saved = criteria.map((c) => ({ themeId, criterionKey: c.key, score: parsed.scores[c.key]!, comment: comment || null }));
  const scores = [...stored.filter((r) => r.themeId !== themeId || !criteria.some((c) => c.key === r.criterionKey)), ...saved];
  const items = await judgeItems(ctx, campaign, scope, scores);
  const next = items.find((i) => i.state === 'todo');
  // refuseConflict found the evaluation open, and it still is.
  const changed = before.length > 0;
  if (!next) return { kind: 'all_done', saved: true, changed, home: homeView(campaign, judge, items, { status: 'open' }) };
  const activity = scope.held.find((a) => a.themeId === next.themeId)!;
  return { kind: 'saved_next', changed, score: await scoreCardFor(ctx, campaign, scope, activity, { items, scores }) };
}

// ---------------------------------------------------------------- progress, winners

/** Counts behind the readiness warnings shown before results are published. */
async function readinessOf(tx: UseCaseContext['tx'], r: EvaluationResults): Promise<string[]> {
  const planned = await tx.theme.count({ where: { state: 'active', reviewStatus: 'approved', submission: { campaignId: r.campaign.id, status: 'submitted' } } });
  const judgesDone = r.judges.filter((j) => r.results.filter((x) => !x.conflicts.has(j.openId)).every((x) => x.sheets.get(j.openId)?.total !== undefined)).length;
  return resultsReadiness({
    judges: r.judges.length,
    judgesDone,
    planned: Math.max(planned, r.results.length),
    summarised: r.results.length,
    unscored: r.results.filter((x) => x.aggregate.final === undefined).length,
  });
}

function progressView(r: EvaluationResults, readiness: string[] = []): EvaluationProgressView {
  const status = r.evaluation?.status ?? 'none';
  return {
    readiness: status === 'open' ? readiness : [],
    year: r.campaign.year,
    statusLabel: r.evaluation ? (EVALUATION_STATUS_LABELS[status] ?? status) : '未开启',
    criteria: r.criteria,
    judges: r.judges.map((j) => {
      const eligible = r.results.filter((x) => !x.conflicts.has(j.openId));
      return { name: j.name, unitName: j.unitName, scored: eligible.filter((x) => x.sheets.get(j.openId)?.total !== undefined).length, eligible: eligible.length };
    }),
    ranking: r.results.map((x) => ({
      themeId: x.activity.themeId,
      rankLabel: x.rankLabel,
      unitName: x.activity.unitName,
      title: x.activity.title,
      final: x.aggregate.final,
      judges: x.aggregate.totals.length,
      trimmed: x.aggregate.trimmed,
    })),
    defaultWinners: topN(
      r.results.map((x) => x.ranked),
      3,
    ),
    winners: r.evaluation?.winners ?? [],
    canConfirm: status === 'open',
  };
}

/** The 评选进度 card's content: judges' progress, the ranking and the readiness warnings. */
export async function progressOf(ctx: UseCaseContext, campaign: Campaign): Promise<EvaluationProgressView> {
  const r = await computeResults(ctx.tx, campaign);
  if (r.criteria.length === 0) r.criteria = await ensureCriteria(ctx.tx, campaign.id);
  return progressView(r, await readinessOf(ctx.tx, r));
}

/** What 确认获奖名单 did; `announced`: the results went to `groups` chats. */
export type ConfirmResult = { kind: 'refused' | 'not_open'; text: string } | { kind: 'already_announced' | 'none_chosen'; progress: EvaluationProgressView } | { kind: 'announced'; groups: number; progress: EvaluationProgressView };

/** `evaluation.confirm`: records the winners, closes scoring and announces to every group. */
export async function confirmWinners(ctx: UseCaseContext, campaign: Campaign, winners: string[]): Promise<ConfirmResult> {
  const refusal = await requireCoordinator(ctx, 'evaluation.confirm');
  if (refusal) return { kind: 'refused', text: refusal };
  const evaluation = await ctx.tx.evaluation.findUnique({ where: { campaignId: campaign.id } });
  if (!evaluation) return { kind: 'not_open', text: '评选尚未开启' };
  if (evaluation.status !== 'open') return { kind: 'already_announced', progress: await progressOf(ctx, campaign) };
  const r = await computeResults(ctx.tx, campaign);
  const valid = winners.filter((w) => r.results.some((x) => x.activity.themeId === w && x.aggregate.final !== undefined));
  if (valid.length === 0) return { kind: 'none_chosen', progress: progressView(r, await readinessOf(ctx.tx, r)) };
  const ordered = r.results.filter((x) => valid.includes(x.activity.themeId));
  const winnerIds = ordered.map((x) => x.activity.themeId);
  await ctx.tx.evaluation.update({ where: { id: evaluation.id }, data: { status: 'announced', winners: JSON.stringify(winnerIds), confirmedBy: ctx.actor, confirmedAt: ctx.now } });
  await ctx.tx.campaign.update({ where: { id: campaign.id }, data: { status: 'closed' } });
  await ctx.audit({
    action: 'evaluation.confirm',
    entity: 'Evaluation',
    entityId: evaluation.id,
    after: { winners: ordered.map((x) => ({ themeId: x.activity.themeId, unit: x.activity.unitName, final: x.aggregate.final, rank: x.rankLabel })) },
  });
  const announcement = announcementCard({ year: campaign.year, winners: ordered.map((x) => ({ unitName: x.activity.unitName, title: x.activity.title, rankLabel: x.rankLabel, final: x.aggregate.final })) });
  const chats = await ctx.tx.groupChat.findMany({ where: { status: { in: ['bound', 'coordinator'] } }, select: { chatId: true } });
  const targets = new Set(chats.map((c) => c.chatId));
  if (ctx.config.coordinatorChatId) targets.add(ctx.config.coordinatorChatId);
  for (const chatId of targets) await ctx.enqueue(`evaluation.announce:${campaign.id}:${chatId}`, { op: 'send', to: { chatId }, card: announcement });
  // Only the evaluation's status and winners changed since the results were computed.
  return { kind: 'announced', groups: targets.size, progress: progressView({ ...r, evaluation: { status: 'announced', winners: winnerIds } }) };
}

export type { Criterion };
