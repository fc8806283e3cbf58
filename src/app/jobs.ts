// Periodic work. node-cron only ticks (src/adapters/jobs/scheduler.ts); what is due is computed
// from the database by each job, and each job must be safe to run on several instances at once.
import type { AppServices } from './bot.ts';

export interface Job {
  name: string;
  /** called on every tick (once a minute) with the tick's time */
  run(services: AppServices, now: Date): Promise<void>;
  /** called once at start-up, before the first tick (e.g. downtime catch-up) */
  onStart?(services: AppServices, now: Date): Promise<void>;
}
