// Review cards a county official can read (issue 13 items 5, 6, 12): the 退回修改 form labels its
// select fields and marks the ones to change, the v1/v2 tags are explained, and a 简介 change is
// shown with the changed characters marked instead of the whole old and new text.
import { describe, expect, it } from 'vitest';
import { resubmittedCard, reviewCard, reviseCard, VERSION_NOTE } from '../../cards/review.ts';
import { THEME_INTRO_INPUT_MAX, THEME_TITLE_INPUT_MAX, THEME_TITLE_MAX } from '../../src/domain/submission.ts';
import { markedDiff } from '../../cards/text-diff.ts';
import { validateCard } from '../../src/emulator/card-schema.ts';
import type { CardElement } from '../../cards/kit.ts';

const OLD = '围绕优化营商环境政策，邀请企业代表和人大代表座谈交流，听取意见建议并现场解答企业关心的问题。';
const NEW = '围绕优化营商服务环境政策，邀请企业代表和人大代表座谈交流，听取意见建议并现场解答企业关心的问题。';

/** Every element in document order, flattened through forms and columns. */
function flat(node: unknown, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(node)) node.forEach((n) => flat(n, out));
  else if (node && typeof node === 'object') {
    const rec = node as Record<string, unknown>;
    if (typeof rec.tag === 'string') out.push(rec);
    for (const [k, v] of Object.entries(rec)) if (k !== 'options') flat(v, out);
  }
  return out;
}

describe('退回修改 form', () => {
  it('labels 活动时间 and 活动形式 above their selects and marks those to change', () => {
    const c = reviseCard({ themeId: 't1', version: 1, unitName: '星沙街道', reason: '请调整月份和形式', fields: ['month', 'forms'], values: { title: '政策面对面', month: '6', forms: ['forum'], intro: OLD }, months: [5, 6, 7] });
    expect(validateCard(c)).toEqual({ ok: true });
    const els = flat(c);
    const at = (pred: (e: Record<string, unknown>) => boolean) => els.findIndex(pred);
    const monthLabel = at((e) => e.tag === 'markdown' && String(e.content).startsWith('活动时间（月份）'));
    const monthSelect = at((e) => e.tag === 'select_static' && e.name === 'month');
    const formsLabel = at((e) => e.tag === 'markdown' && String(e.content).startsWith('活动形式（可多选）'));
    const formsSelect = at((e) => e.tag === 'multi_select_static' && e.name === 'forms');
    expect(monthLabel).toBeGreaterThan(-1);
    expect(monthLabel).toBe(monthSelect - 1);
    expect(formsLabel).toBe(formsSelect - 1);
    expect(els[monthLabel]!.content).toContain("<font color='red'>需修改</font>");
    expect(els[formsLabel]!.content).toContain("<font color='red'>需修改</font>");
    const plain = reviseCard({ themeId: 't1', version: 1, unitName: '星沙街道', fields: ['intro'], values: { title: 'x', month: '6', forms: ['forum'], intro: OLD }, months: [6] });
    expect(flat(plain).find((e) => e.tag === 'markdown' && String(e.content).startsWith('活动时间'))!.content).not.toContain('需修改');
  });

  it('takes an over-long paste whole, as the 申报 form does, so the answer can say how much to cut', () => {
    const c = reviseCard({ themeId: 't1', version: 1, unitName: '星沙街道', fields: ['title'], values: { title: 'x', month: '6', forms: ['forum'], intro: OLD }, months: [6] });
    const box = (name: string) => flat(c).find((e) => e.tag === 'input' && e.name === name)!.max_length;
    expect([box('title'), box('intro')]).toEqual([THEME_TITLE_INPUT_MAX, THEME_INTRO_INPUT_MAX]);
    expect(THEME_TITLE_INPUT_MAX).toBeGreaterThan(THEME_TITLE_MAX);
  });
});

describe('versions and diffs', () => {
  it('explains the v1/v2 tags on the review card', () => {
    const c = reviewCard({
      campaignTitle: '2023',
      filter: { status: 'pending', kind: 'all', month: 0, form: 'all' },
      counts: { pending: 1, approved: 0, returned: 0, rejected: 0, total: 1 },
      unit: { id: 'u1', name: '星沙街道', kindLabel: '街道', contact: '王', index: 0, count: 1 },
      themes: [{ id: 't1', seq: 1, title: '政策面对面', month: 6, forms: ['forum'], intro: NEW, status: 'pending', version: 2, diff: { fromVersion: 1, changes: [{ field: 'intro', label: '活动简介', before: OLD, after: NEW }] } }],
      page: 0,
      pages: 1,
    });
    expect(validateCard(c)).toEqual({ ok: true });
    expect(JSON.stringify(c)).toContain(VERSION_NOTE);
    expect(VERSION_NOTE).toContain('版本号加 1');
  });

  it('marks the changed characters of 简介 instead of repeating both texts', () => {
    const c = resubmittedCard({ unitName: '星沙街道', title: '政策面对面', version: 2, changes: [{ field: 'intro', label: '活动简介', before: OLD, after: NEW }], byName: '王', at: '2023-04-11 09:00', unitId: 'u1' });
    expect(validateCard(c)).toEqual({ ok: true });
    const md = (c.body as { elements: CardElement[] }).elements.map((e) => String((e as { content?: string }).content ?? '')).join('\n');
    expect(md).toContain("<font color='green'>**服务**</font>");
    expect(md).not.toContain(OLD);
    expect(md).not.toContain(NEW);
    expect(markedDiff('今天开会', '明天开会')).toBe("<font color='red'>~~今~~</font><font color='green'>**明**</font>天开会");
    // Long unchanged stretches keep only their ends.
    expect(markedDiff(`${'甲'.repeat(40)}A`, `${'甲'.repeat(40)}B`)).toBe(`…${'甲'.repeat(12)}<font color='red'>~~A~~</font><font color='green'>**B**</font>`);
  });
});
