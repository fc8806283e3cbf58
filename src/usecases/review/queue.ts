// The reviewer's queue: submitted themes unit by unit, filtered, paged, with what changed since a
// theme was returned.
import type { Tx } from '../../adapters/db/database.ts';
import { unitKindLabel } from '../../domain/campaign.ts';
import { shanghaiDateTime } from '../../domain/time.ts';
import { decisionLabel, diffThemes, matchesFilter, parseFields, parseForms, type ReviewFilter } from '../../domain/review.ts';
import { THEMES_PER_PAGE, type ReviewCardVm, type ReviewThemeVm } from '../../../cards/review.ts';
import { campaignTitle, namesOf, themeContent, unitContact, type CampaignRow } from './common.ts';
import { findNearDuplicates, parseThemeDomains, type DuplicateCandidate } from '../../domain/theme-domains.ts';

const KIND_ORDER: Record<string, number> = { street: 0, town: 1, department: 2 };

export interface ReviewPosition {
  filter: ReviewFilter;
  /** the unit the reviewer was on ('' = start) */
  unitId: string;
  page: number;
  /** 'stay' keeps the unit (or the next one when it left the filter) */
  dir: 'prev' | 'next' | 'stay';
}

export interface ThemeOverride {
  themeId: string;
  draft?: { reason: string; fields: string[] };
  error?: string;
}

/** All active themes of submitted submissions in the campaign, with their unit. */
export async function loadCampaignThemes(tx: Tx, campaignId: string) {
  return tx.theme.findMany({
    where: { state: 'active', submission: { campaignId, status: 'submitted' } },
    include: {
      submission: {
        select: {
          id: true,
          unitId: true,
          contactName: true,
          contactPhone: true,
          submittedAt: true,
          unit: { select: { id: true, name: true, kind: true, sortOrder: true, liaisons: { select: { name: true, phone: true, role: true } } } },
        },
      },
    },
    orderBy: [{ seq: 'asc' }],
  });
}

/**
 * For the shown themes: the other units' active, not rejected themes in the same month with a
 * shared form and a similar title (domain/theme-domains.ts), most similar first.
 */
function nearDuplicatesByTheme(
  themes: { id: string; title: string; month: number; forms: string; reviewStatus: string; submission: { unitId: string; unit: { name: string } } }[],
  shownIds: Set<string>,
): Map<string, { other: DuplicateCandidate; similarity: number }[]> {
  const candidates = themes
    .filter((t) => t.reviewStatus !== 'rejected')
    .map((t): DuplicateCandidate => ({ themeId: t.id, unitId: t.submission.unitId, unitName: t.submission.unit.name, title: t.title, month: t.month, forms: parseForms(t.forms) }));
  const out = new Map<string, { other: DuplicateCandidate; similarity: number }[]>();
  for (const d of findNearDuplicates(candidates)) {
    for (const [mine, other] of [
      [d.a, d.b],
      [d.b, d.a],
    ] as const) {
      if (shownIds.has(mine.themeId)) out.set(mine.themeId, [...(out.get(mine.themeId) ?? []), { other, similarity: d.similarity }]);
    }
  }
  return out;
}

export async function buildReviewCard(tx: Tx, campaign: CampaignRow, pos: ReviewPosition, override?: ThemeOverride): Promise<ReviewCardVm> {
  const themes = await loadCampaignThemes(tx, campaign.id);
  const counts = { pending: 0, approved: 0, returned: 0, rejected: 0, total: themes.length };
  for (const t of themes) {
    if (t.reviewStatus in counts) counts[t.reviewStatus as 'pending']++;
  }
  const units = new Map<string, { id: string; name: string; kind: string; sortOrder: number }>();
  for (const t of themes) units.set(t.submission.unit.id, t.submission.unit);
  const ordered = [...units.values()].sort((a, b) => (KIND_ORDER[a.kind] ?? 9) - (KIND_ORDER[b.kind] ?? 9) || a.sortOrder - b.sortOrder || a.name.localeCompare(b.name, 'zh'));
  const matching = themes.filter((t) => matchesFilter({ reviewStatus: t.reviewStatus, month: t.month, forms: parseForms(t.forms), unitKind: t.submission.unit.kind }, pos.filter) || t.id === override?.themeId);
  const matchingUnitIds = new Set(matching.map((t) => t.submission.unitId));
  const list = ordered.filter((u) => matchingUnitIds.has(u.id));
  const base: ReviewCardVm = { campaignId: campaign.id, campaignTitle: campaignTitle(campaign), filter: pos.filter, counts, themes: [], page: 0, pages: 1 };
  if (list.length === 0) return base;

  // Position by the unit's place in the full order, so a unit that left the filter still anchors.
  const anchor = ordered.findIndex((u) => u.id === pos.unitId);
  let index: number;
  if (anchor < 0) index = 0;
  else {
    const rank = (u: { id: string }) => ordered.findIndex((o) => o.id === u.id);
    if (pos.dir === 'next') index = list.findIndex((u) => rank(u) > anchor);
    else if (pos.dir === 'prev') index = list.map(rank).filter((r) => r < anchor).length - 1;
    else index = list.findIndex((u) => rank(u) >= anchor);
    // Nothing before/after the anchor: stay at the nearest end.
    if (index < 0) index = pos.dir === 'prev' ? 0 : list.length - 1;
  }
  const unit = list[index]!;
  const unitThemes = matching.filter((t) => t.submission.unitId === unit.id).sort((a, b) => a.seq - b.seq);
  const pages = Math.max(1, Math.ceil(unitThemes.length / THEMES_PER_PAGE));
  const page = unit.id === pos.unitId ? Math.min(Math.max(0, pos.page), pages - 1) : 0;
  const shown = unitThemes.slice(page * THEMES_PER_PAGE, (page + 1) * THEMES_PER_PAGE);

  const similar = nearDuplicatesByTheme(themes, new Set(shown.map((t) => t.id)));
  const ids = shown.map((t) => t.id);
  const { decisions, versions, names } = await reviewRecordsOf(tx, ids);
  // Each shown theme's current version; who sent those back for review (a diff names who
  // resubmitted) is looked up only for them.
  const currentVersion = new Map(shown.map((t) => [t.id, versions.find((v) => v.themeId === t.id && v.version === t.version)]));
  const resentBy = await namesOf(
    tx,
    [...currentVersion.values()].flatMap((v) => (v && v.version > 1 ? [v.actorOpenId] : [])),
  );
  const first = unitThemes[0]!.submission;
  const contact = unitContact(first, first.unit.liaisons);

  const vmThemes: ReviewThemeVm[] = shown.map((t) => {
    const mine = decisions.filter((d) => d.themeId === t.id);
    const last = mine[mine.length - 1];
    const vm: ReviewThemeVm = {
      id: t.id,
      seq: t.seq,
      title: t.title,
      month: t.month,
      forms: parseForms(t.forms),
      intro: t.intro,
      status: t.reviewStatus,
      version: t.version,
      reason: t.reviewReason,
      fields: parseFields(t.reviewFields),
      domains: parseThemeDomains(t.domains),
      similar: (similar.get(t.id) ?? []).map((d) => ({ unitName: d.other.unitName, title: d.other.title, similarity: d.similarity })),
    };
    if (last) vm.lastDecision = { label: decisionLabel(last.decision), by: names.get(last.reviewerOpenId) ?? last.reviewerOpenId, at: shanghaiDateTime(last.createdAt), reason: last.reason };
    // What changed since the reviewer last looked: the version of the last decision (the one that
    // was returned, or the one approved before the unit edited it again). An earlier return is
    // history: measured from it, a revision approved and then overwritten read 内容未改动.
    const since = last;
    if (since && since.themeVersion < t.version) {
      const old = versions.find((v) => v.themeId === t.id && v.version === since.themeVersion);
      const current = currentVersion.get(t.id);
      if (old) {
        vm.diff = {
          fromVersion: old.version,
          changes: diffThemes(themeContent(old), themeContent(t)),
          ...(current ? { by: resentBy.get(current.actorOpenId) ?? '联系人', at: shanghaiDateTime(current.createdAt) } : {}),
        };
      }
    }
    if (override?.themeId === t.id) {
      vm.draft = override.draft;
      vm.error = override.error;
    }
    return vm;
  });
  return {
    ...base,
    unit: {
      id: unit.id,
      name: unit.name,
      kindLabel: unitKindLabel(unit.kind),
      contact: contact.phone ? `${contact.name} ${contact.phone}` : contact.name || '（未填写）',
      submittedAt: first.submittedAt ? shanghaiDateTime(first.submittedAt) : undefined,
      index,
      count: list.length,
    },
    themes: vmThemes,
    page,
    pages,
  };
}

/** The themes' review decisions (oldest first), their versions, and the reviewers' names. */
export async function reviewRecordsOf(tx: Tx, themeIds: string[]) {
  const decisions = await tx.reviewDecision.findMany({ where: { themeId: { in: themeIds } }, orderBy: { createdAt: 'asc' } });
  const versions = await tx.themeVersion.findMany({ where: { themeId: { in: themeIds } } });
  const names = await namesOf(
    tx,
    decisions.map((d) => d.reviewerOpenId),
  );
  return { decisions, versions, names };
}
