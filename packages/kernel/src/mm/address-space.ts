// One process's address space: its regions (vmas) and its page tables, which live in RAM frames and are
// read and written exactly as the hardware model packs them. The kernel owns policy; this owns the tables.

import {
  findEntry, mapPage, missingTables, readEntry, visitPageTables, writeEntry,
  type HardwareModel, type PageTableVisitor, type PhysicalMemory,
} from '@vmsim/hw';
import { KernelInvariantError } from '../errors.js';
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
  readonly model: HardwareModel;
  readonly ram: PhysicalMemory;
  /** ASID given by the kernel, -1 while it has none. */
  asid = -1;
  /** Frames holding this space's page tables, the root included. */
  tables = 1;
  private readonly frames: FrameAllocator;

  constructor(ram: PhysicalMemory, model: HardwareModel, frames: FrameAllocator, readonly rootPfn: number, vmas = new VmaList()) {
    this.ram = ram;
    this.model = model;
    this.frames = frames;
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
    visitPageTables(this.ram, this.model, this.rootPfn, { leaf: fn });
  }

  /** Calls `fn` for every page-table frame, children before their parent, the root last. */
  forEachTable(fn: (pfn: number, level: number) => void): void {
    visitPageTables(this.ram, this.model, this.rootPfn, { tableDone: fn });
  }

  /** Walks the table tree with hw's visitor (see page-table-visitor.ts in @vmsim/hw). */
  visit(visitor: PageTableVisitor): void {
    visitPageTables(this.ram, this.model, this.rootPfn, visitor);
  }
}
