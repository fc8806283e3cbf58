// The 申报 (theme declaration) rules: what a valid theme and contact look like, when a unit may
// still submit or edit, what counts as late, and the multi-theme draft kept between card clicks.
// Pure: time is a parameter; messages are the Chinese text shown next to the field.
import { z } from 'zod';
import { ACTIVITY_FORM_KEYS, type ActivityFormKey } from './campaign.ts';
import { isValidPhone, normalizePhone } from './phone.ts';
import { addDays, atShanghai, compareDates, monthOf, parseDateToken, shanghaiDate, yearOf, type CivilDate } from './time.ts';

export const THEME_TITLE_MAX = 40;
export const THEME_INTRO_MIN = 20;
export const THEME_INTRO_MAX = 500;
/**
 * The title and intro boxes take more than the rules allow: a longer paste arrives whole and is
 * answered with its count and how much to cut, where a box at the limit would cut it silently.
 */
export const THEME_TITLE_INPUT_MAX = THEME_TITLE_MAX + 20;
export const THEME_INTRO_INPUT_MAX = 1000;
export const CONTACT_NAME_MAX = 20;
/** A unit may declare several themes; beyond this the card grows past Feishu's size limits. */
export const MAX_THEMES_PER_UNIT = 10;

export const SUBMISSION_STATUSES = ['pending', 'submitted', 'withdrawn'] as const;
export type SubmissionStatus = (typeof SUBMISSION_STATUSES)[number];
export const SUBMISSION_STATUS_LABELS: Record<SubmissionStatus, string> = { pending: '未提交', submitted: '已提交', withdrawn: '已撤回' };

/** Form field names, shared by the card builder (component names) and the parser (form_value keys). */
export const FIELD = {
  contactName: 'contact_name',
  contactPhone: 'contact_phone',
  title: 'theme_title',
  month: 'theme_month',
  forms: 'theme_forms',
  intro: 'theme_intro',
  domains: 'theme_domains',
} as const;
export type FieldName = (typeof FIELD)[keyof typeof FIELD];

/** Where each error shows on the form, top to bottom (cards/submission-form.ts): the contact, the theme list's, the theme's fields. */
const FORM_ORDER: (FieldName | 'themes')[] = [FIELD.contactName, FIELD.contactPhone, 'themes', FIELD.title, FIELD.month, FIELD.forms, FIELD.intro, FIELD.domains];

/** Field-keyed error messages (Chinese), shown in red under the field. */
export type FieldErrors = Partial<Record<FieldName | 'themes', string>>;

/** What the liaison typed for one theme, kept verbatim so an error never loses it. */
export interface RawTheme {
  title: string;
  month: string;
  forms: string[];
  intro: string;
  /** 主题领域 picked (optional field; absent in drafts saved before it existed) */
  domains?: string[];
}

export interface ThemeInput {
  title: string;
  month: number;
  forms: ActivityFormKey[];
  intro: string;
  /** 主题领域, in the campaign list's order; optional (none = untagged) */
  domains?: string[];
}

export const EMPTY_RAW_THEME: RawTheme = { title: '', month: '', forms: [], intro: '', domains: [] };

/** Trims and unifies line ends. NFC only: NFKC would turn Chinese punctuation (，：（）) into ASCII. */
export function collapse(s: string): string {
  return s.normalize('NFC').replace(/\r\n?/g, '\n').trim();
}

/** The key two titles are compared by: width-, case- and whitespace-insensitive. */
export function titleKey(title: string): string {
  return title
    .normalize('NFKC')
    .replace(/[\s\u3000]+/g, '')
    .toLowerCase();
}

/** Chinese character count as a person counts it (code points, not UTF-16 units). */
export function charCount(s: string): number {
  return [...s].length;
}

/** Letters and digits, by code point (punctuation, symbols and spaces left out). */
function wordCount(s: string): number {
  let n = 0;
  for (const c of s) if (/[\p{L}\p{N}]/u.test(c)) n++;
  return n;
}

const themeSchema = z.object({
  title: z
    .string()
    .transform(collapse)
    .pipe(
      z
        .string()
        .min(1, '请填写活动主题')
        .superRefine((s, ctx) => {
          const n = charCount(s);
          if (n > THEME_TITLE_MAX) ctx.addIssue({ code: 'custom', message: `活动主题不能超过 ${THEME_TITLE_MAX} 个字（现在 ${n} 个字，请删减 ${n - THEME_TITLE_MAX} 个字）` });
        })
        .refine((s) => !/\n/.test(s), '活动主题请写在一行内'),
    ),
  month: z
    .string()
    .trim()
    .min(1, '请选择活动时间（月份）')
    .regex(/^(?:[1-9]|1[0-2])$/, '活动时间应为 1–12 月')
    .transform(Number),
  forms: z
    .array(z.string())
    .min(1, '请至少选择一种活动形式')
    .refine((a) => a.every((k) => (ACTIVITY_FORM_KEYS as string[]).includes(k)), '活动形式只能从列出的五种中选择')
    .transform((a) => ACTIVITY_FORM_KEYS.filter((k) => a.includes(k))),
  intro: z
    .string()
    .transform(collapse)
    .pipe(
      z
        .string()
        .min(1, '请填写活动简介')
        // The message says the current length: "too long" alone leaves the liaison counting characters.
        .superRefine((s, ctx) => {
          const n = charCount(s);
          if (n > 0 && n < THEME_INTRO_MIN) ctx.addIssue({ code: 'custom', message: `活动简介至少 ${THEME_INTRO_MIN} 个字（现在 ${n} 个字），请写明活动内容、对象和方式` });
          else if (n > THEME_INTRO_MAX) ctx.addIssue({ code: 'custom', message: `活动简介不能超过 ${THEME_INTRO_MAX} 个字（现在 ${n} 个字，请删减 ${n - THEME_INTRO_MAX} 个字）` });
          // Twenty 。 pass the length: half of the minimum must be words (letters or digits).
          else if (wordCount(s) < THEME_INTRO_MIN / 2) ctx.addIssue({ code: 'custom', message: `活动简介请用文字写明活动内容、对象和方式（现在只有 ${wordCount(s)} 个字是文字，其余是标点或符号）` });
        }),
    ),
});

const THEME_FIELD: Record<keyof RawTheme, FieldName> = { title: FIELD.title, month: FIELD.month, forms: FIELD.forms, intro: FIELD.intro, domains: FIELD.domains };

export interface ThemeRules {
  campaignYear: number;
  /** the civil date the liaison is acting on (a month before it is in the past) */
  today: CivilDate;
  /** titles of the unit's other themes, to refuse duplicates */
  otherTitles: string[];
  /** the campaign's 主题领域 list; picked ones must be in it (absent: any picked label is kept) */
  domainOptions?: readonly string[];
}

/** The first month a theme may still be held in: past months of the campaign year are refused. */
export function firstAllowedMonth(campaignYear: number, today: CivilDate): number {
  const y = yearOf(today);
  if (y < campaignYear) return 1;
  if (y > campaignYear) return 13;
  return monthOf(today);
}

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

export function validateTheme(raw: RawTheme, rules: ThemeRules): Validated<ThemeInput> {
  const parsed = themeSchema.safeParse(raw);
  const errors: FieldErrors = {};
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = issue.path[0] as keyof RawTheme;
      const field = THEME_FIELD[key];
      if (field && !errors[field]) errors[field] = issue.message;
    }
  }
  const value = parsed.success ? parsed.data : undefined;
  const month = value?.month ?? (/^\d{1,2}$/.test(raw.month.trim()) ? Number(raw.month.trim()) : undefined);
  if (!errors[FIELD.month] && month !== undefined) {
    const first = firstAllowedMonth(rules.campaignYear, rules.today);
    if (month < first) errors[FIELD.month] = first > 12 ? `${rules.campaignYear} 年已经过去，不能再申报` : `${month}月已经过去，请选择${first}月或以后的月份`;
  }
  const title = value?.title ?? collapse(raw.title);
  if (!errors[FIELD.title] && title && rules.otherTitles.some((t) => titleKey(t) === titleKey(title))) {
    errors[FIELD.title] = '本单位已有同名的活动主题，请修改主题名称';
  }
  const picked = [...new Set(raw.domains ?? [])];
  if (rules.domainOptions && picked.some((d) => !rules.domainOptions!.includes(d))) errors[FIELD.domains] = '主题领域只能从列出的选项中选择';
  if (Object.keys(errors).length > 0 || !value) return { ok: false, errors };
  const domains = rules.domainOptions ? rules.domainOptions.filter((d) => picked.includes(d)) : picked;
  return { ok: true, value: { title: value.title, month: value.month, forms: value.forms, intro: value.intro, domains } };
}

export interface ContactInput {
  name: string;
  phone: string;
}

export function validateContact(raw: { name: string; phone: string }): Validated<ContactInput> {
  const errors: FieldErrors = {};
  const name = collapse(raw.name);
  if (!name) errors[FIELD.contactName] = '请填写联系人姓名';
  else if (charCount(name) > CONTACT_NAME_MAX) errors[FIELD.contactName] = `联系人姓名不能超过 ${CONTACT_NAME_MAX} 个字`;
  const phone = raw.phone.trim();
  if (!phone) errors[FIELD.contactPhone] = '请填写联系电话';
  else if (!isValidPhone(phone)) errors[FIELD.contactPhone] = '联系电话格式不正确：请填写 11 位手机号或带区号的座机号（如 0731-84872387）';
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: { name, phone: normalizePhone(phone) ?? phone } };
}

export function isBlankTheme(raw: RawTheme): boolean {
  return raw.title.trim() === '' && raw.month.trim() === '' && raw.forms.length === 0 && raw.intro.trim() === '' && (raw.domains ?? []).length === 0;
}

export function rawFromTheme(t: ThemeInput): RawTheme {
  return { title: t.title, month: String(t.month), forms: [...t.forms], intro: t.intro, domains: [...(t.domains ?? [])] };
}

// ---------------------------------------------------------------- the multi-theme draft

/** One saved theme in the draft; themeId links it to an existing Theme row when editing. */
export interface DraftTheme extends ThemeInput {
  themeId?: string;
}

/** What FormDraft.data holds between clicks. */
export interface SubmissionDraft {
  contactName: string;
  contactPhone: string;
  themes: DraftTheme[];
  /** index of the saved theme being edited in the form, or null for a new theme */
  editing: number | null;
  /** the raw values in the form right now */
  current: RawTheme;
  /** field errors of the last attempt, re-shown with the card */
  errors: FieldErrors;
}

const draftThemeSchema = z.object({
  themeId: z.string().optional(),
  title: z.string(),
  month: z.number().int(),
  forms: z.array(z.enum(ACTIVITY_FORM_KEYS)),
  intro: z.string(),
  domains: z.array(z.string()).optional(),
});

export const submissionDraftSchema: z.ZodType<SubmissionDraft> = z.object({
  contactName: z.string(),
  contactPhone: z.string(),
  themes: z.array(draftThemeSchema),
  editing: z.number().int().nullable(),
  current: z.object({ title: z.string(), month: z.string(), forms: z.array(z.string()), intro: z.string(), domains: z.array(z.string()).optional() }),
  errors: z.record(z.string(), z.string()),
}) as z.ZodType<SubmissionDraft>;

export function parseDraft(json: string): SubmissionDraft | null {
  try {
    const r = submissionDraftSchema.safeParse(JSON.parse(json));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

/** The form's values as the card callback sends them (missing keys are empty). */
export function readForm(formValue: Record<string, unknown> | undefined): { contactName: string; contactPhone: string; theme: RawTheme } {
  const v = formValue ?? {};
  const str = (k: string): string => (typeof v[k] === 'string' ? (v[k] as string) : typeof v[k] === 'number' ? String(v[k]) : '');
  const arr = (k: string): string[] => (Array.isArray(v[k]) ? (v[k] as unknown[]).filter((x): x is string => typeof x === 'string') : typeof v[k] === 'string' && v[k] !== '' ? [v[k] as string] : []);
  return {
    contactName: str(FIELD.contactName),
    contactPhone: str(FIELD.contactPhone),
    theme: { title: str(FIELD.title), month: str(FIELD.month), forms: arr(FIELD.forms), intro: str(FIELD.intro), domains: arr(FIELD.domains) },
  };
}

export type DraftOp =
  | { op: 'save' }
  | { op: 'submit' }
  | { op: 'edit'; index: number }
  | { op: 'delete'; index: number }
  | { op: 'new' }
  /** 取消修改: the theme being edited keeps what was saved; the fields are cleared for a new one */
  | { op: 'cancel' }
  /** 以此为草稿: start a new theme from an earlier year's (the form's current theme is saved first) */
  | { op: 'reuse'; theme: RawTheme };

export interface DraftStep {
  draft: SubmissionDraft;
  /** the op could not be done: errors are in draft.errors */
  refused: boolean;
  /** submit: the themes and contact to accept */
  accepted?: { contact: ContactInput; themes: DraftTheme[] };
  /** one line for the toast */
  message: string;
}

function titlesExcept(themes: DraftTheme[], index: number | null): string[] {
  return themes.filter((_, i) => i !== index).map((t) => t.title);
}

/**
 * Applies one click of the multi-theme form to the draft. The form's current values are always
 * kept in the draft, so a refused step re-renders exactly what the liaison typed.
 */
export function applyDraftOp(prev: SubmissionDraft, form: ReturnType<typeof readForm>, op: DraftOp, rules: Omit<ThemeRules, 'otherTitles'>): DraftStep {
  const draft: SubmissionDraft = { ...prev, contactName: form.contactName, contactPhone: form.contactPhone, current: form.theme, errors: {}, themes: [...prev.themes] };
  const commitCurrent = (): boolean => {
    if (isBlankTheme(draft.current)) return true;
    const r = validateTheme(draft.current, { ...rules, otherTitles: titlesExcept(draft.themes, draft.editing) });
    if (!r.ok) {
      draft.errors = r.errors;
      return false;
    }
    if (draft.editing !== null && draft.themes[draft.editing]) {
      draft.themes[draft.editing] = { ...r.value, themeId: draft.themes[draft.editing]!.themeId };
    } else {
      if (draft.themes.length >= MAX_THEMES_PER_UNIT) {
        draft.errors = { themes: `每个单位最多申报 ${MAX_THEMES_PER_UNIT} 个主题` };
        return false;
      }
      draft.themes.push(r.value);
    }
    draft.editing = null;
    draft.current = { ...EMPTY_RAW_THEME };
    return true;
  };
  // The toast names the first problem the card shows, top to bottom (found in a Chromium pass: it
  // named the month while the card's first red line was the duplicate title above it).
  const firstError = (): string => FORM_ORDER.map((k) => draft.errors[k]).find((e) => e !== undefined) ?? Object.values(draft.errors)[0] ?? '请检查填写的内容';

  switch (op.op) {
    case 'save': {
      if (isBlankTheme(draft.current)) {
        draft.errors = { [FIELD.title]: '请先填写这个主题再保存' };
        return { draft, refused: true, message: '请先填写这个主题再保存' };
      }
      const editing = draft.editing;
      if (!commitCurrent()) return { draft, refused: true, message: firstError() };
      // an edit names the theme it changed (not the count), a new theme invites the next one
      if (editing !== null) return { draft, refused: false, message: `已保存对第 ${editing + 1} 个主题的修改` };
      return { draft, refused: false, message: `已保存第 ${draft.themes.length} 个主题，可继续填写下一个` };
    }
    case 'new': {
      if (!commitCurrent()) return { draft, refused: true, message: `请先修正当前主题：${firstError()}` };
      return { draft, refused: false, message: '请填写新的主题' };
    }
    case 'reuse': {
      if (!commitCurrent()) return { draft, refused: true, message: `请先修正或清空当前主题，再以往年主题为草稿：${firstError()}` };
      if (draft.themes.length >= MAX_THEMES_PER_UNIT) {
        draft.errors = { themes: `每个单位最多申报 ${MAX_THEMES_PER_UNIT} 个主题` };
        return { draft, refused: true, message: draft.errors.themes! };
      }
      // The month is left to choose: last year's month may already be past, or not suit this year.
      draft.editing = null;
      draft.current = { ...op.theme, month: '', forms: [...op.theme.forms], domains: [...(op.theme.domains ?? [])] };
      return { draft, refused: false, message: `已将往年主题「${op.theme.title}」填入表单，请选择月份、修改后保存` };
    }
    case 'edit': {
      if (!draft.themes[op.index]) return { draft, refused: true, message: '该主题已不存在，请刷新后重试' };
      const target = draft.themes[op.index]!;
      if (!commitCurrent()) return { draft, refused: true, message: `请先修正或清空当前主题，再切换：${firstError()}` };
      const index = draft.themes.indexOf(target);
      draft.editing = index;
      draft.current = rawFromTheme(target);
      return { draft, refused: false, message: `正在修改第 ${index + 1} 个主题` };
    }
    case 'cancel': {
      const index = draft.editing;
      if (index === null || !draft.themes[index]) return { draft, refused: true, message: '当前没有正在修改的主题' };
      draft.editing = null;
      draft.current = { ...EMPTY_RAW_THEME };
      return { draft, refused: false, message: `已取消修改，第 ${index + 1} 个主题保持原样` };
    }
    case 'delete': {
      const target = draft.themes[op.index];
      if (!target) return { draft, refused: true, message: '该主题已不存在，请刷新后重试' };
      draft.themes.splice(op.index, 1);
      if (draft.editing !== null) {
        if (draft.editing === op.index) {
          draft.editing = null;
          draft.current = { ...EMPTY_RAW_THEME };
        } else if (draft.editing > op.index) draft.editing -= 1;
      }
      return { draft, refused: false, message: `已删除主题「${target.title}」` };
    }
    case 'submit': {
      const contact = validateContact({ name: draft.contactName, phone: draft.contactPhone });
      const themeOk = commitCurrent();
      // Every problem at once, each beside its field: a wrong phone and no theme are both said.
      if (!contact.ok) draft.errors = { ...draft.errors, ...contact.errors };
      if (themeOk && draft.themes.length === 0) draft.errors = { ...draft.errors, themes: '请至少填写一个活动主题' };
      if (!contact.ok || Object.keys(draft.errors).length > 0) return { draft, refused: true, message: firstError() };
      // Re-check every saved theme against today (a month may have passed since it was saved).
      for (let i = 0; i < draft.themes.length; i++) {
        const r = validateTheme(rawFromTheme(draft.themes[i]!), { ...rules, otherTitles: titlesExcept(draft.themes, i) });
        if (!r.ok) {
          draft.editing = i;
          draft.current = rawFromTheme(draft.themes[i]!);
          draft.errors = r.errors;
          return { draft, refused: true, message: `第 ${i + 1} 个主题需要修改：${firstError()}` };
        }
      }
      return { draft, refused: false, accepted: { contact: contact.value, themes: draft.themes }, message: '已提交' };
    }
  }
}

/**
 * Is an accepted form the version on file, unchanged? Same contact, and the same themes in the
 * same order, each the stored theme (by id) with the same fields (活动形式 and 领域 as sets). Such a
 * submit makes no new version: nothing would differ but the number.
 */
export function sameAsSubmitted(accepted: { contact: ContactInput; themes: DraftTheme[] }, onFile: { contactName: string | null; contactPhone: string | null; themes: DraftTheme[] }): boolean {
  if (accepted.contact.name !== onFile.contactName || accepted.contact.phone !== onFile.contactPhone) return false;
  if (accepted.themes.length !== onFile.themes.length) return false;
  const sameSet = (a: readonly string[] = [], b: readonly string[] = []) => a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');
  return accepted.themes.every((t, i) => {
    const f = onFile.themes[i]!;
    return t.themeId !== undefined && t.themeId === f.themeId && t.title === f.title && t.month === f.month && t.intro === f.intro && sameSet(t.forms, f.forms) && sameSet(t.domains, f.domains);
  });
}

// ---------------------------------------------------------------- deadlines and lateness

export interface DeadlineFacts {
  campaignDeadline: CivilDate;
  deadlineOverride: CivilDate | null;
  reopenedUntil: CivilDate | null;
}

/** The unit's own deadline: its extension when it has one, else the campaign's. */
export function effectiveDeadline(f: Pick<DeadlineFacts, 'campaignDeadline' | 'deadlineOverride'>): CivilDate {
  return f.deadlineOverride ?? f.campaignDeadline;
}

/** The last civil date the unit may submit or edit (a reopening can reach past the deadline). */
export function lastEditableDate(f: DeadlineFacts): CivilDate {
  const d = effectiveDeadline(f);
  return f.reopenedUntil && compareDates(f.reopenedUntil, d) > 0 ? f.reopenedUntil : d;
}

/** Deadlines are inclusive: the whole deadline day (Asia/Shanghai) still counts. */
export function isOpenAt(f: DeadlineFacts, now: Date): boolean {
  return now.getTime() < atShanghai(addDays(lastEditableDate(f), 1)).getTime();
}

/**
 * Late = accepted after the unit's effective deadline day. An extension (campaign-wide or for the
 * unit) moves the deadline, so a submission inside it is on time; a reopening after the deadline
 * only lets the unit in, so what it submits then is late.
 */
export function isLate(f: Pick<DeadlineFacts, 'campaignDeadline' | 'deadlineOverride'>, at: Date): boolean {
  return compareDates(shanghaiDate(at), effectiveDeadline(f)) > 0;
}

/** Parses a date the coordinator typed: 2023-04-14, 2023/4/14, 2023年4月14日, 4月14日, 4-14 (year from context). */
export function parseTypedDate(text: string, defaultYear: number): CivilDate | null {
  return parseDateToken(text.normalize('NFKC').trim(), defaultYear);
}
