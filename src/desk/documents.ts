// Gathers what the Word documents show from the same loaders the cards and the XLSX exports use,
// then writes them (src/adapters/files/docx). Reads only.
import type { Tx } from '../adapters/db/database.ts';
import { PLAN_DEFAULTS, formLabel, ACTIVITY_FORMS } from '../domain/campaign.ts';
import { formatChineseDate, shanghaiDate } from '../domain/time.ts';
import { storedDates, storedForms, storedLinks } from '../domain/summary.ts';
import { parseForms } from '../domain/review.ts';
import { currentScheduleRows, latestPublished } from '../usecases/schedule/rows.ts';
import { computeResults } from '../usecases/evaluation/results.ts';
import { listActivities } from '../usecases/summaries/common.ts';
import { progressSnapshot } from '../usecases/submissions/progress.ts';
import { reportDocTitle, evaluationDocTitle, writeEvaluationDocx, writeReportDocx, writeScheduleDocx } from '../adapters/files/docx/documents.ts';
import type { DocKind } from './api.ts';

type Campaign = { id: string; year: number; title: string; status: string; settings: string };

export function docFileName(kind: DocKind, year: number): string {
  if (kind === 'schedule') return `${PLAN_DEFAULTS.scheduleTitle(year)}.docx`;
  if (kind === 'evaluation') return `${evaluationDocTitle(year)}.docx`;
  return `${reportDocTitle(year)}.docx`;
}

/** The 计划安排表 as the board stands now (moves included); the edition says whether it matches the published one. */
export async function scheduleDocx(tx: Tx, c: Campaign, now: Date): Promise<Buffer> {
  const rows = await currentScheduleRows(tx, c.id);
  const published = await latestPublished(tx, c.id);
  const same = published && JSON.stringify(published.rows.map((r) => [r.themeId, r.month]).sort()) === JSON.stringify(rows.map((r) => [r.themeId, r.month]).sort());
  const edition = published ? (same ? `第${published.version}版` : `第${published.version}版发布后调整稿，待发布`) : '未发布稿';
  return writeScheduleDocx({ title: PLAN_DEFAULTS.scheduleTitle(c.year), edition, dateText: formatChineseDate(shanghaiDate(now)), rows });
}

export async function evaluationDocx(tx: Tx, c: Campaign, now: Date): Promise<Buffer> {
  const r = await computeResults(tx, c);
  const winners = new Set(r.evaluation?.winners ?? []);
  return writeEvaluationDocx({
    year: c.year,
    dateText: formatChineseDate(shanghaiDate(now)),
    judges: r.judges.length,
    confirmed: r.evaluation?.status === 'confirmed' || r.evaluation?.status === 'announced',
    rows: [...r.results]
      .sort((a, b) => (a.ranked.rank ?? 1e9) - (b.ranked.rank ?? 1e9))
      .map((x) => ({ rank: x.ranked.rank ?? null, tied: x.ranked.tied, unitName: x.activity.unitName, title: x.activity.title, final: x.aggregate.final ?? null, winner: winners.has(x.activity.themeId) })),
  });
}

/** How many 典型经验做法 the report carries: the winners' first, then the longest write-ups. */
const EXPERIENCES_MAX = 5;

export async function reportDocx(tx: Tx, c: Campaign, now: Date): Promise<Buffer> {
  const progress = await progressSnapshot(tx, c.id);
  const activities = await listActivities(tx, c.id);
  const summaries = await tx.summary.findMany({ where: { themeId: { in: activities.map((a) => a.themeId) } }, include: { attachments: { where: { deletedAt: null }, select: { kind: true } } } });
  const byTheme = new Map(summaries.map((s) => [s.themeId, s]));
  const held = activities.filter((a) => byTheme.get(a.themeId)?.status === 'submitted');
  const r = await computeResults(tx, c);
  const winners = new Set(r.evaluation?.winners ?? []);

  const formCounts = new Map<string, number>();
  const monthCounts = Array.from({ length: 12 }, () => 0);
  const publicity = { media: 0, website: 0, newMedia: 0 };
  let logo = 0;
  for (const a of held) {
    const s = byTheme.get(a.themeId)!;
    const usedForms: string[] = storedForms(s.formsUsed);
    const used = usedForms.length > 0 ? usedForms : parseForms(a.forms);
    for (const f of used) formCounts.set(f, (formCounts.get(f) ?? 0) + 1);
    monthCounts[a.month - 1] = (monthCounts[a.month - 1] ?? 0) + 1;
    const links = storedLinks(s.links);
    publicity.media += links.media.length;
    publicity.website += links.website.length;
    publicity.newMedia += links.newMedia.length;
    if (s.logoShown) logo++;
  }
  const experiences = held
    .map((a) => ({ a, text: byTheme.get(a.themeId)?.experience?.trim() ?? '' }))
    .filter((x) => x.text !== '')
    .sort((x, y) => Number(winners.has(y.a.themeId)) - Number(winners.has(x.a.themeId)) || y.text.length - x.text.length)
    .slice(0, EXPERIENCES_MAX)
    .map((x) => ({ unitName: x.a.unitName, title: x.a.title, text: x.text }));

  return writeReportDocx({
    year: c.year,
    dateText: formatChineseDate(shanghaiDate(now)),
    units: { total: progress.total, submitted: progress.submitted },
    activities: { planned: activities.length, held: held.length },
    byForm: ACTIVITY_FORMS.map((f) => ({ label: formLabel(f.key), count: formCounts.get(f.key) ?? 0 })),
    byMonth: monthCounts,
    publicity,
    logoShown: { yes: logo, of: held.length },
    evaluation: [...r.results]
      .sort((a, b) => (a.ranked.rank ?? 1e9) - (b.ranked.rank ?? 1e9))
      .map((x) => ({ rank: x.ranked.rank ?? null, unitName: x.activity.unitName, title: x.activity.title, final: x.aggregate.final ?? null, winner: winners.has(x.activity.themeId) })),
    experiences,
    evidence: activities.map((a) => {
      const s = byTheme.get(a.themeId);
      const links = storedLinks(s?.links);
      return {
        unitName: a.unitName,
        title: a.title,
        heldDates: storedDates(s?.heldDates).join('、'),
        photos: s?.attachments.filter((x) => x.kind === 'photo' || x.kind === 'logo_photo').length ?? 0,
        links: links.media.length + links.website.length + links.newMedia.length,
        summary: s?.status === 'submitted',
      };
    }),
  });
}

export async function buildDoc(kind: DocKind, tx: Tx, c: Campaign, now: Date): Promise<Buffer> {
  if (kind === 'schedule') return scheduleDocx(tx, c, now);
  if (kind === 'evaluation') return evaluationDocx(tx, c, now);
  return reportDocx(tx, c, now);
}
