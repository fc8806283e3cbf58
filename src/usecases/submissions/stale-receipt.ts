// A click on an older receipt (修改 / 撤回 of a version that has since been superseded by an edit,
// a resubmission or a withdrawal). postReceipt turns older receipts grey in place, but Feishu
// updates a card only within 14 days of sending it ("发送卡片后，支持在 14 天内更新卡片",
// https://open.feishu.cn/document/uAjLw4CM/ukzMukzMukzM/feishu-cards/update-feishu-card; the same
// rule for im.message.patch, 230031): a March receipt superseded in April keeps its live-looking
// buttons. What is still possible when someone clicks one:
// - within 14 days of sending, the callback's answer carries the superseded card, so the clicked
//   card turns grey (this also mends a receipt whose patch failed);
// - past that, no card in the answer (Feishu would not apply it); the toast says which version is
//   current, when and by whom it was submitted, or that the submission was withdrawn.
import type { UseCaseContext } from '../../app/bot.ts';
import { isLiaisonOf } from '../../app/access.ts';
import { displayVersionOf, stillPatchable } from './submit.ts';
import { deny, instantText, personName } from './shared.ts';

export interface StaleReceipt {
  /** what the person is told: the clicked version, and which one is current */
  message: string;
  /** what the clicked card shows in its superseded state, when Feishu still lets us update it */
  superseded?: { unitName: string; campaignTitle: string; displayVersion: number; status: 'submitted' | 'withdrawn'; reason: string };
}

/**
 * Whether the clicked message is a receipt of an older version of this submission; null when it
 * is the current receipt (or not a receipt we sent, or the clicker is no liaison of the unit: the
 * ordinary path answers those).
 */
export async function staleReceipt(ctx: UseCaseContext, submissionId: string, messageId: string, action: 'edit' | 'withdraw'): Promise<StaleReceipt | null> {
  const sent = await ctx.tx.outboxMessage.findFirst({
    where: { idempotencyKey: { startsWith: `receipt:${submissionId}:v` }, op: 'send', resultMessageId: messageId },
    select: { idempotencyKey: true, sentAt: true },
  });
  const clicked = Number(/:v(\d+)$/.exec(sent?.idempotencyKey ?? '')?.[1]);
  if (!sent || !Number.isInteger(clicked)) return null;
  const s = await ctx.tx.submission.findUnique({ where: { id: submissionId }, include: { campaign: true, unit: true } });
  if (!s || clicked >= s.version || !(await isLiaisonOf(ctx.tx, ctx.actor, s.unitId))) return null;

  const rev = await ctx.tx.submissionRevision.findFirst({ where: { submissionId, version: s.version }, select: { action: true, actorOpenId: true, createdAt: true } });
  const oldRev = await ctx.tx.submissionRevision.findFirst({ where: { submissionId, version: clicked }, select: { action: true } });
  const oldDisplay = await displayVersionOf(ctx.tx, submissionId, clicked);
  const current = await displayVersionOf(ctx.tx, submissionId, s.version);
  const when = rev ? `${instantText(rev.createdAt)} ${await personName(ctx.tx, rev.actorOpenId, s.unitId)}` : '';
  const now = s.status === 'withdrawn' ? `本单位的申报已${when ? `于 ${when} ` : ''}撤回，目前视为未申报` : `本单位的申报现在是第 ${current} 版${when ? `（${when} 提交）` : ''}`;
  const message = `这是第 ${oldDisplay} 版的${oldRev?.action === 'withdraw' ? '撤回记录' : '回执'}，已被取代：${now}。请以本群最新的回执为准。`;
  // 撤回 on it is refused; 修改 still opens the current version's form (the button carries no version).
  if (action === 'withdraw') await deny(ctx, 'submission.withdraw', 'Submission', submissionId, `stale receipt v${clicked} (current v${s.version})`);
  const reason = s.status === 'withdrawn' ? '本单位的申报已撤回。' : `本单位的申报已更新为第 ${current} 版。`;
  if (!stillPatchable(sent, ctx.now)) return { message };
  return { message, superseded: { unitName: s.unit.name, campaignTitle: s.campaign.title, displayVersion: oldDisplay, status: oldRev?.action === 'withdraw' ? 'withdrawn' : 'submitted', reason } };
}
