// What each activity of a campaign still lacks: summary, photos, LOGO photo, publicity links.
// Exported for the reminders feature (summary-due chasing) and shown by `总结进度`.
import type { Tx } from '../../adapters/db/database.ts';
import { parseEvidenceCheck, warnCount } from '../../domain/evidence.ts';
import { linkCount, storedDates, storedLinks, summaryStatus } from '../../domain/summary.ts';
import { MISSING_LABELS, type CompletenessRow, type MissingKey } from '../../../cards/summary.ts';
import { listActivities } from './common.ts';
import { draftSubject, summaryRowSelect } from './summary.ts';

export type { CompletenessRow, MissingKey };

export async function summaryCompleteness(tx: Tx, campaignId: string): Promise<CompletenessRow[]> {
  const activities = await listActivities(tx, campaignId);
  const summaries = await tx.summary.findMany({
    where: { themeId: { in: activities.map((a) => a.themeId) } },
    select: { ...summaryRowSelect, themeId: true, attachments: { where: { deletedAt: null }, select: { kind: true } } },
  });
  const byTheme = new Map(summaries.map((s) => [s.themeId, s]));
  const saved = new Set((await tx.formDraft.findMany({ where: { subject: { in: activities.map((a) => draftSubject(a.themeId)) } }, select: { subject: true } })).map((d) => d.subject));
  return activities.map((a) => {
    const s = byTheme.get(a.themeId);
    const status = summaryStatus(s ?? null, saved.has(draftSubject(a.themeId)));
    const photos = s?.attachments.length ?? 0;
    // "现场LOGO：是" counts; a photo marked as the LOGO photo counts too (and is shown as evidence).
    const logoPhoto = (s?.attachments ?? []).some((x) => x.kind === 'logo_photo');
    const logoShown = s?.logoShown ?? undefined;
    const logo = logoShown === true || (logoShown !== false && logoPhoto);
    const links = s ? linkCount(storedLinks(s.links)) : 0;
    const missingKeys: MissingKey[] = [];
    if (status !== 'submitted') missingKeys.push('summary');
    if (photos === 0) missingKeys.push('photos');
    if (!logo) missingKeys.push('logo');
    if (links === 0) missingKeys.push('links');
    return {
      themeId: a.themeId,
      unitId: a.unitId,
      unitChatId: a.unitChatId,
      unitName: a.unitName,
      title: a.title,
      month: a.month,
      held: status === 'submitted' && storedDates(s?.heldDates).length > 0,
      status,
      photos,
      logo,
      logoShown,
      logoPhoto,
      links,
      warnings: warnCount(parseEvidenceCheck(s?.evidenceCheck)),
      missingKeys,
      missing: missingKeys.map((k) => MISSING_LABELS[k]),
    } satisfies CompletenessRow;
  });
}
