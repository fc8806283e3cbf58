// Publishing results with 1 judge and 1 of 59 activities summarised must not pass silently
// (issue 13 item 11): readiness warnings state the counts, on the card and in the confirm dialog.
import { describe, expect, it } from 'vitest';
import { MIN_JUDGES, resultsReadiness } from '../../src/domain/results-readiness.ts';
import { evaluationProgressCard } from '../../cards/evaluation.ts';
import { DEFAULT_CRITERIA } from '../../src/domain/evaluation.ts';
import { validateCard } from '../../src/emulator/card-schema.ts';

describe('results readiness', () => {
  it('warns with counts about judges, unfinished scoring and missing summaries', () => {
    expect(resultsReadiness({ judges: 1, judgesDone: 1, planned: 59, summarised: 1, unscored: 0 })).toEqual([
      `只有 1 位评委（建议至少 ${MIN_JUDGES} 位：评委不少于 ${MIN_JUDGES} 人时才去掉一个最高分和一个最低分）。`,
      '59 项入选活动中只有 1 项提交了总结，其余 58 项不参加评选。',
    ]);
    expect(resultsReadiness({ judges: 6, judgesDone: 4, planned: 10, summarised: 10, unscored: 2 })).toEqual(['2 位评委尚未评完（4/6 位已评完）。', '2 项已总结的活动还没有完整评分。']);
    expect(resultsReadiness({ judges: 5, judgesDone: 5, planned: 10, summarised: 10, unscored: 0 })).toEqual([]);
  });

  it('shows the warnings above the confirmation and in its dialog', () => {
    const readiness = resultsReadiness({ judges: 1, judgesDone: 1, planned: 59, summarised: 1, unscored: 0 });
    const c = evaluationProgressCard({
      year: 2023,
      statusLabel: '评分中',
      criteria: DEFAULT_CRITERIA.map((x) => ({ ...x })),
      judges: [{ name: '张评委', unitName: '', scored: 1, eligible: 1 }],
      ranking: [{ themeId: 't1', rankLabel: '1', unitName: '星沙街道', title: '政策面对面', final: 88, judges: 1, trimmed: false }],
      defaultWinners: ['t1'],
      winners: [],
      canConfirm: true,
      readiness,
    });
    expect(validateCard(c)).toEqual({ ok: true });
    const text = JSON.stringify(c);
    expect(text).toContain('公布前请注意');
    expect(text).toContain('59 项入选活动中只有 1 项提交了总结');
    expect(text).toContain('评选尚未齐备，仍要公布？');
    expect(text).toContain('只有 1 位评委');
  });
});
