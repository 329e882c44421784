// OPT (Belady's MIN): on a miss with every frame taken, evict the resident page whose next reference is the
// farthest in the future; a page never referenced again is infinitely far, and among several of those the one
// whose last reference is the oldest goes first. It needs the whole stream up front (`stream`), and must then be
// driven with exactly that stream, in order. `victim()` between two references evicts by the same rule, "next
// use" meaning the next reference at or after the current stream position (the number of references so far);
// `remove` forgets a page (its heap entry goes stale and is skipped).
//
// The resident pages sit in a max-heap of reference positions (lazy: an entry is live while its page is resident
// and that position is still the page's latest reference); a position's key is its next use, or 2n − position.

import { ReplacementArgumentError } from './errors.js';
import { ReplacementPolicy, checkCount, type PolicyOptions } from './policy.js';

export interface OptOptions extends PolicyOptions {
  /** The whole reference stream the policy will see, in order. */
  readonly stream: Int32Array;
}

/** For every position i of `stream`, the position of the next reference to the same page, or -1. */
export function nextUses(stream: Int32Array, pageCount: number): Int32Array {
  const next = new Int32Array(stream.length);
  const seen = new Int32Array(pageCount).fill(-1);
  for (let i = stream.length - 1; i >= 0; i--) {
    const p = stream[i]!;
    if (p < 0 || p >= pageCount) throw new ReplacementArgumentError(`stream[${i}]`, p, `an integer in [0, ${pageCount - 1}]`);
    next[i] = seen[p]!;
    seen[p] = i;
  }
  return next;
}

export class OptPolicy extends ReplacementPolicy {
  readonly name = 'opt' as const;
  readonly stream: Int32Array;
  private readonly nextUse: Int32Array;
  /** page → its latest reference position while resident, -1 not resident. */
  private readonly latest: Int32Array;
  private readonly heap: Int32Array;
  private heapSize = 0;
  private used = 0;
  private readonly far: number;

  constructor(options: OptOptions) {
    super(options);
    if (!(options.stream instanceof Int32Array)) throw new ReplacementArgumentError('stream', options.stream, 'an Int32Array');
    checkCount('stream.length', options.stream.length, 0, 0x3fffffff);
    this.stream = options.stream;
    this.nextUse = nextUses(options.stream, this.pageCount);
    this.latest = new Int32Array(this.pageCount).fill(-1);
    this.heap = new Int32Array(options.stream.length);
    this.far = 2 * options.stream.length;
  }

  private key(position: number): number {
    const n = this.nextUse[position]!;
    return n >= 0 ? n : this.far - position;
  }

  protected step(page: number, write: number): boolean {
    const pos = this.references;
    if (pos >= this.stream.length || this.stream[pos] !== page) {
      throw new ReplacementArgumentError(
        'page',
        page,
        pos >= this.stream.length ? 'no more references: the stream has ended' : `stream[${pos}] = ${this.stream[pos]}`,
      );
    }
    this.references++;
    this.lastVictim = -1;
    if (write !== 0) this.dirty[page] = 1;
    let hit: boolean;
    if (this.latest[page]! >= 0) {
      this.hits++;
      hit = true;
    } else {
      this.misses++;
      hit = false;
      if (this.used === this.frames) this.evictVictim();
      this.used++;
    }
    this.latest[page] = pos;
    this.push(pos);
    return hit;
  }

  protected evictVictim(): number {
    if (this.used === 0) return -1;
    const victim = this.popVictim();
    this.forget(victim);
    this.evict(victim);
    return victim;
  }

  protected forget(page: number): void {
    this.latest[page] = -1;
    this.used--;
  }

  residentCount(): number {
    return this.used;
  }

  private popVictim(): number {
    const heap = this.heap;
    for (;;) {
      const top = heap[0]!;
      const last = heap[--this.heapSize]!;
      if (this.heapSize > 0) this.siftDown(last);
      const page = this.stream[top]!;
      if (this.latest[page] === top) return page;
    }
  }

  private push(pos: number): void {
    const heap = this.heap;
    const key = this.key(pos);
    let i = this.heapSize++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = heap[parent]!;
      if (this.key(above) >= key) break;
      heap[i] = above;
      i = parent;
    }
    heap[i] = pos;
  }

  private siftDown(pos: number): void {
    const heap = this.heap;
    const size = this.heapSize;
    const key = this.key(pos);
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      if (child + 1 < size && this.key(heap[child + 1]!) > this.key(heap[child]!)) child++;
      const below = heap[child]!;
      if (this.key(below) <= key) break;
      heap[i] = below;
      i = child;
    }
    heap[i] = pos;
  }

  isResident(page: number): boolean {
    return page >= 0 && page < this.pageCount && this.latest[page]! >= 0;
  }

  /** In page-id order. */
  residentPages(): number[] {
    const out: number[] = [];
    for (let p = 0; p < this.pageCount; p++) if (this.latest[p]! >= 0) out.push(p);
    return out;
  }
}
