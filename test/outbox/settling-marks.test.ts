// A lane goes on to its chat's next row while the previous row's sent mark is written
// (src/adapters/outbox/worker.ts SettlingMarks). What makes that safe: a mark that fails leaves its
// row leased and marked attempted, so once the lease has run out the row is sent again with its
// uuid, Feishu answers with the message it already has, and the chat still shows each message
// once, in order (docs/reliability.md §9 O2). The lane's failure is logged, never an unhandled rejection.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PROVIDERS_UNDER_TEST } from '../support/db.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { withContext } from '../../src/app/context.ts';
import { feishuUuid } from '../../src/app/outbox.ts';

describe.each(PROVIDERS_UNDER_TEST)('a sent mark that fails (%s)', (provider) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ provider });
    await h.drainOutbox();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('leaves its row ambiguous while the lane delivers the rest; the row goes again with its uuid and the chat sees each message once, in order', async () => {
    const chatId = h.demo.units[2]!.chatId;
    const keys = ['settling:1', 'settling:2', 'settling:3'];
    await withContext(h.services, 'test', async (ctx) => {
      for (const [n, key] of keys.entries()) await ctx.enqueue(key, { op: 'send', to: { chatId }, text: `第 ${n + 1} 条` });
    });
    // The first statement marking rows sent fails (the database hiccups once).
    const original = h.db.$queryRawUnsafe.bind(h.db);
    let failed = false;
    const spy = vi.spyOn(h.db, '$queryRawUnsafe').mockImplementation(((sql: string, ...values: unknown[]) => {
      if (sql.startsWith(`UPDATE "OutboxMessage" SET "status" = 'sent'`) && !failed) {
        failed = true;
        return Promise.reject(new Error('database went away'));
      }
      return original(sql, ...values);
    }) as typeof h.db.$queryRawUnsafe);
    try {
      await h.app.worker.drain({ skipBackoff: true, maxRounds: 1 });
    } finally {
      spy.mockRestore();
    }
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
