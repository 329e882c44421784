// The page-fault handler (Linux's handle_mm_fault → handle_pte_fault): find the region, check its
// protection, read the leaf, and hand the fault to doAnonymousPage (no entry) or doWpPage (a write to a
// read-only entry). An entry that already allows the access was a stale TLB entry (spurious: flushed).
// Every branch checks what it needs before it changes anything; a refused fault changes nothing.

import { ACCESS_WRITE, isSwapEntry, PTE_W, type AccessKind } from '@vmsim/hw';
import {
  ACCESS_LABELS, ERR_OOM_KILLED, PG_COW_COPY, PG_COW_REUSE, PG_SHARED_MAP, PG_SHARED_WRITE, PG_SPURIOUS, PG_ZERO_FILL, PG_ZERO_MAP,
  SEGV_ACCERR, SEGV_MAPERR, VM_FAULT_OOM, VM_FAULT_SIGBUS,
} from '../codes.js';
import type { FaultResolution } from '../events.js';
import type { KernelContext } from '../kernel-context.js';
import { flushTlbPage } from '../mm/tlb-flush.js';
import { VM_PFNMAP } from '../mm/vma.js';
import type { Process } from '../proc/process.js';
import { doSharedAnonPage } from '../mm/shmem.js';
import { expandStack } from '../mm/stack.js';
import { signalFor } from '../proc/signal.js';
import { doAnonymousPage } from './anonymous.js';
import { doFileFault } from './file.js';
import { doSwapPage } from './swap.js';
import { VmFault } from './vm-fault.js';
import { doWpPage } from './wp-page.js';

/** Resolves a fault of `p` at `va`: a positive PG_* code, or a negative code and nothing changed. */
export function handleMmFault(ctx: KernelContext, p: Process, va: number, access: AccessKind): number {
  const space = p.space!;
  const vma = space.findVma(va) ?? expandStack(ctx, space, va);
  if (vma === undefined) return faultFailed(ctx, p, va, access, SEGV_MAPERR);
  if (!ctx.protPermits(vma.prot, access)) return faultFailed(ctx, p, va, access, SEGV_ACCERR);
  // A device/linear region's pages are all entered when it is made: a fault there is device memory (bus error).
  if ((vma.flags & VM_PFNMAP) !== 0) return faultFailed(ctx, p, va, access, VM_FAULT_SIGBUS);
  // The page by a mask (va is a non-negative integer here: the MMU's or a checked one); `%` is a division.
  const page = va - (va & (ctx.pageSize - 1));
  space.find(page);
  const vmf = new VmFault(p, space, vma, va, page, access, space.foundPa, space.foundValid, space.foundPfn, space.foundFlags);
  if (!vmf.present && vma.file !== undefined) return doFileFault(ctx, vmf);
  if (!vmf.present && space.foundPa >= 0) {
    const lo = ctx.ram.view.getUint32(space.foundPa, true);
    const hi = ctx.model.entryBytes === 8 ? ctx.ram.view.getUint32(space.foundPa + 4, true) : 0;
    if (isSwapEntry(lo, hi)) return doSwapPage(ctx, vmf, lo, hi);
  }
  // A write to a swap-cached page no swap entry waits for: the slot's copy is about to go stale, so the cache
  // lets go first and doWpPage sees the frame's real sharers (Linux's reuse_swap_page).
  if (vmf.present && access === ACCESS_WRITE && ctx.swapCache.size !== 0) {
    const slot = ctx.swapCache.slotOf(vmf.pfn);
    if (slot >= 0 && ctx.swap.refCount(slot) === 1) ctx.dropSwapCache(vmf.pfn);
  }
  let code: number;
  if (!vmf.present) code = vma.shm !== undefined ? doSharedAnonPage(ctx, vmf, vma.shm) : doAnonymousPage(ctx, vmf);
  else if (access === ACCESS_WRITE && (vmf.flags & PTE_W) === 0) code = doWpPage(ctx, vmf);
  else code = spuriousFault(ctx, vmf);
  return code < 0 ? faultFailed(ctx, p, va, access, code) : faultDone(ctx, p, va, access, code);
}

/**
 * The tables already allow the access, so the MMU used a stale TLB entry: flush it and let the access
 * retry. If they do not, the entry is not one this kernel writes: a bus error rather than a loop.
 */
function spuriousFault(ctx: KernelContext, vmf: VmFault): number {
  if (!ctx.model.permits(vmf.flags, vmf.access, true, ctx.mmu.control)) return VM_FAULT_SIGBUS;
  flushTlbPage(ctx, vmf.space, vmf.page);
  return PG_SPURIOUS;
}

const RESOLUTIONS: readonly FaultResolution[] = ['segv', 'zero-fill', 'cow-copy', 'cow-reuse', 'zero-map', 'spurious', 'shared-write', 'shared-map'];

/** Counts a resolved fault and reports it. */
function faultDone(ctx: KernelContext, p: Process, va: number, access: AccessKind, code: number): number {
  const counts = ctx.counts;
  switch (code) {
    case PG_ZERO_FILL: counts.zeroFill++; break;
    case PG_ZERO_MAP: counts.zeroMap++; break;
    case PG_COW_COPY: counts.cowCopy++; break;
    case PG_COW_REUSE: counts.cowReuse++; break;
    case PG_SHARED_WRITE: counts.sharedWrite++; break;
    case PG_SHARED_MAP: counts.sharedMap++; break;
    default: counts.spurious++;
  }
  if (ctx.listening) ctx.emit({ type: 'fault', pid: p.pid, va, access: ACCESS_LABELS[access], resolution: RESOLUTIONS[code]! });
  return code;
}

/** Counts a refused fault (segfault, SIGBUS or out of memory apart) and reports it. */
export function faultFailed(ctx: KernelContext, p: Process, va: number, access: AccessKind, code: number): number {
  // Reclaim's OOM killer took the faulting process itself: the access fails with its own code.
  if (code === VM_FAULT_OOM && p.state === 'terminated') code = ERR_OOM_KILLED;
  const signal = signalFor(code, va, ACCESS_LABELS[access]);
  if (signal !== null) p.siginfo = signal;
  let resolution: FaultResolution;
  if (code === VM_FAULT_OOM || code === ERR_OOM_KILLED) {
    ctx.counts.oom++;
    resolution = 'oom';
  } else if (code === VM_FAULT_SIGBUS) {
    ctx.counts.sigbus++;
    resolution = 'sigbus';
  } else {
    ctx.counts.segfault++;
    resolution = 'segv';
  }
  if (ctx.listening) ctx.emit({ type: 'fault', pid: p.pid, va, access: ACCESS_LABELS[access], resolution });
  return code;
}
