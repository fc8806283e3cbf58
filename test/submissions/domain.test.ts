// Table-driven tests of the 申报 rules: theme and contact validation, the draft's click steps,
// deadlines and lateness, typed dates, unit name matching.
import { describe, expect, it } from 'vitest';
import {
  EMPTY_RAW_THEME,
  FIELD,
  applyDraftOp,
  firstAllowedMonth,
  isLate,
  isOpenAt,
  lastEditableDate,
  parseTypedDate,
  readForm,
  sameAsSubmitted,
  titleKey,
  validateContact,
  validateTheme,
  type DraftTheme,
  type RawTheme,
  type SubmissionDraft,
} from '../../src/domain/submission.ts';
import { validateLaunch } from '../../src/domain/launch.ts';
import { guessUnitFromChatName, matchUnitName } from '../../src/domain/unit-names.ts';
import { summarizeProgress } from '../../src/domain/submission-progress.ts';

const INTRO = '组织人大代表和群众代表走进项目现场，解读政策并听取意见建议。';
const ok: RawTheme = { title: '营商环境政策面对面', month: '5', forms: ['policy', 'forum'], intro: INTRO };
const rules = { campaignYear: 2023, today: '2023-03-23', otherTitles: ['已有主题'] };

describe('validateTheme', () => {
  const cases: [string, Partial<RawTheme>, Partial<Record<string, string>>][] = [
    ['valid', {}, {}],
    ['empty title', { title: '   ' }, { [FIELD.title]: '请填写活动主题' }],
    ['title 41 chars', { title: '字'.repeat(41) }, { [FIELD.title]: '活动主题不能超过 40 个字（现在 41 个字，请删减 1 个字）' }],
    ['title 40 chars is fine', { title: '字'.repeat(40) }, {}],
    ['title with a line break', { title: '第一行\n第二行' }, { [FIELD.title]: '活动主题请写在一行内' }],
    ['duplicate title, other spacing and width', { title: ' 已有 主题 ' }, { [FIELD.title]: '本单位已有同名的活动主题，请修改主题名称' }],
    ['no month', { month: '' }, { [FIELD.month]: '请选择活动时间（月份）' }],
    ['month 13', { month: '13' }, { [FIELD.month]: '活动时间应为 1–12 月' }],
    ['past month', { month: '2' }, { [FIELD.month]: '2月已经过去，请选择3月或以后的月份' }],
    ['current month is allowed', { month: '3' }, {}],
    ['no form', { forms: [] }, { [FIELD.forms]: '请至少选择一种活动形式' }],
    ['unknown form', { forms: ['policy', 'party'] }, { [FIELD.forms]: '活动形式只能从列出的五种中选择' }],
    ['no intro', { intro: '' }, { [FIELD.intro]: '请填写活动简介' }],
    ['intro 19 chars', { intro: '字'.repeat(19) }, { [FIELD.intro]: '活动简介至少 20 个字（现在 19 个字），请写明活动内容、对象和方式' }],
    ['intro 20 chars', { intro: '字'.repeat(20) }, {}],
    ['intro 501 chars', { intro: '字'.repeat(501) }, { [FIELD.intro]: '活动简介不能超过 500 个字（现在 501 个字，请删减 1 个字）' }],
    ['intro counted by code points', { intro: '𠀀'.repeat(20) }, {}],
    ['intro of punctuation only', { intro: '。'.repeat(21) }, { [FIELD.intro]: '活动简介请用文字写明活动内容、对象和方式（现在只有 0 个字是文字，其余是标点或符号）' }],
    ['intro with 9 words among symbols', { intro: `${'字'.repeat(9)}${'！'.repeat(11)}` }, { [FIELD.intro]: '活动简介请用文字写明活动内容、对象和方式（现在只有 9 个字是文字，其余是标点或符号）' }],
    ['intro with 10 words among symbols', { intro: `${'字'.repeat(10)}${'…'.repeat(10)}` }, {}],
    ['several errors at once', { title: '', month: '', forms: [] }, { [FIELD.title]: '请填写活动主题', [FIELD.month]: '请选择活动时间（月份）', [FIELD.forms]: '请至少选择一种活动形式' }],
  ];
  it.each(cases)('%s', (_name, patch, errors) => {
    const r = validateTheme({ ...ok, ...patch }, rules);
    if (Object.keys(errors).length === 0) expect(r.ok).toBe(true);
    else expect(r.ok ? {} : r.errors).toEqual(errors);
  });

  it('normalizes: trims, keeps form order of the plan', () => {
    const r = validateTheme({ ...ok, title: '  政策发布会 ', forms: ['forum', 'survey'] }, rules);
    expect(r.ok && r.value).toEqual({ title: '政策发布会', month: 5, forms: ['survey', 'forum'], intro: INTRO, domains: [] });
  });

  it.each([
    [2023, '2022-12-01', 1],
    [2023, '2023-03-23', 3],
    [2023, '2023-12-31', 12],
    [2023, '2024-01-02', 13],
  ])('first allowed month of %i on %s is %i', (year, today, month) => {
    expect(firstAllowedMonth(year, today)).toBe(month);
  });

  it('title key ignores case, width and spaces', () => {
    expect(titleKey(' ＡＢＣ 政策 ')).toBe(titleKey('abc政策'));
  });
});

describe('validateContact', () => {
  it.each([
    ['周晓燕', '0731-84872387', true, ''],
    ['周晓燕', '138 1234 5678', true, ''],
    ['周晓燕', '+86 13812345678', true, ''],
    ['', '13812345678', false, '请填写联系人姓名'],
    ['名'.repeat(21), '13812345678', false, '联系人姓名不能超过 20 个字'],
    ['周晓燕', '', false, '请填写联系电话'],
    ['周晓燕', '1381234567', false, '联系电话格式不正确：请填写 11 位手机号或带区号的座机号（如 0731-84872387）'],
    ['周晓燕', 'abc', false, '联系电话格式不正确：请填写 11 位手机号或带区号的座机号（如 0731-84872387）'],
  ])('%s / %s', (name, phone, valid, message) => {
    const r = validateContact({ name, phone });
    expect(r.ok).toBe(valid);
    if (!r.ok) expect(Object.values(r.errors)[0]).toBe(message);
  });
  it('stores the normalized phone', () => {
    const r = validateContact({ name: '周晓燕', phone: '+86 138 1234 5678' });
    expect(r.ok && r.value.phone).toBe('13812345678');
  });
});

describe('the multi-theme draft', () => {
  const start: SubmissionDraft = { contactName: '周晓燕', contactPhone: '13812345678', themes: [], editing: null, current: { ...EMPTY_RAW_THEME }, errors: {} };
  const form = (theme: Partial<RawTheme>, contact: { name?: string; phone?: string } = {}) => ({
    contactName: contact.name ?? '周晓燕',
    contactPhone: contact.phone ?? '13812345678',
    theme: { ...EMPTY_RAW_THEME, ...theme },
  });
  const r = { campaignYear: 2023, today: '2023-03-23' };

  it('save, edit, delete and submit keep every value', () => {
    let s = applyDraftOp(start, form(ok), { op: 'save' }, r);
    expect(s.refused).toBe(false);
    expect(s.message).toBe('已保存第 1 个主题，可继续填写下一个');
    expect(s.draft.themes.map((t) => t.title)).toEqual([ok.title]);
    s = applyDraftOp(s.draft, form({ ...ok, title: '第二个主题' }), { op: 'save' }, r);
    expect(s.draft.themes.length).toBe(2);
    // a bad third theme: refused, but what was typed stays in the draft
    s = applyDraftOp(s.draft, form({ title: '第三个', month: '1' }), { op: 'save' }, r);
    expect(s.refused).toBe(true);
    expect(s.draft.current.title).toBe('第三个');
    expect(s.draft.errors[FIELD.month]).toContain('已经过去');
    // switching to edit theme 1 is refused while the current one is invalid
    s = applyDraftOp(s.draft, form({ title: '第三个', month: '1' }), { op: 'edit', index: 0 }, r);
    expect(s.refused).toBe(true);
    // clear it, then edit theme 1
    s = applyDraftOp(s.draft, form({}), { op: 'edit', index: 0 }, r);
    expect(s.draft.editing).toBe(0);
    expect(s.draft.current.title).toBe(ok.title);
    s = applyDraftOp(s.draft, form({ ...ok, month: '9' }), { op: 'save' }, r);
    expect(s.draft.themes[0]!.month).toBe(9);
    expect(s.message).toBe('已保存对第 1 个主题的修改'); // the theme edited, not the count (2)
    expect(s.draft.editing).toBeNull();
    s = applyDraftOp(s.draft, form({}), { op: 'delete', index: 1 }, r);
    expect(s.draft.themes.map((t) => t.title)).toEqual([ok.title]);
    const done = applyDraftOp(s.draft, form({ ...ok, title: '最后一个' }, { phone: '0731-84872387' }), { op: 'submit' }, r);
    expect(done.refused).toBe(false);
    expect(done.accepted?.themes.map((t) => t.title)).toEqual([ok.title, '最后一个']);
    expect(done.accepted?.contact).toEqual({ name: '周晓燕', phone: '0731-84872387' });
  });

  it('取消修改 leaves the theme as saved, clears the fields and keeps the contact typed', () => {
    let s = applyDraftOp(start, form(ok), { op: 'save' }, r);
    expect(applyDraftOp(s.draft, form({}), { op: 'cancel' }, r)).toMatchObject({ refused: true, message: '当前没有正在修改的主题' });
    s = applyDraftOp(s.draft, form({}), { op: 'edit', index: 0 }, r);
    // half-typed changes (even invalid ones) are dropped, not validated
    s = applyDraftOp(s.draft, form({ ...ok, title: '改了一半', month: '1' }, { phone: '0731-84872387' }), { op: 'cancel' }, r);
    expect(s.refused).toBe(false);
    expect(s.message).toBe('已取消修改，第 1 个主题保持原样');
    expect(s.draft.themes.map((t) => [t.title, t.month])).toEqual([[ok.title, 5]]);
    expect(s.draft.editing).toBeNull();
    expect(s.draft.current).toEqual(EMPTY_RAW_THEME);
    expect(s.draft.contactPhone).toBe('0731-84872387');
  });

  it('the toast names the first problem the card shows, top to bottom', () => {
    const saved = applyDraftOp(start, form(ok), { op: 'save' }, r).draft;
    // A second theme with the first one's title and no month: the title's error is above the month's.
    const dup = applyDraftOp(saved, form({ ...ok, month: '' }), { op: 'save' }, r);
    expect(Object.keys(dup.draft.errors)).toEqual(expect.arrayContaining([FIELD.title, FIELD.month]));
    expect(dup.message).toBe('本单位已有同名的活动主题，请修改主题名称');
    // On submit a wrong phone (at the top of the card) comes before the theme's problems.
    const phone = applyDraftOp(saved, form({ ...ok, month: '' }, { phone: '123' }), { op: 'submit' }, r);
    expect(phone.message).toBe(phone.draft.errors[FIELD.contactPhone]);
  });

  it('refuses an empty submission and a stale month on submit', () => {
    expect(applyDraftOp(start, form({}), { op: 'submit' }, r).draft.errors).toEqual({ themes: '请至少填写一个活动主题' });
    // A wrong phone and no theme: both said at once, each beside its field.
    const both = applyDraftOp(start, form({}, { phone: '123' }), { op: 'submit' }, r);
    expect(both.refused).toBe(true);
    expect(Object.keys(both.draft.errors).sort()).toEqual([FIELD.contactPhone, 'themes'].sort());
    const saved = applyDraftOp(start, form(ok), { op: 'save' }, r).draft; // May, saved in March
    const later = applyDraftOp(saved, form({}), { op: 'submit' }, { campaignYear: 2023, today: '2023-06-01' });
    expect(later.refused).toBe(true);
    expect(later.draft.editing).toBe(0);
    expect(later.draft.errors[FIELD.month]).toBe('5月已经过去，请选择6月或以后的月份');
  });

  it('reads form values of every shape', () => {
    expect(readForm({ contact_name: '张三', theme_month: 7, theme_forms: 'policy' })).toEqual({ contactName: '张三', contactPhone: '', theme: { title: '', month: '7', forms: ['policy'], intro: '', domains: [] } });
    expect(readForm(undefined).theme).toEqual(EMPTY_RAW_THEME);
  });
});

describe('a submit of the version on file', () => {
  const onFile: DraftTheme[] = [
    { themeId: 't1', title: '政策面对面', month: 6, forms: ['survey', 'forum'], intro: '介绍', domains: ['营商环境', '民生实事'] },
    { themeId: 't2', title: '开放日', month: 9, forms: ['observe'], intro: '参观', domains: [] },
  ];
  const file = { contactName: '周晓燕', contactPhone: '13812345678', themes: onFile };
  const contact = { name: '周晓燕', phone: '13812345678' };
  const same = (themes: DraftTheme[], c = contact) => sameAsSubmitted({ contact: c, themes }, file);

  it('is unchanged when every field is the same (forms and domains in any order)', () => {
    expect(same(onFile.map((t) => ({ ...t })))).toBe(true);
    expect(
      same([
        { ...onFile[0]!, forms: ['forum', 'survey'], domains: ['民生实事', '营商环境'] },
        { ...onFile[1]!, domains: undefined },
      ]),
    ).toBe(true);
  });

  it.each([
    ['contact name', [...onFile], { ...contact, name: '陈浩' }],
    ['contact phone', [...onFile], { ...contact, phone: '13912345678' }],
    ['a title', [{ ...onFile[0]!, title: '政策面对面（二）' }, onFile[1]!], contact],
    ['a month', [onFile[0]!, { ...onFile[1]!, month: 10 }], contact],
    ['a form added', [{ ...onFile[0]!, forms: ['survey', 'forum', 'policy'] }, onFile[1]!], contact],
    ['a domain dropped', [{ ...onFile[0]!, domains: ['营商环境'] }, onFile[1]!], contact],
    ['the intro', [onFile[0]!, { ...onFile[1]!, intro: '参观 ' }], contact],
    ['the order', [onFile[1]!, onFile[0]!], contact],
    ['a theme removed', [onFile[0]!], contact],
    ['a new theme (no id) with the same fields', [onFile[0]!, { ...onFile[1]!, themeId: undefined }], contact],
  ] as [string, DraftTheme[], typeof contact][])('is a change when %s differs', (_what, themes, c) => {
    expect(same(themes, c)).toBe(false);
  });
});

describe('deadlines', () => {
  const base = { campaignDeadline: '2023-04-07', deadlineOverride: null, reopenedUntil: null };
  it.each([
    ['the deadline day until midnight', base, '2023-04-07T15:59:00Z', true],
    ['the day after', base, '2023-04-07T16:00:00Z', false],
    ['a unit extension', { ...base, deadlineOverride: '2023-04-14' }, '2023-04-10T02:00:00Z', true],
    ['a reopening', { ...base, reopenedUntil: '2023-04-12' }, '2023-04-12T10:00:00Z', true],
    ['after the reopening', { ...base, reopenedUntil: '2023-04-12' }, '2023-04-12T16:00:00Z', false],
    ['a reopening before the extension ends does not shorten it', { ...base, deadlineOverride: '2023-04-14', reopenedUntil: '2023-04-09' }, '2023-04-13T02:00:00Z', true],
  ])('%s', (_n, f, at, open) => {
    expect(isOpenAt(f, new Date(at))).toBe(open);
  });
  it.each([
    ['on the deadline day', null, '2023-04-07T15:00:00Z', false],
    ['after the deadline', null, '2023-04-08T01:00:00Z', true],
    ['inside an extension', '2023-04-14', '2023-04-10T01:00:00Z', false],
    ['after an extension', '2023-04-14', '2023-04-15T01:00:00Z', true],
  ])('late %s', (_n, override, at, late) => {
    expect(isLate({ campaignDeadline: '2023-04-07', deadlineOverride: override }, new Date(at))).toBe(late);
  });
  it('last editable date', () => {
    expect(lastEditableDate({ ...base, reopenedUntil: '2023-04-20' })).toBe('2023-04-20');
  });
  it.each([
    ['2023-04-14', 2023, '2023-04-14'],
    ['2023/4/14', 2023, '2023-04-14'],
    ['2023年4月14日', 2023, '2023-04-14'],
    ['4月14日', 2023, '2023-04-14'],
    ['4-14', 2024, '2024-04-14'],
    ['2023-02-30', 2023, null],
    ['明天', 2023, null],
  ])('parses %s', (text, year, expected) => {
    expect(parseTypedDate(text, year)).toBe(expected);
  });
});

describe('launch values', () => {
  const raw = { title: '长沙县2023年“政务公开主题日”活动', noticeDate: '2023-03-23 +0800', deadline: '2023-04-07 +0800', contactName: '李成英', contactPhone: '0731-84872387', contactEmail: 'CSX84872387@163.com' };
  it('accepts the plan defaults', () => {
    expect(validateLaunch(2023, raw, '2023-03-23').ok).toBe(true);
  });
  it.each([
    [{ title: '' }, 'launch_title', '请填写活动名称'],
    [{ deadline: '2023-03-01' }, 'launch_deadline', '截止日期不能早于发文日期'],
    [{ deadline: '' }, 'launch_deadline', '请选择申报截止日期（格式 YYYY-MM-DD）'],
    [{ contactPhone: '110' }, 'launch_contact_phone', '联系电话格式不正确：请填写手机号或带区号的座机号'],
    [{ contactEmail: 'x@' }, 'launch_contact_email', '邮箱格式不正确，例如 CSX84872387@163.com'],
  ])('%o', (patch, field, message) => {
    const r = validateLaunch(2023, { ...raw, ...patch }, '2023-03-23');
    expect(r.ok ? {} : r.errors).toMatchObject({ [field]: message });
  });
});

describe('unit names', () => {
  const units = [{ name: '星沙街道' }, { name: '湘龙街道' }, { name: '县教育局' }, { name: '县发展和改革局', shortName: '县发改局' }, { name: '黄兴镇' }, { name: '黄花镇' }];
  it.each([
    ['星沙街道政务公开工作群', '星沙街道'],
    ['县发改局主题日群', '县发展和改革局'],
    ['黄兴镇 黄花镇 联合群', null],
    ['随便聊聊', null],
  ])('guesses %s → %s', (chat, expected) => {
    expect(guessUnitFromChatName(units, chat)?.name ?? null).toBe(expected);
  });
  it('matches typed names', () => {
    expect(matchUnitName(units, '星沙')).toEqual({ unit: units[0] });
    expect(matchUnitName(units, '县发改局')).toEqual({ unit: units[3] });
    expect(matchUnitName(units, '黄')).toEqual({ ambiguous: [units[4], units[5]] });
    expect(matchUnitName(units, '不存在')).toBeNull();
  });
});

describe('progress summary', () => {
  it('counts by kind, form and month', () => {
    const row = (name: string, kind: string, status: string, themes: { month: number; forms: string[] }[] = [], late = false) => ({
      unitId: name,
      unitName: name,
      kind,
      sortOrder: 0,
      status,
      late,
      submittedAt: null,
      deadlineOverride: null,
      reopenedUntil: null,
      themes,
    });
    const s = summarizeProgress({ id: 'c', year: 2023, title: 't', status: 'collecting', deadline: '2023-04-07' }, [
      row('星沙街道', 'street', 'submitted', [{ month: 5, forms: ['policy', 'forum'] }]),
      row('湘龙街道', 'street', 'pending'),
      row(
        '黄兴镇',
        'town',
        'submitted',
        [
          { month: 5, forms: ['survey'] },
          { month: 9, forms: ['policy'] },
        ],
        true,
      ),
      row('县教育局', 'department', 'withdrawn', [{ month: 6, forms: ['observe'] }]),
    ]);
    expect(s.byKind.map((g) => [g.label, g.submitted, g.total, g.missing])).toEqual([
      ['镇', 1, 1, []],
      ['街道', 1, 2, ['湘龙街道']],
      ['县直部门', 0, 1, ['县教育局']],
    ]);
    expect(s.late).toEqual(['黄兴镇']);
    expect(s.themeCount).toBe(3);
    expect(Object.fromEntries(s.byForm.map((f) => [f.key, f.count]))).toEqual({ survey: 1, observe: 0, forum: 1, policy: 2, questionnaire: 0 });
    expect(s.byMonth[4]).toBe(2);
    expect(s.byMonth[8]).toBe(1);
  });
});
