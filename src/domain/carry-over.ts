// What carries over when next year's campaign is launched (issue 10, item 4). The unit directory,
// the bound groups and the liaisons are county-wide records (Unit, GroupChat, Liaison), not
// per-campaign ones: a new year starts from them as they stand, and the launch card shows them.
// Per-campaign records are copied only when the coordinator keeps them ticked: the settings
// (reminder ladder, balance limits, 主题领域), the evaluation rubric, and — unticked by default —
// the reviewers. Submissions are never copied. Pure.
import { z } from 'zod';
import { labelled, optionKeys, type KeyOf } from './options.ts';
import { type CampaignSettings } from './campaign.ts';

export const CARRY_OPTIONS = labelled({ settings: '提醒设置与主题领域', rubric: '评分标准', reviewers: '审核人' });
export type CarryKey = KeyOf<typeof CARRY_OPTIONS>;
export const CARRY_KEYS = optionKeys(CARRY_OPTIONS);

/** Ticked on the launch card unless the coordinator unticks them; reviewers only when ticked. */
export const DEFAULT_CARRY: CarryKey[] = ['settings', 'rubric'];

/** The form component's name on the launch card. */
export const CARRY_FIELD = 'launch_carry';

const carryChoiceSchema = z.array(z.enum(CARRY_KEYS));

/**
 * The ticked options from the launch form. A card without the field (no earlier year, or an old
 * card) carries nothing; anything unknown is refused with a message.
 */
export function readCarryChoice(formValue: Record<string, unknown> | undefined): { ok: true; keys: CarryKey[] } | { ok: false; error: string } {
  const raw = formValue?.[CARRY_FIELD];
  if (raw === undefined || raw === null || raw === '') return { ok: true, keys: [] };
  const list = Array.isArray(raw) ? raw : [raw];
  const r = carryChoiceSchema.safeParse(list);
  if (!r.success) return { ok: false, error: '“沿用上年”的选项不正确，请重新发送“发起申报”' };
  return { ok: true, keys: CARRY_KEYS.filter((k) => r.data.includes(k)) };
}

const LADDER_LABELS: Record<string, string> = { group: '群内提醒', dm: '私聊联系人', urgent: '加急', leader: '抄送分管领导' };

/** One line for the launch card: when reminders go and how they escalate. */
export function reminderLadderText(s: CampaignSettings): string {
  const offsets = [...s.reminderOffsets].sort((a, b) => b - a).map((d) => (d === 0 ? '截止当天' : `前 ${d} 个工作日`));
  return `截止${offsets.join('、')} ${s.reminderTime} 提醒；逐级：${s.escalationLadder.map((x) => LADDER_LABELS[x] ?? x).join(' → ')}；每单位每周最多 ${s.maxRemindersPerUnitPerWeek} 次`;
}

export interface CarryOverFacts {
  fromYear: number;
  units: { name: string; bound: boolean; liaisons: number }[];
  settings: CampaignSettings;
  criteria: { name: string; weight: number }[];
  reviewers: { name: string }[];
}

/** The launch card's view of what carries over (formatted, ready for cards/). */
export interface CarryOverView {
  fromYear: number;
  unitCount: number;
  boundCount: number;
  liaisonUnitCount: number;
  liaisonCount: number;
  /** units still without a group or a liaison (they will not get the notice / cannot fill in) */
  unbound: string[];
  noLiaison: string[];
  ladderText: string;
  domainsText: string;
  rubricText: string;
  reviewersText: string;
  /** which options the card offers (an option with nothing to copy is left out) */
  options: { key: CarryKey; label: string }[];
  defaults: CarryKey[];
}

export function carryOverView(f: CarryOverFacts): CarryOverView {
  const options = CARRY_OPTIONS.filter((o) => (o.key === 'rubric' ? f.criteria.length > 0 : o.key === 'reviewers' ? f.reviewers.length > 0 : true)).map((o) => ({ key: o.key, label: o.label }));
  return {
    fromYear: f.fromYear,
    unitCount: f.units.length,
    boundCount: f.units.filter((u) => u.bound).length,
    liaisonUnitCount: f.units.filter((u) => u.liaisons > 0).length,
    liaisonCount: f.units.reduce((n, u) => n + u.liaisons, 0),
    unbound: f.units.filter((u) => !u.bound).map((u) => u.name),
    noLiaison: f.units.filter((u) => u.liaisons === 0).map((u) => u.name),
    ladderText: reminderLadderText(f.settings),
    domainsText: f.settings.themeDomains.length > 0 ? f.settings.themeDomains.join('、') : '（未设置）',
    rubricText: f.criteria.length > 0 ? f.criteria.map((c) => `${c.name}（${c.weight}）`).join('、') : '上年未设置，评选时使用默认标准',
    reviewersText: f.reviewers.length > 0 ? f.reviewers.map((r) => r.name).join('、') : '无',
    options,
    defaults: DEFAULT_CARRY.filter((k) => options.some((o) => o.key === k)),
  };
}

/** How an earlier year's theme went, for the liaison's reference (审核 · 举办 · 评选名次). */
export function pastResultText(r: { reviewStatus: string; held: boolean; rank?: { rank: number; tied: boolean } }): string {
  const review = r.reviewStatus === 'approved' ? '审核通过' : r.reviewStatus === 'rejected' ? '未采纳' : r.reviewStatus === 'returned' ? '退回修改未通过' : '未审核';
  const parts = [review];
  if (r.reviewStatus === 'approved') parts.push(r.held ? '已举办' : '未举办');
  if (r.rank) parts.push(`评选第 ${r.rank.rank} 名${r.rank.tied ? '（并列）' : ''}`);
  return parts.join(' · ');
}
