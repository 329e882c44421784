// Trace records → the page-reference stream a policy replays. Every record whose kind passes the `kinds` filter
// is one reference to page ⌊addr / pageSize⌋; an access whose bytes [addr, addr + size) cross a page boundary is
// one reference to each page it touches, in order (two for any access no longer than a page). S and M are writes
// (an M reads and writes the same bytes: still one reference, and the page becomes dirty), I and L reads. Pages
// get dense ids in order of first reference. In the pages format the value already is the page number.

import { TraceArgumentError } from './errors.js';
import { KIND_LETTERS, KIND_M, KIND_S } from './format.js';
import { PageIdTable } from './page-ids.js';
import type { TraceBatch } from './reader.js';

export interface PageStreamOptions {
  /** Bytes per page, a power of two from 1 to 2^30 (default 4096). */
  readonly pageSize?: number;
  /** The record kinds kept, a subset of the letters ILSM (default all). */
  readonly kinds?: string;
  /** Drop a reference to the same page as the one before, when both are reads or both writes (default false). */
  readonly dedupe?: boolean;
}

/** A finished page stream. */
export interface PageTrace {
  /** Dense page ids, one per reference. */
  readonly pages: Int32Array;
  /** 1 where the reference writes. */
  readonly writes: Uint8Array;
  /** Distinct pages (ids are [0, pageCount)). */
  readonly pageCount: number;
  /** Page number of each id. */
  readonly pageNumbers: Float64Array;
  readonly pageSize: number;
  /** Records kept by the kinds filter. */
  readonly records: number;
  /** Records dropped by the kinds filter. */
  readonly filtered: number;
  /** Records that crossed a page boundary. */
  readonly crossings: number;
}

/** Parses a `kinds` string such as "LSM" into a bit mask over KIND_I..KIND_M. */
export function parseKinds(kinds: string): number {
  if (typeof kinds !== 'string' || kinds.length === 0) throw new TraceArgumentError('kinds', kinds, 'letters from ILSM');
  let mask = 0;
  for (const letter of kinds.toUpperCase()) {
    const k = KIND_LETTERS.indexOf(letter);
    if (k < 0) throw new TraceArgumentError('kinds', kinds, 'letters from ILSM');
    mask |= 1 << k;
  }
  return mask;
}

export class PageStream {
  readonly pageSize: number;
  readonly kindMask: number;
  readonly dedupe: boolean;
  readonly ids = new PageIdTable();
  private pages = new Int32Array(1 << 16);
  private writes = new Uint8Array(1 << 16);
  /** References so far. */
  length = 0;
  records = 0;
  filtered = 0;
  crossings = 0;

  constructor(options: PageStreamOptions = {}) {
    const pageSize = options.pageSize ?? 4096;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 2 ** 30 || (pageSize & (pageSize - 1)) !== 0) {
      throw new TraceArgumentError('pageSize', pageSize, 'a power of two from 1 to 2^30');
    }
    this.pageSize = pageSize;
    this.kindMask = parseKinds(options.kinds ?? 'ILSM');
    this.dedupe = options.dedupe ?? false;
  }

  /** Adds the references of one batch of records. */
  add(batch: TraceBatch): void {
    const { kind, addr, size, count } = batch;
    const byNumber = batch.format === 'pages';
    // A power of two: multiplying by its inverse is exact, and cheaper than a division.
    const inverse = 1 / this.pageSize;
    const mask = this.kindMask;
    const dedupe = this.dedupe;
    const ids = this.ids;
    if (this.length + 2 * count > this.pages.length) this.reserve(this.length + 2 * count);
    let pages = this.pages;
    let writes = this.writes;
    let n = this.length;
    let records = 0;
    let crossings = 0;
    // The last page looked up and its id: consecutive records mostly touch the same page.
    let lastPage = -1;
    let lastId = -1;
    for (let i = 0; i < count; i++) {
      const k = kind[i]!;
      if (((mask >> k) & 1) === 0) continue;
      records++;
      const w = k === KIND_S || k === KIND_M ? 1 : 0;
      const a = addr[i]!;
      const first = byNumber ? a : Math.floor(a * inverse);
      const s = size[i]!;
      const last = byNumber || s <= 1 ? first : Math.floor((a + s - 1) * inverse);
      if (last === first) {
        const id = first === lastPage ? lastId : ids.id(first);
        lastPage = first;
        lastId = id;
        if (dedupe && n > 0 && pages[n - 1] === id && writes[n - 1] === w) continue;
        pages[n] = id;
        writes[n] = w;
        n++;
        continue;
      }
      crossings++;
      if (n + (last - first + 1) + 2 * (count - i) > pages.length) {
        this.length = n;
        this.reserve(n + (last - first + 1) + 2 * (count - i));
        pages = this.pages;
        writes = this.writes;
      }
      for (let p = first; p <= last; p++) {
        const id = ids.id(p);
        lastPage = p;
        lastId = id;
        if (dedupe && n > 0 && pages[n - 1] === id && writes[n - 1] === w) continue;
        pages[n] = id;
        writes[n] = w;
        n++;
      }
    }
    this.length = n;
    this.records += records;
    this.filtered += count - records;
    this.crossings += crossings;
  }

  private reserve(need: number): void {
    let cap = this.pages.length;
    while (cap < need) cap *= 2;
    if (cap > 0x7fffffff) throw new TraceArgumentError('trace', need, 'fewer than 2^31 references');
    const pages = new Int32Array(cap);
    pages.set(this.pages.subarray(0, this.length));
    const writes = new Uint8Array(cap);
    writes.set(this.writes.subarray(0, this.length));
    this.pages = pages;
    this.writes = writes;
  }

  /** The stream so far (views of its buffers, valid until the next add). */
  finish(): PageTrace {
    return {
      pages: this.pages.subarray(0, this.length),
      writes: this.writes.subarray(0, this.length),
      pageCount: this.ids.size,
      pageNumbers: this.ids.pageNumbers(),
      pageSize: this.pageSize,
      records: this.records,
      filtered: this.filtered,
      crossings: this.crossings,
    };
  }
}
