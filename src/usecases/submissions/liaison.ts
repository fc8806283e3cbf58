// Who speaks for a unit: liaisons bind themselves in the unit's group (我是联系人 /
// 我是备用联系人 / the notice's button), and the unit names its 分管领导.
import type { HandlerContext } from '../../app/bot.ts';
import { unitOfChat } from '../../app/access.ts';
import type { Mention } from '../../app/events.ts';

export type LiaisonResult = { ok: true; text: string } | { ok: false; text: string };

/** The person's name as the chat knows it (member list), else from a mention, else null. */
async function nameInChat(ctx: HandlerContext, chatId: string, openId: string, mentions: Mention[] = []): Promise<string | null> {
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

/** Binds the actor as a liaison of the unit whose group this is. */
export async function bindLiaison(ctx: HandlerContext, chatId: string, role: 'primary' | 'backup', expectedUnitId?: string): Promise<LiaisonResult> {
  const unit = await unitOfChat(ctx.tx, chatId);
  if (!unit || (expectedUnitId && unit.id !== expectedUnitId)) {
    const reason = unit ? '这张卡片不属于本群的单位，请在本单位工作群中操作' : '本群还没有绑定单位，请协调人先发送“@主题日助手 绑定群 单位名称”';
    await ctx.audit({ action: 'liaison.bind', entity: 'Liaison', entityId: expectedUnitId ?? null, decision: 'deny', reason });
    return { ok: false, text: reason };
  }
  const name = (await nameInChat(ctx, chatId, ctx.actor)) ?? '联系人';
  const mine = await ctx.tx.liaison.findUnique({ where: { unitId_openId: { unitId: unit.id, openId: ctx.actor } } });
  let text: string;
  if (mine) {
    if (mine.role === role) return { ok: true, text: `你已是${unit.name}的${role === 'primary' ? '联系人' : '备用联系人'}。` };
    await ctx.tx.liaison.update({ where: { id: mine.id }, data: { role, name } });
    text = `已将你在${unit.name}的身份改为${role === 'primary' ? '联系人' : '备用联系人'}。`;
  } else {
    // A directory row for the same person without an open_id yet is claimed, keeping its phone.
    const unclaimed = await ctx.tx.liaison.findFirst({ where: { unitId: unit.id, openId: null, name } });
    if (unclaimed) await ctx.tx.liaison.update({ where: { id: unclaimed.id }, data: { openId: ctx.actor, role } });
    else await ctx.tx.liaison.create({ data: { unitId: unit.id, openId: ctx.actor, name, role } });
    text = `${name}已绑定为${unit.name}的${role === 'primary' ? '联系人' : '备用联系人'}，可以填写申报表了。联系电话在申报表中填写。`;
  }
  if (role === 'primary') {
    // One primary per unit: an earlier primary stays as backup, so reminders still reach them.
    const demoted = await ctx.tx.liaison.updateMany({ where: { unitId: unit.id, role: 'primary', NOT: { openId: ctx.actor } }, data: { role: 'backup' } });
    if (demoted.count > 0) text += '原联系人改为备用联系人。';
  }
  await ctx.audit({ action: 'liaison.bind', entity: 'Liaison', entityId: unit.id, after: { openId: ctx.actor, name, role } });
  return { ok: true, text };
}

/** 分管领导 @某人, by a liaison of the unit or a coordinator, in the unit's group. */
export async function setLeader(ctx: HandlerContext, chatId: string, mentions: Mention[], botOpenId: string | null, mayAct: (unitId: string) => Promise<boolean>): Promise<LiaisonResult> {
  const unit = await unitOfChat(ctx.tx, chatId);
  if (!unit) return { ok: false, text: '本群还没有绑定单位，请协调人先绑定' };
  if (!(await mayAct(unit.id))) {
    const reason = `只有${unit.name}的联系人或协调人可以设置分管领导`;
    await ctx.audit({ action: 'unit.set_leader', entity: 'Unit', entityId: unit.id, decision: 'deny', reason });
    return { ok: false, text: reason };
  }
  const target = mentions.filter((m) => m.openId && m.openId !== botOpenId).pop();
  if (!target) return { ok: false, text: '请在指令后 @分管领导，例如：@主题日助手 分管领导 @张三' };
  const before = await ctx.tx.unit.findUniqueOrThrow({ where: { id: unit.id }, select: { leaderOpenId: true, leaderName: true } });
  await ctx.tx.unit.update({ where: { id: unit.id }, data: { leaderOpenId: target.openId, leaderName: target.name } });
  await ctx.audit({ action: 'unit.set_leader', entity: 'Unit', entityId: unit.id, before, after: { leaderOpenId: target.openId, leaderName: target.name } });
  return { ok: true, text: `已将${target.name}设为${unit.name}的分管领导，多次催办未提交时会抄送分管领导。` };
}
