// A send is marked (attempt started, lease renewed) while its lane waits for a place in Feishu's
// rate windows, so it leaves the moment a place frees (src/adapters/outbox/worker.ts `attempt`).
// A stop during that wait hands the row back as if it had never been marked; an urgent call is
// marked only when its place is taken. The wait here is a 429's pause on the app's send API.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { withContext } from '../../src/app/context.ts';
import { createLogger } from '../../src/app/log.ts';
import { OutboxWorker } from '../../src/adapters/outbox/worker.ts';
import { PROVIDERS_UNDER_TEST } from '../support/db.ts';
import { startHarness, type Harness } from '../support/harness.ts';

const HOUR = 3_600_000;

describe.each(PROVIDERS_UNDER_TEST)('outbox rows marked while they wait for a place (%s)', (provider) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ provider, features: () => [] });
  });
  afterAll(async () => {
    await h?.stop();
  });

  const worker = () =>
    new OutboxWorker({ db: h.db, provider, gateway: h.services.gateway, storage: h.services.storage, clock: h.clock, log: createLogger('silent'), config: h.app.config, pollMs: HOUR, heartbeatMs: HOUR, shareCheckMs: HOUR });
  const row = (key: string) => h.db.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: key } });

  it('a send waiting out a pause is marked meanwhile, and a stop hands it back unmarked', async () => {
    const chatId = h.demo.units[0]!.chatId;
    await withContext(h.services, 'test', (ctx) => ctx.enqueue('waiting:1', { op: 'send', to: { chatId }, text: '等待发送' }));
    const w = worker();
    // Feishu answered 429 with x-ogw-ratelimit-reset: 60 a moment ago.
    w.limiter.block('app', 60);
    w.start();
    await vi.waitFor(async () => expect((await row('waiting:1')).attemptStartedAt).not.toBeNull(), { timeout: 20_000 });
    expect(await row('waiting:1')).toMatchObject({ status: 'sending', attempts: 1, claimedBy: w.workerId });
    expect(h.messages(chatId).filter((m) => m.uuid?.startsWith('waiting:'))).toEqual([]);
    await w.stop();
    expect(await row('waiting:1')).toMatchObject({ status: 'pending', attempts: 0, attemptStartedAt: null, claimedBy: null, leaseUntil: null });
    expect(h.messages(chatId).filter((m) => m.uuid?.startsWith('waiting:'))).toEqual([]);
    // The next worker sends it once.
    const next = worker();
    await next.drain();
    expect((await row('waiting:1')).status).toBe('sent');
    expect(h.messages(chatId).filter((m) => m.text === '等待发送')).toHaveLength(1);
  });

  it('an urgent call waiting for its place is not marked until it takes it', async () => {
    const chatId = h.demo.units[1]!.chatId;
    const liaison = h.demo.units[1]!.liaisons[0]!.openId;
    await withContext(h.services, 'test', async (ctx) => {
      await ctx.enqueue('urgent-parent:1', { op: 'send', to: { chatId }, text: '请尽快报送' });
    });
    await worker().drain();
    await withContext(h.services, 'test', (ctx) => ctx.enqueue('urgent:1', { op: 'urgent', messageOfKey: 'urgent-parent:1', openIds: [liaison] }));
    const w = worker();
    w.limiter.block('app', 60, 'im.message.urgent_app');
    w.start();
    await vi.waitFor(async () => expect((await row('urgent:1')).status).toBe('sending'), { timeout: 20_000 });
    // Long enough for a mark to have been written, were it written in the wait.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await row('urgent:1')).toMatchObject({ attempts: 0, attemptStartedAt: null });
    await w.stop();
    expect(await row('urgent:1')).toMatchObject({ status: 'pending', attempts: 0, attemptStartedAt: null });
  });
});
