// Moving an approved theme to another month: told to the unit ('notify') or proposed for its
// liaison to accept ('confirm'), per the campaign's monthMoveMode. A pending proposal is kept in
// KeyValue `schedule-move:<themeId>` (the month it proposes) next to Theme.moveState = 'proposed'.
import { z } from 'zod';
import type { UseCaseContext } from '../../app/bot.ts';
import type { Tx } from '../../adapters/db/database.ts';
import { coordinatorChatIds } from '../../app/access.ts';
import { parseSettings } from '../../domain/campaign.ts';
import { shanghaiDateTime } from '../../domain/time.ts';
import { moveConfirmCard, moveNoticeCard, type MoveVm } from '../../../cards/schedule.ts';
import { namesOf, unitRecipients, type CampaignRow } from '../review/common.ts';

const proposalSchema = z.object({ toMonth: z.number().int().min(1).max(12), fromMonth: z.number().int().min(1).max(12), by: z.string(), at: z.string(), seq: z.number().int().default(1) });
export type MoveProposal = z.infer<typeof proposalSchema>;

const key = (themeId: string) => `schedule-move:${themeId}`;

export async function readProposal(tx: Tx, themeId: string): Promise<MoveProposal | null> {
  const row = await tx.keyValue.findUnique({ where: { key: key(themeId) } });
  if (!row) return null;
  try {
    return proposalSchema.parse(JSON.parse(row.value));
  } catch {
    return null;
  }
}

export async function pendingMoves(tx: Tx, campaignId: string) {
  const themes = await tx.theme.findMany({
    where: { moveState: 'proposed', state: 'active', reviewStatus: 'approved', submission: { campaignId } },
    include: { submission: { select: { unit: { select: { name: true } } } } },
  });
  const out: { themeId: string; unitName: string; title: string; from: number; to: number }[] = [];
  for (const t of themes) {
    const p = await readProposal(tx, t.id);
    if (p) out.push({ themeId: t.id, unitName: t.submission.unit.name, title: t.title, from: p.fromMonth, to: p.toMonth });
  }
  return out;
}

export type MoveResult = { ok: true; mode: 'confirm' | 'notify'; from: number; to: number } | { ok: false; message: string };

export async function moveThemeMonth(ctx: UseCaseContext, campaign: CampaignRow, input: { themeId: string; month: number }): Promise<MoveResult> {
  const { tx } = ctx;
  const theme = await tx.theme.findUnique({ where: { id: input.themeId }, include: { submission: { select: { campaignId: true, unitId: true, unit: { select: { name: true } } } } } });
  if (!theme || theme.submission.campaignId !== campaign.id || theme.state !== 'active') return { ok: false, message: '找不到这个活动，请刷新计划安排表' };
  if (theme.reviewStatus !== 'approved') return { ok: false, message: '只有审核通过的主题才能调整月份' };
  const from = theme.scheduledMonth ?? theme.month;
  if (from === input.month) return { ok: false, message: `该活动已在${from}月` };
  const mode = parseSettings(campaign.settings).monthMoveMode;
  const to = await unitRecipients(tx, theme.submission.unitId);
  const names = await namesOf(tx, [ctx.actor]);
  const vm: MoveVm = { themeId: theme.id, unitName: theme.submission.unit.name, title: theme.title, from, to: input.month, liaisonOpenIds: to.liaisonOpenIds, by: names.get(ctx.actor) ?? '协调人', at: shanghaiDateTime(ctx.now) };

  if (mode === 'notify') {
    await tx.theme.update({ where: { id: theme.id }, data: { scheduledMonth: input.month, moveState: 'confirmed' } });
    await tx.keyValue.deleteMany({ where: { key: key(theme.id) } });
    await ctx.audit({ action: 'schedule.move', entity: 'Theme', entityId: theme.id, before: { scheduledMonth: from }, after: { scheduledMonth: input.month, fromMonth: from, toMonth: input.month, mode } });
    await sendToUnit(ctx, to, `move:${theme.id}:${from}-${input.month}:${ctx.eventId}`, moveNoticeCard({ ...vm, outcome: 'moved' }));
    return { ok: true, mode, from, to: input.month };
  }

  const previous = await readProposal(tx, theme.id);
  const proposal: MoveProposal = { toMonth: input.month, fromMonth: from, by: ctx.actor, at: ctx.now.toISOString(), seq: (previous?.seq ?? 0) + 1 };
  await tx.keyValue.upsert({ where: { key: key(theme.id) }, create: { key: key(theme.id), value: JSON.stringify(proposal) }, update: { value: JSON.stringify(proposal) } });
  await tx.theme.update({ where: { id: theme.id }, data: { moveState: 'proposed' } });
  await ctx.audit({ action: 'schedule.move_propose', entity: 'Theme', entityId: theme.id, after: { fromMonth: from, toMonth: input.month, mode } });
  await sendToUnit(ctx, to, `move-ask:${theme.id}:${proposal.seq}`, moveConfirmCard(vm));
  return { ok: true, mode, from, to: input.month };
}

export type ReplyResult = { ok: true; accepted: boolean; from: number; to: number; unitName: string; title: string } | { ok: false; message: string };

/** The unit's liaison answers a proposal (the handler has checked it is a liaison of the unit). */
export async function replyToMove(ctx: UseCaseContext, input: { themeId: string; toMonth: number; accept: boolean }): Promise<ReplyResult> {
  const { tx } = ctx;
  const theme = await tx.theme.findUnique({ where: { id: input.themeId }, include: { submission: { select: { unitId: true, unit: { select: { name: true } } } } } });
  const proposal = theme ? await readProposal(tx, theme.id) : null;
  if (!theme || theme.moveState !== 'proposed' || !proposal) return { ok: false, message: '这项调整已处理或已撤销' };
  if (proposal.toMonth !== input.toMonth) return { ok: false, message: `县政务公开办已改为提议调整到${proposal.toMonth}月，请在最新的确认卡片上操作` };
  if (input.accept) {
    await tx.theme.update({ where: { id: theme.id }, data: { scheduledMonth: proposal.toMonth, moveState: 'confirmed' } });
  } else {
    await tx.theme.update({ where: { id: theme.id }, data: { moveState: 'none' } });
  }
  await tx.keyValue.delete({ where: { key: key(theme.id) } });
  await ctx.audit({
    action: input.accept ? 'schedule.move_accept' : 'schedule.move_decline',
    entity: 'Theme',
    entityId: theme.id,
    before: { scheduledMonth: proposal.fromMonth },
    after: { scheduledMonth: input.accept ? proposal.toMonth : proposal.fromMonth, fromMonth: proposal.fromMonth, toMonth: proposal.toMonth },
  });
  const names = await namesOf(tx, [ctx.actor]);
  const card = moveNoticeCard({
    themeId: theme.id,
    unitName: theme.submission.unit.name,
    title: theme.title,
    from: proposal.fromMonth,
    to: proposal.toMonth,
    liaisonOpenIds: [],
    by: names.get(ctx.actor) ?? '联系人',
    at: shanghaiDateTime(ctx.now),
    outcome: input.accept ? 'accepted' : 'declined',
    forCoordinator: true,
  });
  const chats = await coordinatorChatIds(tx, ctx.config.coordinatorChatId);
  const targets = chats.length > 0 ? chats.map((chatId) => ({ chatId })) : [{ openId: proposal.by }];
  for (const t of targets) {
    await ctx.enqueue(`move-reply:${theme.id}:${proposal.seq}:${'chatId' in t ? t.chatId : t.openId}`, { op: 'send', to: t, card });
  }
  return { ok: true, accepted: input.accept, from: proposal.fromMonth, to: proposal.toMonth, unitName: theme.submission.unit.name, title: theme.title };
}

async function sendToUnit(ctx: UseCaseContext, to: { chatId?: string; liaisonOpenIds: string[] }, key: string, card: ReturnType<typeof moveNoticeCard>): Promise<void> {
  if (to.chatId) await ctx.enqueue(key, { op: 'send', to: { chatId: to.chatId }, card });
  else for (const openId of to.liaisonOpenIds) await ctx.enqueue(`${key}:${openId}`, { op: 'send', to: { openId }, card });
}
