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
}

/** The campaign's stage today (the months of the latest published schedule decide holding/summarising). */
export async function loadStage(tx: Tx, campaign: StageCampaign, now: Date): Promise<CampaignStage> {
  const published = campaign.status === 'scheduled' ? await latestPublished(tx, campaign.id) : null;
  return campaignStage({ status: campaign.status, year: campaign.year, today: shanghaiDate(now), scheduledMonths: published?.rows.map((r) => r.month) ?? [] });
}
