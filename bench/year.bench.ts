// A campaign year in seconds (issue 17 goal 4): the simulated year of test/campaign/simulated-year.test.ts
// (60 units, every day from the notice to December through the real pipeline on the fake clock:
// reminders, submissions, review, publication, summaries, evaluation), timed here beside its 10 s goal. The
// test checks the outcomes; this only prints how long it took and where the time went.
import os from 'node:os';
import type { BenchResult } from './run.ts';
import { benchProviders, round } from './support.ts';
import { simulateYear } from '../test/support/simulated-year.ts';
import { planCacheStats } from '../src/adapters/db/plan-cache.ts';

const GOAL_MS = 10_000;

export default async function yearBench(): Promise<BenchResult[]> {
  process.env.HARNESS_LOG_LEVEL ??= process.env.BENCH_LOG_LEVEL ?? 'silent';
  const results: BenchResult[] = [];
  for (const provider of await benchProviders()) {
    const load = os.loadavg()[0]!;
    const before = planCacheStats();
    const r = await simulateYear(provider);
    const cache = planCacheStats();
    results.push({
      name: `simulated year (${provider})`,
      figures: {
        units: r.units,
        submitted: r.submitted,
        reminders: r.reminders,
        'messages delivered': r.outboxSent,
        'total s': round(r.ms / 1000, 1),
        'goal s': GOAL_MS / 1000,
        'ratio total/goal': round(r.ms / GOAL_MS, 2),
        'setup s': round(r.phases.setupMs / 1000, 1),
        'daily ticks s': round(r.phases.ticksMs / 1000, 1),
        'tick jobs s': round(r.phases.tickJobsMs / 1000, 1),
        'events s': round(r.phases.eventsMs / 1000, 1),
        'outbox drains': r.phases.drains,
        'drains s': round(r.phases.drainsMs / 1000, 1),
        'process CPU s': round(r.cpuMs / 1000, 1),
        'SQL statements': r.statements,
        'Feishu calls': r.feishuCalls,
        'refused for rate limits': r.rateRefusals,
        'rate waits skipped s': round(r.rateWaitsSkippedMs / 1000, 1),
        // Prisma's query plans (src/adapters/db/plan-cache.ts; PRISMA_PLAN_CACHE=0 turns it off)
        'plan cache hits': cache.hits - before.hits,
        'plan cache misses': cache.misses - before.misses,
        'plan cache uncacheable': cache.uncacheable - before.uncacheable,
        'load (1 min)': round(load, 1),
      },
    });
  }
  return results;
}
