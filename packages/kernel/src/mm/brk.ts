// brk (Linux's SYSCALL_DEFINE1(brk)): the program break moves within the heap region that starts at
// startBrk. The syscall rule: the new break on success, the current one on failure (brk(0) queries that way).
// Comparisons use the page-aligned values while the break keeps its byte value; shrinking always succeeds
// and unmaps the released pages (foreign mappings there too); growing needs [old break, new break + one page)
// free (a stack region counts from its guard gap) and maps from the old aligned break, merging with the heap.

import type { KernelContext } from '../kernel-context.js';
import { checkUnsigned, pageAlign } from './args.js';
import { STACK_GUARD_GAP_PAGES } from './layout.js';
import { wouldOvercommit } from './mmap.js';
import { unmapRange } from './munmap.js';
import { MAP_ANONYMOUS, MAP_GROWSDOWN, MAP_PRIVATE, PROT_READ, PROT_WRITE } from './vma.js';

export function doBrk(ctx: KernelContext, pid: number, addr: unknown): number {
  const p = ctx.procs.live(pid);
  const space = p.space!;
  const brk = checkUnsigned('brk', addr);
  const orig = space.brk;
  if (brk < space.startBrk || brk > ctx.vaLimit) return orig;
  const newbrk = pageAlign(ctx, brk);
  const oldbrk = pageAlign(ctx, orig);
  if (newbrk === oldbrk) {
    space.brk = brk;
    return brk;
  }
  if (brk <= orig) {
    // Always allow shrinking: the released pages go, whoever mapped them.
    space.brk = brk;
    unmapRange(ctx, p, newbrk, oldbrk);
    ctx.afterOperation();
    return brk;
  }
  if (newbrk + ctx.pageSize > ctx.vaLimit) return orig;
  // At least one free page must stay above the heap; a stack region counts from its guard gap.
  const guard = STACK_GUARD_GAP_PAGES * ctx.pageSize;
  const next = space.vmas.after(oldbrk);
  if (next !== undefined) {
    const gapStart = (next.flags & MAP_GROWSDOWN) !== 0 ? next.start - guard : next.start;
    if (newbrk + ctx.pageSize > gapStart) return orig;
  }
  if (space.vmas.count > ctx.maxMapCount) return orig;
  if (wouldOvercommit(ctx, newbrk - oldbrk, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS)) return orig;
  space.vmas.insert({ start: oldbrk, end: newbrk, prot: PROT_READ | PROT_WRITE, flags: MAP_PRIVATE | MAP_ANONYMOUS });
  space.brk = brk;
  ctx.afterOperation();
  return brk;
}
