// Demo stage after the submissions: the coordinating office has reviewed every submitted theme
// (most approved, some returned for revision or not adopted, each with a reason) and published
// the 2023 计划安排表 (version 1: unit groups, the office, the XLSX, the campaign calendar).
// Idempotent: does nothing once the campaign has a published schedule.
import type { AppServices } from '../../app/bot.ts';
import { withContext } from '../../app/context.ts';
import { DEMO_OFFICE } from '../../domain/demo-directory.ts';
import { atShanghai } from '../../domain/time.ts';
import type { ThemeFieldKey } from '../../domain/review.ts';
import type { CampaignRow } from '../review/common.ts';
import { resolveCampaign } from '../campaign/resolve.ts';
import { decideTheme } from '../review/decide.ts';
import { publishSchedule } from '../schedule/publish.ts';

export interface SeedScheduledResult {
  skipped: boolean;
  approved: number;
  returned: number;
  rejected: number;
  published?: number;
}

const RETURN_REASONS: { reason: string; fields: ThemeFieldKey[] }[] = [
  { reason: '活动简介请写明参与对象（代表委员、群众代表）和具体方式', fields: ['intro'] },
  { reason: '主题过于宽泛，请聚焦一项具体政策或服务', fields: ['title', 'intro'] },
  { reason: '该月已安排较多活动，请考虑调整月份', fields: ['month'] },
];
const REJECT_REASONS = ['与本单位年度重点工作关联不够紧密，建议明年再报', '与其他单位主题重复，已合并到牵头单位的活动中'];

/** History is dated as in 2023 (review the week after the deadline, publish on the 20th) unless the clock is earlier. */
const REVIEWED_AT = atShanghai('2023-04-12', '10:00');
const PUBLISHED_AT = atShanghai('2023-04-20', '10:00');

export async function seedScheduledStage(services: AppServices): Promise<SeedScheduledResult> {
  const actor = DEMO_OFFICE.coordinator.openId;
  const now = services.clock.now();
  // The XLSX and calendar work normally runs after the commit in the background; a seed waits
  // for it (the CLI closes the database when the stage returns). Without a reachable Feishu
  // (the CLI) the calendar is left for the next publish instead of failing noisily.
  const after: (() => Promise<void>)[] = [];
  const calendar = await services.gateway.tokenHealthy().catch(() => false);
  const skipped: SeedScheduledResult = { skipped: true, approved: 0, returned: 0, rejected: 0 };
  const reviewed = await withContext(
    services,
    actor,
    async (ctx): Promise<{ result: SeedScheduledResult; campaign: CampaignRow & { deadline: string } } | null> => {
      const campaign = await resolveCampaign(ctx.tx, 'reviewing', { now: ctx.now, year: 2023 });
      if (!campaign) return null;
      if ((await ctx.tx.scheduleVersion.count({ where: { campaignId: campaign.id } })) > 0) return null;
      const themes = await ctx.tx.theme.findMany({
        where: { state: 'active', reviewStatus: 'pending', submission: { campaignId: campaign.id, status: 'submitted' } },
        orderBy: [{ submission: { unit: { sortOrder: 'asc' } } }, { seq: 'asc' }],
        select: { id: true, version: true },
      });
      const result: SeedScheduledResult = { skipped: false, approved: 0, returned: 0, rejected: 0 };
      for (const [i, t] of themes.entries()) {
        if (i % 12 === 5) {
          const r = RETURN_REASONS[((i / 12) % RETURN_REASONS.length) | 0]!;
          await decideTheme(ctx, campaign, { themeId: t.id, version: t.version, decision: 'return', reason: r.reason, fields: r.fields });
          result.returned++;
        } else if (i % 12 === 11) {
          await decideTheme(ctx, campaign, { themeId: t.id, version: t.version, decision: 'reject', reason: REJECT_REASONS[((i / 12) % REJECT_REASONS.length) | 0]!, fields: [] });
          result.rejected++;
        } else {
          await decideTheme(ctx, campaign, { themeId: t.id, version: t.version, decision: 'approve', reason: '', fields: [] });
          result.approved++;
        }
      }
      return { result, campaign };
    },
    { eventId: 'demo:seed-scheduled:review', now: now > PUBLISHED_AT ? REVIEWED_AT : now },
  );
  if (!reviewed) return skipped;
  const { result, campaign } = reviewed;
  const published = await withContext(services, actor, (ctx) => publishSchedule({ ...ctx, afterCommit: (fn) => after.push(fn) }, campaign, undefined, { calendar }), {
    eventId: 'demo:seed-scheduled:publish',
    now: now > PUBLISHED_AT ? PUBLISHED_AT : now,
  });
  for (const fn of after) await fn().catch((error: unknown) => services.log.error('demo schedule follow-up failed', { error }));
  if (published.ok) result.published = published.version;
  return result;
}
