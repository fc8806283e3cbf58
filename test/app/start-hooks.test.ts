// `npm start` returns once listening and runs the start hooks (downtime catch-up) in the background
// (issue 17: cold start): /healthz answers meanwhile, /readyz says not ready until they are done.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createApp, type App } from '../../src/app/create-app.ts';
import { createLogger } from '../../src/app/log.ts';
import { FakeClock } from '../../src/ports/clock.ts';
import { createEmptyDatabase, type TestDatabaseUrl } from '../support/db.ts';
import { waitUntil } from '../support/kit.ts';

describe('start hooks in the background (sqlite)', () => {
  let database: TestDatabaseUrl;
  let dir: string;
  let app: App;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const calls: string[] = [];

  beforeAll(async () => {
    database = await createEmptyDatabase('sqlite');
    dir = mkdtempSync(path.join(os.tmpdir(), 'themeday-hooks-'));
    const config = {
      ...loadConfig({ NODE_ENV: 'test', DATABASE_URL: database.url, STORAGE_DIR: path.join(dir, 'files'), LOG_LEVEL: 'silent', LOCAL_DEMO: 'false' }),
      port: 0,
      host: '127.0.0.1',
    };
    app = await createApp({
      config,
      clock: new FakeClock('2026-03-02T01:30:00Z'),
      logger: createLogger('silent'),
      features: () => [
        {
          name: 'slow-catch-up',
          run: async () => {
            calls.push('run');
          },
          onStart: async () => {
            calls.push('start:begin');
            await gate;
            calls.push('start:end');
          },
        },
      ],
      seedDemo: false,
      startHooksInBackground: true,
    });
  });
  afterAll(async () => {
    release();
    await app?.stop();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('returns while a start hook runs: /healthz answers, /readyz is not ready until the hook is done', async () => {
    expect(calls).toEqual(['start:begin']);
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    const pending = await fetch(`${app.url}/readyz`);
    expect(pending.status).toBe(503);
    expect(await pending.json()).toMatchObject({ startHooks: { ok: false, detail: 'running' } });

    release();
    await waitUntil(() => calls.includes('start:end'));
    await waitUntil(async () => (await fetch(`${app.url}/readyz`)).status === 200);
    expect(await (await fetch(`${app.url}/readyz`)).json()).toMatchObject({ status: 'ok', startHooks: { ok: true, detail: 'done' } });
  });
});
