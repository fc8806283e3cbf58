// calendar/v4: a shared calendar and its events (create with idempotency key, patch, delete).
import type { Request } from 'express';
import type { EmulatorCore } from '../core.ts';
import { newCalendarEventId, newCalendarId } from '../ids.ts';
import type { EmuCalendarEvent } from '../types.ts';
import { ApiError, fieldValidation, isRecord, ok, str, type RegisterApi } from './kit.ts';

export function registerCalendarApi(api: RegisterApi, core: EmulatorCore): void {
  const calendarGuard = (): void => {
    if (!core.faults.calendarGranted) {
      throw new ApiError(
        400,
        99991672,
        `Access denied. One of the following scopes is required: [calendar:calendar]. 应用尚未开通所需的应用身份权限：[calendar:calendar]，点击链接申请并开通任一权限即可：https://open.feishu.cn/app/${core.options.appId}/auth?q=calendar:calendar&op_from=openapi&token_type=tenant`,
      );
    }
  };

  api('post', '/open-apis/calendar/v4/calendars', (req, res) => {
    calendarGuard();
    const body = isRecord(req.body) ? req.body : {};
    const cal = {
      calendarId: newCalendarId(),
      summary: str(body.summary) ?? '',
      description: str(body.description) ?? '',
      permissions: str(body.permissions) ?? 'private',
      color: typeof body.color === 'number' ? body.color : -1,
      createdAt: core.clock(),
    };
    core.calendarsById.set(cal.calendarId, cal);
    ok(res, {
      calendar: {
        calendar_id: cal.calendarId,
        summary: cal.summary,
        description: cal.description,
        permissions: cal.permissions,
        color: cal.color,
        type: 'shared',
        summary_alias: str(body.summary_alias) ?? '',
        is_deleted: false,
        is_third_party: false,
        role: 'owner',
      },
    });
  });

  const calendarOf = (req: Request): string => {
    const id = String(req.params.calendar_id);
    if (!core.calendarsById.has(id)) throw new ApiError(400, 191001, 'invalid calendar_id');
    return id;
  };

  api('post', '/open-apis/calendar/v4/calendars/:calendar_id/events', (req, res) => {
    calendarGuard();
    const calendarId = calendarOf(req);
    const idem = str(req.query.idempotency_key);
    if (idem) {
      const existing = core.eventIdempotency.get(`${calendarId}:${idem}`);
      const ev = existing ? core.eventsById.get(existing) : undefined;
      if (ev) return ok(res, { event: toApiEvent(ev) });
    }
    const body = isRecord(req.body) ? req.body : {};
    if (!isTime(body.start_time)) throw fieldValidation('start_time', 'is required ({timestamp} or {date})');
    if (!isTime(body.end_time)) throw fieldValidation('end_time', 'is required ({timestamp} or {date})');
    const { summary, description, start_time, end_time, ...extra } = body;
    const now = core.clock();
    const ev: EmuCalendarEvent = {
      calendarId,
      eventId: newCalendarEventId(),
      summary: str(summary) ?? '',
      description: str(description) ?? '',
      startTime: start_time,
      endTime: end_time,
      extra,
      status: 'confirmed',
      createdAt: now,
      updatedAt: now,
    };
    core.eventsById.set(ev.eventId, ev);
    if (idem) core.eventIdempotency.set(`${calendarId}:${idem}`, ev.eventId);
    ok(res, { event: toApiEvent(ev) });
  });

  const eventOf = (req: Request): EmuCalendarEvent => {
    const calendarId = calendarOf(req);
    const ev = core.eventsById.get(String(req.params.event_id));
    if (!ev || ev.calendarId !== calendarId || ev.status === 'cancelled') throw new ApiError(400, 193001, 'event not found');
    return ev;
  };

  api('patch', '/open-apis/calendar/v4/calendars/:calendar_id/events/:event_id', (req, res) => {
    calendarGuard();
    const ev = eventOf(req);
    const body = isRecord(req.body) ? req.body : {};
    const { summary, description, start_time, end_time, ...extra } = body;
    if (start_time !== undefined) {
      if (!isTime(start_time)) throw fieldValidation('start_time', 'must be {timestamp} or {date}');
      ev.startTime = start_time;
    }
    if (end_time !== undefined) {
      if (!isTime(end_time)) throw fieldValidation('end_time', 'must be {timestamp} or {date}');
      ev.endTime = end_time;
    }
    if (typeof summary === 'string') ev.summary = summary;
    if (typeof description === 'string') ev.description = description;
    ev.extra = { ...ev.extra, ...extra };
    ev.updatedAt = core.clock();
    ok(res, { event: toApiEvent(ev) });
  });

  api('delete', '/open-apis/calendar/v4/calendars/:calendar_id/events/:event_id', (req, res) => {
    calendarGuard();
    const ev = eventOf(req);
    ev.status = 'cancelled';
    ev.updatedAt = core.clock();
    ok(res, {});
  });
}

function toApiEvent(ev: EmuCalendarEvent): Record<string, unknown> {
  return {
    ...ev.extra,
    event_id: ev.eventId,
    organizer_calendar_id: ev.calendarId,
    summary: ev.summary,
    description: ev.description,
    start_time: ev.startTime,
    end_time: ev.endTime,
    status: ev.status,
    create_time: String(Math.floor(ev.createdAt.getTime() / 1000)),
  };
}

function isTime(v: unknown): v is Record<string, unknown> {
  return isRecord(v) && (typeof v.timestamp === 'string' || typeof v.date === 'string');
}
