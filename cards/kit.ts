// Card JSON 2.0 types and small builders shared by every card in cards/. Pure: no I/O, no clock.
// User text goes through plainText()/escapeMarkdown() so nobody can inject mentions, links or
// markdown into a card the bot posts; bold goes through bold()/field() (cards/markdown.ts) so it
// renders under strict CommonMark. Every card is measured the way Feishu measures it (request body
// bytes and element count, see measureCard) and kept under both limits.

export type HeaderTemplate = 'blue' | 'wathet' | 'turquoise' | 'green' | 'yellow' | 'orange' | 'red' | 'carmine' | 'violet' | 'purple' | 'indigo' | 'grey' | 'default';

export interface PlainText {
  tag: 'plain_text';
  content: string;
}

export type ActionValue = Record<string, string | number | boolean>;

export type CardElement = Record<string, unknown> & { tag: string };

export interface CardJson {
  schema: '2.0';
  config: { update_multi: true; width_mode?: 'default' | 'compact' | 'fill'; summary?: { content: string }; enable_forward?: boolean };
  header?: {
    title: PlainText;
    subtitle?: PlainText;
    template?: HeaderTemplate;
    text_tag_list?: { tag: 'text_tag'; text: PlainText; color: string }[];
  };
  body: { elements: CardElement[] };
}

export function plain(content: string): PlainText {
  return { tag: 'plain_text', content };
}

import { enforceBudget } from './budget.ts';

export { escapeMarkdown, bold, boldLine, field, strong, colored } from './markdown.ts';
export { CARD_BODY_LIMIT_BYTES, CARD_ELEMENT_LIMIT, countElements, fitCard, fitsBudget, measureCard, messageBody, wasTrimmed, type CardMeasure } from './budget.ts';

export function markdown(content: string, extra: Record<string, unknown> = {}): CardElement {
  return { tag: 'markdown', content, ...extra };
}

/** A small grey note line (Feishu renders text_size notation as secondary text). */
export function note(content: string): CardElement {
  return { tag: 'markdown', content, text_size: 'notation' };
}

/** User text shown as-is, never parsed: the safest way to show what a person typed. */
export function textBlock(content: string, extra: Record<string, unknown> = {}): CardElement {
  return { tag: 'div', text: { tag: 'plain_text', content, ...extra } };
}

export function hr(): CardElement {
  return { tag: 'hr' };
}

export type ButtonType = 'default' | 'primary' | 'danger' | 'text' | 'primary_filled' | 'danger_filled' | 'laser';

export interface ButtonOptions {
  type?: ButtonType;
  confirm?: { title: string; text: string };
  disabled?: boolean;
  disabledTips?: string;
  size?: 'tiny' | 'small' | 'medium' | 'large';
  width?: 'default' | 'fill';
  name?: string;
}

/** A callback button outside a form. */
export function button(text: string, value: ActionValue, options: ButtonOptions = {}): CardElement {
  return {
    tag: 'button',
    text: plain(text),
    type: options.type ?? 'default',
    ...(options.size ? { size: options.size } : {}),
    ...(options.width ? { width: options.width } : {}),
    ...(options.name ? { name: options.name } : {}),
    ...(options.disabled ? { disabled: true } : {}),
    ...(options.disabledTips ? { disabled_tips: plain(options.disabledTips) } : {}),
    ...(options.confirm ? { confirm: { title: plain(options.confirm.title), text: plain(options.confirm.text) } } : {}),
    behaviors: [{ type: 'callback', value }],
  };
}

/** A submit (or reset) button inside a form; `name` must be unique in the card. */
export function formButton(name: string, text: string, value: ActionValue, options: ButtonOptions & { action?: 'submit' | 'reset' } = {}): CardElement {
  return {
    tag: 'button',
    name,
    text: plain(text),
    type: options.type ?? 'primary',
    form_action_type: options.action ?? 'submit',
    ...(options.confirm ? { confirm: { title: plain(options.confirm.title), text: plain(options.confirm.text) } } : {}),
    behaviors: [{ type: 'callback', value }],
  };
}

/** Buttons side by side. */
export function buttonRow(buttons: CardElement[]): CardElement {
  return {
    tag: 'column_set',
    flex_mode: 'flow',
    horizontal_spacing: 'small',
    columns: buttons.map((b) => ({ tag: 'column', width: 'auto', elements: [b] })),
  };
}

/**
 * `narrow`: what the columns do on a narrow screen (column_set flex_mode, open.feishu.cn
 * card-json-v2-components/containers/column-set): 'none' squeezes them (a date picker then shows
 * "04/18/"), 'stretch' stacks them, 'bisect' puts two in a row. A column with `auto` is as wide as
 * what it holds (column `width: auto`): for buttons beside text, which a weighted share of a
 * phone-sized card cuts to "填写…" or "编…".
 */
export function columns(cols: { elements: CardElement[]; weight?: number; auto?: boolean }[], options: { background?: 'default' | 'grey'; narrow?: 'none' | 'stretch' | 'bisect' } = {}): CardElement {
  return {
    tag: 'column_set',
    flex_mode: options.narrow ?? 'none',
    horizontal_spacing: 'medium',
    ...(options.background === 'grey' ? { background_style: 'grey' } : {}),
    columns: cols.map((c) => ({ tag: 'column', ...(c.auto ? { width: 'auto' } : { width: 'weighted', weight: c.weight ?? 1 }), vertical_align: 'top', elements: c.elements })),
  };
}

export function form(name: string, elements: CardElement[]): CardElement {
  return { tag: 'form', name, elements };
}

export interface InputOptions {
  label: string;
  placeholder?: string;
  value?: string;
  required?: boolean;
  maxLength?: number;
  multiline?: boolean;
  rows?: number;
}

/** Feishu's input `max_length` range (interactive-components/input). */
const INPUT_MAX_LENGTH = 1000;

export function input(name: string, o: InputOptions): CardElement {
  // A default_value longer than max_length leaves the field in an error state on the client: what
  // the person typed (or what is on file) is shown whole, so the limit grows to fit it, up to
  // Feishu's 1000; the domain still checks the real limit on submit.
  const value = o.value !== undefined && o.value !== '' ? [...o.value].slice(0, INPUT_MAX_LENGTH).join('') : undefined;
  const maxLength = o.maxLength ? Math.min(INPUT_MAX_LENGTH, Math.max(o.maxLength, value ? [...value].length : 0)) : undefined;
  return {
    tag: 'input',
    name,
    label: plain(o.label),
    label_position: 'top',
    required: o.required ?? false,
    ...(o.placeholder ? { placeholder: plain(o.placeholder) } : {}),
    ...(value !== undefined ? { default_value: value } : {}),
    ...(maxLength ? { max_length: maxLength } : {}),
    ...(o.multiline ? { input_type: 'multiline_text', rows: o.rows ?? 4, auto_resize: true } : {}),
    width: 'fill',
  };
}

export interface SelectOption {
  label: string;
  value: string;
}

interface SelectSpec {
  placeholder: string;
  options: SelectOption[];
  required?: boolean;
}

/** What a single and a multiple select share; `chosen` is the preselection in the tag's own key. */
function staticSelect(tag: 'select_static' | 'multi_select_static', name: string, o: SelectSpec, chosen: Record<string, string | string[]>): CardElement {
  return {
    tag,
    name,
    required: o.required ?? false,
    placeholder: plain(o.placeholder),
    options: o.options.map((opt) => ({ text: plain(opt.label), value: opt.value })),
    ...chosen,
    width: 'fill',
  };
}

export function select(name: string, o: SelectSpec & { value?: string }): CardElement {
  return staticSelect('select_static', name, o, o.value ? { initial_option: o.value } : {});
}

/** Only valid inside a form. */
export function multiSelect(name: string, o: SelectSpec & { values?: string[] }): CardElement {
  return staticSelect('multi_select_static', name, o, { selected_values: o.values ?? [] });
}

export function datePicker(name: string, o: { placeholder: string; value?: string; required?: boolean }): CardElement {
  return {
    tag: 'date_picker',
    name,
    required: o.required ?? false,
    placeholder: plain(o.placeholder),
    ...(o.value ? { initial_date: o.value } : {}),
    width: 'fill',
  };
}

export interface TableColumn {
  name: string;
  display_name: string;
  data_type?: 'text' | 'lark_md' | 'number';
  width?: string;
}

/** Narrowest custom table column width Feishu accepts (content-components/table: "auto", 80px–600px or a percentage). */
export const TABLE_MIN_COLUMN_PX = 80;

function columnWidth(width: string | undefined): string | undefined {
  const px = width ? /^(\d+)px$/.exec(width) : null;
  if (!px) return width;
  return `${Math.min(600, Math.max(TABLE_MIN_COLUMN_PX, Number(px[1])))}px`;
}

/**
 * Root-level only, never inside a form; cell text is shown as plain text when data_type is 'text'.
 * Rows carry only declared columns (Feishu refuses a row key that is not a column: 200915) and
 * widths are clamped to the documented 80–600px.
 */
export function table(columnsDef: TableColumn[], rows: Record<string, string | number>[], pageSize = 10): CardElement {
  const names = columnsDef.map((c) => c.name);
  return {
    tag: 'table',
    page_size: Math.max(1, Math.min(10, pageSize)),
    row_height: 'low',
    header_style: { text_align: 'left', text_size: 'normal', background_style: 'grey', bold: true, lines: 1 },
    columns: columnsDef.map((c) => {
      const width = columnWidth(c.width);
      return { name: c.name, display_name: c.display_name, data_type: c.data_type ?? 'text', ...(width ? { width } : {}) };
    }),
    rows: rows.map((r) => Object.fromEntries(names.filter((n) => r[n] !== undefined).map((n) => [n, r[n]!]))),
  };
}

/** The table, or the line that says there is nothing to list yet. */
export function tableOr(empty: string, columnsDef: TableColumn[], rows: Record<string, string | number>[], pageSize = 10): CardElement {
  return rows.length === 0 ? markdown(empty) : table(columnsDef, rows, pageSize);
}

export function panel(title: string, elements: CardElement[], expanded = false): CardElement {
  return {
    tag: 'collapsible_panel',
    expanded,
    header: { title: { tag: 'markdown', content: title } },
    border: { color: 'grey', corner_radius: '5px' },
    elements,
  };
}

/** @-mention for a known open_id (ids come from our database, never from user text). */
export function mention(openId: string): string {
  return /^ou_[A-Za-z0-9_-]+$/.test(openId) ? `<at id=${openId}></at>` : '';
}

export function card(o: { title: string; template?: HeaderTemplate; subtitle?: string; tags?: { text: string; color: string }[]; summary?: string; elements: CardElement[] }): CardJson {
  return enforceBudget({
    schema: '2.0',
    config: { update_multi: true, width_mode: 'fill', ...(o.summary ? { summary: { content: o.summary } } : {}) },
    header: {
      title: plain(o.title),
      template: o.template ?? 'blue',
      ...(o.subtitle ? { subtitle: plain(o.subtitle) } : {}),
      ...(o.tags && o.tags.length > 0 ? { text_tag_list: o.tags.slice(0, 3).map((t) => ({ tag: 'text_tag' as const, text: plain(t.text), color: t.color })) } : {}),
    },
    body: { elements: o.elements },
  });
}

/** A one-message card, e.g. for refusals and confirmations. */
export function noticeCard(title: string, lines: string[], template: HeaderTemplate = 'blue'): CardJson {
  return card({ title, template, elements: lines.map((l) => markdown(l)) });
}
