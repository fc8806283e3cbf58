// Which campaign a command acts on. In December two campaigns are alive at once (this year's
// evaluation, next year's 申报), so "the current campaign" depends on what the command is about.
// One rule per intent, all here; a year the person typed (`进度 2026`) always wins.
//
// - collecting  (进度, 导出申报表, 延期, 重新开放, 催办, 提醒记录, 填写申报表, 绑定群):
//     the newest campaign that is collecting submissions; else the newest launched one; else the
//     newest draft.
// - reviewing   (审核, 添加/移除审核人, 计划安排表, 调整月份, 发布计划):
//     the newest launched campaign not yet past scheduling (collecting, reviewing, scheduled);
//     else the newest launched one; else the newest draft.
// - summaries   (总结, 总结进度, photos): the campaign whose activities run in the current
//     calendar year (Asia/Shanghai); else the newest earlier one. Next year's campaign, launched
//     in December, has no activities yet.
// - evaluation  (开启评选, 评分标准, 添加评委, 评分, 评选进度): a campaign whose evaluation is
//     open (status evaluating) up to this calendar year, the newest; else the summaries rule —
//     the evaluation judges the year whose activities were held.
//
// This module answers *which* campaign; whether the campaign's stage allows the action is the
// use-case's (and the campaign stage rules') business.
import type { Tx } from '../../adapters/db/database.ts';
import { shanghaiDate, yearOf } from '../../domain/time.ts';

export type CampaignIntent = 'collecting' | 'reviewing' | 'summaries' | 'evaluation';

type CampaignTx = Pick<Tx, 'campaign'>;

/** The full campaign row, as Prisma returns it. */
export type ResolvedCampaign = NonNullable<Awaited<ReturnType<Tx['campaign']['findUnique']>>>;

const LAUNCHED = { status: { not: 'draft' } } as const;
const newest = { orderBy: { year: 'desc' as const } };

export async function resolveCampaign(tx: CampaignTx, intent: CampaignIntent, at: { now: Date; year?: number }): Promise<ResolvedCampaign | null> {
  if (at.year !== undefined) return tx.campaign.findUnique({ where: { year: at.year } });
  const thisYear = yearOf(shanghaiDate(at.now));
  const first = async (...wheres: object[]) => {
    for (const where of wheres) {
      const found = await tx.campaign.findFirst({ where, ...newest });
      if (found) return found;
    }
    return null;
  };
  switch (intent) {
    case 'collecting':
      return first({ status: 'collecting' }, LAUNCHED, {});
    case 'reviewing':
      return first({ status: { in: ['collecting', 'reviewing', 'scheduled'] } }, LAUNCHED, {});
    case 'summaries':
      return first({ year: { lte: thisYear }, ...LAUNCHED }, { year: { lte: thisYear } });
    case 'evaluation':
      return first({ year: { lte: thisYear }, status: 'evaluating' }, { year: { lte: thisYear }, ...LAUNCHED }, { year: { lte: thisYear } });
  }
}

/** The campaign a card was built for (its id rides in the value), else the intent's rule (or the year typed). */
export async function campaignFor(tx: CampaignTx, intent: CampaignIntent, at: { now: Date; year?: number; campaignId?: string }): Promise<ResolvedCampaign | null> {
  if (at.campaignId) return tx.campaign.findUnique({ where: { id: at.campaignId } });
  return resolveCampaign(tx, intent, at);
}

/**
 * A year typed with a command: `进度 2026`, `开启评选 2026年 强制`, `审核 2026 星沙街道`. Only a
 * standalone four-digit word counts (a date like 2027-04-14 is not a year). Returns the rest of
 * the arguments without it.
 */
export function splitYearArg(args: string): { year?: number; rest: string } {
  const words = args.trim().split(/\s+/).filter(Boolean);
  const index = words.findIndex((w) => /^(19|20|21)\d{2}年?$/.test(w));
  if (index < 0) return { rest: args.trim() };
  const year = Number(words[index]!.slice(0, 4));
  words.splice(index, 1);
  return { year, rest: words.join(' ') };
}

/** The earliest launched campaign after this year (next year's, launched in December), if any. */
export async function laterLaunchedYear(tx: CampaignTx, now: Date): Promise<number | null> {
  const later = await tx.campaign.findFirst({ where: { year: { gt: yearOf(shanghaiDate(now)) }, ...LAUNCHED }, orderBy: { year: 'asc' }, select: { year: true } });
  return later?.year ?? null;
}

/** The answer when a typed year has no campaign. */
export function noCampaignForYear(year: number): string {
  return `没有 ${year} 年的主题日活动。`;
}

/** Prefix for a text answer, so the coordinator sees which year a command acted on. */
export function yearTag(campaign: { year: number }): string {
  return `【${campaign.year}年】`;
}

/** A unit name from the directory for examples in 帮助 (the first active unit). */
export async function firstUnitName(tx: Pick<Tx, 'unit'>): Promise<string | null> {
  const unit = await tx.unit.findFirst({ where: { active: true }, orderBy: [{ sortOrder: 'asc' }, { name: 'asc' }], select: { name: true } });
  return unit?.name ?? null;
}
