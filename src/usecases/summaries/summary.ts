// The summary card flow: open, save a draft, submit with validation, view. What the person typed is
// kept in FormDraft (subject 'summary:<themeId>') until a submission succeeds, so an invalid submit
// or a re-opened card never loses it.
import type { Tx } from '../../adapters/db/database.ts';
import type { UseCaseContext } from '../../app/bot.ts';
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
  summaryStatus,
  emptyRaw,
  linkCount,
  type FieldErrors,
  type SummaryRaw,
  type SummaryValues,
} from '../../domain/summary.ts';
import { parseEvidenceCheck } from '../../domain/evidence.ts';
import { shanghaiDate, shanghaiDateTime } from '../../domain/time.ts';
import type { SummaryFormView, SummaryHeadView, SummaryReadView, UnitActivityItem } from '../../../cards/summary.ts';
import { canActForUnit, deny, listActivities, loadActivity, NOT_LIAISON, type ActivityRow } from './common.ts';
import { announceEvidence, checkEvidence, evidencePhotoSelect, recomputeEvidence, runLinkCheck } from './evidence.ts';

export const draftSubject = (themeId: string) => `summary:${themeId}`;

export const CARD_KEY_PREFIX = 'summary.card:';

/** Remembers which activity a card message now shows, so photos sent as replies to it land there. */
async function rememberCard(ctx: UseCaseContext, messageId: string | undefined, themeId: string): Promise<void> {
  if (!messageId) return;
  const key = CARD_KEY_PREFIX + messageId;
  await ctx.tx.keyValue.upsert({ where: { key }, create: { key, value: themeId }, update: { value: themeId } });
}

/** The summary's own fields, as every reader of a summary (form, judges' cards, exports) selects them. */
export const summaryRowSelect = {
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
  return { s, photos };
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

/** What both cards show about a stored summary and its live photos; `formSaved`: the person's form is kept as a draft. */
function headOf(a: ActivityRow, s: SummaryRow | null, photos: { kind: string }[], formSaved: boolean): SummaryHeadView {
  const logoPhotoCount = photos.filter((p) => p.kind === 'logo_photo').length;
  return { themeId: a.themeId, unitName: a.unitName, title: a.title, year: a.year, month: a.month, status: summaryStatus(s, formSaved), photoCount: photos.length, logoPhotoCount, evidence: parseEvidenceCheck(s?.evidenceCheck) };
}

async function formView(ctx: UseCaseContext, a: ActivityRow, raw: SummaryRaw | undefined, errors: FieldErrors): Promise<SummaryFormView> {
  const { s, photos } = await loadSummary(ctx.tx, a.themeId);
  const draft = raw ?? (await readDraft(ctx.tx, a.themeId, ctx.actor));
  const shown = draft ?? (s ? rawFromStored(s) : emptyRaw());
  return { ...headOf(a, s, photos, draft !== undefined), raw: shown, errors, pendingEdits: s?.status === 'submitted' && draft !== undefined };
}

async function authorize(ctx: UseCaseContext, themeId: string, action: string): Promise<{ activity: ActivityRow } | { refusal: string }> {
  const activity = await loadActivity(ctx.tx, themeId);
  if (!activity) return { refusal: await deny(ctx, action, 'Theme', themeId, '这项活动不在已发布的活动计划中（可能已撤回或未通过审核）') };
  if (!(await canActForUnit(ctx, activity.unitId))) return { refusal: await deny(ctx, action, 'Theme', themeId, NOT_LIAISON) };
  return { activity };
}

/**
 * What a click on the summary card did; the feature module renders the toast and the card.
 * `form`: the form to show; `saved`: the draft was kept; `invalid`: `errors` name what to fix.
 */
export type SummaryResult =
  { kind: 'refused'; text: string } | { kind: 'form' | 'saved'; form: SummaryFormView } | { kind: 'invalid'; form: SummaryFormView; errors: string[] } | { kind: 'submitted'; version: number; read: SummaryReadView };

/** `summary.open`: the form with the stored values (or the person's unsent draft). */
export async function openSummary(ctx: UseCaseContext, themeId: string, messageId?: string): Promise<SummaryResult> {
  const auth = await authorize(ctx, themeId, 'summary.open');
  if ('refusal' in auth) return { kind: 'refused', text: auth.refusal };
  const form = await formView(ctx, auth.activity, undefined, {});
  await rememberCard(ctx, messageId, themeId);
  return { kind: 'form', form };
}

/** `summary.save`: keeps what was typed; a summary not yet submitted also gets the valid parts. */
export async function saveSummaryDraft(ctx: UseCaseContext, themeId: string, formValue: Record<string, unknown> | undefined, messageId?: string): Promise<SummaryResult> {
  const auth = await authorize(ctx, themeId, 'summary.save');
  if ('refusal' in auth) return { kind: 'refused', text: auth.refusal };
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
  return { kind: 'saved', form: await formView(ctx, a, raw, {}) };
}

/** `summary.submit`: validates; errors go next to the fields and in a toast, nothing typed is lost. */
export async function submitSummary(ctx: UseCaseContext, themeId: string, formValue: Record<string, unknown> | undefined, messageId?: string): Promise<SummaryResult> {
  const auth = await authorize(ctx, themeId, 'summary.submit');
  if ('refusal' in auth) return { kind: 'refused', text: auth.refusal };
  const a = auth.activity;
  const raw = rawFromForm(formValue);
  const parsed = parseSummary(raw, { year: a.year, today: shanghaiDate(ctx.now) });
  await rememberCard(ctx, messageId, themeId);
  const before = await ctx.tx.summary.findUnique({ where: { themeId }, select: { ...summaryRowSelect, attachments: evidencePhotoSelect } });
  if (!parsed.ok) {
    await writeDraft(ctx, themeId, raw, before?.version ?? 0, messageId);
    return { kind: 'invalid', form: await formView(ctx, a, raw, parsed.errors), errors: Object.values(parsed.errors) };
  }
  const values = parsed.values;
  const data = storedFromValues(values);
  const version = (before?.version ?? 0) + 1;
  const photos = before?.attachments ?? [];
  // Links are fetched after commit (never inside the 3-second answer); until then the check keeps the results it has.
  const linksLater = ctx.config.evidenceCheckLinks && linkCount(values.links) > 0;
  // A valid summary stores every field the check reads, so it is checked before the one write.
  const check = checkEvidence(
    { year: a.year, month: a.month, heldDates: values.heldDates, links: values.links, logoShown: values.logoShown, photos, previous: before?.evidenceCheck ?? null },
    ctx.now,
    linksLater ? 'keep' : ctx.config.evidenceCheckLinks ? [] : 'skipped',
  );
  const submitted = { ...data, status: 'submitted', version, submittedAt: ctx.now, submittedBy: ctx.actor, evidenceCheck: JSON.stringify(check) };
  const row = await ctx.tx.summary.upsert({ where: { themeId }, create: { themeId, ...submitted }, update: submitted, select: summaryRowSelect });
  await ctx.tx.formDraft.deleteMany({ where: { subject: draftSubject(themeId) } });
  await ctx.audit({ action: 'summary.submit', entity: 'Summary', entityId: row.id, before: before ? valuesOf(before) : undefined, after: { version, ...values } });
  if (linksLater) {
    const services = ctx.services;
    ctx.afterCommit(() => runLinkCheck(services, row.id, version));
  } else {
    await announceEvidence(ctx, { summaryId: row.id, themeId, title: a.title, unitName: a.unitName, unitChatId: a.unitChatId, submittedBy: ctx.actor }, version, check);
  }
  return { kind: 'submitted', version, read: readViewOf(a, row, photos) };
}

function readViewOf(a: ActivityRow, s: SummaryRow | null, photos: { kind: string }[]): SummaryReadView {
  return { ...headOf(a, s, photos, false), values: valuesOf(s), submittedAt: s?.submittedAt ? shanghaiDateTime(s.submittedAt) : undefined, editable: true };
}

async function readView(ctx: UseCaseContext, a: ActivityRow): Promise<SummaryReadView> {
  const { s, photos } = await loadSummary(ctx.tx, a.themeId);
  return readViewOf(a, s, photos);
}

/** `summary.view`: read-only, for the coordinator (and the unit's liaisons). */
export async function viewSummary(ctx: UseCaseContext, themeId: string): Promise<{ kind: 'read'; read: SummaryReadView } | { kind: 'missing' | 'refused'; text: string }> {
  const activity = await loadActivity(ctx.tx, themeId);
  if (!activity) return { kind: 'missing', text: '找不到这项活动' };
  const coordinator = await isCoordinator(ctx.tx, ctx.actor, ctx.config.coordinatorOpenIds);
  if (!coordinator && !(await canActForUnit(ctx, activity.unitId))) {
    return { kind: 'refused', text: await deny(ctx, 'summary.view', 'Theme', themeId, '只有县政务公开办和本单位联系人可以查看活动总结') };
  }
  return { kind: 'read', read: await readView(ctx, activity) };
}

/** The `总结` command in a unit group: the unit's approved activities (shown with 填写总结 buttons). */
export async function unitActivities(ctx: UseCaseContext, campaign: { id: string; year: number }, unit: { id: string; name: string }): Promise<{ unitName: string; year: number; items: UnitActivityItem[] }> {
  const activities = await listActivities(ctx.tx, campaign.id, unit.id);
  const summaries = await ctx.tx.summary.findMany({
    where: { themeId: { in: activities.map((x) => x.themeId) } },
    select: { ...summaryRowSelect, themeId: true, _count: { select: { attachments: { where: { deletedAt: null } } } } },
  });
  const saved = new Set((await ctx.tx.formDraft.findMany({ where: { subject: { in: activities.map((x) => draftSubject(x.themeId)) } }, select: { subject: true } })).map((d) => d.subject));
  return {
    unitName: unit.name,
    year: campaign.year,
    items: activities.map((x) => {
      const s = summaries.find((y) => y.themeId === x.themeId);
      return { themeId: x.themeId, title: x.title, month: x.month, status: summaryStatus(s ?? null, saved.has(draftSubject(x.themeId))), photoCount: s?._count.attachments ?? 0 };
    }),
  };
}
