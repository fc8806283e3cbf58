// What people type, made safe to store and to echo. Inbound strings are made well-formed at the
// edge (a lone UTF-16 surrogate makes database drivers throw, which would turn one message into a
// poison event Feishu re-delivers for hours). Text replies that quote the user show a short
// excerpt with Feishu's text-message markup neutralised: text messages render
// `<at user_id="all"></at>`, `<b> <i> <u> <s>` and `[text](url)` (open.feishu.cn
// im-v1/message/create_json, "text"), so a quoted `<at user_id="all">` would ping a whole group.

/** Feishu's limit for a text message body is 150 KB; replies stay far below it. */
export const TEXT_REPLY_MAX_CHARS = 4000;
export const TEXT_REPLY_MAX_BYTES = 150 * 1024;
/** How much of the user's own input a reply may quote. */
export const ECHO_MAX_CHARS = 30;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** String.prototype.toWellFormed where the runtime has it (Node ≥ 20), the same by regex otherwise. */
export function wellFormed(s: string): string {
  const native = (s as { toWellFormed?: () => string }).toWellFormed;
  return typeof native === 'function' ? native.call(s) : s.replace(LONE_SURROGATE, '\uFFFD');
}

/** Every string in a JSON-like value (keys included) made well-formed; other values kept. */
export function wellFormedDeep<T>(value: T): T {
  if (typeof value === 'string') return wellFormed(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => wellFormedDeep(v)) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[wellFormed(k)] = wellFormedDeep(v);
    return out as T;
  }
  return value;
}

/** Neutralises text-message markup: tags (`<at …>`, `<b>`) and `[text](url)` links. */
export function escapeTextMarkup(s: string): string {
  return s.replace(/</g, '＜').replace(/>/g, '＞').replace(/\[/g, '［').replace(/\]/g, '］');
}

/**
 * A short, inert excerpt of what someone typed, for a reply that says "you typed …": well-formed,
 * control characters dropped, whitespace collapsed, cut to `max` characters with an ellipsis and
 * the total length noted when cut, markup neutralised.
 */
export function quoteInput(input: string, max = ECHO_MAX_CHARS): string {
  const flat = wellFormed(input)
    // eslint-disable-next-line no-control-regex -- dropping control characters is the point
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  const chars = [...flat];
  const cut = chars.length > max ? `${chars.slice(0, max).join('')}…（共 ${chars.length} 字）` : flat;
  return escapeTextMarkup(cut);
}

/** A text reply cut to what Feishu accepts (characters and bytes), saying that it was cut. */
export function fitTextReply(text: string): string {
  const s = wellFormed(text);
  const chars = [...s];
  const tail = '\n……（内容过长，已截断）';
  let out = chars.length > TEXT_REPLY_MAX_CHARS ? chars.slice(0, TEXT_REPLY_MAX_CHARS).join('') + tail : s;
  while (Buffer.byteLength(out) > TEXT_REPLY_MAX_BYTES) out = [...out].slice(0, Math.floor([...out].length / 2)).join('') + tail;
  return out;
}

/**
 * A number or date as typed, with full-width digits and signs made ASCII (Chinese input methods
 * type "１２０" and "５．５" in full-width mode). NFKC, applied to such fields only: in free text
 * it would turn Chinese punctuation (，：（）) into ASCII.
 */
export function asciiDigits(s: string): string {
  return s.normalize('NFKC').trim();
}
