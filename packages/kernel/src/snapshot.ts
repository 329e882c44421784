// A snapshot: the whole observable state of the machine (RAM, frame books, processes, TLB), for
// before/after comparisons in tests and for tools that diff two moments of a run.

import type { KernelContext } from './kernel-context.js';
import type { Vma } from './mm/vma.js';

export interface KernelSnapshot {
  readonly ram: Uint8Array;
  readonly refCounts: readonly number[];
  readonly kinds: readonly number[];
  readonly freeFrames: number;
  readonly nextPid: number;
  readonly current: number;
  readonly processes: readonly { pid: number; parentPid: number; state: string; root: number; asid: number; tables: number; vmas: readonly Vma[] }[];
  readonly tlb: readonly { vpn: number; asid: number; pfn: number; global: boolean; perm: number }[];
}

export function takeSnapshot(ctx: KernelContext): KernelSnapshot {
  const cur = ctx.procs.current;
  return {
    ram: ctx.ram.bytes.slice(),
    refCounts: Array.from(ctx.frames.refCounts),
    kinds: Array.from(ctx.frames.kinds),
    freeFrames: ctx.frames.freeCount,
    nextPid: ctx.procs.nextPid,
    current: cur === null ? -1 : cur.pid,
    processes: [...ctx.procs.all()].map((p) => ({
      pid: p.pid,
      parentPid: p.parentPid,
      state: p.state,
      root: p.space === null ? -1 : p.space.rootPfn,
      asid: p.space === null ? -1 : p.space.asid,
      tables: p.space === null ? 0 : p.space.tables,
      vmas: p.space === null ? [] : p.space.vmas.toArray(),
    })),
    tlb: ctx.mmu.tlb.validEntries().map(({ vpn, asid, pfn, global, perm }) => ({ vpn, asid, pfn, global, perm })),
  };
}
