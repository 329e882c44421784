// NRU (not recently used): each resident page has R (referenced, set on every reference including the one that
// loads it) and M (written since loaded). Every `period` references (after the reference numbered a multiple of
// it) all R bits are cleared. On a miss with every frame taken the victim is taken from the lowest non-empty class
// 0 (R=0, M=0), 1 (R=0, M=1), 2 (R=1, M=0), 3 (R=1, M=1); within a class, the page in the lowest frame.
// Frames fill in order first. With `accessed`, the kernel's Accessed bits are folded into R when it is read.
// `victim()` makes the same choice among the occupied frames.

import { FramePolicy } from './frame-policy.js';
import { checkCount, type AccessedBits, type PolicyOptions } from './policy.js';

export interface NruOptions extends PolicyOptions {
  /** References between two clearings of every R bit (default 16). */
  readonly period?: number;
  readonly accessed?: AccessedBits | null;
}

export class NruPolicy extends FramePolicy {
  readonly name = 'nru' as const;
  readonly period: number;
  private readonly accessed: AccessedBits | null;
  private readonly ref: Uint8Array;

  constructor(options: NruOptions) {
    super(options);
    this.period = checkCount('period', options.period ?? 16, 1);
    this.accessed = options.accessed ?? null;
    this.ref = new Uint8Array(this.frames);
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
      this.ref[f] = 1;
    }
    if (this.references % this.period === 0) {
      for (let k = 0; k < this.frames; k++) {
        if (this.frame[k]! < 0) continue;
        this.pull(k);
        this.ref[k] = 0;
      }
    }
    return hit;
  }

  protected evictVictim(): number {
    let f = -1;
    let best = 4;
    for (let k = 0; k < this.frames; k++) {
      if (this.frame[k]! < 0) continue;
      const cls = this.pull(k) * 2 + this.dirty[this.frame[k]!]!;
      if (cls < best) {
        best = cls;
        f = k;
        if (cls === 0) break;
      }
    }
    if (f < 0) return -1;
    const victim = this.release(f);
    this.evict(victim);
    return victim;
  }
}
