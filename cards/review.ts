// Review cards: the reviewer's unit-by-unit review card, the history card, the decision notice
// posted in the unit's group. Pure builders; times arrive formatted.
import { strong, fitCard, bold, boldLine, button, buttonRow, card, escapeMarkdown, form, formButton, hr, input, markdown, mention, multiSelect, note, select, textBlock, type ActionValue, type CardElement, type CardJson } from './kit.ts';
import { ACTIVITY_FORMS, UNIT_KINDS } from '../src/domain/campaign.ts';
import { decisionLabel, describeFilter, fieldLabel, formsText, REASON_MAX, reviewStatusLabel, THEME_FIELDS, type FieldChange, type ReviewFilter } from '../src/domain/review.ts';
import { THEME_INTRO_INPUT_MAX, THEME_TITLE_INPUT_MAX } from '../src/domain/submission.ts';
import { markedDiff } from './text-diff.ts';
import { reviewActions } from './actions.ts';

/**
 * Themes shown per page of one unit. Each theme with its decision form is ~30 elements as Feishu
 * counts them and the filter form ~60, so four keep the page under the 200-element limit.
 */
export const THEMES_PER_PAGE = 4;

export interface ReviewThemeVm {
  id: string;
  seq: number;
  title: string;
  month: number;
  forms: string[];
  intro: string;
  status: string;
  version: number;
  reason?: string | null;
  fields?: string[];
  /** what changed since the version that was returned, and who sent the current version when (the unit's 报送时间 is the first submission's) */
  diff?: { fromVersion: number; changes: FieldChange[]; by?: string; at?: string };
  /** the latest decision; `reason` is kept after the unit changed the theme (the theme's own is cleared then) */
  lastDecision?: { label: string; by: string; at: string; reason?: string | null };
  /** what the reviewer typed when the last attempt was refused */
  draft?: { reason: string; fields: string[] };
  error?: string;
  /** 主题领域 the unit tagged */
  domains?: string[];
  /** near-duplicates in other units (same month, a shared form, similar title), most similar first */
  similar?: { unitName: string; title: string; similarity: number }[];
}

export interface ReviewCardVm {
  campaignId?: string;
  campaignTitle: string;
  filter: ReviewFilter;
  counts: { pending: number; approved: number; returned: number; rejected: number; total: number };
  unit?: { id: string; name: string; kindLabel: string; contact: string; submittedAt?: string; index: number; count: number };
  themes: ReviewThemeVm[];
  page: number;
  pages: number;
}

/** The navigation state every button on the review card carries (the fields of reviewActions' values). */
export function navFields(vm: { filter: ReviewFilter; unitId: string; page: number; campaignId?: string }, dir?: 'prev' | 'next' | 'stay') {
  // The campaign rides along: in December a 2026 card and a 2027 card may both be open.
  return { unitId: vm.unitId, page: vm.page, status: vm.filter.status, kind: vm.filter.kind, month: vm.filter.month, form: vm.filter.form, campaignId: vm.campaignId, dir };
}

const STATUS_COLOR: Record<string, string> = { pending: 'orange', approved: 'green', returned: 'red', rejected: 'grey' };

/** How much of the long texts a page shows: everything, then shortened (measured, see reviewCard). */
interface Clips {
  intro?: number;
  diff: number;
  reason?: number;
}
const FULL: Clips = { diff: 120 };
const COMPACT: Clips = { intro: 150, diff: 120 };
const TIGHT: Clips = { intro: 60, diff: 40, reason: 60 };
const DIFF_CLIP = FULL.diff;

function clip(s: string, n: number): string {
  const chars = [...s];
  return chars.length > n ? `${chars.slice(0, n).join('')}…` : s;
}

function diffLine(c: FieldChange, emphasise: boolean, n = DIFF_CLIP): string {
  // Texts: the changed characters marked in place (a 500-character 简介 shown twice hides a one-word edit).
  if (c.field === 'intro') return `· ${c.label}：${markedDiff(c.before, c.after, n * 2)}`;
  const after = clip(c.after, n);
  return `· ${c.label}：${escapeMarkdown(clip(c.before, n))} → ${emphasise ? bold(after) : escapeMarkdown(after)}`;
}

/** What the v1/v2 tags mean, once per card. */
export const VERSION_NOTE = 'v1、v2…是主题的版本号：单位每修改一次该主题并重新提交，版本号加 1；审核针对当前版本。';

function clipTo(s: string, n: number | undefined): string {
  return n === undefined ? s : clip(s, n);
}

/** `，周晓燕 2023-04-03 15:00 重新提交` when known. */
function resubmitted(d: { by?: string; at?: string }): string {
  return d.by && d.at ? `，${escapeMarkdown(d.by)} ${d.at} 重新提交` : '';
}

function themeBlock(vm: ReviewCardVm, t: ReviewThemeVm, i: number, clips: Clips): CardElement[] {
  const unitId = vm.unit?.id ?? '';
  const nav = { filter: vm.filter, unitId, page: vm.page, campaignId: vm.campaignId };
  const lines = [
    `${bold(`${t.seq}. ${t.title}`)}\u3000<font color='${STATUS_COLOR[t.status] ?? 'grey'}'>${reviewStatusLabel(t.status)}</font>\u3000v${t.version}`,
    `活动时间：${t.month}月\u3000活动形式：${escapeMarkdown(formsText(t.forms))}${t.domains && t.domains.length > 0 ? `\u3000主题领域：${escapeMarkdown(t.domains.join('、'))}` : ''}`,
  ];
  if (t.similar && t.similar.length > 0) {
    // Titles that differ only in boilerplate (“座谈会”“政策发布会”…) score 1: "相似度 100%" under two
    // different titles read as an error (found in a Chromium pass), so those say what is the same.
    const degree = (s: { title: string; similarity: number }) => (s.similarity >= 0.995 && s.title !== t.title ? '主题词相同' : `相似度 ${Math.round(s.similarity * 100)}%`);
    const shown = t.similar.slice(0, 3).map((s) => `${escapeMarkdown(s.unitName)}「${escapeMarkdown(clipTo(s.title, clips.intro === undefined ? undefined : 24))}」（${degree(s)}）`);
    const more = t.similar.length > 3 ? ` 等 ${t.similar.length} 项` : '';
    lines.push(`<font color='orange'>同月同形式的相近主题：${shown.join('、')}${more}，可请单位突出差异</font>`);
  }
  const out: CardElement[] = [markdown(lines.join('\n')), textBlock(`活动简介：${clipTo(t.intro, clips.intro)}`)];
  if (t.lastDecision) {
    // A theme back for review after a 退回 or 不采纳 shows why it was decided so (found in a Chromium pass).
    const why = t.reason ?? t.lastDecision.reason;
    const extra = why ? `：${escapeMarkdown(clipTo(why, clips.reason))}` : '';
    const fields = t.fields && t.fields.length > 0 ? `（需修改：${t.fields.map(fieldLabel).join('、')}）` : '';
    out.push(note(`${escapeMarkdown(t.lastDecision.by)} ${t.lastDecision.at} ${t.lastDecision.label}${extra}${fields}`));
  }
  if (t.diff && t.diff.changes.length > 0) {
    const diffLines = t.diff.changes.map((c) => diffLine(c, true, clips.diff));
    out.push(markdown(`<font color='blue'>修改内容（v${t.diff.fromVersion} → v${t.version}${resubmitted(t.diff)}）</font>\n${diffLines.join('\n')}`));
  } else if (t.diff) {
    out.push(note(`v${t.diff.fromVersion} → v${t.version}${resubmitted(t.diff)}：内容未改动`));
  }
  const formElements: CardElement[] = [
    input(`reason_${i}`, { label: '审核意见（退回修改、不采纳必填）', placeholder: '例如：主题请聚焦具体政策，简介补充活动对象', value: t.draft?.reason, maxLength: REASON_MAX }),
    multiSelect(`fields_${i}`, {
      placeholder: '退回时需修改的内容（可多选）',
      options: THEME_FIELDS.map((f) => ({ label: f.label, value: f.key })),
      values: t.draft?.fields ?? [],
    }),
  ];
  if (t.error) formElements.push(markdown(`<font color='red'>${escapeMarkdown(t.error)}</font>`));
  formElements.push(
    buttonRow([
      formButton(`approve_${i}`, '通过', reviewActions.decide.value({ ...navFields(nav), themeId: t.id, version: t.version, decision: 'approve', index: i }), { type: 'primary' }),
      formButton(`return_${i}`, '退回修改', reviewActions.decide.value({ ...navFields(nav), themeId: t.id, version: t.version, decision: 'return', index: i }), { type: 'default' }),
      formButton(`reject_${i}`, '不采纳', reviewActions.decide.value({ ...navFields(nav), themeId: t.id, version: t.version, decision: 'reject', index: i }), { type: 'danger' }),
    ]),
  );
  out.push(button('查看历史', reviewActions.history.value({ ...navFields(nav), themeId: t.id }), { type: 'text', size: 'small' }));
  out.push(form(`review_${i}`, formElements));
  return out;
}

function filterForm(vm: ReviewCardVm): CardElement {
  const f = vm.filter;
  const nav = { filter: f, unitId: vm.unit?.id ?? '', page: 0, campaignId: vm.campaignId };
  return form('review_filter', [
    {
      tag: 'column_set',
      // Four filters: two a row on a phone (Feishu's bisect), where four in a row each read 全部….
      flex_mode: 'bisect',
      horizontal_spacing: 'small',
      columns: [
        {
          tag: 'column',
          width: 'weighted',
          weight: 1,
          elements: [
            select('status', {
              placeholder: '状态',
              value: f.status,
              options: [
                { label: '待审核', value: 'pending' },
                { label: '全部状态', value: 'all' },
                { label: '已通过', value: 'approved' },
                { label: '已退回', value: 'returned' },
                { label: '不采纳', value: 'rejected' },
              ],
            }),
          ],
        },
        { tag: 'column', width: 'weighted', weight: 1, elements: [select('kind', { placeholder: '单位类型', value: f.kind, options: [{ label: '全部单位', value: 'all' }, ...UNIT_KINDS.map((k) => ({ label: k.label, value: k.key }))] })] },
        {
          tag: 'column',
          width: 'weighted',
          weight: 1,
          elements: [select('month', { placeholder: '月份', value: String(f.month), options: [{ label: '全部月份', value: '0' }, ...Array.from({ length: 12 }, (_, k) => ({ label: `${k + 1}月`, value: String(k + 1) }))] })],
        },
        {
          tag: 'column',
          width: 'weighted',
          weight: 1,
          elements: [select('form', { placeholder: '活动形式', value: f.form, options: [{ label: '全部形式', value: 'all' }, ...ACTIVITY_FORMS.map((x) => ({ label: x.label, value: x.key }))] })],
        },
      ],
    },
    formButton('filter_submit', '筛选', reviewActions.filter.value(navFields(nav)), { type: 'default' }),
  ]);
}

/** The page in full when it fits Feishu's limits, else with shortened texts (each variant measured). */
export function reviewCard(vm: ReviewCardVm): CardJson {
  return fitCard([FULL, COMPACT, TIGHT].map((clips) => () => buildReviewCard(vm, clips)));
}

function buildReviewCard(vm: ReviewCardVm, clips: Clips): CardJson {
  const c = vm.counts;
  const elements: CardElement[] = [markdown(`共 ${c.total} 个主题：待审核 ${strong(c.pending)}\u3000已通过 ${c.approved}\u3000已退回 ${c.returned}\u3000不采纳 ${c.rejected}`), filterForm(vm), hr()];
  if (!vm.unit) {
    elements.push(markdown(`当前筛选（${describeFilter(vm.filter)}）下没有主题。${vm.filter.status === 'pending' && c.total > 0 ? '待审核的主题已全部处理。' : ''}`));
    return card({ title: '主题审核', subtitle: vm.campaignTitle, template: 'green', elements, summary: '主题审核' });
  }
  const u = vm.unit;
  const nav = { filter: vm.filter, unitId: u.id, page: vm.page, campaignId: vm.campaignId };
  elements.push(
    markdown(`${bold(u.name)}（${u.kindLabel}）\u3000第 ${u.index + 1}/${u.count} 个单位${vm.pages > 1 ? `\u3000主题第 ${vm.page + 1}/${vm.pages} 页` : ''}`),
    note(`联系人：${escapeMarkdown(u.contact)}${u.submittedAt ? `\u3000报送时间：${u.submittedAt}` : ''}\u3000筛选：${describeFilter(vm.filter)}`),
  );
  vm.themes.forEach((t, i) => {
    elements.push(hr(), ...themeBlock(vm, t, i, clips));
  });
  if (clips !== FULL) elements.push(note('本页内容较多，简介已缩略；点“查看历史”可看完整内容。'));
  elements.push(note(VERSION_NOTE));
  const navButtons: CardElement[] = [
    button('上一个单位', reviewActions.page.value(navFields(nav, 'prev')), { disabled: u.index === 0, size: 'small' }),
    button('下一个单位', reviewActions.page.value(navFields(nav, 'next')), { disabled: u.index >= u.count - 1, size: 'small', type: 'primary' }),
  ];
  if (vm.pages > 1) {
    navButtons.push(
      button('上一页主题', reviewActions.page.value(navFields({ ...nav, page: vm.page - 1 }, 'stay')), { disabled: vm.page === 0, size: 'small' }),
      button('下一页主题', reviewActions.page.value(navFields({ ...nav, page: vm.page + 1 }, 'stay')), { disabled: vm.page >= vm.pages - 1, size: 'small' }),
    );
  }
  elements.push(hr(), buttonRow(navButtons));
  return card({ title: '主题审核', subtitle: vm.campaignTitle, template: 'green', elements, summary: `主题审核：${u.name}` });
}

// ---------------------------------------------------------------- history

export interface HistoryVm {
  unitName: string;
  theme: { title: string; status: string; version: number };
  entries: { at: string; who: string; what: string; detail?: string }[];
  versions: { version: number; at: string; who: string; title: string; month: number; forms: string[]; intro: string }[];
  back?: ActionValue;
}

export function historyCard(vm: HistoryVm): CardJson {
  const elements: CardElement[] = [markdown(`${bold(vm.unitName)}「${escapeMarkdown(vm.theme.title)}」\u3000当前：${reviewStatusLabel(vm.theme.status)}\u3000v${vm.theme.version}`), hr(), markdown(`${bold('审核记录')}`)];
  if (vm.entries.length === 0) elements.push(note('暂无审核记录'));
  for (const e of vm.entries.slice(-30)) {
    elements.push(markdown(`${e.at}\u3000${escapeMarkdown(e.who)}\u3000${boldLine(e.what)}${e.detail ? `\n${escapeMarkdown(e.detail)}` : ''}`));
  }
  elements.push(hr(), markdown(`${bold('各版本内容')}`));
  for (const v of vm.versions.slice(-10)) {
    elements.push(markdown(`v${v.version}\u3000${v.at}\u3000${escapeMarkdown(v.who)}\n主题：${escapeMarkdown(v.title)}\u3000${v.month}月\u3000${escapeMarkdown(formsText(v.forms))}`), textBlock(`简介：${v.intro}`));
  }
  if (vm.back) elements.push(hr(), button('返回审核', vm.back, { type: 'primary', size: 'small' }));
  return card({ title: '主题审核历史', template: 'grey', elements, summary: '主题审核历史' });
}

// ---------------------------------------------------------------- notices

export interface DecisionNoticeVm {
  unitName: string;
  liaisonOpenIds: string[];
  themeId: string;
  title: string;
  seq: number;
  version: number;
  decision: string;
  reason?: string;
  fields: string[];
  reviewerName: string;
  at: string;
}

export function decisionNoticeCard(vm: DecisionNoticeVm): CardJson {
  const mentions = vm.liaisonOpenIds.map(mention).filter(Boolean).join(' ');
  const label = decisionLabel(vm.decision);
  const lines = [`${mentions ? `${mentions} ` : ''}${escapeMarkdown(vm.unitName)}申报的主题 ${vm.seq}「${escapeMarkdown(vm.title)}」审核结果：${strong(label)}`];
  if (vm.reason) lines.push(`${vm.decision === 'approve' ? '审核意见' : '原因'}：${escapeMarkdown(vm.reason)}`);
  if (vm.fields.length > 0) lines.push(`需修改：${vm.fields.map(fieldLabel).join('、')}`);
  lines.push(`审核人：${escapeMarkdown(vm.reviewerName)}\u3000${vm.at}`);
  const elements: CardElement[] = [markdown(lines.join('\n'))];
  if (vm.decision === 'return') {
    elements.push(note('请联系人点击下方按钮修改本主题后重新提交，修改后会回到审核。'));
    elements.push(button('修改并重新提交', reviewActions.reviseOpen.value({ themeId: vm.themeId, version: vm.version }), { type: 'primary' }));
  } else if (vm.decision === 'approve') {
    elements.push(note('入选主题将列入县本级全年“政务公开主题日”活动计划安排表，计划发布后会通知本群。'));
  }
  const template = vm.decision === 'approve' ? 'green' : vm.decision === 'return' ? 'orange' : 'grey';
  return card({ title: `主题审核结果：${label}`, template, elements, summary: `主题审核结果：${label}` });
}

export interface ReviseVm {
  themeId: string;
  version: number;
  unitName: string;
  reason?: string | null;
  fields: string[];
  values: { title: string; month: string; forms: string[]; intro: string };
  errors?: Record<string, string>;
  /** months that may still be chosen */
  months: number[];
  /** the 退回修改 notice in the unit's group when the form was opened from it (into the liaison's private chat) */
  noticeMessageId?: string;
}

function errorLine(errors: Record<string, string> | undefined, key: string): CardElement[] {
  const msg = errors?.[key];
  return msg ? [markdown(`<font color='red'>${escapeMarkdown(msg)}</font>`)] : [];
}

function fieldLabelLine(label: string, mustChange: boolean): CardElement {
  return markdown(`${label}${mustChange ? `\u3000<font color='red'>需修改</font>` : ''}`, { text_size: 'normal' });
}

export function reviseCard(vm: ReviseVm): CardJson {
  const mark = (k: string) => (vm.fields.includes(k) ? '（需修改）' : '');
  const lines = [`${bold(vm.unitName)} 修改退回的主题（v${vm.version}）`];
  if (vm.reason) lines.push(`退回原因：${escapeMarkdown(vm.reason)}`);
  if (vm.fields.length > 0) lines.push(`需修改：${vm.fields.map(fieldLabel).join('、')}`);
  const monthOptions = vm.months.map((m) => ({ label: `${m}月`, value: String(m) }));
  const formElements: CardElement[] = [
    // The same labels as the submission form; a field the reviewer marked says so inside the one bracket.
    input('title', { label: `活动主题（不超过 40 字${vm.fields.includes('title') ? '，需修改' : ''}）`, value: vm.values.title, maxLength: THEME_TITLE_INPUT_MAX, required: true }),
    ...errorLine(vm.errors, 'title'),
    // Selects have no label of their own and the placeholder is hidden once a value is chosen.
    fieldLabelLine(`活动时间（月份）`, vm.fields.includes('month')),
    select('month', { placeholder: `选择月份${mark('month')}`, options: monthOptions, value: monthOptions.some((o) => o.value === vm.values.month) ? vm.values.month : undefined, required: true }),
    ...errorLine(vm.errors, 'month'),
    fieldLabelLine('活动形式（可多选）', vm.fields.includes('forms')),
    multiSelect('forms', { placeholder: `选择活动形式${mark('forms')}`, options: ACTIVITY_FORMS.map((f) => ({ label: f.label, value: f.key })), values: vm.values.forms, required: true }),
    ...errorLine(vm.errors, 'forms'),
    input('intro', { label: `活动简介（20–500 字${vm.fields.includes('intro') ? '，需修改' : ''}）`, value: vm.values.intro, multiline: true, rows: 5, maxLength: THEME_INTRO_INPUT_MAX, required: true }),
    ...errorLine(vm.errors, 'intro'),
    formButton('revise_submit', '重新提交审核', reviewActions.reviseSubmit.value({ themeId: vm.themeId, version: vm.version, ...(vm.noticeMessageId ? { noticeMessageId: vm.noticeMessageId } : {}) })),
  ];
  return card({
    title: '修改并重新提交',
    template: 'orange',
    elements: [markdown(lines.join('\n')), form('revise', formElements)],
    summary: '修改并重新提交',
  });
}

export interface ResubmittedVm {
  unitName: string;
  title: string;
  version: number;
  changes: FieldChange[];
  byName: string;
  at: string;
  unitId: string;
  /** what the office had decided: returned for revision (default) or not adopted (不采纳) */
  was?: 'returned' | 'rejected';
  /** the office's reason for that decision */
  reason?: string | null;
}

/** To the coordinating office: a returned or rejected theme is back for review, with what changed. */
export function resubmittedCard(vm: ResubmittedVm): CardJson {
  const diff = vm.changes.length > 0 ? vm.changes.map((c) => diffLine(c, true)).join('\n') : '（内容未改动）';
  const title = vm.was === 'rejected' ? '不采纳的主题已修改并重新提交' : '退回的主题已重新提交';
  const earlier = vm.reason ? `\n${vm.was === 'rejected' ? '原不采纳理由' : '原退回意见'}：${escapeMarkdown(vm.reason)}` : '';
  return card({
    title,
    template: 'wathet',
    elements: [
      markdown(`${bold(vm.unitName)}「${escapeMarkdown(vm.title)}」已修改（v${vm.version}），${escapeMarkdown(vm.byName)} ${vm.at} 提交。${earlier}\n${diff}`),
      button('去审核', reviewActions.page.value({ unitId: vm.unitId, page: 0, status: 'pending', kind: 'all', month: 0, form: 'all', dir: 'stay' }), { type: 'primary', size: 'small' }),
    ],
    summary: title,
  });
}

export function revisedConfirmCard(vm: { unitName: string; title: string; version: number; changes: FieldChange[] }): CardJson {
  const diff = vm.changes.length > 0 ? vm.changes.map((c) => diffLine(c, false)).join('\n') : '（内容未改动）';
  return card({
    title: '已重新提交审核',
    template: 'green',
    elements: [markdown(`${escapeMarkdown(vm.unitName)}「${escapeMarkdown(vm.title)}」已更新为 v${vm.version}，等待县政务公开办审核。\n${diff}`)],
    summary: '已重新提交审核',
  });
}
