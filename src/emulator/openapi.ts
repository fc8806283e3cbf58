// The Open API subset the bot uses, answering with Feishu's envelopes, error codes and limits.
// Paths, params and bodies follow @larksuiteoapi/node-sdk 1.74 lib/index.js.
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { cardErrorMsg, validateCard, validateCardContent } from './card-schema.ts';
import { CARD_TOKEN_MAX_USES, CARD_TOKEN_TTL_MS, safeJson, type EmulatorCore } from './core.ts';
import { newCalendarEventId, newCalendarId, newFileKey, newImageKey, newLogId, newTenantToken } from './ids.ts';
import { multipartParts, partsOf, type MultipartPart } from './multipart.ts';
import { missingScopesFor, scopeDeniedMessage } from './scopes.ts';
import type { ApiCallRecord, EmuChat, EmuMessage, EmuCalendarEvent } from './types.ts';

const TOKEN_TTL_S = 7200;
const TOKEN_RENEW_BELOW_S = 30 * 60;
const UUID_WINDOW_MS = 60 * 60_000;
const PATCH_WINDOW_MS = 14 * 24 * 60 * 60_000;
/**
 * im/v1/messages: the request body may be at most 30 KB for a card (interactive) or post message and 150 KB
 * for text, else 230025 — https://open.feishu.cn/document/server-docs/im-v1/message/create . The body, not
 * the card: `content` is the card JSON stringified inside the JSON body, so its quotes count twice.
 */
const CARD_MAX_BYTES = 30 * 1024;
const TEXT_MAX_BYTES = 150 * 1024;
const IMAGE_MAX_BYTES = 10 * 1024 * 1024;
const FILE_MAX_BYTES = 30 * 1024 * 1024;

type Handler = (req: Request, res: Response) => void | Promise<void>;

class ApiError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: number,
    msg: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(msg);
  }
}

const invalidParam = (ext: string): ApiError => new ApiError(400, 230001, `Your request contains an invalid request parameter, ext=${ext}`);
const fieldValidation = (field: string, description: string): ApiError => new ApiError(400, 99992402, `field validation failed: ${field} ${description}`);
const botNotInChat = (): ApiError => new ApiError(400, 230002, 'Bot/User can NOT be out of the chat.');
const rateLimited = (): ApiError => new ApiError(400, 230020, 'This operation triggers the frequency limit.');
const tooLong = (): ApiError => new ApiError(400, 230025, 'The length of the message content reaches its limit.');
const cardInvalid = (subCode: number, message: string): ApiError => new ApiError(400, 230099, cardErrorMsg(subCode, message));

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function errorBody(code: number, msg: string): Record<string, unknown> {
  const logId = newLogId();
  return { code, msg, error: { log_id: logId, troubleshooter: `排查建议查看(Troubleshooting suggestions): https://open.feishu.cn/search?from=openapi&log_id=${logId}&code=${code}&method_id=0` } };
}

function ok(res: Response, data: unknown): void {
  res.status(200).json({ code: 0, msg: 'success', data });
}

export function buildOpenApiRouter(core: EmulatorCore): Router {
  const router = express.Router();
  const json = express.json({
    limit: '5mb',
    type: () => true,
    verify: (req, _res, buf) => {
      (req as Request & { bodyBytes?: number }).bodyBytes = buf.length;
    },
  });
  const raw = express.raw({ limit: '64mb', type: () => true });

  /** Wraps a handler: call log, faults, auth, app-level rate limit, error envelopes. */
  const api = (method: 'get' | 'post' | 'patch' | 'delete', pattern: string, handler: Handler, opts: { auth?: boolean; multipart?: boolean } = {}): void => {
    const limiterKey = `${method.toUpperCase()} ${pattern}`;
    router[method](pattern, ...(opts.multipart ? [raw, multipartParts] : [json]), async (req: Request, res: Response, next: NextFunction) => {
      const started = performance.now();
      const record: ApiCallRecord = {
        method: req.method,
        path: req.path,
        query: { ...(req.query as Record<string, unknown>) },
        body: undefined,
        status: 0,
        code: undefined,
        at: core.clock(),
        ms: 0,
      };
      record.body = opts.multipart ? summariseMultipart(req) : req.body;
      core.logCall(record);
      res.locals.emuRecord = record;
      let dropAfter = false;
      const originalJson = res.json.bind(res);
      res.json = ((body: unknown) => {
        record.status = res.statusCode;
        record.ms = Math.round(performance.now() - started);
        if (isRecord(body)) {
          if (typeof body.code === 'number') record.code = body.code;
          if (typeof body.msg === 'string') record.msg = body.msg;
        }
        if (dropAfter) {
          record.fault = 'drop-after-effect';
          req.socket.destroy();
          return res;
        }
        return originalJson(body);
      }) as Response['json'];
      try {
        const decision = core.faults.decide(req.method, req.path);
        if (decision.latencyMs > 0) await sleep(decision.latencyMs);
        if (decision.kind === 'drop' && !decision.afterEffect) {
          record.fault = 'drop';
          record.ms = Math.round(performance.now() - started);
          req.socket.destroy();
          return;
        }
        if (decision.kind === '5xx') {
          record.fault = '5xx';
          res.status(500).json(errorBody(1500, 'Internal Server Error (emulator fault)'));
          return;
        }
        if (decision.kind === '429') {
          record.fault = '429';
          throw new ApiError(429, 99991400, 'request trigger frequency limit', { 'x-ogw-ratelimit-limit': String(core.rateLimits ? core.rateLimits.appQps : 50), 'x-ogw-ratelimit-reset': String(decision.resetSeconds) });
        }
        if (decision.kind === 'drop') dropAfter = true;
        if (opts.auth !== false) checkAuth(core, req);
        const missing = missingScopesFor(method, pattern, core.faults.revokedScopes);
        if (missing) throw new ApiError(400, 99991672, scopeDeniedMessage(core.options.appId, missing));
        if (core.rateLimits) {
          const { appQps, appQpm } = core.rateLimits;
          const secKey = `app-s:${limiterKey}`;
          const minKey = `app-m:${limiterKey}`;
          if (!core.hit(secKey, appQps, 1000)) {
            throw new ApiError(429, 99991400, 'request trigger frequency limit', { 'x-ogw-ratelimit-limit': String(appQps), 'x-ogw-ratelimit-reset': String(core.resetSeconds(secKey, 1000)) });
          }
          if (!core.hit(minKey, appQpm, 60_000)) {
            throw new ApiError(429, 99991400, 'request trigger frequency limit', { 'x-ogw-ratelimit-limit': String(appQpm), 'x-ogw-ratelimit-reset': String(core.resetSeconds(minKey, 60_000)) });
          }
        }
        await handler(req, res);
      } catch (error) {
        if (error instanceof ApiError) {
          res.set(error.headers);
          res.status(error.httpStatus).json(errorBody(error.code, error.message));
          return;
        }
        next(error);
      }
    });
  };

  // ---------- auth ----------
  api(
    'post',
    '/open-apis/auth/v3/tenant_access_token/internal',
    (req, res) => {
      const body = isRecord(req.body) ? req.body : {};
      if (body.app_id !== core.options.appId) throw new ApiError(400, 10003, 'invalid param');
      if (body.app_secret !== core.options.appSecret) throw new ApiError(400, 10014, 'app secret invalid');
      // Real time, not the injectable clock: the SDK caches tokens by wall time and never refreshes on
      // 99991663, so a test that jumps the bot's clock forward must not invalidate them.
      const now = Date.now();
      let current = core.tenantToken;
      // Feishu returns the same token while ≥30 min remain, a new one (old stays valid) otherwise.
      if (!current || current.expiresAt - now < TOKEN_RENEW_BELOW_S * 1000) {
        current = { token: newTenantToken(), expiresAt: now + TOKEN_TTL_S * 1000 };
        core.tenantToken = current;
        core.validTokens.set(current.token, current.expiresAt);
      }
      res.json({ code: 0, msg: 'ok', tenant_access_token: current.token, expire: Math.floor((current.expiresAt - now) / 1000) });
    },
    { auth: false },
  );

  api('get', '/open-apis/bot/v3/info', (_req, res) => {
    res.json({ code: 0, msg: 'ok', bot: { activate_status: 2, app_name: core.botName, avatar_url: '', ip_white_list: [], open_id: core.botOpenId } });
  });

  // ---------- messages ----------
  api('post', '/open-apis/im/v1/messages', (req, res) => {
    const receiveIdType = str(req.query.receive_id_type);
    if (!receiveIdType) throw fieldValidation('receive_id_type', 'is required');
    if (!['chat_id', 'open_id', 'union_id', 'user_id', 'email'].includes(receiveIdType)) throw fieldValidation('receive_id_type', 'must be one of open_id, union_id, user_id, email, chat_id');
    const body = isRecord(req.body) ? req.body : {};
    const receiveId = str(body.receive_id);
    if (!receiveId) throw fieldValidation('receive_id', 'is required');
    const chat = resolveReceiver(core, receiveIdType, receiveId);
    const duplicate = checkUuid(core, body.uuid);
    if (duplicate) return ok(res, toApiMessage(core, duplicate));
    const prepared = prepareContent(core, body, req);
    if (!chat.botMember) throw botNotInChat();
    perReceiverLimit(core, chat);
    const extra: { uuid?: string; card?: Record<string, unknown> } = {};
    if (typeof body.uuid === 'string' && body.uuid) extra.uuid = body.uuid;
    if (prepared.card) extra.card = prepared.card;
    const m = core.appMessage(chat, prepared.msgType, prepared.content, extra);
    if (extra.uuid) core.uuidIndex.set(extra.uuid, { messageId: m.messageId, at: core.nowMs() });
    ok(res, toApiMessage(core, m));
  });

  api('post', '/open-apis/im/v1/messages/:message_id/reply', (req, res) => {
    const parent = core.messagesById.get(String(req.params.message_id));
    if (!parent) throw invalidParam('invalid message_id');
    const chat = core.chatsById.get(parent.chatId);
    if (!chat) throw invalidParam('invalid message_id');
    const body = isRecord(req.body) ? req.body : {};
    const duplicate = checkUuid(core, body.uuid);
    if (duplicate) return ok(res, toApiMessage(core, duplicate));
    const prepared = prepareContent(core, body, req);
    if (!chat.botMember) throw botNotInChat();
    perReceiverLimit(core, chat);
    const extra: { uuid?: string; card?: Record<string, unknown>; parentId: string } = { parentId: parent.messageId };
    if (typeof body.uuid === 'string' && body.uuid) extra.uuid = body.uuid;
    if (prepared.card) extra.card = prepared.card;
    const m = core.appMessage(chat, prepared.msgType, prepared.content, extra);
    if (extra.uuid) core.uuidIndex.set(extra.uuid, { messageId: m.messageId, at: core.nowMs() });
    ok(res, toApiMessage(core, m));
  });

  api('patch', '/open-apis/im/v1/messages/:message_id', (req, res) => {
    const m = core.messagesById.get(String(req.params.message_id));
    if (!m) throw invalidParam('invalid message_id');
    if (m.senderType !== 'app') throw new ApiError(400, 230027, 'Lack of necessary permissions. ext=only the sender can update the message');
    if (m.msgType !== 'interactive' || !m.card) throw invalidParam('only interactive (card) messages can be updated');
    if (core.nowMs() - m.createdAt.getTime() > PATCH_WINDOW_MS) throw new ApiError(400, 230031, 'Message can only be modified within 14 days after sending.');
    const body = isRecord(req.body) ? req.body : {};
    const content = str(body.content);
    if (content === undefined) throw fieldValidation('content', 'is required');
    if (Math.max(Buffer.byteLength(content), requestBytes(req)) > CARD_MAX_BYTES) throw tooLong();
    const v = validateCardContent(content, { knownImageKeys: core.appImageKeys() });
    if (!v.ok) throw cardInvalid(v.subCode, v.message);
    const card = v.card as Record<string, unknown>;
    if (m.card.schema === '2.0' && card.schema !== '2.0') throw cardInvalid(200830, 'a card of schema 2.0 can only be updated to schema 2.0');
    if (core.rateLimits && !core.hit(`patch:${m.messageId}`, core.rateLimits.perMessageQps, 1000)) throw rateLimited();
    core.replaceCard(m, card, 'patch');
    res.json({ code: 0, msg: 'success', data: {} });
  });

  api('patch', '/open-apis/im/v1/messages/:message_id/urgent_app', (req, res) => {
    const userIdType = str(req.query.user_id_type);
    if (!userIdType) throw fieldValidation('user_id_type', 'is required');
    if (userIdType !== 'open_id') throw fieldValidation('user_id_type', 'the emulator supports open_id only');
    const m = core.messagesById.get(String(req.params.message_id));
    if (!m) throw invalidParam('invalid message_id');
    if (m.senderType !== 'app') throw new ApiError(400, 230012, 'Bot is NOT the sender of the message.');
    const chat = core.chatsById.get(m.chatId);
    if (!chat?.botMember) throw botNotInChat();
    const body = isRecord(req.body) ? req.body : {};
    const list = Array.isArray(body.user_id_list) ? body.user_id_list.filter((x): x is string => typeof x === 'string') : [];
    if (list.length === 0) throw fieldValidation('user_id_list', 'is required');
    const valid = list.filter((id) => core.isMember(chat, id));
    const invalid = list.filter((id) => !core.isMember(chat, id));
    if (valid.length === 0) throw invalidParam('invalid user_id_list: no user is in the chat');
    m.urgentRecipients.push(...valid);
    core.emit('update', m);
    ok(res, { invalid_user_id_list: invalid });
  });

  api('get', '/open-apis/im/v1/messages', (req, res) => {
    if (str(req.query.container_id_type) !== 'chat') throw fieldValidation('container_id_type', 'must be chat');
    const chatId = str(req.query.container_id);
    if (!chatId) throw fieldValidation('container_id', 'is required');
    const chat = core.chatsById.get(chatId);
    if (!chat) throw invalidParam('invalid container_id');
    if (!chat.botMember) throw botNotInChat();
    const start = Number(str(req.query.start_time) ?? '0') * 1000;
    const endRaw = str(req.query.end_time);
    const end = endRaw === undefined ? Number.POSITIVE_INFINITY : Number(endRaw) * 1000;
    const pageSize = clamp(Number(str(req.query.page_size) ?? '20'), 1, 50);
    const desc = str(req.query.sort_type) === 'ByCreateTimeDesc';
    let items = core.messages(chatId).filter((m) => m.createdAt.getTime() >= start && m.createdAt.getTime() <= end);
    if (desc) items = items.reverse();
    const offset = decodePageToken(str(req.query.page_token));
    const page = items.slice(offset, offset + pageSize);
    const hasMore = offset + pageSize < items.length;
    const data: Record<string, unknown> = { has_more: hasMore, items: page.map((m) => toApiMessage(core, m)) };
    if (hasMore) data.page_token = encodePageToken(offset + pageSize);
    ok(res, data);
  });

  api('get', '/open-apis/im/v1/messages/:message_id/resources/:file_key', (req, res) => {
    const m = core.messagesById.get(String(req.params.message_id));
    if (!m) throw new ApiError(400, 234003, 'File not in msg.');
    const key = String(req.params.file_key);
    if (m.imageKey !== key && m.fileKey !== key) throw new ApiError(400, 234003, 'File not in msg.');
    const type = str(req.query.type);
    const file = core.files.get(key);
    if (!file) throw new ApiError(400, 234003, 'File not in msg.');
    if (type !== file.kind) throw new ApiError(400, 234001, `Invalid request param. ext=type must be ${file.kind}`);
    const chat = core.chatsById.get(m.chatId);
    if (!chat?.botMember) throw new ApiError(400, 234004, 'App not in chat.');
    record(res, 200, 0);
    res.status(200);
    res.set('content-type', file.kind === 'image' ? guessImageType(file.name) : 'application/octet-stream');
    res.set('content-disposition', `attachment; filename="${encodeURIComponent(file.name)}"`);
    res.send(file.bytes);
  });

  // ---------- uploads (multipart) ----------
  api(
    'post',
    '/open-apis/im/v1/images',
    (req, res) => {
      const parts = multipartOf(req);
      const imageType = parts.find((p) => p.name === 'image_type')?.data.toString('utf8');
      if (!imageType || !['message', 'avatar'].includes(imageType)) throw fieldValidation('image_type', 'must be message or avatar');
      const image = parts.find((p) => p.name === 'image');
      if (!image) throw fieldValidation('image', 'is required');
      if (image.data.length === 0) throw new ApiError(400, 234010, 'File size can not be 0.');
      if (image.data.length > IMAGE_MAX_BYTES) throw new ApiError(400, 234006, 'The file size exceeds the limit (image ≤ 10 MB).');
      const key = newImageKey();
      core.files.set(key, { key, kind: 'image', name: image.filename ?? 'image', size: image.data.length, bytes: image.data, owner: 'app' });
      ok(res, { image_key: key });
    },
    { multipart: true },
  );

  api(
    'post',
    '/open-apis/im/v1/files',
    (req, res) => {
      const parts = multipartOf(req);
      const field = (name: string): string | undefined => parts.find((p) => p.name === name)?.data.toString('utf8');
      const fileType = field('file_type');
      if (!fileType || !['opus', 'mp4', 'pdf', 'doc', 'xls', 'ppt', 'stream'].includes(fileType)) throw fieldValidation('file_type', 'must be opus, mp4, pdf, doc, xls, ppt or stream');
      const fileName = field('file_name');
      if (!fileName) throw fieldValidation('file_name', 'is required');
      const file = parts.find((p) => p.name === 'file');
      if (!file) throw fieldValidation('file', 'is required');
      if (file.data.length === 0) throw new ApiError(400, 234010, 'File size can not be 0.');
      if (file.data.length > FILE_MAX_BYTES) throw new ApiError(400, 234006, 'The file size exceeds the limit (file ≤ 30 MB).');
      const key = newFileKey();
      core.files.set(key, { key, kind: 'file', name: fileName, size: file.data.length, bytes: file.data, owner: 'app', fileType });
      ok(res, { file_key: key });
    },
    { multipart: true },
  );

  // ---------- chats ----------
  api('get', '/open-apis/im/v1/chats/:chat_id', (req, res) => {
    const chat = core.chatsById.get(String(req.params.chat_id));
    if (!chat) throw new ApiError(400, 232006, 'Your request specifies a chat_id which is invalid.');
    if (!chat.botMember) throw new ApiError(400, 232011, 'Operator can NOT be out of the chat.');
    ok(res, {
      avatar: '',
      name: chat.name,
      description: '',
      i18n_names: { zh_cn: chat.name },
      add_member_permission: 'all_members',
      share_card_permission: 'allowed',
      at_all_permission: 'all_members',
      edit_permission: 'all_members',
      owner_id_type: 'open_id',
      owner_id: chat.memberOpenIds[0] ?? '',
      chat_mode: chat.chatType === 'p2p' ? 'p2p' : 'group',
      chat_type: 'private',
      chat_tag: 'inner',
      join_message_visibility: 'all_members',
      leave_message_visibility: 'all_members',
      membership_approval: 'no_approval_required',
      moderation_permission: 'all_members',
      external: false,
      tenant_key: core.tenantKey,
      user_count: String(chat.memberOpenIds.length),
      bot_count: String(chat.botMember ? 1 : 0),
      urgent_setting: 'all_members',
      chat_status: 'normal',
    });
  });

  api('get', '/open-apis/im/v1/chats/:chat_id/members/is_in_chat', (req, res) => {
    const chat = core.chatsById.get(String(req.params.chat_id));
    if (!chat) throw new ApiError(400, 232006, 'Your request specifies a chat_id which is invalid.');
    ok(res, { is_in_chat: chat.botMember });
  });

  api('get', '/open-apis/im/v1/chats/:chat_id/members', (req, res) => {
    const chat = core.chatsById.get(String(req.params.chat_id));
    if (!chat) throw new ApiError(400, 232006, 'Your request specifies a chat_id which is invalid.');
    if (!chat.botMember) throw new ApiError(400, 232011, 'Operator can NOT be out of the chat.');
    const idType = str(req.query.member_id_type) ?? 'open_id';
    if (idType !== 'open_id') throw fieldValidation('member_id_type', 'the emulator supports open_id only');
    const pageSize = clamp(Number(str(req.query.page_size) ?? '20'), 1, 100);
    const offset = decodePageToken(str(req.query.page_token));
    const members = chat.memberOpenIds;
    const page = members.slice(offset, offset + pageSize);
    const hasMore = offset + pageSize < members.length;
    ok(res, {
      items: page.map((id) => ({ member_id_type: 'open_id', member_id: id, name: core.usersById.get(id)?.name ?? '', tenant_key: core.tenantKey })),
      page_token: hasMore ? encodePageToken(offset + pageSize) : '',
      has_more: hasMore,
      member_total: members.length,
    });
  });

  // ---------- delayed card update ----------
  api('post', '/open-apis/interactive/v1/card/update', (req, res) => {
    const body = isRecord(req.body) ? req.body : {};
    const token = str(body.token);
    if (!token) throw fieldValidation('token', 'is required');
    const state = core.cardTokens.get(token);
    if (!state) throw invalidParam('invalid token');
    if (core.nowMs() - state.issuedAt > CARD_TOKEN_TTL_MS) throw invalidParam('token expired (valid for 30 minutes)');
    if (!state.answered) throw invalidParam('the card callback has not been answered yet; update after answering it');
    if (state.uses >= CARD_TOKEN_MAX_USES) throw invalidParam(`token used up (at most ${CARD_TOKEN_MAX_USES} updates)`);
    if (!isRecord(body.card)) throw fieldValidation('card', 'is required and must be an object');
    if (Buffer.byteLength(JSON.stringify(body.card)) > CARD_MAX_BYTES) throw tooLong();
    const v = validateCard(body.card, { knownImageKeys: core.appImageKeys() });
    if (!v.ok) throw cardInvalid(v.subCode, v.message);
    const m = core.messagesById.get(state.messageId);
    if (!m?.card) throw invalidParam('the card message no longer exists');
    if (m.card.schema === '2.0' && body.card.schema !== '2.0') throw cardInvalid(200830, 'a card of schema 2.0 can only be updated to schema 2.0');
    state.uses += 1;
    core.replaceCard(m, body.card, 'delayed_update');
    res.json({ code: 0, msg: 'success', data: {} });
  });

  // ---------- calendar ----------
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
      calendar: { calendar_id: cal.calendarId, summary: cal.summary, description: cal.description, permissions: cal.permissions, color: cal.color, type: 'shared', summary_alias: str(body.summary_alias) ?? '', is_deleted: false, is_third_party: false, role: 'owner' },
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

  // Anything else under /open-apis: Feishu answers 404 for unknown paths.
  router.all('/open-apis/{*rest}', (req, res) => {
    core.logCall({ method: req.method, path: req.path, query: { ...(req.query as Record<string, unknown>) }, body: undefined, status: 404, code: undefined, at: core.clock(), ms: 0 });
    res.status(404).json({ code: 404, msg: `404 page not found (emulator does not implement ${req.method} ${req.path})` });
  });

  return router;
}

// ---------- helpers ----------

function record(res: Response, status: number, code: number): void {
  // For non-JSON answers (downloads) the json hook does not run; fill the log entry directly.
  const rec = res.locals.emuRecord as ApiCallRecord | undefined;
  if (rec) {
    rec.status = status;
    rec.code = code;
  }
}

function checkAuth(core: EmulatorCore, req: Request): void {
  const header = req.get('authorization');
  if (!header) throw new ApiError(400, 99991661, 'Missing access token for authorization. Please make a request with token attached.');
  const m = /^Bearer (.+)$/.exec(header);
  const token = m?.[1];
  const expiresAt = token ? core.validTokens.get(token) : undefined;
  if (!token || expiresAt === undefined || expiresAt <= Date.now()) {
    throw new ApiError(400, 99991663, 'Invalid access token for authorization. Please make a request with token attached.');
  }
}

function resolveReceiver(core: EmulatorCore, type: string, id: string): EmuChat {
  if (type === 'chat_id') {
    if (!id.startsWith('oc_')) throw new ApiError(400, 230034, 'The receive_id is invalid for receive_id_type chat_id.');
    const chat = core.chatsById.get(id);
    if (!chat) throw invalidParam('invalid receive_id');
    return chat;
  }
  if (type === 'open_id') {
    if (!id.startsWith('ou_')) throw new ApiError(400, 230034, 'The receive_id is invalid for receive_id_type open_id.');
    if (!core.usersById.has(id)) throw invalidParam('invalid receive_id');
    const chat = core.chatsById.get(core.p2pChatId(id));
    if (!chat) throw invalidParam('invalid receive_id');
    return chat;
  }
  throw invalidParam(`receive_id_type ${type} is not supported by the emulator (use chat_id or open_id)`);
}

function checkUuid(core: EmulatorCore, uuid: unknown): EmuMessage | undefined {
  if (uuid === undefined || uuid === '') return undefined;
  if (typeof uuid !== 'string' || uuid.length > 50) throw fieldValidation('uuid', 'must be a string of at most 50 characters');
  const hit = core.uuidIndex.get(uuid);
  if (!hit || core.nowMs() - hit.at > UUID_WINDOW_MS) return undefined;
  return core.messagesById.get(hit.messageId);
}

function perReceiverLimit(core: EmulatorCore, chat: EmuChat): void {
  if (core.rateLimits && !core.hit(`recv:${chat.chatId}`, core.rateLimits.perReceiverQps, 1000)) throw rateLimited();
}

/** Bytes of the request body as it arrived (see the json parser's verify hook). */
function requestBytes(req: Request): number {
  return (req as Request & { bodyBytes?: number }).bodyBytes ?? Buffer.byteLength(JSON.stringify(req.body ?? {}));
}

function prepareContent(core: EmulatorCore, body: Record<string, unknown>, req: Request): { msgType: EmuMessage['msgType']; content: string; card?: Record<string, unknown> } {
  const msgType = str(body.msg_type);
  if (!msgType) throw fieldValidation('msg_type', 'is required');
  const content = str(body.content);
  if (content === undefined) throw fieldValidation('content', 'is required (a JSON string)');
  const bytes = Math.max(Buffer.byteLength(content), requestBytes(req));
  switch (msgType) {
    case 'text': {
      if (bytes > TEXT_MAX_BYTES) throw tooLong();
      const parsed = safeJson(content);
      if (!isRecord(parsed) || typeof parsed.text !== 'string') throw invalidParam('invalid message content: text needs {"text": string}');
      if (parsed.text.trim() === '') throw invalidParam('invalid message content: text is empty');
      return { msgType, content };
    }
    case 'interactive': {
      if (bytes > CARD_MAX_BYTES) throw tooLong();
      const v = validateCardContent(content, { knownImageKeys: core.appImageKeys() });
      if (!v.ok) throw cardInvalid(v.subCode, v.message);
      return v.card ? { msgType, content, card: v.card } : { msgType, content };
    }
    case 'image': {
      const parsed = safeJson(content);
      const key = isRecord(parsed) ? str(parsed.image_key) : undefined;
      if (!key) throw invalidParam('invalid message content: image needs {"image_key": string}');
      const f = core.files.get(key);
      if (!f) throw invalidParam('invalid image_key');
      if (f.owner !== 'app') throw new ApiError(400, 230017, 'Bot is NOT the owner of the resource.');
      if (f.kind !== 'image') throw new ApiError(400, 230055, 'The type of file upload does not match the type of message being sent.');
      return { msgType, content };
    }
    case 'file': {
      const parsed = safeJson(content);
      const key = isRecord(parsed) ? str(parsed.file_key) : undefined;
      if (!key) throw invalidParam('invalid message content: file needs {"file_key": string}');
      const f = core.files.get(key);
      if (!f) throw invalidParam('invalid file_key');
      if (f.owner !== 'app') throw new ApiError(400, 230017, 'Bot is NOT the owner of the resource.');
      if (f.kind !== 'file') throw new ApiError(400, 230055, 'The type of file upload does not match the type of message being sent.');
      return { msgType, content };
    }
    default:
      throw invalidParam(`msg_type ${msgType} is not supported by the emulator`);
  }
}

export function toApiMessage(core: EmulatorCore, m: EmuMessage): Record<string, unknown> {
  const out: Record<string, unknown> = {
    message_id: m.messageId,
    msg_type: m.msgType,
    create_time: String(m.createdAt.getTime()),
    update_time: String(m.updatedAt.getTime()),
    deleted: false,
    updated: m.updateCount > 0,
    chat_id: m.chatId,
    sender: m.senderType === 'app' ? { id: core.options.appId, id_type: 'app_id', sender_type: 'app', tenant_key: core.tenantKey } : { id: m.senderId, id_type: 'open_id', sender_type: 'user', tenant_key: core.tenantKey },
    body: { content: m.content },
  };
  if (m.rootId) out.root_id = m.rootId;
  if (m.parentId) out.parent_id = m.parentId;
  if (m.mentions.length) out.mentions = m.mentions.map((x) => ({ key: x.key, id: x.openId, id_type: 'open_id', name: x.name, tenant_key: core.tenantKey }));
  return out;
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

function clamp(n: number, min: number, max: number): number {
  if (!Number.isFinite(n)) return min;
  return Math.min(max, Math.max(min, Math.floor(n)));
}

function encodePageToken(offset: number): string {
  return Buffer.from(`off:${offset}`).toString('base64url');
}

function decodePageToken(token: string | undefined): number {
  if (!token) return 0;
  const m = /^off:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!m?.[1]) throw fieldValidation('page_token', 'is invalid');
  return Number(m[1]);
}

function multipartOf(req: Request): MultipartPart[] {
  const parts = partsOf(req);
  if (!parts) throw fieldValidation('body', 'must be multipart/form-data');
  return parts;
}

function summariseMultipart(req: Request): unknown {
  try {
    const parts = multipartOf(req);
    return Object.fromEntries(parts.map((p) => [p.name, p.filename !== undefined ? { filename: p.filename, size: p.data.length } : p.data.toString('utf8')]));
  } catch {
    return undefined;
  }
}

function guessImageType(name: string): string {
  const ext = name.toLowerCase().split('.').pop();
  if (ext === 'png') return 'image/png';
  if (ext === 'gif') return 'image/gif';
  if (ext === 'webp') return 'image/webp';
  return 'image/jpeg';
}
