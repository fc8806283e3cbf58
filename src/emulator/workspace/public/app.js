// The workspace page: persona, chat list, conversation, composer and live updates over SSE.
import { renderCard } from './card-renderer.js';
import { avatarText, avatarColorIndex } from './card-logic.js';

const API = '/_emulator/api/workspace';
const PERSONA_KEY = 'themeday.workspace.persona';
const CHAT_KEY = 'themeday.workspace.chat';
const MOBILE = window.matchMedia('(max-width: 700px)');

const state = {
  me: null,
  bot: { openId: '', name: '主题日助手' },
  users: [],
  chats: [],
  activeChatId: null,
  messages: [],
  filter: '',
};

const $ = (id) => document.getElementById(id);

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text != null) node.textContent = text;
  return node;
}

// ---- HTTP -----------------------------------------------------------------------------------------

async function api(path, options = {}) {
  const init = { method: options.method || 'GET', headers: {}, signal: options.signal };
  if (options.body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }
  let res;
  try {
    res = await fetch(API + path, init);
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new Error('无法连接本地模拟器，请确认 npm start 仍在运行');
  }
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data.error || `请求失败（HTTP ${res.status}）`);
  return data;
}

// ---- small UI pieces -----------------------------------------------------------------------------

const TOAST_ICONS = { success: '✓', error: '✕', warning: '!', info: 'i' };

export function toast({ type = 'info', content = '' }) {
  const layer = $('toast-layer');
  const kind = TOAST_ICONS[type] ? type : 'info';
  const t = el('div', `toast toast-${kind}`);
  t.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  t.append(el('span', 'toast-icon', TOAST_ICONS[kind]), el('span', 'toast-text', String(content)));
  layer.appendChild(t);
  setTimeout(() => t.classList.add('leaving'), 2600);
  setTimeout(() => t.remove(), 3000);
}

function modal(build) {
  const layer = $('modal-layer');
  const backdrop = el('div', 'modal-backdrop');
  const box = el('div', 'modal');
  box.setAttribute('role', 'dialog');
  box.setAttribute('aria-modal', 'true');
  backdrop.appendChild(box);
  layer.appendChild(backdrop);
  const close = () => backdrop.remove();
  build(box, close, backdrop);
  return close;
}

function confirmDialog(title, text) {
  return new Promise((resolve) => {
    modal((box, close) => {
      box.classList.add('confirm');
      box.append(el('div', 'modal-title', title || '确认'));
      if (text) box.append(el('div', 'modal-text', text));
      const actions = el('div', 'modal-actions');
      const cancel = el('button', 'mbtn', '取消');
      const ok = el('button', 'mbtn mbtn-primary', '确定');
      cancel.type = ok.type = 'button';
      cancel.addEventListener('click', () => {
        close();
        resolve(false);
      });
      ok.addEventListener('click', () => {
        close();
        resolve(true);
      });
      actions.append(cancel, ok);
      box.append(actions);
      ok.focus();
    });
  });
}

function avatarFor(id, name, size, kind) {
  const a = el('span', `avatar avatar-${size} avatar-c${avatarColorIndex(id)}`);
  if (kind === 'bot') {
    a.classList.add('avatar-bot');
    a.appendChild(botGlyph());
  } else if (kind === 'group') {
    a.classList.add('avatar-group');
    const chars = Array.from(name || '群');
    a.textContent = chars.find((ch) => /[\u4e00-\u9fff]/.test(ch)) || chars[0];
  } else {
    a.textContent = avatarText(name);
  }
  a.setAttribute('aria-hidden', 'true');
  return a;
}

function botGlyph() {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  for (const d of ['M7 9h10a3 3 0 0 1 3 3v4a3 3 0 0 1-3 3H7a3 3 0 0 1-3-3v-4a3 3 0 0 1 3-3Z', 'M12 9V5.5', 'M9.5 14h.01M14.5 14h.01']) {
    const p = document.createElementNS(ns, 'path');
    p.setAttribute('d', d);
    svg.appendChild(p);
  }
  const c = document.createElementNS(ns, 'circle');
  c.setAttribute('cx', '12');
  c.setAttribute('cy', '4.5');
  c.setAttribute('r', '1.3');
  svg.appendChild(c);
  return svg;
}

function userById(openId) {
  return state.users.find((u) => u.openId === openId) || null;
}

function resolveName(openId) {
  if (openId === state.bot.openId) return state.bot.name;
  const u = userById(openId);
  return u ? u.name : null;
}

// ---- time ------------------------------------------------------------------------------------------

const TZ = 'Asia/Shanghai';
const dayKey = (d) => new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
const hhmm = (d) => new Intl.DateTimeFormat('zh-CN', { timeZone: TZ, hour: '2-digit', minute: '2-digit', hour12: false }).format(d);

function relativeDay(d) {
  const today = dayKey(new Date());
  const key = dayKey(d);
  if (key === today) return '今天';
  if (key === dayKey(new Date(Date.now() - 86_400_000))) return '昨天';
  const [y, m, day] = key.split('-').map(Number);
  return y === Number(today.slice(0, 4)) ? `${m}月${day}日` : `${y}年${m}月${day}日`;
}

function listTime(iso) {
  const d = new Date(iso);
  const rel = relativeDay(d);
  return rel === '今天' ? hhmm(d) : rel;
}

// ---- persona -----------------------------------------------------------------------------------------

function chooseInitialPersona() {
  const fromUrl = new URLSearchParams(location.search).get('as');
  if (fromUrl) {
    localStorage.setItem(PERSONA_KEY, fromUrl);
    return fromUrl;
  }
  return localStorage.getItem(PERSONA_KEY) || '';
}

function openPersonaPicker(required) {
  modal((box, close, backdrop) => {
    box.classList.add('persona-modal');
    box.append(el('div', 'modal-title', '选择你的身份'));
    box.append(el('div', 'modal-text', '本地工作台模拟飞书：选择一个人，以他的身份查看群聊、填写卡片、与主题日助手对话。'));
    const list = el('ul', 'persona-list');
    list.setAttribute('role', 'list');
    for (const u of state.users) {
      const li = el('li');
      const b = el('button', 'persona-option');
      b.type = 'button';
      b.dataset.openId = u.openId;
      if (state.me && state.me.openId === u.openId) b.classList.add('current');
      const text = el('span', 'persona-option-text');
      text.append(el('span', 'persona-option-name', u.name), el('span', 'persona-option-title', u.title || u.openId));
      b.append(avatarFor(u.openId, u.name, 'md'), text);
      if (state.me && state.me.openId === u.openId) b.append(el('span', 'persona-current', '当前'));
      b.addEventListener('click', async () => {
        close();
        await switchPersona(u.openId);
      });
      li.appendChild(b);
      list.appendChild(li);
    }
    if (!state.users.length) list.appendChild(el('li', 'persona-empty', '模拟器里还没有用户。请先运行 npm start 载入演示数据。'));
    box.append(list);
    if (!required) {
      const actions = el('div', 'modal-actions');
      const cancel = el('button', 'mbtn', '取消');
      cancel.type = 'button';
      cancel.addEventListener('click', close);
      actions.append(cancel);
      box.append(actions);
      backdrop.addEventListener('click', (e) => {
        if (e.target === backdrop) close();
      });
    }
  });
}

async function switchPersona(openId) {
  localStorage.setItem(PERSONA_KEY, openId);
  const url = new URL(location.href);
  if (url.searchParams.has('as')) {
    url.searchParams.delete('as');
    history.replaceState(null, '', url);
  }
  // Nothing of the previous person stays on screen or in flight: their conversation, chat list and any
  // load of them still under way (whose late answer would otherwise paint over the new person's).
  persona = openId;
  for (const request of stateRequests) request.abort();
  loadSeq++;
  clearTimeout(loadRetry);
  clearTimeout(refreshTimer);
  state.activeChatId = null;
  state.messages = [];
  state.chats = [];
  showEmptyPane();
  try {
    await loadState(openId);
  } catch (error) {
    toast({ type: 'error', content: error.message });
    return;
  }
  // Someone else was picked while this person's state loaded: that switch finishes the job.
  if (persona !== openId) return;
  const saved = localStorage.getItem(CHAT_KEY + ':' + openId);
  if (saved && state.chats.some((c) => c.chatId === saved) && !MOBILE.matches) await openChat(saved);
  else showEmptyPane();
  const who = state.me ? `${state.me.name}${state.me.title ? '（' + state.me.title + '）' : ''}` : '';
  if (who) toast({ type: 'success', content: `已切换为 ${who}` });
}

function renderPersona() {
  const me = state.me;
  const chip = $('persona-chip');
  const avatarBox = chip.querySelector('.persona-avatar');
  avatarBox.replaceChildren(me ? avatarFor(me.openId, me.name, 'md') : el('span', 'avatar avatar-md', '?'));
  chip.querySelector('.persona-name').textContent = me ? me.name : '选择身份';
  chip.querySelector('.persona-title').textContent = me ? me.title || '' : '';
  $('persona-button').replaceChildren(me ? avatarFor(me.openId, me.name, 'md') : el('span', 'avatar avatar-md', '?'));
}

// ---- chat list -----------------------------------------------------------------------------------------

/** The person the page shows, or is switching to (state.me follows once their state has loaded). */
let persona = '';
/** Each /state request is numbered; an answer paints only if it is for `persona` and newer than the last one painted. */
let stateSeq = 0;
let stateShown = 0;
const stateRequests = new Set();

/**
 * Loads the person's state (who they are, the people, their chats) and paints it. An answer that arrives
 * after a newer one, or after a switch to someone else, is dropped (a switch also aborts it): a late
 * answer for the previous person used to repaint their chat list under the new person's name.
 */
async function loadState(as) {
  const seq = ++stateSeq;
  const request = new AbortController();
  stateRequests.add(request);
  let data;
  try {
    data = await api('/state?as=' + encodeURIComponent(as || ''), { signal: request.signal });
  } catch (error) {
    if (request.signal.aborted) return;
    throw error;
  } finally {
    stateRequests.delete(request);
  }
  if (as !== persona || seq < stateShown) return;
  stateShown = seq;
  state.me = data.me;
  state.bot = data.bot;
  state.users = data.users;
  state.chats = data.chats;
  if (!state.me) persona = '';
  renderPersona();
  renderChatList();
  if (!state.me) openPersonaPicker(true);
}

let refreshTimer = null;
function refreshStateSoon() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(async () => {
    if (!persona || !state.me) return;
    try {
      await loadState(persona);
    } catch {
      // The next event or reconnect refreshes again.
    }
  }, 120);
}

function chatKind(chat) {
  return chat.chatType === 'p2p' ? 'bot' : 'group';
}

function renderChatList() {
  const list = $('chat-list');
  list.replaceChildren();
  const q = state.filter.trim().toLowerCase();
  const chats = state.chats.filter((c) => !q || c.name.toLowerCase().includes(q));
  for (const chat of chats) {
    const li = el('li');
    const b = el('button', 'chat-item');
    b.type = 'button';
    b.dataset.chatId = chat.chatId;
    if (chat.chatId === state.activeChatId) b.classList.add('active');
    const body = el('span', 'chat-item-body');
    const top = el('span', 'chat-item-top');
    const name = el('span', 'chat-item-name', chat.name);
    top.append(name);
    if (chat.chatType === 'p2p') top.append(el('span', 'badge-bot', '机器人'));
    else top.append(el('span', 'chat-item-count', `(${chat.memberOpenIds.length + (chat.botMember ? 1 : 0)})`));
    top.append(el('span', 'chat-item-time', chat.lastMessage ? listTime(chat.lastMessage.at) : ''));
    const bottom = el('span', 'chat-item-bottom');
    const preview = chat.lastMessage ? (chat.chatType === 'group' ? `${chat.lastMessage.senderName}：${chat.lastMessage.preview}` : chat.lastMessage.preview) : chat.chatType === 'p2p' ? '和机器人单聊，直接发送命令即可' : '暂无消息';
    bottom.append(el('span', 'chat-item-preview', preview));
    if (chat.unread > 0 && chat.chatId !== state.activeChatId) bottom.append(el('span', 'unread', chat.unread > 99 ? '99+' : String(chat.unread)));
    body.append(top, bottom);
    b.append(avatarFor(chat.chatId, chat.name, 'lg', chatKind(chat)), body);
    b.addEventListener('click', () => openChat(chat.chatId));
    li.appendChild(b);
    list.appendChild(li);
  }
  if (!chats.length) list.appendChild(el('li', 'chat-list-empty', persona && state.me?.openId !== persona ? '加载中…' : state.me ? (q ? '没有匹配的会话' : '你还没有加入任何群') : '请先选择身份'));
}

// ---- conversation --------------------------------------------------------------------------------------------

function activeChat() {
  return state.chats.find((c) => c.chatId === state.activeChatId) || null;
}

function showEmptyPane() {
  $('app').classList.remove('in-chat');
  $('empty-pane').hidden = false;
  for (const id of ['conv-head', 'message-list', 'composer', 'members-panel']) $(id).hidden = true;
  renderChatList();
}

async function openChat(chatId) {
  state.activeChatId = chatId;
  if (state.me) localStorage.setItem(CHAT_KEY + ':' + state.me.openId, chatId);
  $('app').classList.add('in-chat');
  $('empty-pane').hidden = true;
  for (const id of ['conv-head', 'message-list', 'composer']) $(id).hidden = false;
  $('members-panel').hidden = true;
  renderChatHead();
  renderChatList();
  $('message-list').replaceChildren(el('div', 'loading-messages', '加载中…'));
  await loadMessages(true);
  updateComposerPlaceholder();
  if (!MOBILE.matches) $('composer-input').focus();
}

function renderChatHead() {
  const chat = activeChat();
  if (!chat) return;
  $('conv-name').textContent = chat.name;
  const meta = $('conv-meta');
  meta.replaceChildren();
  if (chat.chatType === 'p2p') meta.append(el('span', 'badge-bot', '机器人'));
  else meta.textContent = `${chat.memberOpenIds.length + (chat.botMember ? 1 : 0)} 位成员`;
  $('members-button').hidden = chat.chatType === 'p2p';
}

function renderMembers() {
  const chat = activeChat();
  const panel = $('members-panel');
  panel.replaceChildren(el('div', 'members-title', '群成员'));
  if (!chat) return;
  const add = (id, name, title, kind) => {
    const row = el('div', 'member');
    const text = el('span', 'member-text');
    text.append(el('span', 'member-name', name));
    if (title) text.append(el('span', 'member-title', title));
    row.append(avatarFor(id, name, 'sm', kind), text);
    if (kind === 'bot') row.append(el('span', 'badge-bot', '机器人'));
    panel.append(row);
  };
  if (chat.botMember) add(state.bot.openId, state.bot.name, '', 'bot');
  for (const id of chat.memberOpenIds) {
    const u = userById(id);
    add(id, u ? u.name : id, u ? u.title : '', 'user');
  }
}

let loadSeq = 0;
let loadRetry = null;
/**
 * Fetches the open chat and shows what changed. Only the newest load paints (an older answer may be
 * staler), so when the newest one fails it is retried: the loads it superseded were dropped in its
 * favour, and nothing else would show the message that triggered them.
 */
async function loadMessages(scrollToEnd, attempt = 0) {
  const chatId = state.activeChatId;
  if (!chatId || !state.me) return;
  const seq = ++loadSeq;
  clearTimeout(loadRetry);
  let data;
  try {
    data = await api(`/chats/${encodeURIComponent(chatId)}/messages?as=${encodeURIComponent(state.me.openId)}`);
  } catch (error) {
    if (seq !== loadSeq || chatId !== state.activeChatId) return;
    if (attempt === 0) toast({ type: 'error', content: error.message });
    if (attempt < 6) loadRetry = setTimeout(() => loadMessages(scrollToEnd, attempt + 1), 500 * 2 ** attempt);
    return;
  }
  if (seq !== loadSeq || chatId !== state.activeChatId) return;
  const chat = state.chats.find((c) => c.chatId === chatId);
  if (chat) Object.assign(chat, data.chat, { unread: 0 });
  renderChatHead();
  syncMessages(data.messages, scrollToEnd);
  renderChatList();
}

/** Patch the message list: append new messages, re-render changed ones, keep untouched nodes (and form input). */
function syncMessages(messages, scrollToEnd) {
  const listEl = $('message-list');
  const nearBottom = listEl.scrollHeight - listEl.scrollTop - listEl.clientHeight < 80;
  const old = new Map(state.messages.map((m) => [m.messageId, m]));
  const fresh = state.messages.length === 0 || listEl.querySelector('.loading-messages');
  state.messages = messages;
  if (fresh) listEl.replaceChildren();
  if (!messages.length) {
    listEl.replaceChildren(el('div', 'no-messages', activeChat()?.chatType === 'p2p' ? '发送「帮助」看看主题日助手能做什么' : '还没有消息'));
    return;
  }
  listEl.querySelector('.no-messages')?.remove();
  let prev = null;
  let cursor = listEl.firstChild;
  for (const m of messages) {
    const before = old.get(m.messageId);
    const existing = listEl.querySelector(`[data-message-id="${CSS.escape(m.messageId)}"]`);
    const grouped = isGrouped(prev, m);
    const needsDivider = !prev || dayKey(new Date(prev.createdAt)) !== dayKey(new Date(m.createdAt));
    if (existing && before && before.updatedAt === m.updatedAt && before.updateCount === m.updateCount && existing.classList.contains('grouped') === grouped) {
      cursor = existing.nextSibling;
    } else {
      const node = renderMessage(m, grouped);
      if (existing) {
        existing.replaceWith(node);
        cursor = node.nextSibling;
      } else {
        if (needsDivider) listEl.insertBefore(el('div', 'day-divider', relativeDay(new Date(m.createdAt)) + ' ' + hhmm(new Date(m.createdAt))), cursor);
        listEl.insertBefore(node, cursor);
        cursor = node.nextSibling;
      }
    }
    prev = m;
  }
  if (scrollToEnd || nearBottom) listEl.scrollTop = listEl.scrollHeight;
}

function isGrouped(prev, m) {
  return !!prev && prev.senderId === m.senderId && prev.senderType === m.senderType && new Date(m.createdAt) - new Date(prev.createdAt) < 5 * 60_000 && dayKey(new Date(prev.createdAt)) === dayKey(new Date(m.createdAt));
}

function renderMessage(m, grouped) {
  const mine = m.senderType === 'user' && state.me && m.senderId === state.me.openId;
  const row = el('div', 'msg');
  row.dataset.messageId = m.messageId;
  row.dataset.msgType = m.msgType;
  row.dataset.updateCount = String(m.updateCount);
  if (mine) row.classList.add('mine');
  if (grouped) row.classList.add('grouped');
  const isBot = m.senderType === 'app';
  const avatarBox = el('div', 'msg-avatar');
  if (!grouped) avatarBox.append(avatarFor(m.senderId, m.senderName, 'md', isBot ? 'bot' : 'user'));
  const main = el('div', 'msg-main');
  if (!grouped) {
    const meta = el('div', 'msg-meta');
    meta.append(el('span', 'msg-name', m.senderName));
    if (isBot) meta.append(el('span', 'badge-bot', '机器人'));
    else if (m.senderTitle && !mine) meta.append(el('span', 'msg-title', m.senderTitle));
    meta.append(el('span', 'msg-time', hhmm(new Date(m.createdAt))));
    main.append(meta);
  }
  main.append(renderContent(m));
  row.append(avatarBox, main);
  row.title = '';
  return row;
}

function renderContent(m) {
  if (m.msgType === 'interactive' && m.card) {
    const wrap = el('div', 'msg-card');
    wrap.append(
      renderCard(m.card, {
        resolveName,
        currentUser: state.me ? state.me.openId : '',
        members: activeChat() ? activeChat().memberOpenIds : [],
        mobile: () => MOBILE.matches,
        imageUrl: (key) => `${API}/files/${encodeURIComponent(key)}`,
        toast,
        confirm: confirmDialog,
        onAction: (action) => sendAction(m.messageId, action),
      }),
    );
    return wrap;
  }
  if (m.msgType === 'image' && m.imageKey) {
    const wrap = el('a', 'msg-image');
    wrap.href = `${API}/files/${encodeURIComponent(m.imageKey)}`;
    wrap.target = '_blank';
    wrap.rel = 'noopener';
    const img = el('img');
    img.alt = m.fileName || '图片';
    img.src = wrap.href;
    img.addEventListener('load', () => {
      const list = $('message-list');
      if (list.scrollHeight - list.scrollTop - list.clientHeight < img.clientHeight + 120) list.scrollTop = list.scrollHeight;
    });
    wrap.append(img);
    return wrap;
  }
  if (m.msgType === 'file') return fileBubble(m);
  const bubble = el('div', 'bubble');
  appendTextWithMentions(bubble, m.text ?? m.preview ?? '', m.mentions || []);
  return bubble;
}

/** A file message: a download link like Feishu's file bubble (name, size, 下载). */
function fileBubble(m) {
  const name = m.fileName || '文件';
  if (!m.fileKey || !state.me) return el('div', 'bubble bubble-file', `📎 ${name}`);
  const link = el('a', 'bubble bubble-file');
  link.href = `${API}/messages/${encodeURIComponent(m.messageId)}/resources/${encodeURIComponent(m.fileKey)}?as=${encodeURIComponent(state.me.openId)}`;
  link.download = name;
  link.title = `下载 ${name}`;
  const ext = (/\.([A-Za-z0-9]+)$/.exec(name)?.[1] || '').toLowerCase();
  link.append(el('span', 'file-icon', ext === 'xlsx' || ext === 'xls' || ext === 'csv' ? '📊' : ext === 'zip' ? '🗜️' : '📄'));
  const info = el('span', 'file-info');
  info.append(el('span', 'file-name', name), el('span', 'file-meta', `${formatSize(m.fileSize || 0)} · 下载`));
  link.append(info);
  return link;
}

function formatSize(bytes) {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} B`;
}

function appendTextWithMentions(parent, text, mentions) {
  const names = [...new Set(mentions.map((x) => '@' + x.name))].sort((a, b) => b.length - a.length);
  let rest = text;
  while (rest) {
    let best = -1;
    let bestName = '';
    for (const n of names) {
      const i = rest.indexOf(n);
      if (i >= 0 && (best < 0 || i < best)) {
        best = i;
        bestName = n;
      }
    }
    if (best < 0) {
      parent.append(document.createTextNode(rest));
      break;
    }
    if (best > 0) parent.append(document.createTextNode(rest.slice(0, best)));
    const mention = mentions.find((x) => '@' + x.name === bestName);
    const span = el('span', 'mention', bestName);
    if (mention && state.me && mention.openId === state.me.openId) span.classList.add('mention-me');
    parent.append(span);
    rest = rest.slice(best + bestName.length);
  }
}

async function sendAction(messageId, action) {
  if (!state.me) return { ok: false };
  let result;
  try {
    result = await api(`/messages/${encodeURIComponent(messageId)}/actions`, { method: 'POST', body: { as: state.me.openId, ...action } });
  } catch (error) {
    toast({ type: 'error', content: error.message });
    return { ok: false };
  }
  if (result.error) {
    toast({ type: 'error', content: result.errorText || `卡片回调失败 (${result.error})` });
    return { ok: false, result };
  }
  if (result.toast && (result.toast.content || result.toast.i18n)) {
    const content = result.toast.i18n?.zh_cn || result.toast.content;
    toast({ type: result.toast.type || 'info', content });
  }
  if (result.cardReplaced) await loadMessages(false);
  return { ok: true, result };
}

// ---- composer ---------------------------------------------------------------------------------------------------

function updateComposerPlaceholder() {
  const chat = activeChat();
  const input = $('composer-input');
  if (!chat) return;
  input.placeholder = chat.chatType === 'p2p' ? `发送给 ${chat.name}` : `发送到群聊，@${state.bot.name} 下达命令`;
  $('at-button').hidden = chat.chatType === 'p2p';
}

function autoGrow() {
  const input = $('composer-input');
  input.style.height = 'auto';
  input.style.height = Math.min(input.scrollHeight, 160) + 'px';
  $('send-button').disabled = input.value.trim() === '';
}

/** '@主题日助手' typed anywhere in the text is a mention of the bot (the emulator turns '@名字' into @_user_N keys). */
function mentionsBot(text, botName) {
  return text.includes('@' + botName);
}

let sending = false;
async function sendText() {
  const input = $('composer-input');
  const chat = activeChat();
  const raw = input.value;
  if (!chat || !state.me || raw.trim() === '' || sending) return;
  const mentionBot = mentionsBot(raw, state.bot.name);
  sending = true;
  try {
    await api(`/chats/${encodeURIComponent(chat.chatId)}/messages`, {
      method: 'POST',
      body: { as: state.me.openId, text: raw, mentionBot: chat.chatType === 'group' && mentionBot },
    });
    input.value = '';
    autoGrow();
    // The text has left: the next one may go while the chat reloads (the guard held the composer
    // through the reload too, and an Enter pressed then was dropped without a word).
    sending = false;
    await loadMessages(true);
  } catch (error) {
    // Keep what the person typed.
    toast({ type: 'error', content: error.message });
  } finally {
    sending = false;
  }
}

function readAsBase64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(new Error('读取图片失败'));
    reader.readAsDataURL(file);
  });
}

async function sendImage(file) {
  const chat = activeChat();
  if (!chat || !state.me || !file) return;
  if (!file.type.startsWith('image/')) {
    toast({ type: 'error', content: '只能发送图片' });
    return;
  }
  if (file.size > 10 * 1024 * 1024) {
    toast({ type: 'error', content: '图片过大（最多 10 MB）' });
    return;
  }
  try {
    const dataBase64 = await readAsBase64(file);
    await api(`/chats/${encodeURIComponent(chat.chatId)}/images`, { method: 'POST', body: { as: state.me.openId, fileName: file.name, dataBase64 } });
    await loadMessages(true);
  } catch (error) {
    toast({ type: 'error', content: error.message });
  }
}

function insertMention(name) {
  const input = $('composer-input');
  const token = '@' + name + ' ';
  const start = input.selectionStart ?? input.value.length;
  const end = input.selectionEnd ?? start;
  // Replace a just-typed '@' instead of doubling it.
  const from = input.value[start - 1] === '@' ? start - 1 : start;
  input.value = input.value.slice(0, from) + token + input.value.slice(end);
  const caret = from + token.length;
  input.setSelectionRange(caret, caret);
  input.focus();
  $('mention-popup').hidden = true;
  autoGrow();
}

function insertBotMention() {
  insertMention(state.bot.name);
}

function showMentionPopup() {
  const chat = activeChat();
  const popup = $('mention-popup');
  if (!chat || chat.chatType !== 'group') return;
  popup.replaceChildren();
  const people = [];
  if (chat.botMember) people.push({ openId: state.bot.openId, name: state.bot.name, bot: true });
  for (const id of chat.memberOpenIds) {
    const u = userById(id);
    if (u && (!state.me || u.openId !== state.me.openId)) people.push({ openId: u.openId, name: u.name, title: u.title });
  }
  for (const p of people) {
    const b = el('button', 'mention-option');
    b.type = 'button';
    b.append(avatarFor(p.openId, p.name, 'sm', p.bot ? 'bot' : 'user'), el('span', 'mention-name', p.name));
    if (p.bot) b.append(el('span', 'badge-bot', '机器人'));
    else if (p.title) b.append(el('span', 'mention-title', p.title));
    b.addEventListener('mousedown', (e) => {
      e.preventDefault();
      insertMention(p.name);
    });
    popup.append(b);
  }
  popup.hidden = people.length === 0;
}

// ---- live updates ---------------------------------------------------------------------------------------------------

function connectStream() {
  const source = new EventSource(API + '/stream');
  const onEvent = (e) => {
    let data;
    try {
      data = JSON.parse(e.data);
    } catch {
      return;
    }
    if (data.chatId === state.activeChatId) loadMessages(false);
    refreshStateSoon();
  };
  source.addEventListener('message', onEvent);
  source.addEventListener('update', onEvent);
  // The stream does not replay: whatever happened before it first opened, or while it was reconnecting
  // (a dropped connection under load, a server restart), is fetched again on every open. Without this a
  // bot answer delivered in that gap stayed off the page until the next event or a reload.
  source.addEventListener('open', () => {
    document.body.classList.remove('offline');
    if (!state.me) return;
    refreshStateSoon();
    if (state.activeChatId) loadMessages(false);
  });
  source.addEventListener('error', () => document.body.classList.add('offline'));
}

// ---- wiring ------------------------------------------------------------------------------------------------------------

function wire() {
  $('persona-chip').addEventListener('click', () => openPersonaPicker(false));
  $('persona-button').addEventListener('click', () => openPersonaPicker(false));
  $('chat-search').addEventListener('input', (e) => {
    state.filter = e.target.value;
    renderChatList();
  });
  $('back-button').addEventListener('click', () => {
    state.activeChatId = null;
    state.messages = [];
    showEmptyPane();
  });
  $('members-button').addEventListener('click', () => {
    const panel = $('members-panel');
    panel.hidden = !panel.hidden;
    if (!panel.hidden) renderMembers();
  });
  const input = $('composer-input');
  input.addEventListener('input', () => {
    autoGrow();
    const before = input.value.slice(0, input.selectionStart ?? 0);
    if (/(^|\s)@$/.test(before)) showMentionPopup();
    else $('mention-popup').hidden = true;
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      if (!$('mention-popup').hidden) insertBotMention();
      else sendText();
    } else if (e.key === 'Escape') {
      $('mention-popup').hidden = true;
    }
  });
  // Hide the popup a moment after the composer loses focus (a click on an option lands first), unless
  // the composer has focus again by then: that timer used to close a popup opened after coming back.
  let blurTimer = null;
  input.addEventListener('blur', () => {
    clearTimeout(blurTimer);
    blurTimer = setTimeout(() => {
      if (document.activeElement !== input) $('mention-popup').hidden = true;
    }, 150);
  });
  input.addEventListener('focus', () => clearTimeout(blurTimer));
  $('send-button').addEventListener('click', sendText);
  $('at-button').addEventListener('click', insertBotMention);
  $('image-button').addEventListener('click', () => $('image-input').click());
  $('image-input').addEventListener('change', (e) => {
    const file = e.target.files && e.target.files[0];
    e.target.value = '';
    if (file) sendImage(file);
  });
  input.addEventListener('paste', (e) => {
    const file = [...(e.clipboardData?.files || [])].find((f) => f.type.startsWith('image/'));
    if (file) {
      e.preventDefault();
      sendImage(file);
    }
  });
}

async function main() {
  wire();
  persona = chooseInitialPersona();
  try {
    await loadState(persona);
  } catch (error) {
    toast({ type: 'error', content: error.message });
    return;
  }
  connectStream();
  if (state.me) {
    const wanted = new URLSearchParams(location.search).get('chat') || localStorage.getItem(CHAT_KEY + ':' + state.me.openId);
    if (wanted && state.chats.some((c) => c.chatId === wanted) && (!MOBILE.matches || new URLSearchParams(location.search).has('chat'))) await openChat(wanted);
    else showEmptyPane();
  }
}

main();
