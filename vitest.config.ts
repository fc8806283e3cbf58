import { defineConfig } from 'vitest/config';

// vitest 5's reporters call Map.groupBy / Object.groupBy (Node 21+) when printing failures; this
// project runs on Node 20, so provide them in the main process where the reporters run.
function groupInto<K, V>(items: Iterable<V>, key: (v: V, i: number) => K): Map<K, V[]> {
  const map = new Map<K, V[]>();
  let i = 0;
  for (const item of items) {
    const k = key(item, i++);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}
if (typeof (Map as { groupBy?: unknown }).groupBy !== 'function') {
  Object.defineProperty(Map, 'groupBy', { value: groupInto, configurable: true, writable: true });
}
if (typeof (Object as { groupBy?: unknown }).groupBy !== 'function') {
  Object.defineProperty(Object, 'groupBy', {
    value: <V>(items: Iterable<V>, key: (v: V, i: number) => PropertyKey) => Object.assign(Object.create(null), Object.fromEntries(groupInto(items, key))),
    configurable: true,
    writable: true,
  });
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Each file gets its own databases; files run in parallel processes, tests in a file in order.
    pool: 'forks',
    maxWorkers: 2,
    globalSetup: ['test/support/global-setup.ts'],
    env: { TZ: 'UTC', LOG_LEVEL: 'silent' },
  },
});
