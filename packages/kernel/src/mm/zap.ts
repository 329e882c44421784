// Tearing down an address space on exit (Linux's exit_mmap → unmap_vmas / free_pgtables): region by region,
// every leaf's frame loses a reference and every table under the regions is freed once the last region
// it serves is done, children before parents, the root last. Only the entries inside regions are read, so
// a kill costs in proportion to the mapped ranges, not to the 512 or 1,024 entries of every table.

import type { HardwareModel } from '@vmsim/hw';
import { KernelInvariantError } from '../errors.js';
import type { KernelContext } from '../kernel-context.js';
import type { AddressSpace, TableGeometry } from './address-space.js';
import { VM_PFNMAP, type Vma } from './vma.js';

/** Unmaps everything `space` maps and frees its tables, the root last. Reports unmaps of process `pid`. */
export function zapAddressSpace(ctx: KernelContext, space: AddressSpace, pid: number): void {
  const vmas = space.vmas.toArray();
  const zap = new Zap(ctx, space, pid, vmas);
  zap.table(space.rootPfn, 0, 0, 0, vmas.length);
  // Every table lies under a region (the kernel maps nothing outside one), so all but the root were reached.
  if (zap.freedTables !== space.tables - 1) {
    throw new KernelInvariantError([`pid ${pid}: freed ${zap.freedTables + 1} of ${space.tables} tables; a table lies outside every region`]);
  }
  ctx.unrefFrame(space.rootPfn);
}

/** One teardown: the fixed state, so the loops only read fields. */
class Zap {
  freedTables = 0;
  private readonly model: HardwareModel;
  private readonly g: TableGeometry;
  private readonly listening: boolean;

  constructor(
    private readonly ctx: KernelContext,
    space: AddressSpace,
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
        if ((lo | hi) === 0 || !model.isValid(lo, hi, level)) continue;
        const va = vaBase + i * span;
        if (leafLevel) {
          if ((vma.flags & VM_PFNMAP) !== 0) continue; // its frames are the memory map's (vmm/)
          const frame = model.pfn(lo, hi, level);
          if (this.listening) ctx.emit({ type: 'unmap', pid: this.pid, va, pfn: frame });
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
