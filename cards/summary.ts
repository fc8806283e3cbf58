// Summary (活动总结) cards: the form a liaison fills after the activity, its read-only view, the
// unit's activity list, the photo list, "which activity is this photo for?", and the
// coordinator's completeness view. Pure builders.
import { strong, fitCard, bold, button, buttonRow, card, columns, datePicker, escapeMarkdown, form, formButton, input, markdown, multiSelect, note, select, table, textBlock, type CardElement, type CardJson } from './kit.ts';
import { ACTIVITY_FORMS, formLabel } from '../src/domain/campaign.ts';
import { LINK_CHANNELS, MAX_DATE_PICKERS, PARTICIPANT_KINDS, SUMMARY_FIELDS, type FieldErrors, type SummaryRaw, type SummaryStatus, type SummaryValues, LONG_TEXT_MAX } from '../src/domain/summary.ts';
import type { EvidenceCheck } from '../src/domain/evidence.ts';
import { lastOfMonth } from '../src/domain/time.ts';
import { evidenceElements } from './evidence.ts';
import { summaryActions } from './actions.ts';

export type { SummaryStatus };

export const SUMMARY_STATUS_LABELS: Record<SummaryStatus, string> = { none: '未填写', draft: '草稿', submitted: '已提交' };

/** What both summary cards show about the activity and its summary, whichever way it is shown. */
export interface SummaryHeadView {
  themeId: string;
  unitName: string;
  title: string;
  year: number;
  month: number;
  status: SummaryStatus;
  photoCount: number;
  logoPhotoCount: number;
  evidence?: EvidenceCheck;
}

export interface SummaryFormView extends SummaryHeadView {
  raw: SummaryRaw;
  errors: FieldErrors;
  /** a line shown above the form, e.g. "草稿已保存 10:32" */
  notice?: string;
  /** the person has unsubmitted edits of a submitted summary */
  pendingEdits?: boolean;
}

const YES_NO = [
  { label: '是', value: 'yes' },
  { label: '否', value: 'no' },
];

function fieldError(errors: FieldErrors, name: string): CardElement[] {
  const msg = errors[name];
  return msg ? [markdown(`<font color='red'>⚠ ${escapeMarkdown(msg)}</font>`, { text_size: 'notation' })] : [];
}

const statusColor: Record<SummaryStatus, string> = { none: 'neutral', draft: 'orange', submitted: 'green' };

export function summaryFormCard(v: SummaryFormView): CardJson {
  const e = v.errors;
  const dates: CardElement[] = [];
  for (let i = 1; i <= MAX_DATE_PICKERS; i++) {
    dates.push(datePicker(SUMMARY_FIELDS.date(i), { placeholder: `举办日期 ${i}`, value: v.raw.dates[i - 1] || undefined }));
  }
  const p = PARTICIPANT_KINDS.map((k) => input(SUMMARY_FIELDS.participant(k.key), { label: `${k.label}（人）`, placeholder: '0', value: v.raw.participants[k.key] ?? '', maxLength: 7 }));
  const fields: CardElement[] = [
    markdown(`${bold('1. 实际举办日期')}（选 1–3 个日期，更多日期可在下方输入）`),
    columns(
      dates.map((d) => ({ elements: [d] })),
      { narrow: 'stretch' },
    ),
    ...fieldError(e, SUMMARY_FIELDS.date(1)),
    input(SUMMARY_FIELDS.datesText, { label: '其他日期（可选）', placeholder: '如：2023-05-12、5月20日', value: v.raw.datesText, maxLength: 200 }),
    ...fieldError(e, SUMMARY_FIELDS.datesText),
    markdown(`${bold('2. 实际采用的活动形式')}（可多选）`),
    multiSelect(SUMMARY_FIELDS.forms, { placeholder: '选择活动形式', options: ACTIVITY_FORMS.map((f) => ({ label: f.label, value: f.key })), values: v.raw.forms }),
    ...fieldError(e, SUMMARY_FIELDS.forms),
    markdown(`${bold('3. 参与人员')}（各类人数，没有的填 0；除仅问卷调查外至少一类有人）`),
    columns(
      p.slice(0, 3).map((x) => ({ elements: [x] })),
      { narrow: 'bisect' },
    ),
    columns(
      p.slice(3).map((x) => ({ elements: [x] })),
      { narrow: 'bisect' },
    ),
    ...PARTICIPANT_KINDS.flatMap((k) => fieldError(e, SUMMARY_FIELDS.participant(k.key))),
    markdown(`${bold('4. 活动现场是否设置“政务公开主题日”LOGO 醒目标识')}`),
    note('选“是”时，请在下方“照片 / 标记 LOGO 照片”中，把能看到现场 LOGO 的照片标为 LOGO 照片。'),
    select(SUMMARY_FIELDS.logo, { placeholder: '请选择', options: YES_NO, value: v.raw.logo || undefined }),
    ...fieldError(e, SUMMARY_FIELDS.logo),
    markdown(`${bold('5. 宣传链接')}（每行一个 http(s) 链接）`),
    ...LINK_CHANNELS.flatMap((c) => [
      input(SUMMARY_FIELDS.link(c.key), { label: c.label, placeholder: 'https://…', value: v.raw.links[c.key] ?? '', multiline: true, rows: 2, maxLength: 1000 }),
      ...fieldError(e, SUMMARY_FIELDS.link(c.key)),
    ]),
    markdown(`${bold('6. 是否发布政策解读')}`),
    select(SUMMARY_FIELDS.policy, { placeholder: '请选择', options: YES_NO, value: v.raw.policy || undefined }),
    ...fieldError(e, SUMMARY_FIELDS.policy),
    markdown(`${bold('7. 收集意见建议')}`),
    columns([
      { elements: [input(SUMMARY_FIELDS.opinions, { label: '收集意见建议（条）', placeholder: '0', value: v.raw.opinions, maxLength: 7 })] },
      { elements: [input(SUMMARY_FIELDS.surveyAnswers, { label: '问卷回收（份，问卷调查必填）', placeholder: '0', value: v.raw.surveyAnswers, maxLength: 7 })] },
    ]),
    ...fieldError(e, SUMMARY_FIELDS.opinions),
    ...fieldError(e, SUMMARY_FIELDS.surveyAnswers),
    markdown(`${bold('8. 活动总结')}（至少 20 字）`),
    input(SUMMARY_FIELDS.summary, { label: '活动开展情况、参与情况、社会反响', placeholder: '活动开展情况、参与情况、社会反响（至少 20 字）', value: v.raw.summary, multiline: true, rows: 5, maxLength: LONG_TEXT_MAX }),
    ...fieldError(e, SUMMARY_FIELDS.summary),
    markdown(`${bold('9. 做法与经验')}（至少 10 字）`),
    input(SUMMARY_FIELDS.experience, { label: '可复制可推广的典型经验做法', placeholder: '可复制可推广的典型经验做法（至少 10 字）', value: v.raw.experience, multiline: true, rows: 4, maxLength: LONG_TEXT_MAX }),
    ...fieldError(e, SUMMARY_FIELDS.experience),
    columns([
      { elements: [formButton('summary_save', '保存草稿', summaryActions.save.value({ themeId: v.themeId }), { type: 'default' })] },
      { elements: [formButton('summary_submit', v.status === 'submitted' ? '提交修改' : '提交总结', summaryActions.submit.value({ themeId: v.themeId }), { type: 'primary' })] },
    ]),
  ];
  const errorCount = Object.keys(e).length;
  const head: CardElement[] = [markdown(`${bold('活动主题')}：${escapeMarkdown(v.title)}\n${bold('计划月份')}：${v.year}年${v.month}月\u3000${bold('状态')}：${SUMMARY_STATUS_LABELS[v.status]}${v.pendingEdits ? '（有未提交的修改）' : ''}`)];
  if (v.notice) head.push(note(escapeMarkdown(v.notice)));
  if (errorCount > 0) head.push(markdown(`<font color='red'>有 ${errorCount} 处需要修改，请看各项下方的红色提示。已填写的内容都保留着。</font>`));
  head.push(note(`照片：${v.photoCount} 张${logoLine(v.photoCount, v.logoPhotoCount)}。在本单位工作群把照片发给机器人，或回复本卡片发送照片，即可上传。`));
  return card({
    title: `活动总结 · ${v.unitName}`,
    template: v.status === 'submitted' ? 'green' : 'blue',
    tags: [{ text: SUMMARY_STATUS_LABELS[v.status], color: statusColor[v.status] }],
    summary: `活动总结：${v.title}`,
    elements: [
      ...head,
      form('summary_form', fields),
      buttonRow([button(`照片 / 标记 LOGO 照片（${v.photoCount}）`, summaryActions.photos.value({ themeId: v.themeId }), { size: 'small' })]),
      ...(v.evidence ? evidenceElements(v.evidence) : []),
    ],
  });
}

export interface SummaryReadView extends SummaryHeadView {
  values: Partial<SummaryValues>;
  submittedAt?: string;
  /** shows 修改 / 照片 buttons (liaison) */
  editable: boolean;
  notice?: string;
  /** opened from the 总结进度 card of this year: a button goes back to it */
  backToProgressYear?: number;
}

/** How the LOGO photo stands, told where the photos are counted (marking one is otherwise hard to find). */
function logoLine(photos: number, logoPhotos: number): string {
  if (logoPhotos > 0) return `（含 LOGO 照片 ${logoPhotos} 张）`;
  return photos > 0 ? '，尚未标记 LOGO 照片：点“照片 / 标记 LOGO 照片”，在能看到现场 LOGO 的照片旁点“标为 LOGO 照片”' : '';
}

/** Plain rendering of a summary's values (also used on the judge's card). */
export function summaryValueElements(values: Partial<SummaryValues>): CardElement[] {
  const out: CardElement[] = [];
  const parts = values.participants ? PARTICIPANT_KINDS.filter((k) => values.participants![k.key] > 0).map((k) => `${k.label} ${values.participants![k.key]} 人`) : [];
  out.push(
    markdown(
      [
        `${bold('举办日期')}：${values.heldDates?.length ? values.heldDates.join('、') : '—'}`,
        `${bold('活动形式')}：${values.formsUsed?.length ? values.formsUsed.map(formLabel).join('、') : '—'}`,
        `${bold('参与人员')}：${parts.length ? parts.join('，') : '—'}`,
        `${bold('现场 LOGO')}：${values.logoShown === undefined ? '—' : values.logoShown ? '有' : '无'}\u3000${bold('政策解读')}：${values.policyReleased === undefined ? '—' : values.policyReleased ? '已发布' : '未发布'}`,
        `${bold('意见建议')}：${values.opinionsCount ?? '—'} 条${values.surveyAnswers !== undefined && values.surveyAnswers !== null ? `\u3000${bold('问卷回收')}：${values.surveyAnswers} 份` : ''}`,
      ].join('\n'),
    ),
  );
  if (values.links) {
    for (const c of LINK_CHANNELS) {
      const urls = values.links[c.key];
      if (urls.length > 0) out.push(markdown(`${bold(c.label)}：`), textBlock(urls.join('\n')));
    }
  }
  if (values.summaryText) out.push(markdown(`${bold('活动总结')}：`), textBlock(values.summaryText));
  if (values.experience) out.push(markdown(`${bold('做法与经验')}：`), textBlock(values.experience));
  return out;
}

export function summaryReadCard(v: SummaryReadView): CardJson {
  const elements: CardElement[] = [
    markdown(`${bold('活动主题')}：${escapeMarkdown(v.title)}\n${bold('计划月份')}：${v.year}年${v.month}月\u3000${bold('状态')}：${SUMMARY_STATUS_LABELS[v.status]}${v.submittedAt ? `（${v.submittedAt}）` : ''}`),
  ];
  if (v.notice) elements.push(markdown(escapeMarkdown(v.notice)));
  elements.push(...summaryValueElements(v.values));
  elements.push(note(`照片：${v.photoCount} 张${logoLine(v.photoCount, v.logoPhotoCount)}`));
  if (v.evidence) elements.push(...evidenceElements(v.evidence));
  elements.push(
    buttonRow([
      ...(v.editable ? [button('修改总结', summaryActions.open.value({ themeId: v.themeId }), { size: 'small' })] : []),
      button(`照片 / 标记 LOGO 照片（${v.photoCount}）`, summaryActions.photos.value({ themeId: v.themeId }), { size: 'small' }),
      ...(v.backToProgressYear ? [button('返回总结进度', summaryActions.progress.value({ year: v.backToProgressYear }), { size: 'small', type: 'default' })] : []),
    ]),
  );
  return card({
    title: `活动总结 · ${v.unitName}`,
    template: v.status === 'submitted' ? 'green' : 'blue',
    tags: [{ text: SUMMARY_STATUS_LABELS[v.status], color: statusColor[v.status] }],
    summary: `活动总结：${v.title}`,
    elements,
  });
}

export interface UnitActivityItem {
  themeId: string;
  title: string;
  month: number;
  status: SummaryStatus;
  photoCount: number;
}

/** The unit's approved activities with 填写总结 buttons (the `总结` command in a unit group). */
export function unitActivitiesCard(v: { unitName: string; year: number; items: UnitActivityItem[] }): CardJson {
  if (v.items.length === 0) {
    return card({ title: `活动总结 · ${v.unitName}`, template: 'grey', elements: [markdown(`${v.year} 年计划中没有本单位已入选的活动，暂不需要填写总结。`)] });
  }
  const elements: CardElement[] = [markdown(`${v.year} 年本单位入选活动 ${v.items.length} 项。活动结束后请填写总结并在本群发送活动照片。`)];
  for (const it of v.items.slice(0, 20)) {
    elements.push(
      columns([
        { weight: 3, elements: [markdown(`${bold(`${it.month}月`)} ${escapeMarkdown(it.title)}\n${SUMMARY_STATUS_LABELS[it.status]} · 照片 ${it.photoCount} 张`)] },
        { auto: true, elements: [button(it.status === 'submitted' ? '查看/修改' : '填写总结', summaryActions.open.value({ themeId: it.themeId }), { type: it.status === 'submitted' ? 'default' : 'primary', size: 'small' })] },
      ]),
    );
  }
  return card({ title: `活动总结 · ${v.unitName}`, template: 'blue', elements });
}

export interface PhotoItem {
  id: string;
  fileName: string;
  takenOn: string | null;
  sizeBytes: number;
  isLogo: boolean;
  /** the photo as uploaded to Feishu (image_key), shown as a thumbnail to pick the LOGO photo by */
  imageKey?: string;
}

/**
 * Photos per page of the photo list. A row is ten elements as Feishu counts them (columns, the line,
 * two buttons with their texts, the delete confirmation's title and text): twenty rows crossed the
 * 200-element limit, ten leave room for the header and navigation.
 */
export const PHOTOS_PER_PAGE = 10;

export function photoListCard(v: { themeId: string; unitName: string; title: string; photos: PhotoItem[]; notice?: string; page?: number }): CardJson {
  const pages = Math.max(1, Math.ceil(v.photos.length / PHOTOS_PER_PAGE));
  const page = Math.min(Math.max(v.page ?? 0, 0), pages - 1);
  const elements: CardElement[] = [markdown(`${bold('活动主题')}：${escapeMarkdown(v.title)}\n共 ${v.photos.length} 张照片。在单位群直接发送照片即可继续上传（支持 JPEG/PNG/WebP/HEIC）。`)];
  if (v.notice) elements.push(markdown(escapeMarkdown(v.notice)));
  v.photos.slice(page * PHOTOS_PER_PAGE, (page + 1) * PHOTOS_PER_PAGE).forEach((ph, k) => {
    const i = page * PHOTOS_PER_PAGE + k;
    // The picture itself: which one shows the LOGO is seen, not read off a file name.
    const thumb: { elements: CardElement[]; weight: number }[] = ph.imageKey
      ? [{ weight: 1, elements: [{ tag: 'img', img_key: ph.imageKey, alt: { tag: 'plain_text', content: `照片 ${i + 1}` }, scale_type: 'crop_center', preview: true }] }]
      : [];
    elements.push(
      columns([
        ...thumb,
        {
          // The buttons under the text, not in a column of their own: beside a column of buttons a
          // 390 px phone left the text 138 px, and the date broke at its hyphen (2023- / 05-10).
          // "1）", not "1.": a digit and a dot open an ordered list, indented off the thumbnail.
          weight: 3,
          elements: [
            markdown(`${i + 1}）${escapeMarkdown(ph.fileName)}${ph.isLogo ? ` ${bold('〔LOGO〕')}` : ''}\n拍摄日期：${ph.takenOn ?? '未知'}\n${(ph.sizeBytes / 1024).toFixed(0)} KB`),
            buttonRow([
              button(ph.isLogo ? '取消 LOGO' : '标为 LOGO 照片', summaryActions.photoLogo.value({ photoId: ph.id, page }), { size: 'tiny' }),
              button('删除', summaryActions.photoDelete.value({ photoId: ph.id, page }), { type: 'danger', size: 'tiny', confirm: { title: '删除照片', text: `确定删除“${ph.fileName}”吗？` } }),
            ]),
          ],
        },
      ]),
    );
  });
  const nav: CardElement[] = [];
  if (page > 0) nav.push(button('上一页', summaryActions.photos.value({ themeId: v.themeId, page: page - 1 }), { size: 'small' }));
  if (page < pages - 1) nav.push(button(`下一页（${page + 2}/${pages}）`, summaryActions.photos.value({ themeId: v.themeId, page: page + 1 }), { size: 'small' }));
  nav.push(button('返回总结', summaryActions.open.value({ themeId: v.themeId }), { size: 'small' }));
  elements.push(buttonRow(nav));
  return card({ title: `活动照片 · ${v.unitName}`, template: 'wathet', elements });
}

/** Asks which activity a photo belongs to (the unit has several that fit). */
export function photoTargetCard(v: { ref: string; options: { themeId: string; label: string }[] }): CardJson {
  return card({
    title: '这张照片属于哪项活动？',
    template: 'orange',
    elements: [
      markdown('本单位有多项活动，请选择照片所属的活动：'),
      form('photo_target_form', [
        select('themeId', { placeholder: '选择活动', options: v.options.map((o) => ({ label: o.label, value: o.themeId })), required: true }),
        formButton('photo_target_submit', '确定', summaryActions.photoTarget.value({ ref: v.ref })),
      ]),
    ],
  });
}

export function photoTargetChosenCard(title: string): CardJson {
  return card({ title: '已选择活动', template: 'green', elements: [markdown(`照片正在保存到「${escapeMarkdown(title)}」，稍后回复确认。`)] });
}

/**
 * The answer to a photo sent in the unit's group. Its summary buttons follow the summary's real
 * state: 填写总结 before any, 继续填写总结 for a saved draft, 查看总结 / 修改总结 once submitted.
 */
export function photoReceivedCard(v: { themeId: string; title: string; count: number; summaryStatus: SummaryStatus; duplicate?: boolean; takenOn?: string; warning?: string }): CardJson {
  const lines = [v.duplicate ? `这张照片已收到过，未重复保存。「${escapeMarkdown(v.title)}」共 ${v.count} 张照片。` : `已收到 ${v.count} 张照片（「${escapeMarkdown(v.title)}」）。`];
  if (v.takenOn) lines.push(`拍摄日期：${v.takenOn}`);
  if (v.warning) lines.push(`<font color='orange'>${escapeMarkdown(v.warning)}</font>`);
  if (v.summaryStatus === 'submitted') lines.push('本活动的总结已提交，照片已计入。');
  const theme = { themeId: v.themeId };
  const summary =
    v.summaryStatus === 'submitted'
      ? [button('查看总结', summaryActions.view.value(theme), { size: 'small' }), button('修改总结', summaryActions.open.value(theme), { size: 'small' })]
      : [button(v.summaryStatus === 'draft' ? '继续填写总结' : '填写总结', summaryActions.open.value(theme), { size: 'small' })];
  return card({
    title: v.duplicate ? '照片已存在' : '照片已收到',
    template: v.duplicate ? 'grey' : 'green',
    elements: [markdown(lines.join('\n')), buttonRow([button('查看照片 / 标记 LOGO 照片', summaryActions.photos.value({ themeId: v.themeId }), { size: 'small' }), ...summary])],
  });
}

export type MissingKey = 'summary' | 'photos' | 'logo' | 'links';
export const MISSING_LABELS: Record<MissingKey, string> = { summary: '总结', photos: '照片', logo: '现场 LOGO', links: '宣传链接' };

export interface CompletenessRow {
  themeId: string;
  unitId: string;
  unitChatId: string | null;
  unitName: string;
  title: string;
  month: number;
  held: boolean;
  status: SummaryStatus;
  photos: number;
  /** LOGO on site: the summary's answer, or a photo marked as the LOGO photo */
  logo: boolean;
  /** the summary's answer (现场 LOGO：是/否), undefined when not answered */
  logoShown?: boolean;
  logoPhoto?: boolean;
  links: number;
  warnings: number;
  /** what is still missing, as keys (for the reminders) and labels (for people) */
  missingKeys: MissingKey[];
  missing: string[];
}

/** How many rows and choices the completeness card lists, most first (measured, see completenessCard). */
const COMPLETENESS_LEVELS = [
  { rows: 150, options: 80 },
  { rows: 100, options: 60 },
  { rows: 70, options: 40 },
  { rows: 40, options: 25 },
  { rows: 20, options: 10 },
];

/** An activity's summary is due once its month is over (until then nothing is missing yet). */
function summaryDue(year: number, month: number, today: string): boolean {
  return today > lastOfMonth(year, month);
}

/**
 * The coordinator's view of every selected activity's summary. A county has up to ~150: the
 * table lists activities with something missing first, and as many rows and "view" choices as fit
 * Feishu's 30 KB / 200-element limits; the rest are counted.
 */
export function completenessCard(v: { year: number; rows: CompletenessRow[]; today: string }): CardJson {
  // Materials missing after the activity month first, then activities still to come, then the
  // complete ones; each by month (found trying local mode in December: next year's activities
  // all listed as missing everything, in no order).
  const byMonth = (rows: CompletenessRow[]) => [...rows].sort((a, b) => a.month - b.month);
  const due = (r: CompletenessRow) => summaryDue(v.year, r.month, v.today);
  const ordered = [...byMonth(v.rows.filter((r) => r.missing.length > 0 && due(r))), ...byMonth(v.rows.filter((r) => r.missing.length > 0 && !due(r))), ...byMonth(v.rows.filter((r) => r.missing.length === 0))];
  return fitCard(COMPLETENESS_LEVELS.map((level) => () => buildCompletenessCard({ ...v, rows: ordered }, level)));
}

function buildCompletenessCard(v: { year: number; rows: CompletenessRow[]; today: string }, level: { rows: number; options: number }): CardJson {
  const submitted = v.rows.filter((r) => r.status === 'submitted').length;
  const complete = v.rows.filter((r) => r.missing.length === 0).length;
  const upcoming = v.rows.filter((r) => r.missing.length > 0 && !summaryDue(v.year, r.month, v.today)).length;
  const elements: CardElement[] = [markdown(`${v.year} 年入选活动 ${v.rows.length} 项：已提交总结 ${strong(submitted)} 项，材料齐全 ${strong(complete)} 项${upcoming > 0 ? `，${upcoming} 项活动月份未过` : ''}。`)];
  if (v.rows.length > 0) {
    elements.push(
      table(
        [
          { name: 'unit', display_name: '单位', width: '110px' },
          { name: 'month', display_name: '月', data_type: 'number', width: '80px' },
          { name: 'summary', display_name: '总结', width: '80px' },
          { name: 'photos', display_name: '照片', data_type: 'number', width: '80px' },
          { name: 'logo', display_name: 'LOGO', width: '80px' },
          { name: 'links', display_name: '链接', data_type: 'number', width: '80px' },
          { name: 'missing', display_name: '待补', width: '160px' },
        ],
        v.rows.slice(0, level.rows).map((r) => ({
          unit: r.unitName,
          month: r.month,
          summary: SUMMARY_STATUS_LABELS[r.status],
          photos: r.photos,
          logo: r.logoShown === false ? '无' : r.logo ? (r.logoPhoto ? '有·照片' : '有') : '—',
          links: r.links,
          missing: r.missing.length === 0 ? '齐全' : summaryDue(v.year, r.month, v.today) ? r.missing.join('、') : '活动月后填写',
        })),
        10,
      ),
    );
    if (v.rows.length > level.rows) elements.push(note(`表中先列活动月已过、材料不齐的活动，共列出 ${level.rows} 项，另有 ${v.rows.length - level.rows} 项未列出。`));
    const viewableAll = v.rows.filter((r) => r.status !== 'none');
    const viewable = viewableAll.slice(0, level.options);
    if (viewable.length > 0) {
      elements.push(
        form('summary_view_form', [
          select('themeId', { placeholder: '选择要查看的活动总结', options: viewable.map((r) => ({ label: `${r.unitName} · ${r.month}月 · ${r.title}`.slice(0, 40), value: r.themeId })), required: true }),
          formButton('summary_view_submit', '查看总结', summaryActions.view.value({ back: v.year }), { type: 'default' }),
        ]),
      );
      if (viewableAll.length > viewable.length) elements.push(note(`选择框中列出 ${viewable.length} 项（已填写总结的共 ${viewableAll.length} 项）。`));
    }
  }
  elements.push(note(`统计日期：${v.today}。“待补”只作提示，不影响提交。`));
  return card({ title: '活动总结进度', template: 'indigo', elements });
}
