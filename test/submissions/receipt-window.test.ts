// Feishu updates a message only within 14 days of sending it (230031 after that; im-v1/message/patch
// "仅支持更新 14 天内发送的消息"). A receipt refresh (申报 closing, publication) patches only receipts
// still inside that window: an older one keeps its content instead of failing in the outbox and
// alerting the coordinator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVIDERS_UNDER_TEST, createTestDatabase, type TestDatabase } from '../support/db.ts';
import { makeServices, seedCounty, submit, type Seeded } from '../reminders/support.ts';
import { FakeClock } from '../../src/ports/clock.ts';
import { atShanghai } from '../../src/domain/time.ts';
import { withContext } from '../../src/app/context.ts';
import { refreshReceipt } from '../../src/usecases/submissions/submit.ts';
import type { AppServices } from '../../src/app/bot.ts';

const DAY = 24 * 3600_000;

describe.each(PROVIDERS_UNDER_TEST)('receipt refresh within Feishu’s 14-day update window (%s)', (provider) => {
  let db: TestDatabase;
  let services: AppServices;
  let seeded: Seeded;
  const now = atShanghai('2023-04-20', '10:00');

  beforeAll(async () => {
    db = await createTestDatabase(provider);
    services = makeServices(db.client, new FakeClock(now), db.url);
    seeded = await seedCounty(db.client);
  });
  afterAll(async () => {
    await db?.destroy();
  });

  async function receiptSent(unit: Seeded['units'][keyof Seeded['units']], sentAt: Date | null): Promise<string> {
    await submit(db.client, unit, atShanghai('2023-03-24', '15:00'));
    const key = `receipt:${unit.submissionId}:v1`;
    await db.client.outboxMessage.create({
      data: { idempotencyKey: key, op: 'send', target: unit.chatId ?? unit.liaisons[0]!, payload: '{}', status: sentAt ? 'sent' : 'pending', sentAt, nextAttemptAt: now },
    });
    return key;
  }
  const patches = (key: string) => db.client.outboxMessage.count({ where: { idempotencyKey: { startsWith: `${key}:update:` }, op: 'patch' } });
  const refresh = (submissionId: string, eventId: string) => withContext(services, 'system', (ctx) => refreshReceipt(ctx, submissionId), { now, eventId });

  it('patches a receipt sent 13 days ago, or not sent yet', async () => {
    const recent = await receiptSent(seeded.units.xingsha, new Date(now.getTime() - 13 * DAY));
    const queued = await receiptSent(seeded.units.jiaoyu, null);
    await refresh(seeded.units.xingsha.submissionId, 'ev-recent');
    await refresh(seeded.units.jiaoyu.submissionId, 'ev-queued');
    expect([await patches(recent), await patches(queued)]).toEqual([1, 1]);
  });

  it('leaves a receipt sent more than 14 days ago as it is', async () => {
    const old = await receiptSent(seeded.units.huangxing, new Date(now.getTime() - 15 * DAY));
    await refresh(seeded.units.huangxing.submissionId, 'ev-old');
    expect(await patches(old)).toBe(0);
  });
});
