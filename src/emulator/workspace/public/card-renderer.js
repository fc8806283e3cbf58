// Card JSON 2.0 → DOM. Every string is set with textContent (markdown goes through markdown.js);
// interactions call ctx.onAction(action) and wait for the callback result.
import { renderMarkdown } from './markdown.js';
import {
  headerTemplate,
  textOf,
  isMarkdownText,
  spacingPx,
  boxCss,
  textSizePx,
  openUrlOf,
  hasCallback,
  formActionType,
  isRequired,
  FORM_FIELD_TAGS,
  collectFormValue,
  missingRequired,
  formNameProblems,
  buildAction,
  initialOption,
  tablePage,
  formatNumber,
  formatTableDate,
  columnFlex,
  formatPickerValue,
  avatarText,
  avatarColorIndex,
  chartBoxSize,
  chartSpecFor,
  chartSpecProblems,
  tableCellLines,
} from './card-logic.js';
import { colorClassOrValue } from './markdown.js';

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text != null) node.textContent = text;
  return node;
}

function applyBox(node, component) {
  const margin = boxCss(component.margin);
  if (margin) node.style.margin = margin;
  const padding = boxCss(component.padding);
  if (padding) node.style.padding = padding;
}

function applyTextColor(node, color) {
  if (!color || color === 'default') return;
  const c = colorClassOrValue(color);
  if (c.className) node.classList.add(c.className);
  else if (c.value) node.style.color = c.value;
}

function applyBackground(node, style) {
  if (!style || style === 'default') return;
  const m = /^([a-z]+)(?:-(\d+))?$/.exec(String(style));
  if (m) node.classList.add('bg-' + m[1] + (m[2] ? '-' + m[2] : ''));
}

/** Render a text object (plain_text or lark_md/markdown) inline. */
function renderText(text, ctx, className) {
  if (isMarkdownText(text)) {
    const node = renderMarkdown(textOf(text), ctx, false);
    if (className) node.classList.add(...className.split(' '));
    return node;
  }
  return el('span', className, textOf(text));
}

function placeholderOf(component, fallback) {
  return textOf(component.placeholder) || fallback;
}

function personName(ctx, openId) {
  return (ctx.resolveName && ctx.resolveName(openId)) || openId;
}

function avatar(ctx, openId, size = 'sm') {
  const name = personName(ctx, openId);
  const a = el('span', `avatar avatar-${size} avatar-c${avatarColorIndex(openId)}`, avatarText(name));
  a.title = name;
  return a;
}

let cellObserver = null;

/** Marks table cells whose content is cut (re-checked whenever a cell's size changes, e.g. once shown). */
function clipObserver() {
  if (!cellObserver) {
    cellObserver = new ResizeObserver((entries) => {
      for (const { target: box } of entries) {
        if (!box.isConnected) {
          cellObserver.unobserve(box);
          continue;
        }
        if (box.classList.contains('expanded')) continue;
        const cut = box.scrollHeight > box.clientHeight + 1 || box.scrollWidth > box.clientWidth + 1;
        box.classList.toggle('clipped', cut);
        if (cut) box.title = box.textContent || '';
        else box.removeAttribute('title');
      }
    });
  }
  return cellObserver;
}

let vchartModule = null;

/** VChart is large (≈2.4 MB): loaded the first time a card shows a chart. */
function loadVChart() {
  if (!vchartModule) {
    vchartModule = import('@visactor/vchart').then((m) => {
      const lib = m.default || m;
      return lib.VChart || lib.default;
    });
  }
  return vchartModule;
}

function mountChart(box, c) {
  // The drawn VChart instance; `drawing` while VChart loads and renders (the card may be replaced or
  // resized meanwhile: a chart that finishes for a detached box is released, never left behind).
  let chart = null;
  let drawing = false;
  let failed = false;
  const fail = () => {
    failed = true;
    box.replaceChildren(el('div', 'chart-error', '图表加载失败'));
  };
  const observer = new ResizeObserver(async (entries) => {
    const rect = entries[entries.length - 1].contentRect;
    if (!box.isConnected) {
      observer.disconnect();
      if (chart) chart.release();
      chart = null;
      return;
    }
    if (failed || drawing || rect.width === 0 || rect.height === 0) return;
    if (chart) {
      chart.resize(rect.width, rect.height);
      return;
    }
    drawing = true;
    try {
      const VChart = await loadVChart();
      const spec = chartSpecFor(c);
      const instance = new VChart(spec, { dom: box, width: box.clientWidth, height: box.clientHeight, animation: false });
      await instance.renderAsync();
      if (!box.isConnected) {
        observer.disconnect();
        instance.release();
        return;
      }
      chart = instance;
      box.dataset.rendered = 'true';
    } catch (error) {
      console.error('[workspace] chart failed', error);
      fail();
    } finally {
      drawing = false;
    }
  });
  observer.observe(box);
}

function openChartPreview(c) {
  const overlay = el('div', 'chart-preview');
  overlay.setAttribute('role', 'dialog');
  overlay.setAttribute('aria-label', '图表');
  const panel = el('div', 'chart-preview-panel');
  const close = el('button', 'chart-preview-close', '×');
  close.type = 'button';
  close.setAttribute('aria-label', '关闭');
  const box = el('div', 'card-chart chart-preview-body');
  mountChart(box, c);
  panel.append(close, box);
  overlay.appendChild(panel);
  const onKey = (e) => {
    if (e.key === 'Escape') done();
  };
  const done = () => {
    overlay.remove();
    document.removeEventListener('keydown', onKey);
  };
  close.addEventListener('click', done);
  overlay.addEventListener('click', (e) => {
    if (e.target === overlay) done();
  });
  document.addEventListener('keydown', onKey);
  document.body.appendChild(overlay);
}

/** The method that renders each Card JSON 2.0 component tag (Feishu's aliases share one); each takes (component, form). */
const COMPONENT_RENDERERS = Object.fromEntries(
  Object.entries({
    markdown: ['markdown'],
    div: ['div'],
    columnSet: ['column_set'],
    table: ['table'],
    panel: ['collapsible_panel'],
    container: ['interactive_container'],
    form: ['form'],
    button: ['button'],
    actionRow: ['action'],
    input: ['input'],
    select: ['select_static', 'select_person'],
    multiSelect: ['multi_select_static', 'multi_select_person'],
    picker: ['date_picker', 'picker_time', 'picker_datetime'],
    checker: ['checker'],
    overflow: ['overflow'],
    image: ['img', 'image'],
    imageCombination: ['img_combination'],
    note: ['note'],
    person: ['person'],
    personList: ['person_list'],
    chart: ['chart'],
  }).flatMap(([method, tags]) => tags.map((tag) => [tag, method])),
);

/** Renders one card; `state` lives per rendered card (pending action, forms). */
class CardView {
  constructor(card, ctx) {
    this.card = card && typeof card === 'object' ? card : {};
    this.ctx = ctx;
    this.root = el('div', 'card');
    this.busy = false;
    this.interactive = [];
  }

  render() {
    const card = this.card;
    const config = card.config || {};
    if (config.width_mode === 'fill') this.root.classList.add('card-fill');
    else if (config.width_mode === 'compact') this.root.classList.add('card-compact');
    if (card.schema !== '2.0') this.root.classList.add('card-v1');
    if (card.header) this.root.appendChild(this.renderHeader(card.header));
    const body = card.body || {};
    const elements = Array.isArray(body.elements) ? body.elements : Array.isArray(card.elements) ? card.elements : [];
    const bodyEl = el('div', 'card-body');
    const padding = boxCss(body.padding);
    if (padding) bodyEl.style.padding = padding;
    bodyEl.style.gap = spacingPx(body.vertical_spacing, 8) + 'px';
    if (body.direction === 'horizontal') bodyEl.classList.add('card-horizontal');
    this.renderElements(elements, bodyEl, null);
    this.root.appendChild(bodyEl);
    const link = card.card_link && openUrlOf({ behaviors: [{ type: 'open_url', default_url: card.card_link.url, pc_url: card.card_link.pc_url }] });
    if (link) {
      this.root.classList.add('card-linked');
      this.root.addEventListener('click', (e) => {
        if (e.target instanceof Element && e.target.closest('button,input,select,textarea,a,.ms-box,.panel-head')) return;
        window.open(link, '_blank', 'noopener');
      });
    }
    return this.root;
  }

  renderHeader(header) {
    const h = el('div', `card-header tpl-${headerTemplate(header.template)}`);
    const padding = boxCss(header.padding);
    if (padding) h.style.padding = padding;
    const titleRow = el('div', 'card-title-row');
    const title = renderText(header.title, this.ctx, 'card-title');
    titleRow.appendChild(title);
    const tags = Array.isArray(header.text_tag_list) ? header.text_tag_list.slice(0, 3) : [];
    if (tags.length) {
      const tagBox = el('span', 'card-title-tags');
      for (const t of tags) tagBox.appendChild(this.textTag(t));
      titleRow.appendChild(tagBox);
    }
    h.appendChild(titleRow);
    if (header.subtitle && textOf(header.subtitle)) h.appendChild(el('div', 'card-subtitle', textOf(header.subtitle)));
    return h;
  }

  textTag(t) {
    const c = colorClassOrValue(t.color || 'neutral');
    return el('span', 'text-tag tt-' + (c.className ? c.className.slice(3) : 'neutral'), textOf(t.text));
  }

  renderElements(elements, parent, form) {
    for (const component of elements) {
      if (!component || typeof component !== 'object') continue;
      const node = this.renderComponent(component, form);
      if (!node) continue;
      if (component.element_id) node.dataset.elementId = String(component.element_id);
      applyBox(node, { margin: component.margin });
      parent.appendChild(node);
    }
  }

  renderComponent(c, form) {
    const method = COMPONENT_RENDERERS[c.tag];
    if (method) return this[method](c, form);
    if (c.tag === 'plain_text' || c.tag === 'lark_md') return renderText(c, this.ctx, 'card-div');
    if (c.tag === 'hr') return el('hr', 'card-hr');
    return el('div', 'card-unsupported', `[暂不支持的组件：${String(c.tag || '未知')}]`);
  }

  markdown(c) {
    const node = renderMarkdown(c.content ?? textOf(c.text), this.ctx, false);
    node.classList.add('card-md');
    node.style.fontSize = textSizePx(c.text_size) + 'px';
    if (c.text_size === 'notation') node.classList.add('notation');
    if (String(c.text_size || '').startsWith('heading')) node.classList.add('card-md-heading');
    if (['left', 'center', 'right'].includes(c.text_align)) node.style.textAlign = c.text_align;
    return node;
  }

  div(c) {
    const box = el('div', 'card-div');
    if (c.text) {
      const t = renderText(c.text, this.ctx, 'card-div-text');
      t.style.fontSize = textSizePx(c.text.text_size) + 'px';
      if (c.text.text_size === 'notation') t.classList.add('notation');
      applyTextColor(t, c.text.text_color);
      if (['left', 'center', 'right'].includes(c.text.text_align)) t.style.textAlign = c.text.text_align;
      if (Number.isInteger(c.text.lines) && c.text.lines > 0) {
        t.classList.add('clamp');
        t.style.webkitLineClamp = String(c.text.lines);
      }
      box.appendChild(t);
    }
    if (Array.isArray(c.fields) && c.fields.length) {
      const grid = el('div', 'card-fields');
      for (const f of c.fields) {
        const cell = renderText(f.text, this.ctx, 'card-field' + (f.is_short ? ' short' : ''));
        grid.appendChild(cell);
      }
      box.appendChild(grid);
    }
    return box;
  }

  note(c) {
    const box = el('div', 'card-note');
    for (const e of Array.isArray(c.elements) ? c.elements : []) {
      if (e.tag === 'img') box.appendChild(el('span', 'note-img', '▣'));
      else box.appendChild(renderText(e, this.ctx, 'note-text'));
    }
    return box;
  }

  columnSet(c, form) {
    const set = el('div', 'col-set');
    const mode = c.flex_mode || 'none';
    set.classList.add('flex-' + mode);
    set.style.gap = spacingPx(c.horizontal_spacing, 8) + 'px';
    applyBackground(set, c.background_style);
    if (c.background_style && c.background_style !== 'default') set.classList.add('has-bg');
    const columns = Array.isArray(c.columns) ? c.columns : [];
    for (const col of columns) {
      const colEl = el('div', 'col');
      const flex = columnFlex(col);
      if (mode === 'bisect' || mode === 'trisect') colEl.style.flex = '1 1 0';
      else if (flex.kind === 'weighted') colEl.style.flex = `${flex.weight} 1 0`;
      else if (flex.kind === 'fixed') colEl.style.flex = `0 0 ${flex.px}px`;
      else colEl.style.flex = '0 1 auto';
      if (flex.kind === 'weighted') colEl.dataset.weight = String(flex.weight);
      colEl.style.gap = spacingPx(col.vertical_spacing, 8) + 'px';
      const va = { top: 'flex-start', center: 'center', bottom: 'flex-end' }[col.vertical_align];
      if (va) colEl.style.justifyContent = va;
      applyBackground(colEl, col.background_style);
      if (col.background_style && col.background_style !== 'default') colEl.classList.add('has-bg');
      applyBox(colEl, { padding: col.padding });
      this.renderElements(Array.isArray(col.elements) ? col.elements : [], colEl, form);
      const url = openUrlOf(col.action || col);
      if (url) {
        colEl.classList.add('clickable');
        colEl.addEventListener('click', () => window.open(url, '_blank', 'noopener'));
      }
      set.appendChild(colEl);
    }
    return set;
  }

  container(c, form) {
    const box = el('div', 'icontainer');
    if (c.has_border) box.classList.add('bordered');
    applyBackground(box, c.background_style);
    box.style.gap = spacingPx(c.vertical_spacing, 8) + 'px';
    applyBox(box, { padding: c.padding });
    this.renderElements(Array.isArray(c.elements) ? c.elements : [], box, form);
    if (hasCallback(c) || openUrlOf(c)) {
      box.classList.add('clickable');
      box.addEventListener('click', (e) => {
        if (e.target instanceof Element && e.target !== box && e.target.closest('button,input,select,textarea,a')) return;
        const url = openUrlOf(c);
        if (url) window.open(url, '_blank', 'noopener');
        if (hasCallback(c)) this.send(buildAction(c), box);
      });
    }
    return box;
  }

  panel(c, form) {
    const panel = el('div', 'panel');
    if (c.border) panel.classList.add('bordered');
    applyBackground(panel, c.background_color || c.background_style);
    const head = el('button', 'panel-head');
    head.type = 'button';
    const headerTitle = c.header?.title;
    head.appendChild(renderText(headerTitle, this.ctx, 'panel-title'));
    const arrow = el('span', 'panel-arrow', '▾');
    arrow.setAttribute('aria-hidden', 'true');
    if (c.header?.icon_position === 'left') head.insertBefore(arrow, head.firstChild);
    else head.appendChild(arrow);
    const body = el('div', 'panel-body');
    body.style.gap = spacingPx(c.vertical_spacing, 8) + 'px';
    this.renderElements(Array.isArray(c.elements) ? c.elements : [], body, form);
    const setOpen = (open) => {
      panel.classList.toggle('open', open);
      head.setAttribute('aria-expanded', String(open));
      body.hidden = !open;
    };
    setOpen(c.expanded === true);
    head.addEventListener('click', () => setOpen(!panel.classList.contains('open')));
    panel.append(head, body);
    return panel;
  }

  table(c) {
    const wrap = el('div', 'ctable');
    const columns = Array.isArray(c.columns) ? c.columns : [];
    const rows = Array.isArray(c.rows) ? c.rows : [];
    const scroller = el('div', 'ctable-scroll');
    const table = el('table');
    const hs = c.header_style || {};
    const thead = el('thead');
    const htr = el('tr');
    for (const col of columns) {
      const th = el('th');
      const headLabel = el('div', 'cell-clip clamp', textOf(col.display_name) || String(col.display_name ?? col.name ?? ''));
      headLabel.style.webkitLineClamp = String(Number.isInteger(hs.lines) && hs.lines > 0 ? hs.lines : 1);
      th.appendChild(headLabel);
      if (['left', 'center', 'right'].includes(col.horizontal_align || hs.text_align)) th.style.textAlign = col.horizontal_align || hs.text_align;
      if (typeof col.width === 'string' && /^\d{2,3}px$/.test(col.width)) th.style.minWidth = col.width;
      if (hs.bold === false) th.style.fontWeight = 'normal';
      applyTextColor(th, hs.text_color);
      htr.appendChild(th);
    }
    thead.appendChild(htr);
    applyBackground(thead, hs.background_style === 'none' ? null : hs.background_style || 'grey');
    table.appendChild(thead);
    const tbody = el('tbody');
    table.appendChild(tbody);
    scroller.appendChild(table);
    wrap.appendChild(scroller);
    const pager = el('div', 'ctable-pager');
    let page = 0;
    const clip = tableCellLines(c.row_height, c.row_max_height);
    const draw = () => {
      const p = tablePage(rows, c.page_size, page);
      page = p.page;
      tbody.replaceChildren();
      for (const row of p.rows) {
        const tr = el('tr');
        for (const col of columns) {
          const td = el('td');
          if (['left', 'center', 'right'].includes(col.horizontal_align)) td.style.textAlign = col.horizontal_align;
          td.appendChild(this.clipCell(this.tableCell(col, row ? row[col.name] : undefined), clip));
          tr.appendChild(td);
        }
        tbody.appendChild(tr);
      }
      if (!p.rows.length) {
        const tr = el('tr');
        const td = el('td', 'ctable-empty', '暂无数据');
        td.colSpan = Math.max(1, columns.length);
        tr.appendChild(td);
        tbody.appendChild(tr);
      }
      pager.replaceChildren();
      pager.hidden = p.pages <= 1;
      const prev = el('button', 'pager-btn', '‹');
      prev.type = 'button';
      prev.setAttribute('aria-label', '上一页');
      prev.disabled = p.page === 0;
      prev.addEventListener('click', () => {
        page -= 1;
        draw();
      });
      const next = el('button', 'pager-btn', '›');
      next.type = 'button';
      next.setAttribute('aria-label', '下一页');
      next.disabled = p.page >= p.pages - 1;
      next.addEventListener('click', () => {
        page += 1;
        draw();
      });
      pager.append(prev, el('span', 'pager-info', `${p.page + 1} / ${p.pages}`), next);
    };
    draw();
    wrap.appendChild(pager);
    return wrap;
  }

  /** A cell that does not fit ends in an ellipsis; hovering shows it, a tap expands it (as Feishu). */
  clipCell(content, clip) {
    const box = el('div', 'cell-clip');
    box.appendChild(content);
    if ('lines' in clip) {
      box.classList.add('clamp');
      box.style.webkitLineClamp = String(clip.lines);
    } else {
      box.style.maxHeight = clip.maxHeight + 'px';
      box.style.overflow = 'hidden';
    }
    clipObserver().observe(box);
    box.addEventListener('click', () => {
      if (box.classList.contains('clipped') || box.classList.contains('expanded')) box.classList.toggle('expanded');
    });
    return box;
  }

  tableCell(col, value) {
    switch (col.data_type) {
      case 'lark_md':
      case 'markdown':
        return renderMarkdown(value == null ? '' : String(value), this.ctx, false);
      case 'number':
        return el('span', 'num', value == null ? '' : formatNumber(value, col.format));
      case 'date':
        return el('span', null, value == null ? '' : formatTableDate(value, col.date_format));
      case 'options': {
        const box = el('span', 'cell-options');
        const opts = Array.isArray(value) ? value : value == null ? [] : [value];
        for (const o of opts) {
          if (o && typeof o === 'object') box.appendChild(this.textTag({ text: { content: String(o.text ?? '') }, color: o.color }));
          else box.appendChild(this.textTag({ text: { content: String(o) }, color: 'neutral' }));
        }
        return box;
      }
      case 'persons': {
        const box = el('span', 'cell-persons');
        const ids = Array.isArray(value) ? value : value == null ? [] : [value];
        for (const id of ids) {
          const p = el('span', 'person-chip');
          p.append(avatar(this.ctx, String(id), 'xs'), el('span', null, personName(this.ctx, String(id))));
          box.appendChild(p);
        }
        return box;
      }
      default:
        return el('span', null, value == null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value));
    }
  }

  image(c) {
    const fig = el('div', 'card-img');
    const key = String(c.img_key || c.image_key || '');
    const alt = textOf(c.alt) || textOf(c.title) || '图片';
    if (key && this.ctx.imageUrl) {
      const img = el('img');
      img.alt = alt;
      img.loading = 'lazy';
      img.src = this.ctx.imageUrl(key);
      img.addEventListener('error', () => img.replaceWith(el('div', 'img-placeholder', `🖼 ${alt}`)));
      fig.appendChild(img);
    } else {
      fig.appendChild(el('div', 'img-placeholder', `🖼 ${alt}`));
    }
    if (c.title) fig.appendChild(el('div', 'img-title', textOf(c.title)));
    return fig;
  }

  imageCombination(c) {
    const grid = el('div', 'img-grid');
    for (const item of Array.isArray(c.img_list) ? c.img_list : []) grid.appendChild(this.image({ img_key: item.img_key }));
    return grid;
  }

  /** Card JSON 2.0 `chart`: a VChart chart_spec drawn with the same library Feishu uses. */
  chart(c) {
    const box = el('div', 'card-chart');
    const size = chartBoxSize(c, this.ctx.mobile ? this.ctx.mobile() : false);
    if (size.height) box.style.height = size.height + 'px';
    else box.style.aspectRatio = size.aspectRatio;
    // Feishu's phone clients fail a chart whose spec uses what they cannot draw.
    if (this.ctx.mobile && this.ctx.mobile() && chartSpecProblems(c.chart_spec).length) {
      box.appendChild(el('div', 'chart-error', '图表加载失败'));
      return box;
    }
    mountChart(box, c);
    // `preview` (default true): desktop opens the chart in its own window, a phone full screen.
    if (c.preview !== false) {
      box.classList.add('clickable');
      box.title = '点击查看大图';
      box.addEventListener('click', () => openChartPreview(c));
    }
    return box;
  }

  person(c) {
    const box = el('span', 'person-chip');
    box.append(avatar(this.ctx, String(c.user_id || ''), 'xs'), el('span', null, personName(this.ctx, String(c.user_id || ''))));
    return box;
  }

  personList(c) {
    const box = el('div', 'cell-persons');
    for (const p of Array.isArray(c.persons) ? c.persons : []) box.appendChild(this.person({ user_id: p.id }));
    return box;
  }

  // ---- interaction -----------------------------------------------------------------------------

  /** Feishu cards block all interaction while a callback is in flight. */
  setBusy(busy, origin) {
    this.busy = busy;
    this.root.classList.toggle('card-busy', busy);
    if (origin) origin.classList.toggle('loading', busy);
  }

  async send(action, origin) {
    if (this.busy) return null;
    this.setBusy(true, origin);
    try {
      return await this.ctx.onAction(action);
    } finally {
      this.setBusy(false, origin);
    }
  }

  async confirmIfNeeded(c) {
    if (!c.confirm) return true;
    return this.ctx.confirm ? this.ctx.confirm(textOf(c.confirm.title) || '确认', textOf(c.confirm.text)) : window.confirm(textOf(c.confirm.text));
  }

  form(c) {
    const formEl = el('form', 'card-form');
    formEl.noValidate = true;
    formEl.dataset.formName = String(c.name || '');
    formEl.addEventListener('submit', (e) => e.preventDefault());
    formEl.style.gap = spacingPx(c.vertical_spacing, 12) + 'px';
    applyBox(formEl, { padding: c.padding });
    const state = { name: c.name, fields: [] };
    this.renderElements(Array.isArray(c.elements) ? c.elements : [], formEl, state);
    return formEl;
  }

  /** Register a form field: get() returns the raw value, reset() restores the initial one. */
  register(form, component, node, get, reset) {
    if (!form) return;
    const field = { tag: component.tag, name: component.name || '', required: isRequired(component), node, get, reset };
    form.fields.push(field);
  }

  /** A form field held in `control[prop]` ('value' or 'checked'): read from it, reset to `initial` (then `after`, e.g. to restyle). */
  registerControl(form, c, shell, control, prop, initial, after = () => {}) {
    this.register(
      form,
      c,
      shell,
      () => control[prop],
      () => {
        control[prop] = initial;
        after();
      },
    );
  }

  /**
   * A control whose look follows its state (`sync`): inside a form it is a field (read and reset
   * through `prop`); on its own, each change calls `onChange` (the callback).
   */
  bindControl(form, c, shell, control, prop, initial, sync, onChange) {
    sync();
    if (form) {
      this.registerControl(form, c, shell, control, prop, initial, sync);
      control.addEventListener('change', sync);
      return;
    }
    control.addEventListener('change', async () => {
      sync();
      await onChange();
    });
  }

  fieldShell(c, control, form) {
    const wrap = el('div', 'field');
    if (c.width === 'fill' || form) wrap.classList.add('field-fill');
    if (c.label) {
      const label = el('div', 'field-label');
      if (c.label_position === 'left') wrap.classList.add('label-left');
      if (form && isRequired(c)) label.appendChild(el('span', 'req', '*'));
      label.appendChild(renderText(c.label, this.ctx));
      wrap.appendChild(label);
    }
    wrap.appendChild(control);
    wrap.appendChild(el('div', 'field-error', '请填写此项'));
    return wrap;
  }

  input(c, form) {
    const multiline = c.input_type === 'multiline_text';
    const control = multiline ? el('textarea', 'ctl ctl-input') : el('input', 'ctl ctl-input');
    if (!multiline) control.type = c.input_type === 'password' ? 'password' : 'text';
    else control.rows = Number.isInteger(c.rows) ? Math.min(10, Math.max(1, c.rows)) : 5;
    control.placeholder = placeholderOf(c, '请输入');
    const max = Number.isInteger(c.max_length) ? c.max_length : 1000;
    control.maxLength = Math.min(1000, Math.max(1, max));
    const initial = typeof c.default_value === 'string' ? c.default_value : '';
    control.value = initial;
    control.disabled = c.disabled === true;
    if (c.name) control.name = c.name;
    const shell = this.fieldShell(c, control, form);
    if (form) {
      this.registerControl(form, c, shell, control, 'value', initial);
    } else if (hasCallback(c)) {
      // Standalone input: Enter (or leaving a changed field) sends input_value.
      let last = initial;
      const fire = () => {
        if (control.value === last) return;
        last = control.value;
        this.send(buildAction(c, { inputValue: control.value }), shell);
      };
      control.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' && !multiline) {
          e.preventDefault();
          fire();
        }
      });
      control.addEventListener('blur', fire);
    }
    return shell;
  }

  options(c) {
    if (c.tag === 'select_person' || c.tag === 'multi_select_person') {
      const listed = Array.isArray(c.options) ? c.options.map((o) => String(o.value || '')).filter(Boolean) : [];
      const ids = listed.length ? listed : this.ctx.members || [];
      return ids.map((id) => ({ value: id, label: personName(this.ctx, id), person: true }));
    }
    return (Array.isArray(c.options) ? c.options : []).map((o) => ({ value: String(o.value ?? ''), label: textOf(o.text) || String(o.value ?? '') }));
  }

  select(c, form) {
    const control = el('select', 'ctl ctl-select');
    if (c.name) control.name = c.name;
    const opts = this.options(c);
    const ph = el('option', null, placeholderOf(c, c.tag === 'select_person' ? '请选择人员' : '请选择'));
    ph.value = '';
    control.appendChild(ph);
    for (const o of opts) {
      const opt = el('option', null, o.label);
      opt.value = o.value;
      control.appendChild(opt);
    }
    const initial = c.tag === 'select_person' ? (opts.some((o) => o.value === c.initial_option) ? c.initial_option : '') : initialOption(c);
    control.value = initial;
    const sync = () => control.classList.toggle('is-placeholder', control.value === '');
    control.disabled = c.disabled === true;
    const shell = this.fieldShell(c, control, form);
    this.bindControl(form, c, shell, control, 'value', initial, sync, async () => {
      if (!hasCallback(c) || control.value === '') return;
      if (!(await this.confirmIfNeeded(c))) return;
      this.send(buildAction(c, { option: control.value }), shell);
    });
    return shell;
  }

  /** Feishu-like multi-select: a box of tags that opens a checklist. */
  multiSelect(c, form) {
    const opts = this.options(c);
    const initial = Array.isArray(c.selected_values) ? c.selected_values.map(String).filter((v) => opts.some((o) => o.value === v)) : [];
    let selected = [...initial];
    const box = el('div', 'ctl ms-box');
    box.tabIndex = 0;
    box.setAttribute('role', 'listbox');
    box.setAttribute('aria-multiselectable', 'true');
    if (c.name) box.dataset.name = c.name;
    const tags = el('div', 'ms-tags');
    const list = el('div', 'ms-list');
    list.hidden = true;
    const draw = () => {
      tags.replaceChildren();
      if (!selected.length) tags.appendChild(el('span', 'ms-placeholder', placeholderOf(c, '请选择')));
      for (const v of selected) {
        const o = opts.find((x) => x.value === v);
        const t = el('span', 'ms-tag', o ? o.label : v);
        const x = el('button', 'ms-x', '×');
        x.type = 'button';
        x.setAttribute('aria-label', '移除');
        x.addEventListener('click', (e) => {
          e.stopPropagation();
          selected = selected.filter((s) => s !== v);
          draw();
        });
        t.appendChild(x);
        tags.appendChild(t);
      }
      for (const item of list.children) item.classList.toggle('checked', selected.includes(item.dataset.value));
    };
    for (const o of opts) {
      const item = el('div', 'ms-item');
      item.dataset.value = o.value;
      item.setAttribute('role', 'option');
      if (o.person) item.appendChild(avatar(this.ctx, o.value, 'xs'));
      item.appendChild(el('span', 'ms-label', o.label));
      item.appendChild(el('span', 'ms-check', '✓'));
      item.addEventListener('click', (e) => {
        e.stopPropagation();
        selected = selected.includes(o.value) ? selected.filter((s) => s !== o.value) : [...selected, o.value];
        draw();
      });
      list.appendChild(item);
    }
    box.append(tags, el('span', 'ms-arrow', '▾'), list);
    // Open on a click (or Enter, Space, ↓ from the keyboard); closed by a click outside or Escape,
    // as Feishu's dropdowns are.
    const hide = () => {
      list.hidden = true;
      box.classList.remove('open');
      document.removeEventListener('click', close, true);
      document.removeEventListener('keydown', onKey, true);
    };
    const close = (e) => {
      if (!(e.target instanceof Node) || !box.contains(e.target)) hide();
    };
    const onKey = (e) => {
      if (e.key !== 'Escape') return;
      e.stopPropagation();
      hide();
      box.focus();
    };
    const show = () => {
      if (c.disabled === true || !list.hidden) return;
      list.hidden = false;
      box.classList.add('open');
      document.addEventListener('click', close, true);
      document.addEventListener('keydown', onKey, true);
    };
    box.addEventListener('click', show);
    box.addEventListener('keydown', (e) => {
      if (e.target !== box || !['Enter', ' ', 'ArrowDown'].includes(e.key)) return;
      e.preventDefault();
      show();
    });
    draw();
    const shell = this.fieldShell(c, box, form);
    this.register(
      form,
      c,
      shell,
      () => [...selected],
      () => {
        selected = [...initial];
        draw();
      },
    );
    return shell;
  }

  picker(c, form) {
    const control = el('input', 'ctl ctl-date');
    control.type = c.tag === 'picker_time' ? 'time' : c.tag === 'picker_datetime' ? 'datetime-local' : 'date';
    if (c.name) control.name = c.name;
    const initial = String(c.initial_date || c.initial_time || c.initial_datetime || '').replace(' ', 'T');
    control.value = initial;
    control.placeholder = placeholderOf(c, '请选择日期');
    control.disabled = c.disabled === true;
    const shell = this.fieldShell(c, control, form);
    if (form) {
      this.registerControl(form, c, shell, control, 'value', initial);
    } else if (hasCallback(c)) {
      control.addEventListener('change', () => {
        const v = formatPickerValue(c.tag, control.value);
        if (v) this.send({ ...buildAction(c, { option: v }), timezone: 'Asia/Shanghai' }, shell);
      });
    }
    return shell;
  }

  checker(c, form) {
    const label = el('label', 'checker');
    const box = el('input');
    box.type = 'checkbox';
    if (c.name) box.name = c.name;
    const initial = c.checked === true;
    box.checked = initial;
    box.disabled = c.disabled === true;
    const text = renderText(c.text, this.ctx, 'checker-text');
    const sync = () => label.classList.toggle('done', box.checked && c.checked_style?.show_strikethrough === true);
    label.append(box, el('span', 'checker-mark'), text);
    this.bindControl(form, c, label, box, 'checked', initial, sync, async () => {
      if (!hasCallback(c)) return;
      const result = await this.send(buildAction(c, { checked: box.checked }), label);
      if (result && result.ok === false) {
        box.checked = !box.checked;
        sync();
      }
    });
    return label;
  }

  overflow(c) {
    const wrap = el('div', 'overflow');
    const btn = el('button', 'btn btn-default btn-overflow', '···');
    btn.type = 'button';
    btn.setAttribute('aria-label', '更多');
    const menu = el('div', 'overflow-menu');
    menu.hidden = true;
    for (const o of Array.isArray(c.options) ? c.options : []) {
      const item = el('button', 'overflow-item', textOf(o.text));
      item.type = 'button';
      item.addEventListener('click', async () => {
        menu.hidden = true;
        const url = o.multi_url ? openUrlOf({ multi_url: o.multi_url }) : null;
        if (url) window.open(url, '_blank', 'noopener');
        else if (await this.confirmIfNeeded(c)) this.send(buildAction(c, { option: String(o.value ?? '') }), btn);
      });
      menu.appendChild(item);
    }
    btn.addEventListener('click', () => {
      menu.hidden = !menu.hidden;
    });
    wrap.append(btn, menu);
    return wrap;
  }

  actionRow(c, form) {
    const row = el('div', 'action-row');
    this.renderElements(Array.isArray(c.actions) ? c.actions : [], row, form);
    return row;
  }

  button(c, form) {
    const type = String(c.type || 'default');
    const btn = el('button', `btn btn-${type} btn-${c.size || 'medium'}`);
    btn.type = 'button';
    if (c.width === 'fill') btn.classList.add('btn-fill');
    else if (typeof c.width === 'string' && /^\d{2,3}px$/.test(c.width)) btn.style.width = c.width;
    if (c.name) btn.dataset.name = c.name;
    btn.appendChild(el('span', 'btn-spinner'));
    btn.appendChild(el('span', 'btn-label', textOf(c.text)));
    const disabled = c.disabled === true;
    btn.disabled = disabled;
    const tips = textOf(disabled ? c.disabled_tips : c.hover_tips);
    if (tips) btn.title = tips;
    const kind = form ? formActionType(c) : null;
    btn.addEventListener('click', async () => {
      if (this.busy || btn.disabled) return;
      if (kind === 'reset') {
        for (const f of form.fields) {
          f.reset();
          f.node.classList.remove('invalid');
        }
        return;
      }
      if (kind === 'submit') {
        const fields = form.fields.map((f) => ({ tag: f.tag, name: f.name, required: f.required, value: f.get(), node: f.node }));
        const missing = missingRequired(fields);
        for (const f of fields) f.node.classList.toggle('invalid', missing.includes(f.name));
        if (missing.length) {
          this.ctx.toast({ type: 'error', content: '有必填项未填写' });
          const first = fields.find((f) => missing.includes(f.name));
          if (first) first.node.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
          return;
        }
        if (formNameProblems(fields).length) {
          this.ctx.toast({ type: 'error', content: '卡片回调失败 (200530)' });
          return;
        }
        if (!(await this.confirmIfNeeded(c))) return;
        this.send(buildAction(c, { formValue: collectFormValue(fields) }), btn);
        return;
      }
      if (!(await this.confirmIfNeeded(c))) return;
      const url = openUrlOf(c);
      if (url) window.open(url, '_blank', 'noopener');
      if (hasCallback(c)) this.send(buildAction(c), btn);
    });
    return btn;
  }
}

/**
 * Render a Card JSON 2.0 object. ctx: { resolveName(openId), currentUser, members: openId[],
 * onAction(action) → Promise<{ok}>, toast({type, content}), confirm(title, text) → Promise<boolean>,
 * imageUrl(key) → string }.
 */
export function renderCard(card, ctx) {
  const fullCtx = {
    resolveName: () => null,
    mobile: () => window.matchMedia('(max-width: 700px)').matches,
    members: [],
    onAction: async () => ({ ok: true }),
    toast: () => undefined,
    ...ctx,
  };
  return new CardView(card, fullCtx).render();
}

/** Chat-list preview of a card: summary, else header title. */
export function cardPreview(card) {
  const summary = card?.config?.summary;
  const s = summary ? textOf(summary) : '';
  if (s) return s;
  const title = card?.header?.title ? textOf(card.header.title) : '';
  return title ? `[卡片] ${title}` : '[卡片]';
}

export { FORM_FIELD_TAGS };
