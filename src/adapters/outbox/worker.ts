// Delivers outbox rows through the gateway. Rows are claimed with a lease (PostgreSQL: FOR UPDATE
// SKIP LOCKED; SQLite: a conditional UPDATE), so several workers never send one row twice at the
// same time; a row whose lease ran out belongs to a crashed worker and is retried with the same
// Feishu uuid while that still dedupes (1 h), else given up and reported. Urgent calls have no
// idempotency key and are never repeated after an ambiguous outcome.
import { randomBytes } from 'node:crypto';
import type { Config } from '../../config.ts';
import type { Db } from '../db/database.ts';
import type { Provider } from '../db/schema/providers.ts';
import type { Clock } from '../../ports/clock.ts';
import { FeishuApiError, type FeishuGateway, type MsgType } from '../../ports/feishu.ts';
import type { FileStorage } from '../../ports/storage.ts';
import type { Logger } from '../../app/log.ts';
import { enqueue, feishuUuid, outboxOpSchema, type OutboxOp, type Recipient } from '../../app/outbox.ts';
import { coordinatorChatIds } from '../../app/access.ts';
import { card, escapeMarkdown, field, markdown, note, type CardJson } from '../../../cards/kit.ts';
import { RateLimiter } from './rate-limiter.ts';
import type { OutboxMetrics } from '../../app/metrics.ts';

export const ALERT_KEY_PREFIX = 'alert:';
/** Feishu dedupes a uuid for 1 h; past this age an ambiguous send is not retried blindly. */
export const UUID_SAFE_MS = 55 * 60_000;

export interface OutboxWorkerOptions {
  db: Db;
  provider: Provider;
  gateway: FeishuGateway;
  storage: FileStorage;
  clock: Clock;
  log: Logger;
  config: Pick<Config, 'rateLimits' | 'outboxMaxAttempts' | 'coordinatorChatId'>;
  /** background polling interval; 0 disables the loop (tests call drain()) */
  pollMs?: number;
  leaseMs?: number;
  batchSize?: number;
  /** targets delivered in parallel per round */
  concurrency?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  random?: () => number;
  limiter?: RateLimiter;
  workerId?: string;
  metrics?: OutboxMetrics;
}

interface Row {
  id: string;
  idempotencyKey: string;
  op: string;
  target: string;
  payload: string;
  status: string;
  attempts: number;
  nextAttemptAt: Date;
  leaseUntil: Date | null;
  lastError: string | null;
  parentId: string | null;
  createdAt: Date;
  /** the lease this worker holds (set at claim, renewed right before the call) */
  lease?: Date;
}

type Outcome = 'sent' | 'retry' | 'failed' | 'dead' | 'waiting' | 'released' | 'lost';

const AMBIGUOUS_MARK = /^\[ambiguous@([0-9TZ:.-]+)\]/;

export class OutboxWorker {
  private readonly o: Required<Omit<OutboxWorkerOptions, 'limiter' | 'workerId' | 'metrics'>> & { workerId: string; metrics?: OutboxMetrics };
  readonly limiter: RateLimiter;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake = false;
  private stopped = true;
  /** set by stop(): rows claimed but not yet started go back to pending */
  private halting = false;

  constructor(options: OutboxWorkerOptions) {
    this.o = {
      pollMs: 1000,
      leaseMs: 5 * 60_000,
      batchSize: 50,
      concurrency: 8,
      backoffBaseMs: 2000,
      backoffCapMs: 10 * 60_000,
      random: Math.random,
      workerId: randomBytes(4).toString('hex'),
      ...options,
    } as OutboxWorker['o'];
    this.limiter = options.limiter ?? new RateLimiter(options.config.rateLimits);
  }

  /** Starts the polling loop (no-op when pollMs is 0). */
  start(): void {
    if (!this.stopped || this.o.pollMs <= 0) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Look for work now (after a commit). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.wake = true;
      return;
    }
    this.schedule(0);
  }

  /** Stops polling and waits for the round in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.halting = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.loop;
  }

  /**
   * Runs rounds until nothing is due now. `skipBackoff` also takes retries whose backoff has not
   * run out (tests on a frozen clock); rows scheduled for later by their producer still wait.
   */
  async drain(options: { skipBackoff?: boolean; maxRounds?: number } = {}): Promise<void> {
    await this.loop;
    for (let round = 0; round < (options.maxRounds ?? 1000); round++) {
      const progress = await this.runOnce(options.skipBackoff ?? false);
      if (progress === 0) return;
    }
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.loop = this.tick();
    }, ms);
  }

  private async tick(): Promise<void> {
    this.running = true;
    try {
      for (let i = 0; i < 100 && !this.stopped; i++) {
        this.wake = false;
        const progress = await this.runOnce(false);
        if (progress === 0 && !this.wake) break;
      }
    } catch (error) {
      this.o.log.error('outbox round failed', { error });
    } finally {
      this.running = false;
      if (!this.stopped) this.schedule(this.wake ? 0 : this.o.pollMs);
    }
  }

  /** One round: claim due rows, deliver them (targets in parallel, each target in order). Returns rows that changed state. */
  async runOnce(skipBackoff = false): Promise<number> {
    const rows = await this.claim(skipBackoff);
    if (rows.length === 0) return 0;
    // Rows that wait for a parent go after the parents claimed in the same round.
    const byTarget = new Map<string, Row[]>();
    for (const r of rows) {
      const list = byTarget.get(r.target) ?? [];
      list.push(r);
      byTarget.set(r.target, list);
    }
    const queues = [...byTarget.values()].sort((a, b) => Number(a.some((r) => r.parentId)) - Number(b.some((r) => r.parentId)));
    let progress = 0;
    const runQueue = async (queue: Row[]) => {
      for (const row of queue) {
        if (this.halting) {
          await this.release(row);
          continue;
        }
        const outcome = await this.deliver(row);
        if (outcome !== 'waiting' && outcome !== 'released') progress++;
      }
    };
    let next = 0;
    const lanes = Array.from({ length: Math.min(this.o.concurrency, queues.length) }, async () => {
      while (next < queues.length) {
        const queue = queues[next++]!;
        await runQueue(queue);
      }
    });
    await Promise.all(lanes);
    return progress;
  }

  // ---- claiming -------------------------------------------------------------------------------

  private async claim(skipBackoff: boolean): Promise<Row[]> {
    const now = this.o.clock.now();
    const leaseUntil = new Date(now.getTime() + this.o.leaseMs);
    const { db } = this.o;
    if (this.o.provider === 'postgresql') {
      return db.$transaction(async (tx) => {
        const ids = await tx.$queryRawUnsafe<{ id: string }[]>(
          `SELECT "id" FROM "OutboxMessage"
            WHERE ("status" = 'pending' AND ("nextAttemptAt" <= $1::timestamp(3) OR ($3::boolean AND "attempts" > 0)))
               OR ("status" = 'sending' AND "leaseUntil" < $1::timestamp(3))
            ORDER BY "nextAttemptAt", "createdAt" LIMIT $2 FOR UPDATE SKIP LOCKED`,
          // timestamp(3) columns hold UTC; the cast ignores the 'Z' whatever the session zone.
          now.toISOString(),
          this.o.batchSize,
          skipBackoff,
        );
        if (ids.length === 0) return [];
        const rows = (await tx.outboxMessage.findMany({ where: { id: { in: ids.map((r) => r.id) } }, orderBy: [{ nextAttemptAt: 'asc' }, { createdAt: 'asc' }] })) as Row[];
        await tx.outboxMessage.updateMany({ where: { id: { in: rows.map((r) => r.id) } }, data: { status: 'sending', leaseUntil, attempts: { increment: 1 } } });
        return rows.map((r) => ({ ...r, lease: leaseUntil }));
      });
    }
    const candidates = (await db.outboxMessage.findMany({
      where: {
        OR: [
          { status: 'pending', nextAttemptAt: { lte: now } },
          ...(skipBackoff ? [{ status: 'pending', attempts: { gt: 0 } }] : []),
          { status: 'sending', leaseUntil: { lt: now } },
        ],
      },
      orderBy: [{ nextAttemptAt: 'asc' }, { createdAt: 'asc' }],
      take: this.o.batchSize,
    })) as Row[];
    const claimed: Row[] = [];
    for (const r of candidates) {
      // Atomic on SQLite: only one writer can move the row out of the state it was seen in.
      const n = await db.outboxMessage.updateMany({
        where: { id: r.id, status: r.status, attempts: r.attempts },
        data: { status: 'sending', leaseUntil, attempts: { increment: 1 } },
      });
      if (n.count === 1) claimed.push({ ...r, lease: leaseUntil });
    }
    return claimed;
  }

  /** Hands a claimed row back untouched (shutdown): due again at once, attempt not spent. */
  private async release(row: Row): Promise<void> {
    await this.o.db.outboxMessage.updateMany({ where: { id: row.id, status: 'sending', leaseUntil: row.lease }, data: { status: 'pending', attempts: row.attempts, leaseUntil: null } });
  }

  // ---- delivery -------------------------------------------------------------------------------

  private async deliver(row: Row): Promise<Outcome> {
    const attempt = row.attempts + 1;
    const reclaimed = row.status === 'sending';
    const log = this.o.log.child({ outboxId: row.id, key: row.idempotencyKey, op: row.op, attempt });
    const parsed = (() => {
      try {
        return outboxOpSchema.safeParse(JSON.parse(row.payload));
      } catch {
        return undefined;
      }
    })();
    if (!parsed?.success) return this.fail(row, 'failed', undefined, '无法解析的消息内容 / unparseable payload', log);
    const op = parsed.data;

    // A crash mid-delivery: the call may have reached Feishu.
    let ambiguousSince = this.ambiguousSince(row);
    if (reclaimed) {
      const claimedAt = row.leaseUntil ? new Date(row.leaseUntil.getTime() - this.o.leaseMs) : row.createdAt;
      ambiguousSince = ambiguousSince && ambiguousSince < claimedAt ? ambiguousSince : claimedAt;
      log.warn('re-claimed a row whose lease expired (worker crashed mid-delivery?)');
      if (op.op === 'urgent') return this.fail(row, 'failed', undefined, '加急可能已发出（投递中断），为避免重复加急不再重试', log);
      if (usesUuid(op) && this.o.clock.now().getTime() - ambiguousSince.getTime() > UUID_SAFE_MS) {
        return this.fail(row, 'dead', undefined, '投递中断且已超过 uuid 去重时限，为避免重复发送已放弃', log);
      }
    }

    let parentMessageId: string | undefined;
    if (op.op === 'urgent' || (op.op === 'patch' && !op.messageId)) {
      const parent = await this.o.db.outboxMessage.findUnique({ where: { idempotencyKey: op.messageOfKey! } });
      if (!parent) return this.fail(row, 'failed', undefined, `找不到父消息 ${op.messageOfKey}`, log);
      if (parent.status === 'sent' && parent.resultMessageId) parentMessageId = parent.resultMessageId;
      else if (parent.status === 'failed' || parent.status === 'dead') return this.fail(row, 'failed', undefined, '父消息未能发出', log);
      else {
        // Wait for the parent without spending an attempt; due again when the parent is.
        await this.o.db.outboxMessage.updateMany({
          where: { id: row.id, status: 'sending' },
          data: { status: 'pending', attempts: row.attempts, leaseUntil: null, nextAttemptAt: parent.nextAttemptAt > this.o.clock.now() ? parent.nextAttemptAt : this.o.clock.now() },
        });
        return 'waiting';
      }
    }

    const wait = this.limiter.waitMs(row.target);
    if (wait > 30_000) {
      await this.o.db.outboxMessage.updateMany({
        where: { id: row.id, status: 'sending' },
        data: { status: 'pending', attempts: row.attempts, leaseUntil: null, nextAttemptAt: new Date(this.o.clock.now().getTime() + wait) },
      });
      return 'released';
    }
    await this.limiter.acquire(row.target, Number.POSITIVE_INFINITY);
    // Waiting in line may have outlived the lease: renew it only if nobody re-claimed the row.
    const renewed = new Date(this.o.clock.now().getTime() + this.o.leaseMs);
    const still = await this.o.db.outboxMessage.updateMany({ where: { id: row.id, status: 'sending', leaseUntil: row.lease }, data: { leaseUntil: renewed } });
    if (still.count === 0) {
      log.warn('lease lost before sending; another worker has the row');
      return 'lost';
    }

    try {
      const messageId = await this.call(row, op, parentMessageId);
      const n = await this.o.db.outboxMessage.updateMany({
        where: { id: row.id, status: 'sending' },
        data: { status: 'sent', sentAt: this.o.clock.now(), resultMessageId: messageId ?? null, leaseUntil: null, lastError: null, lastErrorCode: null },
      });
      if (n.count === 0) log.warn('row changed while sending (lease lost)');
      this.o.metrics?.send('ok');
      log.debug('delivered');
      return 'sent';
    } catch (error) {
      const e = error instanceof FeishuApiError ? error : new FeishuApiError(String((error as Error)?.message ?? error), 'transient', undefined, undefined);
      if (e.kind === 'rate_limit') this.limiter.block(e.code === 230020 ? row.target : 'app', e.retryAfterSeconds ?? 1);
      this.o.metrics?.send(e.kind === 'rate_limit' ? 'rate_limited' : e.kind === 'permanent' ? 'permanent' : 'transient');
      if (e.kind === 'permanent') return this.fail(row, 'failed', e.code, e.message, log);
      if (e.kind === 'ambiguous') {
        if (!usesUuid(op) && op.op === 'urgent') return this.fail(row, 'failed', e.code, `加急结果不确定（${e.message}），为避免重复加急不再重试`, log);
        ambiguousSince ??= this.o.clock.now();
        if (usesUuid(op) && this.o.clock.now().getTime() - ambiguousSince.getTime() > UUID_SAFE_MS) {
          return this.fail(row, 'dead', e.code, `结果不确定且已超过 uuid 去重时限：${e.message}`, log);
        }
      }
      if (attempt >= this.o.config.outboxMaxAttempts) return this.fail(row, 'dead', e.code, `重试 ${attempt} 次仍失败：${e.message}`, log);
      const delay = this.backoff(attempt, e.retryAfterSeconds);
      const mark = ambiguousSince ? `[ambiguous@${ambiguousSince.toISOString()}] ` : '';
      await this.o.db.outboxMessage.updateMany({
        where: { id: row.id, status: 'sending' },
        data: { status: 'pending', leaseUntil: null, nextAttemptAt: new Date(this.o.clock.now().getTime() + delay), lastError: (mark + e.message).slice(0, 1000), lastErrorCode: e.code ?? null },
      });
      log.info('delivery failed, will retry', { kind: e.kind, code: e.code, delayMs: delay });
      return 'retry';
    }
  }

  private ambiguousSince(row: Row): Date | undefined {
    const m = row.lastError ? AMBIGUOUS_MARK.exec(row.lastError) : null;
    return m?.[1] ? new Date(m[1]) : undefined;
  }

  /** Full jitter: random(0, min(cap, base·2^(n−1))), never sooner than Feishu's reset. */
  private backoff(attempt: number, retryAfterSeconds: number | undefined): number {
    const ceiling = Math.min(this.o.backoffCapMs, this.o.backoffBaseMs * 2 ** (attempt - 1));
    const jitter = Math.floor(this.o.random() * ceiling);
    return Math.max(jitter, (retryAfterSeconds ?? 0) * 1000);
  }

  private async call(row: Row, op: OutboxOp, parentMessageId: string | undefined): Promise<string | undefined> {
    const { gateway } = this.o;
    const uuid = feishuUuid(row.idempotencyKey);
    switch (op.op) {
      case 'send': {
        const { msgType, content } = body(op);
        return (await gateway.sendMessage({ ...recipient(op.to), msgType, content, uuid })).messageId;
      }
      case 'reply': {
        const { msgType, content } = body(op);
        return (await gateway.replyMessage({ messageId: op.messageId, msgType, content, uuid })).messageId;
      }
      case 'patch': {
        const messageId = op.messageId ?? parentMessageId!;
        await gateway.patchCard({ messageId, card: op.card });
        return messageId;
      }
      case 'urgent': {
        const res = await gateway.urgentApp({ messageId: parentMessageId!, openIds: op.openIds });
        if (res.invalidOpenIds.length > 0) this.o.log.warn('urgent: some recipients invalid', { key: row.idempotencyKey, invalid: res.invalidOpenIds.length });
        return parentMessageId;
      }
      case 'file': {
        let data: Buffer;
        try {
          data = await this.o.storage.get(op.storedPath);
        } catch (error) {
          throw new FeishuApiError(`文件不存在或无法读取：${op.storedPath} (${(error as Error).message})`, 'permanent', undefined, undefined);
        }
        const { fileKey } = await gateway.uploadFile({ fileName: op.fileName, fileType: op.fileType, data });
        return (await gateway.sendMessage({ ...recipient(op.to), msgType: 'file', content: JSON.stringify({ file_key: fileKey }), uuid })).messageId;
      }
      case 'card_update':
        await gateway.delayedCardUpdate({ token: op.token, card: op.card });
        return undefined;
    }
  }

  /** Final state (failed = permanent, dead = gave up) plus an alert to the coordinators, in one transaction. */
  private async fail(row: Row, status: 'failed' | 'dead', code: number | undefined, message: string, log: Logger): Promise<Outcome> {
    const now = this.o.clock.now();
    const isAlert = row.idempotencyKey.startsWith(ALERT_KEY_PREFIX);
    await this.o.db.$transaction(async (tx) => {
      const n = await tx.outboxMessage.updateMany({
        where: { id: row.id, status: 'sending' },
        data: { status, leaseUntil: null, lastError: message.slice(0, 1000), lastErrorCode: code ?? null },
      });
      if (n.count === 0 || isAlert) return;
      const chats = await coordinatorChatIds(tx, this.o.config.coordinatorChatId);
      const alert = alertCard(row, status, code, message);
      for (const chatId of chats) {
        await enqueue(tx, `${ALERT_KEY_PREFIX}${row.id}:${chatId}`, { op: 'send', to: { chatId }, card: alert }, {}, now);
      }
      if (chats.length === 0) log.error('no coordinator chat to alert');
    });
    if (status === 'dead') this.o.metrics?.send('dead');
    log.error(isAlert ? 'alert could not be delivered' : `outbox row ${status}`, { code, error: message });
    return status;
  }
}

function usesUuid(op: OutboxOp): boolean {
  return op.op === 'send' || op.op === 'reply' || op.op === 'file';
}

function recipient(to: Recipient): { receiveIdType: 'chat_id' | 'open_id'; receiveId: string } {
  return 'chatId' in to ? { receiveIdType: 'chat_id', receiveId: to.chatId } : { receiveIdType: 'open_id', receiveId: to.openId };
}

function body(op: { card?: CardJson; text?: string }): { msgType: MsgType; content: string } {
  if (op.card) return { msgType: 'interactive', content: JSON.stringify(op.card) };
  return { msgType: 'text', content: JSON.stringify({ text: op.text ?? '' }) };
}

const OP_LABEL: Record<string, string> = { send: '发送消息', reply: '回复消息', patch: '更新卡片', urgent: '加急', file: '发送文件', card_update: '更新卡片' };

function alertCard(row: Row, status: 'failed' | 'dead', code: number | undefined, message: string) {
  return card({
    title: status === 'failed' ? '消息发送失败' : '消息多次重试后仍未发出',
    template: 'red',
    elements: [
      markdown([field('操作', escapeMarkdown(OP_LABEL[row.op] ?? row.op)), field('目标', escapeMarkdown(row.target)), field('错误', escapeMarkdown(`${code !== undefined ? `${code} ` : ''}${message.slice(0, 300)}`))].join('\n')),
      note(`编号 ${escapeMarkdown(row.idempotencyKey.slice(0, 80))} · 已尝试 ${row.attempts + 1} 次。请检查机器人是否仍在群内、对方是否可接收消息。`),
    ],
  });
}
