// Seeded draws for the exercise generators, all from CPython's random() sequence so a seed means the same
// problem on every platform (and could be reproduced in Python).

import { PythonRandom } from '@vmsim/replacement';

export class Draw {
  private readonly rng: PythonRandom;

  constructor(seed: number) {
    this.rng = new PythonRandom(seed);
  }

  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.rng.random() * (hi - lo + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.rng.random() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }

  /** An integer in [lo, hi] not in `taken` (which gets it added); the range must have a free value. */
  fresh(lo: number, hi: number, taken: Set<number>): number {
    let n = this.int(lo, hi);
    while (taken.has(n)) n = this.int(lo, hi);
    taken.add(n);
    return n;
  }
}
