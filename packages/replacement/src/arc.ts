// ARC (Megiddo & Modha, FAST 2003, Fig. 4), c = frames: resident lists T1 (seen once) and T2 (seen twice or more),
// ghost lists B1, B2 of recently evicted page ids, and a target p for |T1|. x in T1∪T2: hit, x → MRU of T2.
// x in B1: p := min(c, p + max(|B2|/|B1|, 1)); REPLACE; x → MRU of T2. x in B2: p := max(0, p − max(|B1|/|B2|, 1));
// REPLACE; x → MRU of T2. Otherwise: if |T1|+|B1| = c: if |T1| < c drop LRU of B1 and REPLACE, else evict LRU of T1
// (it leaves no ghost); else if |T1|+|T2|+|B1|+|B2| ≥ c: drop LRU of B2 if that total is 2c, then REPLACE; then
// x → MRU of T1. REPLACE: if |T1| ≥ 1 and (x in B2 and |T1| = p, or |T1| > p) evict LRU of T1 to MRU of B1, else
// evict LRU of T2 to MRU of B2.
// With a kernel: `remove` takes a page out of T1 or T2 and leaves no ghost, so |T1| + |T2| can fall below c while
// the ghost lists are not empty; the lists are then kept as above, but REPLACE runs only when |T1| + |T2| = c
// (a free frame needs no eviction), and REPLACE takes T1's LRU page when T2 is empty. `victim()` is the eviction a
// miss on a page in no list would make: with every frame taken, case IV above; otherwise REPLACE (not in B2).
// A miss on a ghost adapts p first and then runs the same REPLACE.

import { ReplacementPolicy, type PolicyOptions } from './policy.js';

const NONE = 0;
const T1 = 1;
const T2 = 2;
const B1 = 3;
const B2 = 4;

export class ArcPolicy extends ReplacementPolicy {
  readonly name = 'arc' as const;
  /** The target size of T1. */
  p = 0;
  private readonly where: Uint8Array;
  private readonly prev: Int32Array;
  private readonly next: Int32Array;
  /** Per list (index T1..B2): the MRU end, the LRU end, the length. */
  private readonly headOf = new Int32Array(5).fill(-1);
  private readonly tailOf = new Int32Array(5).fill(-1);
  private readonly sizeOf = new Int32Array(5);

  constructor(options: PolicyOptions) {
    super(options);
    this.where = new Uint8Array(this.pageCount);
    this.prev = new Int32Array(this.pageCount).fill(-1);
    this.next = new Int32Array(this.pageCount).fill(-1);
  }

  protected step(page: number, write: number): boolean {
    this.references++;
    this.lastVictim = -1;
    if (write !== 0) this.dirty[page] = 1;
    const c = this.frames;
    const size = this.sizeOf;
    const w = this.where[page]!;
    if (w === T1 || w === T2) {
      this.hits++;
      this.unlink(page);
      this.pushMru(T2, page);
      return true;
    }
    this.misses++;
    const full = size[T1]! + size[T2]! === c;
    if (w === B1) {
      this.p = Math.min(c, this.p + Math.max(size[B2]! / size[B1]!, 1));
      if (full) this.replace(false);
      this.unlink(page);
      this.pushMru(T2, page);
      return false;
    }
    if (w === B2) {
      this.p = Math.max(0, this.p - Math.max(size[B1]! / size[B2]!, 1));
      if (full) this.replace(true);
      this.unlink(page);
      this.pushMru(T2, page);
      return false;
    }
    this.makeRoom(full);
    this.pushMru(T1, page);
    return false;
  }

  /** Case IV before a new page joins T1: trims the ghost lists and, with every frame taken, evicts one page. */
  private makeRoom(full: boolean): number {
    const c = this.frames;
    const size = this.sizeOf;
    const l1 = size[T1]! + size[B1]!;
    const total = l1 + size[T2]! + size[B2]!;
    if (l1 === c) {
      if (size[T1]! < c) {
        this.unlink(this.tailOf[B1]!);
        return full ? this.replace(false) : -1;
      }
      const victim = this.tailOf[T1]!;
      this.unlink(victim);
      this.evict(victim);
      return victim;
    }
    if (total >= c) {
      if (total === 2 * c) this.unlink(this.tailOf[B2]!);
      return full ? this.replace(false) : -1;
    }
    return -1;
  }

  protected evictVictim(): number {
    const resident = this.sizeOf[T1]! + this.sizeOf[T2]!;
    if (resident === 0) return -1;
    return resident === this.frames ? this.makeRoom(true) : this.replace(false);
  }

  protected forget(page: number): void {
    this.unlink(page);
  }

  residentCount(): number {
    return this.sizeOf[T1]! + this.sizeOf[T2]!;
  }

  private replace(inB2: boolean): number {
    const t1 = this.sizeOf[T1]!;
    let victim: number;
    if (t1 >= 1 && ((inB2 && t1 === this.p) || t1 > this.p || this.sizeOf[T2] === 0)) {
      victim = this.tailOf[T1]!;
      this.unlink(victim);
      this.pushMru(B1, victim);
    } else {
      victim = this.tailOf[T2]!;
      this.unlink(victim);
      this.pushMru(B2, victim);
    }
    this.evict(victim);
    return victim;
  }

  private unlink(page: number): void {
    const list = this.where[page]!;
    const p = this.prev[page]!;
    const n = this.next[page]!;
    if (p >= 0) this.next[p] = n;
    else this.headOf[list] = n;
    if (n >= 0) this.prev[n] = p;
    else this.tailOf[list] = p;
    this.prev[page] = -1;
    this.next[page] = -1;
    this.sizeOf[list] = this.sizeOf[list]! - 1;
    this.where[page] = NONE;
  }

  private pushMru(list: number, page: number): void {
    const head = this.headOf[list]!;
    this.prev[page] = -1;
    this.next[page] = head;
    if (head >= 0) this.prev[head] = page;
    else this.tailOf[list] = page;
    this.headOf[list] = page;
    this.sizeOf[list] = this.sizeOf[list]! + 1;
    this.where[page] = list;
  }

  /** The pages of one list ('t1', 't2', 'b1', 'b2') from its LRU to its MRU end. */
  list(name: 't1' | 't2' | 'b1' | 'b2'): number[] {
    const list = name === 't1' ? T1 : name === 't2' ? T2 : name === 'b1' ? B1 : B2;
    const out: number[] = [];
    for (let p = this.tailOf[list]!; p >= 0; p = this.prev[p]!) out.push(p);
    return out;
  }

  isResident(page: number): boolean {
    if (page < 0 || page >= this.pageCount) return false;
    const w = this.where[page]!;
    return w === T1 || w === T2;
  }

  /** T1 then T2, each from its LRU end. */
  residentPages(): number[] {
    return [...this.list('t1'), ...this.list('t2')];
  }
}
