// The bot core: routes normalized inbound events to registered handlers. Each event runs in one
// database transaction that also records its dedupe key, so a re-delivered event (Feishu retries
// for ~7 h, and any instance may get it) is acknowledged and not processed twice, and a failed
// handler leaves no trace and can be retried.
import type { Config } from '../config.ts';
import type { Db, Tx } from '../adapters/db/database.ts';
import type { FeishuGateway } from '../ports/feishu.ts';
import type { Clock } from '../ports/clock.ts';
import type { FileStorage } from '../ports/storage.ts';
import type { ExportWriter, PhotoInspector } from '../ports/files.ts';
import type { LinkChecker } from '../ports/link-checker.ts';
import type { Logger } from './log.ts';
import type { CardJson } from '../../cards/kit.ts';
import type { ActionDef } from '../../cards/actions.ts';
import { audit, type AuditEntry } from './audit.ts';
import { isCoordinator, isJudge, isLiaisonOf, isReviewer } from './access.ts';
import { enqueue, replyChatOf, type EnqueueOptions, type OutboxOp } from './outbox.ts';
import { maskForAudience, type PhonePolicy } from './phone-policy.ts';
import { dedupeKey, type BotAddedEvent, type BotRemovedEvent, type CardActionEvent, type CardResponse, type InboundEvent, type Mention, type MessageEvent, type Oversized } from './events.ts';

/** Everything long-lived the handlers and jobs may use outside a transaction. */
export interface AppServices {
  config: Config;
  db: Db;
  clock: Clock;
  gateway: FeishuGateway;
  storage: FileStorage;
  /** export files (XLSX, CSV, the evidence package) */
  files: ExportWriter;
  /** EXIF dates of photos */
  photos: PhotoInspector;
  /** checks publicity links after a summary is submitted */
  linkChecker: LinkChecker;
  log: Logger;
  /** asks the outbox worker to look for work now (after a commit) */
  kickOutbox(): void;
  /** extra /readyz checks features register (e.g. holiday data present for this year) */
  readiness?: ReadinessCheck[];
  /** the app's own address, for links when PUBLIC_BASE_URL is not set (local mode) */
  publicBaseUrl?: string;
}

export interface ReadinessCheck {
  name: string;
  check(): Promise<{ ok: boolean; detail?: string }>;
}

/**
 * What a use case gets: the open transaction, the event's time and actor, and the outbox/audit
 * helpers bound to that transaction. No UI helpers: a use case does the work and returns what
 * happened; the feature module renders it (docs/conventions.md).
 */
export interface UseCaseContext {
  tx: Tx;
  services: AppServices;
  config: Config;
  /** the event's time (the clock when it was received) */
  now: Date;
  /** the person acting (sender or card operator); '' for system events */
  actor: string;
  eventId: string;
  enqueue(key: string, op: OutboxOp, options?: EnqueueOptions): Promise<string>;
  audit(entry: Omit<AuditEntry, 'actor' | 'eventId'> & { actor?: string }): Promise<void>;
  /** work to run after the transaction commits (e.g. slow exports that update the card later) */
  afterCommit(fn: () => Promise<void>): void;
}

/** Who a person is for a check: `scope` is the campaign id (reviewer, judge) or the unit id (liaison-of). */
export type Role = 'coordinator' | 'reviewer' | 'judge' | 'liaison-of';

/** What the audit row of a refusal records. */
export interface DenyAudit {
  action?: string;
  entity?: string;
  entityId?: string | null;
  /** English reason for the audit log; defaults to the text shown */
  reason?: string;
}

/** What a handler gets: the use-case context plus the glue every feature needs, written once. */
export interface HandlerContext extends UseCaseContext {
  /** the inbound event being handled (null outside one, e.g. jobs and the CLI) */
  event: InboundEvent | null;
  /**
   * Answers the event: a reply to the message, or for a card click a message to the card's chat.
   * Every call is its own outbox row (a per-event counter in the key), so a second reply is kept.
   */
  reply(body: string | CardJson): Promise<void>;
  /** Refuses: writes a deny audit row, answers a message with the text, and returns the toast a card click shows. */
  deny(text: string, audit?: DenyAudit): Promise<CardResponse>;
  /** Role check against the database (and the configured coordinators), cached for the event. */
  is(role: Role, scope?: string): Promise<boolean>;
  /** People @-mentioned in the message, without the bot itself (empty for other events). */
  mentioned(): Promise<Mention[]>;
}

export interface CommandSpec {
  /** the words that start the command, e.g. ['发起申报'] */
  names: string[];
  /** one line for 帮助 */
  summary: string;
  /** an example for 帮助, e.g. '@主题日助手 进度' */
  example: string;
  /** listed under the coordinator's section of 帮助 */
  audience: 'coordinator' | 'liaison' | 'everyone';
  /** the audit action of a refusal (e.g. 'reminders.nudge'); default `command.<first name>` */
  id?: string;
}

export type CommandHandler = (ctx: HandlerContext, message: MessageEvent, args: string) => Promise<void>;
export type ActionHandler<V = Record<string, unknown>> = (ctx: HandlerContext, value: V, action: CardActionEvent) => Promise<CardResponse>;
export type MessageHandler = (ctx: HandlerContext, message: MessageEvent) => Promise<boolean>;
export type FallbackHandler = (ctx: HandlerContext, message: MessageEvent, commands: readonly CommandSpec[]) => Promise<void>;

/** What a guard is shown: a command's text arguments, or a card action's parsed value. */
export type GuardInput = { kind: 'command'; name: string; message: MessageEvent; args: string } | { kind: 'action'; name: string; action: CardActionEvent; value: unknown };

/** A guard's refusal: the text the person sees and the audit reason. */
export interface Refusal {
  text: string;
  reason: string;
  entity?: string;
  entityId?: string | null;
}

/**
 * Listener middleware (as Bolt's listener middleware, grammY's filters): runs before the handler
 * and lets the event through (null) or refuses it. The bot turns a refusal into `ctx.deny`
 * (audit row + reply or toast). Guards live in src/handlers/guards.ts.
 */
export type Guard = (ctx: HandlerContext, input: GuardInput) => Promise<Refusal | null>;

export interface DispatchResult {
  duplicate: boolean;
  response: CardResponse;
}

const ACTION_NAME = /^[a-z][a-z0-9_.-]{1,48}$/;

/** Dedupe keys of events this process dispatched, kept to answer their copies (oldest leave first). */
const RECENT_EVENT_KEYS = 20_000;

export class Bot {
  private readonly commands: { spec: CommandSpec; handler: CommandHandler }[] = [];
  private readonly actions = new Map<string, { def: ActionDef<unknown>; handler: (ctx: HandlerContext, action: CardActionEvent) => Promise<CardResponse> }>();
  /** action names of cards posted before a rename → the current name */
  private readonly aliases = new Map<string, string>();
  private readonly messageHandlers: MessageHandler[] = [];
  private addedHandlers: ((ctx: HandlerContext, e: BotAddedEvent) => Promise<void>)[] = [];
  private removedHandlers: ((ctx: HandlerContext, e: BotRemovedEvent) => Promise<void>)[] = [];
  private fallback: FallbackHandler | undefined;

  /**
   * Dedupe keys this process dispatched lately, each with whether its event was handled (true once
   * committed, or found a duplicate): a copy of the event answers from here, without the database.
   */
  private readonly handled = new Map<string, Promise<boolean>>();

  constructor(readonly services: AppServices) {}

  /** A text command; guards run in order before the handler. Names are matched at the start of the message (after @mentions are removed). */
  command(spec: CommandSpec, ...rest: [...Guard[], CommandHandler]): this {
    const handler = rest[rest.length - 1] as CommandHandler;
    const guards = rest.slice(0, -1) as Guard[];
    for (const name of spec.names) {
      if (this.commands.some((c) => c.spec.names.includes(name))) throw new Error(`command registered twice: ${name}`);
    }
    const guarded: CommandHandler = async (ctx, message, args) => {
      for (const guard of guards) {
        const refusal = await guard(ctx, { kind: 'command', name: spec.names[0]!, message, args });
        if (refusal) {
          await ctx.deny(refusal.text, { action: spec.id ?? `command.${spec.names[0]}`, entity: refusal.entity ?? 'Command', entityId: refusal.entityId ?? message.messageId, reason: refusal.reason });
          return;
        }
      }
      await handler(ctx, message, args);
    };
    this.commands.push({ spec, handler: guarded });
    // Longest names first so '导出申报表' wins over '导出'.
    this.commands.sort((a, b) => Math.max(...b.spec.names.map((n) => n.length)) - Math.max(...a.spec.names.map((n) => n.length)));
    return this;
  }

  /**
   * A card action, routed by `value.a` (current or legacy name). The definition's schema parses
   * the value (a stale or forged value gets its toast, the handler never sees it); guards run in
   * order before the handler.
   */
  action<V>(def: ActionDef<V>, ...rest: [...Guard[], ActionHandler<V>]): this {
    const handler = rest[rest.length - 1] as ActionHandler<V>;
    const guards = rest.slice(0, -1) as Guard[];
    const name = def.name;
    if (!ACTION_NAME.test(name)) throw new Error(`bad action name: ${name}`);
    if (this.actions.has(name)) throw new Error(`action registered twice: ${name}`);
    const guarded = async (ctx: HandlerContext, event: CardActionEvent): Promise<CardResponse> => {
      const parsed = def.parse(event.value);
      if (!parsed.ok) {
        await ctx.audit({ action: 'card.bad_value', entity: 'card', entityId: event.messageId, decision: 'deny', reason: `${name}: ${parsed.error}`.slice(0, 500) });
        return { toast: { type: 'warning', content: def.staleText } };
      }
      for (const guard of guards) {
        const refusal = await guard(ctx, { kind: 'action', name, action: event, value: parsed.value });
        if (refusal) return ctx.deny(refusal.text, { action: name, entity: refusal.entity ?? 'Card', entityId: refusal.entityId ?? event.messageId, reason: refusal.reason });
      }
      return handler(ctx, parsed.value, event);
    };
    this.actions.set(name, { def: def as ActionDef<unknown>, handler: guarded });
    for (const old of def.legacyNames) this.aliases.set(old, name);
    return this;
  }

  /** Non-command messages (images, replies to cards …); return true when handled. Tried in order. */
  onMessage(handler: MessageHandler): this {
    this.messageHandlers.push(handler);
    return this;
  }

  onBotAdded(handler: (ctx: HandlerContext, e: BotAddedEvent) => Promise<void>): this {
    this.addedHandlers.push(handler);
    return this;
  }

  onBotRemoved(handler: (ctx: HandlerContext, e: BotRemovedEvent) => Promise<void>): this {
    this.removedHandlers.push(handler);
    return this;
  }

  /** Answer for text nobody understood (a short help, never silence). */
  onUnknownText(handler: FallbackHandler): this {
    this.fallback = handler;
    return this;
  }

  listCommands(): readonly CommandSpec[] {
    return this.commands.map((c) => c.spec);
  }

  /** The registered action a card value's `a` leads to (legacy names included), if any. */
  actionFor(name: string): ActionDef<unknown> | undefined {
    return this.actions.get(this.aliases.get(name) ?? name)?.def;
  }

  /** Matches a command at the start of the text; returns the handler and the rest of the text. */
  matchCommand(text: string): { spec: CommandSpec; handler: CommandHandler; args: string } | undefined {
    const t = text.replace(/^[/／]/, '').trim();
    for (const c of this.commands) {
      for (const name of [...c.spec.names].sort((a, b) => b.length - a.length)) {
        if (t === name || t.startsWith(name + ' ') || t.startsWith(name + '\u3000') || t.startsWith(name + '：') || t.startsWith(name + ':') || (t.startsWith(name) && /^[\s\d]/.test(t.slice(name.length)))) {
          return {
            ...c,
            args: t
              .slice(name.length)
              .replace(/^[\s:：]+/, '')
              .trim(),
          };
        }
      }
    }
    return undefined;
  }

  /**
   * `receivedAt`: when the event arrived (the inbox processes it later); default now.
   * `answered`: a card callback whose HTTP answer already left (queued by the admission rule,
   * src/app/card-intake.ts): its result is delivered in the same transaction as its effect, the card
   * as a delayed update, a toast alone as a private message (exactly once, with the effect).
   */
  async dispatch(event: InboundEvent, receivedAt?: Date, options: { answered?: boolean } = {}): Promise<DispatchResult> {
    const { db, clock, log } = this.services;
    const key = dedupeKey(event);
    // A card callback replayed under a new event_id still carries its one-time token.
    const tokenKey = event.kind === 'card_action' && event.token ? `tok:${event.token}` : undefined;
    const keys = tokenKey ? [key, tokenKey] : [key];
    const now = receivedAt ?? clock.now();
    const after: (() => Promise<void>)[] = [];
    let response: CardResponse = {};
    let duplicate = false;
    // A re-delivery storm must not queue up for write transactions just to learn it is a
    // duplicate: a copy of an event this process took (or is taking) answers from memory, once the
    // first copy is done. The insert inside the transaction decides the rest (a copy that reached
    // another instance, or arrives after a restart): it fails on the key and rolls back.
    for (const k of keys) {
      const earlier = this.handled.get(k);
      if (earlier && (await earlier)) {
        log.info('duplicate event acknowledged', { key });
        return { duplicate: true, response: {} };
      }
    }
    let settle: (handled: boolean) => void = () => {};
    const settled = new Promise<boolean>((resolve) => (settle = resolve));
    for (const k of keys) this.handled.set(k, settled);
    while (this.handled.size > RECENT_EVENT_KEYS) this.handled.delete(this.handled.keys().next().value!);
    try {
      await db.$transaction(
        async (tx) => {
          // Recorded first: a duplicate that got past the look-up (a concurrent delivery, here or on
          // another instance) fails here on the primary key and rolls back, so the effect happens once.
          try {
            await tx.processedEvent.createMany({ data: keys.map((eventId) => ({ eventId, kind: event.kind, receivedAt: now })) });
          } catch (error) {
            if (isUniqueViolation(error)) duplicate = true;
            throw error;
          }
          const ctx = this.context(tx, event, now, after);
          response = await this.route(ctx, event);
          // The answer card goes straight back to Feishu, not through the outbox: same phone rule.
          if (response.card) response = { ...response, card: maskForAudience(response.card, { kind: 'unknown' }, false) };
          if (options.answered) await this.enqueueLate(tx, event, response, now);
        },
        { timeout: 20_000, maxWait: 10_000 },
      );
    } catch (error) {
      if (!duplicate) {
        // not handled: a copy may try again
        for (const k of keys) if (this.handled.get(k) === settled) this.handled.delete(k);
        settle(false);
        log.error('handler failed', { kind: event.kind, eventId: event.eventId, error });
        throw error;
      }
    }
    settle(true);
    if (duplicate) {
      log.info('duplicate event acknowledged', { key });
      return { duplicate, response: {} };
    }
    this.services.kickOutbox();
    for (const fn of after) {
      fn().catch((error: unknown) => log.error('after-commit work failed', { eventId: event.eventId, error }));
    }
    return { duplicate, response };
  }

  /**
   * A card handler that finished after the callback was already answered (past Feishu's 3 s) still
   * shows its result: the card goes out as a delayed update with the callback's token.
   */
  async deliverLateResponse(event: InboundEvent, response: CardResponse): Promise<void> {
    if (event.kind !== 'card_action' || (!response.card && !response.toast)) return;
    const now = this.services.clock.now();
    await this.services.db.$transaction((tx) => this.enqueueLate(tx, event, response, now));
    this.services.kickOutbox();
  }

  /**
   * The result of a card callback answered before it was ready: the card as a delayed update with
   * the callback's token (Feishu: after the answer, within 30 min, at most twice); a toast without a
   * card cannot be shown any more, so its text goes to the operator privately.
   */
  private async enqueueLate(tx: Tx, event: InboundEvent, response: CardResponse, now: Date): Promise<void> {
    if (event.kind !== 'card_action') return;
    const phones = this.phonePolicy(event);
    if (response.card && event.token) {
      await enqueue(tx, `late-card:${event.eventId}`, { op: 'card_update', token: event.token, card: response.card }, { phones }, now);
    } else if (response.toast && !response.card) {
      await enqueue(tx, `late-toast:${event.eventId}`, { op: 'send', to: { openId: event.operatorOpenId }, text: response.toast.content }, { phones }, now);
    }
  }

  private context(tx: Tx, event: InboundEvent, now: Date, after: (() => Promise<void>)[]): HandlerContext {
    const actor = event.kind === 'message' ? event.senderOpenId : event.kind === 'card_action' ? event.operatorOpenId : (event.operatorOpenId ?? '');
    return handlerContext(
      {
        tx,
        services: this.services,
        config: this.services.config,
        now,
        actor,
        eventId: event.eventId,
        enqueue: (key, op, options) => enqueue(tx, key, op, { ...options, phones: this.phonePolicy(event), replyChat: replyChatOf(event) }, now),
        audit: (entry) => audit(tx, { ...entry, actor: entry.actor ?? actor, eventId: event.eventId }, now),
        afterCommit: (fn) => {
          after.push(fn);
        },
      },
      event,
    );
  }

  /** The phone rule's view of this event: a reply to a direct message lands privately with its sender. */
  private phonePolicy(event: InboundEvent): PhonePolicy {
    const coordinatorOpenIds = this.services.config.coordinatorOpenIds;
    return event.kind === 'message' && event.chatType === 'p2p' ? { coordinatorOpenIds, privateReplyTo: { messageId: event.messageId, openId: event.senderOpenId } } : { coordinatorOpenIds };
  }

  private async route(ctx: HandlerContext, event: InboundEvent): Promise<CardResponse> {
    switch (event.kind) {
      case 'card_action': {
        if (event.oversized) {
          await ctx.audit({ action: 'input.oversized', entity: 'card', entityId: event.messageId, decision: 'deny', reason: `${event.oversized.field} over ${event.oversized.limit} chars` });
          return { toast: { type: 'warning', content: oversizedRefusal(event.oversized) } };
        }
        const name = typeof event.value.a === 'string' ? event.value.a : '';
        const entry = this.actions.get(this.aliases.get(name) ?? name);
        if (!entry) {
          await ctx.audit({ action: 'card.unknown_action', entity: 'card', entityId: event.messageId, decision: 'deny', reason: `unknown action '${name}'` });
          return { toast: { type: 'warning', content: '这张卡片已过期或按钮无效，请重新发送指令获取新卡片' } };
        }
        return entry.handler(ctx, event);
      }
      case 'message': {
        if (event.senderType !== 'user') return {};
        // In groups the bot only acts when addressed; direct chats are always for the bot.
        const addressed = event.chatType === 'p2p' || event.mentionedBot;
        if (event.oversized) {
          if (!addressed) return {};
          await ctx.audit({ action: 'input.oversized', entity: 'message', entityId: event.messageId, decision: 'deny', reason: `${event.oversized.field} over ${event.oversized.limit} chars` });
          await ctx.enqueue(`oversized:${event.messageId}`, { op: 'reply', messageId: event.messageId, text: oversizedRefusal(event.oversized) });
          return {};
        }
        if (event.msgType === 'text' && addressed) {
          const match = this.matchCommand(event.text);
          if (match) {
            await match.handler(ctx, event, match.args);
            return {};
          }
        }
        for (const handler of this.messageHandlers) {
          if (await handler(ctx, event)) return {};
        }
        if (event.msgType === 'text' && addressed && this.fallback) await this.fallback(ctx, event, this.listCommands());
        return {};
      }
      case 'bot_added':
        for (const h of this.addedHandlers) await h(ctx, event);
        return {};
      case 'bot_removed':
        for (const h of this.removedHandlers) await h(ctx, event);
        return {};
    }
  }
}

/** The clear refusal for input longer than the edge allows (nothing of it was processed). */
export function oversizedRefusal(o: Oversized): string {
  return `${o.field}过长（超过 ${o.limit} 字），未处理。请缩短后重新${o.field === '消息' ? '发送' : '提交'}。`;
}

export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (e && e.code === 'P2002') return true;
  const msg = typeof e?.message === 'string' ? e.message : '';
  return /Unique constraint failed|UNIQUE constraint failed|duplicate key value violates unique constraint/i.test(msg);
}

/**
 * The glue every handler needs, bound to one event: replies with a per-event counter in the outbox
 * key (a second reply is its own row, not dropped as a duplicate), refusals with an audit row, role
 * checks cached for the event, and the people mentioned.
 */
export function handlerContext(base: UseCaseContext, event: InboundEvent | null): HandlerContext {
  let replies = 0;
  const roles = new Map<string, Promise<boolean>>();
  const ctx: HandlerContext = {
    ...base,
    event,
    async reply(body) {
      replies += 1;
      const content = typeof body === 'string' ? { text: body } : { card: body };
      if (event?.kind === 'message') {
        await base.enqueue(`reply:${event.messageId}#${replies}`, { op: 'reply', messageId: event.messageId, ...content });
      } else if (event?.kind === 'card_action') {
        await base.enqueue(`reply:${event.eventId}#${replies}`, { op: 'send', to: { chatId: event.chatId }, ...content });
      } else {
        throw new Error('ctx.reply needs a message or a card action');
      }
    },
    async deny(text, a = {}) {
      const entity = a.entity ?? (event?.kind === 'message' ? 'Command' : 'Card');
      const entityId = a.entityId !== undefined ? a.entityId : event && 'messageId' in event ? event.messageId : null;
      await base.audit({ action: a.action ?? 'access', entity, entityId, decision: 'deny', reason: a.reason ?? text });
      if (event?.kind === 'message') await ctx.reply(text);
      return { toast: { type: 'error', content: text } };
    },
    is(role, scope) {
      const key = `${role}:${scope ?? ''}`;
      let answer = roles.get(key);
      if (!answer) {
        answer = roleCheck(base, role, scope);
        roles.set(key, answer);
      }
      return answer;
    },
    async mentioned() {
      if (event?.kind !== 'message') return [];
      let bot: string | null;
      try {
        bot = (await base.services.gateway.botInfo()).openId;
      } catch {
        bot = null;
      }
      return event.mentions.filter((m) => m.openId && m.openId !== bot && /^ou_/.test(m.openId));
    },
  };
  return ctx;
}

async function roleCheck(ctx: UseCaseContext, role: Role, scope: string | undefined): Promise<boolean> {
  const configured = ctx.config.coordinatorOpenIds;
  switch (role) {
    case 'coordinator':
      return isCoordinator(ctx.tx, ctx.actor, configured);
    case 'reviewer':
      return scope ? isReviewer(ctx.tx, ctx.actor, scope, configured) : isCoordinator(ctx.tx, ctx.actor, configured);
    case 'judge':
      return scope ? isJudge(ctx.tx, ctx.actor, scope) : false;
    case 'liaison-of':
      return scope ? isLiaisonOf(ctx.tx, ctx.actor, scope) : false;
  }
}
