// Child process for the crash test: an outbox worker on a database URL, delivering to an emulator
// URL, polling fast with a short lease so a restart re-claims what a killed run left 'sending'.
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
  leaseMs: 1500,
  backoffBaseMs: 100,
});
worker.start();
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void worker.stop().then(() => database.close()).then(() => process.exit(0));
});
