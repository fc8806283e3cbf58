// The campaign notice posted to every unit's group at launch: theme, purpose, the five forms,
// the deadline and the office's contact, with 填写申报表 and 绑定为联系人.
import { ACTIVITY_FORMS, PLAN_DEFAULTS } from '../src/domain/campaign.ts';
import { bold, button, buttonRow, card, escapeMarkdown, field, hr, markdown, note, type CardElement, type CardJson } from './kit.ts';
import { liaisonActions, submissionActions } from './actions.ts';

export interface NoticeView {
  campaignTitle: string;
  year: number;
  deadlineText: string;
  noticeDateText: string;
  contactName: string;
  /** the office's published phone (public in the plan) */
  contactPhone: string;
  contactEmail: string;
  /** the unit this copy is for; absent on the coordinator's copy */
  unit?: { id: string; name: string; submissionId: string; liaisonNames: string[] };
  /** e.g. for an extension or a reopening */
  extraLine?: string;
}

export function buildNoticeCard(v: NoticeView): CardJson {
  const elements: CardElement[] = [];
  if (v.extraLine) elements.push(markdown(bold(v.extraLine)));
  elements.push(
    markdown(`${bold(`请于 ${v.deadlineText} 前`)}结合主责主业确定活动主题，填写《${escapeMarkdown(PLAN_DEFAULTS.formTitle(v.year))}》。`),
    markdown(`${bold('一、活动主题')}\n${escapeMarkdown(PLAN_DEFAULTS.theme)}`),
    markdown(`${bold('二、活动目的')}\n${escapeMarkdown(PLAN_DEFAULTS.purpose)}`),
    markdown(`${bold('三、活动形式')}（每个主题可选一种或多种）\n${ACTIVITY_FORMS.map((f, i) => `${i + 1}. ${field(f.label, escapeMarkdown(f.line))}`).join('\n')}`),
    hr(),
    markdown([field('联系人', escapeMarkdown(v.contactName)), field('电话', escapeMarkdown(v.contactPhone)), field('邮箱', escapeMarkdown(v.contactEmail))].join('\u3000')),
    note(`${escapeMarkdown(PLAN_DEFAULTS.office)}\u3000${escapeMarkdown(v.noticeDateText)}`),
  );
  if (v.unit) {
    const u = v.unit;
    elements.push(
      markdown(u.liaisonNames.length > 0 ? `本单位联系人：${escapeMarkdown(u.liaisonNames.join('、'))}。由联系人点击“填写申报表”，表单会发到与主题日助手的私聊中。` : '本单位还没有绑定联系人：负责填报的同事请先点击“绑定为联系人”。'),
      buttonRow([button('填写申报表', submissionActions.open.value({ submissionId: u.submissionId }), { type: 'primary_filled' }), button('绑定为联系人', liaisonActions.bind.value({ unitId: u.id }))]),
    );
  } else {
    elements.push(button('查看申报进度', submissionActions.progress.value({}), { type: 'primary' }));
  }
  return card({
    title: `关于申报${v.campaignTitle}主题的通知`,
    subtitle: v.unit ? v.unit.name : '协调人副本',
    template: 'red',
    summary: `请于 ${v.deadlineText} 前申报政务公开主题日活动主题`,
    elements,
  });
}
