// The coordinator's commands and buttons: 发起申报, 进度, 延期, 重新开放, 导出申报表,
// 添加协调人 / 移除协调人. Every one re-checks the operator against the database.
import { z } from 'zod';
import type { Bot, HandlerContext } from '../app/bot.ts';
import type { CardResponse, MessageEvent } from '../app/events.ts';
import { isCoordinator } from '../app/access.ts';
import { shanghaiDate } from '../domain/time.ts';
import { launchCampaign, launchCard, parseLaunchArgs } from '../usecases/campaign/launch.ts';
import { renderProgressCard, sendProgressCard } from '../usecases/submissions/progress.ts';
import { extendDeadline, reopenSubmission } from '../usecases/submissions/deadline.ts';
import { requestSubmissionExport } from '../usecases/submissions/export.ts';
import { addCoordinator, removeCoordinator } from '../usecases/groups/groups.ts';
import { deny } from '../usecases/submissions/shared.ts';
import { noCampaignForYear, resolveCampaign, splitYearArg } from '../usecases/campaign/resolve.ts';
import { botOpenId, replyCard, replyText } from './submissions.ts';
import { themeDomainsCommand } from '../usecases/campaign/theme-domains.ts';

const COORDINATOR_ONLY = '只有县政务公开办的协调人可以使用这个指令';

/** True when the actor is a coordinator; otherwise explains, audits and returns false. */
export async function requireCoordinator(ctx: HandlerContext, action: string, m?: MessageEvent): Promise<boolean> {
  if (await isCoordinator(ctx.tx, ctx.actor, ctx.config.coordinatorOpenIds)) return true;
  await deny(ctx, action, 'Coordinator', ctx.actor, 'not a coordinator');
  if (m) await replyText(ctx, m, `${COORDINATOR_ONLY}。发送“@主题日助手 帮助”查看你可以使用的指令。`);
  return false;
}

function refused(): CardResponse {
  return { toast: { type: 'error', content: `${COORDINATOR_ONLY}（已记录）` } };
}

const launchValue = z.object({ y: z.coerce.number().int().min(2000).max(2100) });
const campaignValue = z.object({ c: z.string().min(1).max(100).optional() });

export function registerCoordinator(bot: Bot): void {
  bot.command({ names: ['发起申报'], summary: '发起年度主题申报：预填县实施方案的默认值，确认后通知各单位', example: '@主题日助手 发起申报 2023 截止 2023-04-07', audience: 'coordinator' }, async (ctx, m, args) => {
    if (!(await requireCoordinator(ctx, 'campaign.launch_card', m))) return;
    const parsed = parseLaunchArgs(args, shanghaiDate(ctx.now));
    if ('error' in parsed) return replyText(ctx, m, parsed.error);
    await replyCard(ctx, m, await launchCard(ctx.tx, parsed.year, parsed.deadline));
  });
  bot.action('sub.launch', async (ctx, a) => {
    if (!(await requireCoordinator(ctx, 'campaign.launch'))) return refused();
    const v = launchValue.safeParse(a.value);
    if (!v.success) return { toast: { type: 'warning', content: '这张卡片已过期，请重新发送“发起申报”' } };
    return launchCampaign(ctx, v.data.y, a.formValue, a.chatId);
  });

  bot.command({ names: ['进度', '申报进度'], summary: '查看申报进度（各单位提交情况，随提交自动刷新；可加年份）', example: '@主题日助手 进度 2026', audience: 'coordinator' }, async (ctx, m, args) => {
    if (!(await requireCoordinator(ctx, 'submission.progress', m))) return;
    const { year } = splitYearArg(args);
    const campaign = await resolveCampaign(ctx.tx, 'collecting', { now: ctx.now, year });
    if (!campaign && year !== undefined) return replyText(ctx, m, noCampaignForYear(year));
    if (!campaign || campaign.status === 'draft') return replyText(ctx, m, '还没有发起申报。发送“@主题日助手 发起申报”开始。');
    await sendProgressCard(ctx, campaign.id, m.chatId);
  });
  bot.action('sub.progress', async (ctx, a) => {
    if (!(await requireCoordinator(ctx, 'submission.progress'))) return refused();
    const v = campaignValue.safeParse(a.value);
    const campaign = v.success && v.data.c ? await ctx.tx.campaign.findUnique({ where: { id: v.data.c } }) : await resolveCampaign(ctx.tx, 'collecting', { now: ctx.now });
    if (!campaign) return { toast: { type: 'warning', content: '找不到这次申报' } };
    if (v.success && v.data.c) return { toast: { type: 'success', content: '已刷新' }, card: await renderProgressCard(ctx.tx, campaign.id, ctx.now) };
    await sendProgressCard(ctx, campaign.id, a.chatId);
    return { toast: { type: 'success', content: '进度卡片已发送，之后会自动刷新' } };
  });

  bot.command({ names: ['延期'], summary: '延长申报截止日期（全部单位或某个单位）', example: '@主题日助手 延期 星沙街道 2023-04-14', audience: 'coordinator' }, async (ctx, m, args) => {
    if (!(await requireCoordinator(ctx, 'campaign.extend', m))) return;
    await replyText(ctx, m, (await extendDeadline(ctx, args)).text);
  });
  bot.command({ names: ['重新开放'], summary: '截止后为某个单位重新开放申报（默认 3 天）', example: '@主题日助手 重新开放 星沙街道 至 2023-04-20', audience: 'coordinator' }, async (ctx, m, args) => {
    if (!(await requireCoordinator(ctx, 'submission.reopen', m))) return;
    await replyText(ctx, m, (await reopenSubmission(ctx, args)).text);
  });

  bot.command({ names: ['导出申报表', '导出申报'], summary: '导出申报表 Excel（全县汇总 + 各单位一页）和 CSV（可加年份）', example: '@主题日助手 导出申报表 2026', audience: 'coordinator' }, async (ctx, m, args) => {
    if (!(await requireCoordinator(ctx, 'submission.export', m))) return;
    const { year } = splitYearArg(args);
    const campaign = await resolveCampaign(ctx.tx, 'collecting', { now: ctx.now, year });
    if (!campaign && year !== undefined) return replyText(ctx, m, noCampaignForYear(year));
    if (!campaign || campaign.status === 'draft') return replyText(ctx, m, '还没有发起申报，没有可导出的内容。');
    await replyText(ctx, m, await requestSubmissionExport(ctx, campaign.id, m.chatId));
  });
  bot.action('sub.export', async (ctx, a) => {
    if (!(await requireCoordinator(ctx, 'submission.export'))) return refused();
    const v = campaignValue.safeParse(a.value);
    const campaign = v.success && v.data.c ? await ctx.tx.campaign.findUnique({ where: { id: v.data.c } }) : await resolveCampaign(ctx.tx, 'collecting', { now: ctx.now });
    if (!campaign) return { toast: { type: 'warning', content: '找不到这次申报' } };
    return { toast: { type: 'info', content: await requestSubmissionExport(ctx, campaign.id, a.chatId) } };
  });

  bot.command({ names: ['主题领域'], summary: '查看或修改本年度的主题领域（申报表中可多选；进度和计划安排表按领域统计）', example: '@主题日助手 主题领域 2027 科教强县、改革开放、营商环境', audience: 'coordinator' }, async (ctx, m, args) => {
    if (!(await requireCoordinator(ctx, 'campaign.theme_domains', m))) return;
    const { year, rest } = splitYearArg(args);
    const campaign = year !== undefined ? await ctx.tx.campaign.findUnique({ where: { year } }) : await resolveCampaign(ctx.tx, 'collecting', { now: ctx.now });
    if (!campaign) return replyText(ctx, m, year !== undefined ? noCampaignForYear(year) : '还没有发起申报。发送“@主题日助手 发起申报”开始。');
    await replyText(ctx, m, await themeDomainsCommand(ctx, campaign, rest));
  });

  const mentioned = async (ctx: HandlerContext, m: MessageEvent) => {
    const bot = await botOpenId(ctx);
    return m.mentions.filter((x) => x.openId && x.openId !== bot).pop();
  };
  bot.command({ names: ['添加协调人'], summary: '添加协调人（可发起申报、查看进度、催办、导出）', example: '@主题日助手 添加协调人 @张三', audience: 'coordinator' }, async (ctx, m) => {
    if (!(await requireCoordinator(ctx, 'coordinator.add', m))) return;
    const target = await mentioned(ctx, m);
    if (!target) return replyText(ctx, m, '请在指令后 @要添加的人，例如：@主题日助手 添加协调人 @张三');
    await replyText(ctx, m, (await addCoordinator(ctx, target)).text);
  });
  bot.command({ names: ['移除协调人'], summary: '移除协调人', example: '@主题日助手 移除协调人 @张三', audience: 'coordinator' }, async (ctx, m) => {
    if (!(await requireCoordinator(ctx, 'coordinator.remove', m))) return;
    const target = await mentioned(ctx, m);
    if (!target) return replyText(ctx, m, '请在指令后 @要移除的人，例如：@主题日助手 移除协调人 @张三');
    await replyText(ctx, m, (await removeCoordinator(ctx, target)).text);
  });
}
