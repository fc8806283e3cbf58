// The coordinator's live progress card, patched in place as units submit. Other features may
// append sections (e.g. the reminder log) through `extraSections`.
import type { ProgressSnapshot } from '../src/domain/submission-progress.ts';
import { bold, button, buttonRow, card, escapeMarkdown, field, hr, markdown, note, strong, table, type CardElement, type CardJson } from './kit.ts';
import { barChart } from './chart.ts';
import { reminderActions, submissionActions } from './actions.ts';

export interface ProgressCardOptions {
  /** e.g. '2023-04-03 10:15' */
  updatedAtText: string;
  deadlineText: string;
  /** extra elements placed before the buttons (root-level; no forms) */
  extraSections?: CardElement[];
  /** where the campaign stands (domain/campaign-stage) and what to do next */
  stage?: { strip: string; next: string };
  /** declared themes counted by 主题领域 (a theme with two 领域 counts in both); empty ones flagged */
  byDomain?: { counts: { domain: string; count: number }[]; untagged: number; empty: string[] };
}

/** `按主题领域` line and, when some have no theme yet, an orange line naming them. */
export function domainLines(d: NonNullable<ProgressCardOptions['byDomain']>, what = '主题'): CardElement[] {
  if (d.counts.length === 0) return [];
  const counts = d.counts.map((c) => `${escapeMarkdown(c.domain)} ${c.count}`);
  if (d.untagged > 0) counts.push(`未选领域 ${d.untagged}`);
  const out = [markdown(field('按主题领域', counts.join('\u3000')))];
  if (d.empty.length > 0) out.push(markdown(`<font color='orange'>暂无${what}的领域（${d.empty.length}）：${d.empty.map(escapeMarkdown).join('、')}</font>`));
  return out;
}

function names(list: string[]): string {
  return list.length === 0 ? '无' : list.map(escapeMarkdown).join('、');
}

/**
 * Bars per unit kind (镇 / 街道 / 县直部门 …), 已提交 green beside 未提交 red, each count on top of its
 * bar. Side by side, not stacked: at county scale a kind's few submitted units make a segment too
 * short for its number, which then sat on the other colour (two Chromium passes), and a series
 * with no units yet dropped out of a stack, swapping the legend's order.
 */
export function progressChart(s: ProgressSnapshot): CardElement {
  const kinds = s.byKind.filter((g) => g.total > 0);
  return barChart({
    title: '按单位类别：已提交 / 未提交',
    stacked: false,
    heightPx: 240,
    categories: kinds.map((g) => g.label),
    seriesColors: { 已提交: '#34c724', 未提交: '#f54a45' },
    data: kinds.flatMap((g) => [
      { category: g.label, series: '已提交', value: g.submitted },
      { category: g.label, series: '未提交', value: g.total - g.submitted },
    ]),
  });
}

export function buildProgressCard(s: ProgressSnapshot, o: ProgressCardOptions): CardJson {
  const pct = s.total === 0 ? 0 : Math.round((s.submitted / s.total) * 100);
  const elements: CardElement[] = [
    ...(o.stage ? [markdown(`${field('当前阶段', o.stage.strip)}\n下一步：${escapeMarkdown(o.stage.next)}`)] : []),
    markdown(
      `截止 ${bold(o.deadlineText)}\u3000已提交 ${strong(`${s.submitted}/${s.total}`)}（${pct}%）\u3000未提交 ${strong(s.total - s.submitted)}${s.withdrawn > 0 ? `（其中撤回 ${s.withdrawn}）` : ''}\u3000主题共 ${strong(s.themeCount)} 个`,
    ),
    // Submitted vs not by unit kind: the bars read at a glance, the table keeps the exact counts.
    ...(s.total > 0 ? [progressChart(s)] : []),
    // Counts only: a names column squeezed beside three fixed ones wraps to 3 characters a line on a
    // phone (and is cut off); the names follow as text, one line per kind.
    table(
      [
        { name: 'kind', display_name: '类别' },
        { name: 'done', display_name: '已提交', data_type: 'number' },
        { name: 'total', display_name: '应提交', data_type: 'number' },
        { name: 'missing', display_name: '未提交', data_type: 'number' },
      ],
      s.byKind.map((g) => ({ kind: g.label, done: g.submitted, total: g.total, missing: g.missing.length })),
      5,
    ),
    ...s.byKind.filter((g) => g.missing.length > 0).map((g) => markdown(`${bold(`未提交的${g.label}`)}（${g.missing.length}）：${names(g.missing)}`)),
  ];
  if (s.late.length > 0) elements.push(markdown(`${bold('逾期提交')}（${s.late.length}）：${names(s.late)}`));
  if (s.withdrawnUnits.length > 0) elements.push(markdown(`${bold('已撤回')}（${s.withdrawnUnits.length}）：${names(s.withdrawnUnits)}`));
  if (s.extended.length > 0) elements.push(markdown(field('单独延期', `${s.extended.map((e) => `${escapeMarkdown(e.unitName)}（至 ${e.until}）`).join('、')}`)));
  if (s.reopened.length > 0) elements.push(markdown(field('重新开放', s.reopened.map((e) => `${escapeMarkdown(e.unitName)}（至 ${e.until}）`).join('、'))));
  elements.push(
    hr(),
    markdown(field('按活动形式', s.byForm.map((f) => `${f.label} ${f.count}`).join('\u3000'))),
    markdown(
      field(
        '按月份',
        s.byMonth
          .map((n, i) => (n > 0 ? `${i + 1}月 ${n}` : ''))
          .filter(Boolean)
          .join('\u3000') || '暂无',
      ),
    ),
    ...(o.byDomain ? domainLines(o.byDomain) : []),
  );
  if (o.extraSections && o.extraSections.length > 0) elements.push(hr(), ...o.extraSections);
  elements.push(
    note(`更新于 ${escapeMarkdown(o.updatedAtText)}，有单位提交时自动刷新`),
    buttonRow([
      button('导出申报表', submissionActions.export.value({ campaignId: s.campaignId }), { type: 'primary' }),
      button('催办未提交单位', reminderActions.nudgePreview.value({ campaignId: s.campaignId }), { type: 'danger' }),
      button('刷新', submissionActions.progress.value({ campaignId: s.campaignId })),
    ]),
  );
  return card({
    title: `申报进度 · ${s.title}`,
    template: s.submitted === s.total && s.total > 0 ? 'green' : 'wathet',
    tags: [{ text: `${s.submitted}/${s.total}`, color: 'blue' }],
    summary: `申报进度 ${s.submitted}/${s.total}`,
    elements,
  });
}
