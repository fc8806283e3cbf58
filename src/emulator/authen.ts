// Feishu sign-in for web apps (网页应用), as the desk's SDK calls use it:
// - GET  /open-apis/authen/v1/authorize?client_id&redirect_uri&state — the authorization page. Feishu
//   shows its login/consent page on accounts.feishu.cn; the emulator shows the workspace's personas to
//   pick, then redirects to redirect_uri?code&state (code valid 5 minutes, single use).
//   https://open.feishu.cn/document/common-capabilities/sso/api/obtain-oauth-code
// - POST /open-apis/auth/v3/app_access_token/internal — the app_access_token the next call needs.
//   https://open.feishu.cn/document/ukTMukTMukTM/ukDNz4SO0MjL5QzM/auth-v3/auth/app_access_token_internal
// - POST /open-apis/authen/v1/oidc/access_token {grant_type:'authorization_code', code}, Authorization:
//   Bearer app_access_token → user_access_token (no user fields: "本接口不再返回用户信息").
//   https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/authen-v1/oidc-access_token/create
// - GET  /open-apis/authen/v1/user_info, Authorization: Bearer user_access_token → name, open_id, ….
//   https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/authen-v1/user_info/get
import { randomBytes } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import type { EmulatorCore } from './core.ts';
import { escapeHtml, sendHtmlPage } from '../adapters/http/html-page.ts';

const CODE_TTL_MS = 5 * 60_000;
const TOKEN_TTL_S = 7200;

const esc = escapeHtml;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const token = (prefix: string): string => `${prefix}-${randomBytes(18).toString('base64url')}`;

const LOGIN_STYLE =
  '.p{display:block;width:100%;text-align:left;padding:10px 14px;margin:8px 0;border:1px solid #dee0e3;border-radius:8px;background:#fff;font-size:15px;cursor:pointer}' +
  '.p:hover{border-color:#3370ff}.t{color:#646a73;font-size:13px;margin-left:8px}.note{color:#646a73;font-size:13px}';

function page(res: Response, status: number, title: string, body: string): void {
  sendHtmlPage(res, status, { title, body, style: LOGIN_STYLE });
}

/** Error envelope as the Open API answers. */
const fail = (res: Response, http: number, code: number, msg: string): void => {
  res.status(http).json({ code, msg });
};

export function buildAuthenRouter(core: EmulatorCore): Router {
  const router = express.Router();
  const codes = new Map<string, { openId: string; expiresAt: number; clientId: string }>();
  const appTokens = new Map<string, number>();
  let current: { token: string; expiresAt: number } | undefined;
  const userTokens = new Map<string, { openId: string; expiresAt: number }>();

  const authorizeParams = (req: Request) => ({
    clientId: str(req.query.client_id ?? req.body?.client_id),
    redirectUri: str(req.query.redirect_uri ?? req.body?.redirect_uri),
    state: str(req.query.state ?? req.body?.state),
  });

  const checkAuthorize = (res: Response, p: { clientId: string; redirectUri: string }): boolean => {
    // Feishu refuses an unknown app or a redirect_uri not registered in the developer console (error 20029):
    // https://open.feishu.cn/document/faq/trouble-shooting/how-to-resolve-the-authorization-page-20029-error
    if (p.clientId !== core.options.appId) {
      page(res, 400, '授权失败', `<h1>授权失败</h1><p>应用不存在（client_id 无效）。</p>`);
      return false;
    }
    if (!/^https?:\/\/[^\s]+$/.test(p.redirectUri)) {
      page(res, 400, '授权失败', `<h1>授权失败</h1><p>20029 redirect_uri 请求不合法：请在开发者后台“安全设置 → 重定向 URL”中配置。</p>`);
      return false;
    }
    return true;
  };

  router.get('/open-apis/authen/v1/authorize', (req, res) => {
    const p = authorizeParams(req);
    if (!checkAuthorize(res, p)) return;
    const users = [...core.usersById.values()];
    const hidden = `<input type="hidden" name="client_id" value="${esc(p.clientId)}"><input type="hidden" name="redirect_uri" value="${esc(p.redirectUri)}"><input type="hidden" name="state" value="${esc(p.state)}">`;
    const list = users
      .map(
        (u) =>
          `<form method="post" action="/open-apis/authen/v1/authorize">${hidden}<input type="hidden" name="open_id" value="${esc(u.openId)}">` +
          `<button class="p" type="submit" data-open-id="${esc(u.openId)}">${esc(u.name)}<span class="t">${esc(u.title ?? '')}</span></button></form>`,
      )
      .join('');
    page(res, 200, '飞书登录（模拟器）', `<h1>飞书登录</h1><p class="note">飞书模拟器：选择以哪位成员的身份登录“${esc(core.botName)}”。</p>${list || '<p>工作区中还没有成员。</p>'}`);
  });

  router.post('/open-apis/authen/v1/authorize', express.urlencoded({ extended: false, limit: '8kb' }), (req, res) => {
    const p = authorizeParams(req);
    if (!checkAuthorize(res, p)) return;
    const openId = str(req.body?.open_id);
    if (!core.usersById.has(openId)) {
      page(res, 400, '授权失败', '<h1>授权失败</h1><p>该成员不存在。</p>');
      return;
    }
    const code = randomBytes(16).toString('hex');
    codes.set(code, { openId, expiresAt: Date.now() + CODE_TTL_MS, clientId: p.clientId });
    const target = new URL(p.redirectUri);
    target.searchParams.set('code', code);
    if (p.state) target.searchParams.set('state', p.state);
    res.redirect(302, target.toString());
  });

  router.post('/open-apis/auth/v3/app_access_token/internal', express.json({ limit: '8kb' }), (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (body.app_id !== core.options.appId) return fail(res, 400, 10003, 'invalid param');
    if (body.app_secret !== core.options.appSecret) return fail(res, 400, 10014, 'app secret invalid');
    // The same token while ≥ 30 minutes remain, a new one otherwise (the old one stays valid).
    const now = Date.now();
    if (!current || current.expiresAt - now < 30 * 60_000) {
      current = { token: token('a'), expiresAt: now + TOKEN_TTL_S * 1000 };
      appTokens.set(current.token, current.expiresAt);
    }
    const appToken = current.token;
    // The internal endpoint returns a tenant_access_token alongside (documented response).
    const tenant = core.tenantToken && core.tenantToken.expiresAt > Date.now() ? core.tenantToken.token : undefined;
    res.json({ code: 0, msg: 'ok', app_access_token: appToken, expire: Math.floor((current.expiresAt - now) / 1000), ...(tenant ? { tenant_access_token: tenant } : {}) });
  });

  router.post('/open-apis/authen/v1/oidc/access_token', express.json({ limit: '8kb' }), (req, res) => {
    const bearer = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
    const appExpiry = bearer ? appTokens.get(bearer) : undefined;
    // This endpoint takes the app_access_token, not the tenant token the SDK attaches by default.
    if (!bearer || appExpiry === undefined || appExpiry <= Date.now()) return fail(res, 400, 99991663, 'Invalid access token for authorization. Please make a request with token attached.');
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (body.grant_type !== 'authorization_code') return fail(res, 400, 20001, 'invalid grant_type');
    const code = str(body.code);
    const entry = codes.get(code);
    // Single use: the code is gone after the first exchange, valid or not.
    codes.delete(code);
    // 20003: the code is not valid (unknown, used, or expired) — (guess) at the exact numbering.
    if (!entry || entry.expiresAt <= Date.now()) return fail(res, 400, 20003, 'invalid code');
    const access = token('u');
    userTokens.set(access, { openId: entry.openId, expiresAt: Date.now() + TOKEN_TTL_S * 1000 });
    res.json({ code: 0, msg: 'success', data: { access_token: access, refresh_token: token('ur'), token_type: 'Bearer', expires_in: TOKEN_TTL_S, refresh_expires_in: 30 * 24 * 3600, scope: '' } });
  });

  router.get('/open-apis/authen/v1/user_info', (req, res) => {
    const bearer = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
    const entry = bearer ? userTokens.get(bearer) : undefined;
    if (!entry || entry.expiresAt <= Date.now()) return fail(res, 400, 99991668, 'Invalid access token for authorization. Please make a request with token attached.');
    const user = core.usersById.get(entry.openId);
    if (!user) return fail(res, 400, 99991668, 'user not found');
    res.json({ code: 0, msg: 'success', data: { name: user.name, en_name: '', avatar_url: '', open_id: user.openId, union_id: `on_${user.openId.slice(3)}`, tenant_key: 'emulator' } });
  });

  return router;
}
