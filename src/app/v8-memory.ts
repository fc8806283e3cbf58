// V8 settings for the idle memory of `npm start` (issue 17 goal 3; bench/start.bench.ts: RSS 10 s
// after start, goal < 150 MB). Imported first by src/main.ts, before any other module loads.
// Neither changes what the app does. A flag already given on the command line or in NODE_OPTIONS
// is left as given; V8_MEMORY_FLAGS=0 leaves both off.
//
// Measured (idle RSS 10 s after start, medians of 5 runs; bench/README.md 2026-12-06 22:50): 132 MB
// without these, 106 MB with both, local mode; 136 → 103 MB production. Where the memory was:
//
// 1. The young generation. Loading ~1,000 modules keeps most of what the scavenger sees alive, so
//    V8 doubles the semi-spaces to their maximum (2 × 16 MB) during start-up and keeps them
//    committed until its memory reducer runs, some 10–20 s later. Start-up runs with no growth
//    (1 MB semi-spaces); `startupDone()` restores the default factor, so a burst of events grows
//    the young generation as before.
// 2. WebAssembly tier-up. Prisma's query compiler is WebAssembly: its hot functions were recompiled
//    by TurboFan on V8's worker threads, whose zone memory stays in glibc's per-thread malloc
//    arenas once freed (~20 MB of RSS for good). Liftoff (V8's baseline WebAssembly compiler, the
//    code every module starts with) alone compiles queries as fast here: measured, the first 200
//    queries were faster and later ones the same, and the plan cache (src/adapters/db/plan-cache.ts)
//    answers most requests without compiling at all.
import v8 from 'node:v8';

const given = `${process.env.NODE_OPTIONS ?? ''} ${process.execArgv.join(' ')}`;
const enabled = process.env.V8_MEMORY_FLAGS !== '0';
const free = (flag: string) => enabled && !given.includes(flag);

const semiSpace = free('semi-space');
if (semiSpace) v8.setFlagsFromString('--semi-space-growth-factor=1');
if (free('liftoff') && free('wasm-tier')) v8.setFlagsFromString('--liftoff-only');

/** The app is listening: the young generation may grow again under load (V8's default factor). */
export function startupDone(): void {
  if (semiSpace) v8.setFlagsFromString('--semi-space-growth-factor=2');
}
