// Types for the pure half of markdown.js (used by the Node tests; the same module the browser loads).
export type InlineNode =
  | { type: 'text'; text: string }
  | { type: 'code'; text: string }
  | { type: 'br' }
  | { type: 'hr' }
  | { type: 'strong' | 'em' | 'del' | 'u' | 'span'; children: InlineNode[] }
  | { type: 'link'; href: string; children: InlineNode[] }
  | { type: 'font'; color: string; children: InlineNode[] }
  | { type: 'text_tag'; color: string; children: InlineNode[] }
  | { type: 'number_tag'; color: string; children: InlineNode[] }
  | { type: 'at'; ids: string[]; email: string }
  | { type: 'person'; id: string }
  | { type: 'datetime'; millisecond: number; format: string }
  | { type: 'image'; key: string; alt: string };

export interface ListBlock {
  type: 'list';
  ordered: boolean;
  start: number;
  /** `blocks`: what else an item holds (quotes, code, tables), drawn after its text. */
  items: { children: InlineNode[]; sublists: ListBlock[]; blocks?: Block[] }[];
}

export type Block =
  | { type: 'paragraph'; children: InlineNode[] }
  | { type: 'heading'; level: number; children: InlineNode[] }
  | { type: 'hr' }
  | { type: 'quote'; children: Block[] }
  | { type: 'codeblock'; lang: string; text: string }
  | { type: 'table'; header: InlineNode[][]; aligns: string[]; rows: InlineNode[][][] }
  | ListBlock;

export function decodeEntities(text: string): string;
export function safeUrl(raw: unknown): string | null;
export function parseAttributes(source: string): Record<string, string>;
export function parseInline(text: string): InlineNode[];
export function parseMarkdown(content: unknown): Block[];
export function markdownToPlainText(content: string, resolveName?: (openId: string) => string | null): string;
export function atLabel(node: { ids: string[]; email: string }, resolveName?: (openId: string) => string | null): string;
export function formatLocalDatetime(millisecond: number, format: string, timeZone?: string): string;
export function colorClassOrValue(color: unknown): { className?: string; value?: string };
export function renderMarkdown(content: unknown, ctx?: unknown, inlineOnly?: boolean): HTMLElement;
