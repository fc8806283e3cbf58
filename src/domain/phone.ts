// Phone numbers as liaisons type them: mainland mobiles (13812345678, +86 138 1234 5678) and
// landlines with or without area code and extension (0731-84872387, 84872387, 0731-84872387-801).

const MOBILE_RE = /^1[3-9]\d{9}$/;
// Area code 0 + 2–3 digits, a 7–8 digit local number, an optional extension.
const LANDLINE_RE = /^(?:0\d{2,3}-?)?\d{7,8}(?:-\d{1,6})?$/;

/**
 * The canonical form of a phone number, or null when it is not one: spaces and full-width
 * digits are tolerated, a +86 prefix on a mobile is dropped, landlines keep their dash.
 */
export function normalizePhone(input: string): string | null {
  let s = input
    .normalize('NFKC')
    .trim()
    .replace(/[\s\u3000]+/g, '')
    .replace(/[—–－]/g, '-');
  s = s.replace(/^\+?86-?(?=1\d{10}$)/, '');
  if (MOBILE_RE.test(s)) return s;
  if (LANDLINE_RE.test(s) && !s.startsWith('1')) return s;
  return null;
}

export function isValidPhone(input: string): boolean {
  return normalizePhone(input) !== null;
}

export function isMobile(input: string): boolean {
  const s = normalizePhone(input);
  return s !== null && MOBILE_RE.test(s);
}

/**
 * Hides the middle of a number for display to people who do not need it in full:
 * 13812345678 → 138****5678, 0731-84872387 → 0731-****2387, 84872387 → ****2387.
 */
export function maskPhone(input: string): string {
  const s = normalizePhone(input) ?? input.trim();
  if (MOBILE_RE.test(s)) return `${s.slice(0, 3)}****${s.slice(7)}`;
  const m = /^(0\d{2,3}-?)?(\d{7,8})(-\d{1,6})?$/.exec(s);
  if (m) return `${m[1] ?? ''}****${m[2]!.slice(-4)}${m[3] ?? ''}`;
  // Not a phone we know: show only the last four characters.
  return s.length <= 4 ? '*'.repeat(s.length) : `${'*'.repeat(Math.min(4, s.length - 4))}${s.slice(-4)}`;
}
