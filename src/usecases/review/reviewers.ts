// Reviewers the coordinator names for a campaign (they may review, not publish).
import type { UseCaseContext } from '../../app/bot.ts';

export async function addReviewers(ctx: UseCaseContext, campaignId: string, people: readonly { openId: string; name: string }[]): Promise<{ added: string[]; already: string[] }> {
  const added: string[] = [];
  const already: string[] = [];
  for (const p of people) {
    const existing = await ctx.tx.reviewer.findUnique({ where: { campaignId_openId: { campaignId, openId: p.openId } } });
    if (existing) {
      already.push(p.name);
      continue;
    }
    const row = await ctx.tx.reviewer.create({ data: { campaignId, openId: p.openId, name: p.name, addedBy: ctx.actor, createdAt: ctx.now } });
    await ctx.audit({ action: 'reviewer.add', entity: 'Reviewer', entityId: row.id, after: { openId: p.openId, name: p.name, campaignId } });
    await ctx.enqueue(`reviewer-added:${row.id}`, {
      op: 'send',
      to: { openId: p.openId },
      text: '你已被县政务公开办指定为“政务公开主题日”活动主题的审核人。在与主题日助手的私聊中发送“审核”即可逐个单位审核主题（通过 / 退回修改 / 不采纳）。',
    });
    added.push(p.name);
  }
  return { added, already };
}

export async function removeReviewers(ctx: UseCaseContext, campaignId: string, people: readonly { openId: string; name: string }[]): Promise<string[]> {
  const removed: string[] = [];
  for (const p of people) {
    const existing = await ctx.tx.reviewer.findUnique({ where: { campaignId_openId: { campaignId, openId: p.openId } } });
    if (!existing) continue;
    await ctx.tx.reviewer.delete({ where: { id: existing.id } });
    await ctx.audit({ action: 'reviewer.remove', entity: 'Reviewer', entityId: existing.id, before: { openId: p.openId, name: existing.name, campaignId } });
    removed.push(existing.name);
  }
  return removed;
}
