// MAP_SHARED anonymous memory (Linux's shmem behind mmap(MAP_SHARED | MAP_ANONYMOUS)): every page belongs to
// the region's SharedAnon object, which holds a reference on its frame, so all mappers (a forked child
// included) reach the same frame, even one that faults the page in after another wrote it. Never the zero
// page: the first touch, read or write, allocates a zeroed frame. The object's frames go when no region of
// any live process refers to it any more.

import { PG_SHARED_MAP, PG_ZERO_FILL, VM_FAULT_OOM } from '../codes.js';
import type { VmFault } from '../fault/vm-fault.js';
import type { KernelContext } from '../kernel-context.js';
import type { AddressSpace } from './address-space.js';
import { FRAME_DATA } from './frame-allocator.js';
import type { SharedAnon, Vma } from './vma.js';

/** A fault on a page of a shared anonymous region that has no entry: map the object's frame, making it if new. */
export function doSharedAnonPage(ctx: KernelContext, vmf: VmFault, shm: SharedAnon): number {
  const { space, page, vma } = vmf;
  const existing = shm.pages.get(page);
  if (!ctx.haveFrames(space.tablesNeeded(page) + (existing === undefined ? 1 : 0), vmf.process.pid)) return VM_FAULT_OOM;
  let pfn = existing;
  if (pfn === undefined) {
    pfn = ctx.allocFrame(FRAME_DATA);
    shm.pages.set(page, pfn); // the object's reference
  }
  space.map(page, pfn, ctx.leafFlags(vma.prot, true), ctx.allocTable);
  ctx.frames.ref(pfn);
  ctx.rmapAdd(pfn, space, vmf.process.pid, page);
  if (ctx.listening) ctx.emit({ type: 'map', pid: vmf.process.pid, va: page, pfn, writable: (vma.prot & 2) !== 0 });
  return existing === undefined ? PG_ZERO_FILL : PG_SHARED_MAP;
}

/**
 * After regions were removed (`removed`, from `space` or from a space that is going away: `dying`): every
 * shared object none of whose regions is left in a live space gives back its frames.
 */
export function releaseSharedAnon(ctx: KernelContext, removed: Iterable<Vma>, dying: AddressSpace | null): void {
  const candidates = new Set<SharedAnon>();
  for (const vma of removed) if (vma.shm !== undefined) candidates.add(vma.shm);
  if (candidates.size === 0) return;
  for (const p of ctx.procs.all()) {
    const space = p.space;
    if (space === null || space === dying) continue;
    for (const vma of space.vmas) {
      if (vma.shm !== undefined) candidates.delete(vma.shm);
    }
    if (candidates.size === 0) return;
  }
  for (const shm of candidates) {
    for (const pfn of shm.pages.values()) ctx.unrefFrame(pfn);
    shm.pages.clear();
  }
}

/** The frames every live shared object holds (for the invariant sweep: one reference each). */
export function sharedAnonHolds(ctx: KernelContext): number[] {
  const seen = new Set<SharedAnon>();
  const out: number[] = [];
  for (const p of ctx.procs.all()) {
    if (p.space === null) continue;
    for (const vma of p.space.vmas) {
      if (vma.shm === undefined || seen.has(vma.shm)) continue;
      seen.add(vma.shm);
      for (const pfn of vma.shm.pages.values()) out.push(pfn);
    }
  }
  return out;
}
