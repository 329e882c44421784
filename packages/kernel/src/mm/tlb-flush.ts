// TLB shootdown for one address space: a page (after a PTE was downgraded or moved) or the whole space
// (after fork write-protected it). With ASIDs only that space's tagged entries go; without, the TLB holds
// entries of the running space only, so a sleeping space has nothing cached.

import type { KernelContext } from '../kernel-context.js';
import type { AddressSpace } from './address-space.js';

/** Drops the TLB entries a space may have for one page. */
export function flushTlbPage(ctx: KernelContext, space: AddressSpace, page: number): void {
  const vpn = Math.floor(page / ctx.pageSize);
  if (ctx.model.asidBits > 0) {
    if (space.asid >= 0) ctx.mmu.tlb.flushPageAsid(vpn, space.asid);
  } else {
    const cur = ctx.procs.current;
    if (cur !== null && cur.space === space) ctx.mmu.tlb.flushPage(vpn);
  }
}

/** Drops every TLB entry a space may have. */
export function flushTlbSpace(ctx: KernelContext, space: AddressSpace): void {
  if (ctx.model.asidBits > 0) {
    if (space.asid >= 0) ctx.mmu.tlb.flushAsid(space.asid);
  } else {
    const cur = ctx.procs.current;
    if (cur !== null && cur.space === space) ctx.mmu.tlb.flushNonGlobal();
  }
}
