// The state one kernel instance shares between its rooms (proc/, mm/, fault/, uaccess/): the machine, the
// process table, the listeners and the counters, with the few helpers every room uses. Not exported from
// the package: `Kernel` (kernel.ts) is the public face.

import { Mmu, PhysicalMemory, PTE_R, PTE_U, PTE_V, PTE_W, PTE_X, vaRange, type AccessKind, type HardwareModel, type TlbConfig } from '@vmsim/hw';
import { InvalidAddressError, KernelInvariantError, OomKilledError, OutOfMemoryError } from './errors.js';
import type { KernelEvent, KernelListener } from './events.js';
import { checkInvariants } from './invariants.js';
import { FileStore } from './fs/file-store.js';
import type { AddressSpace } from './mm/address-space.js';
import { FRAME_KIND_NAMES, FRAME_TABLE, FRAME_ZERO, FrameAllocator, type FrameKind } from './mm/frame-allocator.js';
import { DEFAULT_MAX_MAP_COUNT } from './mm/layout.js';
import { PROT_EXEC, PROT_READ, PROT_WRITE } from './mm/vma.js';
import { AsidAllocator } from './proc/asid.js';
import { ProcessTable } from './proc/process-table.js';
import type { Reclaimer } from './mm/reclaim.js';
import { ReverseMap } from './mm/rmap.js';
import { SwapArea, SwapCache } from './mm/swap.js';
import { FaultCounters } from './stats.js';

export interface ContextOptions {
  readonly model: HardwareModel;
  readonly ramBytes: number;
  readonly tlb: TlbConfig | undefined;
  readonly poisonFreed: boolean;
  readonly checkInvariants: boolean;
  readonly swapSlots?: number;
  readonly reverseMap?: boolean;
}

export class KernelContext {
  readonly model: HardwareModel;
  readonly ram: PhysicalMemory;
  readonly mmu: Mmu;
  readonly frames: FrameAllocator;
  /** The frame every zero-mapped page shares. Never written, never freed. */
  readonly zeroPfn: number;
  readonly pageSize: number;
  /** One past the highest user virtual address. */
  readonly vaLimit: number;
  /**
   * Do addresses wrap at the top of the space (32-bit x86 and RV32: the byte after 0xffffffff is 0)? The
   * MMU performs such accesses; the kernel's checks follow the same rule.
   */
  readonly wraps: boolean;
  readonly procs = new ProcessTable();
  /**
   * Page-table trees that belong to no process (seed 003's standalone page tables, pt/page-table.ts): their
   * table frames are the kernel's, their leaves name physical addresses without holding references.
   */
  readonly detachedSpaces = new Set<AddressSpace>();
  readonly asids: AsidAllocator;
  readonly counts = new FaultCounters();
  /** Every (process, page) mapping each data frame (mm/rmap.ts); the zero page and VM_PFNMAP leaves left out. */
  readonly rmap = new ReverseMap();
  /** Whether the reverse map is kept (the `reverseMap` option; on with swap). Off, rmapAdd/rmapRemove do nothing. */
  readonly rmapOn: boolean;
  /** The swap area (mm/swap.ts): `swapSlots` slots, none by default. */
  readonly swap: SwapArea;
  /** Frames that hold the page of a swap slot (mm/swap.ts); each entry holds a slot and a frame reference. */
  readonly swapCache = new SwapCache();
  /**
   * Swap activity (Linux's /proc/vmstat names where it has them): pages swapped in and out, writes of dirty
   * pages, major faults (swap-ins that read their slot), swap-ins found in the swap cache (minor faults).
   */
  readonly swapCounts = { pswpin: 0, pswpout: 0, writebacks: 0, majorFaults: 0, swapCacheHits: 0, reclaimed: 0 };
  /** Reclaim's own counts (mm/reclaim.ts): page-cache evictions and their writes, file major faults, OOM kills. */
  readonly reclaimCounts = { fileEvictions: 0, fileWritebacks: 0, fileMajorFaults: 0, oomKills: 0 };
  /** Reclaim driven by a replacement policy (mm/reclaim.ts), when the kernel has the `reclaim` option; else null. */
  reclaim: Reclaimer | null = null;
  /** Whether user accesses report the frame they use to reclaim's policy (it wants references). */
  touching = false;
  /** The in-memory file store and the descriptor tables (fs/). */
  readonly files = new FileStore();
  readonly checking: boolean;
  /** vm.max_map_count: the most regions a process may have (mm/mmap.ts applies Linux's rules). */
  maxMapCount = DEFAULT_MAX_MAP_COUNT;
  listeners: readonly KernelListener[] = [];
  /** Result of the last user access: 0, or a negative code. */
  status = 0;
  /** The high word of the last successful word-wise 64-bit load (uaccess/access.ts userLoad64Words). */
  high = 0;

  constructor(options: ContextOptions) {
    this.model = options.model;
    this.pageSize = 2 ** options.model.pageShift;
    this.ram = new PhysicalMemory(options.ramBytes, { frameSize: this.pageSize });
    this.mmu = new Mmu(this.ram, this.model, options.tlb === undefined ? {} : { tlb: options.tlb });
    this.frames = new FrameAllocator(this.ram, { poisonFreed: options.poisonFreed });
    this.zeroPfn = this.frames.alloc(FRAME_ZERO);
    // User space: the whole space of a 32-bit model; the lower (non-negative) half of a sign-extended one.
    this.vaLimit = vaRange(this.model).end;
    this.wraps = this.model.signExtendedVa !== true;
    this.checking = options.checkInvariants;
    this.asids = new AsidAllocator(this.model.asidBits);
    this.swap = new SwapArea(options.swapSlots ?? 0, this.pageSize);
    this.rmapOn = options.reverseMap ?? (options.swapSlots ?? 0) > 0;
  }

  get listening(): boolean {
    return this.listeners.length !== 0;
  }

  emit(event: KernelEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  /** After each public operation: the invariant sweep, when the option is on. */
  afterOperation(): void {
    if (this.checking) checkInvariants(this);
  }

  pageBase(va: number): number {
    return va - (va % this.pageSize);
  }

  /** The page after `page`: at the top of a 32-bit space that is page 0 (the hardware's rule). */
  nextPage(page: number): number {
    const next = page + this.pageSize;
    return this.wraps && next >= this.vaLimit ? next - this.vaLimit : next;
  }

  checkVa(va: number): void {
    if (typeof va !== 'number' || !Number.isInteger(va) || va < 0 || va >= this.vaLimit) {
      throw new InvalidAddressError(va, `expected an integer from 0 to 0x${(this.vaLimit - 1).toString(16)}`);
    }
  }

  /**
   * Are `n` frames free? With reclaim, victims are evicted (and, that failing, processes OOM-killed) until they
   * are; false if the request's process `pid` was killed meanwhile. `pin`: a frame reclaim must not evict.
   */
  haveFrames(n: number, pid = -1, pin = -1): boolean {
    return this.frames.freeCount >= n || (this.reclaim !== null && this.reclaim.makeFree(n, pid, pin));
  }

  /**
   * Before a fault of `pid` maps a new frame reclaim may track: room under the memory limits (mm/reclaim.ts),
   * then `n` free frames, tables included.
   */
  roomToLoad(n: number, pid: number, pin = -1, loads = 1): boolean {
    return this.reclaim === null ? this.frames.freeCount >= n : this.reclaim.roomToLoad(n, pid, pin, loads);
  }

  /**
   * Throws OutOfMemoryError unless `n` frames are free (after reclaim, when on); OomKilledError when the OOM
   * killer took the process `pid` the operation is for.
   */
  requireFrames(operation: string, n: number, pid = -1): void {
    if (!this.haveFrames(n, pid)) {
      this.counts.oom++;
      if (pid >= 0 && this.procs.get(pid).state === 'terminated') throw new OomKilledError(operation, pid);
      throw new OutOfMemoryError(operation, n, this.frames.freeCount);
    }
  }

  allocFrame(kind: FrameKind, zero = true): number {
    const pfn = this.frames.alloc(kind, zero);
    if (pfn < 0) throw new KernelInvariantError([`no free frame after the free-frame check (${FRAME_KIND_NAMES[kind]})`]);
    if (this.listeners.length !== 0) this.emit({ type: 'alloc', pfn, kind: FRAME_KIND_NAMES[kind] as 'data' | 'table' | 'zero' });
    return pfn;
  }

  unrefFrame(pfn: number): void {
    if (this.frames.unref(pfn) !== 0) return;
    if (this.reclaim !== null) this.reclaim.freed(pfn);
    if (this.listeners.length !== 0) this.emit({ type: 'free', pfn });
  }

  /** A leaf of `space` (process `pid`) at `va` now maps `pfn`: the reverse map learns it (the zero page aside). */
  rmapAdd(pfn: number, space: AddressSpace, pid: number, va: number): void {
    if (this.rmapOn && pfn !== this.zeroPfn) this.rmap.add(pfn, space, pid, va);
  }

  /** The leaf of `space` at `va` no longer maps `pfn`. */
  rmapRemove(pfn: number, space: AddressSpace, va: number): void {
    if (!this.rmapOn || pfn === this.zeroPfn) return;
    if (!this.rmap.remove(pfn, space, va)) {
      throw new KernelInvariantError([`reverse map: frame ${pfn} has no mapping at 0x${va.toString(16)}`]);
    }
    // The last mapping of a swap-cached frame gone: the cache lets go of its slot and frame (the caller still
    // holds the mapping's frame reference, so the frame is freed when it drops that).
    if (this.swapCache.size !== 0 && this.rmap.count(pfn) === 0) this.dropSwapCache(pfn);
  }

  /** Removes frame `pfn`'s swap-cache entry, if any: its slot and frame references go. */
  dropSwapCache(pfn: number): void {
    const slot = this.swapCache.slotOf(pfn);
    if (slot < 0) return;
    this.swapCache.removeSlot(slot);
    this.swap.free(slot);
    this.unrefFrame(pfn);
  }

  /** Page tables created while mapping go through allocFrame, so they are reported like every other frame. */
  readonly allocTable = (): number => this.allocFrame(FRAME_TABLE);

  /** PTE flags for a page of a region; `writable` false for zero-page and copy-on-write mappings. */
  leafFlags(prot: number, writable: boolean): number {
    let flags = PTE_V | PTE_U;
    if (prot & (PROT_READ | PROT_WRITE)) flags |= PTE_R;
    if (prot & PROT_EXEC) flags |= PTE_X;
    if (writable && prot & PROT_WRITE) flags |= PTE_W;
    return flags;
  }

  /**
   * May a user access of this kind be resolved in a region with protection `prot`? Asked of the hardware
   * for the entry the region's pages get, as Linux's protection_map and per-arch access_error answer:
   * PROT_WRITE alone reads everywhere (x86 has no write-only entry, RISC-V's W without R is reserved, so
   * both map it R+W); PROT_EXEC alone reads on x86 (no read bit) but not on RISC-V (X only); x86-32 has
   * no execute-disable, so every accessible page executes. PROT_NONE allows nothing.
   */
  protPermits(prot: number, access: AccessKind): boolean {
    if ((prot & (PROT_READ | PROT_WRITE | PROT_EXEC)) === 0) return false;
    return this.model.permits(this.leafFlags(prot, true), access, true, this.mmu.control);
  }
}
