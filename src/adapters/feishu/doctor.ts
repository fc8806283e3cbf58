// `doctor`: checks a real tenant through the official SDK, one result per check with the click path
// in the developer console that fixes it. Every probe is read-only: reads, or writes aimed at ids that
// do not exist (Feishu checks scopes before it looks the id up, so a missing scope still answers
// 99991672 and a present one answers "not found" with nothing created or changed).
import type * as lark from '@larksuiteoapi/node-sdk';
import type { Config } from '../../config.ts';
import { createFeishuGateway } from './gateway.ts';

export type CheckStatus = 'ok' | 'fail' | 'warn';

export interface DoctorCheck {
  status: CheckStatus;
  /** short Chinese label, e.g. 令牌, 机器人, 群「星沙街道工作群」 */
  name: string;
  /** what was found, Chinese */
  detail: string;
  /** what to click to fix it (only when not ok) */
  fix?: string;
}

export interface DoctorChat {
  chatId: string;
  name: string;
  unitName?: string;
}

export interface DoctorOptions {
  config: Config;
  /** groups the database says the bot serves (bound units and the coordinator group) */
  chats: DoctorChat[];
  /** webhook mode: the public base URL Feishu posts to (…/feishu/events, …/feishu/cards) */
  publicUrl?: string;
  /** webhook mode: Feishu's URL verification against one address (injected: it is not a Feishu API) */
  challenge?(url: string): Promise<{ ok: boolean; detail: string }>;
}

/** Feishu's permission error: "Access denied. One of the following scopes is required: [a,b]" */
export const SCOPE_DENIED = 99991672;
const PROBE_CHAT = 'oc_doctor0probe0000000000000000';
const PROBE_MESSAGE = 'om_doctor0probe0000000000000000';
const CONSOLE = '飞书开发者后台（open.feishu.cn/app）→ 你的应用';
const PUBLISH = '然后「版本管理与发布」→ 创建版本并发布（权限在新版本发布后生效）';

interface Answer {
  code: number | undefined;
  msg: string;
  status?: number;
  data?: unknown;
  network?: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const RATE_LIMITED = 99991400;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Runs one SDK call and returns Feishu's code and message whether it resolved or rejected. Rate-limit
 * answers (a county has dozens of groups; is_in_chat allows 50/s) wait x-ogw-ratelimit-reset and retry.
 */
async function ask(fn: () => Promise<unknown>, attempts = 4): Promise<Answer> {
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fn();
      if (isRecord(res)) return { code: typeof res.code === 'number' ? res.code : 0, msg: typeof res.msg === 'string' ? res.msg : '', data: res.data ?? res };
      return { code: 0, msg: '', data: res };
    } catch (error) {
      const e = error as { response?: { status?: number; data?: unknown; headers?: Record<string, unknown> }; message?: string; code?: string };
      if (!e.response) return { code: undefined, msg: e.message ?? String(error), network: e.code ?? 'error' };
      const body = isRecord(e.response.data) ? e.response.data : {};
      const answer: Answer = { code: typeof body.code === 'number' ? body.code : undefined, msg: typeof body.msg === 'string' ? body.msg : '' };
      if (e.response.status !== undefined) answer.status = e.response.status;
      if ((answer.status === 429 || answer.code === RATE_LIMITED) && attempt < attempts) {
        const reset = Number(e.response.headers?.['x-ogw-ratelimit-reset']);
        await sleep((Number.isFinite(reset) && reset > 0 ? Math.min(reset, 10) : 1) * 1000);
        continue;
      }
      return answer;
    }
  }
}

/** The scopes named in a 99991672 message. */
export function scopesIn(msg: string): string[] {
  const m = /\[([^\]]+)\]/.exec(msg);
  return m
    ? m[1]!
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
}

function scopeFix(scopes: string[]): string {
  return `${CONSOLE} →「权限管理」→ 搜索 ${scopes[0] ?? '所需权限'} → 开通权限（${scopes.length > 1 ? `以下任一即可：${scopes.join('、')}` : scopes.join('')}），${PUBLISH}`;
}

interface ScopeProbe {
  feature: string;
  optional?: boolean;
  call(client: lark.Client, chatId: string): Promise<unknown>;
}

const SCOPE_PROBES: ScopeProbe[] = [
  {
    feature: '发送与回复消息',
    call: (c) => c.im.v1.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: PROBE_CHAT, msg_type: 'text', content: JSON.stringify({ text: 'doctor' }) } }),
  },
  { feature: '更新卡片', call: (c) => c.im.v1.message.patch({ path: { message_id: PROBE_MESSAGE }, data: { content: '{}' } }) },
  { feature: '加急提醒', call: (c) => c.im.v1.message.urgentApp({ path: { message_id: PROBE_MESSAGE }, params: { user_id_type: 'open_id' }, data: { user_id_list: ['ou_doctor0probe'] } }) },
  { feature: '读取群消息（长连接断线后补拉）', call: (c, chatId) => c.im.v1.message.list({ params: { container_id_type: 'chat', container_id: chatId, page_size: 1 } }) },
  { feature: '下载群里的照片', call: (c) => c.im.v1.messageResource.get({ path: { message_id: PROBE_MESSAGE, file_key: 'img_v3_doctor0probe' }, params: { type: 'image' } }) },
  { feature: '上传图片与导出文件', call: (c) => c.im.v1.image.create({ data: { image_type: 'message', image: Buffer.alloc(0) } }) },
  { feature: '读取群信息与成员', call: (c, chatId) => c.im.v1.chatMembers.get({ path: { chat_id: chatId }, params: { member_id_type: 'open_id', page_size: 1 } }) },
  { feature: '飞书日历（可选）', optional: true, call: (c) => c.calendar.v4.calendarEvent.patch({ path: { calendar_id: 'doctor0probe@group.calendar.feishu.cn', event_id: 'doctor0probe_0' }, data: { summary: 'doctor' } }) },
];

export async function runDoctor(o: DoctorOptions): Promise<DoctorCheck[]> {
  const { config } = o;
  const checks: DoctorCheck[] = [];
  const gateway = createFeishuGateway({ appId: config.feishu.appId, appSecret: config.feishu.appSecret, domain: config.feishu.domain, timeoutMs: 10_000 });
  const client = await gateway.client();

  // 1. Credentials → tenant_access_token.
  const token = await ask(() => client.auth.tenantAccessToken.internal({ data: { app_id: config.feishu.appId, app_secret: config.feishu.appSecret } }));
  if (token.network) {
    checks.push({ status: 'fail', name: '连接飞书', detail: `无法连接 ${config.feishu.domain}：${token.msg}`, fix: '检查服务器能否访问 open.feishu.cn（政务网需放通该域名的 443 端口）与 FEISHU_DOMAIN 设置' });
    return checks;
  }
  if (token.code !== 0) {
    checks.push({
      status: 'fail',
      name: '令牌',
      detail: `获取 tenant_access_token 失败：飞书返回 ${token.code ?? token.status} ${token.msg}`,
      fix: `${CONSOLE} →「凭证与基础信息」复制 App ID 与 App Secret，填入 FEISHU_APP_ID、FEISHU_APP_SECRET`,
    });
    return checks;
  }
  checks.push({ status: 'ok', name: '令牌', detail: `应用 ${config.feishu.appId} 的凭证有效，已获取 tenant_access_token` });

  // 2. The bot (bot/v3/info needs no scope, only the bot ability).
  const info = await ask(() => client.request({ method: 'GET', url: '/open-apis/bot/v3/info' }));
  const bot = isRecord(info.data) && isRecord((info.data as { bot?: unknown }).bot) ? (info.data as { bot: Record<string, unknown> }).bot : undefined;
  if (info.code !== 0 || !bot) {
    checks.push({ status: 'fail', name: '机器人', detail: `读取机器人信息失败：飞书返回 ${info.code ?? info.status} ${info.msg}`, fix: `${CONSOLE} →「添加应用能力」→ 机器人，${PUBLISH}` });
  } else if (bot.activate_status !== 2) {
    checks.push({ status: 'fail', name: '机器人', detail: `应用未启用（activate_status=${String(bot.activate_status)}）`, fix: `${CONSOLE} →「版本管理与发布」发布版本，并请企业管理员在管理后台 → 工作台 → 应用管理中启用` });
  } else {
    checks.push({ status: 'ok', name: '机器人', detail: `「${String(bot.app_name)}」已启用（open_id ${String(bot.open_id)}）` });
  }

  // 3. Each bound group still has the bot.
  if (o.chats.length === 0) {
    checks.push({ status: 'warn', name: '工作群', detail: '数据库里还没有绑定任何群', fix: '把机器人拉进各单位工作群，并由协调人确认群所属单位（或在群里 @机器人 发“绑定群 单位名”）' });
  }
  for (const chat of o.chats) {
    const label = `群「${chat.name}」${chat.unitName ? `（${chat.unitName}）` : ''}`;
    const r = await ask(() => client.im.v1.chatMembers.isInChat({ path: { chat_id: chat.chatId } }));
    const inChat = isRecord(r.data) ? r.data.is_in_chat : undefined;
    if (r.code === 0 && inChat === true) checks.push({ status: 'ok', name: label, detail: '机器人在群里' });
    else if (r.code === 0) checks.push({ status: 'fail', name: label, detail: '机器人已不在群里，发到这个群的通知和提醒都会失败', fix: '在该群「设置」→「群机器人」→「添加机器人」→ 选择本应用' });
    else if (r.code === SCOPE_DENIED) checks.push({ status: 'fail', name: label, detail: `无法查询：缺少权限 ${scopesIn(r.msg).join('、')}`, fix: scopeFix(scopesIn(r.msg)) });
    else checks.push({ status: 'fail', name: label, detail: `群不可用：飞书返回 ${r.code ?? r.status} ${r.msg}（群可能已解散）`, fix: '在群里重新拉入机器人，或让协调人用“绑定群”绑定新的工作群' });
  }

  // 4. Scopes the features need: each API once.
  const chatId = o.chats[0]?.chatId ?? PROBE_CHAT;
  for (const probe of SCOPE_PROBES) {
    const r = await ask(() => probe.call(client, chatId));
    const name = `权限：${probe.feature}`;
    if (r.code === SCOPE_DENIED) {
      const scopes = scopesIn(r.msg);
      checks.push({ status: probe.optional ? 'warn' : 'fail', name, detail: `缺少权限 ${scopes.join(' 或 ')}（飞书返回 ${SCOPE_DENIED}）`, fix: scopeFix(scopes) });
    } else if (r.network) {
      checks.push({ status: 'fail', name, detail: `请求失败：${r.msg}`, fix: '检查网络后重试' });
    } else {
      checks.push({ status: 'ok', name, detail: '已开通' });
    }
  }

  // 5. How events arrive.
  if (config.feishu.eventMode === 'ws') {
    // Endpoint discovery only: opening a real connection would make this process one of the app's
    // clients, and Feishu would hand it (and lose) some of the production app's events.
    const ep = await ask(() => client.request({ method: 'POST', url: '/callback/ws/endpoint', data: { AppID: config.feishu.appId, AppSecret: config.feishu.appSecret } }));
    const url = isRecord(ep.data) ? ep.data.URL : undefined;
    if (ep.code === 0 && typeof url === 'string') {
      checks.push({ status: 'ok', name: '事件订阅（长连接）', detail: '长连接接入点可用；请确认开发者后台的订阅方式是“使用长连接接收事件/回调”' });
    } else {
      checks.push({
        status: 'fail',
        name: '事件订阅（长连接）',
        detail: `获取长连接接入点失败：${ep.code ?? ep.status ?? ''} ${ep.msg}`.trim(),
        fix: `${CONSOLE} →「事件与回调」→ 事件配置与回调配置的订阅方式都选“使用长连接接收事件/回调”（仅企业自建应用可用），并添加事件 im.message.receive_v1、im.chat.member.bot.added_v1、im.chat.member.bot.deleted_v1 和回调 card.action.trigger`,
      });
    }
  } else if (!o.publicUrl || !o.challenge) {
    checks.push({
      status: 'warn',
      name: '事件订阅（webhook）',
      detail: '未检查公网地址：运行 doctor --url https://你的域名 以模拟飞书的 URL 校验',
      fix: '在「事件与回调」填写 https://你的域名/feishu/events（事件）和 https://你的域名/feishu/cards（回调）',
    });
  } else {
    const base = o.publicUrl.replace(/\/+$/, '');
    for (const [path, what] of [
      ['/feishu/events', '事件请求地址'],
      ['/feishu/cards', '回调请求地址'],
    ] as const) {
      const r = await o.challenge(`${base}${path}`);
      checks.push(
        r.ok
          ? { status: 'ok', name: `${what}（webhook）`, detail: `${base}${path} 在 1 秒内正确返回 challenge` }
          : { status: 'fail', name: `${what}（webhook）`, detail: `${base}${path} 未通过 URL 校验：${r.detail}`, fix: '确认服务已启动、公网可访问，FEISHU_ENCRYPT_KEY 与 FEISHU_VERIFICATION_TOKEN 与「事件与回调 → 加密策略」一致' },
      );
    }
  }
  return checks;
}

export function formatCheck(c: DoctorCheck): string {
  const mark = c.status === 'ok' ? '✓' : c.status === 'warn' ? '!' : '✗';
  return `${mark} ${c.name}：${c.detail}${c.fix ? ` → 修复：${c.fix}` : ''}`;
}
