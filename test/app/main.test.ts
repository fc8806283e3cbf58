// `npm start` as a process: bad config exits non-zero naming the variable; local mode serves the
// workspace, the emulator and /healthz on one port and exits 0 on SIGTERM. Plus /healthz, /readyz.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.ts';

const MAIN = ['--import', 'tsx', 'src/main.ts'];
const baseEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'silent', NODE_ENV: 'test' };

describe('main: configuration errors', () => {
  it.each([
    ['PORT', { PORT: 'abc' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://nope' }],
    ['FEISHU_EVENT_MODE', { FEISHU_EVENT_MODE: 'carrier-pigeon' }],
  ])('%s', (name, env) => {
    const r = spawnSync(process.execPath, MAIN, { env: { ...baseEnv, ...env }, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(name);
    expect(r.stderr).toContain('配置错误');
  });
});

describe('main: local mode', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'themeday-main-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves the workspace and /healthz with the demo county, then stops cleanly on SIGTERM', async () => {
    const port = 40_000 + Math.floor(Math.random() * 20_000);
    const child = spawn(process.execPath, MAIN, {
      env: { ...baseEnv, NODE_ENV: 'development', PORT: String(port), DATABASE_URL: `file:${path.join(dir, 'db.sqlite')}`, STORAGE_DIR: path.join(dir, 'files') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      const end = Date.now() + 90_000;
      while (!out.includes('主题日助手已启动（本地模式）')) {
        if (Date.now() > end || child.exitCode !== null) throw new Error(`did not start: ${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(out).toContain(`http://localhost:${port}/`);
      expect(out).toContain('local mode');
      const page = await fetch(`http://127.0.0.1:${port}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<html');
      expect(await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()).toEqual({ status: 'ok' });
      const state = await (await fetch(`http://127.0.0.1:${port}/_emulator/api/state`)).text();
      expect(state).toContain('星沙街道');
      expect(state).toContain('县政务公开办 · 协调人');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 120_000);
});

describe('health endpoints', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ provider: 'sqlite', features: () => [], seedDemo: false });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('/healthz answers once the database does; /readyz reports database, Feishu token and contributed checks', async () => {
    const health = await fetch(`${h.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${h.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok', database: 'ok', feishu: 'ok' });
    h.services.readiness!.push({ name: 'holidays', check: async () => ({ ok: false, detail: '缺少 2027 年节假日数据' }) });
    const degraded = await fetch(`${h.url}/readyz`);
    expect(degraded.status).toBe(503);
    expect(await degraded.json()).toMatchObject({ status: 'degraded', database: 'ok', feishu: 'ok', holidays: { ok: false } });
  });
});
