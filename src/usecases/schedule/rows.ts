// The schedule as it stands (approved themes in their scheduled months) and as last published.
import type { Tx } from '../../adapters/db/database.ts';
import { parseSettings, type CampaignSettings } from '../../domain/campaign.ts';
import { balanceChecks, parseChanges, parseSnapshot, sortRows, type BalanceWarning, type ScheduleChange, type ScheduleRow } from '../../domain/schedule.ts';
import { monthOf } from '../../domain/time.ts';
import { parseForms } from '../../domain/review.ts';
import { unitContact } from '../review/common.ts';
import { parseThemeDomains } from '../../domain/theme-domains.ts';

export async function currentScheduleRows(tx: Tx, campaignId: string): Promise<ScheduleRow[]> {
  const themes = await tx.theme.findMany({
    where: { state: 'active', reviewStatus: 'approved', submission: { campaignId, status: 'submitted' } },
    include: {
      submission: {
        select: {
          contactName: true,
          contactPhone: true,
          unit: { select: { id: true, name: true, kind: true, sortOrder: true, liaisons: { select: { name: true, phone: true, role: true } } } },
        },
      },
    },
  });
  return sortRows(
    themes.map((t) => {
      const contact = unitContact(t.submission, t.submission.unit.liaisons);
      return {
        themeId: t.id,
        unitId: t.submission.unit.id,
        unitName: t.submission.unit.name,
        unitKind: t.submission.unit.kind,
        unitOrder: t.submission.unit.sortOrder,
        seq: t.seq,
        title: t.title,
        month: t.scheduledMonth ?? t.month,
        forms: parseForms(t.forms),
        domains: parseThemeDomains(t.domains),
        contactName: contact.name,
        contactPhone: contact.phone,
      };
    }),
  );
}

export interface PublishedVersion {
  id: string;
  version: number;
  rows: ScheduleRow[];
  changes: ScheduleChange[];
  publishedAt: Date;
  publishedBy: string;
}

export async function latestPublished(tx: Tx, campaignId: string): Promise<PublishedVersion | null> {
  const v = await tx.scheduleVersion.findFirst({ where: { campaignId }, orderBy: { version: 'desc' } });
  if (!v) return null;
  return { id: v.id, version: v.version, rows: parseSnapshot(v.snapshot), changes: parseChanges(v.changes), publishedAt: v.publishedAt, publishedBy: v.publishedBy };
}

/** Balance warnings for the rows, with the campaign's settings (months from the one after the deadline). */
export async function scheduleWarnings(tx: Tx, campaign: { id: string; settings: string }, rows: readonly ScheduleRow[]): Promise<{ warnings: BalanceWarning[]; settings: CampaignSettings }> {
  const settings = parseSettings(campaign.settings);
  const c = await tx.campaign.findUnique({ where: { id: campaign.id }, select: { deadline: true } });
  const fromMonth = c?.deadline ? Math.min(12, monthOf(c.deadline) + 1) : 1;
  return { warnings: balanceChecks(rows, { maxPerMonth: settings.maxActivitiesPerMonth, fromMonth, domains: settings.themeDomains }), settings };
}

/** A unit's id and name. */
export async function unitById(tx: Tx, unitId: string): Promise<{ id: string; name: string } | null> {
  return tx.unit.findUnique({ where: { id: unitId }, select: { id: true, name: true } });
}

/** The theme a proposed month move is about, with its unit (the liaison answering must be of it). */
export async function moveTarget(tx: Tx, themeId: string): Promise<{ id: string; unitId: string; unitName: string } | null> {
  const theme = await tx.theme.findUnique({ where: { id: themeId }, select: { id: true, submission: { select: { unitId: true, unit: { select: { name: true } } } } } });
  return theme ? { id: theme.id, unitId: theme.submission.unitId, unitName: theme.submission.unit.name } : null;
}
