// The physical frame allocator: every frame of RAM is free or in use as data, a page table or the zero
// page, with a 32-bit reference count. Allocation always takes the lowest free frame number, so runs are
// reproducible; frames are zeroed when handed out. Misuse (double free, underflow) throws at once.
//
// Start-up costs the same for any RAM size: frames at or above `fresh` (the next never-used frame) are
// free without being written down anywhere; the free bitmap only ever holds frames below `fresh`, which
// are lower than every never-used one, so searching the bitmap first and then taking `fresh` keeps the
// lowest-first order exact. The books (reference counts, kinds, the bitmap) cover only frames below their
// capacity, which doubles as `fresh` reaches it, and a frame is committed in RAM when it is handed out
// (RAM committed on demand, hw's physical-memory.ts): both grow with the frames used, not with RAM.

import { PhysicalMemory } from '@vmsim/hw';
import { FrameStateError, InvalidArgumentError } from '../errors.js';

export const FRAME_FREE = 0;
export const FRAME_DATA = 1;
export const FRAME_TABLE = 2;
export const FRAME_ZERO = 3;
/** A frame a memory map names (vmm/): taken out of the free list by `reserve`, never handed out by `alloc`. */
export const FRAME_RESERVED = 4;
export type FrameKind = typeof FRAME_DATA | typeof FRAME_TABLE | typeof FRAME_ZERO;
export const FRAME_KIND_NAMES: readonly string[] = ['free', 'data', 'table', 'zero', 'reserved'];

/**
 * Frames the books cover at start (or every frame of a smaller RAM); they double from there. Few enough that
 * the start books are typed arrays of at most 64 bytes, which V8 keeps on its heap: a larger one gets a
 * backing store of its own, ~2 µs apiece at start-up.
 */
export const INITIAL_BOOK_FRAMES = 16;

export interface FrameAllocatorOptions {
  /** Fill freed frames with 0xA5 so a dangling mapping shows junk instead of stale data (debug aid). */
  readonly poisonFreed?: boolean;
}

export class FrameAllocator {
  readonly ram: PhysicalMemory;
  readonly total: number;
  /**
   * Reference count and kind per frame, for frames below the books' length (at least `highWater`); a frame
   * past the end is free with count 0. Replaced when the books grow: read them through the allocator each time.
   */
  refCounts: Uint32Array;
  kinds: Uint8Array;
  /** Frames in use per kind, indexed by FrameKind. */
  readonly inUse = new Uint32Array(4);
  /** Frames taken by `reserve` (FRAME_RESERVED), counted apart from `inUse`. */
  reservedCount = 0;
  /** One bit per frame below `fresh`: set when the frame is free again. Frames at or above `fresh` are free. */
  private freeBits: Uint32Array;
  /** The lowest frame never handed out: every frame from here to `total` is free. */
  private fresh = 0;
  /** No word below this index has a free bit. */
  private lowestWord = 0;
  private nFree: number;
  private readonly poison: boolean;

  constructor(ram: PhysicalMemory, options: FrameAllocatorOptions = {}) {
    if (!(ram instanceof PhysicalMemory)) throw new InvalidArgumentError('ram', String(ram), 'expected a PhysicalMemory');
    if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options', options, 'expected an object');
    const poison = options.poisonFreed ?? false;
    if (typeof poison !== 'boolean') throw new InvalidArgumentError('poisonFreed', poison, 'expected a boolean');
    this.ram = ram;
    this.total = ram.frameCount;
    const frames = Math.min(this.total, INITIAL_BOOK_FRAMES);
    this.refCounts = new Uint32Array(frames);
    this.kinds = new Uint8Array(frames);
    this.freeBits = new Uint32Array(Math.ceil(frames / 32));
    this.nFree = this.total;
    this.poison = poison;
  }

  /** Number of free frames. */
  get freeCount(): number {
    return this.nFree;
  }

  get used(): number {
    return this.total - this.nFree;
  }

  /** One past the highest frame ever handed out: every frame from here to `total` is free and untouched. */
  get highWater(): number {
    return this.fresh;
  }

  /**
   * The lowest free frame, with reference count 1; -1 when none is free. It is zeroed unless `zero` is
   * false, which is only for a caller that overwrites every byte at once (a copy-on-write copy).
   */
  alloc(kind: FrameKind, zero = true): number {
    if (kind !== FRAME_DATA && kind !== FRAME_TABLE && kind !== FRAME_ZERO) {
      throw new InvalidArgumentError('frame kind', kind, `expected FRAME_DATA (${FRAME_DATA}), FRAME_TABLE (${FRAME_TABLE}) or FRAME_ZERO (${FRAME_ZERO})`);
    }
    if (typeof zero !== 'boolean') throw new InvalidArgumentError('zero', zero, 'expected a boolean');
    if (this.nFree === 0) return -1;
    let pfn = this.fresh;
    // A frame freed again lies below `fresh`, so it is lower than every never-used frame: look there first.
    const words = this.freeBits;
    const usedWords = (this.fresh + 31) >>> 5;
    let w = this.lowestWord;
    while (w < usedWords && words[w] === 0) w++;
    this.lowestWord = w;
    if (w < usedWords) {
      const word = words[w]!;
      const bit = 31 - Math.clz32(word & -word);
      pfn = w * 32 + bit;
      words[w] = word & ~(1 << bit);
    } else {
      if (pfn === this.kinds.length) this.growBooks();
      this.fresh = pfn + 1;
    }
    this.nFree--;
    this.refCounts[pfn] = 1;
    this.kinds[pfn] = kind;
    this.inUse[kind]!++;
    // Committed before anyone writes it, so code holding `ram.bytes` may write a frame it was handed. Committed
    // RAM always ends on a frame boundary, and a frame past it is committed as zeros: only a frame already
    // committed (and so perhaps written since) is zeroed.
    const ram = this.ram;
    if ((pfn + 1) * ram.frameSize > ram.committedBytes) ram.commitFrame(pfn);
    else if (zero) ram.zeroFrame(pfn);
    return pfn;
  }

  /**
   * Takes the free frame `pfn` out of the free list as FRAME_RESERVED, reference count 1, contents untouched
   * (a memory map names it; `unref` gives it back). False, and nothing changed, when it is not free.
   */
  reserve(pfn: number): boolean {
    this.checkPfn(pfn);
    if (!this.isFree(pfn)) return false;
    if (pfn >= this.fresh) {
      // The never-used frames below it become free frames below `fresh`, written down in the bitmap.
      while (pfn >= this.kinds.length) this.growBooks();
      for (let f = this.fresh; f < pfn; f++) this.freeBits[f >>> 5]! |= 1 << (f & 31);
      if (this.fresh < pfn && this.fresh >>> 5 < this.lowestWord) this.lowestWord = this.fresh >>> 5;
      this.fresh = pfn + 1;
    } else {
      this.freeBits[pfn >>> 5]! &= ~(1 << (pfn & 31));
    }
    this.nFree--;
    this.refCounts[pfn] = 1;
    this.kinds[pfn] = FRAME_RESERVED;
    this.reservedCount++;
    return true;
  }

  /** Adds a reference to a frame in use; returns the new count. */
  ref(pfn: number): number {
    this.checkPfn(pfn);
    const count = pfn < this.fresh ? this.refCounts[pfn]! : 0;
    if (count === 0) throw new FrameStateError('reference', pfn, count);
    if (count === 0xffffffff) throw new FrameStateError('reference overflow', pfn, count);
    this.refCounts[pfn] = count + 1;
    return count + 1;
  }

  /**
   * `ref` for a frame named by a valid page-table entry (fork's copy of the entries): the same result and the
   * same errors, with the argument checks left to the rare case that needs them (a count of 0 or at its maximum).
   */
  refMapped(pfn: number): number {
    if (pfn >>> 0 !== pfn || pfn >= this.fresh) return this.ref(pfn);
    const count = this.refCounts[pfn]!;
    if (count === 0 || count === 0xffffffff) return this.ref(pfn);
    this.refCounts[pfn] = count + 1;
    return count + 1;
  }

  /** Drops a reference; the frame returns to the free list when none is left. Returns the new count. */
  unref(pfn: number): number {
    this.checkPfn(pfn);
    // A frame never handed out lies past the books: free, count 0.
    const count = pfn < this.fresh ? this.refCounts[pfn]! : 0;
    if (count === 0) throw new FrameStateError(pfn >= this.fresh || this.kinds[pfn] === FRAME_FREE ? 'double free' : 'reference underflow', pfn, count);
    this.refCounts[pfn] = count - 1;
    if (count === 1) this.release(pfn);
    return count - 1;
  }

  refCount(pfn: number): number {
    this.checkPfn(pfn);
    return pfn < this.fresh ? this.refCounts[pfn]! : 0;
  }

  kindOf(pfn: number): number {
    this.checkPfn(pfn);
    return pfn < this.fresh ? this.kinds[pfn]! : FRAME_FREE;
  }

  isFree(pfn: number): boolean {
    this.checkPfn(pfn);
    return pfn >= this.fresh || (this.freeBits[pfn >>> 5]! & (1 << (pfn & 31))) !== 0;
  }

  private release(pfn: number): void {
    // Only frames below `fresh` are ever in use, so the bitmap covers every frame released here.
    const kind = this.kinds[pfn]!;
    if (kind === FRAME_RESERVED) this.reservedCount--;
    else this.inUse[kind]!--;
    this.kinds[pfn] = FRAME_FREE;
    this.freeBits[pfn >>> 5]! |= 1 << (pfn & 31);
    if (pfn >>> 5 < this.lowestWord) this.lowestWord = pfn >>> 5;
    this.nFree++;
    if (this.poison) this.ram.fillFrame(pfn, 0xa5);
  }

  /** Doubles the books (at most to `total` frames), keeping what they hold. */
  private growBooks(): void {
    const frames = Math.min(this.total, this.kinds.length * 2);
    const refCounts = new Uint32Array(frames);
    refCounts.set(this.refCounts);
    const kinds = new Uint8Array(frames);
    kinds.set(this.kinds);
    const freeBits = new Uint32Array(Math.ceil(frames / 32));
    freeBits.set(this.freeBits);
    this.refCounts = refCounts;
    this.kinds = kinds;
    this.freeBits = freeBits;
  }

  private checkPfn(pfn: number): void {
    if (typeof pfn !== 'number' || !Number.isInteger(pfn) || pfn < 0 || pfn >= this.total) {
      throw new InvalidArgumentError('pfn', pfn, `expected a frame number from 0 to ${this.total - 1}`);
    }
  }
}
