// Tearing down an address space on exit (Linux's exit_mmap → unmap_vmas / free_pgtables): every leaf's
// frame loses a reference, then every table frame is freed, children before parents, in one visitor walk.

import type { PageTableVisitor } from '@vmsim/hw';
import type { KernelContext } from '../kernel-context.js';
import type { AddressSpace } from './address-space.js';

/** Unmaps everything `space` maps and frees its tables, the root last. Reports unmaps of process `pid`. */
export function zapAddressSpace(ctx: KernelContext, space: AddressSpace, pid: number): void {
  const visitor: PageTableVisitor = ctx.listening
    ? {
      leaf(va, _entryPa, pfn) {
        ctx.emit({ type: 'unmap', pid, va, pfn });
        ctx.unrefFrame(pfn);
      },
      tableDone: (pfn) => ctx.unrefFrame(pfn),
    }
    : {
      leaf: (_va, _entryPa, pfn) => ctx.frames.unref(pfn),
      tableDone: (pfn) => ctx.frames.unref(pfn),
    };
  space.visit(visitor);
}
