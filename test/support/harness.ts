// End-to-end harness: the real app (createApp, local mode) on port 0 with the Feishu emulator in
// process, webhook pushes signed and encrypted, the real SDK talking to the emulator over HTTP, a
// real database, a fake clock. Nothing runs in the background: the outbox is drained and jobs are
// ticked explicitly by the test.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../src/config.ts';
import { createApp, demoEmulatorSeed, type App } from '../../src/app/create-app.ts';
import { createEmulator } from '../../src/emulator/index.ts';
import { createLogger, type Logger } from '../../src/app/log.ts';
import type { AppServices, Bot } from '../../src/app/bot.ts';
import type { Job } from '../../src/app/jobs.ts';
import type { Db } from '../../src/adapters/db/database.ts';
import type { Provider } from '../../src/adapters/db/schema/providers.ts';
import { FakeClock } from '../../src/ports/clock.ts';
import type { RateTime } from '../../src/ports/rate-time.ts';
import { DEMO_OFFICE, DEMO_UNITS } from '../../src/domain/demo-directory.ts';
import type { CardCallbackResult, EmuMessage, Emulator, EmulatorOptions } from '../../src/emulator/types.ts';
import { createEmptyDatabase } from './db.ts';
import { pollUntil } from './kit.ts';

export interface HarnessOptions {
  provider: Provider;
  clock?: FakeClock;
  /** the webhook encrypt key (random by default) */
  encryptKey?: string;
  /** extra environment for loadConfig (e.g. FEISHU_RATE_PER_CHAT) */
  env?: Record<string, string>;
  /** seed the demo county into the database and the emulator (default true) */
  seedDemo?: boolean;
  /** replace the registered features (default: src/handlers registerFeatures) */
  features?: (bot: Bot) => Job[];
  /**
   * Feishu's rate windows on this timeline for both the app's outbox and the emulator (default:
   * wall time). A VirtualRateTime keeps the limits without waiting real seconds (the simulated year).
   */
  rateTime?: RateTime;
  /** emulator overrides (rate limits, ack timeout …) */
  emulator?: Partial<EmulatorOptions>;
  logger?: Logger;
  /** How Feishu reaches the app: 'webhook' (local mode, emulator in process, default) or 'ws' (the app
   *  with real credentials, FEISHU_EVENT_MODE=ws, against a standalone emulator over its long connection). */
  mode?: 'webhook' | 'ws';
}

export interface DemoUnitInfo {
  id: string;
  name: string;
  kind: string;
  chatId: string;
  liaisons: { openId: string; name: string; role: string }[];
  leaderOpenId?: string;
}

export interface Harness {
  app: App;
  db: Db;
  services: AppServices;
  bot: Bot;
  emulator: Emulator;
  clock: FakeClock;
  url: string;
  encryptKey: string;
  verificationToken: string;
  mode: 'webhook' | 'ws';
  demo: { coordinatorOpenId: string; officeChatId: string; units: DemoUnitInfo[] };
  /** As a user, @bot in chatId; resolves once the bot has processed the message. */
  say(openId: string, chatId: string, text: string, opts?: { mentionBot?: boolean; parentId?: string }): Promise<{ messageId: string }>;
  click(openId: string, messageId: string, value: Record<string, unknown>, formValue?: Record<string, unknown>): Promise<CardCallbackResult>;
  /** Delivers everything due now (retries included, whatever their backoff). */
  drainOutbox(): Promise<void>;
  messages(chatId: string): EmuMessage[];
  lastCard(chatId: string): EmuMessage | undefined;
  /** Sets the clock (optional) and runs every job once. */
  tick(at?: Date | string): Promise<void>;
  stop(): Promise<void>;
}

export const DEFAULT_HARNESS_START = '2026-03-02T01:30:00Z';

export async function startHarness(opts: HarnessOptions): Promise<Harness> {
  const database = await createEmptyDatabase(opts.provider);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'themeday-harness-'));
  const clock = opts.clock ?? new FakeClock(DEFAULT_HARNESS_START);
  const encryptKey = opts.encryptKey ?? randomBytes(16).toString('hex');
  const verificationToken = `vt_${randomBytes(8).toString('hex')}`;
  const seedDemo = opts.seedDemo ?? true;
  const config = {
    ...loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      STORAGE_DIR: path.join(dir, 'files'),
      LOG_LEVEL: (process.env.HARNESS_LOG_LEVEL as string | undefined) ?? 'silent',
      LOCAL_DEMO: seedDemo ? 'true' : 'false',
      ...opts.env,
    }),
    port: 0,
    host: '127.0.0.1',
  };
  const mode = opts.mode ?? 'webhook';
  let app: App;
  let standalone: { emulator: Emulator; close(): Promise<void> } | undefined;
  try {
    if (mode === 'ws') {
      // A self-built app's credentials (WSClient insists on cli_ + 16 hex) and a long-connection emulator
      // that reconnects fast: ClientConfig is Feishu's except the reconnect timings.
      const appId = `cli_${randomBytes(8).toString('hex')}`;
      const appSecret = randomBytes(16).toString('hex');
      const emu = createEmulator({
        appId,
        appSecret,
        now: () => clock.now(),
        redeliveryDelaysMs: [300, 1000],
        wsClientConfig: { ReconnectInterval: 1, ReconnectNonce: 0 },
        rateTime: opts.rateTime,
        ...opts.emulator,
        verificationToken,
        eventMode: 'ws',
      });
      const server = await emu.listen(0);
      standalone = { emulator: emu, close: () => server.close() };
      if (seedDemo) emu.seed(demoEmulatorSeed());
      app = await createApp({
        config: { ...config, local: false, feishu: { ...config.feishu, appId, appSecret, domain: server.url, eventMode: 'ws' } },
        clock,
        logger: opts.logger ?? createLogger(config.logLevel),
        ...(opts.features ? { features: opts.features } : {}),
        seedDemo,
        outbox: { pollMs: 0 },
        rateTime: opts.rateTime,
        cron: false,
      });
      await emu.longConnection.waitForConnection(10_000).catch(async (error: unknown) => {
        await app.stop();
        throw error;
      });
    } else {
      app = await createApp({
        config,
        clock,
        logger: opts.logger ?? createLogger(config.logLevel),
        ...(opts.features ? { features: opts.features } : {}),
        emulator: { redeliveryDelaysMs: [300, 1000], ...opts.emulator, encryptKey, verificationToken },
        seedDemo,
        outbox: { pollMs: 0 },
        rateTime: opts.rateTime,
        cron: false,
      });
    }
  } catch (error) {
    await standalone?.close().catch(() => undefined);
    await database.drop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const emulator = standalone?.emulator ?? app.emulator!;
  const db = app.db;

  const units: DemoUnitInfo[] = [];
  if (seedDemo) {
    const rows = await db.unit.findMany({ select: { id: true, name: true } });
    const idByName = new Map(rows.map((r) => [r.name, r.id]));
    for (const u of DEMO_UNITS) {
      units.push({
        id: idByName.get(u.name) ?? '',
        name: u.name,
        kind: u.kind,
        chatId: u.chatId,
        liaisons: u.liaisons.filter((l) => l.openId).map((l) => ({ openId: l.openId!, name: l.name, role: l.role })),
        ...(u.leaderOpenId ? { leaderOpenId: u.leaderOpenId } : {}),
      });
    }
  }

  const processed = async (messageId: string) => (await db.processedEvent.count({ where: { eventId: `msg:${messageId}` } })) > 0;

  const harness: Harness = {
    app,
    db,
    services: app.services,
    bot: app.bot,
    emulator,
    clock,
    url: app.url,
    encryptKey,
    verificationToken,
    mode,
    demo: { coordinatorOpenId: DEMO_OFFICE.coordinator.openId, officeChatId: DEMO_OFFICE.chatId, units },
    async say(openId, chatId, text, o = {}) {
      const { messageId, delivery } = await emulator.userSendText(openId, chatId, text, { mentionBot: o.mentionBot ?? true, ...(o.parentId ? { parentId: o.parentId } : {}) });
      if (delivery.status === 'no_bot' || delivery.status === 'not_subscribed') return { messageId };
      // Acknowledged once stored in the inbox: process it (usually all it takes), then make sure it
      // was (a failed push is re-delivered by the emulator later: wait for the commit).
      await app.inbox.idle({ skipBackoff: true });
      if (!(await pollUntil(() => processed(messageId), 15_000, 20))) {
        throw new Error(`message ${messageId} was not processed (delivery ${delivery.status} ${delivery.httpStatus ?? ''} ${delivery.error ?? ''})`);
      }
      // The dedupe row is written at intake; the handler's transaction commits when the inbox has run it.
      await app.inbox.idle({ skipBackoff: true });
      return { messageId };
    },
    click(openId, messageId, value, formValue) {
      return emulator.userClickCard(openId, messageId, { value, tag: 'button', ...(formValue ? { formValue } : {}) });
    },
    async drainOutbox() {
      // Webhook events are processed from the inbox after their acknowledgement: finish those first.
      await app.inbox.idle({ skipBackoff: true });
      await app.worker.drain({ skipBackoff: true });
    },
    messages: (chatId) => emulator.messages(chatId),
    lastCard(chatId) {
      const list = emulator.messages(chatId).filter((m) => m.msgType === 'interactive');
      return list[list.length - 1];
    },
    async tick(at) {
      if (at !== undefined) clock.set(at);
      await app.scheduler.tickOnce(clock.now());
    },
    async stop() {
      emulator.stopRedeliveries();
      await app.stop();
      await standalone?.close();
      await database.drop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
}
