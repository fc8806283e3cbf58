// Card markdown as Feishu renders it: a real CommonMark parser (markdown-it: CommonMark plus GFM tables and
// strikethrough, one line break per newline) with small plugins for the tags Feishu adds in cards.
// The rich-text page (Card JSON 2.0), https://open.feishu.cn/document/feishu-cards/card-json-v2-components/content-components/rich-text ,
// lists them: <at id|ids|email>, <font color>, <text_tag color>, <link url pc_url ios_url android_url icon>,
// <a href>, <person id>, <number_tag>, <local_datetime millisecond format_type>, <br>, <hr>; it also documents
// HTML entities (&#42; …) as the way to escape markdown characters, and warns that bold may not show unless
// its markers have a space around them ("若加粗效果未显示，请确保加粗语法前后保留一个空格") — the CommonMark
// flanking rule: `**填报单位：**星沙街道` stays literal asterisks, `**填报单位**：星沙街道` is bold.
// Other HTML is text (markdown-it with html: false). Parsing is pure and runs in Node for the tests (the
// browser gets `markdown-it` through the page's import map, served from node_modules); rendering only
// creates DOM nodes and sets textContent, never innerHTML, and only http(s) links survive.
import MarkdownIt from 'markdown-it';

const ENTITIES = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'", nbsp: '\u00a0', '#39': "'" };

/** Decode the HTML entities Feishu documents for escaping markdown characters. */
export function decodeEntities(text) {
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]{2,6}|#39);/g, (whole, name) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      if (!Number.isFinite(code) || code <= 0 || code > 0x10ffff) return whole;
      try {
        return String.fromCodePoint(code);
      } catch {
        return whole;
      }
    }
    return Object.prototype.hasOwnProperty.call(ENTITIES, name) ? ENTITIES[name] : whole;
  });
}

/** Only absolute http(s) URLs become links; everything else stays text. */
export function safeUrl(raw) {
  const url = decodeEntities(String(raw ?? '').trim());
  if (!/^https?:\/\/[^\s<>"']+$/i.test(url)) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}

/** Parse `key=value key='v' key="v"` attributes of a Feishu tag. */
export function parseAttributes(source) {
  const attrs = {};
  const re = /([a-zA-Z_][\w-]*)\s*=\s*(?:'([^']*)'|"([^"]*)"|([^\s'">]+))/g;
  let m;
  while ((m = re.exec(source)) !== null) {
    attrs[m[1].toLowerCase()] = m[2] ?? m[3] ?? m[4] ?? '';
  }
  return attrs;
}

// ---- the Feishu tags as a markdown-it inline rule ---------------------------------------------

/** Tags whose content is markdown (parsed like a link's text: emphasis cannot cross the tag). */
const CONTAINER_TAGS = new Set(['font', 'text_tag', 'link', 'a', 'number_tag']);
/** Tags whose content is ignored; the closing tag is optional. */
const EMPTY_TAGS = new Set(['at', 'person', 'local_datetime']);
const OPEN_TAG = /^<([a-z_]+)((?:\s+[^<>]*?)?)\s*(\/?)>/i;

/** Find the `</name>` that closes an opening tag, honouring nesting of the same tag. */
function findClosing(text, from, name) {
  const open = new RegExp(`<${name}(?=[\\s>/])`, 'gi');
  const close = new RegExp(`</${name}\\s*>`, 'gi');
  let depth = 1;
  let pos = from;
  for (;;) {
    close.lastIndex = pos;
    const c = close.exec(text);
    if (!c) return null;
    open.lastIndex = pos;
    const o = open.exec(text);
    if (o && o.index < c.index) {
      depth += 1;
      pos = o.index + o[0].length;
      continue;
    }
    depth -= 1;
    if (depth === 0) return { start: c.index, end: c.index + c[0].length };
    pos = c.index + c[0].length;
  }
}

function feishuTagRule(state, silent) {
  const src = state.src;
  const pos = state.pos;
  if (src.charCodeAt(pos) !== 0x3c /* < */) return false;
  const rest = src.slice(pos, state.posMax);
  const simple = /^<(br|hr)\s*\/?>/i.exec(rest);
  if (simple) {
    if (!silent) state.push('feishu_' + simple[1].toLowerCase(), '', 0);
    state.pos += simple[0].length;
    return true;
  }
  const m = OPEN_TAG.exec(rest);
  if (!m) return false;
  const name = m[1].toLowerCase();
  if (!CONTAINER_TAGS.has(name) && !EMPTY_TAGS.has(name)) return false;
  const attrs = parseAttributes(m[2] || '');
  const afterOpen = pos + m[0].length;
  const selfClosing = m[3] === '/';
  const close = selfClosing ? null : findClosing(src.slice(0, state.posMax), afterOpen, name);
  if (EMPTY_TAGS.has(name)) {
    if (!silent) {
      const token = state.push('feishu_' + name, '', 0);
      token.meta = attrs;
    }
    // `<at id=x></at>`: the closing tag belongs to it when it follows directly.
    const direct = close && src.slice(afterOpen, close.start).trim() === '';
    state.pos = direct ? close.end : afterOpen;
    return true;
  }
  if (!close) return false;
  if (!silent) {
    const open = state.push('feishu_' + name + '_open', '', 1);
    open.meta = attrs;
    const oldMax = state.posMax;
    state.pos = afterOpen;
    state.posMax = close.start;
    state.md.inline.tokenize(state);
    state.posMax = oldMax;
    state.push('feishu_' + name + '_close', '', -1);
  }
  state.pos = close.end;
  return true;
}

function feishuPlugin(md) {
  md.inline.ruler.before('html_inline', 'feishu_tag', feishuTagRule);
}

// Feishu breaks the line at every newline of the content (the documented way to break a line is `\n`).
// Bare URLs become links only with their scheme (no `www.` guessing, no e-mail links).
const md = new MarkdownIt('default', { html: false, breaks: true, linkify: true }).use(feishuPlugin);
md.linkify.set({ fuzzyLink: false, fuzzyEmail: false });

// ---- markdown-it tokens → the node tree the renderer draws --------------------------------------

function pushText(nodes, text) {
  if (!text) return;
  const last = nodes[nodes.length - 1];
  if (last && last.type === 'text') last.text += text;
  else nodes.push({ type: 'text', text });
}

function atIds(attrs) {
  if (attrs.id) return [attrs.id];
  if (attrs.ids)
    return attrs.ids
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (attrs.user_id) return [attrs.user_id];
  return [];
}

/** Convert a flat inline token list into nested nodes. */
function inlineNodes(tokens) {
  const root = [];
  const stack = [{ children: root, close: null }];
  const top = () => stack[stack.length - 1].children;
  const open = (node, close) => {
    top().push(node);
    stack.push({ children: node.children, close });
  };
  for (const t of tokens) {
    const attrs = t.meta || {};
    switch (t.type) {
      case 'text':
        pushText(top(), t.content);
        break;
      case 'code_inline':
        top().push({ type: 'code', text: t.content });
        break;
      case 'softbreak':
      case 'hardbreak':
      case 'feishu_br':
        top().push({ type: 'br' });
        break;
      case 'feishu_hr':
        top().push({ type: 'hr' });
        break;
      case 'strong_open':
        open({ type: 'strong', children: [] }, 'strong_close');
        break;
      case 'em_open':
        open({ type: 'em', children: [] }, 'em_close');
        break;
      case 's_open':
        open({ type: 'del', children: [] }, 's_close');
        break;
      case 'link_open': {
        const href = safeUrl(t.attrGet('href'));
        open(href ? { type: 'link', href, children: [] } : { type: 'span', children: [] }, 'link_close');
        break;
      }
      case 'image':
        top().push({ type: 'image', key: t.attrGet('src') || '', alt: t.content || '' });
        break;
      case 'feishu_font_open':
        open({ type: 'font', color: attrs.color || '', children: [] }, 'feishu_font_close');
        break;
      case 'feishu_text_tag_open':
        open({ type: 'text_tag', color: attrs.color || 'neutral', children: [] }, 'feishu_text_tag_close');
        break;
      case 'feishu_number_tag_open':
        open({ type: 'number_tag', color: attrs.background_color || '', children: [] }, 'feishu_number_tag_close');
        break;
      case 'feishu_link_open':
      case 'feishu_a_open': {
        const href = safeUrl(attrs.url || attrs.href || attrs.pc_url || '');
        open(href ? { type: 'link', href, children: [] } : { type: 'span', children: [] }, t.type.replace('_open', '_close'));
        break;
      }
      case 'feishu_at':
        top().push({ type: 'at', ids: atIds(attrs), email: attrs.email || '' });
        break;
      case 'feishu_person':
        top().push({ type: 'person', id: attrs.id || '' });
        break;
      case 'feishu_local_datetime':
        top().push({ type: 'datetime', millisecond: Number(attrs.millisecond) || 0, format: attrs.format_type || 'date_num' });
        break;
      default:
        if (stack.length > 1 && t.type === stack[stack.length - 1].close) {
          stack.pop();
          // `<link>` with no text shows its URL, like Feishu.
          break;
        }
        if (t.content) pushText(top(), t.content);
        break;
    }
  }
  return root;
}

/** Parse inline markdown into a node tree. Pure. */
export function parseInline(text) {
  const tokens = md.parseInline(String(text ?? ''), {});
  return tokens.length ? inlineNodes(tokens[0].children || []) : [];
}

function alignOf(token) {
  const style = token.attrGet('style') || '';
  const m = /text-align:\s*(left|center|right)/.exec(style);
  return m ? m[1] : 'left';
}

/** A paragraph that is only `<hr>` is a divider block. */
function paragraphBlock(children) {
  if (children.length === 1 && children[0].type === 'hr') return { type: 'hr' };
  return { type: 'paragraph', children };
}

/** Blocks from tokens[i..] until the closing token `until` (or the end); returns [blocks, next index]. */
function blockNodes(tokens, i, until) {
  const blocks = [];
  while (i < tokens.length) {
    const t = tokens[i];
    if (until && t.type === until) return [blocks, i + 1];
    switch (t.type) {
      case 'paragraph_open': {
        const inline = tokens[i + 1];
        blocks.push(paragraphBlock(inlineNodes(inline.children || [])));
        i += 3;
        break;
      }
      case 'heading_open': {
        const inline = tokens[i + 1];
        blocks.push({ type: 'heading', level: Number(t.tag.slice(1)) || 1, children: inlineNodes(inline.children || []) });
        i += 3;
        break;
      }
      case 'hr':
        blocks.push({ type: 'hr' });
        i += 1;
        break;
      case 'fence':
      case 'code_block':
        blocks.push({ type: 'codeblock', lang: (t.info || '').trim().split(/\s+/)[0] || '', text: t.content.replace(/\n$/, '') });
        i += 1;
        break;
      case 'blockquote_open': {
        const [children, next] = blockNodes(tokens, i + 1, 'blockquote_close');
        blocks.push({ type: 'quote', children });
        i = next;
        break;
      }
      case 'bullet_list_open':
      case 'ordered_list_open': {
        const [list, next] = listNode(tokens, i);
        blocks.push(list);
        i = next;
        break;
      }
      case 'table_open': {
        const [table, next] = tableNode(tokens, i);
        blocks.push(table);
        i = next;
        break;
      }
      case 'html_block':
        blocks.push({ type: 'paragraph', children: [{ type: 'text', text: t.content.replace(/\n$/, '') }] });
        i += 1;
        break;
      default:
        i += 1;
        break;
    }
  }
  return [blocks, i];
}

function listNode(tokens, i) {
  const open = tokens[i];
  const ordered = open.type === 'ordered_list_open';
  const closeType = ordered ? 'ordered_list_close' : 'bullet_list_close';
  const items = [];
  i += 1;
  while (i < tokens.length && tokens[i].type !== closeType) {
    if (tokens[i].type !== 'list_item_open') {
      i += 1;
      continue;
    }
    const [blocks, next] = blockNodes(tokens, i + 1, 'list_item_close');
    const children = [];
    const sublists = [];
    const extra = [];
    for (const b of blocks) {
      if (b.type === 'paragraph') {
        if (children.length) children.push({ type: 'br' });
        children.push(...b.children);
      } else if (b.type === 'list') sublists.push(b);
      else extra.push(b);
    }
    items.push(extra.length ? { children, sublists, blocks: extra } : { children, sublists });
    i = next;
  }
  const start = ordered ? Number(open.attrGet('start') ?? 1) : 1;
  return [{ type: 'list', ordered, start: Number.isFinite(start) ? start : 1, items }, i + 1];
}

function tableNode(tokens, i) {
  const header = [];
  const aligns = [];
  const rows = [];
  let row = null;
  let inHead = false;
  for (i += 1; i < tokens.length && tokens[i].type !== 'table_close'; i += 1) {
    const t = tokens[i];
    if (t.type === 'thead_open') inHead = true;
    else if (t.type === 'thead_close') inHead = false;
    else if (t.type === 'tr_open') row = [];
    else if (t.type === 'tr_close') {
      if (!inHead) rows.push(row);
      row = null;
    } else if (t.type === 'th_open' || t.type === 'td_open') {
      const cell = inlineNodes(tokens[i + 1].children || []);
      if (inHead) {
        header.push(cell);
        aligns.push(alignOf(t));
      } else if (row) row.push(cell);
    }
  }
  return [{ type: 'table', header, aligns, rows }, i + 1];
}

/** Parse markdown content into blocks. Pure. */
export function parseMarkdown(content) {
  return blockNodes(md.parse(String(content ?? ''), {}), 0, null)[0];
}

/** Flatten a node tree to its plain text (chat-list previews, summaries). */
export function markdownToPlainText(content, resolveName) {
  const walk = (nodes) =>
    nodes
      .map((n) => {
        if (n.type === 'text' || n.type === 'code') return n.text;
        if (n.type === 'br') return ' ';
        if (n.type === 'at') return atLabel(n, resolveName);
        if (n.type === 'person') return (resolveName && resolveName(n.id)) || n.id;
        if (n.children) return walk(n.children);
        return '';
      })
      .join('');
  return parseMarkdown(content)
    .map((b) => {
      if (b.type === 'list') return b.items.map((it) => walk(it.children)).join(' ');
      if (b.type === 'codeblock') return b.text;
      if (b.type === 'table') return '[表格]';
      if (b.children && b.type !== 'quote') return walk(b.children);
      return '';
    })
    .filter(Boolean)
    .join(' ');
}

/** '@名字' for an <at> node; unknown ids show the raw id so nothing is silently dropped. */
export function atLabel(node, resolveName) {
  if (node.email) return '@' + node.email;
  if (!node.ids.length) return '@';
  return node.ids
    .map((id) => {
      if (id === 'all') return '@所有人';
      const name = resolveName ? resolveName(id) : null;
      return '@' + (name || id);
    })
    .join(' ');
}

const WEEKDAYS = ['日', '一', '二', '三', '四', '五', '六'];

/** `<local_datetime>` text in the reader's time zone (Feishu shows each reader their own). */
export function formatLocalDatetime(millisecond, format, timeZone) {
  const d = new Date(millisecond);
  if (!Number.isFinite(d.getTime()) || millisecond <= 0) return '';
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', weekday: 'short' }).formatToParts(d).map((p) => [p.type, p.value]),
  );
  const week = WEEKDAYS[['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.weekday)] ?? '';
  const m = Number(parts.month);
  const day = Number(parts.day);
  switch (format) {
    case 'date_short':
      return `${m}月${day}日`;
    case 'date':
      return `${parts.year}年${m}月${day}日`;
    case 'week':
      return `星期${week}`;
    case 'week_short':
      return `周${week}`;
    case 'time':
      return `${parts.hour}:${parts.minute}`;
    case 'time_sec':
      return `${parts.hour}:${parts.minute}:${parts.second}`;
    default:
      return `${parts.year}-${parts.month}-${parts.day}`;
  }
}

// ---- DOM rendering (browser only) -------------------------------------------------------------

export const NAMED_COLORS = new Set(['red', 'green', 'grey', 'gray', 'blue', 'wathet', 'turquoise', 'yellow', 'orange', 'carmine', 'violet', 'purple', 'indigo', 'lime', 'neutral', 'default']);

/** A colour usable in CSS: Feishu colour names map to classes, plain hex/rgb is allowed inline. */
export function colorClassOrValue(color) {
  const c = String(color || '')
    .trim()
    .toLowerCase();
  const base = c.replace(/-\d+$/, '');
  if (NAMED_COLORS.has(base)) return { className: 'fc-' + (base === 'gray' ? 'grey' : base) };
  if (/^#[0-9a-f]{3,8}$/.test(c) || /^rgba?\(\s*[\d.\s,%]+\)$/.test(c)) return { value: c };
  return {};
}

function el(tag, className) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  return node;
}

function renderInline(nodes, parent, ctx) {
  for (const n of nodes) {
    const node = inlineNode(n, ctx);
    if (node) parent.appendChild(node);
  }
}

/** `e` with the inline node's children rendered into it. */
function wrapping(e, n, ctx) {
  renderInline(n.children, e, ctx);
  return e;
}

/** `e` with the text. */
function withText(e, text) {
  e.textContent = text;
  return e;
}

/** The DOM node for one inline markdown node (null for an unknown type). */
function inlineNode(n, ctx) {
  switch (n.type) {
    case 'text':
      return document.createTextNode(n.text);
    case 'br':
      return el('br');
    case 'hr':
      return el('hr', 'md-hr');
    case 'code':
      return withText(el('code', 'md-code'), n.text);
    case 'strong':
    case 'em':
    case 'del':
    case 'u':
      return wrapping(el(n.type === 'del' ? 's' : n.type), n, ctx);
    case 'span':
      return wrapping(el('span'), n, ctx);
    case 'link': {
      const a = el('a', 'md-link');
      a.href = n.href;
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
      return wrapping(a, n, ctx);
    }
    case 'font': {
      const e = el('span', 'md-font');
      const col = colorClassOrValue(n.color);
      if (col.className) e.classList.add(col.className);
      else if (col.value) e.style.color = col.value;
      return wrapping(e, n, ctx);
    }
    case 'text_tag': {
      const col = colorClassOrValue(n.color);
      return wrapping(el('span', 'text-tag tt-' + (col.className ? col.className.slice(3) : 'neutral')), n, ctx);
    }
    case 'number_tag': {
      const col = colorClassOrValue(n.color);
      return wrapping(el('span', 'md-number-tag' + (col.className ? ' nt-' + col.className.slice(3) : '')), n, ctx);
    }
    case 'person':
      return withText(el('span', 'md-person'), (ctx && ctx.resolveName && ctx.resolveName(n.id)) || n.id);
    case 'datetime':
      return withText(el('span', 'md-datetime'), formatLocalDatetime(n.millisecond, n.format, (ctx && ctx.timeZone) || undefined));
    case 'image': {
      // Feishu takes an img_key here; the workspace shows the picture when the emulator has it.
      const url = ctx && ctx.imageUrl && n.key ? ctx.imageUrl(n.key) : null;
      if (!url) return withText(el('span', 'md-img-placeholder'), `🖼 ${n.alt || '图片'}`);
      const img = el('img', 'md-img');
      img.alt = n.alt;
      img.src = url;
      return img;
    }
    case 'at': {
      const e = withText(el('span', 'md-at'), atLabel(n, ctx && ctx.resolveName));
      if (ctx && ctx.currentUser && (n.ids.includes(ctx.currentUser) || n.ids.includes('all'))) e.classList.add('md-at-me');
      return e;
    }
    default:
      return null;
  }
}

const MD_TABLE_PAGE = 5;

function renderBlocks(blocks, parent, ctx) {
  for (const b of blocks) {
    const node = blockNode(b, ctx);
    if (node) parent.appendChild(node);
  }
}

/** The DOM node for one markdown block (null for an unknown type). */
function blockNode(b, ctx) {
  switch (b.type) {
    case 'paragraph':
      return wrapping(el('p', 'md-p'), b, ctx);
    case 'heading': {
      const h = el('div', 'md-h md-h' + b.level);
      h.setAttribute('role', 'heading');
      h.setAttribute('aria-level', String(b.level));
      return wrapping(h, b, ctx);
    }
    case 'hr':
      return el('hr', 'md-hr');
    case 'quote': {
      const q = el('blockquote', 'md-quote');
      renderBlocks(b.children, q, ctx);
      return q;
    }
    case 'codeblock': {
      const pre = el('pre', 'md-pre');
      pre.appendChild(withText(el('code'), b.text));
      return pre;
    }
    case 'list':
      return renderList(b, ctx);
    case 'table':
      return markdownTable(b, ctx);
    default:
      return null;
  }
}

function tableCell(tag, inline, align, ctx) {
  const cell = el(tag);
  cell.style.textAlign = align || 'left';
  renderInline(inline, cell, ctx);
  return cell;
}

function markdownTable(b, ctx) {
  const wrap = el('div', 'md-table-wrap');
  const table = el('table', 'md-table');
  const thead = el('thead');
  const tr = el('tr');
  b.header.forEach((cell, idx) => tr.appendChild(tableCell('th', cell, b.aligns[idx], ctx)));
  thead.appendChild(tr);
  table.appendChild(thead);
  const tbody = el('tbody');
  table.appendChild(tbody);
  wrap.appendChild(table);
  // Feishu shows a markdown table five data rows at a time, with a pager below.
  const pages = Math.max(1, Math.ceil(b.rows.length / MD_TABLE_PAGE));
  const pager = el('div', 'md-table-pager');
  let page = 0;
  const draw = () => {
    tbody.replaceChildren();
    for (const row of b.rows.slice(page * MD_TABLE_PAGE, (page + 1) * MD_TABLE_PAGE)) {
      const r = el('tr');
      b.header.forEach((_, idx) => r.appendChild(tableCell('td', row[idx] || [], b.aligns[idx], ctx)));
      tbody.appendChild(r);
    }
    pager.replaceChildren();
    const button = (label, aria, to, disabled) => {
      const btn = el('button', 'pager-btn');
      btn.type = 'button';
      btn.textContent = label;
      btn.setAttribute('aria-label', aria);
      btn.disabled = disabled;
      btn.addEventListener('click', () => {
        page = to;
        draw();
      });
      return btn;
    };
    const info = el('span', 'pager-info');
    info.textContent = `${page + 1} / ${pages}`;
    pager.append(button('‹', '上一页', page - 1, page === 0), info, button('›', '下一页', page + 1, page >= pages - 1));
  };
  draw();
  if (pages > 1) wrap.appendChild(pager);
  return wrap;
}

function renderList(block, ctx) {
  const list = el(block.ordered ? 'ol' : 'ul', 'md-list');
  if (block.ordered && block.start !== 1) list.start = block.start;
  for (const item of block.items) {
    const li = el('li');
    renderInline(item.children, li, ctx);
    if (item.blocks) renderBlocks(item.blocks, li, ctx);
    for (const sub of item.sublists) li.appendChild(renderList(sub, ctx));
    list.appendChild(li);
  }
  return list;
}

/**
 * Render markdown into a new element. ctx: { resolveName(openId) → name|null, currentUser }.
 * `inlineOnly` keeps everything on one paragraph level (lark_md in div text, headers).
 */
export function renderMarkdown(content, ctx, inlineOnly = false) {
  const root = el('div', 'md');
  if (inlineOnly) renderInline(parseInline(String(content ?? '')), root, ctx);
  else renderBlocks(parseMarkdown(content), root, ctx);
  return root;
}
