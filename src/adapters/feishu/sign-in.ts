// Feishu sign-in for the desk (网页应用 / browser): the authorization page's address, and the
// code → user exchange through the official SDK. Same app credentials as the bot.
// - authorize: https://open.feishu.cn/document/common-capabilities/sso/api/obtain-oauth-code
// - code → user_access_token (SDK authen.v1.oidcAccessToken.create, Authorization: app_access_token):
//   https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/authen-v1/oidc-access_token/create
// - user_access_token → identity (SDK authen.v1.userInfo.get):
//   https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/authen-v1/user_info/get
import type * as lark from '@larksuiteoapi/node-sdk';
import { loadSdk, sdkDomain, TokenCache } from './gateway.ts';

export interface SignedInUser {
  openId: string;
  name: string;
}

export interface FeishuSignIn {
  /** Where to send the browser: Feishu's authorization page (the emulator's in local mode). */
  authorizeUrl(redirectUri: string, state: string): string;
  /** Exchange the one-time code for the person's identity; throws with Feishu's message on failure. */
  exchange(code: string): Promise<SignedInUser>;
}

export class SignInError extends Error {
  constructor(
    readonly code: number | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** The accounts host per brand: authorize lives on accounts.*, not on open.* (see the doc above). */
function accountsBase(domain: string): string {
  if (domain === 'feishu') return 'https://accounts.feishu.cn';
  if (domain === 'lark') return 'https://accounts.larksuite.com';
  return domain.replace(/\/+$/, '');
}

export function createFeishuSignIn(options: { appId: string; appSecret: string; domain: string }): FeishuSignIn {
  let clientLoading: Promise<{ sdk: typeof lark; client: lark.Client }> | undefined;
  const ready = () =>
    (clientLoading ??= loadSdk().then((sdk) => ({
      sdk,
      client: new sdk.Client({
        appId: options.appId,
        appSecret: options.appSecret,
        domain: sdkDomain(sdk, options.domain),
        cache: new TokenCache(),
        loggerLevel: sdk.LoggerLevel.error,
        logger: { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined, trace: () => undefined },
      }),
    })));

  return {
    authorizeUrl(redirectUri, state) {
      const url = new URL(`${accountsBase(options.domain)}/open-apis/authen/v1/authorize`);
      url.searchParams.set('client_id', options.appId);
      url.searchParams.set('redirect_uri', redirectUri);
      url.searchParams.set('state', state);
      return url.toString();
    },
    async exchange(code) {
      const { sdk, client } = await ready();
      const app = (await client.auth.appAccessToken.internal({ data: { app_id: options.appId, app_secret: options.appSecret } })) as Record<string, unknown> & { data?: { app_access_token?: string } };
      // The internal endpoint answers app_access_token at the top level (the SDK's type puts it under data).
      const appToken = typeof app.app_access_token === 'string' ? app.app_access_token : app.data?.app_access_token;
      if (!appToken) throw new SignInError(typeof app.code === 'number' ? app.code : undefined, `app_access_token: ${String(app.msg ?? 'missing')}`);
      // The SDK attaches the tenant token by default; this endpoint wants the app token, so it is passed as the
      // request's bearer token (withUserAccessToken only sets the Authorization header).
      const tokenRes = await client.authen.v1.oidcAccessToken.create({ data: { grant_type: 'authorization_code', code } }, sdk.withUserAccessToken(appToken));
      const access = tokenRes.data?.access_token;
      if (tokenRes.code !== 0 || !access) throw new SignInError(tokenRes.code, tokenRes.msg ?? 'oidc access_token failed');
      const info = await client.authen.v1.userInfo.get({}, sdk.withUserAccessToken(access));
      const openId = info.data?.open_id;
      if (info.code !== 0 || !openId) throw new SignInError(info.code, info.msg ?? 'user_info failed');
      return { openId, name: info.data?.name ?? openId };
    },
  };
}
