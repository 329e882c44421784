// Clock (second chance): a ring of frames and a hand, one reference bit per frame. Until the ring is full a new
// page takes the next free frame in order and the hand stays at the first frame. A hit sets the page's bit. On a
// miss with the ring full the hand clears set bits, moving on, until it finds a clear one; that page is replaced
// and the hand moves past it. The new page's bit is set (as the MMU sets Accessed on the faulting access), or
// clear with `insertRef: false`. With `accessed`, a bit also counts as set if the kernel's page tables say so.
// `victim()` runs the same hand (skipping frames a `remove` emptied) and frees the victim's frame; the next miss
// fills the frame freed last, so victim() then a miss puts the new page in the victim's ring slot, hand past it.

import { HandPolicy } from './frame-policy.js';
import type { AccessedBits, PolicyOptions } from './policy.js';

export interface ClockOptions extends PolicyOptions {
  /** Whether a newly loaded page starts with its reference bit set (default true). */
  readonly insertRef?: boolean;
  /** Hardware Accessed bits the hand reads and clears as well as its own. */
  readonly accessed?: AccessedBits | null;
}

export class ClockPolicy extends HandPolicy {
  readonly name = 'clock' as const;
  readonly insertRef: boolean;
  private readonly accessed: AccessedBits | null;
  private readonly ref: Uint8Array;

  constructor(options: ClockOptions) {
    super(options);
    this.insertRef = options.insertRef ?? true;
    this.accessed = options.accessed ?? null;
    this.ref = new Uint8Array(this.frames);
  }

  /** The hand's frame index (for tests and dumps). */
  get handFrame(): number {
    return this.hand;
  }

  protected step(page: number, write: number): boolean {
    this.references++;
    this.lastVictim = -1;
    if (write !== 0) this.dirty[page] = 1;
    const s = this.slot[page]!;
    if (s >= 0) {
      this.hits++;
      this.ref[s] = 1;
      return true;
    }
    this.misses++;
    if (this.freeCount === 0) this.evictVictim();
    const f = this.place(page);
    this.ref[f] = this.insertRef ? 1 : 0;
    return false;
  }

  /**
   * Moves the hand to the first frame with a clear bit, clearing set bits on the way; returns that frame. Two
   * full turns always find one when the Accessed bits clear as they are read; if an AccessedBits source keeps
   * answering true, the frame under the hand after two turns is taken, so the hand never spins forever.
   */
  protected sweep(): number {
    const ref = this.ref;
    const accessed = this.accessed;
    const frame = this.frame;
    let f = this.hand;
    for (let step = 2 * this.frames; step > 0; step--) {
      const page = frame[f]!;
      if (page >= 0) {
        const hw = accessed !== null && accessed.testAndClearAccessed(page);
        if (ref[f] === 0 && !hw) return f;
        ref[f] = 0;
      }
      f = f + 1 === this.frames ? 0 : f + 1;
    }
    while (frame[f]! < 0) f = f + 1 === this.frames ? 0 : f + 1;
    return f;
  }

  protected override runChecked(pages: Int32Array, writes: Uint8Array | null, start: number, end: number): void {
    if (this.accessed !== null) {
      for (let i = start; i < end; i++) this.step(pages[i]!, writes === null ? 0 : writes[i]!);
      return;
    }
    const slot = this.slot;
    const frame = this.frame;
    const ref = this.ref;
    const dirty = this.dirty;
    const frames = this.frames;
    const insertBit = this.insertRef ? 1 : 0;
    const freeList = this.freeList;
    let freeCount = this.freeCount;
    let hand = this.hand;
    let hits = 0;
    let evictions = 0;
    let writebacks = 0;
    let victim = -1;
    for (let i = start; i < end; i++) {
      const page = pages[i]!;
      if (writes !== null && writes[i] !== 0) dirty[page] = 1;
      const s = slot[page]!;
      if (s >= 0) {
        hits++;
        ref[s] = 1;
        victim = -1;
        continue;
      }
      let f: number;
      if (freeCount > 0) {
        f = freeList[--freeCount]!;
        victim = -1;
      } else {
        f = hand;
        while (ref[f] !== 0) {
          ref[f] = 0;
          f = f + 1 === frames ? 0 : f + 1;
        }
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
      ref[f] = insertBit;
    }
    const n = end - start;
    this.freeCount = freeCount;
    this.hand = hand;
    this.references += n;
    this.hits += hits;
    this.misses += n - hits;
    this.evictions += evictions;
    this.writebacks += writebacks;
    if (n > 0) this.lastVictim = victim;
  }
}
