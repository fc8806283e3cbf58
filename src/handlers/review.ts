// Review: 审核 (the unit-by-unit review card), 添加审核人 / 移除审核人, decisions, history, and
// the liaison's 修改并重新提交 of a returned theme. Every action re-checks the operator.
import { z } from 'zod';
import type { Bot, HandlerContext } from '../app/bot.ts';
import type { CardActionEvent, CardResponse, MessageEvent } from '../app/events.ts';
import { isCoordinator, isLiaisonOf, isReviewer, unitOfChat } from '../app/access.ts';
import type { CardJson } from '../../cards/kit.ts';
import { reviewCard, historyCard, reviseCard, revisedConfirmCard, navValue } from '../../cards/review.ts';
import { decisionLabel, parseDecision, parseReviewFilter, DEFAULT_REVIEW_FILTER, type ReviewFilter } from '../domain/review.ts';
import { shanghaiDate } from '../domain/time.ts';
import type { CampaignRow } from '../usecases/review/common.ts';
import { noCampaignForYear, resolveCampaign, splitYearArg } from '../usecases/campaign/resolve.ts';
import { buildReviewCard, type ReviewPosition, type ThemeOverride } from '../usecases/review/queue.ts';
import { decideTheme } from '../usecases/review/decide.ts';
import { buildHistory } from '../usecases/review/history.ts';
import { addReviewers, removeReviewers } from '../usecases/review/reviewers.ts';
import { loadRevisable, reviseTheme, reviseVm } from '../usecases/review/revise.ts';
import { quoteInput } from '../domain/user-text.ts';

const NOT_REVIEWER = '只有县政务公开办的协调人和指定的审核人可以审核主题。';
const NOT_COORDINATOR = '只有县政务公开办的协调人可以指定审核人。';
const NO_CAMPAIGN = '当前没有进行中的主题日活动。';

async function reply(ctx: HandlerContext, message: MessageEvent, body: { card: CardJson } | { text: string }): Promise<void> {
  await ctx.enqueue(`review:reply:${message.messageId}`, { op: 'reply', messageId: message.messageId, ...body });
}

async function deny(ctx: HandlerContext, action: string, entityId: string, reason: string): Promise<void> {
  await ctx.audit({ action, entity: 'Theme', entityId, decision: 'deny', reason });
}

const navSchema = z.object({
  u: z.string().max(64).catch(''),
  p: z.coerce.number().int().min(0).max(100).catch(0),
  dir: z.enum(['prev', 'next', 'stay']).catch('stay'),
  fs: z.unknown().optional(),
  fk: z.unknown().optional(),
  fm: z.unknown().optional(),
  ff: z.unknown().optional(),
});

function positionOf(value: Record<string, unknown>, filter?: ReviewFilter): ReviewPosition {
  const nav = navSchema.parse(value);
  return { filter: filter ?? parseReviewFilter(value), unitId: nav.u, page: nav.p, dir: nav.dir };
}

const decideSchema = z.object({
  t: z.string().min(1).max(64),
  v: z.coerce.number().int().min(1),
  d: z.enum(['approve', 'return', 'reject']),
  i: z.coerce.number().int().min(0).max(50).catch(0),
});
const themeRef = z.object({ t: z.string().min(1).max(64), v: z.coerce.number().int().min(1).optional() });

/**
 * The campaign a review command or button is about: a theme's own campaign (a decision on a 2026
 * theme stays in 2026), else the year typed, else the reviewing rule.
 */
async function reviewerCampaign(ctx: HandlerContext, pick: { year?: number; themeId?: string; campaignId?: string } = {}): Promise<{ campaign: CampaignRow | null; allowed: boolean }> {
  const theme = pick.themeId ? await ctx.tx.theme.findUnique({ where: { id: pick.themeId }, select: { submission: { select: { campaign: true } } } }) : null;
  const campaign = theme
    ? theme.submission.campaign
    : pick.campaignId
      ? await ctx.tx.campaign.findUnique({ where: { id: pick.campaignId } })
      : await resolveCampaign(ctx.tx, 'reviewing', { now: ctx.now, year: pick.year });
  if (!campaign) return { campaign, allowed: await isCoordinator(ctx.tx, ctx.actor, ctx.config.coordinatorOpenIds) };
  return { campaign, allowed: await isReviewer(ctx.tx, ctx.actor, campaign.id, ctx.config.coordinatorOpenIds) };
}

async function refuseAction(ctx: HandlerContext, action: CardActionEvent, name: string): Promise<CardResponse> {
  await deny(ctx, name, typeof action.value.t === 'string' ? action.value.t : action.messageId, 'not a reviewer');
  return { toast: { type: 'error', content: NOT_REVIEWER } };
}

/** People @-mentioned in a command, without the bot itself. */
async function mentionedPeople(ctx: HandlerContext, message: MessageEvent): Promise<{ openId: string; name: string }[]> {
  let botOpenId: string | undefined;
  try {
    botOpenId = (await ctx.services.gateway.botInfo()).openId;
  } catch {
    botOpenId = undefined;
  }
  return message.mentions.filter((m) => m.openId && m.openId !== botOpenId && /^ou_/.test(m.openId)).map((m) => ({ openId: m.openId, name: m.name || m.openId }));
}

export function registerReview(bot: Bot): void {
  bot.command(
    { names: ['审核', '审核主题'], summary: '逐个单位审核申报的主题（通过 / 退回修改 / 不采纳），可跟单位名直达、可加年份', example: '@主题日助手 审核 星沙街道', audience: 'coordinator' },
    async (ctx, message, typed) => {
      const { year, rest: args } = splitYearArg(typed);
      const { campaign, allowed } = await reviewerCampaign(ctx, { year });
      if (!allowed) {
        await deny(ctx, 'review.open', message.messageId, 'not a reviewer');
        return reply(ctx, message, { text: NOT_REVIEWER });
      }
      if (!campaign) return reply(ctx, message, { text: year !== undefined ? noCampaignForYear(year) : NO_CAMPAIGN });
      if (message.chatType === 'group' && (await unitOfChat(ctx.tx, message.chatId))) {
        return reply(ctx, message, { text: '审核卡片含各单位联系方式，请在与主题日助手的私聊或县政务公开办工作群中发送“审核”。' });
      }
      // 审核 星沙街道: open that unit with all its themes.
      const name = args.trim();
      // No unit name is this long; a huge LIKE pattern would also exceed SQLite's pattern limit.
      const unit = name && name.length <= 64 ? await ctx.tx.unit.findFirst({ where: { OR: [{ name }, { shortName: name }, { name: { contains: name } }] }, select: { id: true } }) : null;
      if (name && !unit) return reply(ctx, message, { text: `没有找到单位“${quoteInput(name)}”，请检查名称，或直接发送“审核”从第一个单位开始。` });
      const pos: ReviewPosition = unit ? { filter: { ...DEFAULT_REVIEW_FILTER, status: 'all' }, unitId: unit.id, page: 0, dir: 'stay' } : { filter: DEFAULT_REVIEW_FILTER, unitId: '', page: 0, dir: 'stay' };
      const card = reviewCard(await buildReviewCard(ctx.tx, campaign, pos));
      await reply(ctx, message, { card });
    },
  );

  bot.command(
    { names: ['添加审核人'], summary: '指定审核人（可审核主题，不能发布计划）', example: '@主题日助手 添加审核人 @张三', audience: 'coordinator' },
    async (ctx, message, args) => {
      if (!(await isCoordinator(ctx.tx, ctx.actor, ctx.config.coordinatorOpenIds))) {
        await ctx.audit({ action: 'reviewer.add', entity: 'Reviewer', decision: 'deny', reason: 'not a coordinator' });
        return reply(ctx, message, { text: NOT_COORDINATOR });
      }
      const { year } = splitYearArg(args);
      const campaign = await resolveCampaign(ctx.tx, 'reviewing', { now: ctx.now, year });
      if (!campaign) return reply(ctx, message, { text: year !== undefined ? noCampaignForYear(year) : NO_CAMPAIGN });
      const people = await mentionedPeople(ctx, message);
      if (people.length === 0) return reply(ctx, message, { text: '请在指令后 @ 要添加的审核人，例如：@主题日助手 添加审核人 @张三' });
      const { added, already } = await addReviewers(ctx, campaign.id, people);
      const parts = [added.length > 0 ? `已添加审核人：${added.join('、')}（${campaign.year}年）。他们可以发送“审核”审核主题。` : '', already.length > 0 ? `${already.join('、')} 已是${campaign.year}年审核人。` : ''];
      await reply(ctx, message, { text: parts.filter(Boolean).join('\n') });
    },
  );

  bot.command(
    { names: ['移除审核人'], summary: '取消审核人', example: '@主题日助手 移除审核人 @张三', audience: 'coordinator' },
    async (ctx, message, args) => {
      if (!(await isCoordinator(ctx.tx, ctx.actor, ctx.config.coordinatorOpenIds))) {
        await ctx.audit({ action: 'reviewer.remove', entity: 'Reviewer', decision: 'deny', reason: 'not a coordinator' });
        return reply(ctx, message, { text: NOT_COORDINATOR });
      }
      const { year } = splitYearArg(args);
      const campaign = await resolveCampaign(ctx.tx, 'reviewing', { now: ctx.now, year });
      if (!campaign) return reply(ctx, message, { text: year !== undefined ? noCampaignForYear(year) : NO_CAMPAIGN });
      const people = await mentionedPeople(ctx, message);
      const removed = await removeReviewers(ctx, campaign.id, people);
      await reply(ctx, message, { text: removed.length > 0 ? `已移除审核人：${removed.join('、')}（${campaign.year}年）` : '没有找到要移除的审核人，请 @ 对方。' });
    },
  );

  const page = async (ctx: HandlerContext, action: CardActionEvent, filterFromForm: boolean): Promise<CardResponse> => {
    const { campaign, allowed } = await reviewerCampaign(ctx, { campaignId: typeof action.value.c === 'string' ? action.value.c : undefined });
    if (!allowed) return refuseAction(ctx, action, 'review.page');
    if (!campaign) return { toast: { type: 'warning', content: NO_CAMPAIGN } };
    const filter = filterFromForm ? parseReviewFilter(action.formValue ?? {}) : undefined;
    const pos = positionOf(action.value, filter);
    if (filterFromForm) pos.page = 0;
    return { card: reviewCard(await buildReviewCard(ctx.tx, campaign, pos)) };
  };
  bot.action('review.page', (ctx, action) => page(ctx, action, false));
  bot.action('review.filter', (ctx, action) => page(ctx, action, true));

  bot.action('review.decide', async (ctx, action) => {
    const { campaign, allowed } = await reviewerCampaign(ctx, { themeId: typeof action.value.t === 'string' ? action.value.t : undefined });
    if (!allowed) return refuseAction(ctx, action, 'review.decide');
    if (!campaign) return { toast: { type: 'warning', content: NO_CAMPAIGN } };
    const v = decideSchema.safeParse(action.value);
    if (!v.success) return { toast: { type: 'error', content: '卡片数据无效，请重新发送“审核”' } };
    const pos = positionOf(action.value);
    pos.dir = 'stay';
    const form = action.formValue ?? {};
    const reasonRaw = form[`reason_${v.data.i}`];
    const fieldsRaw = form[`fields_${v.data.i}`];
    const parsed = parseDecision(v.data.d, reasonRaw, fieldsRaw);
    if (!parsed.ok) {
      const message = Object.values(parsed.errors)[0] ?? '请检查填写内容';
      const override: ThemeOverride = {
        themeId: v.data.t,
        draft: { reason: typeof reasonRaw === 'string' ? reasonRaw : '', fields: Array.isArray(fieldsRaw) ? fieldsRaw.filter((x): x is string => typeof x === 'string') : [] },
        error: message,
      };
      return { toast: { type: 'error', content: message }, card: reviewCard(await buildReviewCard(ctx.tx, campaign, pos, override)) };
    }
    const result = await decideTheme(ctx, campaign, { themeId: v.data.t, version: v.data.v, ...parsed.value });
    if (!result.ok) {
      return { toast: { type: 'warning', content: result.message }, card: reviewCard(await buildReviewCard(ctx.tx, campaign, pos)) };
    }
    return {
      toast: { type: 'success', content: `已${decisionLabel(v.data.d)}，已通知单位` },
      card: reviewCard(await buildReviewCard(ctx.tx, campaign, pos)),
    };
  });

  bot.action('review.history', async (ctx, action) => {
    const { campaign, allowed } = await reviewerCampaign(ctx, { themeId: typeof action.value.t === 'string' ? action.value.t : undefined });
    if (!allowed) return refuseAction(ctx, action, 'review.history');
    const ref = themeRef.safeParse(action.value);
    if (!ref.success || !campaign) return { toast: { type: 'error', content: '卡片数据无效，请重新发送“审核”' } };
    const pos = positionOf(action.value);
    const back = navValue('review.page', { filter: pos.filter, unitId: pos.unitId, page: pos.page, campaignId: campaign.id }, { dir: 'stay' });
    const vm = await buildHistory(ctx.tx, ref.data.t, back);
    if (!vm) return { toast: { type: 'warning', content: '找不到这个主题' } };
    return { card: historyCard(vm) };
  });

  bot.action('review.revise_open', async (ctx, action) => {
    const ref = themeRef.safeParse(action.value);
    if (!ref.success) return { toast: { type: 'error', content: '卡片数据无效' } };
    const theme = await loadRevisable(ctx.tx, ref.data.t);
    if (!theme) return { toast: { type: 'warning', content: '找不到这个主题' } };
    if (!(await isLiaisonOf(ctx.tx, ctx.actor, theme.submission.unitId))) {
      await deny(ctx, 'review.revise_open', theme.id, 'not a liaison of the unit');
      return { toast: { type: 'error', content: `只有${theme.submission.unit.name}的联络员可以修改本单位的主题。` } };
    }
    if (theme.reviewStatus !== 'returned') return { toast: { type: 'info', content: theme.reviewStatus === 'pending' ? '该主题已重新提交，正在等待审核' : '该主题当前无需修改' } };
    if (ref.data.v !== undefined && ref.data.v !== theme.version) return { toast: { type: 'warning', content: '该主题已更新，请使用最新的审核结果卡片' } };
    return { card: reviseCard(reviseVm(theme, shanghaiDate(ctx.now))) };
  });

  bot.action('review.revise_submit', async (ctx, action) => {
    const ref = themeRef.safeParse(action.value);
    if (!ref.success || ref.data.v === undefined) return { toast: { type: 'error', content: '卡片数据无效' } };
    const theme = await loadRevisable(ctx.tx, ref.data.t);
    if (!theme) return { toast: { type: 'warning', content: '找不到这个主题' } };
    if (!(await isLiaisonOf(ctx.tx, ctx.actor, theme.submission.unitId))) {
      await deny(ctx, 'review.revise', theme.id, 'not a liaison of the unit');
      return { toast: { type: 'error', content: `只有${theme.submission.unit.name}的联络员可以修改本单位的主题。` } };
    }
    const form = action.formValue ?? {};
    const raw = { title: form.title, month: form.month, forms: form.forms, intro: form.intro };
    const result = await reviseTheme(ctx, { themeId: theme.id, version: ref.data.v, raw });
    if (result.ok) return { toast: { type: 'success', content: '已重新提交审核' }, card: revisedConfirmCard({ unitName: result.unitName, title: result.title, version: result.version, changes: result.changes }) };
    if (result.kind === 'refused') return { toast: { type: 'warning', content: result.message } };
    const str = (x: unknown) => (typeof x === 'string' ? x : '');
    const values = { title: str(raw.title), month: str(raw.month), forms: Array.isArray(raw.forms) ? raw.forms.filter((x): x is string => typeof x === 'string') : [], intro: str(raw.intro) };
    return {
      toast: { type: 'error', content: Object.values(result.errors)[0] ?? '请检查填写内容' },
      card: reviseCard(reviseVm(theme, shanghaiDate(ctx.now), { values, errors: result.errors })),
    };
  });
}

export const reviewFeature = { register: registerReview };
