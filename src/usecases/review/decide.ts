// A reviewer's decision on one theme: recorded (ReviewDecision + audit), applied to the theme,
// and told to the unit in its group at once.
import type { UseCaseContext } from '../../app/bot.ts';
import { shanghaiDateTime } from '../../domain/time.ts';
import { statusAfter, type DecisionInput } from '../../domain/review.ts';
import { stageRefusal } from '../../domain/campaign-stage.ts';
import { loadStage } from '../campaign/load-stage.ts';
import { decisionNoticeCard } from '../../../cards/review.ts';
import { namesOf, unitRecipients, type CampaignRow } from './common.ts';

export type DecideResult = { ok: true; decisionId: string; status: string; unitId: string } | { ok: false; reason: 'not_found' | 'stale' | 'not_reviewable' | 'stage'; message: string };

export async function decideTheme(ctx: UseCaseContext, campaign: CampaignRow, input: { themeId: string; version: number } & DecisionInput): Promise<DecideResult> {
  const { tx } = ctx;
  const theme = await tx.theme.findUnique({
    where: { id: input.themeId },
    include: { submission: { select: { campaignId: true, status: true, unitId: true, unit: { select: { name: true } } } } },
  });
  if (!theme || theme.submission.campaignId !== campaign.id) return { ok: false, reason: 'not_found', message: '找不到这个主题，请重新发送“审核”获取新卡片' };
  if (theme.state !== 'active' || theme.submission.status !== 'submitted') return { ok: false, reason: 'not_reviewable', message: '该主题已被单位撤回或删除，无需审核' };
  if (theme.version !== input.version) return { ok: false, reason: 'stale', message: `该主题已更新为 v${theme.version}，卡片已刷新，请查看后再审核` };
  // The chat guards this (inStageOf 'review'); the desk calls here directly.
  const refusal = stageRefusal('review', await loadStage(tx, campaign, ctx.now));
  if (refusal) return { ok: false, reason: 'stage', message: `【${campaign.year}年】${refusal}` };

  const status = statusAfter(input.decision);
  const decision = await tx.reviewDecision.create({
    data: {
      themeId: theme.id,
      themeVersion: theme.version,
      decision: input.decision,
      reason: input.reason || null,
      fields: input.fields.length > 0 ? JSON.stringify(input.fields) : null,
      reviewerOpenId: ctx.actor,
      createdAt: ctx.now,
    },
  });
  const before = { reviewStatus: theme.reviewStatus, reviewReason: theme.reviewReason, reviewFields: theme.reviewFields };
  const after = {
    reviewStatus: status,
    reviewReason: input.reason || null,
    reviewFields: input.fields.length > 0 ? JSON.stringify(input.fields) : null,
    // An approved theme goes into the schedule in its declared month unless already placed.
    ...(status === 'approved' ? { scheduledMonth: theme.scheduledMonth ?? theme.month } : {}),
  };
  await tx.theme.update({ where: { id: theme.id }, data: after });
  await ctx.audit({ action: `review.${input.decision}`, entity: 'Theme', entityId: theme.id, before, after: { ...after, version: theme.version, decisionId: decision.id } });

  if (campaign.status === 'collecting') {
    await tx.campaign.update({ where: { id: campaign.id }, data: { status: 'reviewing' } });
    await ctx.audit({ action: 'campaign.status', entity: 'Campaign', entityId: campaign.id, before: { status: campaign.status }, after: { status: 'reviewing' }, reason: 'review started' });
    campaign.status = 'reviewing';
  }

  const to = await unitRecipients(tx, theme.submission.unitId);
  const names = await namesOf(tx, [ctx.actor]);
  const notice = decisionNoticeCard({
    unitName: theme.submission.unit.name,
    liaisonOpenIds: to.liaisonOpenIds,
    themeId: theme.id,
    title: theme.title,
    seq: theme.seq,
    version: theme.version,
    decision: input.decision,
    reason: input.reason || undefined,
    fields: input.fields,
    reviewerName: names.get(ctx.actor) ?? '县政务公开办',
    at: shanghaiDateTime(ctx.now),
  });
  if (to.chatId) await ctx.enqueue(`review:${decision.id}`, { op: 'send', to: { chatId: to.chatId }, card: notice });
  else {
    for (const openId of to.liaisonOpenIds) await ctx.enqueue(`review:${decision.id}:${openId}`, { op: 'send', to: { openId }, card: notice });
  }
  return { ok: true, decisionId: decision.id, status, unitId: theme.submission.unitId };
}
