// Group chats and coordinators: the bot joining or leaving a group, binding a group to a unit
// (or marking the coordinators' group), and coordinators managing each other.
import type { UseCaseContext } from '../../app/bot.ts';
import { guessUnitFromChatName, matchUnitName } from '../../domain/unit-names.ts';
import { buildGroupBindCard } from '../../../cards/group.ts';
import { deny, personName } from '../submissions/shared.ts';
import { resolveCampaign } from '../campaign/resolve.ts';
import { sendUnitNotice } from '../campaign/launch.ts';
import { quoteInput } from '../../domain/user-text.ts';

export type GroupResult = { ok: true; text: string } | { ok: false; text: string };

async function activeUnits(ctx: UseCaseContext) {
  return ctx.tx.unit.findMany({ where: { active: true }, orderBy: [{ sortOrder: 'asc' }, { name: 'asc' }], select: { id: true, name: true, shortName: true } });
}

/** The bot was added to a group: record it and ask which unit it belongs to. */
export async function botAddedToGroup(ctx: UseCaseContext, e: { chatId: string; chatName?: string; operatorOpenId?: string }): Promise<void> {
  let name = e.chatName ?? '';
  if (!name) {
    try {
      name = (await ctx.services.gateway.getChat(e.chatId)).name;
    } catch (error) {
      ctx.services.log.warn('getChat failed', { chatId: e.chatId, error });
    }
  }
  const existing = await ctx.tx.groupChat.findUnique({ where: { chatId: e.chatId } });
  // A group that was bound before the bot was removed and re-added keeps its unit but is confirmed again.
  await ctx.tx.groupChat.upsert({
    where: { chatId: e.chatId },
    create: { chatId: e.chatId, name: name || '未命名群', status: 'pending', addedBy: e.operatorOpenId ?? null, addedAt: ctx.now },
    update: { name: name || existing?.name || '未命名群', status: 'pending', addedBy: e.operatorOpenId ?? null, addedAt: ctx.now },
  });
  await ctx.audit({ action: 'group.bot_added', entity: 'GroupChat', entityId: e.chatId, before: existing ?? undefined, after: { name, status: 'pending' } });
  const units = await activeUnits(ctx);
  const guessed = guessUnitFromChatName(units, name);
  const card = buildGroupBindCard({ chatId: e.chatId, chatName: name, units, guessedUnitId: guessed?.id });
  await ctx.enqueue(`group:ask:${e.chatId}:${ctx.eventId}`, { op: 'send', to: { chatId: e.chatId }, card });
}

export async function botRemovedFromGroup(ctx: UseCaseContext, e: { chatId: string }): Promise<void> {
  const chat = await ctx.tx.groupChat.findUnique({ where: { chatId: e.chatId } });
  const cleared = await ctx.tx.unit.updateMany({ where: { chatId: e.chatId }, data: { chatId: null } });
  if (chat) await ctx.tx.groupChat.update({ where: { chatId: e.chatId }, data: { status: 'left', unitId: null } });
  await ctx.audit({ action: 'group.bot_removed', entity: 'GroupChat', entityId: e.chatId, before: chat ?? undefined, after: { status: 'left', unitsCleared: cleared.count } });
}

/** Binds a group to a unit (or marks it as the coordinators' group). Caller has checked the coordinator. */
export async function bindGroup(ctx: UseCaseContext, chatId: string, target: { unitId: string } | { coordinator: true }, chatName?: string): Promise<GroupResult & { unitName?: string }> {
  const before = await ctx.tx.groupChat.findUnique({ where: { chatId } });
  let name = chatName ?? before?.name ?? '';
  if (!name) {
    try {
      name = (await ctx.services.gateway.getChat(chatId)).name;
    } catch {
      name = '工作群';
    }
  }
  if ('coordinator' in target) {
    await ctx.tx.unit.updateMany({ where: { chatId }, data: { chatId: null } });
    await ctx.tx.groupChat.upsert({ where: { chatId }, create: { chatId, name, status: 'coordinator', addedAt: ctx.now }, update: { status: 'coordinator', unitId: null } });
    await ctx.audit({ action: 'group.bind', entity: 'GroupChat', entityId: chatId, before: before ?? undefined, after: { status: 'coordinator' } });
    return { ok: true, text: '本群已设为协调人工作群。' };
  }
  const unit = await ctx.tx.unit.findUnique({ where: { id: target.unitId } });
  if (!unit || !unit.active) return { ok: false, text: '找不到这个单位' };
  // A chat belongs to one unit and a unit has one chat: move both ends.
  await ctx.tx.unit.updateMany({ where: { chatId, NOT: { id: unit.id } }, data: { chatId: null } });
  if (unit.chatId && unit.chatId !== chatId) await ctx.tx.groupChat.updateMany({ where: { chatId: unit.chatId, status: 'bound' }, data: { status: 'pending', unitId: null } });
  await ctx.tx.unit.update({ where: { id: unit.id }, data: { chatId } });
  await ctx.tx.groupChat.upsert({ where: { chatId }, create: { chatId, name, status: 'bound', unitId: unit.id, addedAt: ctx.now }, update: { status: 'bound', unitId: unit.id } });
  await ctx.audit({ action: 'group.bind', entity: 'GroupChat', entityId: chatId, before: before ?? undefined, after: { status: 'bound', unitId: unit.id, unitName: unit.name } });
  // A campaign already collecting: the newly bound group gets its notice now.
  const campaign = await resolveCampaign(ctx.tx, 'collecting', { now: ctx.now });
  let extra = '';
  if (campaign && campaign.status === 'collecting' && unit.chatId !== chatId) {
    if (await sendUnitNotice(ctx, campaign.id, unit.id)) extra = `已补发${campaign.year}年申报通知。`;
  }
  return { ok: true, text: `本群已绑定为${unit.name}的工作群。${extra}`, unitName: unit.name };
}

/** `绑定群 星沙街道` / `绑定群 协调群` typed in the group. */
export async function bindGroupByName(ctx: UseCaseContext, chatId: string, typed: string): Promise<GroupResult> {
  const t = typed.trim();
  if (!t) return { ok: false, text: '请写明单位名称，例如：绑定群 星沙街道；协调人工作群请发送：绑定群 协调群' };
  if (/^(协调群|协调人群|协调人工作群|办公室)$/.test(t)) return bindGroup(ctx, chatId, { coordinator: true });
  const found = matchUnitName(await activeUnits(ctx), t);
  if (!found) return { ok: false, text: `找不到单位“${quoteInput(t)}”，请检查名称或写全称` };
  if ('ambiguous' in found)
    return {
      ok: false,
      text: `“${quoteInput(t)}”对应多个单位：${found.ambiguous
        .slice(0, 10)
        .map((u) => u.name)
        .join('、')}，请写全称`,
    };
  return bindGroup(ctx, chatId, { unitId: found.unit.id });
}

/** What the bind card's confirm button did; the feature module renders the toast and the replacement card. */
export type GroupBindingResult =
  | { kind: 'coordinator_group'; chatName: string; byName: string }
  | { kind: 'bound'; chatName: string; unitName: string; byName: string; text: string }
  | { kind: 'no_unit'; chatId: string; chatName: string; units: { id: string; name: string; shortName: string | null }[] }
  | { kind: 'refused'; text: string };

/** The confirm button of the bind card (the caller has checked the coordinator). */
export async function confirmGroupBinding(ctx: UseCaseContext, chatId: string, unitId: string | undefined, coordinator: boolean): Promise<GroupBindingResult> {
  const chat = await ctx.tx.groupChat.findUnique({ where: { chatId } });
  const byName = await personName(ctx.tx, ctx.actor);
  const chatName = chat?.name ?? '';
  if (coordinator) {
    await bindGroup(ctx, chatId, { coordinator: true });
    return { kind: 'coordinator_group', chatName, byName };
  }
  if (!unitId) return { kind: 'no_unit', chatId, chatName, units: await activeUnits(ctx) };
  const r = await bindGroup(ctx, chatId, { unitId });
  if (!r.ok) return { kind: 'refused', text: r.text };
  return { kind: 'bound', chatName, unitName: r.unitName ?? '', byName, text: r.text };
}

/** 添加协调人 @某人 / 移除协调人 @某人 (the caller has checked the actor is a coordinator). */
export async function addCoordinator(ctx: UseCaseContext, target: { openId: string; name: string }): Promise<GroupResult> {
  const existing = await ctx.tx.coordinator.findUnique({ where: { openId: target.openId } });
  if (existing || ctx.config.coordinatorOpenIds.includes(target.openId)) return { ok: true, text: `${target.name}已经是协调人。` };
  await ctx.tx.coordinator.create({ data: { openId: target.openId, name: target.name, addedBy: ctx.actor, createdAt: ctx.now } });
  await ctx.audit({ action: 'coordinator.add', entity: 'Coordinator', entityId: target.openId, after: target });
  return { ok: true, text: `已将${target.name}添加为协调人。` };
}

export async function removeCoordinator(ctx: UseCaseContext, target: { openId: string; name: string }): Promise<GroupResult> {
  if (ctx.config.coordinatorOpenIds.includes(target.openId)) {
    return { ok: false, text: await deny(ctx, 'coordinator.remove', 'Coordinator', target.openId, `${target.name}是配置文件中指定的协调人，需修改配置 COORDINATOR_OPEN_IDS 才能移除`) };
  }
  const existing = await ctx.tx.coordinator.findUnique({ where: { openId: target.openId } });
  if (!existing) return { ok: false, text: `${target.name}不是协调人。` };
  const remaining = (await ctx.tx.coordinator.count()) - 1 + ctx.config.coordinatorOpenIds.length;
  if (remaining < 1) return { ok: false, text: await deny(ctx, 'coordinator.remove', 'Coordinator', target.openId, '不能移除最后一位协调人') };
  await ctx.tx.coordinator.delete({ where: { openId: target.openId } });
  await ctx.audit({ action: 'coordinator.remove', entity: 'Coordinator', entityId: target.openId, before: existing });
  return { ok: true, text: `已移除协调人${target.name}。` };
}
