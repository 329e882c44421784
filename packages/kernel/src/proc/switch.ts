// Context switch and process creation: the MMU gets the new root and ASID; the old process sleeps.
// spawn lives here too: it makes an empty address space and runs it when nothing else runs.

import type { KernelContext } from '../kernel-context.js';
import { AddressSpace } from '../mm/address-space.js';
import { FRAME_TABLE } from '../mm/frame-allocator.js';
import { Process } from './process.js';

/** A process with an empty address space (one root table). The first one becomes current and runs. */
export function spawnProcess(ctx: KernelContext): Process {
  ctx.requireFrames('spawn', 1);
  const root = ctx.allocFrame(FRAME_TABLE);
  const p = new Process(ctx.procs.nextPid++, -1, new AddressSpace(ctx.ram, ctx.model, ctx.frames, root));
  ctx.procs.add(p);
  if (ctx.procs.current === null) switchTo(ctx, p.pid);
  ctx.afterOperation();
  return p;
}

export function switchTo(ctx: KernelContext, pid: number): void {
  const p = ctx.procs.live(pid);
  const from = ctx.procs.current;
  if (from === p && p.state === 'running') return;
  if (from !== null && from !== p && from.state === 'running') from.state = 'sleeping';
  const space = p.space!;
  if (space.asid < 0) ctx.asids.assign(p, ctx.procs, ctx.mmu.tlb);
  ctx.mmu.setRoot(space.rootPfn, space.asid);
  // Without ASIDs every space tags its entries 0; if loading the root register does not flush the TLB
  // (RISC-V with ASIDLEN 0, unlike x86), the kernel must, or the new space would use the old one's entries.
  if (ctx.model.asidBits === 0 && !ctx.model.rootWriteFlushesTlb) ctx.mmu.tlb.flushNonGlobal();
  p.state = 'running';
  ctx.procs.current = p;
  if (ctx.listening) ctx.emit({ type: 'switch', from: from === null ? -1 : from.pid, to: p.pid });
}
