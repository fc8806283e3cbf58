// In-memory Feishu: users, chats, messages, files, calendars, tokens, and the pushes to the bot.
// The HTTP side lives in openapi.ts (Open API) and workspace-api.ts (/_emulator/api for the UI).
import { createHash } from 'node:crypto';
import { attemptPush, toRecord, type AttemptOutcome } from './delivery.ts';
import { Faults } from './faults.ts';
import { wallRateTime, type RateTime } from '../ports/rate-time.ts';
import { newCardToken, newChatId, newEventId, newFileKey, newImageKey, newMessageId } from './ids.ts';
import { validateCard } from './card-schema.ts';
import type {
  ApiCallRecord,
  CardAction,
  CardCallbackResult,
  DeliveryRecord,
  DeliveryResult,
  EmuCalendar,
  EmuCalendarEvent,
  EmuChat,
  EmuMessage,
  EmulatorOptions,
  EmuUser,
  RateLimitConfig,
  SeedInput,
  SendOpts,
  UploadedFile,
  UserSendResult,
} from './types.ts';

export const DEFAULT_REDELIVERY_MS = [15_000, 5 * 60_000, 60 * 60_000, 6 * 60 * 60_000];
export const DEFAULT_RATE_LIMITS: RateLimitConfig = { perReceiverQps: 5, perMessageQps: 5, appQps: 50, appQpm: 1000 };
export const CARD_TOKEN_TTL_MS = 30 * 60_000;
export const CARD_TOKEN_MAX_USES = 2;
/** A sent card can be updated (patch, delayed update, a callback's answer) within 14 days. */
export const CARD_UPDATE_WINDOW_MS = 14 * 24 * 60 * 60_000;
const LOG_CAP = 20_000;

export interface CardTokenState {
  messageId: string;
  operatorOpenId: string;
  issuedAt: number;
  uses: number;
  answered: boolean;
}

type Listener = (m: EmuMessage) => void;

/** Delivers a push some other way than HTTP (the long connection, ./long-connection.ts). */
export type PushTransport = (envelope: Record<string, unknown>, kind: 'event' | 'callback') => Promise<AttemptOutcome>;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const shortHash = (s: string, n: number): string => createHash('sha256').update(s).digest('hex').slice(0, n);

/** The bot's open_id for an app when none is given (stable per app id). */
export const defaultBotOpenId = (appId: string): string => `ou_${shortHash(`bot:${appId}`, 32)}`;

export class EmulatorCore {
  readonly faults = new Faults();
  readonly clock: () => Date;
  readonly rateLimits: RateLimitConfig | false;
  readonly rateTime: RateTime;
  readonly tenantKey: string;
  readonly botOpenId: string;
  readonly botName: string;
  botUrl: string | undefined;
  /** set in long-connection mode: pushes go through it instead of HTTP to botUrl */
  transport: PushTransport | undefined;
  readonly ackTimeoutMs: number;
  readonly redeliveryDelaysMs: number[];

  readonly usersById = new Map<string, EmuUser>();
  readonly chatsById = new Map<string, EmuChat>();
  readonly p2pByUser = new Map<string, string>();
  readonly messagesById = new Map<string, EmuMessage>();
  readonly chatMessageIds = new Map<string, string[]>();
  readonly uuidIndex = new Map<string, { messageId: string; at: number }>();
  readonly files = new Map<string, UploadedFile>();
  readonly cardTokens = new Map<string, CardTokenState>();
  readonly calendarsById = new Map<string, EmuCalendar>();
  readonly eventsById = new Map<string, EmuCalendarEvent>();
  readonly eventIdempotency = new Map<string, string>();
  /** the workspace's read marks: per person, per chat, how many of its messages they have seen */
  readonly readCounts = new Map<string, Map<string, number>>();
  readonly callLog: ApiCallRecord[] = [];
  readonly deliveryLog: DeliveryRecord[] = [];
  tenantToken: { token: string; expiresAt: number } | undefined;
  readonly validTokens = new Map<string, number>();

  private readonly listeners = { message: new Set<Listener>(), update: new Set<Listener>() };
  private readonly timers = new Set<NodeJS.Timeout>();
  private pending = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(readonly options: EmulatorOptions) {
    this.clock = options.now ?? (() => new Date());
    this.rateLimits = options.rateLimits === false ? false : { ...DEFAULT_RATE_LIMITS, ...(options.rateLimits ?? {}) };
    this.rateTime = options.rateTime ?? wallRateTime;
    this.tenantKey = options.tenantKey ?? `tk_${shortHash(options.appId, 16)}`;
    this.botOpenId = options.botOpenId ?? defaultBotOpenId(options.appId);
    this.botName = options.botName ?? '主题日助手';
    this.botUrl = options.botUrl;
    this.ackTimeoutMs = options.ackTimeoutMs ?? 3000;
    this.redeliveryDelaysMs = options.redeliveryDelaysMs ?? DEFAULT_REDELIVERY_MS;
    for (const scope of options.missingScopes ?? []) this.faults.scope(scope, false);
  }

  nowMs(): number {
    return this.clock().getTime();
  }

  // ---------- people and chats ----------

  ids(openId: string): { open_id: string; union_id: string; user_id: string } {
    return { open_id: openId, union_id: `on_${shortHash(`u:${openId}`, 32)}`, user_id: shortHash(`id:${openId}`, 8) };
  }

  /** Adds people and chats; with `missingOnly`, only those not there yet (a restored state keeps its own). */
  seed(input: SeedInput, options: { missingOnly?: boolean } = {}): void {
    for (const u of input.users) if (!options.missingOnly || !this.usersById.has(u.openId)) this.addUser(u);
    for (const c of input.chats) if (!options.missingOnly || !this.chatsById.has(c.chatId)) this.createChat(c);
  }

  /** The person has seen every message of the chat so far (the workspace's read mark). */
  markRead(openId: string, chatId: string): void {
    let perChat = this.readCounts.get(openId);
    if (!perChat) this.readCounts.set(openId, (perChat = new Map()));
    perChat.set(chatId, this.messages(chatId).length);
  }

  addUser(user: EmuUser): void {
    this.usersById.set(user.openId, { ...user });
  }

  createChat(c: { chatId?: string; name: string; memberOpenIds: string[]; botMember?: boolean }): EmuChat {
    const chat: EmuChat = {
      chatId: c.chatId ?? newChatId(),
      name: c.name,
      chatType: 'group',
      memberOpenIds: [...new Set(c.memberOpenIds)],
      botMember: c.botMember ?? true,
      createdAt: this.clock(),
    };
    this.chatsById.set(chat.chatId, chat);
    this.chatMessageIds.set(chat.chatId, this.chatMessageIds.get(chat.chatId) ?? []);
    return chat;
  }

  p2pChatId(openId: string): string {
    const existing = this.p2pByUser.get(openId);
    if (existing) return existing;
    const user = this.usersById.get(openId);
    const chat: EmuChat = {
      chatId: newChatId(),
      name: user?.name ?? openId,
      chatType: 'p2p',
      memberOpenIds: [openId],
      botMember: true,
      p2pOpenId: openId,
      createdAt: this.clock(),
    };
    this.chatsById.set(chat.chatId, chat);
    this.chatMessageIds.set(chat.chatId, []);
    this.p2pByUser.set(openId, chat.chatId);
    return chat.chatId;
  }

  isMember(chat: EmuChat, openId: string): boolean {
    return chat.memberOpenIds.includes(openId);
  }

  // ---------- messages ----------

  on(event: 'message' | 'update', cb: Listener): () => void {
    this.listeners[event].add(cb);
    return () => this.listeners[event].delete(cb);
  }

  emit(event: 'message' | 'update', m: EmuMessage): void {
    for (const cb of this.listeners[event]) {
      try {
        cb(m);
      } catch {
        // a broken listener must not break the API
      }
    }
  }

  storeMessage(m: EmuMessage): void {
    this.messagesById.set(m.messageId, m);
    const list = this.chatMessageIds.get(m.chatId) ?? [];
    list.push(m.messageId);
    this.chatMessageIds.set(m.chatId, list);
    this.emit('message', m);
  }

  messages(chatId: string): EmuMessage[] {
    return (this.chatMessageIds.get(chatId) ?? []).map((id) => this.messagesById.get(id)).filter((m): m is EmuMessage => m !== undefined);
  }

  replaceCard(m: EmuMessage, card: Record<string, unknown>, via: 'patch' | 'callback' | 'delayed_update'): void {
    if (m.card) m.history.push({ card: m.card, at: m.updatedAt, via });
    m.card = card;
    m.content = JSON.stringify(card);
    m.updateCount += 1;
    m.updatedAt = this.clock();
    this.emit('update', m);
  }

  private baseMessage(chat: EmuChat, senderType: 'app' | 'user', senderId: string, parentId?: string): EmuMessage {
    const now = this.clock();
    const m: EmuMessage = {
      messageId: newMessageId(),
      chatId: chat.chatId,
      chatType: chat.chatType,
      senderType,
      senderId,
      msgType: 'text',
      content: '',
      mentions: [],
      createdAt: now,
      updatedAt: now,
      updateCount: 0,
      history: [],
      urgentRecipients: [],
    };
    if (parentId) {
      const parent = this.messagesById.get(parentId);
      m.parentId = parentId;
      m.rootId = parent?.rootId ?? parentId;
    }
    return m;
  }

  /** A message sent by the app through the Open API (validation already done by the caller). */
  appMessage(chat: EmuChat, msgType: EmuMessage['msgType'], content: string, extra: { parentId?: string; uuid?: string; card?: Record<string, unknown> }): EmuMessage {
    const m = this.baseMessage(chat, 'app', this.botOpenId, extra.parentId);
    m.msgType = msgType;
    m.content = content;
    if (extra.uuid) m.uuid = extra.uuid;
    const parsed = safeJson(content);
    if (msgType === 'interactive' && extra.card) m.card = extra.card;
    if (msgType === 'text' && isRecord(parsed) && typeof parsed.text === 'string') {
      m.text = parsed.text;
      m.mentions = [...parsed.text.matchAll(/<at user_id="(ou_[^"]+)">([^<]*)<\/at>/g)].map((x, i) => ({ key: `@_user_${i + 1}`, openId: x[1] ?? '', name: x[2] ?? '' }));
    }
    if (msgType === 'image' && isRecord(parsed) && typeof parsed.image_key === 'string') m.imageKey = parsed.image_key;
    if (msgType === 'file' && isRecord(parsed) && typeof parsed.file_key === 'string') {
      m.fileKey = parsed.file_key;
      const f = this.files.get(parsed.file_key);
      if (f) m.fileName = f.name;
    }
    this.storeMessage(m);
    return m;
  }

  private userChatCheck(openId: string, chatId: string): EmuChat {
    const chat = this.chatsById.get(chatId);
    if (!chat) throw new Error(`群不存在：${chatId}`);
    if (!this.usersById.has(openId)) throw new Error(`用户不存在：${openId}`);
    if (!this.isMember(chat, openId)) throw new Error(`用户 ${openId} 不在群 ${chat.name} 中`);
    return chat;
  }

  async userSendText(openId: string, chatId: string, text: string, opts: SendOpts & { mentionBot?: boolean } = {}): Promise<UserSendResult> {
    const chat = this.userChatCheck(openId, chatId);
    const m = this.baseMessage(chat, 'user', openId, opts.parentId);
    const mentions: EmuMessage['mentions'] = [];
    let body = text;
    // Replace "@Name" of chat members (longest names first) with Feishu's @_user_N placeholders.
    const candidates = [{ openId: this.botOpenId, name: this.botName }, ...chat.memberOpenIds.map((id) => ({ openId: id, name: this.usersById.get(id)?.name ?? '' }))]
      .filter((c) => c.name !== '')
      .sort((a, b) => b.name.length - a.name.length);
    let placeholderText = '';
    let rest = body;
    while (rest.length > 0) {
      const at = rest.indexOf('@');
      if (at < 0) {
        placeholderText += rest;
        break;
      }
      placeholderText += rest.slice(0, at);
      const after = rest.slice(at + 1);
      const hit = candidates.find((c) => after.startsWith(c.name));
      if (!hit) {
        placeholderText += '@';
        rest = after;
        continue;
      }
      let existing = mentions.find((x) => x.openId === hit.openId);
      if (!existing) {
        existing = { key: `@_user_${mentions.length + 1}`, openId: hit.openId, name: hit.name };
        mentions.push(existing);
      }
      placeholderText += existing.key;
      rest = after.slice(hit.name.length);
    }
    body = placeholderText;
    if (opts.mentionBot && !mentions.some((x) => x.openId === this.botOpenId)) {
      const key = `@_user_${mentions.length + 1}`;
      mentions.push({ key, openId: this.botOpenId, name: this.botName });
      body = `${key} ${body}`;
    }
    m.msgType = 'text';
    m.text = body;
    m.content = JSON.stringify({ text: body });
    m.mentions = mentions;
    this.storeMessage(m);
    const delivery = await this.deliverMessageEvent(m, chat);
    return { messageId: m.messageId, delivery };
  }

  async userSendAttachment(kind: 'image' | 'file', openId: string, chatId: string, bytes: Buffer, fileName: string, opts: SendOpts = {}): Promise<UserSendResult> {
    const chat = this.userChatCheck(openId, chatId);
    const key = kind === 'image' ? newImageKey() : newFileKey();
    this.files.set(key, { key, kind, name: fileName, size: bytes.length, bytes: Buffer.from(bytes), owner: 'user' });
    const m = this.baseMessage(chat, 'user', openId, opts.parentId);
    m.msgType = kind;
    if (kind === 'image') {
      m.imageKey = key;
      m.content = JSON.stringify({ image_key: key });
    } else {
      m.fileKey = key;
      m.fileName = fileName;
      m.content = JSON.stringify({ file_key: key, file_name: fileName });
    }
    m.fileName = fileName;
    this.storeMessage(m);
    const delivery = await this.deliverMessageEvent(m, chat);
    return { messageId: m.messageId, delivery };
  }

  private async deliverMessageEvent(m: EmuMessage, chat: EmuChat): Promise<DeliveryResult> {
    if (!chat.botMember) return { eventId: '', status: 'not_subscribed', ms: 0 };
    if (chat.chatType === 'group' && this.options.groupMessages === 'mentions' && !m.mentions.some((x) => x.openId === this.botOpenId)) {
      return { eventId: '', status: 'not_subscribed', ms: 0 };
    }
    const message: Record<string, unknown> = {
      message_id: m.messageId,
      create_time: String(m.createdAt.getTime()),
      update_time: String(m.updatedAt.getTime()),
      chat_id: chat.chatId,
      chat_type: chat.chatType,
      message_type: m.msgType,
      content: m.content,
    };
    if (m.rootId) message.root_id = m.rootId;
    if (m.parentId) message.parent_id = m.parentId;
    if (m.mentions.length) {
      message.mentions = m.mentions.map((x) => ({ key: x.key, id: this.ids(x.openId), name: x.name, tenant_key: this.tenantKey }));
    }
    return this.pushEvent('im.message.receive_v1', {
      sender: { sender_id: this.ids(m.senderId), sender_type: 'user', tenant_key: this.tenantKey },
      message,
    });
  }

  async setBotMembership(chatId: string, operatorOpenId: string, member: boolean): Promise<DeliveryResult> {
    const chat = this.chatsById.get(chatId);
    if (!chat) throw new Error(`群不存在：${chatId}`);
    if (chat.chatType !== 'group') throw new Error('单聊不能增删机器人');
    chat.botMember = member;
    return this.pushEvent(member ? 'im.chat.member.bot.added_v1' : 'im.chat.member.bot.deleted_v1', {
      chat_id: chat.chatId,
      operator_id: this.ids(operatorOpenId),
      external: false,
      operator_tenant_key: this.tenantKey,
      name: chat.name,
      i18n_names: { zh_cn: chat.name },
    });
  }

  // ---------- card callbacks ----------

  async userClickCard(openId: string, messageId: string, action: CardAction): Promise<CardCallbackResult> {
    const m = this.messagesById.get(messageId);
    if (!m || m.msgType !== 'interactive' || !m.card) throw new Error(`不是卡片消息：${messageId}`);
    const chat = this.chatsById.get(m.chatId);
    if (!chat || !this.isMember(chat, openId)) throw new Error(`用户 ${openId} 看不到这张卡片`);
    const token = newCardToken();
    const eventId = newEventId();
    const act: Record<string, unknown> = { value: action.value, tag: action.tag ?? 'button' };
    if (action.name !== undefined) act.name = action.name;
    if (action.formValue !== undefined) act.form_value = action.formValue;
    if (action.inputValue !== undefined) act.input_value = action.inputValue;
    if (action.option !== undefined) act.option = action.option;
    if (action.options !== undefined) act.options = action.options;
    if (action.checked !== undefined) act.checked = action.checked;
    if (action.timezone !== undefined) act.timezone = action.timezone;
    const envelope = this.envelope('card.action.trigger', eventId, {
      operator: { tenant_key: this.tenantKey, ...this.ids(openId) },
      token,
      action: act,
      host: 'im_message',
      context: { open_message_id: m.messageId, open_chat_id: m.chatId },
    });
    this.cardTokens.set(token, { messageId, operatorOpenId: openId, issuedAt: this.nowMs(), uses: 0, answered: false });
    const base = { eventId, token, cardReplaced: false };
    if (!this.botUrl && !this.transport) return { ...base, ms: 0, error: '200340' };
    const outcome = await this.attempt(`${this.botUrl}/feishu/cards`, envelope, 'callback', 1, false);
    for (let i = 0; i < this.faults.duplicates; i += 1) await this.attempt(`${this.botUrl}/feishu/cards`, envelope, 'callback', 1, true);
    const result: CardCallbackResult = { ...base, ms: outcome.ms };
    if (outcome.httpStatus !== undefined) result.httpStatus = outcome.httpStatus;
    const state = this.cardTokens.get(token);
    if (!outcome.ok) {
      result.error = outcome.failure === 'timeout' ? '200341' : outcome.failure === 'connect' ? '200342' : '200671';
      return result;
    }
    if (state) state.answered = true;
    const body = safeJson(outcome.bodyText ?? '');
    if (!isRecord(body)) {
      result.error = '200672';
      result.errorDetail = 'callback response body is not a JSON object';
      return result;
    }
    if (isRecord(body.toast)) result.toast = body.toast as CardCallbackResult['toast'];
    if (body.card !== undefined) {
      const card = body.card;
      if (!isRecord(card) || card.type !== 'raw' || !isRecord(card.data)) {
        result.error = '200673';
        result.errorDetail = 'card must be {type: "raw", data: {...}} (templates are not supported by the emulator)';
        return result;
      }
      if (m.card.schema === '2.0' && card.data.schema !== '2.0') {
        result.error = '200830';
        result.errorDetail = 'a 2.0 card can only be updated to a 2.0 card';
        return result;
      }
      const v = validateCard(card.data, { knownImageKeys: this.appImageKeys() });
      if (!v.ok) {
        result.error = '200673';
        result.errorDetail = `ErrCode: ${v.subCode}; ${v.message}`;
        return result;
      }
      // "发送卡片后，支持在 14 天内更新卡片" (feishu-cards/update-feishu-card): a card in the answer
      // to a click on an older card is not applied; the toast still shows.
      if (this.nowMs() - m.createdAt.getTime() > CARD_UPDATE_WINDOW_MS) {
        result.errorDetail = 'the card was sent more than 14 days ago and can no longer be updated; the card in the answer was not applied';
        return result;
      }
      this.replaceCard(m, card.data, 'callback');
      result.cardReplaced = true;
    }
    return result;
  }

  appImageKeys(): Set<string> {
    return new Set([...this.files.values()].filter((f) => f.kind === 'image' && f.owner === 'app').map((f) => f.key));
  }

  // ---------- pushes ----------

  private envelope(eventType: string, eventId: string, event: Record<string, unknown>): Record<string, unknown> {
    const ms = this.nowMs();
    return {
      schema: '2.0',
      header: {
        event_id: eventId,
        token: this.options.verificationToken ?? '',
        // Feishu documents microseconds for callbacks and milliseconds for events.
        create_time: eventType === 'card.action.trigger' ? `${ms}000` : String(ms),
        event_type: eventType,
        tenant_key: this.tenantKey,
        app_id: this.options.appId,
      },
      event,
    };
  }

  private async attempt(url: string, envelope: Record<string, unknown>, kind: 'event' | 'callback', attempt: number, duplicate: boolean): Promise<AttemptOutcome> {
    const at = this.clock();
    const pushConfig = this.options.encryptKey ? { encryptKey: this.options.encryptKey, ackTimeoutMs: this.ackTimeoutMs } : { ackTimeoutMs: this.ackTimeoutMs };
    const outcome = this.transport ? await this.transport(envelope, kind) : await attemptPush(url, envelope, pushConfig, Date.now(), this.faults.unreachable);
    this.logDelivery(toRecord(envelope, kind, attempt, duplicate, at, outcome));
    return outcome;
  }

  async pushEvent(eventType: string, event: Record<string, unknown>): Promise<DeliveryResult> {
    const eventId = newEventId();
    const envelope = this.envelope(eventType, eventId, event);
    if (!this.botUrl && !this.transport) {
      this.logDelivery({ eventId, eventType, kind: 'event', attempt: 0, duplicate: false, at: this.clock(), ms: 0, ok: false, error: 'no bot URL', payload: envelope });
      return { eventId, status: 'no_bot', ms: 0 };
    }
    const url = `${this.botUrl}/feishu/events`;
    const outcome = await this.attempt(url, envelope, 'event', 1, false);
    for (let i = 0; i < this.faults.duplicates; i += 1) await this.attempt(url, envelope, 'event', 1, true);
    if (!outcome.ok) this.scheduleRedelivery(url, envelope, 1);
    const result: DeliveryResult = { eventId, status: outcome.ok ? 'acked' : 'failed', ms: outcome.ms };
    if (outcome.httpStatus !== undefined) result.httpStatus = outcome.httpStatus;
    if (outcome.error !== undefined) result.error = outcome.error;
    return result;
  }

  private scheduleRedelivery(url: string, envelope: Record<string, unknown>, failedAttempts: number): void {
    const delay = this.redeliveryDelaysMs[failedAttempts - 1];
    if (delay === undefined) return;
    this.pending += 1;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      // The bot URL may have changed (restart on another port): use the current one.
      const current = this.botUrl ? `${this.botUrl}/feishu/events` : url;
      void this.attempt(current, envelope, 'event', failedAttempts + 1, false)
        .then((outcome) => {
          if (!outcome.ok) this.scheduleRedelivery(current, envelope, failedAttempts + 1);
        })
        .finally(() => this.settle());
    }, delay);
    timer.unref();
    this.timers.add(timer);
  }

  private settle(): void {
    this.pending -= 1;
    if (this.pending <= 0) {
      this.pending = 0;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stopRedeliveries(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.pending = 0;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  // Logs are bounded so a long local session does not grow without limit.
  logCall(rec: ApiCallRecord): void {
    this.callLog.push(rec);
    if (this.callLog.length > LOG_CAP) this.callLog.splice(0, this.callLog.length - LOG_CAP);
  }

  logDelivery(rec: DeliveryRecord): void {
    this.deliveryLog.push(rec);
    if (this.deliveryLog.length > LOG_CAP) this.deliveryLog.splice(0, this.deliveryLog.length - LOG_CAP);
  }

  // ---------- rate limiting (real time, independent of the injectable clock) ----------
  // Feishu counts real seconds whatever the app's clock says: the windows are on `rateTime` (wall
  // time by default; the simulated year shares a virtual one with the app's outbox limiter, so
  // the limits are kept, and checked here, without waiting real seconds; src/ports/rate-time.ts).

  private readonly windows = new Map<string, number[]>();

  /** Sliding-window limiter; returns false (and records nothing) when the call would exceed `limit` in `windowMs`. */
  hit(key: string, limit: number, windowMs: number): boolean {
    const now = this.rateTime.now();
    const list = (this.windows.get(key) ?? []).filter((t) => now - t < windowMs);
    if (list.length >= limit) {
      this.windows.set(key, list);
      return false;
    }
    list.push(now);
    this.windows.set(key, list);
    return true;
  }

  resetRateWindows(): void {
    this.windows.clear();
  }

  /** Seconds until the oldest call leaves the window. */
  resetSeconds(key: string, windowMs: number): number {
    const list = this.windows.get(key) ?? [];
    const oldest = list[0];
    if (oldest === undefined) return 1;
    return Math.max(1, Math.ceil((oldest + windowMs - this.rateTime.now()) / 1000));
  }
}

export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
