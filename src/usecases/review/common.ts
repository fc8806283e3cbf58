// Loading helpers shared by the review and schedule use-cases.
import type { Tx } from '../../adapters/db/database.ts';
import type { UseCaseContext } from '../../app/bot.ts';
import { coordinatorChatIds } from '../../app/access.ts';
import type { CardJson } from '../../../cards/kit.ts';
import { PLAN_DEFAULTS } from '../../domain/campaign.ts';
import { campaignFor } from '../campaign/resolve.ts';
import { parseForms, type ThemeContent } from '../../domain/review.ts';

export interface CampaignRow {
  id: string;
  year: number;
  title: string;
  status: string;
  settings: string;
}

export function campaignTitle(c: { year: number; title: string }): string {
  return c.title || PLAN_DEFAULTS.title(c.year);
}

/**
 * Display names for open_ids, a coordinator's name first, then a reviewer's, then a liaison's;
 * unknown ids stay as they are. Each table is asked only for the ids still unnamed, so naming the
 * coordinator who decided (the usual case) is one read.
 */
export async function namesOf(tx: Tx, openIds: readonly string[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const unnamed = () => [...new Set(openIds.filter((id) => id && !names.has(id)))];
  const lookups = [
    (ids: string[]) => tx.coordinator.findMany({ where: { openId: { in: ids } }, select: { openId: true, name: true } }),
    (ids: string[]) => tx.reviewer.findMany({ where: { openId: { in: ids } }, select: { openId: true, name: true } }),
    (ids: string[]) => tx.liaison.findMany({ where: { openId: { in: ids } }, select: { openId: true, name: true } }),
  ];
  for (const lookup of lookups) {
    const ids = unnamed();
    if (ids.length === 0) break;
    for (const r of await lookup(ids)) if (r.openId && !names.has(r.openId)) names.set(r.openId, r.name);
  }
  return names;
}

export function themeContent(t: { title: string; month: number; forms: string; intro: string }): ThemeContent {
  return { title: t.title, month: t.month, forms: parseForms(t.forms), intro: t.intro };
}

/** The unit's contact: the submission's 联系人 when given, else its primary liaison. */
export function unitContact(submission: { contactName: string | null; contactPhone: string | null }, liaisons: readonly { name: string; phone: string | null; role: string }[]): { name: string; phone: string } {
  if (submission.contactName) return { name: submission.contactName, phone: submission.contactPhone ?? '' };
  const primary = liaisons.find((l) => l.role === 'primary') ?? liaisons[0];
  return { name: primary?.name ?? '', phone: primary?.phone ?? '' };
}

/** Where a unit is told things: its bound group, else its liaisons one by one. */
export async function unitRecipients(tx: Tx, unitId: string): Promise<{ chatId?: string; liaisonOpenIds: string[] }> {
  const unit = await tx.unit.findUnique({ where: { id: unitId }, select: { chatId: true, liaisons: { select: { openId: true, role: true } } } });
  const liaisonOpenIds = (unit?.liaisons ?? [])
    .sort((a, b) => (a.role === b.role ? 0 : a.role === 'primary' ? -1 : 1))
    .map((l) => l.openId)
    .filter((id): id is string => !!id);
  return { chatId: unit?.chatId ?? undefined, liaisonOpenIds };
}

/**
 * The campaign a review command or button is about: a theme's own campaign (a decision on a 2026
 * theme stays in 2026), else the card's, else the year typed, else the reviewing rule.
 */
export async function reviewCampaign(tx: Tx, pick: { now: Date; year?: number; themeId?: string; campaignId?: string }) {
  const theme = pick.themeId ? await tx.theme.findUnique({ where: { id: pick.themeId }, select: { submission: { select: { campaign: true } } } }) : null;
  if (theme) return theme.submission.campaign;
  return campaignFor(tx, 'reviewing', pick);
}

/** A unit typed after 审核 (full name, short name, or part of the name). */
export async function unitByTypedName(tx: Tx, name: string): Promise<{ id: string } | null> {
  // No unit name is this long; a huge LIKE pattern would also exceed SQLite's pattern limit.
  if (!name || name.length > 64) return null;
  return tx.unit.findFirst({ where: { OR: [{ name }, { shortName: name }, { name: { contains: name } }] }, select: { id: true } });
}

/**
 * A card for the coordinating office: into its group(s), or, with none configured, to the
 * coordinators and the campaign's reviewers directly. One outbox row per recipient (`key:recipient`).
 */
export async function sendToOffice(ctx: UseCaseContext, campaignId: string, key: string, card: CardJson): Promise<void> {
  const chats = await coordinatorChatIds(ctx.tx, ctx.config.coordinatorChatId);
  if (chats.length > 0) {
    for (const chatId of chats) await ctx.enqueue(`${key}:${chatId}`, { op: 'send', to: { chatId }, card });
    return;
  }
  const people = new Set(ctx.config.coordinatorOpenIds);
  for (const c of await ctx.tx.coordinator.findMany({ select: { openId: true } })) people.add(c.openId);
  for (const r of await ctx.tx.reviewer.findMany({ where: { campaignId }, select: { openId: true } })) people.add(r.openId);
  for (const openId of people) await ctx.enqueue(`${key}:${openId}`, { op: 'send', to: { openId }, card });
}
