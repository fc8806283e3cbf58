// The stage machine's pure rules: stages derived from the stored status and the calendar, commands
// by stage, the unit's own window, and what closing 申报 states before it happens.
import { describe, expect, it } from 'vitest';
import { campaignStage, campaignYearOver, closePreviewLines, commandAllowed, previewCloseCollection, stageRefusal, stageStrip, unitCanSubmitNow, unitMaySubmit, unitWindowUntil } from '../../src/domain/campaign-stage.ts';
import { atShanghai } from '../../src/domain/time.ts';

describe('campaign stage', () => {
  const f = (status: string, today: string, months: number[] = [5, 9]) => campaignStage({ status, year: 2023, today, scheduledMonths: months });

  it('follows the calendar after publication: scheduled → holding → summarising', () => {
    expect(f('collecting', '2023-04-01')).toBe('collecting');
    expect(f('scheduled', '2023-04-20')).toBe('scheduled');
    expect(f('scheduled', '2023-05-01')).toBe('holding');
    expect(f('scheduled', '2023-09-30')).toBe('holding');
    expect(f('scheduled', '2023-10-01')).toBe('summarising');
    expect(f('scheduled', '2024-01-05')).toBe('summarising');
    expect(f('scheduled', '2023-06-01', [])).toBe('scheduled');
    expect(f('evaluating', '2023-12-01')).toBe('evaluating');
    expect(f('nonsense', '2023-12-01')).toBe('draft');
  });

  it('stays 申报中 until the deadline when the review started early, then 审核中', () => {
    const reviewing = (today: string) => campaignStage({ status: 'reviewing', year: 2023, today, deadline: '2023-04-07', scheduledMonths: [] });
    expect(reviewing('2023-03-30')).toBe('collecting');
    expect(reviewing('2023-04-07')).toBe('collecting');
    expect(reviewing('2023-04-08')).toBe('reviewing');
    // Without the deadline the stored status decides, as before.
    expect(f('reviewing', '2023-03-30')).toBe('reviewing');
  });

  it('marks the current stage on the strip; before a launch the strip starts with 未发起, marked', () => {
    expect(stageStrip('draft')).toBe('**【未发起】** → 申报中 → 审核中 → 计划已发布 → 活动举办中 → 活动总结 → 评选中 → 已结束');
    expect(stageStrip('holding')).toBe('申报中 → 审核中 → 计划已发布 → **【活动举办中】** → 活动总结 → 评选中 → 已结束');
    // published while 申报 stays open: the plan is out, and the strip says so
    expect(stageStrip('reviewing', true)).toBe('申报中 → 审核中 → **【计划已发布，申报仍开放】** → 活动举办中 → 活动总结 → 评选中 → 已结束');
  });

  it('allows each command in the stages where it makes sense, and explains a refusal', () => {
    expect(commandAllowed('submit', 'collecting')).toBe(true);
    expect(commandAllowed('submit', 'scheduled')).toBe(false);
    expect(commandAllowed('score', 'holding')).toBe(false);
    expect(stageRefusal('score', 'holding')).toContain('当前阶段为“活动举办中”，“评分”在评选中阶段使用');
    expect(stageRefusal('summary', 'holding')).toBeNull();
  });

  it('allows 审核 until evaluation opens (reopened units after publication), not in evaluation or after', () => {
    for (const stage of ['collecting', 'reviewing', 'scheduled', 'holding', 'summarising'] as const) expect(commandAllowed('review', stage), stage).toBe(true);
    for (const stage of ['draft', 'evaluating', 'closed'] as const) expect(commandAllowed('review', stage), stage).toBe(false);
    expect(stageRefusal('review', 'evaluating')).toBe('当前阶段为“评选中”，“审核”在申报中、审核中、计划已发布、活动举办中、活动总结阶段使用。下一步：评委“评分”；用“评选进度”查看排名，确认后发布结果。');
    // A liaison revising a returned theme is told the liaison's next step.
    expect(stageRefusal('review', 'evaluating', 'liaison')).toContain('下一步：评选进行中，结果由县政务公开办公布。');
  });

  it("keeps a unit's own window open after 申报 closes, and never a past one", () => {
    expect(unitWindowUntil({ deadlineOverride: '2023-04-14', reopenedUntil: '2023-04-12' }, '2023-04-10')).toBe('2023-04-14');
    expect(unitWindowUntil({ deadlineOverride: '2023-04-14', reopenedUntil: null }, '2023-04-15')).toBeNull();
    expect(unitMaySubmit('scheduled', { deadlineOverride: null, reopenedUntil: '2023-04-13' }, '2023-04-13')).toBe(true);
    expect(unitMaySubmit('scheduled', { deadlineOverride: null, reopenedUntil: null }, '2023-04-13')).toBe(false);
  });

  it('says whether a reminded unit could submit now: its window, and a month of the year left', () => {
    const campaign = { status: 'collecting', year: 2023, deadline: '2023-04-07' };
    const none = { deadlineOverride: null, reopenedUntil: null };
    expect(unitCanSubmitNow(campaign, none, atShanghai('2023-04-07', '23:59'))).toBe(true);
    expect(unitCanSubmitNow(campaign, none, atShanghai('2023-04-08', '00:00'))).toBe(false);
    expect(unitCanSubmitNow(campaign, { deadlineOverride: null, reopenedUntil: '2023-04-12' }, atShanghai('2023-04-10', '10:00'))).toBe(true);
    expect(unitCanSubmitNow({ ...campaign, status: 'scheduled' }, { deadlineOverride: null, reopenedUntil: '2023-12-29' }, atShanghai('2023-12-28', '10:00'))).toBe(true);
    // a window that reaches into the next year leads nowhere: every month of 2023 is past
    expect(unitCanSubmitNow({ ...campaign, status: 'scheduled' }, { deadlineOverride: null, reopenedUntil: '2024-01-03' }, atShanghai('2024-01-02', '10:00'))).toBe(false);
    expect(campaignYearOver(2023, '2023-12-31')).toBe(false);
    expect(campaignYearOver(2023, '2024-01-01')).toBe(true);
  });

  it('states who has not submitted, who keeps an extension and that closing is early', () => {
    const units = [
      { unitName: '甲', status: 'submitted', deadlineOverride: null, reopenedUntil: null },
      { unitName: '乙', status: 'pending', deadlineOverride: '2023-04-14', reopenedUntil: null },
      { unitName: '丙', status: 'withdrawn', deadlineOverride: null, reopenedUntil: null },
      { unitName: '丁', status: 'pending', deadlineOverride: null, reopenedUntil: null },
    ];
    const p = previewCloseCollection('2023-04-07', '2023-04-03', units);
    expect(p).toMatchObject({ beforeDeadline: true, closesFor: ['丙', '丁'], notSubmitted: 3, needsConfirmation: true });
    expect(closePreviewLines(p)).toEqual([
      '申报截止日 2023年4月7日 还没到：现在截止申报会提前关闭申报。',
      '2 个单位未提交，截止后将不能再提交（可再“重新开放”）：丙、丁',
      '乙（未提交）持有延期至 2023年4月14日，期限内仍可提交或修改，通过审核的主题在下次发布时作为变更加入。',
    ]);
    const after = previewCloseCollection('2023-04-07', '2023-04-10', units.slice(0, 1));
    expect(after).toMatchObject({ beforeDeadline: false, needsConfirmation: false });
    expect(closePreviewLines(after)).toEqual(['全部单位均已提交。']);
  });
});
