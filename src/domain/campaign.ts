// The campaign: its forms, statuses, settings and the county plan's defaults
// (../shared/reference/2023-theme-day-plan.zh.txt). Pure data and zod schemas.
import { z } from 'zod';
import { keysOf, labelled, optionKeys, optionLabel, type KeyOf } from './options.ts';

/** The five activity forms of the plan (三、活动形式), in the plan's order. */
export const ACTIVITY_FORMS = [
  { key: 'survey', label: '实地调研', line: '组织人大代表、政协委员、专家学者、新闻媒体到重大政策提出地点、重点项目建设现场实地调研' },
  { key: 'observe', label: '现场观摩', line: '邀请代表委员、专家学者、媒体或市民群众“场景式”“体验式”观摩办事服务' },
  { key: 'forum', label: '座谈交流', line: '召开座谈会，介绍重点亮点工作，主动接受监督、听取意见建议' },
  { key: 'policy', label: '政策发布', line: '结合重大政策出台，举办新闻发布会或政策宣传活动，“面对面”解读' },
  { key: 'questionnaire', label: '问卷调查', line: '结合主责主业开展线上线下问卷调查，掌握政策实施情况和群众诉求' },
] as const;

export type ActivityFormKey = KeyOf<typeof ACTIVITY_FORMS>;
export const ACTIVITY_FORM_KEYS = optionKeys(ACTIVITY_FORMS);

export function formLabel(key: string): string {
  return optionLabel(ACTIVITY_FORMS, key);
}

export const UNIT_KINDS = labelled({ town: '镇', street: '街道', department: '县直部门' });
export type UnitKind = KeyOf<typeof UNIT_KINDS>;

export function unitKindLabel(kind: string): string {
  return optionLabel(UNIT_KINDS, kind);
}

/** Stored Campaign.status values in workflow order, with their labels. */
export const CAMPAIGN_STATUS_LABELS = { draft: '未发起', collecting: '申报中', reviewing: '审核中', scheduled: '已发布计划', evaluating: '评选中', closed: '已结束' } satisfies Record<string, string>;
export type CampaignStatus = keyof typeof CAMPAIGN_STATUS_LABELS;
export const CAMPAIGN_STATUSES = keysOf(CAMPAIGN_STATUS_LABELS);

/** The plan's nine major themes (一、活动主题), the default 主题领域 list (see domain/theme-domains.ts). */
export const PLAN_THEME_DOMAINS = ['科教强县', '改革开放', '城乡品质', '营商环境', '乡村振兴', '生态文明', '民生实事', '社会治理', '政府自身建设'] as const;

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, '时间格式应为 HH:MM');

/** Per-campaign settings, stored as JSON on Campaign.settings. Every field has a default. */
export const campaignSettingsSchema = z.object({
  /** deadline reminders: working days before the deadline (0 = the morning of the deadline) */
  reminderOffsets: z.array(z.number().int().min(0).max(30)).default([7, 3, 1, 0]),
  /** wall-clock time of reminders, Asia/Shanghai */
  reminderTime: hhmm.default('09:30'),
  /** reminders are spread over this many minutes so a county's worth does not land in one second */
  reminderSpreadMinutes: z.number().int().min(0).max(60).default(10),
  /** urgent (加急) on the last deadline reminder */
  urgentOnLastReminder: z.boolean().default(true),
  /** escalation ladder: after this many missed reminders the 分管领导 and the coordinator are told */
  escalateToLeaderAfter: z.number().int().min(1).max(10).default(3),
  /** the ladder's steps in order; each reminder to a unit uses the next step */
  escalationLadder: z.array(z.enum(['group', 'dm', 'urgent', 'leader'])).default(['group', 'dm', 'urgent', 'leader']),
  /** cap on automatic reminders per unit per ISO week */
  maxRemindersPerUnitPerWeek: z.number().int().min(1).max(10).default(3),
  /** manual 催办 of the same unit within this many hours asks for confirmation */
  nudgeCooldownHours: z.number().int().min(0).max(168).default(24),
  /** downtime: missed reminders younger than this are still sent on start */
  graceHours: z.number().int().min(0).max(24).default(4),
  /** schedule balance: warn when a month has more activities than this */
  maxActivitiesPerMonth: z.number().int().min(1).max(100).default(6),
  /** month moves: ask the unit to confirm ('confirm') or just tell it ('notify') */
  monthMoveMode: z.enum(['confirm', 'notify']).default('notify'),
  /** summaries: working days after the month at which summary-due reminders go out */
  summaryDueOffsets: z.array(z.number().int().min(1).max(30)).default([3, 10]),
  /** 主题领域 liaisons may tag a theme with (optional multi-select); edited with `主题领域` */
  themeDomains: z
    .array(z.string().min(1).max(8))
    .max(12)
    .default([...PLAN_THEME_DOMAINS]),
});

export type CampaignSettings = z.infer<typeof campaignSettingsSchema>;

const LADDER_STEP_LABELS: Record<CampaignSettings['escalationLadder'][number], string> = { group: '群内提醒', dm: '私聊联系人', urgent: '加急', leader: '告知分管领导' };

/** The settings as the office reads them (the web console lists them): a Chinese name and value each. */
export function describeSettings(s: CampaignSettings): { label: string; value: string }[] {
  const days = (list: readonly number[], zero: string) => list.map((d) => (d === 0 ? zero : `${d} 个工作日`)).join('、');
  return [
    { label: '截止提醒', value: `截止前 ${days(s.reminderOffsets, '截止当天')}` },
    { label: '提醒时间', value: `${s.reminderTime}（分散在 ${s.reminderSpreadMinutes} 分钟内发出）` },
    { label: '最后一次提醒加急', value: s.urgentOnLastReminder ? '是' : '否' },
    { label: '逐级提醒', value: s.escalationLadder.map((k) => LADDER_STEP_LABELS[k]).join(' → ') },
    { label: '告知分管领导', value: `连续 ${s.escalateToLeaderAfter} 次提醒未提交后` },
    { label: '每个单位每周自动提醒', value: `最多 ${s.maxRemindersPerUnitPerWeek} 次` },
    { label: '手动催办间隔', value: s.nudgeCooldownHours > 0 ? `${s.nudgeCooldownHours} 小时内再次催办需确认` : '不限' },
    { label: '停机后补发提醒', value: `${s.graceHours} 小时内错过的提醒在启动时补发` },
    { label: '每月活动上限', value: `超过 ${s.maxActivitiesPerMonth} 项时提示均衡` },
    { label: '调整活动月份', value: s.monthMoveMode === 'confirm' ? '需单位确认' : '通知单位' },
    { label: '总结提醒', value: `活动月结束后第 ${s.summaryDueOffsets.join('、')} 个工作日` },
    { label: '主题领域', value: s.themeDomains.length > 0 ? s.themeDomains.join('、') : '未设置' },
  ];
}

export function parseSettings(json: string | null | undefined): CampaignSettings {
  let raw: unknown = {};
  try {
    raw = json ? JSON.parse(json) : {};
  } catch {
    raw = {};
  }
  const parsed = campaignSettingsSchema.safeParse(raw);
  return parsed.success ? parsed.data : campaignSettingsSchema.parse({});
}

/** The county plan's facts, used as defaults when the coordinator launches a campaign. */
export const PLAN_DEFAULTS = {
  county: '长沙县',
  office: '长沙县政务公开和政务服务工作领导小组办公室',
  officeShort: '县政务公开办',
  contactName: '李成英',
  contactPhone: '0731-84872387',
  contactEmail: 'CSX84872387@163.com',
  /** month-day of the notice and the deadline in the 2023 plan */
  noticeMonthDay: '03-23',
  deadlineMonthDay: '04-07',
  theme: '围绕贯彻落实县委经济工作会议、全县“两会”精神、县政府工作报告和“强省会”战略，聚焦社会关切和企业群众关注的事项，突出科教强县、改革开放、城乡品质、营商环境、乡村振兴、生态文明、民生实事、社会治理、政府自身建设等重大主题。',
  purpose: '通过主动解读政策、听取群众意见、回应社会关切，全方位展示各单位的主要职能、制度规范、服务举措和创新成果，构建政府与企业群众零距离沟通的“桥梁”，助力“阳光政务 公开透明”的服务型政府建设。',
  requirements: [
    '活动现场要设置、显示“政务公开主题日”LOGO 醒目标识',
    '做好政策信息发布解读，对社会普遍关注的热点问题主动发声、解疑释惑',
    '通过新闻媒体报道、政府网站活动专栏、政务新媒体发布活动消息等方式广泛宣传',
    '及时总结做法，形成可复制可推广的典型经验',
  ],
  title(year: number): string {
    return `长沙县${year}年“政务公开主题日”活动`;
  },
  formTitle(year: number): string {
    return `长沙县${year}年“政务公开主题日”活动主题申报表`;
  },
  scheduleTitle(year: number): string {
    return `长沙县${year}年“政务公开主题日”活动计划安排表`;
  },
} as const;
