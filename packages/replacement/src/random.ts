// Random: on a miss with every frame taken, evict the page in frame ⌊random() · frames⌋, random() being CPython's
// seeded generator (so `seed` gives the same run as Python's random.seed(seed)). Frames fill in order first.
// `victim()` draws the same way; with r resident pages and free frames left by `remove`, it evicts the
// ⌊random() · r⌋-th occupied frame in frame order (the same frame as ⌊random() · frames⌋ when all are taken).

import { FramePolicy } from './frame-policy.js';
import { PythonRandom } from './python-random.js';
import type { PolicyOptions } from './policy.js';

export interface RandomOptions extends PolicyOptions {
  /** The seed (default 0); ignored if `rng` is given. */
  readonly seed?: number;
  /** A generator to draw from, shared with the caller. */
  readonly rng?: PythonRandom;
}

export class RandomPolicy extends FramePolicy {
  readonly name = 'random' as const;
  private readonly rng: PythonRandom;

  constructor(options: RandomOptions) {
    super(options);
    this.rng = options.rng instanceof PythonRandom ? options.rng : new PythonRandom(options.seed ?? 0);
  }

  protected step(page: number, write: number): boolean {
    this.references++;
    this.lastVictim = -1;
    if (write !== 0) this.dirty[page] = 1;
    if (this.slot[page]! >= 0) {
      this.hits++;
      return true;
    }
    this.misses++;
    if (this.freeCount === 0) this.evictVictim();
    this.place(page);
    return false;
  }

  protected evictVictim(): number {
    const resident = this.frames - this.freeCount;
    if (resident === 0) return -1;
    let f: number;
    if (this.freeCount === 0) {
      f = Math.floor(this.rng.random() * this.frames);
    } else {
      let k = Math.floor(this.rng.random() * resident);
      f = 0;
      for (;; f++) {
        if (this.frame[f]! >= 0) {
          if (k === 0) break;
          k--;
        }
      }
    }
    const victim = this.release(f);
    this.evict(victim);
    return victim;
  }
}
