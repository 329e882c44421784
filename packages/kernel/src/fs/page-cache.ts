// The page cache (Linux's address_space of an inode): a file's pages held in frames, looked up by (file,
// page index). A cached frame has one reference for the cache plus one per page-table entry mapping it. A
// page enters the cache when a mapping faults on it and leaves when no mapping holds it any more (after
// munmap or exit, whose write-back has already put its dirty data on disk) or when truncation cuts it off.

import type { KernelContext } from '../kernel-context.js';
import { FRAME_DATA } from '../mm/frame-allocator.js';
import type { MemFile } from './mem-file.js';

/** The frame caching page `index` of `file`, or -1. */
export function cachedPfn(file: MemFile, index: number): number {
  return file.cache.get(index) ?? -1;
}

/** Reads page `index` of `file` into a new cache frame (the caller checked that one frame is free). */
export function cacheFill(ctx: KernelContext, file: MemFile, index: number): number {
  const pfn = ctx.allocFrame(FRAME_DATA);
  copyPageIn(ctx, file, index, pfn);
  file.cache.set(index, pfn);
  ctx.files.cached.add(file);
  ctx.files.cacheFrames.add(pfn);
  return pfn;
}

/**
 * Fills frame `pfn` with page `index` of `file` as a reader would see it: the cached frame if there is one
 * (it may hold writes not yet on disk), else the disk. Bytes past the end of the file are zero.
 */
export function copyPageIn(ctx: KernelContext, file: MemFile, index: number, pfn: number): void {
  const cached = cachedPfn(file, index);
  if (cached >= 0) {
    ctx.ram.copyFrame(pfn, cached);
    return;
  }
  const page = new Uint8Array(ctx.pageSize);
  file.readDisk(index * ctx.pageSize, page);
  ctx.ram.bytes.set(page, pfn * ctx.pageSize);
}

/** Write-back of one cached page: its bytes up to the end of the file go to disk. */
export function writebackPage(ctx: KernelContext, file: MemFile, index: number, pfn: number): void {
  const offset = index * ctx.pageSize;
  const n = Math.min(ctx.pageSize, file.size - offset);
  if (n <= 0) return;
  const base = pfn * ctx.pageSize;
  file.writeDisk(offset, ctx.ram.bytes.subarray(base, base + n));
}

/** Drops page `index` from the cache and gives back the cache's reference on its frame. */
export function cacheDrop(ctx: KernelContext, file: MemFile, index: number, pfn: number): void {
  file.cache.delete(index);
  if (file.cache.size === 0) ctx.files.cached.delete(file);
  ctx.files.cacheFrames.delete(pfn);
  ctx.unrefFrame(pfn);
}

/** Frees every cached page that no page-table entry maps any more (reference count 1: the cache's own). */
export function trimPageCache(ctx: KernelContext): void {
  for (const file of [...ctx.files.cached]) {
    for (const [index, pfn] of [...file.cache]) {
      if (ctx.frames.refCount(pfn) === 1) cacheDrop(ctx, file, index, pfn);
    }
  }
}

/** Zeroes the bytes of the cached page holding offset `from` from there to the page's end. */
export function zeroCachedTail(ctx: KernelContext, file: MemFile, from: number): void {
  const ps = ctx.pageSize;
  if (from % ps === 0) return;
  const pfn = cachedPfn(file, Math.floor(from / ps));
  if (pfn < 0) return;
  const base = pfn * ps;
  ctx.ram.bytes.fill(0, base + (from % ps), base + ps);
}

/**
 * Frames a fault on the unmapped page `index` of `file` will take besides page tables (the probes' count):
 * -1 past the last page (SIGBUS); 1 for a private write (its copy) or a page not cached yet; else 0.
 */
export function fileFaultFrames(ctx: KernelContext, file: MemFile, index: number, privateWrite: boolean): number {
  if (index >= file.pageCount(ctx.pageSize)) return -1;
  return privateWrite || cachedPfn(file, index) < 0 ? 1 : 0;
}

/** Copies `n` bytes at `offset` of page `index` of `file` (cache or disk) into `out` at `at`, mapping nothing. */
export function peekFilePage(ctx: KernelContext, file: MemFile, index: number, offset: number, n: number, out: Uint8Array, at: number): void {
  const pfn = cachedPfn(file, index);
  if (pfn >= 0) {
    const pa = pfn * ctx.pageSize + offset;
    out.set(ctx.ram.bytes.subarray(pa, pa + n), at);
  } else {
    file.readDisk(index * ctx.pageSize + offset, out.subarray(at, at + n));
  }
}
