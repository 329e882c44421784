// Reclaim of one frame (Linux's shrink_folio_list → try_to_unmap → pageout, for anonymous pages): the frame
// enters the swap cache with a slot, every entry the reverse map names becomes a swap entry for that slot
// (its TLB entry flushed), the page is written to the slot only if it is dirty — the hardware D bit in any
// of those entries, or a slot that holds no copy yet — and the frame is freed. Only private anonymous pages
// are reclaimed this round: page tables, the zero page, reserved (VM_PFNMAP) frames, shared anonymous pages
// and page-cache (file) pages never are.

import { isSwapEntry, PTE_D, swapEntryHi, swapEntryLo, writeEntry } from '@vmsim/hw';
import type { KernelContext } from '../kernel-context.js';
import type { AddressSpace } from './address-space.js';
import { FRAME_DATA } from './frame-allocator.js';
import { flushTlbPage } from './tlb-flush.js';
import { MAP_SHARED } from './vma.js';

/**
 * Can `pfn` be swapped out? A data frame, mapped by at least one entry, every mapping in a private
 * anonymous region, not in the page cache, and no reference besides its mappings (and its swap-cache entry).
 */
export function isReclaimable(ctx: KernelContext, pfn: number): boolean {
  const { frames } = ctx;
  if (pfn === ctx.zeroPfn || pfn >= frames.highWater || frames.kinds[pfn] !== FRAME_DATA) return false;
  const mappers = ctx.rmap.mappers(pfn);
  if (mappers.length === 0 || ctx.files.cacheFrames.has(pfn)) return false;
  const cached = ctx.swapCache.slotOf(pfn) >= 0 ? 1 : 0;
  if (frames.refCounts[pfn] !== mappers.length + cached) return false;
  for (const { space, va } of mappers) {
    const vma = space.vmas.find(va);
    if (vma === undefined || (vma.flags & MAP_SHARED) !== 0 || vma.file !== undefined || vma.shm !== undefined) return false;
  }
  return true;
}

/**
 * Swaps frame `pfn` out and frees it; false, and nothing changed, when it is not reclaimable or the swap
 * area has no free slot for a page not yet in swap.
 */
export function reclaimFrame(ctx: KernelContext, pfn: number): boolean {
  if (!isReclaimable(ctx, pfn)) return false;
  const { swap, swapCache, model } = ctx;
  let slot = swapCache.slotOf(pfn);
  let dirty = false;
  if (slot < 0) {
    slot = swap.alloc(); // the swap cache's reference
    if (slot < 0) return false;
    swapCache.add(slot, pfn);
    ctx.frames.ref(pfn);
    dirty = true; // no copy in swap yet
  } else if (!swap.isWritten(slot)) {
    dirty = true;
  }
  const lo = swapEntryLo(model, slot);
  const hi = swapEntryHi(model, slot);
  for (const { space, pid, va } of ctx.rmap.mappers(pfn)) {
    space.find(va);
    if ((space.foundFlags & PTE_D) !== 0) dirty = true;
    writeEntry(ctx.ram, model, space.foundPa, lo, hi);
    swap.dup(slot);
    flushTlbPage(ctx, space, va);
    ctx.rmap.remove(pfn, space, va);
    if (ctx.listening) ctx.emit({ type: 'unmap', pid, va, pfn });
    ctx.unrefFrame(pfn); // never the last: the swap cache holds one
  }
  if (dirty) {
    swap.writePage(slot, ctx.ram, pfn);
    ctx.swapCounts.pswpout++;
    ctx.swapCounts.writebacks++;
  }
  if (ctx.listening) ctx.emit({ type: 'swap-out', pfn, slot, written: dirty, mappings: swap.refCount(slot) - 1 });
  ctx.swapCounts.reclaimed++;
  // Out of the swap cache: the slot keeps the entries' references, the frame goes free.
  swapCache.removeSlot(slot);
  swap.free(slot);
  ctx.unrefFrame(pfn);
  return true;
}

/** How many of `space`'s entries are swap entries (its pages in swap): Linux's VmSwap, in pages. */
export function swapEntriesOf(ctx: KernelContext, space: AddressSpace): number {
  const model = ctx.model;
  const last = model.levels - 1;
  const entries = 2 ** model.indexBits[last]!;
  const eb = model.entryBytes;
  let count = 0;
  space.visit({
    table(pfn, level) {
      if (level !== last) return;
      const view = ctx.ram.view;
      const base = pfn * ctx.pageSize;
      for (let i = 0; i < entries; i++) {
        const pa = base + i * eb;
        if (isSwapEntry(view.getUint32(pa, true), eb === 8 ? view.getUint32(pa + 4, true) : 0)) count++;
      }
    },
  });
  return count;
}
