// A snapshot: the whole observable state of the machine (RAM, frame books, processes, TLB), for
// before/after comparisons in tests and for tools that diff two moments of a run. RAM and the frame books
// are kept in a canonical, logical form: trailing zero frames and trailing free frames are left out, so two
// machines that read the same compare equal however much of their RAM happens to be committed.

import type { FileStoreSnapshot } from './fs/file-store.js';
import type { KernelContext } from './kernel-context.js';
import { FRAME_FREE } from './mm/frame-allocator.js';
import type { Vma } from './mm/vma.js';

export interface KernelSnapshot {
  /** RAM from address 0 to the end of its last frame holding a non-zero byte; every byte past it is zero. */
  readonly ram: Uint8Array;
  /** Reference count and kind per frame, up to the last frame in use; every frame past it is free, count 0. */
  readonly refCounts: readonly number[];
  readonly kinds: readonly number[];
  readonly freeFrames: number;
  readonly nextPid: number;
  readonly current: number;
  readonly processes: readonly { pid: number; parentPid: number; state: string; root: number; asid: number; tables: number; vmas: readonly Vma[] }[];
  readonly tlb: readonly { vpn: number; asid: number; pfn: number; global: boolean; perm: number }[];
  /** The file store: files (disk bytes, page cache), descriptor tables (fs/). */
  readonly files: FileStoreSnapshot;
  /** The swap area's slots in use (reference count, bytes written) and the swap cache's (slot, frame) pairs. */
  readonly swap: {
    readonly slots: readonly { slot: number; refs: number; bytes: Uint8Array | null }[];
    readonly cache: readonly (readonly [slot: number, pfn: number])[];
  };
  /** Reclaim (the `reclaim` option): the frames its policy holds, in pfn order, and the per-process limits; null without. */
  readonly reclaim: { readonly tracked: readonly number[]; readonly groups: readonly { pid: number; limit: number; charged: number }[] } | null;
}

export function takeSnapshot(ctx: KernelContext): KernelSnapshot {
  const cur = ctx.procs.current;
  let booksEnd = ctx.frames.highWater;
  while (booksEnd > 0 && ctx.frames.refCounts[booksEnd - 1] === 0 && ctx.frames.kinds[booksEnd - 1] === FRAME_FREE) booksEnd--;
  return {
    ram: ctx.ram.bytes.slice(0, usedRamEnd(ctx.ram.bytes, ctx.pageSize)),
    refCounts: Array.from(ctx.frames.refCounts.subarray(0, booksEnd)),
    kinds: Array.from(ctx.frames.kinds.subarray(0, booksEnd)),
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
    files: ctx.files.snapshot(),
    swap: { slots: ctx.swap.snapshot(), cache: ctx.swapCache.entries() },
    reclaim: ctx.reclaim === null ? null : { tracked: ctx.reclaim.trackedFrames(), groups: ctx.reclaim.groupList() },
  };
}

/** The end of the last frame of `bytes` holding a non-zero byte (0 when every byte is zero). */
function usedRamEnd(bytes: Uint8Array, frameSize: number): number {
  let i = bytes.length;
  while (i > 0 && bytes[i - 1] === 0) i--;
  return Math.ceil(i / frameSize) * frameSize;
}
