// A fault on a page of a file-backed region that has no entry yet (Linux's do_fault): past the file's last
// page it is SIGBUS; a write to a private mapping gets a copy of the file's page (doCowFault); otherwise
// the page cache's frame is mapped: for a shared mapping writable as the region allows (doSharedFault; the
// hardware's Dirty bit then marks the writes for write-back), for a private one read-only (doReadFault), so
// that a later write copies it (doWpPage → wpPageCopy: the cache holds a reference, so it is never reused).

import { ACCESS_WRITE, PTE_W } from '@vmsim/hw';
import { ACCESS_LABELS, PG_FILE_COPY, PG_FILE_MAP, VM_FAULT_OOM, VM_FAULT_SIGBUS } from '../codes.js';
import { cacheFill, cachedPfn, copyPageIn } from '../fs/page-cache.js';
import { fileIndex } from '../fs/file-mapping.js';
import type { KernelContext } from '../kernel-context.js';
import { FRAME_DATA } from '../mm/frame-allocator.js';
import { MAP_SHARED } from '../mm/vma.js';
import { faultFailed } from './handle-mm-fault.js';
import type { VmFault } from './vm-fault.js';

/** Resolves a fault in a file region with no entry at the page; counts and reports it like handleMmFault. */
export function doFileFault(ctx: KernelContext, vmf: VmFault): number {
  const { vma, page } = vmf;
  const file = vma.file!;
  const index = fileIndex(ctx, vma, page);
  let code: number;
  if (index >= file.pageCount(ctx.pageSize)) code = VM_FAULT_SIGBUS;
  else if ((vma.flags & MAP_SHARED) !== 0) code = doSharedFault(ctx, vmf, index);
  else if (vmf.access === ACCESS_WRITE) code = doCowFault(ctx, vmf, index);
  else code = doReadFault(ctx, vmf, index);
  if (code < 0) return faultFailed(ctx, vmf.process, vmf.va, vmf.access, code);
  if (code === PG_FILE_MAP) ctx.counts.fileMap++;
  else ctx.counts.fileCopy++;
  if (ctx.listening) {
    ctx.emit({ type: 'fault', pid: vmf.process.pid, va: vmf.va, access: ACCESS_LABELS[vmf.access], resolution: code === PG_FILE_MAP ? 'file-map' : 'file-copy' });
  }
  return code;
}

/** A private mapping's read: the cached frame, read-only. */
export function doReadFault(ctx: KernelContext, vmf: VmFault, index: number): number {
  return mapCachedPage(ctx, vmf, index, false);
}

/** A shared mapping: the cached frame, writable when the region is, so every mapper sees every write. */
export function doSharedFault(ctx: KernelContext, vmf: VmFault, index: number): number {
  return mapCachedPage(ctx, vmf, index, true);
}

/** A private mapping's write: a frame of its own holding the file's page (no cache entry is needed). */
export function doCowFault(ctx: KernelContext, vmf: VmFault, index: number): number {
  const { space, page, vma } = vmf;
  if (!ctx.haveFrames(space.tablesNeeded(page) + 1, vmf.process.pid)) return VM_FAULT_OOM;
  const pfn = ctx.allocFrame(FRAME_DATA, false);
  copyPageIn(ctx, vma.file!, index, pfn);
  space.map(page, pfn, ctx.leafFlags(vma.prot, true), ctx.allocTable);
  ctx.rmapAdd(pfn, space, vmf.process.pid, page);
  if (ctx.listening) ctx.emit({ type: 'map', pid: vmf.process.pid, va: page, pfn, writable: true });
  return PG_FILE_COPY;
}

function mapCachedPage(ctx: KernelContext, vmf: VmFault, index: number, writable: boolean): number {
  const { space, page, vma } = vmf;
  const file = vma.file!;
  const pid = vmf.process.pid;
  const tables = space.tablesNeeded(page);
  let pfn = cachedPfn(file, index);
  // A cached page is pinned while reclaim makes room for the tables; an OOM kill may still drop it from the
  // cache (its last mapper died), and then it is read in like any page not cached.
  if (pfn >= 0 ? !ctx.haveFrames(tables, pid, pfn) : !ctx.roomToLoad(tables + 1, pid)) return VM_FAULT_OOM;
  if (pfn >= 0 && cachedPfn(file, index) !== pfn) {
    pfn = -1;
    if (!ctx.roomToLoad(tables + 1, pid)) return VM_FAULT_OOM;
  }
  if (pfn < 0) {
    pfn = cacheFill(ctx, file, index);
    ctx.reclaimCounts.fileMajorFaults++;
    if (ctx.reclaim !== null) ctx.reclaim.loadedFile(pfn, pid, file, index, vmf.access === ACCESS_WRITE);
  }
  const flags = ctx.leafFlags(vma.prot, writable);
  space.map(page, pfn, flags, ctx.allocTable);
  ctx.frames.ref(pfn);
  ctx.rmapAdd(pfn, space, vmf.process.pid, page);
  if (ctx.listening) ctx.emit({ type: 'map', pid: vmf.process.pid, va: page, pfn, writable: (flags & PTE_W) !== 0 });
  return PG_FILE_MAP;
}
