// Regions of an address space (Linux's vm_area_struct): page-aligned, non-overlapping [start, end) ranges
// with a protection and flags, kept sorted by start. Neighbours with equal protection and flags merge
// (file regions only when they map the same file at contiguous offsets).

import type { FileRef } from '../fs/mem-file.js';

export const PROT_NONE = 0;
export const PROT_READ = 1 << 0;
export const PROT_WRITE = 1 << 1;
export const PROT_EXEC = 1 << 2;

export const MAP_PRIVATE = 1 << 0;
export const MAP_SHARED = 1 << 1;
export const MAP_ANONYMOUS = 1 << 2;

export interface Vma {
  readonly start: number;
  readonly end: number;
  readonly prot: number;
  readonly flags: number;

  // File-backed regions (fs/, fault/file.ts): the file, and the page offset in it of `start`. `mayWrite`
  // false: a MAP_SHARED region of a descriptor not open for writing (Linux's VM_MAYWRITE clear), which
  // mprotect must refuse PROT_WRITE (EACCES).
  readonly file?: FileRef;
  readonly pgoff?: number;
  readonly mayWrite?: boolean;
}

export class VmaList {
  private list: Vma[] = [];
  /**
   * Bumped by every change to the list (insert, remove): a caller that remembers an answer of `find` together
   * with this number knows the answer still holds while the number is unchanged (the simulator's access check).
   */
  seq = 0;

  /** The page size, for file regions' page offsets (Vma.pgoff) when a region is split or merged. */
  constructor(readonly pageSize = 4096) {}

  get count(): number {
    return this.list.length;
  }

  /** The regions in address order. */
  toArray(): readonly Vma[] {
    return this.list.slice();
  }

  [Symbol.iterator](): Iterator<Vma> {
    return this.list[Symbol.iterator]();
  }

  /** The region containing `va`, or undefined. */
  find(va: number): Vma | undefined {
    const i = this.indexAfter(va) - 1;
    const vma = this.list[i];
    return vma !== undefined && va < vma.end ? vma : undefined;
  }

  /** Does any region intersect [start, end)? */
  overlaps(start: number, end: number): boolean {
    const i = this.indexAfter(start) - 1;
    const before = this.list[i];
    if (before !== undefined && before.end > start) return true;
    const after = this.list[i + 1];
    return after !== undefined && after.start < end;
  }

  /** Adds a region that overlaps none, merging it with equal neighbours that touch it. Returns the result. */
  insert(vma: Vma): Vma {
    const i = this.indexAfter(vma.start);
    let merged = vma;
    let from = i;
    let to = i;
    const before = this.list[i - 1];
    if (before !== undefined && before.end === vma.start && sameKind(before, vma, this.pageSize)) {
      merged = { ...merged, start: before.start, ...(before.file === undefined ? {} : { pgoff: before.pgoff }) };
      from = i - 1;
    }
    const after = this.list[i];
    if (after !== undefined && after.start === vma.end && sameKind(after, vma, this.pageSize)) {
      merged = { ...merged, end: after.end };
      to = i + 1;
    }
    this.list.splice(from, to - from, merged);
    this.seq++;
    return merged;
  }

  /** Removes [start, end) from every region it touches, splitting them; returns the removed pieces. */
  remove(start: number, end: number): Vma[] {
    const removed: Vma[] = [];
    const kept: Vma[] = [];
    for (const vma of this.list) {
      if (vma.end <= start || vma.start >= end) {
        kept.push(vma);
        continue;
      }
      if (vma.start < start) kept.push({ ...vma, end: start });
      removed.push({ ...startingAt(vma, Math.max(vma.start, start), this.pageSize), end: Math.min(vma.end, end) });
      if (vma.end > end) kept.push(startingAt(vma, end, this.pageSize));
    }
    this.list = kept;
    this.seq++;
    return removed;
  }

  /** A copy for a forked address space. */
  clone(): VmaList {
    const copy = new VmaList(this.pageSize);
    copy.list = this.list.slice();
    return copy;
  }

  /** Index of the first region starting above `va`. */
  private indexAfter(va: number): number {
    let lo = 0;
    let hi = this.list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.list[mid]!.start <= va) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Same protection, flags and backing: anonymous, or the same file at contiguous page offsets. */
function sameKind(a: Vma, b: Vma, pageSize: number): boolean {
  if (a.prot !== b.prot || a.flags !== b.flags || a.file !== b.file || a.mayWrite !== b.mayWrite) return false;
  if (a.file === undefined) return true;
  const [lo, hi] = a.start < b.start ? [a, b] : [b, a];
  return (lo.pgoff ?? 0) + (hi.start - lo.start) / pageSize === (hi.pgoff ?? 0);
}

/** `vma` from `start` on: a file region's page offset moves with its start. */
function startingAt(vma: Vma, start: number, pageSize: number): Vma {
  return vma.file === undefined ? { ...vma, start } : { ...vma, start, pgoff: (vma.pgoff ?? 0) + (start - vma.start) / pageSize };
}
