// kill -9 of a worker mid-delivery, then a restart: nothing lost, nothing duplicated
// (reliability.md §9 O2/O3). The worker runs in a child process on a SQLite file; the emulator
// runs here with latency so the kill lands while requests are in flight.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator } from '../../src/emulator/index.ts';
import type { Emulator } from '../../src/emulator/types.ts';
import { enqueue } from '../../src/app/outbox.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

const CHATS = ['oc_crash_a', 'oc_crash_b', 'oc_crash_c'];
const N = 60;

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

describe('crash mid-delivery (sqlite file, child process)', () => {
  let db: TestDatabase;
  let emulator: Emulator;
  let server: { url: string; close(): Promise<void> };
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    emulator = createEmulator({ appId: 'cli_crash0000000000', appSecret: 's', rateLimits: false });
    emulator.seed({ users: [], chats: CHATS.map((chatId) => ({ chatId, name: chatId, memberOpenIds: [], botMember: true })) });
    server = await emulator.listen(0);
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await server?.close();
    await db?.destroy();
  });

  it('SIGKILL then restart delivers every row exactly once', async () => {
    await db.client.$transaction(async (tx) => {
      for (let i = 0; i < N; i++) await enqueue(tx, `crash:${i}`, { op: 'send', to: { chatId: CHATS[i % CHATS.length]! }, text: `第 ${i} 条` });
    });
    emulator.faults.route('/open-apis/im/v1/messages', { latencyMs: 150 }, 'POST');
    const total = () => CHATS.reduce((n, c) => n + emulator.messages(c).length, 0);

    const first = await startWorker(db.url, server.url);
    children.push(first);
    await until(() => total() >= 10, 60_000);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const atKill = total();
    const inFlight = await db.client.outboxMessage.count({ where: { status: 'sending' } });
    expect(atKill).toBeLessThan(N);

    const second = await startWorker(db.url, server.url);
    children.push(second);
    await until(async () => (await db.client.outboxMessage.count({ where: { status: 'sent' } })) === N, 90_000);
    second.kill('SIGTERM');
    await new Promise((r) => second.once('exit', r));

    const counts = new Map<string, number>();
    for (const c of CHATS) for (const m of emulator.messages(c)) counts.set(m.uuid ?? '?', (counts.get(m.uuid ?? '?') ?? 0) + 1);
    for (let i = 0; i < N; i++) expect(counts.get(`crash:${i}`), `crash:${i}`).toBe(1);
    expect(total()).toBe(N);
    console.info(`[crash] delivered before kill: ${atKill}/${N}, rows left 'sending': ${inFlight}`);
  }, 180_000);
});
