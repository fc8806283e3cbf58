// Review: 审核 (the unit-by-unit review card), 添加审核人 / 移除审核人, decisions, history, and
// the liaison's 修改并重新提交 of a returned theme. Guards re-check the operator on every click.
import type { Bot, GuardInput, HandlerContext } from '../app/bot.ts';
import { unitOfChat } from '../app/access.ts';
import { reviewActions } from '../../cards/actions.ts';
import { escapeMarkdown, noticeCard } from '../../cards/kit.ts';
import { reviewCard, historyCard, reviseCard, revisedConfirmCard, navFields } from '../../cards/review.ts';
import { decisionLabel, parseDecision, parseReviewFilter, DEFAULT_REVIEW_FILTER, type ReviewFilter } from '../domain/review.ts';
import { shanghaiDate } from '../domain/time.ts';
import { reviewCampaign, unitByTypedName } from '../usecases/review/common.ts';
import { campaignFor, noCampaignForYear, splitYearArg } from '../usecases/campaign/resolve.ts';
import { buildReviewCard, type ReviewPosition, type ThemeOverride } from '../usecases/review/queue.ts';
import { decideTheme } from '../usecases/review/decide.ts';
import { buildHistory } from '../usecases/review/history.ts';
import { addReviewers, removeReviewers } from '../usecases/review/reviewers.ts';
import { loadRevisable, openReviseForm, reviseTheme, reviseVm } from '../usecases/review/revise.ts';
import { quoteInput } from '../domain/user-text.ts';
import { coordinatorsOnly, inStageOf, reviewersOf } from './guards.ts';
import { answer } from './answer.ts';

const NOT_REVIEWER = '只有县政务公开办的协调人和指定的审核人可以审核主题。';
const NO_CAMPAIGN = '当前没有进行中的主题日活动。';
const REVISE_FORM_SENT = '修改表已发到你与主题日助手的私聊，请在私聊中修改并重新提交';

const campaignOfEvent = new WeakMap<HandlerContext, ReturnType<typeof reviewCampaign>>();

/**
 * The campaign the command (year typed) or the button (theme, card's campaign) is about. Looked up
 * once per event: both guards and the handler ask (a context is one event in one transaction).
 */
function campaignOfInput(ctx: HandlerContext, input: GuardInput): ReturnType<typeof reviewCampaign> {
  let found = campaignOfEvent.get(ctx);
  if (!found) {
    const pick = input.kind === 'command' ? { year: splitYearArg(input.args).year } : (input.value as { themeId?: string; campaignId?: string });
    found = reviewCampaign(ctx.tx, { now: ctx.now, year: 'year' in pick ? pick.year : undefined, themeId: 'themeId' in pick ? pick.themeId : undefined, campaignId: 'campaignId' in pick ? pick.campaignId : undefined });
    campaignOfEvent.set(ctx, found);
  }
  return found;
}

/** Reviewers of that campaign. */
const reviewerOnly = reviewersOf(async (ctx, input) => (await campaignOfInput(ctx, input))?.id ?? null, NOT_REVIEWER);
/** 审核 fits that campaign's stage (src/domain/campaign-stage.ts STAGE_COMMANDS.review: not once evaluation opens). */
const reviewStage = inStageOf('review', campaignOfInput);
/** The same for a liaison's 修改并重新提交: the refusal names the liaison's next step. */
const reviseStage = inStageOf('review', campaignOfInput, 'liaison');
const coordinatorOnly = coordinatorsOnly('只有县政务公开办的协调人可以指定审核人。');

/** The review card's position from a button's navigation fields. */
function positionOf(v: { unitId: string; page: number; dir: 'prev' | 'next' | 'stay'; status?: string; kind?: string; month?: number; form?: string }, filter?: ReviewFilter): ReviewPosition {
  return { filter: filter ?? parseReviewFilter(v), unitId: v.unitId, page: v.page, dir: v.dir };
}

/** A liaison of the theme's unit (the 修改并重新提交 buttons). */
async function liaisonRefusal(ctx: HandlerContext, theme: { id: string; submission: { unitId: string; unit: { name: string } } }, action: string) {
  if (await ctx.is('liaison-of', theme.submission.unitId)) return null;
  return ctx.deny(`只有${theme.submission.unit.name}的联系人可以修改本单位的主题。`, { action, entity: 'Theme', entityId: theme.id, reason: 'not a liaison of the unit' });
}

export function registerReview(bot: Bot): void {
  // 审核 -------------------------------------------------------------------------------------------
  bot.command(
    { names: ['审核', '审核主题'], id: 'review.open', summary: '逐个单位审核申报的主题（通过 / 退回修改 / 不采纳），可跟单位名直达、可加年份', example: '@主题日助手 审核 星沙街道', audience: 'coordinator' },
    reviewerOnly,
    reviewStage,
    async (ctx, message, typed) => {
      const { year, rest: args } = splitYearArg(typed);
      const campaign = await campaignFor(ctx.tx, 'reviewing', { now: ctx.now, year });
      if (!campaign) return ctx.reply(year !== undefined ? noCampaignForYear(year) : NO_CAMPAIGN);
      if (message.chatType === 'group' && (await unitOfChat(ctx.tx, message.chatId))) {
        return ctx.reply('审核卡片含各单位联系方式，请在与主题日助手的私聊或县政务公开办工作群中发送“审核”。');
      }
      // 审核 星沙街道: open that unit with all its themes.
      const name = args.trim();
      const unit = await unitByTypedName(ctx.tx, name);
      if (name && !unit) return ctx.reply(`没有找到单位“${quoteInput(name)}”，请检查名称，或直接发送“审核”从第一个单位开始。`);
      const pos: ReviewPosition = unit ? { filter: { ...DEFAULT_REVIEW_FILTER, status: 'all' }, unitId: unit.id, page: 0, dir: 'stay' } : { filter: DEFAULT_REVIEW_FILTER, unitId: '', page: 0, dir: 'stay' };
      await ctx.reply(reviewCard(await buildReviewCard(ctx.tx, campaign, pos)));
    },
  );

  // 添加审核人 / 移除审核人 ---------------------------------------------------------------------------
  bot.command({ names: ['添加审核人'], id: 'reviewer.add', summary: '指定审核人（可审核主题，不能发布计划）', example: '@主题日助手 添加审核人 @张三', audience: 'coordinator' }, coordinatorOnly, async (ctx, _m, args) => {
    const { year } = splitYearArg(args);
    const campaign = await campaignFor(ctx.tx, 'reviewing', { now: ctx.now, year });
    if (!campaign) return ctx.reply(year !== undefined ? noCampaignForYear(year) : NO_CAMPAIGN);
    const people = (await ctx.mentioned()).map((m) => ({ openId: m.openId, name: m.name || m.openId }));
    if (people.length === 0) return ctx.reply('请在指令后 @ 要添加的审核人，例如：@主题日助手 添加审核人 @张三');
    const { added, already } = await addReviewers(ctx, campaign.id, people);
    const parts = [added.length > 0 ? `已添加审核人：${added.join('、')}（${campaign.year}年）。他们可以发送“审核”审核主题。` : '', already.length > 0 ? `${already.join('、')} 已是${campaign.year}年审核人。` : ''];
    await ctx.reply(parts.filter(Boolean).join('\n'));
  });
  bot.command({ names: ['移除审核人'], id: 'reviewer.remove', summary: '取消审核人', example: '@主题日助手 移除审核人 @张三', audience: 'coordinator' }, coordinatorOnly, async (ctx, _m, args) => {
    const { year } = splitYearArg(args);
    const campaign = await campaignFor(ctx.tx, 'reviewing', { now: ctx.now, year });
    if (!campaign) return ctx.reply(year !== undefined ? noCampaignForYear(year) : NO_CAMPAIGN);
    const people = (await ctx.mentioned()).map((m) => ({ openId: m.openId, name: m.name || m.openId }));
    const removed = await removeReviewers(ctx, campaign.id, people);
    await ctx.reply(removed.length > 0 ? `已移除审核人：${removed.join('、')}（${campaign.year}年）` : '没有找到要移除的审核人，请 @ 对方。');
  });

  // The review card's buttons ------------------------------------------------------------------------
  bot.action(reviewActions.page, reviewerOnly, reviewStage, async (ctx, v) => {
    const campaign = await reviewCampaign(ctx.tx, { now: ctx.now, campaignId: v.campaignId });
    if (!campaign) return answer.warning(NO_CAMPAIGN);
    return { card: reviewCard(await buildReviewCard(ctx.tx, campaign, positionOf(v))) };
  });
  bot.action(reviewActions.filter, reviewerOnly, reviewStage, async (ctx, v, a) => {
    const campaign = await reviewCampaign(ctx.tx, { now: ctx.now, campaignId: v.campaignId });
    if (!campaign) return answer.warning(NO_CAMPAIGN);
    const pos = { ...positionOf(v, parseReviewFilter(a.formValue ?? {})), page: 0 };
    return { card: reviewCard(await buildReviewCard(ctx.tx, campaign, pos)) };
  });

  bot.action(reviewActions.decide, reviewerOnly, reviewStage, async (ctx, v, a) => {
    const campaign = await campaignOfInput(ctx, { kind: 'action', name: reviewActions.decide.name, action: a, value: v });
    if (!campaign) return answer.warning(NO_CAMPAIGN);
    const pos = { ...positionOf(v), dir: 'stay' as const };
    const form = a.formValue ?? {};
    const reasonRaw = form[`reason_${v.index}`];
    const fieldsRaw = form[`fields_${v.index}`];
    const parsed = parseDecision(v.decision, reasonRaw, fieldsRaw);
    if (!parsed.ok) {
      const message = Object.values(parsed.errors)[0] ?? '请检查填写内容';
      const override: ThemeOverride = {
        themeId: v.themeId,
        draft: { reason: typeof reasonRaw === 'string' ? reasonRaw : '', fields: Array.isArray(fieldsRaw) ? fieldsRaw.filter((x): x is string => typeof x === 'string') : [] },
        error: message,
      };
      return answer.error(message, reviewCard(await buildReviewCard(ctx.tx, campaign, pos, override)));
    }
    const result = await decideTheme(ctx, campaign, { themeId: v.themeId, version: v.version, ...parsed.value });
    const card = reviewCard(await buildReviewCard(ctx.tx, campaign, pos));
    if (!result.ok) return { toast: { type: 'warning', content: result.message }, card };
    return { toast: { type: 'success', content: `已${decisionLabel(v.decision)}，已通知单位` }, card };
  });

  bot.action(reviewActions.history, reviewerOnly, async (ctx, v) => {
    const campaign = await reviewCampaign(ctx.tx, { now: ctx.now, themeId: v.themeId });
    if (!campaign) return answer.error('卡片数据无效，请重新发送“审核”');
    const pos = positionOf(v);
    const back = reviewActions.page.value(navFields({ filter: pos.filter, unitId: pos.unitId, page: pos.page, campaignId: campaign.id }, 'stay'));
    const vm = await buildHistory(ctx.tx, v.themeId, back);
    if (!vm) return answer.warning('找不到这个主题');
    return { card: historyCard(vm) };
  });

  // The liaison's 修改并重新提交 ----------------------------------------------------------------------
  bot.action(reviewActions.reviseOpen, reviseStage, async (ctx, v, a) => {
    const theme = await loadRevisable(ctx.tx, v.themeId);
    if (!theme) return answer.warning('找不到这个主题');
    const refused = await liaisonRefusal(ctx, theme, 'review.revise_open');
    if (refused) return refused;
    if (theme.reviewStatus !== 'returned') return answer.info(theme.reviewStatus === 'pending' ? '该主题已重新提交，正在等待审核' : '该主题当前无需修改');
    if (v.version !== undefined && v.version !== theme.version) return answer.warning('该主题已更新，请使用最新的审核结果卡片');
    const opened = await openReviseForm(ctx, theme, a);
    if (opened.kind === 'in_place') return { card: opened.card };
    return answer.success(REVISE_FORM_SENT);
  });

  bot.action(reviewActions.reviseSubmit, reviseStage, async (ctx, v, a) => {
    const theme = await loadRevisable(ctx.tx, v.themeId);
    if (!theme) return answer.warning('找不到这个主题');
    const refused = await liaisonRefusal(ctx, theme, 'review.revise');
    if (refused) return refused;
    const form = a.formValue ?? {};
    const raw = { title: form.title, month: form.month, forms: form.forms, intro: form.intro };
    const result = await reviseTheme(ctx, { themeId: theme.id, version: v.version, raw, ...(v.noticeMessageId ? { noticeMessageId: v.noticeMessageId } : {}) });
    if (result.ok) return answer.success('已重新提交审核', revisedConfirmCard({ unitName: result.unitName, title: result.title, version: result.version, changes: result.changes }));
    // A form that can no longer be used (resubmitted from another form, withdrawn, returned again)
    // closes, instead of keeping an active 重新提交审核 button next to an old error.
    if (result.kind === 'refused') return { ...answer.warning(result.message), card: noticeCard('修改表已失效', [escapeMarkdown(result.message)], 'grey') };
    const str = (x: unknown) => (typeof x === 'string' ? x : '');
    const values = { title: str(raw.title), month: str(raw.month), forms: Array.isArray(raw.forms) ? raw.forms.filter((x): x is string => typeof x === 'string') : [], intro: str(raw.intro) };
    return {
      toast: { type: 'error', content: Object.values(result.errors)[0] ?? '请检查填写内容' },
      card: reviseCard(reviseVm(theme, shanghaiDate(ctx.now), { values, errors: result.errors }, v.noticeMessageId)),
    };
  });
}

export const reviewFeature = { register: registerReview };
