// Exactly-once across restarts and instances, downtime grace, and the missing-holiday-year warning.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, PROVIDERS_UNDER_TEST, type TestDatabase } from '../support/db.ts';
import { FakeClock } from '../../src/ports/clock.ts';
import { atShanghai } from '../../src/domain/time.ts';
import { createRemindersJob } from '../../src/handlers/reminders.ts';
import { runReminders } from '../../src/usecases/reminders/run.ts';
import { holidayCoverageCheck, holidayReadiness } from '../../src/usecases/reminders/calendar.ts';
import { logLines, makeServices, outbox, secondInstance, seedCounty, submit, type Seeded } from './support.ts';
import type { AppServices } from '../../src/app/bot.ts';

type Transaction = AppServices['db']['$transaction'];
type TransactionCall = (fn: Parameters<Transaction>[0], opts?: Parameters<Transaction>[1]) => Promise<unknown>;

/** The services with `db.$transaction` replaced by `wrap(the original)` (everything else as is). */
function wrapTransactions(services: AppServices, wrap: (original: TransactionCall) => TransactionCall): AppServices {
  const original = services.db.$transaction.bind(services.db) as TransactionCall;
  const wrapped = wrap(original);
  const db = new Proxy(services.db, {
    get: (target, prop, receiver) => (prop === '$transaction' ? wrapped : (Reflect.get(target, prop, receiver) as unknown)),
  });
  return { ...services, db } as AppServices;
}

const DEADLINE_7 = ['2023-03-28 星沙街道 deadline-7 group sent', '2023-03-28 县教育局 deadline-7 group sent', '2023-03-28 县财政局 deadline-7 dm sent', '2023-03-28 黄兴镇 deadline-7 group sent'].sort();

describe.each(PROVIDERS_UNDER_TEST)('reminder reliability (%s)', (provider) => {
  let db: TestDatabase;
  let services: AppServices;
  let seeded: Seeded;
  let names: Record<string, string>;
  const clock = new FakeClock('2023-03-28T00:00:00Z');

  beforeEach(async () => {
    db = await createTestDatabase(provider);
    services = makeServices(db.client, clock, db.url);
    seeded = await seedCounty(db.client);
    names = Object.fromEntries(Object.values(seeded.units).map((u) => [u.id, u.name]));
  });
  afterEach(async () => {
    await db?.destroy();
  });

  const sendsPerKey = async () => {
    const rows = await outbox(db.client);
    return rows.filter((o) => o.op === 'send').map((o) => o.key);
  };

  it('a crash in the middle of a fan-out, then a restart, sends every reminder exactly once', async () => {
    const at = atShanghai('2023-03-28', '09:45');
    const crashing = createRemindersJob({
      beforeItem: (_item, index) => {
        if (index === 2) throw new Error('injected crash after 2 units');
      },
    });
    await expect(crashing.run(services, at)).rejects.toThrow('injected crash');
    // item 0 is 3月27日's digest (before this test's first tick: recorded as missed), then one unit
    expect(await logLines(db.client, names)).toHaveLength(2);
    expect(await logLines(db.client, names, { date: '2023-03-27' })).toEqual(['2023-03-27 协调人 digest coordinator skipped (missed)']);
    expect(await sendsPerKey()).toHaveLength(1);

    // restart (onStart catch-up) and the next ticks
    const job = createRemindersJob();
    await job.onStart!(services, atShanghai('2023-03-28', '09:46'));
    await job.run(services, atShanghai('2023-03-28', '09:47'));
    expect(await logLines(db.client, names, { date: '2023-03-28' })).toEqual(DEADLINE_7);
    const keys = await sendsPerKey();
    expect(keys).toHaveLength(4);
    expect(new Set((await outbox(db.client)).map((o) => o.target)).size).toBe(4);
  });

  it('a failure inside the transaction leaves no claim and no message; it is retried, then left to the next tick', async () => {
    const xingsha = seeded.units.xingsha;
    let failures = 0;
    let failUpTo = 3; // the run's retries (3 attempts) are exhausted
    // Fail 星沙街道's transaction after it has claimed and enqueued (so it is rolled back).
    const flaky = wrapTransactions(
      services,
      (original) => (fn, opts) =>
        original(async (tx) => {
          const result = await (fn as (tx: unknown) => Promise<unknown>)(tx);
          if (failures < failUpTo && (await tx.reminderLog.count({ where: { unitId: xingsha.id } })) > 0) {
            failures++;
            throw new Error('injected failure before commit');
          }
          return result;
        }, opts),
    );
    const first = await runReminders(flaky, atShanghai('2023-03-28', '09:45'));
    expect(failures).toBe(3);
    expect(first.failed).toBe(1);
    expect(await logLines(db.client, names, { date: '2023-03-28' })).toEqual(DEADLINE_7.filter((l) => !l.includes('星沙街道')));
    expect((await outbox(db.client)).some((o) => o.target === 'oc_xingsha')).toBe(false);
    // next tick: one more transient failure, retried within the run, then sent once
    failUpTo = 4;
    const second = await runReminders(flaky, atShanghai('2023-03-28', '09:46'));
    expect(failures).toBe(4);
    expect(second).toMatchObject({ sent: 1, failed: 0 });
    await runReminders(services, atShanghai('2023-03-28', '09:47'));
    expect(await logLines(db.client, names, { date: '2023-03-28' })).toEqual(DEADLINE_7);
    expect(await sendsPerKey()).toHaveLength(4);
  });

  // On PostgreSQL the two instances really race (Promise.all, separate connection pools). SQLite's
  // driver is synchronous: two "instances" in one process would block each other's event loop while
  // one waits for the other's write lock, so there they take turns on every tick (in production
  // they are separate processes and the busy timeout applies).
  it('two scheduler instances on one database send each reminder once', async () => {
    const other = await secondInstance(db.url, clock);
    const both = async (runs: (() => Promise<unknown>)[]) => {
      if (provider === 'postgresql') await Promise.all(runs.map((r) => r()));
      else for (const r of runs) await r();
    };
    try {
      // deadline-1 on 4月6日 (the third reminder: group + 加急), after two earlier ones
      for (const [date, time] of [
        ['2023-03-28', '09:45'],
        ['2023-04-03', '09:45'],
      ] as const) {
        await both([() => runReminders(services, atShanghai(date, time)), () => runReminders(other.services, atShanghai(date, time))]);
      }
      await both(['09:30', '09:33', '09:36', '09:39', '09:41', '09:45'].flatMap((t) => [() => runReminders(services, atShanghai('2023-04-06', t)), () => runReminders(other.services, atShanghai('2023-04-06', t))]));
      const lines = await logLines(db.client, names);
      expect(new Set(lines).size).toBe(lines.length);
      expect(lines.filter((l) => l.startsWith('2023-04-06'))).toEqual(
        [
          '2023-04-06 星沙街道 deadline-1 group sent',
          '2023-04-06 星沙街道 deadline-1 urgent sent',
          '2023-04-06 县教育局 deadline-1 group sent',
          '2023-04-06 县教育局 deadline-1 urgent sent',
          '2023-04-06 县财政局 deadline-1 dm sent',
          '2023-04-06 县财政局 deadline-1 urgent sent',
          '2023-04-06 黄兴镇 deadline-1 group sent',
          '2023-04-06 黄兴镇 deadline-1 urgent sent',
        ].sort(),
      );
      const rows = await outbox(db.client);
      // one message per chat per reminder, one 加急 per reminder
      const perTarget = new Map<string, number>();
      for (const o of rows.filter((r) => r.key.includes(':2023-04-06'))) perTarget.set(`${o.op} ${o.target}`, (perTarget.get(`${o.op} ${o.target}`) ?? 0) + 1);
      expect([...perTarget.values()].every((n) => n === 1)).toBe(true);
      expect(rows.filter((r) => r.op === 'urgent' && r.key.includes(':2023-04-06'))).toHaveLength(4);
      // the digest on 4月3日 went to the coordinator once
      expect(rows.filter((r) => r.key.includes(':digest:2023-04-03'))).toHaveLength(1);
    } finally {
      await other.close();
    }
  });

  it('downtime: missed by 30 minutes is sent, by 5 hours is skipped and recorded, never sent at night', async () => {
    const job = createRemindersJob();
    // Server down from before 09:30 until 10:10 on 3月28日: the start-up catch-up sends.
    await job.onStart!(services, atShanghai('2023-03-28', '10:10'));
    expect(await logLines(db.client, names, { date: '2023-03-28' })).toEqual(DEADLINE_7);
    // Down again from 4月3日 early morning until 14:45: too late, recorded as missed.
    await job.onStart!(services, atShanghai('2023-04-03', '14:45'));
    expect(await logLines(db.client, names, { date: '2023-04-03' })).toEqual(
      [
        '2023-04-03 协调人 digest coordinator skipped (missed)',
        '2023-04-03 星沙街道 deadline-3 group skipped (missed)',
        '2023-04-03 县教育局 deadline-3 group skipped (missed)',
        '2023-04-03 县财政局 deadline-3 group skipped (missed)',
        '2023-04-03 黄兴镇 deadline-3 group skipped (missed)',
      ].sort(),
    );
    const detail = await db.client.reminderLog.findFirst({ where: { date: '2023-04-03' } });
    expect(detail?.detail).toBe('missed: server down');
    // Up at 23:00 on 4月5日 after being down since 4月4日: nothing new is due, nothing sent at night.
    const before = (await outbox(db.client)).length;
    await job.onStart!(services, atShanghai('2023-04-05', '23:00'));
    expect((await outbox(db.client)).length).toBe(before);
    // The missed ones did not count as reminders: 4月6日's is the second for the ladder (group + dm).
    await job.run(services, atShanghai('2023-04-06', '09:45'));
    expect(await logLines(db.client, names, { date: '2023-04-06' })).toContain('2023-04-06 星沙街道 deadline-1 dm sent');
  });

  it('delivers several units at once on PostgreSQL and one at a time on SQLite, each reminder in its own transaction', async () => {
    let open = 0;
    let most = 0;
    let transactions = 0;
    const counting = wrapTransactions(services, (original) => async (fn, opts) => {
      open++;
      transactions++;
      most = Math.max(most, open);
      try {
        return await original(fn, opts);
      } finally {
        open--;
      }
    });
    // 3月27日's digest (missed) and four units' deadline-7
    const r = await runReminders(counting, atShanghai('2023-03-28', '09:45'));
    expect(r).toMatchObject({ sent: 4, skipped: 1, failed: 0 });
    expect(transactions).toBe(5);
    expect(most).toBe(provider === 'postgresql' ? 4 : 1);
    expect(await logLines(db.client, names, { date: '2023-03-28' })).toEqual(DEADLINE_7);
    expect(await sendsPerKey()).toHaveLength(4);
  });

  it('a unit that submits just before reminder time gets nothing', async () => {
    await submit(db.client, seeded.units.xingsha, atShanghai('2023-03-28', '09:29'));
    for (let m = 30; m <= 41; m++) await runReminders(services, atShanghai('2023-03-28', `09:${m}`));
    const lines = await logLines(db.client, names, { date: '2023-03-28' });
    expect(lines).toHaveLength(3);
    expect(lines.some((l) => l.includes('星沙街道'))).toBe(false);
    expect((await outbox(db.client)).some((o) => o.target === 'oc_xingsha')).toBe(false);
  });

  it('falls back to direct messages when the bot has left the unit group', async () => {
    await db.client.groupChat.update({ where: { chatId: 'oc_jiaoyu' }, data: { status: 'left' } });
    await runReminders(services, atShanghai('2023-03-28', '09:45'));
    expect(await logLines(db.client, names, { date: '2023-03-28' })).toContain('2023-03-28 县教育局 deadline-7 dm sent');
    const rows = await outbox(db.client);
    expect(rows.some((o) => o.target === 'oc_jiaoyu')).toBe(false);
    expect(rows.some((o) => o.target === 'ou_jy1' && o.op === 'send')).toBe(true);
  });

  it('caps automatic reminders per unit per week and logs the capped ones as skipped', async () => {
    await db.client.campaign.update({ where: { id: seeded.campaignId }, data: { settings: JSON.stringify({ maxRemindersPerUnitPerWeek: 2 }) } });
    for (const date of ['2023-04-03', '2023-04-06', '2023-04-07']) await runReminders(services, atShanghai(date, '09:45'));
    const xs = (await logLines(db.client, names)).filter((l) => l.includes('星沙街道') && !/ (dm|urgent|leader|coordinator) /.test(l));
    // 3月28日's was before this test's first tick: recorded as missed
    expect(xs).toEqual(['2023-03-28 星沙街道 deadline-7 group skipped (missed)', '2023-04-03 星沙街道 deadline-3 group sent', '2023-04-06 星沙街道 deadline-1 group sent', '2023-04-07 星沙街道 deadline-0 group skipped (capped)']);
  });
});

describe.each(PROVIDERS_UNDER_TEST)('a year missing from the holiday data (%s)', (provider) => {
  let db: TestDatabase;
  let services: AppServices;
  let seeded: Seeded;
  const clock = new FakeClock('2027-03-24T00:00:00Z');

  beforeEach(async () => {
    db = await createTestDatabase(provider);
    services = makeServices(db.client, clock, db.url);
    seeded = await seedCounty(db.client, { year: 2027, deadline: '2027-04-07', launchedAt: atShanghai('2027-03-23', '10:00') });
  });
  afterEach(async () => {
    await db?.destroy();
  });

  it('warns the coordinator once, reports it on /readyz, and uses the overrides once entered', async () => {
    const now = atShanghai('2027-03-24', '09:00');
    expect(await holidayCoverageCheck(services, now)).toMatchObject({ name: 'holidays', ok: false });
    await Promise.all([runReminders(services, now), runReminders(services, now)]);
    await runReminders(services, atShanghai('2027-03-24', '09:01'));
    const warnings = (await outbox(db.client)).filter((o) => o.key.startsWith('holiday-warning:2027'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ op: 'send', target: 'oc_office' });
    expect(JSON.stringify(warnings[0]!.card)).toContain('设置工作日 2027-01-01 休息 元旦');
    // What is missing and how to fix it: paste the State Council notice after 节假日安排.
    expect(JSON.stringify(warnings[0]!.card)).toContain('关于2027年部分节假日安排的通知');
    expect(JSON.stringify(warnings[0]!.card)).toContain('`节假日安排`');
    expect(await db.client.keyValue.findUnique({ where: { key: 'holiday-warning:2027' } })).not.toBeNull();

    // The coordinator enters 清明 2027 (Monday 4月5日): deadline-7 moves from 3月29日 to 3月26日, deadline-3 from 4月2日 to 4月1日.
    await db.client.calendarOverride.createMany({
      data: [
        { date: '2027-04-05', isWorkday: false, note: '清明', createdBy: 'ou_coord' },
        { date: '2027-01-01', isWorkday: false, note: '元旦', createdBy: 'ou_coord' },
      ],
    });
    expect(await holidayCoverageCheck(services, now)).toMatchObject({ name: 'holidays', ok: true });
    for (const date of ['2027-03-26', '2027-03-29', '2027-03-30', '2027-03-31', '2027-04-01', '2027-04-02', '2027-04-05', '2027-04-06', '2027-04-07']) {
      await runReminders(services, atShanghai(date, '09:45'));
    }
    const lines = (await logLines(db.client, { [seeded.units.xingsha.id]: '星沙街道' })).filter((l) => l.includes('星沙街道') && l.endsWith('group sent'));
    expect(lines).toEqual(['2027-03-26 星沙街道 deadline-7 group sent', '2027-04-01 星沙街道 deadline-3 group sent', '2027-04-06 星沙街道 deadline-1 group sent', '2027-04-07 星沙街道 deadline-0 group sent']);
    expect((await outbox(db.client)).filter((o) => o.key.startsWith('holiday-warning:'))).toHaveLength(1);
  });
});

describe.each(PROVIDERS_UNDER_TEST)('next year missing in December (%s)', (provider) => {
  let db: TestDatabase;
  afterEach(async () => {
    await db?.destroy();
  });

  it('warns the coordinator in December about next year without failing readiness', async () => {
    db = await createTestDatabase(provider);
    const clock = new FakeClock(atShanghai('2026-12-01', '09:00'));
    const services = makeServices(db.client, clock, db.url);
    await seedCounty(db.client, { year: 2026, deadline: '2026-04-07', launchedAt: atShanghai('2026-03-23', '10:00'), status: 'scheduled' });
    const november = await holidayCoverageCheck(services, atShanghai('2026-11-28', '09:00'));
    expect(november).toMatchObject({ ok: true });
    expect(november.detail).not.toContain('2027');
    const check = await holidayReadiness(services).check();
    expect(check.ok).toBe(true);
    expect(check.detail).toContain('2027');
    expect(check.detail).toContain('节假日安排');
    expect(check.detail).toContain('holidays import');
    await runReminders(services, atShanghai('2026-12-01', '09:00'));
    await runReminders(services, atShanghai('2026-12-02', '09:00'));
    expect((await outbox(db.client)).filter((o) => o.key.startsWith('holiday-warning:2027'))).toHaveLength(1);
  });
});
