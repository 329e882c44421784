// Checking a user range before touching it (in the spirit of Linux's access_ok / fault_in_*): region,
// protection and the frames the faults will need, page by page in the order the MMU would fault them,
// with the hardware's wrap at the top of a 32-bit space (and, in a file mapping, SIGBUS past the file's
// last page). A probe changes nothing.

import { ACCESS_READ, ACCESS_WRITE, isSwapEntry, PTE_W, swapEntrySlot } from '@vmsim/hw';
import { SEGV_ACCERR, SEGV_MAPERR, VM_FAULT_OOM, VM_FAULT_SIGBUS } from '../codes.js';
import { fileIndex } from '../fs/file-mapping.js';
import { fileFaultFrames } from '../fs/page-cache.js';
import type { KernelContext } from '../kernel-context.js';
import { MAP_SHARED } from '../mm/vma.js';
import type { Process } from '../proc/process.js';

/** A probe's answer: `code` ≥ 0 is the frames needed; negative, the refusal, at `va`. */
export interface Probe {
  readonly code: number;
  readonly va: number;
  /**
   * Of a write probe that succeeded: the frames its faults will load that reclaim tracks (and charges against
   * the memory limits): private anonymous zero-fills, copies and swap-ins that read their slot, and shared file
   * pages read into the page cache. 0 for a read probe or a refusal.
   */
  readonly loads: number;
}

/**
 * Frames that writing [va, va + length) will need (zero-fills, COW copies, tables), or SEGV_MAPERR /
 * SEGV_ACCERR with the refused address. `inOrder`: refuse with VM_FAULT_OOM at the first page whose
 * fault could not be resolved, as the MMU would meet it.
 */
export function probeWrite(ctx: KernelContext, p: Process, va: number, length: number, inOrder: boolean): Probe {
  const space = p.space!;
  let needed = 0;
  let loads = 0;
  let page = ctx.pageBase(va);
  const pages = Math.ceil((va - page + length) / ctx.pageSize);
  for (let i = 0; i < pages; i++, page = ctx.nextPage(page)) {
    const at = i === 0 ? va : page;
    const vma = space.vmas.find(page);
    if (vma === undefined) return { code: SEGV_MAPERR, va: at, loads: 0 };
    if (!ctx.protPermits(vma.prot, ACCESS_WRITE)) return { code: SEGV_ACCERR, va: at, loads: 0 };
    const shared = (vma.flags & MAP_SHARED) !== 0;
    if (!space.find(page)) {
      let extra: number;
      if (vma.file !== undefined) {
        extra = fileFaultFrames(ctx, vma.file, fileIndex(ctx, vma, page), !shared);
        if (extra < 0) return { code: VM_FAULT_SIGBUS, va: at, loads: 0 };
        // A shared page read into the cache is tracked; a private write's copy (doCowFault) is not.
        if (shared) loads += extra;
      } else if (vma.shm !== undefined) {
        extra = 1;
      } else {
        extra = anonymousWriteLoads(ctx, space.foundPa);
        loads += extra;
      }
      needed += space.tablesNeeded(page) + extra;
    } else if ((space.foundFlags & PTE_W) === 0 && (space.foundPfn === ctx.zeroPfn || ctx.frames.refCount(space.foundPfn) > 1)) {
      needed += 1;
      // A private anonymous page's copy (fault/wp-page.ts); a file page's private copy is not tracked.
      if (vma.file === undefined && !shared) loads++;
    }
    if (inOrder && !ctx.haveFrames(needed, p.pid)) return { code: VM_FAULT_OOM, va: at, loads: 0 };
  }
  return { code: needed, va, loads };
}

/**
 * Frames a write loads at a private anonymous page with no present entry (`entryPa`: its entry, -1 when a
 * table is missing): a zero-fill (1); for a swap entry, the swap-in unless the page is in the swap cache, and
 * a copy unless the page will be this entry's alone (fault/swap.ts: other entries of the slot, or other
 * mappings of the cached frame, make it copy-on-write).
 */
function anonymousWriteLoads(ctx: KernelContext, entryPa: number): number {
  if (entryPa < 0) return 1;
  const lo = ctx.ram.view.getUint32(entryPa, true);
  const hi = ctx.model.entryBytes === 8 ? ctx.ram.view.getUint32(entryPa + 4, true) : 0;
  if (!isSwapEntry(lo, hi)) return 1;
  const slot = swapEntrySlot(lo, hi);
  const pfn = ctx.swapCache.pfnOf(slot);
  const cached = pfn >= 0;
  const entries = ctx.swap.refCount(slot) - (cached ? 1 : 0);
  const copy = entries > 1 || (cached && ctx.rmap.count(pfn) > 0);
  return (cached ? 0 : 1) + (copy ? 1 : 0);
}

/** The same for reading [va, va + length): an unpopulated page needs only the tables to map the zero page. */
export function probeRead(ctx: KernelContext, p: Process, va: number, length: number): Probe {
  const space = p.space!;
  let needed = 0;
  let page = ctx.pageBase(va);
  const pages = Math.ceil((va - page + length) / ctx.pageSize);
  for (let i = 0; i < pages; i++, page = ctx.nextPage(page)) {
    const at = i === 0 ? va : page;
    const vma = space.vmas.find(page);
    if (vma === undefined) return { code: SEGV_MAPERR, va: at, loads: 0 };
    if (!ctx.protPermits(vma.prot, ACCESS_READ)) return { code: SEGV_ACCERR, va: at, loads: 0 };
    if (!space.find(page)) {
      const extra = vma.file === undefined ? 0 : fileFaultFrames(ctx, vma.file, fileIndex(ctx, vma, page), false);
      if (extra < 0) return { code: VM_FAULT_SIGBUS, va: at, loads: 0 };
      needed += space.tablesNeeded(page) + extra;
    }
    if (!ctx.haveFrames(needed, p.pid)) return { code: VM_FAULT_OOM, va: at, loads: 0 };
  }
  return { code: needed, va, loads: 0 };
}
