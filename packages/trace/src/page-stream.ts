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

/** parseKinds('ILSM'). */
const ALL_KINDS = 0b1111;
/** References per block of the stream (a block is 5 bytes a reference). */
const BLOCK = 1 << 18;
/** The most references a stream holds (the length of one typed array). */
const MAX_REFERENCES = 0x7fffffff;

export interface PageStreamFinishOptions {
  /** Put the stream in SharedArrayBuffers (for worker threads; where the platform has them). Default false. */
  readonly shared?: boolean;
}

/**
 * The page stream, built batch by batch. References go into blocks of typed arrays, a new block when one is full
 * (no copying while it grows); finish() joins them once, into exactly as much memory as the stream needs.
 */
export class PageStream {
  readonly pageSize: number;
  readonly kindMask: number;
  readonly dedupe: boolean;
  readonly ids = new PageIdTable();
  /** The block being written, and how much of it is used. */
  private pages: Int32Array = new Int32Array(0);
  private writes: Uint8Array = new Uint8Array(0);
  private used = 0;
  /** The earlier blocks, each with its used length. */
  private readonly blocks: { readonly pages: Int32Array; readonly writes: Uint8Array; readonly used: number }[] = [];
  private blocksLength = 0;
  /** The last reference added (for dedupe), or -1. */
  private lastId = -1;
  private lastWrite = -1;
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
    this.room(2 * count);
    if (batch.format === 'pages' || this.dedupe || this.kindMask !== ALL_KINDS) {
      this.addGeneral(batch, 0);
      return;
    }
    // Every kind, no dedupe, byte addresses: the common case, one loop with nothing else to check.
    // A power of two: multiplying by its inverse is exact, and cheaper than a division.
    const inverse = 1 / this.pageSize;
    const ids = this.ids;
    const pages = this.pages;
    const writes = this.writes;
    let n = this.used;
    let crossings = 0;
    for (let i = 0; i < count; i++) {
      // KIND_S = 2 and KIND_M = 3 write, KIND_I = 0 and KIND_L = 1 read.
      const w = kind[i]! >> 1;
      const a = addr[i]!;
      const first = Math.floor(a * inverse);
      pages[n] = ids.id(first);
      writes[n] = w;
      n++;
      const s = size[i]!;
      if (s > 1) {
        const last = Math.floor((a + s - 1) * inverse);
        if (last !== first) {
          crossings++;
          // Two pages for any access no longer than a page (the room made above); a longer one goes on below.
          if (last - first > 1) {
            this.used = n;
            this.crossings += crossings;
            this.records += i + 1;
            this.addPages(first + 1, last, w);
            this.addGeneral(batch, i + 1);
            return;
          }
          pages[n] = ids.id(last);
          writes[n] = w;
          n++;
        }
      }
    }
    this.used = n;
    this.length = this.blocksLength + n;
    this.records += count;
    this.crossings += crossings;
    if (n > 0) {
      this.lastId = pages[n - 1]!;
      this.lastWrite = writes[n - 1]!;
    }
  }

  /** References to pages first..last, each `w`, making room as they go (an access over many pages). */
  private addPages(first: number, last: number, w: number): void {
    for (let p = first; p <= last; p++) {
      this.room(1);
      const id = this.ids.id(p);
      if (this.dedupe && id === this.lastId && w === this.lastWrite) continue;
      this.pages[this.used] = id;
      this.writes[this.used] = w;
      this.used++;
      this.lastId = id;
      this.lastWrite = w;
    }
    this.length = this.blocksLength + this.used;
  }

  /** Any batch from record `from` on: the kinds filter, dedupe, the pages format, accesses over many pages. */
  private addGeneral(batch: TraceBatch, from: number): void {
    const { kind, addr, size, count } = batch;
    const byNumber = batch.format === 'pages';
    const inverse = 1 / this.pageSize;
    const mask = this.kindMask;
    const dedupe = this.dedupe;
    const ids = this.ids;
    // Room for two references a record is made; a record over more pages makes its own (and the block may change).
    this.room(2 * (count - from));
    let pages = this.pages;
    let writes = this.writes;
    let n = this.used;
    let lastId = this.lastId;
    let lastWrite = this.lastWrite;
    let records = 0;
    let crossings = 0;
    for (let i = from; i < count; i++) {
      const k = kind[i]!;
      if (((mask >> k) & 1) === 0) continue;
      records++;
      const w = k === KIND_S || k === KIND_M ? 1 : 0;
      const a = addr[i]!;
      const first = byNumber ? a : Math.floor(a * inverse);
      const s = size[i]!;
      const last = byNumber || s <= 1 ? first : Math.floor((a + s - 1) * inverse);
      if (last !== first) crossings++;
      if (last - first > 1) {
        this.used = n;
        this.lastId = lastId;
        this.lastWrite = lastWrite;
        this.addPages(first, last, w);
        this.room(2 * (count - i - 1));
        pages = this.pages;
        writes = this.writes;
        n = this.used;
        lastId = this.lastId;
        lastWrite = this.lastWrite;
        continue;
      }
      for (let p = first; p <= last; p++) {
        const id = ids.id(p);
        if (dedupe && id === lastId && w === lastWrite) continue;
        pages[n] = id;
        writes[n] = w;
        n++;
        lastId = id;
        lastWrite = w;
      }
    }
    this.used = n;
    this.length = this.blocksLength + n;
    this.lastId = lastId;
    this.lastWrite = lastWrite;
    this.records += records;
    this.filtered += count - from - records;
    this.crossings += crossings;
  }

  /** Room for `need` more references in the current block: a new block if it has not. */
  private room(need: number): void {
    if (this.used + need <= this.pages.length) return;
    if (this.blocksLength + this.used + need > MAX_REFERENCES) {
      throw new TraceArgumentError('trace', this.blocksLength + this.used + need, 'fewer than 2^31 references');
    }
    if (this.used > 0) {
      this.blocks.push({ pages: this.pages, writes: this.writes, used: this.used });
      this.blocksLength += this.used;
    }
    const size = Math.max(BLOCK, need);
    this.pages = new Int32Array(size);
    this.writes = new Uint8Array(size);
    this.used = 0;
  }

  /**
   * The stream so far. Its arrays are the stream's own block when it has one block and no shared memory is asked
   * (valid until the next add), else new arrays of exactly its length.
   */
  finish(options: PageStreamFinishOptions = {}): PageTrace {
    if (options.shared !== undefined && typeof options.shared !== 'boolean') throw new TraceArgumentError('shared', options.shared, 'a boolean');
    const shared = options.shared === true && typeof SharedArrayBuffer === 'function';
    const length = this.blocksLength + this.used;
    let pages: Int32Array;
    let writes: Uint8Array;
    if (this.blocks.length === 0 && !shared) {
      pages = this.pages.subarray(0, this.used);
      writes = this.writes.subarray(0, this.used);
    } else {
      pages = shared ? new Int32Array(new SharedArrayBuffer(4 * length)) : new Int32Array(length);
      writes = shared ? new Uint8Array(new SharedArrayBuffer(length)) : new Uint8Array(length);
      let at = 0;
      for (const block of [...this.blocks, { pages: this.pages, writes: this.writes, used: this.used }]) {
        pages.set(block.pages.subarray(0, block.used), at);
        writes.set(block.writes.subarray(0, block.used), at);
        at += block.used;
      }
    }
    return {
      pages,
      writes,
      pageCount: this.ids.size,
      pageNumbers: this.ids.pageNumbers(),
      pageSize: this.pageSize,
      records: this.records,
      filtered: this.filtered,
      crossings: this.crossings,
    };
  }
}
