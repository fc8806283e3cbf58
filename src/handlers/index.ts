// Every feature registers its commands, card actions and jobs here (one line each).
import type { Bot } from '../app/bot.ts';
import type { Job } from '../app/jobs.ts';
import { remindersFeature } from './reminders.ts';
import { submissionsFeature } from './submissions.ts';

import { reviewFeature } from './review.ts';
import { scheduleFeature } from './schedule.ts';
import { summariesFeature } from './summaries.ts';
import { evaluationFeature } from './evaluation.ts';

type Feature = { register(bot: Bot): void; jobs?: Job[] };

const features: Feature[] = [
  // features are added here
  submissionsFeature,
  reviewFeature,
  scheduleFeature,
  remindersFeature,
  summariesFeature,
  evaluationFeature,
];

export function registerFeatures(bot: Bot): Job[] {
  for (const f of features) f.register(bot);
  return features.flatMap((f) => f.jobs ?? []);
}
