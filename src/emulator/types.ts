// Public API of the local Feishu emulator. The workspace UI, the bot's tests and local mode code against
// these types; keep them stable. Implementation: `createEmulator` in ./index.ts.
import type { Server } from 'node:http';
import type { Router } from 'express';
import type { CardActionFields } from '../ports/feishu.ts';
import type { RateTime } from '../ports/rate-time.ts';

export interface EmulatorOptions {
  appId: string;
  appSecret: string;
  /** Sent as `header.token` in every event / callback envelope. */
  verificationToken?: string;
  /** When set, pushes are encrypted (`{"encrypt": …}`) and signed with X-Lark-Signature. */
  encryptKey?: string;
  /** Events go to `${botUrl}/feishu/events`, card callbacks to `${botUrl}/feishu/cards`. */
  botUrl?: string;
  botOpenId?: string;
  botName?: string;
  tenantKey?: string;
  /** How long a push may take before it counts as failed (Feishu: 3000 ms). */
  ackTimeoutMs?: number;
  /** Re-delivery schedule after a failed push (Feishu: 15 s, 5 min, 1 h, 6 h). */
  redeliveryDelaysMs?: number[];
  /** Which group messages reach the bot: 'all' (scope im:message.group_msg, default) or only those that
   *  @mention the bot ('mentions', scope im:message.group_at_msg). p2p messages always arrive. */
  groupMessages?: 'all' | 'mentions';
  /** Built-in Feishu rate limits; `false` switches them off (faults still apply). */
  rateLimits?: false | Partial<RateLimitConfig>;
  /** The timeline the rate limits count on (default: wall time). The app's outbox limiter may share it (src/ports/rate-time.ts). */
  rateTime?: RateTime;
  now?: () => Date;
  /** How events and card callbacks reach the bot: HTTP pushes to botUrl ('webhook', default) or the
   *  long connection the bot's WSClient opens ('ws'), like the developer console's subscription mode. */
  eventMode?: 'webhook' | 'ws';
  /** ClientConfig handed out by /callback/ws/endpoint and in every pong (seconds; Feishu: 120/-1/120/30). */
  wsClientConfig?: Partial<WsClientConfig>;
  /** Bytes of payload per long-connection data frame before a message is split (sum/seq). */
  wsFragmentBytes?: number;
  /** Scopes the app has NOT been granted: every API needing one answers 99991672 (see scopes.ts). */
  missingScopes?: string[];
  /**
   * Keep the state (people, chats, messages, files, calendars) in this directory across restarts,
   * as Feishu does (local mode; see persistence.ts). Unset: in memory only.
   */
  stateDir?: string;
  /**
   * A saved state that could not be read (kept aside as state.json.unreadable-…; the emulator starts
   * empty), or a save that failed (disk full; tried again at the next change).
   */
  onStateError?: (error: unknown, during: 'load' | 'save') => void;
}

export interface WsClientConfig {
  PingInterval: number;
  ReconnectCount: number;
  ReconnectInterval: number;
  ReconnectNonce: number;
}

export interface WsConnectionInfo {
  deviceId: string;
  serviceId: number;
  connectedAt: Date;
  /** pings received on this connection */
  pings: number;
}

export interface WsFrameRecord {
  at: Date;
  direction: 'in' | 'out';
  /** header `type`: ping, pong, event … */
  type: string;
  /** 0 control, 1 data */
  method: number;
  bytes: number;
  messageId?: string;
  sum?: number;
  seq?: number;
}

/** The emulator's side of Feishu's long connection (tests drive drops through it). */
export interface LongConnectionControl {
  /** Open connections. */
  connections(): WsConnectionInfo[];
  /** Every frame sent and received (bounded log). */
  frames(): WsFrameRecord[];
  /** Successful WebSocket handshakes so far. */
  handshakes: number;
  /** Resolves once a client is connected. */
  waitForConnection(timeoutMs?: number): Promise<void>;
  /** Cut every connection like a network failure; `refuse: true` also refuses new handshakes until refuse(false). */
  drop(opts?: { refuse?: boolean }): void;
  refuse(refuse: boolean): void;
}

export interface RateLimitConfig {
  /** Send/reply per receive_id (user or chat) per second → 230020. */
  perReceiverQps: number;
  /** PATCH per message per second → 230020. */
  perMessageQps: number;
  /** Per API per app per second → HTTP 429 / 99991400. */
  appQps: number;
  /** Per API per app per minute → HTTP 429 / 99991400. */
  appQpm: number;
}

export interface EmuUser {
  openId: string;
  name: string;
  /** e.g. '县政务公开办 · 协调人', '星沙街道 · 联系人' */
  title?: string;
}

export interface EmuChat {
  chatId: string;
  name: string;
  chatType: 'p2p' | 'group';
  /** Human members only (the bot is tracked by `botMember`). */
  memberOpenIds: string[];
  botMember: boolean;
  /** For p2p chats: the user on the other side. */
  p2pOpenId?: string;
  createdAt: Date;
}

export type EmuMsgType = 'text' | 'interactive' | 'image' | 'file';

export interface EmuMessage {
  messageId: string;
  chatId: string;
  chatType: 'p2p' | 'group';
  /** 'app' = sent by the bot through the Open API; 'user' = sent by a person through the emulator. */
  senderType: 'app' | 'user';
  /** open_id of the person, or the bot's open_id. */
  senderId: string;
  msgType: EmuMsgType;
  /** The raw `content` string as Feishu stores it. */
  content: string;
  /** Parsed card (for interactive messages), current version. */
  card?: Record<string, unknown>;
  /** Plain text (for text messages). */
  text?: string;
  imageKey?: string;
  fileKey?: string;
  fileName?: string;
  mentions: { key: string; openId: string; name: string }[];
  parentId?: string;
  rootId?: string;
  uuid?: string;
  createdAt: Date;
  updatedAt: Date;
  /** How many times the card was replaced (patch, callback response, delayed update). */
  updateCount: number;
  /** Previous card versions, oldest first. */
  history: { card: Record<string, unknown>; at: Date; via: 'patch' | 'callback' | 'delayed_update' }[];
  /** open_ids buzzed with urgent_app, in call order (duplicates kept: a repeated urgent buzzes again). */
  urgentRecipients: string[];
}

export interface DeliveryResult {
  eventId: string;
  /** 'acked' = bot answered HTTP 200 in time; 'failed' = first attempt failed (re-deliveries scheduled);
   *  'no_bot' = no bot URL configured (event recorded, not pushed); 'not_subscribed' = nothing to deliver. */
  status: 'acked' | 'failed' | 'no_bot' | 'not_subscribed';
  httpStatus?: number;
  ms: number;
  error?: string;
}

export interface DeliveryRecord {
  eventId: string;
  eventType: string;
  kind: 'event' | 'callback';
  /** 1 = first push, 2.. = re-deliveries. Duplicates (fault) share the attempt number and set `duplicate`. */
  attempt: number;
  duplicate: boolean;
  at: Date;
  ms: number;
  httpStatus?: number;
  ok: boolean;
  error?: string;
  /** The plaintext envelope that was pushed (before encryption). */
  payload: Record<string, unknown>;
}

export interface CardAction extends CardActionFields {
  options?: string[];
  timezone?: string;
}

export interface CardCallbackResult {
  httpStatus?: number;
  ms: number;
  toast?: { type?: string; content?: string; i18n?: Record<string, string> };
  cardReplaced: boolean;
  /** Client-side error code Feishu would show, e.g. '200341' (timeout), '200671' (non-200),
   *  '200672' (bad body), '200673' (invalid card), '200342' (connect failed), '200340' (no bot URL). */
  error?: string;
  /** Validation detail when `error` is '200673'. */
  errorDetail?: string;
  eventId: string;
  /** Delayed-update token issued with this callback ('c-…'). */
  token: string;
}

export interface ApiCallRecord {
  method: string;
  path: string;
  query: Record<string, unknown>;
  body: unknown;
  status: number;
  code: number | undefined;
  msg?: string;
  at: Date;
  ms: number;
  /** Set when a fault was injected for this call. */
  fault?: string;
}

export interface UploadedFile {
  key: string;
  kind: 'image' | 'file';
  name: string;
  size: number;
  bytes: Buffer;
  /** 'app' = uploaded by the bot via the Open API; 'user' = attached by a person. */
  owner: 'app' | 'user';
  fileType?: string;
}

export interface EmuCalendar {
  calendarId: string;
  summary: string;
  description: string;
  permissions: string;
  color: number;
  createdAt: Date;
}

export interface EmuCalendarEvent {
  calendarId: string;
  eventId: string;
  summary: string;
  description: string;
  /** The raw start_time / end_time objects as sent ({timestamp} or {date}, timezone). */
  startTime: Record<string, unknown>;
  endTime: Record<string, unknown>;
  /** Everything else the bot sent (location, reminders, need_notification, …). */
  extra: Record<string, unknown>;
  status: 'confirmed' | 'cancelled';
  createdAt: Date;
  updatedAt: Date;
}

export interface RouteFault {
  /** Added before the handler runs. */
  latencyMs?: number;
  /** Probability [0,1] of answering HTTP 500 without applying the effect. */
  error5xx?: number;
  /** Probability [0,1] of answering HTTP 429 / 99991400. */
  rateLimit429?: number;
  /** Seconds put in x-ogw-ratelimit-reset for injected 429s (default 1). */
  resetSeconds?: number;
  /** Probability [0,1] of destroying the socket without an answer. */
  drop?: number;
  /** With `drop`: apply the effect first, then drop (accept-then-drop). */
  dropAfterEffect?: boolean;
  /** Only the next N matching calls are affected (default: unlimited). */
  times?: number;
  /**
   * Draw each call's fate from the seed, its target (the message's `receive_id`, else the path) and
   * how many calls that target had under this rule, instead of from one stream in arrival order. Two
   * senders that send each chat's messages in the same order then meet the same faults chat by chat,
   * however their chats interleave (a benchmark's floor and the sender it is compared with).
   */
  perTarget?: boolean;
}

export interface FaultInjector {
  /** Add a fault rule for Open API calls whose path matches (string = substring; method optional). */
  route(pattern: RegExp | string, fault: RouteFault, method?: string): void;
  /** Push every event/callback `n` extra times (same event_id). */
  duplicateDeliveries(n: number): void;
  /** `false` = calendar APIs answer like an app without the calendar scope (99991672). */
  calendarPermission(granted: boolean): void;
  /** Make the bot unreachable for pushes (connection refused style) without changing botUrl. */
  botUnreachable(unreachable: boolean): void;
  /** Deterministic RNG for probabilistic faults. */
  seed(seed: number): void;
  /** `false` = every API that needs `scope` answers 99991672 naming it, as for an app without it. */
  scope(scope: string, granted: boolean): void;
  reset(): void;
}

export interface SeedInput {
  users: EmuUser[];
  chats: { chatId: string; name: string; memberOpenIds: string[]; botMember?: boolean }[];
}

export interface SendOpts {
  parentId?: string;
}

export interface UserSendResult {
  messageId: string;
  delivery: DeliveryResult;
}

export interface Emulator {
  /** Mount at '/': serves /open-apis/* and /_emulator/api/*. */
  router: Router;
  readonly options: Readonly<EmulatorOptions>;
  botOpenId: string;
  botName: string;
  setBotUrl(url: string | undefined): void;
  /** Adds people and chats; with `missingOnly`, only those not there yet (a restored state keeps its own). */
  seed(input: SeedInput, options?: { missingOnly?: boolean }): void;
  /** Whether the state was loaded from `stateDir` at start. */
  readonly restored: boolean;
  /** Writes the state to `stateDir` now (shutdown); nothing without one. */
  flushState(): Promise<void>;
  addUser(user: EmuUser): void;
  createChat(chat: { chatId?: string; name: string; memberOpenIds: string[]; botMember?: boolean }): EmuChat;

  userSendText(openId: string, chatId: string, text: string, opts?: SendOpts & { mentionBot?: boolean }): Promise<UserSendResult>;
  userSendImage(openId: string, chatId: string, image: Buffer, fileName: string, opts?: SendOpts): Promise<UserSendResult>;
  userSendFile(openId: string, chatId: string, file: Buffer, fileName: string, opts?: SendOpts): Promise<UserSendResult>;
  userClickCard(openId: string, messageId: string, action: CardAction): Promise<CardCallbackResult>;
  addBotToChat(chatId: string, operatorOpenId: string): Promise<DeliveryResult>;
  removeBotFromChat(chatId: string, operatorOpenId: string): Promise<DeliveryResult>;
  /** The bot↔user single chat (created on demand). */
  p2pChatId(openId: string): string;

  /** Newest last. */
  messages(chatId: string): EmuMessage[];
  message(messageId: string): EmuMessage | undefined;
  users(): EmuUser[];
  chats(): EmuChat[];
  calls(filter?: { path?: RegExp; method?: string }): ApiCallRecord[];
  /** Forget the calls counted in the rate-limit windows (a bench's floor run before its measured run). */
  resetRateWindows(): void;
  deliveries(filter?: { eventType?: string }): DeliveryRecord[];
  on(event: 'message' | 'update', cb: (m: EmuMessage) => void): () => void;
  faults: FaultInjector;
  uploadedFiles(): UploadedFile[];
  /** The workspace's read marks (per person, per chat: messages seen), kept with the state. */
  readonly readCounts: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /** The person has seen every message of the chat so far. */
  markRead(openId: string, chatId: string): void;
  calendars(): EmuCalendar[];
  calendarEvents(calendarId?: string): EmuCalendarEvent[];
  /** Resolves when no push (first attempts and scheduled re-deliveries) is in flight or pending. */
  idle(): Promise<void>;
  listen(port: number, host?: string): Promise<{ url: string; port: number; close(): Promise<void> }>;
  /** Clear re-delivery timers (tests/shutdown). */
  stopRedeliveries(): void;
  /** Switch how events and callbacks reach the bot (EmulatorOptions.eventMode). */
  setEventMode(mode: 'webhook' | 'ws'): void;
  /** The long connection (endpoint /callback/ws/endpoint, WebSocket /ws/v2). */
  longConnection: LongConnectionControl;
  /** Serve the long connection's WebSocket upgrades on a server the emulator's router is mounted on. */
  attachUpgrade(server: Server): void;
}
