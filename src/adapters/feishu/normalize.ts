// v2 envelopes (webhook, long connection, emulator) → the app's InboundEvent, parsed with zod.
// Header and event stay apart until here; the rest of the app never sees Feishu's shapes.
import { z } from 'zod';
import type { InboundEvent, Mention, MessageEvent } from '../../app/events.ts';
import type { HistoryMessage } from '../../ports/feishu.ts';

const userId = z.object({ open_id: z.string().optional(), union_id: z.string().optional(), user_id: z.string().optional() }).partial();

const header = z.object({
  event_id: z.string().min(1),
  event_type: z.string().min(1),
  token: z.string().optional(),
  create_time: z.string().optional(),
  app_id: z.string().optional(),
  tenant_key: z.string().optional(),
});

const envelope = z.object({ schema: z.literal('2.0'), header, event: z.record(z.string(), z.unknown()) });

const mention = z.object({ key: z.string(), id: userId.optional(), name: z.string().optional() });

const messageEvent = z.object({
  sender: z.object({ sender_id: userId.optional(), sender_type: z.string().optional() }),
  message: z.object({
    message_id: z.string().min(1),
    root_id: z.string().optional(),
    parent_id: z.string().optional(),
    create_time: z.string().optional(),
    chat_id: z.string().min(1),
    chat_type: z.string(),
    message_type: z.string(),
    content: z.string().default('{}'),
    mentions: z.array(mention).optional(),
  }),
});

const cardEvent = z.object({
  operator: z.object({ open_id: z.string().min(1) }).passthrough(),
  token: z.string().optional(),
  action: z.object({
    value: z.unknown().optional(),
    tag: z.string().optional(),
    name: z.string().optional(),
    form_value: z.record(z.string(), z.unknown()).optional(),
    input_value: z.string().optional(),
    option: z.string().optional(),
    checked: z.boolean().optional(),
  }),
  context: z.object({ open_message_id: z.string().optional(), open_chat_id: z.string().optional() }).partial().optional(),
  open_message_id: z.string().optional(),
  open_chat_id: z.string().optional(),
});

const chatMemberBotEvent = z.object({ chat_id: z.string().min(1), operator_id: userId.optional(), name: z.string().optional() });

export type NormalizeResult = { ok: true; event: InboundEvent } | { ok: false; reason: string };

function parseContent(raw: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(raw);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Text without `@_user_N` placeholders, whitespace collapsed. */
export function stripMentions(text: string, mentions: readonly { key: string }[]): string {
  let out = text;
  for (const m of mentions) out = out.split(m.key).join(' ');
  return out.replace(/@_user_\d+/g, ' ').replace(/[ \t\u3000]+/g, ' ').replace(/ *\n */g, '\n').trim();
}

function messageFrom(p: {
  eventId: string;
  messageId: string;
  chatId: string;
  chatType: string;
  senderOpenId: string;
  senderType: string;
  msgType: string;
  content: string;
  mentions: Mention[];
  parentId?: string;
  rootId?: string;
  createTime: Date;
  botOpenId: string | undefined;
}): MessageEvent {
  const content = parseContent(p.content);
  const text = p.msgType === 'text' && typeof content.text === 'string' ? stripMentions(content.text, p.mentions) : '';
  return {
    kind: 'message',
    eventId: p.eventId,
    messageId: p.messageId,
    chatId: p.chatId,
    chatType: p.chatType === 'p2p' ? 'p2p' : 'group',
    senderOpenId: p.senderOpenId,
    senderType: p.senderType,
    msgType: p.msgType,
    text,
    content,
    mentions: p.mentions,
    mentionedBot: p.botOpenId !== undefined && p.mentions.some((m) => m.openId === p.botOpenId),
    ...(p.parentId ? { parentId: p.parentId } : {}),
    ...(p.rootId ? { rootId: p.rootId } : {}),
    createTime: p.createTime,
  };
}

function msDate(raw: string | undefined): Date {
  const n = Number(raw);
  return Number.isFinite(n) && n > 0 ? new Date(n) : new Date(0);
}

/** Parses a v2 envelope. `botOpenId` decides `mentionedBot`. Unknown event types are not errors. */
export function normalizeEnvelope(body: unknown, botOpenId: string | undefined): NormalizeResult {
  const env = envelope.safeParse(body);
  if (!env.success) return { ok: false, reason: `not a v2 envelope: ${env.error.issues[0]?.message ?? ''}` };
  const { header: h, event } = env.data;
  switch (h.event_type) {
    case 'im.message.receive_v1': {
      const e = messageEvent.safeParse(event);
      if (!e.success) return { ok: false, reason: `bad message event: ${e.error.issues[0]?.path.join('.')} ${e.error.issues[0]?.message}` };
      const m = e.data.message;
      return {
        ok: true,
        event: messageFrom({
          eventId: h.event_id,
          messageId: m.message_id,
          chatId: m.chat_id,
          chatType: m.chat_type,
          senderOpenId: e.data.sender.sender_id?.open_id ?? '',
          senderType: e.data.sender.sender_type ?? 'user',
          msgType: m.message_type,
          content: m.content,
          mentions: (m.mentions ?? []).map((x) => ({ key: x.key, openId: x.id?.open_id ?? '', name: x.name ?? '' })),
          parentId: m.parent_id || undefined,
          rootId: m.root_id || undefined,
          createTime: msDate(m.create_time),
          botOpenId,
        }),
      };
    }
    case 'card.action.trigger': {
      const e = cardEvent.safeParse(event);
      if (!e.success) return { ok: false, reason: `bad card action: ${e.error.issues[0]?.path.join('.')} ${e.error.issues[0]?.message}` };
      const a = e.data.action;
      const value = typeof a.value === 'object' && a.value !== null && !Array.isArray(a.value) ? (a.value as Record<string, unknown>) : {};
      return {
        ok: true,
        event: {
          kind: 'card_action',
          eventId: h.event_id,
          operatorOpenId: e.data.operator.open_id,
          chatId: e.data.context?.open_chat_id ?? e.data.open_chat_id ?? '',
          messageId: e.data.context?.open_message_id ?? e.data.open_message_id ?? '',
          value,
          ...(a.form_value ? { formValue: a.form_value } : {}),
          ...(a.input_value !== undefined ? { inputValue: a.input_value } : {}),
          ...(a.option !== undefined ? { option: a.option } : {}),
          ...(a.checked !== undefined ? { checked: a.checked } : {}),
          ...(a.name !== undefined ? { name: a.name } : {}),
          ...(a.tag !== undefined ? { tag: a.tag } : {}),
          ...(e.data.token !== undefined ? { token: e.data.token } : {}),
        },
      };
    }
    case 'im.chat.member.bot.added_v1':
    case 'im.chat.member.bot.deleted_v1': {
      const e = chatMemberBotEvent.safeParse(event);
      if (!e.success) return { ok: false, reason: `bad chat member event: ${e.error.issues[0]?.message}` };
      const operatorOpenId = e.data.operator_id?.open_id;
      if (h.event_type === 'im.chat.member.bot.added_v1') {
        return { ok: true, event: { kind: 'bot_added', eventId: h.event_id, chatId: e.data.chat_id, ...(e.data.name ? { chatName: e.data.name } : {}), ...(operatorOpenId ? { operatorOpenId } : {}) } };
      }
      return { ok: true, event: { kind: 'bot_removed', eventId: h.event_id, chatId: e.data.chat_id, ...(operatorOpenId ? { operatorOpenId } : {}) } };
    }
    default:
      return { ok: false, reason: `unsupported event type ${h.event_type}` };
  }
}

/** A message listed by the history API (long-connection backfill) as a MessageEvent. */
export function normalizeHistoryMessage(m: HistoryMessage, chatType: 'p2p' | 'group', botOpenId: string | undefined): MessageEvent {
  return messageFrom({
    eventId: `backfill:${m.messageId}`,
    messageId: m.messageId,
    chatId: m.chatId,
    chatType,
    senderOpenId: m.senderOpenId ?? '',
    senderType: m.senderType,
    msgType: m.msgType,
    content: m.content,
    mentions: m.mentions,
    parentId: m.parentId,
    createTime: m.createTime,
    botOpenId,
  });
}
