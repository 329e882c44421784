// Tearing down an address space on exit (Linux's exit_mmap → unmap_vmas / free_pgtables): region by region,
// every leaf's frame loses a reference and every table under the regions is freed once the last region
// it serves is done, children before parents, the root last. Only the entries inside regions are read, so
// a kill costs in proportion to the mapped ranges, not to the 512 or 1,024 entries of every table.

import { isSwapEntry, swapEntrySlot, writeEntry, type HardwareModel } from '@vmsim/hw';
import { KernelInvariantError } from '../errors.js';
import type { KernelContext } from '../kernel-context.js';
import type { AddressSpace, TableGeometry } from './address-space.js';
import { FRAME_RESERVED } from './frame-allocator.js';
import { releaseSharedAnon } from './shmem.js';
import { flushTlbPage } from './tlb-flush.js';
import { VM_PFNMAP, type Vma } from './vma.js';

/**
 * Unmaps everything `space` maps and frees its tables, the root last. Reports unmaps of process `pid`.
 * `vmas` is the space's region list as an array, when the caller has it already.
 */
export function zapAddressSpace(ctx: KernelContext, space: AddressSpace, pid: number, vmas: readonly Vma[] = space.vmas.toArray()): void {
  const zap = new Zap(ctx, space, pid, vmas);
  zap.table(space.rootPfn, 0, 0, 0, vmas.length);
  // Every table lies under a region (the kernel maps nothing outside one), so all but the root were reached.
  if (zap.freedTables !== space.tables - 1) {
    throw new KernelInvariantError([`pid ${pid}: freed ${zap.freedTables + 1} of ${space.tables} tables; a table lies outside every region`]);
  }
  ctx.unrefFrame(space.rootPfn);
  // Shared anonymous objects lose this space's regions: only a space that has such a region looks further.
  let shared = false;
  for (let i = 0; i < vmas.length; i++) if (vmas[i]!.shm !== undefined) shared = true;
  if (shared) releaseSharedAnon(ctx, vmas, space);
}

/** One teardown: the fixed state, so the loops only read fields. */
class Zap {
  freedTables = 0;
  private readonly model: HardwareModel;
  private readonly g: TableGeometry;
  private readonly listening: boolean;

  constructor(
    private readonly ctx: KernelContext,
    private readonly space: AddressSpace,
    private readonly pid: number,
    private readonly vmas: readonly Vma[],
  ) {
    this.model = space.model;
    this.g = space.geometry;
    this.listening = ctx.listening;
  }

  /**
   * Unmaps the entries of the table at `pfn` (level `level`, first address `vaBase`) that lie inside
   * regions `from` … `to` − 1 (the ones that meet this table), and frees each child table after them.
   */
  table(pfn: number, level: number, vaBase: number, from: number, to: number): void {
    const { model, g, ctx } = this;
    const vmas = this.vmas;
    const view = ctx.ram.view;
    const eb = g.entryBytes;
    const span = g.div[level]!;
    const lastIndex = g.mask[level]!;
    const base = pfn * g.pageSize;
    const leafLevel = level === g.last;
    let done = -1;
    for (let v = from; v < to; v++) {
      const vma = vmas[v]!;
      const first = vma.start > vaBase ? Math.floor((vma.start - vaBase) / span) : 0;
      const last = Math.min(lastIndex, Math.floor((vma.end - 1 - vaBase) / span));
      for (let i = first > done ? first : done + 1; i <= last; i++) {
        const pa = base + i * eb;
        const lo = view.getUint32(pa, true);
        const hi = eb === 8 ? view.getUint32(pa + 4, true) : 0;
        if ((lo | hi) === 0) continue;
        if (!model.isValid(lo, hi, level)) {
          if (leafLevel && isSwapEntry(lo, hi)) ctx.swap.free(swapEntrySlot(lo, hi)); // the entry's slot reference
          continue;
        }
        const va = vaBase + i * span;
        if (leafLevel) {
          if ((vma.flags & VM_PFNMAP) !== 0) continue; // its frames are the memory map's (vmm/)
          const frame = model.pfn(lo, hi, level);
          if (this.listening) ctx.emit({ type: 'unmap', pid: this.pid, va, pfn: frame });
          ctx.rmapRemove(frame, this.space, va);
          ctx.unrefFrame(frame);
          continue;
        }
        if (model.isLeaf(lo, hi, level)) throw new KernelInvariantError([`huge page at 0x${va.toString(16)}: the kernel maps none`]);
        // The regions meeting this child: v and the ones after it that start before the child's end.
        let w = v + 1;
        while (w < to && vmas[w]!.start < va + span) w++;
        const child = model.pfn(lo, hi, level);
        this.table(child, level + 1, va, v, w);
        ctx.unrefFrame(child);
        this.freedTables++;
      }
      if (last > done) done = last;
    }
  }
}

/**
 * Unmaps [start, end) of `space` after its regions there were removed (Linux's unmap_region: zap_page_range
 * then free_pgtables): every valid leaf is cleared, its TLB entry flushed (only those pages) and its frame
 * loses a reference; then every table under the range that no region reaches any more is freed.
 */
export function zapRange(ctx: KernelContext, space: AddressSpace, pid: number, start: number, end: number): void {
  new RangeZap(ctx, space, pid).table(space.rootPfn, 0, 0, start, end);
}

class RangeZap {
  private readonly model: HardwareModel;
  private readonly g: TableGeometry;

  constructor(private readonly ctx: KernelContext, private readonly space: AddressSpace, private readonly pid: number) {
    this.model = space.model;
    this.g = space.geometry;
  }

  /** The entries of the table at `pfn` (level `level`, first address `vaBase`) that cover [start, end). */
  table(pfn: number, level: number, vaBase: number, start: number, end: number): void {
    const { model, g, ctx, space } = this;
    const eb = g.entryBytes;
    const span = g.div[level]!;
    const base = pfn * g.pageSize;
    const first = Math.floor((Math.max(start, vaBase) - vaBase) / span);
    const last = Math.min(g.mask[level]!, Math.floor((end - 1 - vaBase) / span));
    for (let i = first; i <= last; i++) {
      const pa = base + i * eb;
      const view = ctx.ram.view;
      const lo = view.getUint32(pa, true);
      const hi = eb === 8 ? view.getUint32(pa + 4, true) : 0;
      if ((lo | hi) === 0) continue;
      if (!model.isValid(lo, hi, level)) {
        if (level === g.last && isSwapEntry(lo, hi)) {
          space.clearLeaf(pa);
          ctx.swap.free(swapEntrySlot(lo, hi));
        }
        continue;
      }
      const va = vaBase + i * span;
      if (level === g.last) {
        const frame = model.pfn(lo, hi, level);
        space.clearLeaf(pa);
        flushTlbPage(ctx, space, va);
        if (ctx.listening) ctx.emit({ type: 'unmap', pid: this.pid, va, pfn: frame });
        // A device region's frames are the memory map's (reserved) and were never in the reverse map.
        if (ctx.frames.kinds[frame] !== FRAME_RESERVED) ctx.rmapRemove(frame, space, va);
        ctx.unrefFrame(frame);
        continue;
      }
      if (model.isLeaf(lo, hi, level)) throw new KernelInvariantError([`huge page at 0x${va.toString(16)}: the kernel maps none`]);
      const child = model.pfn(lo, hi, level);
      this.table(child, level + 1, va, Math.max(start, va), Math.min(end, va + span));
      // free_pgtables: a table no region reaches holds no entry any more (mappings lie inside regions).
      if (!space.vmas.overlaps(va, va + span)) {
        writeEntry(ctx.ram, model, pa, 0, 0);
        ctx.unrefFrame(child);
        space.tables--;
      }
    }
  }
}
