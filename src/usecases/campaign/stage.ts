// The campaign's stage as the commands see it (domain/campaign-stage on loaded facts), the preview
// of closing 申报, and the closing itself — a deliberate, audited transition.
import type { Tx } from '../../adapters/db/database.ts';
import type { UseCaseContext } from '../../app/bot.ts';
import { closePreviewLines, previewCloseCollection, unitWindowUntil, type ClosePreview } from '../../domain/campaign-stage.ts';
import { refreshReceipt } from '../submissions/submit.ts';
import { shanghaiDate } from '../../domain/time.ts';
import { loadStage, loadStageInfo, type StageCampaign } from './load-stage.ts';

export { loadStage, loadStageInfo, type StageCampaign };

/** Collection is open for the campaign as a whole (a unit's own window is checked per unit). */
export function collectionOpen(status: string): boolean {
  return status === 'collecting' || status === 'reviewing';
}

/** What closing 申报 today would do, from every active unit's submission. */
export async function loadClosePreview(tx: Tx, campaign: { id: string }, now: Date): Promise<{ preview: ClosePreview; lines: string[] }> {
  const c = await tx.campaign.findUniqueOrThrow({ where: { id: campaign.id }, select: { deadline: true } });
  const subs = await tx.submission.findMany({
    where: { campaignId: campaign.id, unit: { active: true } },
    select: { status: true, deadlineOverride: true, reopenedUntil: true, unit: { select: { name: true, sortOrder: true } } },
  });
  subs.sort((a, b) => a.unit.sortOrder - b.unit.sortOrder || a.unit.name.localeCompare(b.unit.name, 'zh'));
  const preview = previewCloseCollection(
    c.deadline,
    shanghaiDate(now),
    subs.map((s) => ({ unitName: s.unit.name, status: s.status, deadlineOverride: s.deadlineOverride, reopenedUntil: s.reopenedUntil })),
  );
  return { preview, lines: closePreviewLines(preview) };
}

/** Closes 申报 for the campaign (units' own windows stay); the caller has shown the preview. */
export async function closeCollection(ctx: UseCaseContext, campaign: StageCampaign, reason: string): Promise<void> {
  if (!collectionOpen(campaign.status)) return;
  const { preview } = await loadClosePreview(ctx.tx, campaign, ctx.now);
  await ctx.tx.campaign.update({ where: { id: campaign.id }, data: { status: 'scheduled' } });
  await ctx.audit({
    action: 'campaign.status',
    entity: 'Campaign',
    entityId: campaign.id,
    before: { status: campaign.status },
    after: { status: 'scheduled', closedFor: preview.closesFor.length, keptWindows: preview.keepWindow.length, beforeDeadline: preview.beforeDeadline },
    reason,
  });
  campaign.status = 'scheduled';
  // Receipts that offered 修改/撤回 lose the buttons (units keeping a window keep them).
  const subs = await ctx.tx.submission.findMany({ where: { campaignId: campaign.id, status: { in: ['submitted', 'withdrawn'] } }, select: { id: true, deadlineOverride: true, reopenedUntil: true } });
  const today = shanghaiDate(ctx.now);
  for (const sub of subs) if (!unitWindowUntil(sub, today)) await refreshReceipt(ctx, sub.id);
}
