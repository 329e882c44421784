// FIFO: on a miss with every frame taken the page loaded longest ago is evicted and the new page joins the queue
// as the newest. Hits change nothing. The resident pages form a queue in load order, a doubly linked list in
// typed arrays (head = oldest), so `remove` can take a page out of the middle and `victim()` pops the head.

import { ReplacementPolicy, type PolicyOptions } from './policy.js';

export class FifoPolicy extends ReplacementPolicy {
  readonly name = 'fifo' as const;
  /** page → the page loaded just before it (older), -1 none. */
  private readonly prev: Int32Array;
  /** page → the page loaded just after it (newer), -1 none. */
  private readonly next: Int32Array;
  /** page → 1 if resident. */
  private readonly inQueue: Uint8Array;
  /** The oldest and the newest resident page, -1 if none. */
  private head = -1;
  private tail = -1;
  private used = 0;

  constructor(options: PolicyOptions) {
    super(options);
    this.prev = new Int32Array(this.pageCount).fill(-1);
    this.next = new Int32Array(this.pageCount).fill(-1);
    this.inQueue = new Uint8Array(this.pageCount);
  }

  protected step(page: number, write: number): boolean {
    this.references++;
    this.lastVictim = -1;
    if (write !== 0) this.dirty[page] = 1;
    if (this.inQueue[page] !== 0) {
      this.hits++;
      return true;
    }
    this.misses++;
    if (this.used === this.frames) this.evictVictim();
    this.enqueue(page);
    return false;
  }

  protected evictVictim(): number {
    const victim = this.head;
    if (victim < 0) return -1;
    this.forget(victim);
    this.evict(victim);
    return victim;
  }

  private enqueue(page: number): void {
    const t = this.tail;
    this.prev[page] = t;
    this.next[page] = -1;
    if (t >= 0) this.next[t] = page;
    else this.head = page;
    this.tail = page;
    this.inQueue[page] = 1;
    this.used++;
  }

  protected forget(page: number): void {
    const p = this.prev[page]!;
    const n = this.next[page]!;
    if (p >= 0) this.next[p] = n;
    else this.head = n;
    if (n >= 0) this.prev[n] = p;
    else this.tail = p;
    this.prev[page] = -1;
    this.next[page] = -1;
    this.inQueue[page] = 0;
    this.used--;
  }

  protected override runChecked(pages: Int32Array, writes: Uint8Array | null, start: number, end: number): void {
    const prev = this.prev;
    const next = this.next;
    const inQueue = this.inQueue;
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
      if (inQueue[page] !== 0) {
        hits++;
        victim = -1;
        continue;
      }
      if (used === frames) {
        // pop the head (the oldest); frames ≥ 1, so it exists
        victim = head;
        const n = next[victim]!;
        head = n;
        if (n >= 0) prev[n] = -1;
        else tail = -1;
        next[victim] = -1;
        inQueue[victim] = 0;
        evictions++;
        if (dirty[victim] !== 0) {
          writebacks++;
          dirty[victim] = 0;
        }
      } else {
        used++;
        victim = -1;
      }
      prev[page] = tail;
      next[page] = -1;
      if (tail >= 0) next[tail] = page;
      else head = page;
      tail = page;
      inQueue[page] = 1;
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

  isResident(page: number): boolean {
    return page >= 0 && page < this.pageCount && this.inQueue[page] !== 0;
  }

  residentCount(): number {
    return this.used;
  }

  /** From the oldest to the newest. */
  residentPages(): number[] {
    const out: number[] = [];
    for (let p = this.head; p >= 0; p = this.next[p]!) out.push(p);
    return out;
  }
}
