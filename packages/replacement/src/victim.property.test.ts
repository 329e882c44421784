// Property tests of the kernel-facing API: every policy, driven by a random mix of access(page, write), victim()
// and remove(page) (as a kernel drives it: evict before allocating, forget freed pages), gives exactly the results,
// resident sets and counts of a plain reference of its definition; and victim() followed by access(page) is the
// same as a miss of page with every frame taken.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPolicy, POLICY_NAMES, ReplacementArgumentError, type PolicyName } from './index.js';
import { POLICY_OPTIONS, type ReferenceOptions } from './testing/reference-policies.js';
import { ReferenceStepper } from './testing/reference-stepper.js';

const PAGES = 10;

type Op = { kind: 'access'; page: number; write: boolean } | { kind: 'victim' } | { kind: 'remove'; page: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('access' as const), page: fc.integer({ min: 0, max: PAGES - 1 }), write: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('victim' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove' as const), page: fc.integer({ min: 0, max: PAGES - 1 }) }) },
);

const input = fc.record({
  ops: fc.array(op, { maxLength: 250 }),
  frames: fc.integer({ min: 1, max: 6 }),
  seed: fc.integer({ min: 0, max: 1000 }),
  small: fc.integer({ min: 1, max: 8 }),
});

function check(name: PolicyName): void {
  fc.assert(
    fc.property(input, ({ ops, frames, seed, small }) => {
      const stream = ops.flatMap((o) => (o.kind === 'access' ? [o.page] : []));
      const options: ReferenceOptions = { seed, ...POLICY_OPTIONS[name](small) };
      const model = new ReferenceStepper(name, frames, stream, options);
      const policy = createPolicy(name, { frames, pageCount: PAGES, stream: Int32Array.from(stream), ...options });
      for (const o of ops) {
        if (o.kind === 'access') {
          const expected = model.access(o.page, o.write);
          const hit = policy.access(o.page, o.write);
          expect({ hit, victim: policy.lastVictim }).toEqual(expected);
        } else if (o.kind === 'victim') {
          expect(policy.victim()).toBe(model.victim());
        } else {
          expect(policy.remove(o.page)).toBe(model.remove(o.page));
        }
        expect([...policy.residentPages()].sort((a, b) => a - b)).toEqual(model.residentPages());
        expect(policy.residentCount()).toBe(model.residentPages().length);
      }
      expect(policy.counts()).toEqual({
        references: model.references,
        hits: model.hits,
        misses: model.misses,
        evictions: model.evictions,
        writebacks: model.writebacks,
      });
    }),
    { numRuns: 150 },
  );
}

describe('access / victim / remove against a reference, per policy', () => {
  it.each(POLICY_NAMES.map((name) => [name]))('%s', (name) => {
    check(name);
  });
});

describe('victim() then access(page) is a miss with every frame taken', () => {
  const streams = fc.record({
    stream: fc.array(fc.integer({ min: 0, max: PAGES - 1 }), { minLength: 1, maxLength: 120 }),
    writeMask: fc.array(fc.boolean(), { minLength: 120, maxLength: 120 }),
    frames: fc.integer({ min: 1, max: 6 }),
    seed: fc.integer({ min: 0, max: 1000 }),
  });
  it.each(POLICY_NAMES.filter((n) => n !== 'arc').map((name) => [name]))('%s', (name) => {
    fc.assert(
      fc.property(streams, ({ stream, writeMask, frames, seed }) => {
        const options = { frames, pageCount: PAGES, stream: Int32Array.from(stream), seed };
        const plain = createPolicy(name, options);
        const split = createPolicy(name, options);
        stream.forEach((page, i) => {
          const write = writeMask[i]!;
          const full = split.residentCount() === frames;
          if (full && !split.isResident(page)) {
            const v = split.victim();
            expect(split.residentCount()).toBe(frames - 1);
            split.access(page, write);
            plain.access(page, write);
            expect(plain.lastVictim).toBe(v);
          } else {
            split.access(page, write);
            plain.access(page, write);
          }
          expect(split.residentPages()).toEqual(plain.residentPages());
        });
        expect(split.counts()).toEqual(plain.counts());
      }),
      { numRuns: 100 },
    );
  });
});

describe('victim and remove at the edges', () => {
  it.each(POLICY_NAMES.map((name) => [name]))('%s: victim() of an empty set is -1, remove of a non-resident page is false', (name) => {
    const policy = createPolicy(name, { frames: 2, pageCount: 4, stream: Int32Array.of(1, 1) });
    expect(policy.victim()).toBe(-1);
    expect(policy.remove(3)).toBe(false);
    policy.access(1, true);
    expect(policy.remove(1)).toBe(true);
    expect(policy.isResident(1)).toBe(false);
    expect(policy.counts()).toEqual({ references: 1, hits: 0, misses: 1, evictions: 0, writebacks: 0 });
    expect(policy.victim()).toBe(-1);
    expect(() => policy.remove(4)).toThrow(ReplacementArgumentError);
    expect(() => policy.remove(-1)).toThrow(ReplacementArgumentError);
    expect(() => policy.remove(0.5)).toThrow(ReplacementArgumentError);
  });

  it('a dirty victim counts a writeback, a removed dirty page does not', () => {
    const policy = createPolicy('lru', { frames: 3, pageCount: 4 });
    policy.access(0, true);
    policy.access(1, true);
    policy.access(2, false);
    expect(policy.remove(1)).toBe(true);
    expect(policy.victim()).toBe(0);
    expect(policy.victim()).toBe(2);
    expect(policy.counts()).toMatchObject({ evictions: 2, writebacks: 1 });
  });

  it('clock: victim() then a miss puts the new page in the victim ring slot and the hand past it', () => {
    const policy = createPolicy('clock', { frames: 3, pageCount: 8, insertRef: false });
    for (const p of [0, 1, 2]) policy.access(p, false);
    policy.access(0, false); // sets 0's bit
    expect(policy.victim()).toBe(1);
    policy.access(5, false);
    expect(policy.residentPages()).toEqual([0, 5, 2]);
  });

  it('fifo: a removed page leaves the queue, the order of the rest holds', () => {
    const policy = createPolicy('fifo', { frames: 3, pageCount: 8 });
    for (const p of [4, 5, 6]) policy.access(p, false);
    policy.remove(5);
    policy.access(7, false);
    expect(policy.residentPages()).toEqual([4, 6, 7]);
    policy.access(1, false);
    expect(policy.lastVictim).toBe(4);
  });

  it('opt: victim() looks at the next use from the current position', () => {
    const stream = Int32Array.of(0, 1, 2, 1, 0);
    const policy = createPolicy('opt', { frames: 3, pageCount: 4, stream });
    policy.access(0, false);
    policy.access(1, false);
    policy.access(2, false);
    expect(policy.victim()).toBe(2);
    expect(policy.victim()).toBe(0);
  });
});

describe('the batch run() after victim() and remove() agrees with access() one by one', () => {
  const chunks = fc.array(
    fc.record({
      pages: fc.array(fc.integer({ min: 0, max: PAGES - 1 }), { maxLength: 30 }),
      writes: fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }),
      removes: fc.array(fc.integer({ min: 0, max: PAGES - 1 }), { maxLength: 3 }),
      victims: fc.integer({ min: 0, max: 2 }),
    }),
    { maxLength: 8 },
  );
  it.each(POLICY_NAMES.filter((n) => n !== 'opt').map((name) => [name]))('%s', (name) => {
    fc.assert(
      fc.property(chunks, fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 100 }), (parts, frames, seed) => {
        const batch = createPolicy(name, { frames, pageCount: PAGES, seed });
        const single = createPolicy(name, { frames, pageCount: PAGES, seed });
        for (const part of parts) {
          const pages = Int32Array.from(part.pages);
          const writes = Uint8Array.from(part.pages, (_, i) => (part.writes[i]! ? 1 : 0));
          batch.run(pages, writes);
          part.pages.forEach((page, i) => single.access(page, part.writes[i]!));
          if (pages.length > 0) expect(batch.lastVictim).toBe(single.lastVictim);
          for (const page of part.removes) expect(batch.remove(page)).toBe(single.remove(page));
          for (let v = 0; v < part.victims; v++) expect(batch.victim()).toBe(single.victim());
          expect(batch.residentPages()).toEqual(single.residentPages());
        }
        expect(batch.counts()).toEqual(single.counts());
      }),
      { numRuns: 100 },
    );
  });
});
