// Checking a user range before touching it (in the spirit of Linux's access_ok / fault_in_*): region,
// protection and the frames the faults will need, page by page in the order the MMU would fault them,
// with the hardware's wrap at the top of a 32-bit space (and, in a file mapping, SIGBUS past the file's
// last page). A probe changes nothing.

import { ACCESS_READ, ACCESS_WRITE, PTE_W } from '@vmsim/hw';
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
}

/**
 * Frames that writing [va, va + length) will need (zero-fills, COW copies, tables), or SEGV_MAPERR /
 * SEGV_ACCERR with the refused address. `inOrder`: refuse with VM_FAULT_OOM at the first page whose
 * fault could not be resolved, as the MMU would meet it.
 */
export function probeWrite(ctx: KernelContext, p: Process, va: number, length: number, inOrder: boolean): Probe {
  const space = p.space!;
  let needed = 0;
  let page = ctx.pageBase(va);
  const pages = Math.ceil((va - page + length) / ctx.pageSize);
  for (let i = 0; i < pages; i++, page = ctx.nextPage(page)) {
    const at = i === 0 ? va : page;
    const vma = space.vmas.find(page);
    if (vma === undefined) return { code: SEGV_MAPERR, va: at };
    if (!ctx.protPermits(vma.prot, ACCESS_WRITE)) return { code: SEGV_ACCERR, va: at };
    if (!space.find(page)) {
      const extra = vma.file === undefined ? 1 : fileFaultFrames(ctx, vma.file, fileIndex(ctx, vma, page), (vma.flags & MAP_SHARED) === 0);
      if (extra < 0) return { code: VM_FAULT_SIGBUS, va: at };
      needed += space.tablesNeeded(page) + extra;
    }
    else if ((space.foundFlags & PTE_W) === 0 && (space.foundPfn === ctx.zeroPfn || ctx.frames.refCount(space.foundPfn) > 1)) needed += 1;
    if (inOrder && !ctx.haveFrames(needed, p.pid)) return { code: VM_FAULT_OOM, va: at };
  }
  return { code: needed, va };
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
    if (vma === undefined) return { code: SEGV_MAPERR, va: at };
    if (!ctx.protPermits(vma.prot, ACCESS_READ)) return { code: SEGV_ACCERR, va: at };
    if (!space.find(page)) {
      const extra = vma.file === undefined ? 0 : fileFaultFrames(ctx, vma.file, fileIndex(ctx, vma, page), false);
      if (extra < 0) return { code: VM_FAULT_SIGBUS, va: at };
      needed += space.tablesNeeded(page) + extra;
    }
    if (!ctx.haveFrames(needed, p.pid)) return { code: VM_FAULT_OOM, va: at };
  }
  return { code: needed, va };
}
