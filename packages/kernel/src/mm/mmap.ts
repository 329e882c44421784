// Creating regions (Linux's mm/mmap.c): rust-vmem's `register` (one private anonymous read-write page,
// mapped to the zero page at once) and mmap (do_mmap → get_unmapped_area → mmap_region), which maps nothing
// until the first touch. Every check comes before any change, so a refused mmap leaves the machine as it was.

import { ACCESS_READ, ACCESS_WRITE } from '@vmsim/hw';
import {
  AddressSpaceError, AlreadyMappedError, InvalidArgumentError, InvalidSizeError, MapCountError,
  NotAlignedError, NotPermittedError, OvercommitError,
} from '../errors.js';
import { mapZeroPage } from '../fault/anonymous.js';
import { handleMmFault } from '../fault/handle-mm-fault.js';
import { checkFileAccess, mmapFile } from '../fs/file-mapping.js';
import type { KernelContext } from '../kernel-context.js';
import type { Process } from '../proc/process.js';
import { checkInteger, checkLength, checkUnsigned, pageAlign } from './args.js';
import { MMAP_BASE, MMAP_MIN_ADDR, THP_ALIGN } from './layout.js';
import { checkSplitLimit, unmapRange } from './munmap.js';
import {
  MAP_ANONYMOUS, MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_NORESERVE, MAP_POPULATE, MAP_PRIVATE, MAP_SHARED,
  MAP_SHARED_VALIDATE, PROT_MASK, PROT_NONE, PROT_READ, PROT_WRITE, REGION_FLAGS, SharedAnon, type Vma,
} from './vma.js';

export function registerPage(ctx: KernelContext, va: number, pid: number): void {
  const p = ctx.procs.live(pid);
  ctx.checkVa(va);
  const space = p.space!;
  const page = ctx.pageBase(va);
  if (space.vmas.find(page) !== undefined) throw new AlreadyMappedError(pid, va);
  ctx.requireFrames('register', space.tablesNeeded(page), pid);
  const vma = { start: page, end: page + ctx.pageSize, prot: PROT_READ | PROT_WRITE, flags: MAP_PRIVATE | MAP_ANONYMOUS };
  space.vmas.insert(vma);
  mapZeroPage(ctx, p, page, vma.prot);
  ctx.afterOperation();
}

/**
 * mmap: returns the address of the new region. Without MAP_ANONYMOUS the region maps the file open as `fd`
 * (fs/file-mapping.ts checks the descriptor before anything changes, and makes the region).
 */
export function doMmap(
  ctx: KernelContext, pid: number, addr: unknown, length: unknown, prot: unknown, flags: unknown, fd: unknown, offset: unknown,
): number {
  const p = ctx.procs.live(pid);
  const space = p.space!;
  let hint = checkUnsigned('addr', addr);
  const len = checkLength('mmap', length);
  // mmap ignores unknown protection bits (measured); mprotect refuses them.
  const protection = checkInteger('prot', prot) & PROT_MASK;
  const f = checkInteger('flags', flags);
  const descriptor = checkInteger('fd', fd);
  const off = checkUnsigned('offset', offset);
  if (off % ctx.pageSize !== 0) throw new NotAlignedError('offset', off, ctx.pageSize);
  const anonymous = (f & MAP_ANONYMOUS) !== 0;
  // The descriptor is looked up right after the offset check (EBADF), as Linux does.
  if (!anonymous) ctx.files.get(pid, descriptor);
  if (len === 0) throw new InvalidSizeError('mmap', length, 'length 0');
  const fixed = (f & (MAP_FIXED | MAP_FIXED_NOREPLACE)) !== 0;
  if (!fixed) hint = roundHintToMin(ctx, hint);
  const size = pageAlign(ctx, len);
  if (size > ctx.vaLimit) throw new AddressSpaceError(pid, size, 'longer than the user address space');
  // Linux compares before adding: a process at the limit may still reach limit + 1.
  if (space.vmas.count > ctx.maxMapCount) throw new MapCountError(pid, space.vmas.count, ctx.maxMapCount);
  const type = f & MAP_SHARED_VALIDATE;
  const shared = type === MAP_SHARED;
  const start = getUnmappedArea(ctx, p, hint, size, fixed, !shared && hint === 0);
  if ((f & MAP_FIXED_NOREPLACE) !== 0 && space.vmas.overlaps(start, start + size)) throw new AlreadyMappedError(pid, start);
  if (type !== MAP_PRIVATE && type !== MAP_SHARED) {
    throw new InvalidArgumentError('flags', f, 'a mapping takes exactly one of MAP_PRIVATE and MAP_SHARED');
  }
  if (!anonymous) checkFileAccess(ctx, pid, descriptor, protection, f);
  if (fixed) checkSplitLimit(ctx, p, start, start + size);
  checkOvercommit(ctx, size, protection, f);
  if (fixed) unmapRange(ctx, p, start, start + size);
  if (!anonymous) {
    mmapFile(ctx, pid, start, size, protection, f & (MAP_PRIVATE | MAP_SHARED), descriptor, off);
    if ((f & MAP_POPULATE) !== 0 && protection !== PROT_NONE) populate(ctx, p, start, start + size, (protection & PROT_WRITE) !== 0 && !shared);
    return start;
  }
  const vma: Vma = {
    start,
    end: start + size,
    prot: protection,
    flags: f & REGION_FLAGS & ~(shared ? MAP_PRIVATE : MAP_SHARED),
    ...(shared ? { shm: new SharedAnon() } : {}),
  };
  space.vmas.insert(vma);
  if ((f & MAP_POPULATE) !== 0 && protection !== PROT_NONE) populate(ctx, p, start, start + size, (protection & PROT_WRITE) !== 0);
  ctx.afterOperation();
  return start;
}

/** A non-NULL hint is rounded down to a page and raised to the lowest mapping address (round_hint_to_min). */
function roundHintToMin(ctx: KernelContext, hint: number): number {
  const page = ctx.pageBase(hint);
  return page !== 0 && page < MMAP_MIN_ADDR ? MMAP_MIN_ADDR : page;
}

/**
 * Where the region goes (arch_get_unmapped_area_topdown): a fixed address as given (aligned, inside user
 * space, not below the minimum); a free hint as given; otherwise the highest free gap below MMAP_BASE, then
 * the lowest one above it. A NULL-hint private mapping whose length is a multiple of 2 MiB is placed on a
 * 2 MiB boundary on the 64-bit models, by searching for 2 MiB more and aligning up, as Linux's THP does.
 */
function getUnmappedArea(ctx: KernelContext, p: Process, hint: number, size: number, fixed: boolean, thpCandidate: boolean): number {
  const vmas = p.space!.vmas;
  const limit = ctx.vaLimit;
  if (fixed) {
    if (hint % ctx.pageSize !== 0) throw new NotAlignedError('addr', hint, ctx.pageSize);
    if (size > limit - hint) throw new AddressSpaceError(p.pid, size, `0x${hint.toString(16)} + length runs past the end of user space`);
    if (hint < MMAP_MIN_ADDR) throw new NotPermittedError('mmap', hint, `below mmap_min_addr (0x${MMAP_MIN_ADDR.toString(16)})`);
    return hint;
  }
  if (hint !== 0 && size <= limit - hint && !vmas.overlaps(hint, hint + size)) return hint;
  const thp = thpCandidate && ctx.model.signExtendedVa === true && size % THP_ALIGN === 0;
  const want = thp ? size + THP_ALIGN : size;
  let start = vmas.highestGap(want, MMAP_MIN_ADDR, Math.min(MMAP_BASE, limit));
  if (start < 0) start = vmas.lowestGap(want, MMAP_BASE, limit);
  if (start < 0) throw new AddressSpaceError(p.pid, size, 'no free range of the address space is long enough');
  return thp ? Math.ceil(start / THP_ALIGN) * THP_ALIGN : start;
}

/**
 * Linux's default overcommit heuristic (mode 0): a mapping that is charged (private writable, or shared
 * anonymous) and larger than RAM plus swap (none here) is refused; MAP_NORESERVE is not charged.
 */
export function checkOvercommit(ctx: KernelContext, size: number, prot: number, flags: number): void {
  if (wouldOvercommit(ctx, size, prot, flags)) throw new OvercommitError(size / ctx.pageSize, ctx.frames.total + ctx.swap.slots);
}

export function wouldOvercommit(ctx: KernelContext, size: number, prot: number, flags: number): boolean {
  if ((flags & MAP_NORESERVE) !== 0) return false;
  const charged = (flags & MAP_SHARED_VALIDATE) === MAP_SHARED || (prot & PROT_WRITE) !== 0;
  return charged && size / ctx.pageSize > ctx.frames.total + ctx.swap.slots;
}

/** MAP_POPULATE: fault every page in now, as far as frames last (best effort: the mmap stands either way). */
function populate(ctx: KernelContext, p: Process, start: number, end: number, write: boolean): void {
  for (let va = start; va < end; va += ctx.pageSize) {
    if (handleMmFault(ctx, p, va, write ? ACCESS_WRITE : ACCESS_READ) < 0) return;
  }
}
