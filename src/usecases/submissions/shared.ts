// Helpers the submission use-cases share: loading, display formatting, refusals, and the
// themes of a submission as card view models.
import type { Tx } from '../../adapters/db/database.ts';
import type { UseCaseContext } from '../../app/bot.ts';
import { formatChineseDate, shanghaiDateTime, weekday, type CivilDate } from '../../domain/time.ts';
import type { DraftTheme } from '../../domain/submission.ts';
import { ACTIVITY_FORM_KEYS, type ActivityFormKey } from '../../domain/campaign.ts';
import { parseThemeDomains } from '../../domain/theme-domains.ts';

const WEEKDAYS = ['日', '一', '二', '三', '四', '五', '六'];

/** '2023-04-07' → '2023年4月7日（星期五）' */
export function dateText(date: CivilDate): string {
  return `${formatChineseDate(date)}（星期${WEEKDAYS[weekday(date)]}）`;
}

export function instantText(at: Date): string {
  return shanghaiDateTime(at);
}

/** A refusal: explained to the person (the returned text) and written to the audit log. */
export async function deny(ctx: UseCaseContext, action: string, entity: string, entityId: string | null, reason: string): Promise<string> {
  await ctx.audit({ action, entity, entityId, decision: 'deny', reason });
  return reason;
}

/** A person's display name from what the bot knows (liaison, coordinator), else a neutral word. */
export async function personName(tx: Tx, openId: string, unitId?: string): Promise<string> {
  if (!openId) return '系统';
  const liaison = await tx.liaison.findFirst({ where: unitId ? { openId, unitId } : { openId }, select: { name: true } });
  if (liaison) return liaison.name;
  const coordinator = await tx.coordinator.findUnique({ where: { openId }, select: { name: true } });
  if (coordinator) return coordinator.name;
  return '协调人';
}

export function parseForms(json: string): ActivityFormKey[] {
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? ACTIVITY_FORM_KEYS.filter((k) => v.includes(k)) : [];
  } catch {
    return [];
  }
}

/** The active themes of a submission, in 序号 order, as draft themes (with their ids). */
export async function activeThemes(tx: Tx, submissionId: string): Promise<DraftTheme[]> {
  const rows = await tx.theme.findMany({ where: { submissionId, state: 'active' }, orderBy: { seq: 'asc' } });
  return rows.map(draftThemeOf);
}

/** A stored theme as a draft theme: its id, its forms and domains parsed. */
export function draftThemeOf(t: { id: string; title: string; month: number; forms: string; intro: string; domains: string | null }): DraftTheme {
  return { themeId: t.id, title: t.title, month: t.month, forms: parseForms(t.forms), intro: t.intro, domains: parseThemeDomains(t.domains) };
}

/** Snapshot stored on SubmissionRevision. */
export interface RevisionSnapshot {
  status: string;
  contactName: string | null;
  contactPhone: string | null;
  late: boolean;
  themes: { themeId?: string; seq: number; title: string; month: number; forms: string[]; intro: string; domains?: string[] }[];
}

export function parseSnapshot(json: string): RevisionSnapshot | null {
  try {
    const v = JSON.parse(json) as RevisionSnapshot;
    return Array.isArray(v.themes) ? v : null;
  } catch {
    return null;
  }
}
