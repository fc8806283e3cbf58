// Append-only audit trail: every change and every refusal (who, what, when, before/after).
import type { Tx } from '../adapters/db/database.ts';

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
