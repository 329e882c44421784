// A write to a present, read-only page of a writable region (Linux's do_wp_page): a shared mapping is made
// writable in place (wpPageShared, checked first); a private page whose frame this mapping alone holds is
// made writable in place (wpPageReuse); otherwise the page is copied (wpPageCopy; from the zero page, the
// new frame is simply zeroed).
//
// PTE_COW, Linux style: the decision is region + reference count, never the bit. PTE_COW is a marker that
// fork sets on the entries it write-protects, for dumps and `mappings()`; the handlers clear it when they
// make an entry writable, and never read it.

import { PTE_A, PTE_D, PTE_SW0 } from '@vmsim/hw';
import { PG_COW_COPY, PG_COW_REUSE, PG_SHARED_WRITE, PG_ZERO_FILL, VM_FAULT_OOM } from '../codes.js';
import type { KernelContext } from '../kernel-context.js';
import { FRAME_DATA } from '../mm/frame-allocator.js';
import { flushTlbPage } from '../mm/tlb-flush.js';
import { MAP_SHARED } from '../mm/vma.js';
import type { VmFault } from './vm-fault.js';

/** The software bit fork sets on copy-on-write entries (x86 AVL bit 9, RISC-V RSW bit 8): a marker only. */
export const PTE_COW = PTE_SW0;

export function doWpPage(ctx: KernelContext, vmf: VmFault): number {
  if ((vmf.vma.flags & MAP_SHARED) !== 0 && vmf.pfn !== ctx.zeroPfn) return wpPageShared(ctx, vmf);
  if (vmf.pfn !== ctx.zeroPfn && ctx.frames.refCount(vmf.pfn) === 1) return wpPageReuse(ctx, vmf);
  return wpPageCopy(ctx, vmf);
}

/** A shared mapping: every sharer must see the write, so the entry becomes writable in place. */
export function wpPageShared(ctx: KernelContext, vmf: VmFault): number {
  makeWritable(ctx, vmf);
  return PG_SHARED_WRITE;
}

/** The last sharer of a copy-on-write frame keeps it: writable in place, no copy (Linux's wp_page_reuse). */
export function wpPageReuse(ctx: KernelContext, vmf: VmFault): number {
  makeWritable(ctx, vmf);
  return PG_COW_REUSE;
}

/** A frame others share (or the zero page): a frame of its own, copied (or zeroed), replaces it. */
export function wpPageCopy(ctx: KernelContext, vmf: VmFault): number {
  const pid = vmf.process.pid;
  // The frame copied from must stay while reclaim makes room (it is pinned). A private copy of a file page is
  // not reclaim's (mm/reclaim.ts): it needs a free frame, not room under the memory limits.
  const anon = vmf.vma.file === undefined;
  if (!(anon ? ctx.roomToLoad(1, pid, vmf.pfn) : ctx.haveFrames(1, pid, vmf.pfn))) return VM_FAULT_OOM;
  const fromZero = vmf.pfn === ctx.zeroPfn;
  // A copy overwrites every byte, so only a frame that replaces the zero page needs zeroing.
  const pfn = ctx.allocFrame(FRAME_DATA, fromZero);
  if (!fromZero) ctx.ram.copyFrame(pfn, vmf.pfn);
  vmf.space.setLeaf(vmf.entryPa, pfn, ctx.leafFlags(vmf.vma.prot, true));
  ctx.rmapRemove(vmf.pfn, vmf.space, vmf.page);
  ctx.rmapAdd(pfn, vmf.space, vmf.process.pid, vmf.page);
  if (ctx.reclaim !== null) ctx.reclaim.loadedAnon(pfn, pid, vmf.vma, true);
  ctx.unrefFrame(vmf.pfn);
  flushTlbPage(ctx, vmf.space, vmf.page);
  if (ctx.listening) {
    ctx.emit({ type: 'unmap', pid: vmf.process.pid, va: vmf.page, pfn: vmf.pfn });
    ctx.emit({ type: 'map', pid: vmf.process.pid, va: vmf.page, pfn, writable: true });
  }
  return fromZero ? PG_ZERO_FILL : PG_COW_COPY;
}

function makeWritable(ctx: KernelContext, vmf: VmFault): void {
  vmf.space.setLeaf(vmf.entryPa, vmf.pfn, ctx.leafFlags(vmf.vma.prot, true) | (vmf.flags & (PTE_A | PTE_D)));
  flushTlbPage(ctx, vmf.space, vmf.page);
  if (ctx.listening) ctx.emit({ type: 'map', pid: vmf.process.pid, va: vmf.page, pfn: vmf.pfn, writable: true });
}
