// 主题领域 and near-duplicate titles (issue 10, item 6): the pure rules, and the threshold tuned on
// real-looking titles of county units (pairs a coordinator would ask to differentiate, and pairs
// that only share the campaign's or the forms' words).
import { describe, expect, it } from 'vitest';
import { NEAR_DUPLICATE_THRESHOLD, PLAN_THEME_DOMAINS, countByDomain, findNearDuplicates, parseDomainListText, titleSimilarity, type DuplicateCandidate } from '../../src/domain/theme-domains.ts';
import { applyDraftOp, EMPTY_RAW_THEME, validateTheme, type SubmissionDraft } from '../../src/domain/submission.ts';
import { balanceChecks, describeWarning } from '../../src/domain/schedule.ts';

const SIMILAR: [string, string][] = [
  ['优化营商环境政策面对面', '优化营商环境政策宣讲面对面'],
  ['优化营商环境政策面对面', '营商环境优化政策解读会'],
  ['“政务公开主题日”走进乡村振兴示范村', '走进乡村振兴示范点实地调研'],
  ['民生实事项目现场观摩', '重点民生实事项目观摩活动'],
  ['星沙街道政务服务体验官', '政务服务体验官活动'],
  ['农村人居环境整治现场观摩', '农村人居环境整治成果观摩'],
  ['“一件事一次办”现场体验', '一件事一次办改革成果观摩'],
  // Close topics (medical vs social insurance, same wording): flagged, the office decides.
  ['医保政策进万家', '社保政策进万家'],
];
const DIFFERENT: [string, string][] = [
  ['垃圾分类进社区宣传', '生态环境保护政策宣讲'],
  ['优化营商环境政策面对面', '城市更新项目实地调研'],
  ['教育惠民政策发布会', '义务教育招生政策发布会'],
  ['安全生产座谈会', '食品安全座谈会'],
  ['就业创业政策宣讲', '税费优惠政策宣讲'],
  ['12345热线开放日', '政务服务中心开放日'],
  ['“政务公开主题日”政策发布会', '“政务公开主题日”座谈会'],
];

describe('title similarity (character bigram Dice)', () => {
  it.each(SIMILAR)('flags %s ~ %s', (a, b) => {
    expect(titleSimilarity(a, b)).toBeGreaterThanOrEqual(NEAR_DUPLICATE_THRESHOLD);
  });
  it.each(DIFFERENT)('does not flag %s ~ %s', (a, b) => {
    expect(titleSimilarity(a, b)).toBeLessThan(NEAR_DUPLICATE_THRESHOLD);
  });
  it('is symmetric, 1 for the same title (width and spaces ignored), 0 for nothing shared', () => {
    expect(titleSimilarity('医保政策进万家', '社保政策进万家')).toBe(titleSimilarity('社保政策进万家', '医保政策进万家'));
    expect(titleSimilarity('优化营商环境 政策面对面', '优化营商环境政策面对面')).toBe(1);
    expect(titleSimilarity('垃圾分类', '医保报销')).toBe(0);
  });
});

describe('near-duplicates across units', () => {
  const t = (id: string, unitId: string, title: string, month: number, forms: string[]): DuplicateCandidate => ({ themeId: id, unitId, unitName: `单位${unitId}`, title, month, forms });
  it('pairs other units in the same month with a shared form, most similar first', () => {
    const found = findNearDuplicates([
      t('a', 'u1', '优化营商环境政策面对面', 6, ['forum']),
      t('b', 'u2', '优化营商环境政策宣讲面对面', 6, ['forum', 'policy']),
      t('c', 'u3', '营商环境优化政策解读会', 6, ['forum']),
      t('d', 'u4', '优化营商环境政策面对面', 7, ['forum']), // other month
      t('e', 'u5', '优化营商环境政策面对面', 6, ['survey']), // no shared form
      t('f', 'u1', '优化营商环境政策面对面（二）', 6, ['forum']), // same unit as a
    ]);
    expect(found.map((d) => [d.a.themeId, d.b.themeId].sort().join('-')).sort()).toEqual(['a-b', 'a-c', 'b-c', 'b-f', 'c-f']);
    expect(found.map((d) => d.similarity)).toEqual([...found.map((d) => d.similarity)].sort((x, y) => y - x));
    expect(found.some((d) => d.a.unitId === d.b.unitId)).toBe(false);
  });
  it('finds nothing among distinct titles', () => {
    expect(findNearDuplicates(DIFFERENT.flatMap(([x, y], i) => [t(`x${i}`, `u${i}a`, x, 5, ['forum']), t(`y${i}`, `u${i}b`, y, 5, ['forum'])]))).toEqual([]);
  });
});

describe('主题领域', () => {
  it('defaults to the plan’s nine, parses an edited list and refuses bad ones', () => {
    expect(PLAN_THEME_DOMAINS).toHaveLength(9);
    expect(parseDomainListText('科教强县、改革开放，营商环境 乡村振兴')).toEqual({ ok: true, list: ['科教强县', '改革开放', '营商环境', '乡村振兴'] });
    expect(parseDomainListText('恢复默认')).toEqual({ ok: true, list: [...PLAN_THEME_DOMAINS] });
    expect(parseDomainListText('科教强县、科教强县')).toEqual({ ok: false, error: '领域名称有重复' });
    expect(parseDomainListText('一二三四五六七八九十一二三')).toMatchObject({ ok: false, error: '每个领域名称不超过 8 个字' });
    expect(parseDomainListText('  ')).toMatchObject({ ok: false });
  });
  it('counts themes by 领域 (two 领域 count in both) and names the empty ones', () => {
    const r = countByDomain([{ domains: ['营商环境', '改革开放'] }, { domains: ['营商环境'] }, { domains: [] }, { domains: ['旧领域'] }], ['营商环境', '改革开放', '生态文明']);
    expect(r).toEqual({
      counts: [
        { domain: '营商环境', count: 2 },
        { domain: '改革开放', count: 1 },
        { domain: '生态文明', count: 0 },
      ],
      untagged: 2,
      empty: ['生态文明'],
    });
  });
  it('validates picked 领域 against the campaign list, in the list’s order; none is fine', () => {
    const raw = { title: '优化营商环境政策面对面', month: '6', forms: ['forum'], intro: '邀请企业代表座谈，解读优化营商环境的各项政策措施并听取意见。' };
    const rules = { campaignYear: 2027, today: '2027-03-01', otherTitles: [], domainOptions: ['科教强县', '营商环境', '改革开放'] };
    expect(validateTheme({ ...raw, domains: ['改革开放', '营商环境'] }, rules)).toMatchObject({ ok: true, value: { domains: ['营商环境', '改革开放'] } });
    expect(validateTheme({ ...raw, domains: [] }, rules)).toMatchObject({ ok: true, value: { domains: [] } });
    expect(validateTheme({ ...raw, domains: ['不存在'] }, rules)).toEqual({ ok: false, errors: { theme_domains: '主题领域只能从列出的选项中选择' } });
  });
  it('the schedule’s balance checks flag 领域 with no activity', () => {
    const row = { themeId: 't', unitId: 'u', unitName: '星沙街道', unitKind: 'street', unitOrder: 0, seq: 1, title: 'x', month: 6, forms: ['forum'], contactName: '', contactPhone: '', domains: ['营商环境'] };
    const w = balanceChecks([row], { maxPerMonth: 6, fromMonth: 6, toMonth: 6, domains: ['营商环境', '生态文明', '社会治理'] });
    expect(w.filter((x) => x.kind === 'domain_empty').map(describeWarning)).toEqual(['全年没有突出以下主题领域的活动：生态文明、社会治理']);
  });
});

describe('以此为草稿', () => {
  const draft: SubmissionDraft = { contactName: '周晓燕', contactPhone: '0731-84872387', themes: [], editing: null, current: { ...EMPTY_RAW_THEME }, errors: {} };
  const past = { title: '优化营商环境政策面对面', month: '6', forms: ['forum'], intro: '邀请企业代表座谈，解读优化营商环境的各项政策措施并听取意见。', domains: ['营商环境'] };
  const rules = { campaignYear: 2027, today: '2027-03-01' };
  it('fills the form with the earlier theme, month left to choose', () => {
    const step = applyDraftOp(draft, { contactName: '周晓燕', contactPhone: '0731-84872387', theme: { ...EMPTY_RAW_THEME } }, { op: 'reuse', theme: past }, rules);
    expect(step.refused).toBe(false);
    expect(step.draft.current).toEqual({ ...past, month: '' });
    expect(step.draft.themes).toEqual([]);
  });
  it('saves what is being typed first, so nothing is lost', () => {
    const typing = { title: '生态文明建设成果观摩', month: '9', forms: ['observe'], intro: '组织代表委员观摩生态文明建设成果，听取意见建议和群众诉求。', domains: [] };
    const step = applyDraftOp(draft, { contactName: '周晓燕', contactPhone: '0731-84872387', theme: typing }, { op: 'reuse', theme: past }, rules);
    expect(step.draft.themes.map((x) => x.title)).toEqual(['生态文明建设成果观摩']);
    expect(step.draft.current.title).toBe('优化营商环境政策面对面');
  });
  it('refuses while the typed theme is invalid, keeping it', () => {
    const bad = { ...EMPTY_RAW_THEME, title: '半截主题' };
    const step = applyDraftOp(draft, { contactName: '', contactPhone: '', theme: bad }, { op: 'reuse', theme: past }, rules);
    expect(step.refused).toBe(true);
    expect(step.draft.current).toEqual(bad);
  });
});
