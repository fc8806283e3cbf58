// Two app instances on one PostgreSQL behind a round-robin load balancer, through a whole
// fan-out: launch (message + card click, landing on either instance), the notices delivered by
// both workers, and the next morning's reminders ticked on both instances at once. Every notice
// and every reminder exists exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmptyDatabase, postgresAvailable, type TestDatabaseUrl } from '../support/db.ts';
import { seedDirectory, startBalancer, startFeishu, startInstance, until, type Feishu } from '../support/service.ts';
import { deliveriesByUuid, FAN_OUT_START, launchCampaignFanOut } from '../support/fan-out.ts';
import { FakeClock } from '../../src/ports/clock.ts';
import type { App } from '../../src/app/create-app.ts';

describe.skipIf(!postgresAvailable)('two instances on one PostgreSQL', () => {
  let database: TestDatabaseUrl;
  let feishu: Feishu;
  let balancer: { url: string; close(): Promise<void> };
  const apps: App[] = [];

  beforeAll(async () => {
    database = await createEmptyDatabase('postgresql');
    feishu = await startFeishu();
  });
  afterAll(async () => {
    for (const a of apps) await a.stop();
    await balancer?.close();
    await feishu?.close();
    await database?.drop();
  });

  it('a whole fan-out: each notice and each reminder once, work shared by both', async () => {
    const clock = new FakeClock(FAN_OUT_START);
    // Small claims, so neither worker takes the whole fan-out in one round.
    const a = await startInstance(database.url, feishu, { clock, batchSize: 4 });
    const b = await startInstance(database.url, feishu, { clock, batchSize: 4 });
    apps.push(a, b);
    await seedDirectory(database.url, clock.now());
    balancer = await startBalancer(() => [a.url, b.url]);
    feishu.emulator.setBotUrl(balancer.url);
    feishu.emulator.faults.route('/open-apis/im/v1/messages', { latencyMs: 30 }, 'POST');
    const db = a.db;
    // Webhook events are acknowledged into the inbox and processed right after: idle means both are empty.
    const idle = () =>
      until(
        async () => (await db.inboxEvent.count({ where: { status: { in: ['pending', 'processing'] } } })) === 0 && (await db.outboxMessage.count({ where: { status: { in: ['pending', 'sending'] } } })) === 0,
        60_000,
        'inbox and outbox idle',
      );

    const chats = await launchCampaignFanOut({ emulator: feishu.emulator, db, settle: idle });
    b.worker.kick();
    await idle();
    const notices = deliveriesByUuid(feishu.emulator, chats);
    expect(notices.size).toBe(chats.length);
    for (const [uuid, n] of notices) expect(n, uuid).toBe(1);
    // Both instances took part (the worker counts what it sent).
    const sentBy = async (app: App) => Number(/themeday_outbox_sends_total\{result="ok"\} (\d+)/.exec(await app.metrics.text())?.[1] ?? 0);
    const [sentA, sentB] = [await sentBy(a), await sentBy(b)];
    expect(sentA + sentB).toBe(await db.outboxMessage.count({ where: { status: 'sent' } }));
    expect(sentA).toBeGreaterThan(0);
    expect(sentB).toBeGreaterThan(0);
    // The launch message and the click went through the balancer: one event each, handled once.
    expect(await db.processedEvent.count({ where: { NOT: { eventId: { startsWith: 'tok:' } } } })).toBe(2); // tok:<token> rows are the callback-token dedupe

    // The day before the deadline, both schedulers tick at the same minute.
    clock.set('2023-04-06T01:31:00Z');
    const before = new Set(chats.flatMap((c) => feishu.emulator.messages(c).map((m) => m.messageId)));
    await Promise.all([a.scheduler.tickOnce(clock.now()), b.scheduler.tickOnce(clock.now())]);
    a.worker.kick();
    b.worker.kick();
    await idle();
    const reminders = await db.reminderLog.findMany({ where: { date: '2023-04-06', status: 'sent' } });
    expect(reminders.length).toBeGreaterThan(0);
    expect(new Set(reminders.map((r) => r.key)).size).toBe(reminders.length);
    const all = deliveriesByUuid(feishu.emulator, chats);
    for (const [uuid, n] of all) expect(n, uuid).toBe(1);
    const newMessages = chats.flatMap((c) => feishu.emulator.messages(c).filter((m) => !before.has(m.messageId)));
    const groupReminders = reminders.filter((r) => r.channel === 'group').length;
    expect(newMessages.length).toBe(groupReminders);
    expect(await db.outboxMessage.count({ where: { status: { in: ['failed', 'dead'] } } })).toBe(0);
  }, 180_000);
});
