// Old dedupe records are pruned by a job (issue 17 / reliability.md: Feishu re-delivers for ~7 h,
// a reconnect backfills at most 24 h): finished InboxEvent rows and ProcessedEvent ids older than
// 3 days go, failed rows are kept 30 days, pending and processing rows are never touched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVIDERS_UNDER_TEST } from '../support/db.ts';
import { startHarness, type Harness } from '../support/harness.ts';

const DAY = 24 * 3600_000;

describe.each(PROVIDERS_UNDER_TEST)('inbound prune job (%s)', (provider) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ provider, features: () => [] });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('deletes finished rows and processed ids past the retention, keeps the rest', async () => {
    const now = h.clock.now();
    const ago = (days: number) => new Date(now.getTime() - days * DAY);
    const row = (key: string, status: string, receivedAt: Date) => ({ key, kind: 'message', eventId: `ev_${key}`, lane: 'oc_prune', seq: BigInt(receivedAt.getTime()), payload: '{}', status, nextAttemptAt: receivedAt, receivedAt });
    await h.db.inboxEvent.createMany({
      data: [
        row('prune:done-old', 'done', ago(4)),
        row('prune:done-new', 'done', ago(2)),
        row('prune:failed-old', 'failed', ago(31)),
        row('prune:failed-mid', 'failed', ago(10)),
        row('prune:pending-old', 'pending', ago(40)),
        row('prune:processing-old', 'processing', ago(40)),
      ],
    });
    await h.db.processedEvent.createMany({
      data: [
        { eventId: 'prune:p-old', kind: 'message', receivedAt: ago(3.5) },
        { eventId: 'prune:p-new', kind: 'message', receivedAt: ago(2.9) },
      ],
    });
    await h.tick(now);
    const left = await h.db.inboxEvent.findMany({ where: { key: { startsWith: 'prune:' } }, orderBy: { key: 'asc' }, select: { key: true } });
    expect(left.map((r) => r.key)).toEqual(['prune:done-new', 'prune:failed-mid', 'prune:pending-old', 'prune:processing-old']);
    const processed = await h.db.processedEvent.findMany({ where: { eventId: { startsWith: 'prune:' } }, select: { eventId: true } });
    expect(processed.map((r) => r.eventId)).toEqual(['prune:p-new']);
    // At most once an hour.
    const later = new Date(now.getTime() + 30 * 60_000);
    await h.db.processedEvent.create({ data: { eventId: 'prune:p-later', kind: 'message', receivedAt: ago(5) } });
    await h.tick(later);
    expect(await h.db.processedEvent.count({ where: { eventId: 'prune:p-later' } })).toBe(1);
    await h.tick(new Date(now.getTime() + 61 * 60_000));
    expect(await h.db.processedEvent.count({ where: { eventId: 'prune:p-later' } })).toBe(0);
  });
});
