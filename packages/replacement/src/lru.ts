// LRU: on a miss with every frame taken, evict the resident page whose last reference is the oldest. The
// resident pages form a doubly linked list in typed arrays (head = most recent); a hit moves its page to the head.
// `victim()` takes the same end a miss would; `remove` unlinks a page anywhere in the list.

import { ReplacementPolicy, type PolicyOptions } from './policy.js';

export class LruPolicy extends ReplacementPolicy {
  readonly name: 'lru' | 'mru' = 'lru';
  /** page → previous (more recent) page, -1 none. */
  protected readonly prev: Int32Array;
  /** page → next (less recent) page, -1 none. */
  protected readonly next: Int32Array;
  /** page → 1 if resident. */
  protected readonly inList: Uint8Array;
  protected head = -1;
  protected tail = -1;
  protected used = 0;
  /** Which end a miss evicts: the least recent (LRU, the tail) or the most recent (MRU, the head). */
  protected evictMostRecent = false;

  constructor(options: PolicyOptions) {
    super(options);
    this.prev = new Int32Array(this.pageCount).fill(-1);
    this.next = new Int32Array(this.pageCount).fill(-1);
    this.inList = new Uint8Array(this.pageCount);
  }

  protected step(page: number, write: number): boolean {
    this.references++;
    this.lastVictim = -1;
    if (write !== 0) this.dirty[page] = 1;
    if (this.inList[page] !== 0) {
      this.hits++;
      this.moveToHead(page);
      return true;
    }
    this.misses++;
    if (this.used === this.frames) this.evictVictim();
    this.pushHead(page);
    this.inList[page] = 1;
    this.used++;
    return false;
  }

  protected evictVictim(): number {
    const victim = this.evictMostRecent ? this.head : this.tail;
    if (victim < 0) return -1;
    this.forget(victim);
    this.evict(victim);
    return victim;
  }

  protected forget(page: number): void {
    this.unlink(page);
    this.inList[page] = 0;
    this.used--;
  }

  protected override runChecked(pages: Int32Array, writes: Uint8Array | null, start: number, end: number): void {
    const prev = this.prev;
    const next = this.next;
    const inList = this.inList;
    const dirty = this.dirty;
    const frames = this.frames;
    let head = this.head;
    let tail = this.tail;
    let used = this.used;
    let hits = 0;
    let evictions = 0;
    let writebacks = 0;
    let victim = -1;
    for (let i = start; i < end; i++) {
      const page = pages[i]!;
      if (writes !== null && writes[i] !== 0) dirty[page] = 1;
      victim = -1;
      if (inList[page] !== 0) {
        hits++;
        if (page === head) continue;
        // unlink (page is not the head, so prev >= 0)
        const p = prev[page]!;
        const n = next[page]!;
        next[p] = n;
        if (n >= 0) prev[n] = p;
        else tail = p;
      } else {
        if (used === frames) {
          victim = tail;
          const p = prev[victim]!;
          if (p >= 0) next[p] = -1;
          else head = -1;
          tail = p;
          inList[victim] = 0;
          evictions++;
          if (dirty[victim] !== 0) {
            writebacks++;
            dirty[victim] = 0;
          }
        } else {
          used++;
        }
        inList[page] = 1;
      }
      prev[page] = -1;
      next[page] = head;
      if (head >= 0) prev[head] = page;
      else tail = page;
      head = page;
    }
    const n = end - start;
    this.head = head;
    this.tail = tail;
    this.used = used;
    this.references += n;
    this.hits += hits;
    this.misses += n - hits;
    this.evictions += evictions;
    this.writebacks += writebacks;
    if (n > 0) this.lastVictim = victim;
  }

  protected unlink(page: number): void {
    const p = this.prev[page]!;
    const n = this.next[page]!;
    if (p >= 0) this.next[p] = n;
    else this.head = n;
    if (n >= 0) this.prev[n] = p;
    else this.tail = p;
    this.prev[page] = -1;
    this.next[page] = -1;
  }

  protected pushHead(page: number): void {
    this.prev[page] = -1;
    this.next[page] = this.head;
    if (this.head >= 0) this.prev[this.head] = page;
    else this.tail = page;
    this.head = page;
  }

  protected moveToHead(page: number): void {
    if (page === this.head) return;
    this.unlink(page);
    this.pushHead(page);
  }

  isResident(page: number): boolean {
    return page >= 0 && page < this.pageCount && this.inList[page] !== 0;
  }

  residentCount(): number {
    return this.used;
  }

  /** From the least to the most recently used. */
  residentPages(): number[] {
    const out: number[] = [];
    for (let p = this.tail; p >= 0; p = this.prev[p]!) out.push(p);
    return out;
  }
}
