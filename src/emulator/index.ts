// Local Feishu emulator: Open API subset over HTTP (works with an unchanged `lark.Client` whose `domain` is the
// emulator URL), event and card-callback pushes to the bot, fault injection, and a JSON/SSE API for the workspace.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { EmulatorCore } from './core.ts';
import { buildAuthenRouter } from './authen.ts';
import { buildPush } from './delivery.ts';
import { newNonce } from './ids.ts';
import { LongConnectionHub } from './long-connection.ts';
import { buildOpenApiRouter } from './openapi.ts';
import { buildWorkspaceApi } from './workspace-api.ts';
import { openEmulatorState } from './persistence.ts';
import type { Emulator, EmulatorOptions } from './types.ts';

export type * from './types.ts';
export { validateCard, validateCardContent, cardErrorMsg, CARD_SUBCODE, type CardValidation } from './card-schema.ts';
export { encryptPayload, decryptPayload, signPayload } from './crypto.ts';

export function createEmulator(options: EmulatorOptions): Emulator {
  const core = new EmulatorCore(options);
  const router = express.Router();
  const hub = new LongConnectionHub(
    { options, ackTimeoutMs: core.ackTimeoutMs, clock: () => core.clock(), unreachable: () => core.faults.unreachable },
    { ...(options.wsClientConfig ? { clientConfig: options.wsClientConfig } : {}), ...(options.wsFragmentBytes ? { fragmentBytes: options.wsFragmentBytes } : {}) },
  );
  const setEventMode = (mode: 'webhook' | 'ws'): void => {
    core.transport = mode === 'ws' ? (envelope) => hub.deliver(envelope) : undefined;
  };
  setEventMode(options.eventMode ?? 'webhook');
  const state = options.stateDir ? openEmulatorState(core, options.stateDir, options.onStateError) : undefined;
  if (state) {
    // Every change comes through a call that writes (the Open API, the workspace's API) or shows up
    // as a message or a card update (a person's send or click through the workspace).
    router.use((req, res, next) => {
      if (req.method !== 'GET' && req.method !== 'HEAD') res.on('finish', () => state.changed());
      next();
    });
    core.on('message', () => state.changed());
    core.on('update', () => state.changed());
  }

  const emu: Emulator = {
    router,
    options,
    botOpenId: core.botOpenId,
    botName: core.botName,
    faults: core.faults,
    setBotUrl: (url) => {
      core.botUrl = url?.replace(/\/+$/, '');
    },
    seed: (input, seedOptions) => {
      core.seed(input, seedOptions);
      state?.changed();
    },
    restored: state?.restored ?? false,
    flushState: async () => state?.flush(),
    addUser: (user) => core.addUser(user),
    createChat: (chat) => core.createChat(chat),
    userSendText: (openId, chatId, text, opts) => core.userSendText(openId, chatId, text, opts),
    userSendImage: (openId, chatId, image, fileName, opts) => core.userSendAttachment('image', openId, chatId, image, fileName, opts),
    userSendFile: (openId, chatId, file, fileName, opts) => core.userSendAttachment('file', openId, chatId, file, fileName, opts),
    userClickCard: (openId, messageId, action) => core.userClickCard(openId, messageId, action),
    addBotToChat: (chatId, operatorOpenId) => core.setBotMembership(chatId, operatorOpenId, true),
    removeBotFromChat: (chatId, operatorOpenId) => core.setBotMembership(chatId, operatorOpenId, false),
    p2pChatId: (openId) => core.p2pChatId(openId),
    messages: (chatId) => core.messages(chatId),
    message: (messageId) => core.messagesById.get(messageId),
    users: () => [...core.usersById.values()],
    chats: () => [...core.chatsById.values()],
    resetRateWindows: () => core.resetRateWindows(),
    calls: (filter) => core.callLog.filter((c) => (!filter?.path || filter.path.test(c.path)) && (!filter?.method || filter.method.toUpperCase() === c.method)),
    deliveries: (filter) => core.deliveryLog.filter((d) => !filter?.eventType || d.eventType === filter.eventType),
    on: (event, cb) => core.on(event, cb),
    uploadedFiles: () => [...core.files.values()],
    readCounts: core.readCounts,
    markRead: (openId, chatId) => {
      core.markRead(openId, chatId);
      state?.changed();
    },
    calendars: () => [...core.calendarsById.values()],
    calendarEvents: (calendarId) => [...core.eventsById.values()].filter((e) => !calendarId || e.calendarId === calendarId),
    idle: () => core.idle(),
    stopRedeliveries: () => core.stopRedeliveries(),
    setEventMode,
    longConnection: hub,
    attachUpgrade: (server) => hub.attach(server),
    listen: async (port, host = '127.0.0.1') => {
      const app = express();
      app.disable('x-powered-by');
      app.use(router);
      const server = http.createServer(app);
      hub.attach(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
      });
      const actual = (server.address() as AddressInfo).port;
      return {
        url: `http://${host}:${actual}`,
        port: actual,
        close: () =>
          new Promise<void>((resolve, reject) => {
            core.stopRedeliveries();
            hub.close();
            server.closeAllConnections();
            server.close((err) => (err ? reject(err) : resolve()));
          }),
      };
    },
  };
  if (options.botUrl) emu.setBotUrl(options.botUrl);
  router.use(hub.router());
  router.use(buildAuthenRouter(core));
  router.use(buildOpenApiRouter(core));
  router.use(buildWorkspaceApi(core, emu));
  return emu;
}

/**
 * Perform Feishu's URL verification against a bot (`POST ${botUrl}/feishu/events` by default) and report
 * whether it echoed the challenge within 1 s (Feishu's limit for this step).
 */
export async function verifyUrlChallenge(
  botUrl: string,
  opts: { verificationToken?: string; encryptKey?: string; path?: string; timeoutMs?: number } = {},
): Promise<{ ok: boolean; challenge: string; httpStatus?: number; body?: string; error?: string; ms: number }> {
  const challenge = newNonce() + newNonce();
  const payload = { challenge, token: opts.verificationToken ?? '', type: 'url_verification' };
  const { raw, headers } = buildPush(payload, opts.encryptKey, Date.now());
  const started = performance.now();
  try {
    const res = await fetch(`${botUrl.replace(/\/+$/, '')}${opts.path ?? '/feishu/events'}`, { method: 'POST', body: raw, headers, signal: AbortSignal.timeout(opts.timeoutMs ?? 1000) });
    const body = await res.text();
    const ms = Math.round(performance.now() - started);
    let echoed: unknown;
    try {
      echoed = (JSON.parse(body) as { challenge?: unknown }).challenge;
    } catch {
      echoed = undefined;
    }
    return { ok: res.status === 200 && echoed === challenge, challenge, httpStatus: res.status, body, ms };
  } catch (error) {
    return { ok: false, challenge, error: (error as Error).message, ms: Math.round(performance.now() - started) };
  }
}
