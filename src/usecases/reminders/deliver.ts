// Sends (or records as skipped) one planned reminder inside one transaction. Its ReminderLog row,
// with the reminder's unique key, is the claim: written once, with the outcome, in the same
// transaction as the outbox rows, so a recorded reminder is always queued and vice versa. Another
// instance (or an earlier run) that recorded the key first makes this insert fail on the unique
// index, and the transaction rolls back with nothing enqueued.
import type { Tx } from '../../adapters/db/database.ts';
import type { UseCaseContext } from '../../app/bot.ts';
import type { Recipient } from '../../app/outbox.ts';
import { deadlineReminderCard, leaderEscalationCard, monthReminderCard } from '../../../cards/reminder.ts';
import { overdueCard, weeklyDigestCard } from '../../../cards/digest.ts';
import { submissionActions } from '../../../cards/actions.ts';
import type { ActionValue } from '../../../cards/kit.ts';
import { PLAN_DEFAULTS, type CampaignSettings } from '../../domain/campaign.ts';
import { deadlineChannels, isCappedKind, isoWeekStart, owesSubmission, workdaysLeftText, type PlannedReminder, type ReminderChannel } from '../../domain/reminders.ts';
import { addDays, formatChineseDate, type CivilDate } from '../../domain/time.ts';
import type { WorkCalendar } from '../../domain/workdays.ts';
import { contactLine, coordinatorRecipients, liaisonOpenIds, loadUnitContact, recipientKey, type CampaignRow, type UnitContact } from './shared.ts';

/** The card button that opens the submission form. */
export function submissionOpenValue(submissionId: string): ActionValue {
  return submissionActions.open.value({ submissionId });
}

export interface DeliveryEnv {
  campaign: CampaignRow;
  settings: CampaignSettings;
  calendar: WorkCalendar;
  /** the units' contacts as the run read them; a unit not among them is read here */
  contacts?: ReadonlyMap<string, UnitContact>;
}

export type DeliveryOutcome = 'sent' | 'skipped' | 'not-applicable';

interface LogRow {
  key: string;
  unitId: string | null;
  kind: string;
  date: CivilDate;
  status: 'sent' | 'skipped';
  channel: ReminderChannel;
  detail?: string;
  outboxId?: string | null;
}

/**
 * Writes a reminder's row, its claim (see the header), once, with the outcome; a reminder that no
 * longer applies writes nothing. SQLite's BEGIN IMMEDIATE already holds the write lock; on
 * PostgreSQL a concurrent delivery of the same reminder waits on the outbox row's unique key, then
 * fails here.
 */
async function writeLog(ctx: UseCaseContext, campaignId: string, row: LogRow): Promise<string> {
  const created = await ctx.tx.reminderLog.create({
    data: {
      key: row.key,
      campaignId,
      unitId: row.unitId,
      kind: row.kind,
      date: row.date,
      status: row.status,
      channel: row.channel,
      detail: row.detail ?? null,
      outboxId: row.outboxId ?? null,
      createdAt: ctx.now,
    },
    select: { id: true },
  });
  return created.id;
}

/** Records a reminder that was due while the server was down, longer ago than the grace period. */
export async function recordMissed(ctx: UseCaseContext, item: PlannedReminder): Promise<void> {
  await writeLog(ctx, item.campaignId, { key: item.key, unitId: item.unitId, kind: item.kind, date: item.date, status: 'skipped', channel: item.unitId ? 'group' : 'coordinator', detail: 'missed: server down' });
}

/**
 * What the unit already got, besides this reminder (main rows only): the automatic reminders of
 * the reminder's ISO week (the weekly cap) and, for a deadline reminder, the deadline reminders of
 * the campaign (the ladder's position). One read serves both.
 */
async function remindersSent(tx: Tx, item: PlannedReminder & { unitId: string }): Promise<{ thisWeek: number; deadline: number }> {
  const start = isoWeekStart(item.date);
  const end = addDays(start, 6);
  const inWeek = { date: { gte: start, lte: end } };
  const ofDeadline = { kind: { startsWith: 'deadline-' } };
  const rows = await tx.reminderLog.findMany({
    where: { campaignId: item.campaignId, unitId: item.unitId, status: 'sent', key: { not: item.key }, ...(isDeadlineKind(item.kind) ? { OR: [inWeek, ofDeadline] } : inWeek) },
    select: { key: true, kind: true, date: true },
  });
  const main = rows.filter((r) => !r.key.includes('#'));
  return {
    thisWeek: main.filter((r) => r.date >= start && r.date <= end && isCappedKind(r.kind)).length,
    deadline: main.filter((r) => isDeadlineKind(r.kind)).length,
  };
}

function isDeadlineKind(kind: string): boolean {
  return kind.startsWith('deadline-');
}

export async function deliverReminder(ctx: UseCaseContext, env: DeliveryEnv, item: PlannedReminder): Promise<DeliveryOutcome> {
  if (item.unitId === null) return deliverToCoordinator(ctx, env, item);
  const unitId = item.unitId;
  const { tx } = ctx;

  // Re-check inside the transaction: a unit that just submitted gets nothing.
  let submissionId = '';
  if (isDeadlineKind(item.kind)) {
    const sub = await tx.submission.findUnique({ where: { campaignId_unitId: { campaignId: item.campaignId, unitId } }, select: { id: true, status: true } });
    if (!sub || !owesSubmission(sub.status)) return 'not-applicable';
    submissionId = sub.id;
  }
  let themes: { id: string; title: string; month: number; scheduledMonth: number | null }[] = [];
  if (item.themeIds) {
    // Only month-start concerns themes whose summary is already in; the filter is part of the read.
    const summaryOwed = item.kind === 'month-start' ? {} : { OR: [{ summary: null }, { summary: { status: { not: 'submitted' } } }] };
    themes = await tx.theme.findMany({
      where: { id: { in: item.themeIds }, state: 'active', reviewStatus: 'approved', ...summaryOwed },
      select: { id: true, title: true, month: true, scheduledMonth: true },
      orderBy: { seq: 'asc' },
    });
    if (themes.length === 0) return 'not-applicable';
  }

  const unit = env.contacts?.get(unitId) ?? (await loadUnitContact(tx, unitId));
  if (!unit) return 'not-applicable';

  const capped = isCappedKind(item.kind);
  const sent = capped || isDeadlineKind(item.kind) ? await remindersSent(tx, { ...item, unitId }) : { thisWeek: 0, deadline: 0 };
  if (capped && sent.thisWeek >= env.settings.maxRemindersPerUnitPerWeek) {
    await writeLog(ctx, item.campaignId, {
      key: item.key,
      unitId,
      kind: item.kind,
      date: item.date,
      status: 'skipped',
      channel: unit.chatId ? 'group' : 'dm',
      detail: `capped: 本周已提醒 ${sent.thisWeek} 次（上限 ${env.settings.maxRemindersPerUnitPerWeek} 次）`,
    });
    return 'skipped';
  }

  const liaisons = liaisonOpenIds(unit);
  const mainChannel: ReminderChannel = unit.chatId ? 'group' : 'dm';
  if (!unit.chatId && liaisons.length === 0) {
    await writeLog(ctx, item.campaignId, { key: item.key, unitId, kind: item.kind, date: item.date, status: 'skipped', channel: 'dm', detail: 'no channel: 未绑定工作群，联系人未关联飞书' });
    return 'skipped';
  }

  // The reminder's record (its claim) is written with the main message's outbox row, after it.
  const recordSent = (outboxId: string) => writeLog(ctx, item.campaignId, { key: item.key, unitId, kind: item.kind, date: item.date, status: 'sent', channel: mainChannel, outboxId });

  if (isDeadlineKind(item.kind)) {
    const sentBefore = sent.deadline;
    const channels = deadlineChannels(sentBefore, item.isLast === true, env.settings, unit.chatId !== null);
    const deadline = item.deadline ?? env.campaign.deadline;
    const leftText = workdaysLeftText(item.date, deadline, env.calendar);
    const view = {
      campaignTitle: env.campaign.title,
      unitName: unit.name,
      deadlineText: formatChineseDate(deadline),
      leftText,
      mentionOpenIds: liaisons,
      openAction: submissionOpenValue(submissionId),
      contactLine: contactLine(env.campaign),
      urgent: channels.includes('urgent'),
    };
    const main = await sendMain(ctx, item, unit, liaisons, deadlineReminderCard(view));
    await recordSent(main.outboxId);
    await sendExtras(ctx, item, unit, liaisons, channels, main.key, { ...view, remindersSent: sentBefore });
  } else {
    const kind = item.kind === 'month-start' ? 'month-start' : item.kind === 'month-end' ? 'month-end' : 'summary-due';
    const offset = /^summary-due-(\d+)$/.exec(item.kind)?.[1];
    const cardJson = monthReminderCard({
      kind,
      unitName: unit.name,
      month: item.month ?? 0,
      mentionOpenIds: liaisons,
      themes: themes.map((t) => ({ themeId: t.id, title: t.title, monthText: `${t.scheduledMonth ?? t.month}月`, summaryButton: true })),
      requirements: PLAN_DEFAULTS.requirements,
      ...(offset ? { dueText: `活动月结束后第 ${offset} 个工作日` } : {}),
    });
    const main = await sendMain(ctx, item, unit, liaisons, cardJson);
    await recordSent(main.outboxId);
  }
  return 'sent';
}

/** The group @ message (or direct messages when the unit has no bound group); returns the first send's key and outbox row. */
async function sendMain(ctx: UseCaseContext, item: PlannedReminder, unit: UnitContact, liaisons: string[], cardJson: ReturnType<typeof deadlineReminderCard>): Promise<{ key: string; outboxId: string }> {
  const targets: Recipient[] = unit.chatId ? [{ chatId: unit.chatId }] : liaisons.map((openId) => ({ openId }));
  let firstKey = '';
  let firstId = '';
  for (const to of targets) {
    const key = unit.chatId ? `rem:${item.key}` : `rem:${item.key}:dm:${recipientKey(to)}`;
    const id = await ctx.enqueue(key, { op: 'send', to, card: cardJson });
    if (!firstKey) {
      firstKey = key;
      firstId = id;
    }
  }
  return { key: firstKey, outboxId: firstId };
}

async function sendExtras(
  ctx: UseCaseContext,
  item: PlannedReminder,
  unit: UnitContact,
  liaisons: string[],
  channels: ReminderChannel[],
  mainKey: string,
  view: Parameters<typeof deadlineReminderCard>[0] & { remindersSent: number },
): Promise<void> {
  const base = { unitId: unit.id, kind: item.kind, date: item.date };
  if (channels.includes('dm') && unit.chatId) {
    let first: string | null = null;
    for (const openId of liaisons) {
      const id = await ctx.enqueue(`rem:${item.key}#dm:${openId}`, { op: 'send', to: { openId }, card: deadlineReminderCard({ ...view, mentionOpenIds: [] }) });
      first ??= id;
    }
    await writeLog(
      ctx,
      item.campaignId,
      first
        ? { ...base, key: `${item.key}#dm`, status: 'sent', channel: 'dm', outboxId: first, detail: `${liaisons.length} 位联系人` }
        : { ...base, key: `${item.key}#dm`, status: 'skipped', channel: 'dm', detail: 'no liaison open_id: 联系人未关联飞书' },
    );
  }
  if (channels.includes('urgent')) {
    if (liaisons.length > 0) {
      const id = await ctx.enqueue(`rem:${item.key}#urgent`, { op: 'urgent', messageOfKey: mainKey, openIds: liaisons });
      await writeLog(ctx, item.campaignId, { ...base, key: `${item.key}#urgent`, status: 'sent', channel: 'urgent', outboxId: id, detail: `${liaisons.length} 位联系人` });
    } else {
      await writeLog(ctx, item.campaignId, { ...base, key: `${item.key}#urgent`, status: 'skipped', channel: 'urgent', detail: 'no liaison open_id: 联系人未关联飞书' });
    }
  }
  if (channels.includes('leader')) {
    const escalation = leaderEscalationCard({
      campaignTitle: view.campaignTitle,
      unitName: unit.name,
      deadlineText: view.deadlineText,
      leftText: view.leftText,
      remindersSent: view.remindersSent,
      liaisonNames: unit.liaisons.map((l) => l.name),
      ...(unit.leaderOpenId ? { leaderOpenId: unit.leaderOpenId } : {}),
    });
    if (unit.leaderOpenId) {
      const id = await ctx.enqueue(`rem:${item.key}#leader`, { op: 'send', to: { openId: unit.leaderOpenId }, card: escalation });
      await writeLog(ctx, item.campaignId, { ...base, key: `${item.key}#leader`, status: 'sent', channel: 'leader', outboxId: id, detail: unit.leaderName ?? '' });
    } else {
      await writeLog(ctx, item.campaignId, { ...base, key: `${item.key}#leader`, status: 'skipped', channel: 'leader', detail: 'no leader: 未登记分管领导飞书账号' });
    }
    if (channels.includes('coordinator')) {
      const recipients = await coordinatorRecipients(ctx.tx, ctx.config);
      let first: string | null = null;
      for (const to of recipients) {
        const id = await ctx.enqueue(`rem:${item.key}#coord:${recipientKey(to)}`, { op: 'send', to, card: escalation });
        first ??= id;
      }
      await writeLog(
        ctx,
        item.campaignId,
        first ? { ...base, key: `${item.key}#coordinator`, status: 'sent', channel: 'coordinator', outboxId: first } : { ...base, key: `${item.key}#coordinator`, status: 'skipped', channel: 'coordinator', detail: 'no coordinator chat' },
      );
    }
  }
}

async function deliverToCoordinator(ctx: UseCaseContext, env: DeliveryEnv, item: PlannedReminder): Promise<DeliveryOutcome> {
  const { tx } = ctx;
  const subs = await tx.submission.findMany({
    where: { campaignId: item.campaignId, unit: { active: true } },
    select: { unitId: true, status: true, unit: { select: { name: true, sortOrder: true, liaisons: { select: { name: true, role: true } } } } },
  });
  subs.sort((a, b) => a.unit.sortOrder - b.unit.sortOrder || a.unit.name.localeCompare(b.unit.name, 'zh'));
  let cardJson;
  if (item.kind === 'digest') {
    const missing = subs.filter((s) => owesSubmission(s.status));
    cardJson = weeklyDigestCard({
      campaignTitle: env.campaign.title,
      campaignId: item.campaignId,
      dateText: formatChineseDate(item.date),
      deadlineText: formatChineseDate(env.campaign.deadline),
      leftText: workdaysLeftText(item.date, env.campaign.deadline, env.calendar, 'coordinator'),
      submitted: subs.filter((s) => s.status === 'submitted').length,
      pending: missing.length,
      total: subs.length,
      missingUnits: missing.map((s) => s.unit.name),
    });
  } else {
    const wanted = new Set(item.unitIds ?? []);
    const missing = subs.filter((s) => wanted.has(s.unitId) && owesSubmission(s.status));
    if (missing.length === 0) return 'not-applicable';
    cardJson = overdueCard({
      campaignTitle: env.campaign.title,
      campaignId: item.campaignId,
      deadlineText: formatChineseDate(item.deadline ?? env.campaign.deadline),
      missing: missing.map((s) => ({ name: s.unit.name, liaisons: s.unit.liaisons.map((l) => l.name).join('、') || '未登记联系人' })),
    });
  }
  const recipients = await coordinatorRecipients(tx, ctx.config);
  if (recipients.length === 0) {
    await writeLog(ctx, item.campaignId, { key: item.key, unitId: null, kind: item.kind, date: item.date, status: 'skipped', channel: 'coordinator', detail: 'no coordinator chat' });
    return 'skipped';
  }
  let first: string | null = null;
  for (const to of recipients) {
    const id = await ctx.enqueue(`rem:${item.key}:${recipientKey(to)}`, { op: 'send', to, card: cardJson });
    first ??= id;
  }
  await writeLog(ctx, item.campaignId, { key: item.key, unitId: null, kind: item.kind, date: item.date, status: 'sent', channel: 'coordinator', outboxId: first });
  return 'sent';
}
