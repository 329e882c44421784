// Regions of an address space (Linux's vm_area_struct): page-aligned, non-overlapping [start, end) ranges
// with a protection and flags, kept sorted by start. Neighbours with equal protection, flags and backing merge
// (file regions only when they map the same file at contiguous offsets).
// The list is a two-level sorted array (chunks of at most 2·CHUNK regions, like a B-tree of height two), with
// the largest free gap below any region of each chunk kept beside it (Linux keeps it in the maple tree), so
// lookups are logarithmic and an insert, a removal or a top-down gap search costs O(CHUNK + regions/CHUNK).

import type { FileRef } from '../fs/mem-file.js';

export const PROT_NONE = 0;
export const PROT_READ = 1 << 0;
export const PROT_WRITE = 1 << 1;
export const PROT_EXEC = 1 << 2;
/** Every protection bit mprotect accepts. */
export const PROT_MASK = PROT_READ | PROT_WRITE | PROT_EXEC;

// mmap flags (vmsim's own values; the names and rules are Linux's). PRIVATE, SHARED, ANONYMOUS, NORESERVE and
// GROWSDOWN are kept in a region's `flags`; FIXED, FIXED_NOREPLACE and POPULATE only steer one mmap call.
export const MAP_PRIVATE = 1 << 0;
export const MAP_SHARED = 1 << 1;
export const MAP_ANONYMOUS = 1 << 2;
/** Both types at once: Linux's MAP_SHARED_VALIDATE (= 0x03), refused for anonymous memory. */
export const MAP_SHARED_VALIDATE = MAP_PRIVATE | MAP_SHARED;
export const MAP_FIXED = 1 << 3;
export const MAP_FIXED_NOREPLACE = 1 << 4;
/** No overcommit charge; a region flag as Linux's VM_NORESERVE, so such a region merges only with its like. */
export const MAP_NORESERVE = 1 << 5;
export const MAP_POPULATE = 1 << 6;
/** The stack region (Linux's VM_GROWSDOWN): a fault just below it grows it. Set by the kernel only. */
export const MAP_GROWSDOWN = 1 << 7;
/** The flag bits a region keeps. */
export const REGION_FLAGS = MAP_PRIVATE | MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE | MAP_GROWSDOWN;

/**
 * The memory object of one MAP_SHARED anonymous mapping (Linux's shmem file behind it): the frames of its
 * pages, by page address (regions never move, so the address names the page for every mapper, forked
 * children included). It holds one reference on each frame; mm/shmem.ts releases them when no region of
 * any process refers to the object any more.
 */
export class SharedAnon {
  readonly pages = new Map<number, number>();
}
/**
 * A device/linear region (Linux's VM_PFNMAP): its pages map physical frames named by a memory map (vmm/),
 * entered when it is created; they hold no references, are never faulted in and are not copied by fork. Set by
 * the kernel only (not one of REGION_FLAGS, which mmap's flags are filtered by).
 */
export const VM_PFNMAP = 1 << 8;

export interface Vma {
  readonly start: number;
  readonly end: number;
  readonly prot: number;
  readonly flags: number;
  /** The memory object of a MAP_SHARED anonymous region made by mmap; undefined for every other region. */
  readonly shm?: SharedAnon;

  // File-backed regions (fs/, fault/file.ts): the file, and the page offset in it of `start`. `mayWrite`
  // false: a MAP_SHARED region of a descriptor not open for writing (Linux's VM_MAYWRITE clear), which
  // mprotect must refuse PROT_WRITE (EACCES).
  readonly file?: FileRef;
  readonly pgoff?: number;
  readonly mayWrite?: boolean;
}

/** Do two regions have the same protection, flags and backing, so that touching ones may be one region? */
export function sameKind(a: Vma, b: Vma, pageSize = 4096): boolean {
  if (a.prot !== b.prot || a.flags !== b.flags || a.shm !== b.shm || a.file !== b.file || a.mayWrite !== b.mayWrite) return false;
  if (a.file === undefined) return true;
  // The same file: one region only when the offsets continue across the boundary (in pages, as vm_pgoff).
  const [lo, hi] = a.start < b.start ? [a, b] : [b, a];
  return (lo.pgoff ?? 0) + (lo.end - lo.start) / pageSize === (hi.pgoff ?? 0);
}

/** The part [start, end) of `vma` (a file region's page offset moves with its start). */
export function sliceVma(vma: Vma, start: number, end: number, pageSize = 4096): Vma {
  if (vma.pgoff === undefined || start === vma.start) return { ...vma, start, end };
  return { ...vma, start, end, pgoff: vma.pgoff + (start - vma.start) / pageSize };
}

/** Half the most regions a chunk holds: a chunk splits when it would pass 2·CHUNK. */
const CHUNK = 64;

export class VmaList {
  /** The regions in address order, cut into chunks; no chunk is empty. */
  private chunks: Vma[][] = [];
  /** For each chunk, the largest free gap just below one of its regions (from the previous region's end, or 0). */
  private gaps: number[] = [];
  private n = 0;
  /**
   * Bumped by every change to the list (insert, remove): a caller that remembers an answer of `find` together
   * with this number knows the answer still holds while the number is unchanged (the simulator's access check).
   */
  seq = 0;

  /** The page size, for file regions' page offsets (Vma.pgoff) when a region is split or merged. */
  constructor(readonly pageSize = 4096) {}

  get count(): number {
    return this.n;
  }

  /** The regions in address order. */
  toArray(): readonly Vma[] {
    const out: Vma[] = [];
    for (const chunk of this.chunks) for (const vma of chunk) out.push(vma);
    return out;
  }

  *[Symbol.iterator](): Iterator<Vma> {
    for (const chunk of this.chunks) yield* chunk;
  }

  /** The region containing `va`, or undefined. */
  find(va: number): Vma | undefined {
    const ci = this.chunkAt(va);
    if (ci < 0) return undefined;
    const chunk = this.chunks[ci]!;
    const vma = chunk[lastAtMost(chunk, va)]!;
    return va < vma.end ? vma : undefined;
  }

  /** The last region starting below `va`, or undefined. */
  before(va: number): Vma | undefined {
    const ci = this.chunkAt(va - 1);
    if (ci < 0) return undefined;
    const chunk = this.chunks[ci]!;
    return chunk[lastAtMost(chunk, va - 1)];
  }

  /** The first region ending above `va` (the one holding it, or the next one), or undefined. */
  after(va: number): Vma | undefined {
    let ci = this.chunkAt(va);
    let ri = 0;
    if (ci < 0) ci = 0;
    else {
      const chunk = this.chunks[ci]!;
      ri = lastAtMost(chunk, va);
      if (chunk[ri]!.end <= va) ri++;
      if (ri === chunk.length) {
        ci++;
        ri = 0;
      }
    }
    return this.chunks[ci]?.[ri];
  }

  /** The regions that intersect [start, end), in address order. */
  intersecting(start: number, end: number): Vma[] {
    const out: Vma[] = [];
    let ci = this.chunkAt(start);
    let ri = 0;
    if (ci < 0) ci = 0;
    else ri = lastAtMost(this.chunks[ci]!, start);
    for (; ci < this.chunks.length; ci++, ri = 0) {
      const chunk = this.chunks[ci]!;
      for (; ri < chunk.length; ri++) {
        const vma = chunk[ri]!;
        if (vma.start >= end) return out;
        if (vma.end > start) out.push(vma);
      }
    }
    return out;
  }

  /** Does any region intersect [start, end)? */
  overlaps(start: number, end: number): boolean {
    const vma = this.after(start);
    return vma !== undefined && vma.start < end;
  }

  /** Adds a region that overlaps none, merging it with equal neighbours that touch it. Returns the result. */
  insert(vma: Vma): Vma {
    let merged = vma;
    const before = this.before(vma.start);
    if (before !== undefined && before.end === vma.start && sameKind(before, vma, this.pageSize)) {
      this.deleteRegion(before);
      merged = { ...before, end: merged.end };
    }
    const after = this.after(vma.end);
    if (after !== undefined && after.start === vma.end && sameKind(after, vma, this.pageSize)) {
      this.deleteRegion(after);
      merged = { ...merged, end: after.end };
    }
    this.insertRaw(merged);
    this.seq++;
    return merged;
  }

  /** Removes [start, end) from every region it touches, splitting them; returns the removed pieces. */
  remove(start: number, end: number): Vma[] {
    const hit = this.intersecting(start, end);
    const removed: Vma[] = [];
    for (const vma of hit) {
      this.deleteRegion(vma);
      if (vma.start < start) this.insertRaw(sliceVma(vma, vma.start, start, this.pageSize));
      removed.push(sliceVma(vma, Math.max(vma.start, start), Math.min(vma.end, end), this.pageSize));
      if (vma.end > end) this.insertRaw(sliceVma(vma, end, vma.end, this.pageSize));
    }
    this.seq++;
    return removed;
  }

  /**
   * The highest address s with [s, s + length) free and inside [low, high), or -1 (Linux's
   * unmapped_area_topdown). Chunks whose largest gap is too small are skipped whole.
   */
  highestGap(length: number, low: number, high: number): number {
    if (length <= 0 || high - low < length) return -1;
    const chunks = this.chunks;
    let ci = this.chunkAt(high - 1);
    if (ci < 0) return high - length;
    let ri = lastAtMost(chunks[ci]!, high - 1);
    let vma = chunks[ci]![ri]!;
    // The gap above the highest region that starts below `high`.
    if (high - length >= Math.max(vma.end, low)) return high - length;
    for (;;) {
      // The gap just below region (ci, ri): [end of the previous region (or 0), its start).
      const top = vma.start;
      if (top - length < low) return -1;
      const prevEnd = ri > 0 ? chunks[ci]![ri - 1]!.end : ci > 0 ? chunks[ci - 1]!.at(-1)!.end : 0;
      if (top - length >= prevEnd) return top - length;
      if (ri > 0) ri--;
      else {
        // Into the previous chunk, skipping every chunk whose gaps (each just below one of its regions) are all
        // too small: clipping to [low, high) only makes a gap smaller.
        ci--;
        while (ci >= 0 && this.gaps[ci]! < length) ci--;
        if (ci < 0) return -1;
        ri = chunks[ci]!.length - 1;
      }
      vma = chunks[ci]![ri]!;
    }
  }

  /** The lowest address s with [s, s + length) free inside [low, high), or -1 (the bottom-up search; linear). */
  lowestGap(length: number, low: number, high: number): number {
    let s = low;
    for (const vma of this.intersecting(low, high)) {
      if (vma.start - s >= length) return s;
      if (vma.end > s) s = vma.end;
    }
    return high - s >= length ? s : -1;
  }

  /** A copy for a forked address space. */
  clone(): VmaList {
    const copy = new VmaList(this.pageSize);
    copy.chunks = this.chunks.map((c) => c.slice());
    copy.gaps = this.gaps.slice();
    copy.n = this.n;
    return copy;
  }

  /** Index of the last chunk whose first region starts at or below `va`, or -1. */
  private chunkAt(va: number): number {
    let lo = 0;
    let hi = this.chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.chunks[mid]![0]!.start <= va) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  /** Puts a region that overlaps none into its place, without merging. */
  private insertRaw(vma: Vma): void {
    this.n++;
    if (this.chunks.length === 0) {
      this.chunks.push([vma]);
      this.gaps.push(0);
      this.refresh(0);
      return;
    }
    let ci = this.chunkAt(vma.start);
    if (ci < 0) ci = 0;
    const chunk = this.chunks[ci]!;
    chunk.splice(lastAtMost(chunk, vma.start) + 1, 0, vma);
    if (chunk.length > 2 * CHUNK) {
      this.chunks.splice(ci + 1, 0, chunk.splice(CHUNK));
      this.gaps.splice(ci + 1, 0, 0);
    }
    this.refresh(ci);
  }

  /** Takes out a region that is in the list. */
  private deleteRegion(vma: Vma): void {
    const ci = this.chunkAt(vma.start);
    const chunk = this.chunks[ci]!;
    const ri = lastAtMost(chunk, vma.start);
    chunk.splice(ri, 1);
    this.n--;
    if (chunk.length === 0) {
      this.chunks.splice(ci, 1);
      this.gaps.splice(ci, 1);
    }
    this.refresh(ci);
  }

  /** Recomputes the gap figure of the chunks around `ci` (a change there moves the gaps of it and the next). */
  private refresh(ci: number): void {
    for (let c = Math.max(0, ci - 1); c <= ci + 2 && c < this.chunks.length; c++) {
      const chunk = this.chunks[c]!;
      let prevEnd = c === 0 ? 0 : this.chunks[c - 1]!.at(-1)!.end;
      let gap = 0;
      for (const vma of chunk) {
        if (vma.start - prevEnd > gap) gap = vma.start - prevEnd;
        prevEnd = vma.end;
      }
      this.gaps[c] = gap;
    }
  }
}

/** Index of the last region of `chunk` starting at or below `va` (-1 when none does). */
function lastAtMost(chunk: readonly Vma[], va: number): number {
  let lo = 0;
  let hi = chunk.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (chunk[mid]!.start <= va) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
