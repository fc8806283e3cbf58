// Who speaks for a unit: liaisons ask in the unit's group (我是联系人 / 我是备用联系人 / the
// notice's button) and someone already trusted confirms; the unit names its 分管领导.
import { createHash } from 'node:crypto';
import type { UseCaseContext } from '../../app/bot.ts';
import { isCoordinator, unitOfChat } from '../../app/access.ts';
import type { Mention } from '../../app/events.ts';
import { liaisonRequestCard } from '../../../cards/liaison.ts';
import { instantText, personName } from './shared.ts';

export type LiaisonResult = { ok: true; text: string } | { ok: false; text: string };

/** The person's name as the chat knows it (member list), else from a mention, else null. */
async function nameInChat(ctx: UseCaseContext, chatId: string, openId: string, mentions: Mention[] = []): Promise<string | null> {
  const m = mentions.find((x) => x.openId === openId);
  if (m?.name) return m.name;
  try {
    const members = await ctx.services.gateway.listChatMembers(chatId);
    return members.find((x) => x.openId === openId)?.name ?? null;
  } catch (error) {
    ctx.services.log.warn('listChatMembers failed', { chatId, error });
    return null;
  }
}

const REQUEST_PREFIX = 'liaison.request:';

interface LiaisonRequest {
  unitId: string;
  chatId: string;
  openId: string;
  name: string;
  role: 'primary' | 'backup';
  requestedAt: string;
}

const roleLabel = (role: 'primary' | 'backup') => (role === 'primary' ? '联系人' : '备用联系人');

/**
 * 我是联系人 / 我是备用联系人 / the notice's button. Speaking for a unit (submitting, withdrawing) is
 * not something group membership alone grants (issue 14): a coordinator, or someone who already
 * is the unit's liaison, changes roles at once; anyone else asks, and the unit's current liaisons
 * and the coordinators get a card to confirm. A unit with no liaison yet needs a coordinator —
 * unless LIAISON_TRUST_GROUP says membership of the unit's bound group is enough.
 */
export async function bindLiaison(ctx: UseCaseContext, chatId: string, role: 'primary' | 'backup', expectedUnitId?: string): Promise<LiaisonResult> {
  const unit = await unitOfChat(ctx.tx, chatId);
  if (!unit || (expectedUnitId && unit.id !== expectedUnitId)) {
    const reason = unit ? '这张卡片不属于本群的单位，请在本单位工作群中操作' : '本群还没有绑定单位，请协调人先发送“@主题日助手 绑定群 单位名称”';
    await ctx.audit({ action: 'liaison.bind', entity: 'Liaison', entityId: expectedUnitId ?? null, decision: 'deny', reason });
    return { ok: false, text: reason };
  }
  const name = (await nameInChat(ctx, chatId, ctx.actor)) ?? '联系人';
  const mine = await ctx.tx.liaison.findUnique({ where: { unitId_openId: { unitId: unit.id, openId: ctx.actor } } });
  if (mine?.role === role) return { ok: true, text: `你已是${unit.name}的${roleLabel(role)}。` };
  const bound = await ctx.tx.liaison.findMany({ where: { unitId: unit.id, NOT: { openId: null } }, select: { openId: true, name: true, role: true } });
  const coordinator = await isCoordinator(ctx.tx, ctx.actor, ctx.config.coordinatorOpenIds);
  const trusted = coordinator || mine !== null || (bound.length === 0 && ctx.config.liaisonTrustGroup);
  if (trusted) return applyLiaison(ctx, unit, { openId: ctx.actor, name, role, chatId }, ctx.actor);

  // Ask: the current liaisons (a unit without one: the coordinators) confirm, privately.
  const approvers = new Set(bound.map((l) => l.openId!));
  for (const id of await coordinatorOpenIds(ctx)) approvers.add(id);
  approvers.delete(ctx.actor);
  if (approvers.size === 0) {
    const reason = '暂无可以确认的联系人或协调人，请联系县政务公开办';
    await ctx.audit({ action: 'liaison.request', entity: 'Unit', entityId: unit.id, decision: 'deny', reason });
    return { ok: false, text: reason };
  }
  const requestId = createHash('sha256').update(`${ctx.eventId}:${ctx.actor}`).digest('hex').slice(0, 16);
  const request: LiaisonRequest = { unitId: unit.id, chatId, openId: ctx.actor, name, role, requestedAt: ctx.now.toISOString() };
  await ctx.tx.keyValue.upsert({ where: { key: REQUEST_PREFIX + requestId }, create: { key: REQUEST_PREFIX + requestId, value: JSON.stringify(request) }, update: {} });
  const current = bound.find((l) => l.role === 'primary');
  const card = liaisonRequestCard({ requestId, unitName: unit.name, name, role, ...(current ? { currentName: current.name } : {}), atText: instantText(ctx.now) });
  for (const openId of approvers) await ctx.enqueue(`liaison.request:${requestId}:${openId}`, { op: 'send', to: { openId }, card });
  await ctx.audit({ action: 'liaison.request', entity: 'Unit', entityId: unit.id, after: { requestId, openId: ctx.actor, name, role, approvers: [...approvers] } });
  const who = bound.length > 0 ? '本单位现有联系人或协调人' : '协调人';
  return { ok: true, text: `已收到${name}成为${unit.name}${roleLabel(role)}的申请，需${who}确认（已发送确认卡片）。确认前不能填报。` };
}

async function coordinatorOpenIds(ctx: UseCaseContext): Promise<string[]> {
  const rows = await ctx.tx.coordinator.findMany({ select: { openId: true } });
  return [...new Set([...ctx.config.coordinatorOpenIds, ...rows.map((r) => r.openId)])];
}

/** Makes the binding (trusted or confirmed); one primary per unit, the earlier one kept as backup. */
async function applyLiaison(ctx: UseCaseContext, unit: { id: string; name: string }, p: { openId: string; name: string; role: 'primary' | 'backup'; chatId: string }, approvedBy: string): Promise<LiaisonResult> {
  const mine = await ctx.tx.liaison.findUnique({ where: { unitId_openId: { unitId: unit.id, openId: p.openId } } });
  let text: string;
  if (mine) {
    if (mine.role === p.role) return { ok: true, text: `${p.name}已是${unit.name}的${roleLabel(p.role)}。` };
    await ctx.tx.liaison.update({ where: { id: mine.id }, data: { role: p.role, name: p.name } });
    text = `已将${p.name}在${unit.name}的身份改为${roleLabel(p.role)}。`;
  } else {
    // A directory row for the same person without an open_id yet is claimed, keeping its phone.
    const unclaimed = await ctx.tx.liaison.findFirst({ where: { unitId: unit.id, openId: null, name: p.name } });
    if (unclaimed) await ctx.tx.liaison.update({ where: { id: unclaimed.id }, data: { openId: p.openId, role: p.role } });
    else await ctx.tx.liaison.create({ data: { unitId: unit.id, openId: p.openId, name: p.name, role: p.role } });
    text = `${p.name}已绑定为${unit.name}的${roleLabel(p.role)}，可以填写申报表了。联系电话在申报表中填写。`;
  }
  const demotedIds: string[] = [];
  if (p.role === 'primary') {
    // One primary per unit: an earlier primary stays as backup, so reminders still reach them.
    const earlier = await ctx.tx.liaison.findMany({ where: { unitId: unit.id, role: 'primary', NOT: { openId: p.openId } }, select: { id: true, openId: true } });
    if (earlier.length > 0) {
      await ctx.tx.liaison.updateMany({ where: { id: { in: earlier.map((e) => e.id) } }, data: { role: 'backup' } });
      text += '原联系人改为备用联系人。';
      demotedIds.push(...earlier.map((e) => e.openId).filter((x): x is string => !!x));
    }
  }
  await ctx.audit({ action: 'liaison.bind', entity: 'Liaison', entityId: unit.id, after: { openId: p.openId, name: p.name, role: p.role, approvedBy, demoted: demotedIds } });
  // Whoever lost the primary role hears about it directly (not only in a busy group).
  for (const openId of demotedIds) {
    if (openId === approvedBy) continue;
    await ctx.enqueue(`liaison.demoted:${ctx.eventId}:${openId}`, { op: 'send', to: { openId }, text: `${p.name}已成为${unit.name}的联系人，你改为备用联系人。如有异议请联系县政务公开办。` });
  }
  return { ok: true, text };
}

/** What 同意 / 拒绝 did; the feature module renders the toast and the decided card. */
export type LiaisonDecision =
  | { kind: 'gone' }
  | { kind: 'unreadable' }
  | { kind: 'unit_gone' }
  | { kind: 'not_allowed'; unitName: string }
  | { kind: 'decided'; approved: boolean; unitName: string; name: string; role: 'primary' | 'backup'; byName: string; atText: string };

/** 同意 / 拒绝 on the request card: only the unit's current liaisons and coordinators may decide. */
export async function decideLiaisonRequest(ctx: UseCaseContext, requestId: string, approve: boolean): Promise<LiaisonDecision> {
  const kv = await ctx.tx.keyValue.findUnique({ where: { key: REQUEST_PREFIX + requestId } });
  if (!kv) return { kind: 'gone' };
  let request: LiaisonRequest;
  try {
    request = JSON.parse(kv.value) as LiaisonRequest;
  } catch {
    return { kind: 'unreadable' };
  }
  const unit = await ctx.tx.unit.findUnique({ where: { id: request.unitId }, select: { id: true, name: true } });
  if (!unit) return { kind: 'unit_gone' };
  const allowed = (await isCoordinator(ctx.tx, ctx.actor, ctx.config.coordinatorOpenIds)) || ((await ctx.tx.liaison.count({ where: { unitId: unit.id, openId: ctx.actor } })) > 0 && ctx.actor !== request.openId);
  if (!allowed) {
    await ctx.audit({ action: 'liaison.decide', entity: 'Unit', entityId: unit.id, decision: 'deny', reason: 'not a liaison of the unit or a coordinator' });
    return { kind: 'not_allowed', unitName: unit.name };
  }
  await ctx.tx.keyValue.delete({ where: { key: kv.key } });
  const byName = await personName(ctx.tx, ctx.actor, unit.id);
  const atText = instantText(ctx.now);
  let groupText: string;
  if (approve) {
    const r = await applyLiaison(ctx, unit, request, ctx.actor);
    groupText = `${byName}已确认：${r.text}`;
  } else {
    await ctx.audit({ action: 'liaison.rejected', entity: 'Unit', entityId: unit.id, after: { requestId, openId: request.openId, name: request.name, role: request.role } });
    groupText = `${request.name}成为${unit.name}${roleLabel(request.role)}的申请未获同意（${byName}）。如有疑问请联系县政务公开办。`;
  }
  // Both sides hear it: the requester in the group where they asked, the decider on the card.
  await ctx.enqueue(`liaison.decided:${requestId}`, { op: 'send', to: { chatId: request.chatId }, text: groupText });
  return { kind: 'decided', approved: approve, unitName: unit.name, name: request.name, role: request.role, byName, atText };
}

/** 分管领导 @某人, by a liaison of the unit or a coordinator, in the unit's group. */
/** `mentioned`: the people @-mentioned, without the bot. */
export async function setLeader(ctx: UseCaseContext, chatId: string, mentioned: Mention[], mayAct: (unitId: string) => Promise<boolean>): Promise<LiaisonResult> {
  const unit = await unitOfChat(ctx.tx, chatId);
  if (!unit) return { ok: false, text: '本群还没有绑定单位，请协调人先绑定' };
  if (!(await mayAct(unit.id))) {
    const reason = `只有${unit.name}的联系人或协调人可以设置分管领导`;
    await ctx.audit({ action: 'unit.set_leader', entity: 'Unit', entityId: unit.id, decision: 'deny', reason });
    return { ok: false, text: reason };
  }
  const target = mentioned.filter((m) => m.openId).pop();
  if (!target) return { ok: false, text: '请在指令后 @分管领导，例如：@主题日助手 分管领导 @张三' };
  const before = await ctx.tx.unit.findUniqueOrThrow({ where: { id: unit.id }, select: { leaderOpenId: true, leaderName: true } });
  await ctx.tx.unit.update({ where: { id: unit.id }, data: { leaderOpenId: target.openId, leaderName: target.name } });
  await ctx.audit({ action: 'unit.set_leader', entity: 'Unit', entityId: unit.id, before, after: { leaderOpenId: target.openId, leaderName: target.name } });
  return { ok: true, text: `已将${target.name}设为${unit.name}的分管领导，多次催办未提交时会抄送分管领导。` };
}

/** The submission of the liaison's unit in a campaign (null when the unit is not in it). */
export async function liaisonSubmission(ctx: UseCaseContext, campaignId: string, unitIds: string[]): Promise<{ id: string } | null> {
  return ctx.tx.submission.findFirst({ where: { campaignId, unitId: { in: unitIds } }, select: { id: true } });
}
