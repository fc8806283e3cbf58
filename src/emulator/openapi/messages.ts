// im/v1/messages: send, reply, patch, urgent, list, and downloading a resource of a message.
import type { Request } from 'express';
import { validateCardContent } from '../card-schema.ts';
import { CARD_UPDATE_WINDOW_MS, safeJson, type EmulatorCore } from '../core.ts';
import type { EmuChat, EmuMessage } from '../types.ts';
import { ApiError, CARD_MAX_BYTES, botNotInChat, cardInvalid, clamp, decodePageToken, encodePageToken, fieldValidation, invalidParam, isRecord, ok, rateLimited, record, requestBytes, str, tooLong, type RegisterApi } from './kit.ts';

const UUID_WINDOW_MS = 60 * 60_000;
const PATCH_WINDOW_MS = CARD_UPDATE_WINDOW_MS;
const TEXT_MAX_BYTES = 150 * 1024;

export function registerMessageApi(api: RegisterApi, core: EmulatorCore): void {
  api('post', '/open-apis/im/v1/messages', (req, res) => {
    const receiveIdType = str(req.query.receive_id_type);
    if (!receiveIdType) throw fieldValidation('receive_id_type', 'is required');
    if (!['chat_id', 'open_id', 'union_id', 'user_id', 'email'].includes(receiveIdType)) throw fieldValidation('receive_id_type', 'must be one of open_id, union_id, user_id, email, chat_id');
    const body = isRecord(req.body) ? req.body : {};
    const receiveId = str(body.receive_id);
    if (!receiveId) throw fieldValidation('receive_id', 'is required');
    const chat = resolveReceiver(core, receiveIdType, receiveId);
    ok(res, toApiMessage(core, postInto(core, chat, body, req)));
  });

  api('post', '/open-apis/im/v1/messages/:message_id/reply', (req, res) => {
    const parent = core.messagesById.get(String(req.params.message_id));
    if (!parent) throw invalidParam('invalid message_id');
    const chat = core.chatsById.get(parent.chatId);
    if (!chat) throw invalidParam('invalid message_id');
    const body = isRecord(req.body) ? req.body : {};
    ok(res, toApiMessage(core, postInto(core, chat, body, req, parent.messageId)));
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
}

/**
 * Send and reply share the rest: a uuid seen within the hour returns the first message (nothing sent);
 * else the content is checked, the bot must be in the chat, 5 QPS per receiver, and the message is stored.
 */
function postInto(core: EmulatorCore, chat: EmuChat, body: Record<string, unknown>, req: Request, parentId?: string): EmuMessage {
  const duplicate = checkUuid(core, body.uuid);
  if (duplicate) return duplicate;
  const prepared = prepareContent(core, body, req);
  if (!chat.botMember) throw botNotInChat();
  perReceiverLimit(core, chat);
  const extra: { uuid?: string; card?: Record<string, unknown>; parentId?: string } = parentId ? { parentId } : {};
  if (typeof body.uuid === 'string' && body.uuid) extra.uuid = body.uuid;
  if (prepared.card) extra.card = prepared.card;
  const m = core.appMessage(chat, prepared.msgType, prepared.content, extra);
  if (extra.uuid) core.uuidIndex.set(extra.uuid, { messageId: m.messageId, at: core.nowMs() });
  return m;
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
    case 'image':
    case 'file':
      checkUploadedKey(core, msgType, content);
      return { msgType, content };
    default:
      throw invalidParam(`msg_type ${msgType} is not supported by the emulator`);
  }
}

/** An image or file message names a resource this app uploaded, of the same kind (230017 / 230055). */
function checkUploadedKey(core: EmulatorCore, kind: 'image' | 'file', content: string): void {
  const field = `${kind}_key`;
  const parsed = safeJson(content);
  const key = isRecord(parsed) ? str(parsed[field]) : undefined;
  if (!key) throw invalidParam(`invalid message content: ${kind} needs {"${field}": string}`);
  const f = core.files.get(key);
  if (!f) throw invalidParam(`invalid ${field}`);
  if (f.owner !== 'app') throw new ApiError(400, 230017, 'Bot is NOT the owner of the resource.');
  if (f.kind !== kind) throw new ApiError(400, 230055, 'The type of file upload does not match the type of message being sent.');
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

function guessImageType(name: string): string {
  const ext = name.toLowerCase().split('.').pop();
  if (ext === 'png') return 'image/png';
  if (ext === 'gif') return 'image/gif';
  if (ext === 'webp') return 'image/webp';
  return 'image/jpeg';
}
