// The receipt posted in the unit's group after each accepted submit, edit or withdrawal.
import { bold, button, buttonRow, card, escapeMarkdown, markdown, note, type CardElement, type CardJson } from './kit.ts';
import { themeLine, type ThemeSummaryView } from './submission-form.ts';
import { submissionActions } from './actions.ts';

export interface ReceiptView {
  submissionId: string;
  unitName: string;
  campaignTitle: string;
  /** the optimistic-lock version (the 撤回 button carries it) */
  version: number;
  /** 第 N 版 as people count: accepted submits and edits (a withdrawal is not a version) */
  displayVersion: number;
  status: 'submitted' | 'withdrawn';
  atText: string;
  byName: string;
  contactName: string;
  /** masked: the receipt is posted in a group */
  contactPhoneMasked: string;
  /** `revisedNote`: the theme was resubmitted after this version (修改并重新提交): by whom, when */
  themes: (ThemeSummaryView & { intro: string; revisedNote?: string })[];
  late: boolean;
  /** the last day edits are accepted, e.g. '2023年4月7日' */
  editableUntilText: string;
  /** false after the deadline (no buttons) */
  editable: boolean;
}

export function buildReceiptCard(v: ReceiptView): CardJson {
  const elements: CardElement[] = [];
  if (v.status === 'withdrawn') {
    elements.push(markdown(`${escapeMarkdown(v.byName)} 于 ${escapeMarkdown(v.atText)} ${bold('撤回')}了本单位的第 ${v.displayVersion} 版申报。撤回后视为未申报。`));
    if (v.editable) elements.push(note(`截至${escapeMarkdown(v.editableUntilText)}可重新填写提交。`), button('重新填写申报表', submissionActions.open.value({ submissionId: v.submissionId }), { type: 'primary' }));
  } else {
    elements.push(
      markdown(`${bold(v.unitName)} 的申报已收到（第 ${v.displayVersion} 版${v.late ? "，<font color='red'>逾期提交</font>" : ''}）`),
      markdown(`提交人：${escapeMarkdown(v.byName)}\u3000时间：${escapeMarkdown(v.atText)}\n联系人：${escapeMarkdown(v.contactName)}\u3000电话：${escapeMarkdown(v.contactPhoneMasked)}`),
      ...v.themes.map((t, i) => markdown(`${themeLine(t, i)}${t.revisedNote ? `\n<font color='grey'>${escapeMarkdown(t.revisedNote)}</font>` : ''}\n${escapeMarkdown(t.intro)}`)),
    );
    if (v.editable) {
      elements.push(
        note(`截至${escapeMarkdown(v.editableUntilText)}可修改或撤回。`),
        buttonRow([
          button('修改', submissionActions.edit.value({ submissionId: v.submissionId }), { type: 'primary' }),
          button('撤回', submissionActions.withdraw.value({ submissionId: v.submissionId, version: v.version }), {
            type: 'danger',
            confirm: { title: '撤回申报？', text: '撤回后本单位视为未申报：已审核通过的主题一并撤回，不列入计划安排表。截止前可重新提交，重新提交的主题需再次审核。' },
          }),
        ]),
      );
    } else {
      elements.push(note('已过截止时间，如需修改请联系县政务公开办重新开放。'));
    }
  }
  return card({
    title: v.status === 'withdrawn' ? '申报已撤回' : '申报回执',
    subtitle: `${v.unitName} · ${v.campaignTitle}`,
    template: v.status === 'withdrawn' ? 'grey' : v.late ? 'orange' : 'green',
    summary: `${v.unitName} 申报${v.status === 'withdrawn' ? '已撤回' : '回执'}（第 ${v.displayVersion} 版）`,
    elements,
  });
}

/**
 * An older receipt, updated in place once it no longer describes the submission (a newer version,
 * a withdrawal): its 修改/撤回 buttons go, so nobody clicks a stale one.
 */
export function supersededReceiptCard(v: { unitName: string; campaignTitle: string; displayVersion: number; status: 'submitted' | 'withdrawn'; reason: string }): CardJson {
  return card({
    title: v.status === 'withdrawn' ? '申报已撤回（旧记录）' : '申报回执（已被取代）',
    subtitle: `${v.unitName} · ${v.campaignTitle}`,
    template: 'grey',
    summary: `${v.unitName} 申报回执（已被取代）`,
    elements: [markdown(`这是第 ${v.displayVersion} 版的${v.status === 'withdrawn' ? '撤回记录' : '回执'}。${escapeMarkdown(v.reason)}`), note('请以本群最新的申报消息为准。')],
  });
}
