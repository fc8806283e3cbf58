// `npm run cli -- reminders preview|log --year 2023` against a real database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, PROVIDERS_UNDER_TEST, type TestDatabase } from '../support/db.ts';
import { runCli } from '../../src/cli/run.ts';
import type { CliIo } from '../../src/cli/io.ts';
import { FakeClock } from '../../src/ports/clock.ts';
import { atShanghai } from '../../src/domain/time.ts';
import { runReminders } from '../../src/usecases/reminders/run.ts';
import { makeServices, seedCounty } from './support.ts';

function io(db: TestDatabase): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (t) => out.push(...t.split('\n')),
    stderr: (t) => err.push(...t.split('\n')),
    now: () => new Date('2026-11-28T06:00:00Z'),
    openDb: async () => db,
  };
}

describe.each(PROVIDERS_UNDER_TEST)('reminders CLI (%s)', (provider) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(provider);
    await seedCounty(db.client);
  });
  afterAll(async () => {
    await db?.destroy();
  });

  it('previews the 2023 deadline reminders from the campaign and the calendar, sending nothing', async () => {
    // Counted before and after: another test of this suite (in any order) may have run reminders already.
    const before = { outbox: await db.client.outboxMessage.count(), log: await db.client.reminderLog.count() };
    const cli = io(db);
    expect(await runCli(['reminders', 'preview', '--year', '2023'], cli)).toBe(0);
    expect(cli.out).toEqual(['2023-03-28 deadline-7', '2023-04-03 deadline-3', '2023-04-06 deadline-1', '2023-04-07 deadline-0']);
    expect(await db.client.outboxMessage.count()).toBe(before.outbox);
    expect(await db.client.reminderLog.count()).toBe(before.log);
  });

  it('includes per-unit extended deadlines and follows the campaign settings', async () => {
    const unit = await db.client.unit.findUniqueOrThrow({ where: { name: '黄兴镇' } });
    await db.client.submission.updateMany({ where: { unitId: unit.id }, data: { deadlineOverride: '2023-04-14' } });
    await db.client.campaign.update({ where: { year: 2023 }, data: { settings: JSON.stringify({ reminderOffsets: [5, 0] }) } });
    const cli = io(db);
    expect(await runCli(['reminders', 'preview', '--year', '2023'], cli)).toBe(0);
    expect(cli.out).toEqual(['2023-03-30 deadline-5', '2023-04-07 deadline-0', '2023-04-07 deadline-5 黄兴镇', '2023-04-14 deadline-0 黄兴镇']);
    await db.client.campaign.update({ where: { year: 2023 }, data: { settings: '{}' } });
    await db.client.submission.updateMany({ where: { unitId: unit.id }, data: { deadlineOverride: null } });
  });

  it('prints the reminder log with channel, status and delivery result', async () => {
    const clock = new FakeClock('2023-03-28T01:45:00Z');
    const services = makeServices(db.client, clock, db.url);
    await runReminders(services, atShanghai('2023-03-28', '09:45'));
    await db.client.outboxMessage.updateMany({ where: { target: 'oc_xingsha' }, data: { status: 'sent' } });
    const cli = io(db);
    expect(await runCli(['reminders', 'log', '--year', '2023'], cli)).toBe(0);
    expect(cli.out).toHaveLength(5);
    expect(cli.out).toContain('2023-03-27\t协调人\tdigest\t每周进度\t协调人\tskipped\t-\tmissed: server down');
    expect(cli.out).toContain('2023-03-28\t星沙街道\tdeadline-7\t截止前7个工作日提醒\t群内@\tsent\t已送达');
    expect(cli.out).toContain('2023-03-28\t县财政局\tdeadline-7\t截止前7个工作日提醒\t单聊\tsent\t待发送');
  });

  it('marks dates in a year without holiday data as provisional (暂定), and drops the mark once the year is entered', async () => {
    const cli = io(db);
    expect(await runCli(['reminders', 'preview', '--year', '2027'], cli)).toBe(0);
    // No 2027 campaign: the plan's 04-07 deadline, counted Monday–Friday.
    expect(cli.out).toEqual(['2027-03-29 deadline-7 暂定', '2027-04-02 deadline-3 暂定', '2027-04-06 deadline-1 暂定', '2027-04-07 deadline-0 暂定']);
    const warning = cli.err.join('\n');
    expect(warning).toContain('2027 年也没有设置工作日');
    expect(warning).toContain('holidays import');
    expect(warning).toContain('节假日安排');
    await db.client.calendarOverride.create({ data: { date: '2027-04-05', isWorkday: false, note: '清明', createdBy: 'ou_coord' } });
    const after = io(db);
    expect(await runCli(['reminders', 'preview', '--year', '2027'], after)).toBe(0);
    expect(after.out).toEqual(['2027-03-26 deadline-7', '2027-04-01 deadline-3', '2027-04-06 deadline-1', '2027-04-07 deadline-0']);
    expect(after.err.join('\n')).not.toContain('暂定');
    await db.client.calendarOverride.deleteMany({});
  });

  it('refuses bad arguments with the usage line', async () => {
    const cli = io(db);
    expect(await runCli(['reminders', 'preview'], cli)).toBe(2);
    expect(cli.err.join('\n')).toContain('--year');
    expect(await runCli(['reminders', 'log', '--year', '1999'], io(db))).toBe(2);
    const none = io(db);
    expect(await runCli(['reminders', 'log', '--year', '2030'], none)).toBe(1);
  });
});
