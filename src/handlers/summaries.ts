// Summaries: `总结` (a unit's activities), `总结进度` (coordinator), the summary card's actions and
// photos sent to the bot in unit groups.
import { z } from 'zod';
import type { Bot, HandlerContext } from '../app/bot.ts';
import type { CardActionEvent, CardResponse, MessageEvent } from '../app/events.ts';
import { liaisonUnitIds, unitOfChat } from '../app/access.ts';
import { summaryActions } from '../../cards/actions.ts';
import { unitById } from '../usecases/schedule/rows.ts';
import { coordinatorsOnly } from './guards.ts';
import { answer, match } from './answer.ts';
import { shanghaiDate, shanghaiTime } from '../domain/time.ts';
import type { CardJson } from '../../cards/kit.ts';
import { completenessCard, photoListCard, photoTargetChosenCard, summaryFormCard, summaryReadCard, unitActivitiesCard } from '../../cards/summary.ts';
import { noCampaignForYear, resolveCampaign, splitYearArg } from '../usecases/campaign/resolve.ts';
import { loadStageInfo } from '../usecases/campaign/stage.ts';
import { commandAllowed, STAGE_LABELS } from '../domain/campaign-stage.ts';
import { openSummary, saveSummaryDraft, submitSummary, unitActivities, viewSummary, type SummaryResult } from '../usecases/summaries/summary.ts';
import { choosePhotoTarget, handlePhotoMessage, openPhotoList, removePhoto, toggleLogoPhoto, type PhotoListResult } from '../usecases/summaries/photos.ts';
import { summaryCompleteness } from '../usecases/summaries/completeness.ts';

const themeInForm = z.object({
  themeId: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_-]+$/),
});

/** The theme of a summary button: in its value, or (on the list card) in the form's select. */
function themeOf(v: { themeId?: string }, e: CardActionEvent): string | undefined {
  if (v.themeId) return v.themeId;
  const f = themeInForm.safeParse(e.formValue);
  return f.success ? f.data.themeId : undefined;
}

const STALE: CardResponse = answer.warning(summaryActions.open.staleText);

/** The campaign summaries act on (the resolver's), else the launched one (e.g. next year's, launched in December). */
async function summaryCampaign(ctx: HandlerContext, year: number | undefined) {
  const found = await resolveCampaign(ctx.tx, 'summaries', { now: ctx.now, year });
  if ((found && found.status !== 'draft') || year !== undefined) return found;
  const launched = await resolveCampaign(ctx.tx, 'reviewing', { now: ctx.now });
  return launched && launched.status !== 'draft' ? launched : found;
}

/** Before the schedule is published there is nothing to summarise yet: say where the year stands. */
async function notYet(ctx: HandlerContext, campaign: { id: string; year: number; title: string; status: string }): Promise<string | null> {
  const { stage, publishedWhileOpen } = await loadStageInfo(ctx.tx, campaign, ctx.now);
  if (commandAllowed('summary', stage) || publishedWhileOpen) return null;
  if (stage === 'closed') return `${campaign.title}已结束，总结不能再修改。`;
  return `${campaign.title}当前阶段：${STAGE_LABELS[stage]}。活动总结在计划安排表发布、活动举办之后填写；届时在本单位工作群发送“总结”即可看到本单位入选的活动。`;
}

async function summaryCommand(ctx: HandlerContext, message: MessageEvent, args: string): Promise<void> {
  const { year } = splitYearArg(args);
  const campaign = await summaryCampaign(ctx, year);
  if (!campaign && year !== undefined) return ctx.reply(noCampaignForYear(year));
  if (!campaign || campaign.status === 'draft') return ctx.reply('今年的主题日活动还没有发起，暂无需要填写的总结。');
  const early = await notYet(ctx, campaign);
  if (early) return ctx.reply(early);
  let unit = await unitOfChat(ctx.tx, message.chatId);
  if (!unit && message.chatType === 'p2p') {
    const ids = await liaisonUnitIds(ctx.tx, message.senderOpenId);
    if (ids.length > 0) unit = await unitById(ctx.tx, ids[0]!);
  }
  if (!unit) return ctx.reply('请在本单位的工作群里发送“总结”，查看本单位需要填写总结的活动。县政务公开办请用“总结进度”。');
  await ctx.reply(unitActivitiesCard(await unitActivities(ctx, campaign, unit)));
}

async function progressCommand(ctx: HandlerContext, args: string): Promise<void> {
  const { year } = splitYearArg(args);
  const card = await progressCard(ctx, year);
  if (!card) return ctx.reply(year !== undefined ? noCampaignForYear(year) : '今年的主题日活动还没有发起。');
  await ctx.reply(card);
}

/** The 总结进度 card (the command's, and the way back to it from a summary opened on it). */
async function progressCard(ctx: HandlerContext, year: number | undefined): Promise<CardJson | undefined> {
  const campaign = await summaryCampaign(ctx, year);
  if (!campaign || campaign.status === 'draft') return undefined;
  return completenessCard({ year: campaign.year, rows: await summaryCompleteness(ctx.tx, campaign.id), today: shanghaiDate(ctx.now) });
}

function withTheme(fn: (ctx: HandlerContext, themeId: string, e: CardActionEvent) => Promise<CardResponse>) {
  return async (ctx: HandlerContext, v: { themeId?: string }, e: CardActionEvent): Promise<CardResponse> => {
    const themeId = themeOf(v, e);
    return themeId ? fn(ctx, themeId, e) : STALE;
  };
}

function summaryResponse(ctx: HandlerContext, r: SummaryResult): CardResponse {
  return match(r, {
    refused: (r) => answer.error(r.text),
    form: (r) => ({ card: summaryFormCard(r.form) }),
    saved: (r) => answer.success('草稿已保存', summaryFormCard({ ...r.form, notice: `草稿已保存（${shanghaiTime(ctx.now)}），可随时继续填写后提交。` })),
    invalid: (r) => answer.error(`还有 ${r.errors.length} 处需要修改：${r.errors.slice(0, 2).join('；')}${r.errors.length > 2 ? '……' : ''}`, summaryFormCard(r.form)),
    submitted: (r) =>
      r.version > 1 ? answer.success('修改已提交', summaryReadCard({ ...r.read, notice: '修改已提交。' })) : answer.success('活动总结已提交', summaryReadCard({ ...r.read, notice: '总结已提交，感谢！链接核验结果稍后发到本群。' })),
  });
}

function photoListResponse(r: PhotoListResult): CardResponse {
  return match(r, {
    missing: (r) => answer.error(r.what === 'photo' ? '找不到这张照片' : '找不到这项活动'),
    refused: (r) => answer.error(r.text),
    list: (r) => ({ card: photoListCard(r.list) }),
    already_deleted: (r) => answer.info('这张照片已删除', photoListCard(r.list)),
    deleted: (r) => answer.success('照片已删除', photoListCard({ ...r.list, notice: `已删除“${r.fileName}”` })),
    logo: (r) => answer.success(r.marked ? '已标为 LOGO 照片' : '已取消 LOGO 标记', photoListCard(r.list)),
  });
}

export function register(bot: Bot): void {
  bot.command({ names: ['总结', '填写总结', '活动总结'], summary: '查看本单位入选活动并填写活动总结、上传照片', example: '@主题日助手 总结', audience: 'liaison' }, (ctx, m, args) => summaryCommand(ctx, m, args));
  bot.command(
    { names: ['总结进度'], summary: '查看各单位活动总结、照片、LOGO、链接是否齐全', example: '@主题日助手 总结进度 2026', audience: 'coordinator', id: 'summary.progress' },
    coordinatorsOnly('“总结进度”仅限县政务公开办使用'),
    (ctx, _m, args) => progressCommand(ctx, args),
  );

  bot.action(
    summaryActions.open,
    withTheme(async (ctx, themeId, e) => summaryResponse(ctx, await openSummary(ctx, themeId, e.messageId))),
  );
  bot.action(
    summaryActions.save,
    withTheme(async (ctx, themeId, e) => summaryResponse(ctx, await saveSummaryDraft(ctx, themeId, e.formValue, e.messageId))),
  );
  bot.action(
    summaryActions.submit,
    withTheme(async (ctx, themeId, e) => summaryResponse(ctx, await submitSummary(ctx, themeId, e.formValue, e.messageId))),
  );
  bot.action(summaryActions.view, async (ctx, v, e) => {
    const themeId = themeOf(v, e);
    if (!themeId) return answer.warning('请先选择一项活动');
    const r = await viewSummary(ctx, themeId);
    return r.kind === 'read' ? { card: summaryReadCard({ ...r.read, ...(v.back ? { backToProgressYear: v.back } : {}) }) } : answer.error(r.text);
  });
  bot.action(summaryActions.progress, coordinatorsOnly('“总结进度”仅限县政务公开办使用'), async (ctx, v) => {
    const card = await progressCard(ctx, v.year);
    return card ? { card } : answer.error(noCampaignForYear(v.year));
  });
  bot.action(summaryActions.photos, async (ctx, v) => photoListResponse(await openPhotoList(ctx, v.themeId, v.page)));
  bot.action(summaryActions.photoDelete, async (ctx, v) => photoListResponse(await removePhoto(ctx, v.photoId, v.page)));
  bot.action(summaryActions.photoLogo, async (ctx, v) => photoListResponse(await toggleLogoPhoto(ctx, v.photoId, v.page)));
  bot.action(summaryActions.photoTarget, async (ctx, v, e) => {
    const t = themeInForm.safeParse(e.formValue);
    if (!t.success) return answer.warning('请选择照片所属的活动');
    return match(await choosePhotoTarget(ctx, v.ref, t.data.themeId), {
      chosen: (r) => answer.success(`照片将保存到「${r.title}」`, photoTargetChosenCard(r.title)),
      already_handled: () => answer.info('这张照片已处理过'),
      no_activity: () => answer.error('请选择一项活动'),
      unreadable: () => answer.error('照片信息已失效，请重新发送照片'),
      refused: (r) => answer.error(r.text),
    });
  });

  bot.onMessage((ctx, m) => handlePhotoMessage(ctx, m));
}

export const summariesFeature = { register };
