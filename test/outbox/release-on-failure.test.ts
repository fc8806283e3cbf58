// A lane that fails part-way (the database errs under it) leaves no row leased to the worker once
// its drain is over: the worker's safety net hands unattempted rows back (src/adapters/outbox/worker.ts).
// Nor does it keep the place it took in the rate windows: a place never given back counts as a call
// in flight for ever, and fifty such failures would stop every delivery until a restart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVIDERS_UNDER_TEST } from '../support/db.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { withContext } from '../../src/app/context.ts';
import { VirtualRateTime } from '../../src/ports/rate-time.ts';
import { SEND_API } from '../../src/adapters/outbox/rate-limiter.ts';
import { failingOnce } from './support.ts';

describe.each(PROVIDERS_UNDER_TEST)('outbox rows after a failed lane (%s)', (provider) => {
  let h: Harness;
  // The rate windows on a timeline the test moves on (a second passes without waiting for it).
  const rateTime = new VirtualRateTime();
  beforeAll(async () => {
    h = await startHarness({ provider, rateTime });
    await h.drainOutbox();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('hands back the row whose attempt could not be marked, and delivers it on the next drain', async () => {
    const chatId = h.demo.units[0]!.chatId;
    await withContext(h.services, 'test', (ctx) => ctx.enqueue('release:first', { op: 'send', to: { chatId }, text: '第一条' }));
    // The statement that marks the attempts as started (row-writes.ts AttemptMarks) fails once.
    const failed = await failingOnce(h.db, 'UPDATE "OutboxMessage" SET "attempts"', () => h.app.worker.drain({ skipBackoff: true, maxRounds: 1 }));
    expect(failed).toBe(true);
    const row = await h.db.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: 'release:first' } });
    expect({ status: row.status, claimedBy: row.claimedBy, attempts: row.attempts }).toEqual({ status: 'pending', claimedBy: null, attempts: 0 });
    // The place the failed attempt took has left the last-second window a second later.
    await rateTime.sleep(1500);
    expect(h.app.worker.limiter.ownCalls()[SEND_API]?.[0] ?? 0).toBe(0);

    await h.app.worker.drain({ skipBackoff: true });
    expect((await h.db.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: 'release:first' } })).status).toBe('sent');
    expect(h.messages(chatId).some((m) => m.text === '第一条')).toBe(true);
  });
});
