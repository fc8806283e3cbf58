// The annual 计划安排表: the coordinator's working view (balance checks, 调整月份, 发布计划),
// the published schedule for units, and the liaison's answer to a proposed month move.
import type { Bot } from '../app/bot.ts';
import { liaisonUnitIds, unitOfChat } from '../app/access.ts';
import { scheduleActions } from '../../cards/actions.ts';
import { moveAnsweredCard, publishedDoneCard, publishingCard } from '../../cards/schedule.ts';
import { noticeCard } from '../../cards/kit.ts';
import { withContext } from '../app/context.ts';
import { PLAN_DEFAULTS } from '../domain/campaign.ts';
import { monthSchema, orderToken, sortRows } from '../domain/schedule.ts';
import { currentScheduleRows } from '../usecases/schedule/rows.ts';
import { shanghaiDateTime } from '../domain/time.ts';
import { campaignFor, noCampaignForYear, resolveCampaign, splitYearArg } from '../usecases/campaign/resolve.ts';
import { coordinatorsOnly, inStage } from './guards.ts';
import { moveTarget, unitById } from '../usecases/schedule/rows.ts';
import { buildPublishConfirm, buildPublishedView, buildWorkCard } from '../usecases/schedule/view.ts';
import { moveThemeMonth, replyToMove } from '../usecases/schedule/move.ts';
import { checkPublishable, publishSchedule } from '../usecases/schedule/publish.ts';
import { asciiDigits, quoteInput } from '../domain/user-text.ts';
import { closeCollection, collectionOpen } from '../usecases/campaign/stage.ts';
import { refreshProgressCards } from '../usecases/submissions/progress.ts';
import { answer } from './answer.ts';

const NOT_COORDINATOR = '只有县政务公开办的协调人可以编排和发布计划安排表。';
const NO_CAMPAIGN = '当前没有进行中的主题日活动。';

const coordinatorOnly = coordinatorsOnly(NOT_COORDINATOR);

export function registerSchedule(bot: Bot): void {
  bot.command({ names: ['计划安排表', '查看计划', '排期'], summary: '查看全年活动计划安排表（协调人可在此调整月份、发布；可加年份）', example: '@主题日助手 计划安排表 2026', audience: 'everyone' }, async (ctx, message, args) => {
    const { year } = splitYearArg(args);
    const campaign = await resolveCampaign(ctx.tx, 'reviewing', { now: ctx.now, year });
    if (!campaign) return ctx.reply(year !== undefined ? noCampaignForYear(year) : NO_CAMPAIGN);
    const groupUnit = message.chatType === 'group' ? await unitOfChat(ctx.tx, message.chatId) : null;
    if (!groupUnit && (await ctx.is('coordinator'))) return ctx.reply(await buildWorkCard(ctx.tx, campaign));
    let unit = groupUnit;
    if (!unit) {
      const ids = await liaisonUnitIds(ctx.tx, ctx.actor);
      unit = ids[0] ? await unitById(ctx.tx, ids[0]) : null;
    }
    const card = await buildPublishedView(ctx.tx, campaign, unit);
    if (!card) return ctx.reply(`${PLAN_DEFAULTS.scheduleTitle(campaign.year)}尚未发布，发布后会发送到本群。`);
    await ctx.reply(card);
  });

  bot.command({ names: ['调整月份'], id: 'schedule.move', summary: '调整某项活动的月份（在计划安排表卡片中选择活动和月份）', example: '@主题日助手 调整月份', audience: 'coordinator' }, coordinatorOnly, async (ctx, message, args) => {
    const { year } = splitYearArg(args);
    const campaign = await resolveCampaign(ctx.tx, 'reviewing', { now: ctx.now, year });
    if (!campaign) return ctx.reply(year !== undefined ? noCampaignForYear(year) : NO_CAMPAIGN);
    await ctx.reply(await buildWorkCard(ctx.tx, campaign));
  });

  bot.command(
    { names: ['发布计划'], id: 'schedule.publish', summary: '发布计划安排表到各单位工作群（发布前先确认）', example: '@主题日助手 发布计划', audience: 'coordinator' },
    coordinatorOnly,
    inStage('publish', 'reviewing'),
    async (ctx, message, args) => {
      const { year } = splitYearArg(args);
      const campaign = await resolveCampaign(ctx.tx, 'reviewing', { now: ctx.now, year });
      if (!campaign) return ctx.reply(year !== undefined ? noCampaignForYear(year) : NO_CAMPAIGN);
      await ctx.reply(await buildPublishConfirm(ctx.tx, campaign, ctx.now));
    },
  );

  bot.action(scheduleActions.view, coordinatorOnly, async (ctx, v) => {
    const campaign = await campaignFor(ctx.tx, 'reviewing', { now: ctx.now, campaignId: v.campaignId });
    if (!campaign) return answer.warning(NO_CAMPAIGN);
    return { card: await buildWorkCard(ctx.tx, campaign) };
  });

  bot.action(scheduleActions.publishAsk, coordinatorOnly, async (ctx, v) => {
    const campaign = await campaignFor(ctx.tx, 'reviewing', { now: ctx.now, campaignId: v.campaignId });
    if (!campaign) return answer.warning(NO_CAMPAIGN);
    return { card: await buildPublishConfirm(ctx.tx, campaign, ctx.now) };
  });

  bot.action(scheduleActions.publish, coordinatorOnly, async (ctx, v, action) => {
    const campaign = await campaignFor(ctx.tx, 'reviewing', { now: ctx.now, campaignId: v.campaignId });
    if (!campaign) return answer.warning(NO_CAMPAIGN);
    const expected = v.version;
    const close = v.close;
    // While 申报 is open, publishing closes it only on the button that says so (an older card
    // without the choice is answered with the current preview, nothing happens).
    if (collectionOpen(campaign.status) && close === undefined) {
      return answer.warning('请先确认发布后申报是否截止', await buildPublishConfirm(ctx.tx, campaign, ctx.now));
    }
    const check = await checkPublishable(ctx.tx, campaign, expected);
    if (!check.ok && check.unchanged && close === true && collectionOpen(campaign.status)) {
      await closeCollection(ctx, campaign, 'closed on the publish card (schedule unchanged)');
      await refreshProgressCards(ctx, campaign.id);
      return answer.success('申报已截止', noticeCard('申报已截止', ['计划安排表未变化，沿用已发布的版本。', '如需补报，可发送“重新开放 单位名”。'], 'green'));
    }
    if (!check.ok) return answer.warning(check.message, await buildPublishConfirm(ctx.tx, campaign, ctx.now));
    // Freezing the version and fanning the schedule out to every unit writes a few hundred KB:
    // it runs in its own transaction after this callback has answered, and the card is updated
    // with the outcome through the callback's token. The expected version keeps it to once.
    const services = ctx.services;
    const actor = ctx.actor;
    const token = action.token;
    const eventId = ctx.eventId;
    const title = PLAN_DEFAULTS.scheduleTitle(campaign.year);
    ctx.afterCommit(async () => {
      await withContext(
        services,
        actor,
        async (c) => {
          const result = await publishSchedule(c, campaign, check.version, { closeCollection: close !== false });
          if (result.ok && close !== false) await refreshProgressCards(c, campaign.id);
          const card = result.ok
            ? publishedDoneCard({ title, version: result.version, count: result.rows.length, notifiedUnits: result.notifiedUnitIds.length, at: shanghaiDateTime(c.now) })
            : noticeCard('计划安排表未发布', [result.message], 'orange');
          if (token) await c.enqueue(`schedule-publish-done:${eventId}`, { op: 'card_update', token, card });
        },
        { eventId: `${eventId}:publish` },
      );
    });
    return answer.info(`正在发布第 ${check.version} 版…`, publishingCard({ title, version: check.version }));
  });

  bot.action(scheduleActions.move, coordinatorOnly, async (ctx, v, action) => {
    const campaign = await campaignFor(ctx.tx, 'reviewing', { now: ctx.now, campaignId: v.campaignId });
    if (!campaign) return answer.warning(NO_CAMPAIGN);
    const form = action.formValue ?? {};
    const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v).trim() : '');
    const monthRaw = str(form.month);
    const noRaw = str(form.no);
    const draft = { themeId: str(form.theme) || undefined, no: noRaw || undefined, month: monthRaw || undefined };
    let themeId = draft.themeId ?? '';
    let error: string | undefined;
    if (!themeId && noRaw) {
      // By row number: only valid against the order the card showed.
      const rows = sortRows(await currentScheduleRows(ctx.tx, campaign.id));
      const no = Number(asciiDigits(noRaw).replace(/^#/, ''));
      if (v.order !== undefined && v.order !== orderToken(rows)) error = '计划安排表已有变化，序号可能已变，请核对刷新后的列表再调整';
      else if (!Number.isInteger(no) || no < 1 || no > rows.length) error = `活动编号应为 1-${rows.length} 的数字（你输入的是：${quoteInput(noRaw)}）`;
      else themeId = rows[no - 1]!.themeId;
    }
    const month = monthSchema.safeParse(monthRaw);
    if (!error && !themeId) error = '请选择要调整的活动';
    if (!error && !month.success) error = '请选择 1-12 月';
    if (error || !month.success) {
      const message = error ?? '请选择 1-12 月';
      return answer.error(message, await buildWorkCard(ctx.tx, campaign, { ...draft, error: message }));
    }
    const result = await moveThemeMonth(ctx, campaign, { themeId, month: month.data });
    if (!result.ok) return answer.warning(result.message, await buildWorkCard(ctx.tx, campaign, { ...draft, error: result.message }));
    const toast = result.mode === 'notify' ? `已调整到${result.to}月，已通知单位` : `已请单位确认调整到${result.to}月`;
    return answer.success(toast, await buildWorkCard(ctx.tx, campaign));
  });

  bot.action(scheduleActions.moveReply, async (ctx, v) => {
    const theme = await moveTarget(ctx.tx, v.themeId);
    if (!theme) return answer.warning('找不到这个活动');
    if (!(await ctx.is('liaison-of', theme.unitId))) {
      return ctx.deny(`只有${theme.unitName}的联系人可以确认本单位的月份调整。`, { action: 'schedule.move_reply', entity: 'Theme', entityId: theme.id, reason: 'not a liaison of the unit' });
    }
    const result = await replyToMove(ctx, { themeId: theme.id, toMonth: v.month, accept: v.accept });
    if (!result.ok) return answer.info(result.message);
    return {
      toast: { type: 'success', content: result.accepted ? '已同意调整' : '已回复不同意' },
      card: moveAnsweredCard({ accepted: result.accepted, title: result.title, from: result.from, to: result.to }),
    };
  });
}

export const scheduleFeature = { register: registerSchedule };
