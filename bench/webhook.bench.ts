// Inbound acknowledgement under a burst (issue 17 goal 1, docs/reliability.md §9 L1): signed and
// encrypted im.message.receive_v1 events ("@主题日助手 帮助" from demo liaisons in their unit
// groups, each with its own event and message id) POSTed 200 at a time, all at once, to
// /feishu/events of the whole app (every feature registered; the inbox processes them in the
// background, competing for the same CPU). The floor runs in the same process and the same run:
// the official SDK's own express adapter (express + EventDispatcher + adaptExpress, a no-op
// handler) on its own port, fed the same kind of requests by the same client. Rounds alternate
// app / floor so both see the same machine load. Then a duplicate storm: one event, 200 copies at
// once, against both. The outbox worker does not run: this measures intake, not delivery.
import http from 'node:http';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import express from 'express';
import * as lark from '@larksuiteoapi/node-sdk';
import { messageEvent, postSigned as post, signed } from './feishu-requests.ts';
import type { Provider } from '../src/adapters/db/schema/providers.ts';
import type { BenchResult } from './run.ts';
import { benchProviders, percentile, round, sleep, startBenchApp, type BenchApp } from './support.ts';

const BURST = 200;
const ROUNDS = Number(process.env.BENCH_WEBHOOK_ROUNDS ?? 10);

interface Target {
  url: string;
  encryptKey: string;
  verificationToken: string;
  appId: string;
  botOpenId: string;
}

/** The bare-SDK floor: express + the SDK's EventDispatcher + adaptExpress, a no-op handler. */
async function startFloor(encryptKey: string, verificationToken: string): Promise<{ url: string; close(): Promise<void> }> {
  const dispatcher = new lark.EventDispatcher({ encryptKey, verificationToken, loggerLevel: lark.LoggerLevel.error }).register({
    'im.message.receive_v1': async () => undefined,
  });
  const app = express();
  app.post('/webhook/event', lark.adaptExpress(dispatcher, { autoChallenge: true }));
  const server = http.createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/webhook/event`,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function stats(results: { status: number; ms: number }[]) {
  const ok = results.filter((r) => r.status >= 200 && r.status < 300).map((r) => r.ms);
  const bad = new Map<number, number>();
  for (const r of results) if (r.status < 200 || r.status >= 300) bad.set(r.status, (bad.get(r.status) ?? 0) + 1);
  const non2xx = results.length - ok.length;
  return { p50: percentile(ok, 50), p99: percentile(ok, 99), max: Math.max(...ok), non2xx: non2xx === 0 ? '0' : `${non2xx} (${[...bad].map(([s, n]) => `${n}× ${s || 'no answer'}`).join(', ')})` };
}

async function benchProvider(provider: Provider): Promise<BenchResult[]> {
  const b: BenchApp = await startBenchApp({ provider, pollMs: 0 });
  const floor = await startFloor(b.encryptKey, b.verificationToken);
  try {
    const { db } = b.app;
    const target: Target = { url: `${b.url}/feishu/events`, encryptKey: b.encryptKey, verificationToken: b.verificationToken, appId: b.app.config.feishu.appId, botOpenId: b.emulator.botOpenId };
    const floorTarget: Target = { ...target, url: floor.url };
    // Warm-up both (JIT, the bot's own open_id, connections).
    for (let i = 0; i < 20; i++) {
      await post(target.url, signed(target, messageEvent(target, i, 'warm').body));
      await post(floorTarget.url, signed(floorTarget, messageEvent(floorTarget, i, 'warm').body));
    }
    await b.app.inbox.idle();
    if (process.env.BENCH_INBOX_PAUSED === '1') await b.app.inbox.stop(); // ack path alone (diagnostic)
    await sleep(500);

    // ---- bursts of unique events, rounds interleaved app / floor ----
    const app: { status: number; ms: number; messageId: string }[] = [];
    const bare: { status: number; ms: number }[] = [];
    const load0 = os.loadavg()[0]!;
    const cpu0 = process.cpuUsage();
    for (let round = 0; round < ROUNDS; round++) {
      for (const side of round % 2 === 0 ? (['app', 'floor'] as const) : (['floor', 'app'] as const)) {
        const t = side === 'app' ? target : floorTarget;
        const events = Array.from({ length: BURST }, (_, i) => messageEvent(t, round * BURST + i, `r${round}`));
        const requests = events.map((e) => signed(t, e.body));
        const results = await Promise.all(requests.map((r) => post(t.url, r)));
        if (side === 'app') results.forEach((r, i) => app.push({ ...r, messageId: events[i]!.messageId }));
        else bare.push(...results);
        await sleep(200);
      }
    }
    const cpu = process.cpuUsage(cpu0);
    const drainStart = performance.now();
    await b.app.inbox.idle({ timeoutMs: 120_000 });
    const drainS = (performance.now() - drainStart) / 1000;
    const acked = app.filter((r) => r.status >= 200 && r.status < 300);
    // Every request carried its own message id, so counting by prefix is counting the acknowledged ones.
    const processedOfAcked = await db.processedEvent.count({ where: { eventId: { startsWith: 'msg:om_bench_r' } } });
    const replies = await db.outboxMessage.count({ where: { idempotencyKey: { startsWith: 'reply:om_bench_r' } } });
    const failed = await db.inboxEvent.count({ where: { status: 'failed' } });
    const a = stats(app);
    const f = stats(bare);
    const burst: BenchResult = {
      name: `${provider} ${ROUNDS} bursts × ${BURST} concurrent unique events (app vs bare SDK, interleaved)`,
      figures: {
        'app p50 ack ms': round(a.p50),
        'app p99 ack ms': round(a.p99),
        'app max ack ms': round(a.max),
        'floor p50 ack ms': round(f.p50),
        'floor p99 ack ms': round(f.p99),
        'ratio p99 app/floor': round(a.p99 / f.p99, 2),
        'ratio p50 app/floor': round(a.p50 / f.p50, 2),
        'app non-2xx': a.non2xx,
        'floor non-2xx': f.non2xx,
        'app acked ≥ 3 s': acked.filter((r) => r.ms >= 3000).length,
        'processed == acked': processedOfAcked === acked.length && replies === acked.length ? 'yes' : `NO (${processedOfAcked}, ${replies} replies, ${acked.length} acked)`,
        'inbox failed': failed,
        'inbox drained after the last burst s': round(drainS, 1),
        'process cpu ms/event (both sides)': round((cpu.user + cpu.system) / 1000 / (app.length + bare.length), 2),
        'load avg 1 min (start, end)': `${round(load0, 1)}, ${round(os.loadavg()[0]!, 1)}`,
      },
    };

    // ---- duplicate storm: one event, BURST copies at once (each freshly signed) ----
    const storm = async (t: Target) => {
      const e = messageEvent(t, 0, 'storm');
      const requests = Array.from({ length: BURST }, () => signed(t, e.body));
      const results = await Promise.all(requests.map((r) => post(t.url, r)));
      return { e, results };
    };
    const fs = await storm(floorTarget);
    const as = await storm(target);
    await b.app.inbox.idle();
    const stormInbox = await db.inboxEvent.count({ where: { key: `msg:${as.e.messageId}` } });
    const stormProcessed = await db.processedEvent.count({ where: { eventId: `msg:${as.e.messageId}` } });
    const stormReplies = await db.outboxMessage.count({ where: { idempotencyKey: { startsWith: `reply:${as.e.messageId}#` } } });
    const sa = stats(as.results);
    const sf = stats(fs.results);
    const dup: BenchResult = {
      name: `${provider} duplicate storm: 1 event × ${BURST} concurrent (app vs bare SDK)`,
      figures: {
        'app p50 ack ms': round(sa.p50),
        'app p99 ack ms': round(sa.p99),
        'floor p99 ack ms': round(sf.p99),
        'ratio p99 app/floor': round(sa.p99 / sf.p99, 2),
        'app non-2xx': sa.non2xx,
        'floor non-2xx': sf.non2xx,
        'inbox rows, processed, replies': `${stormInbox}, ${stormProcessed}, ${stormReplies}`,
        'exactly once': stormInbox === 1 && stormProcessed === 1 && stormReplies === 1 ? 'yes' : 'NO',
        'load avg 1 min': round(os.loadavg()[0]!, 1),
      },
    };
    return [burst, dup];
  } finally {
    await floor.close();
    await b.stop();
  }
}

export default async function webhookBench(): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  for (const provider of await benchProviders()) out.push(...(await benchProvider(provider)));
  return out;
}
