// Publishing the 计划安排表: freeze a version (ScheduleVersion: rows + what changed), post it to
// every unit group the first time and only to the units a later version touches, send the Excel
// to the coordinating office, and sync the campaign calendar — the last two after the commit.
import { downloadLinkFor } from '../exports/links.ts';
import { withDownloads } from '../../../cards/download.ts';
import type { CardJson } from '../../../cards/kit.ts';
import type { AppServices, UseCaseContext } from '../../app/bot.ts';
import { withContext } from '../../app/context.ts';
import { coordinatorChatIds, isCoordinator } from '../../app/access.ts';
import type { Tx } from '../../adapters/db/database.ts';
import { PLAN_DEFAULTS } from '../../domain/campaign.ts';
import { affectedUnitIds, diffSchedules, type ScheduleChange, type ScheduleRow } from '../../domain/schedule.ts';
import { formatChineseDate, shanghaiDate, shanghaiDateTime } from '../../domain/time.ts';
import { enqueueMany, type OutboxOp, type Recipient } from '../../app/outbox.ts';
import { publishedScheduleCard, scheduleChangeNoticeCard, type UnitApplication } from '../../../cards/schedule.ts';
import { maskPhone } from '../../domain/phone.ts';
import type { CampaignRow } from '../review/common.ts';
import { currentScheduleRows, latestPublished } from './rows.ts';
import { syncCalendar } from './calendar.ts';
import { closeCollection, collectionOpen } from '../campaign/stage.ts';
import { isOpenAt, lastEditableDate } from '../../domain/submission.ts';
import { stillPatchable } from '../submissions/submit.ts';
import { unitWindowUntil } from '../../domain/campaign-stage.ts';

export type PublishResult = { ok: true; version: number; rows: ScheduleRow[]; changes: ScheduleChange[]; notifiedUnitIds: string[]; scheduleVersionId: string } | { ok: false; message: string };

/** Where the coordinating office gets the whole schedule: its chats, else the publisher. */
export async function coordinatorTargets(tx: Tx, configuredChat: string | undefined, actor: string): Promise<Recipient[]> {
  const chats = await coordinatorChatIds(tx, configuredChat);
  return chats.length > 0 ? chats.map((chatId) => ({ chatId })) : [{ openId: actor }];
}

const targetKey = (t: Recipient) => ('chatId' in t ? t.chatId : t.openId);

/**
 * The next version to publish: the current rows, the last published version and what changed since,
 * or why there is nothing to publish (no approved theme, a stale preview, no change).
 */
async function nextVersion(
  tx: Tx,
  campaign: CampaignRow,
  expectedVersion?: number,
): Promise<{ ok: true; version: number; rows: ScheduleRow[]; changes: ScheduleChange[]; isFirst: boolean } | { ok: false; message: string; unchanged?: boolean }> {
  const rows = await currentScheduleRows(tx, campaign.id);
  if (rows.length === 0) return { ok: false, message: '还没有审核通过的主题，无法发布计划安排表' };
  const previous = await latestPublished(tx, campaign.id);
  const version = (previous?.version ?? 0) + 1;
  if (expectedVersion !== undefined && expectedVersion !== version) {
    return { ok: false, message: `计划安排表已发布到第 ${previous?.version ?? 0} 版，请重新发送“发布计划”查看最新变化` };
  }
  const changes = diffSchedules(previous?.rows ?? [], rows);
  if (previous && changes.length === 0) return { ok: false, message: `与第 ${previous.version} 版相比没有变化，无需重新发布`, unchanged: true };
  return { ok: true, version, rows, changes, isFirst: !previous };
}

/** The cheap part of publishing, checked while answering the click: is there anything to publish? */
export async function checkPublishable(tx: Tx, campaign: CampaignRow, expectedVersion?: number): Promise<{ ok: true; version: number } | { ok: false; message: string; unchanged?: boolean }> {
  const next = await nextVersion(tx, campaign, expectedVersion);
  return next.ok ? { ok: true, version: next.version } : next;
}

/**
 * `closeCollection`: publishing also closes 申报 (the coordinator chose so on the preview, which
 * states who has not submitted and who keeps an extension). Without it 申报 stays open and later
 * approvals join the next version as changes. Defaults to closing (the demo seed, old callers).
 */
export async function publishSchedule(ctx: UseCaseContext, campaign: CampaignRow & { deadline: string }, expectedVersion?: number, options: { calendar?: boolean; closeCollection?: boolean } = {}): Promise<PublishResult> {
  const { tx } = ctx;
  const next = await nextVersion(tx, campaign, expectedVersion);
  if (!next.ok) return { ok: false, message: next.message };
  const { version, rows, changes, isFirst } = next;

  const sv = await tx.scheduleVersion.create({
    data: { campaignId: campaign.id, version, snapshot: JSON.stringify(rows), changes: JSON.stringify(changes), publishedBy: ctx.actor, publishedAt: ctx.now },
  });
  if (options.closeCollection !== false) await closeCollection(ctx, campaign, `schedule v${version} published`);
  const title = PLAN_DEFAULTS.scheduleTitle(campaign.year);
  const at = shanghaiDateTime(ctx.now);

  // Units: all of them the first time; later only those whose rows were added/removed/moved/changed
  // get a message, and every group's plan card is brought up to date in place (below).
  // One query for the units and one write for the whole fan-out (the callback has 3 s).
  const affected = isFirst ? null : new Set(affectedUnitIds(changes));
  const units = await tx.unit.findMany({
    where: affected ? { OR: [{ id: { in: [...affected] } }, { active: true }] } : { active: true },
    select: {
      id: true,
      name: true,
      chatId: true,
      liaisons: { select: { openId: true, role: true } },
      submissions: { where: { campaignId: campaign.id }, select: { status: true, deadlineOverride: true, reopenedUntil: true, themes: { where: { state: 'active' }, select: { reviewStatus: true } } } },
    },
    orderBy: [{ sortOrder: 'asc' }, { name: 'asc' }],
  });
  const today = shanghaiDate(ctx.now);
  const items: { key: string; op: OutboxOp }[] = [];
  const notifiedUnitIds: string[] = [];
  const firstCards = isFirst ? new Map<string, { sentAt: Date; messageId: string }>() : await firstPlanCards(tx, campaign.id, units);
  for (const unit of units) {
    const own = rows.filter((r) => r.unitId === unit.id);
    const application = own.length === 0 ? { application: applicationState(campaign, unit.submissions[0], today, ctx.now) } : {};
    // The plan card the group got with the first version now shows this one (a patch pings nobody;
    // found in a Chromium pass: 38 groups still showed 第 1 版 after 第 2 版). Feishu updates a
    // message only within 14 days of sending it (stillPatchable); an older card stays as it was.
    const first = firstCards.get(unit.id);
    if (first && stillPatchable(first, ctx.now)) {
      items.push({ key: `schedule:${campaign.id}:v${version}:refresh:${unit.id}`, op: { op: 'patch', messageId: first.messageId, card: publishedScheduleCard({ title, version, publishedAt: at, rows, unit, ...application }) } });
    }
    if (affected && !affected.has(unit.id)) continue;
    const liaisonOpenIds = [...unit.liaisons]
      .sort((a, b) => (a.role === b.role ? 0 : a.role === 'primary' ? -1 : 1))
      .map((l) => l.openId)
      .filter((id): id is string => !!id);
    // Without a group, only units with activities (or changes) get the schedule, by direct message.
    if (!unit.chatId && !affected && own.length === 0) continue;
    const card = affected
      ? scheduleChangeNoticeCard({ title, version, publishedAt: at, unit, liaisonOpenIds, changes: changes.filter((c) => c.unitId === unit.id), ownRows: own })
      : publishedScheduleCard({ title, version, publishedAt: at, rows, unit, ...application });
    const key = unitCardKey(campaign.id, version, unit.id);
    if (unit.chatId) items.push({ key, op: { op: 'send', to: { chatId: unit.chatId }, card } });
    else for (const openId of liaisonOpenIds) items.push({ key: `${key}:${openId}`, op: { op: 'send', to: { openId }, card } });
    notifiedUnitIds.push(unit.id);
  }
  const coordinators = await coordinatorTargets(tx, ctx.config.coordinatorChatId, ctx.actor);
  const full = publishedScheduleCard({ title, version, publishedAt: at, rows, changes: isFirst ? undefined : changes });
  for (const to of coordinators) items.push({ key: coordinatorCardKey(campaign.id, version, to), op: { op: 'send', to, card: full } });
  await enqueueMany(tx, items, ctx.now, { coordinatorOpenIds: ctx.config.coordinatorOpenIds });

  await ctx.audit({
    action: 'schedule.publish',
    entity: 'ScheduleVersion',
    entityId: sv.id,
    after: { campaignId: campaign.id, version, rows: rows.length, changes: changes.length, notifiedUnits: notifiedUnitIds.length },
  });

  const services = ctx.services;
  const actor = ctx.actor;
  const publishedOn = shanghaiDate(ctx.now);
  const changedThemeIds = new Set(changes.map((c) => c.themeId));
  ctx.afterCommit(() => sendScheduleXlsx(services, { campaignId: campaign.id, year: campaign.year, version, rows, changes: isFirst ? [] : changes, publishedOn, targets: coordinators, actor, coordinatorCard: full, privateCopy: true }));
  if (options.calendar !== false) {
    ctx.afterCommit(async () => {
      await syncCalendar(services, { campaignId: campaign.id, year: campaign.year, title, version, rows, changedThemeIds, actor });
    });
  }
  return { ok: true, version, rows, changes, notifiedUnitIds, scheduleVersionId: sv.id };
}

/**
 * Where a unit without activities in this version stands when 申报 is still open to it (published
 * with 申报 kept open, an extension, a reopening): not yet submitted, or submitted and waiting for
 * review. Its group is told it can still take part, not only that the plan has nothing of it.
 */
export function applicationState(
  campaign: { status: string; deadline: string },
  sub: { status: string; deadlineOverride: string | null; reopenedUntil: string | null; themes: { reviewStatus: string }[] } | undefined,
  today: string,
  now: Date,
): UnitApplication | undefined {
  const facts = { campaignDeadline: campaign.deadline, deadlineOverride: sub?.deadlineOverride ?? null, reopenedUntil: sub?.reopenedUntil ?? null };
  const open = (collectionOpen(campaign.status) && isOpenAt(facts, now)) || (sub !== undefined && unitWindowUntil(sub, today) !== null);
  if (!open) return undefined;
  const until = formatChineseDate(lastEditableDate(facts));
  if (sub?.status === 'submitted') {
    if (sub.themes.some((t) => t.reviewStatus === 'pending' || t.reviewStatus === 'returned')) return { state: 'in_review', until };
    // Everything it submitted was 不采纳: said with the way back, not as final (found in a Chromium pass).
    return sub.themes.length > 0 && sub.themes.every((t) => t.reviewStatus === 'rejected') ? { state: 'not_adopted', until } : undefined;
  }
  return { state: 'not_submitted', until };
}

/** A unit's card of a version: the whole plan with version 1, a change notice to an affected unit later. */
const unitCardKey = (campaignId: string, version: number, unitId: string): string => `schedule:${campaignId}:v${version}:unit:${unitId}`;

/** The first version's plan card in each unit's group, by unit: those delivered (a later version follows soon after the first only in tests). */
async function firstPlanCards(tx: Tx, campaignId: string, units: readonly { id: string; chatId: string | null }[]): Promise<Map<string, { sentAt: Date; messageId: string }>> {
  const unitOfKey = new Map(units.filter((u) => u.chatId).map((u) => [unitCardKey(campaignId, 1, u.id), u.id]));
  const sent = await tx.outboxMessage.findMany({
    where: { idempotencyKey: { in: [...unitOfKey.keys()] }, status: 'sent', resultMessageId: { not: null } },
    select: { idempotencyKey: true, sentAt: true, resultMessageId: true },
  });
  const cards = new Map<string, { sentAt: Date; messageId: string }>();
  for (const r of sent) if (r.sentAt && r.resultMessageId) cards.set(unitOfKey.get(r.idempotencyKey)!, { sentAt: r.sentAt, messageId: r.resultMessageId });
  return cards;
}

const coordinatorCardKey = (campaignId: string, version: number, to: Recipient): string => `schedule:${campaignId}:v${version}:coord:${targetKey(to)}`;

export function scheduleFileName(year: number, version: number): string {
  return `${PLAN_DEFAULTS.scheduleTitle(year)}（第${version}版）.xlsx`;
}

/** Builds the Excel, stores it and puts the file message in the outbox (after the publish commit). */
export async function sendScheduleXlsx(
  services: AppServices,
  p: {
    campaignId: string;
    year: number;
    version: number;
    rows: ScheduleRow[];
    changes: ScheduleChange[];
    publishedOn: string;
    targets: Recipient[];
    actor: string;
    coordinatorCard?: CardJson;
    /**
     * Also send the publishing coordinator their own copy privately, with full numbers: the office
     * group's copy is masked, and otherwise the office never got the numbers (as 导出申报表 does).
     */
    privateCopy?: boolean;
  },
): Promise<void> {
  // Full numbers only in a file sent privately to a coordinator; a group gets them masked.
  const write = (masked: boolean) =>
    services.files.scheduleXlsx({
      title: PLAN_DEFAULTS.scheduleTitle(p.year),
      subtitle: `县政务公开和政务服务工作领导小组办公室\u3000第${p.version}版\u3000${formatChineseDate(p.publishedOn)}`,
      rows: masked ? p.rows.map((r) => ({ ...r, contactPhone: r.contactPhone ? maskPhone(r.contactPhone) : r.contactPhone })) : p.rows,
      changes: p.changes,
    });
  const fileName = scheduleFileName(p.year, p.version);
  // The full-number copy says so in its name: the two copies would otherwise look the same.
  const nameFor = (masked: boolean) => (masked ? fileName : fileName.replace(/\.xlsx$/, '（含完整电话）.xlsx'));
  const stored = new Map<boolean, string>();
  const maskedFor = new Map<Recipient, boolean>();
  const isCoord = (openId: string) => isCoordinator(services.db as unknown as Tx, openId, services.config.coordinatorOpenIds);
  // The publishing coordinator's private copy, unless the schedule already went to them privately.
  const privately: Recipient | undefined = p.privateCopy && !p.targets.some((t) => 'openId' in t && t.openId === p.actor) && (await isCoord(p.actor)) ? { openId: p.actor } : undefined;
  const recipients = privately ? [...p.targets, privately] : p.targets;
  for (const to of recipients) {
    const masked = 'chatId' in to || !(await isCoord(to.openId));
    maskedFor.set(to, masked);
    if (!stored.has(masked)) stored.set(masked, await services.storage.put(`schedule/${p.campaignId}/v${p.version}${masked ? '-masked' : ''}.xlsx`, await write(masked)));
  }
  await withContext(services, p.actor, async (ctx) => {
    if (privately) await ctx.enqueue(`schedule-xlsx:${p.campaignId}:v${p.version}:${targetKey(privately)}`, { op: 'file', to: privately, fileName: nameFor(false), fileType: 'xls', storedPath: stored.get(false)!, fullPhones: true });
    for (const to of p.targets) {
      const masked = maskedFor.get(to)!;
      await ctx.enqueue(`schedule-xlsx:${p.campaignId}:v${p.version}:${targetKey(to)}`, { op: 'file', to, fileName: nameFor(masked), fileType: 'xls', storedPath: stored.get(masked)!, ...(masked ? {} : { fullPhones: true }) });
      // The schedule card this recipient got with the file gains a 下载 link to its own copy (same masking).
      const link = p.coordinatorCard ? await downloadLinkFor(ctx, { storedPath: stored.get(masked)!, fileName: nameFor(masked), label: '计划安排表 Excel' }) : undefined;
      if (p.coordinatorCard && link) {
        await ctx.enqueue(`schedule-xlsx-link:${p.campaignId}:v${p.version}:${targetKey(to)}`, { op: 'patch', messageOfKey: coordinatorCardKey(p.campaignId, p.version, to), card: withDownloads(p.coordinatorCard, [link]) });
      }
    }
  });
}
