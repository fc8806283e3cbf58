// Fixed choices with Chinese labels (activity forms, unit kinds, statuses, …): one definition gives
// the list in its order, the keys as a tuple for z.enum, and the label of a key. Pure.

export interface Option {
  key: string;
  label: string;
}

export type KeyOf<T extends readonly Option[]> = T[number]['key'];

/** Options from a key → label record, in the record's order: { town: '镇', street: '街道' }. */
export function labelled<const R extends Record<string, string>>(labels: R): { key: keyof R & string; label: string }[] {
  return Object.entries(labels).map(([key, label]) => ({ key, label }));
}

/** The keys of a record, in its order, as a non-empty tuple (z.enum takes one). */
export function keysOf<const R extends Record<string, unknown>>(record: R): [keyof R & string, ...(keyof R & string)[]] {
  return Object.keys(record) as [keyof R & string, ...(keyof R & string)[]];
}

/** The options' keys as a non-empty tuple. */
export function optionKeys<const T extends readonly Option[]>(options: T): [KeyOf<T>, ...KeyOf<T>[]] {
  return options.map((o) => o.key) as [KeyOf<T>, ...KeyOf<T>[]];
}

/** The label of a key; an unknown key (older data) is shown as it is. */
export function optionLabel(options: readonly Option[], key: string): string {
  return options.find((o) => o.key === key)?.label ?? key;
}
