// The one rule for mobile numbers in anything the bot sends (docs/security.md): a mobile number is
// shown in full only in a private chat with a coordinator; everywhere else — every group chat,
// bound to a unit or not, the coordinating office's group included, and private chats with anyone
// else — it is masked (138****5678). Applied where every message leaves: enqueue() for outbox rows
// and Bot.dispatch() for the card a callback answers with. Card builders may still format numbers
// as they like; this is the net under them.
//
// One exception keeps forms usable: an input's own default value (a liaison's phone pre-filled in
// the submission form, which is only ever sent to them privately) is left as is, since masking it
// would make the form submit a broken number. Forms that pre-fill phones are never posted in groups.
import type { Tx } from '../adapters/db/database.ts';
import type { OutboxOp } from './outbox.ts';

// A mainland mobile not glued to other letters or digits (ids and timestamps are left alone),
// optionally +86-prefixed and split by spaces or dashes, plain, backslash-escaped or as the
// character reference (&#45;) that cards' escapeMarkdown() writes.
const MOBILE_IN_TEXT = /(?<![0-9A-Za-z_])(?:\+?86(?:\\?[-\s]|&#45;|&#x2[dD];)?)?(1[3-9]\d)(?:\\?[-\s]|&#45;|&#x2[dD];)?(\d{4})(?:\\?[-\s]|&#45;|&#x2[dD];)?(\d{4})(?![0-9A-Za-z_])/g;

/** Masks every mobile number in a piece of text. */
export function maskMobilesInText(text: string): string {
  return text.replace(MOBILE_IN_TEXT, (_m, a: string, _b: string, c: string) => `${a}****${c}`);
}

/** True when the text still shows a full mobile number. */
export function hasFullMobile(text: string): boolean {
  MOBILE_IN_TEXT.lastIndex = 0;
  const found = MOBILE_IN_TEXT.test(text);
  MOBILE_IN_TEXT.lastIndex = 0;
  return found;
}

/** The value with every mobile masked; the very same value (not a copy) when it shows none. */
function maskDeep(value: unknown, parent?: Record<string, unknown>, key?: string): unknown {
  if (typeof value === 'string') {
    if (key === 'default_value' && parent?.tag === 'input') return value;
    return maskMobilesInText(value);
  }
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    value.forEach((v, i) => {
      const m = maskDeep(v);
      if (m !== v) (out ??= value.slice())[i] = m;
    });
    return out ?? value;
  }
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    let out: Record<string, unknown> | undefined;
    for (const [k, v] of Object.entries(obj)) {
      const m = maskDeep(v, obj, k);
      if (m !== v) (out ??= { ...obj })[k] = m;
    }
    return out ?? value;
  }
  return value;
}

/** Where a message lands, as far as the phone rule cares. */
export type Audience = { kind: 'private'; openId: string } | { kind: 'group' } | { kind: 'unknown' };

export interface PhonePolicy {
  /** the configured coordinators (COORDINATOR_OPEN_IDS); the Coordinator table is asked too */
  coordinatorOpenIds?: readonly string[];
  /**
   * The private chat a reply or card update lands in, when the inbound event says so (a message in
   * a p2p chat). Set by the bot core from the event, never by use-case code.
   */
  privateReplyTo?: { messageId: string; openId: string };
  /** answers already looked up (a fan-out asks once per person) */
  known?: Map<string, boolean>;
}

async function isCoordinatorId(tx: Tx, openId: string, policy: PhonePolicy): Promise<boolean> {
  if (policy.coordinatorOpenIds?.includes(openId)) return true;
  const cached = policy.known?.get(openId);
  if (cached !== undefined) return cached;
  const yes = (await tx.coordinator.count({ where: { openId } })) > 0;
  policy.known?.set(openId, yes);
  return yes;
}

export function audienceOf(op: OutboxOp, policy: PhonePolicy): Audience {
  switch (op.op) {
    case 'send':
    case 'file':
      return 'openId' in op.to ? { kind: 'private', openId: op.to.openId } : { kind: 'group' };
    case 'reply':
      return policy.privateReplyTo && policy.privateReplyTo.messageId === op.messageId ? { kind: 'private', openId: policy.privateReplyTo.openId } : { kind: 'unknown' };
    default:
      return { kind: 'unknown' };
  }
}

/** Masks a card or text for its audience (pure once the coordinator question is answered). */
export function maskForAudience<T>(content: T, audience: Audience, recipientIsCoordinator: boolean): T {
  if (audience.kind === 'private' && recipientIsCoordinator) return content;
  return maskDeep(content) as T;
}

/** The op as it may leave: mobiles masked unless it goes privately to a coordinator. */
export async function applyPhonePolicy(tx: Tx, op: OutboxOp, policy: PhonePolicy = {}): Promise<OutboxOp> {
  if (op.op === 'urgent') return op;
  const audience = audienceOf(op, policy);
  if (op.op === 'file') {
    // A file cannot be masked here: whoever writes one with full numbers says so, and it may only
    // go privately to a coordinator. Anything else is a bug, stopped before it is sent.
    if (op.fullPhones && !(audience.kind === 'private' && (await isCoordinatorId(tx, audience.openId, policy)))) {
      throw new PhonePolicyError(`a file with full phone numbers may only be sent privately to a coordinator (${op.fileName})`);
    }
    return op;
  }
  const masked = maskDeep(op) as OutboxOp;
  // Nothing to mask: who reads it does not matter (most messages; no look-up).
  if (masked === op) return op;
  const coordinator = audience.kind === 'private' && (await isCoordinatorId(tx, audience.openId, policy));
  return coordinator ? op : masked;
}

export class PhonePolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PhonePolicyError';
  }
}
