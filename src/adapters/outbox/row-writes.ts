// The two writes every delivered row makes (the calls leave; the call succeeded), as plain SQL.
// Prisma 6.19's query compiler plans every model query afresh (no plan cache): an `updateMany`
// costs ~1.3 ms of CPU on SQLite and ~2.7 ms on PostgreSQL (its own BEGIN/COMMIT too), a raw
// statement in a batch transaction ~0.4 / 0.8 ms (measured side by side, bench/README.md). At
// 50 messages a second that is the difference between a worker that keeps up on a busy 2-core
// machine and one that does not. Both statements are guarded like the model queries they replace
// (`status = 'sending' AND claimedBy = this worker`), so a lost lease still changes nothing.
//
// Each is one statement on its own (autocommit). On SQLite, whose adapter has one connection, it
// waits for an open transaction to end rather than joining it (src/adapters/db/database.ts).
import type { Db } from '../db/database.ts';
import type { Provider } from '../db/schema/providers.ts';

interface Sql {
  text: string;
  params: unknown[];
}

function statement(provider: Provider, build: (p: (value: unknown) => string, at: (d: Date) => string) => string): Sql {
  const pg = provider === 'postgresql';
  const params: unknown[] = [];
  const p = (value: unknown) => {
    params.push(value);
    return pg ? `$${params.length}` : '?';
  };
  // PostgreSQL's timestamp(3) holds UTC (as Prisma writes it); SQLite gets the Date, which the
  // adapter writes in the same ISO form as Prisma's own queries.
  const at = (d: Date) => (pg ? `${p(d.toISOString())}::timestamp(3)` : p(d));
  return { text: build(p, at), params };
}

async function run(db: Db, sql: Sql): Promise<number> {
  return db.$executeRawUnsafe(sql.text, ...sql.params);
}

/**
 * The calls about to leave, marked together: one more attempt each, started now, lease renewed.
 * When the rate windows free, the slot queue lets many lanes go at once (a fan-out's next second:
 * up to 50 calls), and each lane marked its row with an UPDATE of its own before its call left.
 * Marks asked in the same turn of the event loop now share one `UPDATE … WHERE id IN (…) RETURNING
 * id`: a campaign year's 958 marks became ~220 statements (bench/README.md, 2026-12-06 10:30). A
 * row it did not return had lost its lease (false). A failed statement fails every mark in it.
 */
export class AttemptMarks {
  private batch: { id: string; resolve(ok: boolean): void; reject(error: unknown): void }[] = [];

  constructor(
    private readonly db: Db,
    private readonly provider: Provider,
    private readonly workerId: string,
    private readonly leaseMs: number,
    private readonly now: () => Date,
  ) {}

  mark(id: string): Promise<boolean> {
    return new Promise((resolve, reject) => {
      if (this.batch.length === 0) setImmediate(() => void this.flush());
      this.batch.push({ id, resolve, reject });
    });
  }

  private async flush(): Promise<void> {
    const batch = this.batch;
    this.batch = [];
    const startedAt = this.now();
    const sql = statement(
      this.provider,
      (p, at) =>
        `UPDATE "OutboxMessage" SET "attempts" = "attempts" + 1, "attemptStartedAt" = ${at(startedAt)}, "leaseUntil" = ${at(new Date(startedAt.getTime() + this.leaseMs))} WHERE "status" = 'sending' AND "claimedBy" = ${p(this.workerId)} AND "id" IN (${batch.map((m) => p(m.id)).join(', ')}) RETURNING "id"`,
    );
    try {
      const marked = new Set((await this.db.$queryRawUnsafe<{ id: string }[]>(sql.text, ...sql.params)).map((r) => r.id));
      for (const m of batch) m.resolve(marked.has(m.id));
    } catch (error) {
      for (const m of batch) m.reject(error);
    }
  }
}

/** Feishu accepted the call. False when the lease was lost meanwhile. */
export async function markSent(db: Db, provider: Provider, row: { id: string; workerId: string; sentAt: Date; messageId: string | undefined }): Promise<boolean> {
  const sql = statement(
    provider,
    (p, at) =>
      `UPDATE "OutboxMessage" SET "status" = 'sent', "sentAt" = ${at(row.sentAt)}, "resultMessageId" = ${p(row.messageId ?? null)}, "leaseUntil" = NULL, "claimedBy" = NULL, "attemptStartedAt" = NULL, "lastError" = NULL, "lastErrorCode" = NULL WHERE "id" = ${p(row.id)} AND "status" = 'sending' AND "claimedBy" = ${p(row.workerId)}`,
  );
  return (await run(db, sql)) > 0;
}
