// Seeds the built-in demo directory for local mode: units and liaisons (through the same
// upsert as a file import), the coordinator, and one bound group chat per unit plus the
// coordinating office's chat. Idempotent: a second run changes nothing and writes no audit row.
// Local mode calls `seedDemoDirectoryOnce` on every start: it seeds only when the directory is
// empty or the built-in directory changed since the last seed (its content hash, kept in KeyValue),
// so a restart costs two small queries instead of a query per unit, chat and liaison.
import { createHash } from 'node:crypto';
import type { Db, Tx } from '../adapters/db/database.ts';
import { DEMO_OFFICE, DEMO_UNITS } from '../domain/demo-directory.ts';
import { writeDirectory, type DirectoryCounts, type UpsertCounts } from './import-directory.ts';

export interface SeedDemoResult extends DirectoryCounts {
  chats: UpsertCounts;
  coordinatorCreated: boolean;
}

export interface SeedDemoInput {
  actorOpenId: string;
  now: Date;
}

/** KeyValue key holding the hash of the built-in directory last seeded. */
export const DEMO_SEED_HASH_KEY = 'demo.seedHash';

/** Content hash of the built-in demo directory (units, liaisons, chats, coordinator). */
export function demoDirectoryHash(office: unknown = DEMO_OFFICE, units: unknown = DEMO_UNITS): string {
  return createHash('sha256').update(JSON.stringify({ office, units })).digest('hex');
}

/**
 * Seeds unless the directory already holds units and the stored hash matches the built-in
 * directory. Returns the seed result, or `undefined` when nothing was done. A fresh database
 * is seeded exactly as `seedDemoDirectory` does it.
 */
export async function seedDemoDirectoryOnce(db: Db, input: SeedDemoInput & { hash?: string }): Promise<SeedDemoResult | undefined> {
  const hash = input.hash ?? demoDirectoryHash();
  const [stored, units] = await Promise.all([db.keyValue.findUnique({ where: { key: DEMO_SEED_HASH_KEY } }), db.unit.count()]);
  if (stored?.value === hash && units > 0) return undefined;
  return db.$transaction(
    async (tx) => {
      const result = await seedDemoDirectoryInTx(tx, input);
      await tx.keyValue.upsert({ where: { key: DEMO_SEED_HASH_KEY }, create: { key: DEMO_SEED_HASH_KEY, value: hash }, update: { value: hash } });
      return result;
    },
    { timeout: 60_000, maxWait: 30_000 },
  );
}

export async function seedDemoDirectory(db: Db, input: SeedDemoInput): Promise<SeedDemoResult> {
  return db.$transaction(async (tx) => seedDemoDirectoryInTx(tx, input), { timeout: 60_000, maxWait: 30_000 });
}

export async function seedDemoDirectoryInTx(tx: Tx, input: SeedDemoInput): Promise<SeedDemoResult> {
  const counts = await writeDirectory(tx, DEMO_UNITS);
  const chats: UpsertCounts = { created: 0, updated: 0, unchanged: 0 };

  const coordinator = await tx.coordinator.findUnique({ where: { openId: DEMO_OFFICE.coordinator.openId } });
  if (!coordinator) {
    await tx.coordinator.create({ data: { openId: DEMO_OFFICE.coordinator.openId, name: DEMO_OFFICE.coordinator.name, addedBy: input.actorOpenId } });
  }

  const wanted = [
    { chatId: DEMO_OFFICE.chatId, name: DEMO_OFFICE.chatName, status: 'coordinator', unitName: null as string | null },
    ...DEMO_UNITS.map((u) => ({ chatId: u.chatId, name: u.chatName, status: 'bound', unitName: u.name as string | null })),
  ];
  for (const want of wanted) {
    const unit = want.unitName ? await tx.unit.findUniqueOrThrow({ where: { name: want.unitName } }) : null;
    const unitId = unit?.id ?? null;
    const chat = await tx.groupChat.findUnique({ where: { chatId: want.chatId } });
    if (!chat) {
      await tx.groupChat.create({ data: { chatId: want.chatId, name: want.name, status: want.status, unitId, addedBy: input.actorOpenId, addedAt: input.now } });
      chats.created++;
    } else if (chat.name !== want.name || chat.status !== want.status || chat.unitId !== unitId) {
      await tx.groupChat.update({ where: { chatId: want.chatId }, data: { name: want.name, status: want.status, unitId } });
      chats.updated++;
    } else {
      chats.unchanged++;
    }
    if (unit && unit.chatId !== want.chatId) {
      await tx.unit.update({ where: { id: unit.id }, data: { chatId: want.chatId } });
    }
  }

  const result: SeedDemoResult = { ...counts, chats, coordinatorCreated: !coordinator };
  const changed = counts.units.created + counts.units.updated + counts.liaisons.created + counts.liaisons.updated + chats.created + chats.updated > 0 || !coordinator;
  if (changed) {
    await tx.auditLog.create({
      data: { at: input.now, actorOpenId: input.actorOpenId, action: 'directory.seed_demo', entity: 'Unit', after: JSON.stringify(result) },
    });
  }
  return result;
}
