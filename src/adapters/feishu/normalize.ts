// v2 envelopes (webhook, long connection, emulator) → the app's InboundEvent, parsed with zod.
// Header and event stay apart until here; the rest of the app never sees Feishu's shapes.
import { z } from 'zod';
import type { InboundEvent, Mention, MessageEvent } from '../../app/events.ts';
import type { HistoryMessage } from '../../ports/feishu.ts';
import { wellFormedDeep } from '../../domain/user-text.ts';

// Limits at the edge (docs/security.md): identifiers are short opaque strings; what a person types
// is bounded per field. Oversized input is cut here and flagged, so the bot answers with a clear
// refusal instead of storing or echoing megabytes (and instead of failing on them in the database).
export const INPUT_LIMITS = {
  /** ids, tokens, event types */
  id: 256,
  /** a text message (commands, names lists, notes) */
  text: 4000,
  /** a card action value's string (opaque ids only) */
  value: 512,
  /** one form field or input box */
  field: 5000,
  /** how many fields a form may carry */
  fields: 200,
} as const;

const id = (min = 0) => z.string().min(min).max(INPUT_LIMITS.id);

const userId = z.object({ open_id: id().optional(), union_id: id().optional(), user_id: id().optional() }).partial();

const header = z.object({
  event_id: id(1),
  event_type: id(1),
  token: id().optional(),
  create_time: id().optional(),
  app_id: id().optional(),
  tenant_key: id().optional(),
});

const envelope = z.object({ schema: z.literal('2.0'), header, event: z.record(z.string(), z.unknown()) });

const mention = z.object({ key: id(), id: userId.optional(), name: z.string().max(INPUT_LIMITS.field).optional() });

const messageEvent = z.object({
  sender: z.object({ sender_id: userId.optional(), sender_type: z.string().optional() }),
  message: z.object({
    message_id: id(1),
    root_id: id().optional(),
    parent_id: id().optional(),
    create_time: id().optional(),
    chat_id: id(1),
    chat_type: id(),
    message_type: id(),
    content: z.string().default('{}'),
    mentions: z.array(mention).max(INPUT_LIMITS.fields).optional(),
  }),
});

const cardEvent = z.object({
  operator: z.object({ open_id: id(1) }).passthrough(),
  token: id().optional(),
  action: z.object({
    value: z.unknown().optional(),
    tag: id().optional(),
    name: id().optional(),
    form_value: z.record(z.string(), z.unknown()).optional(),
    input_value: z.string().optional(),
    option: z.string().max(INPUT_LIMITS.field).optional(),
    checked: z.boolean().optional(),
  }),
  context: z.object({ open_message_id: id().optional(), open_chat_id: id().optional() }).partial().optional(),
  open_message_id: id().optional(),
  open_chat_id: id().optional(),
});

const chatMemberBotEvent = z.object({ chat_id: id(1), operator_id: userId.optional(), name: z.string().max(INPUT_LIMITS.field).optional() });

/** Cuts a string to `max` characters (code points); reports whether it had to. */
function cut(s: string, max: number): { value: string; cut: boolean } {
  if (s.length <= max) return { value: s, cut: false };
  const chars = [...s];
  return chars.length <= max ? { value: s, cut: false } : { value: chars.slice(0, max).join(''), cut: true };
}

/** Form and value records bounded: strings cut, arrays and nesting kept small. */
function boundRecord(record: Record<string, unknown>, maxString: number): { value: Record<string, unknown>; cut: boolean } {
  let wasCut = false;
  const bound = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') {
      const c = cut(v, maxString);
      wasCut ||= c.cut;
      return c.value;
    }
    if (Array.isArray(v)) {
      if (v.length > INPUT_LIMITS.fields || depth > 3) wasCut = true;
      return depth > 3 ? [] : v.slice(0, INPUT_LIMITS.fields).map((x) => bound(x, depth + 1));
    }
    if (v && typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>);
      if (entries.length > INPUT_LIMITS.fields || depth > 3) wasCut = true;
      return depth > 3 ? {} : Object.fromEntries(entries.slice(0, INPUT_LIMITS.fields).map(([k, x]) => [k.slice(0, INPUT_LIMITS.id), bound(x, depth + 1)]));
    }
    return v;
  };
  const value = bound(record, 0) as Record<string, unknown>;
  return { value, cut: wasCut };
}

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
  // An empty key would split between every UTF-16 unit (tearing surrogate pairs apart).
  for (const m of mentions) if (m.key) out = out.split(m.key).join(' ');
  return out
    .replace(/@_user_\d+/g, ' ')
    .replace(/[ \t\u3000]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .trim();
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
  // `content` is JSON inside JSON: its `\ud800` escapes only become lone surrogates once parsed.
  const content = wellFormedDeep(parseContent(p.content));
  const full = p.msgType === 'text' && typeof content.text === 'string' ? stripMentions(content.text, p.mentions) : '';
  const text = cut(full, INPUT_LIMITS.text);
  if (text.cut) content.text = text.value;
  return {
    kind: 'message',
    eventId: p.eventId,
    messageId: p.messageId,
    chatId: p.chatId,
    chatType: p.chatType === 'p2p' ? 'p2p' : 'group',
    senderOpenId: p.senderOpenId,
    senderType: p.senderType,
    msgType: p.msgType,
    text: text.value,
    ...(text.cut ? { oversized: { field: '消息', limit: INPUT_LIMITS.text } } : {}),
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
export function normalizeEnvelope(raw: unknown, botOpenId: string | undefined): NormalizeResult {
  // Lone surrogates become U+FFFD before anything reads the strings (drivers throw on them).
  const body = wellFormedDeep(raw);
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
      const rawValue = typeof a.value === 'object' && a.value !== null && !Array.isArray(a.value) ? (a.value as Record<string, unknown>) : {};
      const value = boundRecord(rawValue, INPUT_LIMITS.value);
      const form = a.form_value ? boundRecord(a.form_value, INPUT_LIMITS.field) : undefined;
      const input = a.input_value !== undefined ? cut(a.input_value, INPUT_LIMITS.field) : undefined;
      const oversized = value.cut ? { field: '按钮', limit: INPUT_LIMITS.value } : form?.cut || input?.cut ? { field: '填写的内容', limit: INPUT_LIMITS.field } : undefined;
      return {
        ok: true,
        event: {
          kind: 'card_action',
          eventId: h.event_id,
          operatorOpenId: e.data.operator.open_id,
          chatId: e.data.context?.open_chat_id ?? e.data.open_chat_id ?? '',
          messageId: e.data.context?.open_message_id ?? e.data.open_message_id ?? '',
          value: value.value,
          ...(form ? { formValue: form.value } : {}),
          ...(input ? { inputValue: input.value } : {}),
          ...(oversized ? { oversized } : {}),
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
