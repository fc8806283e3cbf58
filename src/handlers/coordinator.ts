// The coordinator's side of 申报: 发起申报, 进度, 延期, 重新开放, 导出申报表, 添加协调人 / 移除协调人.
// Guards check the operator against the database on every command and click.
import type { Bot, CommandSpec, HandlerContext, UseCaseContext } from '../app/bot.ts';
import type { StageCommand } from '../domain/campaign-stage.ts';
import { submissionActions } from '../../cards/actions.ts';
import { shanghaiDate } from '../domain/time.ts';
import { alreadyLaunched, launchCampaign, launchCardView, parseLaunchArgs } from '../usecases/campaign/launch.ts';
import { buildLaunchCard, buildLaunchedCard } from '../../cards/submission-launch.ts';
import { renderProgressCard, sendProgressCard } from '../usecases/submissions/progress.ts';
import { extendDeadline, reopenSubmission } from '../usecases/submissions/deadline.ts';
import { requestSubmissionExport } from '../usecases/submissions/export.ts';
import { addCoordinator, removeCoordinator } from '../usecases/groups/groups.ts';
import { campaignFor, noCampaignForYear, splitYearArg } from '../usecases/campaign/resolve.ts';
import { coordinatorOnly, inStage } from './guards.ts';
import { answer, match } from './answer.ts';
import { themeDomainsCommand } from '../usecases/campaign/theme-domains.ts';

export function registerCoordinator(bot: Bot): void {
  // 发起申报 ------------------------------------------------------------------------------------
  bot.command(
    { names: ['发起申报'], id: 'campaign.launch_card', summary: '发起年度主题申报：预填县实施方案的默认值，确认后通知各单位', example: '@主题日助手 发起申报 2023 截止 2023-04-07', audience: 'coordinator' },
    coordinatorOnly,
    async (ctx, _m, args) => {
      const parsed = parseLaunchArgs(args, shanghaiDate(ctx.now));
      if ('error' in parsed) return ctx.reply(parsed.error);
      const launched = await alreadyLaunched(ctx.tx, parsed.year);
      if (launched) return ctx.reply(launched);
      await ctx.reply(buildLaunchCard(await launchCardView(ctx.tx, parsed.year, shanghaiDate(ctx.now), parsed.deadline)));
    },
  );
  bot.action(submissionActions.launch, coordinatorOnly, async (ctx, v, a) => {
    const r = await launchCampaign(ctx, v.year, a.formValue, a.chatId);
    return match(r, {
      bad_carry_choice: (r) => answer.error(r.error),
      invalid: (r) => answer.error(r.error, buildLaunchCard(r.form)),
      refused: (r) => answer.warning(r.text),
      launched: ({ kind: _kind, ...launched }) => answer.success(`已发起，通知已发往 ${launched.noticed} 个单位工作群`, buildLaunchedCard(launched)),
    });
  });

  // 进度 ----------------------------------------------------------------------------------------
  bot.command(
    { names: ['进度', '申报进度'], id: 'submission.progress', summary: '查看申报进度（各单位提交情况，随提交自动刷新；可加年份）', example: '@主题日助手 进度 2026', audience: 'coordinator' },
    coordinatorOnly,
    async (ctx, m, args) => {
      const campaign = await launchedCampaign(ctx, args, '还没有发起申报。发送“@主题日助手 发起申报”开始。');
      if (campaign) await sendProgressCard(ctx, campaign.id, m.chatId);
    },
  );
  bot.action(submissionActions.progress, coordinatorOnly, async (ctx, v, a) => {
    const campaign = await campaignFor(ctx.tx, 'collecting', { now: ctx.now, campaignId: v.campaignId });
    if (!campaign) return answer.warning('找不到这次申报');
    // A progress card refreshes itself; the launch notice's button posts a new one.
    if (v.campaignId) return answer.success('已刷新', await renderProgressCard(ctx.tx, campaign.id, ctx.now));
    await sendProgressCard(ctx, campaign.id, a.chatId);
    return answer.success('进度卡片已发送，之后会自动刷新');
  });

  // 延期 / 重新开放 ------------------------------------------------------------------------------
  // Both move a deadline while 申报 is open; the use case's text is the whole answer.
  const deadlineCommand = (spec: CommandSpec, stage: StageCommand, change: (ctx: UseCaseContext, typed: string) => Promise<{ text: string }>) =>
    bot.command(spec, coordinatorOnly, inStage(stage, 'collecting'), async (ctx, _m, args) => {
      await ctx.reply((await change(ctx, args)).text);
    });
  deadlineCommand({ names: ['延期'], id: 'campaign.extend', summary: '延长申报截止日期（全部单位或某个单位）', example: '@主题日助手 延期 星沙街道 2023-04-14', audience: 'coordinator' }, 'extend', extendDeadline);
  deadlineCommand({ names: ['重新开放'], id: 'submission.reopen', summary: '截止后为某个单位重新开放申报（默认 3 个工作日）', example: '@主题日助手 重新开放 星沙街道 至 2023-04-20', audience: 'coordinator' }, 'reopen', reopenSubmission);

  // 导出申报表 -----------------------------------------------------------------------------------
  bot.command(
    { names: ['导出申报表', '导出申报'], id: 'submission.export', summary: '导出申报表 Excel（全县汇总 + 各单位一页）和 CSV（可加年份）', example: '@主题日助手 导出申报表 2026', audience: 'coordinator' },
    coordinatorOnly,
    async (ctx, m, args) => {
      const campaign = await launchedCampaign(ctx, args, '还没有发起申报，没有可导出的内容。');
      if (campaign) await ctx.reply(await requestSubmissionExport(ctx, campaign.id, m.chatId));
    },
  );
  bot.action(submissionActions.export, coordinatorOnly, async (ctx, v, a) => {
    const campaign = await campaignFor(ctx.tx, 'collecting', { now: ctx.now, campaignId: v.campaignId });
    if (!campaign) return answer.warning('找不到这次申报');
    return answer.info(await requestSubmissionExport(ctx, campaign.id, a.chatId));
  });

  // 主题领域 ------------------------------------------------------------------------------------
  bot.command(
    { names: ['主题领域'], id: 'campaign.theme_domains', summary: '查看或修改本年度的主题领域（申报表中可多选；进度和计划安排表按领域统计）', example: '@主题日助手 主题领域 2027 科教强县、改革开放、营商环境', audience: 'coordinator' },
    coordinatorOnly,
    async (ctx, _m, args) => {
      const { year, rest } = splitYearArg(args);
      const campaign = await campaignFor(ctx.tx, 'collecting', { now: ctx.now, year });
      if (!campaign) return ctx.reply(year !== undefined ? noCampaignForYear(year) : '还没有发起申报。发送“@主题日助手 发起申报”开始。');
      await ctx.reply(await themeDomainsCommand(ctx, campaign, rest));
    },
  );

  // 添加协调人 / 移除协调人 -----------------------------------------------------------------------
  bot.command({ names: ['添加协调人'], id: 'coordinator.add', summary: '添加协调人（可发起申报、查看进度、催办、导出）', example: '@主题日助手 添加协调人 @张三', audience: 'coordinator' }, coordinatorOnly, async (ctx) => {
    const target = (await ctx.mentioned()).pop();
    if (!target) return ctx.reply('请在指令后 @要添加的人，例如：@主题日助手 添加协调人 @张三');
    await ctx.reply((await addCoordinator(ctx, target)).text);
  });
  bot.command({ names: ['移除协调人'], id: 'coordinator.remove', summary: '移除协调人', example: '@主题日助手 移除协调人 @张三', audience: 'coordinator' }, coordinatorOnly, async (ctx) => {
    const target = (await ctx.mentioned()).pop();
    if (!target) return ctx.reply('请在指令后 @要移除的人，例如：@主题日助手 移除协调人 @张三');
    await ctx.reply((await removeCoordinator(ctx, target)).text);
  });
}

/** The launched campaign a coordinator command names (`进度 2026`, or this year's), or null after replying why there is none. */
async function launchedCampaign(ctx: HandlerContext, args: string, noneYet: string): Promise<{ id: string } | null> {
  const { year } = splitYearArg(args);
  const campaign = await campaignFor(ctx.tx, 'collecting', { now: ctx.now, year });
  if (campaign && campaign.status !== 'draft') return campaign;
  await ctx.reply(!campaign && year !== undefined ? noCampaignForYear(year) : noneYet);
  return null;
}

export const coordinatorFeature = { register: registerCoordinator };
