// Reminder job cost: an idle tick (nothing due: the every-minute cost) and a county-sized fan-out
// (200 pending units, each reminder claimed and enqueued in its own transaction), on SQLite and
// PostgreSQL. The outbox delivery itself is measured by outbox.bench.ts.
import { openDatabase } from '../src/adapters/db/database.ts';
import type { Provider } from '../src/adapters/db/schema/providers.ts';
import { atShanghai } from '../src/domain/time.ts';
import { FakeClock } from '../src/ports/clock.ts';
import { runReminders } from '../src/usecases/reminders/run.ts';
import { createEmptyDatabase } from '../test/support/db.ts';
import { makeServices } from '../test/reminders/support.ts';
import type { BenchResult } from './run.ts';
import { benchProviders, percentile } from './support.ts';
import { buildCampaign } from '../test/support/kit.ts';

const UNITS = 200;

async function one(provider: Provider): Promise<BenchResult[]> {
  const empty = await createEmptyDatabase(provider);
  const database = await openDatabase(empty.url);
  try {
    const db = database.client;
    const clock = new FakeClock(atShanghai('2023-03-28', '08:00'));
    const services = makeServices(db, clock, empty.url);
    await db.groupChat.create({ data: { chatId: 'oc_office', name: '县政务公开办', status: 'coordinator' } });
    const campaign = await db.campaign.create({ data: buildCampaign({ launchedBy: 'ou_coord' }) });
    for (let i = 0; i < UNITS; i++) {
      const unit = await db.unit.create({ data: { name: `单位${i}`, kind: 'department', chatId: `oc_u${i}`, liaisons: { create: [{ openId: `ou_l${i}`, name: `联络员${i}` }] } } });
      await db.submission.create({ data: { campaignId: campaign.id, unitId: unit.id } });
    }
    // the 3月27日 digest is recorded as missed on the first tick; then idle ticks
    await runReminders(services, atShanghai('2023-03-28', '08:00'));
    const idle: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      await runReminders(services, atShanghai('2023-03-28', '08:01'));
      idle.push(performance.now() - t);
    }
    const t = performance.now();
    const result = await runReminders(services, atShanghai('2023-03-28', '09:45'));
    const fanOutMs = performance.now() - t;
    // Every pending unit has a bound group: one outbox row (the group @ message) per unit owed.
    const owed = await db.submission.count({ where: { status: 'pending' } });
    const rows = await db.outboxMessage.count({ where: { idempotencyKey: { startsWith: 'rem:' }, target: { not: 'oc_office' } } });
    return [
      {
        name: `${provider} ${UNITS} units`,
        figures: {
          'idle tick p50 ms': percentile(idle, 50),
          'idle tick p95 ms': percentile(idle, 95),
          'fan-out reminders': result.sent,
          'fan-out ms': fanOutMs,
          'ms per reminder': fanOutMs / Math.max(1, result.sent),
          'outbox rows': rows,
          'rows == units owed': rows === owed && result.sent === owed ? 'yes' : `NO (${owed} owed)`,
        },
      },
    ];
  } finally {
    await database.close();
    await empty.drop();
  }
}

export default async function bench(): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  for (const provider of await benchProviders()) out.push(...(await one(provider)));
  return out;
}
