// Card JSON 2.0 validation, strict like Feishu 2.0 (unknown attributes are an error) and field by field after
// the open.feishu.cn pages; docs/feishu-fidelity.md lists every rule with its page and test. Each component
// is checked by a flat zod schema (children typed `unknown[]`) while a manual walk handles nesting, counts and
// context (inside form or not).
//
// Sub-codes follow Feishu's 230099 family where documented: 200621 JSON/schema error, 200861 1.0-only
// capability in a 2.0 card, 11310 too many elements (and too many tables: "card table number over limit"),
// 200914/200915 table rows invalid, 200570 unknown img_key, 200530 a form component without a name.
// Feishu's exact sub-code for an unknown attribute is not documented; we report it as 200621.
import { z } from 'zod';

export type CardValidation = { ok: true } | { ok: false; subCode: number; message: string };

export const CARD_SUBCODE = {
  parse: 200621,
  v1Only: 200861,
  tooManyElements: 11310,
  tableRowsInvalid: 200914,
  tableCellInvalid: 200915,
  imgKeyInvalid: 200570,
  formFieldNameEmpty: 200530,
} as const;

/**
 * Elements per card, counted as Feishu counts them: every object with a `tag` — components and the text
 * objects inside them (a button's plain_text, its confirm's title and text, option texts, the header's).
 * card-json-v2-structure; 230099/11310 "element exceeds the limit".
 */
const MAX_ELEMENTS = 200;
const MAX_NESTING = 5;
/** Tables per card, markdown tables inside `markdown` content included (content-components/table). */
const MAX_TABLES = 5;
/** Charts per card (content-components/chart: "单张卡片建议最多放置五个图表组件"). */
const MAX_CHARTS = 5;
/** Placeholders, button texts and option texts: at most 100 characters (interactive-components/*). */
const MAX_SHORT_TEXT = 100;

const HEADER_TEMPLATES = ['blue', 'wathet', 'turquoise', 'green', 'yellow', 'orange', 'red', 'carmine', 'violet', 'purple', 'indigo', 'grey', 'default'] as const;
const TEXT_SIZES = ['heading-0', 'heading-1', 'heading-2', 'heading-3', 'heading-4', 'heading', 'normal', 'notation', 'xxxx-large', 'xxx-large', 'xx-large', 'x-large', 'large', 'medium', 'small', 'x-small'];

const elementId = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'element_id must match [A-Za-z][A-Za-z0-9_]*')
  .max(20, 'element_id ≤ 20 chars');
const margin = z.string().regex(/^-?\d{1,2}px( -?\d{1,2}px){0,3}$/, 'margin must be 1, 2 or 4 values in [-99,99]px');
const textSize = z.string().refine((s) => TEXT_SIZES.includes(s) || /^cus-\d+$/.test(s), 'unknown text_size');
const align = z.enum(['left', 'center', 'right']);
const spacing = z.union([z.enum(['small', 'medium', 'large', 'extra_large']), z.string().regex(/^\d{1,2}px$/)]);
const padding = z.string().regex(/^\d{1,2}px( \d{1,2}px){0,3}$/);
/** Interactive components' `width`: default | fill | [100,∞)px (button, input, select, picker, overflow pages). */
const width = z.union(
  [
    z.enum(['default', 'fill']),
    z
      .string()
      .regex(/^\d+px$/)
      .refine((w) => Number.parseInt(w, 10) >= 100, 'custom width must be at least 100px'),
  ],
  {
    message: 'width must be "default", "fill" or at least 100px',
  },
);
const color = z.string();

const plainText = z.strictObject({
  tag: z.literal('plain_text'),
  content: z.string(),
  text_size: textSize.optional(),
  text_color: color.optional(),
  text_align: align.optional(),
  lines: z.number().int().positive().optional(),
  i18n_content: z.record(z.string(), z.string()).optional(),
});
const larkMd = plainText.extend({ tag: z.literal('lark_md') });
const textObj = z.union([plainText, larkMd]);
const plainOnly = plainText;
const shortPlain = plainText.extend({ content: z.string().max(MAX_SHORT_TEXT, `at most ${MAX_SHORT_TEXT} characters`) });
const shortText = z.union([shortPlain, larkMd.extend({ content: z.string().max(MAX_SHORT_TEXT, `at most ${MAX_SHORT_TEXT} characters`) })]);

const icon = z.strictObject({
  tag: z.enum(['standard_icon', 'custom_icon']),
  token: z.string().optional(),
  img_key: z.string().optional(),
  color: color.optional(),
  size: z.string().optional(),
});

const objectValue = z.record(z.string(), z.unknown());
const behavior = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('callback'), value: objectValue }),
  z.strictObject({
    type: z.literal('open_url'),
    default_url: z.string(),
    pc_url: z.string().optional(),
    ios_url: z.string().optional(),
    android_url: z.string().optional(),
  }),
  z.strictObject({ type: z.literal('form_action'), behavior: z.enum(['submit', 'reset']) }),
]);
const behaviors = z.array(behavior);
const confirm = z.strictObject({ title: plainOnly, text: plainOnly });

const base = { element_id: elementId.optional(), margin: margin.optional() };
/** How a container lays out its children (form, collapsible panel, interactive container). */
const layout = {
  direction: z.enum(['vertical', 'horizontal']).optional(),
  vertical_spacing: spacing.optional(),
  horizontal_spacing: spacing.optional(),
  vertical_align: z.enum(['top', 'center', 'bottom']).optional(),
  horizontal_align: align.optional(),
};
const interactiveBase = {
  ...base,
  name: z.string().optional(),
  required: z.boolean().optional(),
  disabled: z.boolean().optional(),
  disabled_tips: plainOnly.optional(),
  width: width.optional(),
  behaviors: behaviors.optional(),
  confirm: confirm.optional(),
};

/** What the four selects share (select_static, multi_select_static, select_person, multi_select_person); single ones add initial_option, multiple ones selected_values. */
const selectFields = (placeholder: typeof plainOnly) => ({ ...interactiveBase, type: z.enum(['default', 'text']).optional(), placeholder: placeholder.optional(), value: objectValue.optional() });
const option = z.strictObject({ text: shortPlain, value: z.string(), icon: icon.optional() });
const multiUrl = z.strictObject({ url: z.string(), pc_url: z.string().optional(), ios_url: z.string().optional(), android_url: z.string().optional() });
/** Table column width: "auto", 80px–600px or a percentage (content-components/table). */
const tableColumnWidth = z.union(
  [
    z.literal('auto'),
    z
      .string()
      .regex(/^\d+px$/)
      .refine((w) => {
        const n = Number.parseInt(w, 10);
        return n >= 80 && n <= 600;
      }, 'table column width must be 80px–600px'),
    z
      .string()
      .regex(/^\d{1,3}(\.\d+)?%$/)
      .refine((w) => {
        const n = Number.parseFloat(w);
        return n > 0 && n <= 100;
      }, 'table column width percentage must be in (0, 100]'),
  ],
  { message: 'table column width must be "auto", 80px–600px or a percentage' },
);
const personOption = z.strictObject({ value: z.string() });
const label = plainOnly;

const children = z.array(z.unknown());

const schemas: Record<string, z.ZodType> = {
  markdown: z.strictObject({
    tag: z.literal('markdown'),
    ...base,
    content: z.string(),
    text_align: align.optional(),
    text_size: textSize.optional(),
    icon: icon.optional(),
    i18n_content: z.record(z.string(), z.string()).optional(),
  }),
  div: z.strictObject({
    tag: z.literal('div'),
    ...base,
    text: textObj.optional(),
    icon: icon.optional(),
    width: width.optional(),
  }),
  hr: z.strictObject({ tag: z.literal('hr'), ...base }),
  img: z.strictObject({
    tag: z.literal('img'),
    ...base,
    img_key: z.string().min(1),
    alt: plainOnly.optional(),
    title: textObj.optional(),
    scale_type: z.enum(['crop_center', 'fit_horizontal', 'crop_top']).optional(),
    size: z.string().optional(),
    transparent: z.boolean().optional(),
    preview: z.boolean().optional(),
    corner_radius: z.string().optional(),
  }),
  column_set: z.strictObject({
    tag: z.literal('column_set'),
    ...base,
    flex_mode: z.enum(['none', 'stretch', 'flow', 'bisect', 'trisect']).optional(),
    horizontal_spacing: spacing.optional(),
    horizontal_align: align.optional(),
    background_style: z.string().optional(),
    columns: children,
    behaviors: behaviors.optional(),
  }),
  column: z.strictObject({
    tag: z.literal('column'),
    ...base,
    width: z.union([z.enum(['auto', 'weighted']), z.string().regex(/^\d{2,3}px$/)]).optional(),
    weight: z.number().int().min(1).max(5).optional(),
    vertical_align: z.enum(['top', 'center', 'bottom']).optional(),
    horizontal_align: align.optional(),
    vertical_spacing: spacing.optional(),
    direction: z.enum(['vertical', 'horizontal']).optional(),
    padding: padding.optional(),
    background_style: z.string().optional(),
    behaviors: behaviors.optional(),
    elements: children,
  }),
  table: z.strictObject({
    tag: z.literal('table'),
    ...base,
    page_size: z.number().int().min(1).max(10).optional(),
    row_height: z.string().optional(),
    row_max_height: z.string().optional(),
    freeze_first_column: z.boolean().optional(),
    header_style: z
      .strictObject({
        text_align: align.optional(),
        text_size: z.string().optional(),
        background_style: z.string().optional(),
        text_color: z.string().optional(),
        bold: z.boolean().optional(),
        lines: z.number().int().optional(),
      })
      .optional(),
    columns: z
      .array(
        z.strictObject({
          name: z.string().min(1),
          display_name: z.string().optional(),
          data_type: z.enum(['text', 'lark_md', 'options', 'number', 'persons', 'date', 'markdown']),
          width: tableColumnWidth.optional(),
          vertical_align: z.enum(['top', 'center', 'bottom']).optional(),
          horizontal_align: align.optional(),
          format: z.strictObject({ symbol: z.string().optional(), precision: z.number().int().optional(), separator: z.boolean().optional() }).optional(),
          date_format: z.string().optional(),
        }),
      )
      .max(50),
    rows: z.array(z.record(z.string(), z.unknown())),
  }),
  collapsible_panel: z.strictObject({
    tag: z.literal('collapsible_panel'),
    ...base,
    expanded: z.boolean().optional(),
    ...layout,
    padding: padding.optional(),
    background_color: color.optional(),
    header: z.strictObject({
      title: z.strictObject({ tag: z.enum(['plain_text', 'markdown']), content: z.string() }),
      background_color: color.optional(),
      vertical_align: z.enum(['top', 'center', 'bottom']).optional(),
      padding: padding.optional(),
      position: z.string().optional(),
      width: z.string().optional(),
      icon: icon.optional(),
      icon_position: z.enum(['left', 'right', 'follow_text']).optional(),
      icon_expanded_angle: z.number().optional(),
    }),
    border: z.strictObject({ color: color.optional(), corner_radius: z.string().optional() }).optional(),
    elements: children,
  }),
  form: z.strictObject({
    tag: z.literal('form'),
    ...base,
    name: z.string().min(1, 'form name is required'),
    ...layout,
    padding: padding.optional(),
    elements: children,
  }),
  input: z.strictObject({
    tag: z.literal('input'),
    ...interactiveBase,
    placeholder: z.strictObject({ tag: z.literal('plain_text'), content: z.string().max(100) }).optional(),
    default_value: z.string().optional(),
    max_length: z.number().int().min(1).max(1000).optional(),
    input_type: z.enum(['text', 'multiline_text', 'password']).optional(),
    show_icon: z.boolean().optional(),
    rows: z.number().int().positive().optional(),
    auto_resize: z.boolean().optional(),
    max_rows: z.number().int().positive().optional(),
    label: label.optional(),
    label_position: z.enum(['top', 'left']).optional(),
    value: objectValue.optional(),
    fallback: z.unknown().optional(),
  }),
  select_static: z.strictObject({
    tag: z.literal('select_static'),
    ...selectFields(shortPlain),
    initial_option: z.string().optional(),
    initial_index: z.number().int().positive().optional(),
    options: z.array(option),
  }),
  multi_select_static: z.strictObject({ tag: z.literal('multi_select_static'), ...selectFields(shortPlain), selected_values: z.array(z.string()).optional(), options: z.array(option) }),
  date_picker: z.strictObject({
    tag: z.literal('date_picker'),
    ...interactiveBase,
    placeholder: shortPlain.optional(),
    initial_date: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'initial_date must be yyyy-MM-dd')
      .optional(),
    value: objectValue.optional(),
  }),
  picker_time: z.strictObject({
    tag: z.literal('picker_time'),
    ...interactiveBase,
    placeholder: plainOnly.optional(),
    initial_time: z
      .string()
      .regex(/^\d{2}:\d{2}$/)
      .optional(),
    value: objectValue.optional(),
  }),
  picker_datetime: z.strictObject({
    tag: z.literal('picker_datetime'),
    ...interactiveBase,
    placeholder: plainOnly.optional(),
    initial_datetime: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/)
      .optional(),
    value: objectValue.optional(),
  }),
  select_person: z.strictObject({ tag: z.literal('select_person'), ...selectFields(plainOnly), initial_option: z.string().optional(), options: z.array(personOption).optional() }),
  multi_select_person: z.strictObject({ tag: z.literal('multi_select_person'), ...selectFields(plainOnly), selected_values: z.array(z.string()).optional(), options: z.array(personOption).optional() }),
  button: z.strictObject({
    tag: z.literal('button'),
    ...interactiveBase,
    text: shortText.optional(),
    type: z.enum(['default', 'primary', 'danger', 'text', 'primary_text', 'danger_text', 'primary_filled', 'danger_filled', 'laser']).optional(),
    size: z.enum(['tiny', 'small', 'medium', 'large']).optional(),
    icon: icon.optional(),
    hover_tips: plainOnly.optional(),
    form_action_type: z.enum(['submit', 'reset']).optional(),
    action_type: z.enum(['form_submit', 'form_reset', 'request', 'link', 'multi']).optional(),
    value: objectValue.optional(),
  }),
  // interactive-components/overflow (JSON 2.0): a folded group of option buttons.
  overflow: z.strictObject({
    tag: z.literal('overflow'),
    ...base,
    width: width.optional(),
    options: z.array(z.strictObject({ text: shortPlain.optional(), value: z.string().optional(), multi_url: multiUrl.optional() })).min(1),
    value: objectValue.optional(),
    behaviors: behaviors.optional(),
    confirm: confirm.optional(),
  }),
  // interactive-components/select_img (多图选择, JSON 2.0).
  select_img: z.strictObject({
    tag: z.literal('select_img'),
    ...interactiveBase,
    style: z.enum(['laser', 'normal']).optional(),
    multi_select: z.boolean().optional(),
    layout: z.enum(['stretch', 'bisect', 'trisect']).optional(),
    can_preview: z.boolean().optional(),
    aspect_ratio: z.enum(['1:1', '4:3', '16:9']).optional(),
    initial_option: z.string().optional(),
    options: z.array(z.strictObject({ img_key: z.string().min(1), value: z.string(), disabled: z.boolean().optional(), disabled_tips: plainOnly.optional(), hover_tips: plainOnly.optional() })).min(1),
    value: objectValue.optional(),
  }),
  // content-components/chart: a VChart spec —
  // https://open.feishu.cn/document/feishu-cards/card-json-v2-components/content-components/chart
  chart: z.strictObject({
    tag: z.literal('chart'),
    ...base,
    chart_spec: z.record(z.string(), z.unknown()),
    aspect_ratio: z.enum(['1:1', '2:1', '4:3', '16:9']).optional(),
    color_theme: z.enum(['brand', 'rainbow', 'complementary', 'converse', 'primary']).optional(),
    preview: z.boolean().optional(),
    height: z.union([z.literal('auto'), z.string().regex(/^([1-9]\d{0,2})px$/)]).optional(),
  }),
  // content-components/multi-image-laylout (多图混排).
  img_combination: z.strictObject({
    tag: z.literal('img_combination'),
    ...base,
    combination_mode: z.enum(['double', 'triple', 'bisect', 'trisect']),
    corner_radius: z.string().optional(),
    img_list: z.array(z.strictObject({ img_key: z.string().min(1) })).min(1),
  }),
  // containers/interactive-container: a clickable area holding other components.
  interactive_container: z.strictObject({
    tag: z.literal('interactive_container'),
    ...base,
    width: z.union([z.enum(['fill', 'auto']), z.string().regex(/^\d+px$/)]).optional(),
    height: z.union([z.literal('auto'), z.string().regex(/^\d+px$/)]).optional(),
    ...layout,
    background_style: z.string().optional(),
    has_border: z.boolean().optional(),
    border_color: color.optional(),
    corner_radius: z.string().optional(),
    padding: padding.optional(),
    behaviors: behaviors.optional(),
    disabled: z.boolean().optional(),
    disabled_tips: plainOnly.optional(),
    confirm: confirm.optional(),
    hover_tips: plainOnly.optional(),
    elements: children,
  }),
  checker: z.strictObject({
    tag: z.literal('checker'),
    ...interactiveBase,
    checked: z.boolean().optional(),
    text: textObj.optional(),
    overall_checkable: z.boolean().optional(),
    button_area: z
      .strictObject({
        pc_display_rule: z.enum(['always', 'on_hover']).optional(),
        buttons: z.array(z.record(z.string(), z.unknown())).max(3).optional(),
      })
      .optional(),
    checked_style: z.strictObject({ show_strikethrough: z.boolean().optional(), opacity: z.number().optional() }).optional(),
    padding: padding.optional(),
    hover_tips: plainOnly.optional(),
    value: objectValue.optional(),
  }),
};

/**
 * Tags that exist only in Card JSON 1.0 (card-json-v2-breaking-changes-release-notes: the `action` module and
 * `note` are gone in 2.0; `overflow` and `select_img` are JSON 2.0 components and accepted above).
 */
const V1_ONLY_TAGS = new Set(['action', 'note', 'date_picker_legacy']);
const FORM_FIELD_TAGS = new Set(['input', 'select_static', 'multi_select_static', 'date_picker', 'picker_time', 'picker_datetime', 'select_person', 'multi_select_person', 'checker', 'button', 'select_img']);
const FORM_ONLY_TAGS = new Set(['multi_select_static', 'multi_select_person']);

const headerSchema = z.strictObject({
  title: textObj,
  subtitle: textObj.optional(),
  text_tag_list: z
    .array(z.strictObject({ tag: z.literal('text_tag'), element_id: elementId.optional(), text: plainOnly, color: z.string().optional() }))
    .max(3)
    .optional(),
  template: z.enum(HEADER_TEMPLATES).optional(),
  icon: icon.optional(),
  padding: padding.optional(),
});

const configSchema = z.strictObject({
  update_multi: z.literal(true, { message: 'Card JSON 2.0 only supports update_multi: true' }).optional(),
  enable_forward: z.boolean().optional(),
  width_mode: z.enum(['default', 'compact', 'fill']).optional(),
  enable_forward_interaction: z.boolean().optional(),
  streaming_mode: z.boolean().optional(),
  streaming_config: z.record(z.string(), z.unknown()).optional(),
  summary: z.strictObject({ content: z.string(), i18n_content: z.record(z.string(), z.string()).optional() }).optional(),
  locales: z.array(z.string()).optional(),
  use_custom_translation: z.boolean().optional(),
  enable_forward_interaction_v2: z.boolean().optional(),
  style: z
    .strictObject({
      text_size: z.record(z.string(), z.record(z.string(), z.string())).optional(),
      color: z.record(z.string(), z.record(z.string(), z.string())).optional(),
    })
    .optional(),
});

const cardSchema = z.strictObject({
  schema: z.literal('2.0'),
  config: configSchema.optional(),
  card_link: z.strictObject({ url: z.string(), pc_url: z.string().optional(), ios_url: z.string().optional(), android_url: z.string().optional() }).optional(),
  header: headerSchema.optional(),
  body: z.strictObject({
    direction: z.enum(['vertical', 'horizontal']).optional(),
    padding: padding.optional(),
    vertical_spacing: spacing.optional(),
    horizontal_spacing: spacing.optional(),
    vertical_align: z.enum(['top', 'center', 'bottom']).optional(),
    horizontal_align: align.optional(),
    elements: z.array(z.unknown()),
  }),
});

class CardError extends Error {
  constructor(
    readonly subCode: number,
    message: string,
  ) {
    super(message);
  }
}

function zodMessage(error: z.ZodError, where: string): string {
  const issue = error.issues[0];
  if (!issue) return `${where}: invalid`;
  const path = issue.path.length ? `${where}.${issue.path.join('.')}` : where;
  if (issue.code === 'unrecognized_keys') return `${path}: unknown attribute(s) ${issue.keys.join(', ')}`;
  return `${path}: ${issue.message}`;
}

interface WalkState {
  tables: number;
  charts: number;
  elementIds: Set<string>;
  names: Set<string>;
  formNames: Set<string>;
  imgKeys: string[];
}

interface WalkCtx {
  depth: number;
  inForm: boolean;
  atRoot: boolean;
  /** Set on the walk of a form's subtree: collects whether a submit button exists. */
  form?: { hasSubmit: boolean };
  /** Inside column_set / collapsible_panel: form not allowed. */
  inContainer: boolean;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function walkElements(list: unknown[], where: string, state: WalkState, ctx: WalkCtx): void {
  list.forEach((el, i) => walkElement(el, `${where}[${i}]`, state, ctx));
}

function walkElement(el: unknown, where: string, state: WalkState, ctx: WalkCtx): void {
  if (!isRecord(el) || typeof el.tag !== 'string') throw new CardError(CARD_SUBCODE.parse, `${where}: component must be an object with a tag`);
  const tag = el.tag;
  if (V1_ONLY_TAGS.has(tag)) throw new CardError(CARD_SUBCODE.v1Only, `${where}: cards of schema V2 no longer support tag "${tag}"`);
  const schema = schemas[tag];
  if (!schema) throw new CardError(CARD_SUBCODE.parse, `${where}: unknown tag "${tag}"`);
  const parsed = schema.safeParse(el);
  if (!parsed.success) throw new CardError(CARD_SUBCODE.parse, zodMessage(parsed.error, where));

  if (typeof el.element_id === 'string') {
    if (state.elementIds.has(el.element_id)) throw new CardError(CARD_SUBCODE.parse, `${where}: duplicate element_id "${el.element_id}"`);
    state.elementIds.add(el.element_id);
  }
  if (FORM_ONLY_TAGS.has(tag) && !ctx.inForm) throw new CardError(CARD_SUBCODE.parse, `${where}: ${tag} is only allowed inside a form`);

  if (FORM_FIELD_TAGS.has(tag) && (ctx.inForm || typeof el.name === 'string')) {
    const name = el.name;
    // form-container: every interactive component in a form needs a name, unique in the card; Feishu
    // reports 200530 when such a form is submitted — the emulator refuses the card up front.
    if (ctx.inForm && (typeof name !== 'string' || name === '')) throw new CardError(CARD_SUBCODE.formFieldNameEmpty, `${where}: components inside a form need a non-empty name`);
    if (typeof name === 'string' && name !== '') {
      if (state.names.has(name)) throw new CardError(CARD_SUBCODE.parse, `${where}: duplicate component name "${name}"`);
      state.names.add(name);
    }
  }
  if (tag === 'button' && ctx.form) {
    const behaviorsList = Array.isArray(el.behaviors) ? el.behaviors : [];
    const viaBehavior = behaviorsList.some((b) => isRecord(b) && b.type === 'form_action' && b.behavior === 'submit');
    if (el.form_action_type === 'submit' || el.action_type === 'form_submit' || viaBehavior) ctx.form.hasSubmit = true;
  }
  if (tag === 'img' && typeof el.img_key === 'string') state.imgKeys.push(el.img_key);
  if (tag === 'select_img') for (const o of el.options as { img_key: string }[]) state.imgKeys.push(o.img_key);
  if (tag === 'img_combination') for (const o of el.img_list as { img_key: string }[]) state.imgKeys.push(o.img_key);
  if (tag === 'markdown' && typeof el.content === 'string') {
    state.tables += markdownTables(el.content);
    if (state.tables > MAX_TABLES) throw new CardError(CARD_SUBCODE.tooManyElements, `${where}: card table number over limit (at most ${MAX_TABLES} tables, markdown tables included)`);
  }
  if (tag === 'input' && typeof el.default_value === 'string') {
    // interactive-components/input: max_length 1–1000, default 1000; a longer default_value is refused.
    const max = typeof el.max_length === 'number' ? el.max_length : 1000;
    if ([...el.default_value].length > max) throw new CardError(CARD_SUBCODE.parse, `${where}: default_value is longer than max_length (${max})`);
  }

  switch (tag) {
    case 'table': {
      if (!ctx.atRoot) throw new CardError(CARD_SUBCODE.parse, `${where}: table is only allowed at the root of body.elements${ctx.inForm ? ' (not inside a form)' : ''}`);
      state.tables += 1;
      if (state.tables > MAX_TABLES) throw new CardError(CARD_SUBCODE.tooManyElements, `${where}: card table number over limit (at most ${MAX_TABLES} tables per card)`);
      checkTable(el, where);
      return;
    }
    case 'form': {
      if (!ctx.atRoot) throw new CardError(CARD_SUBCODE.parse, `${where}: form is only allowed at the root of body.elements`);
      const name = el.name as string;
      if (state.formNames.has(name)) throw new CardError(CARD_SUBCODE.parse, `${where}: duplicate form name "${name}"`);
      state.formNames.add(name);
      const form = { hasSubmit: false };
      enterContainer(ctx, where);
      walkElements(el.elements as unknown[], `${where}.elements`, state, { ...ctx, depth: ctx.depth + 1, inForm: true, atRoot: false, form, inContainer: true });
      if (!form.hasSubmit) throw new CardError(CARD_SUBCODE.parse, `${where}: a form must contain a submit button (form_action_type: "submit")`);
      return;
    }
    case 'column_set': {
      enterContainer(ctx, where);
      const cols = el.columns as unknown[];
      cols.forEach((c, i) => {
        const w = `${where}.columns[${i}]`;
        if (!isRecord(c) || c.tag !== 'column') throw new CardError(CARD_SUBCODE.parse, `${w}: column_set.columns only takes tag "column"`);
        walkElement(c, w, state, { ...ctx, depth: ctx.depth + 1, atRoot: false, inContainer: true });
      });
      return;
    }
    case 'column':
      walkElements(el.elements as unknown[], `${where}.elements`, state, { ...ctx, atRoot: false, inContainer: true });
      return;
    case 'chart':
      // form-container: a form holds no table, chart or form.
      if (ctx.inForm) throw new CardError(CARD_SUBCODE.parse, `${where}: chart is not allowed inside a form`);
      state.charts += 1;
      if (state.charts > MAX_CHARTS) throw new CardError(CARD_SUBCODE.parse, `${where}: at most ${MAX_CHARTS} charts per card`);
      return;
    case 'interactive_container':
    case 'collapsible_panel':
      enterContainer(ctx, where);
      walkElements(el.elements as unknown[], `${where}.elements`, state, { ...ctx, depth: ctx.depth + 1, atRoot: false, inContainer: true });
      return;
    default:
      return;
  }
}

/** Every object carrying a `tag`: components and text elements (plain_text, lark_md, text_tag, icons …). */
function countElements(node: unknown): number {
  if (Array.isArray(node)) return node.reduce((n: number, x) => n + countElements(x), 0);
  if (!isRecord(node)) return 0;
  return (typeof node.tag === 'string' ? 1 : 0) + Object.values(node).reduce((n: number, x) => n + countElements(x), 0);
}

/** GFM tables in a markdown string: a row with `|` followed by a delimiter row (|---|:---:|). */
function markdownTables(content: string): number {
  const lines = content.split('\n');
  let n = 0;
  for (let i = 1; i < lines.length; i++) {
    if (/^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/.test(lines[i]!) && lines[i]!.includes('-') && lines[i - 1]!.includes('|') && (lines[i]!.includes('|') || lines[i - 1]!.trim().startsWith('|'))) n += 1;
  }
  return n;
}

function enterContainer(ctx: WalkCtx, where: string): void {
  if (ctx.depth + 1 > MAX_NESTING) throw new CardError(CARD_SUBCODE.parse, `${where}: containers nested deeper than ${MAX_NESTING} levels`);
}

function checkTable(el: Record<string, unknown>, where: string): void {
  const columns = el.columns as { name: string; data_type: string }[];
  const names = new Set<string>();
  for (const c of columns) {
    if (names.has(c.name)) throw new CardError(CARD_SUBCODE.parse, `${where}: duplicate table column name "${c.name}"`);
    names.add(c.name);
  }
  const rows = el.rows as Record<string, unknown>[];
  rows.forEach((row, r) => {
    for (const [key, value] of Object.entries(row)) {
      const col = columns.find((c) => c.name === key);
      // content-components/table: a row's keys must be declared columns (Feishu answers 200915).
      if (!col) throw new CardError(CARD_SUBCODE.tableCellInvalid, `${where}.rows[${r}].${key}: not a declared column`);
      const cellOk = (() => {
        switch (col.data_type) {
          case 'number':
            return typeof value === 'number';
          case 'date':
            return typeof value === 'number';
          case 'persons':
            return typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'));
          case 'options':
            return Array.isArray(value) && value.every((v) => isRecord(v) && typeof v.text === 'string');
          default:
            return typeof value === 'string' || typeof value === 'number';
        }
      })();
      if (!cellOk) throw new CardError(CARD_SUBCODE.tableCellInvalid, `${where}.rows[${r}].${key}: value does not match data_type "${col.data_type}"`);
    }
  });
}

export interface ValidateCardOptions {
  /** When given, every img.img_key must be one of these (else 200570). */
  knownImageKeys?: ReadonlySet<string>;
}

/** Validate a parsed Card JSON 2.0 object the way Feishu does on send/reply/patch/update. */
export function validateCard(card: unknown, options: ValidateCardOptions = {}): CardValidation {
  try {
    if (!isRecord(card)) throw new CardError(CARD_SUBCODE.parse, 'parse card json err: card must be a JSON object');
    if (card.schema !== '2.0') {
      if ('i18n_elements' in card || 'elements' in card) throw new CardError(CARD_SUBCODE.v1Only, 'card is Card JSON 1.0: declare "schema": "2.0" with body.elements');
      throw new CardError(CARD_SUBCODE.parse, 'schema must be "2.0"');
    }
    if ('i18n_elements' in card || 'fallback' in card || 'i18n_header' in card) {
      throw new CardError(CARD_SUBCODE.v1Only, 'cards of schema V2 no longer support i18n_elements / fallback');
    }
    const top = cardSchema.safeParse(card);
    if (!top.success) throw new CardError(CARD_SUBCODE.parse, zodMessage(top.error, 'card'));
    const elements = countElements(card);
    if (elements > MAX_ELEMENTS) throw new CardError(CARD_SUBCODE.tooManyElements, `element exceeds the limit: ${elements} elements (components and text elements), at most ${MAX_ELEMENTS}`);
    const state: WalkState = { tables: 0, charts: 0, elementIds: new Set(), names: new Set(), formNames: new Set(), imgKeys: [] };
    const body = card.body as { elements: unknown[] };
    walkElements(body.elements, 'body.elements', state, { depth: 0, inForm: false, atRoot: true, inContainer: false });
    if (options.knownImageKeys) {
      const unknown = state.imgKeys.find((k) => !options.knownImageKeys?.has(k));
      if (unknown !== undefined) throw new CardError(CARD_SUBCODE.imgKeyInvalid, `invalid image key: ${unknown}`);
    }
    return { ok: true };
  } catch (error) {
    if (error instanceof CardError) return { ok: false, subCode: error.subCode, message: error.message };
    throw error;
  }
}

/** Validate the `content` string of an interactive message (JSON-stringified card). */
export function validateCardContent(content: string, options: ValidateCardOptions = {}): CardValidation & { card?: Record<string, unknown> } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    return { ok: false, subCode: CARD_SUBCODE.parse, message: 'parse card json err, please check whether the card json is correct' };
  }
  const result = validateCard(parsed, options);
  return result.ok ? { ok: true, card: parsed as Record<string, unknown> } : result;
}

/** The `msg` Feishu puts in a 230099 answer. */
export function cardErrorMsg(subCode: number, message: string): string {
  return `Failed to create card content, ext=ErrCode: ${subCode}; ErrMsg: ${message}; `;
}
