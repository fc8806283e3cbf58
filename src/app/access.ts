// Who may do what, decided on the server from the database for every action. Card values
// carry opaque ids only; the operator's open_id is always checked here.
import type { Tx } from '../adapters/db/database.ts';

export async function isCoordinator(tx: Tx, openId: string, configured: readonly string[]): Promise<boolean> {
  if (configured.includes(openId)) return true;
  return (await tx.coordinator.count({ where: { openId } })) > 0;
}

/** Coordinators plus the reviewers the coordinator named for this campaign. */
export async function isReviewer(tx: Tx, openId: string, campaignId: string, configured: readonly string[]): Promise<boolean> {
  if (await isCoordinator(tx, openId, configured)) return true;
  return (await tx.reviewer.count({ where: { campaignId, openId } })) > 0;
}

export async function isJudge(tx: Tx, openId: string, campaignId: string): Promise<boolean> {
  return (await tx.judge.count({ where: { campaignId, openId } })) > 0;
}

/** The units this person is a liaison of (usually one). */
export async function liaisonUnitIds(tx: Tx, openId: string): Promise<string[]> {
  const rows = await tx.liaison.findMany({ where: { openId }, select: { unitId: true } });
  return rows.map((r) => r.unitId);
}

export async function isLiaisonOf(tx: Tx, openId: string, unitId: string): Promise<boolean> {
  return (await tx.liaison.count({ where: { openId, unitId } })) > 0;
}

/** The unit a group chat is bound to, if any. */
export async function unitOfChat(tx: Tx, chatId: string): Promise<{ id: string; name: string } | null> {
  const chat = await tx.groupChat.findUnique({ where: { chatId }, select: { status: true, unit: { select: { id: true, name: true } } } });
  if (chat?.status === 'bound' && chat.unit) return chat.unit;
  const unit = await tx.unit.findUnique({ where: { chatId }, select: { id: true, name: true } });
  return unit;
}

/** The chat(s) where coordinators are reached: the configured one, or groups marked 'coordinator'. */
export async function coordinatorChatIds(tx: Tx, configured: string | undefined): Promise<string[]> {
  const rows = await tx.groupChat.findMany({ where: { status: 'coordinator' }, select: { chatId: true } });
  const ids = rows.map((r) => r.chatId);
  if (configured && !ids.includes(configured)) ids.unshift(configured);
  return ids;
}
