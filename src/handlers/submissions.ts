// Theme submissions: the liaison's side (form, receipt, binding) and the feature's registration
// (coordinator commands, groups and help live in their own files and are registered from here).
import { z } from 'zod';
import type { Bot, HandlerContext } from '../app/bot.ts';
import type { CardActionEvent, CardResponse, MessageEvent } from '../app/events.ts';
import { isCoordinator, liaisonUnitIds } from '../app/access.ts';
import type { CardJson } from '../../cards/kit.ts';
import { openSubmissionForm, submissionFormAction, withdrawSubmission } from '../usecases/submissions/submit.ts';
import { bindLiaison, decideLiaisonRequest, setLeader } from '../usecases/submissions/liaison.ts';
import { deny } from '../usecases/submissions/shared.ts';
import { resolveCampaign } from '../usecases/campaign/resolve.ts';
import { registerCoordinator } from './coordinator.ts';
import { registerGroups } from './groups.ts';
import { registerHelp } from './help.ts';

export async function replyText(ctx: HandlerContext, m: MessageEvent, text: string): Promise<void> {
  await ctx.enqueue(`reply:${m.messageId}`, { op: 'reply', messageId: m.messageId, text });
}

export async function replyCard(ctx: HandlerContext, m: MessageEvent, card: CardJson): Promise<void> {
  await ctx.enqueue(`reply:${m.messageId}`, { op: 'reply', messageId: m.messageId, card });
}

/** The bot's own open_id, to tell its mention apart from the person mentioned (null when unknown). */
export async function botOpenId(ctx: HandlerContext): Promise<string | null> {
  try {
    return (await ctx.services.gateway.botInfo()).openId;
  } catch {
    return null;
  }
}

const id = z.string().min(1).max(100);
const openValue = z.object({ s: id });
const formValue = z.object({ s: id, v: z.coerce.number().int().min(0), op: z.string().max(20), i: z.coerce.number().int().min(0).max(50).optional() });
const withdrawValue = z.object({ s: id, v: z.coerce.number().int().min(0) });
const bindValue = z.object({ u: id });
const decideValue = z.object({ r: z.string().regex(/^[0-9a-f]{16}$/), ok: z.union([z.literal(0), z.literal(1)]) });

function badValue(): CardResponse {
  return { toast: { type: 'warning', content: '这张卡片已过期，请重新发送指令获取新卡片' } };
}

export function registerSubmissions(bot: Bot): void {
  bot.action('sub.open', async (ctx, a) => {
    const v = openValue.safeParse(a.value);
    return v.success ? openSubmissionForm(ctx, v.data.s, 'open') : badValue();
  });
  bot.action('sub.edit', async (ctx, a) => {
    const v = openValue.safeParse(a.value);
    return v.success ? openSubmissionForm(ctx, v.data.s, 'edit') : badValue();
  });
  bot.action('sub.form', async (ctx, a: CardActionEvent) => {
    const v = formValue.safeParse(a.value);
    if (!v.success) return badValue();
    return submissionFormAction(ctx, { submissionId: v.data.s, cardVersion: v.data.v, op: v.data.op, index: v.data.i, formValue: a.formValue });
  });
  bot.action('sub.withdraw', async (ctx, a) => {
    const v = withdrawValue.safeParse(a.value);
    return v.success ? withdrawSubmission(ctx, v.data.s, v.data.v) : badValue();
  });
  bot.action('sub.bind_liaison', async (ctx, a) => {
    const v = bindValue.safeParse(a.value);
    if (!v.success) return badValue();
    const r = await bindLiaison(ctx, a.chatId, 'primary', v.data.u);
    return { toast: { type: r.ok ? 'success' : 'error', content: r.text } };
  });

  bot.action('liaison.decide', async (ctx, a) => {
    const v = decideValue.safeParse(a.value);
    return v.success ? decideLiaisonRequest(ctx, v.data.r, v.data.ok === 1) : badValue();
  });

  bot.command({ names: ['我是联系人'], summary: '在本单位工作群中绑定自己为本单位联系人（负责填报）', example: '@主题日助手 我是联系人', audience: 'liaison' }, async (ctx, m) => {
    if (m.chatType !== 'group') return replyText(ctx, m, '请在本单位的工作群里发送“@主题日助手 我是联系人”。');
    const r = await bindLiaison(ctx, m.chatId, 'primary');
    await replyText(ctx, m, r.text);
  });
  bot.command({ names: ['我是备用联系人'], summary: '在本单位工作群中绑定自己为备用联系人', example: '@主题日助手 我是备用联系人', audience: 'liaison' }, async (ctx, m) => {
    if (m.chatType !== 'group') return replyText(ctx, m, '请在本单位的工作群里发送“@主题日助手 我是备用联系人”。');
    const r = await bindLiaison(ctx, m.chatId, 'backup');
    await replyText(ctx, m, r.text);
  });
  bot.command({ names: ['分管领导'], summary: '设置本单位分管领导（多次催办未报时抄送）', example: '@主题日助手 分管领导 @张三', audience: 'liaison' }, async (ctx, m) => {
    const r = await setLeader(ctx, m.chatId, m.mentions, await botOpenId(ctx), async (unitId) => (await liaisonUnitIds(ctx.tx, ctx.actor)).includes(unitId) || (await isCoordinator(ctx.tx, ctx.actor, ctx.config.coordinatorOpenIds)));
    await replyText(ctx, m, r.text);
  });
  bot.command({ names: ['填写申报表', '填报', '申报'], summary: '打开本单位的主题申报表（发到私聊）', example: '@主题日助手 申报', audience: 'liaison' }, async (ctx, m) => {
    const campaign = await resolveCampaign(ctx.tx, 'collecting', { now: ctx.now });
    const units = await liaisonUnitIds(ctx.tx, ctx.actor);
    if (!campaign || campaign.status === 'draft') return replyText(ctx, m, '今年的主题申报还没有发起，请等待县政务公开办的通知。');
    if (units.length === 0) {
      await deny(ctx, 'submission.open', 'Campaign', campaign.id, 'not a liaison');
      return replyText(ctx, m, '你还不是任何单位的联系人。请在本单位工作群发送“@主题日助手 我是联系人”后再填写。');
    }
    const sub = await ctx.tx.submission.findFirst({ where: { campaignId: campaign.id, unitId: { in: units } } });
    if (!sub) return replyText(ctx, m, '你所在单位不在本次申报范围内，如有疑问请联系县政务公开办。');
    const r = await openSubmissionForm(ctx, sub.id, 'open');
    if (r.toast) await replyText(ctx, m, r.toast.content);
  });
}

export const submissionsFeature = {
  register(bot: Bot): void {
    registerSubmissions(bot);
    registerCoordinator(bot);
    registerGroups(bot);
    registerHelp(bot);
  },
};
