// 申报, the liaison's side: the form and its buttons, the receipt's 修改/撤回, binding oneself as
// the unit's contact, and the unit's 分管领导. The coordinator's side is in coordinator.ts.
import type { Bot } from '../app/bot.ts';
import { liaisonUnitIds } from '../app/access.ts';
import { liaisonActions, submissionActions } from '../../cards/actions.ts';
import { liaisonDecidedCard } from '../../cards/liaison.ts';
import { openSubmissionForm, submissionFormAction, withdrawSubmission } from '../usecases/submissions/submit.ts';
import { bindLiaison, decideLiaisonRequest, liaisonSubmission, setLeader } from '../usecases/submissions/liaison.ts';
import { resolveCampaign } from '../usecases/campaign/resolve.ts';

export function registerSubmissions(bot: Bot): void {
  // The form -------------------------------------------------------------------------------------
  bot.command({ names: ['填写申报表', '填报', '申报'], id: 'submission.open', summary: '打开本单位的主题申报表（发到私聊）', example: '@主题日助手 申报', audience: 'liaison' }, async (ctx) => {
    const campaign = await resolveCampaign(ctx.tx, 'collecting', { now: ctx.now });
    const units = await liaisonUnitIds(ctx.tx, ctx.actor);
    if (!campaign || campaign.status === 'draft') return ctx.reply('今年的主题申报还没有发起，请等待县政务公开办的通知。');
    if (units.length === 0) {
      await ctx.deny('你还不是任何单位的联系人。请在本单位工作群发送“@主题日助手 我是联系人”后再填写。', { action: 'submission.open', entity: 'Campaign', entityId: campaign.id, reason: 'not a liaison' });
      return;
    }
    const sub = await liaisonSubmission(ctx, campaign.id, units);
    if (!sub) return ctx.reply('你所在单位不在本次申报范围内，如有疑问请联系县政务公开办。');
    const r = await openSubmissionForm(ctx, sub.id, 'open');
    if (r.toast) await ctx.reply(r.toast.content);
  });
  bot.action(submissionActions.open, (ctx, v) => openSubmissionForm(ctx, v.submissionId, 'open'));
  bot.action(submissionActions.edit, (ctx, v) => openSubmissionForm(ctx, v.submissionId, 'edit'));
  bot.action(submissionActions.form, (ctx, v, a) => submissionFormAction(ctx, { submissionId: v.submissionId, cardVersion: v.version, op: v.op, index: v.index, formValue: a.formValue }));
  bot.action(submissionActions.withdraw, (ctx, v) => withdrawSubmission(ctx, v.submissionId, v.version));

  // The unit's contacts ----------------------------------------------------------------------------
  bot.command({ names: ['我是联系人'], summary: '在本单位工作群中绑定自己为本单位联系人（负责填报）', example: '@主题日助手 我是联系人', audience: 'liaison' }, async (ctx, m) => {
    if (m.chatType !== 'group') return ctx.reply('请在本单位的工作群里发送“@主题日助手 我是联系人”。');
    await ctx.reply((await bindLiaison(ctx, m.chatId, 'primary')).text);
  });
  bot.command({ names: ['我是备用联系人'], summary: '在本单位工作群中绑定自己为备用联系人', example: '@主题日助手 我是备用联系人', audience: 'liaison' }, async (ctx, m) => {
    if (m.chatType !== 'group') return ctx.reply('请在本单位的工作群里发送“@主题日助手 我是备用联系人”。');
    await ctx.reply((await bindLiaison(ctx, m.chatId, 'backup')).text);
  });
  bot.action(liaisonActions.bind, async (ctx, v, a) => {
    const r = await bindLiaison(ctx, a.chatId, 'primary', v.unitId);
    return { toast: { type: r.ok ? 'success' : 'error', content: r.text } };
  });
  bot.action(liaisonActions.decide, async (ctx, v) => {
    const r = await decideLiaisonRequest(ctx, v.requestId, v.accept);
    switch (r.kind) {
      case 'gone':
        return { toast: { type: 'info', content: '这条申请已处理或已失效' } };
      case 'unreadable':
        return { toast: { type: 'error', content: '这条申请已失效' } };
      case 'unit_gone':
        return { toast: { type: 'error', content: '单位已不存在' } };
      case 'not_allowed':
        return { toast: { type: 'error', content: `只有${r.unitName}的现有联系人或协调人可以确认` } };
      case 'decided':
        return { toast: { type: r.approved ? 'success' : 'info', content: r.approved ? '已同意' : '已拒绝' }, card: liaisonDecidedCard({ unitName: r.unitName, name: r.name, role: r.role, approved: r.approved, byName: r.byName, atText: r.atText }) };
    }
  });

  bot.command({ names: ['分管领导'], summary: '设置本单位分管领导（多次催办未报时抄送）', example: '@主题日助手 分管领导 @张三', audience: 'liaison' }, async (ctx, m) => {
    const mayAct = async (unitId: string) => (await ctx.is('liaison-of', unitId)) || (await ctx.is('coordinator'));
    await ctx.reply((await setLeader(ctx, m.chatId, await ctx.mentioned(), mayAct)).text);
  });
}

export const submissionsFeature = { register: registerSubmissions };
