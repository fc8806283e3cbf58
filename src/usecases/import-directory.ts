// Imports the unit directory: every row is validated first; one bad row means nothing is
// written and every problem is returned. A valid file is upserted in one transaction, so a
// re-import of the same file changes nothing. Units and liaisons absent from the file are left
// alone (the file may cover only some units); within a unit the file's primary liaison is the
// only primary.
import type { Db, Tx } from '../adapters/db/database.ts';
import { parseDirectory, type DirectoryError, type DirectoryTable, type DirectoryUnit } from '../domain/directory.ts';

export interface UpsertCounts {
  created: number;
  updated: number;
  unchanged: number;
}

export interface DirectoryCounts {
  units: UpsertCounts;
  liaisons: UpsertCounts;
}

export type ImportDirectoryResult = { ok: true; counts: DirectoryCounts } | { ok: false; errors: DirectoryError[] };

export interface ImportDirectoryInput {
  table: DirectoryTable;
  /** operator open_id, or 'cli' */
  actorOpenId: string;
  now: Date;
  /** shown in the audit log, e.g. the file name */
  source?: string;
}

/** Validates, then writes in its own transaction. */
export async function importDirectory(db: Db, input: ImportDirectoryInput): Promise<ImportDirectoryResult> {
  const parsed = parseDirectory(input.table);
  if (!parsed.ok) return parsed;
  return db.$transaction(async (tx) => importDirectoryInTx(tx, input), { timeout: 60_000, maxWait: 30_000 });
}

/** The same inside a transaction the caller owns (e.g. a handler's). */
export async function importDirectoryInTx(tx: Tx, input: ImportDirectoryInput): Promise<ImportDirectoryResult> {
  const parsed = parseDirectory(input.table);
  if (!parsed.ok) return parsed;
  const counts = await writeDirectory(tx, parsed.units);
  await tx.auditLog.create({
    data: {
      at: input.now,
      actorOpenId: input.actorOpenId,
      action: 'directory.import',
      entity: 'Unit',
      after: JSON.stringify({ source: input.source ?? null, units: parsed.units.length, counts }),
    },
  });
  return { ok: true, counts };
}

function emptyCounts(): DirectoryCounts {
  return { units: { created: 0, updated: 0, unchanged: 0 }, liaisons: { created: 0, updated: 0, unchanged: 0 } };
}

/** Upserts validated units and their liaisons inside the caller's transaction. */
export async function writeDirectory(tx: Tx, units: DirectoryUnit[]): Promise<DirectoryCounts> {
  const counts = emptyCounts();
  for (const unit of units) {
    const existing = await tx.unit.findUnique({ where: { name: unit.name }, include: { liaisons: true } });
    let unitId: string;
    if (!existing) {
      const created = await tx.unit.create({
        data: {
          name: unit.name,
          kind: unit.kind,
          sortOrder: unit.sortOrder ?? 0,
          leaderName: unit.leaderName,
          leaderOpenId: unit.leaderOpenId,
        },
      });
      unitId = created.id;
      counts.units.created++;
    } else {
      unitId = existing.id;
      // Blank 排序 / 分管领导 cells keep what is there rather than erase it.
      const next = {
        kind: unit.kind,
        sortOrder: unit.sortOrder ?? existing.sortOrder,
        leaderName: unit.leaderName ?? existing.leaderName,
        leaderOpenId: unit.leaderOpenId ?? existing.leaderOpenId,
        active: true,
      };
      const changed = next.kind !== existing.kind || next.sortOrder !== existing.sortOrder || next.leaderName !== existing.leaderName || next.leaderOpenId !== existing.leaderOpenId || next.active !== existing.active;
      if (changed) {
        await tx.unit.update({ where: { id: unitId }, data: next });
        counts.units.updated++;
      } else {
        counts.units.unchanged++;
      }
    }

    const current = existing?.liaisons ?? [];
    const matched = new Set<string>();
    for (const liaison of unit.liaisons) {
      // Same person: same open_id, else same name (a name row may gain its open_id later).
      const found =
        (liaison.openId ? current.find((l) => l.openId === liaison.openId) : undefined) ?? current.find((l) => !matched.has(l.id) && l.name === liaison.name && (l.openId === null || liaison.openId === null || l.openId === liaison.openId));
      const data = { name: liaison.name, phone: liaison.phone, role: liaison.role, openId: liaison.openId ?? found?.openId ?? null };
      if (!found) {
        await tx.liaison.create({ data: { unitId, ...data } });
        counts.liaisons.created++;
        continue;
      }
      matched.add(found.id);
      if (found.name !== data.name || found.phone !== data.phone || found.role !== data.role || found.openId !== data.openId) {
        await tx.liaison.update({ where: { id: found.id }, data });
        counts.liaisons.updated++;
      } else {
        counts.liaisons.unchanged++;
      }
    }
    // The file names the unit's primary liaison; any other primary becomes a backup.
    for (const other of current) {
      if (!matched.has(other.id) && other.role === 'primary' && unit.liaisons.some((l) => l.role === 'primary')) {
        await tx.liaison.update({ where: { id: other.id }, data: { role: 'backup' } });
        counts.liaisons.updated++;
      }
    }
  }
  return counts;
}
