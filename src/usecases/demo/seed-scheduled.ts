// Demo stage after the submissions: the coordinating office has reviewed every submitted theme
// (most approved, some returned for revision or not adopted, each with a reason) and published
// the 2023 计划安排表 (version 1: unit groups, the office, the XLSX, the campaign calendar).
// Idempotent: does nothing once the campaign has a published schedule.
import type { AppServices } from '../../app/bot.ts';
import { withContext } from '../../app/context.ts';
import { DEMO_OFFICE } from '../../domain/demo-directory.ts';
import type { ThemeFieldKey } from '../../domain/review.ts';
import { currentCampaign } from '../review/common.ts';
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

export async function seedScheduledStage(services: AppServices): Promise<SeedScheduledResult> {
  const actor = DEMO_OFFICE.coordinator.openId;
  return withContext(services, actor, async (ctx) => {
    const campaign = await currentCampaign(ctx.tx, 2023);
    if (!campaign) return { skipped: true, approved: 0, returned: 0, rejected: 0 };
    if ((await ctx.tx.scheduleVersion.count({ where: { campaignId: campaign.id } })) > 0) return { skipped: true, approved: 0, returned: 0, rejected: 0 };
    const themes = await ctx.tx.theme.findMany({
      where: { state: 'active', reviewStatus: 'pending', submission: { campaignId: campaign.id, status: 'submitted' } },
      orderBy: [{ submission: { unit: { sortOrder: 'asc' } } }, { seq: 'asc' }],
      select: { id: true, version: true },
    });
    const result: SeedScheduledResult = { skipped: false, approved: 0, returned: 0, rejected: 0 };
    for (const [i, t] of themes.entries()) {
      if (i % 12 === 5) {
        const r = RETURN_REASONS[(i / 12) % RETURN_REASONS.length | 0]!;
        await decideTheme(ctx, campaign, { themeId: t.id, version: t.version, decision: 'return', reason: r.reason, fields: r.fields });
        result.returned++;
      } else if (i % 12 === 11) {
        await decideTheme(ctx, campaign, { themeId: t.id, version: t.version, decision: 'reject', reason: REJECT_REASONS[(i / 12) % REJECT_REASONS.length | 0]!, fields: [] });
        result.rejected++;
      } else {
        await decideTheme(ctx, campaign, { themeId: t.id, version: t.version, decision: 'approve', reason: '', fields: [] });
        result.approved++;
      }
    }
    const published = await publishSchedule(ctx, campaign);
    if (published.ok) result.published = published.version;
    return result;
  }, { eventId: 'demo:seed-scheduled' });
}
