// `npm run fuzz [-- --runs N] [-- name…]`: every edge parser (test/fuzz/targets.ts) on 100,000
// generated inputs with a fixed seed. Reports per target the crashes (exceptions or broken
// invariants: there must be none) and the slowest input; exits non-zero on any crash.
import fc from 'fast-check';
import { TARGETS } from '../test/fuzz/targets.ts';

const argv = process.argv.slice(2);
const runsAt = argv.indexOf('--runs');
const runs = runsAt >= 0 ? Number(argv[runsAt + 1]) : 100_000;
// Without --runs, runsAt + 1 is 0: only skip the value that follows an actual --runs.
const wanted = argv.filter((a, i) => a !== '--runs' && !(runsAt >= 0 && i === runsAt + 1));
const SEED = 20261204;

const preview = (input: unknown): string => {
  const s = typeof input === 'string' ? JSON.stringify(input) : (JSON.stringify(input, (_k, v: unknown) => (v instanceof Uint8Array ? `<${v.length} bytes>` : v)) ?? String(input));
  return s.length > 160 ? `${s.slice(0, 160)}… (${s.length} chars)` : s;
};

let crashedTotal = 0;
for (const target of TARGETS.filter((t) => wanted.length === 0 || wanted.some((w) => t.name.includes(w)))) {
  let crashes = 0;
  const examples: string[] = [];
  let slowest = { ms: 0, input: '' };
  const started = performance.now();
  fc.check(
    fc.property(target.arbitrary, (input) => {
      const t0 = performance.now();
      try {
        void target.run(input);
      } catch (error) {
        crashes++;
        if (examples.length < 3) examples.push(`${(error as Error).message} ← ${preview(input)}`);
      }
      const ms = performance.now() - t0;
      if (ms > slowest.ms) slowest = { ms, input: preview(input) };
      return true;
    }),
    { numRuns: runs, seed: SEED },
  );
  const seconds = (performance.now() - started) / 1000;
  crashedTotal += crashes;
  console.log(`fuzz · ${target.name}: inputs=${runs}  crashes=${crashes}  seconds=${seconds.toFixed(1)}  slowest=${slowest.ms.toFixed(2)} ms ${slowest.input}`);
  for (const e of examples) console.log(`  crash: ${e}`);
}
console.log(`${TARGETS.length} targets, seed ${SEED}: ${crashedTotal === 0 ? 'no crashes' : `${crashedTotal} crashes`}`);
process.exit(crashedTotal === 0 ? 0 : 1);
