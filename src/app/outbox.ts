// The one way anything leaves the bot: an outbox row written in the same transaction as the
// change that causes it. The worker (src/adapters/outbox/worker.ts) delivers it later with
// rate limits and retries. The idempotency key makes enqueueing and delivery safe to repeat.
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { CardJson } from '../../cards/kit.ts';
import type { Tx } from '../adapters/db/database.ts';
import { applyPhonePolicy, type PhonePolicy } from './phone-policy.ts';
import { fitTextReply } from '../domain/user-text.ts';

export type Recipient = { chatId: string } | { openId: string };

export type OutboxOp =
  /** a card or a text into a chat or to a person (p2p) */
  | { op: 'send'; to: Recipient; card?: CardJson; text?: string }
  /**
   * a reply in the thread of a message; `chatId` = the chat that message is in (Feishu's 5/s limit
   * is per chat, so it is the reply's lane; filled in by enqueue() for a reply to the event's own
   * message when the handler leaves it out)
   */
  | { op: 'reply'; messageId: string; chatId?: string; card?: CardJson; text?: string }
  /** replace a card the bot sent; the message is known by id, or by the key of the send that posted it */
  | { op: 'patch'; messageId?: string; messageOfKey?: string; card: CardJson }
  /** 加急: buzz users about a message the bot sent (by the key of that send); never retried blindly */
  | { op: 'urgent'; messageOfKey: string; openIds: string[] }
  /** upload a stored file (path from FileStorage) and send it */
  | { op: 'file'; to: Recipient; fileName: string; fileType: 'xls' | 'pdf' | 'doc' | 'stream'; storedPath: string; fullPhones?: boolean }
  /** delayed update of a card after answering its callback (token valid 30 min, 2 uses) */
  | { op: 'card_update'; token: string; card: CardJson };

export interface EnqueueOptions {
  /** deliver no earlier than this */
  notBefore?: Date;
  /** who counts as a coordinator and which reply lands privately (set by the bot core, not use-cases) */
  phones?: PhonePolicy;
  /** the message the handled event came from and its chat (set by the bot core): a reply to it is laned by that chat */
  replyChat?: ReplyChat;
}

/** A message and the chat it is in. */
export interface ReplyChat {
  messageId: string;
  chatId: string;
}

/** The event's own message and chat, for replies to it (message events and card callbacks carry both). */
export function replyChatOf(event: { kind: string; messageId?: string; chatId?: string }): ReplyChat | undefined {
  return (event.kind === 'message' || event.kind === 'card_action') && event.messageId && event.chatId ? { messageId: event.messageId, chatId: event.chatId } : undefined;
}

/** A reply without its chat gets it from the event when it replies to the event's own message. */
function withReplyChat(op: OutboxOp, replyChat: ReplyChat | undefined): OutboxOp {
  if (op.op !== 'reply' || op.chatId || !replyChat || replyChat.messageId !== op.messageId) return op;
  return { ...op, chatId: replyChat.chatId };
}

/** Feishu's `uuid` is at most 50 characters: long keys are hashed, short ones kept readable. */
export function feishuUuid(idempotencyKey: string): string {
  return idempotencyKey.length <= 50 ? idempotencyKey : `h_${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 46)}`;
}

/** What leaves must fit Feishu: a text body is cut to a sensible length, well under its 150 KB. */
function fitted(op: OutboxOp): OutboxOp {
  if ((op.op === 'send' || op.op === 'reply') && op.text !== undefined) return { ...op, text: fitTextReply(op.text) };
  return op;
}

/** Every rule an outgoing message obeys, applied in one place: size, then phone numbers. */
async function outgoing(tx: Tx, op: OutboxOp, phones: PhonePolicy | undefined): Promise<OutboxOp> {
  return applyPhonePolicy(tx, fitted(op), phones);
}

let lastSeq = 0n;

/**
 * Delivery order of a new row: increasing in this process, and across processes as far as their
 * clocks agree (microseconds of the wall clock; only an order, never read as a time). Rows whose
 * transactions raced may come out either way; a row enqueued after another committed never sorts
 * before it.
 */
export function nextOutboxSeq(): bigint {
  const micros = BigInt(Math.floor((performance.timeOrigin + performance.now()) * 1000));
  lastSeq = micros > lastSeq ? micros : lastSeq + 1n;
  return lastSeq;
}

/**
 * The rate-limit and ordering lane of an operation: the chat or user it lands in, or the message it
 * changes. A reply lands in the chat of the message it answers (Feishu counts 5/s per chat, and a
 * reply must keep its place among that chat's sends); a reply whose chat is unknown (rows written
 * before chatId was stored) keeps the message id.
 */
export function targetOf(op: OutboxOp): string {
  switch (op.op) {
    case 'send':
    case 'file':
      return 'chatId' in op.to ? op.to.chatId : op.to.openId;
    case 'reply':
      return op.chatId ?? op.messageId;
    case 'patch':
      return op.messageId ?? `key:${op.messageOfKey}`;
    case 'urgent':
      return `key:${op.messageOfKey}`;
    case 'card_update':
      // Each callback token is its own lane (tokens are independent; the token itself stays out of logs and alerts).
      return `card_update:${createHash('sha256').update(op.token).digest('hex').slice(0, 16)}`;
  }
}

/**
 * Writes an outbox row unless one with the same key exists (then returns the existing id).
 * Must be called inside the transaction of the change that causes the message.
 */
export async function enqueue(tx: Tx, idempotencyKey: string, raw: OutboxOp, options: EnqueueOptions = {}, now = new Date()): Promise<string> {
  const op = await outgoing(tx, withReplyChat(raw, options.replyChat), options.phones);
  let parentId: string | null = null;
  if (op.op === 'urgent' || (op.op === 'patch' && !op.messageId && op.messageOfKey)) {
    const parent = await tx.outboxMessage.findUnique({ where: { idempotencyKey: op.messageOfKey! }, select: { id: true } });
    parentId = parent?.id ?? null;
  }
  // One statement, the existing key kept as is (ON CONFLICT DO NOTHING neither fails nor aborts the
  // transaction on PostgreSQL): a fan-out writes a row per recipient, and Prisma's create plus the
  // look-up before it cost three times the CPU of this (src/adapters/outbox/row-writes.ts).
  const inserted = await insertOutboxRow(tx, {
    idempotencyKey,
    op: op.op,
    target: targetOf(op),
    payload: JSON.stringify(op),
    parentId,
    nextAttemptAt: options.notBefore ?? now,
    createdAt: now,
  });
  if (inserted) return inserted;
  const existing = await tx.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey }, select: { id: true } });
  return existing.id;
}

/** Whether the transaction's database is PostgreSQL (its client says so; SQLite's does not). */
function isPostgres(tx: Tx): boolean {
  return (tx as unknown as { _activeProvider?: string })._activeProvider === 'postgresql';
}

/** INSERT … ON CONFLICT ("idempotencyKey") DO NOTHING RETURNING "id": the new row's id, or undefined for a known key. */
async function insertOutboxRow(tx: Tx, r: { idempotencyKey: string; op: string; target: string; payload: string; parentId: string | null; nextAttemptAt: Date; createdAt: Date }): Promise<string | undefined> {
  const pg = isPostgres(tx);
  const params: unknown[] = [];
  const p = (value: unknown, cast = '') => {
    params.push(value);
    return pg ? `$${params.length}${cast}` : '?';
  };
  // timestamp(3) holds UTC on PostgreSQL (as Prisma writes it); SQLite's adapter writes a Date as Prisma does.
  const at = (d: Date) => (pg ? p(d.toISOString(), '::timestamp(3)') : p(d));
  const id = `c${randomBytes(12).toString('hex')}`;
  const sql = `INSERT INTO "OutboxMessage" ("id", "idempotencyKey", "op", "target", "payload", "status", "attempts", "nextAttemptAt", "parentId", "createdAt", "seq") VALUES (${p(id)}, ${p(r.idempotencyKey)}, ${p(r.op)}, ${p(r.target)}, ${p(r.payload)}, 'pending', 0, ${at(r.nextAttemptAt)}, ${p(r.parentId)}, ${at(r.createdAt)}, ${p(nextOutboxSeq())}) ON CONFLICT ("idempotencyKey") DO NOTHING RETURNING "id"`;
  const rows = await tx.$queryRawUnsafe<{ id: string }[]>(sql, ...params);
  return rows[0]?.id;
}

/**
 * Writes many independent outbox rows with two queries (a fan-out to every unit must fit in a
 * card callback's 3 s). Same semantics as enqueue() per row: an existing key is kept as is.
 * Ops that point at another outbox row (urgent, patch by key) must go through enqueue().
 */
export async function enqueueMany(tx: Tx, items: readonly { key: string; op: OutboxOp; options?: EnqueueOptions }[], now = new Date(), phones: PhonePolicy = {}): Promise<void> {
  if (items.some((i) => i.op.op === 'urgent' || (i.op.op === 'patch' && !i.op.messageId))) {
    throw new Error('enqueueMany: urgent and patch-by-key ops need enqueue()');
  }
  if (items.length === 0) return;
  const policy: PhonePolicy = { ...phones, known: new Map() };
  const existing = await tx.outboxMessage.findMany({ where: { idempotencyKey: { in: items.map((i) => i.key) } }, select: { idempotencyKey: true } });
  const seen = new Set(existing.map((r) => r.idempotencyKey));
  const data = [];
  for (const i of items) {
    if (seen.has(i.key)) continue;
    seen.add(i.key);
    const op = await outgoing(tx, withReplyChat(i.op, i.options?.replyChat), policy);
    data.push({ idempotencyKey: i.key, op: op.op, target: targetOf(op), payload: JSON.stringify(op), nextAttemptAt: i.options?.notBefore ?? now, seq: nextOutboxSeq() });
  }
  if (data.length > 0) await tx.outboxMessage.createMany({ data });
}

const recipient = z.union([z.object({ chatId: z.string() }), z.object({ openId: z.string() })]);
const cardJson = z.custom<CardJson>((v) => typeof v === 'object' && v !== null && (v as { schema?: unknown }).schema === '2.0');

/** Parses a stored payload back (the worker uses it; a bad row is a permanent failure, not a crash). */
export const outboxOpSchema: z.ZodType<OutboxOp> = z.discriminatedUnion('op', [
  z.object({ op: z.literal('send'), to: recipient, card: cardJson.optional(), text: z.string().optional() }),
  z.object({ op: z.literal('reply'), messageId: z.string(), chatId: z.string().optional(), card: cardJson.optional(), text: z.string().optional() }),
  z.object({ op: z.literal('patch'), messageId: z.string().optional(), messageOfKey: z.string().optional(), card: cardJson }),
  z.object({ op: z.literal('urgent'), messageOfKey: z.string(), openIds: z.array(z.string()).min(1) }),
  z.object({ op: z.literal('file'), to: recipient, fileName: z.string(), fileType: z.enum(['xls', 'pdf', 'doc', 'stream']), storedPath: z.string(), fullPhones: z.boolean().optional() }),
  z.object({ op: z.literal('card_update'), token: z.string(), card: cardJson }),
]) as z.ZodType<OutboxOp>;
