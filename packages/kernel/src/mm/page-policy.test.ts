// The adapter from a @vmsim/replacement policy to the kernel's PagePolicy: which names want references, what
// each hook does to the wrapped policy, and the refusals (opt by name; a load into a full policy).

import { describe, expect, it } from 'vitest';
import { InvalidOptionError, KernelInvariantError } from '../errors.js';
import { caught } from '../testing/assertions.js';
import { ReplacementPagePolicy } from './page-policy.js';

describe('ReplacementPagePolicy', () => {
  it('asks for references only for the policies that order pages by them', () => {
    const wants = (name: 'fifo' | 'lru' | 'mru' | 'random' | 'clock' | 'ostep-clock' | 'nru' | 'aging' | 'wsclock' | 'lfu' | 'arc') =>
      new ReplacementPagePolicy(name, { frames: 4, pageCount: 16 }).wantsReferences;
    expect(['lru', 'mru', 'lfu', 'arc', 'ostep-clock'].every((n) => wants(n as 'lru'))).toBe(true);
    expect(['fifo', 'random', 'clock', 'nru', 'aging', 'wsclock'].some((n) => wants(n as 'fifo'))).toBe(false);
  });

  it('loaded is a miss, touched a hit, victim evicts, removed forgets without counting', () => {
    const p = new ReplacementPagePolicy('lru', { frames: 3, pageCount: 16 });
    p.loaded(5, true);
    p.loaded(6, false);
    p.touched(5, false);
    expect(p.victim()).toBe(6);
    p.loaded(7, false);
    p.removed(7);
    expect(p.policy.counts()).toEqual({ references: 4, hits: 1, misses: 3, evictions: 1, writebacks: 0 });
    expect(p.victim()).toBe(5);
    expect(p.policy.writebacks).toBe(1);
    expect(p.victim()).toBe(-1);
  });

  it('refuses opt by name and a load into a full policy', () => {
    expect(caught(() => new ReplacementPagePolicy('opt', { frames: 2, pageCount: 4 }))).toBeInstanceOf(InvalidOptionError);
    const p = new ReplacementPagePolicy('fifo', { frames: 1, pageCount: 4 });
    p.loaded(1, false);
    expect(caught(() => p.loaded(2, false))).toBeInstanceOf(KernelInvariantError);
    expect(p.policy.residentPages()).toEqual([1]);
  });
});
