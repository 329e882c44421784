// Seed 004's `VirtualMemoryManager`: an ASID and a list of memory maps. Unlike the seed's list, the maps are
// real: each is a device/linear region (VM_PFNMAP) of the address space the ASID names, its pages entered
// in that space's tables when it is added and removed (TLB flushed) with it, so translating by the list and
// by the tables agree. RAM frames a map names are reserved from the allocator while it exists; physical
// pages beyond RAM are device memory, whose accesses fault as a bus error (SIGBUS).

import { findEntry, levelSpanShift, writeEntry } from '@vmsim/hw';
import { AlreadyMappedError, InvalidAddressError, InvalidArgumentError } from '../errors.js';
import type { Kernel } from '../kernel.js';
import type { KernelContext } from '../kernel-context.js';
import type { AddressSpace } from '../mm/address-space.js';
import { FRAME_KIND_NAMES } from '../mm/frame-allocator.js';
import { flushTlbPage, flushTlbSpace } from '../mm/tlb-flush.js';
import { MAP_PRIVATE, MAP_SHARED, VM_PFNMAP } from '../mm/vma.js';
import type { Process } from '../proc/process.js';
import {
  areaContains, areaSize, checkMemoryMap, FrameInUseError, MemoryMapAlignmentError, MemoryMapOverlapError,
  MemoryMapSizeMismatchError, type VirtualMemoryMap,
} from './memory-map.js';

/** Above this many pages a removal flushes the space's whole TLB share instead of page by page. */
const FLUSH_SPACE_PAGES = 32;

export class VirtualMemoryManager {
  private readonly ctx: KernelContext;
  private readonly maps: VirtualMemoryMap[] = [];
  private asid = 0;
  /** The process whose address space holds the maps' regions; null while the ASID names none. */
  private bound: Process | null;

  /** Seed 004's `VirtualMemoryManager::new()`: ASID 0, no memory maps. */
  static new(kernel: Kernel): VirtualMemoryManager {
    return kernel.virtualMemoryManager();
  }

  /** @internal Use `VirtualMemoryManager.new(kernel)` or `kernel.virtualMemoryManager()`. */
  static createIn(ctx: KernelContext): VirtualMemoryManager {
    return new VirtualMemoryManager(ctx);
  }

  private constructor(ctx: KernelContext) {
    this.ctx = ctx;
    this.bound = this.resolve(0);
  }

  /**
   * Binds the manager to the address space ASID `asid` names: on a model with ASIDs (PCIDs, RISC-V) the live
   * process whose space holds that ASID; on one without (x86 without PCID) the ASID is the manager's own tag
   * and names the running process's space. Maps move along: unmapped from the old space, mapped into the new
   * (checked first: nothing changes if the new space cannot take them). No space for it: the maps are kept
   * as a list (their frames still reserved) until one is bound.
   */
  setAsid(asid: number): void {
    const bits = this.ctx.model.asidBits;
    const max = 2 ** (bits > 0 ? bits : 16) - 1;
    if (typeof asid !== 'number' || !Number.isInteger(asid) || asid < 0 || asid > max) {
      throw new InvalidArgumentError('asid', asid, `expected an integer from 0 to ${max}${bits > 0 ? ` (${this.ctx.model.name} ASIDs are ${bits} bits)` : ' (a tag: this model has no ASIDs)'}`);
    }
    const target = this.resolve(asid);
    const from = this.live();
    if (target !== from) {
      if (target !== null) this.checkFits(target.space!, this.maps);
      if (from !== null) for (const map of this.maps) this.unmapFrom(from.space!, map);
      if (target !== null) for (const map of this.maps) this.mapInto(target.space!, map);
    }
    this.asid = asid;
    this.bound = target;
    this.ctx.afterOperation();
  }

  getAsid(): number {
    return this.asid;
  }

  /** The pid of the process whose space holds the maps, or null. */
  get pid(): number | null {
    return this.live()?.pid ?? null;
  }

  /** The memory maps, in the order they were added. */
  getMemmap(): readonly VirtualMemoryMap[] {
    return this.maps.slice();
  }

  /**
   * Adds a memory map and enters its pages. Refused, with nothing changed: an unaligned start or size
   * (MemoryMapAlignmentError, the seed's "Address or size is not aligned to PAGE_SIZE"), virtual and physical
   * sizes that differ (MemoryMapSizeMismatchError), a virtual area overlapping another map
   * (MemoryMapOverlapError) or another region of the space (AlreadyMappedError), an address outside the user
   * space or the physical address space (InvalidAddressError), a RAM frame in use (FrameInUseError), no frame
   * for a page table (OutOfMemoryError).
   */
  addMemoryMap(map: VirtualMemoryMap): void {
    const m = this.checkNew(checkMemoryMap(map), this.maps);
    const p = this.live();
    if (p !== null) this.checkFits(p.space!, [m]);
    this.reserve(m);
    this.maps.push(m);
    if (p !== null) this.mapInto(p.space!, m);
    this.ctx.afterOperation();
  }

  /** The map at `idx`, or null. */
  getMemoryMap(idx: number): VirtualMemoryMap | null {
    this.checkIndex(idx);
    return this.maps[idx] ?? null;
  }

  /** Removes the map at `idx` (its pages unmapped, the TLB flushed, its RAM frames given back); null if none. */
  removeMemoryMap(idx: number): VirtualMemoryMap | null {
    this.checkIndex(idx);
    const m = this.maps[idx];
    if (m === undefined) return null;
    this.drop(m);
    this.maps.splice(idx, 1);
    this.ctx.afterOperation();
    return m;
  }

  /** Removes every map, returning them in order. */
  removeAllMemoryMaps(): VirtualMemoryMap[] {
    const removed = this.maps.splice(0, this.maps.length);
    for (const m of removed) this.drop(m);
    this.ctx.afterOperation();
    return removed;
  }

  /** Adds `maps` in order: all of them, or (on the first refusal, which is thrown) none. */
  restoreMemoryMaps(maps: readonly VirtualMemoryMap[]): void {
    if (!Array.isArray(maps)) throw new InvalidArgumentError('memory maps', maps, 'expected an array');
    const checked: VirtualMemoryMap[] = [];
    for (const map of maps) checked.push(this.checkNew(checkMemoryMap(map), [...this.maps, ...checked]));
    const p = this.live();
    if (p !== null) this.checkFits(p.space!, checked);
    for (const m of checked) {
      this.reserve(m);
      this.maps.push(m);
      if (p !== null) this.mapInto(p.space!, m);
    }
    this.ctx.afterOperation();
  }

  /** The map whose virtual area contains `vaddr` (start ≤ vaddr ≤ end), or null. */
  searchMemoryMap(vaddr: number): VirtualMemoryMap | null {
    const i = this.searchMemoryMapIdx(vaddr);
    return i === null ? null : this.maps[i]!;
  }

  /** The index of the map whose virtual area contains `vaddr`, or null. Maps never overlap: at most one does. */
  searchMemoryMapIdx(vaddr: number): number | null {
    if (typeof vaddr !== 'number' || !Number.isSafeInteger(vaddr)) throw new InvalidAddressError(vaddr, 'expected an integer');
    const i = this.maps.findIndex((m) => areaContains(m.vmarea, vaddr));
    return i < 0 ? null : i;
  }

  /** The root page-table frame of the address space the ASID names, or null when none has it. */
  getRootPageTable(): number | null {
    const p = this.ctx.model.asidBits > 0 ? this.resolve(this.asid) : this.live();
    return p === null ? null : p.space!.rootPfn;
  }

  /** Translates `vaddr` by the list, as the seed does: the map's physical start plus the offset, or null. */
  translateVaddr(vaddr: number): number | null {
    const m = this.searchMemoryMap(vaddr);
    return m === null ? null : m.pmarea.start + (vaddr - m.vmarea.start);
  }

  // ------------------------------------------------------------------------------------------ internals

  /** The bound process if it still lives. */
  private live(): Process | null {
    const p = this.bound;
    return p !== null && p.space !== null && p.state !== 'terminated' ? p : null;
  }

  /** The live process an ASID names now (see setAsid). */
  private resolve(asid: number): Process | null {
    const { procs, model } = this.ctx;
    if (model.asidBits === 0) {
      const cur = procs.current;
      return cur !== null && cur.space !== null ? cur : null;
    }
    for (const p of procs.all()) if (p.space !== null && p.space.asid === asid) return p;
    return null;
  }

  private checkIndex(idx: number): void {
    if (typeof idx !== 'number' || !Number.isInteger(idx) || idx < 0) throw new InvalidArgumentError('index', idx, 'expected a non-negative integer');
  }

  /** The checks that need no address space: alignment, sizes, ranges, overlap with `others`, free RAM frames. */
  private checkNew(m: VirtualMemoryMap, others: readonly VirtualMemoryMap[]): VirtualMemoryMap {
    const { pageSize, frames, model } = this.ctx;
    const vsize = areaSize(m.vmarea);
    const psize = areaSize(m.pmarea);
    if (m.vmarea.start % pageSize !== 0 || m.pmarea.start % pageSize !== 0 || vsize % pageSize !== 0 || psize % pageSize !== 0) {
      throw new MemoryMapAlignmentError(m, pageSize);
    }
    if (vsize !== psize) throw new MemoryMapSizeMismatchError(m);
    this.ctx.checkVa(m.vmarea.start);
    this.ctx.checkVa(m.vmarea.end);
    if ((m.pmarea.end + 1) / pageSize - 1 > model.maxPfn) {
      throw new InvalidAddressError(m.pmarea.end, `beyond the ${model.name} physical address space`);
    }
    const i = others.findIndex((o) => o.vmarea.start <= m.vmarea.end && m.vmarea.start <= o.vmarea.end);
    if (i >= 0) throw new MemoryMapOverlapError(m, i, others[i]!);
    const first = m.pmarea.start / pageSize;
    const end = Math.min(frames.total, (m.pmarea.end + 1) / pageSize);
    for (let pfn = first; pfn < end; pfn++) {
      if (!frames.isFree(pfn)) throw new FrameInUseError(m, pfn, `${FRAME_KIND_NAMES[frames.kindOf(pfn)]} frame`);
    }
    // Two maps of one call naming the same RAM frame.
    for (const o of others) {
      if (o.pmarea.start <= m.pmarea.end && m.pmarea.start <= o.pmarea.end) {
        const pfn = Math.max(o.pmarea.start, m.pmarea.start) / pageSize;
        if (pfn < frames.total) throw new FrameInUseError(m, pfn, 'reserved frame');
      }
    }
    return m;
  }

  /** Can `space` take `maps`: no region in their way, frames for the tables they need? */
  private checkFits(space: AddressSpace, maps: readonly VirtualMemoryMap[]): void {
    let tables = 0;
    for (const m of maps) {
      const end = m.vmarea.end + 1;
      if (space.vmas.overlaps(m.vmarea.start, end)) {
        let va = m.vmarea.start;
        while (space.vmas.find(va) === undefined) va += this.ctx.pageSize;
        throw new AlreadyMappedError(this.bound?.pid ?? -1, va);
      }
      if (m.permissions !== 0) tables += this.missingTables(space, m.vmarea.start, end);
    }
    this.ctx.requireFrames('add memory map', tables);
  }

  /** Page tables missing under [start, end) of `space`: one per absent table at each level below the root. */
  private missingTables(space: AddressSpace, start: number, end: number): number {
    const { ram, model } = this.ctx;
    let missing = 0;
    for (let level = 1; level < model.levels; level++) {
      const span = 2 ** levelSpanShift(model, level - 1);
      for (let va = Math.floor(start / span) * span; va < end; va += span) {
        if (findEntry(ram, model, space.rootPfn, va, level) < 0) missing++;
      }
    }
    return missing;
  }

  private reserve(m: VirtualMemoryMap): void {
    const { frames, pageSize } = this.ctx;
    const end = Math.min(frames.total, (m.pmarea.end + 1) / pageSize);
    for (let pfn = m.pmarea.start / pageSize; pfn < end; pfn++) frames.reserve(pfn);
  }

  /** The region, then every page entered (PROT_NONE: the region alone, every access faults). */
  private mapInto(space: AddressSpace, m: VirtualMemoryMap): void {
    const ctx = this.ctx;
    const start = m.vmarea.start;
    const end = m.vmarea.end + 1;
    space.vmas.insert({ start, end, prot: m.permissions, flags: (m.isShared ? MAP_SHARED : MAP_PRIVATE) | VM_PFNMAP });
    if (m.permissions === 0) return;
    const flags = ctx.leafFlags(m.permissions, true);
    const pfn0 = m.pmarea.start / ctx.pageSize;
    for (let va = start, i = 0; va < end; va += ctx.pageSize, i++) space.map(va, pfn0 + i, flags, ctx.allocTable);
  }

  /** Unmaps the pages, flushes them from the TLB, drops the region and frees the tables left empty. */
  private unmapFrom(space: AddressSpace, m: VirtualMemoryMap): void {
    const ctx = this.ctx;
    const start = m.vmarea.start;
    const end = m.vmarea.end + 1;
    const pages = (end - start) / ctx.pageSize;
    for (let va = start; va < end; va += ctx.pageSize) {
      if (space.find(va)) {
        space.clearLeaf(space.foundPa);
        if (pages <= FLUSH_SPACE_PAGES) flushTlbPage(ctx, space, va);
      }
    }
    if (pages > FLUSH_SPACE_PAGES) flushTlbSpace(ctx, space);
    space.vmas.remove(start, end);
    this.freeEmptyTables(space, start, end);
  }

  /** Frees the tables under [start, end) that hold no entry any more, deepest first; never the root. */
  private freeEmptyTables(space: AddressSpace, start: number, end: number): void {
    const { ram, model, pageSize } = this.ctx;
    for (let level = model.levels - 1; level >= 1; level--) {
      const span = 2 ** levelSpanShift(model, level - 1);
      const perTable = 2 ** model.indexBits[level]!;
      for (let va = Math.floor(start / span) * span; va < end; va += span) {
        const entryPa = findEntry(ram, model, space.rootPfn, va, level);
        if (entryPa < 0) continue;
        const base = Math.floor(entryPa / pageSize) * pageSize;
        let empty = true;
        for (let i = 0; i < perTable * model.entryBytes && empty; i += 4) if (ram.read32(base + i) !== 0) empty = false;
        if (!empty) continue;
        writeEntry(ram, model, findEntry(ram, model, space.rootPfn, va, level - 1), 0, 0);
        this.ctx.unrefFrame(base / pageSize);
        space.tables--;
      }
    }
  }

  /** Takes a map out of the bound space (if any) and gives its RAM frames back. */
  private drop(m: VirtualMemoryMap): void {
    const p = this.live();
    if (p !== null) this.unmapFrom(p.space!, m);
    const { frames, pageSize } = this.ctx;
    const end = Math.min(frames.total, (m.pmarea.end + 1) / pageSize);
    for (let pfn = m.pmarea.start / pageSize; pfn < end; pfn++) this.ctx.unrefFrame(pfn);
  }
}
