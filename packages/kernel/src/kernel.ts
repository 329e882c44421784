// The kernel's public face: one instance owns one machine (RAM, hardware model, MMU and TLB) and runs
// processes on it. Every method validates its arguments and delegates to the room that does the work:
//   proc/     spawn, switch, fork, exit, ASIDs          mm/       regions, tables, copy_page_range, zap, TLB flush
//   fault/    handleMmFault → doAnonymousPage | doFileFault | doWpPage   uaccess/  load/store, copyin/copyout
//   fs/       the file store, descriptors, page cache, file mappings, msync
//   stats.ts, snapshot.ts, invariants.ts: inspection.  Nothing here is global: every machine is an instance.

import {
  ACCESS_EXEC, ACCESS_READ, ACCESS_WRITE, isModelName, maxSwapSlots, MODEL_NAMES, modelByName, supportsSwapEntries, validateModel, x86_32,
  type AccessKind, type HardwareModel, type Mmu, type ModelName, type PhysicalMemory, type TlbConfig,
} from '@vmsim/hw';
import { InvalidArgumentError, InvalidOptionError } from './errors.js';
import type { KernelListener } from './events.js';
import { handleMmFault } from './fault/handle-mm-fault.js';
import { closeFile, createFile, openFile, readFile, resolveTarget, truncateFile, unlinkFile, writeFile } from './fs/file-ops.js';
import { msyncRange } from './fs/file-mapping.js';
import { PTE_COW } from './fault/wp-page.js';
import { checkInvariants } from './invariants.js';
import { KernelContext } from './kernel-context.js';
import type { PagePolicy } from './mm/page-policy.js';
import type { FrameAllocator } from './mm/frame-allocator.js';
import { doBrk } from './mm/brk.js';
import { mapsOf, type MapsEntry } from './mm/maps.js';
import { doMmap, registerPage } from './mm/mmap.js';
import { doMprotect } from './mm/mprotect.js';
import { doMunmap } from './mm/munmap.js';
import { mapStack } from './mm/stack.js';
import type { Vma } from './mm/vma.js';
import { exitProcess } from './proc/exit.js';
import { forkProcess } from './proc/fork.js';
import type { Process } from './proc/process.js';
import type { SigInfo } from './proc/signal.js';
import { PageTable } from './pt/page-table.js';
import { PageTableManager, type PageTableManagerOptions } from './pt/page-table-manager.js';
import { VirtualMemoryManager } from './vmm/virtual-memory-manager.js';
import { spawnProcess, switchTo } from './proc/switch.js';
import { takeSnapshot, type KernelSnapshot } from './snapshot.js';
import { collectStats, type KernelStats } from './stats.js';
import {
  loadWordsInPage, storeWordsInPage, userLoad, userLoad64, userLoad64Words, userStore, userStore64, userStore64Words,
} from './uaccess/access.js';
import { copyIn, copyOut } from './uaccess/copy-user.js';
import { reclaimFrame, swapEntriesOf } from './mm/vmscan.js';
import { reclaimCacheFrame } from './mm/vmscan-file.js';
import { PageTableAccessedBits } from './mm/accessed-bits.js';
import { isPolicyName, ReplacementError, type AccessedBits } from '@vmsim/replacement';
import { Reclaimer, type ReclaimOptions } from './mm/reclaim.js';

/** Default RAM: 16 MiB (4096 frames of 4 KiB). */
export const DEFAULT_RAM_BYTES = 16 * 1024 * 1024;

export interface KernelOptions {
  /**
   * Paging hardware (default x86 32-bit): a HardwareModel object, or the name of one in @vmsim/hw's registry
   * ('x86-32', 'sv32', 'x86-64', 'sv39'), made with its default options.
   */
  readonly model?: HardwareModel | ModelName;
  /** RAM size in bytes (default 16 MiB); a multiple of the page size. */
  readonly ramBytes?: number;
  readonly tlb?: TlbConfig;
  /** Fill freed frames with junk (0xA5) so that a dangling mapping cannot read old data. */
  readonly poisonFreed?: boolean;
  /** Check every invariant after every operation (slow; for tests and debugging). */
  readonly checkInvariants?: boolean;
  /** vm.max_map_count (default 65,530): the most regions one process may have. */
  readonly maxMapCount?: number;
  /** Slots of the swap area (default 0: no swap). Needs a model whose not-present entries hold swap entries (all four do). */
  readonly swapSlots?: number;
  /**
   * Keep the reverse map (mm/rmap.ts) up to date: needed by reclaim, `reverseMap()` and `accessedBits()`.
   * Default: on when there is swap, off otherwise (it costs an entry per mapping on every fault and fork).
   */
  readonly reverseMap?: boolean;
  /**
   * Reclaim driven by a replacement policy (mm/reclaim.ts): `policy` is a @vmsim/replacement name (not opt) or
   * a PagePolicy object; `limit` caps the reclaimable frames machine-wide; RAM exhaustion reclaims too, and
   * when nothing can be reclaimed the OOM killer kills the largest process (`oomKill: false` turns it off).
   * Turns the reverse map on.
   */
  readonly reclaim?: ReclaimOptions;
}

/** A leaf mapping, as `mappings()` and dumps show it. */
export interface Mapping {
  readonly va: number;
  readonly pfn: number;
  readonly flags: number;
  readonly refCount: number;
  readonly zeroPage: boolean;
  /** Fork write-protected it (PTE_COW, a marker: see fault/wp-page.ts). */
  readonly cow: boolean;
}

export class Kernel {
  readonly model: HardwareModel;
  readonly ram: PhysicalMemory;
  readonly mmu: Mmu;
  readonly frames: FrameAllocator;
  /** The frame that every zero-mapped page shares. Never written, never freed. */
  readonly zeroPfn: number;
  readonly pageSize: number;
  private readonly ctx: KernelContext;

  constructor(options: KernelOptions = {}) {
    this.ctx = new KernelContext(checkOptions(options));
    if (options.maxMapCount !== undefined) {
      const max = options.maxMapCount;
      if (typeof max !== 'number' || !Number.isSafeInteger(max) || max < 1) throw new InvalidOptionError('maxMapCount', max, 'a positive integer');
      this.ctx.maxMapCount = max;
    }
    ({ model: this.model, ram: this.ram, mmu: this.mmu, frames: this.frames, zeroPfn: this.zeroPfn, pageSize: this.pageSize } = this.ctx);
    if (options.reclaim !== undefined) {
      const reclaim = makeReclaimer(this.ctx, options.reclaim);
      this.ctx.reclaim = reclaim;
      this.ctx.touching = reclaim.wantsReferences;
    }
  }

  /** Result of the last user access: 0, or a negative code (SEGV_MAPERR …). */
  get status(): number {
    return this.ctx.status;
  }

  /** Subscribes to the event stream; returns the function that unsubscribes. */
  on(listener: KernelListener): () => void {
    if (typeof listener !== 'function') throw new InvalidArgumentError('listener', listener, 'expected a function');
    const ctx = this.ctx;
    ctx.listeners = [...ctx.listeners, listener];
    return () => {
      ctx.listeners = ctx.listeners.filter((l) => l !== listener);
    };
  }

  // ---------------------------------------------------------------- processes (proc/)

  /** The running process (or the one last switched to), or null. */
  get current(): Process | null {
    return this.ctx.procs.current;
  }

  /** Live processes (not terminated), in pid order. */
  processes(): Process[] {
    return [...this.ctx.procs.all()].filter((p) => p.state !== 'terminated');
  }

  /** Any process ever created, terminated ones included. */
  process(pid: number): Process {
    return this.ctx.procs.get(pid);
  }

  /** Creates a process with an empty address space. The first one becomes current and runs. */
  spawn(): Process {
    return spawnProcess(this.ctx);
  }

  /** Forks `pid` (default: the current process): copy-on-write, nothing copied; the child sleeps. */
  fork(pid = this.ctx.procs.currentPid()): Process {
    return forkProcess(this.ctx, pid);
  }

  /** Terminates `pid` (default: the current process): unmaps everything and frees its tables. */
  kill(pid = this.ctx.procs.currentPid()): void {
    exitProcess(this.ctx, pid);
  }

  /** Runs `pid`: the current process goes to sleep and the MMU gets the new root and ASID. */
  switchTo(pid: number): void {
    switchTo(this.ctx, pid);
  }

  /** Puts `pid` to sleep without running another; its accesses fail with ERR_NO_PROCESS until it runs again. */
  sleep(pid = this.ctx.procs.currentPid()): void {
    this.ctx.procs.live(pid).state = 'sleeping';
  }

  // ---------------------------------------------------------------- regions (mm/)

  /** Registers the page holding `va` (rust-vmem's `register`): private, anonymous, read-write, zero-mapped. */
  register(va: number, pid = this.ctx.procs.currentPid()): void {
    registerPage(this.ctx, va, pid);
  }

  /**
   * mmap(2): maps `length` bytes (rounded up to pages) and returns the address. `prot` is PROT_* bits,
   * `flags` MAP_PRIVATE or MAP_SHARED with MAP_ANONYMOUS and optionally MAP_FIXED, MAP_FIXED_NOREPLACE,
   * MAP_NORESERVE, MAP_POPULATE. Refusals throw the typed error carrying Linux's errno; nothing changes then.
   */
  mmap(addr: number, length: number, prot: number, flags: number, fd = -1, offset = 0, pid = this.ctx.procs.currentPid()): number {
    return doMmap(this.ctx, pid, addr, length, prot, flags, fd, offset);
  }

  /** munmap(2): unmaps the pages of [addr, addr + length); a range with nothing mapped is success. */
  munmap(addr: number, length: number, pid = this.ctx.procs.currentPid()): void {
    doMunmap(this.ctx, pid, addr, length);
  }

  /**
   * mprotect(2): gives the pages of [addr, addr + length) the protection `prot`. Like Linux, a hole in the
   * range throws RegionNotFoundError (ENOMEM) after the regions before the hole changed.
   */
  mprotect(addr: number, length: number, prot: number, pid = this.ctx.procs.currentPid()): void {
    doMprotect(this.ctx, pid, addr, length, prot);
  }

  /** The brk system call: moves the program break; returns the new break, or the current one when refused (brk(0) queries). */
  brk(addr: number, pid = this.ctx.procs.currentPid()): number {
    return doBrk(this.ctx, pid, addr);
  }

  /**
   * Makes the stack region of `pid`: `size` bytes (default one page) ending at the top of user space, read-write,
   * growing down on a fault below it up to 8 MiB. Returns its start.
   */
  mapStack(size = this.pageSize, pid = this.ctx.procs.currentPid()): number {
    return mapStack(this.ctx, pid, size);
  }

  /** The regions of `pid` as /proc/<pid>/maps lists them (format a line with `formatMapsLine`). */
  maps(pid = this.ctx.procs.currentPid()): MapsEntry[] {
    return mapsOf(this.ctx.procs.live(pid).space!);
  }

  /**
   * The signal (SIGSEGV with SEGV_MAPERR or SEGV_ACCERR, SIGBUS) the last refused access of `pid` sent, or
   * null; taking it clears it. The default action is to terminate: the caller does so with `kill(pid)`.
   */
  takeSignal(pid = this.ctx.procs.currentPid()): SigInfo | null {
    const p = this.ctx.procs.live(pid);
    const s = p.siginfo;
    p.siginfo = null;
    return s;
  }

  /** vm.max_map_count: the most regions one process may have (Linux's rules; default 65,530). */
  get maxMapCount(): number {
    return this.ctx.maxMapCount;
  }

  set maxMapCount(value: number) {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
      throw new InvalidArgumentError('maxMapCount', value, 'expected a positive integer');
    }
    this.ctx.maxMapCount = value;
  }

  /** Is the page holding `va` inside a region of `pid`? */
  isRegistered(va: number, pid = this.ctx.procs.currentPid()): boolean {
    this.ctx.checkVa(va);
    return this.ctx.procs.live(pid).space!.vmas.find(va) !== undefined;
  }

  /** The regions of `pid`, in address order. */
  regions(pid = this.ctx.procs.currentPid()): readonly Vma[] {
    return this.ctx.procs.live(pid).space!.vmas.toArray();
  }

  // ---------------------------------------------------------------- files (fs/): store, descriptors, msync

  /** Creates a file in the store holding `bytes` (default empty); EEXIST if the name is taken. */
  createFile(name: string, bytes?: Uint8Array): void {
    createFile(this.ctx, name, bytes);
    this.ctx.afterOperation();
  }

  /** open(2) with O_RDONLY / O_WRONLY / O_RDWR, optionally O_CREAT, O_EXCL, O_TRUNC: the lowest free descriptor. */
  open(name: string, flags: number, pid = this.ctx.procs.currentPid()): number {
    return openFile(this.ctx, pid, name, flags);
  }

  /** close(2); EBADF when `fd` is not open in `pid`. */
  close(fd: number, pid = this.ctx.procs.currentPid()): void {
    closeFile(this.ctx, pid, fd);
  }

  /** unlink(2): the name goes; the file lives while a descriptor or a mapping refers to it. */
  unlink(name: string): void {
    unlinkFile(this.ctx, name);
  }

  /**
   * pread(2) of a descriptor of `pid` (default: the current process) or of a file by name: up to `length`
   * bytes from `offset`, through the page cache (so writes through MAP_SHARED mappings show at once).
   */
  readFile(file: number | string, offset: number, length: number, pid?: number): Uint8Array {
    return readFile(this.ctx, resolveTarget(this.ctx, this.pidFor(file, pid), file, 'read'), offset, length);
  }

  /** pwrite(2) to a descriptor or a file by name: every mapping of the pages sees the bytes. Returns the count. */
  writeFile(file: number | string, offset: number, bytes: Uint8Array, pid?: number): number {
    return writeFile(this.ctx, resolveTarget(this.ctx, this.pidFor(file, pid), file, 'write'), offset, bytes);
  }

  /** ftruncate(2) / truncate(2): pages past the new end leave every mapping (later accesses: SIGBUS). */
  truncate(file: number | string, length: number, pid?: number): void {
    truncateFile(this.ctx, this.pidFor(file, pid), file, length);
  }

  /** msync(2): dirty pages (the D bit of every entry mapping them) of the file regions in range go to disk. */
  msync(addr: number, length: number, pid = this.ctx.procs.currentPid()): void {
    msyncRange(this.ctx, pid, addr, length);
  }

  /** The files of the store by name: size, pages cached, open descriptions. */
  files(): { name: string; size: number; cachedPages: number; opens: number }[] {
    return this.ctx.files.list().map((f) => ({ name: f.name, size: f.size, cachedPages: f.cache.size, opens: f.opens }));
  }

  /** The open descriptors of `pid`. */
  descriptors(pid = this.ctx.procs.currentPid()): { fd: number; name: string; access: number }[] {
    this.ctx.procs.live(pid);
    return this.ctx.files.descriptors(pid);
  }

  /** A file's bytes as stored on disk (what write-back has put there), without the page cache. */
  fileDisk(name: string): Uint8Array {
    if (typeof name !== 'string') throw new InvalidArgumentError('file name', name, 'expected the name of a file');
    return resolveTarget(this.ctx, -1, name, 'read').diskBytes();
  }

  /** The pid a descriptor is looked up in: `pid`, else the current process; unused for a name. */
  private pidFor(file: unknown, pid: number | undefined): number {
    return pid ?? (typeof file === 'number' ? this.ctx.procs.currentPid() : -1);
  }

  // ---------------------------------------------------------------- standalone page tables (pt/)

  /** Seed 003's `page_table_create()`: an empty page-table tree owned by no process (pt/page-table.ts). */
  createPageTable(): PageTable {
    return PageTable.createIn(this.ctx);
  }

  /** Seed 003's `PageTableManager`: several page tables and an MMU with its own TLB (pt/page-table-manager.ts). */
  pageTableManager(options: PageTableManagerOptions = {}): PageTableManager {
    return new PageTableManager(this, options);
  }

  /** Seed 004's `VirtualMemoryManager::new()`: ASID 0, memory maps as device/linear regions (vmm/). */
  virtualMemoryManager(): VirtualMemoryManager {
    return VirtualMemoryManager.createIn(this.ctx);
  }

  // ---------------------------------------------------------------- the user access path (uaccess/)

  /** Loads 1, 2 or 4 bytes at `va` as the running process; the unsigned value or a negative code. */
  load(va: number, size: 1 | 2 | 4): number {
    return userLoad(this.ctx, va, size);
  }

  /** Loads 8 bytes at `va` as the running process; on failure 0n with the code in `status`. */
  load64(va: number): bigint {
    return userLoad64(this.ctx, va);
  }

  /** Stores 1, 2 or 4 bytes (an integer from 0 to 2^(8·size) − 1); 0 or a negative code (nothing written). */
  store(va: number, size: 1 | 2 | 4, value: number): number {
    return userStore(this.ctx, va, size, value);
  }

  /** Stores the low 64 bits of the bigint `value` at `va`; 0 or a negative code. */
  store64(va: number, value: bigint): number {
    return userStore64(this.ctx, va, value);
  }

  /**
   * Loads 8 bytes at `va` as the running process without a bigint: the low word (0 to 2^32 − 1), with the
   * high word in `high`; or a negative code (also in `status`).
   */
  load64Words(va: number): number {
    return userLoad64Words(this.ctx, va);
  }

  /** The high word of the last successful `load64Words`. */
  get high(): number {
    return this.ctx.high;
  }

  /** Stores `hi`·2^32 + `lo` (two integers from 0 to 2^32 − 1) at `va` without a bigint; 0 or a negative code. */
  store64Words(va: number, lo: number, hi: number): number {
    return userStore64Words(this.ctx, va, lo, hi);
  }

  /**
   * load64Words without the checks a caller has already made (sim-api's read): a process is running and `va`
   * is an integer user address inside one of its regions with its 8 bytes in one page. Faults are resolved,
   * counted and reported exactly as by load64Words; only the argument checks are skipped. Not for general use.
   * @internal
   */
  load64WordsPrechecked(va: number): number {
    const ctx = this.ctx;
    return loadWordsInPage(ctx, ctx.procs.current!, va);
  }

  /**
   * store64Words without the checks a caller has already made (sim-api's write): a process is running, `va`
   * is an integer user address inside one of its regions with its 8 bytes in one page, and `lo`, `hi` are
   * integers from 0 to 2^32 − 1. Faults are resolved, counted and reported exactly as by store64Words; only
   * the argument checks are skipped, so a wrong argument is not diagnosed. Not for general use.
   * @internal
   */
  store64WordsPrechecked(va: number, lo: number, hi: number): number {
    const ctx = this.ctx;
    return storeWordsInPage(ctx, ctx.procs.current!, va, lo, hi);
  }

  /** Reads `length` bytes at `va` as the running process. Throws a typed error when it cannot. */
  read(va: number, length: number): Uint8Array {
    return copyIn(this.ctx, this.ctx.procs.running(), va, length);
  }

  /** Writes `data` at `va` as the running process, resolving faults. All or nothing; throws a typed error. */
  write(va: number, data: Uint8Array): void {
    copyOut(this.ctx, this.ctx.procs.running(), va, data);
  }

  /** The kernel writes into process `pid`'s memory (copyout): the same copy-on-write path as a user write. */
  copyout(pid: number, va: number, data: Uint8Array): void {
    copyOut(this.ctx, this.ctx.procs.live(pid), va, data);
  }

  /** The kernel reads process `pid`'s memory (copyin). */
  copyin(pid: number, va: number, length: number): Uint8Array {
    return copyIn(this.ctx, this.ctx.procs.live(pid), va, length);
  }

  /**
   * The fault handler (fault/handle-mm-fault.ts) for a fault of `pid` at `va`, as an MMU would report it:
   * a positive PG_* code when resolved, or a negative code (SEGV_MAPERR, SEGV_ACCERR, VM_FAULT_OOM,
   * VM_FAULT_SIGBUS) and nothing changed.
   */
  handlePageFault(pid: number, va: number, access: AccessKind): number {
    const p = this.ctx.procs.live(pid);
    this.ctx.checkVa(va);
    if (access !== ACCESS_READ && access !== ACCESS_WRITE && access !== ACCESS_EXEC) {
      throw new InvalidArgumentError('access', access, 'expected ACCESS_READ, ACCESS_WRITE or ACCESS_EXEC');
    }
    const r = handleMmFault(this.ctx, p, va, access);
    this.ctx.afterOperation();
    return r;
  }

  // ---------------------------------------------------------------- inspection

  /** Every valid leaf mapping of `pid`, in address order. */
  mappings(pid = this.ctx.procs.currentPid()): Mapping[] {
    const { frames, zeroPfn } = this.ctx;
    const out: Mapping[] = [];
    this.ctx.procs.live(pid).space!.visit({
      leaf(va, _entryPa, pfn, flags) {
        // A device frame (a memory map beyond RAM) has no books: count 0.
        out.push({ va, pfn, flags, refCount: pfn < frames.total ? frames.refCount(pfn) : 0, zeroPage: pfn === zeroPfn, cow: (flags & PTE_COW) !== 0 });
      },
    });
    return out;
  }

  /** Translates `va` in `pid` by reading its tables, without the TLB and without side effects. */
  translate(va: number, pid = this.ctx.procs.currentPid()): { pa: number; pfn: number; flags: number } | null {
    this.ctx.checkVa(va);
    const leaf = this.ctx.procs.live(pid).space!.leaf(va);
    if (!leaf.valid) return null;
    return { pa: leaf.pfn * this.pageSize + (va % this.pageSize), pfn: leaf.pfn, flags: leaf.flags };
  }

  /**
   * The reverse map of frame `pfn` (mm/rmap.ts): every (pid, page) whose entry maps it, sorted by pid then
   * page; empty for the zero page, a free frame, a table or a frame only the page cache holds.
   */
  reverseMap(pfn: number): { pid: number; va: number }[] {
    this.requireReverseMap('reverseMap()');
    if (typeof pfn !== 'number' || !Number.isInteger(pfn) || pfn < 0 || pfn >= this.ctx.frames.total) {
      throw new InvalidArgumentError('pfn', pfn, `expected a frame number from 0 to ${this.ctx.frames.total - 1}`);
    }
    return this.ctx.rmap.mappers(pfn).map(({ pid, va }) => ({ pid, va })).sort((a, b) => a.pid - b.pid || a.va - b.va);
  }

  /**
   * The page tables' Accessed bits by frame (mm/accessed-bits.ts), for @vmsim/replacement's clock family:
   * `testAndClearAccessed(pfn)` reads and clears A in every entry mapping the frame, flushing the TLB entries.
   */
  accessedBits(): AccessedBits {
    this.requireReverseMap('accessedBits()');
    return new PageTableAccessedBits(this.ctx);
  }

  /** The reverse map is kept only when the kernel was made with it (option `reverseMap`, or swap). */
  private requireReverseMap(what: string): void {
    if (!this.ctx.rmapOn) throw new InvalidOptionError('reverseMap', false, `${what} needs a kernel made with reverseMap: true (or swap slots)`);
  }

  /**
   * Reclaims frame `pfn` by hand. A private anonymous page (mm/vmscan.ts): every entry mapping it becomes a
   * swap entry, the page is written to its slot if dirty, the frame is freed. A page-cache frame
   * (mm/vmscan-file.ts): every entry mapping it is cleared, the page is written back to its file if dirty,
   * the frame leaves the cache and is freed (an `evict` event; counted in reclaimStats). False, and nothing
   * changed, when the frame is neither, or is pinned by other references, or the swap area is full.
   */
  reclaim(pfn: number): boolean {
    if (typeof pfn !== 'number' || !Number.isInteger(pfn) || pfn < 0 || pfn >= this.ctx.frames.total) {
      throw new InvalidArgumentError('pfn', pfn, `expected a frame number from 0 to ${this.ctx.frames.total - 1}`);
    }
    const done = this.ctx.files.cacheFrames.has(pfn) ? reclaimCacheFrame(this.ctx, pfn) : reclaimFrame(this.ctx, pfn);
    this.ctx.afterOperation();
    return done;
  }

  /**
   * Swap activity and the swap area's use: pswpin/pswpout, writebacks, major faults (swap-ins that read their
   * slot), swap-cache hits (swap-ins that found the page in the swap cache: minor faults, as Linux counts them),
   * frames reclaimed, slots used, pages in the swap cache, and per live process the pages it has in swap (its
   * swap entries).
   */
  swapStats(): {
    pswpin: number; pswpout: number; writebacks: number; majorFaults: number; swapCacheHits: number; reclaimed: number; slots: number; slotsUsed: number;
    swapCached: number; processes: { pid: number; swapPages: number }[];
  } {
    const { swap, swapCache, swapCounts } = this.ctx;
    const processes: { pid: number; swapPages: number }[] = [];
    for (const p of this.ctx.procs.all()) {
      if (p.space !== null) processes.push({ pid: p.pid, swapPages: swap.slots === 0 ? 0 : swapEntriesOf(this.ctx, p.space) });
    }
    return { ...swapCounts, slots: swap.slots, slotsUsed: swap.used, swapCached: swapCache.size, processes };
  }

  /**
   * Sets the memory limit of `pid`'s group (a memory cgroup's memory.max), in pages, or removes it (null); see
   * mm/reclaim.ts for the charging rule. Needs the `reclaim` option with a policy by name.
   */
  setMemoryLimit(pid: number, pages: number | null): void {
    const reclaim = this.ctx.reclaim;
    if (reclaim === null) throw new InvalidOptionError('reclaim', undefined, 'setMemoryLimit() needs a kernel made with the reclaim option');
    reclaim.setLimit(pid, pages);
    this.ctx.afterOperation();
  }

  /**
   * Reclaim's statistics: evictions (swap-outs and page-cache frames dropped), writebacks (those that wrote: to
   * swap or to the file; msync, munmap and exit write-backs are not counted), major faults (swap-ins that read
   * their slot, and pages read from a file into the cache), minor faults (every other resolved fault, swap-ins
   * found in the swap cache included), pswpin, pswpout, OOM kills;
   * the frames the policy holds and the limit (null: none); the per-process limits.
   */
  reclaimStats(): {
    evictions: number; writebacks: number; majorFaults: number; minorFaults: number; pswpin: number; pswpout: number; oomKills: number;
    resident: number; limit: number | null; groups: { pid: number; limit: number; charged: number }[];
  } {
    const { swapCounts, reclaimCounts, counts, reclaim } = this.ctx;
    const resolved = counts.zeroFill + counts.zeroMap + counts.cowCopy + counts.cowReuse + counts.sharedWrite + counts.sharedMap + counts.spurious + counts.fileMap + counts.fileCopy;
    return {
      evictions: swapCounts.reclaimed + reclaimCounts.fileEvictions,
      writebacks: swapCounts.writebacks + reclaimCounts.fileWritebacks,
      majorFaults: swapCounts.majorFaults + reclaimCounts.fileMajorFaults,
      minorFaults: resolved - reclaimCounts.fileMajorFaults + swapCounts.swapCacheHits,
      pswpin: swapCounts.pswpin,
      pswpout: swapCounts.pswpout,
      oomKills: reclaimCounts.oomKills,
      resident: reclaim === null ? 0 : reclaim.count,
      limit: reclaim === null || reclaim.limit === Infinity ? null : reclaim.limit,
      groups: reclaim === null ? [] : reclaim.groupList(),
    };
  }

  /** Page-table frames of `pid` with their level, root first then depth-first in address order. */
  pageTables(pid = this.ctx.procs.currentPid()): { pfn: number; level: number }[] {
    const out: { pfn: number; level: number }[] = [];
    this.ctx.procs.live(pid).space!.visit({ table: (pfn, level) => out.push({ pfn, level }) });
    return out;
  }

  stats(): KernelStats {
    return collectStats(this.ctx);
  }

  snapshot(): KernelSnapshot {
    return takeSnapshot(this.ctx);
  }

  /** Checks the kernel's books against the machine (invariants.ts); throws KernelInvariantError listing every problem. */
  checkInvariants(): void {
    checkInvariants(this.ctx);
  }
}

/** Validates the options; every problem is an InvalidOptionError naming the option. */
function checkOptions(options: KernelOptions): ConstructorParameters<typeof KernelContext>[0] {
  if (options === null || typeof options !== 'object') throw new InvalidOptionError('options', options, 'expected an object');
  const given: unknown = options.model;
  let model: HardwareModel;
  if (given === undefined) model = x86_32();
  else if (isModelName(given)) model = modelByName(given);
  else if (given !== null && typeof given === 'object' && typeof (given as Partial<HardwareModel>).encodeLo === 'function') {
    model = given as HardwareModel;
  } else {
    const names = MODEL_NAMES.map((name) => `'${name}'`).join(', ');
    throw new InvalidOptionError('model', given, `expected one of ${names} or a HardwareModel object (x86_32(), sv32(), x86_64(), sv39() from @vmsim/hw)`);
  }
  const problem = validateModel(model);
  if (problem !== null) throw new InvalidOptionError('model', model.name, problem);
  const pageSize = 2 ** model.pageShift;
  const ramBytes = options.ramBytes ?? DEFAULT_RAM_BYTES;
  if (typeof ramBytes !== 'number' || !Number.isInteger(ramBytes) || ramBytes < 2 * pageSize || ramBytes % pageSize !== 0) {
    throw new InvalidArgumentError('ramBytes', ramBytes, `expected a multiple of ${pageSize} of at least two pages`);
  }
  const tlb = options.tlb;
  if (tlb !== undefined) {
    if (tlb === null || typeof tlb !== 'object') throw new InvalidOptionError('tlb', tlb, 'expected an object { entries?, ways? }');
    for (const key of ['entries', 'ways'] as const) {
      const v = tlb[key];
      if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 1)) {
        throw new InvalidOptionError(`tlb.${key}`, v, 'expected a positive integer');
      }
    }
  }
  const swapSlots = options.swapSlots ?? 0;
  if (typeof swapSlots !== 'number' || !Number.isInteger(swapSlots) || swapSlots < 0 || swapSlots > Math.min(2 ** 30, maxSwapSlots(model))) {
    throw new InvalidOptionError('swapSlots', swapSlots, 'expected an integer from 0 to 2^30');
  }
  if (swapSlots > 0 && !supportsSwapEntries(model)) {
    throw new InvalidOptionError('swapSlots', swapSlots, `model ${model.name} has no room for swap entries in a not-present entry`);
  }
  const reverseMap = options.reverseMap ?? (swapSlots > 0 || options.reclaim !== undefined);
  if (typeof reverseMap !== 'boolean') throw new InvalidOptionError('reverseMap', reverseMap, 'expected true or false');
  if (!reverseMap && swapSlots > 0) throw new InvalidOptionError('reverseMap', reverseMap, 'swap needs the reverse map (reclaim unmaps a page from every entry)');
  if (!reverseMap && options.reclaim !== undefined) throw new InvalidOptionError('reverseMap', reverseMap, 'reclaim needs the reverse map (it unmaps a victim from every entry)');
  return {
    model,
    ramBytes,
    tlb,
    swapSlots,
    reverseMap,
    poisonFreed: options.poisonFreed ?? false,
    checkInvariants: options.checkInvariants ?? false,
  };
}

/** Checks the `reclaim` option and makes the kernel's Reclaimer; every problem is an InvalidOptionError. */
function makeReclaimer(ctx: KernelContext, options: ReclaimOptions): Reclaimer {
  if (options === null || typeof options !== 'object') throw new InvalidOptionError('reclaim', options, 'expected an object { policy, limit?, ... }');
  const policy: unknown = options.policy;
  if (!isPolicyName(policy)) {
    const p = policy as Partial<PagePolicy> | null;
    const ok = p !== null && typeof p === 'object' && typeof p.wantsReferences === 'boolean'
      && typeof p.loaded === 'function' && typeof p.touched === 'function' && typeof p.victim === 'function' && typeof p.removed === 'function';
    if (!ok) throw new InvalidOptionError('reclaim.policy', policy, 'expected a policy name of @vmsim/replacement or a PagePolicy { wantsReferences, loaded, touched, victim, removed }');
  }
  const total = ctx.frames.total;
  const limit: unknown = options.limit;
  if (limit !== undefined && (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > total)) {
    throw new InvalidOptionError('reclaim.limit', limit, `expected an integer from 1 to ${total} (the RAM's frames)`);
  }
  const oomKill: unknown = options.oomKill;
  if (oomKill !== undefined && typeof oomKill !== 'boolean') throw new InvalidOptionError('reclaim.oomKill', oomKill, 'expected true or false');
  try {
    return new Reclaimer(ctx, options);
  } catch (e) {
    if (e instanceof ReplacementError) throw new InvalidOptionError('reclaim', options, e.message);
    throw e;
  }
}
