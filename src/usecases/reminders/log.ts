// The reminder log as the coordinator sees it: every reminder sent or skipped, with its channel
// and the final delivery status of its outbox row.
import type { Tx } from '../../adapters/db/database.ts';
import type { CardElement, CardJson } from '../../../cards/kit.ts';
import { reminderLogCard, reminderLogElements, type ReminderLogRowView } from '../../../cards/reminder.ts';
import { CHANNEL_LABELS, REMINDER_STATUS_LABELS, reminderKindLabel } from '../../domain/reminders.ts';

export const OUTBOX_STATUS_LABELS: Record<string, string> = {
  pending: '待发送',
  sending: '发送中',
  sent: '已送达',
  failed: '发送失败',
  dead: '多次重试失败',
};

export interface ReminderLogEntry {
  date: string;
  unitId: string | null;
  unitName: string;
  kind: string;
  channel: string;
  status: string;
  detail: string | null;
  outboxStatus: string | null;
  outboxError: string | null;
  createdAt: Date;
  key: string;
}

export async function listReminderLog(tx: Pick<Tx, 'reminderLog' | 'unit' | 'outboxMessage'>, campaignId: string, limit?: number): Promise<{ entries: ReminderLogEntry[]; total: number }> {
  const total = await tx.reminderLog.count({ where: { campaignId } });
  const rows = await tx.reminderLog.findMany({
    where: { campaignId },
    orderBy: [{ date: 'desc' }, { createdAt: 'desc' }, { key: 'asc' }],
    ...(limit ? { take: limit } : {}),
  });
  const unitIds = [...new Set(rows.map((r) => r.unitId).filter((id): id is string => !!id))];
  const outboxIds = [...new Set(rows.map((r) => r.outboxId).filter((id): id is string => !!id))];
  const units = new Map((await tx.unit.findMany({ where: { id: { in: unitIds } }, select: { id: true, name: true } })).map((u) => [u.id, u.name]));
  const outbox = new Map((await tx.outboxMessage.findMany({ where: { id: { in: outboxIds } }, select: { id: true, status: true, lastError: true } })).map((o) => [o.id, o]));
  const entries = rows.map((r) => {
    const o = r.outboxId ? outbox.get(r.outboxId) : undefined;
    return {
      date: r.date,
      unitId: r.unitId,
      unitName: r.unitId ? (units.get(r.unitId) ?? '（已删除单位）') : '协调人',
      kind: r.kind,
      channel: r.channel,
      status: r.status,
      detail: r.detail,
      outboxStatus: o?.status ?? null,
      outboxError: o?.lastError ?? null,
      createdAt: r.createdAt,
      key: r.key,
    };
  });
  return { entries, total };
}

function skipReason(detail: string | null): string {
  if (!detail) return '';
  if (detail.startsWith('missed')) return '停机错过';
  if (detail.startsWith('capped')) return '超出每周上限';
  if (detail.startsWith('no ')) return detail.split(':').slice(1).join(':').trim() || detail;
  return detail;
}

export function toRowView(e: ReminderLogEntry): ReminderLogRowView {
  return {
    date: e.date,
    unit: e.unitName,
    kind: reminderKindLabel(e.kind),
    channel: CHANNEL_LABELS[e.channel] ?? e.channel,
    status: e.status === 'skipped' ? `已跳过：${skipReason(e.detail)}` : (REMINDER_STATUS_LABELS[e.status] ?? e.status),
    result: e.status === 'skipped' ? '—' : e.outboxStatus ? (OUTBOX_STATUS_LABELS[e.outboxStatus] ?? e.outboxStatus) : '—',
  };
}

/** Card elements the progress card can include: the latest reminders with their delivery result. */
export async function reminderLogSection(tx: Tx, campaignId: string, limit = 10): Promise<CardElement[]> {
  const { entries, total } = await listReminderLog(tx, campaignId, limit);
  return reminderLogElements(entries.map(toRowView), total > entries.length ? `提醒记录（最近 ${entries.length} 条，共 ${total} 条）` : '提醒记录');
}

export async function reminderLogCardFor(tx: Tx, campaign: { id: string; title: string }, limit: number): Promise<CardJson> {
  const { entries, total } = await listReminderLog(tx, campaign.id, limit);
  return reminderLogCard(campaign.title, entries.map(toRowView), total);
}
