// Runs use-case code outside an inbound event (jobs, the CLI, demo seeds) with the same
// transaction-bound helpers a handler gets.
import type { Tx } from '../adapters/db/database.ts';
import { handlerContext, type AppServices, type HandlerContext } from './bot.ts';
import { audit } from './audit.ts';
import { enqueue } from './outbox.ts';

export async function withContext<T>(services: AppServices, actor: string, fn: (ctx: HandlerContext) => Promise<T>, options: { now?: Date; eventId?: string } = {}): Promise<T> {
  const now = options.now ?? services.clock.now();
  const after: (() => Promise<void>)[] = [];
  const eventId = options.eventId ?? `system:${actor}:${now.toISOString()}`;
  const result = await services.db.$transaction(
    async (tx: Tx) =>
      fn(
        handlerContext(
          {
            tx,
            services,
            config: services.config,
            now,
            actor,
            eventId,
            enqueue: (key, op, o) => enqueue(tx, key, op, { ...o, phones: { coordinatorOpenIds: services.config.coordinatorOpenIds } }, now),
            audit: (entry) => audit(tx, { ...entry, actor: entry.actor ?? actor, eventId }, now),
            afterCommit: (f) => {
              after.push(f);
            },
          },
          null,
        ),
      ),
    { timeout: 60_000, maxWait: 20_000 },
  );
  services.kickOutbox();
  for (const f of after) f().catch((error: unknown) => services.log.error('after-commit work failed', { error }));
  return result;
}
