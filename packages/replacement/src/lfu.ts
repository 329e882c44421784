// LFU: each resident page counts its references since it was loaded (the loading one included). On a miss with
// every frame taken the victim is the page with the smallest count; ties go to the page whose last reference is
// the oldest. Frames fill in order first.

import { ReplacementPolicy, type PolicyOptions } from './policy.js';

export class LfuPolicy extends ReplacementPolicy {
  readonly name = 'lfu' as const;
  private readonly frame: Int32Array;
  private readonly slot: Int32Array;
  private readonly count: Float64Array;
  private readonly lastUse: Float64Array;
  private used = 0;

  constructor(options: PolicyOptions) {
    super(options);
    this.frame = new Int32Array(this.frames).fill(-1);
    this.slot = new Int32Array(this.pageCount).fill(-1);
    this.count = new Float64Array(this.frames);
    this.lastUse = new Float64Array(this.frames);
  }

  protected step(page: number, write: number): boolean {
    this.references++;
    this.lastVictim = -1;
    if (write !== 0) this.dirty[page] = 1;
    const s = this.slot[page]!;
    if (s >= 0) {
      this.hits++;
      this.count[s] = this.count[s]! + 1;
      this.lastUse[s] = this.references;
      return true;
    }
    this.misses++;
    let f: number;
    if (this.used < this.frames) {
      f = this.used++;
    } else {
      f = 0;
      for (let k = 1; k < this.frames; k++) {
        const c = this.count[k]!;
        const best = this.count[f]!;
        if (c < best || (c === best && this.lastUse[k]! < this.lastUse[f]!)) f = k;
      }
      const victim = this.frame[f]!;
      this.slot[victim] = -1;
      this.evict(victim);
    }
    this.frame[f] = page;
    this.slot[page] = f;
    this.count[f] = 1;
    this.lastUse[f] = this.references;
    return false;
  }

  isResident(page: number): boolean {
    return page >= 0 && page < this.pageCount && this.slot[page]! >= 0;
  }

  /** In frame order. */
  residentPages(): number[] {
    return Array.from(this.frame.subarray(0, this.used));
  }
}
