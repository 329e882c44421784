// Process exit (the kernel's kill): the address space is torn down (mm/zap.ts), the ASID given back and
// its TLB entries dropped; the process stays in the table as terminated (pids are never reused). Dirty
// file pages are written back before the teardown; descriptors are closed after it (fs/file-mapping.ts).

import { afterExit, beforeExit } from '../fs/file-mapping.js';
import type { KernelContext } from '../kernel-context.js';
import { zapAddressSpace } from '../mm/zap.js';

export function exitProcess(ctx: KernelContext, pid: number): void {
  const p = ctx.procs.live(pid);
  const space = p.space!;
  const vmas = space.vmas.toArray();
  // Only file regions have pages to write back (fs/file-mapping.ts looks at shared file regions alone).
  let fileMapped = false;
  for (let i = 0; i < vmas.length; i++) if (vmas[i]!.file !== undefined) fileMapped = true;
  if (fileMapped) beforeExit(ctx, p);
  zapAddressSpace(ctx, space, pid, vmas);
  const current = ctx.procs.current === p;
  if (space.asid >= 0 && ctx.model.asidBits > 0) {
    ctx.mmu.tlb.flushAsid(space.asid);
    ctx.asids.release(space.asid);
  } else if (current) {
    ctx.mmu.tlb.flushNonGlobal();
  }
  space.asid = -1;
  p.state = 'terminated';
  p.space = null;
  if (current) ctx.procs.current = null;
  afterExit(ctx, pid);
  if (ctx.listening) ctx.emit({ type: 'kill', pid });
  ctx.afterOperation();
}
