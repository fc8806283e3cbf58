// One Feishu calendar per campaign that units can subscribe to, with an all-day event spanning the
// month of each scheduled activity (the plan fixes months, not days). Runs after the publish has
// committed: calendar calls are not messages, and a missing calendar permission must not undo or
// block the publish — the coordinator gets one note per publish instead.
import type { AppServices } from '../../app/bot.ts';
import { withContext } from '../../app/context.ts';
import { coordinatorChatIds } from '../../app/access.ts';
import { FeishuApiError } from '../../ports/feishu.ts';
import { formLabel } from '../../domain/campaign.ts';
import { monthEventDates, type ScheduleRow } from '../../domain/schedule.ts';
import { escapeMarkdown, noticeCard } from '../../../cards/kit.ts';

export const calendarKey = (campaignId: string) => `calendar:${campaignId}`;
/** Set when a sync did not finish: the next one refreshes every event, not only this version's changes. */
const dirtyKey = (campaignId: string) => `calendar-dirty:${campaignId}`;

/** Feishu answers 99991672 (scope not granted) or HTTP 403 when the app may not use calendars. */
export function isCalendarPermissionError(error: unknown): boolean {
  return error instanceof FeishuApiError && (error.code === 99991672 || error.httpStatus === 403 || error.code === 190002 || error.code === 191002);
}

/** Tries per calendar call when Feishu answers with its rate limit. */
const RATE_LIMIT_TRIES = 4;

/**
 * One calendar call, retried after Feishu's rate limit (HTTP 429 / 99991400, waiting the
 * x-ogw-ratelimit-reset it gives, else 1 s: "将来自该客户端的任何进一步操作限制在一段时间内",
 * https://open.feishu.cn/document/server-docs/api-call-guide/frequency-control). These calls go
 * straight through the gateway, not the outbox's paced worker: a county's plan (every unit's
 * event, 50/s per API) can trip the limit, which used to leave those events for the next publish.
 */
async function withRateLimitRetry<T>(call: () => Promise<T>, sleep: (ms: number) => Promise<void>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof FeishuApiError) || error.kind !== 'rate_limit' || attempt >= RATE_LIMIT_TRIES) throw error;
      await sleep(Math.min(10, Math.max(1, error.retryAfterSeconds ?? 1)) * 1000);
    }
  }
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface CalendarSyncInput {
  campaignId: string;
  year: number;
  title: string;
  version: number;
  rows: readonly ScheduleRow[];
  /** themes whose row changed in this version (events of unchanged rows are left alone) */
  changedThemeIds: ReadonlySet<string>;
  actor: string;
}

export interface CalendarSyncResult {
  status: 'done' | 'no_permission' | 'partial';
  created: number;
  updated: number;
  deleted: number;
  failed: number;
}

function eventText(row: ScheduleRow): { summary: string; description: string } {
  return {
    summary: `【政务公开主题日】${row.unitName}：${row.title}`.slice(0, 250),
    description: `活动时间：${row.month}月\n活动形式：${row.forms.map(formLabel).join('、')}\n承办单位：${row.unitName}${row.contactName ? `\n联系人：${row.contactName}` : ''}`,
  };
}

export async function syncCalendar(services: AppServices, input: CalendarSyncInput, sleep: (ms: number) => Promise<void> = realSleep): Promise<CalendarSyncResult> {
  const { db, gateway, log } = services;
  const result: CalendarSyncResult = { status: 'done', created: 0, updated: 0, deleted: 0, failed: 0 };
  const dirty = (await db.keyValue.findUnique({ where: { key: dirtyKey(input.campaignId) } })) !== null;
  try {
    let calendarId = (await db.keyValue.findUnique({ where: { key: calendarKey(input.campaignId) } }))?.value;
    if (!calendarId) {
      const created = await gateway.createCalendar({ summary: `${input.title}`, description: '县政务公开办发布的“政务公开主题日”活动计划，每项活动显示为其所在月份的全天日程。' });
      calendarId = created.calendarId;
      await db.keyValue.upsert({ where: { key: calendarKey(input.campaignId) }, create: { key: calendarKey(input.campaignId), value: calendarId }, update: { value: calendarId } });
      await noteCoordinator(services, input, 'created', `已创建公共日历「${input.title}」，每项活动显示为所在月份的全天日程。各单位可在飞书日历中点“订阅日历”，搜索该名称后订阅（日历 ID：${calendarId}）。`, '活动日历已创建', 'green');
    }
    const existing = await db.calendarEvent.findMany({ where: { theme: { submission: { campaignId: input.campaignId } } } });
    const byTheme = new Map(existing.map((e) => [e.themeId, e]));
    const wanted = new Set(input.rows.map((r) => r.themeId));
    for (const row of input.rows) {
      const ev = byTheme.get(row.themeId);
      const dates = monthEventDates(input.year, row.month);
      const text = eventText(row);
      try {
        if (!ev) {
          const { eventId } = await withRateLimitRetry(() => gateway.createCalendarEvent({ calendarId, ...text, ...dates, idempotencyKey: `${row.themeId}-v${input.version}` }), sleep);
          await db.calendarEvent.upsert({ where: { themeId: row.themeId }, create: { themeId: row.themeId, calendarId, eventId }, update: { calendarId, eventId } });
          result.created++;
        } else if (dirty || input.changedThemeIds.has(row.themeId) || ev.calendarId !== calendarId) {
          await withRateLimitRetry(() => gateway.updateCalendarEvent({ calendarId: ev.calendarId, eventId: ev.eventId, ...text, ...dates }), sleep);
          await db.calendarEvent.update({ where: { themeId: row.themeId }, data: { updatedAt: services.clock.now() } });
          result.updated++;
        }
      } catch (error) {
        if (isCalendarPermissionError(error)) throw error;
        result.failed++;
        log.warn('calendar event sync failed', { themeId: row.themeId, error });
      }
    }
    for (const ev of existing) {
      if (wanted.has(ev.themeId)) continue;
      try {
        await withRateLimitRetry(() => gateway.deleteCalendarEvent({ calendarId: ev.calendarId, eventId: ev.eventId }), sleep);
        await db.calendarEvent.delete({ where: { themeId: ev.themeId } });
        result.deleted++;
      } catch (error) {
        if (isCalendarPermissionError(error)) throw error;
        result.failed++;
        log.warn('calendar event delete failed', { themeId: ev.themeId, error });
      }
    }
    if (result.failed > 0) {
      result.status = 'partial';
      await noteCoordinator(services, input, 'partial', `日历同步有 ${result.failed} 项未成功（其余已同步），下次发布计划时会重试。`);
    }
  } catch (error) {
    if (!isCalendarPermissionError(error)) {
      log.error('calendar sync failed', { campaignId: input.campaignId, error });
      result.status = 'partial';
      await noteCoordinator(services, input, 'error', '计划已发布，但同步飞书日历失败（网络或服务异常），下次发布计划时会重试。');
      return result;
    }
    result.status = 'no_permission';
    log.warn('calendar permission missing; schedule published without calendar events', { campaignId: input.campaignId });
    await noteCoordinator(services, input, 'permission', '计划已发布，但应用没有飞书日历权限，未创建活动日程。请管理员在开发者后台为应用开通“日历”权限（calendar:calendar）并发布版本，之后再次发布计划即可补建日程。');
  }
  if (result.status === 'done') await db.keyValue.deleteMany({ where: { key: dirtyKey(input.campaignId) } });
  else await db.keyValue.upsert({ where: { key: dirtyKey(input.campaignId) }, create: { key: dirtyKey(input.campaignId), value: `v${input.version}` }, update: { value: `v${input.version}` } });
  return result;
}

async function noteCoordinator(services: AppServices, input: CalendarSyncInput, kind: string, text: string, title = '飞书日历未同步', template: 'orange' | 'green' = 'orange'): Promise<void> {
  await withContext(services, input.actor, async (ctx) => {
    const chats = await coordinatorChatIds(ctx.tx, ctx.config.coordinatorChatId);
    const card = noticeCard(title, [escapeMarkdown(text)], template);
    const targets = chats.length > 0 ? chats.map((chatId) => ({ chatId })) : [{ openId: input.actor }];
    for (const to of targets) {
      await ctx.enqueue(`calendar-note:${input.campaignId}:v${input.version}:${kind}:${'chatId' in to ? to.chatId : to.openId}`, { op: 'send', to, card });
    }
    await ctx.audit({ action: kind === 'created' ? 'schedule.calendar_created' : 'schedule.calendar_skipped', entity: 'Campaign', entityId: input.campaignId, reason: kind, after: { version: input.version } });
  });
}
