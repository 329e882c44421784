// Aging (n-bit, NFU with decay): each resident page has an n-bit counter and an R bit. A hit sets R. A newly
// loaded page starts with only the counter's top bit set and R clear. Every `period` references (after the
// reference numbered a multiple of it) each counter shifts right by one with R entering at the top, and R clears.
// On a miss with every frame taken the victim is the page with the smallest counter; ties go to R clear before R
// set, then to the lowest frame. Frames fill in order first. With `accessed`, Accessed bits are folded into R.
// `victim()` makes the same choice among the occupied frames.

import { FramePolicy } from './frame-policy.js';
import { checkCount, type AccessedBits, type PolicyOptions } from './policy.js';

export interface AgingOptions extends PolicyOptions {
  /** n, the counter width, 1..32 (default 8). */
  readonly bits?: number;
  /** References between two ticks (default 16). */
  readonly period?: number;
  readonly accessed?: AccessedBits | null;
}

export class AgingPolicy extends FramePolicy {
  readonly name = 'aging' as const;
  readonly bits: number;
  readonly period: number;
  private readonly accessed: AccessedBits | null;
  private readonly ref: Uint8Array;
  private readonly counter: Uint32Array;
  private readonly top: number;

  constructor(options: AgingOptions) {
    super(options);
    this.bits = checkCount('bits', options.bits ?? 8, 1, 32);
    this.period = checkCount('period', options.period ?? 16, 1);
    this.accessed = options.accessed ?? null;
    this.top = 2 ** (this.bits - 1);
    this.ref = new Uint8Array(this.frames);
    this.counter = new Uint32Array(this.frames);
  }

  private pull(f: number): number {
    if (this.accessed !== null && this.accessed.testAndClearAccessed(this.frame[f]!)) this.ref[f] = 1;
    return this.ref[f]!;
  }

  protected step(page: number, write: number): boolean {
    this.references++;
    this.lastVictim = -1;
    if (write !== 0) this.dirty[page] = 1;
    let hit: boolean;
    const s = this.slot[page]!;
    if (s >= 0) {
      this.hits++;
      this.ref[s] = 1;
      hit = true;
    } else {
      this.misses++;
      hit = false;
      if (this.freeCount === 0) this.evictVictim();
      const f = this.place(page);
      this.ref[f] = 0;
      this.counter[f] = this.top;
    }
    if (this.references % this.period === 0) {
      for (let k = 0; k < this.frames; k++) {
        if (this.frame[k]! < 0) continue;
        this.counter[k] = (this.counter[k]! >>> 1) + (this.pull(k) === 0 ? 0 : this.top);
        this.ref[k] = 0;
      }
    }
    return hit;
  }

  protected evictVictim(): number {
    let f = -1;
    let best = Infinity;
    for (let k = 0; k < this.frames; k++) {
      if (this.frame[k]! < 0) continue;
      const key = this.counter[k]! * 2 + this.pull(k);
      if (key < best) {
        best = key;
        f = k;
      }
    }
    if (f < 0) return -1;
    const victim = this.release(f);
    this.evict(victim);
    return victim;
  }

  /** The counter of `page` (0 if not resident). */
  counterOf(page: number): number {
    const s = page >= 0 && page < this.pageCount ? this.slot[page]! : -1;
    return s >= 0 ? this.counter[s]! : 0;
  }
}
