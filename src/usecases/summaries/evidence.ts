// Evidence checks of a summary: recomputed in the transaction for what is local (photos, LOGO,
// dates), and — after commit, outside any transaction — the publicity links are fetched, then the
// result is recorded in a second short transaction and shown to the liaison and the coordinator.
import { summaryActions } from '../../../cards/actions.ts';
import type { Tx } from '../../adapters/db/database.ts';
import type { AppServices, UseCaseContext } from '../../app/bot.ts';
import { withContext } from '../../app/context.ts';
import { coordinatorChatIds, isCoordinator } from '../../app/access.ts';
import { evaluateEvidence, parseEvidenceCheck, warnCount, type EvidenceCheck, type EvidenceInput, type LinkResult } from '../../domain/evidence.ts';
import { LINK_CHANNELS, storedDates, storedLinks, activityMonth, type SummaryLinks } from '../../domain/summary.ts';
import { checkSummaryLinks, type LinkChecker } from '../../ports/link-checker.ts';
import { evidenceResultCard } from '../../../cards/evidence.ts';
import { card, escapeMarkdown, field, markdown, mention, button, buttonRow } from '../../../cards/kit.ts';
import { personName } from '../submissions/shared.ts';

function sameLinks(links: SummaryLinks, results: LinkResult[]): boolean {
  const urls = LINK_CHANNELS.flatMap((c) => links[c.key].map((u) => `${c.key} ${u}`)).sort();
  const checked = results.map((r) => `${r.channel} ${r.url}`).sort();
  return urls.length === checked.length && urls.every((u, i) => u === checked[i]);
}

/** What an evidence check reads of a summary: its fields, live photos (oldest first) and the previous check. */
export type EvidenceSubject = Omit<EvidenceInput, 'linkResults'> & {
  /** the stored check (JSON), whose link results 'keep' reuses while the links are unchanged */
  previous: string | null;
};

/**
 * The evidence check of a summary. `linkResults`: fresh results, 'skipped' when link checks are
 * off, or 'keep' to reuse the previous results while the links are unchanged.
 */
export function checkEvidence(subject: EvidenceSubject, now: Date, linkResults: LinkResult[] | 'skipped' | 'keep'): EvidenceCheck {
  let results: LinkResult[] | undefined;
  let skipped = false;
  if (linkResults === 'skipped') skipped = true;
  else if (linkResults === 'keep') {
    const prev = parseEvidenceCheck(subject.previous);
    if (prev && sameLinks(subject.links, prev.links)) {
      results = prev.links;
      skipped = prev.linkCheckSkipped;
    }
  } else results = linkResults;
  return evaluateEvidence(
    {
      year: subject.year,
      month: subject.month,
      heldDates: subject.heldDates,
      links: subject.links,
      logoShown: subject.logoShown,
      photos: subject.photos,
      linkResults: results,
      linkCheckSkipped: skipped,
    },
    now,
  );
}

/** A summary's live photos as the evidence check reads them. */
export const evidencePhotoSelect = { where: { deletedAt: null }, select: { id: true, fileName: true, takenOn: true, kind: true }, orderBy: { createdAt: 'asc' } } as const;

/** Recomputes and stores Summary.evidenceCheck (`linkResults` as for checkEvidence). */
export async function recomputeEvidence(tx: Tx, summaryId: string, now: Date, linkResults: LinkResult[] | 'skipped' | 'keep'): Promise<EvidenceCheck | undefined> {
  const s = await tx.summary.findUnique({
    where: { id: summaryId },
    select: {
      heldDates: true,
      links: true,
      logoShown: true,
      evidenceCheck: true,
      theme: { select: { month: true, scheduledMonth: true, submission: { select: { campaign: { select: { year: true } } } } } },
      attachments: evidencePhotoSelect,
    },
  });
  if (!s) return undefined;
  const check = checkEvidence(
    {
      year: s.theme.submission.campaign.year,
      month: activityMonth(s.theme),
      heldDates: storedDates(s.heldDates),
      links: storedLinks(s.links),
      logoShown: s.logoShown,
      photos: s.attachments,
      previous: s.evidenceCheck,
    },
    now,
    linkResults,
  );
  await tx.summary.update({ where: { id: summaryId }, data: { evidenceCheck: JSON.stringify(check) } });
  return check;
}

/** The submitted summary an evidence announcement is about, and where it goes. */
export interface AnnouncedSummary {
  summaryId: string;
  themeId: string;
  title: string;
  unitName: string;
  unitChatId: string | null;
  submittedBy: string | null;
}

async function loadAnnounced(tx: Tx, summaryId: string): Promise<AnnouncedSummary | undefined> {
  const s = await tx.summary.findUnique({
    where: { id: summaryId },
    select: { submittedBy: true, themeId: true, theme: { select: { title: true, submission: { select: { unit: { select: { name: true, chatId: true } } } } } } },
  });
  if (!s) return undefined;
  const unit = s.theme.submission.unit;
  return { summaryId, themeId: s.themeId, title: s.theme.title, unitName: unit.name, unitChatId: unit.chatId, submittedBy: s.submittedBy };
}

/** Tells the unit group and the coordinators what the check found for a submitted version. */
export async function announceEvidence(ctx: UseCaseContext, s: AnnouncedSummary, version: number, check: EvidenceCheck): Promise<void> {
  const { summaryId } = s;
  if (s.unitChatId) {
    // The office may file or correct a unit's summary: the unit is told who did, so nothing changes behind its back.
    const byOffice = s.submittedBy ? await isCoordinator(ctx.tx, s.submittedBy, ctx.config.coordinatorOpenIds) : false;
    const mentionLine = !s.submittedBy
      ? undefined
      : byOffice
        ? `县政务公开办${await personName(ctx.tx, s.submittedBy)}${version > 1 ? '修改了' : '代为提交了'}本单位的这份活动总结（第 ${version} 次提交），以下是自动核验结果。如需更正，请点“修改总结”。`
        : `${mention(s.submittedBy)} 活动总结已提交，以下是自动核验结果：`;
    await ctx.enqueue(`summary.evidence:${summaryId}:v${version}`, {
      op: 'send',
      to: { chatId: s.unitChatId },
      card: evidenceResultCard({ themeId: s.themeId, unitName: s.unitName, title: s.title, check, mentionLine }),
    });
  }
  const warns = warnCount(check);
  for (const chatId of await coordinatorChatIds(ctx.tx, ctx.config.coordinatorChatId)) {
    await ctx.enqueue(`summary.submitted:${summaryId}:v${version}:${chatId}`, {
      op: 'send',
      to: { chatId },
      card: card({
        title: `活动总结已提交 · ${s.unitName}`,
        template: warns > 0 ? 'orange' : 'green',
        elements: [
          markdown(`${field('活动主题', escapeMarkdown(s.title))}\n${version > 1 ? `第 ${version} 次提交（修改）。` : ''}证据核验：${warns > 0 ? `${warns} 项提示` : '未发现问题'}`),
          buttonRow([button('查看总结', summaryActions.view.value({ themeId: s.themeId }), { size: 'small' })]),
        ],
      }),
    });
  }
}

let defaultChecker: LinkChecker | undefined;

/** Replaces the checker used after submissions (tests point it at a local server; a deployment may tune timeouts). */
export function setDefaultLinkChecker(checker: LinkChecker | undefined): void {
  defaultChecker = checker;
}

/** After commit: fetch the links of the submitted version, then record and announce. */
export async function runLinkCheck(services: AppServices, summaryId: string, version: number, checker: LinkChecker = defaultChecker ?? services.linkChecker): Promise<void> {
  const s = await services.db.summary.findUnique({ where: { id: summaryId }, select: { links: true, version: true } });
  if (!s || s.version !== version) return;
  let results: LinkResult[] | 'skipped';
  try {
    results = await checkSummaryLinks(storedLinks(s.links), checker);
  } catch (error) {
    services.log.warn('link check failed; recorded as not checked', { summaryId, error });
    results = 'skipped';
  }
  await withContext(
    services,
    'system',
    async (ctx) => {
      const now = await ctx.tx.summary.findUnique({ where: { id: summaryId }, select: { version: true } });
      if (!now || now.version !== version) return; // a newer submission checks its own links
      const check = await recomputeEvidence(ctx.tx, summaryId, ctx.now, results);
      const announced = check && (await loadAnnounced(ctx.tx, summaryId));
      if (check && announced) await announceEvidence(ctx, announced, version, check);
    },
    { eventId: `linkcheck:${summaryId}:v${version}` },
  );
}
