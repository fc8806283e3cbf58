// Review of declared themes by the coordinating office: decisions, the fields a returned theme
// must change, the liaison's revision of a returned theme and the diff the reviewer sees.
// Pure: time is passed in.
import { z } from 'zod';
import { keysOf, labelled, optionKeys, optionLabel, type KeyOf } from './options.ts';
import { ACTIVITY_FORM_KEYS, formLabel, UNIT_KINDS } from './campaign.ts';
import { FIELD, validateTheme } from './submission.ts';

export const REVIEW_DECISIONS = labelled({ approve: '通过', return: '退回修改', reject: '不采纳' });
export type ReviewDecisionKey = KeyOf<typeof REVIEW_DECISIONS>;
export const REVIEW_DECISION_KEYS = optionKeys(REVIEW_DECISIONS);

export const REVIEW_STATUS_LABELS = { pending: '待审核', approved: '已通过', returned: '已退回修改', rejected: '不采纳' } satisfies Record<string, string>;
export type ReviewStatus = keyof typeof REVIEW_STATUS_LABELS;
export const REVIEW_STATUSES = keysOf(REVIEW_STATUS_LABELS);

/** The theme's review status after each decision. */
const DECISION_STATUS: Record<ReviewDecisionKey, ReviewStatus> = { approve: 'approved', return: 'returned', reject: 'rejected' };

export function reviewStatusLabel(status: string): string {
  return REVIEW_STATUS_LABELS[status as ReviewStatus] ?? status;
}

export function decisionLabel(decision: string): string {
  return optionLabel(REVIEW_DECISIONS, decision);
}

export function statusAfter(decision: ReviewDecisionKey): ReviewStatus {
  return DECISION_STATUS[decision];
}

/** The theme fields a reviewer can ask to change (the 申报表's columns). */
export const THEME_FIELDS = labelled({ title: '活动主题', month: '活动时间', forms: '活动形式', intro: '活动简介' });
export type ThemeFieldKey = KeyOf<typeof THEME_FIELDS>;
export const THEME_FIELD_KEYS = optionKeys(THEME_FIELDS);

export function fieldLabel(key: string): string {
  return optionLabel(THEME_FIELDS, key);
}

export const REASON_MAX = 300;

/** A reviewer's decision as typed in the card. */
export interface DecisionInput {
  decision: ReviewDecisionKey;
  reason: string;
  fields: ThemeFieldKey[];
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: Record<string, string> };

function asStringList(raw: unknown): string[] {
  if (Array.isArray(raw)) return raw.filter((v): v is string => typeof v === 'string');
  if (typeof raw === 'string' && raw !== '') return [raw];
  return [];
}

/** Parses a decision: 退回修改 and 不采纳 need a reason; only 退回修改 keeps the fields. */
export function parseDecision(decision: unknown, reasonRaw: unknown, fieldsRaw: unknown): Parsed<DecisionInput> {
  const d = z.enum(REVIEW_DECISION_KEYS).safeParse(decision);
  if (!d.success) return { ok: false, errors: { decision: '无效的审核操作' } };
  const reason = (typeof reasonRaw === 'string' ? reasonRaw : '').trim();
  const fields = asStringList(fieldsRaw).filter((f): f is ThemeFieldKey => (THEME_FIELD_KEYS as string[]).includes(f));
  const errors: Record<string, string> = {};
  if (d.data !== 'approve' && reason === '') {
    errors.reason = d.data === 'return' ? '退回修改须填写原因，告诉单位要改什么' : '不采纳须填写原因';
  }
  if (reason.length > REASON_MAX) errors.reason = `原因不超过 ${REASON_MAX} 字（当前 ${reason.length} 字）`;
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: { decision: d.data, reason, fields: d.data === 'return' ? [...new Set(fields)] : [] } };
}

// ---------------------------------------------------------------- theme content and revision

export interface ThemeContent {
  title: string;
  month: number;
  forms: string[];
  intro: string;
}

/**
 * Validates a revised theme with the submission form's own rules (src/domain/submission.ts:
 * title ≤40, month 1-12 and not past, ≥1 of the five forms, intro 20-500, no duplicate title
 * within the unit). `today` is 'YYYY-MM-DD' in Shanghai. Errors are keyed by theme field.
 */
export function parseThemeContent(raw: { title?: unknown; month?: unknown; forms?: unknown; intro?: unknown }, campaignYear: number, today: string, otherTitles: string[] = []): Parsed<ThemeContent> {
  const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
  const result = validateTheme({ title: str(raw.title), month: str(raw.month).replace(/月$/, ''), forms: asStringList(raw.forms), intro: str(raw.intro) }, { campaignYear, today, otherTitles });
  if (result.ok) return { ok: true, value: { title: result.value.title, month: result.value.month, forms: [...result.value.forms], intro: result.value.intro } };
  const errors: Record<string, string> = {};
  const map: Record<string, ThemeFieldKey> = { [FIELD.title]: 'title', [FIELD.month]: 'month', [FIELD.forms]: 'forms', [FIELD.intro]: 'intro' };
  for (const [k, msg] of Object.entries(result.errors)) if (msg) errors[map[k] ?? k] = msg;
  return { ok: false, errors };
}

export function parseForms(json: string | null | undefined): string[] {
  try {
    const v: unknown = JSON.parse(json ?? '[]');
    return asStringList(v);
  } catch {
    return [];
  }
}

export function parseFields(json: string | null | undefined): ThemeFieldKey[] {
  return parseForms(json).filter((f): f is ThemeFieldKey => (THEME_FIELD_KEYS as string[]).includes(f));
}

export function formsText(forms: readonly string[]): string {
  return forms.map(formLabel).join('、');
}

export interface FieldChange {
  field: ThemeFieldKey;
  label: string;
  before: string;
  after: string;
}

function fieldText(content: ThemeContent, field: ThemeFieldKey): string {
  switch (field) {
    case 'title':
      return content.title;
    case 'month':
      return `${content.month}月`;
    case 'forms':
      return formsText(content.forms);
    case 'intro':
      return content.intro;
  }
}

/** Field-by-field differences between two versions of a theme (原 → 新). */
export function diffThemes(before: ThemeContent, after: ThemeContent): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const f of THEME_FIELDS) {
    const b = fieldText(before, f.key);
    const a = fieldText(after, f.key);
    if (b !== a) changes.push({ field: f.key, label: f.label, before: b, after: a });
  }
  return changes;
}

/**
 * Why a returned theme may not go back as revised, field by field (null when it may): each field
 * the reviewer marked must change, and something must. Sent back unchanged it only returns to the
 * reviewer to be returned again.
 */
export function unrevisedFields(asked: readonly ThemeFieldKey[], changes: readonly FieldChange[]): Partial<Record<ThemeFieldKey, string>> | null {
  const untouched = asked.filter((f) => !changes.some((c) => c.field === f));
  if (untouched.length > 0) return Object.fromEntries(untouched.map((f) => [f, `退回意见要求修改“${fieldLabel(f)}”，这一项还没有改动`]));
  if (changes.length === 0) return { title: '内容还没有改动：请按退回意见修改后再提交' };
  return null;
}

// ---------------------------------------------------------------- review queue filters

export const reviewFilterSchema = z.object({
  /** 'pending' = only themes waiting for a decision; 'all' = every active theme */
  status: z.enum(['pending', 'all', 'approved', 'returned', 'rejected']).catch('pending'),
  kind: z.enum(['all', ...UNIT_KINDS.map((k) => k.key)] as [string, ...string[]]).catch('all'),
  /** 0 = every month */
  month: z.coerce.number().int().min(0).max(12).catch(0),
  form: z.enum(['all', ...ACTIVITY_FORM_KEYS] as [string, ...string[]]).catch('all'),
});
export type ReviewFilter = z.infer<typeof reviewFilterSchema>;
export const DEFAULT_REVIEW_FILTER: ReviewFilter = { status: 'pending', kind: 'all', month: 0, form: 'all' };

export function parseReviewFilter(raw: Record<string, unknown>): ReviewFilter {
  return reviewFilterSchema.parse({ status: raw.status ?? raw.fs, kind: raw.kind ?? raw.fk, month: raw.month ?? raw.fm, form: raw.form ?? raw.ff });
}

export interface FilterableTheme {
  reviewStatus: string;
  month: number;
  forms: string[];
  unitKind: string;
}

export function matchesFilter(t: FilterableTheme, f: ReviewFilter): boolean {
  if (f.status !== 'all' && t.reviewStatus !== f.status) return false;
  if (f.kind !== 'all' && t.unitKind !== f.kind) return false;
  if (f.month !== 0 && t.month !== f.month) return false;
  if (f.form !== 'all' && !t.forms.includes(f.form)) return false;
  return true;
}

export function describeFilter(f: ReviewFilter): string {
  const parts: string[] = [];
  parts.push(f.status === 'all' ? '全部状态' : reviewStatusLabel(f.status === 'pending' ? 'pending' : f.status));
  if (f.kind !== 'all') parts.push(UNIT_KINDS.find((k) => k.key === f.kind)?.label ?? f.kind);
  if (f.month !== 0) parts.push(`${f.month}月`);
  if (f.form !== 'all') parts.push(formLabel(f.form));
  return parts.join(' · ');
}
