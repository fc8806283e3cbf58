// Child process for the crash tests: an outbox worker on a database URL, delivering to an emulator
// URL with the production lease and heartbeat (10 s / 3 s), so a restart shows how fast rows a
// killed run left behind come back. SIGTERM stops it gracefully (unattempted rows handed back).
import os from 'node:os';
import { openDatabase } from '../../src/adapters/db/database.ts';
import { createFeishuGateway } from '../../src/adapters/feishu/gateway.ts';
import { LocalFileStorage } from '../../src/adapters/files/storage.ts';
import { OutboxWorker } from '../../src/adapters/outbox/worker.ts';
import { createLogger } from '../../src/app/log.ts';
import { systemClock } from '../../src/ports/clock.ts';

const [dbUrl, emuUrl] = process.argv.slice(2);
if (!dbUrl || !emuUrl) throw new Error('usage: crash-worker.ts <database-url> <emulator-url>');
const database = await openDatabase(dbUrl);
const worker = new OutboxWorker({
  db: database.client,
  provider: database.provider,
  gateway: createFeishuGateway({ appId: 'cli_crash0000000000', appSecret: 's', domain: emuUrl }),
  storage: new LocalFileStorage(os.tmpdir()),
  clock: systemClock,
  log: createLogger('silent'),
  config: { rateLimits: { perSecond: 50, perMinute: 1000, perChat: 5 }, outboxMaxAttempts: 8, coordinatorChatId: undefined },
  pollMs: 50,
  backoffBaseMs: 100,
});
worker.start();
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void worker
    .stop()
    .then(() => database.close())
    .then(() => process.exit(0));
});
