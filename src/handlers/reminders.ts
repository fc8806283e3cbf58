// Reminders: the scheduled job (deadline, month, summary reminders, digest, overdue list), manual
// 催办 with preview and confirmation, the reminder log, and the working-day overrides.
import type { AppServices, Bot } from '../app/bot.ts';
import type { Job } from '../app/jobs.ts';
import { calendarActions, reminderActions } from '../../cards/actions.ts';
import { REMINDER_LOG_MAX } from '../../cards/reminder.ts';
import { coordinatorsOnly, inStage } from './guards.ts';
import { parseLooseDate, parseOverrideCommand } from '../domain/workdays.ts';
import { runReminders, type RunOptions } from '../usecases/reminders/run.ts';
import { confirmNudge, parseNudgeArgs, prepareNudge } from '../usecases/reminders/nudge.ts';
import { reminderLogCardFor } from '../usecases/reminders/log.ts';
import { deleteOverride, holidayReadiness, overridesCard, setOverride } from '../usecases/reminders/calendar.ts';
import { campaignFor, noCampaignForYear, resolveCampaign, splitYearArg } from '../usecases/campaign/resolve.ts';
import { confirmHolidayImport, previewHolidayImport } from '../usecases/reminders/holiday-import.ts';
import { ACTIVE_CAMPAIGN_STATUSES } from '../usecases/reminders/shared.ts';
import { shanghaiDate, yearOf } from '../domain/time.ts';
import { quoteInput } from '../domain/user-text.ts';
import { answer, match } from './answer.ts';

/** 催办, 提醒记录 and the working-day commands are the county office's. */
const coordinatorOnly = coordinatorsOnly('只有县政务公开办的协调人可以使用此功能。');

export function registerReminders(bot: Bot): void {
  bot.command(
    { names: ['催办'], id: 'reminders.nudge', summary: '催办未报送的单位（先预览，确认后发送）', example: '@主题日助手 催办 星沙街道 黄兴镇 加急', audience: 'coordinator' },
    coordinatorOnly,
    inStage('nudge', 'collecting'),
    async (ctx, _message, args) => {
      const { year, rest } = splitYearArg(args);
      const campaign = await resolveCampaign(ctx.tx, 'collecting', { now: ctx.now, year });
      if (!campaign && year !== undefined) return ctx.reply(noCampaignForYear(year));
      if (!campaign || !ACTIVE_CAMPAIGN_STATUSES.includes(campaign.status)) return ctx.reply('当前没有进行中的主题日活动，无需催办。');
      const { names, urgent } = parseNudgeArgs(rest);
      await ctx.reply((await prepareNudge(ctx, campaign, names, urgent)).card);
    },
  );

  bot.command({ names: ['提醒记录'], id: 'reminders.log', summary: '查看自动提醒和催办的发送记录', example: '@主题日助手 提醒记录 30', audience: 'coordinator' }, coordinatorOnly, async (ctx, _message, args) => {
    const { year, rest } = splitYearArg(args);
    const campaign = await resolveCampaign(ctx.tx, 'collecting', { now: ctx.now, year });
    if (!campaign && year !== undefined) return ctx.reply(noCampaignForYear(year));
    if (!campaign || !ACTIVE_CAMPAIGN_STATUSES.includes(campaign.status)) return ctx.reply('当前没有进行中的主题日活动。');
    const n = Number(rest || '20');
    const limit = Number.isInteger(n) && n > 0 ? Math.min(n, REMINDER_LOG_MAX) : 20;
    await ctx.reply(await reminderLogCardFor(ctx.tx, campaign, limit));
  });

  bot.command(
    { names: ['设置工作日'], id: 'calendar.override_set', summary: '设置某天上班或休息（节假日数据未收录的年份、本地安排）', example: '@主题日助手 设置工作日 2027-01-01 休息 元旦', audience: 'coordinator' },
    coordinatorOnly,
    async (ctx, _message, args) => {
      const parsed = parseOverrideCommand(args);
      if (!parsed.ok) return ctx.reply(parsed.error);
      await ctx.reply(await setOverride(ctx, parsed.value));
    },
  );

  bot.command({ names: ['删除工作日'], id: 'calendar.override_delete', summary: '撤销某天的工作日设置', example: '@主题日助手 删除工作日 2027-01-01', audience: 'coordinator' }, coordinatorOnly, async (ctx, _message, args) => {
    const date = parseLooseDate(args);
    if (!date) return ctx.reply(`日期格式应为 2027-01-01（你输入的是：${quoteInput(args) || '空'}）`);
    const { found, card } = await deleteOverride(ctx, date);
    if (!found) return ctx.reply(`${date} 没有设置过，无需删除。`);
    await ctx.reply(card);
  });

  bot.command(
    { names: ['工作日列表', '工作日设置'], id: 'calendar.override_list', summary: '查看已设置的工作日和节假日数据覆盖情况', example: '@主题日助手 工作日列表 2027', audience: 'coordinator' },
    coordinatorOnly,
    async (ctx, _message, args) => {
      const t = args.trim();
      const year = /^\d{4}$/.test(t) ? Number(t) : t === '' ? yearOf(shanghaiDate(ctx.now)) : undefined;
      if (year === undefined) return ctx.reply(`年份应为 4 位数字，例如：工作日列表 2027（你输入的是：${quoteInput(t)}）`);
      await ctx.reply(await overridesCard(ctx.tx, year));
    },
  );

  bot.command(
    {
      names: ['节假日安排', '导入节假日'],
      summary: '粘贴国务院办公厅《关于XXXX年部分节假日安排的通知》全文，预览后导入放假和调休上班日期',
      example: '@主题日助手 节假日安排 国务院办公厅关于2027年部分节假日安排的通知……（粘贴全文）',
      audience: 'coordinator',
      id: 'calendar.import_preview',
    },
    coordinatorOnly,
    async (ctx, _message, args) => {
      if (!args.trim()) return ctx.reply('请在“节假日安排”后粘贴国务院办公厅《关于XXXX年部分节假日安排的通知》的全文（从标题到“国务院办公厅”落款）。');
      const result = await previewHolidayImport(ctx, args);
      await ctx.reply(result.ok ? result.card : `${result.error}\n没有写入任何日期。`);
    },
  );

  bot.action(calendarActions.importConfirm, coordinatorOnly, async (ctx, value) => {
    const result = await confirmHolidayImport(ctx, value.previewId);
    if (result.kind === 'expired') return answer.warning('这张预览已导入或已失效；如需重新导入，请再次发送“节假日安排”和通知全文');
    return answer.success(`已导入${result.result.year}年节假日安排`, result.card);
  });

  bot.action(reminderActions.nudgePreview, coordinatorOnly, async (ctx, value) => {
    const campaign = await campaignFor(ctx.tx, 'collecting', { now: ctx.now, campaignId: value.campaignId });
    if (!campaign) return answer.warning('找不到该活动，请发送“催办”重新生成');
    const preview = await prepareNudge(ctx, campaign, [], false);
    await ctx.reply(preview.card);
    return answer.info(preview.units > 0 ? '已生成催办预览，请核对后点击“确认催办”' : '没有需要催办的单位，原因见预览卡片');
  });

  bot.action(reminderActions.nudgeConfirm, coordinatorOnly, async (ctx, value) => {
    const result = await confirmNudge(ctx, value.previewId, value.force === true);
    return match(result, {
      expired: () => answer.warning('这张催办预览已失效，请发送“催办”重新生成'),
      cooldown: (r) => answer.warning('部分单位刚催办过，请确认是否再次催办', r.card),
      done: (r) => answer.success(r.sent > 0 ? `已催办 ${r.sent} 个单位` : '没有需要发送的催办', r.card),
    });
  });
}

/** The reminder job; options are for tests (fault injection). */
export function createRemindersJob(options: RunOptions = {}): Job {
  return {
    name: 'reminders',
    async run(services, now) {
      await runReminders(services, now, options);
    },
    async onStart(services, now) {
      // Catch-up after downtime: sends what is within the grace period, records the rest as missed.
      await runReminders(services, now, options);
    },
  };
}

export const remindersFeature = {
  register: registerReminders,
  jobs: [createRemindersJob()],
  // /readyz reports whether the holiday data covers the campaign years
  readiness: (services: AppServices) => [holidayReadiness(services)],
};
