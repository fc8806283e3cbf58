// 帮助 and the answer to text nobody understood: the campaign's stage and the commands that
// matter now first, then every command the asker may use in workflow order, each example valid
// on the day it is shown (dates from the clock, unit names from the directory).
import type { Bot, CommandSpec, HandlerContext } from '../app/bot.ts';
import type { MessageEvent } from '../app/events.ts';
import { buildHelpCard, type HelpCommand } from '../../cards/help.ts';
import { commandsNow, nextStep, stageStrip, workflowRank } from '../domain/campaign-stage.ts';
import { PLAN_DEFAULTS } from '../domain/campaign.ts';
import { compareDates, shanghaiDate, yearOf, type CivilDate } from '../domain/time.ts';
import type { WorkCalendar } from '../domain/workdays.ts';
import { loadCalendar } from '../usecases/reminders/shared.ts';
import { firstUnitName, resolveCampaign } from '../usecases/campaign/resolve.ts';
import { loadStageInfo } from '../usecases/campaign/stage.ts';
import { parseLaunchArgs } from '../usecases/campaign/launch.ts';
import { quoteInput } from '../domain/user-text.ts';

interface ExampleFacts {
  today: CivilDate;
  /** the current campaign's deadline, when there is one */
  deadline?: CivilDate;
  /** a unit name from the directory */
  unitName: string;
  /** the working-day calendar (holidays, 调休 and the coordinator's overrides) */
  calendar: WorkCalendar;
  /** the year a year argument names: the current campaign's; none before any campaign */
  year?: number;
}

/**
 * `@主题日助手 <name> <year>`: the commands that take a year, shown with the year in question; before
 * any campaign, without a year (an example naming a year with no campaign would answer 没有该年的活动).
 */
const withYear = (name: string) => (f: ExampleFacts) => (f.year === undefined ? `@主题日助手 ${name}` : `@主题日助手 ${name} ${f.year}`);

/** Examples that carry a date or a unit: rewritten so that sending them today works. */
const DATED_EXAMPLES: Record<string, (f: ExampleFacts) => string> = {
  发起申报: (f) => {
    const parsed = parseLaunchArgs('', f.today);
    const year = 'year' in parsed ? parsed.year : yearOf(f.today) + 1;
    const deadline = `${year}-${PLAN_DEFAULTS.deadlineMonthDay}`;
    return `@主题日助手 发起申报 ${year} 截止 ${compareDates(deadline, f.today) >= 0 ? deadline : `${year}-12-31`}`;
  },
  延期: (f) => `@主题日助手 延期 ${f.unitName} ${laterOf(f, 5)}`,
  重新开放: (f) => `@主题日助手 重新开放 ${f.unitName} 至 ${laterOf(f, 4)}`,
  审核: (f) => `@主题日助手 审核 ${f.unitName}`,
  催办: (f) => `@主题日助手 催办 ${f.unitName}`,
  设置工作日: (f) => `@主题日助手 设置工作日 ${yearOf(f.today) + 1}-01-01 休息 元旦`,
  删除工作日: (f) => `@主题日助手 删除工作日 ${yearOf(f.today) + 1}-01-01`,
  工作日列表: (f) => `@主题日助手 工作日列表 ${yearOf(f.today) + 1}`,
  进度: withYear('进度'),
  导出申报表: withYear('导出申报表'),
  计划安排表: withYear('计划安排表'),
  总结进度: withYear('总结进度'),
  开启评选: withYear('开启评选'),
};

/**
 * `workdays` working days after the later of today and the deadline (an extension must pass both):
 * a weekend or holiday in the example would be moved on by the command, with a note about it.
 */
function laterOf(f: ExampleFacts, workdays: number): CivilDate {
  const base = f.deadline && compareDates(f.deadline, f.today) > 0 ? f.deadline : f.today;
  return f.calendar.workdaysAfter(base, workdays);
}

async function helpCard(ctx: HandlerContext, commands: readonly CommandSpec[], intro?: string, compact = false) {
  const coordinator = await ctx.is('coordinator');
  const campaign = await resolveCampaign(ctx.tx, 'reviewing', { now: ctx.now });
  const today = shanghaiDate(ctx.now);
  const facts: ExampleFacts = { today, deadline: campaign?.deadline, unitName: (await firstUnitName(ctx.tx)) ?? '星沙街道', calendar: await loadCalendar(ctx.tx), ...(campaign ? { year: campaign.year } : {}) };
  const line = (c: CommandSpec): HelpCommand => {
    const name = c.names[0]!;
    return { name, summary: c.summary, example: DATED_EXAMPLES[name]?.(facts) ?? c.example };
  };
  const visible = [...commands].filter((c) => coordinator || c.audience !== 'coordinator').sort((a, b) => workflowRank(a.names[0]!) - workflowRank(b.names[0]!));
  const { stage, publishedWhileOpen } = campaign ? await loadStageInfo(ctx.tx, campaign, ctx.now) : { stage: 'draft' as const, publishedWhileOpen: false };
  const nowNames = commandsNow(stage);
  // A coordinator's 现在常用 are their own commands: 填写申报表 and 总结 are the units' (listed below).
  const now = visible.filter((c) => nowNames.includes(c.names[0]!) && !(coordinator && c.audience === 'liaison')).map(line);
  return buildHelpCard({
    intro,
    compact,
    stage: { title: campaign?.title ?? '', strip: stageStrip(stage, publishedWhileOpen), next: nextStep(stage, coordinator ? 'coordinator' : 'liaison', publishedWhileOpen), now },
    coordinator: coordinator ? visible.filter((c) => c.audience === 'coordinator').map(line) : undefined,
    liaison: visible.filter((c) => c.audience !== 'coordinator').map(line),
  });
}

export function registerHelp(bot: Bot): void {
  bot.command({ names: ['帮助', 'help', '指令', '菜单'], summary: '列出你可以使用的指令和示例', example: '@主题日助手 帮助', audience: 'everyone' }, async (ctx) => {
    await ctx.reply(await helpCard(ctx, bot.listCommands()));
  });
  bot.onUnknownText(async (ctx, m: MessageEvent, commands) => {
    const typed = m.text.length > 20 ? `${m.text.slice(0, 20)}…` : m.text;
    await ctx.reply(await helpCard(ctx, commands, typed ? `没看懂“${quoteInput(typed)}”。你可以使用下面的指令：` : '你好，我是主题日助手。你可以使用下面的指令：', true));
  });
}

export const helpFeature = { register: registerHelp };
