// POST /feishu/events and /feishu/cards: raw bytes → verify → normalize → inbox / bot.dispatch.
// Feishu gives 3 s. Events are acknowledged after one durable insert into the inbox (processed
// there in order per chat); only when the database cannot take the insert is the answer non-2xx,
// so Feishu re-delivers. Without an inbox (tests of the route alone) events are dispatched here and
// acknowledged by ~2.5 s even if the handler is still running. Card callbacks stay on this fast
// path: one at a time is processed inline and answers whatever is ready within the budget (the rest
// follows as a delayed update); presses arriving meanwhile are queued in the inbox and answered at
// once (src/app/card-intake.ts).
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { DispatchResult } from '../../app/bot.ts';
import type { CardQueue } from '../../app/card-intake.ts';
import type { CardResponse, InboundEvent } from '../../app/events.ts';
import type { Logger } from '../../app/log.ts';
import { normalizeEnvelope } from '../feishu/normalize.ts';
import { verifyFeishuRequest } from '../feishu/verify.ts';

export const BUSY_TOAST = '系统繁忙，请稍后再试';
/** How long a press admitted inline waits for others arriving with it (a burst) before it starts. */
export const ADMISSION_SETTLE_MS = 5;
/**
 * A press pays the settle only within this long of card callbacks overlapping (one arriving while
 * another was unanswered), or when it is the first of its kind (button and operation) to run inline
 * in this process: that first run compiles the kind's query plans and holds the event loop longest
 * (the card bench's burst after a restart, bench/README.md). Otherwise presses one at a time (a
 * person, a test) start after one loop turn.
 */
export const OVERLAP_MEMORY_MS = 60_000;

export interface FeishuRoutesOptions {
  dispatch(event: InboundEvent): Promise<DispatchResult>;
  /** the durable intake for events (the inbox); when set, /feishu/events answers after it */
  accept?(event: InboundEvent): Promise<'accepted' | 'duplicate'>;
  /** an event request arrived; the returned function is called when it was answered (lets processing yield to acknowledgements) */
  arriving?(): () => void;
  /** records a card callback whose handler failed for good (not transient) and alerts the coordinators once */
  cardFailed?(event: InboundEvent, error: unknown): Promise<unknown>;
  /**
   * Admission for card callbacks (src/app/card-intake.ts): `tryInline` gives a slot on the inline
   * path or undefined; then `queue` stores the press durably (processed later, its card follows as
   * a delayed update) and it is answered at once with `queuedToast`.
   */
  cardQueue?: CardQueue;
  /** delivers the result of a card handler that missed the callback budget (delayed update) */
  lateResponse?(event: InboundEvent, response: CardResponse): Promise<void>;
  log: Logger;
  encryptKey?: string;
  verificationToken?: string;
  /** the bot's open_id (to tell whether a message @-mentions it) */
  botOpenId(): Promise<string | undefined>;
  /** how long the HTTP answer may wait for the handler */
  ackBudgetMs?: number;
  /** body size limit for the raw parser */
  bodyLimit?: string;
  nowMs?: () => number;
}

type Settled<T> = { done: true; value: T } | { done: true; error: unknown } | { done: false };

async function within<T>(promise: Promise<T>, ms: number): Promise<Settled<T>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Settled<T>>((resolve) => {
    timer = setTimeout(() => resolve({ done: false }), ms);
  });
  try {
    return await Promise.race([
      promise.then(
        (value): Settled<T> => ({ done: true, value }),
        (error: unknown): Settled<T> => ({ done: true, error }),
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The callback answer shape Feishu expects. */
export function cardCallbackBody(response: CardResponse): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (response.toast) body.toast = { type: response.toast.type, content: response.toast.content };
  if (response.card) body.card = { type: 'raw', data: response.card };
  return body;
}

export function createFeishuRouter(options: FeishuRoutesOptions): Router {
  const router = express.Router();
  const budget = options.ackBudgetMs ?? 2500;
  const raw = express.raw({ type: () => true, limit: options.bodyLimit ?? '1mb' });

  const authenticate = (req: Request, res: Response): Record<string, unknown> | 'answered' => {
    const body: unknown = req.body;
    const bytes = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
    const result = verifyFeishuRequest(bytes, req.headers, {
      encryptKey: options.encryptKey,
      verificationToken: options.verificationToken,
      nowMs: options.nowMs?.() ?? Date.now(),
    });
    if (!result.ok) {
      options.log.warn('feishu request rejected', { path: req.path, reason: result.reason, ip: req.ip });
      res.status(401).json({ error: 'unauthorized' });
      return 'answered';
    }
    if (result.kind === 'challenge') {
      res.json({ challenge: result.challenge });
      return 'answered';
    }
    return result.body;
  };

  const normalized = async (body: Record<string, unknown>, res: Response): Promise<InboundEvent | undefined> => {
    const n = normalizeEnvelope(body, await options.botOpenId().catch(() => undefined));
    if (!n.ok) {
      options.log.info('feishu event ignored', { reason: n.reason });
      res.json({});
      return undefined;
    }
    return n.event;
  };

  const arrival = (_req: Request, res: Response, next: NextFunction) => {
    if (options.arriving) {
      const done = options.arriving();
      let once = false;
      const finish = () => {
        if (!once) done();
        once = true;
      };
      res.once('finish', finish);
      res.once('close', finish);
    }
    next();
  };

  router.post('/feishu/events', arrival, raw, async (req, res) => {
    const body = authenticate(req, res);
    if (body === 'answered') return;
    const event = await normalized(body, res);
    if (!event) return;
    if (options.accept) {
      try {
        await options.accept(event);
        res.json({});
      } catch (error) {
        // Only the database refusing the insert gets here: transient, Feishu re-delivers.
        options.log.error('inbox insert failed; not acknowledged', { eventId: event.eventId, error });
        res.status(503).json({ error: 'unavailable' });
      }
      return;
    }
    const work = options.dispatch(event);
    const settled = await within(work, budget);
    if (!settled.done) {
      options.log.warn('event handler slower than the ack budget; acknowledged early', { eventId: event.eventId, kind: event.kind });
      work.catch(() => undefined); // dispatch logs its own failures
      res.json({});
      return;
    }
    if ('error' in settled) {
      // Not acknowledged: Feishu re-pushes, and the rolled-back transaction left nothing behind.
      res.status(500).json({ error: 'handler failed' });
      return;
    }
    res.json({});
  });

  // Card requests arrived and not answered yet (a burst shows here before it reaches the admission).
  let cardsInFlight = 0;
  /** when a card request last arrived while another was unanswered (performance.now) */
  let lastOverlapAt = Number.NEGATIVE_INFINITY;
  /** kinds of press that ran inline in this process (their query plans are compiled) */
  const warmKinds = new Set<string>();
  const kindOf = (event: InboundEvent) => (event.kind === 'card_action' ? `${String(event.value.a)}/${String(event.value.op)}` : event.kind);
  const cardArrival = (_req: Request, res: Response, next: NextFunction) => {
    if (cardsInFlight > 0) lastOverlapAt = performance.now();
    cardsInFlight++;
    let once = false;
    const finish = () => {
      if (!once) cardsInFlight--;
      once = true;
    };
    res.once('finish', finish);
    res.once('close', finish);
    next();
  };

  router.post('/feishu/cards', cardArrival, arrival, raw, async (req, res) => {
    const body = authenticate(req, res);
    if (body === 'answered') return;
    const event = await normalized(body, res);
    if (!event) return;
    let release = options.cardQueue?.tryInline();
    if (release) {
      // The slot is taken: let requests that are arriving be read before the work starts (on
      // SQLite the driver is synchronous: once the work runs, nothing else is read until it ends).
      // Still not alone then (a burst): this one is queued too, so no transaction stands in
      // front of the others' acknowledgements. One turn of the event loop reads what has already
      // arrived (enough for the card bench's burst, bench/README.md); the few milliseconds more
      // are paid while callbacks have been overlapping lately and by the first press of each kind,
      // not by presses one at a time.
      await new Promise((r) => setImmediate(r));
      if (cardsInFlight === 1 && (!warmKinds.has(kindOf(event)) || performance.now() - lastOverlapAt < OVERLAP_MEMORY_MS)) await new Promise((r) => setTimeout(r, ADMISSION_SETTLE_MS));
      if (cardsInFlight > 1) {
        release();
        release = undefined;
      }
    }
    if (options.cardQueue && !release) {
      // Others are being processed: one durable insert, answered at once.
      try {
        await options.cardQueue.queue(event);
        res.json({ toast: { type: 'info', content: options.cardQueue.queuedToast } });
      } catch (error) {
        options.log.error('card callback could not be queued', { eventId: event.eventId, error });
        res.json({ toast: { type: 'error', content: BUSY_TOAST } });
      }
      return;
    }
    const work = options.dispatch(event);
    if (release) {
      if (warmKinds.size < 500) warmKinds.add(kindOf(event));
      work.then(release, release);
    }
    const settled = await within(work, budget);
    if (!settled.done) {
      options.log.warn('card handler slower than the callback budget; its card follows as a delayed update', { eventId: event.eventId });
      work
        .then(
          (result) => (result.duplicate ? undefined : options.lateResponse?.(event, result.response)),
          (error: unknown) => options.cardFailed?.(event, error),
        )
        .catch((error: unknown) => options.log.error('late card delivery failed', { eventId: event.eventId, error }));
      res.json({ toast: { type: 'info', content: '正在处理，请稍候' } });
      return;
    }
    if ('error' in settled) {
      // Bounded: the answer must still leave within Feishu's 3 s.
      if (options.cardFailed)
        await within(
          options.cardFailed(event, settled.error).catch((error: unknown) => options.log.error('cannot record a failed card callback', { eventId: event.eventId, error })),
          400,
        );
      res.json({ toast: { type: 'error', content: BUSY_TOAST } });
      return;
    }
    res.json(cardCallbackBody(settled.value.response));
  });

  // Body too large / unreadable: answer before anything is parsed.
  router.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
    const e = error as { status?: number; type?: string };
    if (e && typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      options.log.warn('feishu request refused', { path: req.path, status: e.status, type: e.type });
      res.status(e.status).json({ error: e.type ?? 'bad request' });
      return;
    }
    next(error);
  });

  return router;
}
