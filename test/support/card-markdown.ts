// Checks card markdown against a strict CommonMark parser (markdown-it 15 follows CommonMark 0.31:
// Unicode punctuation and symbols both count for the flanking rules). An unescaped `*` that is
// left as text after parsing is an emphasis delimiter that did not open or close: the reader
// would see literal asterisks.
import MarkdownIt from 'markdown-it';

const md = new MarkdownIt('commonmark');
// Keep escapes and entities as their own tokens so literal `*` from `&#42;` is told apart.
md.core.ruler.disable('text_join');

interface Tok {
  type: string;
  content: string;
  children: Tok[] | null;
}

function literalAsterisks(tokens: Tok[]): string[] {
  const out: string[] = [];
  for (const t of tokens) {
    if (t.type === 'text' && t.content.includes('*')) out.push(t.content);
    if (t.children) out.push(...literalAsterisks(t.children));
  }
  return out;
}

/** Text runs of `content` in which a `*` would show literally; empty when all emphasis renders. */
export function strayAsterisks(content: string): string[] {
  return literalAsterisks(md.parse(content, {}) as unknown as Tok[]);
}

/** Every markdown string a card carries (markdown components, lark_md texts, panel titles). */
export function markdownContents(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(markdownContents);
  if (typeof node !== 'object' || node === null) return [];
  const o = node as Record<string, unknown>;
  const own = (o.tag === 'markdown' || o.tag === 'lark_md') && typeof o.content === 'string' ? [o.content] : [];
  return [...own, ...Object.values(o).flatMap(markdownContents)];
}

/** `**` runs that do not render as bold, with the markdown they are in. */
export function badBold(card: unknown): { content: string; stray: string[] }[] {
  return markdownContents(card)
    .map((content) => ({ content, stray: strayAsterisks(content) }))
    .filter((x) => x.stray.length > 0);
}
