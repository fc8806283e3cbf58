// SIGTERM to `npm start` (src/main.ts in a child process) while a fan-out is being delivered and
// a burst of messages is arriving: intake stops (new pushes get 503 and Feishu pushes them again),
// in-flight rows finish or go back to pending, the process exits 0 before its forced-exit timer,
// and after a restart every notice and every answer exists exactly once (both databases).
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmptyDatabase, PROVIDERS_UNDER_TEST, type TestDatabaseUrl } from '../support/db.ts';
import { seedDirectory, serviceEnv, startFeishu, until, type Feishu } from '../support/service.ts';
import { openDatabase, type Database } from '../../src/adapters/db/database.ts';
import { enqueue } from '../../src/app/outbox.ts';
import { DEMO_UNITS } from '../../src/domain/demo-directory.ts';

const FAN_OUT = 80;

interface Running {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
}

function startMain(env: Record<string, string>): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, ...env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (d: Buffer) => {
      buffer += d.toString();
      for (;;) {
        const nl = buffer.indexOf('\n');
        if (nl < 0) break;
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        try {
          const entry = JSON.parse(line) as { msg?: string; port?: number };
          if (entry.msg === 'started' && entry.port) resolve({ child, url: `http://127.0.0.1:${entry.port}`, exited });
        } catch {
          // not a log line
        }
      }
    });
    void exited.then((code) => reject(new Error(`main exited early (${code})`)));
  });
}

describe.each(PROVIDERS_UNDER_TEST)('graceful shutdown under load (%s)', (provider) => {
  let database: TestDatabaseUrl;
  let feishu: Feishu;
  let db: Database;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    database = await createEmptyDatabase(provider);
    feishu = await startFeishu();
    await seedDirectory(database.url, new Date('2026-03-02T01:30:00Z'));
    db = await openDatabase(database.url);
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await db?.close();
    await feishu?.close();
    await database?.drop();
  });

  it('SIGTERM mid fan-out and mid burst: exits cleanly; after restart nothing is lost or doubled', async () => {
    // A short shutdown budget and a slow Feishu: finishing the whole claimed batch (50 rows, 8 at
    // a time, 1 s each) would overrun it; only handing back unstarted rows exits in time.
    const env = { ...serviceEnv(database.url, feishu), SHUTDOWN_TIMEOUT_SECONDS: '4' };
    const chats = DEMO_UNITS.map((u) => u.chatId);
    await db.client.$transaction(async (tx) => {
      for (let i = 0; i < FAN_OUT; i++) await enqueue(tx, `ops:fan:${i}`, { op: 'send', to: { chatId: chats[i % chats.length]! }, text: `通知 ${i}` });
    });
    feishu.emulator.faults.route('/open-apis/im/v1/messages', { latencyMs: 1000 }, 'POST');

    const first = await startMain(env);
    children.push(first.child);
    feishu.emulator.setBotUrl(first.url);
    const fanOutSent = () => db.client.outboxMessage.count({ where: { idempotencyKey: { startsWith: 'ops:fan:' }, status: 'sent' } });
    await until(async () => (await fanOutSent()) >= 10, 60_000, 'fan-out under way');

    // The burst: every liaison asks for help at once, in their unit's group.
    const senders = DEMO_UNITS.flatMap((u) => u.liaisons.filter((l) => l.openId).map((l) => ({ openId: l.openId!, chatId: u.chatId })));
    const burst = senders.map((s) => feishu.emulator.userSendText(s.openId, s.chatId, '帮助', { mentionBot: true }));
    await new Promise((r) => setTimeout(r, 150));
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0); // 1 would mean the forced exit after the timeout
    const sentAtStop = await fanOutSent();
    expect(sentAtStop).toBeLessThan(FAN_OUT);
    expect(await db.client.outboxMessage.count({ where: { status: 'sending' } })).toBe(0); // finished or released
    const messageIds = (await Promise.all(burst)).map((r) => r.messageId);

    // Restart; Feishu re-pushes what was refused while draining.
    const second = await startMain(env);
    children.push(second.child);
    feishu.emulator.setBotUrl(second.url);
    const processed = () => db.client.processedEvent.count({ where: { eventId: { in: messageIds.map((id) => `msg:${id}`) } } });
    await until(async () => (await processed()) === messageIds.length, 150_000, 'every burst message handled');
    await until(async () => (await db.client.outboxMessage.count({ where: { status: { in: ['pending', 'sending'] } } })) === 0, 150_000, 'outbox idle');
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);

    const byUuid = new Map<string, number>();
    for (const chatId of new Set([...chats, ...senders.map((s) => s.chatId)])) {
      for (const m of feishu.emulator.messages(chatId)) if (m.uuid) byUuid.set(m.uuid, (byUuid.get(m.uuid) ?? 0) + 1);
    }
    for (let i = 0; i < FAN_OUT; i++) expect(byUuid.get(`ops:fan:${i}`), `ops:fan:${i}`).toBe(1);
    for (const [uuid, n] of byUuid) expect(n, uuid).toBe(1);
    for (const id of messageIds) {
      const chatId = senders[messageIds.indexOf(id)]!.chatId;
      const answers = feishu.emulator.messages(chatId).filter((m) => m.senderType === 'app' && m.parentId === id);
      expect(answers.length, `answer to ${id}`).toBe(1);
    }
    expect(await db.client.outboxMessage.count({ where: { status: { in: ['failed', 'dead'] } } })).toBe(0);
    console.info(`[shutdown:${provider}] fan-out sent before SIGTERM: ${sentAtStop}/${FAN_OUT}, burst ${messageIds.length}`);
  }, 400_000);
});
