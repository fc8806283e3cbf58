// Tenant access token and bot info.
import type { EmulatorCore } from '../core.ts';
import { newTenantToken } from '../ids.ts';
import { ApiError, isRecord, type RegisterApi } from './kit.ts';

const TOKEN_TTL_S = 7200;
const TOKEN_RENEW_BELOW_S = 30 * 60;

export function registerAuthApi(api: RegisterApi, core: EmulatorCore): void {
  api(
    'post',
    '/open-apis/auth/v3/tenant_access_token/internal',
    (req, res) => {
      const body = isRecord(req.body) ? req.body : {};
      if (body.app_id !== core.options.appId) throw new ApiError(400, 10003, 'invalid param');
      if (body.app_secret !== core.options.appSecret) throw new ApiError(400, 10014, 'app secret invalid');
      // Real time, not the injectable clock: the SDK caches tokens by wall time and never refreshes on
      // 99991663, so a test that jumps the bot's clock forward must not invalidate them.
      const now = Date.now();
      let current = core.tenantToken;
      // Feishu returns the same token while ≥30 min remain, a new one (old stays valid) otherwise.
      if (!current || current.expiresAt - now < TOKEN_RENEW_BELOW_S * 1000) {
        current = { token: newTenantToken(), expiresAt: now + TOKEN_TTL_S * 1000 };
        core.tenantToken = current;
        core.validTokens.set(current.token, current.expiresAt);
      }
      res.json({ code: 0, msg: 'ok', tenant_access_token: current.token, expire: Math.floor((current.expiresAt - now) / 1000) });
    },
    { auth: false },
  );

  api('get', '/open-apis/bot/v3/info', (_req, res) => {
    res.json({ code: 0, msg: 'ok', bot: { activate_status: 2, app_name: core.botName, avatar_url: '', ip_white_list: [], open_id: core.botOpenId } });
  });
}
