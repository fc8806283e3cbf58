// Pure rules of Card JSON 2.0 rendering and interaction: no DOM, so they run in Node tests too.
import { safeUrl } from './markdown.js';

export const HEADER_TEMPLATES = ['blue', 'wathet', 'turquoise', 'green', 'yellow', 'orange', 'red', 'carmine', 'violet', 'purple', 'indigo', 'grey', 'default'];

export function headerTemplate(name) {
  const t = String(name || '').toLowerCase();
  return HEADER_TEMPLATES.includes(t) ? t : 'default';
}

/** Text of a `{tag: plain_text|lark_md|markdown, content, i18n}` object (zh_cn first). */
export function textOf(text) {
  if (text == null) return '';
  if (typeof text === 'string') return text;
  if (typeof text !== 'object') return String(text);
  const i18n = text.i18n || text.i18n_content;
  if (i18n && typeof i18n === 'object') {
    const v = i18n.zh_cn ?? i18n.en_us ?? Object.values(i18n)[0];
    if (typeof v === 'string') return v;
  }
  return typeof text.content === 'string' ? text.content : '';
}

/** Whether a text object asks for markdown rendering. */
export function isMarkdownText(text) {
  return !!text && typeof text === 'object' && (text.tag === 'lark_md' || text.tag === 'markdown');
}

const SPACING = { none: 0, small: 4, medium: 8, large: 12, extra_large: 16 };

/** `vertical_spacing` / `horizontal_spacing` → px number (Feishu default medium = 8px). */
export function spacingPx(value, fallback = 8) {
  if (value == null || value === '') return fallback;
  if (typeof value === 'number') return Math.max(0, Math.min(99, value));
  if (Object.prototype.hasOwnProperty.call(SPACING, value)) return SPACING[value];
  const m = /^(\d{1,2})px$/.exec(String(value).trim());
  return m ? Number(m[1]) : fallback;
}

/** `padding` / `margin` → CSS value, only `[−99,99]px` lists of 1, 2 or 4 values. */
export function boxCss(value) {
  if (typeof value !== 'string') return null;
  const parts = value.trim().split(/\s+/);
  if (![1, 2, 4].includes(parts.length)) return null;
  return parts.every((p) => /^-?\d{1,2}px$/.test(p)) ? parts.join(' ') : null;
}

const TEXT_SIZES = {
  'heading-0': 30,
  'heading-1': 24,
  'heading-2': 20,
  'heading-3': 18,
  'heading-4': 16,
  heading: 16,
  'xxxx-large': 30,
  'xxx-large': 24,
  'xx-large': 20,
  'x-large': 18,
  large: 16,
  normal: 14,
  medium: 14,
  small: 12,
  notation: 12,
  'x-small': 10,
};

/** text_size → px (unknown sizes fall back to normal, as Feishu does). */
export function textSizePx(size) {
  return TEXT_SIZES[String(size || 'normal')] ?? 14;
}

/** The value a component sends: `behaviors[].value` of the callback behaviour (2.0) or legacy `value`. */
export function callbackValue(component) {
  if (!component || typeof component !== 'object') return undefined;
  const behaviors = Array.isArray(component.behaviors) ? component.behaviors : [];
  const cb = behaviors.find((b) => b && b.type === 'callback');
  if (cb) return cb.value;
  if (component.value !== undefined && typeof component.value === 'object') return component.value;
  return undefined;
}

/** An http(s) URL from an open_url behaviour (or legacy `url`/`multi_url`), else null. */
export function openUrlOf(component) {
  const behaviors = Array.isArray(component?.behaviors) ? component.behaviors : [];
  const b = behaviors.find((x) => x && x.type === 'open_url');
  const raw = b ? b.pc_url || b.default_url || b.url : component?.url || component?.multi_url?.pc_url || component?.multi_url?.url;
  return raw ? safeUrl(raw) : null;
}

/** Whether a component has a callback behaviour (standalone components only call back then). */
export function hasCallback(component) {
  return callbackValue(component) !== undefined;
}

/** Form-level submit/reset kind of a button (2.0 `form_action_type`, legacy `action_type`). */
export function formActionType(button) {
  const t = button?.form_action_type || button?.action_type;
  if (t === 'submit' || t === 'form_submit') return 'submit';
  if (t === 'reset' || t === 'form_reset') return 'reset';
  return null;
}

/** Multi-selects are required unless they say otherwise; everything else is optional by default. */
export function isRequired(component) {
  if (typeof component?.required === 'boolean') return component.required;
  return component?.tag === 'multi_select_static' || component?.tag === 'multi_select_person';
}

export const FORM_FIELD_TAGS = ['input', 'select_static', 'multi_select_static', 'select_person', 'multi_select_person', 'date_picker', 'picker_time', 'picker_datetime', 'checker'];

/** '2024-04-01' → '2024-04-01 +0800' (and HH:mm / datetime variants). Invalid input → null. */
export function formatPickerValue(tag, raw) {
  if (typeof raw !== 'string' || raw === '') return null;
  if (tag === 'date_picker') return /^\d{4}-\d{2}-\d{2}$/.test(raw) ? `${raw} +0800` : null;
  if (tag === 'picker_time') return /^\d{2}:\d{2}$/.test(raw) ? `${raw} +0800` : null;
  if (tag === 'picker_datetime') {
    const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})/.exec(raw);
    return m ? `${m[1]} ${m[2]} +0800` : null;
  }
  return null;
}

/** Whether a field's raw UI value counts as "not filled" for `required`. */
export function isEmptyValue(tag, raw) {
  if (tag === 'checker') return raw !== true;
  if (Array.isArray(raw)) return raw.length === 0;
  return raw == null || String(raw).trim() === '';
}

/**
 * Collect `form_value` from fields `{tag, name, value}` the way Feishu sends it:
 * input → string; select_static → option value; multi_select_* → string[];
 * date_picker → 'yyyy-MM-dd +0800'; select_person → open_id; checker → boolean.
 * Unset selects/pickers are left out (the bot must handle missing keys); inputs send their
 * (possibly empty) text; multi-selects send [] when nothing is picked.
 */
export function collectFormValue(fields) {
  const out = {};
  for (const f of fields) {
    if (!f || !f.name) continue;
    switch (f.tag) {
      case 'input':
        out[f.name] = typeof f.value === 'string' ? f.value : '';
        break;
      case 'select_static':
      case 'select_person':
        if (typeof f.value === 'string' && f.value !== '') out[f.name] = f.value;
        break;
      case 'multi_select_static':
      case 'multi_select_person':
        out[f.name] = Array.isArray(f.value) ? f.value.map(String) : [];
        break;
      case 'date_picker':
      case 'picker_time':
      case 'picker_datetime': {
        const v = formatPickerValue(f.tag, f.value);
        if (v) out[f.name] = v;
        break;
      }
      case 'checker':
        out[f.name] = f.value === true;
        break;
      default:
        break;
    }
  }
  return out;
}

/** Names of required fields that are not filled. */
export function missingRequired(fields) {
  return fields.filter((f) => f && f.required && isEmptyValue(f.tag, f.value)).map((f) => f.name);
}

/** Names used twice or missing among a form's interactive components (Feishu fails with 200530). */
export function formNameProblems(fields) {
  const seen = new Set();
  const problems = [];
  for (const f of fields) {
    if (!f.name) problems.push('');
    else if (seen.has(f.name)) problems.push(f.name);
    seen.add(f.name);
  }
  return problems;
}

/**
 * The action sent for a click. Form submit: {tag:'button', name, value, formValue}.
 * Standalone button: {tag:'button', name?, value}. Standalone select/picker: {option}.
 * Standalone input: {inputValue}. Checker: {checked}.
 */
export function buildAction(component, extra = {}) {
  const action = { tag: component.tag, value: callbackValue(component) ?? {} };
  if (component.name) action.name = component.name;
  if (extra.formValue) action.formValue = extra.formValue;
  if (extra.option !== undefined) action.option = extra.option;
  if (extra.options !== undefined) action.options = extra.options;
  if (extra.inputValue !== undefined) action.inputValue = extra.inputValue;
  if (extra.checked !== undefined) action.checked = extra.checked;
  return action;
}

/** Initial selection of a select_static: `initial_option` (a value) or 1-based `initial_index`. */
export function initialOption(component) {
  const options = Array.isArray(component?.options) ? component.options : [];
  if (component?.initial_option != null && options.some((o) => o.value === component.initial_option)) return component.initial_option;
  const idx = Number(component?.initial_index);
  if (Number.isInteger(idx) && idx >= 1 && idx <= options.length) return options[idx - 1].value;
  return '';
}

/** Rows of one table page (page is 0-based); page_size is clamped to Feishu's 1..10, default 5. */
export function tablePage(rows, pageSize, page) {
  const list = Array.isArray(rows) ? rows : [];
  const size = Number.isInteger(pageSize) && pageSize >= 1 && pageSize <= 10 ? pageSize : 5;
  const pages = Math.max(1, Math.ceil(list.length / size));
  const p = Math.min(Math.max(0, page), pages - 1);
  return { rows: list.slice(p * size, p * size + size), page: p, pages, size };
}

function pad(n) {
  return String(n).padStart(2, '0');
}

/** Format a table number cell with `format: {precision, symbol, separator}`. */
export function formatNumber(value, format) {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n)) return String(value ?? '');
  const precision = Number.isInteger(format?.precision) ? Math.min(10, Math.max(0, format.precision)) : null;
  let s = precision != null ? n.toFixed(precision) : String(n);
  if (format?.separator) {
    const [int, frac] = s.split('.');
    s = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (frac != null ? '.' + frac : '');
  }
  return (format?.symbol ? String(format.symbol) : '') + s;
}

/** Format a table date cell (ms timestamp) in Asia/Shanghai with a YYYY/MM/DD HH:mm-style pattern. */
export function formatTableDate(ms, pattern) {
  const n = typeof ms === 'number' ? ms : Number(ms);
  if (!Number.isFinite(n)) return String(ms ?? '');
  const d = new Date(n + 8 * 3600 * 1000);
  const parts = {
    YYYY: String(d.getUTCFullYear()),
    MM: pad(d.getUTCMonth() + 1),
    DD: pad(d.getUTCDate()),
    HH: pad(d.getUTCHours()),
    mm: pad(d.getUTCMinutes()),
    ss: pad(d.getUTCSeconds()),
  };
  return String(pattern || 'YYYY/MM/DD').replace(/YYYY|MM|DD|HH|mm|ss/g, (t) => parts[t]);
}

/** Column flex style: weighted → flex-grow by weight, px → fixed, auto → content width. */
export function columnFlex(column) {
  const w = column?.width;
  if (typeof w === 'string' && /^\d{1,3}px$/.test(w)) return { kind: 'fixed', px: Math.min(600, Math.max(16, parseInt(w, 10))) };
  if (w === 'weighted') {
    const weight = Number.isInteger(column.weight) && column.weight >= 1 && column.weight <= 5 ? column.weight : 1;
    return { kind: 'weighted', weight };
  }
  return { kind: 'auto' };
}

/** Two-character avatar text for a name, like Feishu's default avatars. */
export function avatarText(name) {
  const s = String(name || '').trim();
  if (!s) return '?';
  const chars = Array.from(s);
  if (/^[A-Za-z]/.test(s)) return chars.slice(0, 2).join('').toUpperCase();
  return chars.length <= 2 ? s : chars.slice(-2).join('');
}

/** Stable avatar colour index for an id. */
export function avatarColorIndex(id, count = 8) {
  let h = 0;
  for (const ch of String(id || '')) h = (h * 31 + ch.codePointAt(0)) >>> 0;
  return h % count;
}

/** Feishu-style callback failure text: '卡片回调失败 (200341)'. */
export function callbackErrorText(code) {
  return code ? `卡片回调失败 (${code})` : '卡片回调失败';
}

// ---- chart (https://open.feishu.cn/document/feishu-cards/card-json-v2-components/content-components/chart) ----

const CHART_RATIOS = { '1:1': '1 / 1', '2:1': '2 / 1', '4:3': '4 / 3', '16:9': '16 / 9' };

/**
 * Box of a chart component: `height` '[1,999]px' fixes it (aspect_ratio is then ignored); otherwise
 * `aspect_ratio`, whose default is 16:9 on desktop and 1:1 on phones.
 */
export function chartBoxSize(component, mobile) {
  const c = component && typeof component === 'object' ? component : {};
  const m = /^(\d{1,3})px$/.exec(String(c.height ?? '').trim());
  if (m && Number(m[1]) >= 1) return { height: Number(m[1]) };
  const ratio = CHART_RATIOS[c.aspect_ratio] || (mobile ? CHART_RATIOS['1:1'] : CHART_RATIOS['16:9']);
  return { aspectRatio: ratio };
}

// Feishu does not publish the hex values of its colour themes; these follow its palette (brand = the client's
// blue-first data colours). A `color` declared in chart_spec wins, as the page says.
const CHART_THEMES = {
  brand: ['#3370ff', '#34c724', '#ffc60a', '#f54a45', '#7f3bf5', '#14c0ff', '#ff8800', '#f14ba9'],
  rainbow: ['#f54a45', '#ff8800', '#ffc60a', '#34c724', '#14c0ff', '#3370ff', '#7f3bf5', '#f14ba9'],
  complementary: ['#3370ff', '#ff8800', '#14c0ff', '#f54a45', '#34c724', '#7f3bf5'],
  converse: ['#3370ff', '#f54a45', '#34c724', '#ff8800', '#7f3bf5', '#ffc60a'],
  primary: ['#245bdb', '#3370ff', '#5b8cff', '#82a7fc', '#adc6ff', '#d1dfff'],
};

/** The VChart spec to draw: a copy of chart_spec with the colour theme applied when the spec sets none. */
export function chartSpecFor(component) {
  const c = component && typeof component === 'object' ? component : {};
  const spec = c.chart_spec && typeof c.chart_spec === 'object' ? JSON.parse(JSON.stringify(c.chart_spec)) : {};
  if (spec.color === undefined) spec.color = CHART_THEMES[c.color_theme] || CHART_THEMES.brand;
  if (spec.background === undefined) spec.background = 'transparent';
  return spec;
}

/**
 * How much of a table cell shows (table page: "当单元格内剩余空间无法完整展示内容时，末尾将省略"; hover or
 * tap shows the rest): `row_height` low/middle/high are 1/2/3 lines, a px value or `auto` (up to
 * `row_max_height`, default 124px) cap the height.
 */
export function tableCellLines(rowHeight, rowMaxHeight) {
  const h = String(rowHeight ?? 'low').trim();
  if (h === 'low' || h === '') return { lines: 1 };
  if (h === 'middle') return { lines: 2 };
  if (h === 'high') return { lines: 3 };
  const px = /^(\d{2,3})px$/.exec(h);
  if (px) return { maxHeight: Math.min(124, Math.max(32, Number(px[1]))) };
  const max = /^(\d{2,3})px$/.exec(String(rowMaxHeight ?? '').trim());
  return { maxHeight: max ? Math.min(999, Math.max(32, Number(max[1]))) : 124 };
}

/**
 * What in a chart_spec Feishu refuses (JavaScript) or its phone clients cannot draw ("若在图表组件中指定以下
 * VChart 属性，图表将在移动端加载失败": textures, conical gradients, grid word clouds, repeated extension
 * images, svg mark backgrounds). Empty when the spec is fine.
 */
export function chartSpecProblems(spec) {
  const problems = [];
  const walk = (node, path) => {
    if (typeof node === 'function') problems.push(`${path}: JavaScript is not supported in chart_spec`);
    else if (Array.isArray(node)) node.forEach((v, i) => walk(v, `${path}[${i}]`));
    else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        const p = path ? `${path}.${k}` : k;
        if (k === 'texture') problems.push(`${p}: textures do not render on phones`);
        if (k === 'gradient' && v === 'conical') problems.push(`${p}: conical gradients do not render on phones`);
        if (k === 'layoutMode' && v === 'grid') problems.push(`${p}: grid word-cloud layout does not render on phones`);
        if (k === 'repeatX' || k === 'repeatY') problems.push(`${p}: repeated extension images do not render on phones`);
        if (k === 'background' && path.endsWith('style') && typeof v === 'string' && /^\s*<svg|\.svg(\?|$)|^data:image\/svg/i.test(v)) {
          problems.push(`${p}: svg mark backgrounds do not render on phones`);
        }
        walk(v, p);
      }
    }
  };
  walk(spec, '');
  if (!spec || typeof spec !== 'object' || typeof spec.type !== 'string') problems.push('chart_spec needs a chart type');
  return problems;
}
