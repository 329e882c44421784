// FIFO: the frames form a ring filled in order; on a miss with every frame taken the page loaded longest ago
// (the one under the hand) is evicted, the new page takes its frame and the hand moves on. Hits change nothing.

import { ReplacementPolicy, type PolicyOptions } from './policy.js';

export class FifoPolicy extends ReplacementPolicy {
  readonly name = 'fifo' as const;
  /** frame → page, -1 free. */
  private readonly frame: Int32Array;
  /** page → frame, -1 not resident. */
  private readonly slot: Int32Array;
  private used = 0;
  private hand = 0;

  constructor(options: PolicyOptions) {
    super(options);
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
      f = this.hand;
      const victim = this.frame[f]!;
      this.slot[victim] = -1;
      this.evict(victim);
      this.hand = f + 1 === this.frames ? 0 : f + 1;
    }
    this.frame[f] = page;
    this.slot[page] = f;
    return false;
  }

  protected override runChecked(pages: Int32Array, writes: Uint8Array | null, start: number, end: number): void {
    const slot = this.slot;
    const frame = this.frame;
    const dirty = this.dirty;
    const frames = this.frames;
    let used = this.used;
    let hand = this.hand;
    let hits = 0;
    let evictions = 0;
    let writebacks = 0;
    let victim = -1;
    for (let i = start; i < end; i++) {
      const page = pages[i]!;
      if (writes !== null && writes[i] !== 0) dirty[page] = 1;
      if (slot[page]! >= 0) {
        hits++;
        victim = -1;
        continue;
      }
      let f: number;
      if (used < frames) {
        f = used++;
        victim = -1;
      } else {
        f = hand;
        victim = frame[f]!;
        slot[victim] = -1;
        evictions++;
        if (dirty[victim] !== 0) {
          writebacks++;
          dirty[victim] = 0;
        }
        hand = f + 1 === frames ? 0 : f + 1;
      }
      frame[f] = page;
      slot[page] = f;
    }
    const n = end - start;
    this.used = used;
    this.hand = hand;
    this.references += n;
    this.hits += hits;
    this.misses += n - hits;
    this.evictions += evictions;
    this.writebacks += writebacks;
    if (n > 0) this.lastVictim = victim;
  }

  isResident(page: number): boolean {
    return page >= 0 && page < this.pageCount && this.slot[page]! >= 0;
  }

  /** From the oldest to the newest. */
  residentPages(): number[] {
    const out: number[] = [];
    const start = this.used < this.frames ? 0 : this.hand;
    for (let k = 0; k < this.used; k++) out.push(this.frame[(start + k) % this.frames]!);
    return out;
  }
}
