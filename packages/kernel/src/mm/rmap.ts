// The reverse map (Linux's rmap, mm/rmap.c): for a data frame, every (process, page) whose last-level entry
// maps it — private pages, copy-on-write pages shared after fork, shared anonymous pages and page-cache
// pages alike — so that reclaim can unmap a victim from every entry. The zero page (never evicted) and
// VM_PFNMAP leaves (the memory map's frames, holding no reference) are left out. Kept exact at every point a
// leaf gains, changes or loses its frame (fault, fork, COW copy, munmap, truncation, exit); checked by the
// invariant sweep against the page tables.

import { InvalidArgumentError } from '../errors.js';
import type { AddressSpace } from './address-space.js';

/** One mapping of a frame: the space and pid whose leaf entry at `va` names it. */
export interface RmapEntry {
  readonly space: AddressSpace;
  readonly pid: number;
  readonly va: number;
}

export class ReverseMap {
  /** Mappers per frame, in the order they were added; a frame with none has no key. */
  private readonly byPfn = new Map<number, RmapEntry[]>();
  private total = 0;

  /** Number of (frame, mapping) pairs held. */
  get size(): number {
    return this.total;
  }

  /** Frames with at least one mapping. */
  get frameCount(): number {
    return this.byPfn.size;
  }

  /** Records that `space` (process `pid`) maps `pfn` at page `va`. */
  add(pfn: number, space: AddressSpace, pid: number, va: number): void {
    checkPfn(pfn);
    const list = this.byPfn.get(pfn);
    const entry: RmapEntry = { space, pid, va };
    if (list === undefined) this.byPfn.set(pfn, [entry]);
    else list.push(entry);
    this.total++;
  }

  /** Forgets the mapping of `pfn` by `space` at `va`; false when it was not recorded. */
  remove(pfn: number, space: AddressSpace, va: number): boolean {
    const list = this.byPfn.get(pfn);
    if (list === undefined) return false;
    for (let i = 0; i < list.length; i++) {
      const e = list[i]!;
      if (e.space === space && e.va === va) {
        // Order among the mappers carries no meaning: the last one fills the hole.
        const last = list.pop()!;
        if (i < list.length) list[i] = last;
        if (list.length === 0) this.byPfn.delete(pfn);
        this.total--;
        return true;
      }
    }
    return false;
  }

  /** The mappings of `pfn` (a copy: unmapping while iterating is safe). */
  mappers(pfn: number): RmapEntry[] {
    const list = this.byPfn.get(pfn);
    return list === undefined ? [] : list.slice();
  }

  /** How many entries map `pfn`. */
  count(pfn: number): number {
    return this.byPfn.get(pfn)?.length ?? 0;
  }

  /** Every frame with its mappings (for the invariant sweep and tests). */
  *frames(): IterableIterator<[number, readonly RmapEntry[]]> {
    yield* this.byPfn;
  }
}

function checkPfn(pfn: number): void {
  if (typeof pfn !== 'number' || !Number.isInteger(pfn) || pfn < 0) throw new InvalidArgumentError('pfn', pfn, 'expected a non-negative integer frame number');
}
