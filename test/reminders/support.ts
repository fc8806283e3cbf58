// Test helpers for the reminder suite: a minimal AppServices on a real database (no Feishu: the
// outbox rows are the observable output), a small county and the 2023 campaign.
import { openDatabase, type Db } from '../../src/adapters/db/database.ts';
import type { AppServices } from '../../src/app/bot.ts';
import type { CardActionEvent, MessageEvent } from '../../src/app/events.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/app/log.ts';
import type { FeishuGateway } from '../../src/ports/feishu.ts';
import type { FileStorage } from '../../src/ports/storage.ts';
import type { Clock } from '../../src/ports/clock.ts';
import type { CardJson } from '../../cards/kit.ts';

import { buildCampaign } from '../support/kit.ts';
import type { ExportWriter, PhotoInspector } from '../../src/ports/files.ts';
import type { LinkChecker } from '../../src/ports/link-checker.ts';

export { cardText } from '../support/kit.ts';

export const COORDINATOR = 'ou_coord';
export const OFFICE_CHAT = 'oc_office';

function unreachable<T extends object>(what: string): T {
  return new Proxy({} as T, {
    get: (_t, prop) => () => {
      throw new Error(`${what}.${String(prop)} must not be called by reminders (everything goes through the outbox)`);
    },
  });
}

export function makeServices(db: Db, clock: Clock, url: string): AppServices {
  return {
    config: loadConfig({ NODE_ENV: 'test', DATABASE_URL: url, LOG_LEVEL: 'silent', COORDINATOR_OPEN_IDS: COORDINATOR, COORDINATOR_CHAT_ID: OFFICE_CHAT }),
    db,
    clock,
    gateway: unreachable<FeishuGateway>('gateway'),
    storage: unreachable<FileStorage>('storage'),
    files: unreachable<ExportWriter>('files'),
    photos: unreachable<PhotoInspector>('photos'),
    linkChecker: unreachable<LinkChecker>('linkChecker'),
    log: createLogger('silent'),
    kickOutbox: () => undefined,
  };
}

/** A second instance on the same database (its own client / connection pool). */
export async function secondInstance(url: string, clock: Clock): Promise<{ services: AppServices; close(): Promise<void> }> {
  const database = await openDatabase(url);
  return { services: makeServices(database.client, clock, url), close: () => database.close() };
}

export interface SeededUnit {
  id: string;
  name: string;
  chatId: string | null;
  liaisons: string[];
  leader: string | null;
  submissionId: string;
}

export interface Seeded {
  campaignId: string;
  units: Record<'xingsha' | 'huangxing' | 'caizheng' | 'jiaoyu', SeededUnit>;
}

/** Four units: two with groups and leaders, one department without a bound group (direct messages). */
export async function seedCounty(db: Db, opts: { year?: number; deadline?: string; launchedAt?: Date; status?: string; settings?: Record<string, unknown> } = {}): Promise<Seeded> {
  const year = opts.year ?? 2023;
  await db.coordinator.create({ data: { openId: COORDINATOR, name: '李成英' } });
  await db.groupChat.create({ data: { chatId: OFFICE_CHAT, name: '县政务公开办', status: 'coordinator' } });
  const campaign = await db.campaign.create({
    data: buildCampaign({
      year,
      settings: JSON.stringify(opts.settings ?? {}),
      launchedBy: COORDINATOR,
      ...(opts.status ? { status: opts.status } : {}),
      ...(opts.deadline ? { deadline: opts.deadline } : {}),
      ...(opts.launchedAt ? { launchedAt: opts.launchedAt } : {}),
    }),
  });
  const defs = [
    { key: 'xingsha', name: '星沙街道', kind: 'street', chatId: 'oc_xingsha', liaisons: ['ou_xs1', 'ou_xs2'], leader: 'ou_xs_leader', sortOrder: 1 },
    { key: 'huangxing', name: '黄兴镇', kind: 'town', chatId: 'oc_huangxing', liaisons: ['ou_hx1'], leader: 'ou_hx_leader', sortOrder: 2 },
    { key: 'caizheng', name: '县财政局', kind: 'department', chatId: null, liaisons: ['ou_cz1'], leader: null, sortOrder: 3 },
    { key: 'jiaoyu', name: '县教育局', kind: 'department', chatId: 'oc_jiaoyu', liaisons: ['ou_jy1'], leader: null, sortOrder: 4 },
  ] as const;
  const units = {} as Seeded['units'];
  for (const d of defs) {
    const unit = await db.unit.create({
      data: {
        name: d.name,
        kind: d.kind,
        chatId: d.chatId,
        sortOrder: d.sortOrder,
        leaderOpenId: d.leader,
        leaderName: d.leader ? `${d.name}分管领导` : null,
        liaisons: { create: d.liaisons.map((openId, i) => ({ openId, name: `${d.name}联络员${i + 1}`, role: i === 0 ? 'primary' : 'backup', phone: '13800138000' })) },
      },
    });
    if (d.chatId) await db.groupChat.create({ data: { chatId: d.chatId, name: `${d.name}工作群`, status: 'bound', unitId: unit.id } });
    const sub = await db.submission.create({ data: { campaignId: campaign.id, unitId: unit.id } });
    units[d.key] = { id: unit.id, name: d.name, chatId: d.chatId, liaisons: [...d.liaisons], leader: d.leader, submissionId: sub.id };
  }
  return { campaignId: campaign.id, units };
}

export async function submit(db: Db, unit: SeededUnit, at: Date): Promise<void> {
  await db.submission.update({ where: { id: unit.submissionId }, data: { status: 'submitted', submittedAt: at, submittedBy: unit.liaisons[0]!, version: { increment: 1 }, updatedAt: at } });
}

/** An approved theme (as the review feature leaves it), approved at `at`. */
export async function approvedTheme(db: Db, unit: SeededUnit, month: number, title: string, at: Date): Promise<string> {
  const count = await db.theme.count({ where: { submissionId: unit.submissionId } });
  const theme = await db.theme.create({
    data: { submissionId: unit.submissionId, seq: count + 1, title, month, forms: '["forum"]', intro: '活动简介', reviewStatus: 'approved' },
  });
  await db.reviewDecision.create({ data: { themeId: theme.id, themeVersion: 1, decision: 'approve', reviewerOpenId: COORDINATOR, createdAt: at } });
  return theme.id;
}

export interface OutboxView {
  key: string;
  op: string;
  target: string;
  card?: CardJson;
  text?: string;
  openIds?: string[];
  messageOfKey?: string;
}

export async function outbox(db: Db): Promise<OutboxView[]> {
  const rows = await db.outboxMessage.findMany({ orderBy: [{ createdAt: 'asc' }, { seq: 'asc' }] });
  return rows.map((r) => {
    const p = JSON.parse(r.payload) as { card?: CardJson; text?: string; openIds?: string[]; messageOfKey?: string };
    return { key: r.idempotencyKey, op: r.op, target: r.target, ...p };
  });
}

/** Reminder log rows as 'date unit kind channel status' lines. */
export async function logLines(db: Db, names: Record<string, string>, where: { date?: string } = {}): Promise<string[]> {
  const rows = await db.reminderLog.findMany({ where, orderBy: [{ date: 'asc' }, { key: 'asc' }] });
  return rows.map((r) => `${r.date} ${r.unitId ? (names[r.unitId] ?? r.unitId) : '协调人'} ${r.kind} ${r.channel} ${r.status}${r.status === 'skipped' && r.detail ? ` (${r.detail.split(':')[0]})` : ''}`).sort();
}

let eventSeq = 0;

/** A person's @主题日助手 text message in a group, as the bot's router receives it (ids unique per call). */
export function groupMessage(sender: string, chatId: string, text: string, createTime: Date): MessageEvent {
  eventSeq++;
  return {
    kind: 'message',
    eventId: `ev_t_${eventSeq}`,
    messageId: `om_t_${eventSeq}`,
    chatId,
    chatType: 'group',
    senderOpenId: sender,
    senderType: 'user',
    msgType: 'text',
    text,
    content: { text },
    mentions: [],
    mentionedBot: true,
    createTime,
  };
}

/** A click on a card button in a chat (ids unique per call). */
export function cardClick(operator: string, chatId: string, value: Record<string, unknown>): CardActionEvent {
  eventSeq++;
  return { kind: 'card_action', eventId: `ev_t_${eventSeq}`, operatorOpenId: operator, chatId, messageId: `om_t_card_${eventSeq}`, value };
}
