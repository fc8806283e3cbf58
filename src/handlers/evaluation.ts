// The year-end evaluation: `开启评选` [强制], `评分标准`, `添加评委 @某人 [单位]`, `评分`, `评选进度`,
// and the cards' actions (judging, winners, exports).
import { z } from 'zod';
import type { Bot, HandlerContext } from '../app/bot.ts';
import type { CardActionEvent, CardResponse, Mention, MessageEvent } from '../app/events.ts';
import { evaluationActions } from '../../cards/actions.ts';
import { coordinatorsOnly } from './guards.ts';
import { answer, match } from './answer.ts';
import { laterLaunchedYear, noCampaignForYear, resolveCampaign, splitYearArg } from '../usecases/campaign/resolve.ts';
import { shanghaiDate, yearOf } from '../domain/time.ts';
import { criteriaCard, evaluationProgressCard, judgeChoiceCard, judgeHomeCard, judgePickerCard, scoreCard } from '../../cards/evaluation.ts';
import {
  addJudges,
  judgesByName,
  judgePicker,
  directoryPerson,
  confirmWinners,
  criteriaView,
  judgeHomeFor,
  openEvaluation,
  openScoreCard,
  progressOf,
  COORD_ONLY,
  saveCriteria,
  submitScores,
  type Campaign,
  type JudgeRefusal,
  type ScoringResult,
} from '../usecases/evaluation/evaluation.ts';
import { exportToChat, type ExportKind } from '../usecases/evaluation/exports.ts';

const id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/);
const NO_CAMPAIGN = '还没有发起主题日活动。';

const coordinatorOnly = coordinatorsOnly(COORD_ONLY);

/** The people @-mentioned after the command word (the bot's own mention comes before it). */
export function mentionedAfterCommand(message: MessageEvent, command: string): Mention[] {
  const raw = typeof message.content.text === 'string' ? message.content.text : '';
  const at = raw.indexOf(command);
  return message.mentions.filter((m) => {
    const pos = raw.indexOf(m.key);
    return at >= 0 && pos > at;
  });
}

/**
 * The campaign an evaluation command is about (the evaluation rule, or the year typed) and the rest
 * of its arguments; `missing` says why there is none. Without a year the rule looks at this year and
 * earlier: in December next year's campaign may already be launched, and "no campaign" would be
 * wrong, so the answer names it and how to act on it.
 */
async function evaluationCampaign(ctx: HandlerContext, args: string, command: string): Promise<{ campaign: Campaign | null; rest: string; missing?: string }> {
  const { year, rest } = splitYearArg(args);
  const campaign = await resolveCampaign(ctx.tx, 'evaluation', { now: ctx.now, year });
  if (campaign) return { campaign, rest };
  if (year !== undefined) return { campaign, rest, missing: noCampaignForYear(year) };
  const later = await laterLaunchedYear(ctx.tx, ctx.now);
  if (later === null) return { campaign, rest, missing: NO_CAMPAIGN };
  return {
    campaign,
    rest,
    missing: `${yearOf(shanghaiDate(ctx.now))} 年没有主题日活动可评选。${later} 年的活动按实施方案在 ${later} 年 12 月评选；现在就要操作 ${later} 年，请在指令后写上年份，如“${command} ${later}”。`,
  };
}

/** A card action about the evaluation's campaign (the evaluation rule). */
function withCampaign<V>(fn: (ctx: HandlerContext, campaign: Campaign, e: CardActionEvent, value: V) => Promise<CardResponse>) {
  return async (ctx: HandlerContext, value: V, e: CardActionEvent): Promise<CardResponse> => {
    const campaign = await resolveCampaign(ctx.tx, 'evaluation', { now: ctx.now });
    if (!campaign) return answer.error(NO_CAMPAIGN);
    return fn(ctx, campaign, e, value);
  };
}

async function exportAction(ctx: HandlerContext, campaign: Campaign, e: CardActionEvent, kind: ExportKind): Promise<CardResponse> {
  const services = ctx.services;
  const actor = ctx.actor;
  ctx.afterCommit(() => exportToChat(services, campaign, kind, e.chatId, actor, e.eventId, e.messageId));
  return answer.info(kind === 'xlsx' ? '正在生成评选汇总表，稍后发到本会话' : '正在打包证据材料，稍后发到本会话');
}

function refusalToast(r: JudgeRefusal): CardResponse {
  return (r.kind === 'refused' ? answer.error : answer.info)(r.text);
}

function scoringResponse(r: ScoringResult): CardResponse {
  return match(r, {
    refused: refusalToast,
    unavailable: refusalToast,
    all_done: (r) => {
      // A judge who went back to change a score is told it was replaced, not saved anew.
      const saved = r.saved ? (r.changed ? '评分已更新，' : '评分已保存，') : '';
      return answer.success(`${saved}您已完成全部评分`, judgeHomeCard({ ...r.home, notice: `${saved}您已完成全部评分，感谢！` }));
    },
    score: (r) => (r.score ? { card: scoreCard(r.score) } : answer.error('找不到这项活动的总结')),
    // A toast holds two messages; past two it says how many the card marks beside their fields.
    invalid: (r) => answer.error(`${r.errors.slice(0, 2).join('；')}${r.errors.length > 2 ? `；共 ${r.errors.length} 处需修改，见卡片` : ''}`, r.score && scoreCard(r.score)),
    saved_next: (r) =>
      r.changed
        ? answer.success('评分已更新，下一项', r.score && scoreCard({ ...r.score, notice: '上一项评分已更新（原评分已替换）。' }))
        : answer.success('评分已保存，下一项', r.score && scoreCard({ ...r.score, notice: '上一项评分已保存。' })),
  });
}

export function register(bot: Bot): void {
  bot.command({ names: ['开启评选'], summary: '开启年度最佳政务公开主题日活动评选（12月起；“开启评选 强制”可提前；可加年份）', example: '@主题日助手 开启评选 2026', audience: 'coordinator' }, async (ctx, m, args) => {
    const { campaign, rest, missing } = await evaluationCampaign(ctx, args, '开启评选');
    if (!campaign) return ctx.reply(missing ?? NO_CAMPAIGN);
    const r = await openEvaluation(ctx, campaign, /强制|force/i.test(rest));
    if (!r.ok) return ctx.reply(r.message);
    // How much of the year can be judged yet: opened with 1 of 59 summarised, the coordinator heard only "1 项可参评".
    const waiting = r.alreadyOpen ? 0 : r.activities - r.held;
    const notice = r.alreadyOpen
      ? '评选已经开启。'
      : `评选已开启：计划内 ${r.activities} 项活动，${r.held} 项已提交总结，可参评${waiting > 0 ? `；其余 ${waiting} 项提交总结后即参加评选，可用“总结进度”催办` : ''}。${r.judgesNotified ? `已通知 ${r.judgesNotified} 位评委。` : ''}`;
    await ctx.reply(evaluationProgressCard({ ...r.progress, notice }));
  });
  bot.command({ names: ['评分标准'], summary: '查看或修改评选的评分标准和权重', example: '@主题日助手 评分标准', audience: 'coordinator' }, async (ctx, m, args) => {
    const { campaign, missing } = await evaluationCampaign(ctx, args, '评分标准');
    if (!campaign) return ctx.reply(missing ?? NO_CAMPAIGN);
    await ctx.reply(criteriaCard(await criteriaView(ctx, campaign)));
  });
  bot.command(
    { names: ['添加评委'], summary: '添加评委：写名录中的姓名或 @ 某人（单位用于回避本单位活动）', example: '@主题日助手 添加评委 张三 县发展和改革局', audience: 'coordinator', id: 'evaluation.add_judge' },
    coordinatorOnly,
    async (ctx, m, args) => {
      const { campaign, rest, missing } = await evaluationCampaign(ctx, args, '添加评委');
      if (!campaign) return ctx.reply(missing ?? NO_CAMPAIGN);
      const mentioned = mentionedAfterCommand(m, '添加评委');
      // Nobody named: Feishu's person picker over the whole directory.
      if (mentioned.length === 0 && rest.trim() === '') {
        return ctx.reply(judgePickerCard(await judgePicker(ctx, campaign)));
      }
      if (mentioned.length > 0) {
        const r = await addJudges(ctx, campaign, mentioned, rest);
        return ctx.reply([`${campaign.year}年评选：`, ...r.lines].join('\n'));
      }
      // No @: the people are named from the unit directory.
      const named = await judgesByName(ctx, rest);
      const r = named.people.length > 0 || named.problems.length === 0 ? await addJudges(ctx, campaign, named.people, named.unitText) : { lines: [] };
      await ctx.reply([`${campaign.year}年评选：`, ...r.lines, ...named.problems].join('\n'));
      // A shared name: pick the person on a card.
      if (named.choices.length > 0) await ctx.enqueue(`evaluation.judge_pick:${m.messageId}`, { op: 'send', to: { chatId: m.chatId }, card: judgeChoiceCard({ choices: named.choices }) });
    },
  );
  bot.command({ names: ['评分', '我的评分'], summary: '评委：为已举办的活动评分', example: '@主题日助手 评分', audience: 'everyone' }, async (ctx, m, args) => {
    const { campaign, missing } = await evaluationCampaign(ctx, args, '评分');
    if (!campaign) return ctx.reply(missing ?? NO_CAMPAIGN);
    const r = await judgeHomeFor(ctx, campaign);
    if (r.kind !== 'home') return ctx.reply(r.text);
    if (m.chatType === 'group') {
      // Scores are typed into the card: keep them out of group chats.
      await ctx.enqueue(`evaluation.home:${m.messageId}`, { op: 'send', to: { openId: m.senderOpenId }, card: judgeHomeCard(r.home) });
      return ctx.reply('评分卡片已私聊发给您，请在与机器人的单聊中评分。');
    }
    await ctx.reply(judgeHomeCard(r.home));
  });
  bot.command({ names: ['评选进度', '评选结果'], summary: '评委打分进度、排名（含并列）、确认获奖名单和导出', example: '@主题日助手 评选进度', audience: 'coordinator', id: 'evaluation.progress' }, coordinatorOnly, async (ctx, _m, args) => {
    const { campaign, missing } = await evaluationCampaign(ctx, args, '评选进度');
    if (!campaign) return ctx.reply(missing ?? NO_CAMPAIGN);
    await ctx.reply(evaluationProgressCard(await progressOf(ctx, campaign)));
  });

  bot.action(
    evaluationActions.addJudgePick,
    withCampaign(async (ctx, c, _e, v: { openId: string }) => {
      const person = await directoryPerson(ctx, v.openId);
      if (!person) return answer.warning('名录中找不到这个人，请重新发送“添加评委 姓名”');
      const r = await addJudges(ctx, c, [person], '');
      return { toast: { type: r.lines.some((l) => l.startsWith('已添加') || l.includes('已是评委')) ? 'success' : 'error', content: r.lines.join('；') } };
    }),
  );
  bot.action(
    evaluationActions.addJudgesPicked,
    coordinatorOnly,
    withCampaign(async (ctx, c, e) => {
      const v = z.object({ judges: z.array(z.string().min(1).max(64)).max(50) }).safeParse(e.formValue);
      if (!v.success || v.data.judges.length === 0) return answer.warning('请先选择要添加的评委');
      const people = [];
      for (const openId of v.data.judges) {
        const person = await directoryPerson(ctx, openId);
        if (person) people.push(person);
      }
      if (people.length === 0) return answer.warning('所选的人不在单位名录中，请在名录中维护后再添加');
      const r = await addJudges(ctx, c, people, '');
      const ok = r.lines.some((l) => l.startsWith('已添加') || l.includes('已是评委'));
      return ok ? { toast: { type: 'success', content: r.lines.join('；').slice(0, 200) }, card: judgePickerCard({ ...(await judgePicker(ctx, c)), notice: r.lines.join('\n') }) } : { toast: { type: 'error', content: r.lines.join('；') } };
    }),
  );
  bot.action(
    evaluationActions.home,
    withCampaign(async (ctx, c) => {
      const r = await judgeHomeFor(ctx, c);
      return r.kind === 'home' ? { card: judgeHomeCard(r.home) } : refusalToast(r);
    }),
  );
  bot.action(
    evaluationActions.next,
    withCampaign(async (ctx, c) => scoringResponse(await openScoreCard(ctx, c, undefined))),
  );
  bot.action(
    evaluationActions.pick,
    withCampaign(async (ctx, c, e) => {
      const t = z.object({ themeId: id }).safeParse(e.formValue);
      return t.success ? scoringResponse(await openScoreCard(ctx, c, t.data.themeId)) : answer.warning('请先选择一项活动');
    }),
  );
  bot.action(
    evaluationActions.score,
    withCampaign(async (ctx, c, e, v: { themeId: string }) => scoringResponse(await submitScores(ctx, c, v.themeId, e.formValue))),
  );
  bot.action(
    evaluationActions.progress,
    coordinatorOnly,
    withCampaign(async (ctx, c) => ({ card: evaluationProgressCard(await progressOf(ctx, c)) })),
  );
  bot.action(
    evaluationActions.criteria,
    withCampaign(async (ctx, c) => ({ card: criteriaCard(await criteriaView(ctx, c)) })),
  );
  bot.action(
    evaluationActions.criteriaSave,
    withCampaign(async (ctx, c, e, v: { rows: number }) => {
      const r = await saveCriteria(ctx, c, e.formValue, v.rows);
      return match(r, {
        refused: (r) => answer.error(r.text),
        invalid: (r) => answer.error(r.error, criteriaCard(r.view)),
        saved: (r) => answer.success('评分标准已保存', criteriaCard({ ...r.view, notice: '评分标准已保存。' })),
      });
    }),
  );
  bot.action(
    evaluationActions.confirm,
    withCampaign(async (ctx, c, e) => {
      const w = z.object({ winners: z.array(id).max(200) }).safeParse(e.formValue);
      const r = await confirmWinners(ctx, c, w.success ? w.data.winners : []);
      return match(r, {
        refused: (r) => answer.error(r.text),
        not_open: (r) => answer.error(r.text),
        already_announced: (r) => answer.info('获奖名单已确认并公布', evaluationProgressCard(r.progress)),
        none_chosen: (r) => answer.error('请至少选择一项已评分的活动', evaluationProgressCard(r.progress)),
        announced: (r) => answer.success(`获奖名单已确认，已向 ${r.groups} 个群公布`, evaluationProgressCard({ ...r.progress, notice: `已公布评选结果（${r.groups} 个群）。` })),
      });
    }),
  );
  bot.action(
    evaluationActions.exportXlsx,
    coordinatorOnly,
    withCampaign((ctx, c, e) => exportAction(ctx, c, e, 'xlsx')),
  );
  bot.action(
    evaluationActions.exportEvidence,
    coordinatorOnly,
    withCampaign((ctx, c, e) => exportAction(ctx, c, e, 'evidence')),
  );
}

export const evaluationFeature = { register };
