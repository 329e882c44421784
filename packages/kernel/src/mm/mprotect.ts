// mprotect (Linux's do_mprotect_pkey): region by region from the start of the range, each part changed is
// split off and given the new protection (merging with equal neighbours), and its present entries are
// rewritten, the TLB entry of every entry that changed flushed. Like Linux it is not atomic: a hole in the
// range, or a split refused at the map-count limit, ends it with ENOMEM after the regions before it changed.

import { PTE_A, PTE_D, PTE_R, PTE_V, PTE_W } from '@vmsim/hw';
import { InvalidArgumentError, MapCountError, PermissionDeniedError, RegionNotFoundError } from '../errors.js';
import { PTE_COW } from '../fault/wp-page.js';
import type { KernelContext } from '../kernel-context.js';
import type { Process } from '../proc/process.js';
import { checkAligned, checkLength, checkUnsigned, checkInteger, pageAlign } from './args.js';
import { checkOvercommit } from './mmap.js';
import { flushTlbPage } from './tlb-flush.js';
import { MAP_SHARED, PROT_MASK, PROT_NONE, PROT_WRITE, sameKind, type Vma } from './vma.js';

export function doMprotect(ctx: KernelContext, pid: number, addr: unknown, length: unknown, prot: unknown): void {
  const p = ctx.procs.live(pid);
  const start = checkUnsigned('addr', addr);
  const len = checkLength('mprotect', length);
  const protection = checkInteger('prot', prot);
  if ((protection & ~PROT_MASK) !== 0) throw new InvalidArgumentError('prot', protection, 'unknown protection bits');
  checkAligned(ctx, 'addr', start);
  if (len === 0) return;
  const end = start + pageAlign(ctx, len);
  const vmas = p.space!.vmas;
  let cur = start;
  while (cur < end) {
    if (cur >= ctx.vaLimit) throw new RegionNotFoundError(pid, cur);
    const vma = vmas.find(cur);
    if (vma === undefined) {
      ctx.afterOperation();
      throw new RegionNotFoundError(pid, cur);
    }
    const pieceEnd = Math.min(end, vma.end);
    if ((protection & PROT_WRITE) !== 0 && (vma.flags & MAP_SHARED) !== 0 && vma.mayWrite === false) {
      // VM_MAYWRITE clear (a shared file region of a descriptor not open for writing): EACCES, after the
      // regions before it were changed, as Linux's loop does.
      ctx.afterOperation();
      throw new PermissionDeniedError(pid, cur, 'write');
    }
    if (vma.prot !== protection) {
      const splits = splitsNeeded(p, vma, cur, pieceEnd, protection);
      if (splits > 0 && vmas.count + splits - 1 >= ctx.maxMapCount) {
        ctx.afterOperation();
        throw new MapCountError(pid, vmas.count, ctx.maxMapCount);
      }
      if ((vma.flags & MAP_SHARED) === 0 && (vma.prot & PROT_WRITE) === 0) checkOvercommit(ctx, pieceEnd - cur, protection, vma.flags);
      changeProtection(ctx, p, vma, cur, pieceEnd, protection);
    }
    cur = pieceEnd;
  }
  ctx.afterOperation();
}

/** How many new regions giving [start, end) of `vma` the protection `prot` makes (a merge at an edge needs none). */
function splitsNeeded(p: Process, vma: Vma, start: number, end: number, prot: number): number {
  const vmas = p.space!.vmas;
  const changed = { ...vma, prot };
  const left = vma.start < start;
  const right = end < vma.end;
  if (left && right) return 2;
  if (left) {
    const next = vmas.after(vma.end);
    return next !== undefined && next.start === vma.end && sameKind(next, changed) ? 0 : 1;
  }
  if (right) {
    const prev = vmas.before(vma.start);
    return prev !== undefined && prev.end === vma.start && sameKind(prev, changed) ? 0 : 1;
  }
  return 0;
}

function changeProtection(ctx: KernelContext, p: Process, vma: Vma, start: number, end: number, prot: number): void {
  const space = p.space!;
  const [piece] = space.vmas.remove(start, end);
  space.vmas.insert({ ...piece!, prot });
  // The present entries: rights from the new protection; W only where the entry had it and may keep it
  // (a private page never gains W here: the next write takes the fault path, which reuses or copies).
  const keepWritable = (prot & PROT_WRITE) !== 0;
  space.forEachLeafIn(start, end, (va, entryPa, pfn, old) => {
    const flags = protFlags(ctx, prot, keepWritable && (old & PTE_W) !== 0) | (old & (PTE_A | PTE_D | PTE_COW));
    // Compared as the hardware stores it: a bit the model has no room for (X on x86-32) changes nothing.
    const last = space.model.levels - 1;
    const view = ctx.ram.view;
    const same = view.getUint32(entryPa, true) === space.model.encodeLo(pfn, flags, last, true) >>> 0 &&
      (space.model.entryBytes !== 8 || view.getUint32(entryPa + 4, true) === space.model.encodeHi(pfn, flags, last, true) >>> 0);
    if (same) return;
    space.setLeaf(entryPa, pfn, flags);
    flushTlbPage(ctx, space, va);
  });
}

/**
 * The leaf flags of a page with protection `prot`. PROT_NONE keeps the page present for the kernel but not
 * for the user (no U bit), as Linux keeps a PROT_NONE page's frame behind a non-accessible entry.
 */
function protFlags(ctx: KernelContext, prot: number, writable: boolean): number {
  if (prot === PROT_NONE) return PTE_V | PTE_R;
  return ctx.leafFlags(prot, writable);
}
