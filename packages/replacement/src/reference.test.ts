// Property tests: every policy, on random streams with random writes and frame counts, gives exactly the steps
// (hit or miss, victim) and counts of a plain reference implementation of its definition.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPolicy, POLICY_NAMES, type CreatePolicyOptions, type PolicyName } from './index.js';
import { POLICY_OPTIONS, referenceRun, type ReferenceOptions } from './testing/reference-policies.js';

const PAGES = 12;

const input = fc.record({
  stream: fc.array(fc.integer({ min: 0, max: PAGES - 1 }), { minLength: 0, maxLength: 400, size: 'max' }),
  writeMask: fc.array(fc.boolean(), { minLength: 400, maxLength: 400 }),
  frames: fc.integer({ min: 1, max: 8 }),
  seed: fc.integer({ min: 0, max: 1000 }),
  small: fc.integer({ min: 1, max: 8 }),
});

function check(name: PolicyName, extra: (small: number) => ReferenceOptions): void {
  fc.assert(
    fc.property(input, ({ stream, writeMask, frames, seed, small }) => {
      const writes = stream.map((_, i) => writeMask[i]!);
      const options: ReferenceOptions = { seed, ...extra(small) };
      const expected = referenceRun(name, stream, writes, frames, options);
      const created: CreatePolicyOptions = { frames, pageCount: PAGES, stream: Int32Array.from(stream), ...options };
      // Half the runs go through access(), half through the batch run(): both must agree with the reference.
      const policy = createPolicy(name, created);
      if (seed % 2 === 0) {
        const steps = stream.map((page, i) => {
          const hit = policy.access(page, writes[i]!);
          return { hit, victim: policy.lastVictim };
        });
        expect(steps).toEqual(expected.steps);
      } else {
        policy.run(Int32Array.from(stream), Uint8Array.from(writes, (w) => (w ? 1 : 0)));
      }
      expect(policy.counts()).toEqual({
        references: stream.length,
        hits: expected.hits,
        misses: expected.misses,
        evictions: expected.evictions,
        writebacks: expected.writebacks,
      });
    }),
    { numRuns: 300 },
  );
}

describe('each policy matches its reference implementation', () => {
  it.each(POLICY_NAMES.map((name) => [name]))('%s', (name) => {
    check(name, POLICY_OPTIONS[name]);
  });

  it('clock with insertRef false', () => {
    check('clock', () => ({ insertRef: false }));
  });
});
