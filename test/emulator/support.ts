// Shared helpers for the emulator tests: a fresh SDK client per test and a tiny express "bot".
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Request, type Response } from 'express';
import * as lark from '@larksuiteoapi/node-sdk';
import { createEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.ts';

export const APP_ID = 'cli_a1b2c3d4e5f60718';
export const APP_SECRET = 'secret-for-tests';

export const USERS = {
  coord: { openId: 'ou_coord000000000000000000000001', name: '李协调', title: '县政务公开办 · 协调人' },
  xs: { openId: 'ou_xingsha0000000000000000000002', name: '王星沙', title: '星沙街道 · 联系人' },
  edu: { openId: 'ou_edu000000000000000000000000003', name: '赵教育', title: '县教育局 · 联系人' },
  outsider: { openId: 'ou_outsider00000000000000000004', name: '钱路人' },
};
export const GROUP = 'oc_group0000000000000000000000001';
export const NO_BOT_GROUP = 'oc_group0000000000000000000000002';

type SdkCache = NonNullable<ConstructorParameters<typeof lark.Client>[0]['cache']>;

/** A per-client token cache, so tests never share the SDK's process-wide one. */
export function freshCache(): SdkCache {
  const store = new Map<string, { value: unknown; expire?: number }>();
  // eslint-disable-next-line @typescript-eslint/no-wrapper-object-types -- the SDK's Cache type uses `Symbol`
  const k = (key: string | Symbol, ns?: string): string => `${ns ?? ''}:${String(key)}`;
  return {
    get: async (key, o) => {
      const hit = store.get(k(key, o?.namespace));
      if (!hit) return undefined;
      if (hit.expire !== undefined && hit.expire < Date.now()) return undefined;
      return hit.value;
    },
    set: async (key, value, expire, o) => {
      store.set(k(key, o?.namespace), expire === undefined ? { value } : { value, expire });
      return true;
    },
  };
}

export function sdkClient(url: string, appSecret = APP_SECRET): lark.Client {
  return new lark.Client({ appId: APP_ID, appSecret, domain: url, cache: freshCache(), loggerLevel: lark.LoggerLevel.error });
}

export interface Started {
  emu: Emulator;
  url: string;
  client: lark.Client;
  close(): Promise<void>;
}

export async function startEmulator(opts: Partial<EmulatorOptions> = {}): Promise<Started> {
  const emu = createEmulator({ appId: APP_ID, appSecret: APP_SECRET, verificationToken: 'vt-test', redeliveryDelaysMs: [50, 100], ...opts });
  emu.seed({
    users: Object.values(USERS),
    chats: [
      { chatId: GROUP, name: '主题日工作群', memberOpenIds: [USERS.coord.openId, USERS.xs.openId, USERS.edu.openId] },
      { chatId: NO_BOT_GROUP, name: '没有机器人的群', memberOpenIds: [USERS.coord.openId], botMember: false },
    ],
  });
  const server = await emu.listen(0);
  return { emu, url: server.url, client: sdkClient(server.url), close: () => server.close() };
}

export interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  raw: string;
  body: Record<string, unknown>;
}

export interface TestBot {
  url: string;
  received: Received[];
  /** Decide the answer per request; default: 200 {}. */
  handle: (r: Received, res: Response) => void | Promise<void>;
  close(): Promise<void>;
}

export async function startBot(): Promise<TestBot> {
  const app = express();
  const bot: TestBot = {
    url: '',
    received: [],
    handle: (_r, res) => {
      res.status(200).json({});
    },
    close: async () => undefined,
  };
  app.post(['/feishu/events', '/feishu/cards'], express.text({ type: () => true }), async (req: Request, res: Response) => {
    const raw = typeof req.body === 'string' ? req.body : '';
    const r: Received = { path: req.path, headers: req.headers, raw, body: JSON.parse(raw) as Record<string, unknown> };
    bot.received.push(r);
    await bot.handle(r, res);
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  bot.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  bot.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return bot;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function card(elements: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { schema: '2.0', config: { update_multi: true }, header: { template: 'blue', title: { tag: 'plain_text', content: '测试卡片' } }, body: { elements }, ...extra };
}

export const simpleCard = (text = '你好'): Record<string, unknown> => card([{ tag: 'markdown', content: text }]);

/** The Feishu error body of a rejected SDK call (HTTP 4xx/5xx). */
export function errorOf(e: unknown): { status: number | undefined; code: number | undefined; msg: string | undefined; headers: Record<string, string> } {
  const err = e as { response?: { status?: number; data?: { code?: number; msg?: string }; headers?: Record<string, string> } };
  return { status: err.response?.status, code: err.response?.data?.code, msg: err.response?.data?.msg, headers: err.response?.headers ?? {} };
}

export async function rejection(p: Promise<unknown>): Promise<ReturnType<typeof errorOf>> {
  try {
    await p;
  } catch (e) {
    return errorOf(e);
  }
  throw new Error('expected the call to fail');
}
