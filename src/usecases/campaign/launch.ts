// 发起申报: the launch card prefilled from the county plan, and the launch itself (campaign,
// a pending Submission per active unit, the notice to every bound unit group and the office).
import type { Tx } from '../../adapters/db/database.ts';
import type { UseCaseContext } from '../../app/bot.ts';
import { coordinatorChatIds } from '../../app/access.ts';
import { PLAN_DEFAULTS } from '../../domain/campaign.ts';
import { parseTypedDate } from '../../domain/submission.ts';
import { validateLaunch, type LaunchRaw } from '../../domain/launch.ts';
import { shanghaiDate, yearOf, type CivilDate } from '../../domain/time.ts';
import type { LaunchCardView } from '../../../cards/submission-launch.ts';
import { buildNoticeCard } from '../../../cards/notice.ts';
import type { CardJson } from '../../../cards/kit.ts';
import { dateText, deny } from '../submissions/shared.ts';
import { refreshProgressCards } from '../submissions/progress.ts';
import { quoteInput } from '../../domain/user-text.ts';
import { readCarryChoice } from '../../domain/carry-over.ts';
import { applyCarryOver, carryOverFor } from './carry-over.ts';

/**
 * Parses `发起申报 [2023] [截止 2023-04-07]`. The year defaults to today's, or to next year's once
 * today's plan deadline (04-07) has passed — in November the coordinator prepares next year's campaign.
 */
export function parseLaunchArgs(args: string, today: string): { year: number; deadline?: string } | { error: string } {
  const t = args.normalize('NFKC').trim();
  const yearMatch = /^(\d{4})(?:年)?(?=\s|$)/.exec(t);
  const thisYear = yearOf(today);
  const year = yearMatch ? Number(yearMatch[1]) : today > `${thisYear}-${PLAN_DEFAULTS.deadlineMonthDay}` ? thisYear + 1 : thisYear;
  if (year < 2000 || year > 2100) return { error: `年份 ${year} 不正确` };
  const rest = yearMatch ? t.slice(yearMatch[0].length).trim() : t;
  if (!rest) return { year };
  const m = /^(?:截止(?:日期|时间)?|deadline)\s*[:：]?\s*(\S+)$/.exec(rest);
  if (!m) return { error: `没看懂“${quoteInput(rest)}”。用法：发起申报 2023 截止 2023-04-07` };
  const deadline = parseTypedDate(m[1]!, year);
  if (!deadline) return { error: `截止日期“${quoteInput(m[1]!)}”格式不正确，应为 2023-04-07` };
  return { year, deadline };
}

async function unitCounts(tx: Tx): Promise<{ unitCount: number; boundCount: number }> {
  const unitCount = await tx.unit.count({ where: { active: true } });
  const boundCount = await tx.unit.count({ where: { active: true, chatId: { not: null } } });
  return { unitCount, boundCount };
}

/**
 * The launch card's defaults: the plan's values for the year. The notice is dated the plan's day
 * (3月23日), or today when launching earlier (next year's 申报 launched in December): a notice
 * that arrives dated months ahead reads as a mistake.
 */
export function defaultLaunchValues(year: number, today: CivilDate, deadline?: string): LaunchRaw {
  const planned = `${year}-${PLAN_DEFAULTS.noticeMonthDay}`;
  return {
    title: PLAN_DEFAULTS.title(year),
    noticeDate: today < planned ? today : planned,
    deadline: deadline ?? `${year}-${PLAN_DEFAULTS.deadlineMonthDay}`,
    contactName: PLAN_DEFAULTS.contactName,
    contactPhone: PLAN_DEFAULTS.contactPhone,
    contactEmail: PLAN_DEFAULTS.contactEmail,
  };
}

/**
 * Why `year` cannot be launched: it already was. `发起申报` says so at once instead of showing a
 * fresh launch form that only the confirm would refuse.
 */
export async function alreadyLaunched(tx: Tx, year: number): Promise<string | undefined> {
  const existing = await tx.campaign.findUnique({ where: { year }, select: { status: true, launchedAt: true } });
  return existing && existing.status !== 'draft' ? launchedReason(year, existing.launchedAt) : undefined;
}

function launchedReason(year: number, launchedAt: Date | null): string {
  return `${year} 年的申报${launchedAt ? `已于 ${shanghaiDate(launchedAt)} 发起` : '已发起'}，不能重复发起。可用“延期”调整截止日期，用“进度”查看各单位的提交情况。`;
}

/** What the launch card for `发起申报` shows; a draft campaign of that year keeps its values. */
export async function launchCardView(tx: Tx, year: number, today: CivilDate, deadline?: string): Promise<LaunchCardView> {
  const draft = await tx.campaign.findUnique({ where: { year } });
  const values = defaultLaunchValues(year, today, deadline);
  if (draft && draft.status === 'draft') {
    Object.assign(values, { title: draft.title, noticeDate: draft.noticeDate, deadline: deadline ?? draft.deadline, contactName: draft.contactName, contactPhone: draft.contactPhone, contactEmail: draft.contactEmail });
  }
  const carryOver = await carryOverFor(tx, year);
  return { year, values, ...(await unitCounts(tx)), ...(carryOver ? { carryOver } : {}) };
}

export function readLaunchForm(formValue: Record<string, unknown> | undefined): LaunchRaw {
  const v = formValue ?? {};
  const s = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : '');
  return {
    title: s('launch_title'),
    noticeDate: s('launch_notice_date'),
    deadline: s('launch_deadline'),
    contactName: s('launch_contact_name'),
    contactPhone: s('launch_contact_phone'),
    contactEmail: s('launch_contact_email'),
  };
}

function noticeBase(campaign: { year: number; title: string; deadline: string; noticeDate: string; contactName: string; contactPhone: string; contactEmail: string }) {
  return {
    campaignTitle: campaign.title,
    year: campaign.year,
    deadlineText: dateText(campaign.deadline),
    noticeDateText: dateText(campaign.noticeDate),
    contactName: campaign.contactName,
    contactPhone: campaign.contactPhone,
    contactEmail: campaign.contactEmail,
  };
}

/** Builds the notice for one unit (or the coordinator's copy when unit is omitted). */
export async function noticeFor(
  tx: Tx,
  campaign: { year: number; title: string; deadline: string; noticeDate: string; contactName: string; contactPhone: string; contactEmail: string },
  unit?: { id: string; name: string; submissionId: string },
  extraLine?: string,
): Promise<CardJson> {
  const liaisonNames = unit ? (await tx.liaison.findMany({ where: { unitId: unit.id, openId: { not: null } }, orderBy: { role: 'desc' } })).map((l) => l.name) : [];
  return buildNoticeCard({
    ...noticeBase(campaign),
    unit: unit ? { ...unit, liaisonNames } : undefined,
    extraLine,
  });
}

/** Sends the notice to one unit's group if it has one (used at launch and when a group is bound later). */
export async function sendUnitNotice(ctx: UseCaseContext, campaignId: string, unitId: string): Promise<boolean> {
  const campaign = await ctx.tx.campaign.findUniqueOrThrow({ where: { id: campaignId } });
  const unit = await ctx.tx.unit.findUniqueOrThrow({ where: { id: unitId } });
  if (!unit.chatId) return false;
  const sub = await ctx.tx.submission.upsert({ where: { campaignId_unitId: { campaignId, unitId } }, create: { campaignId, unitId }, update: {} });
  const card = await noticeFor(ctx.tx, campaign, { id: unit.id, name: unit.name, submissionId: sub.id });
  await ctx.enqueue(`notice:${campaignId}:${unit.id}:${unit.chatId}`, { op: 'send', to: { chatId: unit.chatId }, card });
  return true;
}

/** What the launch card's confirm did; the feature module renders the toast and the replacement card. */
export type LaunchResult =
  | { kind: 'bad_carry_choice'; error: string }
  /** the form with its errors, to show again */
  | { kind: 'invalid'; error: string; form: LaunchCardView }
  | { kind: 'refused'; text: string }
  | { kind: 'launched'; title: string; deadlineText: string; unitCount: number; noticed: number; unbound: string[]; carriedText?: string };

export async function launchCampaign(ctx: UseCaseContext, year: number, formValue: Record<string, unknown> | undefined, chatId: string): Promise<LaunchResult> {
  const raw = readLaunchForm(formValue);
  const today = shanghaiDate(ctx.now);
  const checked = validateLaunch(year, raw, today);
  const carry = readCarryChoice(formValue);
  if (!carry.ok) return { kind: 'bad_carry_choice', error: carry.error };
  if (!checked.ok) {
    await ctx.audit({ action: 'campaign.launch', entity: 'Campaign', entityId: String(year), decision: 'deny', reason: `invalid: ${Object.keys(checked.errors).join(',')}` });
    const carryOver = await carryOverFor(ctx.tx, year);
    return {
      kind: 'invalid',
      error: Object.values(checked.errors)[0] ?? '请检查填写的内容',
      form: { year, values: raw, errors: checked.errors, ...(await unitCounts(ctx.tx)), ...(carryOver ? { carryOver, carryChosen: carry.keys } : {}) },
    };
  }
  const input = checked.value;
  const existing = await ctx.tx.campaign.findUnique({ where: { year } });
  if (existing && existing.status !== 'draft') return { kind: 'refused', text: await deny(ctx, 'campaign.launch', 'Campaign', existing.id, launchedReason(year, existing.launchedAt)) };
  const data = {
    title: input.title,
    noticeDate: input.noticeDate,
    deadline: input.deadline,
    contactName: input.contactName,
    contactPhone: input.contactPhone,
    contactEmail: input.contactEmail,
    status: 'collecting',
    launchedAt: ctx.now,
    launchedBy: ctx.actor,
  };
  const campaign = existing ? await ctx.tx.campaign.update({ where: { id: existing.id }, data }) : await ctx.tx.campaign.create({ data: { year, ...data } });
  // Before the notices: nothing of last year's submissions is copied, only the ticked settings.
  const carriedText = await applyCarryOver(ctx, campaign, carry.keys);

  // Batched: a county has dozens of units and the callback must answer within 3 seconds.
  const units = await ctx.tx.unit.findMany({
    where: { active: true },
    orderBy: [{ sortOrder: 'asc' }, { name: 'asc' }],
    include: { liaisons: { where: { openId: { not: null } }, orderBy: { role: 'desc' }, select: { name: true } } },
  });
  const have = new Set((await ctx.tx.submission.findMany({ where: { campaignId: campaign.id }, select: { unitId: true } })).map((s) => s.unitId));
  const missing = units.filter((u) => !have.has(u.id));
  if (missing.length > 0) await ctx.tx.submission.createMany({ data: missing.map((u) => ({ campaignId: campaign.id, unitId: u.id, createdAt: ctx.now })) });
  const subIds = new Map((await ctx.tx.submission.findMany({ where: { campaignId: campaign.id }, select: { id: true, unitId: true } })).map((s) => [s.unitId, s.id]));
  let noticed = 0;
  const unbound: string[] = [];
  for (const unit of units) {
    if (!unit.chatId) {
      unbound.push(unit.name);
      continue;
    }
    const card = buildNoticeCard({
      ...noticeBase(campaign),
      unit: { id: unit.id, name: unit.name, submissionId: subIds.get(unit.id)!, liaisonNames: unit.liaisons.map((l) => l.name) },
    });
    await ctx.enqueue(`notice:${campaign.id}:${unit.id}:${unit.chatId}`, { op: 'send', to: { chatId: unit.chatId }, card });
    noticed++;
  }
  const officeChats = await coordinatorChatIds(ctx.tx, ctx.config.coordinatorChatId);
  const officeCopy = await noticeFor(ctx.tx, campaign);
  for (const c of new Set([...officeChats, chatId])) {
    if (c) await ctx.enqueue(`notice:${campaign.id}:office:${c}`, { op: 'send', to: { chatId: c }, card: officeCopy });
  }
  await ctx.audit({ action: 'campaign.launch', entity: 'Campaign', entityId: campaign.id, before: existing ?? undefined, after: { ...input, units: units.length, noticed, unbound } });
  await refreshProgressCards(ctx, campaign.id);
  return { kind: 'launched', title: campaign.title, deadlineText: dateText(campaign.deadline), unitCount: units.length, noticed, unbound, ...(carriedText ? { carriedText } : {}) };
}
