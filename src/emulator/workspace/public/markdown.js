// Safe renderer for the markdown subset Feishu cards accept (CommonMark basics plus Feishu's
// <font>, <at>, <text_tag>, <link>, <br>, <hr>). Parsing is pure (runs in Node for tests);
// rendering only creates DOM nodes and sets textContent, never innerHTML, and only http(s)
// links survive.

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

const PAIRED_TAGS = ['font', 'text_tag', 'link', 'at', 'person', 'u', 'b', 'i', 's', 'strong', 'em', 'del'];

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

function pushText(nodes, text) {
  if (!text) return;
  const last = nodes[nodes.length - 1];
  if (last && last.type === 'text') last.text += text;
  else nodes.push({ type: 'text', text });
}

/** Try the delimiter pairs ** __ ~~ * _ at position i. */
function tryDelimited(text, i) {
  const pairs = [
    ['**', 'strong'],
    ['__', 'strong'],
    ['~~', 'del'],
    ['*', 'em'],
    ['_', 'em'],
  ];
  for (const [delim, type] of pairs) {
    if (!text.startsWith(delim, i)) continue;
    const innerStart = i + delim.length;
    if (innerStart >= text.length || /\s/.test(text[innerStart])) continue;
    // `_` inside words (snake_case) is not emphasis.
    if (delim[0] === '_' && i > 0 && /[A-Za-z0-9]/.test(text[i - 1])) continue;
    let search = innerStart;
    while (search < text.length) {
      const end = text.indexOf(delim, search);
      if (end < 0) break;
      // `*` must not match the first half of `**`.
      if (delim.length === 1 && text[end + 1] === delim) {
        search = end + 2;
        continue;
      }
      if (end > innerStart && !/\s/.test(text[end - 1])) {
        if (delim[0] === '_' && /[A-Za-z0-9]/.test(text[end + delim.length] ?? '')) {
          search = end + 1;
          continue;
        }
        return { type, children: parseInline(text.slice(innerStart, end)), end: end + delim.length };
      }
      search = end + 1;
    }
  }
  return null;
}

/** Try a Feishu/HTML-like tag at position i (text[i] === '<'). */
function tryTag(text, i) {
  const rest = text.slice(i);
  let m = /^<br\s*\/?>/i.exec(rest);
  if (m) return { node: { type: 'br' }, end: i + m[0].length };
  m = /^<hr\s*\/?>/i.exec(rest);
  if (m) return { node: { type: 'hr' }, end: i + m[0].length };
  m = /^<([a-z_]+)((?:\s+[^<>]*?)?)\s*(\/?)>/i.exec(rest);
  if (!m) return null;
  const name = m[1].toLowerCase();
  if (!PAIRED_TAGS.includes(name)) return null;
  const attrs = parseAttributes(m[2] || '');
  const afterOpen = i + m[0].length;
  let inner = '';
  let end = afterOpen;
  if (!m[3]) {
    const close = findClosing(text, afterOpen, name);
    if (close) {
      inner = text.slice(afterOpen, close.start);
      end = close.end;
    } else if (name !== 'at' && name !== 'person') {
      return null;
    }
  }
  switch (name) {
    case 'font':
      return { node: { type: 'font', color: attrs.color || '', children: parseInline(inner) }, end };
    case 'text_tag':
      return { node: { type: 'text_tag', color: attrs.color || 'neutral', children: parseInline(inner) }, end };
    case 'link': {
      const href = safeUrl(attrs.url || attrs.pc_url || '');
      const children = parseInline(inner || attrs.url || '');
      return { node: href ? { type: 'link', href, children } : { type: 'span', children }, end };
    }
    case 'at': {
      let ids = [];
      if (attrs.id) ids = [attrs.id];
      else if (attrs.ids) ids = attrs.ids.split(',').map((s) => s.trim()).filter(Boolean);
      else if (attrs.user_id) ids = [attrs.user_id];
      const email = attrs.email || '';
      return { node: { type: 'at', ids, email }, end };
    }
    case 'person':
      return { node: { type: 'at', ids: attrs.id ? [attrs.id] : [], email: '' }, end };
    case 'u':
      return { node: { type: 'u', children: parseInline(inner) }, end };
    case 'b':
    case 'strong':
      return { node: { type: 'strong', children: parseInline(inner) }, end };
    case 'i':
    case 'em':
      return { node: { type: 'em', children: parseInline(inner) }, end };
    case 's':
    case 'del':
      return { node: { type: 'del', children: parseInline(inner) }, end };
    default:
      return null;
  }
}

/** Parse inline markdown into a node tree. Pure. */
export function parseInline(text) {
  const nodes = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '\\' && i + 1 < text.length && /[\\`*_{}[\]()#+\-.!~<>|]/.test(text[i + 1])) {
      pushText(nodes, text[i + 1]);
      i += 2;
      continue;
    }
    if (ch === '\n') {
      nodes.push({ type: 'br' });
      i += 1;
      continue;
    }
    if (ch === '`') {
      const end = text.indexOf('`', i + 1);
      if (end > i + 1) {
        nodes.push({ type: 'code', text: decodeEntities(text.slice(i + 1, end)) });
        i = end + 1;
        continue;
      }
    }
    if (ch === '<') {
      const tag = tryTag(text, i);
      if (tag) {
        nodes.push(tag.node);
        i = tag.end;
        continue;
      }
    }
    if (ch === '[') {
      const m = /^\[((?:[^[\]\\]|\\.)*)\]\(\s*([^()\s]+)\s*\)/.exec(text.slice(i));
      if (m) {
        const href = safeUrl(m[2]);
        const children = parseInline(m[1]);
        nodes.push(href ? { type: 'link', href, children } : { type: 'span', children });
        i += m[0].length;
        continue;
      }
    }
    if (ch === 'h' && (text.startsWith('http://', i) || text.startsWith('https://', i)) && (i === 0 || !/[A-Za-z0-9]/.test(text[i - 1]))) {
      const m = /^https?:\/\/[^\s<>"'()（）\u3000-\u303f\uff00-\uffef]+/.exec(text.slice(i));
      const href = m ? safeUrl(m[0]) : null;
      if (m && href) {
        nodes.push({ type: 'link', href, children: [{ type: 'text', text: m[0] }] });
        i += m[0].length;
        continue;
      }
    }
    if (ch === '*' || ch === '_' || ch === '~') {
      const d = tryDelimited(text, i);
      if (d) {
        nodes.push({ type: d.type, children: d.children });
        i = d.end;
        continue;
      }
    }
    if (ch === '&') {
      const m = /^&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]{2,6});/.exec(text.slice(i));
      if (m) {
        pushText(nodes, decodeEntities(m[0]));
        i += m[0].length;
        continue;
      }
    }
    pushText(nodes, ch);
    i += 1;
  }
  return nodes;
}

const LIST_ITEM = /^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$/;

function isTableSeparator(line) {
  return /^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/.test(line) && line.includes('-');
}

function splitTableRow(line) {
  let s = line.trim();
  if (s.startsWith('|')) s = s.slice(1);
  if (s.endsWith('|') && !s.endsWith('\\|')) s = s.slice(0, -1);
  return s.split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, '|'));
}

/** Parse markdown content into blocks. Pure. */
export function parseMarkdown(content) {
  const lines = String(content ?? '').replace(/\r\n?/g, '\n').split('\n');
  const blocks = [];
  let para = [];
  const flush = () => {
    if (para.length) {
      blocks.push({ type: 'paragraph', children: parseInline(para.join('\n')) });
      para = [];
    }
  };
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    const trimmed = line.trim();
    if (trimmed === '') {
      flush();
      i += 1;
      continue;
    }
    const fence = /^```\s*([\w+-]*)\s*$/.exec(trimmed);
    if (fence) {
      flush();
      const code = [];
      i += 1;
      while (i < lines.length && lines[i].trim() !== '```') {
        code.push(lines[i]);
        i += 1;
      }
      i += 1;
      blocks.push({ type: 'codeblock', lang: fence[1] || '', text: code.join('\n') });
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(trimmed);
    if (heading) {
      flush();
      blocks.push({ type: 'heading', level: heading[1].length, children: parseInline(heading[2].replace(/\s+#+\s*$/, '')) });
      i += 1;
      continue;
    }
    if (/^(-{3,}|\*{3,}|_{3,})$/.test(trimmed) || /^<hr\s*\/?>$/i.test(trimmed)) {
      flush();
      blocks.push({ type: 'hr' });
      i += 1;
      continue;
    }
    if (trimmed.startsWith('>')) {
      flush();
      const quoted = [];
      while (i < lines.length && lines[i].trim().startsWith('>')) {
        quoted.push(lines[i].trim().replace(/^>\s?/, ''));
        i += 1;
      }
      blocks.push({ type: 'quote', children: parseMarkdown(quoted.join('\n')) });
      continue;
    }
    if (trimmed.includes('|') && i + 1 < lines.length && isTableSeparator(lines[i + 1])) {
      flush();
      const header = splitTableRow(line).map(parseInline);
      const aligns = splitTableRow(lines[i + 1]).map((c) => (c.startsWith(':') && c.endsWith(':') ? 'center' : c.endsWith(':') ? 'right' : 'left'));
      i += 2;
      const rows = [];
      while (i < lines.length && lines[i].trim() !== '' && lines[i].includes('|')) {
        rows.push(splitTableRow(lines[i]).map(parseInline));
        i += 1;
      }
      blocks.push({ type: 'table', header, aligns, rows });
      continue;
    }
    if (LIST_ITEM.test(line)) {
      flush();
      const { block, next } = parseList(lines, i);
      blocks.push(block);
      i = next;
      continue;
    }
    para.push(line);
    i += 1;
  }
  flush();
  return blocks;
}

function indentOf(s) {
  return s.replace(/\t/g, '    ').length;
}

function parseList(lines, start) {
  const first = LIST_ITEM.exec(lines[start]);
  const baseIndent = indentOf(first[1]);
  const ordered = /\d/.test(first[2]);
  const startNumber = ordered ? parseInt(first[2], 10) : 1;
  const items = [];
  let i = start;
  while (i < lines.length) {
    const m = LIST_ITEM.exec(lines[i]);
    if (!m) {
      // A non-blank, non-item line directly after an item continues that item's text.
      if (lines[i].trim() !== '' && items.length && indentOf(/^\s*/.exec(lines[i])[0]) > baseIndent) {
        items[items.length - 1].text += '\n' + lines[i].trim();
        i += 1;
        continue;
      }
      break;
    }
    const indent = indentOf(m[1]);
    if (indent < baseIndent) break;
    if (indent > baseIndent && items.length) {
      const nested = parseList(lines, i);
      items[items.length - 1].sublists.push(nested.block);
      i = nested.next;
      continue;
    }
    if (/\d/.test(m[2]) !== ordered) break;
    items.push({ text: m[3], sublists: [] });
    i += 1;
  }
  return {
    block: {
      type: 'list',
      ordered,
      start: startNumber,
      items: items.map((it) => ({ children: parseInline(it.text), sublists: it.sublists })),
    },
    next: i,
  };
}

/** Flatten a node tree to its plain text (chat-list previews, summaries). */
export function markdownToPlainText(content, resolveName) {
  const walk = (nodes) =>
    nodes
      .map((n) => {
        if (n.type === 'text' || n.type === 'code') return n.text;
        if (n.type === 'br') return ' ';
        if (n.type === 'at') return atLabel(n, resolveName);
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

// ---- DOM rendering (browser only) -------------------------------------------------------------

export const NAMED_COLORS = new Set([
  'red', 'green', 'grey', 'gray', 'blue', 'wathet', 'turquoise', 'yellow', 'orange', 'carmine',
  'violet', 'purple', 'indigo', 'lime', 'neutral', 'default',
]);

/** A colour usable in CSS: Feishu colour names map to classes, plain hex/rgb is allowed inline. */
export function colorClassOrValue(color) {
  const c = String(color || '').trim().toLowerCase();
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
    switch (n.type) {
      case 'text':
        parent.appendChild(document.createTextNode(n.text));
        break;
      case 'br':
        parent.appendChild(el('br'));
        break;
      case 'hr':
        parent.appendChild(el('hr', 'md-hr'));
        break;
      case 'code': {
        const c = el('code', 'md-code');
        c.textContent = n.text;
        parent.appendChild(c);
        break;
      }
      case 'strong':
      case 'em':
      case 'del':
      case 'u': {
        const e = el(n.type === 'del' ? 's' : n.type);
        renderInline(n.children, e, ctx);
        parent.appendChild(e);
        break;
      }
      case 'span': {
        const e = el('span');
        renderInline(n.children, e, ctx);
        parent.appendChild(e);
        break;
      }
      case 'link': {
        const a = el('a', 'md-link');
        a.href = n.href;
        a.target = '_blank';
        a.rel = 'noopener noreferrer';
        renderInline(n.children, a, ctx);
        parent.appendChild(a);
        break;
      }
      case 'font': {
        const e = el('span', 'md-font');
        const col = colorClassOrValue(n.color);
        if (col.className) e.classList.add(col.className);
        else if (col.value) e.style.color = col.value;
        renderInline(n.children, e, ctx);
        parent.appendChild(e);
        break;
      }
      case 'text_tag': {
        const e = el('span', 'text-tag');
        const col = colorClassOrValue(n.color);
        e.classList.add('tt-' + (col.className ? col.className.slice(3) : 'neutral'));
        renderInline(n.children, e, ctx);
        parent.appendChild(e);
        break;
      }
      case 'at': {
        const label = atLabel(n, ctx && ctx.resolveName);
        const e = el('span', 'md-at');
        if (ctx && ctx.currentUser && (n.ids.includes(ctx.currentUser) || n.ids.includes('all'))) e.classList.add('md-at-me');
        e.textContent = label;
        parent.appendChild(e);
        break;
      }
      default:
        break;
    }
  }
}

function renderBlocks(blocks, parent, ctx) {
  for (const b of blocks) {
    switch (b.type) {
      case 'paragraph': {
        const p = el('p', 'md-p');
        renderInline(b.children, p, ctx);
        parent.appendChild(p);
        break;
      }
      case 'heading': {
        const h = el('div', 'md-h md-h' + b.level);
        h.setAttribute('role', 'heading');
        h.setAttribute('aria-level', String(b.level));
        renderInline(b.children, h, ctx);
        parent.appendChild(h);
        break;
      }
      case 'hr':
        parent.appendChild(el('hr', 'md-hr'));
        break;
      case 'quote': {
        const q = el('blockquote', 'md-quote');
        renderBlocks(b.children, q, ctx);
        parent.appendChild(q);
        break;
      }
      case 'codeblock': {
        const pre = el('pre', 'md-pre');
        const code = el('code');
        code.textContent = b.text;
        pre.appendChild(code);
        parent.appendChild(pre);
        break;
      }
      case 'list':
        parent.appendChild(renderList(b, ctx));
        break;
      case 'table': {
        const wrap = el('div', 'md-table-wrap');
        const table = el('table', 'md-table');
        const thead = el('thead');
        const tr = el('tr');
        b.header.forEach((cell, idx) => {
          const th = el('th');
          th.style.textAlign = b.aligns[idx] || 'left';
          renderInline(cell, th, ctx);
          tr.appendChild(th);
        });
        thead.appendChild(tr);
        table.appendChild(thead);
        const tbody = el('tbody');
        for (const row of b.rows) {
          const r = el('tr');
          b.header.forEach((_, idx) => {
            const td = el('td');
            td.style.textAlign = b.aligns[idx] || 'left';
            renderInline(row[idx] || [], td, ctx);
            r.appendChild(td);
          });
          tbody.appendChild(r);
        }
        table.appendChild(tbody);
        wrap.appendChild(table);
        parent.appendChild(wrap);
        break;
      }
      default:
        break;
    }
  }
}

function renderList(block, ctx) {
  const list = el(block.ordered ? 'ol' : 'ul', 'md-list');
  if (block.ordered && block.start !== 1) list.start = block.start;
  for (const item of block.items) {
    const li = el('li');
    renderInline(item.children, li, ctx);
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
