// Every reminder card builder passes the emulator's Card JSON 2.0 validator, also at county scale,
// and user text cannot inject mentions or markdown.
import { describe, expect, it } from 'vitest';
import { validateCard } from '../../src/emulator/card-schema.ts';
import { calendarOverridesCard, deadlineReminderCard, holidayWarningCard, leaderEscalationCard, monthReminderCard, reminderLogCard } from '../../cards/reminder.ts';
import { overdueCard, weeklyDigestCard } from '../../cards/digest.ts';
import { nudgeDoneCard, nudgePreviewCard } from '../../cards/nudge.ts';
import { PLAN_DEFAULTS } from '../../src/domain/campaign.ts';
import type { CardJson } from '../../cards/kit.ts';

const evil = '<at id=all></at> **粗体** [链接](http://x) ou_evil';
const names = Array.from({ length: 80 }, (_, i) => `第${i + 1}单位${i === 3 ? evil : ''}`);

/** The content of every markdown element (where `<at>` and markdown would be parsed). */
function markdownOf(card: CardJson): string {
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (o.tag === 'markdown' && typeof o.content === 'string') out.push(o.content);
      Object.values(o).forEach(walk);
    }
  };
  walk(card);
  return out.join('\n');
}

function ok(card: CardJson): void {
  expect(markdownOf(card)).not.toContain('<at id=all>');
  expect(markdownOf(card)).not.toContain('**粗体**');
  expect(validateCard(card)).toEqual({ ok: true });
  expect(Buffer.byteLength(JSON.stringify(card))).toBeLessThan(30 * 1024);
}

describe('reminder cards', () => {
  it('deadline reminder, leader escalation, month reminders, holiday warning', () => {
    const reminder = deadlineReminderCard({
      campaignTitle: '长沙县2023年“政务公开主题日”活动',
      unitName: evil,
      deadlineText: '2023年4月7日',
      leftText: '今天截止',
      mentionOpenIds: ['ou_a1', 'ou_b2', 'not-an-open-id'],
      openAction: { a: 'sub.open', s: 'sub1' },
      contactLine: '如有疑问请联系县政务公开办 李成英 0731-84872387',
      urgent: true,
    });
    ok(reminder);
    const text = markdownOf(reminder);
    expect(text).toContain('<at id=ou_a1></at>');
    expect(text).not.toContain('not-an-open-id');
    // The form's name as the plan writes it: 《长沙县 2023 年“政务公开主题日”活动主题申报表》.
    expect(text).toContain('《长沙县2023年“政务公开主题日”活动主题申报表》');
    ok(leaderEscalationCard({ campaignTitle: 't', unitName: evil, deadlineText: 'd', leftText: 'l', remindersSent: 3, liaisonNames: ['张三', evil], leaderOpenId: 'ou_l' }));
    for (const kind of ['month-start', 'month-end', 'summary-due'] as const) {
      ok(
        monthReminderCard({
          kind,
          unitName: evil,
          month: 4,
          mentionOpenIds: ['ou_a1'],
          themes: Array.from({ length: 8 }, (_, i) => ({ themeId: `t${i}`, title: `${evil}主题${i}`, monthText: '4月', summaryButton: true })),
          requirements: PLAN_DEFAULTS.requirements,
          dueText: '活动月结束后第 3 个工作日',
        }),
      );
    }
    ok(holidayWarningCard(2027, 2026));
  });

  it('digest, overdue list and nudge preview at county scale (80 units)', () => {
    ok(weeklyDigestCard({ campaignTitle: 't', campaignId: 'c', dateText: '2023年3月27日', deadlineText: '2023年4月7日', leftText: '还剩 9 个工作日', submitted: 0, pending: 80, total: 80, missingUnits: names }));
    ok(overdueCard({ campaignTitle: 't', campaignId: 'c', deadlineText: '2023年4月7日', missing: names.map((n) => ({ name: n, liaisons: '张三、李四' })) }));
    const preview = nudgePreviewCard({
      campaignTitle: 't',
      previewId: '0123456789abcdef',
      urgent: true,
      targets: names.map((n, i) => ({ unitName: n, liaisons: '张三、李四', channel: '群内@ + 加急', ...(i % 10 === 0 ? { lastNudge: '2023-04-06 15:00' } : {}) })),
      notes: [`未找到单位“${evil}”，请检查名称`],
      cooldownHours: 24,
    });
    ok(preview);
    ok(nudgePreviewCard({ campaignTitle: 't', previewId: '0123456789abcdef', urgent: false, targets: [], notes: [], cooldownHours: 24 }));
    const done = nudgeDoneCard('t', 2023, names, ['县财政局（已提交）'], true, '李成英');
    ok(done);
    // the year in the suggested command: plain 提醒记录 reads the year being collected, perhaps the next
    expect(JSON.stringify(done)).toContain('发送“提醒记录 2023”查看投递结果');
  });

  it('a repeat nudge names a few recently nudged units, and counts many (each time is in the table)', () => {
    const preview = (recentCount: number, total = 39) =>
      JSON.stringify(
        nudgePreviewCard({
          campaignTitle: 't',
          previewId: '0123456789abcdef',
          urgent: false,
          targets: names.slice(0, total).map((n, i) => ({ unitName: n, liaisons: '张三', channel: '群内@', ...(i < recentCount ? { lastNudge: '2026-12-06 14:30' } : {}) })),
          notes: [],
          cooldownHours: 24,
        }),
      );
    const few = preview(2);
    // (the markdown escapes the dates' hyphens)
    expect(few).toContain('第1单位（上次 2026&#45;12&#45;06 14:30）、第2单位（上次 2026&#45;12&#45;06 14:30）在 24 小时内已催办过');
    expect(few).toContain('第1单位、第2单位在 24 小时内已催办过，确定再次催办吗？');
    const all = preview(39);
    expect(all).toContain('以上 **39** 个单位（上次催办时间见表）在 24 小时内已催办过，确认后将再次催办。');
    expect(all).toContain('其中 39 个单位在 24 小时内已催办过，确定再次催办吗？');
    expect(all).not.toContain('（上次 ');
    expect(preview(12)).toContain('其中 **12** 个单位（上次催办时间见表）');
  });

  it('the reminder log says how to see more in the chat, not on the command line', () => {
    const rows = (n: number) => Array.from({ length: n }, () => ({ date: '2023-04-07', unit: '星沙街道', kind: '截止当天提醒', channel: '群内@', status: '已发送', result: '已送达' }));
    expect(JSON.stringify(reminderLogCard('t', rows(20), 39))).toContain('发送“提醒记录 39”查看全部。');
    expect(JSON.stringify(reminderLogCard('t', rows(20), 500))).toContain('发送“提醒记录 100”查看最近 100 条。');
    expect(JSON.stringify(reminderLogCard('t', rows(20), 20))).not.toContain('发送“提醒记录');
    expect(JSON.stringify(reminderLogCard('t', rows(20), 500))).not.toContain('npm run');
    expect(JSON.stringify(holidayWarningCard(2027, 2026))).not.toContain('chinese-days');
  });

  it('reminder log and calendar overrides with 100 rows', () => {
    const rows = Array.from({ length: 100 }, (_, i) => ({ date: '2023-04-07', unit: names[i % names.length]!, kind: '截止当天提醒', channel: '群内@', status: '已发送', result: '已送达' }));
    ok(reminderLogCard('t', rows, 500));
    ok(reminderLogCard('t', [], 0));
    ok(
      calendarOverridesCard(
        2027,
        Array.from({ length: 100 }, (_, i) => ({ date: `2027-01-${String((i % 28) + 1).padStart(2, '0')}`, kind: '休息', note: evil, by: 'ou_c' })),
        '说明',
      ),
    );
    ok(calendarOverridesCard(undefined, [], '内置节假日数据到 2026 年。'));
  });
});
