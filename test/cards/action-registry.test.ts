// Typed card actions (cards/actions.ts): every definition is registered on the bot, every card
// every builder produces carries only registered values that parse (checked per card in
// county-scale.test.ts), and cards posted before the renaming still work.
import { describe, expect, it } from 'vitest';
import { actionDefFor, definedActions, reviewActions, submissionActions } from '../../cards/actions.ts';
import { buildNoticeCard } from '../../cards/notice.ts';
import { actionProblems, callbackValues, productionBot } from '../support/card-actions.ts';

describe('card action registry', () => {
  it('registers every defined action on the production bot, under its own name', () => {
    const bot = productionBot();
    const missing = definedActions()
      .filter((d) => bot.actionFor(d.name) !== d)
      .map((d) => d.name);
    expect(missing).toEqual([]);
    expect(definedActions().length).toBeGreaterThan(40);
  });

  it('names actions <feature>.<verb> with readable value keys', () => {
    for (const d of definedActions()) expect(d.name, d.name).toMatch(/^(submission|liaison|group|review|schedule|reminder|calendar|summary|evaluation|history)\.[a-z_]+$/);
  });

  it('a builder value round-trips through its definition', () => {
    const value = reviewActions.decide.value({ unitId: 'u1', page: 2, status: 'pending', kind: 'all', month: 0, form: 'all', themeId: 't1', version: 3, decision: 'return', index: 1 });
    expect(value.a).toBe('review.decide');
    expect(reviewActions.decide.parse(value)).toEqual({ ok: true, value: expect.objectContaining({ unitId: 'u1', page: 2, themeId: 't1', version: 3, decision: 'return', index: 1, dir: 'stay' }) });
  });

  it('accepts cards posted before the renaming: old action names and short keys', () => {
    const bot = productionBot();
    // A 申报 notice and a review card as the bot sent them before (sub.open {s}, review.decide {t,v,d,i,u,p,fs…}).
    expect(bot.actionFor('sub.open')).toBe(submissionActions.open);
    expect(submissionActions.open.parse({ a: 'sub.open', s: 'cm123' })).toEqual({ ok: true, value: { submissionId: 'cm123' } });
    expect(actionDefFor('grp.bind')?.parse({ a: 'grp.bind', chat: 'oc_1', coord: 1 })).toEqual({ ok: true, value: { chatId: 'oc_1', asCoordinator: true } });
    expect(actionDefFor('reminders.nudge_confirm')?.name).toBe('reminder.nudge_confirm');
    const old = reviewActions.decide.parse({ a: 'review.decide', u: 'u1', p: 0, fs: 'pending', fk: 'all', fm: 0, ff: 'all', c: 'c1', t: 't1', v: 2, d: 'approve', i: 0 });
    expect(old).toEqual({ ok: true, value: expect.objectContaining({ unitId: 'u1', status: 'pending', campaignId: 'c1', themeId: 't1', version: 2, decision: 'approve' }) });
    for (const legacy of ['sub.launch', 'sub.progress', 'sub.export', 'sub.edit', 'sub.form', 'sub.withdraw', 'sub.bind_liaison', 'grp.bind', 'reminders.nudge_preview', 'reminders.nudge_confirm']) {
      expect(bot.actionFor(legacy), legacy).toBeDefined();
    }
  });

  it('refuses values that do not parse, and unknown names', () => {
    expect(submissionActions.open.parse({ a: 'submission.open' }).ok).toBe(false);
    expect(reviewActions.decide.parse({ a: 'review.decide', themeId: 't1', version: 1, decision: 'maybe' }).ok).toBe(false);
    expect(productionBot().actionFor('sub.nothing')).toBeUndefined();
  });

  it('finds the callback values of a real card', () => {
    const card = buildNoticeCard({
      campaignTitle: '2023年政务公开主题日',
      year: 2023,
      noticeDateText: '2023年3月23日',
      deadlineText: '2023年4月7日',
      contactName: '张三',
      contactPhone: '0731-84872387',
      contactEmail: 'a@b.cn',
      unit: { id: 'u1', name: '星沙街道', submissionId: 's1', liaisonNames: [] },
    });
    const values = callbackValues(card);
    expect(values.map((v) => v.a)).toContain('submission.open');
    expect(actionProblems(card)).toEqual([]);
  });
});
