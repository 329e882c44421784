// munmap (Linux's do_vmi_munmap): an aligned address and a length rounded up to pages; nothing mapped there
// is success; regions are trimmed or split, their pages unmapped, their frames freed with the last mapping,
// each unmapped page's TLB entry flushed and the tables no region reaches freed. A hole in the middle of a
// region makes one more region, refused at the map-count limit.

import { InvalidAddressError, InvalidSizeError, MapCountError } from '../errors.js';
import { afterFileUnmap, beforeFileUnmap } from '../fs/file-mapping.js';
import type { KernelContext } from '../kernel-context.js';
import type { Process } from '../proc/process.js';
import { checkAligned, checkLength, checkUnsigned, pageAlign } from './args.js';
import { releaseSharedAnon } from './shmem.js';
import { zapRange } from './zap.js';

export function doMunmap(ctx: KernelContext, pid: number, addr: unknown, length: unknown): void {
  const p = ctx.procs.live(pid);
  const start = checkUnsigned('addr', addr);
  const len = checkLength('munmap', length);
  checkAligned(ctx, 'addr', start);
  if (start > ctx.vaLimit) throw new InvalidAddressError(start, 'past the end of user space', 'EINVAL');
  const size = pageAlign(ctx, len);
  if (size === 0) throw new InvalidSizeError('munmap', length, 'length 0');
  if (size > ctx.vaLimit - start) throw new InvalidAddressError(start, `${size} bytes run past the end of user space`, 'EINVAL');
  checkSplitLimit(ctx, p, start, start + size);
  unmapRange(ctx, p, start, start + size);
  ctx.afterOperation();
}

/** Refuses (MapCountError) a hole in the middle of a region when the process is at the map-count limit. */
export function checkSplitLimit(ctx: KernelContext, p: Process, start: number, end: number): void {
  const vmas = p.space!.vmas;
  const vma = vmas.find(start);
  if (vma !== undefined && vma.start < start && vma.end > end && vmas.count >= ctx.maxMapCount) {
    throw new MapCountError(p.pid, vmas.count, ctx.maxMapCount);
  }
}

/** Removes [start, end) from `p`'s regions and tables (the checks are done); frees what no one maps any more. */
export function unmapRange(ctx: KernelContext, p: Process, start: number, end: number): void {
  const space = p.space!;
  if (!space.vmas.overlaps(start, end)) return;
  // Dirty file pages in the range reach the file first; cached pages no mapping holds are freed after.
  beforeFileUnmap(ctx, p, start, end);
  const removed = space.vmas.remove(start, end);
  // One walk over the whole range: a table two removed pieces share is freed only after both are cleared.
  zapRange(ctx, space, p.pid, removed[0]!.start, removed.at(-1)!.end);
  releaseSharedAnon(ctx, removed, null);
  afterFileUnmap(ctx);
}
