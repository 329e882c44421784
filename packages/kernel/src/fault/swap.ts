// A fault on a swap entry (Linux's do_swap_page). The page comes from the swap cache when another entry of
// the same slot brought it in already (a page shared after fork comes back as one frame): a minor fault, as
// Linux counts it, since nothing is read. Otherwise a frame is allocated, the slot read into it and the pair
// entered in the swap cache: a major fault. The entry then
// maps the frame: writable only when no other swap entry still names the slot and the region allows it
// (otherwise read-only, and a write copies it, as copy-on-write). The entry starts clean, so a page that is
// not written again is dropped at its next reclaim without a write (its slot copy is still good).

import { ACCESS_WRITE, PTE_W, swapEntrySlot } from '@vmsim/hw';
import { ACCESS_LABELS, PG_SWAP_IN, VM_FAULT_OOM } from '../codes.js';
import type { KernelContext } from '../kernel-context.js';
import { FRAME_DATA } from '../mm/frame-allocator.js';
import { PROT_WRITE } from '../mm/vma.js';
import { PTE_COW } from './wp-page.js';
import { faultFailed } from './handle-mm-fault.js';
import type { VmFault } from './vm-fault.js';

export function doSwapPage(ctx: KernelContext, vmf: VmFault, lo: number, hi: number): number {
  const { space, page, vma, process } = vmf;
  const { swap, swapCache } = ctx;
  const slot = swapEntrySlot(lo, hi);
  let pfn = swapCache.pfnOf(slot);
  const fromCache = pfn >= 0;
  if (pfn < 0) {
    if (!ctx.roomToLoad(1, process.pid)) return faultFailed(ctx, process, vmf.va, vmf.access, VM_FAULT_OOM);
    pfn = ctx.allocFrame(FRAME_DATA, false);
    swap.readPage(slot, ctx.ram, pfn);
    swapCache.add(slot, pfn);
    swap.dup(slot); // the cache's slot reference; the allocation's frame reference is the cache's
    ctx.swapCounts.pswpin++;
    if (ctx.reclaim !== null) ctx.reclaim.loadedAnon(pfn, process.pid, vma, vmf.access === ACCESS_WRITE);
  }
  // This entry's slot reference goes. Exclusive: no other swap entry waits for the page (only the cache's
  // reference is left) and no other entry maps the frame yet; otherwise the page is shared copy-on-write.
  swap.free(slot);
  const exclusive = swap.refCount(slot) === 1 && ctx.rmap.count(pfn) === 0;
  let flags = ctx.leafFlags(vma.prot, exclusive);
  if (!exclusive && (vma.prot & PROT_WRITE) !== 0) flags |= PTE_COW;
  space.setLeaf(vmf.entryPa, pfn, flags);
  ctx.frames.ref(pfn);
  ctx.rmapAdd(pfn, space, process.pid, page);
  const writable = (flags & PTE_W) !== 0;
  // A write makes the slot's copy stale at once: the cache lets go of slot and frame.
  if (writable && vmf.access === ACCESS_WRITE) ctx.dropSwapCache(pfn);
  if (fromCache) ctx.swapCounts.swapCacheHits++;
  else ctx.swapCounts.majorFaults++;
  if (ctx.listening) {
    ctx.emit({ type: 'swap-in', pid: process.pid, va: page, pfn, slot, fromCache });
    ctx.emit({ type: 'map', pid: process.pid, va: page, pfn, writable });
    ctx.emit({ type: 'fault', pid: process.pid, va: vmf.va, access: ACCESS_LABELS[vmf.access], resolution: 'swap-in' });
  }
  return PG_SWAP_IN;
}
