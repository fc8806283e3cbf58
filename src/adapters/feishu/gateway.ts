// FeishuGateway on the official SDK. Every failure becomes a FeishuApiError whose `kind` tells
// the outbox whether a retry is safe: the SDK itself never retries and resolves HTTP 200 +
// code≠0, so both paths are checked here.
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import type * as lark from '@larksuiteoapi/node-sdk';
import type { CardJson } from '../../../cards/kit.ts';
import { FeishuApiError, type ChatInfo, type ChatMember, type FailureKind, type FeishuGateway, type HistoryMessage } from '../../ports/feishu.ts';
import { ResourceTooLargeError } from '../../ports/feishu.ts';

export interface GatewayOptions {
  appId: string;
  appSecret: string;
  /** 'feishu' | 'lark' | a base URL (the local emulator) */
  domain: string;
  /** per-request timeout; a timeout after sending is ambiguous */
  timeoutMs?: number;
}

/** Rate-limit codes: 99991400 is the generic limiter (HTTP 429, some old APIs HTTP 400); 230020 is per chat/user. */
const RATE_LIMIT_CODES = new Set([99991400, 230020]);
/** Invalid/expired tenant token: drop the cached token and retry. */
const TOKEN_CODES = new Set([99991661, 99991663, 99991664, 99991665, 99991668]);

type Sdk = typeof lark;
let sdkLoading: Promise<Sdk> | undefined;

/**
 * The SDK is one 6 MB module (every Open API): ~70 MB of memory and about a second of start-up
 * once parsed. It is loaded when the first call needs it (in webhook and local mode nothing does
 * at start), not at import (issue 17 goal 3). It is a CommonJS module, loaded with `require`: an
 * `import()` also scans all 6 MB for its named exports (Node's cjs-module-lexer), measured 350 →
 * 180 ms for the first call that waits for it.
 */
export function loadSdk(): Promise<Sdk> {
  sdkLoading ??= Promise.resolve().then(() => createRequire(import.meta.url)('@larksuiteoapi/node-sdk') as Sdk);
  return sdkLoading;
}

export function sdkDomain(sdk: Sdk, domain: string): lark.Domain | string {
  if (domain === 'feishu') return sdk.Domain.Feishu;
  if (domain === 'lark') return sdk.Domain.Lark;
  return domain;
}

/** A token cache per gateway: the SDK's default cache is shared by every Client in the process. */
export class TokenCache implements lark.Cache {
  private readonly entries = new Map<string, { value: unknown; expireAt: number }>();
  async set(key: unknown, value: unknown, expire?: number, options?: { namespace?: string }): Promise<boolean> {
    this.entries.set(`${options?.namespace ?? ''}:${String(key)}`, { value, expireAt: expire ?? Number.POSITIVE_INFINITY });
    return true;
  }
  async get(key: unknown, options?: { namespace?: string }): Promise<unknown> {
    const k = `${options?.namespace ?? ''}:${String(key)}`;
    const entry = this.entries.get(k);
    if (!entry) return undefined;
    if (entry.expireAt <= Date.now()) {
      this.entries.delete(k);
      return undefined;
    }
    return entry.value;
  }
  clear(): void {
    this.entries.clear();
  }
}

interface AxiosLikeError {
  isAxiosError?: boolean;
  code?: string;
  message?: string;
  response?: { status?: number; data?: unknown; headers?: Record<string, unknown> };
}

function header(headers: Record<string, unknown> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const h = headers as { get?: (n: string) => unknown } & Record<string, unknown>;
  const v = typeof h.get === 'function' ? h.get(name) : h[name];
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

function retryAfter(headers: Record<string, unknown> | undefined): number | undefined {
  const raw = header(headers, 'x-ogw-ratelimit-reset');
  const n = raw === undefined ? NaN : Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

function bodyCode(data: unknown): { code?: number; msg?: string } {
  if (typeof data !== 'object' || data === null) return {};
  const d = data as { code?: unknown; msg?: unknown };
  return { code: typeof d.code === 'number' ? d.code : undefined, msg: typeof d.msg === 'string' ? d.msg : undefined };
}

/** The failure kind of a Feishu business code (HTTP status aside). */
export function kindOfCode(code: number): FailureKind {
  if (RATE_LIMIT_CODES.has(code)) return 'rate_limit';
  if (TOKEN_CODES.has(code)) return 'transient';
  return 'permanent';
}

/** Maps anything the SDK throws (AxiosError, network error) to a FeishuApiError. */
export function classifyError(error: unknown, what: string): FeishuApiError {
  if (error instanceof FeishuApiError) return error;
  const e = (error ?? {}) as AxiosLikeError;
  const status = e.response?.status;
  if (status !== undefined) {
    const { code, msg } = bodyCode(e.response?.data);
    const label = `${what}: HTTP ${status}${code !== undefined ? ` code ${code}` : ''}${msg ? ` ${msg}` : ''}`;
    if (status === 429 || (code !== undefined && RATE_LIMIT_CODES.has(code))) {
      return new FeishuApiError(label, 'rate_limit', code, status, retryAfter(e.response?.headers));
    }
    if (status >= 500) return new FeishuApiError(label, 'transient', code, status);
    if (code !== undefined) return new FeishuApiError(label, kindOfCode(code), code, status);
    // 408/409/425 without a Feishu body: gateway-level hiccups.
    if (status === 408 || status === 425) return new FeishuApiError(label, 'transient', undefined, status);
    return new FeishuApiError(label, 'permanent', undefined, status);
  }
  const message = e.message ?? String(error);
  const netCode = e.code ?? '';
  // The request went out and no answer came back: Feishu may have applied it.
  if (/socket hang up/i.test(message) || netCode === 'ECONNABORTED' || /timeout/i.test(message) || netCode === 'ERR_CANCELED') {
    return new FeishuApiError(`${what}: ${message}`, 'ambiguous', undefined, undefined);
  }
  if (['ECONNRESET', 'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ERR_NETWORK'].includes(netCode)) {
    return new FeishuApiError(`${what}: ${netCode} ${message}`, 'transient', undefined, undefined);
  }
  return new FeishuApiError(`${what}: ${message}`, 'transient', undefined, undefined);
}

type CodeResult<T> = { code?: number; msg?: string; data?: T } | null | undefined;

function unwrap<T>(res: CodeResult<T>, what: string): T {
  const code = res?.code;
  if (code !== undefined && code !== 0) {
    throw new FeishuApiError(`${what}: code ${code} ${res?.msg ?? ''}`.trim(), kindOfCode(code), code, 200);
  }
  if (res?.data === undefined) throw new FeishuApiError(`${what}: empty response`, 'transient', undefined, 200);
  return res.data;
}

function need<T>(value: T | undefined | null, what: string, field: string): T {
  if (value === undefined || value === null || value === '') throw new FeishuApiError(`${what}: response lacks ${field}`, 'permanent', undefined, 200);
  return value;
}

/**
 * Reads a stream into memory, never holding more than `maxBytes`: past it the chunks are only
 * counted (to tell the person the real size) and the stream is dropped after 4× the limit.
 */
export async function toBuffer(stream: Readable, maxBytes = Number.POSITIVE_INFINITY): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    size += b.length;
    if (size <= maxBytes) chunks.push(b);
    else {
      chunks.length = 0;
      if (size > maxBytes * 4) {
        stream.destroy();
        throw new ResourceTooLargeError(size, true);
      }
    }
  }
  if (size > maxBytes) throw new ResourceTooLargeError(size, false);
  return Buffer.concat(chunks);
}

/** An httpInstance that is the SDK's own axios instance plus a request timeout. */
function timedHttp(sdk: Sdk, timeoutMs: number): lark.HttpInstance {
  // Its response interceptor already resolves to the body, as HttpInstance promises.
  const base = sdk.defaultHttpInstance as unknown as lark.HttpInstance;
  const withTimeout = <D>(opts: lark.HttpRequestOptions<D> | undefined): lark.HttpRequestOptions<D> => ({ timeout: timeoutMs, ...(opts ?? {}) });
  return {
    request: (opts) => base.request(withTimeout(opts)),
    get: (url, opts) => base.get(url, withTimeout(opts)),
    delete: (url, opts) => base.delete(url, withTimeout(opts)),
    head: (url, opts) => base.head(url, withTimeout(opts)),
    options: (url, opts) => base.options(url, withTimeout(opts)),
    post: (url, data, opts) => base.post(url, data, withTimeout(opts)),
    put: (url, data, opts) => base.put(url, data, withTimeout(opts)),
    patch: (url, data, opts) => base.patch(url, data, withTimeout(opts)),
  };
}

export interface SdkFeishuGateway extends FeishuGateway {
  /** the SDK client (the SDK is loaded on first use) */
  client(): Promise<lark.Client>;
  /** forget the cached bot identity and tenant token */
  reset(): void;
}

export function createFeishuGateway(options: GatewayOptions): SdkFeishuGateway {
  const cache = new TokenCache();
  // Set by ready() before any call below runs (every call goes through call/checked/checkedVoid).
  let client!: lark.Client;
  let clientLoading: Promise<lark.Client> | undefined;
  const ready = (): Promise<lark.Client> =>
    (clientLoading ??= loadSdk().then((sdk) => {
      client = new sdk.Client({
        appId: options.appId,
        appSecret: options.appSecret,
        domain: sdkDomain(sdk, options.domain),
        cache,
        loggerLevel: sdk.LoggerLevel.error,
        // The SDK logs whole request bodies on failure; our own logger reports failures instead.
        logger: { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined, trace: () => undefined },
        httpInstance: timedHttp(sdk, options.timeoutMs ?? 15_000),
      });
      return client;
    }));
  let bot: Promise<{ openId: string; name: string }> | undefined;

  async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    await ready();
    try {
      return await fn();
    } catch (error) {
      const mapped = classifyError(error, what);
      if (mapped.code !== undefined && TOKEN_CODES.has(mapped.code)) cache.clear();
      throw mapped;
    }
  }
  async function checked<T>(what: string, fn: () => Promise<CodeResult<T>>): Promise<T> {
    await ready();
    try {
      return unwrap(await fn(), what);
    } catch (error) {
      const mapped = classifyError(error, what);
      if (mapped.code !== undefined && TOKEN_CODES.has(mapped.code)) cache.clear();
      throw mapped;
    }
  }

  const gateway: SdkFeishuGateway = {
    client: ready,
    reset() {
      bot = undefined;
      cache.clear();
    },

    async sendMessage(p) {
      const data = await checked('im.message.create', () =>
        client.im.v1.message.create({
          params: { receive_id_type: p.receiveIdType },
          data: { receive_id: p.receiveId, msg_type: p.msgType, content: p.content, ...(p.uuid ? { uuid: p.uuid } : {}) },
        }),
      );
      return { messageId: need(data.message_id, 'im.message.create', 'message_id') };
    },

    async replyMessage(p) {
      const data = await checked('im.message.reply', () =>
        client.im.v1.message.reply({
          path: { message_id: p.messageId },
          data: { msg_type: p.msgType, content: p.content, ...(p.uuid ? { uuid: p.uuid } : {}) },
        }),
      );
      return { messageId: need(data.message_id, 'im.message.reply', 'message_id') };
    },

    async patchCard(p) {
      await checkedVoid('im.message.patch', () => client.im.v1.message.patch({ path: { message_id: p.messageId }, data: { content: JSON.stringify(p.card) } }));
    },

    async urgentApp(p) {
      const data = await checked('im.message.urgentApp', () => client.im.v1.message.urgentApp({ path: { message_id: p.messageId }, params: { user_id_type: 'open_id' }, data: { user_id_list: p.openIds } }));
      return { invalidOpenIds: data.invalid_user_id_list ?? [] };
    },

    async delayedCardUpdate(p: { token: string; card: CardJson }) {
      await checkedVoid('interactive.card.update', () => client.request<{ code?: number; msg?: string }>({ method: 'POST', url: '/open-apis/interactive/v1/card/update', data: { token: p.token, card: p.card } }));
    },

    async uploadFile(p) {
      const res = await call('im.file.create', () => client.im.v1.file.create({ data: { file_type: p.fileType, file_name: p.fileName, file: p.data } }));
      // HTTP 200 + code≠0 comes back as null here (the SDK drops the body).
      return { fileKey: need(res?.file_key, 'im.file.create', 'file_key') };
    },

    async uploadImage(data) {
      const res = await call('im.image.create', () => client.im.v1.image.create({ data: { image_type: 'message', image: data } }));
      return { imageKey: need(res?.image_key, 'im.image.create', 'image_key') };
    },

    async downloadMessageResource(p) {
      const res = await call('im.messageResource.get', () => client.im.v1.messageResource.get({ path: { message_id: p.messageId, file_key: p.fileKey }, params: { type: p.type } }));
      // Outside call(): an oversized resource is the caller's refusal, not a Feishu error.
      if (p.maxBytes !== undefined) return toBuffer(res.getReadableStream(), p.maxBytes);
      return call('im.messageResource.get', async () => {
        return toBuffer(res.getReadableStream());
      });
    },

    async getChat(chatId): Promise<ChatInfo> {
      const data = await checked('im.chat.get', () => client.im.v1.chat.get({ path: { chat_id: chatId } }));
      return { chatId, name: data.name ?? '', external: data.external ?? false, userCount: data.user_count !== undefined ? Number(data.user_count) : undefined };
    },

    async listChatMembers(chatId): Promise<ChatMember[]> {
      const out: ChatMember[] = [];
      let pageToken: string | undefined;
      for (let page = 0; page < 100; page++) {
        const data = await checked('im.chatMembers.get', () => client.im.v1.chatMembers.get({ path: { chat_id: chatId }, params: { member_id_type: 'open_id', page_size: 100, ...(pageToken ? { page_token: pageToken } : {}) } }));
        for (const item of data.items ?? []) if (item.member_id) out.push({ openId: item.member_id, name: item.name ?? '' });
        if (!data.has_more || !data.page_token) break;
        pageToken = data.page_token;
      }
      return out;
    },

    async listChatMessages(p): Promise<HistoryMessage[]> {
      const out: HistoryMessage[] = [];
      let pageToken: string | undefined;
      for (let page = 0; page < 50; page++) {
        const data = await checked('im.message.list', () =>
          client.im.v1.message.list({
            params: {
              container_id_type: 'chat',
              container_id: p.chatId,
              start_time: String(Math.floor(p.start.getTime() / 1000)),
              end_time: String(Math.ceil(p.end.getTime() / 1000)),
              sort_type: 'ByCreateTimeAsc',
              page_size: 50,
              ...(pageToken ? { page_token: pageToken } : {}),
            },
          }),
        );
        for (const m of data.items ?? []) {
          if (!m.message_id) continue;
          out.push({
            messageId: m.message_id,
            chatId: m.chat_id ?? p.chatId,
            senderOpenId: m.sender?.id_type === 'open_id' || m.sender?.id?.startsWith('ou_') ? m.sender.id : undefined,
            senderType: m.sender?.sender_type ?? 'user',
            msgType: m.msg_type ?? 'text',
            content: m.body?.content ?? '{}',
            createTime: new Date(Number(m.create_time ?? 0)),
            ...(m.parent_id ? { parentId: m.parent_id } : {}),
            mentions: (m.mentions ?? []).map((x) => ({ key: x.key, openId: x.id, name: x.name })),
          });
        }
        if (!data.has_more || !data.page_token) break;
        pageToken = data.page_token;
      }
      return out;
    },

    botInfo() {
      bot ??= call('bot.v3.info', async () => {
        const res = await client.request<{ code?: number; msg?: string; bot?: { open_id?: string; app_name?: string } }>({ method: 'GET', url: '/open-apis/bot/v3/info' });
        if (res.code !== undefined && res.code !== 0) throw new FeishuApiError(`bot.v3.info: code ${res.code} ${res.msg ?? ''}`, kindOfCode(res.code), res.code, 200);
        return { openId: need(res.bot?.open_id, 'bot.v3.info', 'bot.open_id'), name: res.bot?.app_name ?? '' };
      });
      const current = bot;
      current.catch(() => {
        if (bot === current) bot = undefined;
      });
      return current;
    },

    async createCalendar(p) {
      const data = await checked('calendar.create', () => client.calendar.v4.calendar.create({ data: { summary: p.summary, description: p.description, permissions: 'public' } }));
      return { calendarId: need(data.calendar?.calendar_id, 'calendar.create', 'calendar_id') };
    },

    async createCalendarEvent(p) {
      const data = await checked('calendar.event.create', () =>
        client.calendar.v4.calendarEvent.create({
          path: { calendar_id: p.calendarId },
          params: { idempotency_key: p.idempotencyKey },
          data: {
            summary: p.summary,
            description: p.description,
            need_notification: false,
            start_time: { date: p.startDate, timezone: 'Asia/Shanghai' },
            end_time: { date: p.endDate, timezone: 'Asia/Shanghai' },
          },
        }),
      );
      return { eventId: need(data.event?.event_id, 'calendar.event.create', 'event_id') };
    },

    async updateCalendarEvent(p) {
      await checkedVoid('calendar.event.patch', () =>
        client.calendar.v4.calendarEvent.patch({
          path: { calendar_id: p.calendarId, event_id: p.eventId },
          data: {
            summary: p.summary,
            description: p.description,
            start_time: { date: p.startDate, timezone: 'Asia/Shanghai' },
            end_time: { date: p.endDate, timezone: 'Asia/Shanghai' },
          },
        }),
      );
    },

    async deleteCalendarEvent(p) {
      await checkedVoid('calendar.event.delete', () => client.calendar.v4.calendarEvent.delete({ path: { calendar_id: p.calendarId, event_id: p.eventId } }));
    },

    async tokenHealthy() {
      try {
        await ready();
        const res = await client.auth.v3.tenantAccessToken.internal({ data: { app_id: options.appId, app_secret: options.appSecret } });
        const r = res as { code?: number; tenant_access_token?: string };
        return (r.code === undefined || r.code === 0) && typeof r.tenant_access_token === 'string' && r.tenant_access_token !== '';
      } catch {
        return false;
      }
    },
  };

  async function checkedVoid(what: string, fn: () => Promise<{ code?: number; msg?: string } | null | undefined>): Promise<void> {
    await ready();
    try {
      const res = await fn();
      const code = res?.code;
      if (code !== undefined && code !== 0) throw new FeishuApiError(`${what}: code ${code} ${res?.msg ?? ''}`.trim(), kindOfCode(code), code, 200);
    } catch (error) {
      const mapped = classifyError(error, what);
      if (mapped.code !== undefined && TOKEN_CODES.has(mapped.code)) cache.clear();
      throw mapped;
    }
  }

  return gateway;
}
