// Backup of a running app's database in the middle of a fan-out, restore, restart: every unit
// gets its notice exactly once (rows that were pending or mid-send in the backup are sent again
// with their Feishu uuid, which Feishu dedupes), and nothing written before the backup is lost.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmptyDatabase, PROVIDERS_UNDER_TEST, type TestDatabaseUrl } from '../support/db.ts';
import { seedDirectory, serviceEnv, startFeishu, startInstance, until, type Feishu } from '../support/service.ts';
import { deliveriesByUuid, FAN_OUT_START, launchCampaignFanOut } from '../support/fan-out.ts';
import { backupCommand, restoreCommand } from '../../src/cli/commands/backup.ts';
import { openDatabase } from '../../src/adapters/db/database.ts';
import { FakeClock } from '../../src/ports/clock.ts';
import type { App } from '../../src/app/create-app.ts';
import type { CliIo } from '../../src/cli/io.ts';

function io(now: Date): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => out.push(t), stderr: (t) => err.push(t), now: () => now, openDb: () => Promise.reject(new Error('not used')) };
}

describe.each(PROVIDERS_UNDER_TEST)('backup and restore during a fan-out (%s)', (provider) => {
  let database: TestDatabaseUrl;
  let feishu: Feishu;
  let dir: string;
  const apps: App[] = [];

  beforeAll(async () => {
    database = await createEmptyDatabase(provider);
    feishu = await startFeishu();
    dir = mkdtempSync(path.join(os.tmpdir(), 'themeday-backup-'));
  });
  afterAll(async () => {
    for (const a of apps) await a.stop();
    await feishu?.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loses and doubles nothing', async () => {
    const clock = new FakeClock(FAN_OUT_START);
    const env = serviceEnv(database.url, feishu);
    // Seeded before the app starts: the seeding opens SQLite synchronously in this same process, and
    // would wait on a write lock held by the app's open transaction, which cannot finish meanwhile.
    await seedDirectory(database.url, clock.now());
    // 5 sends a second: the ~40 notices take seconds, so the backup below lands in the middle of them
    // (per-chat lanes run in parallel; at Feishu's 50/s the fan-out can finish before the backup starts).
    const first = await startInstance(database.url, feishu, { clock, env: { FEISHU_RATE_PER_SECOND: '5' } });
    apps.push(first);
    feishu.emulator.setBotUrl(first.url);
    const db = first.db;
    // Webhook events are acknowledged into the inbox and processed right after: idle means both are empty.
    const idle = () =>
      until(
        async () => (await db.inboxEvent.count({ where: { status: { in: ['pending', 'processing'] } } })) === 0 && (await db.outboxMessage.count({ where: { status: { in: ['pending', 'sending'] } } })) === 0,
        60_000,
        'inbox and outbox idle',
      );

    // Slow Feishu, so the backup lands while the notices are going out.
    feishu.emulator.faults.route('/open-apis/im/v1/messages', { latencyMs: 60 }, 'POST');
    const chats = await launchCampaignFanOut({ emulator: feishu.emulator, db, settle: idle });
    await until(() => deliveriesByUuid(feishu.emulator, chats).size >= 5, 30_000, 'first notices');

    const file = path.join(dir, `themeday-${provider}.backup`);
    const b = io(clock.now());
    expect(await backupCommand({ ...env }).run(['--out', file], b), b.err.join('\n')).toBe(0);
    await idle();
    expect(deliveriesByUuid(feishu.emulator, chats).size).toBe(chats.length);
    await first.stop();

    const r = io(clock.now());
    expect(await restoreCommand({ ...env }).run(['--from', file], r)).toBe(2); // needs --yes
    expect(await restoreCommand({ ...env }).run(['--from', file, '--yes'], r), r.err.join('\n')).toBe(0);
    const restored = await openDatabase(database.url);
    const undelivered = await restored.client.outboxMessage.count({ where: { status: { in: ['pending', 'sending'] } } });
    const campaign = await restored.client.campaign.findUnique({ where: { year: 2023 } });
    await restored.close();
    // The backup is from the middle of the fan-out: the launch is in it, some notices were still to go.
    expect(campaign?.status).toBe('collecting');
    expect(undelivered).toBeGreaterThan(0);

    // Restart: rows left 'sending' by the snapshot are re-claimed once their lease ran out.
    clock.advance(6 * 60_000);
    const second = await startInstance(database.url, feishu, { clock });
    apps.push(second);
    feishu.emulator.setBotUrl(second.url);
    second.worker.kick();
    // Time passes on the fake clock too: a send the emulator refused for the app's rate (the restart can
    // land within a second of the first instance's last sends) is retried at its nextAttemptAt.
    await until(
      async () => {
        if ((await second.db.outboxMessage.count({ where: { status: { in: ['pending', 'sending'] } } })) === 0) return true;
        clock.advance(1000);
        second.worker.kick();
        return false;
      },
      60_000,
      'outbox idle after restore',
    );

    const counts = deliveriesByUuid(feishu.emulator, chats);
    expect(counts.size).toBe(chats.length);
    for (const [uuid, n] of counts) expect(n, uuid).toBe(1);
    for (const chat of chats) expect(feishu.emulator.messages(chat).filter((m) => m.uuid).length, chat).toBe(1);
    expect(await second.db.outboxMessage.count({ where: { status: { in: ['failed', 'dead'] } } })).toBe(0);
    expect(await second.db.submission.count({ where: { campaignId: campaign!.id } })).toBe(chats.length);
  }, 180_000);
});
