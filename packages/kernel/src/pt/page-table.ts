// Seed 003's page-table API (`page_table_create`, `_map`, `_unmap`, `_translate`): one page-table tree in
// simulated RAM, owned by no process. Its tables are frames of the kernel's allocator (created on the way by
// `map`, freed by `unmap` when they empty and by `destroy`); its leaves name physical addresses and hold no
// reference to them. Base pages go through the kernel's own AddressSpace; huge pages through hw's mapPage.

import {
  entryPaIn, HwArgumentError, levelSpanShift, mapPage, pageTableFlagsToPte, PT_HUGE, readEntry, unpackPageTableFlags,
  vaRange, visitPageTables, writeEntry,
  type HardwareModel, type PhysicalMemory,
} from '@vmsim/hw';
import {
  AlreadyMappedError, InvalidAddressError, InvalidArgumentError, NotAlignedError, NotMappedError, OutOfMemoryError,
} from '../errors.js';
import type { Kernel } from '../kernel.js';
import type { KernelContext } from '../kernel-context.js';
import { AddressSpace } from '../mm/address-space.js';
import { FRAME_TABLE } from '../mm/frame-allocator.js';

/** A leaf of a page table, as `mappings()` lists it. */
export interface PageTableMapping {
  readonly va: number;
  readonly pa: number;
  /** Bytes the leaf maps: the base page, or a huge page's size. */
  readonly size: number;
  /** Page-table flags (PT_*) as the model decodes the entry. */
  readonly flags: number;
  readonly level: number;
}

/** Told when a leaf goes away, so the holder of a TLB can drop its entries (PageTableManager). */
export interface UnmapListener {
  unmapped(table: PageTable, va: number, size: number): void;
  destroyed(table: PageTable): void;
}

/** The owner text of this module's errors. */
const owner = (t: PageTable): string => `page table ${t.rootPfn}`;

export class PageTable {
  readonly model: HardwareModel;
  /** The root table's frame: what the root register (CR3, satp) is loaded with. */
  readonly rootPfn: number;
  /** @internal The tree as the kernel's other spaces hold theirs (no regions). */
  readonly space: AddressSpace;
  /** @internal Told about unmaps and destruction (at most one: the manager holding this table). */
  listener: UnmapListener | null = null;
  private readonly ctx: KernelContext;
  private readonly ram: PhysicalMemory;
  private readonly pageSize: number;
  /** Valid entries per table frame, so an emptied table is found without scanning it. */
  private readonly live = new Map<number, number>();
  private isDestroyed = false;

  /** Seed 003's `page_table_create()`: a new, empty table tree whose zeroed root comes from `kernel`'s allocator. */
  static create(kernel: Kernel): PageTable {
    return kernel.createPageTable();
  }

  /** @internal Use `PageTable.create(kernel)` or `kernel.createPageTable()`. */
  static createIn(ctx: KernelContext): PageTable {
    ctx.requireFrames('page table create', 1);
    return new PageTable(ctx, ctx.allocFrame(FRAME_TABLE));
  }

  private constructor(ctx: KernelContext, rootPfn: number) {
    this.ctx = ctx;
    this.model = ctx.model;
    this.ram = ctx.ram;
    this.pageSize = ctx.pageSize;
    this.rootPfn = rootPfn;
    this.space = new AddressSpace(ctx.ram, ctx.model, ctx.frames, rootPfn);
    this.live.set(rootPfn, 0);
    ctx.detachedSpaces.add(this.space);
  }

  /** Has `destroy` run? */
  get destroyed(): boolean {
    return this.isDestroyed;
  }

  /** Table frames of the tree, the root included. */
  get tableCount(): number {
    return this.space.tables;
  }

  /** The page sizes a leaf can map on this model, smallest first (huge ones where the model has them). */
  pageSizes(): number[] {
    const out: number[] = [];
    for (let l = this.model.levels - 1; l >= 0; l--) out.push(2 ** levelSpanShift(this.model, l));
    return out;
  }

  /**
   * Seed 003's `page_table_map(table, virt, phys, flags)`: maps the page at `va` to `pa`. `flags` are
   * PageTableFlags (PT_*); with HUGE the page is a huge one, of `pageSize` bytes when given (1 GiB on x86-64
   * and Sv39) or else of the size one entry above the last level maps. Missing tables are taken from the
   * kernel's allocator. Throws (with nothing changed) InvalidAddressError (non-canonical or out of range),
   * NotAlignedError, AlreadyMappedError (a leaf already covers part of the page), OutOfMemoryError (no frame
   * for a table), UnsupportedFlagError (a flag this model cannot express).
   */
  map(va: number, pa: number, flags: number, pageSize?: number): void {
    this.checkLive();
    this.checkVa(va);
    const level = this.levelOf(flags, pageSize);
    const pte = this.pteFlags(flags, level);
    const size = 2 ** levelSpanShift(this.model, level);
    if (typeof pa !== 'number' || !Number.isInteger(pa) || pa < 0) throw new InvalidAddressError(pa, 'expected a non-negative integer physical address');
    if (va % size !== 0) throw new NotAlignedError('virtual address', va, size);
    if (pa % size !== 0) throw new NotAlignedError('physical address', pa, size);
    const pfn = pa / this.pageSize;
    if (pfn > this.model.maxPfn) throw new InvalidAddressError(pa, `beyond the ${this.model.name} physical address space`);
    // Follow the tables that exist down to the leaf's level: a leaf on the way, or anything at the leaf's
    // entry (a leaf, or a table of smaller mappings below a huge page's place), means already mapped.
    const tables = this.chain(va, level);
    const depth = tables.length - 1;
    if (depth === level) {
      const { lo, hi } = readEntry(this.ram, this.model, entryPaIn(this.model, tables[level]!, va, level));
      if (this.model.isValid(lo, hi, level)) throw new AlreadyMappedError(-1, va, owner(this));
    } else if (this.leafAt >= 0) {
      throw new AlreadyMappedError(-1, va, owner(this));
    }
    const missing = level - depth;
    this.ctx.requireFrames('page table map', missing);
    if (level === this.model.levels - 1) {
      this.space.map(va, pfn, pte, this.ctx.allocTable);
    } else {
      mapPage(this.ram, this.model, this.rootPfn, va, pfn, pte, () => {
        this.space.tables++;
        return this.ctx.allocTable();
      }, level);
    }
    // One more valid entry in each table from the deepest existing one down: pointers to the new tables, then the leaf.
    const after = missing === 0 ? tables : this.chain(va, level);
    for (let l = depth; l <= level; l++) {
      const t = after[l]!;
      this.live.set(t, (this.live.get(t) ?? 0) + 1);
    }
    this.ctx.afterOperation();
  }

  /**
   * Seed 003's `page_table_unmap(table, virt)`: removes the leaf that maps `va` (the start of its page, huge
   * or not), frees every table it leaves empty (never the root) and returns the physical address it mapped.
   * Throws NotMappedError when no leaf maps `va`, NotAlignedError when `va` is inside a page but not its start.
   */
  unmap(va: number): number {
    this.checkLive();
    this.checkVa(va);
    if (va % this.pageSize !== 0) throw new NotAlignedError('virtual address', va, this.pageSize);
    const tables = this.chain(va, this.model.levels - 1);
    const level = this.leafAt;
    if (level < 0) throw new NotMappedError(-1, va, owner(this));
    const size = 2 ** levelSpanShift(this.model, level);
    if (va % size !== 0) throw new NotAlignedError('virtual address', va, size);
    const model = this.model;
    const leafPa = entryPaIn(model, tables[level]!, va, level);
    const { lo, hi } = readEntry(this.ram, model, leafPa);
    const pa = model.pfn(lo, hi, level) * this.pageSize;
    writeEntry(this.ram, model, leafPa, 0, 0);
    // Free the tables this leaves empty, from the leaf's table up; the root stays.
    for (let l = level; l >= 0; l--) {
      const t = tables[l]!;
      const n = this.live.get(t)! - 1;
      if (n > 0 || l === 0) {
        this.live.set(t, n);
        break;
      }
      this.live.delete(t);
      writeEntry(this.ram, model, entryPaIn(model, tables[l - 1]!, va, l - 1), 0, 0);
      this.ctx.unrefFrame(t);
      this.space.tables--;
    }
    this.listener?.unmapped(this, va, size);
    this.ctx.afterOperation();
    return pa;
  }

  /**
   * Seed 003's `page_table_translate(table, virt)`: the physical address `va` maps to, or null. Reads the
   * tables only (no TLB, no Accessed bits); it answers what the MMU's walk answers for a present mapping,
   * except that an address beyond RAM is returned where the walk ends in a bus error (device memory).
   */
  translate(va: number): number | null {
    this.checkLive();
    this.checkVa(va);
    const tables = this.chain(va, this.model.levels - 1);
    const level = this.leafAt;
    if (level < 0) return null;
    const { lo, hi } = readEntry(this.ram, this.model, entryPaIn(this.model, tables[level]!, va, level));
    const span = 2 ** levelSpanShift(this.model, level);
    return this.model.pfn(lo, hi, level) * this.pageSize + (va - Math.floor(va / span) * span);
  }

  /** The page-table flags (PT_*) of the leaf mapping `va`, or null when none does. */
  flagsOf(va: number): number | null {
    this.checkLive();
    this.checkVa(va);
    const tables = this.chain(va, this.model.levels - 1);
    const level = this.leafAt;
    if (level < 0) return null;
    const { lo, hi } = readEntry(this.ram, this.model, entryPaIn(this.model, tables[level]!, va, level));
    return unpackPageTableFlags(this.model, lo, hi, level);
  }

  /** Every leaf, in address order. */
  mappings(): PageTableMapping[] {
    this.checkLive();
    const out: PageTableMapping[] = [];
    const model = this.model;
    const ram = this.ram;
    const pageSize = this.pageSize;
    visitPageTables(ram, model, this.rootPfn, {
      leaf(va, entryPa, pfn, _flags, level) {
        const { lo, hi } = readEntry(ram, model, entryPa);
        out.push({ va, pa: pfn * pageSize, size: 2 ** levelSpanShift(model, level), flags: unpackPageTableFlags(model, lo, hi, level), level });
      },
    });
    return out;
  }

  /** Frees every table of the tree, the root last. The leaves' physical pages are not the table's to free. */
  destroy(): void {
    this.checkLive();
    const frames: number[] = [];
    this.space.forEachTable((pfn) => frames.push(pfn));
    for (const pfn of frames) this.ctx.unrefFrame(pfn);
    this.live.clear();
    this.space.tables = 0;
    this.isDestroyed = true;
    this.ctx.detachedSpaces.delete(this.space);
    this.listener?.destroyed(this);
    this.listener = null;
    this.ctx.afterOperation();
  }

  /** Level of the leaf found by the last `chain`, or -1 when it met none. */
  private leafAt = -1;

  /**
   * The table frames on the way to `va`, root first, down to level `upto` or to the first missing table or
   * leaf; `leafAt` is set to the level of a valid leaf met at or above `upto` (else -1).
   */
  private chain(va: number, upto: number): number[] {
    const model = this.model;
    const tables = [this.rootPfn];
    this.leafAt = -1;
    for (let l = 0; l <= upto; l++) {
      const { lo, hi } = readEntry(this.ram, model, entryPaIn(model, tables[l]!, va, l));
      if (!model.isValid(lo, hi, l)) break;
      if (model.isLeaf(lo, hi, l)) {
        this.leafAt = l;
        break;
      }
      if (l < upto) tables.push(model.pfn(lo, hi, l));
    }
    return tables;
  }

  /** The level a leaf of these flags and size sits at. */
  private levelOf(flags: number, pageSize: number | undefined): number {
    const last = this.model.levels - 1;
    if (pageSize === undefined) return (flags & PT_HUGE) !== 0 ? Math.max(0, last - 1) : last;
    for (let l = last; l >= 0; l--) if (2 ** levelSpanShift(this.model, l) === pageSize) return l;
    throw new InvalidArgumentError('page size', pageSize, `${this.model.name} pages are ${this.pageSizes().join(', ')} bytes`);
  }

  /** PTE flags for a leaf at `level`; hw's argument errors become the kernel's. */
  private pteFlags(flags: number, level: number): number {
    try {
      return pageTableFlagsToPte(this.model, flags, level);
    } catch (error) {
      if (HwArgumentError.isInstance(error)) throw new InvalidArgumentError('flags', flags, error.reason);
      throw error;
    }
  }

  private checkVa(va: number): void {
    const { min, end } = vaRange(this.model);
    if (typeof va !== 'number' || !Number.isInteger(va) || va < min || va >= end) {
      throw new InvalidAddressError(va, `expected an integer from ${min < 0 ? `-0x${(-min).toString(16)}` : '0'} to 0x${(end - 1).toString(16)} (${this.model.name})`);
    }
  }

  private checkLive(): void {
    if (this.isDestroyed) throw new InvalidArgumentError('page table', this.rootPfn, 'it has been destroyed');
  }
}
