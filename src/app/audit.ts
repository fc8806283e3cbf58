// Append-only audit trail: every change and every refusal (who, what, when, before/after). Never
// pruned by the app (government records are kept at least six months); exported by date range.
import type { Tx } from '../adapters/db/database.ts';
import type { AuditFacts } from '../domain/audit.ts';

export interface AuditEntry {
  actor: string;
  action: string;
  entity: string;
  entityId?: string | null;
  decision?: 'allow' | 'deny';
  reason?: string;
  before?: unknown;
  after?: unknown;
  eventId?: string;
}

const json = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));

export async function audit(tx: Tx, entry: AuditEntry, at = new Date()): Promise<void> {
  await tx.auditLog.create({
    data: {
      at,
      actorOpenId: entry.actor,
      action: entry.action,
      entity: entry.entity,
      entityId: entry.entityId ?? null,
      decision: entry.decision ?? 'allow',
      reason: entry.reason ?? null,
      before: json(entry.before),
      after: json(entry.after),
      eventId: entry.eventId ?? null,
    },
  });
}

export interface AuditRecord extends AuditFacts {
  at: Date;
  eventId: string | null;
}

/** Audit records with from ≤ at < to, oldest first, read in pages (keyset on at, id). */
export async function* auditRecords(db: Pick<Tx, 'auditLog'>, from: Date, to: Date, pageSize = 1000): AsyncGenerator<AuditRecord> {
  let after: { at: Date; id: string } | undefined;
  for (;;) {
    const page: AuditRecord[] = await db.auditLog.findMany({
      where: {
        at: { gte: from, lt: to },
        ...(after ? { OR: [{ at: { gt: after.at } }, { at: after.at, id: { gt: after.id } }] } : {}),
      },
      orderBy: [{ at: 'asc' }, { id: 'asc' }],
      take: pageSize,
    });
    yield* page;
    if (page.length < pageSize) return;
    const last = page[page.length - 1]!;
    after = { at: last.at, id: last.id };
  }
}
