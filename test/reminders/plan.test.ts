// Pure tests of reminder planning: dates, kinds, spread, applicability, grace and the ladder.
import { describe, expect, it } from 'vitest';
import { campaignSettingsSchema } from '../../src/domain/campaign.ts';
import {
  deadlineChannels,
  deadlineSlots,
  digestDates,
  dueState,
  fireInstant,
  monthEndDate,
  monthStartDate,
  overdueDate,
  planCampaign,
  spreadOffsetMinutes,
  summaryDueDate,
  workdaysLeftText,
  type PlanInput,
} from '../../src/domain/reminders.ts';
import { atShanghai, shanghaiDateTime } from '../../src/domain/time.ts';
import { WorkCalendar } from '../../src/domain/workdays.ts';

const cal = new WorkCalendar();
const settings = campaignSettingsSchema.parse({});

describe('deadline reminder dates', () => {
  it('2023: 7, 3, 1 working days before 4月7日 and the morning of it (清明 on 4月5日 skipped)', () => {
    expect(deadlineSlots('2023-04-07', [7, 3, 1, 0], cal).map((s) => `${s.date} ${s.kind}`)).toEqual(['2023-03-28 deadline-7', '2023-04-03 deadline-3', '2023-04-06 deadline-1', '2023-04-07 deadline-0']);
    expect(deadlineSlots('2023-04-07', [7, 3, 1, 0], cal).map((s) => s.isLast)).toEqual([false, false, false, true]);
  });

  it('moves the "morning of" reminder to the previous working day when the deadline is a holiday, collapsing duplicates', () => {
    expect(deadlineSlots('2023-10-01', [7, 3, 1, 0], cal).map((s) => `${s.date} ${s.kind}`)).toEqual(['2023-09-20 deadline-7', '2023-09-26 deadline-3', '2023-09-28 deadline-0']);
  });

  it('computes the overdue list day, digest days, month and summary days', () => {
    expect(overdueDate('2023-04-07', cal)).toBe('2023-04-10');
    expect(overdueDate('2023-09-28', cal)).toBe('2023-10-07');
    expect(digestDates('2023-03-23', '2023-04-07', cal)).toEqual(['2023-03-27', '2023-04-03']);
    expect(monthStartDate(2023, 5, cal)).toBe('2023-05-04');
    expect(monthEndDate(2023, 4, cal)).toBe('2023-04-23'); // the working Sunday
    expect(monthEndDate(2023, 9, cal)).toBe('2023-09-22'); // 9月23日 is a Saturday
    expect(summaryDueDate(2023, 4, 3, cal)).toBe('2023-05-06'); // the working Saturday
    expect(summaryDueDate(2023, 4, 10, cal)).toBe('2023-05-16');
    expect(summaryDueDate(2023, 5, 10, cal)).toBe('2023-06-14');
  });
});

describe('spread, instants and grace', () => {
  it('spreads units deterministically over the configured minutes', () => {
    const offsets = Array.from({ length: 60 }, (_, i) => spreadOffsetMinutes(`unit-${i}`, 10));
    expect(offsets.every((m) => m >= 0 && m < 10)).toBe(true);
    expect(new Set(offsets).size).toBeGreaterThan(5);
    expect(spreadOffsetMinutes('unit-1', 10)).toBe(spreadOffsetMinutes('unit-1', 10));
    expect(spreadOffsetMinutes('unit-1', 0)).toBe(0);
    const at = fireInstant('2023-03-28', settings, 'unit-1');
    expect(shanghaiDateTime(at)).toBe(`2023-03-28 09:3${spreadOffsetMinutes('unit-1', 10)}`);
    expect(shanghaiDateTime(fireInstant('2023-03-28', settings, null))).toBe('2023-03-28 09:40');
  });

  it('sends within the grace period on the same day, skips older ones', () => {
    const fire = atShanghai('2023-03-28', '09:30');
    expect(dueState(fire, atShanghai('2023-03-28', '09:29'), 4)).toBe('future');
    expect(dueState(fire, atShanghai('2023-03-28', '09:30'), 4)).toBe('send');
    expect(dueState(fire, atShanghai('2023-03-28', '10:00'), 4)).toBe('send');
    expect(dueState(fire, atShanghai('2023-03-28', '14:30'), 4)).toBe('missed');
    expect(dueState(fire, atShanghai('2023-03-29', '09:00'), 24)).toBe('missed'); // never the next day
    expect(dueState(fire, atShanghai('2023-03-28', '09:30'), 0)).toBe('send');
  });

  it('says how many working days are left', () => {
    expect(workdaysLeftText('2023-04-03', '2023-04-07', cal)).toBe('还剩 3 个工作日');
    expect(workdaysLeftText('2023-04-06', '2023-04-07', cal)).toBe('明天截止');
    expect(workdaysLeftText('2023-04-07', '2023-04-07', cal)).toBe('今天截止');
  });

  it('says the count is approximate over a year whose holidays are not known yet (weekdays only)', () => {
    // 2030: past the built-in holiday data; its 元旦 counts as a working day until it is imported or set
    expect(workdaysLeftText('2029-12-24', '2030-01-04', cal, 'coordinator')).toBe('还剩约 9 个工作日，2029、2030年节假日安排未收录');
    expect(workdaysLeftText('2030-03-25', '2030-04-05', cal, 'coordinator')).toBe('还剩约 9 个工作日，2030年节假日安排未收录');
    // A unit is told the count is approximate, not about the holiday data it cannot record.
    expect(workdaysLeftText('2030-03-25', '2030-04-05', cal)).toBe('还剩约 9 个工作日');
    // the coordinator's days for the year make it known
    const set = new WorkCalendar([{ date: '2030-01-01', isWorkday: false, note: '元旦' }]);
    expect(workdaysLeftText('2030-03-25', '2030-04-05', set)).toBe('还剩 9 个工作日');
  });
});

describe('escalation ladder', () => {
  it('group @, then direct messages, then 加急, then the 分管领导 and the coordinator after N misses', () => {
    expect(deadlineChannels(0, false, settings, true)).toEqual(['group']);
    expect(deadlineChannels(1, false, settings, true)).toEqual(['group', 'dm']);
    expect(deadlineChannels(2, false, settings, true)).toEqual(['group', 'urgent']);
    expect(deadlineChannels(3, true, settings, true)).toEqual(['group', 'urgent', 'leader', 'coordinator']);
    expect(deadlineChannels(0, true, settings, true)).toEqual(['group', 'urgent']); // last one is always urgent
    expect(deadlineChannels(0, true, { ...settings, urgentOnLastReminder: false }, true)).toEqual(['group']);
    expect(deadlineChannels(0, false, settings, false)).toEqual(['dm']); // no bound group
    expect(deadlineChannels(1, false, { ...settings, escalateToLeaderAfter: 1 }, true)).toEqual(['group', 'dm', 'leader', 'coordinator']);
    expect(deadlineChannels(5, false, { ...settings, escalationLadder: ['group', 'dm'] }, true)).toEqual(['group', 'dm']);
  });
});

describe('planCampaign', () => {
  const launchedAt = atShanghai('2023-03-23', '10:00');
  const base: PlanInput = {
    campaign: { id: 'c', year: 2023, status: 'collecting', deadline: '2023-04-07', launchedAt },
    settings,
    units: [
      { id: 'a', status: 'pending', deadlineOverride: null, owingSince: launchedAt },
      { id: 'b', status: 'submitted', deadlineOverride: null, owingSince: launchedAt },
      { id: 'c', status: 'pending', deadlineOverride: '2023-04-14', owingSince: atShanghai('2023-04-04', '16:00') },
      { id: 'd', status: 'withdrawn', deadlineOverride: null, owingSince: atShanghai('2023-04-04', '11:00') },
    ],
    themes: [],
  };

  it('plans only for units that still owe, from the moment they owe it, with per-unit deadlines', () => {
    const plan = planCampaign(base, cal);
    const lines = plan.filter((p) => p.unitId).map((p) => `${p.unitId} ${p.date} ${p.kind}`);
    expect(lines.filter((l) => l.startsWith('a '))).toEqual(['a 2023-03-28 deadline-7', 'a 2023-04-03 deadline-3', 'a 2023-04-06 deadline-1', 'a 2023-04-07 deadline-0']);
    expect(lines.filter((l) => l.startsWith('b '))).toEqual([]);
    // extended on 4月4日 to 4月14日: 7 working days before (4月3日) falls before the extension
    expect(lines.filter((l) => l.startsWith('c '))).toEqual(['c 2023-04-11 deadline-3', 'c 2023-04-13 deadline-1', 'c 2023-04-14 deadline-0']);
    expect(lines.filter((l) => l.startsWith('d '))).toEqual(['d 2023-04-06 deadline-1', 'd 2023-04-07 deadline-0']);
    const coord = plan.filter((p) => !p.unitId).map((p) => `${p.date} ${p.kind} ${(p.unitIds ?? []).join(',')}`);
    expect(coord).toEqual(['2023-03-27 digest ', '2023-04-03 digest ', '2023-04-10 overdue a,d', '2023-04-17 overdue c']);
  });

  it("planned for a span of dates: exactly the whole plan's reminders dated within it", () => {
    const withThemes = {
      ...base,
      campaign: { ...base.campaign, status: 'reviewing' },
      themes: [
        { id: 't1', unitId: 'b', month: 5, approvedAt: atShanghai('2023-04-12', '10:00'), summarySubmitted: false },
        { id: 't2', unitId: 'a', month: 6, approvedAt: atShanghai('2023-04-12', '10:00'), summarySubmitted: true },
      ],
    };
    for (const input of [base, withThemes]) {
      const full = planCampaign(input, cal);
      for (const [from, to] of [
        ['2023-03-28', '2023-03-28'],
        ['2023-04-01', '2023-04-10'],
        ['2023-03-01', '2023-12-31'],
        ['2023-05-01', '2023-06-30'],
      ] as const) {
        expect(planCampaign(input, cal, { from, to })).toEqual(full.filter((p) => p.date >= from && p.date <= to));
      }
    }
  });

  it('plans nothing before launch and no deadline reminders once collection is over', () => {
    expect(planCampaign({ ...base, campaign: { ...base.campaign, launchedAt: null } }, cal)).toEqual([]);
    const scheduled = planCampaign({ ...base, campaign: { ...base.campaign, status: 'scheduled' } }, cal);
    expect(scheduled).toEqual([]);
  });

  it('plans month and summary reminders for approved themes from their approval on', () => {
    const plan = planCampaign(
      {
        ...base,
        campaign: { ...base.campaign, status: 'scheduled' },
        themes: [
          { id: 't1', unitId: 'b', month: 4, approvedAt: atShanghai('2023-04-12', '10:00'), summarySubmitted: false },
          { id: 't2', unitId: 'b', month: 5, approvedAt: atShanghai('2023-04-12', '10:00'), summarySubmitted: false },
          { id: 't3', unitId: 'a', month: 5, approvedAt: atShanghai('2023-04-12', '10:00'), summarySubmitted: true },
        ],
      },
      cal,
    );
    expect(plan.map((p) => `${p.unitId} ${p.date} ${p.kind} ${(p.themeIds ?? []).join(',')}`)).toEqual(
      [
        'b 2023-04-23 month-end t1',
        'a 2023-05-04 month-start t3',
        'b 2023-05-04 month-start t2',
        'b 2023-05-06 summary-due-3 t1',
        'b 2023-05-16 summary-due-10 t1',
        'b 2023-05-24 month-end t2',
        'b 2023-06-05 summary-due-3 t2',
        'b 2023-06-14 summary-due-10 t2',
      ].sort((x, y) => x.split(' ')[1]!.localeCompare(y.split(' ')[1]!)),
    );
  });
});
