// File-backed regions: mmapFile (the file half of mmap(2): the descriptor's checks, then the region, which
// faults its pages in through fault/file.ts), msync, and the write-back that munmap and exit do first. A
// dirty page is one whose page-table entry has the hardware's Dirty bit: write-back copies such cached
// frames to the file's disk bytes. Mappers of a file are found by scanning the processes' regions for it
// (what Linux's i_mmap tree answers).
//
// For mm/'s calls: mmap without MAP_ANONYMOUS calls mmapFile once it has chosen (and, for MAP_FIXED,
// cleared) the range; munmap and MAP_FIXED call beforeFileUnmap before they zap a range and afterFileUnmap
// after; mprotect refuses PROT_WRITE on a MAP_SHARED region whose `mayWrite` is false (EACCES).

import { PTE_D } from '@vmsim/hw';
import { AlreadyMappedError, InvalidArgumentError, NotAlignedError, OutOfMemoryError } from '../errors.js';
import type { KernelContext } from '../kernel-context.js';
import type { AddressSpace } from '../mm/address-space.js';
import { flushTlbPage } from '../mm/tlb-flush.js';
import { MAP_ANONYMOUS, MAP_PRIVATE, MAP_SHARED, PROT_EXEC, PROT_READ, PROT_WRITE, type Vma } from '../mm/vma.js';
import type { Process } from '../proc/process.js';
import { FileAccessError, UnmappedRangeError } from './errors.js';
import type { MemFile } from './mem-file.js';
import { cachedPfn, trimPageCache, writebackPage } from './page-cache.js';

/** mmap(2)'s MAP_FIXED and the other flags mmapFile leaves to mm/ (placement, populate …). */
const MAP_TYPE = MAP_PRIVATE | MAP_SHARED;

/**
 * Maps `length` bytes (rounded up to pages) of the file open as `fd` in `pid`, from byte `offset`, at
 * `start` (page aligned, the range free: mm/'s mmap chooses it and clears it for MAP_FIXED). The checks in
 * Linux's order (measured on Linux 6.18): an unaligned offset → EINVAL, a bad descriptor → EBADF, length 0 or
 * not exactly one of MAP_PRIVATE / MAP_SHARED → EINVAL, a descriptor not open for reading, or MAP_SHARED
 * with PROT_WRITE on one not open for writing → EACCES. Nothing is mapped until a fault. Returns `start`.
 */
export function mmapFile(
  ctx: KernelContext, pid: number, start: number, length: number, prot: number, flags: number, fd: number, offset: number,
): number {
  const p = ctx.procs.live(pid);
  const ps = ctx.pageSize;
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
    throw new InvalidArgumentError('offset', offset, 'expected a non-negative integer');
  }
  if (offset % ps !== 0) throw new NotAlignedError('offset', offset, ps);
  const open = ctx.files.get(pid, fd);
  if (typeof length !== 'number' || !Number.isSafeInteger(length) || length <= 0) {
    throw new InvalidArgumentError('length', length, 'expected a positive integer');
  }
  if (typeof flags !== 'number' || !Number.isInteger(flags) || (flags & MAP_ANONYMOUS) !== 0 || ((flags & MAP_TYPE) !== MAP_PRIVATE && (flags & MAP_TYPE) !== MAP_SHARED)) {
    throw new InvalidArgumentError('flags', flags, 'expected exactly one of MAP_PRIVATE, MAP_SHARED, without MAP_ANONYMOUS');
  }
  if (typeof prot !== 'number' || !Number.isInteger(prot) || (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) !== 0) {
    throw new InvalidArgumentError('prot', prot, 'expected PROT_NONE or PROT_READ | PROT_WRITE | PROT_EXEC');
  }
  checkFileAccess(ctx, pid, fd, prot, flags);
  ctx.checkVa(start);
  if (start % ps !== 0) throw new NotAlignedError('address', start, ps);
  const end = start + Math.ceil(length / ps) * ps;
  if (end > ctx.vaLimit) throw new OutOfMemoryError('mmap (the range ends past the user address space)', 0, ctx.frames.freeCount);
  const space = p.space!;
  if (space.vmas.overlaps(start, end)) throw new AlreadyMappedError(pid, start);
  const shared = (flags & MAP_SHARED) !== 0;
  const vma: Vma = { start, end, prot, flags: flags & MAP_TYPE, file: open.file, pgoff: offset / ps, mayWrite: !shared || open.writable };
  space.vmas.insert(vma);
  ctx.afterOperation();
  return start;
}

/**
 * The descriptor's part of mmap's checks (EBADF for a descriptor `pid` has not open; EACCES for one not open for
 * reading, or MAP_SHARED with PROT_WRITE on one not open for writing); mm/'s mmap runs it before it changes
 * anything (a MAP_FIXED unmap included). Returns whether a MAP_SHARED region of it may ever be made writable.
 */
export function checkFileAccess(ctx: KernelContext, pid: number, fd: number, prot: number, flags: number): boolean {
  const open = ctx.files.get(pid, fd);
  if (!open.readable) throw new FileAccessError(pid, fd, 'not open for reading: it cannot be mapped');
  if ((flags & MAP_SHARED) !== 0 && (prot & PROT_WRITE) !== 0 && !open.writable) {
    throw new FileAccessError(pid, fd, 'MAP_SHARED with PROT_WRITE needs a descriptor open for writing');
  }
  return open.writable;
}

/** The page index of the file that page `page` of `vma` maps. */
export function fileIndex(ctx: KernelContext, vma: Vma, page: number): number {
  return (vma.pgoff ?? 0) + (page - vma.start) / ctx.pageSize;
}

/** Calls `fn` for every region of a live process that maps `file`. */
export function forEachMapping(ctx: KernelContext, file: MemFile, fn: (p: Process, vma: Vma) => void): void {
  for (const p of ctx.procs.all()) {
    if (p.space === null) continue;
    for (const vma of p.space.vmas) if (vma.file === file) fn(p, vma);
  }
}

/**
 * Writes back the pages of `space`'s file regions in [start, end) whose entry is Dirty and maps the cached
 * frame. `clean`: clear the Dirty bit afterwards (msync; the TLB entry is flushed so the next write sets it
 * again); munmap and exit leave it, as the entry is about to go.
 */
export function writebackRange(ctx: KernelContext, p: Process, start: number, end: number, clean: boolean): void {
  const space = p.space!;
  // Only the regions the range meets (a logarithmic lookup): munmap of one page in a space of 65,530 regions
  // must not read them all.
  for (const vma of space.vmas.intersecting(start, end)) {
    if (vma.file === undefined || (vma.flags & MAP_SHARED) === 0) continue;
    const from = Math.max(vma.start, start);
    const to = Math.min(vma.end, end);
    for (let page = from; page < to; page += ctx.pageSize) writebackEntry(ctx, space, vma, page, clean);
  }
}

function writebackEntry(ctx: KernelContext, space: AddressSpace, vma: Vma, page: number, clean: boolean): boolean {
  if (!space.find(page) || (space.foundFlags & PTE_D) === 0) return false;
  const file = vma.file!;
  const index = fileIndex(ctx, vma, page);
  const pfn = space.foundPfn;
  if (cachedPfn(file, index) !== pfn) return false;
  writebackPage(ctx, file, index, pfn);
  if (clean) {
    space.setLeaf(space.foundPa, pfn, space.foundFlags & ~PTE_D);
    flushTlbPage(ctx, space, page);
  }
  return true;
}

/**
 * msync(2) (MS_SYNC): `addr` page aligned (else EINVAL), every page of [addr, addr + length) in a region
 * (else ENOMEM, nothing written). Each file page in the range that any mapping of the file holds Dirty (the
 * D bit of every entry mapping the cached frame) is written to disk, and those entries are made clean.
 */
export function msyncRange(ctx: KernelContext, pid: number, addr: number, length: number): void {
  const p = ctx.procs.live(pid);
  ctx.checkVa(addr);
  if (addr % ctx.pageSize !== 0) throw new NotAlignedError('address', addr, ctx.pageSize);
  if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 0) {
    throw new InvalidArgumentError('length', length, 'expected a non-negative integer');
  }
  const end = addr + Math.ceil(length / ctx.pageSize) * ctx.pageSize;
  if (end > ctx.vaLimit) throw new UnmappedRangeError(pid, ctx.vaLimit, 'msync');
  const vmas = p.space!.vmas;
  for (let page = addr; page < end; page += ctx.pageSize) {
    if (vmas.find(page) === undefined) throw new UnmappedRangeError(pid, page, 'msync');
  }
  for (const vma of vmas) {
    if (vma.file === undefined || (vma.flags & MAP_SHARED) === 0 || vma.end <= addr || vma.start >= end) continue;
    const first = fileIndex(ctx, vma, Math.max(vma.start, addr));
    const last = fileIndex(ctx, vma, Math.min(vma.end, end) - ctx.pageSize);
    syncFilePages(ctx, vma.file, first, last);
  }
  ctx.afterOperation();
}

/** Writes back pages first … last of `file` that any mapping holds Dirty, cleaning every such entry. */
function syncFilePages(ctx: KernelContext, file: MemFile, first: number, last: number): void {
  forEachMapping(ctx, file, (q, vma) => {
    const lo = Math.max(first, vma.pgoff ?? 0);
    const hi = Math.min(last, (vma.pgoff ?? 0) + (vma.end - vma.start) / ctx.pageSize - 1);
    for (let index = lo; index <= hi; index++) {
      writebackEntry(ctx, q.space!, vma, vma.start + (index - (vma.pgoff ?? 0)) * ctx.pageSize, true);
    }
  });
}

/**
 * For munmap (mm/), before it zaps [start, end) of `pid`: the Dirty file pages there are written back.
 * After the zap, `afterFileUnmap` frees the cached pages no mapping holds any more.
 */
export function beforeFileUnmap(ctx: KernelContext, p: Process, start: number, end: number): void {
  writebackRange(ctx, p, start, end, false);
}

export function afterFileUnmap(ctx: KernelContext): void {
  trimPageCache(ctx);
}

/**
 * Clears every entry of `p` in [start, end) (page aligned), dropping its frame reference and its TLB entry.
 * Tables stay (the kernel frees tables at exit only). Used by truncation; munmap's zap does the same.
 */
export function unmapPages(ctx: KernelContext, p: Process, start: number, end: number): void {
  const space = p.space!;
  for (let page = start; page < end; page += ctx.pageSize) {
    if (!space.find(page)) continue;
    const pfn = space.foundPfn;
    space.clearLeaf(space.foundPa);
    flushTlbPage(ctx, space, page);
    if (ctx.listening) ctx.emit({ type: 'unmap', pid: p.pid, va: page, pfn });
    ctx.rmapRemove(pfn, space, page);
    ctx.unrefFrame(pfn);
  }
}

/** Exit, before the address space is torn down: write-back of every Dirty file page of the process. */
export function beforeExit(ctx: KernelContext, p: Process): void {
  writebackRange(ctx, p, 0, ctx.vaLimit, false);
}

/** Exit, after the teardown: descriptors closed, unmapped cache pages freed. */
export function afterExit(ctx: KernelContext, pid: number): void {
  ctx.files.closeAll(pid);
  trimPageCache(ctx);
}
