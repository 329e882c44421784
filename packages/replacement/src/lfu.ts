// LFU: each resident page counts its references since it was loaded (the loading one included). On a miss with
// every frame taken the victim is the page with the smallest count; ties go to the page whose last reference is
// the oldest, then to the lowest frame. Frames fill in order first. `victim()` makes the same choice.

import { FramePolicy } from './frame-policy.js';
import type { PolicyOptions } from './policy.js';

export class LfuPolicy extends FramePolicy {
  readonly name = 'lfu' as const;
  private readonly count: Float64Array;
  private readonly lastUse: Float64Array;

  constructor(options: PolicyOptions) {
    super(options);
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
    if (this.freeCount === 0) this.evictVictim();
    const f = this.place(page);
    this.count[f] = 1;
    this.lastUse[f] = this.references;
    return false;
  }

  protected evictVictim(): number {
    let f = -1;
    for (let k = 0; k < this.frames; k++) {
      if (this.frame[k]! < 0) continue;
      if (f < 0) {
        f = k;
        continue;
      }
      const c = this.count[k]!;
      const best = this.count[f]!;
      if (c < best || (c === best && this.lastUse[k]! < this.lastUse[f]!)) f = k;
    }
    if (f < 0) return -1;
    const victim = this.release(f);
    this.evict(victim);
    return victim;
  }
}
