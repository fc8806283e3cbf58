// Inbound events after normalization at the edge (src/adapters/feishu/normalize.ts). The same
// shapes arrive from the webhook, the long connection and the emulator.
import type { CardJson } from '../../cards/kit.ts';
import type { CardActionFields } from '../ports/feishu.ts';

export interface Mention {
  key: string;
  openId: string;
  name: string;
}

export interface MessageEvent {
  kind: 'message';
  /** header.event_id */
  eventId: string;
  messageId: string;
  chatId: string;
  chatType: 'p2p' | 'group';
  senderOpenId: string;
  senderType: string;
  msgType: string;
  /** text with mention placeholders removed and whitespace trimmed (empty for non-text) */
  text: string;
  /** the raw `content` JSON, parsed */
  content: Record<string, unknown>;
  mentions: Mention[];
  mentionedBot: boolean;
  parentId?: string;
  rootId?: string;
  createTime: Date;
  /** set at the edge when the text was longer than allowed (and cut): the bot refuses it */
  oversized?: Oversized;
}

/** Which input was too long, and the limit in characters. */
export interface Oversized {
  field: string;
  limit: number;
}

export interface CardActionEvent extends CardActionFields {
  kind: 'card_action';
  eventId: string;
  operatorOpenId: string;
  chatId: string;
  messageId: string;
  /** delayed-update token (30 min, 2 uses) */
  token?: string;
  /** set at the edge when a value or form field was longer than allowed (and cut) */
  oversized?: Oversized;
}

export interface BotAddedEvent {
  kind: 'bot_added';
  eventId: string;
  chatId: string;
  chatName?: string;
  operatorOpenId?: string;
}
export interface BotRemovedEvent {
  kind: 'bot_removed';
  eventId: string;
  chatId: string;
  operatorOpenId?: string;
}

export type InboundEvent = MessageEvent | CardActionEvent | BotAddedEvent | BotRemovedEvent;

export type ToastType = 'info' | 'success' | 'error' | 'warning';

/** What a card callback answers within 3 seconds: a toast, a replacement card, or both. */
export interface CardResponse {
  toast?: { type: ToastType; content: string };
  card?: CardJson;
}

/** The key an event is deduplicated by: messages by message_id (Feishu may re-push them under a new event id). */
export function dedupeKey(event: InboundEvent): string {
  return event.kind === 'message' ? `msg:${event.messageId}` : `evt:${event.eventId}`;
}
