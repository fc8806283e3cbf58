// Checks that publicity links answer: HEAD first, then GET when HEAD is refused or fails, with a
// timeout per request and per link, http(s) only and at most a few redirects followed by hand.
// The links are typed by liaisons and fetched from inside a government network, so the checker is
// built against server-side request forgery (docs/security.md):
// - the host name is resolved here and every address it resolves to must be public
//   (address-policy.ts) unless LINK_CHECK_ALLOW names it;
// - the socket connects to exactly the addresses that were checked (a pinned `lookup`), so a name
//   that answers differently a moment later (DNS rebinding) cannot redirect the request;
// - every redirect hop goes through the same checks; no credentials, cookies or proxies; the body
//   is never read and response headers are capped.
// The result informs people; it never blocks anything.
import http from 'node:http';
import https from 'node:https';
import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { isHttpUrl } from '../../domain/summary.ts';
import type { LinkCheck, LinkChecker } from '../../ports/link-checker.ts';
import { blockedReason, parseAllowlist, type AddressAllowlist } from './address-policy.ts';

export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export interface LinkCheckOptions {
  /** per request (connect + response headers) */
  timeoutMs?: number;
  /** per link, all hops and retries together */
  totalTimeoutMs?: number;
  maxRedirects?: number;
  /** LINK_CHECK_ALLOW: names, addresses or ranges the operator trusts although they are not public */
  allow?: AddressAllowlist | string;
  /** DNS resolution; tests inject one to play a rebinding name server */
  resolve?: Resolver;
}

export type { LinkCheck, LinkChecker };
export { checkSummaryLinks } from '../../ports/link-checker.ts';

const USER_AGENT = 'ThemeDayBot-LinkCheck/1.0';
export const MAX_URL_LENGTH = 2048;
const MAX_HEADER_BYTES = 16 * 1024;

type Failure = 'timeout' | 'network' | 'blocked';
type Attempt = { kind: 'response'; status: number; location?: string } | { kind: 'error'; error: Failure };

const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** The checked addresses of a host, or why it may not be fetched. */
async function vet(url: URL, allow: AddressAllowlist, resolve: Resolver): Promise<{ addresses: LookupAddress[] } | { error: Failure }> {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  let addresses: LookupAddress[];
  if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
  else {
    try {
      addresses = await resolve(host);
    } catch {
      return { error: 'network' };
    }
    if (addresses.length === 0) return { error: 'network' };
  }
  // Every answer must pass: a name that mixes a public and a private address is refused outright.
  for (const a of addresses) if (blockedReason(a.address) !== null && !allow.allows(host, a.address)) return { error: 'blocked' };
  return { addresses };
}

function request(url: URL, method: 'HEAD' | 'GET', addresses: LookupAddress[], timeoutMs: number): Promise<Attempt> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (a: Attempt) => {
      if (settled) return;
      settled = true;
      resolve(a);
    };
    const lib = url.protocol === 'https:' ? https : http;
    // Pinned: the socket may only connect to what vet() checked. `all` is asked for by Node's
    // happy-eyeballs connect (autoSelectFamily); without it one address is expected.
    const lookup = (_host: string, opts: { all?: boolean }, cb: (...args: unknown[]) => void) => {
      if (opts.all) cb(null, addresses);
      else cb(null, addresses[0]!.address, addresses[0]!.family);
    };
    const req = lib.request(
      url,
      {
        method,
        agent: false,
        lookup: lookup as never,
        maxHeaderSize: MAX_HEADER_BYTES,
        signal: AbortSignal.timeout(timeoutMs),
        headers: { 'user-agent': USER_AGENT, accept: '*/*', connection: 'close' },
      },
      (res) => {
        const location = res.headers.location;
        done({ kind: 'response', status: res.statusCode ?? 0, ...(location ? { location } : {}) });
        // Only the status matters: never read the body.
        res.destroy();
      },
    );
    req.on('error', (error: Error & { code?: string }) => {
      done({ kind: 'error', error: error.name === 'AbortError' || error.code === 'ABORT_ERR' ? 'timeout' : 'network' });
    });
    req.end();
  });
}

export function createLinkChecker(options: LinkCheckOptions = {}): LinkChecker {
  const timeoutMs = options.timeoutMs ?? 5000;
  const totalTimeoutMs = options.totalTimeoutMs ?? 15_000;
  const maxRedirects = options.maxRedirects ?? 3;
  const allow = typeof options.allow === 'string' || options.allow === undefined ? parseAllowlist(options.allow) : options.allow;
  const resolve = options.resolve ?? systemResolver;

  async function follow(url: string, deadline: number): Promise<LinkCheck> {
    if (url.length > MAX_URL_LENGTH || !isHttpUrl(url)) return { url, ok: false, error: 'bad_url' };
    let current = url;
    const at = (extra: Partial<LinkCheck>): LinkCheck => ({ url, ok: false, ...extra, ...(current !== url ? { finalUrl: current } : {}) });
    for (let hop = 0; hop <= maxRedirects; hop++) {
      const target = new URL(current);
      const vetted = await vet(target, allow, resolve);
      if ('error' in vetted) return at({ error: vetted.error });
      const left = () => Math.max(1, Math.min(timeoutMs, deadline - Date.now()));
      let attempt = await request(target, 'HEAD', vetted.addresses, left());
      // Many CMSs refuse HEAD (405/501/403) or drop it: ask again with GET.
      if (attempt.kind === 'error' ? attempt.error === 'network' : attempt.status >= 400) attempt = await request(target, 'GET', vetted.addresses, left());
      if (attempt.kind === 'error') return at({ error: Date.now() >= deadline ? 'timeout' : attempt.error });
      if (attempt.status >= 300 && attempt.status < 400 && attempt.location) {
        let next: string;
        try {
          next = new URL(attempt.location, current).toString();
        } catch {
          return at({ status: attempt.status, error: 'bad_url' });
        }
        if (next.length > MAX_URL_LENGTH || !isHttpUrl(next)) return { url, ok: false, status: attempt.status, error: 'bad_url', finalUrl: next.slice(0, MAX_URL_LENGTH) };
        current = next;
        continue;
      }
      const ok = attempt.status < 400;
      return at({ ok, status: attempt.status, ...(ok ? {} : { error: 'http_error' }) });
    }
    return { url, ok: false, error: 'too_many_redirects', finalUrl: current };
  }

  return {
    check: (url) => follow(url, Date.now() + totalTimeoutMs),
  };
}
