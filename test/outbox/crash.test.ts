// kill -9 of a worker mid-delivery, then a restart: nothing lost, nothing duplicated, each chat's
// messages in enqueue order, and everything delivered within 30 s of the restart (leases of 10 s
// renewed by a heartbeat, not 5 minutes) — on SQLite and PostgreSQL (docs/reliability.md §9 O2/O3,
// issue 14 item 7). A graceful stop hands unattempted rows back at once. The worker runs in a
// child process; the emulator runs here with latency so the kill lands while requests are in flight.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator } from '../../src/emulator/index.ts';
import type { Emulator } from '../../src/emulator/types.ts';
import { enqueue } from '../../src/app/outbox.ts';
import { PROVIDERS_UNDER_TEST, createTestDatabase, type TestDatabase } from '../support/db.ts';

const CHATS = ['oc_crash_a', 'oc_crash_b', 'oc_crash_c'];
const N = 60;
const RECOVERY_MS = 30_000;

function startWorker(dbUrl: string, emuUrl: string): Promise<ChildProcess> {
  // node itself (not npx) so SIGKILL hits the worker, not a wrapper.
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/outbox/crash-worker.ts', dbUrl, emuUrl], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
  });
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.each(PROVIDERS_UNDER_TEST)('crash mid-delivery (%s, child process)', (provider) => {
  let db: TestDatabase;
  let emulator: Emulator;
  let server: { url: string; close(): Promise<void> };
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase(provider);
    emulator = createEmulator({ appId: 'cli_crash0000000000', appSecret: 's', rateLimits: false });
    emulator.seed({ users: [], chats: CHATS.map((chatId) => ({ chatId, name: chatId, memberOpenIds: [], botMember: true })) });
    server = await emulator.listen(0);
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await server?.close();
    await db?.destroy();
  });

  const total = () => CHATS.reduce((n, c) => n + emulator.messages(c).filter((m) => m.uuid?.startsWith('crash:')).length, 0);
  /** the i of each `crash:<i>` message, per chat, in the order the emulator stored them */
  const orderOf = (chatId: string) =>
    emulator
      .messages(chatId)
      .filter((m) => m.uuid?.startsWith('crash:'))
      .map((m) => Number(m.uuid!.split(':')[1]));

  it('SIGKILL then restart delivers every row exactly once, in order per chat, within 30 s', async () => {
    await db.client.$transaction(async (tx) => {
      for (let i = 0; i < N; i++) await enqueue(tx, `crash:${i}`, { op: 'send', to: { chatId: CHATS[i % CHATS.length]! }, text: `第 ${i} 条` });
    });
    emulator.faults.route('/open-apis/im/v1/messages', { latencyMs: 150 }, 'POST');

    const first = await startWorker(db.url, server.url);
    children.push(first);
    await until(() => total() >= 10, 60_000);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const atKill = total();
    const leftClaimed = await db.client.outboxMessage.count({ where: { status: 'sending' } });
    const neverAttempted = await db.client.outboxMessage.count({ where: { status: 'sending', attemptStartedAt: null } });
    expect(atKill).toBeLessThan(N);
    expect(leftClaimed).toBeGreaterThan(0); // the kill left rows leased to a dead worker

    const second = await startWorker(db.url, server.url);
    children.push(second);
    const restarted = Date.now();
    await until(async () => (await db.client.outboxMessage.count({ where: { status: 'sent', idempotencyKey: { startsWith: 'crash:' } } })) === N, RECOVERY_MS);
    const recoveredMs = Date.now() - restarted;
    second.kill('SIGTERM');
    await new Promise((r) => second.once('exit', r));
    emulator.faults.reset();

    const counts = new Map<string, number>();
    for (const c of CHATS) for (const m of emulator.messages(c)) counts.set(m.uuid ?? '?', (counts.get(m.uuid ?? '?') ?? 0) + 1);
    for (let i = 0; i < N; i++) expect(counts.get(`crash:${i}`), `crash:${i}`).toBe(1);
    expect(total()).toBe(N);
    for (const c of CHATS) expect(orderOf(c), c).toEqual([...orderOf(c)].sort((a, b) => a - b));
    console.info(`[crash ${provider}] delivered before kill: ${atKill}/${N}, rows left claimed: ${leftClaimed} (${neverAttempted} never attempted), all sent ${recoveredMs} ms after restart`);
  }, 180_000);

  it('a graceful stop hands claimed, unattempted rows back at once', async () => {
    await db.client.$transaction(async (tx) => {
      for (let i = 0; i < 30; i++) await enqueue(tx, `stop:${i}`, { op: 'send', to: { chatId: CHATS[i % CHATS.length]! }, text: `第 ${i} 条` });
    });
    emulator.faults.route('/open-apis/im/v1/messages', { latencyMs: 300 }, 'POST');
    const worker = await startWorker(db.url, server.url);
    children.push(worker);
    const sent = () => CHATS.reduce((n, c) => n + emulator.messages(c).filter((m) => m.uuid?.startsWith('stop:')).length, 0);
    await until(() => sent() >= 3, 60_000);
    worker.kill('SIGTERM');
    await new Promise((r) => worker.once('exit', r));
    emulator.faults.reset();
    const rows = await db.client.outboxMessage.findMany({ where: { idempotencyKey: { startsWith: 'stop:' } } });
    expect(rows.filter((r) => r.status === 'sending')).toEqual([]);
    const pending = rows.filter((r) => r.status === 'pending');
    expect(pending.length).toBeGreaterThan(0);
    expect(pending.every((r) => r.claimedBy === null && r.leaseUntil === null && r.attempts === 0)).toBe(true);
    expect(await db.client.outboxWorkerHeartbeat.count()).toBeLessThanOrEqual(1); // only the killed worker of the first test may linger
  }, 120_000);
});
