// Wires the whole app: database, services, bot + features, outbox worker, scheduler, HTTP (and
// in local mode the in-process Feishu emulator and workspace on the same port), long connection.
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import express from 'express';
import type { Config } from '../config.ts';
import { openDatabase, type Database, type Db } from '../adapters/db/database.ts';
import { createFeishuGateway } from '../adapters/feishu/gateway.ts';
import { LocalFileStorage } from '../adapters/files/storage.ts';
import { createHttpApp } from '../adapters/http/app.ts';
import { createFeishuRouter } from '../adapters/http/feishu-routes.ts';
import { Scheduler } from '../adapters/jobs/scheduler.ts';
import { OutboxWorker } from '../adapters/outbox/worker.ts';
import type { Emulator, EmulatorOptions, SeedInput } from '../emulator/types.ts';
import type { RateTime } from '../ports/rate-time.ts';
import { createDeskRouter } from '../desk/router.ts';
import { createFeishuSignIn, type FeishuSignIn } from '../adapters/feishu/sign-in.ts';
import { DEMO_OFFICE, DEMO_UNITS } from '../domain/demo-directory.ts';
import { seedDemoDirectoryOnce } from '../usecases/seed-demo-directory.ts';
import { registerFeatures } from '../handlers/index.ts';
import type { FeishuGateway } from '../ports/feishu.ts';
import { systemClock, type Clock } from '../ports/clock.ts';
import { Bot, type AppServices } from './bot.ts';
import { filePorts } from './file-ports.ts';
import { Inbox, inboundPruneJob, isTransientDbError } from './inbox.ts';
import { CardAdmission, QUEUED_TOAST, type CardAdmissionOptions, type CardQueue } from './card-intake.ts';
import type { Job } from './jobs.ts';
import { createLogger, type Logger } from './log.ts';
import { AppMetrics } from './metrics.ts';
import type { InboundEvent } from './events.ts';

export interface CreateAppOptions {
  config: Config;
  clock?: Clock;
  logger?: Logger;
  gateway?: FeishuGateway;
  /** features to register (default: src/handlers registerFeatures) */
  features?: (bot: Bot) => Job[];
  /** local mode: overrides for the in-process emulator (tests: short re-delivery delays, fixed keys) */
  emulator?: Partial<EmulatorOptions>;
  /**
   * local mode: the emulated Feishu's chats, messages and files outlive a restart, kept under
   * STORAGE_DIR/emulator as the database keeps the campaign (`npm start` does; tests start empty)
   */
  keepEmulatorState?: boolean;
  /** seed the demo directory (default: config.localDemo in local mode) */
  seedDemo?: boolean;
  outbox?: { pollMs?: number; leaseMs?: number; concurrency?: number; batchSize?: number };
  /**
   * The timeline Feishu's rate windows are counted on, for the outbox's limiter and the local
   * emulator (default: wall time, src/ports/rate-time.ts; the simulated year shares a virtual one).
   */
  rateTime?: RateTime;
  /** the inbound event inbox's background polling (retries, events another instance took in) */
  inbox?: { pollMs?: number };
  /** card callbacks processed inline at once; the rest are queued in the inbox (src/app/card-intake.ts) */
  cardAdmission?: CardAdmissionOptions;
  /** start the per-minute cron (default true; tests tick by hand) */
  cron?: boolean;
  /** with the cron: return once listening and run the start hooks in the background (/readyz not ready until done); `npm start` does */
  startHooksInBackground?: boolean;
  /** how long stop() waits for in-flight events (default half of SHUTDOWN_TIMEOUT_SECONDS) */
  drainTimeoutMs?: number;
}

export interface App {
  config: Config;
  database: Database;
  db: Db;
  services: AppServices;
  bot: Bot;
  jobs: Job[];
  worker: OutboxWorker;
  /** webhook events are acknowledged into it and processed from it */
  inbox: Inbox;
  /** which card callbacks are processed inline and which are queued (src/app/card-intake.ts) */
  cardAdmission: CardAdmission;
  scheduler: Scheduler;
  metrics: AppMetrics;
  /** local mode only */
  emulator: Emulator | undefined;
  /** http://127.0.0.1:port */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** The emulator's directory for local mode: every demo unit's group with its people, plus the office group. */
export function demoEmulatorSeed(): SeedInput {
  const coordinator = DEMO_OFFICE.coordinator;
  const users = new Map<string, SeedInput['users'][number]>();
  users.set(coordinator.openId, { openId: coordinator.openId, name: coordinator.name, title: `${DEMO_OFFICE.name} · 协调人` });
  const chats: SeedInput['chats'] = [{ chatId: DEMO_OFFICE.chatId, name: DEMO_OFFICE.chatName, memberOpenIds: [coordinator.openId], botMember: true }];
  for (const unit of DEMO_UNITS) {
    const members: string[] = [];
    for (const l of unit.liaisons) {
      if (!l.openId) continue;
      users.set(l.openId, { openId: l.openId, name: l.name, title: `${unit.name} · 联系人` });
      members.push(l.openId);
    }
    if (unit.leaderOpenId) {
      users.set(unit.leaderOpenId, { openId: unit.leaderOpenId, name: unit.leaderName ?? '分管领导', title: `${unit.name} · 分管领导` });
      members.push(unit.leaderOpenId);
    }
    members.push(coordinator.openId);
    chats.push({ chatId: unit.chatId, name: unit.chatName, memberOpenIds: members, botMember: true });
  }
  return { users: [...users.values()], chats };
}

export async function createApp(options: CreateAppOptions): Promise<App> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const log = options.logger ?? createLogger(config.logLevel);
  const database = await openDatabase(config.databaseUrl);
  const db = database.client;
  const cleanup: (() => Promise<void>)[] = [() => database.close()];
  const metrics = new AppMetrics({ database, clock, config });
  // Graceful shutdown: once draining, Feishu pushes get 503 (Feishu pushes them again later) and
  // stop() waits for the events already being handled before anything else closes.
  let draining = false;
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>): Promise<T> => {
    inFlight.add(p);
    void p.catch(() => undefined).finally(() => inFlight.delete(p));
    return p;
  };

  try {
    const local = config.local;
    // Local mode signs and encrypts pushes like production, with a key made up per run.
    const encryptKey = local ? (options.emulator?.encryptKey ?? randomBytes(16).toString('hex')) : config.feishu.encryptKey;
    const verificationToken = local ? (options.emulator?.verificationToken ?? config.feishu.verificationToken ?? randomBytes(12).toString('hex')) : config.feishu.verificationToken;

    const feishuSlot = express.Router();
    let emulator: Emulator | undefined;
    const extra: express.Router[] = [];
    if (local) {
      // The emulator and its workspace (ws, busboy, the card schema) only in local mode: production
      // does not load them.
      const [{ createEmulator }, { createWorkspaceRouter }] = await Promise.all([import('../emulator/index.ts'), import('../emulator/workspace/router.ts')]);
      emulator = createEmulator({
        appId: config.feishu.appId,
        appSecret: config.feishu.appSecret,
        now: () => clock.now(),
        rateTime: options.rateTime,
        ...(options.keepEmulatorState
          ? {
              stateDir: path.join(config.storageDir, 'emulator'),
              onStateError: (error: unknown, during: 'load' | 'save') => log.error(during === 'load' ? 'local Feishu state unreadable: kept aside, started empty' : 'local Feishu state not saved', { error }),
            }
          : {}),
        ...options.emulator,
        verificationToken,
        encryptKey,
      });
      extra.push(createWorkspaceRouter(emulator), emulator.router);
    }

    const servicesRef: { current?: AppServices } = {};
    // The coordinator's desk (/desk): same process, same use cases; signs in through Feishu (local mode: the emulator).
    let signIn: FeishuSignIn | undefined;
    let signInDomain = config.feishu.domain;
    extra.unshift(
      createDeskRouter({
        services: () => servicesRef.current!,
        signIn: () => (signIn ??= createFeishuSignIn({ appId: config.feishu.appId, appSecret: config.feishu.appSecret, domain: signInDomain })),
      }),
    );
    const app = createHttpApp({
      get services(): AppServices {
        return servicesRef.current!;
      },
      ping: () => database.ping(),
      feishu: feishuSlot,
      extra,
      log,
      metrics: { text: () => metrics.text(), contentType: metrics.contentType, token: config.metricsToken },
      draining: () => draining,
    });
    const server = http.createServer(app);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, local && config.host === '0.0.0.0' ? '127.0.0.1' : config.host, () => resolve());
    });
    cleanup.unshift(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          setTimeout(() => server.closeAllConnections(), 2000).unref();
          server.closeIdleConnections();
        }),
    );
    const port = (server.address() as AddressInfo).port;
    const url = `http://127.0.0.1:${port}`;
    if (local) signInDomain = url;
    if (emulator) {
      emulator.setBotUrl(url);
      cleanup.unshift(async () => {
        emulator?.stopRedeliveries();
        await emulator?.flushState();
      });
    }

    const gateway = options.gateway ?? createFeishuGateway({ appId: config.feishu.appId, appSecret: config.feishu.appSecret, domain: local ? url : config.feishu.domain });
    const services: AppServices = {
      config,
      db,
      clock,
      gateway,
      storage: new LocalFileStorage(config.storageDir),
      ...filePorts(config),
      log,
      // The worker is built below; nothing dispatches before then.
      kickOutbox: () => worker.kick(),
      readiness: [],
      ...(local ? { publicBaseUrl: url } : {}),
    };
    servicesRef.current = services;
    const bot = new Bot(services);
    const jobs = (options.features ?? registerFeatures)(bot);

    const worker = new OutboxWorker({
      db,
      provider: database.provider,
      gateway,
      storage: services.storage,
      clock,
      log: log.child({ component: 'outbox' }),
      config,
      metrics,
      rateTime: options.rateTime,
      ...options.outbox,
    });
    const cardAdmission = new CardAdmission(options.cardAdmission);
    const inbox = new Inbox({
      db,
      provider: database.provider,
      clock,
      log: log.child({ component: 'inbox' }),
      // A card callback in the inbox was queued by the admission rule and answered already: its
      // result goes out as a delayed update, written with its effect.
      dispatch: (event, receivedAt) => {
        const work = metrics.timeDispatch(event, () => bot.dispatch(event, receivedAt, { answered: event.kind === 'card_action' }));
        if (event.kind === 'card_action') return work.finally(() => cardAdmission.settled(event));
        return work;
      },
      kickOutbox: () => worker.kick(),
      coordinatorChatId: config.coordinatorChatId,
      ...options.inbox,
    });
    // Infrastructure jobs run beside the features' jobs: old dedupe records are pruned.
    const scheduler = new Scheduler({ services, jobs: [...jobs, inboundPruneJob()] });

    const botOpenId = () => gateway.botInfo().then((b) => b.openId);
    // Every inbound event (webhook or long connection) is timed and tracked for shutdown.
    // While draining, a new event is refused (webhook 503 / long connection error) so Feishu
    // delivers it again, to this instance after its restart or to another one.
    const dispatch = (event: InboundEvent) => (draining ? Promise.reject(new Error('shutting down')) : track(metrics.timeDispatch(event, () => bot.dispatch(event))));
    const cardQueue: CardQueue = {
      tryInline: () => cardAdmission.tryInline(),
      queue: async (event) => {
        if (draining) throw new Error('shutting down');
        if (event.kind !== 'card_action') return inbox.accept(event);
        // Marked before the insert: the inbox may process it as soon as it is stored.
        cardAdmission.queued(event);
        const stored = await track(inbox.accept(event)).catch((error: unknown) => {
          cardAdmission.settled(event);
          throw error;
        });
        if (stored === 'duplicate') cardAdmission.settled(event);
        return stored;
      },
      queuedToast: QUEUED_TOAST,
    };
    feishuSlot.use(
      createFeishuRouter({
        dispatch,
        // Webhook events: acknowledged once stored in the inbox, processed from there in order per chat.
        accept: (event) => (draining ? Promise.reject(new Error('shutting down')) : track(inbox.accept(event))),
        arriving: () => inbox.arriving(),
        cardFailed: (event, error) => (isTransientDbError(error) ? Promise.resolve() : inbox.recordFailed(event, error)),
        lateResponse: (event, response) => bot.deliverLateResponse(event, response),
        cardQueue,
        log: log.child({ component: 'feishu' }),
        encryptKey,
        verificationToken,
        botOpenId,
      }),
    );

    // Tests may seed a non-local app too (long-connection mode against a standalone emulator).
    if (options.seedDemo ?? (local && config.localDemo)) {
      // Only when the directory is empty or the built-in one changed (a restart skips it).
      await seedDemoDirectoryOnce(db, { actorOpenId: 'system', now: clock.now() });
      // A restored emulator keeps its own people and chats (the bot removed from one stays removed).
      emulator?.seed(demoEmulatorSeed(), { missingOnly: emulator.restored });
    }

    worker.start();
    cleanup.unshift(() => worker.stop());
    inbox.start();
    cleanup.unshift(() => inbox.stop());
    if ((options.cron ?? true) && options.startHooksInBackground) {
      // The server listens already: return (and answer /healthz) while the start hooks catch up
      // (reminders missed during downtime); /readyz says not ready until they are done. Safe: a
      // start hook is a tick's work, and ticks already run beside inbound events.
      let hooks: 'running' | 'done' = 'running';
      const starting = scheduler.start().finally(() => (hooks = 'done'));
      services.readiness?.push({ name: 'startHooks', check: async () => ({ ok: hooks === 'done', detail: hooks }) });
      cleanup.unshift(async () => {
        await starting.catch(() => undefined);
        await scheduler.stop();
      });
    } else {
      if (options.cron ?? true) await scheduler.start();
      else await scheduler.runStartHooks(clock.now());
      cleanup.unshift(() => scheduler.stop());
    }

    if (!local && config.feishu.eventMode === 'ws') {
      const dispatching = {
        dispatch,
        deliverLateResponse: (event: InboundEvent, response: Parameters<Bot['deliverLateResponse']>[1]) => bot.deliverLateResponse(event, response),
        // Events over the socket take the webhook's path: acknowledged once stored in the inbox.
        accept: (event: InboundEvent) => (draining ? Promise.reject(new Error('shutting down')) : track(inbox.accept(event))),
        recordFailed: (event: InboundEvent, error: unknown) => inbox.recordFailed(event, error),
        isTransient: isTransientDbError,
        cardQueue,
      };
      // Loaded only in this mode: it pulls in the whole SDK at once (src/adapters/feishu/gateway.ts loads it on first use).
      const { startLongConnection } = await import('../adapters/feishu/long-connection.ts');
      const connection = await startLongConnection({ config, bot: dispatching, gateway, db, log: log.child({ component: 'ws' }), clock });
      cleanup.unshift(() => connection.close());
      // /readyz shows whether Feishu can reach us: events wait (and are re-pushed) while it reconnects.
      services.readiness?.push({ name: 'longConnection', check: async () => ({ ok: connection.state() === 'connected', detail: connection.state() }) });
    }
    // First step of stop(): no new events, then wait for those being handled (their transactions
    // and outbox rows), bounded. Then the scheduler, the worker (finishes or releases its rows),
    // the HTTP server and the database, in that order.
    cleanup.unshift(async () => {
      draining = true;
      // Half the shutdown budget at most: the worker and the database still need their turn.
      const deadline = new Promise((r) => setTimeout(r, options.drainTimeoutMs ?? config.shutdownTimeoutMs / 2).unref());
      await Promise.race([Promise.allSettled([...inFlight]), deadline]);
    });

    let stopping: Promise<void> | undefined;
    return {
      config,
      database,
      db,
      services,
      bot,
      jobs,
      worker,
      inbox,
      cardAdmission,
      scheduler,
      metrics,
      emulator,
      url,
      port,
      stop() {
        stopping ??= (async () => {
          for (const fn of cleanup) {
            try {
              await fn();
            } catch (error) {
              log.error('shutdown step failed', { error });
            }
          }
        })();
        return stopping;
      },
    };
  } catch (error) {
    for (const fn of cleanup) await fn().catch(() => undefined);
    throw error;
  }
}
