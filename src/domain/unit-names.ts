// Finding a unit by what a person typed (全称, 简称 or part of it) or by a group chat's name.

/** Finds a unit by what a person typed: exact name, short name, or an unambiguous part of the name. */
export function matchUnitName<T extends { name: string; shortName?: string | null }>(units: T[], typed: string): { unit: T } | { ambiguous: T[] } | null {
  const t = typed.normalize('NFKC').replace(/\s+/g, '');
  if (!t) return null;
  const exact = units.find((u) => u.name === t || u.shortName === t);
  if (exact) return { unit: exact };
  const partial = units.filter((u) => u.name.includes(t));
  if (partial.length === 1) return { unit: partial[0]! };
  if (partial.length > 1) return { ambiguous: partial };
  return null;
}

/**
 * The unit a group chat belongs to, guessed from its name ('星沙街道政务公开工作群' → 星沙街道):
 * only when exactly one unit name (the longest among nested matches) appears in it.
 */
export function guessUnitFromChatName<T extends { name: string; shortName?: string | null }>(units: T[], chatName: string): T | null {
  const name = chatName.normalize('NFKC').replace(/\s+/g, '');
  const hits = units.filter((u) => name.includes(u.name) || (u.shortName && u.shortName.length >= 2 && name.includes(u.shortName)));
  if (hits.length === 0) return null;
  const longest = hits.reduce((a, b) => (b.name.length > a.name.length ? b : a));
  return hits.every((h) => h === longest || longest.name.includes(h.name)) ? longest : null;
}
