// Types for the pure half of markdown.js (used by the Node tests).
export type InlineNode =
  | { type: 'text'; text: string }
  | { type: 'code'; text: string }
  | { type: 'br' }
  | { type: 'hr' }
  | { type: 'strong' | 'em' | 'del' | 'u' | 'span'; children: InlineNode[] }
  | { type: 'link'; href: string; children: InlineNode[] }
  | { type: 'font'; color: string; children: InlineNode[] }
  | { type: 'text_tag'; color: string; children: InlineNode[] }
  | { type: 'at'; ids: string[]; email: string };

export interface ListBlock {
  type: 'list';
  ordered: boolean;
  start: number;
  items: { children: InlineNode[]; sublists: ListBlock[] }[];
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
export function colorClassOrValue(color: unknown): { className?: string; value?: string };
export function renderMarkdown(content: unknown, ctx?: unknown, inlineOnly?: boolean): HTMLElement;
