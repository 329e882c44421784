// The frame table the frame-based policies (random, clock, nru, aging, wsclock, lfu) share: frame → page,
// page → frame, and a stack of free frames. Frames fill in order (0, 1, 2, ...) first; a frame freed later (by an
// eviction or a `remove`) goes on top of the stack, so the next miss takes the frame freed last.

import { ReplacementPolicy, type PolicyOptions } from './policy.js';

export abstract class FramePolicy extends ReplacementPolicy {
  /** frame → page, -1 free. */
  protected readonly frame: Int32Array;
  /** page → frame, -1 not resident. */
  protected readonly slot: Int32Array;
  /** The free frames, a stack with its top at freeCount − 1 (initially frames − 1, ..., 1, 0). */
  protected readonly freeList: Int32Array;
  protected freeCount: number;

  constructor(options: PolicyOptions) {
    super(options);
    this.frame = new Int32Array(this.frames).fill(-1);
    this.slot = new Int32Array(this.pageCount).fill(-1);
    this.freeList = new Int32Array(this.frames);
    for (let k = 0; k < this.frames; k++) this.freeList[k] = this.frames - 1 - k;
    this.freeCount = this.frames;
  }

  /** Puts `page` in the free frame on top of the stack (there is one) and returns that frame. */
  protected place(page: number): number {
    const f = this.freeList[--this.freeCount]!;
    this.frame[f] = page;
    this.slot[page] = f;
    return f;
  }

  /** Empties frame `f` (occupied) and pushes it on the free stack; returns the page it held. */
  protected release(f: number): number {
    const page = this.frame[f]!;
    this.frame[f] = -1;
    this.slot[page] = -1;
    this.freeList[this.freeCount++] = f;
    return page;
  }

  protected forget(page: number): void {
    this.release(this.slot[page]!);
  }

  isResident(page: number): boolean {
    return page >= 0 && page < this.pageCount && this.slot[page]! >= 0;
  }

  residentCount(): number {
    return this.frames - this.freeCount;
  }

  /** In frame order. */
  residentPages(): number[] {
    const out: number[] = [];
    for (let f = 0; f < this.frames; f++) if (this.frame[f]! >= 0) out.push(this.frame[f]!);
    return out;
  }
}

/**
 * A frame policy with a clock hand (clock, wsclock): `sweep()` moves over the ring and names the victim's frame;
 * the eviction empties it and moves the hand past it, so the next miss's page takes that frame (freed last).
 */
export abstract class HandPolicy extends FramePolicy {
  /** The frame the next sweep starts at. */
  protected hand = 0;

  /** The frame whose page goes now (at least one frame is occupied). */
  protected abstract sweep(): number;

  protected evictVictim(): number {
    if (this.freeCount === this.frames) return -1;
    const f = this.sweep();
    const victim = this.release(f);
    this.evict(victim);
    this.hand = f + 1 === this.frames ? 0 : f + 1;
    return victim;
  }
}
