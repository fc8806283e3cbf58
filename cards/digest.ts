// Cards to the coordinator: the weekly progress digest during the submission window and the list
// of units that missed the deadline (with 一键催办). Pure builders.
import { bold, button, buttonRow, card, escapeMarkdown, field, markdown, note, strong, type CardJson } from './kit.ts';
import { reminderActions } from './actions.ts';

export interface DigestView {
  campaignTitle: string;
  campaignId: string;
  dateText: string;
  deadlineText: string;
  leftText: string;
  submitted: number;
  pending: number;
  total: number;
  missingUnits: string[];
}

function unitList(names: string[], max = 60): string {
  const shown = names.slice(0, max).map(escapeMarkdown).join('、');
  return names.length > max ? `${shown} 等 ${names.length} 个单位` : shown;
}

export function weeklyDigestCard(v: DigestView): CardJson {
  return card({
    title: '申报进度周报',
    subtitle: v.campaignTitle,
    template: 'wathet',
    summary: `已报 ${v.submitted} / ${v.total}，未报 ${v.pending}`,
    elements: [
      markdown(`截至 ${escapeMarkdown(v.dateText)}：已报送 ${strong(v.submitted)} 个，未报送 ${strong(v.pending)} 个（共 ${v.total} 个单位）。截止 ${escapeMarkdown(v.deadlineText)}，${escapeMarkdown(v.leftText)}。`),
      markdown(v.missingUnits.length > 0 ? field('未报送', unitList(v.missingUnits)) : '全部单位均已报送。'),
      ...(v.missingUnits.length > 0 ? [buttonRow([button('一键催办', reminderActions.nudgePreview.value({ campaignId: v.campaignId }), { type: 'primary' })])] : []),
      note('未报送单位会在截止前按工作日自动收到提醒；周报每周第一个工作日发送。'),
    ],
  });
}

export interface OverdueView {
  campaignTitle: string;
  campaignId: string;
  deadlineText: string;
  missing: { name: string; liaisons: string }[];
}

export function overdueCard(v: OverdueView): CardJson {
  return card({
    title: `已过截止日期：${v.missing.length} 个单位未报送`,
    subtitle: v.campaignTitle,
    template: 'red',
    summary: `${v.missing.length} 个单位未在 ${v.deadlineText} 前报送`,
    elements: [
      markdown(`以下单位未在 ${bold(v.deadlineText)} 前报送申报表：`),
      markdown(
        v.missing
          .slice(0, 60)
          .map((m, i) => `${i + 1}. ${escapeMarkdown(m.name)}（${escapeMarkdown(m.liaisons)}）`)
          .join('\n'),
      ),
      buttonRow([button('一键催办', reminderActions.nudgePreview.value({ campaignId: v.campaignId }), { type: 'primary_filled' })]),
      note('点击“一键催办”会先显示将要联系的单位和方式，确认后才发送。'),
    ],
  });
}
