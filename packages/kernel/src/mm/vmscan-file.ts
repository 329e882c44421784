// Reclaim of one page-cache frame (Linux's shrink_folio_list for a file folio: try_to_unmap, pageout when
// dirty, remove_mapping): every entry the reverse map names is cleared (empty, not a swap entry: a later fault
// reads the page from the file again, a major fault), the page is written back to the file only if it is
// dirty — the hardware D bit in any of those entries; write(2) writes through to the file, so the cache has no
// dirty mark of its own — and the frame leaves the page cache and is freed. A clean page is dropped unwritten.

import { PTE_D } from '@vmsim/hw';
import type { MemFile } from '../fs/mem-file.js';
import { cacheDrop, writebackPage } from '../fs/page-cache.js';
import { KernelInvariantError } from '../errors.js';
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

/**
 * Reclaims cache frame `pfn` (checked with isFilePageReclaimable), counted in reclaim's file evictions and
 * writebacks; returns whether it was written back.
 */
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
  ctx.reclaimCounts.fileEvictions++;
  if (dirty) ctx.reclaimCounts.fileWritebacks++;
  return dirty;
}

/**
 * Reclaims page-cache frame `pfn` by hand (Kernel.reclaim): the file page it holds is found by a sweep of the
 * cached files, then reclaimed as reclaim's policy would, counted and reported the same way. False, and
 * nothing changed, when `pfn` is not a page-cache frame or not reclaimable now.
 */
export function reclaimCacheFrame(ctx: KernelContext, pfn: number): boolean {
  if (!ctx.files.cacheFrames.has(pfn)) return false;
  for (const file of ctx.files.cached) {
    for (const [index, cached] of file.cache) {
      if (cached !== pfn) continue;
      if (!isFilePageReclaimable(ctx, pfn, file, index)) return false;
      const dirty = reclaimFilePage(ctx, pfn, file, index);
      if (ctx.listening) ctx.emit({ type: 'evict', pfn, dirty, to: 'file' });
      return true;
    }
  }
  throw new KernelInvariantError([`page cache: frame ${pfn} is a cache frame of no cached file`]);
}
