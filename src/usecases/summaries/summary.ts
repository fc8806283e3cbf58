// The summary card flow: open, save a draft, submit with validation, view. What the person typed is
// kept in FormDraft (subject 'summary:<themeId>') until a submission succeeds, so an invalid submit
// or a re-opened card never loses it.
import type { Tx } from '../../adapters/db/database.ts';
import type { UseCaseContext } from '../../app/bot.ts';
import type { CardResponse } from '../../app/events.ts';
import { isCoordinator } from '../../app/access.ts';
import {
  parseSummary,
  rawFromForm,
  rawFromStored,
  storedFromValues,
  storedDates,
  storedForms,
  storedLinks,
  storedParticipants,
  summaryRawSchema,
  emptyRaw,
  type FieldErrors,
  type SummaryRaw,
  type SummaryValues,
} from '../../domain/summary.ts';
import { parseEvidenceCheck } from '../../domain/evidence.ts';
import { shanghaiDate, shanghaiDateTime, shanghaiTime } from '../../domain/time.ts';
import { summaryFormCard, summaryReadCard, unitActivitiesCard, type SummaryHeadView, type SummaryStatus } from '../../../cards/summary.ts';
import { noticeCard } from '../../../cards/kit.ts';
import { canActForUnit, deny, listActivities, loadActivity, NOT_LIAISON, type ActivityRow } from './common.ts';
import { announceEvidence, recomputeEvidence, runLinkCheck } from './evidence.ts';

export const draftSubject = (themeId: string) => `summary:${themeId}`;

export const CARD_KEY_PREFIX = 'summary.card:';

/** Remembers which activity a card message now shows, so photos sent as replies to it land there. */
async function rememberCard(ctx: UseCaseContext, messageId: string | undefined, themeId: string): Promise<void> {
  if (!messageId) return;
  const key = CARD_KEY_PREFIX + messageId;
  await ctx.tx.keyValue.upsert({ where: { key }, create: { key, value: themeId }, update: { value: themeId } });
}

const summaryRowSelect = {
  id: true,
  status: true,
  version: true,
  heldDates: true,
  formsUsed: true,
  participants: true,
  logoShown: true,
  links: true,
  policyReleased: true,
  opinionsCount: true,
  surveyAnswers: true,
  summaryText: true,
  experience: true,
  evidenceCheck: true,
  submittedAt: true,
} as const;

async function loadSummary(tx: Tx, themeId: string) {
  const s = await tx.summary.findUnique({ where: { themeId }, select: summaryRowSelect });
  const photos = s ? await tx.attachment.findMany({ where: { summaryId: s.id, deletedAt: null }, select: { kind: true } }) : [];
  return { s, photoCount: photos.length, logoPhotoCount: photos.filter((p) => p.kind === 'logo_photo').length };
}

type SummaryRow = NonNullable<Awaited<ReturnType<typeof loadSummary>>['s']>;

export function valuesOf(s: SummaryRow | null): Partial<SummaryValues> {
  if (!s) return {};
  return {
    heldDates: storedDates(s.heldDates),
    formsUsed: storedForms(s.formsUsed),
    participants: storedParticipants(s.participants),
    logoShown: s.logoShown ?? undefined,
    links: storedLinks(s.links),
    policyReleased: s.policyReleased ?? undefined,
    opinionsCount: s.opinionsCount ?? undefined,
    surveyAnswers: s.surveyAnswers,
    summaryText: s.summaryText ?? undefined,
    experience: s.experience ?? undefined,
  };
}

async function readDraft(tx: Tx, themeId: string, openId: string): Promise<SummaryRaw | undefined> {
  const d = await tx.formDraft.findUnique({ where: { subject_openId: { subject: draftSubject(themeId), openId } } });
  if (!d) return undefined;
  try {
    const r = summaryRawSchema.safeParse(JSON.parse(d.data));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

async function writeDraft(ctx: UseCaseContext, themeId: string, raw: SummaryRaw, baseVersion: number, messageId: string | undefined): Promise<void> {
  const subject = draftSubject(themeId);
  const data = JSON.stringify(raw);
  await ctx.tx.formDraft.upsert({
    where: { subject_openId: { subject, openId: ctx.actor } },
    create: { subject, openId: ctx.actor, data, baseVersion, messageId: messageId ?? null },
    update: { data, baseVersion, ...(messageId ? { messageId } : {}) },
  });
}

function statusOf(s: SummaryRow | null): SummaryStatus {
  return s ? (s.status === 'submitted' ? 'submitted' : 'draft') : 'none';
}

/** The stored summary and what both cards show about it. */
async function loadHead(ctx: UseCaseContext, a: ActivityRow) {
  const { s, photoCount, logoPhotoCount } = await loadSummary(ctx.tx, a.themeId);
  const head: SummaryHeadView = { themeId: a.themeId, unitName: a.unitName, title: a.title, year: a.year, month: a.month, status: statusOf(s), photoCount, logoPhotoCount, evidence: parseEvidenceCheck(s?.evidenceCheck) };
  return { s, head };
}

async function formCard(ctx: UseCaseContext, a: ActivityRow, raw: SummaryRaw | undefined, errors: FieldErrors, notice?: string): Promise<CardResponse['card']> {
  const { s, head } = await loadHead(ctx, a);
  const draft = raw ?? (await readDraft(ctx.tx, a.themeId, ctx.actor));
  const shown = draft ?? (s ? rawFromStored(s) : emptyRaw());
  return summaryFormCard({
    ...head,
    raw: shown,
    errors,
    notice,
    pendingEdits: s?.status === 'submitted' && draft !== undefined,
  });
}

async function authorize(ctx: UseCaseContext, themeId: string, action: string): Promise<{ activity: ActivityRow } | { refusal: CardResponse }> {
  const activity = await loadActivity(ctx.tx, themeId);
  if (!activity) {
    const msg = await deny(ctx, action, 'Theme', themeId, '这项活动不在已发布的活动计划中（可能已撤回或未通过审核）');
    return { refusal: { toast: { type: 'error', content: msg } } };
  }
  if (!(await canActForUnit(ctx, activity.unitId))) {
    const msg = await deny(ctx, action, 'Theme', themeId, NOT_LIAISON);
    return { refusal: { toast: { type: 'error', content: msg } } };
  }
  return { activity };
}

/** `summary.open`: the form with the stored values (or the person's unsent draft). */
export async function openSummary(ctx: UseCaseContext, themeId: string, messageId?: string): Promise<CardResponse> {
  const auth = await authorize(ctx, themeId, 'summary.open');
  if ('refusal' in auth) return auth.refusal;
  const card = await formCard(ctx, auth.activity, undefined, {});
  await rememberCard(ctx, messageId, themeId);
  return { card };
}

/** `summary.save`: keeps what was typed; a summary not yet submitted also gets the valid parts. */
export async function saveSummaryDraft(ctx: UseCaseContext, themeId: string, formValue: Record<string, unknown> | undefined, messageId?: string): Promise<CardResponse> {
  const auth = await authorize(ctx, themeId, 'summary.save');
  if ('refusal' in auth) return auth.refusal;
  const a = auth.activity;
  const raw = rawFromForm(formValue);
  await rememberCard(ctx, messageId, themeId);
  const existing = await ctx.tx.summary.findUnique({ where: { themeId }, select: { id: true, status: true, version: true } });
  await writeDraft(ctx, themeId, raw, existing?.version ?? 0, messageId);
  if (!existing || existing.status !== 'submitted') {
    const parsed = parseSummary(raw, { year: a.year, today: shanghaiDate(ctx.now) });
    const data = storedFromValues(parsed.ok ? parsed.values : parsed.partial);
    const row = await ctx.tx.summary.upsert({ where: { themeId }, create: { themeId, status: 'draft', ...data }, update: data, select: { id: true } });
    await recomputeEvidence(ctx.tx, row.id, ctx.now, 'keep');
  }
  await ctx.audit({ action: 'summary.save_draft', entity: 'Summary', entityId: themeId });
  const card = await formCard(ctx, a, raw, {}, `草稿已保存（${shanghaiTime(ctx.now)}），可随时继续填写后提交。`);
  return { toast: { type: 'success', content: '草稿已保存' }, card };
}

/** `summary.submit`: validates; errors go next to the fields and in a toast, nothing typed is lost. */
export async function submitSummary(ctx: UseCaseContext, themeId: string, formValue: Record<string, unknown> | undefined, messageId?: string): Promise<CardResponse> {
  const auth = await authorize(ctx, themeId, 'summary.submit');
  if ('refusal' in auth) return auth.refusal;
  const a = auth.activity;
  const raw = rawFromForm(formValue);
  const parsed = parseSummary(raw, { year: a.year, today: shanghaiDate(ctx.now) });
  await rememberCard(ctx, messageId, themeId);
  const before = await ctx.tx.summary.findUnique({ where: { themeId }, select: summaryRowSelect });
  if (!parsed.ok) {
    await writeDraft(ctx, themeId, raw, before?.version ?? 0, messageId);
    const messages = Object.values(parsed.errors);
    const card = await formCard(ctx, a, raw, parsed.errors);
    return { toast: { type: 'error', content: `还有 ${messages.length} 处需要修改：${messages.slice(0, 2).join('；')}${messages.length > 2 ? '……' : ''}` }, card };
  }
  const data = storedFromValues(parsed.values);
  const version = (before?.version ?? 0) + 1;
  const row = await ctx.tx.summary.upsert({
    where: { themeId },
    create: { themeId, ...data, status: 'submitted', version, submittedAt: ctx.now, submittedBy: ctx.actor },
    update: { ...data, status: 'submitted', version, submittedAt: ctx.now, submittedBy: ctx.actor },
    select: { id: true },
  });
  await ctx.tx.formDraft.deleteMany({ where: { subject: draftSubject(themeId) } });
  await ctx.audit({ action: 'summary.submit', entity: 'Summary', entityId: row.id, before: before ? valuesOf(before) : undefined, after: { version, ...parsed.values } });
  if (ctx.config.evidenceCheckLinks && (parsed.values.links.media.length + parsed.values.links.website.length + parsed.values.links.newMedia.length) > 0) {
    // Local checks now; the links are fetched after commit (never inside the 3-second answer).
    await recomputeEvidence(ctx.tx, row.id, ctx.now, 'keep');
    const services = ctx.services;
    ctx.afterCommit(() => runLinkCheck(services, row.id, version));
  } else {
    const check = await recomputeEvidence(ctx.tx, row.id, ctx.now, ctx.config.evidenceCheckLinks ? [] : 'skipped');
    if (check) await announceEvidence(ctx, row.id, version, check);
  }
  const view = await readCard(ctx, a, true, version > 1 ? '修改已提交。' : '总结已提交，感谢！链接核验结果稍后发到本群。');
  return { toast: { type: 'success', content: version > 1 ? '修改已提交' : '活动总结已提交' }, card: view };
}

async function readCard(ctx: UseCaseContext, a: ActivityRow, editable: boolean, notice?: string): Promise<CardResponse['card']> {
  const { s, head } = await loadHead(ctx, a);
  return summaryReadCard({
    ...head,
    values: valuesOf(s),
    submittedAt: s?.submittedAt ? shanghaiDateTime(s.submittedAt) : undefined,
    editable,
    notice,
  });
}

/** `summary.view`: read-only, for the coordinator (and the unit's liaisons). */
export async function viewSummary(ctx: UseCaseContext, themeId: string): Promise<CardResponse> {
  const activity = await loadActivity(ctx.tx, themeId);
  if (!activity) return { toast: { type: 'error', content: '找不到这项活动' } };
  const coordinator = await isCoordinator(ctx.tx, ctx.actor, ctx.config.coordinatorOpenIds);
  if (!coordinator && !(await canActForUnit(ctx, activity.unitId))) {
    const msg = await deny(ctx, 'summary.view', 'Theme', themeId, '只有县政务公开办和本单位联系人可以查看活动总结');
    return { toast: { type: 'error', content: msg } };
  }
  return { card: await readCard(ctx, activity, true) };
}

/** The `总结` command in a unit group: the unit's approved activities with 填写总结 buttons. */
export async function unitActivities(ctx: UseCaseContext, campaign: { id: string; year: number }, unit: { id: string; name: string }) {
  const activities = await listActivities(ctx.tx, campaign.id, unit.id);
  const summaries = await ctx.tx.summary.findMany({
    where: { themeId: { in: activities.map((x) => x.themeId) } },
    select: { themeId: true, status: true, _count: { select: { attachments: { where: { deletedAt: null } } } } },
  });
  return unitActivitiesCard({
    unitName: unit.name,
    year: campaign.year,
    items: activities.map((x) => {
      const s = summaries.find((y) => y.themeId === x.themeId);
      return { themeId: x.themeId, title: x.title, month: x.month, status: s ? (s.status === 'submitted' ? 'submitted' : 'draft') : 'none', photoCount: s?._count.attachments ?? 0 };
    }),
  });
}

export function refusalCard(message: string) {
  return noticeCard('无法操作', [message], 'red');
}
