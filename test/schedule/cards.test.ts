// Every review and schedule card builder's output passes the emulator's Card JSON 2.0 validator
// (component count, form rules, unique names, tables, nesting) and stays under 30 KB, including
// worst cases (long texts, hostile user text, a county's worth of rows).
import { describe, expect, it } from 'vitest';
import { validateCard } from '../../src/emulator/card-schema.ts';
import type { CardJson } from '../../cards/kit.ts';
import { decisionNoticeCard, historyCard, resubmittedCard, reviewCard, reviseCard, revisedConfirmCard, THEMES_PER_PAGE, type ReviewThemeVm } from '../../cards/review.ts';
import { moveAnsweredCard, moveConfirmCard, moveNoticeCard, publishConfirmCard, publishedDoneCard, publishedScheduleCard, scheduleChangeNoticeCard, scheduleWorkCard } from '../../cards/schedule.ts';
import { balanceChecks, type ScheduleRow } from '../../src/domain/schedule.ts';
import { DEFAULT_REVIEW_FILTER } from '../../src/domain/review.ts';
import { applicationState } from '../../src/usecases/schedule/publish.ts';
import { atShanghai } from '../../src/domain/time.ts';

const HOSTILE = '<at id=all></at>**粗体**[链接](http://evil.cn)<font color=red>红</font>';

/** Markdown contents (the only place user text could be parsed); plain_text shows it inert. */
function markdownContents(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => markdownContents(n, out));
  else if (node && typeof node === 'object') {
    const rec = node as Record<string, unknown>;
    if ((rec.tag === 'markdown' || rec.tag === 'lark_md') && typeof rec.content === 'string') out.push(rec.content);
    Object.values(rec).forEach((v) => markdownContents(v, out));
  }
  return out;
}

function ok(card: CardJson): void {
  const r = validateCard(card);
  if (!r.ok) throw new Error(r.message);
  expect(Buffer.byteLength(JSON.stringify(card))).toBeLessThan(30 * 1024);
  for (const md of markdownContents(card)) {
    expect(md).not.toContain('<at id=all>');
    expect(md).not.toContain('<font color=red>');
    expect(md).not.toMatch(/[^\\]\[链接\]/);
  }
}

function rows(count: number): ScheduleRow[] {
  return Array.from({ length: count }, (_, i) => ({
    themeId: `t${i}`,
    unitId: `u${i % 60}`,
    unitName: `县城市管理和综合执法局${i % 60}`,
    unitKind: ['street', 'town', 'department'][i % 3]!,
    unitOrder: i % 60,
    seq: 1 + Math.floor(i / 60),
    title: i === 0 ? HOSTILE : `关于${'优化营商环境政策解读'.repeat(3)}`.slice(0, 40),
    month: 1 + (i % 12),
    forms: ['survey', 'forum', 'policy'],
    contactName: '欧阳琳琳',
    contactPhone: '0731-84872387-801',
  }));
}

const theme = (i: number): ReviewThemeVm => ({
  id: `theme_${i}`,
  seq: i + 1,
  title: i === 0 ? HOSTILE : '长'.repeat(40),
  month: 5,
  forms: ['survey', 'observe', 'forum', 'policy', 'questionnaire'],
  intro: '简'.repeat(500),
  status: 'pending',
  version: 3,
  reason: HOSTILE,
  fields: ['title', 'intro'],
  diff: {
    fromVersion: 2,
    changes: [
      { field: 'title', label: '活动主题', before: HOSTILE, after: '新'.repeat(40) },
      { field: 'intro', label: '活动简介', before: '旧'.repeat(500), after: '新'.repeat(500) },
    ],
  },
  lastDecision: { label: '退回修改', by: '李成英', at: '2023-04-10 10:00' },
  draft: { reason: HOSTILE, fields: ['month'] },
  error: '退回修改须填写原因',
});

describe('review cards', () => {
  it('a full page of themes with diffs, drafts and errors', () => {
    const vm = {
      campaignTitle: '长沙县2023年“政务公开主题日”活动',
      filter: DEFAULT_REVIEW_FILTER,
      counts: { pending: 40, approved: 0, returned: 0, rejected: 0, total: 40 },
      unit: { id: 'u1', name: HOSTILE, kindLabel: '镇', contact: '张三 13812345678', submittedAt: '2023-04-03 15:00', index: 3, count: 40 },
      themes: Array.from({ length: THEMES_PER_PAGE }, (_, i) => theme(i)),
      page: 0,
      pages: 2,
    };
    ok(reviewCard(vm));
    ok(reviewCard({ ...vm, unit: undefined, themes: [] }));
    // Near-duplicates: a title differing only in boilerplate says so instead of "相似度 100%".
    const similar = [
      { unitName: '湘龙街道', title: '民生实事政策发布会', similarity: 1 },
      { unitName: '泉塘街道', title: '民生实事办理座谈', similarity: 0.72 },
    ];
    const near = JSON.stringify(reviewCard({ ...vm, themes: [{ ...theme(1), title: '民生实事座谈会', similar }] }));
    expect(near).toContain('湘龙街道「民生实事政策发布会」（主题词相同）');
    expect(near).toContain('泉塘街道「民生实事办理座谈」（相似度 72%）');
    expect(near).not.toContain('相似度 100%');
  });

  it('history, notices and the revision form', () => {
    ok(
      historyCard({
        unitName: HOSTILE,
        theme: { title: HOSTILE, status: 'approved', version: 3 },
        entries: Array.from({ length: 40 }, (_, i) => ({ at: '2023-04-10 10:00', who: '李成英', what: i % 2 ? '退回修改（v1）' : '通过（v2）', detail: HOSTILE })),
        versions: Array.from({ length: 12 }, (_, i) => ({ version: i + 1, at: '2023-04-10 10:00', who: '周晓燕', title: '长'.repeat(40), month: 5, forms: ['forum'], intro: '简'.repeat(500) })),
        back: { a: 'review.page', u: 'u1', p: 0 },
      }),
    );
    for (const decision of ['approve', 'return', 'reject']) {
      ok(
        decisionNoticeCard({
          unitName: '星沙街道',
          liaisonOpenIds: ['ou_a', 'ou_b', 'not-an-id'],
          themeId: 't1',
          title: HOSTILE,
          seq: 1,
          version: 1,
          decision,
          reason: HOSTILE,
          fields: ['title', 'month'],
          reviewerName: '李成英',
          at: '2023-04-10 10:00',
        }),
      );
    }
    ok(
      reviseCard({
        themeId: 't1',
        version: 1,
        unitName: '星沙街道',
        reason: HOSTILE,
        fields: ['title', 'month', 'forms', 'intro'],
        values: { title: HOSTILE, month: '5', forms: ['forum'], intro: '简'.repeat(500) },
        errors: { title: HOSTILE, month: 'x', forms: 'y', intro: 'z' },
        months: [4, 5, 6, 7, 8, 9, 10, 11, 12],
      }),
    );
    ok(reviseCard({ themeId: 't1', version: 1, unitName: '星沙街道', fields: [], values: { title: '', month: '3', forms: [], intro: '' }, months: [] }));
    ok(resubmittedCard({ unitName: '星沙街道', title: HOSTILE, version: 2, changes: theme(0).diff!.changes, byName: '周晓燕', at: '2023-04-11 09:00', unitId: 'u1' }));
    const again = resubmittedCard({ unitName: '星沙街道', title: '新主题', version: 2, changes: [], byName: '周晓燕', at: '2023-04-11 09:00', unitId: 'u1', was: 'rejected', reason: HOSTILE });
    ok(again);
    expect(JSON.stringify(again)).toContain('不采纳的主题已修改并重新提交');
    expect(JSON.stringify(again)).toContain('原不采纳理由：');
    expect(JSON.stringify(again)).not.toContain(HOSTILE);
    ok(revisedConfirmCard({ unitName: '星沙街道', title: HOSTILE, version: 2, changes: [] }));
  });
});

describe('schedule cards', () => {
  it('stay valid and under 30 KB for a county-sized schedule (contacts dropped when needed)', () => {
    for (const count of [0, 1, 36, 120, 200]) {
      const r = rows(count);
      const w = balanceChecks(r, { maxPerMonth: 6, fromMonth: 5 });
      ok(
        publishedScheduleCard({
          title: '计划安排表',
          version: 2,
          publishedAt: '2023-04-20 10:00',
          rows: r,
          unit: { id: 'u1', name: '星沙街道' },
          changes: [{ kind: 'moved', themeId: 't1', unitId: 'u1', unitName: HOSTILE, title: HOSTILE, fromMonth: 5, toMonth: 6 }],
          calendarNote: HOSTILE,
        }),
      );
      ok(publishedScheduleCard({ title: '计划安排表', version: 1, publishedAt: '2023-04-20 10:00', rows: r }));
      ok(
        scheduleWorkCard({
          title: '计划安排表',
          campaignStatus: 'reviewing',
          rows: r,
          warnings: w,
          published: { version: 1, at: '2023-04-20 10:00', pendingChanges: 3 },
          pendingMoves: [{ themeId: 't1', unitName: HOSTILE, title: HOSTILE, from: 5, to: 6 }],
          moveMode: 'confirm',
          moveDraft: { themeId: 't1', month: '6', error: HOSTILE },
        }),
      );
      ok(publishConfirmCard({ title: '计划安排表', count, unitCount: 3, warnings: w, pendingMoves: 2, nextVersion: 2, changes: 0, affectedUnits: 0 }));
      ok(publishConfirmCard({ title: '计划安排表', count, unitCount: 3, warnings: w, pendingMoves: 0, nextVersion: 1, changes: 0, affectedUnits: 0, notReviewed: { pending: count, returned: 0 } }));
    }
  });

  it('masks phones in every schedule card, the coordinator view included (full numbers only in the Excel sent privately)', () => {
    const r = rows(3);
    const group = JSON.stringify(publishedScheduleCard({ title: 't', version: 1, publishedAt: 'x', rows: r, unit: { id: 'u1', name: '甲' } }));
    expect(group).toContain('0731&#45;&#42;&#42;&#42;&#42;2387&#45;801');
    expect(group).not.toContain('84872387');
    expect(group).toContain('★ ');
    expect(JSON.stringify(publishedScheduleCard({ title: 't', version: 1, publishedAt: 'x', rows: r }))).not.toContain('84872387');
  });

  it('change notices, moves, answers', () => {
    ok(
      scheduleChangeNoticeCard({
        title: '计划安排表',
        version: 2,
        publishedAt: 'x',
        unit: { id: 'u1', name: HOSTILE },
        liaisonOpenIds: ['ou_a'],
        changes: [
          { kind: 'added', themeId: 't', unitId: 'u1', unitName: 'x', title: HOSTILE, toMonth: 5 },
          { kind: 'changed', themeId: 't', unitId: 'u1', unitName: 'x', title: 'y', fields: ['title', 'contact'] },
        ],
        ownRows: rows(3),
      }),
    );
    ok(
      scheduleChangeNoticeCard({
        title: '计划安排表',
        version: 2,
        publishedAt: 'x',
        unit: { id: 'u1', name: 'x' },
        liaisonOpenIds: [],
        changes: [{ kind: 'removed', themeId: 't', unitId: 'u1', unitName: 'x', title: 'y', fromMonth: 5 }],
        ownRows: [],
      }),
    );
    const mv = { themeId: 't1', unitName: HOSTILE, title: HOSTILE, from: 5, to: 9, liaisonOpenIds: ['ou_a'], by: '李成英', at: 'x' };
    ok(moveConfirmCard(mv));
    for (const outcome of ['moved', 'accepted', 'declined'] as const) ok(moveNoticeCard({ ...mv, outcome, forCoordinator: outcome !== 'moved' }));
    ok(moveAnsweredCard({ accepted: true, title: HOSTILE, from: 5, to: 9 }));
    ok(moveAnsweredCard({ accepted: false, title: HOSTILE, from: 5, to: 9 }));
    ok(publishedDoneCard({ title: '计划安排表', version: 1, count: 36, notifiedUnits: 45, at: 'x' }));
  });
});

describe('the coordinator’s numbered schedule', () => {
  it('numbers rows across the months as “N、”, so no row turns into a Markdown list item (CommonMark starts a list only at “1.” after text)', () => {
    const card = scheduleWorkCard({ title: '计划安排表', campaignStatus: 'reviewing', rows: rows(12), warnings: [], pendingMoves: [], moveMode: 'confirm' });
    const lines = markdownContents(card).flatMap((c) => c.split('\n'));
    const numbered = lines.filter((l) => /^\d+、/.test(l)).map((l) => Number(/^(\d+)、/.exec(l)![1]));
    expect(numbered).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(lines.some((l) => /^\d+\.\s/.test(l))).toBe(false);
  });
});

describe('a unit with nothing in the plan while 申报 is open to it', () => {
  const campaign = { status: 'reviewing', deadline: '2023-04-07' };
  const now = atShanghai('2023-04-03', '10:00');
  const submitted = (...statuses: string[]) => ({ status: 'submitted', deadlineOverride: null, reopenedUntil: null, themes: statuses.map((reviewStatus) => ({ reviewStatus })) });
  it('is told it may apply, that its themes are in review, or (all 不采纳) that it may revise and submit again', () => {
    expect(applicationState(campaign, undefined, '2023-04-03', now)).toEqual({ state: 'not_submitted', until: '2023年4月7日' });
    expect(applicationState(campaign, submitted('rejected', 'pending'), '2023-04-03', now)).toEqual({ state: 'in_review', until: '2023年4月7日' });
    expect(applicationState(campaign, submitted('rejected', 'rejected'), '2023-04-03', now)).toEqual({ state: 'not_adopted', until: '2023年4月7日' });
    // 申报 closed for it: nothing to offer.
    expect(applicationState({ status: 'scheduled', deadline: '2023-04-07' }, submitted('rejected'), '2023-04-10', atShanghai('2023-04-10', '10:00'))).toBeUndefined();
    const card = JSON.stringify(publishedScheduleCard({ title: 't', version: 1, publishedAt: 'x', rows: [], unit: { id: 'u1', name: '甲' }, application: { state: 'not_adopted', until: '2023年4月7日' } }));
    expect(card).toContain('申报的主题未被采纳，本版计划暂无本单位的活动。申报开放至 2023年4月7日');
    expect(card).not.toContain('本年度暂无列入计划的活动');
  });
});
