// The hardware Accessed bits as a replacement policy reads them (Linux's folio_referenced): for a frame,
// every entry the reverse map names is read; each one with A set has it cleared and its TLB entry flushed,
// so the next access walks the tables again and the MMU sets A anew. The clock family of
// @vmsim/replacement (clock, nru, aging, wsclock) takes this object as its `accessed` source.

import { PTE_A } from '@vmsim/hw';
import type { AccessedBits } from '@vmsim/replacement';
import type { KernelContext } from '../kernel-context.js';
import { flushTlbPage } from './tlb-flush.js';

export class PageTableAccessedBits implements AccessedBits {
  constructor(private readonly ctx: KernelContext) {}

  /** Was frame `pfn` referenced through any of its entries since the last call? Clears every A bit it finds. */
  testAndClearAccessed(pfn: number): boolean {
    const ctx = this.ctx;
    let young = false;
    for (const { space, va } of ctx.rmap.mappers(pfn)) {
      if (!space.find(va) || space.foundPfn !== pfn) continue;
      const flags = space.foundFlags;
      if ((flags & PTE_A) === 0) continue;
      space.setLeaf(space.foundPa, pfn, flags & ~PTE_A);
      flushTlbPage(ctx, space, va);
      young = true;
    }
    return young;
  }
}
