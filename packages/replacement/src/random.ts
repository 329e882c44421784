// Random: on a miss with every frame taken, evict the page in frame ⌊random() · frames⌋, random() being CPython's
// seeded generator (so `seed` gives the same run as Python's random.seed(seed)). Frames fill in order first.

import { PythonRandom } from './python-random.js';
import { ReplacementPolicy, type PolicyOptions } from './policy.js';

export interface RandomOptions extends PolicyOptions {
  /** The seed (default 0); ignored if `rng` is given. */
  readonly seed?: number;
  /** A generator to draw from, shared with the caller. */
  readonly rng?: PythonRandom;
}

export class RandomPolicy extends ReplacementPolicy {
  readonly name = 'random' as const;
  private readonly frame: Int32Array;
  private readonly slot: Int32Array;
  private readonly rng: PythonRandom;
  private used = 0;

  constructor(options: RandomOptions) {
    super(options);
    this.rng = options.rng instanceof PythonRandom ? options.rng : new PythonRandom(options.seed ?? 0);
    this.frame = new Int32Array(this.frames).fill(-1);
    this.slot = new Int32Array(this.pageCount).fill(-1);
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
    let f: number;
    if (this.used < this.frames) {
      f = this.used++;
    } else {
      f = Math.floor(this.rng.random() * this.frames);
      const victim = this.frame[f]!;
      this.slot[victim] = -1;
      this.evict(victim);
    }
    this.frame[f] = page;
    this.slot[page] = f;
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
