// Dense page ids: page numbers (integers below 2^53) are remapped to 0, 1, 2, … in order of first reference, so a
// policy can index typed arrays by page. An open-addressing hash table in typed arrays (no Map), with a small
// direct-mapped cache in front (slot = the page number's low bits): a trace's references keep returning to a few
// pages (code, stack, data), so most lookups end there, with one compare.

const EMPTY = -1;
/** Slots of the cache in front of the table (a power of two). */
const CACHE_SLOTS = 256;

export class PageIdTable {
  private keys: Float64Array;
  private values: Int32Array;
  private mask: number;
  private shift: number;
  /** id → page number. */
  private numbers: Float64Array;
  /** Number of distinct pages. */
  size = 0;
  /** The cache: page number in a slot (-1 empty), and its id. */
  private readonly cacheNumbers = new Float64Array(CACHE_SLOTS).fill(EMPTY);
  private readonly cacheIds = new Int32Array(CACHE_SLOTS);

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
    // The low bits: `&` takes the number mod 2^32 first, which keeps them (2^32 is a multiple of CACHE_SLOTS).
    const slot = page & (CACHE_SLOTS - 1);
    if (this.cacheNumbers[slot] === page) return this.cacheIds[slot]!;
    const id = this.lookup(page);
    this.cacheNumbers[slot] = page;
    this.cacheIds[slot] = id;
    return id;
  }

  /** The table's id of `page`, a new one if it has none. */
  private lookup(page: number): number {
    const keys = this.keys;
    let h = this.hash(page);
    for (;;) {
      const k = keys[h]!;
      if (k === page) return this.values[h]!;
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
    return id;
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
    const hi = (page * 2.3283064365386963e-10) >>> 0; // page / 2^32, exact
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
