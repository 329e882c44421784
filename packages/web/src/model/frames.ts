// The physical frames as a view: each frame's kind (zero page, page table, data, free), its reference count,
// and who uses it: the processes that map it (with the virtual address and whether the mapping is COW) or
// the process whose page table it is. A data frame mapped by more than one process is shared.

import { PTE_W } from '@vmsim/hw';
import { FRAME_KIND_NAMES, type Kernel } from '@vmsim/kernel';

export type FrameKindName = 'free' | 'data' | 'table' | 'zero';

export interface FrameUser {
  readonly pid: number;
  readonly va: number;
  readonly cow: boolean;
  readonly writable: boolean;
}

export interface FrameView {
  readonly pfn: number;
  readonly kind: FrameKindName;
  readonly refCount: number;
  /** Leaf mappings of this frame, by live process in pid order, then address. */
  readonly mappedBy: readonly FrameUser[];
  /** For a page-table frame: the process and level it serves. */
  readonly tableOf: { readonly pid: number; readonly level: number } | null;
  /** Mapped by two or more distinct processes (the COW-shared frames, and the zero page once forked). */
  readonly shared: boolean;
}

export interface FramesView {
  readonly total: number;
  readonly free: number;
  /** Frames 0 to the highest ever handed out; every frame past them is free and never used. */
  readonly frames: readonly FrameView[];
}

/** Every frame up to the allocator's high-water mark. */
export function framesView(kernel: Kernel): FramesView {
  const books = kernel.frames;
  const n = books.highWater;
  const users: FrameUser[][] = Array.from({ length: n }, () => []);
  const tables: ({ pid: number; level: number } | null)[] = new Array<{ pid: number; level: number } | null>(n).fill(null);
  for (const p of kernel.processes()) {
    for (const m of kernel.mappings(p.pid)) {
      if (m.pfn < n) users[m.pfn]!.push({ pid: p.pid, va: m.va, cow: m.cow, writable: (m.flags & PTE_W) !== 0 });
    }
    for (const t of kernel.pageTables(p.pid)) if (t.pfn < n) tables[t.pfn] = { pid: p.pid, level: t.level };
  }
  const frames: FrameView[] = [];
  for (let pfn = 0; pfn < n; pfn++) {
    const mappedBy = users[pfn]!;
    const pids = new Set(mappedBy.map((u) => u.pid));
    frames.push({
      pfn,
      kind: FRAME_KIND_NAMES[books.kindOf(pfn)] as FrameKindName,
      refCount: books.refCount(pfn),
      mappedBy,
      tableOf: tables[pfn]!,
      shared: pids.size > 1,
    });
  }
  return { total: books.total, free: books.freeCount, frames };
}

