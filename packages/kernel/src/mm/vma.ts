// Regions of an address space (Linux's vm_area_struct): page-aligned, non-overlapping [start, end) ranges
// with a protection and flags, kept sorted by start. Neighbours with equal protection and flags merge.

export const PROT_NONE = 0;
export const PROT_READ = 1 << 0;
export const PROT_WRITE = 1 << 1;
export const PROT_EXEC = 1 << 2;

export const MAP_PRIVATE = 1 << 0;
export const MAP_SHARED = 1 << 1;
export const MAP_ANONYMOUS = 1 << 2;
/**
 * A device/linear region (Linux's VM_PFNMAP): its pages map physical frames named by a memory map (vmm/),
 * entered when it is created; they hold no references, are never faulted in and are not copied by fork.
 */
export const VM_PFNMAP = 1 << 3;

export interface Vma {
  readonly start: number;
  readonly end: number;
  readonly prot: number;
  readonly flags: number;
}

export class VmaList {
  private list: Vma[] = [];
  /**
   * Bumped by every change to the list (insert, remove): a caller that remembers an answer of `find` together
   * with this number knows the answer still holds while the number is unchanged (the simulator's access check).
   */
  seq = 0;

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
    if (before !== undefined && before.end === vma.start && sameKind(before, vma)) {
      merged = { ...merged, start: before.start };
      from = i - 1;
    }
    const after = this.list[i];
    if (after !== undefined && after.start === vma.end && sameKind(after, vma)) {
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
      removed.push({ ...vma, start: Math.max(vma.start, start), end: Math.min(vma.end, end) });
      if (vma.end > end) kept.push({ ...vma, start: end });
    }
    this.list = kept;
    this.seq++;
    return removed;
  }

  /** A copy for a forked address space. */
  clone(): VmaList {
    const copy = new VmaList();
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

function sameKind(a: Vma, b: Vma): boolean {
  return a.prot === b.prot && a.flags === b.flags;
}
