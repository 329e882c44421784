// WSClock (working-set clock, τ): a ring of frames and a hand; each frame has an R bit and the virtual time of
// its page's last use (time = references so far, this one included). Until the ring is full a new page takes the
// next free frame in order. A hit sets R. On a miss with the ring full, the hand visits at most every frame once:
// R set → clear it, last use := now, move on; R clear and age (now − last use) > τ: a clean page is the victim,
// a dirty one is written back at once (a writeback; the page is now clean) and the hand moves on; otherwise move
// on. If that turn found no victim, the victim is the first clean page from the hand, or the page under the hand
// if all are dirty. The new page takes the victim's frame with R set and last use := now; the hand moves past it.
// `victim()` runs the same turn over the occupied frames (skipping frames a `remove` emptied) and frees the
// victim's frame, which the next miss fills.

import { HandPolicy } from './frame-policy.js';
import { checkCount, type AccessedBits, type PolicyOptions } from './policy.js';

export interface WsclockOptions extends PolicyOptions {
  /** τ, the working-set window in references (default 4 × frames). */
  readonly tau?: number;
  readonly accessed?: AccessedBits | null;
}

export class WsclockPolicy extends HandPolicy {
  readonly name = 'wsclock' as const;
  readonly tau: number;
  private readonly accessed: AccessedBits | null;
  private readonly ref: Uint8Array;
  private readonly lastUse: Float64Array;

  constructor(options: WsclockOptions) {
    super(options);
    this.tau = checkCount('tau', options.tau ?? 4 * this.frames, 0);
    this.accessed = options.accessed ?? null;
    this.ref = new Uint8Array(this.frames);
    this.lastUse = new Float64Array(this.frames);
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
    this.ref[f] = 1;
    this.lastUse[f] = this.references;
    return false;
  }

  protected sweep(): number {
    const now = this.references;
    const frames = this.frames;
    let f = this.hand;
    for (let k = 0; k < frames; k++) {
      const page = this.frame[f]!;
      if (page < 0) {
        f = f + 1 === frames ? 0 : f + 1;
        continue;
      }
      const hw = this.accessed !== null && this.accessed.testAndClearAccessed(page);
      if (this.ref[f] !== 0 || hw) {
        this.ref[f] = 0;
        this.lastUse[f] = now;
      } else if (now - this.lastUse[f]! > this.tau) {
        if (this.dirty[page] === 0) return f;
        this.writebacks++;
        this.dirty[page] = 0;
      }
      f = f + 1 === frames ? 0 : f + 1;
    }
    for (let k = 0; k < frames; k++) {
      const page = this.frame[f]!;
      if (page >= 0 && this.dirty[page] === 0) return f;
      f = f + 1 === frames ? 0 : f + 1;
    }
    while (this.frame[f]! < 0) f = f + 1 === frames ? 0 : f + 1;
    return f;
  }
}
