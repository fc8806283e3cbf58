// The two writes every delivered row makes (the calls leave; the call succeeded), as plain SQL,
// each shared by the lanes that make it at about the same time.
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

/**
 * Writes that lanes make as their calls come back, grouped: the first waits one turn of the event
 * loop for the others of that turn; those asked while a write is in flight go together in the next
 * one, as one `UPDATE … FROM (VALUES …) RETURNING id` (each row its own values). Each UPDATE is a
 * commit, which SQLite syncs to disk: a fan-out's ~50 lanes finishing within milliseconds made as
 * many syncs one after another, and each answer waited behind them. A row it did not return had
 * lost its lease (false). A failed statement fails every mark in it.
 */
class GroupedMarks<M extends { id: string }> {
  private batch: { m: M; resolve(ok: boolean): void; reject(error: unknown): void }[] = [];
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly db: Db,
    private readonly provider: Provider,
    /** the statement for a batch (its VALUES rows start with the id; `p` binds a parameter) */
    private readonly build: (batch: M[], p: (value: unknown) => string, at: (d: Date) => string) => string,
  ) {}

  mark(m: M): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.batch.push({ m, resolve, reject });
      this.flushing ??= this.flushAll();
    });
  }

  private async flushAll(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    while (this.batch.length > 0) {
      const batch = this.batch;
      this.batch = [];
      const rows = batch.map((b) => b.m);
      const sql = statement(this.provider, (p, at) => this.build(rows, p, at));
      try {
        const marked = new Set((await this.db.$queryRawUnsafe<{ id: string }[]>(sql.text, ...sql.params)).map((r) => r.id));
        for (const b of batch) b.resolve(marked.has(b.m.id));
      } catch (error) {
        for (const b of batch) b.reject(error);
      }
    }
    this.flushing = undefined;
  }
}

/** A grouped mark's `WHERE` (the VALUES row's id, still this worker's: a lost lease changes nothing) and `RETURNING`. */
const whereHeldReturningId = (p: (value: unknown) => string, workerId: string) => `"OutboxMessage"."id" = v.column1 AND "OutboxMessage"."status" = 'sending' AND "OutboxMessage"."claimedBy" = ${p(workerId)} RETURNING "OutboxMessage"."id"`;

/**
 * Feishu accepted the calls: rows marked sent with a group commit (a campaign year's 959 marks
 * became ~310 statements, and its drains 12 % faster on SQLite; on PostgreSQL, whose pool runs
 * the marks side by side, no change was measured). A crash before it leaves the rows ambiguous, as
 * before.
 */
export class SentMarks {
  private readonly marks: GroupedMarks<{ id: string; sentAt: Date; messageId: string | null }>;

  constructor(db: Db, provider: Provider, workerId: string) {
    // VALUES names its columns column1… on both databases; PostgreSQL needs the message id's type.
    this.marks = new GroupedMarks(db, provider, (batch, p, at) => {
      const text = (value: string | null) => (provider === 'postgresql' ? `${p(value)}::text` : p(value));
      const rows = batch.map((m) => `(${p(m.id)}, ${at(m.sentAt)}, ${text(m.messageId)})`).join(', ');
      return `UPDATE "OutboxMessage" SET "status" = 'sent', "sentAt" = v.column2, "resultMessageId" = v.column3, "leaseUntil" = NULL, "claimedBy" = NULL, "attemptStartedAt" = NULL, "lastError" = NULL, "lastErrorCode" = NULL FROM (VALUES ${rows}) AS v WHERE ${whereHeldReturningId(p, workerId)}`;
    });
  }

  mark(row: { id: string; sentAt: Date; messageId: string | undefined }): Promise<boolean> {
    return this.marks.mark({ id: row.id, sentAt: row.sentAt, messageId: row.messageId ?? null });
  }
}

/**
 * A call failed and its row is retried in its lane (worker.ts): the call's outcome is known
 * (attemptStartedAt cleared) and its error kept, the lease held. Grouped like SentMarks: with 30 %
 * of calls failing, a fan-out's second brought ~15 of these, each its own model query (~1.3 ms of
 * CPU on SQLite, ~2.7 ms on PostgreSQL) between the answers of that second's other calls.
 */
export class RetryMarks {
  private readonly marks: GroupedMarks<{ id: string; lastError: string; lastErrorCode: number | null }>;

  constructor(db: Db, provider: Provider, workerId: string) {
    this.marks = new GroupedMarks(db, provider, (batch, p) => {
      const pg = provider === 'postgresql';
      const rows = batch.map((m) => `(${p(m.id)}, ${pg ? `${p(m.lastError)}::text` : p(m.lastError)}, ${pg ? `${p(m.lastErrorCode)}::integer` : p(m.lastErrorCode)})`).join(', ');
      return `UPDATE "OutboxMessage" SET "attemptStartedAt" = NULL, "lastError" = v.column2, "lastErrorCode" = v.column3 FROM (VALUES ${rows}) AS v WHERE ${whereHeldReturningId(p, workerId)}`;
    });
  }

  mark(row: { id: string; lastError: string; lastErrorCode: number | undefined }): Promise<boolean> {
    return this.marks.mark({ id: row.id, lastError: row.lastError, lastErrorCode: row.lastErrorCode ?? null });
  }
}
