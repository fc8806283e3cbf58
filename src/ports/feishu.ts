// The Feishu operations the bot needs, as the inside of the app sees them. Only
// src/adapters/feishu implements this (on @larksuiteoapi/node-sdk); nothing else imports the SDK.
import type { CardJson } from '../../cards/kit.ts';

/**
 * The `action` object of Feishu's card callback (card.action.trigger, "卡片回传交互"), camel-cased:
 * what the app reads from a click and what the emulator's workspace sends.
 */
export interface CardActionFields {
  /** the clicked component's behaviors[].value */
  value: Record<string, unknown>;
  formValue?: Record<string, unknown>;
  inputValue?: string;
  option?: string;
  checked?: boolean;
  /** component name (a form's submit button name) */
  name?: string;
  tag?: string;
}

export type ReceiveIdType = 'chat_id' | 'open_id';
export type MsgType = 'interactive' | 'text' | 'file' | 'image';

/** How the outbox should treat a failed call. */
export type FailureKind =
  /** 429 / 99991400 / 230020: wait (retryAfterSeconds when Feishu said) and retry */
  | 'rate_limit'
  /** network error, 5xx: retry with backoff */
  | 'transient'
  /** bad card, bot not in chat, no permission, invalid id: never retry */
  | 'permanent'
  /** the request may have been applied (timeout after sending): retry only when idempotent */
  | 'ambiguous';

export class FeishuApiError extends Error {
  constructor(
    message: string,
    readonly kind: FailureKind,
    readonly code: number | undefined,
    readonly httpStatus: number | undefined,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'FeishuApiError';
  }
}

export interface ChatInfo {
  chatId: string;
  name: string;
  external: boolean;
  userCount?: number;
}
export interface ChatMember {
  openId: string;
  name: string;
}

/** A message as listed by the history API (used to backfill after a long-connection outage). */
export interface HistoryMessage {
  messageId: string;
  chatId: string;
  senderOpenId: string | undefined;
  senderType: string;
  msgType: string;
  content: string;
  createTime: Date;
  parentId?: string;
  mentions: { key: string; openId: string; name: string }[];
}

export interface FeishuGateway {
  sendMessage(p: { receiveIdType: ReceiveIdType; receiveId: string; msgType: MsgType; content: string; uuid?: string }): Promise<{ messageId: string }>;
  replyMessage(p: { messageId: string; msgType: MsgType; content: string; uuid?: string }): Promise<{ messageId: string }>;
  patchCard(p: { messageId: string; card: CardJson }): Promise<void>;
  urgentApp(p: { messageId: string; openIds: string[] }): Promise<{ invalidOpenIds: string[] }>;
  /** Delayed update with a card callback's token (30 min, 2 uses). */
  delayedCardUpdate(p: { token: string; card: CardJson }): Promise<void>;
  uploadFile(p: { fileName: string; fileType: 'xls' | 'pdf' | 'doc' | 'stream'; data: Buffer }): Promise<{ fileKey: string }>;
  uploadImage(data: Buffer): Promise<{ imageKey: string }>;
  /**
   * A message's image or file. With `maxBytes`, at most that much is ever held in memory: a larger
   * resource fails with ResourceTooLargeError (its size counted while the rest is discarded).
   */
  downloadMessageResource(p: { messageId: string; fileKey: string; type: 'image' | 'file'; maxBytes?: number }): Promise<Buffer>;
  getChat(chatId: string): Promise<ChatInfo>;
  listChatMembers(chatId: string): Promise<ChatMember[]>;
  listChatMessages(p: { chatId: string; start: Date; end: Date }): Promise<HistoryMessage[]>;
  botInfo(): Promise<{ openId: string; name: string }>;
  createCalendar(p: { summary: string; description: string }): Promise<{ calendarId: string }>;
  createCalendarEvent(p: { calendarId: string; summary: string; description: string; startDate: string; endDate: string; idempotencyKey: string }): Promise<{ eventId: string }>;
  updateCalendarEvent(p: { calendarId: string; eventId: string; summary: string; description: string; startDate: string; endDate: string }): Promise<void>;
  deleteCalendarEvent(p: { calendarId: string; eventId: string }): Promise<void>;
  /** Fetches a tenant token; false when Feishu refuses or cannot be reached. */
  tokenHealthy(): Promise<boolean>;
}

/** A downloaded resource was over the caller's limit; `size` is exact unless `atLeast`. */
export class ResourceTooLargeError extends Error {
  constructor(
    readonly size: number,
    readonly atLeast: boolean,
  ) {
    super(`resource larger than allowed (${atLeast ? '≥ ' : ''}${size} bytes)`);
    this.name = 'ResourceTooLargeError';
  }
}
