// Property-based tests of every edge parser: a few hundred hostile inputs each, fixed seed, no
// crash and no broken invariant. `npm run fuzz` runs the same targets 100,000 times each.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { TARGETS } from './targets.ts';

describe('edge parsers never crash (fast-check)', () => {
  for (const t of TARGETS) {
    it(t.name, () => {
      fc.assert(
        fc.property(t.arbitrary, (input) => t.run(input)),
        { numRuns: 300, seed: 20261204 },
      );
    });
  }
});
