// The marks a lane writes around its calls (src/adapters/outbox/row-writes.ts, worker.ts).
//
// A failed call retried in its lane keeps its row (lease held, error noted, attempt closed), and
// the failures answered together are written together (RetryMarks): with 30 % of calls failing,
// one model query per failure sat between the answers of a fan-out's second. A row another worker
// has taken is left alone and reported lost. The lane itself (retried soon, order kept) is
// test/outbox/outbox.test.ts's.
//
// A lane goes on to its chat's next row while the previous row's sent mark is written
// (SettlingMarks). What makes that safe: a mark that fails leaves its row leased and marked
// attempted, so once the lease has run out the row is sent again with its uuid, Feishu answers
// with the message it already has, and the chat still shows each message once, in order
// (docs/reliability.md §9 O2). The lane's failure is logged, never an unhandled rejection.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PROVIDERS_UNDER_TEST } from '../support/db.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { withContext } from '../../src/app/context.ts';
import { feishuUuid } from '../../src/app/outbox.ts';
import { RetryMarks } from '../../src/adapters/outbox/row-writes.ts';
import { failingOnce } from './support.ts';

describe.each(PROVIDERS_UNDER_TEST)('outbox row marks (%s)', (provider) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ provider });
    await h.drainOutbox();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('retry marks: the rows asked in one turn take one statement, each with its own error, and only rows this worker holds', async () => {
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

  it('a sent mark that fails leaves its row ambiguous while the lane delivers the rest; the row goes again with its uuid and the chat sees each message once, in order', async () => {
    const chatId = h.demo.units[2]!.chatId;
    const keys = ['settling:1', 'settling:2', 'settling:3'];
    await withContext(h.services, 'test', async (ctx) => {
      for (const [n, key] of keys.entries()) await ctx.enqueue(key, { op: 'send', to: { chatId }, text: `第 ${n + 1} 条` });
    });
    // The first statement marking rows sent fails (the database hiccups once).
    const failed = await failingOnce(h.db, `UPDATE "OutboxMessage" SET "status" = 'sent'`, () => h.app.worker.drain({ skipBackoff: true, maxRounds: 1 }));
    expect(failed).toBe(true);
    const rows = async () => (await h.db.outboxMessage.findMany({ where: { idempotencyKey: { in: keys } }, orderBy: { idempotencyKey: 'asc' } })).map((r) => ({ status: r.status, attempted: r.attemptStartedAt !== null }));
    expect(await rows()).toEqual([
      { status: 'sending', attempted: true },
      { status: 'sent', attempted: false },
      { status: 'sent', attempted: false },
    ]);
    const texts = () =>
      h
        .messages(chatId)
        .filter((m) => m.uuid !== undefined && keys.map(feishuUuid).includes(m.uuid))
        .map((m) => m.text);
    expect(texts()).toEqual(['第 1 条', '第 2 条', '第 3 条']);

    // The lease runs out; the next drain takes the row over as ambiguous and sends it again.
    h.clock.set(new Date(h.clock.now().getTime() + 60_000));
    await h.app.worker.drain({ skipBackoff: true });
    expect(await rows()).toEqual([
      { status: 'sent', attempted: false },
      { status: 'sent', attempted: false },
      { status: 'sent', attempted: false },
    ]);
    const sends = h.emulator.calls({ path: /\/open-apis\/im\/v1\/messages$/, method: 'POST' }).filter((c) => (c.body as { uuid?: string } | undefined)?.uuid === feishuUuid('settling:1'));
    expect(sends).toHaveLength(2);
    expect(texts()).toEqual(['第 1 条', '第 2 条', '第 3 条']);
  });
});
