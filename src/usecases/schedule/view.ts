// What the 计划安排表 command shows: the coordinator's working view, or in a unit group the
// latest published version with the unit's own rows first.
import type { Tx } from '../../adapters/db/database.ts';
import { PLAN_DEFAULTS } from '../../domain/campaign.ts';
import { diffSchedules } from '../../domain/schedule.ts';
import { shanghaiDateTime } from '../../domain/time.ts';
import { parseSettings } from '../../domain/campaign.ts';
import { publishConfirmCard, publishedScheduleCard, scheduleWorkCard, type PublishClosingVm, type ScheduleWorkVm } from '../../../cards/schedule.ts';
import { collectionOpen, loadClosePreview } from '../campaign/stage.ts';
import type { CardJson } from '../../../cards/kit.ts';
import type { CampaignRow } from '../review/common.ts';
import { currentScheduleRows, latestPublished, scheduleWarnings } from './rows.ts';
import { pendingMoves } from './move.ts';

export async function buildWorkCard(tx: Tx, campaign: CampaignRow, moveDraft?: ScheduleWorkVm['moveDraft']): Promise<CardJson> {
  const rows = await currentScheduleRows(tx, campaign.id);
  const { warnings } = await scheduleWarnings(tx, campaign, rows);
  const published = await latestPublished(tx, campaign.id);
  return scheduleWorkCard({
    campaignId: campaign.id,
    title: PLAN_DEFAULTS.scheduleTitle(campaign.year),
    campaignStatus: campaign.status,
    rows,
    warnings,
    published: published ? { version: published.version, at: shanghaiDateTime(published.publishedAt), pendingChanges: diffSchedules(published.rows, rows).length } : undefined,
    pendingMoves: await pendingMoves(tx, campaign.id),
    moveMode: parseSettings(campaign.settings).monthMoveMode,
    moveDraft,
    domains: parseSettings(campaign.settings).themeDomains,
  });
}

export async function buildPublishConfirm(tx: Tx, campaign: CampaignRow, now: Date): Promise<CardJson> {
  const rows = await currentScheduleRows(tx, campaign.id);
  const { warnings } = await scheduleWarnings(tx, campaign, rows);
  const published = await latestPublished(tx, campaign.id);
  const changes = published ? diffSchedules(published.rows, rows) : [];
  return publishConfirmCard({
    campaignId: campaign.id,
    title: PLAN_DEFAULTS.scheduleTitle(campaign.year),
    count: rows.length,
    unitCount: new Set(rows.map((r) => r.unitId)).size,
    warnings,
    pendingMoves: (await pendingMoves(tx, campaign.id)).length,
    nextVersion: (published?.version ?? 0) + 1,
    changes: changes.length,
    affectedUnits: new Set(changes.map((c) => c.unitId)).size,
    notReviewed: await notReviewed(tx, campaign.id),
    closing: collectionOpen(campaign.status) ? await closingView(tx, campaign, now) : undefined,
  });
}

/** Submitted themes the plan leaves out because their review is not done: awaiting it, or returned for revision. */
async function notReviewed(tx: Tx, campaignId: string): Promise<{ pending: number; returned: number }> {
  const themes = await tx.theme.findMany({ where: { state: 'active', reviewStatus: { in: ['pending', 'returned'] }, submission: { campaignId, status: 'submitted' } }, select: { reviewStatus: true } });
  return { pending: themes.filter((t) => t.reviewStatus === 'pending').length, returned: themes.filter((t) => t.reviewStatus === 'returned').length };
}

async function closingView(tx: Tx, campaign: CampaignRow, now: Date): Promise<PublishClosingVm> {
  const { preview, lines } = await loadClosePreview(tx, campaign, now);
  return { beforeDeadline: preview.beforeDeadline, lines };
}

/** The published schedule as a group sees it (phones masked), or null when none is published. */
export async function buildPublishedView(tx: Tx, campaign: CampaignRow, unit: { id: string; name: string } | null): Promise<CardJson | null> {
  const published = await latestPublished(tx, campaign.id);
  if (!published) return null;
  return publishedScheduleCard({
    title: PLAN_DEFAULTS.scheduleTitle(campaign.year),
    version: published.version,
    publishedAt: shanghaiDateTime(published.publishedAt),
    rows: published.rows,
    unit: unit ?? undefined,
  });
}
