// Feishu's two size limits on a card, measured the way Feishu measures them. Pure: no I/O.
//
// 1. Bytes: `im/v1/messages` (create / reply) refuses a request body over 30 KB with 230025
//    ("消息体长度超出限制": text 150 KB, card and post 30 KB) —
//    https://open.feishu.cn/document/server-docs/im-v1/message/create . The body is JSON whose
//    `content` is the card JSON *stringified again*, so every quote and backslash of the card is
//    escaped a second time: the card object's own size understates it.
// 2. Elements: a JSON 2.0 card holds at most 200 elements (230099, sub-code 11310 "element exceeds
//    the limit") — https://open.feishu.cn/document/uAjLw4CM/ukzMukzMukzM/feishu-cards/card-json-v2-structure .
//    Feishu counts text elements too, not only components: a button is its `button` plus its
//    `plain_text`, and a `confirm` adds its title and text. We count every object that carries a
//    `tag` (components, columns, plain_text/lark_md objects, text tags, icons), header included.
import type { CardJson } from './kit.ts';

export const CARD_BODY_LIMIT_BYTES = 30 * 1024;
export const CARD_ELEMENT_LIMIT = 200;

/** Worst-case envelope of a create call: the longest ids we send (open_id/chat_id are 35; uuid ≤ 50). */
const ENVELOPE = { receive_id: 'x'.repeat(64), msg_type: 'interactive', uuid: 'x'.repeat(50) };

export interface CardMeasure {
  /** UTF-8 bytes of the `im/v1/messages` create request body that would carry this card */
  bodyBytes: number;
  /** elements as Feishu counts them (components and text objects) */
  elements: number;
}

export function countElements(node: unknown): number {
  if (Array.isArray(node)) return node.reduce((n: number, x) => n + countElements(x), 0);
  if (typeof node !== 'object' || node === null) return 0;
  const own = typeof (node as { tag?: unknown }).tag === 'string' ? 1 : 0;
  return own + Object.values(node).reduce((n: number, x) => n + countElements(x), 0);
}

/** The request body of `POST /open-apis/im/v1/messages` that would send `card`. */
export function messageBody(card: unknown): string {
  return JSON.stringify({ receive_id: ENVELOPE.receive_id, msg_type: ENVELOPE.msg_type, content: JSON.stringify(card), uuid: ENVELOPE.uuid });
}

export function measureCard(card: unknown): CardMeasure {
  return { bodyBytes: Buffer.byteLength(messageBody(card), 'utf8'), elements: countElements(card) };
}

export function fitsBudget(card: unknown): boolean {
  const m = measureCard(card);
  return m.bodyBytes <= CARD_BODY_LIMIT_BYTES && m.elements <= CARD_ELEMENT_LIMIT;
}

/** Cards the last-resort trim in `card()` had to shorten (see enforceBudget). */
const trimmed = new WeakSet<object>();

export function wasTrimmed(card: CardJson): boolean {
  return trimmed.has(card);
}

const TRIM_NOTE = { tag: 'markdown', content: '卡片内容过多，已省略部分内容。', text_size: 'notation' } as const;

/**
 * Last resort so that no card the bot builds is ever refused: drops body elements from the end
 * (keeping a final small action row) and says so. Builders page or summarise before this happens
 * (fitCard); the county-scale tests check that they do.
 */
export function enforceBudget(card: CardJson): CardJson {
  if (fitsBudget(card)) return card;
  const elements = [...card.body.elements];
  const last = elements[elements.length - 1];
  const keepLast = last !== undefined && measureCard(last).elements <= 20 && measureCard(last).bodyBytes <= 4000;
  const middle = keepLast ? elements.slice(0, -1) : elements;
  const build = (list: typeof elements): CardJson => ({ ...card, body: { ...card.body, elements: [...list, { ...TRIM_NOTE }, ...(keepLast ? [last] : [])] } });
  let out = build(middle);
  while (!fitsBudget(out) && middle.length > 0) {
    middle.pop();
    out = build(middle);
  }
  trimmed.add(out);
  return out;
}

/**
 * The first of `variants` (most detailed first) that fits both limits without the last-resort
 * trim; the last variant (trimmed if need be) when none does. List cards use it to page or
 * summarise: e.g. `fitCard([() => full(), () => compact(), () => countsOnly()])`.
 */
export function fitCard(variants: (() => CardJson)[]): CardJson {
  let last: CardJson | undefined;
  for (const v of variants) {
    last = v();
    if (!wasTrimmed(last) && fitsBudget(last)) return last;
  }
  if (!last) throw new Error('fitCard needs at least one variant');
  return enforceBudget(last);
}
