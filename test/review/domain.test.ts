// Pure review rules: decisions and their reasons, the revision form (the submission form's rules),
// diffs, filters.
import { describe, expect, it } from 'vitest';
import { diffThemes, matchesFilter, parseDecision, parseReviewFilter, parseThemeContent, statusAfter } from '../../src/domain/review.ts';

describe('parseDecision', () => {
  it('needs a reason to return or reject, keeps fields only for a return', () => {
    expect(parseDecision('approve', '', ['title'])).toEqual({ ok: true, value: { decision: 'approve', reason: '', fields: [] } });
    expect(parseDecision('return', '  ', ['title'])).toMatchObject({ ok: false, errors: { reason: expect.stringContaining('退回修改须填写原因') } });
    expect(parseDecision('reject', undefined, undefined)).toMatchObject({ ok: false, errors: { reason: '不采纳须填写原因' } });
    expect(parseDecision('return', ' 请补充 ', ['intro', 'bogus', 'intro'])).toEqual({ ok: true, value: { decision: 'return', reason: '请补充', fields: ['intro'] } });
    expect(parseDecision('reject', '重复', ['title'])).toEqual({ ok: true, value: { decision: 'reject', reason: '重复', fields: [] } });
    expect(parseDecision('delete', 'x', [])).toMatchObject({ ok: false });
    expect(parseDecision('return', 'x'.repeat(301), [])).toMatchObject({ ok: false, errors: { reason: expect.stringContaining('300') } });
    expect(statusAfter('return')).toBe('returned');
  });
});

describe('parseThemeContent (the submission form rules)', () => {
  const intro = '围绕惠企政策邀请企业代表和媒体座谈交流、现场解读政策要点并听取意见。';
  it('accepts a valid theme and orders the forms as the plan does', () => {
    expect(parseThemeContent({ title: ' 惠企政策座谈会 ', month: '9', forms: ['policy', 'forum'], intro }, 2023, '2023-04-10')).toEqual({ ok: true, value: { title: '惠企政策座谈会', month: 9, forms: ['forum', 'policy'], intro } });
  });
  it('refuses each rule with a Chinese message by field', () => {
    const r = parseThemeContent({ title: '长'.repeat(41), month: '3', forms: [], intro: '太短' }, 2023, '2023-04-10');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(Object.keys(r.errors).sort()).toEqual(['forms', 'intro', 'month', 'title']);
    expect(r.errors.month).toContain('3月已经过去');
    expect(parseThemeContent({ title: '同名', month: '9', forms: ['forum'], intro }, 2023, '2023-04-10', ['同名'])).toMatchObject({ ok: false, errors: { title: expect.stringContaining('同名') } });
    expect(parseThemeContent({ title: 'x', month: '13', forms: ['forum'], intro }, 2023, '2023-04-10')).toMatchObject({ ok: false, errors: { month: expect.any(String) } });
    expect(parseThemeContent({ title: 'x', month: '9', forms: ['dance'], intro }, 2023, '2023-04-10')).toMatchObject({ ok: false, errors: { forms: expect.any(String) } });
  });
});

describe('diffThemes', () => {
  it('lists changed fields as 原 → 新 text', () => {
    const a = { title: '旧', month: 5, forms: ['forum'], intro: '简介' };
    expect(diffThemes(a, { ...a, month: 9, forms: ['forum', 'policy'] })).toEqual([
      { field: 'month', label: '活动时间', before: '5月', after: '9月' },
      { field: 'forms', label: '活动形式', before: '座谈交流', after: '座谈交流、政策发布' },
    ]);
    expect(diffThemes(a, a)).toEqual([]);
  });
});

describe('review filters', () => {
  it('parses card values leniently and matches themes', () => {
    const f = parseReviewFilter({ fs: 'all', fk: 'town', fm: '6', ff: 'bogus' });
    expect(f).toEqual({ status: 'all', kind: 'town', month: 6, form: 'all' });
    expect(parseReviewFilter({})).toEqual({ status: 'pending', kind: 'all', month: 0, form: 'all' });
    expect(matchesFilter({ reviewStatus: 'approved', month: 6, forms: ['forum'], unitKind: 'town' }, f)).toBe(true);
    expect(matchesFilter({ reviewStatus: 'approved', month: 7, forms: ['forum'], unitKind: 'town' }, f)).toBe(false);
    expect(matchesFilter({ reviewStatus: 'approved', month: 6, forms: ['forum'], unitKind: 'town' }, { ...f, status: 'pending' })).toBe(false);
    expect(matchesFilter({ reviewStatus: 'pending', month: 6, forms: ['forum'], unitKind: 'town' }, { ...f, form: 'policy' })).toBe(false);
  });
});
