// Inbound webhook ack latency (reliability.md §9 L1, smaller): signed and encrypted
// im.message.receive_v1 events, each with its own event_id and message_id, POSTed by 20
// concurrent keep-alive connections to /feishu/events of the whole app (all features
// registered; each event is "@主题日助手 帮助" from a demo liaison in their unit's group, so each
// one runs the help command and enqueues one reply). 2000 events or 30 s, whichever comes first.
// Afterwards: processed-event rows and reply rows == acknowledged requests. Then a duplicate
// storm: one event delivered 200 times at once → exactly one processed row and one reply.
// The outbox worker does not run (poll 0): this measures intake, not delivery.
import os from 'node:os';
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { DEMO_UNITS } from '../src/domain/demo-directory.ts';
import type { Provider } from '../src/adapters/db/schema/providers.ts';
import type { BenchResult } from './run.ts';
import { benchProviders, percentile, round, sleep, startBenchApp, type BenchApp } from './support.ts';

const CONNECTIONS = 20;
const EVENTS = 2000;
const LOAD_LIMIT_MS = 30_000;
const STORM = 200;

function encrypt(plain: string, key: string): string {
  const k = createHash('sha256').update(key).digest();
  const iv = randomBytes(16);
  const c = createCipheriv('aes-256-cbc', k, iv);
  return Buffer.concat([iv, c.update(plain, 'utf8'), c.final()]).toString('base64');
}

interface Envelope {
  eventId: string;
  messageId: string;
  body: Record<string, unknown>;
}

function messageEnvelope(b: BenchApp, i: number, tag: string): Envelope {
  const unit = DEMO_UNITS[i % DEMO_UNITS.length]!;
  const sender = unit.liaisons.find((l) => l.openId)!.openId!;
  const eventId = `ev_bench_${tag}_${i}_${randomBytes(4).toString('hex')}`;
  const messageId = `om_bench_${tag}_${i}_${randomBytes(4).toString('hex')}`;
  const now = String(Date.now());
  return {
    eventId,
    messageId,
    body: {
      schema: '2.0',
      header: { event_id: eventId, event_type: 'im.message.receive_v1', token: b.verificationToken, create_time: now, app_id: b.app.config.feishu.appId, tenant_key: 'bench' },
      event: {
        sender: { sender_id: { open_id: sender }, sender_type: 'user', tenant_key: 'bench' },
        message: {
          message_id: messageId,
          create_time: now,
          chat_id: unit.chatId,
          chat_type: 'group',
          message_type: 'text',
          content: JSON.stringify({ text: '@_user_1 帮助' }),
          mentions: [{ key: '@_user_1', id: { open_id: b.emulator.botOpenId }, name: '主题日助手', tenant_key: 'bench' }],
        },
      },
    },
  };
}

/** Encrypted body and signature headers, as Feishu pushes them (each push its own nonce). */
function signed(b: BenchApp, env: Envelope): { raw: string; headers: Record<string, string> } {
  const raw = JSON.stringify({ encrypt: encrypt(JSON.stringify(env.body), b.encryptKey) });
  const ts = String(Math.floor(Date.now() / 1000));
  const nonce = randomBytes(8).toString('hex');
  const signature = createHash('sha256').update(ts + nonce + b.encryptKey + raw).digest('hex');
  return { raw, headers: { 'content-type': 'application/json', 'x-lark-request-timestamp': ts, 'x-lark-request-nonce': nonce, 'x-lark-signature': signature } };
}

async function post(b: BenchApp, req: { raw: string; headers: Record<string, string> }): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  try {
    const res = await fetch(`${b.url}/feishu/events`, { method: 'POST', headers: req.headers, body: req.raw });
    await res.arrayBuffer();
    return { status: res.status, ms: performance.now() - started };
  } catch {
    return { status: 0, ms: performance.now() - started };
  }
}

/** Waits until `count` stops changing (handlers acknowledged early finish in the background). */
async function settled(count: () => Promise<number>, target: number, maxMs = 20_000): Promise<number> {
  const until = Date.now() + maxMs;
  let last = -1;
  let stableSince = Date.now();
  for (;;) {
    const n = await count();
    if (n >= target) return n;
    if (n !== last) {
      last = n;
      stableSince = Date.now();
    } else if (Date.now() - stableSince > 3000 || Date.now() > until) return n;
    await sleep(100);
  }
}

function latencyFigures(results: { status: number; ms: number }[]): BenchResult['figures'] {
  const ok = results.filter((r) => r.status >= 200 && r.status < 300);
  const ms = ok.map((r) => r.ms);
  return {
    'p50 ack ms': round(percentile(ms, 50)),
    'p95 ack ms': round(percentile(ms, 95)),
    'p99 ack ms': round(percentile(ms, 99)),
    'max ack ms': round(Math.max(...ms)),
    'non-2xx': results.length - ok.length,
  };
}

async function benchProvider(provider: Provider): Promise<BenchResult[]> {
  const b = await startBenchApp({ provider, pollMs: 0 });
  try {
    const { db } = b.app;
    // Warm-up: token fetch for the bot's own open_id, JIT, connections.
    for (let i = 0; i < 5; i++) await post(b, signed(b, messageEnvelope(b, i, 'warm')));

    // ---- load: unique events ----
    const envelopes = Array.from({ length: EVENTS }, (_, i) => messageEnvelope(b, i, 'load'));
    const results: { status: number; ms: number; messageId: string }[] = [];
    let next = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (next < envelopes.length && performance.now() - t0 < LOAD_LIMIT_MS) {
          const env = envelopes[next++]!;
          const r = await post(b, signed(b, env));
          results.push({ ...r, messageId: env.messageId });
        }
      }),
    );
    const elapsed = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const acked = results.filter((r) => r.status >= 200 && r.status < 300);
    const ackedIds = acked.map((r) => `msg:${r.messageId}`);
    const processed = await settled(() => db.processedEvent.count({ where: { eventId: { startsWith: 'msg:om_bench_load_' } } }), acked.length);
    const processedOfAcked = await db.processedEvent.count({ where: { eventId: { in: ackedIds } } });
    const replies = await db.outboxMessage.count({ where: { idempotencyKey: { startsWith: 'reply:om_bench_load_' } } });
    const load: BenchResult = {
      name: `${provider} ${results.length} unique events, ${CONNECTIONS} connections`,
      figures: {
        requests: results.length,
        's': round(elapsed, 1),
        'events/s': round(results.length / elapsed, 1),
        ...latencyFigures(results),
        'process cpu ms/event': round((cpu.user + cpu.system) / 1000 / results.length, 2),
        'acked ≥ 2.5 s (early ack)': acked.filter((r) => r.ms >= 2500).length,
        'processed rows': processed,
        'processed rows of acked': processedOfAcked,
        'reply rows': replies,
        'rows == acked': processed === acked.length && processedOfAcked === acked.length && replies === acked.length ? 'yes' : 'NO',
        'load avg 1 min': round(os.loadavg()[0]!, 1),
      },
    };

    // ---- duplicate storm: one event, STORM concurrent deliveries ----
    const env = messageEnvelope(b, 0, 'storm');
    const requests = Array.from({ length: STORM }, () => signed(b, env));
    const t1 = performance.now();
    const storm = await Promise.all(requests.map((r) => post(b, r)));
    const stormS = (performance.now() - t1) / 1000;
    const stormProcessed = await settled(() => db.processedEvent.count({ where: { eventId: `msg:${env.messageId}` } }), 2, 3000);
    const stormReplies = await db.outboxMessage.count({ where: { idempotencyKey: `reply:${env.messageId}` } });
    const dup: BenchResult = {
      name: `${provider} duplicate storm: 1 event × ${STORM} concurrent`,
      figures: {
        requests: STORM,
        s: round(stormS, 2),
        ...latencyFigures(storm),
        'processed rows': stormProcessed,
        'reply rows': stormReplies,
        'exactly once': stormProcessed === 1 && stormReplies === 1 ? 'yes' : 'NO',
      },
    };
    return [load, dup];
  } finally {
    await b.stop();
  }
}

export default async function webhookBench(): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  for (const provider of await benchProviders()) out.push(...(await benchProvider(provider)));
  return out;
}
