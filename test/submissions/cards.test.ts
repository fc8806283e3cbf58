// Every card the submissions feature builds passes the emulator's Card JSON 2.0 validation
// (standard components only, ≤200 components, forms at the root, no table in a form, ≤5 levels).
import { describe, expect, it } from 'vitest';
import { validateCard } from '../../src/emulator/card-schema.ts';
import { EMPTY_RAW_THEME, FIELD, MAX_THEMES_PER_UNIT, type SubmissionDraft } from '../../src/domain/submission.ts';
import { summarizeProgress } from '../../src/domain/submission-progress.ts';
import { buildClosedFormCard, buildSubmissionFormCard, buildSubmittedCard } from '../../cards/submission-form.ts';
import { buildLaunchCard, buildLaunchedCard } from '../../cards/submission-launch.ts';
import { buildNoticeCard } from '../../cards/notice.ts';
import { buildReceiptCard } from '../../cards/receipt.ts';
import { buildProgressCard } from '../../cards/progress.ts';
import { buildHelpCard } from '../../cards/help.ts';
import { buildGroupBindCard, buildGroupBoundCard } from '../../cards/group.ts';
import { markdown } from '../../cards/kit.ts';

const nasty = '<at id=all></at> **粗** [链接](http://x) =1+1';
const intro = '介'.repeat(500);
const theme = (i: number) => ({ themeId: `t${i}`, title: `${nasty}${i}`.slice(0, 40), month: 1 + (i % 12), forms: ['survey', 'observe', 'forum', 'policy', 'questionnaire'] as const, intro });

function draft(n: number, withErrors = false): SubmissionDraft {
  return {
    contactName: nasty,
    contactPhone: '13812345678',
    themes: Array.from({ length: n }, (_, i) => ({ ...theme(i), forms: [...theme(i).forms] })),
    editing: n > 0 ? 0 : null,
    current: n > 0 ? { title: nasty, month: '5', forms: ['policy'], intro } : { ...EMPTY_RAW_THEME },
    errors: withErrors
      ? {
          [FIELD.title]: '请填写活动主题',
          [FIELD.month]: '请选择活动时间（月份）',
          [FIELD.forms]: '请至少选择一种活动形式',
          [FIELD.intro]: '活动简介不能超过 500 个字',
          [FIELD.contactName]: '请填写联系人姓名',
          [FIELD.contactPhone]: '联系电话格式不正确',
          themes: '请至少填写一个活动主题',
        }
      : {},
  };
}

function expectValid(card: unknown): void {
  const r = validateCard(card);
  expect(r).toEqual({ ok: true });
  expect(Buffer.byteLength(JSON.stringify(card))).toBeLessThan(30 * 1024);
  // user text in markdown is escaped (plain_text and input values are never parsed)
  for (const md of markdownContents(card)) expect(md).not.toMatch(/<at |\*\*粗\*\*|\]\(http/);
}

function markdownContents(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(markdownContents);
  if (!node || typeof node !== 'object') return [];
  const n = node as Record<string, unknown>;
  const own = n.tag === 'markdown' && typeof n.content === 'string' ? [n.content] : [];
  return [...own, ...Object.values(n).flatMap(markdownContents)];
}

describe('submission cards are valid Card JSON 2.0', () => {
  const formBase = { submissionId: 's1', baseVersion: 2, unitName: '星沙街道', campaignTitle: '长沙县2023年“政务公开主题日”活动', year: 2023, deadlineText: '2023年4月7日（星期五）', firstAllowedMonth: 4 };
  it.each([0, 1, 3, MAX_THEMES_PER_UNIT])('form with %i saved themes, errors and a conflict', (n) => {
    expectValid(
      buildSubmissionFormCard({
        ...formBase,
        draft: draft(n, true),
        banner: nasty,
        conflict: { version: 3, byName: nasty, atText: '2023-04-01 10:00', themes: [theme(1), theme(2)].map((t) => ({ ...t, forms: [...t.forms] })), decided: [{ title: nasty, statusLabel: '已通过' }] },
      }),
    );
    expectValid(buildSubmissionFormCard({ ...formBase, draft: draft(n) }));
  });
  it('the theme being edited has no 编辑 button on its row (its fields are open below), the others do', () => {
    const card = buildSubmissionFormCard({ ...formBase, draft: draft(3) });
    const names = JSON.stringify(card).match(/"name":"btn_(edit|del)_\d+"/g);
    expect(names).toEqual(['"name":"btn_del_0"', '"name":"btn_edit_1"', '"name":"btn_del_1"', '"name":"btn_edit_2"', '"name":"btn_del_2"']);
    expect(JSON.stringify(card)).toContain('正在修改第 1 个主题');
  });
  it('取消修改 is offered while a theme is being edited, and only then', () => {
    const buttonNames = (c: unknown) => JSON.stringify(c).match(/"name":"btn_(save|cancel|submit)"/g);
    expect(buttonNames(buildSubmissionFormCard({ ...formBase, draft: draft(3) }))).toEqual(['"name":"btn_save"', '"name":"btn_cancel"', '"name":"btn_submit"']);
    expect(JSON.stringify(buildSubmissionFormCard({ ...formBase, draft: draft(3) }))).toContain('取消修改');
    expect(buttonNames(buildSubmissionFormCard({ ...formBase, draft: { ...draft(3), editing: null } }))).toEqual(['"name":"btn_save"', '"name":"btn_submit"']);
  });

  it('a receipt says until when it can be changed, the weekday in the one pair of brackets', () => {
    const receipt = (status: 'submitted' | 'withdrawn') =>
      JSON.stringify(
        buildReceiptCard({
          submissionId: 's1',
          unitName: '星沙街道',
          campaignTitle: 'x',
          version: 1,
          status,
          atText: '2023-04-01 10:00',
          byName: '周晓燕',
          contactName: '周晓燕',
          contactPhoneMasked: '138****5678',
          themes: [],
          late: false,
          editableUntilText: '2023年4月7日（星期五）',
          editable: true,
          displayVersion: 1,
        }),
      );
    expect(receipt('submitted')).toContain('截至2023年4月7日（星期五）可修改或撤回。');
    expect(receipt('withdrawn')).toContain('截至2023年4月7日（星期五）可重新填写提交。');
    expect(receipt('submitted')).not.toContain('）（');
    // 撤回 says what it takes with it (approved themes leave the plan; a resubmission is reviewed again).
    expect(receipt('submitted')).toContain('已审核通过的主题一并撤回，不列入计划安排表');
  });

  it('submitted, closed, launch, notice, receipt, progress, help, group cards', () => {
    const themes = [theme(1), theme(2), theme(3)].map((t) => ({ ...t, forms: [...t.forms] }));
    expectValid(buildSubmittedCard({ unitName: '星沙街道', version: 2, atText: '2023-04-01 10:00', themes, late: true }));
    expectValid(buildClosedFormCard('这张申报表已失效', [nasty], { text: '重新打开', value: { a: 'sub.open', s: 's1' } }));
    const values = { title: nasty, noticeDate: '2023-03-23', deadline: '2023-04-07', contactName: '李成英', contactPhone: '0731-84872387', contactEmail: 'x@y.cn' };
    expectValid(buildLaunchCard({ year: 2023, values, unitCount: 40, boundCount: 38 }));
    expectValid(
      buildLaunchCard({
        year: 2023,
        values: { ...values, noticeDate: '', deadline: 'bad' },
        errors: { launch_title: '请填写活动名称', launch_deadline: '请选择申报截止日期', launch_contact_email: '邮箱格式不正确' },
        unitCount: 40,
        boundCount: 38,
      }),
    );
    expectValid(buildLaunchedCard({ title: nasty, deadlineText: '2023年4月7日', unitCount: 40, noticed: 38, unbound: [nasty, '县统计局'] }));
    const notice = {
      campaignTitle: '长沙县2023年“政务公开主题日”活动',
      year: 2023,
      deadlineText: '2023年4月7日（星期五）',
      noticeDateText: '2023年3月23日',
      contactName: '李成英',
      contactPhone: '0731-84872387',
      contactEmail: 'CSX84872387@163.com',
    };
    expectValid(buildNoticeCard(notice));
    expectValid(buildNoticeCard({ ...notice, unit: { id: 'u1', name: '星沙街道', submissionId: 's1', liaisonNames: [nasty] }, extraLine: nasty }));
    expectValid(buildNoticeCard({ ...notice, unit: { id: 'u1', name: '星沙街道', submissionId: 's1', liaisonNames: [] } }));
    for (const status of ['submitted', 'withdrawn'] as const) {
      for (const editable of [true, false]) {
        expectValid(
          buildReceiptCard({
            submissionId: 's1',
            unitName: '星沙街道',
            campaignTitle: 'x',
            version: 3,
            status,
            atText: '2023-04-01 10:00',
            byName: nasty,
            contactName: nasty,
            contactPhoneMasked: '138****5678',
            themes: status === 'submitted' ? themes : [],
            late: true,
            editableUntilText: '2023年4月7日',
            editable,
            displayVersion: 2,
          }),
        );
      }
    }
    const rows = Array.from({ length: 60 }, (_, i) => ({
      unitId: `u${i}`,
      unitName: `${nasty}${i}`,
      kind: ['town', 'street', 'department'][i % 3]!,
      sortOrder: i,
      status: i % 4 === 0 ? 'pending' : i % 7 === 0 ? 'withdrawn' : 'submitted',
      late: i % 5 === 0,
      submittedAt: null,
      deadlineOverride: i % 9 === 0 ? '2023-04-14' : null,
      reopenedUntil: i % 11 === 0 ? '2023-04-12' : null,
      themes: [{ month: 1 + (i % 12), forms: ['policy'] }],
    }));
    const snap = summarizeProgress({ id: 'c1', year: 2023, title: nasty, status: 'collecting', deadline: '2023-04-07' }, rows);
    expectValid(buildProgressCard(snap, { updatedAtText: '2023-04-01 10:00', deadlineText: '2023年4月7日', extraSections: [markdown('**提醒记录**')] }));
    expectValid(buildHelpCard({ intro: `没看懂“${nasty}”`, coordinator: [{ name: '进度', summary: nasty, example: '@主题日助手 进度' }], liaison: [{ name: '我是联系人', summary: 's', example: 'e' }] }));
    expectValid(buildHelpCard({ liaison: [{ name: '我是联系人', summary: 's', example: 'e' }] }));
    expectValid(buildHelpCard({ intro: nasty, compact: true, coordinator: [{ name: nasty, summary: 's', example: 'e' }], liaison: [{ name: '我是联系人', summary: 's', example: 'e' }] }));
    const units = Array.from({ length: 60 }, (_, i) => ({ id: `u${i}`, name: `单位${i}` }));
    expectValid(buildGroupBindCard({ chatId: 'oc_1', chatName: nasty, units, guessedUnitId: 'u3' }));
    expectValid(buildGroupBindCard({ chatId: 'oc_1', chatName: nasty, units, error: '请先选择单位' }));
    expectValid(buildGroupBoundCard({ chatName: nasty, unitName: '星沙街道', byName: nasty }));
    expectValid(buildGroupBoundCard({ chatName: nasty, unitName: null, byName: nasty }));
  });
});
