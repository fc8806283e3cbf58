// A liaison revises a returned theme: validated like the submission form, stored as a new
// version (ThemeVersion), back to 'pending', and the coordinating office sees what changed.
import type { UseCaseContext } from '../../app/bot.ts';
import type { Tx } from '../../adapters/db/database.ts';
import { shanghaiDate, shanghaiDateTime } from '../../domain/time.ts';
import { diffThemes, parseFields, parseForms, parseThemeContent, unrevisedFields, type FieldChange } from '../../domain/review.ts';
import { resubmittedCard, reviseCard, revisedConfirmCard, type ReviseVm } from '../../../cards/review.ts';
import type { CardJson } from '../../../cards/kit.ts';
import { namesOf, sendToOffice, themeContent } from './common.ts';
import { firstAllowedMonth } from '../../domain/submission.ts';
import { refreshReceipt } from '../submissions/submit.ts';

export async function loadRevisable(tx: Tx, themeId: string) {
  return tx.theme.findUnique({
    where: { id: themeId },
    include: { submission: { select: { unitId: true, status: true, campaign: { select: { id: true, year: true } }, unit: { select: { name: true } } } } },
  });
}

/** Months still open for a campaign year on `today` (the same rule as the submission form). */
export function openMonths(campaignYear: number, today: string): number[] {
  const from = firstAllowedMonth(campaignYear, today);
  return Array.from({ length: 12 }, (_, i) => i + 1).filter((m) => m >= from);
}

export function reviseVm(theme: NonNullable<Awaited<ReturnType<typeof loadRevisable>>>, today: string, typed?: { values: ReviseVm['values']; errors: Record<string, string> }, noticeMessageId?: string): ReviseVm {
  return {
    themeId: theme.id,
    version: theme.version,
    unitName: theme.submission.unit.name,
    reason: theme.reviewReason,
    fields: parseFields(theme.reviewFields),
    values: typed?.values ?? { title: theme.title, month: String(theme.month), forms: parseForms(theme.forms), intro: theme.intro },
    errors: typed?.errors,
    months: openMonths(theme.submission.campaign.year, today),
    ...(noticeMessageId ? { noticeMessageId } : {}),
  };
}

/**
 * 修改并重新提交 on the office's 退回修改 notice. From the unit's group the form goes to the
 * liaison's private chat, as the submission form does (what is typed, and the errors shown beside
 * it, are not for the whole group), and the notice stays as the record of the office's decision;
 * its button value names the notice, refreshed once the theme is resubmitted. From a private chat
 * (a unit without a group gets its notices there): the form replaces the notice in place.
 */
export async function openReviseForm(ctx: UseCaseContext, theme: NonNullable<Awaited<ReturnType<typeof loadRevisable>>>, clicked: { chatId: string; messageId: string }): Promise<{ kind: 'in_place'; card: CardJson } | { kind: 'sent' }> {
  const today = shanghaiDate(ctx.now);
  const inGroup = await ctx.tx.groupChat.findUnique({ where: { chatId: clicked.chatId }, select: { chatId: true } });
  if (!inGroup) return { kind: 'in_place', card: reviseCard(reviseVm(theme, today)) };
  await ctx.enqueue(`revise-form:${theme.id}:v${theme.version}:${ctx.actor}:${ctx.eventId}`, { op: 'send', to: { openId: ctx.actor }, card: reviseCard(reviseVm(theme, today, undefined, clicked.messageId)) });
  return { kind: 'sent' };
}

export type ReviseResult = { ok: true; version: number; changes: FieldChange[]; title: string; unitName: string } | { ok: false; kind: 'invalid'; errors: Record<string, string> } | { ok: false; kind: 'refused'; message: string };

export async function reviseTheme(
  ctx: UseCaseContext,
  input: { themeId: string; version: number; raw: { title?: unknown; month?: unknown; forms?: unknown; intro?: unknown }; /** the group's 退回修改 notice the form was opened from */ noticeMessageId?: string },
): Promise<ReviseResult> {
  const { tx } = ctx;
  const theme = await loadRevisable(tx, input.themeId);
  if (!theme || theme.state !== 'active' || theme.submission.status !== 'submitted') return { ok: false, kind: 'refused', message: '该主题已不存在或已被撤回' };
  if (theme.reviewStatus !== 'returned') return { ok: false, kind: 'refused', message: theme.reviewStatus === 'pending' ? '该主题已重新提交，正在等待审核' : '该主题当前不是“退回修改”状态，无需修改' };
  if (theme.version !== input.version) return { ok: false, kind: 'refused', message: `该主题已更新为 v${theme.version}，这张修改表已失效；如需再次修改，请使用最新的退回通知` };
  const siblings = await tx.theme.findMany({ where: { submissionId: theme.submissionId, state: 'active', id: { not: theme.id } }, select: { title: true } });
  const parsed = parseThemeContent(
    input.raw,
    theme.submission.campaign.year,
    shanghaiDate(ctx.now),
    siblings.map((s) => s.title),
  );
  if (!parsed.ok) return { ok: false, kind: 'invalid', errors: parsed.errors };

  const before = themeContent(theme);
  const next = parsed.value;
  const changes = diffThemes(before, next);
  const unrevised = unrevisedFields(parseFields(theme.reviewFields), changes);
  if (unrevised) return { ok: false, kind: 'invalid', errors: unrevised };
  // Keep every version: record the returned one if the submission flow did not. The form does not
  // change 主题领域: each version keeps the theme's (found in a Chromium pass: v2 was saved without them).
  const existing = await tx.themeVersion.findUnique({ where: { themeId_version: { themeId: theme.id, version: theme.version } } });
  if (!existing) {
    await tx.themeVersion.create({
      data: {
        themeId: theme.id,
        version: theme.version,
        title: theme.title,
        month: theme.month,
        forms: theme.forms,
        intro: theme.intro,
        domains: theme.domains,
        actorOpenId: (await firstSubmitter(tx, theme.submissionId)) ?? ctx.actor,
        createdAt: theme.updatedAt,
      },
    });
  }
  const version = theme.version + 1;
  const formsJson = JSON.stringify(next.forms);
  await tx.themeVersion.create({ data: { themeId: theme.id, version, title: next.title, month: next.month, forms: formsJson, intro: next.intro, domains: theme.domains, actorOpenId: ctx.actor, createdAt: ctx.now } });
  await tx.theme.update({
    where: { id: theme.id },
    data: {
      title: next.title,
      month: next.month,
      forms: formsJson,
      intro: next.intro,
      version,
      reviewStatus: 'pending',
      // A month change by the unit resets the schedule placement to the new month.
      scheduledMonth: theme.scheduledMonth === null || theme.month !== next.month ? null : theme.scheduledMonth,
    },
  });
  await ctx.audit({
    action: 'review.revise',
    entity: 'Theme',
    entityId: theme.id,
    before: { ...before, version: theme.version, reviewStatus: theme.reviewStatus },
    after: { ...next, version, reviewStatus: 'pending', changed: changes.map((c) => c.field) },
  });

  // The unit's receipt in its group lists the themes: it shows the revised one (found trying local
  // mode: after a resubmission the receipt still showed the returned month).
  await refreshReceipt(ctx, theme.submissionId);
  const names = await namesOf(tx, [ctx.actor]);
  const card = resubmittedCard({
    unitName: theme.submission.unit.name,
    title: next.title,
    version,
    changes,
    byName: names.get(ctx.actor) ?? '联系人',
    at: shanghaiDateTime(ctx.now),
    unitId: theme.submission.unitId,
    was: 'returned',
    reason: theme.reviewReason,
  });
  await sendToOffice(ctx, theme.submission.campaign.id, `revise:${theme.id}:v${version}`, card);
  // The form was filled in the liaison's private chat: the group's notice, which still asked for
  // the revision, now says it was resubmitted (a patch pings nobody).
  const confirm = { unitName: theme.submission.unit.name, title: next.title, version, changes };
  if (input.noticeMessageId) await ctx.enqueue(`revise-notice:${theme.id}:v${version}`, { op: 'patch', messageId: input.noticeMessageId, card: revisedConfirmCard(confirm) });
  return { ok: true, ...confirm };
}

async function firstSubmitter(tx: Tx, submissionId: string): Promise<string | null> {
  const s = await tx.submission.findUnique({ where: { id: submissionId }, select: { submittedBy: true } });
  return s?.submittedBy ?? null;
}
