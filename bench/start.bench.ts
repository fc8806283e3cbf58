// Cold start and memory of the compiled build (issue 17 goal 3): `node dist/src/main.js` in local
// mode on a migrated SQLite database (a first start migrates and seeds; the second is measured),
// time from spawn to the first 200 of /healthz, RSS once idle (10 s after start). Then memory
// under a burst: the same build started as in production (webhook mode, its own app id, encrypt
// key and verification token; local mode makes up keys nobody outside knows) against a Feishu
// emulator in this process, 5 bursts of 200 concurrent signed events ("@主题日助手 帮助", as
// webhook.bench.ts posts them) taken in and processed (every reply through the outbox to the
// emulator), run with the Node options the Dockerfile sets (ENV NODE_OPTIONS); the peak RSS (VmHWM)
// until 10 s after the last burst. Goals: < 1.5 s to /healthz,
// < 150 MB RSS idle, < 300 MB under the burst. Needs `npm run build` first (skipped otherwise).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchResult } from './run.ts';
import { round, sleep } from './support.ts';
import { messageEvent, postSigned, signed } from './feishu-requests.ts';

const MAIN = path.resolve('dist/src/main.js');

/** VmRSS (now) or VmHWM (the peak since the process started) in MB. */
function rssMb(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const line = status.split('\n').find((l) => l.startsWith(`${field}:`)) ?? '';
  return round(Number(/(\d+)/.exec(line)?.[1] ?? NaN) / 1024, 1);
}

/** The Node options the image runs with (`ENV NODE_OPTIONS` in the Dockerfile). */
const DOCKER_NODE_OPTIONS = /^ENV NODE_OPTIONS="?([^"\n]*)"?$/m.exec(readFileSync('Dockerfile', 'utf8'))?.[1] ?? '';

const BURSTS = 5;
const BURST = 200;

/** Bursts of signed events at the running app; the count of 2xx answers. */
async function bursts(url: string, keys: { encryptKey: string; verificationToken: string; appId: string; botOpenId: string }): Promise<number> {
  let ok = 0;
  for (let r = 0; r < BURSTS; r++) {
    const answers = await Promise.all(Array.from({ length: BURST }, (_, i) => postSigned(`${url}/feishu/events`, signed(keys, messageEvent(keys, r * BURST + i, `mem${r}`).body))));
    ok += answers.filter((a) => a.status >= 200 && a.status < 300).length;
  }
  return ok;
}

/**
 * Spawns the build and polls /healthz until it answers 200: in local mode once the app printed its
 * address (as the figures in bench/README.md were always taken), otherwise on its PORT.
 */
async function start(env: Record<string, string>): Promise<{ child: ChildProcess; url: string; msToHealthz: number }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [MAIN], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const local = env.FEISHU_APP_ID === undefined;
  for (;;) {
    const port = local ? /localhost:(\d+)\//.exec(out)?.[1] : env.PORT;
    if (port) {
      const url = `http://127.0.0.1:${port}`;
      const ok = await fetch(`${url}/healthz`)
        .then((r) => r.ok)
        .catch(() => false);
      if (ok) return { child, url, msToHealthz: performance.now() - t0 };
    }
    if (child.exitCode !== null) throw new Error(`app exited: ${out}`);
    if (performance.now() - t0 > 60_000) throw new Error(`no start in 60 s: ${out}`);
    await sleep(5);
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(10_000)]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

/** A port free right now (the app refuses PORT=0). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export default async function startBench(): Promise<BenchResult[]> {
  if (!existsSync(MAIN)) {
    console.log('[bench] start: dist/src/main.js missing, run `npm run build` first');
    return [];
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'themeday-start-'));
  const env = { NODE_ENV: 'production', PORT: String(await freePort()), HOST: '127.0.0.1', LOG_LEVEL: 'warn', DATABASE_URL: `file:${path.join(dir, 'app.db')}`, STORAGE_DIR: path.join(dir, 'files') };
  try {
    const first = await start(env); // migrates and seeds the demo county
    await stop(first.child);
    const times: number[] = [];
    let rssIdle = NaN;
    for (let i = 0; i < 3; i++) {
      const s = await start(env);
      times.push(s.msToHealthz);
      if (i === 2) {
        await sleep(10_000);
        rssIdle = rssMb(s.child.pid!);
      }
      await stop(s.child);
    }

    // Under a burst, started as in production against an emulator (the migrated database above),
    // with the Node options the Dockerfile sets. Loaded here, after the cold starts were timed.
    const [{ createEmulator }, { demoEmulatorSeed }] = await Promise.all([import('../src/emulator/index.ts'), import('../src/app/create-app.ts')]);
    const keys = { appId: `cli_${randomBytes(8).toString('hex')}`, appSecret: randomBytes(16).toString('hex'), encryptKey: randomBytes(16).toString('hex'), verificationToken: randomBytes(16).toString('hex') };
    const emu = createEmulator({ ...keys, eventMode: 'webhook' });
    const emuServer = await emu.listen(0);
    emu.seed(demoEmulatorSeed());
    const prod = await start({
      ...env,
      FEISHU_APP_ID: keys.appId,
      FEISHU_APP_SECRET: keys.appSecret,
      FEISHU_ENCRYPT_KEY: keys.encryptKey,
      FEISHU_VERIFICATION_TOKEN: keys.verificationToken,
      FEISHU_DOMAIN: emuServer.url,
      FEISHU_EVENT_MODE: 'webhook',
      NODE_OPTIONS: DOCKER_NODE_OPTIONS,
    });
    let prodIdle = NaN;
    let rssPeak = NaN;
    let rssAfter = NaN;
    let acked = 0;
    let burstS = NaN;
    let messageCalls = 0;
    try {
      await sleep(10_000);
      prodIdle = rssMb(prod.child.pid!);
      const t = performance.now();
      acked = await bursts(prod.url, { ...keys, botOpenId: emu.botOpenId });
      burstS = (performance.now() - t) / 1000;
      // processing (the inbox, then every reply through the outbox) continues after the acks
      await sleep(10_000);
      rssPeak = rssMb(prod.child.pid!, 'VmHWM');
      rssAfter = rssMb(prod.child.pid!);
      messageCalls = emu.calls({ path: /\/im\/v1\/messages/ }).length;
    } finally {
      await stop(prod.child);
      await emuServer.close();
    }
    return [
      {
        name: 'compiled build, SQLite (migrated), local mode',
        figures: {
          'cold start to /healthz ms (best of 3)': round(Math.min(...times)),
          'cold start to /healthz ms (median)': round([...times].sort((a, b) => a - b)[1]!),
          'goal ms': 1500,
          'RSS idle MB (10 s after start)': rssIdle,
          'goal idle MB': 150,
          'production mode NODE_OPTIONS (Dockerfile)': DOCKER_NODE_OPTIONS || '(none)',
          'RSS idle MB, production mode': prodIdle,
          [`events acked (${BURSTS} bursts × ${BURST})`]: acked,
          'bursts s': round(burstS, 1),
          'message API calls after 10 s': messageCalls,
          'RSS peak MB (to 10 s after the bursts)': rssPeak,
          'RSS MB 10 s after the bursts': rssAfter,
          'goal under burst MB': 300,
          'load avg 1 min': round(os.loadavg()[0]!, 1),
        },
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
