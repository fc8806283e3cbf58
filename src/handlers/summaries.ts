// Summaries: `总结` (a unit's activities), `总结进度` (coordinator), the summary card's actions and
// photos sent to the bot in unit groups.
import { z } from 'zod';
import type { Bot, HandlerContext } from '../app/bot.ts';
import type { CardActionEvent, CardResponse, MessageEvent } from '../app/events.ts';
import { isCoordinator, liaisonUnitIds, unitOfChat } from '../app/access.ts';
import { shanghaiDate } from '../domain/time.ts';
import { completenessCard } from '../../cards/summary.ts';
import { deny } from '../usecases/summaries/common.ts';
import { noCampaignForYear, resolveCampaign, splitYearArg } from '../usecases/campaign/resolve.ts';
import { loadStage } from '../usecases/campaign/stage.ts';
import { commandAllowed, STAGE_LABELS } from '../domain/campaign-stage.ts';
import { openSummary, saveSummaryDraft, submitSummary, unitActivities, viewSummary } from '../usecases/summaries/summary.ts';
import { choosePhotoTarget, handlePhotoMessage, openPhotoList, removePhoto, toggleLogoPhoto } from '../usecases/summaries/photos.ts';
import { summaryCompleteness } from '../usecases/summaries/completeness.ts';

const id = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/);
const themeValue = z.object({ themeId: id });
const page = z.coerce.number().int().min(0).max(100).catch(0).default(0);
const photoValue = z.object({ photoId: id, page });
const photosValue = z.object({ themeId: id, page });
const targetValue = z.object({ ref: id });

const STALE: CardResponse = { toast: { type: 'warning', content: '这张卡片已过期，请发送“总结”获取新卡片' } };

function parse<T>(schema: z.ZodType<T>, value: unknown): T | undefined {
  const r = schema.safeParse(value);
  return r.success ? r.data : undefined;
}

async function replyText(ctx: HandlerContext, message: MessageEvent, key: string, text: string): Promise<void> {
  await ctx.enqueue(`${key}:${message.messageId}`, { op: 'reply', messageId: message.messageId, text });
}

/** The campaign summaries act on (the resolver's), else the launched one (e.g. next year's, launched in December). */
async function summaryCampaign(ctx: HandlerContext, year: number | undefined) {
  const found = await resolveCampaign(ctx.tx, 'summaries', { now: ctx.now, year });
  if ((found && found.status !== 'draft') || year !== undefined) return found;
  const launched = await resolveCampaign(ctx.tx, 'reviewing', { now: ctx.now });
  return launched && launched.status !== 'draft' ? launched : found;
}

/** Before the schedule is published there is nothing to summarise yet: say where the year stands. */
async function notYet(ctx: HandlerContext, campaign: { id: string; year: number; title: string; status: string }): Promise<string | null> {
  const stage = await loadStage(ctx.tx, campaign, ctx.now);
  if (commandAllowed('summary', stage)) return null;
  if (stage === 'closed') return `${campaign.title}已结束，总结不能再修改。`;
  return `${campaign.title}当前阶段：${STAGE_LABELS[stage]}。活动总结在计划安排表发布、活动举办之后填写；届时在本单位工作群发送“总结”即可看到本单位入选的活动。`;
}

async function summaryCommand(ctx: HandlerContext, message: MessageEvent, args: string): Promise<void> {
  const { year } = splitYearArg(args);
  const campaign = await summaryCampaign(ctx, year);
  if (!campaign && year !== undefined) return replyText(ctx, message, 'summary.list', noCampaignForYear(year));
  if (!campaign || campaign.status === 'draft') return replyText(ctx, message, 'summary.list', '今年的主题日活动还没有发起，暂无需要填写的总结。');
  const early = await notYet(ctx, campaign);
  if (early) return replyText(ctx, message, 'summary.list', early);
  let unit = await unitOfChat(ctx.tx, message.chatId);
  if (!unit && message.chatType === 'p2p') {
    const ids = await liaisonUnitIds(ctx.tx, message.senderOpenId);
    if (ids.length > 0) unit = await ctx.tx.unit.findUnique({ where: { id: ids[0]! }, select: { id: true, name: true } });
  }
  if (!unit) return replyText(ctx, message, 'summary.list', '请在本单位的工作群里发送“总结”，查看本单位需要填写总结的活动。县政务公开办请用“总结进度”。');
  const card = await unitActivities(ctx, campaign, unit);
  await ctx.enqueue(`summary.list:${message.messageId}`, { op: 'reply', messageId: message.messageId, card });
}

async function progressCommand(ctx: HandlerContext, message: MessageEvent, args: string): Promise<void> {
  if (!(await isCoordinator(ctx.tx, message.senderOpenId, ctx.config.coordinatorOpenIds))) {
    const msg = await deny(ctx, 'summary.progress', 'Campaign', null, '“总结进度”仅限县政务公开办使用');
    return replyText(ctx, message, 'summary.progress', msg);
  }
  const { year } = splitYearArg(args);
  const campaign = await summaryCampaign(ctx, year);
  if (!campaign || campaign.status === 'draft') return replyText(ctx, message, 'summary.progress', year !== undefined ? noCampaignForYear(year) : '今年的主题日活动还没有发起。');
  const rows = await summaryCompleteness(ctx.tx, campaign.id);
  await ctx.enqueue(`summary.progress:${message.messageId}`, { op: 'reply', messageId: message.messageId, card: completenessCard({ year: campaign.year, rows, today: shanghaiDate(ctx.now) }) });
}

function withTheme(fn: (ctx: HandlerContext, themeId: string, e: CardActionEvent) => Promise<CardResponse>) {
  return async (ctx: HandlerContext, e: CardActionEvent): Promise<CardResponse> => {
    const v = parse(themeValue, e.value) ?? parse(themeValue, e.formValue);
    return v ? fn(ctx, v.themeId, e) : STALE;
  };
}

export function register(bot: Bot): void {
  bot.command({ names: ['总结', '填写总结', '活动总结'], summary: '查看本单位入选活动并填写活动总结、上传照片', example: '@主题日助手 总结', audience: 'liaison' }, (ctx, m, args) => summaryCommand(ctx, m, args));
  bot.command({ names: ['总结进度'], summary: '查看各单位活动总结、照片、LOGO、链接是否齐全', example: '@主题日助手 总结进度 2026', audience: 'coordinator' }, (ctx, m, args) => progressCommand(ctx, m, args));

  bot.action('summary.open', withTheme((ctx, themeId, e) => openSummary(ctx, themeId, e.messageId)));
  bot.action('summary.save', withTheme((ctx, themeId, e) => saveSummaryDraft(ctx, themeId, e.formValue, e.messageId)));
  bot.action('summary.submit', withTheme((ctx, themeId, e) => submitSummary(ctx, themeId, e.formValue, e.messageId)));
  bot.action('summary.view', async (ctx, e) => {
    const v = parse(themeValue, e.value) ?? parse(themeValue, e.formValue);
    if (!v) return { toast: { type: 'warning', content: '请先选择一项活动' } };
    return viewSummary(ctx, v.themeId);
  });
  bot.action('summary.photos', async (ctx, e) => {
    const v = parse(photosValue, e.value);
    return v ? openPhotoList(ctx, v.themeId, v.page) : STALE;
  });
  bot.action('summary.photo_del', async (ctx, e) => {
    const v = parse(photoValue, e.value);
    return v ? removePhoto(ctx, v.photoId, v.page) : STALE;
  });
  bot.action('summary.photo_logo', async (ctx, e) => {
    const v = parse(photoValue, e.value);
    return v ? toggleLogoPhoto(ctx, v.photoId, v.page) : STALE;
  });
  bot.action('summary.photo_target', async (ctx, e) => {
    const v = parse(targetValue, e.value);
    const t = parse(themeValue, e.formValue);
    if (!v) return STALE;
    if (!t) return { toast: { type: 'warning', content: '请选择照片所属的活动' } };
    return choosePhotoTarget(ctx, v.ref, t.themeId);
  });

  bot.onMessage((ctx, m) => handlePhotoMessage(ctx, m));
}

export const summariesFeature = { register };
