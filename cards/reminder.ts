// Reminder cards: deadline reminders to a unit's group (with @mentions and the form button), the
// leader/coordinator escalation, month and summary reminders, the holiday-data warning, the
// calendar override list and the reminder log. Pure builders; times arrive formatted.
import { strong, bold, button, field, buttonRow, card, escapeMarkdown, markdown, mention, note, table, tableOr, type ActionValue, type CardElement, type CardJson } from './kit.ts';
import { summaryActions } from './actions.ts';

export interface DeadlineReminderView {
  campaignTitle: string;
  unitName: string;
  /** '2023年4月7日' */
  deadlineText: string;
  /** '还剩 3 个工作日' / '今天截止' */
  leftText: string;
  mentionOpenIds: string[];
  /** the submissions feature's open-form action, e.g. submissionActions.open.value({ submissionId }) */
  openAction: ActionValue;
  contactLine: string;
  /** manual 催办 by the coordinator rather than an automatic reminder */
  manual?: boolean;
  urgent?: boolean;
}

export function deadlineReminderCard(v: DeadlineReminderView): CardJson {
  const mentions = v.mentionOpenIds.map(mention).filter(Boolean).join(' ');
  const title = v.manual ? '催办：请尽快报送主题日申报表' : `申报提醒：${v.leftText}`;
  return card({
    title,
    template: v.urgent || v.leftText === '今天截止' ? 'red' : v.manual ? 'orange' : 'blue',
    summary: `${v.unitName} 尚未报送申报表，截止 ${v.deadlineText}`,
    tags: v.urgent ? [{ text: '加急', color: 'red' }] : [],
    elements: [
      markdown(`${mentions ? `${mentions} ` : ''}${bold(v.unitName)} 尚未报送《${escapeMarkdown(v.campaignTitle)}主题申报表》。`),
      markdown(`截止时间：${bold(v.deadlineText)}（${escapeMarkdown(v.leftText)}）`),
      markdown('点击“填写申报表”，申报表会发到你与主题日助手的私聊，在那里填写并提交；已提交的单位不会再收到提醒。'),
      buttonRow([button('填写申报表', v.openAction, { type: 'primary_filled' })]),
      note(escapeMarkdown(v.contactLine)),
    ],
  });
}

export interface LeaderEscalationView {
  campaignTitle: string;
  unitName: string;
  deadlineText: string;
  leftText: string;
  remindersSent: number;
  liaisonNames: string[];
  leaderOpenId?: string;
}

/** To the unit's 分管领导 (and a copy to the coordinator) after N missed reminders. */
export function leaderEscalationCard(v: LeaderEscalationView): CardJson {
  const who = v.leaderOpenId ? `${mention(v.leaderOpenId)} ` : '';
  return card({
    title: '请关注：本单位申报表尚未报送',
    template: 'orange',
    summary: `${v.unitName} 已提醒 ${v.remindersSent} 次仍未报送`,
    elements: [
      markdown(`${who}${bold(v.unitName)} 的《${escapeMarkdown(v.campaignTitle)}主题申报表》尚未报送，已提醒 ${strong(v.remindersSent)} 次。`),
      markdown(`截止时间：${bold(v.deadlineText)}（${escapeMarkdown(v.leftText)}）`),
      markdown(`联系人：${v.liaisonNames.length > 0 ? v.liaisonNames.map(escapeMarkdown).join('、') : '（未登记）'}`),
      note('此消息由主题日助手按催办升级规则自动发送。'),
    ],
  });
}

export interface MonthThemeView {
  themeId: string;
  title: string;
  monthText: string;
  summaryButton: boolean;
}

export interface MonthReminderView {
  kind: 'month-start' | 'month-end' | 'summary-due';
  unitName: string;
  month: number;
  mentionOpenIds: string[];
  themes: MonthThemeView[];
  requirements: readonly string[];
  /** summary-due: '月后第 3 个工作日' */
  dueText?: string;
}

export function monthReminderCard(v: MonthReminderView): CardJson {
  const mentions = v.mentionOpenIds.map(mention).filter(Boolean).join(' ');
  const head =
    v.kind === 'month-start'
      ? `本月（${v.month}月）是 ${bold(v.unitName)} 的政务公开主题日活动月，请按计划开展活动：`
      : v.kind === 'month-end'
        ? `${v.month}月即将结束，${bold(v.unitName)} 以下活动尚未提交总结，请在活动结束后及时填报：`
        : `${bold(v.unitName)} ${v.month}月的活动总结尚未提交（${escapeMarkdown(v.dueText ?? '')}），请尽快填报：`;
  const elements: CardElement[] = [markdown(`${mentions ? `${mentions} ` : ''}${head}`)];
  for (const t of v.themes) {
    elements.push(markdown(`· ${bold(t.title)}（${escapeMarkdown(t.monthText)}）`));
  }
  if (v.kind === 'month-start') {
    elements.push(markdown(`${bold('活动要求')}\n${v.requirements.map((r, i) => `${i + 1}. ${escapeMarkdown(r)}`).join('\n')}`));
  }
  const buttons = v.themes
    .filter((t) => t.summaryButton)
    .slice(0, 5)
    .map((t) => button(v.themes.length > 1 ? `填写总结：${t.title.slice(0, 12)}` : '填写活动总结', summaryActions.open.value({ themeId: t.themeId }), { type: v.kind === 'month-start' ? 'default' : 'primary_filled' }));
  if (buttons.length > 0) elements.push(buttonRow(buttons));
  elements.push(note('活动结束后请上传现场照片（含主题日 LOGO）、宣传报道链接等材料。'));
  const title = v.kind === 'month-start' ? `${v.month}月主题日活动提醒` : v.kind === 'month-end' ? `${v.month}月活动总结提醒` : `${v.month}月活动总结催交`;
  return card({ title, template: v.kind === 'summary-due' ? 'orange' : 'turquoise', summary: `${v.unitName}：${title}`, elements });
}

export function holidayWarningCard(year: number, lastYear: number): CardJson {
  return card({
    title: `${year}年节假日数据缺失`,
    template: 'red',
    summary: `${year}年法定节假日和调休安排尚未收录`,
    elements: [
      markdown(`主题日助手内置的节假日数据只到 ${bold(`${lastYear}年`)}，还没有 ${bold(`${year}年`)} 的法定节假日和调休安排。在补充之前，${year}年的提醒只按周一至周五计算，可能在节假日发出、或漏掉调休上班日。`),
      markdown(
        `${field('补充方法', `国务院办公厅公布《关于${year}年部分节假日安排的通知》后，在本群发送 \`节假日安排\` 并粘贴通知全文，核对预览后点击“确认导入”。`)}\n也可逐日设置，例如 \`设置工作日 ${year}-01-01 休息 元旦\`；发送 \`工作日列表 ${year}\` 查看已设置的日期。`,
      ),
      note('也可请系统运维人员升级主题日助手内置的节假日数据。本提醒每年只发送一次。'),
    ],
  });
}

export interface OverrideRowView {
  date: string;
  kind: string;
  note: string;
  by: string;
}

export function calendarOverridesCard(year: number | undefined, rows: OverrideRowView[], coverage: string): CardJson {
  const elements: CardElement[] = [
    markdown(coverage),
    tableOr(
      '尚未设置任何日期。',
      [
        { name: 'date', display_name: '日期', width: '110px' },
        { name: 'kind', display_name: '安排', width: '70px' },
        { name: 'note', display_name: '说明' },
        { name: 'by', display_name: '设置人' },
      ],
      rows.map((r) => ({ ...r })),
    ),
  ];
  elements.push(note('设置：设置工作日 2027-01-01 休息 元旦；撤销：删除工作日 2027-01-01'));
  return card({ title: year ? `${year}年工作日设置` : '工作日设置', template: 'blue', elements });
}

export interface ReminderLogRowView {
  date: string;
  unit: string;
  kind: string;
  channel: string;
  status: string;
  result: string;
}

export function reminderLogElements(rows: ReminderLogRowView[], title: string): CardElement[] {
  if (rows.length === 0) return [markdown(`${bold(title)}`), note('暂无提醒记录。')];
  return [
    markdown(`${bold(title)}`),
    table(
      [
        { name: 'date', display_name: '日期', width: '100px' },
        { name: 'unit', display_name: '单位' },
        { name: 'kind', display_name: '类型' },
        { name: 'channel', display_name: '渠道', width: '80px' },
        { name: 'status', display_name: '状态' },
        { name: 'result', display_name: '投递结果' },
      ],
      rows.map((r) => ({ ...r })),
      10,
    ),
  ];
}

/** The most entries `提醒记录 N` shows (src/handlers/reminders.ts). */
export const REMINDER_LOG_MAX = 100;

export function reminderLogCard(campaignTitle: string, rows: ReminderLogRowView[], total: number): CardJson {
  return card({
    title: '提醒记录',
    subtitle: campaignTitle,
    template: 'blue',
    elements: [
      ...reminderLogElements(rows, `最近 ${rows.length} 条（共 ${total} 条）`),
      ...(total > rows.length ? [note(`发送“提醒记录 ${Math.min(total, REMINDER_LOG_MAX)}”查看${total > REMINDER_LOG_MAX ? `最近 ${REMINDER_LOG_MAX} 条` : '全部'}。`)] : []),
    ],
  });
}
