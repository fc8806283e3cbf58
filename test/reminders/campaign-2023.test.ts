// The whole 2023 campaign on a simulated clock: the job runs minute by minute around reminder time
// every day from the notice (3月23日) to the end of June, with units submitting, themes approved and a
// summary arriving along the way. The reminder log must equal the expected calendar day by day:
// 清明 (4月5日) is a holiday, 4月23日 (a Sunday) and 5月6日 (a Saturday) were working days.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reminderActions } from '../../cards/actions.ts';
import { STORY } from '../support/kit.ts';
import { createTestDatabase, PROVIDERS_UNDER_TEST, type TestDatabase } from '../support/db.ts';
import { FakeClock } from '../../src/ports/clock.ts';
import { addDays, atShanghai, shanghaiTime } from '../../src/domain/time.ts';
import { spreadOffsetMinutes } from '../../src/domain/reminders.ts';
import { createRemindersJob } from '../../src/handlers/reminders.ts';
import { validateCard } from '../../src/emulator/card-schema.ts';
import { approvedTheme, cardText, logLines, makeServices, outbox, seedCounty, submit, type Seeded } from './support.ts';
import type { AppServices } from '../../src/app/bot.ts';

const EXPECTED: Record<string, string[]> = {
  '2023-03-27': ['2023-03-27 协调人 digest coordinator sent'],
  '2023-03-28': ['2023-03-28 星沙街道 deadline-7 group sent', '2023-03-28 黄兴镇 deadline-7 group sent', '2023-03-28 县财政局 deadline-7 dm sent', '2023-03-28 县教育局 deadline-7 group sent'],
  // 黄兴镇 submits on 3月30日
  '2023-04-03': [
    '2023-04-03 协调人 digest coordinator sent',
    '2023-04-03 星沙街道 deadline-3 group sent',
    '2023-04-03 星沙街道 deadline-3 dm sent',
    '2023-04-03 县财政局 deadline-3 dm sent',
    '2023-04-03 县教育局 deadline-3 group sent',
    '2023-04-03 县教育局 deadline-3 dm sent',
  ],
  // 县教育局 submits on 4月4日; 4月5日 (清明) nothing
  '2023-04-06': ['2023-04-06 星沙街道 deadline-1 group sent', '2023-04-06 星沙街道 deadline-1 urgent sent', '2023-04-06 县财政局 deadline-1 dm sent', '2023-04-06 县财政局 deadline-1 urgent sent'],
  '2023-04-07': [
    '2023-04-07 星沙街道 deadline-0 group sent',
    '2023-04-07 星沙街道 deadline-0 urgent sent',
    '2023-04-07 星沙街道 deadline-0 leader sent',
    '2023-04-07 星沙街道 deadline-0 coordinator sent',
    '2023-04-07 县财政局 deadline-0 dm sent',
    '2023-04-07 县财政局 deadline-0 urgent sent',
    '2023-04-07 县财政局 deadline-0 leader skipped (no leader)',
    '2023-04-07 县财政局 deadline-0 coordinator sent',
  ],
  '2023-04-10': ['2023-04-10 协调人 overdue coordinator sent'],
  // themes approved on 4月12日 (黄兴镇: April, 县教育局: May); 4月3日's month-start was before that
  '2023-04-23': ['2023-04-23 黄兴镇 month-end group sent'],
  '2023-05-04': ['2023-05-04 县教育局 month-start group sent'],
  '2023-05-06': ['2023-05-06 黄兴镇 summary-due-3 group sent'],
  // 黄兴镇's summary arrives on 5月10日: no summary-due-10 on 5月16日
  '2023-05-24': ['2023-05-24 县教育局 month-end group sent'],
  '2023-06-05': ['2023-06-05 县教育局 summary-due-3 group sent'],
  '2023-06-14': ['2023-06-14 县教育局 summary-due-10 group sent'],
};

// A sequential story: each test continues from the state the previous one left.
describe.each(PROVIDERS_UNDER_TEST)('2023 campaign on a simulated clock (%s)', STORY, (provider) => {
  let db: TestDatabase;
  let services: AppServices;
  let seeded: Seeded;
  let names: Record<string, string>;
  const clock = new FakeClock('2023-03-23T00:00:00Z');
  const job = createRemindersJob();

  beforeAll(async () => {
    db = await createTestDatabase(provider);
    services = makeServices(db.client, clock, db.url);
    seeded = await seedCounty(db.client);
    names = Object.fromEntries(Object.values(seeded.units).map((u) => [u.id, u.name]));
  });
  afterAll(async () => {
    await db?.destroy();
  });

  async function tick(at: Date): Promise<void> {
    clock.set(at);
    await job.run(services, at);
  }

  it('sends the expected reminders day by day, each at its unit’s spread minute', async () => {
    const { units } = seeded;
    const events: Record<string, () => Promise<void>> = {
      '2023-03-30': () => submit(db.client, units.huangxing, atShanghai('2023-03-30', '14:00')),
      '2023-04-04': () => submit(db.client, units.jiaoyu, atShanghai('2023-04-04', '15:00')),
      '2023-04-12': async () => {
        const at = atShanghai('2023-04-12', '10:00');
        await approvedTheme(db.client, units.huangxing, 4, '乡村振兴政策面对面', at);
        await approvedTheme(db.client, units.jiaoyu, 5, '教育惠民政策解读', at);
        await db.client.campaign.update({ where: { id: seeded.campaignId }, data: { status: 'scheduled' } });
      },
      '2023-05-10': async () => {
        const theme = await db.client.theme.findFirstOrThrow({ where: { submissionId: units.huangxing.submissionId } });
        await db.client.summary.create({ data: { themeId: theme.id, status: 'submitted', submittedAt: atShanghai('2023-05-10', '11:00') } });
      },
    };
    const mismatches: string[] = [];
    for (let day = '2023-03-23'; day <= '2023-06-30'; day = addDays(day, 1)) {
      await tick(atShanghai(day, '09:29'));
      expect(await logLines(db.client, names, { date: day }), `${day} before reminder time`).toEqual([]);
      // Minute by minute on reminder days; elsewhere one tick within the grace period would send
      // (and so reveal) anything unexpected.
      if (EXPECTED[day]) for (let m = 30; m <= 41; m++) await tick(atShanghai(day, `09:${m}`));
      else await tick(atShanghai(day, '09:45'));
      const got = await logLines(db.client, names, { date: day });
      const want = [...(EXPECTED[day] ?? [])].sort();
      if (JSON.stringify(got) !== JSON.stringify(want)) mismatches.push(`${day}\n  got  ${got.join('\n       ')}\n  want ${want.join('\n       ')}`);
      await events[day]?.();
    }
    expect(mismatches).toEqual([]);
    expect(await logLines(db.client, names)).toEqual(Object.values(EXPECTED).flat().sort());

    // Each unit's reminder was claimed at its own spread minute (ticks were one minute apart).
    const rows = await db.client.reminderLog.findMany({ where: { unitId: { not: null }, status: 'sent' } });
    for (const r of rows) {
      expect(shanghaiTime(r.createdAt), r.key).toBe(`09:${30 + spreadOffsetMinutes(r.unitId!, 10)}`);
    }
    expect(new Set(rows.map((r) => shanghaiTime(r.createdAt))).size).toBeGreaterThan(1);
  }, 240_000);

  it('queued @mentions, the form button, 加急 on the group message and the leader escalation', async () => {
    const { units } = seeded;
    const all = await outbox(db.client);
    for (const o of all) if (o.card) expect(validateCard(o.card), o.key).toEqual({ ok: true });

    const key = (u: string, kind: string, date: string) => `rem:${seeded.campaignId}:${u}:${kind}:${date}`;
    const group = all.find((o) => o.key === key(units.xingsha.id, 'deadline-0', '2023-04-07'))!;
    expect(group).toMatchObject({ op: 'send', target: 'oc_xingsha' });
    expect(cardText(group.card)).toContain('<at id=ou_xs1></at>');
    expect(cardText(group.card)).toContain('<at id=ou_xs2></at>');
    expect(cardText(group.card)).toContain(`"submissionId":"${units.xingsha.submissionId}"`);
    expect(cardText(group.card)).toContain('填写申报表');
    expect(all.find((o) => o.key === `${key(units.xingsha.id, 'deadline-0', '2023-04-07')}#urgent`)).toMatchObject({ op: 'urgent', messageOfKey: group.key, openIds: ['ou_xs1', 'ou_xs2'] });
    expect(all.find((o) => o.key === `${key(units.xingsha.id, 'deadline-0', '2023-04-07')}#leader`)).toMatchObject({ op: 'send', target: 'ou_xs_leader' });
    // the department without a group gets direct messages, and 加急 on the first of them
    const dm = all.filter((o) => o.key.startsWith(key(units.caizheng.id, 'deadline-1', '2023-04-06')));
    expect(dm.map((o) => [o.op, o.target])).toEqual([
      ['send', 'ou_cz1'],
      ['urgent', `key:${key(units.caizheng.id, 'deadline-1', '2023-04-06')}:dm:ou_cz1`],
    ]);
    // month reminder: the plan's requirements and the summary button
    const month = all.find((o) => o.key === key(units.jiaoyu.id, 'month-start', '2023-05-04'))!;
    expect(cardText(month.card)).toContain('LOGO');
    expect(cardText(month.card)).toContain('"a":"summary.open"');
    // nothing sent to a unit after it submitted
    const afterSubmit = all.filter((o) => o.target === 'oc_huangxing' && o.key.includes('deadline-'));
    expect(afterSubmit.map((o) => o.key)).toEqual([key(units.huangxing.id, 'deadline-7', '2023-03-28')]);
    // the overdue list names exactly the two missing units, with 一键催办
    const overdue = all.find((o) => o.key.includes(':overdue:2023-04-10'))!;
    expect(cardText(overdue.card)).toContain('星沙街道');
    expect(cardText(overdue.card)).toContain('县财政局');
    expect(cardText(overdue.card)).not.toContain('黄兴镇');
    expect(cardText(overdue.card)).toContain(reminderActions.nudgePreview.name);
  });
});
