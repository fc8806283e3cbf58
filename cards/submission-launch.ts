// The 发起申报 card: a form prefilled from the county plan that the coordinator edits and confirms.
import { LAUNCH_FIELD, type LaunchErrors, type LaunchRaw } from '../src/domain/launch.ts';
import { strong, bold, card, datePicker, escapeMarkdown, field, form, formButton, input, markdown, multiSelect, note, type CardElement, type CardJson } from './kit.ts';
import { CARRY_FIELD, type CarryKey, type CarryOverView } from '../src/domain/carry-over.ts';
import { errorNote } from './submission-form.ts';
import { submissionActions } from './actions.ts';

export interface LaunchCardView {
  year: number;
  values: LaunchRaw;
  errors?: LaunchErrors;
  unitCount: number;
  boundCount: number;
  /** what carries over from last year (absent in a first year) */
  carryOver?: CarryOverView;
  /** the options ticked (re-shown after an error); defaults otherwise */
  carryChosen?: CarryKey[];
}

/** Names, at most `max` of them, then “等 N 个”: the list stays short at county scale. */
function someNames(names: readonly string[], max = 8): string {
  return names.length <= max ? names.join('、') : `${names.slice(0, max).join('、')} 等 ${names.length} 个`;
}

function carryOverElements(c: CarryOverView, chosen: CarryKey[] | undefined): CardElement[] {
  const lines = [
    `${bold(`沿用 ${c.fromYear} 年`)}：单位名录、工作群和联系人是全县共用的记录，新一年直接沿用；往年申报内容不会复制。`,
    field('单位', `${c.unitCount} 个，${c.boundCount} 个已绑定工作群，${c.liaisonUnitCount} 个已有联系人（共 ${c.liaisonCount} 人）`),
    ...(c.unbound.length > 0 ? [`<font color='orange'>未绑定工作群：${escapeMarkdown(someNames(c.unbound))}</font>`] : []),
    ...(c.noLiaison.length > 0 ? [`<font color='orange'>还没有联系人：${escapeMarkdown(someNames(c.noLiaison))}</font>`] : []),
    field('提醒设置', escapeMarkdown(c.ladderText)),
    field('主题领域', escapeMarkdown(c.domainsText)),
    field('评分标准', escapeMarkdown(c.rubricText)),
    field('审核人', escapeMarkdown(c.reviewersText)),
  ];
  return [
    markdown(lines.join('\n')),
    note('名录有变动：用“绑定群 单位名称”、在单位群里“我是联系人”或 npm run cli -- units import 修改后，再发送“发起申报”。'),
    markdown(`沿用 ${c.fromYear} 年的设置（审核人默认不沿用）`, { text_size: 'normal' }),
    multiSelect(CARRY_FIELD, { placeholder: '不沿用，使用默认值', options: c.options.map((o) => ({ label: o.label, value: o.key })), values: chosen ?? c.defaults }),
  ];
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
        ...(v.carryOver ? carryOverElements(v.carryOver, v.carryChosen) : []),
        formButton('btn_launch', '确认发起', submissionActions.launch.value({ year: v.year }), { type: 'primary_filled', confirm: { title: '确认发起申报？', text: '确认后将向各单位工作群发送申报通知。' } }),
      ]),
      note(`发起后可用“延期”“重新开放”调整单个单位的截止时间。`),
    ],
  });
}

export function buildLaunchedCard(v: { title: string; deadlineText: string; unitCount: number; noticed: number; unbound: string[]; carriedText?: string }): CardJson {
  return card({
    title: '申报已发起',
    template: 'green',
    elements: [
      markdown(`${bold(v.title)}：已向 ${v.noticed} 个单位工作群发送通知，截止 ${escapeMarkdown(v.deadlineText)}，共 ${v.unitCount} 个单位应申报。`),
      ...(v.unbound.length > 0
        ? [
            markdown(
              `<font color='orange'>以下 ${v.unbound.length} 个单位尚未绑定工作群，收不到通知：</font>${v.unbound.map(escapeMarkdown).join('、')}。把主题日助手拉进这些单位的群，或在群里发送“@主题日助手 绑定群 单位名称”，绑定后会自动补发通知。`,
            ),
          ]
        : []),
      ...(v.carriedText ? [markdown(escapeMarkdown(v.carriedText))] : []),
    ],
  });
}
