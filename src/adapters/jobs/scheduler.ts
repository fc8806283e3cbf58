// One node-cron task, once a minute in Asia/Shanghai (whatever the server's TZ), running every
// job side by side. Jobs decide from the database what is due, so a missed tick is caught up by the
// next one; one job's failure never stops the others.
import cron, { type ScheduledTask } from 'node-cron';
import type { AppServices } from '../../app/bot.ts';
import type { Job } from '../../app/jobs.ts';

export interface SchedulerOptions {
  services: AppServices;
  jobs: Job[];
  /** the time a tick runs for (the app clock) */
  now?: () => Date;
}

export class Scheduler {
  private task: ScheduledTask | undefined;
  private inFlight: Promise<void> | undefined;
  private started = false;

  constructor(private readonly o: SchedulerOptions) {}

  private now(): Date {
    return this.o.now?.() ?? this.o.services.clock.now();
  }

  /** Runs every job's onStart once, then ticks each minute. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.runStartHooks(this.now());
    this.task = cron.schedule(
      '* * * * *',
      async () => {
        // A slow tick is not overlapped: the next one catches up from the database.
        if (this.inFlight) return;
        this.inFlight = this.tickOnce(this.now())
          .then(() => undefined)
          .finally(() => {
            this.inFlight = undefined;
          });
        await this.inFlight;
      },
      { timezone: 'Asia/Shanghai', name: 'themeday-tick', noOverlap: true },
    );
  }

  async runStartHooks(now: Date): Promise<void> {
    for (const job of this.o.jobs) {
      if (!job.onStart) continue;
      try {
        await job.onStart(this.o.services, now);
      } catch (error) {
        this.o.services.log.error('job start hook failed', { job: job.name, error });
      }
    }
  }

  /**
   * Runs each job once for `now`, side by side (they are independent, and each is safe beside
   * another instance's run of itself), isolating failures; results in the jobs' order.
   */
  async tickOnce(now: Date): Promise<{ job: string; ok: boolean; ms: number }[]> {
    return Promise.all(
      this.o.jobs.map(async (job) => {
        const started = performance.now();
        try {
          await job.run(this.o.services, now);
          return { job: job.name, ok: true, ms: performance.now() - started };
        } catch (error) {
          this.o.services.log.error('job failed', { job: job.name, error });
          return { job: job.name, ok: false, ms: performance.now() - started };
        }
      }),
    );
  }

  async stop(): Promise<void> {
    if (this.task) await this.task.destroy();
    this.task = undefined;
    await this.inFlight;
  }
}
