// A failed call retried in its lane keeps its row (lease held, error noted, attempt closed), and
// the failures answered together are written together (src/adapters/outbox/row-writes.ts
// RetryMarks): with 30 % of calls failing, one model query per failure sat between the answers of
// a fan-out's second. A row another worker has taken is left alone and reported lost. The lane
// itself (retried soon, order kept) is test/outbox/outbox.test.ts's.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PROVIDERS_UNDER_TEST } from '../support/db.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { RetryMarks } from '../../src/adapters/outbox/row-writes.ts';

describe.each(PROVIDERS_UNDER_TEST)('retry marks (%s)', (provider) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ provider });
    await h.drainOutbox();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('marks the rows asked in one turn with one statement, each with its own error, and only rows this worker holds', async () => {
    const started = new Date('2023-03-24T01:00:00Z');
    const row = (key: string, claimedBy: string) => h.db.outboxMessage.create({ data: { idempotencyKey: key, op: 'send', target: 'oc_retry', payload: '{}', status: 'sending', attempts: 1, claimedBy, attemptStartedAt: started } });
    const mine1 = await row('retry-marks:1', 'worker-a');
    const mine2 = await row('retry-marks:2', 'worker-a');
    const theirs = await row('retry-marks:3', 'worker-b');

    const marks = new RetryMarks(h.db, provider, 'worker-a');
    const statements = vi.spyOn(h.db, '$queryRawUnsafe');
    let results: boolean[];
    let calls: number;
    try {
      results = await Promise.all([
        marks.mark({ id: mine1.id, lastError: '服务暂时不可用 (500)', lastErrorCode: 500 }),
        marks.mark({ id: mine2.id, lastError: 'socket hang up', lastErrorCode: undefined }),
        marks.mark({ id: theirs.id, lastError: '不该写入', lastErrorCode: 1 }),
      ]);
      calls = statements.mock.calls.length;
    } finally {
      statements.mockRestore();
    }
    expect(results).toEqual([true, true, false]);
    expect(calls).toBe(1);

    const after = await h.db.outboxMessage.findMany({ where: { idempotencyKey: { startsWith: 'retry-marks:' } }, orderBy: { idempotencyKey: 'asc' } });
    expect(after.map((r) => [r.status, r.claimedBy, r.attemptStartedAt, r.lastError, r.lastErrorCode, r.attempts])).toEqual([
      ['sending', 'worker-a', null, '服务暂时不可用 (500)', 500, 1],
      ['sending', 'worker-a', null, 'socket hang up', null, 1],
      ['sending', 'worker-b', started, null, null, 1],
    ]);
  });
});
