// One process's address space: its regions (vmas) and its page tables, which live in RAM frames and are
// read and written exactly as the hardware model packs them. The kernel owns policy; this owns the tables.

import {
  findEntry, levelSpanShift, mapPage, missingTables, readEntry, writeEntry,
  type HardwareModel, type PhysicalMemory,
} from '@vmsim/hw';
import { KernelInvariantError } from './errors.js';
import { FRAME_TABLE, type FrameAllocator } from './frame-allocator.js';
import { VmaList } from './vma.js';

/** A leaf entry as the kernel sees it. */
export interface Leaf {
  readonly entryPa: number;
  readonly valid: boolean;
  readonly pfn: number;
  readonly flags: number;
}

export class AddressSpace {
  readonly vmas: VmaList;
  /** ASID given by the kernel, -1 while it has none. */
  asid = -1;
  /** Frames holding this space's page tables, the root included. */
  tables = 1;
  private readonly ram: PhysicalMemory;
  private readonly model: HardwareModel;
  private readonly frames: FrameAllocator;
  private readonly pageSize: number;
  /** Where the upper (negative) half of a sign-extended space starts in root-index order; Infinity if none. */
  private readonly upperHalf: number;

  constructor(ram: PhysicalMemory, model: HardwareModel, frames: FrameAllocator, readonly rootPfn: number, vmas = new VmaList()) {
    this.ram = ram;
    this.model = model;
    this.frames = frames;
    this.pageSize = 2 ** model.pageShift;
    this.upperHalf = model.signExtendedVa === true ? 2 ** (model.vaBits - 1) : Infinity;
    this.vmas = vmas;
  }

  /** Physical address of the last-level entry for `va`, or -1 when a table on the way is missing. */
  entryPa(va: number): number {
    return findEntry(this.ram, this.model, this.rootPfn, va);
  }

  /** Page tables that mapping `va` would have to create. */
  tablesNeeded(va: number): number {
    return missingTables(this.ram, this.model, this.rootPfn, va);
  }

  /** The last-level entry for `va`; invalid when it or a table on the way is missing. */
  leaf(va: number): Leaf {
    const entryPa = this.entryPa(va);
    if (entryPa < 0) return { entryPa, valid: false, pfn: 0, flags: 0 };
    return this.leafAt(entryPa);
  }

  leafAt(entryPa: number): Leaf {
    const level = this.model.levels - 1;
    const { lo, hi } = readEntry(this.ram, this.model, entryPa);
    const valid = this.model.isValid(lo, hi, level);
    return { entryPa, valid, pfn: valid ? this.model.pfn(lo, hi, level) : 0, flags: this.model.flags(lo, hi, level) };
  }

  /**
   * Maps `va` to `pfn`. The caller has checked that `tablesNeeded(va)` frames are free. New tables come from
   * `allocTable` (default: straight from the frame allocator), so the kernel can report them.
   */
  map(va: number, pfn: number, flags: number, allocTable: () => number = () => this.frames.alloc(FRAME_TABLE)): number {
    return mapPage(this.ram, this.model, this.rootPfn, va, pfn, flags, () => {
      const table = allocTable();
      if (table < 0) throw new KernelInvariantError(['no frame for a page table after the free-frame check']);
      this.tables++;
      return table;
    });
  }

  /** Rewrites a leaf entry in place. */
  setLeaf(entryPa: number, pfn: number, flags: number): void {
    const level = this.model.levels - 1;
    writeEntry(this.ram, this.model, entryPa, this.model.encodeLo(pfn, flags, level, true), this.model.encodeHi(pfn, flags, level, true));
  }

  clearLeaf(entryPa: number): void {
    writeEntry(this.ram, this.model, entryPa, 0, 0);
  }

  /** Calls `fn` for every valid last-level entry, in address order, with its frame and flags. */
  forEachLeaf(fn: (va: number, entryPa: number, pfn: number, flags: number) => void): void {
    this.visit(this.rootPfn, 0, 0, fn, null);
  }

  /** Calls `fn` for every page-table frame, children before their parent, the root last. */
  forEachTable(fn: (pfn: number, level: number) => void): void {
    this.visit(this.rootPfn, 0, 0, null, fn);
    fn(this.rootPfn, 0);
  }

  /**
   * Gives `child` a copy of this space's table tree (new frames from `allocTable`, checked by the caller)
   * and calls `copyLeaf` for each valid leaf with the parent's and the child's entry addresses.
   */
  cloneTablesInto(
    child: AddressSpace,
    allocTable: () => number,
    copyLeaf: (va: number, parentPa: number, childPa: number, pfn: number, flags: number) => void,
  ): void {
    this.cloneTable(child, this.rootPfn, child.rootPfn, 0, 0, allocTable, copyLeaf);
  }

  private cloneTable(
    child: AddressSpace,
    parentTable: number,
    childTable: number,
    level: number,
    vaBase: number,
    allocTable: () => number,
    copyLeaf: (va: number, parentPa: number, childPa: number, pfn: number, flags: number) => void,
  ): void {
    const model = this.model;
    const view = this.ram.view;
    const eb = model.entryBytes;
    const entries = 1 << model.indexBits[level]!;
    const span = 2 ** levelSpanShift(model, level);
    const last = level === model.levels - 1;
    const parentBase = parentTable * this.pageSize;
    const childBase = childTable * this.pageSize;
    for (let i = 0; i < entries; i++) {
      const parentPa = parentBase + i * eb;
      const lo = view.getUint32(parentPa, true);
      const hi = eb === 8 ? view.getUint32(parentPa + 4, true) : 0;
      if ((lo | hi) === 0 || !model.isValid(lo, hi, level)) continue;
      const va = level === 0 && vaBase + i * span >= this.upperHalf ? vaBase + i * span - 2 * this.upperHalf : vaBase + i * span;
      const childPa = childBase + i * eb;
      const pfn = model.pfn(lo, hi, level);
      const flags = model.flags(lo, hi, level);
      if (last) {
        copyLeaf(va, parentPa, childPa, pfn, flags);
        continue;
      }
      const next = allocTable();
      child.tables++;
      writeEntry(this.ram, model, childPa, model.encodeLo(next, flags, level, false), model.encodeHi(next, flags, level, false));
      this.cloneTable(child, pfn, next, level + 1, va, allocTable, copyLeaf);
    }
  }

  /* Table frames were allocated by the kernel, so they lie in RAM: the scans read the DataView directly. */
  private visit(
    table: number,
    level: number,
    vaBase: number,
    onLeaf: ((va: number, entryPa: number, pfn: number, flags: number) => void) | null,
    onTable: ((pfn: number, level: number) => void) | null,
  ): void {
    const model = this.model;
    const view = this.ram.view;
    const eb = model.entryBytes;
    const entries = 1 << model.indexBits[level]!;
    const span = 2 ** levelSpanShift(model, level);
    const last = level === model.levels - 1;
    const base = table * this.pageSize;
    for (let i = 0; i < entries; i++) {
      const entryPa = base + i * eb;
      const lo = view.getUint32(entryPa, true);
      const hi = eb === 8 ? view.getUint32(entryPa + 4, true) : 0;
      if ((lo | hi) === 0 || !model.isValid(lo, hi, level)) continue;
      const va = level === 0 && vaBase + i * span >= this.upperHalf ? vaBase + i * span - 2 * this.upperHalf : vaBase + i * span;
      if (last) {
        if (onLeaf !== null) onLeaf(va, entryPa, model.pfn(lo, hi, level), model.flags(lo, hi, level));
        continue;
      }
      const next = model.pfn(lo, hi, level);
      this.visit(next, level + 1, va, onLeaf, onTable);
      if (onTable !== null) onTable(next, level + 1);
    }
  }
}
