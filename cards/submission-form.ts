// The 申报 form card (sent to the liaison's direct chat): contact fields, the already-saved
// themes as read-only summaries with 编辑/删除, and one theme's fields. Everything sits in one
// form so every button sends what is typed and nothing is lost between clicks; the card nests
// form > column_set > column > button (4 levels) and holds no table.
import { ACTIVITY_FORMS, formLabel } from '../src/domain/campaign.ts';
import { FIELD, THEME_INTRO_INPUT_MAX, THEME_TITLE_INPUT_MAX, type FieldErrors, type SubmissionDraft } from '../src/domain/submission.ts';
import { bold, boldLine, button, buttonRow, card, columns, escapeMarkdown, fitCard, form, formButton, hr, input, markdown, multiSelect, note, select, type ActionValue, type CardElement, type CardJson } from './kit.ts';
import { submissionActions } from './actions.ts';

export interface ThemeSummaryView {
  title: string;
  month: number;
  forms: string[];
  intro?: string;
  domains?: string[];
}

/** One of the unit's themes from an earlier year, shown read-only with how it went. */
export interface PastThemeView {
  title: string;
  month: number;
  forms: string[];
  domains?: string[];
  /** e.g. '审核通过 · 已举办 · 评选第 2 名' */
  resultText: string;
}

/** A newer accepted version than the one this form started from (two liaisons at once). */
export interface ConflictView {
  version: number;
  byName: string;
  atText: string;
  themes: ThemeSummaryView[];
  /** themes of that version the office has decided on (approved, returned, rejected) */
  decided: { title: string; statusLabel: string }[];
}

export interface SubmissionFormView {
  submissionId: string;
  baseVersion: number;
  unitName: string;
  campaignTitle: string;
  year: number;
  /** e.g. '2023年4月7日（星期五）' */
  deadlineText: string;
  firstAllowedMonth: number;
  draft: SubmissionDraft;
  conflict?: ConflictView;
  /** an info line at the top, e.g. what the last click did */
  banner?: string;
  /** the campaign's 主题领域 list (optional multi-select); empty hides the field */
  domainOptions?: readonly string[];
  /** last year's themes of this unit, a read-only reference with 以此为草稿 */
  previous?: { year: number; themes: PastThemeView[] };
  /** what editing already-approved themes does (they go back to review), when there are any */
  reviewNote?: string;
}

export function errorNote(message: string): CardElement {
  return markdown(`<font color='red'>${escapeMarkdown(message)}</font>`, { text_size: 'notation' });
}

export function formsText(forms: readonly string[]): string {
  return forms.map(formLabel).join('、');
}

function shorten(s: string, n: number): string {
  const chars = [...s.replace(/\s+/g, ' ')];
  return chars.length > n ? `${chars.slice(0, n).join('')}…` : chars.join('');
}

export function themeLine(t: ThemeSummaryView, index: number): string {
  // At most three 领域 in a line: a card lists up to thirty themes (saved, conflicting, last year's).
  const d = t.domains ?? [];
  // Labelled: unlabelled, a 领域 after the forms reads as one more 活动形式.
  const domains = d.length > 0 ? ` · 领域：${escapeMarkdown(d.slice(0, 3).join('、'))}${d.length > 3 ? ` 等 ${d.length} 个` : ''}` : '';
  return `${bold(`${index + 1}. ${t.title}`)}\u3000${t.month}月 · ${escapeMarkdown(formsText(t.forms))}${domains}`;
}

function withError(el: CardElement, errors: FieldErrors, field: keyof FieldErrors): CardElement[] {
  const msg = errors[field];
  return msg ? [el, errorNote(msg)] : [el];
}

/** The picker of last year's theme that 以此为草稿 starts from (a form value: the index). */
export const REUSE_PICK = 'reuse_pick';

/** The override's confirm: whose version goes, and which of its themes the office had already decided on. */
function overrideWarning(c: ConflictView): string {
  const decided = c.decided.map((t) => `「${t.title}」（${t.statusLabel}）`).join('、');
  return `确认后再点“提交申报”，将用你填写的内容替换${c.byName}提交的第 ${c.version} 版。${decided ? `其中县政务公开办已审核的主题${decided}，内容与你的不同时将按你的内容重新送审。` : ''}`;
}

/**
 * The form; last year's reference in full, else titles only, else left out with a note (the form
 * itself — up to ten saved themes and a conflict — always comes first within Feishu's limits).
 */
export function buildSubmissionFormCard(v: SubmissionFormView): CardJson {
  if (!v.previous || v.previous.themes.length === 0) return fitCard([() => buildForm(v, 'none'), () => buildForm(v, 'none', true)]);
  return fitCard([() => buildForm(v, 'full'), () => buildForm(v, 'titles'), () => buildForm(v, 'omitted'), () => buildForm(v, 'omitted', true)]);
}

/** `compact`: the saved themes' intros cut to 20 characters (the form re-shows a theme in full when edited). */
function buildForm(v: SubmissionFormView, reference: 'full' | 'titles' | 'omitted' | 'none', compact = false): CardJson {
  const d = v.draft;
  const val = (op: string, extra: { index?: number } = {}) => submissionActions.form.value({ submissionId: v.submissionId, version: v.baseVersion, op, ...extra });
  const elements: CardElement[] = [
    markdown(`${bold('填报单位')}：${escapeMarkdown(v.unitName)}\u3000${bold('截止')}：${escapeMarkdown(v.deadlineText)}`),
    note('可申报一个或多个主题：填好一个后点“保存并添加下一个主题”，全部填好后点“提交申报”。已保存的内容不会丢失。'),
  ];
  if (v.banner) elements.push(markdown(escapeMarkdown(v.banner)));
  if (v.reviewNote)
    elements.push(
      markdown(
        v.reviewNote
          .split('\n')
          .map((line) => `<font color='orange'>${escapeMarkdown(line)}</font>`)
          .join('\n'),
      ),
    );

  const inForm: CardElement[] = [];
  if (v.conflict) {
    const c = v.conflict;
    inForm.push(
      markdown(`<font color='red'>${bold(`本单位的申报已被更新为第 ${c.version} 版`)}（${escapeMarkdown(c.byName)}，${escapeMarkdown(c.atText)}），你的表单基于较早的版本，未提交。最新版本的主题：</font>`),
      // One block for the newer version's themes: each line its own element left no room for both buttons' confirms at ten themes.
      ...(c.themes.length > 0 ? [markdown(c.themes.map((t, i) => themeLine(t, i)).join('\n'))] : []),
      note('你填写的内容仍保留在下方。请选择：载入最新版本（替换你填写的内容）后再修改，或用你填写的内容覆盖最新版本。'),
      columns([
        { elements: [formButton('btn_reload', '载入最新版本', val('reload'), { type: 'default', confirm: { title: '载入最新版本？', text: `将换成第 ${c.version} 版，你未提交的内容不再保留。` } })] },
        { elements: [formButton('btn_rebase', '以我的版本为准', val('rebase'), { type: 'danger', confirm: { title: '覆盖最新版本？', text: overrideWarning(c) } })] },
      ]),
      hr(),
    );
  }

  inForm.push(
    ...withError(input(FIELD.contactName, { label: '联系人', placeholder: '填报联系人姓名', value: d.contactName, maxLength: 20 }), d.errors, FIELD.contactName),
    ...withError(input(FIELD.contactPhone, { label: '联系电话', placeholder: '手机号或座机号，如 0731-84872387', value: d.contactPhone, maxLength: 30 }), d.errors, FIELD.contactPhone),
  );

  if (d.themes.length > 0) {
    inForm.push(markdown(boldLine(`已保存的主题（${d.themes.length}）`)));
    d.themes.forEach((t, i) => {
      const editing = d.editing === i;
      inForm.push(
        columns([
          { weight: 4, elements: [markdown(`${themeLine(t, i)}${editing ? "\u3000<font color='blue'>（正在修改）</font>" : ''}\n${escapeMarkdown(shorten(t.intro, compact ? 20 : 60))}`, { text_size: 'normal' })] },
          {
            // As wide as the buttons: a weighted fifth of a phone-sized card cuts 编辑/删除 to 编…/删….
            auto: true,
            // The theme being edited is in the fields below: 编辑 on its own row would only reload it.
            elements: [
              ...(editing ? [] : [formButton(`btn_edit_${i}`, '编辑', val('edit', { index: i }), { type: 'default' })]),
              formButton(`btn_del_${i}`, '删除', val('delete', { index: i }), { type: 'danger', confirm: { title: '删除这个主题？', text: `删除第 ${i + 1} 个主题（提交申报后生效）` } }),
            ],
          },
        ]),
      );
    });
  }
  if (v.previous && reference === 'omitted') {
    inForm.push(note(`本表单内容较多，${v.previous.year} 年本单位的主题暂不显示；提交或删除部分主题后重新打开申报表即可查看。`));
  } else if (v.previous && (reference === 'full' || reference === 'titles')) {
    // One text block, one picker and one button whatever the count: the form also holds up to ten
    // saved themes and must stay within Feishu's 200 elements.
    const p = v.previous;
    const lines = p.themes.map((t, i) => (reference === 'full' ? `${themeLine(t, i)}\n<font color='grey'>${escapeMarkdown(t.resultText)}</font>` : `${i + 1}. ${escapeMarkdown(shorten(t.title, 20))}（${escapeMarkdown(t.resultText)}）`));
    inForm.push(
      hr(),
      markdown(boldLine(`${p.year} 年本单位申报的主题（仅供参考）`)),
      markdown(lines.join('\n'), { text_size: 'normal' }),
      columns([
        {
          weight: 3,
          elements: [select(REUSE_PICK, { placeholder: `选择 ${p.year} 年的一个主题`, options: p.themes.map((t, i) => ({ label: shorten(`${i + 1}. ${t.title}`, 30), value: String(i) })), value: p.themes.length === 1 ? '0' : undefined })],
        },
        { auto: true, elements: [formButton('btn_reuse', '以此为草稿', val('reuse'), { type: 'default' })] },
      ]),
    );
  }
  inForm.push(hr());
  const heading = d.editing !== null ? `正在修改第 ${d.editing + 1} 个主题` : `填写第 ${d.themes.length + 1} 个主题${d.themes.length > 0 ? '（不再添加可留空，直接提交）' : ''}`;
  inForm.push(markdown(boldLine(heading)));
  // Beside the theme to fill in (not under the contact fields, which come first when none is saved).
  if (d.errors.themes) inForm.push(errorNote(d.errors.themes));

  const monthOptions = Array.from({ length: 12 }, (_, i) => ({ label: i + 1 < v.firstAllowedMonth ? `${i + 1}月（已过）` : `${i + 1}月`, value: String(i + 1) }));
  inForm.push(
    ...withError(input(FIELD.title, { label: '活动主题（不超过 40 字）', placeholder: '如：优化营商环境政策面对面', value: d.current.title, maxLength: THEME_TITLE_INPUT_MAX }), d.errors, FIELD.title),
    markdown('活动时间（月份）', { text_size: 'normal' }),
    ...withError(select(FIELD.month, { placeholder: '选择月份', options: monthOptions, value: d.current.month }), d.errors, FIELD.month),
    markdown('活动形式（可多选）', { text_size: 'normal' }),
    ...withError(multiSelect(FIELD.forms, { placeholder: '选择一种或多种活动形式', options: ACTIVITY_FORMS.map((f) => ({ label: f.label, value: f.key })), values: d.current.forms }), d.errors, FIELD.forms),
    ...(v.domainOptions && v.domainOptions.length > 0
      ? [
          markdown('主题领域（选填，可多选）', { text_size: 'normal' }),
          ...withError(multiSelect(FIELD.domains, { placeholder: '选择活动突出的重大主题', options: v.domainOptions.map((x) => ({ label: x, value: x })), values: d.current.domains ?? [] }), d.errors, FIELD.domains),
        ]
      : []),
    ...withError(input(FIELD.intro, { label: '活动简介（20–500 字）', placeholder: '活动内容、参加对象、方式和地点', value: d.current.intro, multiline: true, rows: 4, maxLength: THEME_INTRO_INPUT_MAX }), d.errors, FIELD.intro),
    // Buttons side by side at their own width (half a phone-sized card cuts 保存并添加下一个主题), wrapping when narrow.
    buttonRow([
      formButton('btn_save', d.editing !== null ? '保存修改' : '保存并添加下一个主题', val('save'), { type: 'default' }),
      // Leaves the theme as saved (the fields are cleared for a new one); the contact typed is kept.
      ...(d.editing !== null ? [formButton('btn_cancel', '取消修改', val('cancel'), { type: 'default' })] : []),
      formButton('btn_submit', '提交申报', val('submit'), { type: 'primary_filled' }),
    ]),
  );
  elements.push(form('submission_form', inForm));
  return card({
    title: `${v.campaignTitle} · 主题申报`,
    subtitle: v.unitName,
    template: v.conflict ? 'orange' : 'blue',
    summary: `${v.unitName} 主题申报表`,
    elements,
  });
}

/** Shown in place of the form after a successful submit. */
export function buildSubmittedCard(v: { unitName: string; version: number; atText: string; themes: ThemeSummaryView[]; late: boolean }): CardJson {
  return card({
    title: '申报已提交',
    template: 'green',
    subtitle: v.unitName,
    elements: [markdown(`已于 ${escapeMarkdown(v.atText)} 提交第 ${v.version} 版，共 ${v.themes.length} 个主题${v.late ? '（逾期提交）' : ''}。回执已发到本单位工作群。`), ...v.themes.map((t, i) => markdown(themeLine(t, i)))],
  });
}

/** A form card that can no longer be used (submitted elsewhere, closed, or replaced). */
export function buildClosedFormCard(title: string, lines: string[], action?: { text: string; value: ActionValue }): CardJson {
  return card({ title, template: 'grey', elements: [...lines.map((l) => markdown(escapeMarkdown(l))), ...(action ? [button(action.text, action.value, { type: 'primary' })] : [])] });
}
