// Markdown for Feishu card `markdown` components, written so that it renders the same under strict
// CommonMark as on Feishu's clients. Pure: no I/O.
//
// Bold: CommonMark (0.31, which Feishu's card markdown follows) lets `**` open only when it is
// left-flanking and close only when it is right-flanking. A closing `**` right after punctuation
// (：）」。 and every other Unicode P/S character) followed directly by a letter is not right-flanking,
// so `**填报单位：**星沙街道` shows its asterisks. Feishu's rich-text page says the same in its own words
// ("若加粗效果未显示，请确保加粗语法前后保留一个空格"):
// https://open.feishu.cn/document/uAjLw4CM/ukzMukzMukzM/feishu-cards/card-json-v2-components/content-components/rich-text
// `bold()` therefore keeps punctuation and spaces at either end *outside* the delimiters, so the
// character inside each `**` is always a letter, digit or ideograph and the pair opens and closes
// whatever surrounds it.
//
// Escaping: user text is made inert with the character references the same page documents for
// markdown's special characters (`&#42;` for `*` …) rather than backslashes; CommonMark decodes
// them as literal characters that never start emphasis, links, lists or Feishu's HTML-like tags.

/** Unicode punctuation or symbol, as CommonMark 0.31 defines "punctuation character". */
const PUNCT = /[\p{P}\p{S}]/u;
const SPACE = /\s/u;

/**
 * ASCII characters that mean something in Feishu card markdown: CommonMark syntax, the HTML-like
 * tags (`<at>`, `<font>` …) and entities (`&`).
 */
const MD_SPECIAL = /[\\`*_~[\]()<>#+\-!|{}.&]/g;

const NAMED: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;' };

/**
 * Makes user text inert inside a markdown element: markdown punctuation becomes a character
 * reference (so `**`, `<at id=all>` or `[x](url)` never parse), control and bidi-override
 * characters are dropped, and line breaks are kept.
 */
export function escapeMarkdown(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex -- stripping control characters is the point
      .replace(/[\u0000-\u0009\u000b-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g, '')
      .replace(MD_SPECIAL, (ch) => NAMED[ch] ?? `&#${ch.charCodeAt(0)};`)
  );
}

function isEdge(ch: string): boolean {
  return PUNCT.test(ch) || SPACE.test(ch);
}

/**
 * `text` (plain, not yet escaped) in bold that renders bold under strict CommonMark wherever it is
 * placed: leading and trailing punctuation/whitespace stay outside the `**`. Text with no letter
 * or digit at all is returned escaped and not bold.
 */
export function bold(text: string): string {
  const chars = [...text];
  let start = 0;
  let end = chars.length;
  while (start < end && isEdge(chars[start]!)) start += 1;
  while (end > start && isEdge(chars[end - 1]!)) end -= 1;
  if (start === end) return escapeMarkdown(text);
  const lead = chars.slice(0, start).join('');
  const core = chars.slice(start, end).join('');
  const trail = chars.slice(end).join('');
  return `${escapeMarkdown(lead)}**${escapeMarkdown(core)}**${escapeMarkdown(trail)}`;
}

/**
 * Bold that ends its line (nothing but a line break or the end follows it): trailing punctuation can stay
 * inside, because a closing `**` followed by a line end always closes. Leading punctuation still moves out.
 * Use for headings and labels that end a line, e.g. `已保存的主题（2）`.
 */
export function boldLine(text: string): string {
  const chars = [...text.replace(/\s+$/u, '')];
  let start = 0;
  while (start < chars.length && isEdge(chars[start]!)) start += 1;
  let end = chars.length;
  while (end > start && SPACE.test(chars[end - 1]!)) end -= 1;
  if (!chars.slice(start, end).some((c) => !PUNCT.test(c))) return escapeMarkdown(text);
  return `${escapeMarkdown(chars.slice(0, start).join(''))}**${escapeMarkdown(chars.slice(start, end).join(''))}**`;
}

/**
 * A bold label and its value: `**填报单位**：星沙街道` (the colon outside the bold). The full-width colon
 * right after the closing `**` is punctuation, so a label ending in a bracket keeps it inside:
 * `**未提交（3）**：…`. `value` is markdown.
 */
export function field(label: string, value: string): string {
  return `${boldLine(label)}：${value}`;
}

/** Bold number or short static text — same as `bold` but reads better at call sites for counts. */
export function strong(value: string | number): string {
  return bold(String(value));
}

/** `<font color='…'>` around markdown (colours are Feishu's named colours, never user text). */
export function colored(color: 'red' | 'green' | 'orange' | 'blue' | 'grey', markdownText: string): string {
  return `<font color='${color}'>${markdownText}</font>`;
}
