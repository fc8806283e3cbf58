// FEISHU_EVENT_MODE=ws: the SDK's WSClient with a liveness watchdog (wsConfig.pingTimeout, off by
// default in the SDK) and auto-reconnect. Events arrive unsigned over the authenticated socket and
// take the same path as webhooks: messages and bot added/removed events are acknowledged after one
// durable insert into the inbox (dedupe by event id / message id), processed there in order per
// chat; a handler failure that would fail again becomes a failed inbound event (acked, the
// coordinators alerted once), and only a database that cannot take the insert makes the SDK ack
// with code 500 (Feishu pushes it again). Card callbacks keep a fast path: dispatched here (one at
// a time; presses arriving meanwhile are queued in the inbox, src/app/card-intake.ts) and
// answered within the budget (a delayed update follows when the handler is slower); a handler that
// fails for good is recorded the same way and answered with an error toast. Messages sent while
// the socket was down are never pushed again, so every reconnect backfills recent history of the
// bound chats into the inbox; dedupe by message id makes that safe to overlap.
// Feishu: "长连接模式下接收到消息后，需要在 3 秒内处理完成且不抛出异常，否则会触发超时重推机制"
// (使用长连接接收事件, https://open.feishu.cn/document/ukTMukTMukTM/uYDNxYjL2QTM24iN0EjN/event-subscription-configure-/request-url-configuration-case):
// a handler that throws is re-pushed, so only a failure worth a retry may throw here.
import * as lark from '@larksuiteoapi/node-sdk';
import type { Config } from '../../config.ts';
import type { DispatchResult } from '../../app/bot.ts';
import type { CardResponse, InboundEvent } from '../../app/events.ts';
import type { CardQueue } from '../../app/card-intake.ts';
import type { Logger } from '../../app/log.ts';
import type { Clock } from '../../ports/clock.ts';
import type { FeishuGateway } from '../../ports/feishu.ts';
import type { Db } from '../db/database.ts';
import { cardCallbackBody, BUSY_TOAST } from '../http/feishu-routes.ts';
import { normalizeEnvelope, normalizeHistoryMessage } from './normalize.ts';
import { sdkDomain } from './gateway.ts';

export const WS_EVENT_TYPES = ['im.message.receive_v1', 'im.chat.member.bot.added_v1', 'im.chat.member.bot.deleted_v1', 'card.action.trigger'] as const;

export interface Dispatching {
  dispatch(event: InboundEvent): Promise<DispatchResult>;
  /** delivers a card handler's late result as a delayed update (optional for tests) */
  deliverLateResponse?(event: InboundEvent, response: CardResponse): Promise<void>;
  /**
   * The durable intake (the inbox): resolves once the event is stored (or known), rejects only when
   * the database cannot take it. Without it (tests of the dispatcher alone) events are dispatched.
   */
  accept?(event: InboundEvent): Promise<'accepted' | 'duplicate'>;
  /** records a card callback whose handler failed for good and alerts the coordinators once */
  recordFailed?(event: InboundEvent, error: unknown): Promise<unknown>;
  /** whether a failure is transient (database unavailable): not recorded as failed */
  isTransient?(error: unknown): boolean;
  /** admission for card callbacks (src/app/card-intake.ts); without it every press is dispatched here */
  cardQueue?: CardQueue;
}

export interface WsDispatcherDeps {
  bot: Dispatching;
  log: Logger;
  botOpenId(): Promise<string | undefined>;
  ackBudgetMs?: number;
  /** called with each message's create time (for the next backfill window) */
  onMessageSeen?(at: Date): void;
}

const HEADER_FIELDS = ['event_id', 'event_type', 'create_time', 'app_id', 'tenant_key'] as const;

/** The SDK hands handlers `{schema, ...header, ...event}`; put the envelope back together. */
export function unflatten(data: Record<string, unknown>): Record<string, unknown> {
  const header: Record<string, unknown> = {};
  for (const f of HEADER_FIELDS) if (data[f] !== undefined) header[f] = data[f];
  // Object.entries drops the SDK's symbol-keyed event type marker.
  return { schema: '2.0', header, event: Object.fromEntries(Object.entries(data)) };
}

async function within<T>(p: Promise<T>, ms: number): Promise<{ done: true; value: T } | { done: false }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p.then((value) => ({ done: true as const, value })), new Promise<{ done: false }>((resolve) => (timer = setTimeout(() => resolve({ done: false }), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

export function createWsDispatcher(deps: WsDispatcherDeps): lark.EventDispatcher {
  const budget = deps.ackBudgetMs ?? 2500;
  /** A card handler that failed for good: recorded once, coordinators alerted (never throws). */
  const failedCard = async (event: InboundEvent, error: unknown): Promise<void> => {
    if (!deps.bot.recordFailed || deps.bot.isTransient?.(error)) return;
    await deps.bot.recordFailed(event, error).catch((e: unknown) => deps.log.error('cannot record a failed card callback', { eventId: event.eventId, error: e }));
  };
  const handle = async (data: Record<string, unknown>, card: boolean): Promise<Record<string, unknown> | undefined> => {
    const n = normalizeEnvelope(unflatten(data), await deps.botOpenId().catch(() => undefined));
    if (!n.ok) {
      deps.log.info('ws event ignored', { reason: n.reason });
      return card ? {} : undefined;
    }
    if (n.event.kind === 'message') deps.onMessageSeen?.(n.event.createTime);
    if (!card && deps.bot.accept) {
      // Rejects only when the database cannot take the insert: the SDK acks code 500 and Feishu
      // pushes the event again; everything else is acked, processed from the inbox.
      await deps.bot.accept(n.event);
      return undefined;
    }
    const event = n.event;
    const release = card ? deps.bot.cardQueue?.tryInline() : undefined;
    if (card && deps.bot.cardQueue && !release) {
      // Others are being processed: stored in the inbox, answered at once, card as a delayed update.
      try {
        await deps.bot.cardQueue.queue(event);
        return { toast: { type: 'info', content: deps.bot.cardQueue.queuedToast } };
      } catch (error) {
        deps.log.error('card callback could not be queued', { eventId: event.eventId, error });
        return { toast: { type: 'error', content: BUSY_TOAST } };
      }
    }
    // The slot is taken: frames already read reach the admission before the work starts.
    if (release) await new Promise((r) => setImmediate(r));
    const work = deps.bot.dispatch(event);
    if (release) work.then(release, release);
    let settled: Awaited<ReturnType<typeof within<DispatchResult>>>;
    try {
      settled = await within(work, budget);
    } catch (error) {
      if (card) {
        // Bounded: the answer must still leave within Feishu's 3 s.
        await within(failedCard(event, error), 400);
        return { toast: { type: 'error', content: BUSY_TOAST } };
      }
      // The SDK acks code 500: the event may be pushed again, and nothing was committed.
      throw error;
    }
    if (!settled.done) {
      deps.log.warn('ws handler slower than the ack budget; acknowledged early', { eventId: event.eventId });
      // A late card still reaches the person, as a delayed update with the callback token.
      work
        .then(
          (result) => (card && !result.duplicate ? deps.bot.deliverLateResponse?.(event, result.response) : undefined),
          (error: unknown) => (card ? failedCard(event, error) : undefined),
        )
        .catch((error: unknown) => deps.log.error('late card delivery failed', { eventId: event.eventId, error }));
      return card ? { toast: { type: 'info', content: '正在处理，请稍候' } } : undefined;
    }
    return card ? cardCallbackBody(settled.value.response) : undefined;
  };
  const dispatcher = new lark.EventDispatcher({ loggerLevel: lark.LoggerLevel.error });
  dispatcher.register({
    'im.message.receive_v1': (data: unknown) => handle(data as Record<string, unknown>, false),
    'im.chat.member.bot.added_v1': (data: unknown) => handle(data as Record<string, unknown>, false),
    'im.chat.member.bot.deleted_v1': (data: unknown) => handle(data as Record<string, unknown>, false),
    'card.action.trigger': (data: unknown) => handle(data as Record<string, unknown>, true),
  } as unknown as Parameters<lark.EventDispatcher['register']>[0]);
  return dispatcher;
}

export interface BackfillDeps {
  db: Db;
  gateway: FeishuGateway;
  bot: Dispatching;
  log: Logger;
  botOpenId(): Promise<string | undefined>;
}

/** Lists every bound chat's messages in [since, until] and dispatches those not yet processed. */
export async function backfillChats(deps: BackfillDeps, since: Date, until: Date): Promise<{ listed: number; dispatched: number; duplicates: number; failedChats: number }> {
  const chats = await deps.db.groupChat.findMany({ where: { status: { in: ['bound', 'coordinator'] } }, select: { chatId: true } });
  const botOpenId = await deps.botOpenId().catch(() => undefined);
  const result = { listed: 0, dispatched: 0, duplicates: 0, failedChats: 0 };
  for (const { chatId } of chats) {
    let messages;
    try {
      messages = await deps.gateway.listChatMessages({ chatId, start: since, end: until });
    } catch (error) {
      result.failedChats++;
      deps.log.warn('backfill: cannot list chat history', { chatId, error });
      continue;
    }
    for (const m of messages) {
      result.listed++;
      if (m.senderType !== 'user' || (botOpenId && m.senderOpenId === botOpenId)) continue;
      const processed = await deps.db.processedEvent.findUnique({ where: { eventId: `msg:${m.messageId}` }, select: { eventId: true } });
      if (processed) {
        result.duplicates++;
        continue;
      }
      try {
        const event = normalizeHistoryMessage(m, 'group', botOpenId);
        // Into the inbox like a pushed message (in order behind what is already queued for the chat).
        const duplicate = deps.bot.accept ? (await deps.bot.accept(event)) === 'duplicate' : (await deps.bot.dispatch(event)).duplicate;
        if (duplicate) result.duplicates++;
        else result.dispatched++;
      } catch (error) {
        deps.log.error('backfill: dispatch failed', { chatId, messageId: m.messageId, error });
      }
    }
  }
  return result;
}

export interface LongConnection {
  dispatcher: lark.EventDispatcher;
  /** backfill from the last seen message (or `since`) until now */
  backfill(since?: Date): Promise<void>;
  /** the SDK's view of the socket: connected, connecting, reconnecting, failed or idle */
  state(): string;
  close(): Promise<void>;
}

export interface LongConnectionOptions {
  config: Config;
  bot: Dispatching;
  gateway: FeishuGateway;
  db: Db;
  log: Logger;
  clock: Clock;
}

function sdkLogger(log: Logger): { error(...m: unknown[]): void; warn(...m: unknown[]): void; info(...m: unknown[]): void; debug(...m: unknown[]): void; trace(...m: unknown[]): void } {
  const one = (x: unknown): string => {
    if (typeof x === 'string') return x;
    if (x instanceof Error) return x.message;
    try {
      return JSON.stringify(x) ?? String(x);
    } catch {
      return String(x); // circular (axios errors): a logger must never throw into the SDK
    }
  };
  const text = (m: unknown[]): string => m.map(one).join(' ');
  return {
    error: (...m) => log.warn('sdk', { sdk: text(m) }),
    warn: (...m) => log.warn('sdk', { sdk: text(m) }),
    info: (...m) => log.debug('sdk', { sdk: text(m) }),
    debug: (...m) => log.debug('sdk', { sdk: text(m) }),
    trace: () => undefined,
  };
}

/** Overlap with the last seen message: clocks and ordering are not exact. */
const BACKFILL_OVERLAP_MS = 2 * 60_000;
const BACKFILL_MAX_MS = 24 * 3600_000;

export async function startLongConnection(o: LongConnectionOptions): Promise<LongConnection> {
  const botOpenId = () => o.gateway.botInfo().then((b) => b.openId);
  let lastSeen = o.clock.now();
  let disconnectedAt: Date | undefined;
  const dispatcher = createWsDispatcher({
    bot: o.bot,
    log: o.log,
    botOpenId,
    onMessageSeen: (at) => {
      if (at > lastSeen) lastSeen = at;
    },
  });
  let backfilling: Promise<void> | undefined;
  const backfill = async (since?: Date) => {
    const now = o.clock.now();
    const from = since ?? new Date(Math.max(Math.min(lastSeen.getTime(), (disconnectedAt ?? now).getTime()) - BACKFILL_OVERLAP_MS, now.getTime() - BACKFILL_MAX_MS));
    const r = await backfillChats({ db: o.db, gateway: o.gateway, bot: o.bot, log: o.log, botOpenId }, from, now);
    o.log.info('backfill after reconnect', { from: from.toISOString(), ...r });
    lastSeen = now;
  };
  const ws = new lark.WSClient({
    appId: o.config.feishu.appId,
    appSecret: o.config.feishu.appSecret,
    domain: sdkDomain(lark, o.config.feishu.domain),
    loggerLevel: lark.LoggerLevel.warn,
    // The SDK's own messages ("ws connect failed" while reconnecting) go to our log, not stdout.
    logger: sdkLogger(o.log),
    autoReconnect: true,
    // Without a pong deadline a half-open socket can stay "connected" for hours.
    wsConfig: { pingTimeout: 30 },
    onReconnecting: () => {
      disconnectedAt ??= o.clock.now();
      o.log.warn('long connection lost, reconnecting');
    },
    onReconnected: () => {
      o.log.info('long connection re-established');
      backfilling ??= backfill()
        .catch((error: unknown) => o.log.error('backfill failed', { error }))
        .finally(() => {
          backfilling = undefined;
          disconnectedAt = undefined;
        });
    },
    onError: (error: Error) => o.log.error('long connection error', { error }),
  });
  await ws.start({ eventDispatcher: dispatcher });
  return {
    dispatcher,
    backfill,
    state: () => ws.getConnectionStatus().state,
    async close() {
      ws.close({ force: true });
      await backfilling;
    },
  };
}
