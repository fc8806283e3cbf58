// 主题领域: the plan's nine major themes (一、活动主题: “突出科教强县、改革开放、城乡品质、营商环境、
// 乡村振兴、生态文明、民生实事、社会治理、政府自身建设等重大主题”). A theme may be tagged with one or
// more (optional); the list is a per-campaign setting the coordinator can edit. Also: counting by
// 领域 and finding near-duplicate titles across units (character n-gram similarity). Pure.
import { z } from 'zod';
import { charCount, titleKey } from './submission.ts';
import { PLAN_THEME_DOMAINS } from './campaign.ts';

export { PLAN_THEME_DOMAINS };

export const THEME_DOMAIN_MAX_CHARS = 8;
export const THEME_DOMAINS_MAX = 12;

/** One 领域 label as stored in settings: trimmed, 1–12 characters, no separators. */
export const themeDomainLabelSchema = z
  .string()
  .transform((s) => s.normalize('NFC').trim())
  .pipe(
    z
      .string()
      .min(1, '领域名称不能为空')
      .refine((s) => charCount(s) <= THEME_DOMAIN_MAX_CHARS, `每个领域名称不超过 ${THEME_DOMAIN_MAX_CHARS} 个字`)
      .refine((s) => !/[\s,，、;；|]/.test(s), '领域名称中不能有空格或分隔符'),
  );

export const themeDomainListSchema = z
  .array(themeDomainLabelSchema)
  .max(THEME_DOMAINS_MAX, `领域最多 ${THEME_DOMAINS_MAX} 个`)
  .refine((a) => new Set(a).size === a.length, '领域名称有重复');

/** A theme's stored 领域 (Theme.domains JSON): unknown shapes read as none. */
export function parseThemeDomains(json: string | null | undefined): string[] {
  try {
    const v: unknown = JSON.parse(json ?? '[]');
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/** The picked 领域 in the list's order; anything not in the list is refused by the caller. */
export function orderDomains(picked: readonly string[], list: readonly string[]): string[] {
  return list.filter((d) => picked.includes(d));
}

/**
 * `主题领域 科教强县、改革开放、…`: the coordinator's new list, separated by 、，, ; spaces or lines.
 * `主题领域 恢复默认` restores the plan's nine.
 */
export function parseDomainListText(text: string): { ok: true; list: string[] } | { ok: false; error: string } {
  const t = text.normalize('NFC').trim();
  if (t === '恢复默认' || t === '默认') return { ok: true, list: [...PLAN_THEME_DOMAINS] };
  const parts = t.split(/[\s,，、;；|]+/).filter((p) => p.length > 0);
  if (parts.length === 0) return { ok: false, error: '请在指令后列出领域，用顿号分隔，例如：主题领域 科教强县、改革开放、营商环境' };
  const r = themeDomainListSchema.safeParse(parts);
  if (!r.success) return { ok: false, error: r.error.issues[0]?.message ?? '领域列表不正确' };
  return { ok: true, list: r.data };
}

export interface DomainCount {
  domain: string;
  count: number;
}

/** How many themes carry each 领域 of the list (a theme with two counts in both), plus untagged. */
export function countByDomain(themes: readonly { domains: readonly string[] }[], list: readonly string[]): { counts: DomainCount[]; untagged: number; empty: string[] } {
  const counts = list.map((domain) => ({ domain, count: themes.filter((t) => t.domains.includes(domain)).length }));
  return { counts, untagged: themes.filter((t) => !t.domains.some((d) => list.includes(d))).length, empty: counts.filter((c) => c.count === 0).map((c) => c.domain) };
}

// ---------------------------------------------------------------- near-duplicate titles

/**
 * Punctuation, quotes, the campaign's own words (“政务公开”“主题日”“活动”) and the words of the five
 * forms (“座谈会”“发布会”“实地调研”“现场观摩”…, already compared through the form) carry no signal:
 * “安全生产座谈会” and “食品安全座谈会” are different topics. Longest first.
 */
const STOP_PHRASES = ['政务公开主题日', '政务公开', '主题日', '政策发布会', '新闻发布会', '发布会', '座谈交流会', '座谈交流', '座谈会', '座谈', '实地调研', '调研', '现场观摩', '观摩', '问卷调查', '宣讲', '解读', '现场', '政策', '活动'];

function signalChars(title: string): string[] {
  let t = titleKey(title);
  for (const p of STOP_PHRASES) t = t.split(p).join('|');
  return [...t.replace(/[\p{P}\p{S}]/gu, '|')];
}

function ngrams(title: string, n: number): Set<string> {
  const chars = signalChars(title);
  const out = new Set<string>();
  for (let i = 0; i + n <= chars.length; i++) {
    const g = chars.slice(i, i + n);
    if (!g.includes('|')) out.add(g.join(''));
  }
  return out;
}

/**
 * Sørensen–Dice coefficient of the titles' character bigrams (after dropping punctuation and the
 * campaign's boilerplate words): 1 for the same title, 0 for nothing in common. Bigrams suit
 * Chinese titles (most words are two characters) and need no segmenter or model.
 */
export function titleSimilarity(a: string, b: string): number {
  return dice(a, ngrams(a, 2), b, ngrams(b, 2));
}

function dice(a: string, x: Set<string>, b: string, y: Set<string>): number {
  if (x.size === 0 || y.size === 0) return titleKey(a) === titleKey(b) ? 1 : 0;
  let shared = 0;
  for (const g of x) if (y.has(g)) shared++;
  return (2 * shared) / (x.size + y.size);
}

/** Tuned on real-looking titles in test/review/near-duplicates.test.ts. */
export const NEAR_DUPLICATE_THRESHOLD = 0.6;

export interface DuplicateCandidate {
  themeId: string;
  unitId: string;
  unitName: string;
  title: string;
  month: number;
  forms: readonly string[];
}

export interface NearDuplicate {
  a: DuplicateCandidate;
  b: DuplicateCandidate;
  similarity: number;
}

/**
 * Pairs of themes from different units in the same month sharing at least one form whose titles
 * are similar (≥ threshold), most similar first, so the office can ask units to differentiate.
 */
export function findNearDuplicates(themes: readonly DuplicateCandidate[], threshold = NEAR_DUPLICATE_THRESHOLD): NearDuplicate[] {
  const out: NearDuplicate[] = [];
  // Each title's bigrams once, not once per pair.
  const bigrams = new Map<DuplicateCandidate, Set<string>>();
  const bigramsOf = (t: DuplicateCandidate) => {
    let g = bigrams.get(t);
    if (!g) bigrams.set(t, (g = ngrams(t.title, 2)));
    return g;
  };
  const byMonth = new Map<number, DuplicateCandidate[]>();
  for (const t of themes) byMonth.set(t.month, [...(byMonth.get(t.month) ?? []), t]);
  for (const list of byMonth.values()) {
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const a = list[i]!;
        const b = list[j]!;
        if (a.unitId === b.unitId || !a.forms.some((f) => b.forms.includes(f))) continue;
        const similarity = dice(a.title, bigramsOf(a), b.title, bigramsOf(b));
        if (similarity >= threshold) out.push({ a, b, similarity });
      }
    }
  }
  return out.sort((p, q) => q.similarity - p.similarity || p.a.month - q.a.month || p.a.title.localeCompare(q.a.title));
}
