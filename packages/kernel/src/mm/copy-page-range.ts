// Fork's copy of one region's page-table entries (Linux's copy_page_range → copy_pte_range →
// __copy_present_ptes): the child gets tables of its own for the range and entries for the same frames.
// Decided once per region: a private writable mapping is copy-on-write (both sides lose W and get PTE_COW);
// the child's entries start old (Accessed clear) and, for shared mappings, clean (Dirty clear).

import { isSwapEntry, PTE_A, PTE_D, PTE_W, swapEntrySlot, writeEntry } from '@vmsim/hw';
import { PTE_COW } from '../fault/wp-page.js';
import { KernelInvariantError } from '../errors.js';
import type { HardwareModel, PhysicalMemory } from '@vmsim/hw';
import type { AddressSpace, TableGeometry } from './address-space.js';
import type { FrameAllocator } from './frame-allocator.js';
import type { SwapArea } from './swap.js';
import { MAP_SHARED, PROT_WRITE, type Vma } from './vma.js';

/** Told of every entry copied: the page, its frame, and whether each side may write it now. */
export type CopiedPte = (va: number, pfn: number, childWritable: boolean, parentDowngraded: boolean) => void;

/** Is a region copy-on-write across fork? Private and writable (Linux's is_cow_mapping). */
export function isCowMapping(vma: Vma): boolean {
  return (vma.flags & MAP_SHARED) === 0 && (vma.prot & PROT_WRITE) !== 0;
}

/**
 * Copies the entries of `vma`'s range from `parent` into `child`, creating the child's tables on the way
 * with `allocTable` (the caller checked that enough frames are free: at most the parent's table count).
 * Each copied frame gains a reference. Returns true when a parent entry lost W (its TLB must be flushed).
 */
export function copyPageRange(
  parent: AddressSpace,
  child: AddressSpace,
  vma: Vma,
  frames: FrameAllocator,
  allocTable: () => number,
  copied: CopiedPte | null,
  swap: SwapArea | null = null,
): boolean {
  const copy = new RangeCopy(parent, child, frames, allocTable, copied, isCowMapping(vma), (vma.flags & MAP_SHARED) !== 0, swap);
  copy.table(parent.rootPfn, child.rootPfn, 0, 0, vma.start, vma.end);
  return copy.downgraded;
}

/** The state of one region's copy: fixed per region, so the per-entry loop only reads fields. */
class RangeCopy {
  downgraded = false;
  private readonly g: TableGeometry;
  private readonly model: HardwareModel;
  private readonly ram: PhysicalMemory;
  /** Bits the child's entries lose: A always, D too for a shared mapping. */
  private readonly childClear: number;

  constructor(
    private readonly parent: AddressSpace,
    private readonly child: AddressSpace,
    private readonly frames: FrameAllocator,
    private readonly allocTable: () => number,
    private readonly copied: CopiedPte | null,
    private readonly cow: boolean,
    shared: boolean,
    /** Where a swap entry's slot gains the child's reference (Linux's swap_duplicate); null: no swap entries. */
    private readonly swap: SwapArea | null,
  ) {
    this.g = parent.geometry;
    this.model = parent.model;
    this.ram = parent.ram;
    this.childClear = shared ? PTE_A | PTE_D : PTE_A;
  }

  /** Copies the entries of one table that cover [start, end); `vaBase` is the table's first address. */
  table(parentTable: number, childTable: number, level: number, vaBase: number, start: number, end: number): void {
    const model = this.model;
    const ram = this.ram;
    const g = this.g;
    const eb = g.entryBytes;
    const span = g.div[level]!;
    const first = start > vaBase ? Math.floor((start - vaBase) / span) : 0;
    const lastIndex = Math.min(g.mask[level]!, Math.floor((end - 1 - vaBase) / span));
    const parentBase = parentTable * g.pageSize;
    const childBase = childTable * g.pageSize;
    if (level === g.last) {
      this.leaves(parentBase, childBase, level, vaBase, span, first, lastIndex);
      return;
    }
    for (let i = first; i <= lastIndex; i++) {
      const view = ram.view; // anew each entry: allocating a table may grow RAM, which swaps its views
      const parentPa = parentBase + i * eb;
      const lo = view.getUint32(parentPa, true);
      const hi = eb === 8 ? view.getUint32(parentPa + 4, true) : 0;
      if ((lo | hi) === 0 || !model.isValid(lo, hi, level)) continue;
      const va = vaBase + i * span;
      if (model.isLeaf(lo, hi, level)) throw new KernelInvariantError([`huge page at 0x${va.toString(16)}: the kernel maps none`]);
      // Several regions may share a table: a later region finds the child's table already made.
      const childPa = childBase + i * eb;
      const clo = view.getUint32(childPa, true);
      const chi = eb === 8 ? view.getUint32(childPa + 4, true) : 0;
      let next: number;
      if ((clo | chi) !== 0 && model.isValid(clo, chi, level)) next = model.pfn(clo, chi, level);
      else {
        next = this.allocTable();
        this.child.tables++;
        // The pointer entry keeps the parent's flags (A included: Linux creates table entries accessed, and a
        // walk would set it anyway); only leaf entries start old.
        const flags = model.flags(lo, hi, level);
        writeEntry(ram, model, childPa, model.encodeLo(next, flags, level, false), model.encodeHi(next, flags, level, false));
      }
      this.table(model.pfn(lo, hi, level), next, level + 1, va, start, end);
    }
  }

  /**
   * The leaf entries [first, lastIndex] of one last-level table (Linux's copy_pte_range): each present entry
   * is re-encoded for both sides and its frame gains a reference; a swap entry is shared. Nothing here
   * allocates a frame, so RAM's view stays the same through the loop.
   */
  private leaves(parentBase: number, childBase: number, level: number, vaBase: number, span: number, first: number, lastIndex: number): void {
    const model = this.model;
    let view = this.ram.view;
    const wide = this.g.entryBytes === 8;
    const eb = this.g.entryBytes;
    const frames = this.frames;
    const cow = this.cow;
    const childClear = this.childClear;
    const copied = this.copied;
    const swap = this.swap;
    let downgraded = false;
    for (let i = first; i <= lastIndex; i++) {
      const parentPa = parentBase + i * eb;
      const lo = view.getUint32(parentPa, true);
      const hi = wide ? view.getUint32(parentPa + 4, true) : 0;
      if ((lo | hi) === 0) continue;
      const childPa = childBase + i * eb;
      if (swap !== null && isSwapEntry(lo, hi)) {
        // A swapped-out page: the child gets the same swap entry, the slot one more reference.
        swap.dup(swapEntrySlot(lo, hi));
        view.setUint32(childPa, lo, true);
        if (wide) view.setUint32(childPa + 4, hi, true);
        continue;
      }
      if (!model.isValid(lo, hi, level)) continue;
      const pfn = model.pfn(lo, hi, level);
      let flags = model.flags(lo, hi, level);
      let parentDowngraded = false;
      if (cow && (flags & PTE_W) !== 0) {
        flags = (flags & ~PTE_W) | PTE_COW;
        // Both words encoded before either is written: a refused encoding leaves the entry as it was.
        const plo = model.encodeLo(pfn, flags, level, true);
        const phi = wide ? model.encodeHi(pfn, flags, level, true) : 0;
        view.setUint32(parentPa, plo, true);
        if (wide) view.setUint32(parentPa + 4, phi, true);
        downgraded = parentDowngraded = true;
      }
      const childFlags = flags & ~childClear;
      const clo = model.encodeLo(pfn, childFlags, level, true);
      const chi = wide ? model.encodeHi(pfn, childFlags, level, true) : 0;
      view.setUint32(childPa, clo, true);
      if (wide) view.setUint32(childPa + 4, chi, true);
      frames.refMapped(pfn);
      if (copied !== null) {
        copied(vaBase + i * span, pfn, (childFlags & PTE_W) !== 0, parentDowngraded);
        view = this.ram.view; // a listener may have done anything, even grown RAM
      }
    }
    if (downgraded) this.downgraded = true;
  }
}
