// The campaign's stage as the commands see it: domain/campaign-stage on facts loaded here. A leaf
// module (progress cards, guards and the stage transitions all read it; it reads none of them).
import type { Tx } from '../../adapters/db/database.ts';
import { campaignStage, type CampaignStage } from '../../domain/campaign-stage.ts';
import { shanghaiDate } from '../../domain/time.ts';
import { latestPublished } from '../schedule/rows.ts';

export interface StageCampaign {
  id: string;
  year: number;
  status: string;
  /** read when not given (only a campaign under review needs it) */
  deadline?: string;
}

/** The campaign's stage today (the months of the latest published schedule decide holding/summarising). */
export async function loadStage(tx: Tx, campaign: StageCampaign, now: Date): Promise<CampaignStage> {
  const published = campaign.status === 'scheduled' ? await latestPublished(tx, campaign.id) : null;
  const deadline = campaign.status !== 'reviewing' ? undefined : (campaign.deadline ?? (await tx.campaign.findUniqueOrThrow({ where: { id: campaign.id }, select: { deadline: true } })).deadline);
  return campaignStage({ status: campaign.status, year: campaign.year, today: shanghaiDate(now), ...(deadline ? { deadline } : {}), scheduledMonths: published?.rows.map((r) => r.month) ?? [] });
}

/**
 * The stage, and whether a schedule is out while 申报 is still open (published with 申报 kept
 * open): activities can then be summarised although the stage is still 申报中 / 审核中, and the
 * next step says both.
 */
export async function loadStageInfo(tx: Tx, campaign: StageCampaign, now: Date): Promise<{ stage: CampaignStage; publishedWhileOpen: boolean }> {
  const stage = await loadStage(tx, campaign, now);
  const open = campaign.status === 'collecting' || campaign.status === 'reviewing';
  return { stage, publishedWhileOpen: open && (await tx.scheduleVersion.count({ where: { campaignId: campaign.id } })) > 0 };
}
