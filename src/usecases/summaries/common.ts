// Shared loading and access rules for summaries and the evaluation.
import type { Tx } from '../../adapters/db/database.ts';
import type { UseCaseContext } from '../../app/bot.ts';
import { isCoordinator, isLiaisonOf } from '../../app/access.ts';
import { activityMonth } from '../../domain/summary.ts';

export interface ActivityRow {
  themeId: string;
  title: string;
  month: number;
  forms: string;
  intro: string;
  unitId: string;
  unitName: string;
  unitChatId: string | null;
  campaignId: string;
  year: number;
}

const themeSelect = {
  id: true,
  title: true,
  month: true,
  scheduledMonth: true,
  forms: true,
  intro: true,
  submission: { select: { unitId: true, campaignId: true, unit: { select: { name: true, chatId: true, sortOrder: true } }, campaign: { select: { year: true } } } },
} as const;

type ThemeWithUnit = {
  id: string;
  title: string;
  month: number;
  scheduledMonth: number | null;
  forms: string;
  intro: string;
  submission: { unitId: string; campaignId: string; unit: { name: string; chatId: string | null; sortOrder: number }; campaign: { year: number } };
};

function toRow(t: ThemeWithUnit): ActivityRow {
  return {
    themeId: t.id,
    title: t.title,
    month: activityMonth(t),
    forms: t.forms,
    intro: t.intro,
    unitId: t.submission.unitId,
    unitName: t.submission.unit.name,
    unitChatId: t.submission.unit.chatId,
    campaignId: t.submission.campaignId,
    year: t.submission.campaign.year,
  };
}

/** An approved, active theme (an activity in the published plan). */
export async function loadActivity(tx: Tx, themeId: string): Promise<ActivityRow | null> {
  const t = await tx.theme.findFirst({ where: { id: themeId, state: 'active', reviewStatus: 'approved' }, select: themeSelect });
  return t ? toRow(t) : null;
}

/**
 * Every approved activity of a campaign (optionally of one unit; `held`: only those with a
 * submitted summary), by unit order then month.
 */
export async function listActivities(tx: Tx, campaignId: string, unitId?: string, o: { held?: boolean } = {}): Promise<ActivityRow[]> {
  const rows = await tx.theme.findMany({
    where: { state: 'active', reviewStatus: 'approved', submission: { campaignId, ...(unitId ? { unitId } : {}) }, ...(o.held ? { summary: { is: { status: 'submitted' } } } : {}) },
    select: themeSelect,
  });
  return rows.sort((a, b) => a.submission.unit.sortOrder - b.submission.unit.sortOrder || a.submission.unit.name.localeCompare(b.submission.unit.name, 'zh') || activityMonth(a) - activityMonth(b)).map(toRow);
}

/** May this person fill the unit's summary? Liaisons of the unit and coordinators. */
export async function canActForUnit(ctx: UseCaseContext, unitId: string): Promise<boolean> {
  if (await isCoordinator(ctx.tx, ctx.actor, ctx.config.coordinatorOpenIds)) return true;
  return isLiaisonOf(ctx.tx, ctx.actor, unitId);
}

/** Writes the deny audit row and returns the Chinese explanation. */
export async function deny(ctx: UseCaseContext, action: string, entity: string, entityId: string | null, message: string): Promise<string> {
  await ctx.audit({ action, entity, entityId, decision: 'deny', reason: message });
  return message;
}

export const NOT_LIAISON = '只有本单位的联系人（或县政务公开办）可以填写活动总结。如需变更联系人，请联系县政务公开办。';
