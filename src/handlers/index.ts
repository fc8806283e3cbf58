// Every feature registers its commands, card actions and jobs here (one line each).
import type { AppServices, Bot, ReadinessCheck } from '../app/bot.ts';
import type { Job } from '../app/jobs.ts';
import { remindersFeature } from './reminders.ts';
import { submissionsFeature } from './submissions.ts';
import { coordinatorFeature } from './coordinator.ts';
import { groupsFeature } from './groups.ts';
import { helpFeature } from './help.ts';
import { reviewFeature } from './review.ts';
import { scheduleFeature } from './schedule.ts';
import { summariesFeature } from './summaries.ts';
import { evaluationFeature } from './evaluation.ts';
import { historyFeature } from './history.ts';

/** A feature: its commands and card actions, its periodic jobs, and what /readyz should check for it. */
type Feature = { register(bot: Bot): void; jobs?: Job[]; readiness?: (services: AppServices) => ReadinessCheck[] };

const features: Feature[] = [
  // features are added here
  submissionsFeature,
  coordinatorFeature,
  groupsFeature,
  helpFeature,
  reviewFeature,
  scheduleFeature,
  remindersFeature,
  summariesFeature,
  evaluationFeature,
  historyFeature,
];

export function registerFeatures(bot: Bot): Job[] {
  for (const f of features) {
    f.register(bot);
    bot.services.readiness?.push(...(f.readiness?.(bot.services) ?? []));
  }
  return features.flatMap((f) => f.jobs ?? []);
}
