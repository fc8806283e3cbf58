// Manual 催办 by the coordinator: a preview of who will be reached, then the confirmed send. The
// preview is stored (KeyValue `nudge-preview:<id>`) so the confirm button carries an opaque id; a
// second confirm of the same preview claims the same ReminderLog keys and sends nothing twice.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { UseCaseContext } from '../../app/bot.ts';
import type { CardJson } from '../../../cards/kit.ts';
import { deadlineReminderCard } from '../../../cards/reminder.ts';
import { nudgeDoneCard, nudgePreviewCard, type NudgeTargetView } from '../../../cards/nudge.ts';
import { CHANNEL_LABELS, owesSubmission, reminderKey, workdaysLeftText } from '../../domain/reminders.ts';
import { formatChineseDate, shanghaiDate, shanghaiDateTime } from '../../domain/time.ts';
import { submissionOpenValue } from './deliver.ts';
import { contactLine, liaisonNames, liaisonOpenIds, loadCalendar, loadUnitContacts, reminderSettings, type CampaignRow, type UnitContact } from './shared.ts';
import { quoteInput } from '../../domain/user-text.ts';
import { campaignYearOver, unitCanSubmitNow } from '../../domain/campaign-stage.ts';

/** Longer than any unit's name (the directory caps names well below this). */
const UNIT_NAME_MAX = 64;
/** Notes shown on the preview card (each is one element; the card has a budget). */
const NOTES_SHOWN = 10;

const PREVIEW_PREFIX = 'nudge-preview:';

const previewSchema = z.object({
  campaignId: z.string(),
  unitIds: z.array(z.string()),
  urgent: z.boolean(),
  by: z.string(),
  createdAt: z.string(),
});
type Preview = z.infer<typeof previewSchema>;

/** Splits `催办` arguments: unit names separated by spaces or Chinese punctuation, plus 加急. */
export function parseNudgeArgs(args: string): { names: string[]; urgent: boolean } {
  const tokens = args
    .split(/[\s,，、;；]+/)
    .map((t) => t.trim())
    .filter(Boolean);
  return { urgent: tokens.includes('加急'), names: tokens.filter((t) => t !== '加急') };
}

interface Target {
  unit: UnitContact;
  lastNudge: Date | null;
}

async function lastNudgeAt(ctx: UseCaseContext, campaignId: string, unitId: string, sinceHours: number): Promise<Date | null> {
  if (sinceHours <= 0) return null;
  const row = await ctx.tx.reminderLog.findFirst({
    where: { campaignId, unitId, kind: 'nudge', status: 'sent', channel: { in: ['group', 'dm'] }, createdAt: { gte: new Date(ctx.now.getTime() - sinceHours * 3_600_000) } },
    orderBy: { createdAt: 'desc' },
    select: { createdAt: true },
  });
  return row?.createdAt ?? null;
}

function channelText(unit: UnitContact, urgent: boolean): string {
  const ids = liaisonOpenIds(unit);
  if (!unit.chatId && ids.length === 0) return '无法联系（未绑定工作群，联系人未关联飞书）';
  const base = unit.chatId ? CHANNEL_LABELS.group! : CHANNEL_LABELS.dm!;
  return urgent && ids.length > 0 ? `${base} + 加急` : base;
}

async function resolveTargets(ctx: UseCaseContext, campaign: CampaignRow, unitIds: string[], cooldownHours: number): Promise<Target[]> {
  const out: Target[] = [];
  const contacts = await loadUnitContacts(ctx.tx, unitIds);
  for (const id of unitIds) {
    const unit = contacts.get(id);
    if (!unit) continue;
    out.push({ unit, lastNudge: await lastNudgeAt(ctx, campaign.id, id, cooldownHours) });
  }
  return out;
}

function previewCard(campaign: CampaignRow, previewId: string, preview: Preview, targets: Target[], notes: string[], cooldownHours: number): CardJson {
  const views: NudgeTargetView[] = targets.map((t) => ({
    unitName: t.unit.name,
    liaisons: liaisonNames(t.unit),
    channel: channelText(t.unit, preview.urgent),
    ...(t.lastNudge ? { lastNudge: shanghaiDateTime(t.lastNudge) } : {}),
  }));
  return nudgePreviewCard({ campaignTitle: campaign.title, previewId, urgent: preview.urgent, targets: views, notes, cooldownHours });
}

/**
 * Builds and stores a preview for `催办 [加急] [单位…]` (no names: every unit that has not submitted).
 * `units`: how many the preview would nudge (0: the card says why, and has nothing to confirm).
 */
export async function prepareNudge(ctx: UseCaseContext, campaign: CampaignRow, names: string[], urgent: boolean): Promise<{ card: CardJson; units: number }> {
  const settings = reminderSettings(campaign.settings, ctx.config);
  const subs = await ctx.tx.submission.findMany({
    where: { campaignId: campaign.id, unit: { active: true } },
    select: { unitId: true, status: true, deadlineOverride: true, reopenedUntil: true, unit: { select: { name: true, shortName: true, sortOrder: true } } },
  });
  subs.sort((a, b) => a.unit.sortOrder - b.unit.sortOrder || a.unit.name.localeCompare(b.unit.name, 'zh'));
  const notes: string[] = [];
  const unknown: string[] = [];
  // Once every month of the year is past nothing can be filed for it: nobody is nudged. A unit
  // whose own window has closed is nudged (the overdue list's 一键催办 asks for that), and the
  // coordinator is told that it needs 重新开放 before its liaison can submit.
  const today = shanghaiDate(ctx.now);
  const yearOver = campaignYearOver(campaign.year, today);
  const owing = subs.filter((s) => owesSubmission(s.status));
  const closedNote = (closed: string[]) =>
    `${closed.slice(0, NOTES_SHOWN).join('、')}${closed.length > NOTES_SHOWN ? ` 等 ${closed.length} 个单位` : ''}的申报已截止：联系人收到催办后，需先由你发送“重新开放 ${closed.length > 1 ? '单位名称' : closed[0]}”才能提交（截止后提交记为逾期）`;
  let chosen = yearOver ? [] : owing;
  if (yearOver) notes.push(`${campaign.year} 年已经过去，各单位已不能再申报该年度的活动，未发送催办`);
  if (names.length > 0) {
    chosen = [];
    for (const name of [...new Set(names)]) {
      // No unit is named like a paragraph: long "names" are unknown without a scan.
      const exact = name.length > UNIT_NAME_MAX ? [] : subs.filter((s) => s.unit.name === name || s.unit.shortName === name);
      const matches = exact.length > 0 || name.length > UNIT_NAME_MAX ? exact : subs.filter((s) => s.unit.name.includes(name));
      if (matches.length === 0) unknown.push(name);
      else if (matches.length > 1)
        notes.push(
          `“${quoteInput(name, 20)}”对应多个单位（${matches
            .slice(0, 5)
            .map((m) => m.unit.name)
            .join('、')}${matches.length > 5 ? ' 等' : ''}），请写全称`,
        );
      else if (!owesSubmission(matches[0]!.status)) notes.push(`${matches[0]!.unit.name} 已提交，无需催办`);
      else if (!yearOver && !chosen.includes(matches[0]!)) chosen.push(matches[0]!);
    }
  }
  const closed = chosen.filter((s) => !unitCanSubmitNow(campaign, s, ctx.now)).map((s) => s.unit.name);
  if (closed.length > 0) notes.push(closedNote(closed));
  // Echo a short, inert excerpt of what was typed: one line for all unknown names, few notes in all.
  if (unknown.length > 0) {
    const shown = unknown
      .slice(0, NOTES_SHOWN)
      .map((n) => `“${quoteInput(n, 20)}”`)
      .join('、');
    notes.unshift(`未找到单位${shown}${unknown.length > NOTES_SHOWN ? ` 等 ${unknown.length} 个` : ''}，请检查名称`);
  }
  if (notes.length > NOTES_SHOWN) notes.splice(NOTES_SHOWN, notes.length - NOTES_SHOWN, `……另有 ${notes.length - NOTES_SHOWN} 条提示未列出`);
  const previewId = createHash('sha256').update(ctx.eventId).digest('hex').slice(0, 16);
  const preview: Preview = { campaignId: campaign.id, unitIds: chosen.map((s) => s.unitId), urgent, by: ctx.actor, createdAt: ctx.now.toISOString() };
  await ctx.tx.keyValue.upsert({ where: { key: `${PREVIEW_PREFIX}${previewId}` }, create: { key: `${PREVIEW_PREFIX}${previewId}`, value: JSON.stringify(preview) }, update: {} });
  const targets = await resolveTargets(ctx, campaign, preview.unitIds, settings.nudgeCooldownHours);
  return { card: previewCard(campaign, previewId, preview, targets, notes, settings.nudgeCooldownHours), units: targets.length };
}

export type ConfirmResult = { kind: 'expired' } | { kind: 'cooldown'; card: CardJson } | { kind: 'done'; card: CardJson; sent: number };

/** Sends the previewed nudges. Without `force`, a unit nudged within the cool-down turns the answer back into a warning preview. */
export async function confirmNudge(ctx: UseCaseContext, previewId: string, force: boolean): Promise<ConfirmResult> {
  const kv = await ctx.tx.keyValue.findUnique({ where: { key: `${PREVIEW_PREFIX}${previewId}` } });
  if (!kv) return { kind: 'expired' };
  const parsed = previewSchema.safeParse(JSON.parse(kv.value));
  if (!parsed.success) return { kind: 'expired' };
  const preview = parsed.data;
  const campaign = await ctx.tx.campaign.findUnique({ where: { id: preview.campaignId } });
  if (!campaign) return { kind: 'expired' };
  const settings = reminderSettings(campaign.settings, ctx.config);
  const calendar = await loadCalendar(ctx.tx);
  const today = shanghaiDate(ctx.now);
  const yearOver = campaignYearOver(campaign.year, today);

  const done: string[] = [];
  const skipped: string[] = [];
  const fresh: Target[] = [];
  const contacts = await loadUnitContacts(ctx.tx, preview.unitIds);
  for (const unitId of preview.unitIds) {
    const key = `${reminderKey(campaign.id, unitId, 'nudge', today)}:${previewId}`;
    // This preview already confirmed for this unit: nothing to do (double click, retry).
    if (await ctx.tx.reminderLog.findUnique({ where: { key }, select: { id: true } })) continue;
    const unit = contacts.get(unitId);
    if (!unit) continue;
    const last = await lastNudgeAt(ctx, campaign.id, unitId, settings.nudgeCooldownHours);
    if (last && !force) fresh.push({ unit, lastNudge: last });
  }
  if (fresh.length > 0) {
    const targets = await resolveTargets(ctx, campaign, preview.unitIds, settings.nudgeCooldownHours);
    return { kind: 'cooldown', card: previewCard(campaign, previewId, preview, targets, [], settings.nudgeCooldownHours) };
  }

  for (const unitId of preview.unitIds) {
    const key = `${reminderKey(campaign.id, unitId, 'nudge', today)}:${previewId}`;
    if (await ctx.tx.reminderLog.findUnique({ where: { key }, select: { id: true } })) continue;
    const unit = contacts.get(unitId);
    if (!unit) continue;
    const sub = await ctx.tx.submission.findUnique({ where: { campaignId_unitId: { campaignId: campaign.id, unitId } }, select: { id: true, status: true, deadlineOverride: true } });
    if (!sub || !owesSubmission(sub.status)) {
      skipped.push(`${unit.name}（已提交）`);
      continue;
    }
    if (yearOver) {
      skipped.push(`${unit.name}（${campaign.year} 年已经过去）`);
      continue;
    }
    const ids = liaisonOpenIds(unit);
    const base = { campaignId: campaign.id, unitId, kind: 'nudge', date: today, createdAt: ctx.now };
    if (!unit.chatId && ids.length === 0) {
      await ctx.tx.reminderLog.create({ data: { ...base, key, status: 'skipped', channel: 'dm', detail: 'no channel: 未绑定工作群，联系人未关联飞书' } });
      skipped.push(`${unit.name}（无法联系）`);
      continue;
    }
    const deadline = sub.deadlineOverride ?? campaign.deadline;
    const card = deadlineReminderCard({
      campaignTitle: campaign.title,
      unitName: unit.name,
      deadlineText: formatChineseDate(deadline),
      leftText: workdaysLeftText(today, deadline, calendar),
      mentionOpenIds: ids,
      openAction: submissionOpenValue(sub.id),
      contactLine: contactLine(campaign),
      manual: true,
      urgent: preview.urgent,
    });
    const log = await ctx.tx.reminderLog.create({ data: { ...base, key, status: 'sent', channel: unit.chatId ? 'group' : 'dm', detail: `by ${ctx.actor}` }, select: { id: true } });
    const targets = unit.chatId ? [{ chatId: unit.chatId }] : ids.map((openId) => ({ openId }));
    let mainKey = '';
    let mainId = '';
    for (const to of targets) {
      const k = 'chatId' in to ? `nudge:${key}` : `nudge:${key}:dm:${to.openId}`;
      const id = await ctx.enqueue(k, { op: 'send', to, card });
      if (!mainKey) {
        mainKey = k;
        mainId = id;
      }
    }
    await ctx.tx.reminderLog.update({ where: { id: log.id }, data: { outboxId: mainId } });
    if (preview.urgent && ids.length > 0) {
      const id = await ctx.enqueue(`nudge:${key}#urgent`, { op: 'urgent', messageOfKey: mainKey, openIds: ids });
      await ctx.tx.reminderLog.create({ data: { ...base, key: `${key}#urgent`, status: 'sent', channel: 'urgent', outboxId: id, detail: `${ids.length} 位联系人` } });
    }
    done.push(unit.name);
  }
  await ctx.audit({ action: 'reminders.nudge', entity: 'Campaign', entityId: campaign.id, after: { previewId, units: done, skipped, urgent: preview.urgent, force } });
  const by = (await ctx.tx.coordinator.findUnique({ where: { openId: ctx.actor }, select: { name: true } }))?.name ?? '协调人';
  return { kind: 'done', sent: done.length, card: nudgeDoneCard(campaign.title, campaign.year, done, skipped, preview.urgent, by) };
}
