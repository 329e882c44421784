// OSTEP's CLOCK, exactly as `paging-policy.py -p CLOCK -b B -s S` runs it: every reference (hit or miss)
// increments the page's counter, saturating at B, except that a newly loaded page starts at 1. Resident pages are
// kept in a list in load order. To evict, pick list[⌊random() · frames⌋] with CPython's random() seeded like
// random.seed(S); if its counter is ≥ 1 decrement it and pick again, else evict it (removing it from the list;
// the new page is appended at the end). Pass the generator in `rng` to continue a stream the caller drew from.
// `victim()` draws exactly as a miss does (the same draws in the same order); with fewer than `frames` pages
// resident (after a `remove`) it picks list[⌊random() · length⌋] instead.

import { ReplacementArgumentError } from './errors.js';
import { PythonRandom } from './python-random.js';
import { ReplacementPolicy, checkCount, type PolicyOptions } from './policy.js';

export interface OstepClockOptions extends PolicyOptions {
  /** B, the counters' ceiling (OSTEP -b, default 2). */
  readonly bits?: number;
  /** S (default 0); ignored if `rng` is given. */
  readonly seed?: number;
  readonly rng?: PythonRandom;
}

export class OstepClockPolicy extends ReplacementPolicy {
  readonly name = 'ostep-clock' as const;
  readonly bits: number;
  private readonly rng: PythonRandom;
  /** The resident pages in load order. */
  private readonly list: Int32Array;
  private used = 0;
  /** page → counter. */
  private readonly counter: Int32Array;
  private readonly resident: Uint8Array;

  constructor(options: OstepClockOptions) {
    super(options);
    this.bits = checkCount('bits', options.bits ?? 2, 0, 0x3fffffff);
    if (options.rng !== undefined && !(options.rng instanceof PythonRandom)) {
      throw new ReplacementArgumentError('rng', options.rng, 'a PythonRandom');
    }
    this.rng = options.rng ?? new PythonRandom(options.seed ?? 0);
    this.list = new Int32Array(this.frames);
    this.counter = new Int32Array(this.pageCount);
    this.resident = new Uint8Array(this.pageCount);
  }

  protected step(page: number, write: number): boolean {
    this.references++;
    this.lastVictim = -1;
    if (write !== 0) this.dirty[page] = 1;
    if (this.resident[page] !== 0) {
      this.hits++;
      const c = this.counter[page]! + 1;
      this.counter[page] = c > this.bits ? this.bits : c;
      return true;
    }
    this.misses++;
    if (this.used === this.frames) this.evictVictim();
    this.list[this.used++] = page;
    this.resident[page] = 1;
    this.counter[page] = 1;
    return false;
  }

  protected evictVictim(): number {
    const length = this.used;
    if (length === 0) return -1;
    let index: number;
    for (;;) {
      index = Math.floor(this.rng.random() * length);
      const candidate = this.list[index]!;
      if (this.counter[candidate]! >= 1) this.counter[candidate] = this.counter[candidate]! - 1;
      else break;
    }
    const victim = this.list[index]!;
    this.forget(victim);
    this.evict(victim);
    return victim;
  }

  protected forget(page: number): void {
    const index = this.list.subarray(0, this.used).indexOf(page);
    this.list.copyWithin(index, index + 1, this.used);
    this.used--;
    this.resident[page] = 0;
    this.counter[page] = 0;
  }

  residentCount(): number {
    return this.used;
  }

  /** The page's counter (0 if not resident). */
  counterOf(page: number): number {
    return page >= 0 && page < this.pageCount ? this.counter[page]! : 0;
  }

  isResident(page: number): boolean {
    return page >= 0 && page < this.pageCount && this.resident[page] !== 0;
  }

  /** In OSTEP's list order (load order). */
  residentPages(): number[] {
    return Array.from(this.list.subarray(0, this.used));
  }
}
