// The tick: every job runs once for the tick's time, side by side; a failing job is reported
// and the others still run. No cron here: tickOnce is what the cron task calls.
import { describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/adapters/jobs/scheduler.ts';
import { createLogger } from '../../src/app/log.ts';
import type { AppServices } from '../../src/app/bot.ts';
import type { Job } from '../../src/app/jobs.ts';

describe('Scheduler.tickOnce', () => {
  it('runs the jobs side by side for the same time, isolates a failure, reports in the jobs’ order', async () => {
    const services = { log: createLogger('silent') } as unknown as AppServices;
    const seen: string[] = [];
    // The first job waits for the last one to start: run one after another, the tick would hang.
    let open: () => void = () => undefined;
    const gate = new Promise<void>((r) => (open = r));
    const jobs: Job[] = [
      {
        name: 'waits',
        run: async (_s, now) => {
          seen.push(`waits ${now.toISOString()}`);
          await gate;
        },
      },
      {
        name: 'fails',
        run: async () => {
          throw new Error('boom');
        },
      },
      {
        name: 'opens',
        run: async (_s, now) => {
          seen.push(`opens ${now.toISOString()}`);
          open();
        },
      },
    ];
    const at = new Date('2023-03-28T01:45:00Z');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('the jobs ran one after another')), 2000)));
    const results = await Promise.race([new Scheduler({ services, jobs }).tickOnce(at), timeout]).finally(() => clearTimeout(timer));
    expect(results.map((r) => `${r.job} ${r.ok}`)).toEqual(['waits true', 'fails false', 'opens true']);
    expect(seen).toEqual([`waits ${at.toISOString()}`, `opens ${at.toISOString()}`]);
  });
});
