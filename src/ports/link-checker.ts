// Whether a publicity link answers, as the use cases see it; src/adapters/http/link-checker.ts
// implements it (with the SSRF guards) and src/app wires it.
import { LINK_CHANNELS, type SummaryLinks } from '../domain/summary.ts';
import type { LinkResult } from '../domain/evidence.ts';

export type LinkCheck = Omit<LinkResult, 'channel'>;

export interface LinkChecker {
  check(url: string): Promise<LinkCheck>;
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
