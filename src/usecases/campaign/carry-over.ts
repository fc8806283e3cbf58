// Carry-over from last year's campaign (see src/domain/carry-over.ts for what "copy" means):
// the facts the launch card shows, the copy itself at launch (audited), and a unit's earlier
// themes with their results for the liaison's form.
import type { Tx } from '../../adapters/db/database.ts';
import type { UseCaseContext } from '../../app/bot.ts';
import { parseSettings } from '../../domain/campaign.ts';
import { carryOverView, pastResultText, type CarryKey, type CarryOverView } from '../../domain/carry-over.ts';
import { storedDates } from '../../domain/summary.ts';
import { parseThemeDomains } from '../../domain/theme-domains.ts';
import type { PastThemeView } from '../../../cards/submission-form.ts';
import { parseForms } from '../submissions/shared.ts';
import { computeResults } from '../evaluation/results.ts';

/** The launched campaign of the year before, if any. */
async function previousCampaign(tx: Tx, year: number) {
  const prev = await tx.campaign.findUnique({ where: { year: year - 1 } });
  return prev && prev.status !== 'draft' ? prev : null;
}

/** What the launch card of `year` shows as carried over from year − 1, or null in a first year. */
export async function carryOverFor(tx: Tx, year: number): Promise<CarryOverView | null> {
  const prev = await previousCampaign(tx, year);
  if (!prev) return null;
  const [units, criteria, reviewers] = await Promise.all([
    tx.unit.findMany({
      where: { active: true },
      orderBy: [{ sortOrder: 'asc' }, { name: 'asc' }],
      select: { name: true, chatId: true, liaisons: { where: { openId: { not: null } }, select: { id: true } } },
    }),
    tx.evaluationCriterion.findMany({ where: { campaignId: prev.id }, orderBy: [{ sortOrder: 'asc' }, { key: 'asc' }], select: { name: true, weight: true } }),
    tx.reviewer.findMany({ where: { campaignId: prev.id }, orderBy: { createdAt: 'asc' }, select: { name: true } }),
  ]);
  return carryOverView({
    fromYear: prev.year,
    units: units.map((u) => ({ name: u.name, bound: u.chatId !== null, liaisons: u.liaisons.length })),
    settings: parseSettings(prev.settings),
    criteria,
    reviewers,
  });
}

/**
 * Copies the ticked per-campaign records of year − 1 into the campaign just launched and audits
 * what was copied and what was not. Never touches submissions. Returns one line for the answer.
 */
export async function applyCarryOver(ctx: UseCaseContext, campaign: { id: string; year: number; settings: string }, keys: CarryKey[]): Promise<string | null> {
  const prev = await previousCampaign(ctx.tx, campaign.year);
  if (!prev) return null;
  const copied: string[] = [];
  const after: Record<string, unknown> = { fromYear: prev.year, fromCampaignId: prev.id, chosen: keys };
  if (keys.includes('settings')) {
    // Parsed and re-serialised: defaults fill anything the earlier year did not set.
    const settings = JSON.stringify(parseSettings(prev.settings));
    await ctx.tx.campaign.update({ where: { id: campaign.id }, data: { settings } });
    after.settings = JSON.parse(settings) as unknown;
    copied.push('提醒设置与主题领域');
  }
  if (keys.includes('rubric') && (await ctx.tx.evaluationCriterion.count({ where: { campaignId: campaign.id } })) === 0) {
    const rows = await ctx.tx.evaluationCriterion.findMany({ where: { campaignId: prev.id } });
    if (rows.length > 0) {
      await ctx.tx.evaluationCriterion.createMany({ data: rows.map((r) => ({ campaignId: campaign.id, key: r.key, name: r.name, description: r.description, weight: r.weight, maxScore: r.maxScore, sortOrder: r.sortOrder })) });
      after.rubric = rows.map((r) => ({ key: r.key, name: r.name, weight: r.weight, maxScore: r.maxScore }));
      copied.push(`评分标准（${rows.length} 项）`);
    }
  }
  if (keys.includes('reviewers')) {
    const rows = await ctx.tx.reviewer.findMany({ where: { campaignId: prev.id } });
    const have = new Set((await ctx.tx.reviewer.findMany({ where: { campaignId: campaign.id }, select: { openId: true } })).map((r) => r.openId));
    const add = rows.filter((r) => !have.has(r.openId));
    if (add.length > 0) await ctx.tx.reviewer.createMany({ data: add.map((r) => ({ campaignId: campaign.id, openId: r.openId, name: r.name, addedBy: ctx.actor, createdAt: ctx.now })) });
    after.reviewers = add.map((r) => ({ openId: r.openId, name: r.name }));
    if (add.length > 0) copied.push(`审核人（${add.map((r) => r.name).join('、')}）`);
  }
  await ctx.audit({ action: 'campaign.carry_over', entity: 'Campaign', entityId: campaign.id, before: { settings: campaign.settings }, after });
  return copied.length > 0 ? `已沿用 ${prev.year} 年的${copied.join('、')}。` : `未沿用 ${prev.year} 年的设置，使用默认值。`;
}

/**
 * The unit's active themes of the year before `year` with how each went, for the 申报 form's
 * read-only reference. Ranks only once that year's results were announced.
 */
export async function pastThemesOf(tx: Tx, unitId: string, year: number): Promise<{ year: number; themes: PastThemeView[] } | null> {
  const prev = await previousCampaign(tx, year);
  if (!prev) return null;
  const themes = await tx.theme.findMany({
    where: { state: 'active', submission: { campaignId: prev.id, unitId } },
    orderBy: { seq: 'asc' },
    select: { id: true, title: true, month: true, scheduledMonth: true, forms: true, domains: true, intro: true, reviewStatus: true, summary: { select: { status: true, heldDates: true } } },
  });
  if (themes.length === 0) return null;
  const ranks = new Map<string, { rank: number; tied: boolean }>();
  const evaluation = await tx.evaluation.findUnique({ where: { campaignId: prev.id }, select: { status: true } });
  if (evaluation?.status === 'announced') {
    for (const r of (await computeResults(tx, prev)).results) {
      if (r.ranked.rank !== undefined) ranks.set(r.activity.themeId, { rank: r.ranked.rank, tied: r.ranked.tied });
    }
  }
  return {
    year: prev.year,
    themes: themes.map((t) => ({
      title: t.title,
      month: t.scheduledMonth ?? t.month,
      forms: parseForms(t.forms),
      domains: parseThemeDomains(t.domains),
      resultText: pastResultText({ reviewStatus: t.reviewStatus, held: t.summary?.status === 'submitted' && storedDates(t.summary.heldDates).length > 0, rank: ranks.get(t.id) }),
    })),
  };
}

/** The draft theme 以此为草稿 starts from: the earlier theme's text, forms and 领域 (server-side, by index). */
export async function pastThemeDraft(tx: Tx, unitId: string, year: number, index: number): Promise<{ title: string; month: string; forms: string[]; intro: string; domains: string[] } | null> {
  const prev = await previousCampaign(tx, year);
  if (!prev) return null;
  const themes = await tx.theme.findMany({ where: { state: 'active', submission: { campaignId: prev.id, unitId } }, orderBy: { seq: 'asc' }, select: { title: true, forms: true, intro: true, domains: true } });
  const t = themes[index];
  if (!t) return null;
  return { title: t.title, month: '', forms: parseForms(t.forms), intro: t.intro, domains: parseThemeDomains(t.domains) };
}
