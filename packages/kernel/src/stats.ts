// Statistics: the fault counters (one per outcome, named like the codes in codes.ts) and the whole-machine
// summary `Kernel.stats()` returns, counted from the page tables with hw's visitor.

import type { KernelContext } from './kernel-context.js';
import { FRAME_DATA, FRAME_TABLE, FRAME_ZERO } from './mm/frame-allocator.js';
import type { Process } from './proc/process.js';

/** Fault outcomes counted since boot. */
export class FaultCounters {
  zeroFill = 0;
  zeroMap = 0;
  cowCopy = 0;
  cowReuse = 0;
  sharedWrite = 0;
  sharedMap = 0;
  spurious = 0;
  segfault = 0;
  sigbus = 0;
  oom = 0;
  /** File faults (fault/file.ts): a page-cache frame mapped; a private file page copied on write. */
  fileMap = 0;
  fileCopy = 0;
}

export interface ProcessStats {
  readonly pid: number;
  readonly parentPid: number;
  readonly state: 'running' | 'sleeping' | 'terminated';
  /** Pages mapped to a frame of their own or shared (not the zero page). */
  readonly resident: number;
  /** Resident pages whose frame other mappings share. */
  readonly shared: number;
  /** Resident pages whose frame this mapping alone holds (resident − shared). */
  readonly private: number;
  /** Bytes the regions cover (the process's virtual size, VmSize). */
  readonly virtualBytes: number;
  /** The program break (brk), and where the heap starts. */
  readonly brk: number;
  readonly startBrk: number;
  /** Pages mapped to the zero page. */
  readonly zeroMapped: number;
  readonly pageTables: number;
  readonly regions: number;
}

export interface KernelStats {
  readonly model: string;
  readonly levels: number;
  readonly pageSize: number;
  readonly frames: {
    readonly total: number;
    readonly free: number;
    readonly used: number;
    readonly pageTables: number;
    readonly data: number;
    readonly zero: number;
  };
  /** Faults by outcome: resolved (zeroFill … spurious), then refused (segfault, sigbus, oom). */
  readonly faults: {
    readonly zeroFill: number;
    readonly zeroMap: number;
    readonly cowCopy: number;
    readonly cowReuse: number;
    readonly sharedWrite: number;
    readonly sharedMap: number;
    readonly spurious: number;
    readonly segfault: number;
    readonly sigbus: number;
    readonly oom: number;
    readonly fileMap: number;
    readonly fileCopy: number;
  };
  readonly tlb: { readonly hits: number; readonly misses: number; readonly flushes: number; readonly entries: number };
  /**
   * Seed 003's memory statistics over the live processes: the bytes their regions cover (total allocated),
   * their regions, and the pages their page tables map (the zero page included).
   */
  readonly memory: { readonly totalAllocated: number; readonly regionCount: number; readonly mappedPages: number };
  readonly processes: readonly ProcessStats[];
}

export function collectStats(ctx: KernelContext): KernelStats {
  const { frames, model, counts } = ctx;
  const tlb = ctx.mmu.tlb;
  const base: KernelStats = {
    model: model.name,
    levels: model.levels,
    pageSize: ctx.pageSize,
    frames: {
      total: frames.total,
      free: frames.freeCount,
      used: frames.used,
      pageTables: frames.inUse[FRAME_TABLE]!,
      data: frames.inUse[FRAME_DATA]!,
      zero: frames.inUse[FRAME_ZERO]!,
    },
    faults: {
      zeroFill: counts.zeroFill,
      zeroMap: counts.zeroMap,
      cowCopy: counts.cowCopy,
      cowReuse: counts.cowReuse,
      sharedWrite: counts.sharedWrite,
      sharedMap: counts.sharedMap,
      spurious: counts.spurious,
      segfault: counts.segfault,
      sigbus: counts.sigbus,
      oom: counts.oom,
      fileMap: counts.fileMap,
      fileCopy: counts.fileCopy,
    },
    tlb: { hits: tlb.hits, misses: tlb.misses, flushes: tlb.flushes, entries: tlb.entries },
    memory: { totalAllocated: 0, regionCount: 0, mappedPages: 0 },
    processes: [],
  };
  const processes = [...ctx.procs.all()].map((p) => processStats(ctx, p));
  let totalAllocated = 0;
  let regionCount = 0;
  let mappedPages = 0;
  for (const ps of processes) {
    totalAllocated += ps.virtualBytes;
    regionCount += ps.regions;
    mappedPages += ps.resident + ps.zeroMapped;
  }
  return { ...base, memory: { totalAllocated, regionCount, mappedPages }, processes };
}

function processStats(ctx: KernelContext, p: Process): ProcessStats {
  let resident = 0;
  let shared = 0;
  let zeroMapped = 0;
  const space = p.space;
  if (space !== null) {
    const zeroPfn = ctx.zeroPfn;
    const refCounts = ctx.frames.refCounts;
    const cacheFrames = ctx.files.cacheFrames;
    space.visit({
      leaf(_va, _entryPa, pfn) {
        if (pfn === zeroPfn) zeroMapped++;
        else {
          resident++;
          // The page cache's own reference does not make a page shared.
          if (refCounts[pfn]! - (cacheFrames.has(pfn) ? 1 : 0) > 1) shared++;
        }
      },
    });
  }
  let virtualBytes = 0;
  if (space !== null) for (const vma of space.vmas) virtualBytes += vma.end - vma.start;
  return {
    pid: p.pid,
    parentPid: p.parentPid,
    state: p.state,
    resident,
    shared,
    private: resident - shared,
    virtualBytes,
    brk: space === null ? 0 : space.brk,
    startBrk: space === null ? 0 : space.startBrk,
    zeroMapped,
    pageTables: space === null ? 0 : space.tables,
    regions: space === null ? 0 : space.vmas.count,
  };
}
