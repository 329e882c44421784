// Reclaim of one page-cache frame (Linux's shrink_folio_list for a file folio: try_to_unmap, pageout when
// dirty, remove_mapping): every entry the reverse map names is cleared (empty, not a swap entry: a later fault
// reads the page from the file again, a major fault), the page is written back to the file only if it is
// dirty — the hardware D bit in any of those entries; write(2) writes through to the file, so the cache has no
// dirty mark of its own — and the frame leaves the page cache and is freed. A clean page is dropped unwritten.

import { PTE_D } from '@vmsim/hw';
import type { MemFile } from '../fs/mem-file.js';
import { cacheDrop, writebackPage } from '../fs/page-cache.js';
import type { KernelContext } from '../kernel-context.js';
import { flushTlbPage } from './tlb-flush.js';

/**
 * Can cache frame `pfn` (page `index` of `file`) be reclaimed now? It is that page's frame, every reference
 * is the cache's or an entry's, and every entry lies in a region of that file (shared, or private read-only).
 */
export function isFilePageReclaimable(ctx: KernelContext, pfn: number, file: MemFile, index: number): boolean {
  if (file.cache.get(index) !== pfn) return false;
  const mappers = ctx.rmap.mappers(pfn);
  if (ctx.frames.refCounts[pfn] !== mappers.length + 1) return false;
  for (const { space, va } of mappers) {
    if (space.vmas.find(va)?.file !== file) return false;
  }
  return true;
}

/** Reclaims cache frame `pfn` (checked with isFilePageReclaimable); returns whether it was written back. */
export function reclaimFilePage(ctx: KernelContext, pfn: number, file: MemFile, index: number): boolean {
  let dirty = false;
  for (const { space, pid, va } of ctx.rmap.mappers(pfn)) {
    space.find(va);
    if ((space.foundFlags & PTE_D) !== 0) dirty = true;
    space.clearLeaf(space.foundPa);
    flushTlbPage(ctx, space, va);
    ctx.rmap.remove(pfn, space, va);
    if (ctx.listening) ctx.emit({ type: 'unmap', pid, va, pfn });
    ctx.unrefFrame(pfn); // never the last: the cache holds one
  }
  if (dirty) writebackPage(ctx, file, index, pfn);
  cacheDrop(ctx, file, index, pfn);
  return dirty;
}
