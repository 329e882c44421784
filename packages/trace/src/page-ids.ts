// Dense page ids: page numbers (integers below 2^53) are remapped to 0, 1, 2, … in order of first reference, so a
// policy can index typed arrays by page. An open-addressing hash table in typed arrays (no Map), with a one-entry
// cache in front since consecutive references mostly touch the same page.

const EMPTY = -1;

export class PageIdTable {
  private keys: Float64Array;
  private values: Int32Array;
  private mask: number;
  private shift: number;
  /** id → page number. */
  private numbers: Float64Array;
  /** Number of distinct pages. */
  size = 0;
  private lastNumber = -1;
  private lastId = -1;

  constructor(capacity = 1024) {
    let bits = 4;
    while (1 << bits < capacity * 2 && bits < 30) bits++;
    this.keys = new Float64Array(1 << bits).fill(EMPTY);
    this.values = new Int32Array(1 << bits);
    this.mask = (1 << bits) - 1;
    this.shift = 32 - bits;
    this.numbers = new Float64Array(Math.max(16, capacity));
  }

  /** The id of page number `page` (a non-negative integer below 2^53), assigning the next id if it is new. */
  id(page: number): number {
    if (page === this.lastNumber) return this.lastId;
    const keys = this.keys;
    let h = this.hash(page);
    for (;;) {
      const k = keys[h]!;
      if (k === page) {
        this.lastNumber = page;
        return (this.lastId = this.values[h]!);
      }
      if (k === EMPTY) break;
      h = (h + 1) & this.mask;
    }
    const id = this.size++;
    keys[h] = page;
    this.values[h] = id;
    if (id === this.numbers.length) {
      const bigger = new Float64Array(id * 2);
      bigger.set(this.numbers);
      this.numbers = bigger;
    }
    this.numbers[id] = page;
    if (this.size * 2 > this.mask + 1) this.grow();
    this.lastNumber = page;
    return (this.lastId = id);
  }

  /** The page number of `id`. */
  pageNumber(id: number): number {
    if (!Number.isInteger(id) || id < 0 || id >= this.size) return -1;
    return this.numbers[id]!;
  }

  /** Page numbers by id, [0, size). */
  pageNumbers(): Float64Array {
    return this.numbers.slice(0, this.size);
  }

  private hash(page: number): number {
    const lo = page >>> 0;
    const hi = (page / 4294967296) >>> 0;
    return Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b) >>> this.shift;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    const bits = 32 - this.shift + 1;
    this.keys = new Float64Array(1 << bits).fill(EMPTY);
    this.values = new Int32Array(1 << bits);
    this.mask = (1 << bits) - 1;
    this.shift = 32 - bits;
    for (let i = 0; i < oldKeys.length; i++) {
      const k = oldKeys[i]!;
      if (k === EMPTY) continue;
      let h = this.hash(k);
      while (this.keys[h] !== EMPTY) h = (h + 1) & this.mask;
      this.keys[h] = k;
      this.values[h] = oldValues[i]!;
    }
  }
}
