// Loading what reminder planning needs: the working-day calendar with the coordinator's
// overrides, the campaign's units and themes, and where the coordinator is reached.
import type { Tx } from '../../adapters/db/database.ts';
import type { Config } from '../../config.ts';
import type { Recipient } from '../../app/outbox.ts';
import { coordinatorChatIds } from '../../app/access.ts';
import { parseSettings, type CampaignSettings } from '../../domain/campaign.ts';
import type { PlanInput, PlanTheme, PlanUnit } from '../../domain/reminders.ts';
import { WorkCalendar } from '../../domain/workdays.ts';

export const REMINDER_ACTOR = 'system:reminders';

/** Campaign states in which reminders of some kind may go out. */
export const ACTIVE_CAMPAIGN_STATUSES = ['collecting', 'reviewing', 'scheduled', 'evaluating'];

/** The last calendar built and the overrides it was built from: reused (with its memo) while they stay the same. */
let lastCalendar: { overrides: string; calendar: WorkCalendar } | undefined;

export async function loadCalendar(tx: Pick<Tx, 'calendarOverride'>): Promise<WorkCalendar> {
  const rows = await tx.calendarOverride.findMany({ select: { date: true, isWorkday: true, note: true }, orderBy: { date: 'asc' } });
  // Every reminder tick (each minute) loads the calendar; a WorkCalendar is immutable, so the same
  // overrides give the same answers and the days it already worked out need not be redone.
  const overrides = JSON.stringify(rows);
  if (lastCalendar?.overrides !== overrides) lastCalendar = { overrides, calendar: new WorkCalendar(rows) };
  return lastCalendar.calendar;
}

export interface CampaignRow {
  id: string;
  year: number;
  title: string;
  status: string;
  deadline: string;
  noticeDate: string;
  contactName: string;
  contactPhone: string;
  settings: string;
  launchedAt: Date | null;
}

/**
 * The campaign's settings; the reminder time and grace period fall back to the deployment's
 * REMINDER_TIME / REMINDER_GRACE_HOURS when the campaign does not set them.
 */
export function reminderSettings(json: string | null | undefined, config?: Pick<Config, 'reminderTime' | 'reminderGraceHours'>): CampaignSettings {
  const settings = parseSettings(json);
  if (!config) return settings;
  let raw: Record<string, unknown> = {};
  try {
    const parsed: unknown = json ? JSON.parse(json) : {};
    if (parsed && typeof parsed === 'object') raw = parsed as Record<string, unknown>;
  } catch {
    raw = {};
  }
  return {
    ...settings,
    reminderTime: 'reminderTime' in raw ? settings.reminderTime : config.reminderTime,
    graceHours: 'graceHours' in raw ? settings.graceHours : config.reminderGraceHours,
  };
}

export async function loadPlanInput(tx: Tx, campaign: CampaignRow, config?: Pick<Config, 'reminderTime' | 'reminderGraceHours'>): Promise<{ input: PlanInput; settings: CampaignSettings }> {
  const settings = reminderSettings(campaign.settings, config);
  const launchedAt = campaign.launchedAt;
  // The units' submissions with their approved, active themes: one read.
  const submissions = await tx.submission.findMany({
    where: { campaignId: campaign.id, unit: { active: true } },
    select: {
      id: true,
      unitId: true,
      status: true,
      deadlineOverride: true,
      updatedAt: true,
      themes: {
        where: { state: 'active', reviewStatus: 'approved' },
        select: {
          id: true,
          month: true,
          scheduledMonth: true,
          updatedAt: true,
          summary: { select: { status: true } },
          decisions: { where: { decision: 'approve' }, orderBy: { createdAt: 'desc' }, take: 1, select: { createdAt: true } },
        },
      },
    },
  });
  const units: PlanUnit[] = submissions.map((s) => ({
    id: s.unitId,
    status: s.status,
    deadlineOverride: s.deadlineOverride,
    // A withdrawal or an extension re-plans the unit from that moment on.
    owingSince: launchedAt && (s.status === 'withdrawn' || s.deadlineOverride) && s.updatedAt > launchedAt ? s.updatedAt : (launchedAt ?? s.updatedAt),
  }));
  const themes: PlanTheme[] = submissions.flatMap((s) =>
    s.themes.map((t) => ({ id: t.id, unitId: s.unitId, month: t.scheduledMonth ?? t.month, approvedAt: t.decisions[0]?.createdAt ?? t.updatedAt, summarySubmitted: t.summary?.status === 'submitted' })),
  );
  return {
    settings,
    input: {
      campaign: { id: campaign.id, year: campaign.year, status: campaign.status, deadline: campaign.deadline, launchedAt },
      settings,
      units,
      themes,
    },
  };
}

/** Where messages to the coordinator go: the coordinating chats, else each coordinator directly. */
export async function coordinatorRecipients(tx: Tx, config: Config): Promise<Recipient[]> {
  const chats = await coordinatorChatIds(tx, config.coordinatorChatId);
  if (chats.length > 0) return chats.map((chatId) => ({ chatId }));
  const rows = await tx.coordinator.findMany({ select: { openId: true } });
  const ids = [...new Set([...config.coordinatorOpenIds, ...rows.map((r) => r.openId)])];
  return ids.map((openId) => ({ openId }));
}

export function recipientKey(r: Recipient): string {
  return 'chatId' in r ? r.chatId : r.openId;
}

export interface UnitContact {
  id: string;
  name: string;
  chatId: string | null;
  leaderOpenId: string | null;
  leaderName: string | null;
  liaisons: { name: string; openId: string | null; role: string }[];
}

const CONTACT_SELECT = {
  id: true,
  name: true,
  chatId: true,
  leaderOpenId: true,
  leaderName: true,
  liaisons: { select: { name: true, openId: true, role: true } },
  // the chats bound to the unit come with it: its own group is nearly always among them
  chats: { select: { chatId: true, status: true } },
} as const;

export async function loadUnitContact(tx: Tx, unitId: string): Promise<UnitContact | null> {
  const row = await tx.unit.findUnique({ where: { id: unitId }, select: CONTACT_SELECT });
  return row ? toContact(tx, row) : null;
}

/**
 * The contacts of many units in one read (three statements however many units): a reminder run
 * or a 催办 to sixty units would otherwise read each unit, its liaisons and its chats in turn.
 */
export async function loadUnitContacts(tx: Tx, unitIds: readonly string[]): Promise<Map<string, UnitContact>> {
  const out = new Map<string, UnitContact>();
  if (unitIds.length === 0) return out;
  const rows = await tx.unit.findMany({ where: { id: { in: [...new Set(unitIds)] } }, select: CONTACT_SELECT });
  for (const row of rows) out.set(row.id, await toContact(tx, row));
  return out;
}

type ContactRow = Omit<UnitContact, 'liaisons'> & { liaisons: UnitContact['liaisons']; chats: { chatId: string; status: string }[] };

async function toContact(tx: Tx, row: ContactRow): Promise<UnitContact> {
  const { chats, ...unit } = row;
  // The unit's group: its own chatId (unless the bot has left it), or a chat bound to it.
  let chatId = unit.chatId;
  if (chatId) {
    const own = chats.find((c) => c.chatId === chatId) ?? (await tx.groupChat.findUnique({ where: { chatId }, select: { status: true } }));
    if (own?.status === 'left') chatId = null;
  }
  if (!chatId) chatId = chats.find((c) => c.status === 'bound')?.chatId ?? null;
  const liaisons = [...unit.liaisons].sort((a, b) => (a.role === b.role ? 0 : a.role === 'primary' ? -1 : 1));
  return { ...unit, chatId, liaisons };
}

export function liaisonOpenIds(unit: UnitContact): string[] {
  return [...new Set(unit.liaisons.map((l) => l.openId).filter((id): id is string => !!id))];
}

export function liaisonNames(unit: UnitContact): string {
  return unit.liaisons.length > 0 ? unit.liaisons.map((l) => l.name).join('、') : '（未登记联系人）';
}

export function contactLine(campaign: Pick<CampaignRow, 'contactName' | 'contactPhone'>): string {
  return `如有疑问请联系县政务公开办 ${campaign.contactName} ${campaign.contactPhone}`;
}
