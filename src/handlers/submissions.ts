// 申报, the liaison's side: the form and its buttons, the receipt's 修改/撤回, binding oneself as
// the unit's contact, and the unit's 分管领导. The coordinator's side is in coordinator.ts.
import type { Bot } from '../app/bot.ts';
import { liaisonUnitIds } from '../app/access.ts';
import { liaisonActions, submissionActions } from '../../cards/actions.ts';
import { liaisonDecidedCard } from '../../cards/liaison.ts';
import type { CardResponse } from '../app/events.ts';
import { buildClosedFormCard, buildSubmissionFormCard, buildSubmittedCard } from '../../cards/submission-form.ts';
import { openSubmissionForm, submissionFormAction, withdrawSubmission, type FormActionResult, type OpenFormResult, type WithdrawResult } from '../usecases/submissions/submit.ts';
import { staleReceipt, type StaleReceipt } from '../usecases/submissions/stale-receipt.ts';
import { supersededReceiptCard } from '../../cards/receipt.ts';
import type { CardJson } from '../../cards/kit.ts';
import { answer, match } from './answer.ts';
import { bindLiaison, decideLiaisonRequest, liaisonSubmission, setLeader } from '../usecases/submissions/liaison.ts';
import { resolveCampaign } from '../usecases/campaign/resolve.ts';

export function registerSubmissions(bot: Bot): void {
  // The form -------------------------------------------------------------------------------------
  bot.command({ names: ['填写申报表', '填报', '申报'], id: 'submission.open', summary: '打开本单位的主题申报表（发到私聊）', example: '@主题日助手 填写申报表', audience: 'liaison' }, async (ctx) => {
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
    await ctx.reply(r.kind === 'sent' ? FORM_SENT : r.text);
  });
  bot.action(submissionActions.open, async (ctx, v) => opened(await openSubmissionForm(ctx, v.submissionId, 'open')));
  // An older receipt's buttons (stale-receipt.ts): the clicked card turns grey where Feishu still allows, the toast names the current version.
  bot.action(submissionActions.edit, async (ctx, v, e) => {
    const stale = await staleReceipt(ctx, v.submissionId, e.messageId, 'edit');
    const r = await openSubmissionForm(ctx, v.submissionId, 'edit');
    if (!stale) return opened(r);
    return { ...(r.kind === 'sent' ? answer.info(`${stale.message}已把最新的申报表发到你与主题日助手的私聊。`) : opened(r)), ...staleCard(stale) };
  });
  bot.action(submissionActions.form, async (ctx, v, a) => formResponse(await submissionFormAction(ctx, { submissionId: v.submissionId, cardVersion: v.version, op: v.op, index: v.index, formValue: a.formValue, messageId: a.messageId })));
  bot.action(submissionActions.withdraw, async (ctx, v, e) => {
    const stale = await staleReceipt(ctx, v.submissionId, e.messageId, 'withdraw');
    if (stale) return { ...answer.warning(stale.message), ...staleCard(stale) };
    return withdrawn(await withdrawSubmission(ctx, v.submissionId, v.version));
  });

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
    return (r.ok ? answer.success : answer.error)(r.text);
  });
  bot.action(liaisonActions.decide, async (ctx, v) => {
    const r = await decideLiaisonRequest(ctx, v.requestId, v.accept);
    return match(r, {
      gone: () => answer.info('这条申请已处理或已失效'),
      unreadable: () => answer.error('这条申请已失效'),
      unit_gone: () => answer.error('单位已不存在'),
      not_allowed: (r) => answer.error(`只有${r.unitName}的现有联系人或协调人可以确认`),
      decided: (r) => (r.approved ? answer.success : answer.info)(r.approved ? '已同意' : '已拒绝', liaisonDecidedCard({ unitName: r.unitName, name: r.name, role: r.role, approved: r.approved, byName: r.byName, atText: r.atText })),
    });
  });

  bot.command({ names: ['分管领导'], summary: '设置本单位分管领导（多次催办未报时抄送）', example: '@主题日助手 分管领导 @张三', audience: 'liaison' }, async (ctx, m) => {
    const mayAct = async (unitId: string) => (await ctx.is('liaison-of', unitId)) || (await ctx.is('coordinator'));
    await ctx.reply((await setLeader(ctx, m.chatId, await ctx.mentioned(), mayAct)).text);
  });
}

/** The clicked older receipt in its superseded state, when Feishu still lets the answer update it. */
function staleCard(stale: StaleReceipt): { card?: CardJson } {
  return stale.superseded ? { card: supersededReceiptCard(stale.superseded) } : {};
}

const FORM_SENT = '申报表已发到你与主题日助手的私聊，请在私聊中填写';

const opened = (r: OpenFormResult): CardResponse => match(r, { sent: () => answer.success(FORM_SENT), missing: (r) => answer.warning(r.text), refused: (r) => answer.error(r.text) });

const FORM_TONE = { updated: 'success', reloaded: 'info', pick_needed: 'warning', refused: 'error', unchanged: 'info' } as const;

function formResponse(r: FormActionResult): CardResponse {
  return match(r, {
    missing: (r) => answer.warning(r.text),
    refused: (r) => answer.error(r.text),
    expired: (r) =>
      answer.info(
        '这张申报表已失效',
        buildClosedFormCard('这张申报表已失效', [
          r.submitted ? `${r.submitted.unitName}的申报已提交（第 ${r.submitted.displayVersion} 版）。如需修改，请点击工作群里回执卡片上的“修改”。` : '请在本单位工作群的通知卡片上点击“填写申报表”重新打开。',
        ]),
      ),
    older_card: () => answer.warning('这是较早发给你的申报表，请使用最新的那一张'),
    form: (r) => answer[FORM_TONE[r.outcome]](r.message, buildSubmissionFormCard(r.form)),
    submitted: (r) =>
      answer.success(
        r.late ? `已提交（逾期提交），共 ${r.themes.length} 个主题` : `已提交，共 ${r.themes.length} 个主题`,
        buildSubmittedCard({ unitName: r.unitName, version: r.displayVersion, atText: r.atText, themes: r.themes, late: r.late }),
      ),
  });
}

const withdrawn = (r: WithdrawResult): CardResponse =>
  match(r, { withdrawn: () => answer.success('已撤回。截止前可重新填写提交'), refused: (r) => answer.error(r.text), not_submitted: (r) => answer.info(r.text), missing: (r) => answer.warning(r.text), stale: (r) => answer.warning(r.text) });

export const submissionsFeature = { register: registerSubmissions };
