// A drain or poll with nothing due is one read: no registration, no claim transaction
// (src/adapters/outbox/claim.ts anythingDue). With work due it delivers as before.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PROVIDERS_UNDER_TEST } from '../support/db.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { withContext } from '../../src/app/context.ts';
import { anythingDue } from '../../src/adapters/outbox/claim.ts';

describe.each(PROVIDERS_UNDER_TEST)('outbox drain with nothing due (%s)', (provider) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ provider });
    await h.drainOutbox();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('skips registering and claiming when nothing is due, delivers when something is', async () => {
    const chatId = h.demo.units[0]!.chatId;
    expect(await anythingDue(h.db, h.clock.now(), true)).toBe(false);
    const before = await h.db.outboxWorkerHeartbeat.count();
    // a worker registers (heartbeat upsert) before it claims
    const upsert = vi.spyOn(h.db.outboxWorkerHeartbeat, 'upsert');
    const beats = () => upsert.mock.calls.length;
    try {
      await h.app.worker.drain({ skipBackoff: true });
      expect(beats()).toBe(0);
      expect(await h.db.outboxWorkerHeartbeat.count()).toBe(before);

      // scheduled for later by its producer: not due yet, still skipped
      await withContext(h.services, 'test', (ctx) => ctx.enqueue('idle-drain:later', { op: 'send', to: { chatId }, text: '稍后' }, { notBefore: new Date(h.clock.now().getTime() + 3_600_000) }));
      expect(await anythingDue(h.db, h.clock.now(), true)).toBe(false);
      await h.app.worker.drain({ skipBackoff: true });
      expect(beats()).toBe(0);

      await withContext(h.services, 'test', (ctx) => ctx.enqueue('idle-drain:now', { op: 'send', to: { chatId }, text: '现在' }));
      expect(await anythingDue(h.db, h.clock.now(), true)).toBe(true);
      await h.app.worker.drain({ skipBackoff: true });
      expect(beats()).toBeGreaterThan(0);
      expect((await h.db.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: 'idle-drain:now' } })).status).toBe('sent');
      expect((await h.db.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: 'idle-drain:later' } })).status).toBe('pending');
      expect(h.messages(chatId).some((m) => m.text === '现在')).toBe(true);
    } finally {
      upsert.mockRestore();
    }
  });
});
