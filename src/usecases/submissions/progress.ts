// Collection progress: a snapshot other features can call (progressSnapshot), the live card for
// coordinators (sent once per chat, then patched in place through TrackedCard), and its refresh.
import type { Tx } from '../../adapters/db/database.ts';
import type { UseCaseContext } from '../../app/bot.ts';
import { summarizeProgress, type ProgressSnapshot } from '../../domain/submission-progress.ts';
import { buildProgressCard } from '../../../cards/progress.ts';
import type { CardElement, CardJson } from '../../../cards/kit.ts';
import { dateText, instantText, parseForms } from './shared.ts';
import { loadStageInfo } from '../campaign/load-stage.ts';
import { nextStep, stageStrip } from '../../domain/campaign-stage.ts';
import { parseSettings } from '../../domain/campaign.ts';
import { countByDomain, parseThemeDomains } from '../../domain/theme-domains.ts';

/** Declared (active) themes of submitted units counted by the campaign's 主题领域. */
export async function domainCounts(tx: Tx, campaignId: string): Promise<ReturnType<typeof countByDomain>> {
  const campaign = await tx.campaign.findUniqueOrThrow({ where: { id: campaignId }, select: { settings: true } });
  const themes = await tx.theme.findMany({ where: { state: 'active', submission: { campaignId, status: 'submitted', unit: { active: true } } }, select: { domains: true } });
  return countByDomain(
    themes.map((t) => ({ domains: parseThemeDomains(t.domains) })),
    parseSettings(campaign.settings).themeDomains,
  );
}

export const PROGRESS_PURPOSE_PREFIX = 'progress:';

export function progressPurpose(campaignId: string, chatId: string): string {
  return `${PROGRESS_PURPOSE_PREFIX}${campaignId}:${chatId}`;
}

/** Who has submitted, who has not, and the declared themes counted by form and month. */
export async function progressSnapshot(tx: Tx, campaignId: string): Promise<ProgressSnapshot> {
  const campaign = await tx.campaign.findUniqueOrThrow({ where: { id: campaignId } });
  const subs = await tx.submission.findMany({
    where: { campaignId, unit: { active: true } },
    include: { unit: { select: { name: true, kind: true, sortOrder: true } }, themes: { where: { state: 'active' }, select: { month: true, forms: true } } },
  });
  return summarizeProgress(
    campaign,
    subs.map((s) => ({
      unitId: s.unitId,
      unitName: s.unit.name,
      kind: s.unit.kind,
      sortOrder: s.unit.sortOrder,
      status: s.status,
      late: s.late,
      submittedAt: s.submittedAt,
      deadlineOverride: s.deadlineOverride,
      reopenedUntil: s.reopenedUntil,
      themes: s.themes.map((t) => ({ month: t.month, forms: parseForms(t.forms) })),
    })),
  );
}

/**
 * Extra sections other features append to the progress card (e.g. the reminder log). A feature
 * registers a provider once at start-up; it runs inside the same transaction.
 */
export type ProgressSectionProvider = (tx: Tx, campaignId: string, now: Date) => Promise<CardElement[]>;
const sectionProviders: ProgressSectionProvider[] = [];
export function addProgressSection(provider: ProgressSectionProvider): void {
  if (!sectionProviders.includes(provider)) sectionProviders.push(provider);
}

export async function renderProgressCard(tx: Tx, campaignId: string, now: Date, extraSections: CardElement[] = []): Promise<CardJson> {
  const snapshot = await progressSnapshot(tx, campaignId);
  const extra = [...extraSections];
  for (const p of sectionProviders) extra.push(...(await p(tx, campaignId, now)));
  const { stage, publishedWhileOpen } = await loadStageInfo(tx, { id: campaignId, year: snapshot.year, status: snapshot.status }, now);
  return buildProgressCard(snapshot, {
    updatedAtText: instantText(now),
    deadlineText: dateText(snapshot.deadline),
    extraSections: extra,
    stage: { strip: stageStrip(stage, publishedWhileOpen), next: nextStep(stage, 'coordinator', publishedWhileOpen) },
    byDomain: await domainCounts(tx, campaignId),
  });
}

/** Sends a fresh progress card into the chat and makes it the one later changes patch. */
export async function sendProgressCard(ctx: UseCaseContext, campaignId: string, chatId: string): Promise<void> {
  const card = await renderProgressCard(ctx.tx, campaignId, ctx.now);
  const purpose = progressPurpose(campaignId, chatId);
  const key = `${purpose}:send:${ctx.eventId}`;
  await ctx.enqueue(key, { op: 'send', to: { chatId }, card });
  await ctx.tx.trackedCard.upsert({
    where: { purpose },
    create: { purpose, chatId, outboxKey: key, messageId: null },
    update: { chatId, outboxKey: key, messageId: null },
  });
}

/** Patches every live progress card of the campaign (call once, after the change is written). */
export async function refreshProgressCards(ctx: UseCaseContext, campaignId: string): Promise<number> {
  const tracked = await ctx.tx.trackedCard.findMany({ where: { purpose: { startsWith: `${PROGRESS_PURPOSE_PREFIX}${campaignId}:` } } });
  if (tracked.length === 0) return 0;
  const card = await renderProgressCard(ctx.tx, campaignId, ctx.now);
  for (const t of tracked) {
    const key = `${t.purpose}:patch:${ctx.eventId}`;
    if (t.messageId) await ctx.enqueue(key, { op: 'patch', messageId: t.messageId, card });
    else if (t.outboxKey) await ctx.enqueue(key, { op: 'patch', messageOfKey: t.outboxKey, card });
  }
  return tracked.length;
}
