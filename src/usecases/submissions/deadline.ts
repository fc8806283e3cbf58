// 延期 and 重新开放: move the campaign's or one unit's deadline, or let one unit back in after it.
import type { UseCaseContext } from '../../app/bot.ts';
import { parseTypedDate } from '../../domain/submission.ts';
import { matchUnitName } from '../../domain/unit-names.ts';
import { addDays, compareDates, shanghaiDate, type CivilDate } from '../../domain/time.ts';
import { campaignYearOver, unitWindowUntil } from '../../domain/campaign-stage.ts';
import { loadCalendar } from '../reminders/shared.ts';
import type { WorkCalendar } from '../../domain/workdays.ts';
import { noticeFor } from '../campaign/launch.ts';
import { dateText } from './shared.ts';
import { noCampaignForYear, resolveCampaign, splitYearArg, type ResolvedCampaign } from '../campaign/resolve.ts';
import { refreshProgressCards } from './progress.ts';
import { postReceipt } from './submit.ts';
import { quoteInput } from '../../domain/user-text.ts';

export type CommandResult = { ok: true; text: string } | { ok: false; text: string };

/** Looks like a date (2023-13-45, 4月31日) whether or not it is one. */
const DATE_LIKE = /^(\d{4}[-/.年])?\d{1,2}[-/.月]\d{1,2}日?$/;

/** `[单位名] 日期` or `单位名 [至 日期]` → the parts; `badDate`: the last word looks like a date but is none. */
function splitUnitAndDate(args: string, year: number): { unitText: string; date: CivilDate | null; badDate?: string } {
  const parts = args
    .normalize('NFKC')
    .trim()
    .split(/\s+/)
    .filter((p) => p && p !== '至' && p !== '到');
  const last = (parts[parts.length - 1] ?? '').replace(/^(至|到)/, '');
  const date = parseTypedDate(last, year);
  if (date) return { unitText: parts.slice(0, -1).join(''), date };
  if (DATE_LIKE.test(last)) return { unitText: parts.slice(0, -1).join(''), date: null, badDate: last };
  return { unitText: parts.join(''), date: null };
}

/** 4月14日: how the examples write a date (the commands take the campaign's year). */
function monthDay(date: CivilDate): string {
  const [, m, d] = date.split('-').map(Number);
  return `${m}月${d}日`;
}

/** A date to show in an example: a week after `from`, or after today once `from` is past (a past example would be refused). */
function exampleDate(from: CivilDate, today: CivilDate): CivilDate {
  return addDays(compareDates(from, today) < 0 ? today : from, 7);
}

/** The launched campaign the command is about (this year's, or the year typed first) and the unit and date typed after it. */
async function launchedCampaign(
  ctx: UseCaseContext,
  action: string,
  typed: string,
  notLaunched: string,
): Promise<{ campaign: ResolvedCampaign; unitText: string; typedDate: CivilDate | null; today: CivilDate } | { refused: CommandResult }> {
  const { year, rest: args } = splitYearArg(typed);
  const campaign = await resolveCampaign(ctx.tx, 'collecting', { now: ctx.now, year });
  if (!campaign && year !== undefined) return { refused: await refuse(ctx, action, noCampaignForYear(year)) };
  if (!campaign || campaign.status === 'draft') return { refused: await refuse(ctx, action, notLaunched) };
  const today = shanghaiDate(ctx.now);
  // Every month of the year is past: a theme cannot be filed for it, so a new window would only
  // send units to a form that refuses them.
  if (campaignYearOver(campaign.year, today)) {
    return { refused: await refuse(ctx, action, `${campaign.year} 年已经过去，各单位已不能再申报该年度的活动，未作修改。如需开展新一年的申报，请发送“发起申报”。`) };
  }
  const { unitText, date: typedDate, badDate } = splitUnitAndDate(args, campaign.year);
  if (badDate) {
    const example = exampleDate(campaign.deadline, today);
    return { refused: await refuse(ctx, action, `“${quoteInput(badDate)}”不是有效的日期，请写成 ${monthDay(example)} 或 ${example} 这样的格式`) };
  }
  return { campaign, unitText, typedDate, today };
}

/** The one active unit the coordinator named, or the refusal saying why there is none. */
async function findUnit(ctx: UseCaseContext, action: string, typed: string): Promise<{ unit: UnitRef } | { refused: CommandResult }> {
  const units = await ctx.tx.unit.findMany({ where: { active: true }, select: { id: true, name: true, shortName: true, chatId: true } });
  const found = matchUnitName(units, typed);
  if (!found) return { refused: await refuse(ctx, action, `找不到单位“${quoteInput(typed)}”`) };
  if ('ambiguous' in found) return { refused: await refuse(ctx, action, `“${quoteInput(typed)}”对应多个单位：${found.ambiguous.map((u) => u.name).join('、')}，请写全称`) };
  return { unit: found.unit };
}

type UnitRef = { id: string; name: string; chatId: string | null };

/** A date the coordinator gave, moved to the next working day when it falls on a weekend or holiday. */
function onWorkday(calendar: WorkCalendar, date: CivilDate): { date: CivilDate; note: string } {
  const day = calendar.day(date);
  if (day.workday) return { date, note: '' };
  const next = calendar.onOrAfter(date);
  return { date: next, note: `（${date} 是${day.name}，已顺延至下一个工作日 ${dateText(next)}）` };
}

async function refuse(ctx: UseCaseContext, action: string, reason: string): Promise<CommandResult> {
  await ctx.audit({ action, entity: 'Campaign', decision: 'deny', reason });
  return { ok: false, text: reason };
}

/**
 * One unit's own window (an extension or a reopening): the submission, its revision row, the audit,
 * and the unit's group told — a submitted unit gets its receipt again, the others the notice card.
 */
async function setUnitWindow(
  ctx: UseCaseContext,
  campaign: ResolvedCampaign,
  unit: UnitRef,
  sub: { id: string; version: number; status: string; deadlineOverride: string | null; reopenedUntil: string | null },
  change: { action: 'extend' | 'reopen'; field: 'deadlineOverride' | 'reopenedUntil'; until: CivilDate; notice: string },
): Promise<void> {
  const { action, field, until } = change;
  const before = sub[field];
  await ctx.tx.submission.update({ where: { id: sub.id }, data: { [field]: until } });
  await ctx.tx.submissionRevision.upsert({
    where: { submissionId_version_action: { submissionId: sub.id, version: sub.version, action } },
    create: { submissionId: sub.id, version: sub.version, action, snapshot: JSON.stringify({ [field]: until, before }), actorOpenId: ctx.actor, createdAt: ctx.now },
    update: { snapshot: JSON.stringify({ [field]: until, before }), actorOpenId: ctx.actor },
  });
  await ctx.audit({ action: `submission.${action}`, entity: 'Submission', entityId: sub.id, before: { [field]: before }, after: { [field]: until } });
  if (!unit.chatId) return;
  if (sub.status === 'submitted') {
    // The receipt is updated in place (its deadline line, 修改/撤回 kept); that alone tells nobody.
    const shown = await postReceipt(ctx, sub.id);
    const text = `${change.notice}。本单位已提交的第 ${shown} 版申报在此之前仍可在群里的申报回执上修改或撤回。`;
    await ctx.enqueue(`${action}:${campaign.id}:${unit.id}:${until}`, { op: 'send', to: { chatId: unit.chatId }, text });
  } else {
    const card = await noticeFor(ctx.tx, { ...campaign, deadline: until }, { id: unit.id, name: unit.name, submissionId: sub.id }, change.notice);
    await ctx.enqueue(`${action}:${campaign.id}:${unit.id}:${until}`, { op: 'send', to: { chatId: unit.chatId }, card });
  }
}

/** 延期 2023-04-14 (everyone) or 延期 星沙街道 2023-04-14 (one unit). */
export async function extendDeadline(ctx: UseCaseContext, typed: string): Promise<CommandResult> {
  const launched = await launchedCampaign(ctx, 'campaign.extend', typed, '还没有发起申报，无法延期');
  if ('refused' in launched) return launched.refused;
  const { campaign, unitText, typedDate, today } = launched;
  const example = monthDay(exampleDate(campaign.deadline, today));
  if (!typedDate) return refuse(ctx, 'campaign.extend', `请写明延期到哪一天，例如：延期 ${example} 或 延期 星沙街道 ${example}`);
  if (compareDates(typedDate, today) < 0) return refuse(ctx, 'campaign.extend', `${typedDate} 已经过去，请选择今天或以后的日期`);
  const { date, note: shifted } = onWorkday(await loadCalendar(ctx.tx), typedDate);
  if (!unitText) {
    if (compareDates(date, campaign.deadline) <= 0) return refuse(ctx, 'campaign.extend', `新的截止日期应晚于当前截止日期 ${campaign.deadline}`);
    await ctx.tx.campaign.update({ where: { id: campaign.id }, data: { deadline: date } });
    await ctx.audit({ action: 'campaign.extend', entity: 'Campaign', entityId: campaign.id, before: { deadline: campaign.deadline }, after: { deadline: date } });
    const subs = await ctx.tx.submission.findMany({ where: { campaignId: campaign.id, status: { not: 'submitted' }, unit: { active: true, chatId: { not: null } } }, include: { unit: true } });
    for (const s of subs) {
      const card = await noticeFor(ctx.tx, { ...campaign, deadline: date }, { id: s.unitId, name: s.unit.name, submissionId: s.id }, `申报截止时间已延长至 ${dateText(date)}`);
      await ctx.enqueue(`extend:${campaign.id}:all:${date}:${s.unitId}`, { op: 'send', to: { chatId: s.unit.chatId! }, card });
    }
    await refreshProgressCards(ctx, campaign.id);
    return { ok: true, text: `${campaign.year}年申报：已将全部单位的申报截止日期从 ${campaign.deadline} 延长至 ${date}${shifted}，已通知 ${subs.length} 个未提交单位。` };
  }
  const found = await findUnit(ctx, 'submission.extend', unitText);
  if ('refused' in found) return found.refused;
  const unit = found.unit;
  const sub = await ctx.tx.submission.findUnique({ where: { campaignId_unitId: { campaignId: campaign.id, unitId: unit.id } } });
  if (!sub) return refuse(ctx, 'submission.extend', `${unit.name}不在本次申报范围内`);
  if (compareDates(date, campaign.deadline) <= 0) return refuse(ctx, 'submission.extend', `单位延期日期应晚于统一截止日期 ${campaign.deadline}`);
  // Never shorten what the unit already has: its extension or a reopening reaching further.
  const has = unitWindowUntil(sub, today);
  if (has && compareDates(date, has) < 0) {
    return refuse(ctx, 'submission.extend', `${unit.name}目前可提交至 ${dateText(has)}，比 ${date}${shifted} 更晚；延期不会缩短单位已有的期限，未作修改。`);
  }
  await setUnitWindow(ctx, campaign, unit, sub, { action: 'extend', field: 'deadlineOverride', until: date, notice: `县政务公开办已将${unit.name}的申报截止日期延长至 ${dateText(date)}` });
  await refreshProgressCards(ctx, campaign.id);
  return { ok: true, text: `${campaign.year}年申报：已将${unit.name}的申报截止日期延长至 ${date}${shifted}${unit.chatId ? '，已通知该单位工作群' : '（该单位未绑定工作群，请另行通知）'}。` };
}

const REOPEN_DEFAULT_WORKDAYS = 3;

/**
 * 重新开放 星沙街道 [至 2023-04-20]: one unit may submit or edit again — also after the schedule is
 * published (its approved themes then join the next version as changes). Default: three working
 * days; never shorter than what the unit already has; always ends on a working day.
 */
export async function reopenSubmission(ctx: UseCaseContext, typed: string): Promise<CommandResult> {
  const launched = await launchedCampaign(ctx, 'submission.reopen', typed, '还没有发起申报');
  if ('refused' in launched) return launched.refused;
  const { campaign, unitText, typedDate, today } = launched;
  if (!unitText) return refuse(ctx, 'submission.reopen', `请写明单位，例如：重新开放 星沙街道，或 重新开放 星沙街道 至 ${monthDay(exampleDate(today, today))}`);
  const found = await findUnit(ctx, 'submission.reopen', unitText);
  if ('refused' in found) return found.refused;
  const unit = found.unit;
  if (typedDate && compareDates(typedDate, today) < 0) return refuse(ctx, 'submission.reopen', `${typedDate} 已经过去，请选择今天或以后的日期`);
  const sub = await ctx.tx.submission.findUnique({ where: { campaignId_unitId: { campaignId: campaign.id, unitId: unit.id } } });
  if (!sub) return refuse(ctx, 'submission.reopen', `${unit.name}不在本次申报范围内`);
  // What the unit already has (the campaign deadline while it lasts, its extension, an earlier reopening).
  const campaignOpen = compareDates(campaign.deadline, today) >= 0 ? campaign.deadline : null;
  const hasOwn = unitWindowUntil(sub, today);
  const has =
    [campaignOpen, hasOwn]
      .filter((d): d is CivilDate => !!d)
      .sort(compareDates)
      .pop() ?? null;
  const calendar = await loadCalendar(ctx.tx);
  let until: CivilDate;
  let shifted = '';
  if (typedDate) {
    ({ date: until, note: shifted } = onWorkday(calendar, typedDate));
    if (has && compareDates(until, has) < 0) {
      return refuse(ctx, 'submission.reopen', `${unit.name}目前可提交至 ${dateText(has)}，比 ${until}${shifted} 更晚；重新开放不会缩短单位已有的期限，未作修改。`);
    }
  } else {
    // Default: three working days from today, or what the unit has when that reaches further.
    const byDefault = calendar.workdaysAfter(today, REOPEN_DEFAULT_WORKDAYS);
    until = has && compareDates(has, byDefault) > 0 ? has : byDefault;
  }
  if (has && compareDates(until, has) === 0) {
    const later = calendar.workdaysAfter(has, REOPEN_DEFAULT_WORKDAYS);
    return refuse(ctx, 'submission.reopen', `${unit.name}目前已可提交至 ${dateText(has)}（含当天），无需重新开放，未作修改。如需更晚，请写明日期，例如：重新开放 ${unit.name} 至 ${monthDay(later)}`);
  }
  await setUnitWindow(ctx, campaign, unit, sub, { action: 'reopen', field: 'reopenedUntil', until, notice: `县政务公开办已为${unit.name}重新开放申报，${dateText(until)}前可提交（截止后提交记为逾期）` });
  await refreshProgressCards(ctx, campaign.id);
  return { ok: true, text: `${campaign.year}年申报：已为${unit.name}重新开放申报至 ${dateText(until)}（含当天）${shifted}${unit.chatId ? '，已通知该单位工作群' : ''}。` };
}
