// Outbox delivery throughput and latency (docs/reliability.md §9 L2, O6): 500 cards across 50 group
// chats, enqueued as ten per chat in one transaction per chat (like a reminder fan-out at 09:00),
// delivered by the app's own background worker through the real SDK over HTTP to the in-process
// emulator, which enforces Feishu's limits (5 QPS per chat, 50/s and 1000/min per API). Then the
// same with 30% injected faults on the send API (default 25% HTTP 500 + 5% HTTP 429 with
// x-ogw-ratelimit-reset: 1; BENCH_FAULTS=0.15,0.15 for half and half). Every 429 pauses the whole
// app for the reset second (as it must), so the 429 share, not the 5xx share, sets the run time:
// 15% 429 takes ~70 s on a busy 2-core machine, over this bench's 60 s budget. Each run's floor is
// measured in the same run: the bare SDK with the same limiter, and in the fault run the same faults.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { noticeCard } from '../cards/kit.ts';
import { withContext } from '../src/app/context.ts';
import type { HandlerContext } from '../src/app/bot.ts';
import { feishuUuid } from '../src/app/outbox.ts';
import { DEMO_OFFICE } from '../src/domain/demo-directory.ts';
import { OutboxWorker } from '../src/adapters/outbox/worker.ts';
import { RateLimiter } from '../src/adapters/outbox/rate-limiter.ts';
import type { Provider } from '../src/adapters/db/schema/providers.ts';
import type { BenchResult } from './run.ts';
import { openDatabase } from '../src/adapters/db/database.ts';
import { createFeishuGateway } from '../src/adapters/feishu/gateway.ts';
import { FeishuApiError } from '../src/ports/feishu.ts';
import { benchProviders, fanoutFloorMs, maxInWindow, percentile, round, sleep, startBenchApp, type BenchApp } from './support.ts';

const CHATS = 50;
const PER_CHAT = 10;
const TOTAL = CHATS * PER_CHAT;
/** each run stops by itself after this, whatever is left undelivered */
const RUN_LIMIT_MS = 55_000;
const [FAULT_5XX, FAULT_429] = (process.env.BENCH_FAULTS ?? '0.25,0.05').split(',').map(Number) as [number, number];
const SEND_PATH = /\/open-apis\/im\/v1\/messages$/;

/** BENCH_OUTBOX_ORDER=interleaved enqueues round-robin (message n for every chat, one transaction per n). */
const INTERLEAVED = process.env.BENCH_OUTBOX_ORDER === 'interleaved';
/**
 * BENCH_OUTBOX_ENQUEUE=first (diagnostic): every row is written before the worker starts, as the
 * measured floor has every message at its start. By default the worker delivers while the fan-out
 * is written (0.3–1 s of commits), as the app's does, and the figures include that.
 */
const ENQUEUE_FIRST = process.env.BENCH_OUTBOX_ENQUEUE === 'first';

/**
 * BENCH_OUTBOX_DUMP=<path prefix> (diagnostic): writes each run's send calls, the floor's and the
 * outbox's (uuid bare…/faults…/clean…), with arrival time, chat, status and injected fault, to
 * <prefix>-<provider>-<instances>-<seed>.json: where the bursts and the 429 pauses fell.
 */
const DUMP_CALLS = process.env.BENCH_OUTBOX_DUMP;

function dumpCalls(file: string, emu: BenchApp['emulator']): void {
  const calls = emu.calls({ path: SEND_PATH, method: 'POST' }).map((c) => {
    const body = c.body as { receive_id?: string; uuid?: string } | undefined;
    return { at: c.at.getTime(), ms: c.ms, status: c.status, code: c.code, fault: c.fault, chat: body?.receive_id, uuid: body?.uuid };
  });
  writeFileSync(file, JSON.stringify(calls));
}

async function enqueueAll(b: BenchApp, prefix: string, chatIds: string[]): Promise<void> {
  const put = (ctx: HandlerContext, chatId: string, n: number) => ctx.enqueue(`${prefix}:${chatId}:${n}`, { op: 'send', to: { chatId }, card: noticeCard(`提醒 ${n + 1}/${PER_CHAT}`, [`基准测试消息 ${chatId} #${n + 1}`]) });
  if (INTERLEAVED) {
    for (let n = 0; n < PER_CHAT; n++) {
      await withContext(b.app.services, 'bench', async (ctx) => {
        for (const chatId of chatIds) await put(ctx, chatId, n);
      });
    }
    return;
  }
  // Default: one transaction per chat, chats one after another (a per-unit fan-out); the worker
  // claims in that order, so a batch of 50 rows covers 5 chats.
  for (const chatId of chatIds) {
    await withContext(b.app.services, 'bench', async (ctx) => {
      for (let n = 0; n < PER_CHAT; n++) await put(ctx, chatId, n);
    });
  }
}

/**
 * The floor measured in the same run: the same 500 messages sent straight through the SDK gateway
 * (no database, no outbox) to the same emulator, paced by the same RateLimiter, one lane per chat
 * (a chat's messages one after another), every chat at once. What Feishu's limits plus the SDK and
 * this machine's load allow; the outbox's figure divided by it is what the outbox itself costs.
 *
 * With `faults`, the same injected faults from the same seed, chat by chat: the emulator draws the
 * n-th call to a chat's fate from the seed, the chat and n (`perTarget`), so both runs meet the same
 * outcomes in each chat and need the same calls per chat, however their chats interleave. (Drawn in
 * arrival order instead, the faults fell on other chats in each run, and the chat that needed the
 * most calls, which sets a fault run's length, differed by a few calls between the floor and the
 * outbox: ±7 % a round from luck alone.) A failed call is retried at once in its lane
 * (no backoff, nothing written), and a 429 pauses the app for its x-ogw-ratelimit-reset as the
 * worker does: the fastest any sender can be that honours Feishu's answers.
 */
async function bareFloor(b: BenchApp, chatIds: string[], faultSeed?: number): Promise<{ ms: number; cpuMsPerMsg: number; calls: number }> {
  const faults = faultSeed !== undefined;
  const gateway = createFeishuGateway({ appId: b.app.config.feishu.appId, appSecret: b.app.config.feishu.appSecret, domain: b.url });
  const limiter = new RateLimiter(b.app.config.rateLimits);
  const card = JSON.stringify(noticeCard('提醒', ['基准测试消息']));
  await gateway.sendMessage({ receiveIdType: 'chat_id', receiveId: DEMO_OFFICE.chatId, msgType: 'text', content: JSON.stringify({ text: '预热' }), uuid: 'bare-warmup' });
  await sleep(1100);
  if (faults) injectFaults(b, faultSeed);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let last = t0;
  let calls = 0;
  await Promise.all(
    chatIds.map(async (chatId) => {
      for (let n = 0; n < PER_CHAT;) {
        const slot = await limiter.acquireSlot(chatId, Number.POSITIVE_INFINITY);
        calls++;
        try {
          await gateway.sendMessage({ receiveIdType: 'chat_id', receiveId: chatId, msgType: 'interactive', content: card, uuid: `bare${faults ? '-faults' : ''}:${chatId}:${n}` });
          n++;
        } catch (error) {
          if (!faults || !(error instanceof FeishuApiError)) throw error;
          if (error.kind === 'rate_limit') limiter.block(error.code === 230020 ? chatId : 'app', error.retryAfterSeconds ?? 1);
        } finally {
          slot?.done();
        }
        last = Math.max(last, performance.now());
      }
    }),
  );
  b.emulator.faults.reset();
  // The measured run starts with empty windows (its 500 calls and these would exceed 1000/min).
  b.emulator.resetRateWindows();
  const cpu = process.cpuUsage(cpu0);
  return { ms: last - t0, cpuMsPerMsg: (cpu.user + cpu.system) / 1000 / TOTAL, calls };
}

/**
 * The pauses a run's injected 429s imposed: each answer holds the app for its reset second (1 s
 * here) from the moment it was answered, and an answer within a pause extends it.
 */
function rateLimitPauses(calls: { at: Date; ms: number; fault?: string }[]): { pauses: number; pausedMs: number } {
  const resetMs = 1000;
  const answers = calls
    .filter((c) => c.fault === '429')
    .map((c) => c.at.getTime() + c.ms)
    .sort((a, b) => a - b);
  const held: [number, number][] = [];
  for (const a of answers) {
    const last = held[held.length - 1];
    if (last && a <= last[1]) last[1] = a + resetMs;
    else held.push([a, a + resetMs]);
  }
  return { pauses: held.length, pausedMs: held.reduce((sum, [from, to]) => sum + to - from, 0) };
}

/** The fault run's faults on the send API, from the round's seed (the same per chat for every sender). */
function injectFaults(b: BenchApp, seed: number): void {
  b.emulator.faults.seed(seed);
  b.emulator.faults.route('/open-apis/im/v1/messages', { error5xx: FAULT_5XX, rateLimit429: FAULT_429, resetSeconds: 1, perTarget: true }, 'POST');
}

async function scenario(provider: Provider, faults: boolean, instances: 1 | 2 = 1, faultSeed = FAULT_SEED): Promise<BenchResult> {
  // The clean run uses the app's own background worker (poll 200 ms, kicked after each commit).
  // The fault run stops it and runs the same worker class with a 0.5 s backoff base (default
  // 2 s) so retries of retries fit the time budget; limits, lanes and batch size are unchanged.
  // With two instances, a second worker runs beside the app's on its own connection pool and its
  // own SDK client (its own tenant token), as a second app process on the same PostgreSQL would.
  const b = await startBenchApp({ provider, pollMs: faults ? 0 : 200, features: () => [] });
  let worker: OutboxWorker | undefined;
  let second: { worker: OutboxWorker; close(): Promise<void> } | undefined;
  try {
    const { db } = b.app;
    const emu = b.emulator;
    const chatIds: string[] = [];
    for (let i = 0; i < CHATS; i++) {
      const chatId = `oc_bench_${String(i).padStart(2, '0')}`;
      emu.createChat({ chatId, name: `基准测试群 ${i + 1}`, memberOpenIds: [DEMO_OFFICE.coordinator.openId], botMember: true });
      chatIds.push(chatId);
    }
    // Warm up the SDK (tenant token, connection) so the run does not pay for it.
    await withContext(b.app.services, 'bench', (ctx) => ctx.enqueue('warmup', { op: 'send', to: { chatId: DEMO_OFFICE.chatId }, text: '预热' }));
    await b.app.worker.drain();
    await sleep(1100); // let the emulator's sliding windows empty
    // Measured floor, same run (the fault run's with the same faults).
    const bare = await bareFloor(b, chatIds, faults ? faultSeed : undefined);

    if (faults) {
      injectFaults(b, faultSeed);
      const s = b.app.services;
      worker = new OutboxWorker({ db, provider, gateway: s.gateway, storage: s.storage, clock: s.clock, log: s.log, config: b.app.config, pollMs: 100, backoffBaseMs: 500 });
    }
    if (instances === 2) {
      const database = await openDatabase(b.app.config.databaseUrl);
      const s = b.app.services;
      const other = new OutboxWorker({
        db: database.client,
        provider,
        gateway: createFeishuGateway({ appId: b.app.config.feishu.appId, appSecret: b.app.config.feishu.appSecret, domain: b.url }),
        storage: s.storage,
        clock: s.clock,
        log: s.log,
        config: b.app.config,
        pollMs: 200,
        ...(faults ? { backoffBaseMs: 500 } : {}),
      });
      other.start();
      second = { worker: other, close: () => database.close() };
      await sleep(4500); // both registered and known to each other (a worker notices a newcomer at its heartbeat, every 3 s)
    }
    const callsBefore = emu.calls({ path: SEND_PATH, method: 'POST' }).length;
    const prefix = faults ? 'faults' : 'clean';
    const cpu0 = process.cpuUsage();
    const t0 = Date.now();
    // The fault run's worker runs during the enqueue too, as the app's own worker does.
    if (ENQUEUE_FIRST) {
      await b.app.worker.stop();
      await second?.worker.stop();
    } else worker?.start();
    await enqueueAll(b, prefix, chatIds);
    const enqueueMs = Date.now() - t0;
    if (ENQUEUE_FIRST) {
      (worker ?? b.app.worker).start();
      second?.worker.start();
    }
    let timedOut = false;
    // The run's end is read from the rows (the last sentAt), not from this loop: it looks only every
    // 250 ms, because its count (~1 ms of CPU in this process) every 50 ms took ~0.4 s of the run's
    // CPU from the worker it measures.
    for (;;) {
      const done = await db.outboxMessage.count({ where: { idempotencyKey: { startsWith: `${prefix}:` }, status: { in: ['sent', 'failed', 'dead'] } } });
      if (done >= TOTAL) break;
      if (Date.now() - t0 > RUN_LIMIT_MS) {
        timedOut = true;
        break;
      }
      await sleep(250);
    }
    await worker?.stop();
    await second?.worker.stop();
    if (DUMP_CALLS) dumpCalls(`${DUMP_CALLS}-${provider}-${instances}-${faults ? faultSeed : 'clean'}.json`, emu);
    const cpu = process.cpuUsage(cpu0);
    emu.faults.reset();

    const rows = await db.outboxMessage.findMany({ where: { idempotencyKey: { startsWith: `${prefix}:` } }, select: { idempotencyKey: true, status: true, attempts: true, createdAt: true, sentAt: true } });
    const sent = rows.filter((r) => r.status === 'sent' && r.sentAt);
    const latencies = sent.map((r) => r.sentAt!.getTime() - r.createdAt.getTime());
    const totalMs = Math.max(...sent.map((r) => r.sentAt!.getTime())) - t0;
    const floorMs = fanoutFloorMs(
      chatIds.map(() => PER_CHAT),
      b.app.config.rateLimits,
    );

    // Exactly once, by Feishu uuid, as the emulator stored the messages.
    const wanted = new Set(rows.map((r) => feishuUuid(r.idempotencyKey)));
    const perUuid = new Map<string, number>();
    for (const chatId of chatIds) for (const m of emu.messages(chatId)) if (m.uuid && wanted.has(m.uuid)) perUuid.set(m.uuid, (perUuid.get(m.uuid) ?? 0) + 1);

    // Order per chat (O6: order kept): the n in each key, in the order the emulator stored them.
    let outOfOrder = 0;
    for (const chatId of chatIds) {
      const seq = emu
        .messages(chatId)
        .filter((m) => m.uuid?.startsWith(`${prefix}:`))
        .map((m) => Number(m.uuid!.split(':').pop()));
      if (seq.some((n, i) => i > 0 && n < seq[i - 1]!)) outOfOrder++;
    }

    // Rates from the emulator's call log (request arrival, wall clock).
    const calls = emu.calls({ path: SEND_PATH, method: 'POST' }).slice(callsBefore);
    const ok = calls.filter((c) => c.status === 200);
    const perChat = (list: typeof calls) => {
      const byChat = new Map<string, number[]>();
      for (const c of list) {
        const chatId = (c.body as { receive_id?: string } | undefined)?.receive_id ?? '?';
        byChat.set(chatId, [...(byChat.get(chatId) ?? []), c.at.getTime()]);
      }
      return Math.max(0, ...[...byChat.values()].map((t) => maxInWindow(t, 1000)));
    };
    const attempts = rows.map((r) => r.attempts);
    // With faults the work is more calls: each retry is a call of its chat, in the same windows.
    // This floor is the same computation over the calls the run had to make, answered at once. It
    // leaves out the injected 429s' pauses: the answer comes a moment into its second's calls and
    // the reset second counts from there (~0.1-0.2 s lost per 429 here). The measured floor, which
    // meets the same faults, includes them.
    const callsOf = (list: typeof calls, chatId: string) => list.filter((c) => (c.body as { receive_id?: string } | undefined)?.receive_id === chatId).length;
    const callsPerChat = chatIds.map((chatId) => callsOf(calls, chatId));
    const faultFloorMs = fanoutFloorMs(callsPerChat, b.app.config.rateLimits);

    // Where the time went: accepted sends in each second from the first enqueue.
    const bySecond: number[] = [];
    for (const c of ok) {
      const k = Math.floor((c.at.getTime() - t0) / 1000);
      bySecond[k] = (bySecond[k] ?? 0) + 1;
    }
    const figures: BenchResult['figures'] = {
      messages: TOTAL,
      'delivered (distinct uuid)': perUuid.size,
      'duplicates by uuid': [...perUuid.values()].filter((n) => n > 1).length,
      'chats out of order': outOfOrder,
      'failed/dead': rows.filter((r) => r.status === 'failed' || r.status === 'dead').length,
      'enqueue s': round(enqueueMs / 1000, 2),
      'total s': round(totalMs / 1000, 2),
      'floor s (Feishu limits)': round(floorMs / 1000, 2),
      'ratio total/floor': round(totalMs / floorMs, 3),
      ...(faults ? { 'floor s for the calls made (retries incl.)': round(faultFloorMs / 1000, 2), 'ratio total/fault floor': round(totalMs / faultFloorMs, 3) } : {}),
      [faults ? 'measured floor s (bare SDK + limiter, same faults, retried at once)' : 'measured floor s (bare SDK + limiter, same run)']: round(bare.ms / 1000, 2),
      'ratio total/measured floor': round(totalMs / bare.ms, 3),
      ...(faults ? { 'measured floor send calls': bare.calls } : {}),
      'messages/s': round(sent.length / (totalMs / 1000), 1),
      'p50 enqueue→sent ms': percentile(latencies, 50),
      'p99 enqueue→sent ms': percentile(latencies, 99),
      'max sent/chat in 1 s': perChat(ok),
      'max calls/chat in 1 s': perChat(calls),
      'max sent/app in 1 s': maxInWindow(
        ok.map((c) => c.at.getTime()),
        1000,
      ),
      'max calls/app in 1 s': maxInWindow(
        calls.map((c) => c.at.getTime()),
        1000,
      ),
      'refused 230020 (chat limit)': calls.filter((c) => c.code === 230020).length,
      'refused 429 (app limit)': calls.filter((c) => c.status === 429 && !c.fault).length,
      'send calls': calls.length,
      'process cpu ms/msg': round((cpu.user + cpu.system) / 1000 / TOTAL, 2),
      'measured floor cpu ms/msg (SDK + emulator)': round(bare.cpuMsPerMsg, 2),
      'attempts/msg mean': round(attempts.reduce((s, a) => s + a, 0) / attempts.length, 2),
      'attempts/msg max': Math.max(...attempts),
    };
    if (faults) {
      figures['injected 5xx'] = calls.filter((c) => c.fault === '5xx').length;
      figures['injected 429'] = calls.filter((c) => c.fault === '429').length;
      // Where a fault run's time goes: the seconds paused for the injected 429s (answers within one
      // pause extend it rather than adding one), the rest sending; the same for the measured floor.
      const floorCalls = emu.calls({ path: SEND_PATH, method: 'POST' }).filter((c) => String((c.body as { uuid?: string } | undefined)?.uuid ?? '').startsWith('bare-faults:'));
      const ours = rateLimitPauses(calls);
      const theirs = rateLimitPauses(floorCalls);
      figures['429 pauses, outbox / floor'] = `${ours.pauses} / ${theirs.pauses}`;
      figures['s paused, outbox / floor'] = `${round(ours.pausedMs / 1000, 2)} / ${round(theirs.pausedMs / 1000, 2)}`;
      figures['s sending, outbox / floor'] = `${round((totalMs - ours.pausedMs) / 1000, 2)} / ${round((bare.ms - theirs.pausedMs) / 1000, 2)}`;
      // A chat's calls go one after another; with a 429 in nearly every second's burst, the chat
      // that drew the most failures needs the most seconds.
      // Where that chat stands in the enqueue order matters to the outbox (not to the floor, which
      // has every message at its start): written last, it starts after the first 429's pause.
      const most = Math.max(...callsPerChat);
      const places = chatIds.flatMap((_, i) => (callsPerChat[i] === most ? [i + 1] : []));
      figures['most calls to one chat, outbox / floor'] = `${most} / ${Math.max(...chatIds.map((chatId) => callsOf(floorCalls, chatId)))}`;
      figures['fault seed; enqueued as chat n of 50, the chat(s) with most calls'] = `${faultSeed}; ${places.join(', ')}`;
    }
    if (timedOut) {
      // Past the budget: finish what is left, retries without their backoff, to check exactly-once.
      figures['STOPPED at limit'] = `${RUN_LIMIT_MS / 1000} s`;
      figures['left at limit'] = TOTAL - sent.length;
      await (worker ?? b.app.worker).drain({ skipBackoff: true, maxRounds: 50 });
      const after = new Map<string, number>();
      for (const chatId of chatIds) for (const m of emu.messages(chatId)) if (m.uuid && wanted.has(m.uuid)) after.set(m.uuid, (after.get(m.uuid) ?? 0) + 1);
      figures['delivered after final drain'] = after.size;
      figures['duplicates after final drain'] = [...after.values()].filter((n) => n > 1).length;
    }
    figures['sent per second from enqueue'] = Array.from(bySecond, (n) => n ?? 0).join(' ');
    figures['load avg 1 min'] = round(os.loadavg()[0]!, 1);
    const name = `${provider} 500 msgs / 50 chats${instances === 2 ? ', two instances' : ''}${INTERLEAVED ? ' (interleaved)' : ''}${ENQUEUE_FIRST ? ' (enqueued first)' : ''}${faults ? `, faults ${FAULT_5XX * 100}% 5xx + ${FAULT_429 * 100}% 429` : ''}`;
    return { name, figures };
  } finally {
    await worker?.stop();
    await second?.worker.stop();
    await second?.close();
    await b.stop();
  }
}

/**
 * The worker's RateLimiter alone on a virtual clock (no I/O, deterministic): as many acquisitions
 * as it allows, back to back, for one chat and for the app, counted in sliding 1 s windows the way
 * Feishu's limits (and the emulator) count them.
 */
async function limiterAlone(): Promise<BenchResult> {
  let t = 0;
  const limiter = new RateLimiter(
    { perSecond: 50, perMinute: 1000, perChat: 5 },
    {
      now: () => t,
      sleep: async (ms) => {
        t += ms;
      },
    },
  );
  const chat: number[] = [];
  for (let i = 0; i < 30; i++) {
    await limiter.acquire('oc_one', Number.POSITIVE_INFINITY);
    chat.push(t);
  }
  const app: number[] = [];
  for (let i = 0; i < 300; i++) {
    await limiter.acquire(`oc_${i}`, Number.POSITIVE_INFINITY);
    app.push(t);
  }
  return {
    name: 'RateLimiter alone (virtual clock, limits 5/chat/s, 50/app/s)',
    figures: {
      'one chat: calls in first 1 s': chat.filter((x) => x < 1000).length,
      'one chat: max calls in any 1 s': maxInWindow(chat, 1000),
      'app: max calls in any 1 s': maxInWindow(app, 1000),
    },
  };
}

/**
 * Rounds of each fault run (BENCH_FAULT_ROUNDS, default 7). One pair of floor and outbox runs
 * swings by ±0.07 in its ratio with the same code: where the injected 429s fall in a second's burst
 * decides how many of its calls leave before the pause, and with it how many seconds the run takes.
 * The rounds of one set-up ranged 0.95–1.23 on 2026-12-07, and a median of three (the default until
 * then) moved by 0.06 between runs of the same code: seven make the figure worth comparing.
 */
const FAULT_ROUNDS = Math.max(1, Math.floor(Number(process.env.BENCH_FAULT_ROUNDS ?? 7)) || 1);
/**
 * The first round's fault seed; round n uses FAULT_SEED + n. Each seed decides which chat draws
 * the most failures, and so whether the run's longest chat was written first or last: with one
 * seed for every round (7 until 2026-12-07, whose longest chat is the last written), every round
 * measured the same worst placement.
 */
const FAULT_SEED = 7;

/** Counts that must be 0 (or 500) in every round, summed over the rounds. */
const EVERY_ROUND = ['delivered (distinct uuid)', 'duplicates by uuid', 'chats out of order', 'failed/dead', 'refused 230020 (chat limit)', 'refused 429 (app limit)'];

/**
 * The same scenario `rounds` times, each with its own app, database, fault seed (FAULT_SEED) and
 * floor measured just before it with that seed (so floor and outbox alternate), reported as the round with the median ratio to its floor,
 * beside every round's ratio and the counts of all rounds.
 */
async function medianOfRounds(rounds: number, run: (round: number) => Promise<BenchResult>): Promise<BenchResult> {
  const results: BenchResult[] = [];
  for (let i = 0; i < rounds; i++) results.push(await run(i));
  if (rounds === 1) return results[0]!;
  const ratio = (r: BenchResult) => Number(r.figures['ratio total/measured floor']);
  const median = [...results].sort((a, b) => ratio(a) - ratio(b))[Math.floor(rounds / 2)]!;
  const all = Object.fromEntries(EVERY_ROUND.map((key) => [`${key}, all rounds`, results.reduce((n, r) => n + Number(r.figures[key] ?? 0), 0)]));
  const stopped = results.filter((r) => r.figures['STOPPED at limit'] !== undefined).length;
  return {
    name: `${median.name}, median of ${rounds} rounds`,
    figures: { ...median.figures, 'ratio total/measured floor, each round': results.map((r) => round(ratio(r), 3)).join(' / '), ...all, ...(stopped > 0 ? { 'rounds stopped at limit': stopped } : {}) },
  };
}

export default async function outboxBench(): Promise<BenchResult[]> {
  const out: BenchResult[] = [await limiterAlone()];
  // BENCH_OUTBOX_ONLY=clean|faults (comma-separated): only those runs (diagnostics).
  const only = process.env.BENCH_OUTBOX_ONLY?.split(',');
  const runs = (faults: boolean) => !only || only.includes(faults ? 'faults' : 'clean');
  const withFaults = (provider: Provider, instances: 1 | 2) => medianOfRounds(FAULT_ROUNDS, (n) => scenario(provider, true, instances, FAULT_SEED + n));
  for (const provider of await benchProviders()) {
    if (runs(false)) out.push(await scenario(provider, false));
    if (runs(true)) out.push(await withFaults(provider, 1));
    if (provider === 'postgresql') {
      if (runs(false)) out.push(await scenario(provider, false, 2));
      if (runs(true)) out.push(await withFaults(provider, 2));
    }
  }
  return out;
}
