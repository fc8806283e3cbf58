// The desk's read models: the same loaders the cards use (progressSnapshot, loadCampaignThemes,
// currentScheduleRows, scheduleWarnings, computeResults …) shaped as the JSON of src/desk/api.ts.
// Reads only; every change goes through the use cases (src/desk/router.ts).
import type { Tx } from '../adapters/db/database.ts';
import { formLabel, unitKindLabel, parseSettings } from '../domain/campaign.ts';
import { stageLabel } from '../domain/campaign-stage.ts';
import { shanghaiDate } from '../domain/time.ts';
import { decisionLabel, diffThemes, parseFields, parseForms, reviewStatusLabel } from '../domain/review.ts';
import { describeWarning } from '../domain/schedule.ts';
import { progressSnapshot } from '../usecases/submissions/progress.ts';
import { loadStageInfo } from '../usecases/campaign/stage.ts';
import { loadCampaignThemes } from '../usecases/review/queue.ts';
import { themeContent, unitContact } from '../usecases/review/common.ts';
import { currentScheduleRows, latestPublished, scheduleWarnings } from '../usecases/schedule/rows.ts';
import { pendingMoves } from '../usecases/schedule/move.ts';
import { computeResults } from '../usecases/evaluation/results.ts';
import { summaryCompleteness } from '../usecases/summaries/completeness.ts';
import { linkProblem, monthsAway, parseEvidenceCheck, PHOTO_MONTH_TOLERANCE } from '../domain/evidence.ts';
import { storedDates, storedForms, storedLinks } from '../domain/summary.ts';
import { barChart } from '../../cards/chart.ts';
import { progressChart } from '../../cards/progress.ts';
import type { CardElement } from '../../cards/kit.ts';
import type { CampaignItem, EvaluationResponse, FieldDiff, FormKey, Overview, ReviewItem, ReviewResponse, ReviewStatusKey, ScheduleBoard, SubmissionRow, SummaryItem, ThemeFieldKey, UnitItem, UnitKindKey } from './api.ts';
import { reviewRecordsOf } from '../usecases/review/queue.ts';

type CampaignRow = NonNullable<Awaited<ReturnType<Tx['campaign']['findUnique']>>>;

const SUBMISSION_STATUS_LABELS: Record<string, string> = { pending: '未提交', submitted: '已提交', withdrawn: '已撤回' };
const KIND_ORDER: Record<string, number> = { street: 0, town: 1, department: 2 };
const kindKey = (k: string): UnitKindKey => (k === 'town' || k === 'street' || k === 'department' ? k : 'department');
const formKeys = (json: string): FormKey[] => parseForms(json) as FormKey[];
const specOf = (el: CardElement): Record<string, unknown> => (el as unknown as { chart_spec: Record<string, unknown> }).chart_spec;

export async function campaignItem(tx: Tx, c: CampaignRow, now: Date): Promise<CampaignItem> {
  // The label the chat shows too: a plan published while 申报 stays open says both.
  const { stage, publishedWhileOpen } = await loadStageInfo(tx, c, now);
  return { year: c.year, title: c.title, status: c.status, stage, stageLabel: stageLabel(stage, publishedWhileOpen), deadline: c.deadline };
}

export async function campaignList(tx: Tx, now: Date): Promise<CampaignItem[]> {
  const rows = await tx.campaign.findMany({ orderBy: { year: 'desc' } });
  const out: CampaignItem[] = [];
  for (const c of rows) out.push(await campaignItem(tx, c, now));
  return out;
}

export async function overview(tx: Tx, c: CampaignRow, now: Date): Promise<Overview> {
  const s = await progressSnapshot(tx, c.id);
  const item = await campaignItem(tx, c, now);
  const subs = await tx.submission.findMany({
    where: { campaignId: c.id, unit: { active: true } },
    select: { unitId: true, late: true, status: true, submittedAt: true, deadlineOverride: true, reopenedUntil: true, unit: { select: { name: true, kind: true } } },
  });
  // Shanghai's date: before 08:00 there, UTC's is still yesterday's.
  const today = shanghaiDate(now);
  const lateUnits = subs
    .map((x) => ({ ...x, deadline: x.reopenedUntil ?? x.deadlineOverride ?? c.deadline }))
    .filter((x) => (x.late && x.status === 'submitted') || (x.status !== 'submitted' && x.deadline < today))
    .map((x) => ({
      unitId: x.unitId,
      unitName: x.unit.name,
      kind: kindKey(x.unit.kind),
      // A unit that withdrew keeps its submittedAt: the table says it withdrew rather than show a date.
      state: x.status === 'submitted' ? ('late' as const) : x.status === 'withdrawn' ? ('withdrawn' as const) : ('missing' as const),
      submittedAt: x.status === 'submitted' ? (x.submittedAt?.toISOString() ?? null) : null,
      deadline: x.deadline,
    }));
  const lateSubmitted = lateUnits.filter((x) => x.state === 'late').length;
  const charts: Overview['charts'] = [];
  if (s.total > 0) charts.push({ key: 'progress', title: '按单位类别：已提交 / 未提交', spec: specOf(progressChart(s)) });
  charts.push({ key: 'forms', title: '按活动形式', spec: specOf(barChart({ title: '按活动形式', data: s.byForm.map((f) => ({ category: f.label, value: f.count })) })) });
  charts.push({ key: 'months', title: '按月份', spec: specOf(barChart({ title: '按月份', data: s.byMonth.map((n, i) => ({ category: `${i + 1}月`, value: n })) })) });
  return {
    year: c.year,
    title: c.title,
    stage: item.stage,
    stageLabel: item.stageLabel,
    deadline: c.deadline,
    byKind: s.byKind.map((g) => ({ kind: kindKey(g.kind), label: g.label, submitted: g.submitted, notSubmitted: g.total - g.submitted })),
    totals: { units: s.total, submitted: s.submitted, notSubmitted: s.total - s.submitted, themes: s.themeCount, late: lateSubmitted, overdue: lateUnits.length - lateSubmitted },
    lateUnits,
    charts,
  };
}

export async function submissionRows(tx: Tx, c: CampaignRow): Promise<SubmissionRow[]> {
  const units = await tx.unit.findMany({
    where: { active: true },
    include: {
      liaisons: { select: { name: true, phone: true, role: true } },
      submissions: { where: { campaignId: c.id }, include: { themes: { where: { state: 'active' }, orderBy: { seq: 'asc' } } } },
    },
  });
  units.sort((a, b) => (KIND_ORDER[a.kind] ?? 9) - (KIND_ORDER[b.kind] ?? 9) || a.sortOrder - b.sortOrder || a.name.localeCompare(b.name, 'zh'));
  const rows: SubmissionRow[] = [];
  for (const u of units) {
    const sub = u.submissions[0];
    const status = sub?.status ?? 'pending';
    const contact = sub ? unitContact(sub, u.liaisons) : unitContact({ contactName: null, contactPhone: null }, u.liaisons);
    const base = {
      unitId: u.id,
      unitName: u.name,
      kind: kindKey(u.kind),
      kindLabel: unitKindLabel(u.kind),
      submissionStatus: status,
      submissionStatusLabel: SUBMISSION_STATUS_LABELS[status] ?? status,
      version: sub?.version ?? 0,
      late: sub?.late ?? false,
      contactName: contact.name || null,
      contactPhone: contact.phone || null,
      submittedAt: sub?.submittedAt?.toISOString() ?? null,
    };
    const themes = status === 'submitted' ? (sub?.themes ?? []) : [];
    if (themes.length === 0) {
      rows.push({ ...base, id: `unit:${u.id}`, themeId: null, seq: null, title: null, month: null, scheduledMonth: null, forms: [], formLabels: [], intro: null, reviewStatus: null, reviewStatusLabel: null, themeVersion: null });
      continue;
    }
    for (const t of themes) {
      const forms = formKeys(t.forms);
      rows.push({
        ...base,
        id: t.id,
        themeId: t.id,
        seq: t.seq,
        title: t.title,
        month: t.month,
        scheduledMonth: t.scheduledMonth,
        forms,
        formLabels: forms.map(formLabel),
        intro: t.intro,
        reviewStatus: t.reviewStatus as ReviewStatusKey,
        reviewStatusLabel: reviewStatusLabel(t.reviewStatus),
        themeVersion: t.version,
      });
    }
  }
  return rows;
}

export async function reviewQueue(tx: Tx, c: CampaignRow): Promise<ReviewResponse> {
  const themes = await loadCampaignThemes(tx, c.id);
  const ids = themes.map((t) => t.id);
  const { decisions, versions, names } = await reviewRecordsOf(tx, ids);
  const counts = { pending: 0, approved: 0, returned: 0, rejected: 0, total: themes.length };
  const items: ReviewItem[] = [];
  for (const t of themes) {
    if (t.reviewStatus in counts) counts[t.reviewStatus as 'pending']++;
    const mine = decisions.filter((d) => d.themeId === t.id);
    const last = mine[mine.length - 1];
    // Same rule as the review card: what changed since the version that was returned (or last decided).
    const since = [...mine].reverse().find((d) => d.decision === 'return') ?? last;
    let diff: FieldDiff[] = [];
    if (since && since.themeVersion < t.version) {
      const old = versions.find((v) => v.themeId === t.id && v.version === since.themeVersion);
      if (old) diff = diffThemes(themeContent(old), themeContent(t)).map((d) => ({ field: d.field as ThemeFieldKey, label: d.label, before: d.before, after: d.after }));
    }
    const u = t.submission.unit;
    const contact = unitContact(t.submission, u.liaisons);
    const forms = formKeys(t.forms);
    items.push({
      themeId: t.id,
      themeVersion: t.version,
      unitId: u.id,
      unitName: u.name,
      kind: kindKey(u.kind),
      seq: t.seq,
      title: t.title,
      month: t.month,
      forms,
      formLabels: forms.map(formLabel),
      intro: t.intro,
      reviewStatus: t.reviewStatus as ReviewStatusKey,
      reviewStatusLabel: reviewStatusLabel(t.reviewStatus),
      reviewReason: t.reviewReason,
      reviewFields: parseFields(t.reviewFields) as ThemeFieldKey[],
      contactName: contact.name || null,
      contactPhone: contact.phone || null,
      submittedAt: t.submission.submittedAt?.toISOString() ?? null,
      diff,
      history: mine.map((d) => ({ at: d.createdAt.toISOString(), decision: d.decision, decisionLabel: decisionLabel(d.decision), reason: d.reason, reviewerName: names.get(d.reviewerOpenId) ?? d.reviewerOpenId })),
    });
  }
  items.sort((a, b) => (KIND_ORDER[a.kind] ?? 9) - (KIND_ORDER[b.kind] ?? 9) || a.unitName.localeCompare(b.unitName, 'zh') || a.seq - b.seq);
  return { year: c.year, counts, items };
}

export async function scheduleBoard(tx: Tx, c: CampaignRow): Promise<ScheduleBoard> {
  const rows = await currentScheduleRows(tx, c.id);
  const { warnings } = await scheduleWarnings(tx, c, rows);
  const published = await latestPublished(tx, c.id);
  const pending = new Map((await pendingMoves(tx, c.id)).map((p) => [p.themeId, p.to]));
  const themes = await tx.theme.findMany({ where: { id: { in: rows.map((r) => r.themeId) } }, select: { id: true, month: true, moveState: true } });
  const byId = new Map(themes.map((t) => [t.id, t]));
  const months: ScheduleBoard['months'] = Array.from({ length: 12 }, (_, i) => ({ month: i + 1, items: [] }));
  for (const r of rows) {
    const t = byId.get(r.themeId);
    const forms = r.forms as FormKey[];
    months[r.month - 1]?.items.push({
      themeId: r.themeId,
      unitId: r.unitId,
      unitName: r.unitName,
      kind: kindKey(r.unitKind),
      title: r.title,
      forms,
      formLabels: forms.map(formLabel),
      declaredMonth: t?.month ?? r.month,
      month: r.month,
      moveState: t?.moveState ?? 'none',
      proposedMonth: pending.get(r.themeId) ?? null,
    });
  }
  const publishedRow = published ? await tx.scheduleVersion.findUnique({ where: { id: published.id }, select: { publishedAt: true } }) : null;
  return {
    year: c.year,
    months,
    warnings: warnings.map(describeWarning),
    published: published ? { version: published.version, publishedAt: (publishedRow?.publishedAt ?? new Date(0)).toISOString() } : null,
  };
}

export async function evaluationView(tx: Tx, c: CampaignRow): Promise<EvaluationResponse> {
  const r = await computeResults(tx, c);
  const judgeName = new Map(r.judges.map((j) => [j.openId, j.name]));
  return {
    year: c.year,
    status: r.evaluation?.status ?? 'none',
    criteria: r.criteria.map((k) => ({ key: k.key, label: k.name, max: k.maxScore })),
    judges: r.judges.map((j) => ({ openId: j.openId, name: j.name, unitName: j.unitName || null, scored: r.results.filter((a) => a.sheets.get(j.openId)?.total !== undefined).length })),
    activities: r.results.map((a) => ({
      themeId: a.activity.themeId,
      unitName: a.activity.unitName,
      title: a.activity.title,
      scores: Object.fromEntries([...a.sheets].map(([openId, s]) => [judgeName.get(openId) ?? openId, { ...s.scores } as Record<string, number>])),
      conflicts: [...a.conflicts].map((id) => judgeName.get(id) ?? id),
      trimmedMean: a.aggregate.final ?? null,
      rank: a.ranked.rank ?? null,
      tie: a.ranked.tied,
    })),
  };
}

export async function unitList(tx: Tx): Promise<UnitItem[]> {
  const units = await tx.unit.findMany({ include: { liaisons: true } });
  units.sort((a, b) => (KIND_ORDER[a.kind] ?? 9) - (KIND_ORDER[b.kind] ?? 9) || a.sortOrder - b.sortOrder || a.name.localeCompare(b.name, 'zh'));
  return units.map((u) => ({
    id: u.id,
    name: u.name,
    shortName: u.shortName,
    kind: kindKey(u.kind),
    kindLabel: unitKindLabel(u.kind),
    sortOrder: u.sortOrder,
    active: u.active,
    chatBound: u.chatId !== null,
    leaderName: u.leaderName,
    liaisons: u.liaisons.map((l) => ({ name: l.name, phone: l.phone, role: l.role === 'backup' ? 'backup' : 'primary', openId: l.openId })),
  }));
}

export function settingsOf(c: CampaignRow): Record<string, unknown> {
  return { ...parseSettings(c.settings) } as Record<string, unknown>;
}

/** Summaries and evidence per activity: summaryCompleteness (the 总结进度 card's rows) plus the photos and link checks. */
export async function summariesView(tx: Tx, c: CampaignRow): Promise<SummaryItem[]> {
  const rows = await summaryCompleteness(tx, c.id);
  const summaries = await tx.summary.findMany({
    where: { themeId: { in: rows.map((r) => r.themeId) } },
    include: { attachments: { where: { deletedAt: null }, orderBy: { createdAt: 'asc' }, select: { id: true, kind: true, takenOn: true } } },
  });
  const byTheme = new Map(summaries.map((s) => [s.themeId, s]));
  return rows.map((r) => {
    const s = byTheme.get(r.themeId);
    const check = parseEvidenceCheck(s?.evidenceCheck);
    const links = storedLinks(s?.links);
    const result = (url: string) => check?.links.find((l) => l.url === url);
    const channelLinks = (['media', 'website', 'newMedia'] as const).flatMap((channel) =>
      links[channel].map((url) => {
        const res = result(url);
        // The tag already says 无法访问: the detail says why, in the words the cards use ("network" read as code).
        const why = res && !res.ok ? linkProblem(res) : null;
        return { channel, url, ok: res ? res.ok : null, detail: res ? (res.ok ? (res.status ? `HTTP ${res.status}` : null) : why === '无法访问' ? null : why) : null };
      }),
    );
    return {
      themeId: r.themeId,
      unitName: r.unitName,
      title: r.title,
      month: r.month,
      status: s ? s.status : 'none',
      heldDates: storedDates(s?.heldDates),
      formLabels: storedForms(s?.formsUsed).map(formLabel),
      logoShown: s?.logoShown ?? null,
      links: channelLinks,
      summaryText: s?.summaryText ?? null,
      experience: s?.experience ?? null,
      photos: (s?.attachments ?? [])
        .filter((a) => a.kind === 'photo' || a.kind === 'logo_photo')
        .map((a) => ({
          id: a.id,
          url: `/desk/api/photos/${a.id}`,
          takenOn: a.takenOn,
          isLogo: a.kind === 'logo_photo',
          dateWarning: a.takenOn && monthsAway(a.takenOn, c.year, r.month) > PHOTO_MONTH_TOLERANCE ? `拍摄日期 ${a.takenOn} 与活动月份（${r.month}月）相差较远` : null,
        })),
      missing: r.missing,
    };
  });
}
