// `npm run cli -- doctor` against the emulator through the real SDK: a healthy app passes every
// check; a missing scope and a removed bot are reported with Feishu's error and the console path
// that fixes them; bad credentials stop early; webhook mode checks both public URLs' challenge.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.ts';
import type { CliIo } from '../../src/cli/io.ts';
import { loadConfig } from '../../src/config.ts';
import { demoEmulatorSeed } from '../../src/app/create-app.ts';
import { createEmulator, type Emulator } from '../../src/emulator/index.ts';
import { seedDemoDirectory } from '../../src/usecases/seed-demo-directory.ts';
import { DEMO_UNITS } from '../../src/domain/demo-directory.ts';
import { createTestDatabase, PROVIDERS_UNDER_TEST, type TestDatabase } from '../support/db.ts';

const provider = PROVIDERS_UNDER_TEST[0]!;

describe(`doctor (${provider})`, () => {
  let db: TestDatabase;
  let emu: Emulator;
  let server: { url: string; close(): Promise<void> };
  const appId = `cli_${randomBytes(8).toString('hex')}`;
  const appSecret = randomBytes(16).toString('hex');

  beforeAll(async () => {
    db = await createTestDatabase(provider);
    await seedDemoDirectory(db.client, { actorOpenId: 'system', now: new Date('2026-03-02T01:30:00Z') });
    emu = createEmulator({ appId, appSecret });
    emu.seed(demoEmulatorSeed());
    server = await emu.listen(0);
  });
  afterAll(async () => {
    await server?.close();
    await db?.destroy();
  });

  async function doctor(env: Record<string, string> = {}, args: string[] = []) {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = {
      stdout: (t) => out.push(...t.split('\n')),
      stderr: (t) => err.push(...t.split('\n')),
      now: () => new Date('2026-03-02T01:30:00Z'),
      openDb: async () => db,
      config: () => loadConfig({ DATABASE_URL: db.url, FEISHU_APP_ID: appId, FEISHU_APP_SECRET: appSecret, FEISHU_DOMAIN: server.url, FEISHU_EVENT_MODE: 'ws', ...env }),
    };
    const code = await runCli(['doctor', ...args], io);
    return { code, out, err };
  }

  it('passes every check for a healthy app, one line each', async () => {
    const r = await doctor();
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    const groups = await db.client.groupChat.count({ where: { status: { in: ['bound', 'coordinator'] } } });
    expect(r.out.filter((l) => l.startsWith('✓ 群「'))).toHaveLength(groups);
    expect(r.out).toContain('✓ 令牌：应用 ' + appId + ' 的凭证有效，已获取 tenant_access_token');
    expect(r.out.some((l) => l.startsWith('✓ 机器人：「主题日助手」已启用'))).toBe(true);
    expect(r.out.filter((l) => l.startsWith('✓ 权限：'))).toHaveLength(8);
    expect(r.out.some((l) => l.startsWith('✓ 事件订阅（长连接）'))).toBe(true);
    expect(r.out.at(-1)).toBe('全部通过。');
    // Read-only: nothing was sent, uploaded or changed.
    expect(emu.calls({ method: 'POST' }).filter((c) => c.code === 0 && /messages|images|files/.test(c.path))).toEqual([]);
  });

  it('reports a missing scope with Feishu’s error and a bot removed from a group', async () => {
    const unit = DEMO_UNITS.find((u) => u.chatId)!;
    emu.faults.scope('im:message.urgent', false);
    await emu.removeBotFromChat(unit.chatId, 'ou_someone');
    try {
      const r = await doctor();
      expect(r.code).toBe(1);
      const scope = r.out.find((l) => l.startsWith('✗ 权限：加急提醒'));
      expect(scope).toContain('缺少权限 im:message.urgent（飞书返回 99991672）');
      expect(scope).toContain('「权限管理」→ 搜索 im:message.urgent → 开通权限');
      expect(scope).toContain('创建版本并发布');
      const group = r.out.find((l) => l.includes(`（${unit.name}）`));
      expect(group).toMatch(/^✗ 群「.+」（.+）：机器人已不在群里/);
      expect(group).toContain('「群机器人」→「添加机器人」');
      expect(r.out.filter((l) => l.startsWith('✗'))).toHaveLength(2);
      expect(r.out.at(-1)).toContain('2 项未通过');
    } finally {
      emu.faults.scope('im:message.urgent', true);
      await emu.addBotToChat(unit.chatId, 'ou_someone');
    }
  });

  it('stops at the token when the secret is wrong, and refuses local mode', async () => {
    const r = await doctor({ FEISHU_APP_SECRET: 'wrong' });
    expect(r.code).toBe(1);
    expect(r.out[1]).toMatch(/^✗ 令牌：获取 tenant_access_token 失败：飞书返回 10014/);
    expect(r.out[1]).toContain('「凭证与基础信息」');
    const local = await doctor({ FEISHU_APP_ID: '' });
    expect(local.code).toBe(2);
    expect(local.err[0]).toContain('本地模式');
  });

  it('in webhook mode checks the challenge on both public URLs', async () => {
    const app = express();
    app.post('/feishu/events', express.json(), (req, res) => {
      res.json({ challenge: (req.body as { challenge?: string }).challenge });
    });
    app.post('/feishu/cards', (_req, res) => {
      res.status(500).end();
    });
    const bot = http.createServer(app);
    await new Promise<void>((resolve) => bot.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(bot.address() as AddressInfo).port}`;
      const r = await doctor({ FEISHU_EVENT_MODE: 'webhook' }, ['--url', url]);
      expect(r.out.find((l) => l.startsWith('✓ 事件请求地址（webhook）'))).toContain(`${url}/feishu/events 在 1 秒内正确返回 challenge`);
      expect(r.out.find((l) => l.startsWith('✗ 回调请求地址（webhook）'))).toContain('HTTP 500');
      const noUrl = await doctor({ FEISHU_EVENT_MODE: 'webhook' });
      expect(noUrl.out.some((l) => l.startsWith('! 事件订阅（webhook）：未检查公网地址'))).toBe(true);
      expect(noUrl.code).toBe(0);
    } finally {
      bot.closeAllConnections();
      await new Promise<void>((resolve) => bot.close(() => resolve()));
    }
  });
});
