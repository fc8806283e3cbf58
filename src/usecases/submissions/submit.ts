// The 申报 flow: open the form (in the liaison's direct chat), apply each click to the draft,
// accept a submit (new version, theme versions, revision snapshot, receipt, progress), withdraw.
import type { Tx } from '../../adapters/db/database.ts';
import type { UseCaseContext } from '../../app/bot.ts';
import { isLiaisonOf, liaisonUnitIds } from '../../app/access.ts';
import { maskPhone } from '../../domain/phone.ts';
import {
  EMPTY_RAW_THEME,
  applyDraftOp,
  firstAllowedMonth,
  isLate,
  isOpenAt,
  lastEditableDate,
  parseDraft,
  readForm,
  sameAsSubmitted,
  type DraftOp,
  type DraftTheme,
  type SubmissionDraft,
  type ContactInput,
} from '../../domain/submission.ts';
import { shanghaiDate, shanghaiDateTime } from '../../domain/time.ts';
import { campaignStage, STAGE_LABELS, unitMaySubmit } from '../../domain/campaign-stage.ts';
import { REUSE_PICK, buildClosedFormCard, buildSubmissionFormCard, type ConflictView, type SubmissionFormView, type ThemeSummaryView } from '../../../cards/submission-form.ts';
import { buildReceiptCard, supersededReceiptCard } from '../../../cards/receipt.ts';
import type { CardJson } from '../../../cards/kit.ts';
import { activeThemes, dateText, deny, draftThemeOf, instantText, parseSnapshot, personName, type RevisionSnapshot } from './shared.ts';
import { refreshProgressCards } from './progress.ts';
import { parseSettings } from '../../domain/campaign.ts';
import { diffThemes, reviewStatusLabel, type FieldChange } from '../../domain/review.ts';
import { resubmittedCard } from '../../../cards/review.ts';
import { namesOf, sendToOffice, themeContent } from '../review/common.ts';
import { pastThemeDraft, pastThemesOf } from '../campaign/carry-over.ts';

export function draftSubject(submissionId: string): string {
  return `submission:${submissionId}`;
}

async function loadSubmission(tx: Tx, submissionId: string) {
  return tx.submission.findUnique({ where: { id: submissionId }, include: { campaign: true, unit: true } });
}
type LoadedSubmission = NonNullable<Awaited<ReturnType<typeof loadSubmission>>>;

function facts(s: LoadedSubmission) {
  return { campaignDeadline: s.campaign.deadline, deadlineOverride: s.deadlineOverride, reopenedUntil: s.reopenedUntil };
}

/** Why this person may not act for this submission's unit, or null when they may. */
async function liaisonRefusal(ctx: UseCaseContext, s: LoadedSubmission): Promise<string | null> {
  if (await isLiaisonOf(ctx.tx, ctx.actor, s.unitId)) return null;
  const own = await liaisonUnitIds(ctx.tx, ctx.actor);
  if (own.length > 0) {
    const units = await ctx.tx.unit.findMany({ where: { id: { in: own } }, select: { name: true } });
    return `你是${units.map((u) => u.name).join('、')}的联系人，不能代${s.unit.name}填报或修改申报。`;
  }
  return `只有${s.unit.name}的联系人可以填报。如果由你负责本单位填报，请先在本单位工作群点击“绑定为联系人”，或发送“@主题日助手 我是联系人”。`;
}

function windowRefusal(s: LoadedSubmission, now: Date): string | null {
  // After 申报 closes for the campaign, a unit's own extension or reopening still lets it in.
  const stage = campaignStage({ status: s.campaign.status, year: s.campaign.year, today: shanghaiDate(now), scheduledMonths: [] });
  if (!unitMaySubmit(stage, s, shanghaiDate(now))) {
    return `${s.campaign.title}的申报已截止（当前阶段：${STAGE_LABELS[stage]}）。如需补报，请联系县政务公开办（${s.campaign.contactName} ${s.campaign.contactPhone}）重新开放。`;
  }
  if (!isOpenAt(facts(s), now)) {
    return `申报已于 ${dateText(lastEditableDate(facts(s)))} 截止，不能再提交或修改。如需补报，请联系县政务公开办（${s.campaign.contactName} ${s.campaign.contactPhone}）重新开放。`;
  }
  return null;
}

async function lastSnapshot(tx: Tx, submissionId: string, action?: string): Promise<{ snapshot: RevisionSnapshot; actorOpenId: string; createdAt: Date; version: number } | null> {
  const rev = await tx.submissionRevision.findFirst({ where: { submissionId, ...(action ? { action } : {}) }, orderBy: [{ version: 'desc' }, { createdAt: 'desc' }] });
  if (!rev) return null;
  const snapshot = parseSnapshot(rev.snapshot);
  return snapshot ? { snapshot, actorOpenId: rev.actorOpenId, createdAt: rev.createdAt, version: rev.version } : null;
}

/** A fresh draft from what is on file: the submitted themes, or the withdrawn ones to start from. */
async function freshDraft(tx: Tx, s: LoadedSubmission, actor: string): Promise<SubmissionDraft> {
  const liaison = await tx.liaison.findFirst({ where: { unitId: s.unitId, openId: actor } });
  let themes: DraftTheme[] = [];
  if (s.status === 'submitted') themes = await activeThemes(tx, s.id);
  else if (s.status === 'withdrawn') {
    const snap = await lastSnapshot(tx, s.id, 'submit');
    const edit = await lastSnapshot(tx, s.id, 'edit');
    const last = edit && (!snap || edit.version > snap.version) ? edit : snap;
    themes = (last?.snapshot.themes ?? []).map((t) => ({ themeId: t.themeId, title: t.title, month: t.month, forms: t.forms as DraftTheme['forms'], intro: t.intro, domains: t.domains ?? [] }));
  }
  return {
    contactName: liaison?.name ?? s.contactName ?? '',
    contactPhone: liaison?.phone ?? s.contactPhone ?? '',
    themes,
    editing: null,
    current: { ...EMPTY_RAW_THEME },
    errors: {},
  };
}

/** The submitted themes the office has decided on (approved, returned, rejected), in order; none unless submitted. */
async function decidedThemes(tx: Tx, s: LoadedSubmission): Promise<{ title: string; reviewStatus: string; reviewReason: string | null }[]> {
  if (s.status !== 'submitted') return [];
  return tx.theme.findMany({
    where: { submissionId: s.id, state: 'active', reviewStatus: { in: ['approved', 'returned', 'rejected'] } },
    orderBy: { seq: 'asc' },
    select: { title: true, reviewStatus: true, reviewReason: true },
  });
}

async function conflictOf(tx: Tx, s: LoadedSubmission, baseVersion: number): Promise<ConflictView | undefined> {
  if (s.version === baseVersion) return undefined;
  const last = await lastSnapshot(tx, s.id);
  const themes = s.status === 'submitted' ? await activeThemes(tx, s.id) : [];
  // What the office has decided on in the latest version: overriding it sends those themes back to review.
  const decided = await decidedThemes(tx, s);
  return {
    version: await displayVersionOf(tx, s.id, s.version),
    byName: last ? await personName(tx, last.actorOpenId, s.unitId) : '他人',
    atText: last ? `${instantText(last.createdAt)}${s.status === 'withdrawn' ? ' 撤回' : ' 提交'}` : '',
    themes,
    decided: decided.map((t) => ({ title: t.title, statusLabel: reviewStatusLabel(t.reviewStatus) })),
  };
}

async function formView(tx: Tx, s: LoadedSubmission, draft: SubmissionDraft, baseVersion: number, now: Date, banner?: string): Promise<SubmissionFormView> {
  return {
    submissionId: s.id,
    baseVersion,
    unitName: s.unit.name,
    campaignTitle: s.campaign.title,
    year: s.campaign.year,
    deadlineText: dateText(lastEditableDate(facts(s))),
    firstAllowedMonth: firstAllowedMonth(s.campaign.year, shanghaiDate(now)),
    draft,
    conflict: await conflictOf(tx, s, baseVersion),
    banner,
    domainOptions: parseSettings(s.campaign.settings).themeDomains,
    ...(await previousFor(tx, s)),
    ...(await reviewNoteFor(tx, s)),
  };
}

/**
 * The office's decisions on the saved themes, said on the form before the liaison edits (only a
 * submitted unit has any). Editing an approved theme's content sends it back to review, and out of
 * the next 计划安排表 until it is approved again (found trying local mode: a title tweak silently
 * took an activity out of the plan); returned and rejected themes are named with the reason.
 */
async function reviewNoteFor(tx: Tx, s: LoadedSubmission): Promise<{ reviewNote?: string }> {
  const decided = await decidedThemes(tx, s);
  if (decided.length === 0) return {};
  const lines: string[] = [];
  const approved = decided.filter((t) => t.reviewStatus === 'approved');
  if (approved.length > 0) {
    const published = (await tx.scheduleVersion.count({ where: { campaignId: s.campaignId } })) > 0;
    const which = approved.map((t) => `「${t.title}」`).join('、');
    lines.push(
      published
        ? `已审核通过并列入计划安排表：${which}。修改这些主题的名称、月份、形式、简介或领域后需重新审核，重新审核通过前，计划再次发布时不含该活动；只改联系人、电话不影响。`
        : `已审核通过：${which}。修改这些主题的名称、月份、形式、简介或领域后需重新审核；只改联系人、电话不影响。`,
    );
  }
  // The form lists saved themes without their review: the office's decision and reason are said here.
  const why = (t: { reviewReason: string | null }) => (t.reviewReason ? `（${t.reviewReason}）` : '');
  for (const t of decided.filter((x) => x.reviewStatus === 'returned')) lines.push(`退回修改：「${t.title}」${why(t)}。按意见修改后提交，即重新送审。`);
  for (const t of decided.filter((x) => x.reviewStatus === 'rejected')) lines.push(`未被采纳：「${t.title}」${why(t)}。修改后提交将重新送审；不修改则仍为不采纳。`);
  return { reviewNote: lines.join('\n') };
}

/** Last year's themes of the unit (read-only reference with 以此为草稿), when there are any. */
async function previousFor(tx: Tx, s: LoadedSubmission): Promise<{ previous?: NonNullable<Awaited<ReturnType<typeof pastThemesOf>>> }> {
  const previous = await pastThemesOf(tx, s.unitId, s.campaign.year);
  return previous ? { previous } : {};
}

async function saveDraft(tx: Tx, submissionId: string, openId: string, draft: SubmissionDraft, baseVersion: number): Promise<void> {
  const subject = draftSubject(submissionId);
  const data = JSON.stringify(draft);
  await tx.formDraft.upsert({ where: { subject_openId: { subject, openId } }, create: { subject, openId, data, baseVersion }, update: { data, baseVersion } });
}

/** What opening the form did (the form itself went to the liaison's direct chat). */
export type OpenFormResult = { kind: 'sent' } | { kind: 'missing'; text: string } | { kind: 'refused'; text: string };

/**
 * 填写申报表 / 修改: sends the form to the liaison's direct chat (phones stay out of the group).
 * An unfinished draft on the same version is reused so nothing typed earlier is lost.
 */
export async function openSubmissionForm(ctx: UseCaseContext, submissionId: string, via: 'open' | 'edit'): Promise<OpenFormResult> {
  const s = await loadSubmission(ctx.tx, submissionId);
  if (!s) return { kind: 'missing', text: await deny(ctx, `submission.${via}`, 'Submission', submissionId, '找不到这份申报，卡片可能已过期') };
  const refusal = (await liaisonRefusal(ctx, s)) ?? windowRefusal(s, ctx.now);
  if (refusal) return { kind: 'refused', text: await deny(ctx, `submission.${via}`, 'Submission', s.id, refusal) };

  const existing = await ctx.tx.formDraft.findUnique({ where: { subject_openId: { subject: draftSubject(s.id), openId: ctx.actor } } });
  const kept = existing && existing.baseVersion === s.version ? parseDraft(existing.data) : null;
  const draft = kept ?? (await freshDraft(ctx.tx, s, ctx.actor));
  await saveDraft(ctx.tx, s.id, ctx.actor, draft, s.version);
  const card = buildSubmissionFormCard(await formView(ctx.tx, s, draft, s.version, ctx.now, kept ? '已恢复你上次未提交的内容。' : undefined));
  await ctx.enqueue(`form:${s.id}:${ctx.actor}:${ctx.eventId}`, { op: 'send', to: { openId: ctx.actor }, card });
  await ctx.audit({ action: `submission.${via}_form`, entity: 'Submission', entityId: s.id });
  return { kind: 'sent' };
}

const OPS = new Set(['save', 'submit', 'edit', 'delete', 'new', 'cancel', 'reload', 'rebase', 'reuse']);

/**
 * What one click on the form did. `form`: the form to show again, with a message whose outcome is
 * `updated` (the click was applied), `reloaded` (another version loaded or taken as the base),
 * `pick_needed` (以此为草稿 without a usable pick), `refused`, or `unchanged` (a submit of exactly
 * the version on file: no new version).
 */
export type FormActionResult =
  | { kind: 'missing'; text: string }
  | { kind: 'refused'; text: string }
  /** no draft on file: the form was closed (submitted: the unit and the version on file) */
  | { kind: 'expired'; submitted: { unitName: string; displayVersion: number } | null }
  | { kind: 'older_card' }
  | { kind: 'form'; outcome: 'updated' | 'reloaded' | 'pick_needed' | 'refused' | 'unchanged'; message: string; form: SubmissionFormView }
  | { kind: 'submitted'; late: boolean; unitName: string; displayVersion: number; atText: string; themes: ThemeSummaryView[] };

/** One click on the form card: value {s, v, op, i?} plus the form's values. */
export async function submissionFormAction(
  ctx: UseCaseContext,
  input: { submissionId: string; cardVersion: number; op: string; index?: number; formValue?: Record<string, unknown>; /** the form's message (in the liaison's direct chat) */ messageId?: string },
): Promise<FormActionResult> {
  const s = await loadSubmission(ctx.tx, input.submissionId);
  if (!s || !OPS.has(input.op)) return { kind: 'missing', text: await deny(ctx, 'submission.form', 'Submission', input.submissionId, '这张申报表已失效，请重新打开') };
  const who = await liaisonRefusal(ctx, s);
  if (who) return { kind: 'refused', text: await deny(ctx, `submission.form.${input.op}`, 'Submission', s.id, who) };

  const row = await ctx.tx.formDraft.findUnique({ where: { subject_openId: { subject: draftSubject(s.id), openId: ctx.actor } } });
  const stored = row ? parseDraft(row.data) : null;
  if (!row || !stored) {
    return { kind: 'expired', submitted: s.status === 'submitted' ? { unitName: s.unit.name, displayVersion: await displayVersionOf(ctx.tx, s.id, s.version) } : null };
  }
  if (row.baseVersion !== input.cardVersion) return { kind: 'older_card' };
  const form = readForm(input.formValue);
  const domainOptions = parseSettings(s.campaign.settings).themeDomains;
  const rules = { campaignYear: s.campaign.year, today: shanghaiDate(ctx.now), domainOptions };
  let baseVersion = row.baseVersion;

  if (input.op === 'reload' || input.op === 'rebase') {
    let draft: SubmissionDraft;
    let message: string;
    if (input.op === 'reload') {
      draft = { ...(await freshDraft(ctx.tx, s, ctx.actor)), contactName: form.contactName, contactPhone: form.contactPhone };
      message = `已载入最新的第 ${await displayVersionOf(ctx.tx, s.id, s.version)} 版，可在此基础上修改`;
    } else {
      draft = { ...stored, contactName: form.contactName, contactPhone: form.contactPhone, current: form.theme, errors: {} };
      message = `将以你的内容为准，点击“提交申报”替换第 ${await displayVersionOf(ctx.tx, s.id, s.version)} 版`;
      await ctx.audit({ action: 'submission.rebase', entity: 'Submission', entityId: s.id, after: { from: baseVersion, to: s.version } });
    }
    baseVersion = s.version;
    await saveDraft(ctx.tx, s.id, ctx.actor, draft, baseVersion);
    return { kind: 'form', outcome: 'reloaded', message, form: await formView(ctx.tx, s, draft, baseVersion, ctx.now, message) };
  }

  let op: DraftOp;
  if (input.op === 'reuse') {
    const picked = input.formValue?.[REUSE_PICK];
    const index = input.index ?? (typeof picked === 'string' && /^\d{1,2}$/.test(picked) ? Number(picked) : -1);
    const past = index >= 0 ? await pastThemeDraft(ctx.tx, s.unitId, s.campaign.year, index) : null;
    if (!past) {
      const message = index < 0 ? '请先选择一个往年主题，再点“以此为草稿”' : '找不到这个往年主题，请刷新后重试';
      return { kind: 'form', outcome: 'pick_needed', message, form: await formView(ctx.tx, s, { ...stored, contactName: form.contactName, contactPhone: form.contactPhone, current: form.theme }, baseVersion, ctx.now) };
    }
    // 领域 no longer in this year's list are dropped rather than refused.
    op = { op: 'reuse', theme: { ...past, domains: past.domains.filter((d) => domainOptions.includes(d)) } };
  } else {
    op = input.op === 'edit' || input.op === 'delete' ? { op: input.op, index: input.index ?? -1 } : ({ op: input.op } as DraftOp);
  }
  const step = applyDraftOp(stored, form, op, rules);

  if (step.refused || op.op !== 'submit' || !step.accepted) {
    await saveDraft(ctx.tx, s.id, ctx.actor, step.draft, baseVersion);
    if (step.refused && op.op === 'submit') await ctx.audit({ action: 'submission.submit', entity: 'Submission', entityId: s.id, decision: 'deny', reason: `invalid: ${Object.keys(step.draft.errors).join(',')}` });
    return { kind: 'form', outcome: step.refused ? 'refused' : 'updated', message: step.message, form: await formView(ctx.tx, s, step.draft, baseVersion, ctx.now) };
  }

  // Submit: the window and the version are checked last so the draft is saved either way.
  await saveDraft(ctx.tx, s.id, ctx.actor, step.draft, baseVersion);
  const closed = windowRefusal(s, ctx.now);
  if (closed) {
    await deny(ctx, 'submission.submit', 'Submission', s.id, closed);
    return { kind: 'form', outcome: 'refused', message: closed, form: await formView(ctx.tx, s, step.draft, baseVersion, ctx.now, closed) };
  }
  if (s.version !== baseVersion) {
    // 第 N 版 as the receipts count them (withdrawals are no versions), not the lock's counter.
    const reason = `本单位的申报已被更新为第 ${await displayVersionOf(ctx.tx, s.id, s.version)} 版，你的表单基于第 ${await displayVersionOf(ctx.tx, s.id, baseVersion)} 版，未提交`;
    await deny(ctx, 'submission.submit', 'Submission', s.id, `stale: base v${baseVersion}, current v${s.version}`);
    return { kind: 'form', outcome: 'refused', message: reason, form: await formView(ctx.tx, s, step.draft, baseVersion, ctx.now) };
  }

  // 修改 then 提交 with nothing changed: no new version, receipt or review round; the form stays open.
  if (s.status === 'submitted' && sameAsSubmitted(step.accepted, { contactName: s.contactName, contactPhone: s.contactPhone, themes: await activeThemes(ctx.tx, s.id) })) {
    const message = `内容与已提交的第 ${await displayVersionOf(ctx.tx, s.id, s.version)} 版相同，未生成新版本。如需修改，请改动后再点“提交申报”`;
    return { kind: 'form', outcome: 'unchanged', message, form: await formView(ctx.tx, s, step.draft, baseVersion, ctx.now, message) };
  }

  const result = await acceptSubmission(ctx.tx, { submission: s, contact: step.accepted.contact, themes: step.accepted.themes, actor: ctx.actor, now: ctx.now });
  if (!result) {
    // Another liaison's submit of the same version committed while this one waited.
    const fresh = (await loadSubmission(ctx.tx, s.id))!;
    await deny(ctx, 'submission.submit', 'Submission', s.id, `stale: base v${baseVersion}, current v${fresh.version} (concurrent)`);
    return { kind: 'form', outcome: 'refused', message: `本单位的申报刚被更新为第 ${fresh.version} 版，你的表单未提交`, form: await formView(ctx.tx, fresh, step.draft, baseVersion, ctx.now) };
  }
  await ctx.tx.formDraft.delete({ where: { id: row.id } });
  await ctx.audit({ action: `submission.${result.action}`, entity: 'Submission', entityId: s.id, before: result.before, after: result.after });
  const displayVersion = await postReceipt(ctx, s.id);
  await closeSubmittedForms(ctx, s.id, `${s.unit.name}的申报已更新为第 ${displayVersion} 版（${instantText(ctx.now)}），以工作群里最新的回执为准。`);
  await tellOfficeBackToReview(ctx, s, result.backToReview);
  if (input.messageId) await ctx.tx.trackedCard.create({ data: { purpose: `${SUBMITTED_FORM}${s.id}:${ctx.actor}`, chatId: ctx.actor, messageId: input.messageId } });
  await refreshProgressCards(ctx, s.campaignId);
  return { kind: 'submitted', late: result.late, unitName: s.unit.name, displayVersion, atText: instantText(ctx.now), themes: result.after.themes };
}

/**
 * Returned or rejected themes the liaison changed on the form are back in the office's queue: the
 * office gets the same card as for a theme revised from its 修改并重新提交 card (found in a
 * Chromium pass: a 不采纳 theme edited on the form went back to 待审核 without a word to anyone).
 */
async function tellOfficeBackToReview(ctx: UseCaseContext, s: LoadedSubmission, themes: BackToReview[]): Promise<void> {
  if (themes.length === 0) return;
  const byName = (await namesOf(ctx.tx, [ctx.actor])).get(ctx.actor) ?? '联系人';
  for (const t of themes) {
    const card = resubmittedCard({ unitName: s.unit.name, title: t.title, version: t.version, changes: t.changes, byName, at: shanghaiDateTime(ctx.now), unitId: s.unitId, was: t.was, reason: t.reason });
    await sendToOffice(ctx, s.campaignId, `revise:${t.themeId}:v${t.version}`, card);
  }
}

export interface AcceptResult {
  action: 'submit' | 'edit';
  version: number;
  late: boolean;
  before: RevisionSnapshot;
  after: RevisionSnapshot;
  /** themes the office had returned or not adopted (不采纳) that this edit changed: back to review */
  backToReview: BackToReview[];
}

export interface BackToReview {
  themeId: string;
  title: string;
  version: number;
  was: 'returned' | 'rejected';
  reason: string | null;
  changes: FieldChange[];
}

async function snapshotOf(tx: Tx, submissionId: string): Promise<RevisionSnapshot> {
  const s = await tx.submission.findUniqueOrThrow({ where: { id: submissionId } });
  const themes = await activeThemes(tx, submissionId);
  return { status: s.status, contactName: s.contactName, contactPhone: s.contactPhone, late: s.late, themes: themes.map((t, i) => ({ ...t, seq: i + 1 })) };
}

/**
 * Writes an accepted submit or edit: changed themes get a new ThemeVersion (and go back to
 * review), dropped ones are marked removed, the submission's version goes up and a revision
 * snapshot is kept. No messages: callers enqueue them (the demo seed writes history with this).
 * Lateness is decided when a unit goes from not-submitted to submitted; edits keep it.
 */
export async function acceptSubmission(
  tx: Tx,
  p: {
    submission: { id: string; unitId: string; status: string; version: number; late: boolean; contactName: string | null; contactPhone: string | null; deadlineOverride: string | null; campaign: { deadline: string } };
    contact: ContactInput;
    themes: DraftTheme[];
    actor: string;
    now: Date;
  },
): Promise<AcceptResult | null> {
  const s = p.submission;
  // Optimistic lock, taken first: a concurrent accept of the same version (PostgreSQL waits on the
  // row, then re-checks the condition) finds nothing to update and is treated as stale.
  const version = s.version + 1;
  const claimed = await tx.submission.updateMany({ where: { id: s.id, version: s.version }, data: { version } });
  if (claimed.count === 0) return null;
  const action = s.status === 'submitted' ? 'edit' : 'submit';
  const late = action === 'submit' ? isLate({ campaignDeadline: s.campaign.deadline, deadlineOverride: s.deadlineOverride }, p.now) : s.late;
  const all = await tx.theme.findMany({ where: { submissionId: s.id } });
  // The snapshots are made from what was read and written here: the lock held the version the
  // caller loaded, and status, contact and lateness change only with the version.
  const activeBefore = all.filter((t) => t.state === 'active').sort((a, b) => a.seq - b.seq);
  const before: RevisionSnapshot = { status: s.status, contactName: s.contactName, contactPhone: s.contactPhone, late: s.late, themes: activeBefore.map((t, i) => snapshotTheme(t.id, t, i)) };
  const afterThemes: RevisionSnapshot['themes'] = [];
  const backToReview: BackToReview[] = [];
  const keep = new Set<string>();
  for (let i = 0; i < p.themes.length; i++) {
    const t = p.themes[i]!;
    const seq = i + 1;
    const forms = JSON.stringify(t.forms);
    const domains = JSON.stringify(t.domains ?? []);
    const existing = t.themeId ? all.find((r) => r.id === t.themeId) : undefined;
    if (existing) {
      keep.add(existing.id);
      const changed = existing.title !== t.title || existing.month !== t.month || existing.forms !== forms || existing.intro !== t.intro || existing.domains !== domains || existing.state !== 'active';
      if (changed) {
        const version = existing.version + 1;
        await tx.theme.update({
          where: { id: existing.id },
          data: { seq, title: t.title, month: t.month, forms, intro: t.intro, domains, state: 'active', version, reviewStatus: 'pending', reviewReason: null, reviewFields: null, updatedAt: p.now },
        });
        await tx.themeVersion.create({ data: { themeId: existing.id, version, title: t.title, month: t.month, forms, intro: t.intro, domains, actorOpenId: p.actor, createdAt: p.now } });
        // A decided theme the unit changed is the office's to look at again: it is told (the
        // caller sends it), as when a returned theme is revised from its own card.
        if (existing.state === 'active' && (existing.reviewStatus === 'returned' || existing.reviewStatus === 'rejected')) {
          const changes = diffThemes(themeContent(existing), { title: t.title, month: t.month, forms: t.forms, intro: t.intro });
          backToReview.push({ themeId: existing.id, title: t.title, version, was: existing.reviewStatus, reason: existing.reviewReason, changes });
        }
      } else if (existing.seq !== seq) {
        await tx.theme.update({ where: { id: existing.id }, data: { seq } });
      }
      afterThemes.push(snapshotTheme(existing.id, { title: t.title, month: t.month, forms, intro: t.intro, domains }, i));
    } else {
      const created = await tx.theme.create({ data: { submissionId: s.id, seq, title: t.title, month: t.month, forms, intro: t.intro, domains, version: 1, createdAt: p.now, updatedAt: p.now } });
      keep.add(created.id);
      await tx.themeVersion.create({ data: { themeId: created.id, version: 1, title: t.title, month: t.month, forms, intro: t.intro, domains, actorOpenId: p.actor, createdAt: p.now } });
      afterThemes.push(snapshotTheme(created.id, { title: t.title, month: t.month, forms, intro: t.intro, domains }, i));
    }
  }
  for (const r of all) {
    if (r.state === 'active' && !keep.has(r.id)) await tx.theme.update({ where: { id: r.id }, data: { state: 'removed', updatedAt: p.now } });
  }
  await tx.submission.update({
    where: { id: s.id },
    data: { status: 'submitted', contactName: p.contact.name, contactPhone: p.contact.phone, submittedAt: p.now, submittedBy: p.actor, late, updatedAt: p.now },
  });
  // The liaison's profile keeps the phone typed in the form (prefilled next time).
  await tx.liaison.updateMany({ where: { unitId: s.unitId, openId: p.actor }, data: { phone: p.contact.phone } });
  const after: RevisionSnapshot = { status: 'submitted', contactName: p.contact.name, contactPhone: p.contact.phone, late, themes: afterThemes };
  await tx.submissionRevision.create({ data: { submissionId: s.id, version, action, snapshot: JSON.stringify(after), actorOpenId: p.actor, createdAt: p.now } });
  return { action, version, late, before, after, backToReview };
}

/** A theme in a revision snapshot, as `snapshotOf` reads it back. */
function snapshotTheme(id: string, t: { title: string; month: number; forms: string; intro: string; domains: string | null }, index: number): RevisionSnapshot['themes'][number] {
  return { ...draftThemeOf({ id, ...t }), seq: index + 1 };
}

/** Posts the receipt for the submission's current version into the unit's group (or to the actor). */
/** 第 N 版 as people count it: accepted submits and edits up to this lock version (withdrawals are not versions). */
export async function displayVersionOf(tx: Tx, submissionId: string, upTo: number): Promise<number> {
  return tx.submissionRevision.count({ where: { submissionId, action: { in: ['submit', 'edit'] }, version: { lte: upTo } } });
}

const receiptKey = (submissionId: string, version: number) => `receipt:${submissionId}:v${version}`;

/**
 * Feishu updates a message only within 14 days of sending it ("仅支持更新 14 天内发送的消息",
 * https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/im-v1/message/patch; older: 230031).
 * An hour's margin for the outbox's delivery. A receipt past it keeps its content: patching it
 * would only fail and alert the coordinator (e.g. every early receipt when the schedule is published).
 */
const RECEIPT_PATCH_WINDOW_MS = 14 * 24 * 60 * 60_000 - 60 * 60_000;

export function stillPatchable(row: { sentAt: Date | null }, now: Date): boolean {
  return row.sentAt === null || now.getTime() - row.sentAt.getTime() < RECEIPT_PATCH_WINDOW_MS;
}

/**
 * Posts the receipt of the submission's current version in the unit's group. A receipt of the same
 * version already sent (an extension, a reopening, 申报 closing) is updated in place; receipts of
 * older versions are updated to say they are superseded, so no stale 修改/撤回 stays clickable.
 * Returns the version's 第 N 版 (the number the receipt shows).
 */
export async function postReceipt(ctx: UseCaseContext, submissionId: string): Promise<number> {
  const s = await ctx.tx.submission.findUniqueOrThrow({ where: { id: submissionId }, include: { campaign: true, unit: true } });
  const { card, by, displayVersion: current } = await receiptOf(ctx, s);
  const key = receiptKey(s.id, s.version);
  const sent = await ctx.tx.outboxMessage.findUnique({ where: { idempotencyKey: key }, select: { id: true, sentAt: true } });
  if (sent) {
    if (stillPatchable(sent, ctx.now)) await ctx.enqueue(`${key}:update:${ctx.eventId}`, { op: 'patch', messageOfKey: key, card });
    return current;
  }
  await ctx.enqueue(key, { op: 'send', to: s.unit.chatId ? { chatId: s.unit.chatId } : { openId: by }, card });
  const older = await ctx.tx.outboxMessage.findMany({ where: { idempotencyKey: { startsWith: `receipt:${s.id}:v` }, op: 'send' }, select: { idempotencyKey: true, sentAt: true } });
  for (const o of older) {
    const v = Number(/:v(\d+)$/.exec(o.idempotencyKey)?.[1]);
    if (!Number.isInteger(v) || v >= s.version || !stillPatchable(o, ctx.now)) continue;
    const oldRev = await ctx.tx.submissionRevision.findFirst({ where: { submissionId: s.id, version: v }, select: { action: true } });
    const reason = s.status === 'withdrawn' ? '本单位的申报已撤回。' : `本单位的申报已更新为第 ${current} 版。`;
    const stale = supersededReceiptCard({ unitName: s.unit.name, campaignTitle: s.campaign.title, displayVersion: await displayVersionOf(ctx.tx, s.id, v), status: oldRev?.action === 'withdraw' ? 'withdrawn' : 'submitted', reason });
    await ctx.enqueue(`${o.idempotencyKey}:superseded:v${s.version}`, { op: 'patch', messageOfKey: o.idempotencyKey, card: stale });
  }
  return current;
}

/** Updates the current receipt in place (e.g. 申报 closed: the 修改/撤回 buttons go); nothing when none was sent or it is past Feishu's update window. */
export async function refreshReceipt(ctx: UseCaseContext, submissionId: string): Promise<void> {
  const s = await ctx.tx.submission.findUniqueOrThrow({ where: { id: submissionId }, include: { campaign: true, unit: true } });
  const key = receiptKey(s.id, s.version);
  const sent = await ctx.tx.outboxMessage.findUnique({ where: { idempotencyKey: key }, select: { id: true, sentAt: true } });
  if (!sent || !stillPatchable(sent, ctx.now)) return;
  await ctx.enqueue(`${key}:update:${ctx.eventId}`, { op: 'patch', messageOfKey: key, card: await receiptCardOf(ctx, s) });
}

async function receiptCardOf(ctx: UseCaseContext, s: LoadedSubmission): Promise<CardJson> {
  return (await receiptOf(ctx, s)).card;
}

/** The receipt card of the submission's current version, who made that version, and its 第 N 版. */
async function receiptOf(ctx: UseCaseContext, s: LoadedSubmission): Promise<{ card: CardJson; by: string; displayVersion: number }> {
  const themes = s.status === 'submitted' ? await activeThemes(ctx.tx, s.id) : [];
  // The version's revision and 第 N 版 (accepted submits and edits up to it, as displayVersionOf counts) in one read.
  const revisions = await ctx.tx.submissionRevision.findMany({
    where: { submissionId: s.id, version: { lte: s.version }, action: { in: ['submit', 'edit', 'withdraw'] } },
    select: { version: true, action: true, actorOpenId: true, createdAt: true },
  });
  const rev = revisions.find((r) => r.version === s.version);
  const by = rev?.actorOpenId ?? s.submittedBy ?? ctx.actor;
  const revisedThemes = await themesRevisedSince(ctx, s.unitId, themes, rev?.createdAt);
  const displayVersion = revisions.filter((r) => r.action !== 'withdraw').length;
  const today = shanghaiDate(ctx.now);
  const stage = campaignStage({ status: s.campaign.status, year: s.campaign.year, today, scheduledMonths: [] });
  const withdrawn = s.status === 'withdrawn';
  const card = buildReceiptCard({
    submissionId: s.id,
    unitName: s.unit.name,
    campaignTitle: s.campaign.title,
    version: s.version,
    displayVersion,
    status: withdrawn ? 'withdrawn' : 'submitted',
    atText: instantText(rev?.createdAt ?? ctx.now),
    byName: await personName(ctx.tx, by, s.unitId),
    contactName: s.contactName ?? '',
    contactPhoneMasked: s.contactPhone ? maskPhone(s.contactPhone) : '',
    themes: themes.map((t) => ({ ...t, ...(t.themeId && revisedThemes.has(t.themeId) ? { revisedNote: revisedThemes.get(t.themeId)! } : {}) })),
    late: s.late,
    editableUntilText: dateText(lastEditableDate(facts(s))),
    editable: isOpenAt(facts(s), ctx.now) && unitMaySubmit(stage, s, today),
  });
  return { card, by, displayVersion };
}

/**
 * Themes changed since the receipt's version through 修改并重新提交 (a new theme version, not a
 * new submission version): the receipt's 第 N 版, 提交人 and 时间 describe the submission, so each
 * such theme says who resubmitted it and when.
 */
async function themesRevisedSince(ctx: UseCaseContext, unitId: string, themes: { themeId?: string }[], since: Date | undefined): Promise<Map<string, string>> {
  const ids = themes.flatMap((t) => (t.themeId ? [t.themeId] : []));
  // A receipt written now (a submit, an edit) has nothing after it.
  if (!since || ids.length === 0 || since.getTime() >= ctx.now.getTime()) return new Map();
  const versions = await ctx.tx.themeVersion.findMany({ where: { themeId: { in: ids }, createdAt: { gt: since } }, orderBy: { version: 'desc' }, select: { themeId: true, version: true, actorOpenId: true, createdAt: true } });
  const notes = new Map<string, string>();
  for (const v of versions) {
    if (notes.has(v.themeId)) continue;
    notes.set(v.themeId, `v${v.version}：${await personName(ctx.tx, v.actorOpenId, unitId)} ${instantText(v.createdAt)} 修改后重新提交审核`);
  }
  return notes;
}

/**
 * Writes a withdrawal: themes are marked removed (kept for history), the submission counts as
 * not submitted, and the revision keeps the withdrawn themes so a resubmission can start from them.
 */
export async function writeWithdrawal(tx: Tx, s: { id: string; version: number }, actor: string, now: Date): Promise<{ before: RevisionSnapshot; after: RevisionSnapshot; version: number } | null> {
  const version = s.version + 1;
  const claimed = await tx.submission.updateMany({ where: { id: s.id, version: s.version }, data: { version } });
  if (claimed.count === 0) return null;
  const before = await snapshotOf(tx, s.id);
  await tx.theme.updateMany({ where: { submissionId: s.id, state: 'active' }, data: { state: 'removed', updatedAt: now } });
  await tx.submission.update({ where: { id: s.id }, data: { status: 'withdrawn', late: false, updatedAt: now } });
  const after = await snapshotOf(tx, s.id);
  await tx.submissionRevision.create({ data: { submissionId: s.id, version, action: 'withdraw', snapshot: JSON.stringify({ ...after, themes: before.themes, status: 'withdrawn' }), actorOpenId: actor, createdAt: now } });
  return { before, after, version };
}

/** TrackedCard purpose prefix: a liaison's submitted form (its 申报已提交 card) in their direct chat. */
const SUBMITTED_FORM = 'submitted-form:';

/**
 * A submitted form stays in the liaison's direct chat saying 申报已提交 第 N 版; once the unit's
 * submission moves on (a new version, a withdrawal) it is updated in place to say so (found trying
 * local mode: after 撤回 the direct chat still said the unit had submitted). Past Feishu's 14-day
 * update window a card is left as it is.
 */
async function closeSubmittedForms(ctx: UseCaseContext, submissionId: string, text: string): Promise<void> {
  const tracked = await ctx.tx.trackedCard.findMany({ where: { purpose: { startsWith: `${SUBMITTED_FORM}${submissionId}:` } } });
  for (const t of tracked) {
    // Feishu counts the window from the message's sending (the form went out when it was opened).
    const sent = t.messageId ? await ctx.tx.outboxMessage.findFirst({ where: { idempotencyKey: { startsWith: `form:${submissionId}:` }, resultMessageId: t.messageId }, select: { sentAt: true } }) : null;
    if (t.messageId && sent && stillPatchable(sent, ctx.now)) {
      await ctx.enqueue(`${t.purpose}:closed:${ctx.eventId}`, { op: 'patch', messageId: t.messageId, card: buildClosedFormCard('申报情况已更新', [text]) });
    }
  }
  if (tracked.length > 0) await ctx.tx.trackedCard.deleteMany({ where: { purpose: { in: tracked.map((t) => t.purpose) } } });
}

/** What 撤回 did; every refusal is audited and carries the text to show. */
export type WithdrawResult = { kind: 'withdrawn' } | { kind: 'missing' | 'refused' | 'not_submitted' | 'stale'; text: string };

/** 撤回: from the receipt of version v (an older receipt is refused). */
export async function withdrawSubmission(ctx: UseCaseContext, submissionId: string, cardVersion: number): Promise<WithdrawResult> {
  const s = await loadSubmission(ctx.tx, submissionId);
  if (!s) return { kind: 'missing', text: await deny(ctx, 'submission.withdraw', 'Submission', submissionId, '找不到这份申报') };
  const refusal = (await liaisonRefusal(ctx, s)) ?? windowRefusal(s, ctx.now);
  if (refusal) return { kind: 'refused', text: await deny(ctx, 'submission.withdraw', 'Submission', s.id, refusal) };
  if (s.status !== 'submitted') return { kind: 'not_submitted', text: await deny(ctx, 'submission.withdraw', 'Submission', s.id, '这份申报当前不是已提交状态，无需撤回') };
  if (s.version !== cardVersion) {
    return { kind: 'stale', text: await deny(ctx, 'submission.withdraw', 'Submission', s.id, `这是较早的回执，本单位的申报已更新为第 ${await displayVersionOf(ctx.tx, s.id, s.version)} 版，请在最新回执上操作`) };
  }
  const written = await writeWithdrawal(ctx.tx, s, ctx.actor, ctx.now);
  if (!written) return { kind: 'stale', text: await deny(ctx, 'submission.withdraw', 'Submission', s.id, '申报刚被他人更新，请在最新回执上操作') };
  const { before, after } = written;
  await ctx.audit({ action: 'submission.withdraw', entity: 'Submission', entityId: s.id, before, after });
  await postReceipt(ctx, s.id);
  await closeSubmittedForms(ctx, s.id, `${s.unit.name}的申报已于 ${instantText(ctx.now)} 撤回。截止前可在本单位工作群的撤回回执上点击“重新填写申报表”。`);
  await refreshProgressCards(ctx, s.campaignId);
  return { kind: 'withdrawn' };
}
