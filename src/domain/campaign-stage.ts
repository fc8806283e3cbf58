// The campaign's stage machine: where the year stands (申报 → 审核 → 计划发布 → 活动举办 → 总结 →
// 评选 → 结束), which commands make sense in each stage, and what closing 申报 means before it
// happens. Pure: the stored status, today's date and the published months come in as facts.
import { compareDates, formatChineseDate, shanghaiDate, type CivilDate } from './time.ts';
import { keysOf } from './options.ts';
import { firstAllowedMonth, isOpenAt } from './submission.ts';

/** The stages in workflow order; 'draft' is before launch. */
export const STAGE_LABELS = { draft: '未发起', collecting: '申报中', reviewing: '审核中', scheduled: '计划已发布', holding: '活动举办中', summarising: '活动总结', evaluating: '评选中', closed: '已结束' } satisfies Record<string, string>;
export type CampaignStage = keyof typeof STAGE_LABELS;
export const CAMPAIGN_STAGES = keysOf(STAGE_LABELS);

/** What the coordinator does next in each stage (shown on 进度 and in 帮助). */
export const STAGE_NEXT_STEP: Record<CampaignStage, string> = {
  draft: '发送“发起申报”通知各单位申报主题。',
  collecting: '各单位在截止日前提交申报；可“审核”已提交的主题，“催办”未提交的单位。',
  reviewing: '继续“审核”；截止日过后“发布计划”（发布时确认是否截止申报）。',
  scheduled: '各单位按计划月份举办活动；如需补报，可“重新开放”某个单位。',
  holding: '各单位举办活动后填写“总结”；用“总结进度”查看齐全情况。',
  summarising: '全部活动月份已过：催齐“总结”后“开启评选”。',
  evaluating: '评委“评分”；用“评选进度”查看排名，确认后发布结果。',
  closed: '本年度活动已结束，可导出各类材料存档。',
};

/** The same for a unit's liaison. */
export const STAGE_NEXT_STEP_LIAISON: Record<CampaignStage, string> = {
  draft: '今年的主题申报还没有开始，请等待县政务公开办的通知。',
  collecting: '截止日前“填写申报表”提交本单位的主题；截止前可修改或撤回。',
  reviewing: '截止日前“填写申报表”提交本单位的主题；退回修改的主题请按意见修改。',
  scheduled: '按计划安排表的月份举办活动。',
  holding: '活动举办后发送“总结”填写活动总结、上传照片（含 LOGO 照片）。',
  summarising: '全部活动月份已过，请尽快完成“总结”。',
  evaluating: '评选进行中，结果由县政务公开办公布。',
  closed: '本年度活动已结束。',
};

/**
 * The next step, by role. A schedule published while 申报 stays open (collecting or reviewing with
 * a published version) says so: the plan is out and units may still submit, which the bare stage
 * (申报中 / 审核中) alone would not tell.
 */
export function nextStep(stage: CampaignStage, role: 'coordinator' | 'liaison', publishedWhileOpen: boolean): string {
  if (publishedWhileOpen) {
    return role === 'coordinator'
      ? '计划安排表已发布，申报仍开放：继续“审核”新提交的主题，再次“发布计划”时只通知受影响的单位；截止后“发布计划”时可截止申报。'
      : '计划安排表已发布：入选的活动按计划月份举办、举办后填写“总结”；尚未申报的单位仍可在截止日前“填写申报表”。';
  }
  return (role === 'coordinator' ? STAGE_NEXT_STEP : STAGE_NEXT_STEP_LIAISON)[stage];
}

/** Stored Campaign.status values (the schema keeps these; holding/summarising are derived). */
const STORED = new Set(['draft', 'collecting', 'reviewing', 'scheduled', 'evaluating', 'closed']);

export interface StageFacts {
  /** Campaign.status */
  status: string;
  /** the campaign's year */
  year: number;
  today: CivilDate;
  /** the campaign's deadline for 申报 (units' own extensions aside) */
  deadline?: CivilDate;
  /** months (1-12) of the activities in the latest published schedule */
  scheduledMonths: readonly number[];
}

/**
 * The stage of a campaign. After publication the stage follows the calendar: before the first
 * activity month it is 'scheduled', while activity months remain 'holding', once the last
 * activity month is over 'summarising' (until evaluation opens).
 */
export function campaignStage(f: StageFacts): CampaignStage {
  const status = STORED.has(f.status) ? f.status : 'draft';
  // The first decision marks a campaign 'reviewing', but until the deadline 申报 is what is going
  // on (a Chromium pass: units were told 【审核中】 with 39 of 40 still to submit). 申报中 already
  // offers 审核 to the coordinator.
  if (status === 'reviewing' && f.deadline !== undefined && f.today <= f.deadline) return 'collecting';
  if (status !== 'scheduled') return status as CampaignStage;
  if (f.scheduledMonths.length === 0) return 'scheduled';
  const year = Number(f.today.slice(0, 4));
  const month = year < f.year ? 0 : year > f.year ? 13 : Number(f.today.slice(5, 7));
  const first = Math.min(...f.scheduledMonths);
  const last = Math.max(...f.scheduledMonths);
  if (month < first) return 'scheduled';
  if (month <= last) return 'holding';
  return 'summarising';
}

/**
 * Where the stage sits in the workflow, for a "① 申报 → ② 审核 …" strip (未发起 leads it only before a
 * launch). A plan published while 申报 stays open is marked as published, with 申报 still open (found
 * in a Chromium pass: the strip said 【审核中】 beside "计划安排表已发布").
 */
export function stageStrip(stage: CampaignStage, publishedWhileOpen = false): string {
  const current: CampaignStage = publishedWhileOpen ? 'scheduled' : stage;
  return CAMPAIGN_STAGES.filter((s) => s !== 'draft' || current === 'draft')
    .map((s) => (s === current ? `**【${stageLabel(stage, publishedWhileOpen)}】**` : STAGE_LABELS[s]))
    .join(' → ');
}

/** The current stage's name wherever it is shown (帮助 and 进度's strip, the web console). */
export function stageLabel(stage: CampaignStage, publishedWhileOpen = false): string {
  return publishedWhileOpen ? `${STAGE_LABELS.scheduled}，申报仍开放` : STAGE_LABELS[stage];
}

// ---------------------------------------------------------------- commands by stage

/**
 * Commands whose meaning depends on the stage. Others (帮助, 绑定群, 工作日 …) work in every stage.
 *
 * 审核 (`review`: the 审核 card, its buttons, and a liaison's 修改并重新提交 of a returned theme)
 * follows the plan (四、时间安排): the office 梳理、甄选 the submitted themes and then issues the
 * year's 计划安排表, and in December runs the 评选 of the activities held. So review is open while
 * themes come in (collecting, reviewing) and after publication (scheduled, holding, summarising):
 * a unit reopened after publication submits new themes, and a returned theme comes back revised;
 * their decisions join the next publication as a change. Once evaluation opens (evaluating,
 * closed) the year's list of activities is what the judges score: a decision then would change
 * the scored list, so 审核 is refused with the stage and the next step.
 */
export const STAGE_COMMANDS = {
  launch: { label: '发起申报', stages: ['draft'] },
  submit: { label: '填写申报表', stages: ['collecting', 'reviewing'] },
  extend: { label: '延期', stages: ['collecting', 'reviewing', 'scheduled', 'holding', 'summarising'] },
  reopen: { label: '重新开放', stages: ['collecting', 'reviewing', 'scheduled', 'holding', 'summarising'] },
  nudge: { label: '催办', stages: ['collecting', 'reviewing'] },
  review: { label: '审核', stages: ['collecting', 'reviewing', 'scheduled', 'holding', 'summarising'] },
  publish: { label: '发布计划', stages: ['collecting', 'reviewing', 'scheduled', 'holding', 'summarising'] },
  summary: { label: '总结', stages: ['scheduled', 'holding', 'summarising', 'evaluating'] },
  openEvaluation: { label: '开启评选', stages: ['scheduled', 'holding', 'summarising'] },
  score: { label: '评分', stages: ['evaluating'] },
  publishResults: { label: '发布结果', stages: ['evaluating'] },
} as const satisfies Record<string, { label: string; stages: readonly CampaignStage[] }>;
export type StageCommand = keyof typeof STAGE_COMMANDS;

export function commandAllowed(command: StageCommand, stage: CampaignStage): boolean {
  return (STAGE_COMMANDS[command].stages as readonly CampaignStage[]).includes(stage);
}

/** The commands that matter in a stage, in workflow order (帮助 lists these first). */
export function commandsForStage(stage: CampaignStage): string[] {
  return (Object.keys(STAGE_COMMANDS) as StageCommand[]).filter((c) => commandAllowed(c, stage)).map((c) => STAGE_COMMANDS[c].label);
}

/**
 * Why a command does not fit the stage, in words a county official understands; null when it does.
 * The next step is the coordinator's, or the liaison's when a unit's liaison is refused.
 */
export function stageRefusal(command: StageCommand, stage: CampaignStage, role: 'coordinator' | 'liaison' = 'coordinator'): string | null {
  if (commandAllowed(command, stage)) return null;
  const when = STAGE_COMMANDS[command].stages.map((s) => STAGE_LABELS[s]).join('、');
  const next = role === 'liaison' ? STAGE_NEXT_STEP_LIAISON[stage] : STAGE_NEXT_STEP[stage];
  return `当前阶段为“${STAGE_LABELS[stage]}”，“${STAGE_COMMANDS[command].label}”在${when}阶段使用。下一步：${next}`;
}

// ---------------------------------------------------------------- the unit's own window

export interface UnitWindowFacts {
  deadlineOverride: CivilDate | null;
  reopenedUntil: CivilDate | null;
}

/**
 * After 申报 has closed for the campaign, a unit still holding an extension or a reopening may
 * submit until that date (inclusive): closing the campaign never takes a unit's own window away.
 */
export function unitWindowUntil(f: UnitWindowFacts, today: CivilDate): CivilDate | null {
  const dates = [f.deadlineOverride, f.reopenedUntil].filter((d): d is CivilDate => !!d && compareDates(d, today) >= 0);
  if (dates.length === 0) return null;
  return dates.sort(compareDates)[dates.length - 1]!;
}

/** May a unit open and submit its 申报表 today? */
export function unitMaySubmit(stage: CampaignStage, f: UnitWindowFacts, today: CivilDate): boolean {
  return commandAllowed('submit', stage) || unitWindowUntil(f, today) !== null;
}

/**
 * Could a unit that has not submitted do so now, if reminded? Its window is open (the campaign's
 * deadline, its extension or its reopening: the checks the 申报 form makes) and the campaign year
 * still has a month to hold a theme in (a theme's month must not be past).
 */
export function unitCanSubmitNow(campaign: { status: string; year: number; deadline: CivilDate }, f: UnitWindowFacts, now: Date): boolean {
  const today = shanghaiDate(now);
  if (campaignYearOver(campaign.year, today)) return false;
  const stage = campaignStage({ status: campaign.status, year: campaign.year, today, scheduledMonths: [] });
  return unitMaySubmit(stage, f, today) && isOpenAt({ campaignDeadline: campaign.deadline, ...f }, now);
}

/** The campaign year has no month left to hold a theme in: 申报 for it can lead nowhere. */
export function campaignYearOver(year: number, today: CivilDate): boolean {
  return firstAllowedMonth(year, today) > 12;
}

// ---------------------------------------------------------------- closing 申报 (the publish transition)

export interface CollectionUnit {
  unitName: string;
  /** Submission.status: 'pending' | 'submitted' | 'withdrawn' */
  status: string;
  deadlineOverride: CivilDate | null;
  reopenedUntil: CivilDate | null;
}

export interface ClosePreview {
  /** the campaign deadline has not passed yet (today ≤ deadline) */
  beforeDeadline: boolean;
  deadline: CivilDate;
  /** units that have not submitted (pending or withdrawn), without a window of their own */
  closesFor: string[];
  /** units holding an extension or reopening still open today: they keep it */
  keepWindow: { unitName: string; until: CivilDate; submitted: boolean }[];
  /** everything that has not submitted, with or without a window */
  notSubmitted: number;
  /** closing must be confirmed explicitly (before the deadline or while units have not submitted) */
  needsConfirmation: boolean;
}

/** What closing 申报 today would do: who loses the chance to submit, who keeps a window. */
export function previewCloseCollection(deadline: CivilDate, today: CivilDate, units: readonly CollectionUnit[]): ClosePreview {
  const keepWindow: ClosePreview['keepWindow'] = [];
  const closesFor: string[] = [];
  let notSubmitted = 0;
  for (const u of units) {
    const until = unitWindowUntil(u, today);
    const submitted = u.status === 'submitted';
    if (!submitted) notSubmitted++;
    if (until) keepWindow.push({ unitName: u.unitName, until, submitted });
    else if (!submitted) closesFor.push(u.unitName);
  }
  const beforeDeadline = compareDates(today, deadline) <= 0;
  return { beforeDeadline, deadline, closesFor, keepWindow, notSubmitted, needsConfirmation: beforeDeadline || closesFor.length > 0 };
}

/** The lines a preview states (the card renders them; tests read them). */
export function closePreviewLines(p: ClosePreview, limit = 12): string[] {
  const names = (list: string[]) => (list.length > limit ? `${list.slice(0, limit).join('、')} 等 ${list.length} 个单位` : list.join('、'));
  const lines: string[] = [];
  if (p.beforeDeadline) lines.push(`申报截止日 ${formatChineseDate(p.deadline)} 还没到：现在截止申报会提前关闭申报。`);
  if (p.closesFor.length > 0) lines.push(`${p.closesFor.length} 个单位未提交，截止后将不能再提交（可再“重新开放”）：${names(p.closesFor)}`);
  else if (p.notSubmitted === 0) lines.push('全部单位均已提交。');
  for (const k of p.keepWindow) lines.push(`${k.unitName}${k.submitted ? '（已提交）' : '（未提交）'}持有延期至 ${formatChineseDate(k.until)}，期限内仍可提交或修改，通过审核的主题在下次发布时作为变更加入。`);
  return lines;
}

// ---------------------------------------------------------------- 帮助 in workflow order

/** Every command by its first name, in the order the year uses them (帮助 lists them so). */
export const WORKFLOW_ORDER = [
  '帮助',
  '绑定群',
  '我是联系人',
  '我是备用联系人',
  '分管领导',
  '添加协调人',
  '移除协调人',
  '发起申报',
  '主题领域',
  '填写申报表',
  '进度',
  '催办',
  '提醒记录',
  '延期',
  '添加审核人',
  '移除审核人',
  '审核',
  '导出申报表',
  '计划安排表',
  '调整月份',
  '发布计划',
  '重新开放',
  '总结',
  '总结进度',
  '开启评选',
  '评分标准',
  '添加评委',
  '评分',
  '评选进度',
  '设置工作日',
  '删除工作日',
  '工作日列表',
] as const;

/** The commands that matter now, by first name, in workflow order (besides 帮助). */
const NOW_BY_STAGE: Record<CampaignStage, readonly string[]> = {
  draft: ['绑定群', '发起申报'],
  collecting: ['填写申报表', '进度', '催办', '延期', '审核'],
  reviewing: ['填写申报表', '进度', '审核', '延期', '计划安排表', '发布计划'],
  scheduled: ['计划安排表', '调整月份', '发布计划', '重新开放', '总结'],
  holding: ['总结', '总结进度', '计划安排表', '重新开放'],
  summarising: ['总结', '总结进度', '开启评选'],
  evaluating: ['评分标准', '添加评委', '评分', '评选进度'],
  closed: ['评选进度', '发起申报'],
};

/** The position of a command in the year (unknown names go last, in their given order). */
export function workflowRank(name: string): number {
  const i = (WORKFLOW_ORDER as readonly string[]).indexOf(name);
  return i < 0 ? WORKFLOW_ORDER.length : i;
}

export function commandsNow(stage: CampaignStage): readonly string[] {
  return NOW_BY_STAGE[stage];
}
