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
    ok(nudgeDoneCard('t', names, ['县财政局（已提交）'], true, '李成英'));
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
