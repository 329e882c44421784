// fork (Linux's kernel/fork.c → dup_mm → dup_mmap): a child with a copy of the parent's regions and, per
// region, a copy of its page-table entries (mm/copy-page-range.ts). No data frame is copied; private
// writable pages become copy-on-write in both. The child is created sleeping.

import type { KernelContext } from '../kernel-context.js';
import { AddressSpace } from '../mm/address-space.js';
import { copyPageRange, type CopiedPte } from '../mm/copy-page-range.js';
import { FRAME_TABLE } from '../mm/frame-allocator.js';
import { flushTlbSpace } from '../mm/tlb-flush.js';
import { VM_PFNMAP } from '../mm/vma.js';
import { Process } from './process.js';

export function forkProcess(ctx: KernelContext, pid: number): Process {
  const parent = ctx.procs.live(pid);
  const ps = parent.space!;
  // The child needs at most as many tables as the parent, its root included.
  ctx.requireFrames('fork', ps.tables, pid);
  // The parent's regions, read once (an array, not the list's iterator). Device/linear regions belong to their
  // memory map (vmm/), not to the child (VM_DONTCOPY): the child's list drops them, when there are any.
  const regions = ps.vmas.toArray();
  const vmas = ps.vmas.clone();
  let pfnMapped = false;
  for (let i = 0; i < regions.length; i++) {
    const vma = regions[i]!;
    if ((vma.flags & VM_PFNMAP) === 0) continue;
    vmas.remove(vma.start, vma.end);
    pfnMapped = true;
  }
  const cs = new AddressSpace(ctx.ram, ctx.model, ctx.frames, ctx.allocFrame(FRAME_TABLE), vmas);
  cs.startBrk = ps.startBrk;
  cs.brk = ps.brk;
  const childPid = ctx.procs.nextPid++;
  const listening = ctx.listening;
  // Every entry copied is one more mapping of its frame: the reverse map (when kept) learns the child's, and
  // listeners hear of both sides. With neither, copyPageRange is told nothing per entry.
  const copied: CopiedPte | null = !ctx.rmapOn && !listening ? null : (va, pfn, childWritable, parentDowngraded) => {
    ctx.rmapAdd(pfn, cs, childPid, va);
    if (!listening) return;
    if (parentDowngraded) ctx.emit({ type: 'map', pid: parent.pid, va, pfn, writable: false });
    ctx.emit({ type: 'map', pid: childPid, va, pfn, writable: childWritable });
  };
  const swap = ctx.swap.slots > 0 ? ctx.swap : null;
  let downgraded = false;
  for (let i = 0; i < regions.length; i++) {
    const vma = regions[i]!;
    if (pfnMapped && (vma.flags & VM_PFNMAP) !== 0) continue;
    if (copyPageRange(ps, cs, vma, ctx.frames, ctx.allocTable, copied, swap)) downgraded = true;
  }
  // Entries the parent lost W on may sit writable in the TLB.
  if (downgraded) flushTlbSpace(ctx, ps);
  const child = new Process(childPid, parent.pid, cs);
  ctx.procs.add(child);
  ctx.files.forkTable(parent.pid, child.pid);
  if (listening) ctx.emit({ type: 'fork', parent: parent.pid, child: child.pid });
  ctx.afterOperation();
  return child;
}
