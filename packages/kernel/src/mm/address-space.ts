// One process's address space: its regions (vmas) and its page tables, which live in RAM frames and are
// read and written exactly as the hardware model packs them. The kernel owns policy; this owns the tables.
// The table walks here (find, tablesNeeded, map) read RAM's DataView with per-level shifts computed once
// per model, and allocate nothing: the fault path and probes run them on every fault.

import {
  levelSpanShift, mapPage, missingTables, POINTER_FLAGS, visitPageTables, writeEntry,
  type HardwareModel, type PageTableVisitor, type PhysicalMemory,
} from '@vmsim/hw';
import { KernelInvariantError } from '../errors.js';
import { FRAME_TABLE, type FrameAllocator } from './frame-allocator.js';
import { HEAP_START } from './layout.js';
import { VmaList, type Vma } from './vma.js';

/** What `descend` answers when a huge page stands on the way (below every -(level + 1)). */
const HUGE_ON_THE_WAY = -1000;

/** A leaf entry as the kernel sees it. */
export interface Leaf {
  readonly entryPa: number;
  readonly valid: boolean;
  readonly pfn: number;
  readonly flags: number;
}

/**
 * Per-model walking constants, shared by every space of a model: for each level the index's bit position
 * (`shift`), 2^shift (`div`, for addresses at or above 2^32 or shifts of 32 and more) and the index mask.
 */
export class TableGeometry {
  readonly levels: number;
  readonly last: number;
  readonly pageShift: number;
  readonly pageSize: number;
  readonly entryBytes: number;
  readonly shift: Int32Array;
  readonly div: Float64Array;
  readonly mask: Int32Array;

  constructor(model: HardwareModel) {
    this.levels = model.levels;
    this.last = model.levels - 1;
    this.pageShift = model.pageShift;
    this.pageSize = 1 << model.pageShift;
    this.entryBytes = model.entryBytes;
    this.shift = new Int32Array(model.levels);
    this.div = new Float64Array(model.levels);
    this.mask = new Int32Array(model.levels);
    for (let l = 0; l < model.levels; l++) {
      const shift = levelSpanShift(model, l);
      this.shift[l] = shift;
      this.div[l] = 2 ** shift;
      this.mask[l] = (2 ** model.indexBits[l]! - 1) | 0;
    }
  }

  /** Byte offset of `va`'s entry inside the table of `level`. */
  offset(va: number, level: number): number {
    const shift = this.shift[level]!;
    const index = va >>> 0 === va && shift < 32 ? (va >>> shift) & this.mask[level]! : Math.floor(va / this.div[level]!) & this.mask[level]!;
    return index * this.entryBytes;
  }
}

const geometries = new WeakMap<HardwareModel, TableGeometry>();

/** The walking constants of `model`, computed once per model object. */
export function tableGeometry(model: HardwareModel): TableGeometry {
  let g = geometries.get(model);
  if (g === undefined) {
    g = new TableGeometry(model);
    geometries.set(model, g);
  }
  return g;
}

export class AddressSpace {
  readonly vmas: VmaList;
  readonly model: HardwareModel;
  readonly ram: PhysicalMemory;
  readonly geometry: TableGeometry;
  /** ASID given by the kernel, -1 while it has none. */
  asid = -1;
  /** Frames holding this space's page tables, the root included. */
  tables = 1;
  /** Where the heap starts (page aligned) and the program break, which keeps its byte value (Linux's mm->brk). */
  startBrk = HEAP_START;
  brk = HEAP_START;
  /**
   * The result of the last `find`: the leaf entry's physical address (-1 when a table on the way is
   * missing), whether it is valid, its frame (0 when invalid) and its flags. Fields, so a lookup allocates
   * nothing; read them right after the call.
   */
  foundPa = -1;
  foundValid = false;
  foundPfn = 0;
  foundFlags = 0;
  /** The region `findVma` found last, good while the list's change counter is still `lastVmaSeq` (Linux's vmacache). */
  private lastVma: Vma | undefined = undefined;
  private lastVmaSeq = -1;
  private readonly frames: FrameAllocator;

  constructor(ram: PhysicalMemory, model: HardwareModel, frames: FrameAllocator, readonly rootPfn: number, vmas = new VmaList(2 ** model.pageShift)) {
    this.ram = ram;
    this.model = model;
    this.frames = frames;
    this.vmas = vmas;
    this.geometry = tableGeometry(model);
  }

  /**
   * The region holding `va`, as `vmas.find(va)` answers; the last answer is kept and given again while the
   * list is unchanged (every insert and remove moves VmaList.seq on), so faults on one region skip the search.
   */
  findVma(va: number): Vma | undefined {
    const last = this.lastVma;
    const seq = this.vmas.seq;
    if (last !== undefined && this.lastVmaSeq === seq && va >= last.start && va < last.end) return last;
    const vma = this.vmas.find(va);
    if (vma !== undefined) {
      this.lastVma = vma;
      this.lastVmaSeq = seq;
    }
    return vma;
  }

  /**
   * Walks the upper levels toward `va`: the physical address of the last-level table that holds its entry, or
   * -(l + 1) when the entry at level `l` is not valid, or HUGE_ON_THE_WAY when a huge page stands there.
   */
  private descend(va: number): number {
    const g = this.geometry;
    const model = this.model;
    const view = this.ram.view;
    const eb = g.entryBytes;
    let table = this.rootPfn * g.pageSize;
    for (let l = 0; l < g.last; l++) {
      const pa = table + g.offset(va, l);
      const lo = view.getUint32(pa, true);
      const hi = eb === 8 ? view.getUint32(pa + 4, true) : 0;
      if (!model.isValid(lo, hi, l)) return -(l + 1);
      if (model.isLeaf(lo, hi, l)) return HUGE_ON_THE_WAY;
      table = model.pfn(lo, hi, l) * g.pageSize;
    }
    return table;
  }

  /** Physical address of the last-level entry for `va`, or -1 when a table on the way is missing. */
  entryPa(va: number): number {
    const table = this.descend(va);
    return table < 0 ? -1 : table + this.geometry.offset(va, this.geometry.last);
  }

  /** Page tables that mapping `va` would have to create. */
  tablesNeeded(va: number): number {
    const table = this.descend(va);
    if (table >= 0) return 0;
    // A huge page on the way: hw's missingTables says so with its error.
    if (table === HUGE_ON_THE_WAY) return missingTables(this.ram, this.model, this.rootPfn, va);
    return this.geometry.last - (-table - 1);
  }

  /** Looks up the last-level entry for `va` into the `found*` fields; returns `foundValid`. */
  find(va: number): boolean {
    const entryPa = this.entryPa(va);
    this.foundPa = entryPa;
    if (entryPa < 0) {
      this.foundValid = false;
      this.foundPfn = 0;
      this.foundFlags = 0;
      return false;
    }
    const model = this.model;
    const view = this.ram.view;
    const last = this.geometry.last;
    const lo = view.getUint32(entryPa, true);
    const hi = this.geometry.entryBytes === 8 ? view.getUint32(entryPa + 4, true) : 0;
    const valid = model.isValid(lo, hi, last);
    this.foundValid = valid;
    this.foundPfn = valid ? model.pfn(lo, hi, last) : 0;
    this.foundFlags = model.flags(lo, hi, last);
    return valid;
  }

  /** The last-level entry for `va`; invalid when it or a table on the way is missing. */
  leaf(va: number): Leaf {
    this.find(va);
    return { entryPa: this.foundPa, valid: this.foundValid, pfn: this.foundPfn, flags: this.foundFlags };
  }

  leafAt(entryPa: number): Leaf {
    const model = this.model;
    const view = this.ram.view;
    const last = this.geometry.last;
    const lo = view.getUint32(entryPa, true);
    const hi = this.geometry.entryBytes === 8 ? view.getUint32(entryPa + 4, true) : 0;
    const valid = model.isValid(lo, hi, last);
    return { entryPa, valid, pfn: valid ? model.pfn(lo, hi, last) : 0, flags: model.flags(lo, hi, last) };
  }

  /**
   * Maps `va` to `pfn`. The caller has checked that `tablesNeeded(va)` frames are free. New tables come from
   * `allocTable` (default: straight from the frame allocator), so the kernel can report them. Returns the
   * leaf entry's physical address.
   */
  map(va: number, pfn: number, flags: number, allocTable?: () => number): number {
    const model = this.model;
    const g = this.geometry;
    const last = g.last;
    // Encode the leaf first: bad arguments then throw before any table is allocated or linked in.
    const leafLo = model.encodeLo(pfn, flags, last, true);
    const leafHi = model.encodeHi(pfn, flags, last, true);
    let view = this.ram.view;
    const eb = g.entryBytes;
    let table = this.rootPfn * g.pageSize;
    for (let l = 0; l < last; l++) {
      const pa = table + g.offset(va, l);
      const lo = view.getUint32(pa, true);
      const hi = eb === 8 ? view.getUint32(pa + 4, true) : 0;
      if (model.isValid(lo, hi, l)) {
        // A huge page on the way: hw's mapPage refuses it with its error.
        if (model.isLeaf(lo, hi, l)) return mapPage(this.ram, model, this.rootPfn, va, pfn, flags, () => -1);
        table = model.pfn(lo, hi, l) * g.pageSize;
        continue;
      }
      const next = allocTable === undefined ? this.frames.alloc(FRAME_TABLE) : allocTable();
      if (next < 0) throw new KernelInvariantError(['no frame for a page table after the free-frame check']);
      this.tables++;
      view = this.ram.view; // allocating a frame may have grown RAM, which swaps its views
      writeEntry(this.ram, model, pa, model.encodeLo(next, POINTER_FLAGS, l, false), model.encodeHi(next, POINTER_FLAGS, l, false));
      table = next * g.pageSize;
    }
    const leafPa = table + g.offset(va, last);
    view.setUint32(leafPa, leafLo, true);
    if (eb === 8) view.setUint32(leafPa + 4, leafHi, true);
    return leafPa;
  }

  /** Rewrites a leaf entry in place. */
  setLeaf(entryPa: number, pfn: number, flags: number): void {
    const model = this.model;
    const last = this.geometry.last;
    const lo = model.encodeLo(pfn, flags, last, true);
    const hi = model.encodeHi(pfn, flags, last, true);
    const view = this.ram.view;
    view.setUint32(entryPa, lo, true);
    if (this.geometry.entryBytes === 8) view.setUint32(entryPa + 4, hi, true);
  }

  clearLeaf(entryPa: number): void {
    writeEntry(this.ram, this.model, entryPa, 0, 0);
  }

  /**
   * Calls `fn` for every valid last-level entry of [start, end), in address order, with its frame and flags;
   * missing tables are skipped whole, so the cost follows the tables present, not the length of the range.
   */
  forEachLeafIn(start: number, end: number, fn: (va: number, entryPa: number, pfn: number, flags: number) => void): void {
    this.leavesIn(this.rootPfn, 0, 0, start, end, fn);
  }

  private leavesIn(
    pfn: number, level: number, vaBase: number, start: number, end: number,
    fn: (va: number, entryPa: number, pfn: number, flags: number) => void,
  ): void {
    const { model, geometry: g } = this;
    const eb = g.entryBytes;
    const span = g.div[level]!;
    const base = pfn * g.pageSize;
    const first = Math.floor((Math.max(start, vaBase) - vaBase) / span);
    const last = Math.min(g.mask[level]!, Math.floor((end - 1 - vaBase) / span));
    for (let i = first; i <= last; i++) {
      const pa = base + i * eb;
      const view = this.ram.view;
      const lo = view.getUint32(pa, true);
      const hi = eb === 8 ? view.getUint32(pa + 4, true) : 0;
      if ((lo | hi) === 0 || !model.isValid(lo, hi, level)) continue;
      const va = vaBase + i * span;
      if (level === g.last) fn(va, pa, model.pfn(lo, hi, level), model.flags(lo, hi, level));
      else if (!model.isLeaf(lo, hi, level)) this.leavesIn(model.pfn(lo, hi, level), level + 1, va, Math.max(start, va), Math.min(end, va + span), fn);
    }
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
