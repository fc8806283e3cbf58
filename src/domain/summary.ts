// The post-event summary (活动总结) a unit files after its activity: the fields the plan asks for
// (五、工作保障: LOGO on site, policy interpretation, publicity by news media / government website /
// new media, typical experience), its validation and the lenient parse used for drafts. Pure.
import { z } from 'zod';
import { labelled, type KeyOf } from './options.ts';
import { ACTIVITY_FORM_KEYS, ACTIVITY_FORMS, type ActivityFormKey } from './campaign.ts';
import { isCivilDate, parseDateToken } from './time.ts';
import { asciiDigits } from './user-text.ts';

export const PARTICIPANT_KINDS = labelled({ npcDeputies: '人大代表', cppccMembers: '政协委员', experts: '专家学者', media: '新闻媒体', citizens: '市民群众' });
export type ParticipantKey = KeyOf<typeof PARTICIPANT_KINDS>;
export type Participants = Record<ParticipantKey, number>;

export const LINK_CHANNELS = labelled({ media: '新闻媒体报道', website: '政府网站专栏', newMedia: '政务新媒体' });
export type LinkChannel = KeyOf<typeof LINK_CHANNELS>;
export type SummaryLinks = Record<LinkChannel, string[]>;

export const MAX_HELD_DATES = 10;
export const MAX_DATE_PICKERS = 3;
export const MAX_LINKS_PER_CHANNEL = 20;
export const SUMMARY_TEXT_MIN = 20;
export const EXPERIENCE_TEXT_MIN = 10;
export const LONG_TEXT_MAX = 1000;
export const COUNT_MAX = 1_000_000;

/** Form field names of the summary card (also the keys of error messages). */
export const SUMMARY_FIELDS = {
  date: (i: number) => `held_date_${i}`,
  datesText: 'held_dates_text',
  forms: 'forms_used',
  participant: (k: ParticipantKey) => `p_${k}`,
  logo: 'logo_shown',
  link: (c: LinkChannel) => `links_${c}`,
  policy: 'policy_released',
  opinions: 'opinions_count',
  surveyAnswers: 'survey_answers',
  summary: 'summary_text',
  experience: 'experience',
} as const;

/** What the person typed, as strings, kept verbatim between edits (FormDraft.data). */
export interface SummaryRaw {
  dates: string[];
  datesText: string;
  forms: string[];
  participants: Partial<Record<ParticipantKey, string>>;
  logo: string;
  links: Partial<Record<LinkChannel, string>>;
  policy: string;
  opinions: string;
  surveyAnswers: string;
  summary: string;
  experience: string;
}

export function emptyRaw(): SummaryRaw {
  return { dates: [], datesText: '', forms: [], participants: {}, logo: '', links: {}, policy: '', opinions: '', surveyAnswers: '', summary: '', experience: '' };
}

export const summaryRawSchema: z.ZodType<SummaryRaw> = z.object({
  dates: z.array(z.string()).default([]),
  datesText: z.string().default(''),
  forms: z.array(z.string()).default([]),
  participants: z.record(z.string(), z.string()).default({}),
  logo: z.string().default(''),
  links: z.record(z.string(), z.string()).default({}),
  policy: z.string().default(''),
  opinions: z.string().default(''),
  surveyAnswers: z.string().default(''),
  summary: z.string().default(''),
  experience: z.string().default(''),
}) as z.ZodType<SummaryRaw>;

function str(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return '';
}

/** A date picker answers 'YYYY-MM-DD' or 'YYYY-MM-DD +0800'; keep the civil date. */
function pickerDate(v: unknown): string {
  const s = str(v).trim();
  const m = /^(\d{4}-\d{2}-\d{2})/.exec(s);
  return m ? m[1]! : s;
}

/** Card form_value → what the person typed. Never throws; unknown shapes become ''. */
export function rawFromForm(formValue: Record<string, unknown> | undefined): SummaryRaw {
  const f = formValue ?? {};
  const raw = emptyRaw();
  for (let i = 1; i <= MAX_DATE_PICKERS; i++) {
    const d = pickerDate(f[SUMMARY_FIELDS.date(i)]);
    raw.dates.push(d);
  }
  raw.datesText = str(f[SUMMARY_FIELDS.datesText]);
  const forms = f[SUMMARY_FIELDS.forms];
  raw.forms = Array.isArray(forms) ? forms.map(str).filter(Boolean) : typeof forms === 'string' && forms ? [forms] : [];
  for (const p of PARTICIPANT_KINDS) raw.participants[p.key] = str(f[SUMMARY_FIELDS.participant(p.key)]);
  raw.logo = str(f[SUMMARY_FIELDS.logo]);
  for (const c of LINK_CHANNELS) raw.links[c.key] = str(f[SUMMARY_FIELDS.link(c.key)]);
  raw.policy = str(f[SUMMARY_FIELDS.policy]);
  raw.opinions = str(f[SUMMARY_FIELDS.opinions]);
  raw.surveyAnswers = str(f[SUMMARY_FIELDS.surveyAnswers]);
  raw.summary = str(f[SUMMARY_FIELDS.summary]);
  raw.experience = str(f[SUMMARY_FIELDS.experience]);
  return raw;
}

/** The validated summary, as stored on the Summary row. */
export interface SummaryValues {
  heldDates: string[];
  formsUsed: ActivityFormKey[];
  participants: Participants;
  logoShown: boolean;
  links: SummaryLinks;
  policyReleased: boolean;
  opinionsCount: number;
  surveyAnswers: number | null;
  summaryText: string;
  experience: string;
}

export type FieldErrors = Record<string, string>;

export type SummaryParse = { ok: true; values: SummaryValues } | { ok: false; errors: FieldErrors; partial: Partial<SummaryValues> };

const YES = new Set(['yes', 'true', '是', '1']);
const NO = new Set(['no', 'false', '否', '0']);

function parseYesNo(v: string): boolean | undefined {
  const t = v.trim().toLowerCase();
  if (YES.has(t)) return true;
  if (NO.has(t)) return false;
  return undefined;
}

/** Splits a typed list of dates: 2023-05-12、2023/5/20, 5月21日 (month/day without a year take `year`). */
export function parseDateList(text: string, year: number): { dates: string[]; bad: string[] } {
  const dates: string[] = [];
  const bad: string[] = [];
  for (const token of text
    .split(/[\s,，、;；]+/)
    .map((t) => t.trim())
    .filter(Boolean)) {
    const date = parseDateToken(asciiDigits(token), year);
    if (date) dates.push(date);
    else bad.push(token);
  }
  return { dates, bad };
}

/** One URL per line; blank lines ignored. Only http(s) with a host, no spaces. */
export function parseLinkLines(text: string): { urls: string[]; bad: string[] } {
  const urls: string[] = [];
  const bad: string[] = [];
  for (const line of text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)) {
    if (isHttpUrl(line)) {
      if (!urls.includes(line)) urls.push(line);
    } else bad.push(line);
  }
  return { urls, bad };
}

export function isHttpUrl(s: string): boolean {
  if (/\s/.test(s)) return false;
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname.length > 0 && !u.username && !u.password;
  } catch {
    return false;
  }
}

function parseCount(v: string, label: string, required: boolean): { value?: number; error?: string } {
  const t = asciiDigits(v);
  if (t === '') return required ? { error: `请填写${label}（没有请填 0）` } : {};
  if (!/^\d+$/.test(t)) return { error: `${label}应为不小于 0 的整数` };
  const n = Number(t);
  if (n > COUNT_MAX) return { error: `${label}不应超过 ${COUNT_MAX}` };
  return { value: n };
}

/**
 * Validates what the person typed. `year` is the campaign year (typed month/day dates take it);
 * `today` bounds held dates (an activity cannot be summarised before it happened).
 */
export function parseSummary(raw: SummaryRaw, ctx: { year: number; today: string }): SummaryParse {
  const errors: FieldErrors = {};
  const partial: Partial<SummaryValues> = {};

  // dates
  const picked = raw.dates.map((d) => d.trim()).filter(Boolean);
  const badPicked = picked.filter((d) => !isCivilDate(d));
  const typed = parseDateList(raw.datesText, ctx.year);
  const all = [...new Set([...picked.filter((d) => isCivilDate(d)), ...typed.dates])].sort();
  if (badPicked.length > 0) errors[SUMMARY_FIELDS.date(1)] = `日期无效：${badPicked.join('、')}`;
  if (typed.bad.length > 0) errors[SUMMARY_FIELDS.datesText] = `无法识别的日期：${typed.bad.join('、')}（示例：2023-05-12、5月20日）`;
  if (all.length === 0 && !errors[SUMMARY_FIELDS.datesText]) errors[SUMMARY_FIELDS.date(1)] = '请至少填写一个实际举办日期';
  if (all.length > MAX_HELD_DATES) errors[SUMMARY_FIELDS.datesText] = `举办日期最多 ${MAX_HELD_DATES} 个`;
  // A date's error goes under the box it was given in: the pickers' under the pickers, typed ones under 其他日期.
  const whereGiven = (dates: string[]) => (dates.some((d) => typed.dates.includes(d)) ? SUMMARY_FIELDS.datesText : SUMMARY_FIELDS.date(1));
  const future = all.filter((d) => d > ctx.today);
  if (future.length > 0) errors[whereGiven(future)] = `举办日期不能晚于今天：${future.join('、')}`;
  const otherYear = all.filter((d) => Number(d.slice(0, 4)) !== ctx.year);
  if (otherYear.length > 0 && !errors[whereGiven(otherYear)]) errors[whereGiven(otherYear)] = `举办日期应在 ${ctx.year} 年内：${otherYear.join('、')}`;
  partial.heldDates = all.filter((d) => isCivilDate(d));

  // forms
  const forms = raw.forms.filter((f): f is ActivityFormKey => (ACTIVITY_FORM_KEYS as string[]).includes(f));
  if (forms.length === 0) errors[SUMMARY_FIELDS.forms] = '请选择实际采用的活动形式（可多选）';
  partial.formsUsed = ACTIVITY_FORMS.map((f) => f.key).filter((k) => forms.includes(k));

  // participants
  const participants = {} as Participants;
  for (const p of PARTICIPANT_KINDS) {
    const r = parseCount(raw.participants[p.key] ?? '', `${p.label}人数`, false);
    if (r.error) errors[SUMMARY_FIELDS.participant(p.key)] = r.error;
    participants[p.key] = r.value ?? 0;
  }
  partial.participants = participants;
  // Every form but a questionnaire brings people to the activity (plan §三). The counts may be left
  // empty (0), so an activity with nobody at it is a slip in the form, not a fact worth filing.
  const onSite = forms.some((f) => f !== 'questionnaire');
  const countsValid = PARTICIPANT_KINDS.every((p) => !errors[SUMMARY_FIELDS.participant(p.key)]);
  if (onSite && countsValid && PARTICIPANT_KINDS.every((p) => participants[p.key] === 0)) {
    errors[SUMMARY_FIELDS.participant(PARTICIPANT_KINDS[0]!.key)] = '请填写参加活动的人数（至少一类）：实地调研、现场观摩、座谈交流和政策发布都有人参加';
  }

  const logo = parseYesNo(raw.logo);
  if (logo === undefined) errors[SUMMARY_FIELDS.logo] = '请选择活动现场是否设置“政务公开主题日”LOGO';
  else partial.logoShown = logo;

  const links = { media: [], website: [], newMedia: [] } as SummaryLinks;
  for (const c of LINK_CHANNELS) {
    const r = parseLinkLines(raw.links[c.key] ?? '');
    if (r.bad.length > 0) errors[SUMMARY_FIELDS.link(c.key)] = `以下不是有效的 http(s) 链接（每行一个）：${r.bad.slice(0, 3).join('；')}${r.bad.length > 3 ? ` 等 ${r.bad.length} 行` : ''}`;
    else if (r.urls.length > MAX_LINKS_PER_CHANNEL) errors[SUMMARY_FIELDS.link(c.key)] = `每类链接最多 ${MAX_LINKS_PER_CHANNEL} 个`;
    links[c.key] = r.urls;
  }
  partial.links = links;

  const policy = parseYesNo(raw.policy);
  if (policy === undefined) errors[SUMMARY_FIELDS.policy] = '请选择是否发布了政策解读';
  else partial.policyReleased = policy;

  const opinions = parseCount(raw.opinions, '收集意见建议数', true);
  if (opinions.error) errors[SUMMARY_FIELDS.opinions] = opinions.error;
  else partial.opinionsCount = opinions.value;

  const needsSurvey = forms.includes('questionnaire');
  const answers = parseCount(raw.surveyAnswers, '问卷回收份数', needsSurvey);
  if (answers.error) errors[SUMMARY_FIELDS.surveyAnswers] = needsSurvey && raw.surveyAnswers.trim() === '' ? '采用了问卷调查，请填写回收问卷份数' : answers.error;
  partial.surveyAnswers = answers.value ?? null;

  const summary = raw.summary.trim();
  if (summary.length < SUMMARY_TEXT_MIN) errors[SUMMARY_FIELDS.summary] = `活动总结至少 ${SUMMARY_TEXT_MIN} 个字（当前 ${summary.length} 个字）`;
  else if (summary.length > LONG_TEXT_MAX) errors[SUMMARY_FIELDS.summary] = `活动总结不超过 ${LONG_TEXT_MAX} 个字（当前 ${summary.length} 个字）`;
  partial.summaryText = summary;

  const experience = raw.experience.trim();
  if (experience.length < EXPERIENCE_TEXT_MIN) errors[SUMMARY_FIELDS.experience] = `做法与经验至少 ${EXPERIENCE_TEXT_MIN} 个字（当前 ${experience.length} 个字）`;
  else if (experience.length > LONG_TEXT_MAX) errors[SUMMARY_FIELDS.experience] = `做法与经验不超过 ${LONG_TEXT_MAX} 个字（当前 ${experience.length} 个字）`;
  partial.experience = experience;

  if (Object.keys(errors).length > 0) return { ok: false, errors, partial };
  return {
    ok: true,
    values: {
      heldDates: partial.heldDates,
      formsUsed: partial.formsUsed,
      participants,
      logoShown: logo!,
      links,
      policyReleased: policy!,
      opinionsCount: opinions.value!,
      surveyAnswers: answers.value ?? null,
      summaryText: summary,
      experience,
    },
  };
}

/** Stored Summary row (JSON text fields) → what the card shows as the typed values. */
export interface StoredSummary {
  heldDates: string;
  formsUsed: string;
  participants: string;
  logoShown: boolean | null;
  links: string;
  policyReleased: boolean | null;
  opinionsCount: number | null;
  surveyAnswers: number | null;
  summaryText: string | null;
  experience: string | null;
}

function safeJson(text: string | null | undefined): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

const stringArray = z.array(z.string()).catch([]);
const linksSchema = z.object({ media: stringArray.default([]), website: stringArray.default([]), newMedia: stringArray.default([]) }).catch({ media: [], website: [], newMedia: [] });
const participantsSchema = z
  .object({ npcDeputies: z.number().catch(0).default(0), cppccMembers: z.number().catch(0).default(0), experts: z.number().catch(0).default(0), media: z.number().catch(0).default(0), citizens: z.number().catch(0).default(0) })
  .catch({ npcDeputies: 0, cppccMembers: 0, experts: 0, media: 0, citizens: 0 });

export function storedLinks(json: string | null | undefined): SummaryLinks {
  return linksSchema.parse(safeJson(json) ?? {});
}
export function storedParticipants(json: string | null | undefined): Participants {
  return participantsSchema.parse(safeJson(json) ?? {});
}
export function storedDates(json: string | null | undefined): string[] {
  return stringArray.parse(safeJson(json) ?? []).filter((d) => isCivilDate(d));
}
export function storedForms(json: string | null | undefined): ActivityFormKey[] {
  return stringArray.parse(safeJson(json) ?? []).filter((f): f is ActivityFormKey => (ACTIVITY_FORM_KEYS as string[]).includes(f));
}

/** A summary as its cards name it: not started, a draft, or submitted. */
export type SummaryStatus = 'none' | 'draft' | 'submitted';

/**
 * What the cards call a summary's state. Its row is made as soon as a photo arrives (the photos
 * hang on it), so a row alone is not a draft: something filled in is, stored or in a saved form
 * (a liaison who had only sent a photo read 草稿 on a summary they had not begun).
 */
export function summaryStatus(row: (StoredSummary & { status: string }) | null, formSaved: boolean): SummaryStatus {
  if (row?.status === 'submitted') return 'submitted';
  return formSaved || (row !== null && hasContent(row)) ? 'draft' : 'none';
}

function hasContent(s: StoredSummary): boolean {
  const counts = Object.values(storedParticipants(s.participants));
  const links = Object.values(storedLinks(s.links));
  const set = [s.logoShown, s.policyReleased, s.opinionsCount, s.surveyAnswers].some((v) => v !== null);
  return storedDates(s.heldDates).length > 0 || storedForms(s.formsUsed).length > 0 || counts.some((n) => n > 0) || links.some((l) => l.length > 0) || set || Boolean(s.summaryText) || Boolean(s.experience);
}

export function rawFromStored(s: StoredSummary): SummaryRaw {
  const dates = storedDates(s.heldDates);
  const participants = storedParticipants(s.participants);
  const links = storedLinks(s.links);
  const raw = emptyRaw();
  raw.dates = dates.slice(0, MAX_DATE_PICKERS);
  raw.datesText = dates.slice(MAX_DATE_PICKERS).join('、');
  raw.forms = storedForms(s.formsUsed);
  for (const p of PARTICIPANT_KINDS) raw.participants[p.key] = participants[p.key] ? String(participants[p.key]) : '';
  raw.logo = s.logoShown === null ? '' : s.logoShown ? 'yes' : 'no';
  for (const c of LINK_CHANNELS) raw.links[c.key] = links[c.key].join('\n');
  raw.policy = s.policyReleased === null ? '' : s.policyReleased ? 'yes' : 'no';
  raw.opinions = s.opinionsCount === null ? '' : String(s.opinionsCount);
  raw.surveyAnswers = s.surveyAnswers === null ? '' : String(s.surveyAnswers);
  raw.summary = s.summaryText ?? '';
  raw.experience = s.experience ?? '';
  return raw;
}

/** The Summary columns for validated values. */
export function storedFromValues(v: Partial<SummaryValues>): Partial<StoredSummary> {
  const out: Partial<StoredSummary> = {};
  if (v.heldDates) out.heldDates = JSON.stringify(v.heldDates);
  if (v.formsUsed) out.formsUsed = JSON.stringify(v.formsUsed);
  if (v.participants) out.participants = JSON.stringify(v.participants);
  if (v.logoShown !== undefined) out.logoShown = v.logoShown;
  if (v.links) out.links = JSON.stringify(v.links);
  if (v.policyReleased !== undefined) out.policyReleased = v.policyReleased;
  if (v.opinionsCount !== undefined) out.opinionsCount = v.opinionsCount;
  if (v.surveyAnswers !== undefined) out.surveyAnswers = v.surveyAnswers;
  if (v.summaryText !== undefined) out.summaryText = v.summaryText;
  if (v.experience !== undefined) out.experience = v.experience;
  return out;
}

export function linkCount(links: SummaryLinks): number {
  return links.media.length + links.website.length + links.newMedia.length;
}

export function participantTotal(p: Participants): number {
  return PARTICIPANT_KINDS.reduce((s, k) => s + p[k.key], 0);
}

/** The activity month in effect (a scheduled move wins over the declared month). */
export function activityMonth(theme: { month: number; scheduledMonth: number | null }): number {
  return theme.scheduledMonth ?? theme.month;
}

/** Chooses the unit's activity a loose photo belongs to: the one in the current month, else the most recent past one. */
export function pickActivityForPhoto<T extends { id: string; month: number }>(themes: T[], currentMonth: number): { pick?: T; ambiguous: T[] } {
  if (themes.length === 1) return { pick: themes[0]!, ambiguous: [] };
  const past = themes.filter((t) => t.month <= currentMonth);
  if (past.length === 0) return { ambiguous: themes };
  const best = Math.max(...past.map((t) => t.month));
  const candidates = past.filter((t) => t.month === best);
  return candidates.length === 1 ? { pick: candidates[0]!, ambiguous: [] } : { ambiguous: candidates };
}
