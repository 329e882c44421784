// ARC (Megiddo & Modha, FAST 2003, Fig. 4), c = frames: resident lists T1 (seen once) and T2 (seen twice or more),
// ghost lists B1, B2 of recently evicted page ids, and a target p for |T1|. x in T1∪T2: hit, x → MRU of T2.
// x in B1: p := min(c, p + max(|B2|/|B1|, 1)); REPLACE; x → MRU of T2. x in B2: p := max(0, p − max(|B1|/|B2|, 1));
// REPLACE; x → MRU of T2. Otherwise: if |T1|+|B1| = c: if |T1| < c drop LRU of B1 and REPLACE, else evict LRU of T1
// (it leaves no ghost); else if |T1|+|T2|+|B1|+|B2| ≥ c: drop LRU of B2 if that total is 2c, then REPLACE; then
// x → MRU of T1. REPLACE: if |T1| ≥ 1 and (x in B2 and |T1| = p, or |T1| > p) evict LRU of T1 to MRU of B1, else
// evict LRU of T2 to MRU of B2.

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
      this.remove(page);
      this.pushMru(T2, page);
      return true;
    }
    this.misses++;
    if (w === B1) {
      this.p = Math.min(c, this.p + Math.max(size[B2]! / size[B1]!, 1));
      this.replace(false);
      this.remove(page);
      this.pushMru(T2, page);
      return false;
    }
    if (w === B2) {
      this.p = Math.max(0, this.p - Math.max(size[B1]! / size[B2]!, 1));
      this.replace(true);
      this.remove(page);
      this.pushMru(T2, page);
      return false;
    }
    const l1 = size[T1]! + size[B1]!;
    const total = l1 + size[T2]! + size[B2]!;
    if (l1 === c) {
      if (size[T1]! < c) {
        this.drop(this.tailOf[B1]!);
        this.replace(false);
      } else {
        const victim = this.tailOf[T1]!;
        this.remove(victim);
        this.evict(victim);
      }
    } else if (total >= c) {
      if (total === 2 * c) this.drop(this.tailOf[B2]!);
      this.replace(false);
    }
    this.pushMru(T1, page);
    return false;
  }

  private replace(inB2: boolean): void {
    const t1 = this.sizeOf[T1]!;
    if (t1 >= 1 && ((inB2 && t1 === this.p) || t1 > this.p)) {
      const victim = this.tailOf[T1]!;
      this.remove(victim);
      this.pushMru(B1, victim);
      this.evict(victim);
    } else {
      const victim = this.tailOf[T2]!;
      this.remove(victim);
      this.pushMru(B2, victim);
      this.evict(victim);
    }
  }

  private drop(page: number): void {
    this.remove(page);
  }

  private remove(page: number): void {
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
