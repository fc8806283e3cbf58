// The 发起申报 card: a form prefilled from the county plan that the coordinator edits and confirms.
import { LAUNCH_FIELD, type LaunchErrors, type LaunchRaw } from '../src/domain/launch.ts';
import { strong, bold, card, datePicker, escapeMarkdown, form, formButton, input, markdown, note, type CardElement, type CardJson } from './kit.ts';
import { errorNote } from './submission-form.ts';
import { submissionActions } from './actions.ts';

export interface LaunchCardView {
  year: number;
  values: LaunchRaw;
  errors?: LaunchErrors;
  unitCount: number;
  boundCount: number;
}

export function buildLaunchCard(v: LaunchCardView): CardJson {
  const e = v.errors ?? {};
  const withErr = (el: CardElement, f: keyof LaunchErrors): CardElement[] => (e[f] ? [el, errorNote(e[f]!)] : [el]);
  const dateValue = (s: string) => (/^\d{4}-\d{2}-\d{2}/.test(s) ? s.slice(0, 10) : undefined);
  return card({
    title: `发起 ${v.year} 年主题申报`,
    template: 'red',
    elements: [
      markdown(`将向 ${strong(v.unitCount)} 个单位发起申报，其中 ${strong(v.boundCount)} 个已绑定工作群（通知直接发到群里）。以下内容已按县实施方案预填，可修改后确认。`),
      form('launch_form', [
        ...withErr(input(LAUNCH_FIELD.title, { label: '活动名称', value: v.values.title, maxLength: 60 }), LAUNCH_FIELD.title),
        markdown('发文日期', { text_size: 'normal' }),
        ...withErr(datePicker(LAUNCH_FIELD.noticeDate, { placeholder: '选择发文日期', value: dateValue(v.values.noticeDate) }), LAUNCH_FIELD.noticeDate),
        markdown('申报截止日期（当天内提交均不算逾期）', { text_size: 'normal' }),
        ...withErr(datePicker(LAUNCH_FIELD.deadline, { placeholder: '选择截止日期', value: dateValue(v.values.deadline) }), LAUNCH_FIELD.deadline),
        ...withErr(input(LAUNCH_FIELD.contactName, { label: '联系人', value: v.values.contactName, maxLength: 20 }), LAUNCH_FIELD.contactName),
        ...withErr(input(LAUNCH_FIELD.contactPhone, { label: '联系电话（将公布在通知中）', value: v.values.contactPhone, maxLength: 30 }), LAUNCH_FIELD.contactPhone),
        ...withErr(input(LAUNCH_FIELD.contactEmail, { label: '邮箱', value: v.values.contactEmail, maxLength: 80 }), LAUNCH_FIELD.contactEmail),
        formButton('btn_launch', '确认发起', submissionActions.launch.value({ year: v.year }), { type: 'primary_filled', confirm: { title: '确认发起申报？', text: '确认后将向各单位工作群发送申报通知。' } }),
      ]),
      note(`发起后可用“延期”“重新开放”调整单个单位的截止时间。`),
    ],
  });
}

export function buildLaunchedCard(v: { title: string; deadlineText: string; unitCount: number; noticed: number; unbound: string[] }): CardJson {
  return card({
    title: '申报已发起',
    template: 'green',
    elements: [
      markdown(`${bold(v.title)}：已向 ${v.noticed} 个单位工作群发送通知，截止 ${escapeMarkdown(v.deadlineText)}，共 ${v.unitCount} 个单位应申报。`),
      ...(v.unbound.length > 0
        ? [markdown(`<font color='orange'>以下 ${v.unbound.length} 个单位尚未绑定工作群，收不到通知：</font>${v.unbound.map(escapeMarkdown).join('、')}。把主题日助手拉进这些单位的群，或在群里发送“@主题日助手 绑定群 单位名称”，绑定后会自动补发通知。`)]
        : []),
    ],
  });
}
