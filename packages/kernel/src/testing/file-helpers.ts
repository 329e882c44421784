// Helpers for the file-mapping tests (not part of the published package): mmap of a file at a chosen free
// address (MAP_FIXED_NOREPLACE, so an occupied range is refused rather than replaced) and munmap, both through
// the kernel's own calls, in a given process.

import { MAP_FIXED_NOREPLACE } from '../mm/vma.js';
import type { Kernel } from '../kernel.js';
import type { KernelContext } from '../kernel-context.js';

export function contextOf(k: Kernel): KernelContext {
  return k['ctx'];
}

/** mmap(start, length, prot, flags, fd, offset) of a file, at a chosen free address, in `pid`. */
export function mmapAt(k: Kernel, pid: number, start: number, length: number, prot: number, flags: number, fd: number, offset = 0): number {
  return k.mmap(start, length, prot, flags | MAP_FIXED_NOREPLACE, fd, offset, pid);
}

/** munmap(start, length) of `pid`: write-back of dirty file pages, the entries and the regions go, unmapped cache pages are freed. */
export function munmapRange(k: Kernel, pid: number, start: number, length: number): void {
  k.munmap(start, length, pid);
}
