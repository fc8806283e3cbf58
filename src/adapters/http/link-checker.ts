// Checks that publicity links answer: HEAD first, then GET when HEAD is refused or fails, with a
// timeout per request, http(s) only and a bounded number of redirects followed by hand (each hop
// is re-checked to be http(s)). The result informs people; it never blocks anything.
import { isHttpUrl, LINK_CHANNELS, type SummaryLinks } from '../../domain/summary.ts';
import type { LinkResult } from '../../domain/evidence.ts';

export interface LinkCheckOptions {
  timeoutMs?: number;
  maxRedirects?: number;
}

export type LinkCheck = Omit<LinkResult, 'channel'>;

export interface LinkChecker {
  check(url: string): Promise<LinkCheck>;
}

const USER_AGENT = 'ThemeDayBot-LinkCheck/1.0';

type Attempt = { kind: 'response'; status: number; location?: string } | { kind: 'error'; error: 'timeout' | 'network' };

async function request(url: string, method: 'HEAD' | 'GET', timeoutMs: number): Promise<Attempt> {
  try {
    const res = await fetch(url, { method, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs), headers: { 'user-agent': USER_AGENT, accept: '*/*' } });
    // Only the status matters: drop any body without reading it.
    await res.body?.cancel().catch(() => undefined);
    return { kind: 'response', status: res.status, location: res.headers.get('location') ?? undefined };
  } catch (error) {
    const name = (error as { name?: string }).name;
    return { kind: 'error', error: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network' };
  }
}

export function createLinkChecker(options: LinkCheckOptions = {}): LinkChecker {
  const timeoutMs = options.timeoutMs ?? 5000;
  const maxRedirects = options.maxRedirects ?? 5;
  return {
    async check(url) {
      if (!isHttpUrl(url)) return { url, ok: false, error: 'bad_url' };
      let current = url;
      for (let hop = 0; hop <= maxRedirects; hop++) {
        let attempt = await request(current, 'HEAD', timeoutMs);
        // Many CMSs refuse HEAD (405/501/403) or drop it: ask again with GET.
        if (attempt.kind === 'error' ? attempt.error !== 'timeout' : attempt.status >= 400) attempt = await request(current, 'GET', timeoutMs);
        if (attempt.kind === 'error') return { url, ok: false, error: attempt.error, ...(current !== url ? { finalUrl: current } : {}) };
        if (attempt.status >= 300 && attempt.status < 400 && attempt.location) {
          let next: string;
          try {
            next = new URL(attempt.location, current).toString();
          } catch {
            return { url, ok: false, status: attempt.status, error: 'bad_url' };
          }
          if (!isHttpUrl(next)) return { url, ok: false, status: attempt.status, error: 'bad_url', finalUrl: next };
          current = next;
          continue;
        }
        const ok = attempt.status < 400;
        return { url, ok, status: attempt.status, ...(ok ? {} : { error: 'http_error' }), ...(current !== url ? { finalUrl: current } : {}) };
      }
      return { url, ok: false, error: 'too_many_redirects', finalUrl: current };
    },
  };
}

/** Checks every link of a summary, a few at a time. */
export async function checkSummaryLinks(links: SummaryLinks, checker: LinkChecker, concurrency = 4): Promise<LinkResult[]> {
  const jobs = LINK_CHANNELS.flatMap((c) => links[c.key].map((url) => ({ url, channel: c.key })));
  const results: LinkResult[] = new Array<LinkResult>(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      const job = jobs[i]!;
      results[i] = { ...(await checker.check(job.url)), channel: job.channel };
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
  return results;
}
