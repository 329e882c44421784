// Helpers for the file-mapping tests (not part of the published package): the kernel's internal mmapFile,
// and a munmap made of the file side's hooks around a zap of the range, standing in for mm/'s munmap until
// the kernel facade has one (then these tests call k.mmap / k.munmap instead).

import { afterFileUnmap, beforeFileUnmap, mmapFile, unmapPages } from '../fs/file-mapping.js';
import type { Kernel } from '../kernel.js';
import type { KernelContext } from '../kernel-context.js';

export function contextOf(k: Kernel): KernelContext {
  return k['ctx'];
}

/** mmap(start, length, prot, flags, fd, offset) of a file, at a chosen free address, in `pid`. */
export function mmapAt(k: Kernel, pid: number, start: number, length: number, prot: number, flags: number, fd: number, offset = 0): number {
  return mmapFile(contextOf(k), pid, start, length, prot, flags, fd, offset);
}

/** munmap(start, length) of `pid`: write-back of dirty file pages, the entries and the regions go, unmapped cache pages are freed. */
export function munmapRange(k: Kernel, pid: number, start: number, length: number): void {
  const ctx = contextOf(k);
  const p = ctx.procs.live(pid);
  const end = start + Math.ceil(length / k.pageSize) * k.pageSize;
  beforeFileUnmap(ctx, p, start, end);
  unmapPages(ctx, p, start, end);
  p.space!.vmas.remove(start, end);
  afterFileUnmap(ctx);
  ctx.afterOperation();
}
