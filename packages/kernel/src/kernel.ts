// The kernel: one instance owns one machine (RAM, hardware model, MMU and TLB) and runs processes on it.
// It allocates frames, keeps the zero page, builds page tables in RAM, forks with copy-on-write, and
// resolves the page faults that the MMU reports. Nothing here is global: every machine is an instance.

import {
  ACCESS_EXEC, ACCESS_READ, ACCESS_WRITE, Mmu, PhysicalMemory, PTE_D, PTE_A, PTE_R, PTE_SW0, PTE_U,
  PTE_V, PTE_W, PTE_X, vaRange, x86_32,
  type AccessKind, type HardwareModel, type TlbConfig,
} from '@vmsim/hw';
import { AddressSpace } from './address-space.js';
import {
  AlreadyMappedError, InvalidAddressError, InvalidArgumentError, KernelInvariantError, NoSuchProcessError,
  NotMappedError, OutOfMemoryError, PermissionDeniedError,
} from './errors.js';
import type { FaultResolution, KernelEvent, KernelListener } from './events.js';
import { FRAME_DATA, FRAME_FREE, FRAME_KIND_NAMES, FRAME_TABLE, FRAME_ZERO, FrameAllocator, type FrameKind } from './frame-allocator.js';
import { Process } from './process.js';
import { MAP_ANONYMOUS, MAP_PRIVATE, MAP_SHARED, PROT_EXEC, PROT_READ, PROT_WRITE, type Vma } from './vma.js';

/** The software bit the kernel uses to mark a copy-on-write page (x86 AVL bit 9, RISC-V RSW bit 8). */
export const PTE_COW = PTE_SW0;

/*
 * Results of handlePageFault and of the user access path. A fault that was resolved gives a positive code;
 * one that was not gives a negative code, like the signals a real kernel would send.
 */
export const VM_FAULT_ZERO_FILL = 1;
export const VM_FAULT_COW_COPY = 2;
export const VM_FAULT_COW_REUSE = 3;
export const VM_FAULT_DEMAND_ZERO = 4;
/** The tables already allowed the access (a stale TLB entry); the entry was flushed. */
export const VM_FAULT_SPURIOUS = 5;
/** No region covers the address. */
export const SEGV_MAPERR = -1;
/** The region's protection does not allow the access. */
export const SEGV_ACCERR = -2;
export const VM_FAULT_OOM = -3;
/** The hardware reported something the kernel cannot fix (a malformed table, a bad frame). */
export const VM_FAULT_SIGBUS = -4;
/** No process is running. */
export const ERR_NO_PROCESS = -5;

/** Default RAM: 16 MiB (4096 frames of 4 KiB). */
export const DEFAULT_RAM_BYTES = 16 * 1024 * 1024;
const MAX_FAULT_RETRIES = 8;
const ACCESS_LABELS = ['read', 'write', 'execute'] as const;

export interface KernelOptions {
  /** Paging hardware (default x86 32-bit). */
  readonly model?: HardwareModel;
  /** RAM size in bytes (default 16 MiB); a multiple of the page size. */
  readonly ramBytes?: number;
  readonly tlb?: TlbConfig;
  /** Fill freed frames with junk (0xA5) so that a dangling mapping cannot read old data. */
  readonly poisonFreed?: boolean;
  /** Check every invariant after every operation (slow; for tests and debugging). */
  readonly checkInvariants?: boolean;
}

export interface ProcessStats {
  readonly pid: number;
  readonly parentPid: number;
  readonly state: 'running' | 'sleeping' | 'terminated';
  /** Pages mapped to a frame of their own or shared (not the zero page). */
  readonly resident: number;
  /** Resident pages whose frame other mappings share. */
  readonly shared: number;
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
  readonly faults: {
    readonly zeroFill: number;
    readonly cowCopy: number;
    readonly cowReuse: number;
    readonly demandZero: number;
    readonly spurious: number;
    readonly segfault: number;
    readonly oom: number;
  };
  readonly tlb: { readonly hits: number; readonly misses: number; readonly flushes: number; readonly entries: number };
  readonly processes: readonly ProcessStats[];
}

/** A leaf mapping, as `mappings()` and dumps show it. */
export interface Mapping {
  readonly va: number;
  readonly pfn: number;
  readonly flags: number;
  readonly refCount: number;
  readonly zeroPage: boolean;
  readonly cow: boolean;
}

/** The whole observable state of the machine, for before/after comparisons. */
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

export class Kernel {
  readonly model: HardwareModel;
  readonly ram: PhysicalMemory;
  readonly mmu: Mmu;
  readonly frames: FrameAllocator;
  /** The frame that every zero-mapped page shares. Never written, never freed. */
  readonly zeroPfn: number;
  readonly pageSize: number;
  /** Result of the last user access: 0, or a negative code (SEGV_MAPERR …). */
  status = 0;

  private readonly pageShift: number;
  /** One past the highest user virtual address. */
  private readonly vaLimit: number;
  private readonly procs = new Map<number, Process>();
  private nextPid = 0;
  private cur: Process | null = null;
  private listeners: KernelListener[] = [];
  private readonly checking: boolean;
  private readonly asidOwner: Int32Array;
  private asidVictim = 0;
  /** The address a failed write check stopped at (see framesForWrite). */
  private refusedVa = 0;
  private readonly faultCounts = { zeroFill: 0, cowCopy: 0, cowReuse: 0, demandZero: 0, spurious: 0, segfault: 0, oom: 0 };

  constructor(options: KernelOptions = {}) {
    this.model = options.model ?? x86_32();
    this.pageShift = this.model.pageShift;
    this.pageSize = 2 ** this.pageShift;
    const ramBytes = options.ramBytes ?? DEFAULT_RAM_BYTES;
    if (!Number.isInteger(ramBytes) || ramBytes < 2 * this.pageSize || ramBytes % this.pageSize !== 0) {
      throw new InvalidArgumentError('ramBytes', ramBytes, `expected a multiple of ${this.pageSize} of at least two pages`);
    }
    this.ram = new PhysicalMemory(ramBytes, { frameSize: this.pageSize });
    this.mmu = new Mmu(this.ram, this.model, options.tlb === undefined ? {} : { tlb: options.tlb });
    this.frames = new FrameAllocator(this.ram, { poisonFreed: options.poisonFreed ?? false });
    this.zeroPfn = this.frames.alloc(FRAME_ZERO);
    // User space: the whole space of a 32-bit model; the lower (non-negative) half of a sign-extended one.
    this.vaLimit = vaRange(this.model).end;
    this.checking = options.checkInvariants ?? false;
    this.asidOwner = new Int32Array(2 ** this.model.asidBits).fill(-1);
  }

  // ---------------------------------------------------------------- events

  /** Subscribes to the event stream; returns the function that unsubscribes. */
  on(listener: KernelListener): () => void {
    if (typeof listener !== 'function') throw new InvalidArgumentError('listener', typeof listener, 'expected a function');
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  private emit(event: KernelEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  // ---------------------------------------------------------------- processes

  /** The running process, or null. */
  get current(): Process | null {
    return this.cur;
  }

  /** Live processes (not terminated), in pid order. */
  processes(): Process[] {
    return [...this.procs.values()].filter((p) => p.state !== 'terminated');
  }

  /** Any process ever created, terminated ones included. */
  process(pid: number): Process {
    const p = this.procs.get(pid);
    if (p === undefined) throw new NoSuchProcessError(pid);
    return p;
  }

  /** Creates a process with an empty address space. The first one becomes current and runs. */
  spawn(): Process {
    this.requireFrames('spawn', 1);
    const root = this.allocFrame(FRAME_TABLE);
    const p = new Process(this.nextPid++, -1, new AddressSpace(this.ram, this.model, this.frames, root));
    this.procs.set(p.pid, p);
    if (this.cur === null) this.switchTo(p.pid);
    this.afterOperation();
    return p;
  }

  /**
   * Forks `pid` (default: the current process). The child gets page tables of its own that map the same
   * frames; private writable pages become read-only and copy-on-write in both. No data frame is copied.
   * The child is created sleeping; the caller decides who runs.
   */
  fork(pid = this.currentPid()): Process {
    const parent = this.live(pid);
    const ps = parent.space!;
    this.requireFrames('fork', ps.tables);
    const cs = new AddressSpace(this.ram, this.model, this.frames, this.allocFrame(FRAME_TABLE), ps.vmas.clone());
    const childPid = this.nextPid;
    const listening = this.listeners.length !== 0;
    let downgraded = false;
    ps.cloneTablesInto(cs, this.allocTable, (va, parentPa, childPa, pfn, flags) => {
      if ((flags & PTE_W) !== 0 && !this.isShared(ps, va)) {
        flags = (flags & ~PTE_W) | PTE_COW;
        ps.setLeaf(parentPa, pfn, flags);
        downgraded = true;
        if (listening) this.emit({ type: 'map', pid: parent.pid, va, pfn, writable: false });
      }
      cs.setLeaf(childPa, pfn, flags);
      this.frames.ref(pfn);
      if (listening) this.emit({ type: 'map', pid: childPid, va, pfn, writable: (flags & PTE_W) !== 0 });
    });
    if (downgraded) this.flushSpace(ps);
    const child = new Process(this.nextPid++, parent.pid, cs);
    this.procs.set(child.pid, child);
    if (this.listeners.length !== 0) this.emit({ type: 'fork', parent: parent.pid, child: child.pid });
    this.afterOperation();
    return child;
  }

  /** Terminates `pid` (default: the current process): unmaps everything and frees its tables. */
  kill(pid = this.currentPid()): void {
    const p = this.live(pid);
    const space = p.space!;
    space.forEachLeaf((va, _entryPa, pfn) => {
      if (this.listeners.length !== 0) this.emit({ type: 'unmap', pid, va, pfn });
      this.unrefFrame(pfn);
    });
    space.forEachTable((pfn) => this.unrefFrame(pfn));
    if (space.asid >= 0 && this.model.asidBits > 0) {
      this.mmu.tlb.flushAsid(space.asid);
      this.asidOwner[space.asid] = -1;
    } else if (p === this.cur) {
      this.mmu.tlb.flushNonGlobal();
    }
    space.asid = -1;
    p.state = 'terminated';
    p.space = null;
    if (p === this.cur) this.cur = null;
    if (this.listeners.length !== 0) this.emit({ type: 'kill', pid });
    this.afterOperation();
  }

  /** Runs `pid`: the current process goes to sleep and the MMU gets the new root and ASID. */
  switchTo(pid: number): void {
    const p = this.live(pid);
    const from = this.cur;
    if (from === p && p.state === 'running') return;
    if (from !== null && from !== p && from.state === 'running') from.state = 'sleeping';
    const space = p.space!;
    if (space.asid < 0) this.assignAsid(p);
    this.mmu.setRoot(space.rootPfn, space.asid);
    // Without ASIDs every space tags its entries 0; if loading the root register does not flush the TLB
    // (RISC-V with ASIDLEN 0, unlike x86), the kernel must, or the new space would use the old one's entries.
    if (this.model.asidBits === 0 && !this.model.rootWriteFlushesTlb) this.mmu.tlb.flushNonGlobal();
    p.state = 'running';
    this.cur = p;
    if (this.listeners.length !== 0) this.emit({ type: 'switch', from: from === null ? -1 : from.pid, to: p.pid });
  }

  /** Puts `pid` to sleep without running another; its accesses fail with ERR_NO_PROCESS until it runs again. */
  sleep(pid = this.currentPid()): void {
    this.live(pid).state = 'sleeping';
  }

  // ---------------------------------------------------------------- regions

  /**
   * Registers the page holding `va` in process `pid` (the rust-vmem `register`): a private anonymous
   * read-write region, merged with touching neighbours, mapped to the zero page read-only.
   */
  register(va: number, pid = this.currentPid()): void {
    const p = this.live(pid);
    this.checkVa(va);
    const space = p.space!;
    const page = this.pageBase(va);
    if (space.vmas.find(page) !== undefined) throw new AlreadyMappedError(pid, va);
    this.requireFrames('register', space.tablesNeeded(page));
    const vma = { start: page, end: page + this.pageSize, prot: PROT_READ | PROT_WRITE, flags: MAP_PRIVATE | MAP_ANONYMOUS };
    space.vmas.insert(vma);
    this.mapZero(p, page, vma.prot);
    this.afterOperation();
  }

  /** Is the page holding `va` inside a region of `pid`? */
  isRegistered(va: number, pid = this.currentPid()): boolean {
    this.checkVa(va);
    return this.live(pid).space!.vmas.find(va) !== undefined;
  }

  /** The regions of `pid`, in address order. */
  regions(pid = this.currentPid()): readonly Vma[] {
    return this.live(pid).space!.vmas.toArray();
  }

  // ---------------------------------------------------------------- the user access path

  /** Loads 1, 2 or 4 bytes at `va` as the running process; the unsigned value or a negative code. */
  load(va: number, size: 1 | 2 | 4): number {
    const p = this.cur;
    if (p === null || p.state !== 'running') return (this.status = ERR_NO_PROCESS);
    if (size !== 1 && size !== 2 && size !== 4) throw new InvalidArgumentError('size', size, 'expected 1, 2 or 4');
    if (va >>> 0 !== va ? !this.isWideUserVa(va) : va >= this.vaLimit) return (this.status = this.faultFailed(p, va, ACCESS_READ, SEGV_MAPERR));
    const mmu = this.mmu;
    for (let attempt = 0; attempt < MAX_FAULT_RETRIES; attempt++) {
      const value = size === 4 ? mmu.load32(va) : size === 1 ? mmu.load8(va) : mmu.load16(va);
      if (value >= 0) {
        this.status = 0;
        return value;
      }
      const r = this.resolveMmuFault(p, ACCESS_READ);
      if (r < 0) return (this.status = r);
    }
    return (this.status = VM_FAULT_SIGBUS);
  }

  /** Loads 8 bytes at `va` as the running process; on failure 0n with the code in `status`. */
  load64(va: number): bigint {
    const p = this.cur;
    if (p === null || p.state !== 'running') {
      this.status = ERR_NO_PROCESS;
      return 0n;
    }
    if (va >>> 0 !== va ? !this.isWideUserVa(va) : va >= this.vaLimit) {
      this.status = this.faultFailed(p, va, ACCESS_READ, SEGV_MAPERR);
      return 0n;
    }
    for (let attempt = 0; attempt < MAX_FAULT_RETRIES; attempt++) {
      const value = this.mmu.load64(va);
      if (this.mmu.status === 0) {
        this.status = 0;
        return value;
      }
      const r = this.resolveMmuFault(p, ACCESS_READ);
      if (r < 0) {
        this.status = r;
        return 0n;
      }
    }
    this.status = VM_FAULT_SIGBUS;
    return 0n;
  }

  /** Stores 1, 2 or 4 bytes at `va` as the running process; 0 or a negative code (nothing written then). */
  store(va: number, size: 1 | 2 | 4, value: number): number {
    const p = this.cur;
    if (p === null || p.state !== 'running') return (this.status = ERR_NO_PROCESS);
    if (size !== 1 && size !== 2 && size !== 4) throw new InvalidArgumentError('size', size, 'expected 1, 2 or 4');
    if (va >>> 0 !== va ? !this.isWideUserVa(va) : va >= this.vaLimit) return (this.status = this.faultFailed(p, va, ACCESS_WRITE, SEGV_MAPERR));
    if ((va % this.pageSize) + size > this.pageSize) {
      const check = this.checkCrossingStore(p, va, size);
      if (check < 0) return (this.status = check);
    }
    const mmu = this.mmu;
    for (let attempt = 0; attempt < MAX_FAULT_RETRIES; attempt++) {
      const r = size === 4 ? mmu.store32(va, value) : size === 1 ? mmu.store8(va, value) : mmu.store16(va, value);
      if (r === 0) return (this.status = 0);
      const h = this.resolveMmuFault(p, ACCESS_WRITE);
      if (h < 0) return (this.status = h);
    }
    return (this.status = VM_FAULT_SIGBUS);
  }

  /** Stores the low 64 bits of `value` at `va` as the running process; 0 or a negative code. */
  store64(va: number, value: bigint): number {
    const p = this.cur;
    if (p === null || p.state !== 'running') return (this.status = ERR_NO_PROCESS);
    if (va >>> 0 !== va ? !this.isWideUserVa(va) : va >= this.vaLimit) return (this.status = this.faultFailed(p, va, ACCESS_WRITE, SEGV_MAPERR));
    if ((va % this.pageSize) + 8 > this.pageSize) {
      const check = this.checkCrossingStore(p, va, 8);
      if (check < 0) return (this.status = check);
    }
    for (let attempt = 0; attempt < MAX_FAULT_RETRIES; attempt++) {
      const r = this.mmu.store64(va, value);
      if (r === 0) return (this.status = 0);
      const h = this.resolveMmuFault(p, ACCESS_WRITE);
      if (h < 0) return (this.status = h);
    }
    return (this.status = VM_FAULT_SIGBUS);
  }

  /** Reads `length` bytes at `va` as the running process. Throws a typed error when it cannot. */
  read(va: number, length: number): Uint8Array {
    return this.copyIn(this.running(), va, length);
  }

  /** Writes `data` at `va` as the running process, resolving faults. All or nothing; throws a typed error. */
  write(va: number, data: Uint8Array): void {
    this.copyOut(this.running(), va, data);
  }

  /** The kernel writes into process `pid`'s memory (copyout): the same copy-on-write path as a user write. */
  copyout(pid: number, va: number, data: Uint8Array): void {
    this.copyOut(this.live(pid), va, data);
  }

  /** The kernel reads process `pid`'s memory (copyin). */
  copyin(pid: number, va: number, length: number): Uint8Array {
    return this.copyIn(this.live(pid), va, length);
  }

  /**
   * Resolves a fault of process `pid` at `va` for an access, as the MMU would have reported it. Returns a
   * positive VM_FAULT_* code when resolved, or a negative code (SEGV_MAPERR, SEGV_ACCERR, VM_FAULT_OOM).
   * On a negative result the machine is unchanged.
   */
  handlePageFault(pid: number, va: number, access: AccessKind): number {
    const p = this.live(pid);
    this.checkVa(va);
    if (access !== ACCESS_READ && access !== ACCESS_WRITE && access !== ACCESS_EXEC) {
      throw new InvalidArgumentError('access', access, 'expected ACCESS_READ, ACCESS_WRITE or ACCESS_EXEC');
    }
    const r = this.fault(p, va, access);
    this.afterOperation();
    return r;
  }

  // ---------------------------------------------------------------- inspection

  /** Every valid leaf mapping of `pid`, in address order. */
  mappings(pid = this.currentPid()): Mapping[] {
    const space = this.live(pid).space!;
    const out: Mapping[] = [];
    space.forEachLeaf((va, _entryPa, pfn, flags) => {
      out.push({ va, pfn, flags, refCount: this.frames.refCount(pfn), zeroPage: pfn === this.zeroPfn, cow: (flags & PTE_COW) !== 0 });
    });
    return out;
  }

  /** Translates `va` in `pid` by reading its tables, without the TLB and without side effects. */
  translate(va: number, pid = this.currentPid()): { pa: number; pfn: number; flags: number } | null {
    this.checkVa(va);
    const leaf = this.live(pid).space!.leaf(va);
    if (!leaf.valid) return null;
    return { pa: leaf.pfn * this.pageSize + (va % this.pageSize), pfn: leaf.pfn, flags: leaf.flags };
  }

  /** Page-table frames of `pid` with their level, root first then in address order. */
  pageTables(pid = this.currentPid()): { pfn: number; level: number }[] {
    const space = this.live(pid).space!;
    const out: { pfn: number; level: number }[] = [];
    space.forEachTable((pfn, level) => out.push({ pfn, level }));
    out.unshift(out.pop()!);
    return out;
  }

  stats(): KernelStats {
    const frames = this.frames;
    const tlb = this.mmu.tlb;
    return {
      model: this.model.name,
      levels: this.model.levels,
      pageSize: this.pageSize,
      frames: {
        total: frames.total,
        free: frames.freeCount,
        used: frames.used,
        pageTables: frames.inUse[FRAME_TABLE]!,
        data: frames.inUse[FRAME_DATA]!,
        zero: frames.inUse[FRAME_ZERO]!,
      },
      faults: { ...this.faultCounts },
      tlb: { hits: tlb.hits, misses: tlb.misses, flushes: tlb.flushes, entries: tlb.entries },
      processes: [...this.procs.values()].map((p) => this.processStats(p)),
    };
  }

  snapshot(): KernelSnapshot {
    return {
      ram: this.ram.bytes.slice(),
      refCounts: Array.from(this.frames.refCounts),
      kinds: Array.from(this.frames.kinds),
      freeFrames: this.frames.freeCount,
      nextPid: this.nextPid,
      current: this.cur === null ? -1 : this.cur.pid,
      processes: [...this.procs.values()].map((p) => ({
        pid: p.pid,
        parentPid: p.parentPid,
        state: p.state,
        root: p.space === null ? -1 : p.space.rootPfn,
        asid: p.space === null ? -1 : p.space.asid,
        tables: p.space === null ? 0 : p.space.tables,
        vmas: p.space === null ? [] : p.space.vmas.toArray(),
      })),
      tlb: this.mmu.tlb.validEntries().map(({ vpn, asid, pfn, global, perm }) => ({ vpn, asid, pfn, global, perm })),
    };
  }

  /**
   * Checks the kernel's books against the machine and throws KernelInvariantError listing every problem:
   * each frame's refcount equals the mappings of it (plus one pin for the zero page), no frame is both free
   * and mapped, table frames belong to exactly one table tree, the zero page is all zeros, no private page
   * is writable while shared, every mapping lies inside a region.
   */
  checkInvariants(): void {
    const problems: string[] = [];
    const total = this.frames.total;
    const mapped = new Uint32Array(total);
    const tableOwners = new Uint32Array(total);
    for (const p of this.procs.values()) {
      const space = p.space;
      if (p.state === 'terminated') {
        if (space !== null) problems.push(`terminated pid ${p.pid} still has an address space`);
        continue;
      }
      if (space === null) {
        problems.push(`live pid ${p.pid} has no address space`);
        continue;
      }
      let tables = 0;
      space.forEachTable((pfn) => {
        tables++;
        tableOwners[pfn]!++;
      });
      if (tables !== space.tables) problems.push(`pid ${p.pid} counts ${space.tables} tables but has ${tables}`);
      space.forEachLeaf((va, _entryPa, pfn, flags) => {
        const leaf = { pfn, flags };
        mapped[pfn]!++;
        const vma = space.vmas.find(va);
        if (vma === undefined) problems.push(`pid ${p.pid} maps 0x${va.toString(16)} outside every region`);
        if ((leaf.flags & PTE_W) !== 0 && leaf.pfn === this.zeroPfn) problems.push(`pid ${p.pid} maps the zero page writable at 0x${va.toString(16)}`);
        if ((leaf.flags & PTE_W) !== 0 && vma !== undefined && (vma.flags & MAP_SHARED) === 0 && this.frames.refCounts[leaf.pfn]! > 1) {
          problems.push(`pid ${p.pid} maps shared frame ${leaf.pfn} writable at 0x${va.toString(16)}`);
        }
      });
    }
    const inUse = [0, 0, 0, 0];
    for (let pfn = 0; pfn < total; pfn++) {
      const kind = this.frames.kinds[pfn]!;
      const refs = this.frames.refCounts[pfn]!;
      const free = this.frames.isFree(pfn);
      inUse[kind]!++;
      if (free !== (kind === FRAME_FREE)) problems.push(`frame ${pfn} is ${FRAME_KIND_NAMES[kind]} but ${free ? '' : 'not '}on the free list`);
      if (free && (mapped[pfn]! > 0 || tableOwners[pfn]! > 0)) problems.push(`frame ${pfn} is free and mapped`);
      if (free && refs !== 0) problems.push(`free frame ${pfn} has refcount ${refs}`);
      if (kind === FRAME_TABLE && (refs !== 1 || tableOwners[pfn] !== 1 || mapped[pfn] !== 0)) {
        problems.push(`table frame ${pfn}: refcount ${refs}, in ${tableOwners[pfn]} table tree(s), mapped ${mapped[pfn]} time(s)`);
      }
      if (kind === FRAME_DATA && refs !== mapped[pfn]) problems.push(`data frame ${pfn}: refcount ${refs} but ${mapped[pfn]} mapping(s)`);
      if (kind === FRAME_ZERO && refs !== mapped[pfn]! + 1) problems.push(`zero page: refcount ${refs} but ${mapped[pfn]} mapping(s) + 1 pin`);
    }
    for (let k = 1; k < 4; k++) {
      if (inUse[k] !== this.frames.inUse[k]) problems.push(`${FRAME_KIND_NAMES[k]} frames: counted ${inUse[k]}, books say ${this.frames.inUse[k]}`);
    }
    if (inUse[FRAME_FREE] !== this.frames.freeCount) problems.push(`free frames: counted ${inUse[FRAME_FREE]}, books say ${this.frames.freeCount}`);
    if (!this.ram.isFrameZero(this.zeroPfn)) problems.push('the zero page is not all zeros');
    if (problems.length > 0) throw new KernelInvariantError(problems);
  }

  // ---------------------------------------------------------------- internals

  private afterOperation(): void {
    if (this.checking) this.checkInvariants();
  }

  private currentPid(): number {
    if (this.cur === null) throw new NoSuchProcessError('none running');
    return this.cur.pid;
  }

  private running(): Process {
    const p = this.cur;
    if (p === null || p.state !== 'running') throw new NoSuchProcessError('none running');
    return p;
  }

  private live(pid: number): Process {
    const p = this.procs.get(pid);
    if (p === undefined || p.state === 'terminated') throw new NoSuchProcessError(pid);
    return p;
  }

  /** A user address at or above 2^32, on a model whose space reaches that far. */
  private isWideUserVa(va: number): boolean {
    return Number.isSafeInteger(va) && va >= 0 && va < this.vaLimit;
  }

  private checkVa(va: number): void {
    if (typeof va !== 'number' || !Number.isInteger(va) || va < 0 || va >= this.vaLimit) {
      throw new InvalidAddressError(va, `expected an integer from 0 to 0x${(this.vaLimit - 1).toString(16)}`);
    }
  }

  private pageBase(va: number): number {
    return va - (va % this.pageSize);
  }

  /** Throws OutOfMemoryError unless `n` frames are free. (Page replacement will plug in here.) */
  private requireFrames(operation: string, n: number): void {
    if (!this.haveFrames(n)) {
      this.faultCounts.oom++;
      throw new OutOfMemoryError(operation, n, this.frames.freeCount);
    }
  }

  private haveFrames(n: number): boolean {
    return this.frames.freeCount >= n;
  }

  /** Page tables created while mapping go through allocFrame, so they are reported like every other frame. */
  private readonly allocTable = (): number => this.allocFrame(FRAME_TABLE);

  /** A page that was mapped to `from` now maps `to`, writable: an unmap and a map event. */
  private emitRemap(pid: number, va: number, from: number, to: number): void {
    this.emit({ type: 'unmap', pid, va, pfn: from });
    this.emit({ type: 'map', pid, va, pfn: to, writable: true });
  }

  private allocFrame(kind: FrameKind, zero = true): number {
    const pfn = this.frames.alloc(kind, zero);
    if (pfn < 0) throw new KernelInvariantError([`no free frame after the free-frame check (${FRAME_KIND_NAMES[kind]})`]);
    if (this.listeners.length !== 0) this.emit({ type: 'alloc', pfn, kind: FRAME_KIND_NAMES[kind] as 'data' | 'table' | 'zero' });
    return pfn;
  }

  private unrefFrame(pfn: number): void {
    if (this.frames.unref(pfn) === 0 && this.listeners.length !== 0) this.emit({ type: 'free', pfn });
  }

  private isShared(space: AddressSpace, va: number): boolean {
    const vma = space.vmas.find(va);
    return vma !== undefined && (vma.flags & MAP_SHARED) !== 0;
  }

  /** PTE flags for a private page of a region: zero-page and COW mappings drop W. */
  private leafFlags(prot: number, writable: boolean): number {
    let flags = PTE_V | PTE_U;
    if (prot & (PROT_READ | PROT_WRITE)) flags |= PTE_R;
    if (prot & PROT_EXEC) flags |= PTE_X;
    if (writable && prot & PROT_WRITE) flags |= PTE_W;
    return flags;
  }

  private mapZero(p: Process, page: number, prot: number): void {
    p.space!.map(page, this.zeroPfn, this.leafFlags(prot, false), this.allocTable);
    this.frames.ref(this.zeroPfn);
    if (this.listeners.length !== 0) this.emit({ type: 'map', pid: p.pid, va: page, pfn: this.zeroPfn, writable: false });
  }

  /** After the MMU refused an access of the running process: resolve using the fault details it recorded. */
  private resolveMmuFault(p: Process, access: AccessKind): number {
    return this.fault(p, this.mmu.faultVa, access);
  }

  /** The page-fault handler. Checks everything before it changes anything. */
  private fault(p: Process, va: number, access: AccessKind): number {
    const space = p.space!;
    const page = this.pageBase(va);
    const vma = space.vmas.find(va);
    if (vma === undefined) return this.faultFailed(p, va, access, SEGV_MAPERR);
    const needed = access === ACCESS_WRITE ? PROT_WRITE : access === ACCESS_EXEC ? PROT_EXEC : PROT_READ;
    if ((vma.prot & needed) === 0) return this.faultFailed(p, va, access, SEGV_ACCERR);
    const leaf = space.leaf(page);

    if (!leaf.valid) {
      // Demand paging: a read maps the zero page, a write gets a zeroed frame of its own.
      const frames = space.tablesNeeded(page) + (access === ACCESS_WRITE ? 1 : 0);
      if (!this.haveFrames(frames)) return this.faultFailed(p, va, access, VM_FAULT_OOM);
      if (access !== ACCESS_WRITE) {
        this.mapZero(p, page, vma.prot);
        return this.faultDone(p, va, access, VM_FAULT_DEMAND_ZERO);
      }
      const pfn = this.allocFrame(FRAME_DATA);
      space.map(page, pfn, this.leafFlags(vma.prot, true), this.allocTable);
      if (this.listeners.length !== 0) this.emit({ type: 'map', pid: p.pid, va: page, pfn, writable: true });
      return this.faultDone(p, va, access, VM_FAULT_ZERO_FILL);
    }

    if (access !== ACCESS_WRITE || (leaf.flags & PTE_W) !== 0) {
      // The tables already allow it, so the MMU used a stale TLB entry: flush it and let the access retry.
      // If they do not, the entry is not one this kernel writes: report a bus error rather than loop.
      if (!this.model.permits(leaf.flags, access, true, this.mmu.control)) return this.faultFailed(p, va, access, VM_FAULT_SIGBUS);
      this.flushPage(space, page);
      this.faultCounts.spurious++;
      return VM_FAULT_SPURIOUS;
    }

    const writable = this.leafFlags(vma.prot, true);
    if (leaf.pfn === this.zeroPfn) {
      if (!this.haveFrames(1)) return this.faultFailed(p, va, access, VM_FAULT_OOM);
      const pfn = this.allocFrame(FRAME_DATA);
      space.setLeaf(leaf.entryPa, pfn, writable);
      this.unrefFrame(this.zeroPfn);
      this.flushPage(space, page);
      if (this.listeners.length !== 0) this.emitRemap(p.pid, page, this.zeroPfn, pfn);
      return this.faultDone(p, va, access, VM_FAULT_ZERO_FILL);
    }
    if (this.frames.refCount(leaf.pfn) === 1) {
      // The last sharer keeps the frame: make it writable in place (Linux's wp_page_reuse).
      space.setLeaf(leaf.entryPa, leaf.pfn, writable | (leaf.flags & (PTE_A | PTE_D)));
      this.flushPage(space, page);
      if (this.listeners.length !== 0) this.emit({ type: 'map', pid: p.pid, va: page, pfn: leaf.pfn, writable: true });
      return this.faultDone(p, va, access, VM_FAULT_COW_REUSE);
    }
    if (!this.haveFrames(1)) return this.faultFailed(p, va, access, VM_FAULT_OOM);
    const pfn = this.allocFrame(FRAME_DATA, false); // every byte is overwritten by the copy
    this.ram.copyFrame(pfn, leaf.pfn);
    space.setLeaf(leaf.entryPa, pfn, writable);
    this.unrefFrame(leaf.pfn);
    this.flushPage(space, page);
    if (this.listeners.length !== 0) this.emitRemap(p.pid, page, leaf.pfn, pfn);
    return this.faultDone(p, va, access, VM_FAULT_COW_COPY);
  }

  private faultDone(p: Process, va: number, access: AccessKind, code: number): number {
    let resolution: FaultResolution;
    switch (code) {
      case VM_FAULT_ZERO_FILL:
        this.faultCounts.zeroFill++;
        resolution = 'zero-fill';
        break;
      case VM_FAULT_COW_COPY:
        this.faultCounts.cowCopy++;
        resolution = 'cow-copy';
        break;
      case VM_FAULT_COW_REUSE:
        this.faultCounts.cowReuse++;
        resolution = 'cow-reuse';
        break;
      default:
        this.faultCounts.demandZero++;
        resolution = 'demand-zero';
    }
    if (this.listeners.length !== 0) this.emit({ type: 'fault', pid: p.pid, va, access: ACCESS_LABELS[access], resolution });
    return code;
  }

  private faultFailed(p: Process, va: number, access: AccessKind, code: number): number {
    if (code === VM_FAULT_OOM) this.faultCounts.oom++;
    else this.faultCounts.segfault++;
    if (this.listeners.length !== 0) {
      this.emit({ type: 'fault', pid: p.pid, va, access: ACCESS_LABELS[access], resolution: code === VM_FAULT_OOM ? 'oom' : 'segv' });
    }
    return code;
  }

  /** Turns a negative access code into the typed error the API edge throws. */
  private errorFor(code: number, p: Process, va: number, access: AccessKind, framesNeeded: number): Error {
    if (code === SEGV_MAPERR) return new NotMappedError(p.pid, va);
    if (code === SEGV_ACCERR) return new PermissionDeniedError(p.pid, va, ACCESS_LABELS[access]);
    if (code === VM_FAULT_OOM) return new OutOfMemoryError(ACCESS_LABELS[access], framesNeeded, this.frames.freeCount);
    return new KernelInvariantError([`unexpected fault code ${code} at 0x${va.toString(16)} in pid ${p.pid}`]);
  }

  /**
   * Frames that writing [va, va + length) will need (zero-fills, COW copies, tables), or SEGV_MAPERR /
   * SEGV_ACCERR with the refused address in `refusedVa`. Changes nothing.
   */
  private framesForWrite(p: Process, va: number, length: number, inOrder = false): number {
    const space = p.space!;
    let needed = 0;
    for (let page = this.pageBase(va); page < va + length; page += this.pageSize) {
      this.refusedVa = Math.max(page, va);
      const vma = space.vmas.find(page);
      if (vma === undefined) return SEGV_MAPERR;
      if ((vma.prot & PROT_WRITE) === 0) return SEGV_ACCERR;
      const leaf = space.leaf(page);
      if (!leaf.valid) needed += space.tablesNeeded(page) + 1;
      else if ((leaf.flags & PTE_W) === 0 && (leaf.pfn === this.zeroPfn || this.frames.refCount(leaf.pfn) > 1)) needed += 1;
      // In order: the fault of an earlier page comes first, as the MMU would raise it.
      if (inOrder && !this.haveFrames(needed)) return VM_FAULT_OOM;
    }
    return needed;
  }

  /**
   * A store that crosses into the next page: check both pages before the MMU resolves either, so a store
   * that cannot complete leaves the machine exactly as it was (no fault of the first page resolved).
   */
  private checkCrossingStore(p: Process, va: number, size: number): number {
    const needed = this.framesForWrite(p, va, size, true);
    return needed < 0 ? this.faultFailed(p, this.refusedVa, ACCESS_WRITE, needed) : 0;
  }

  /**
   * Kernel-side write into a process's memory. First checks every page (region, protection, frames the
   * faults will need), so a failure changes nothing; then resolves each page's fault and copies the bytes.
   */
  private copyOut(p: Process, va: number, data: Uint8Array): void {
    if (!(data instanceof Uint8Array)) throw new InvalidArgumentError('data', typeof data, 'expected a Uint8Array');
    this.checkRange(va, data.length);
    if (data.length === 0) return; // nothing to write: no page is touched, whatever the alignment of va
    const space = p.space!;
    const needed = this.framesForWrite(p, va, data.length);
    if (needed < 0) throw this.errorFor(needed, p, this.refusedVa, ACCESS_WRITE, 0);
    if (!this.haveFrames(needed)) {
      this.faultCounts.oom++;
      throw new OutOfMemoryError('write', needed, this.frames.freeCount);
    }
    let done = 0;
    while (done < data.length) {
      const at = va + done;
      const page = this.pageBase(at);
      let leaf = space.leaf(page);
      if (!leaf.valid || (leaf.flags & PTE_W) === 0) {
        const r = this.fault(p, at, ACCESS_WRITE);
        if (r < 0) throw this.errorFor(r, p, at, ACCESS_WRITE, needed);
        leaf = space.leaf(page);
      }
      if ((leaf.flags & (PTE_A | PTE_D)) !== (PTE_A | PTE_D)) space.setLeaf(leaf.entryPa, leaf.pfn, leaf.flags | PTE_A | PTE_D);
      const offset = at - page;
      const n = Math.min(this.pageSize - offset, data.length - done);
      this.ram.bytes.set(data.subarray(done, done + n), leaf.pfn * this.pageSize + offset);
      done += n;
    }
    this.afterOperation();
  }

  /** Kernel-side read of a process's memory. Unpopulated pages of a region read as zeros. */
  private copyIn(p: Process, va: number, length: number): Uint8Array {
    this.checkRange(va, length);
    if (length === 0) return new Uint8Array(0); // nothing to read: no page is touched, whatever the alignment of va
    const space = p.space!;
    const out = new Uint8Array(length);
    for (let page = this.pageBase(va); page < va + length; page += this.pageSize) {
      const at = Math.max(page, va);
      const vma = space.vmas.find(page);
      if (vma === undefined) throw new NotMappedError(p.pid, at);
      if ((vma.prot & PROT_READ) === 0) throw new PermissionDeniedError(p.pid, at, 'read');
    }
    let done = 0;
    while (done < length) {
      const at = va + done;
      const page = this.pageBase(at);
      const offset = at - page;
      const n = Math.min(this.pageSize - offset, length - done);
      const leaf = space.leaf(page);
      if (leaf.valid) {
        const pa = leaf.pfn * this.pageSize + offset;
        out.set(this.ram.bytes.subarray(pa, pa + n), done);
      }
      done += n;
    }
    return out;
  }

  private checkRange(va: number, length: number): void {
    this.checkVa(va);
    if (!Number.isInteger(length) || length < 0 || va + length > this.vaLimit) {
      throw new InvalidArgumentError('length', length, `expected a length that keeps the range below 0x${this.vaLimit.toString(16)}`);
    }
  }

  /** Drops the TLB entries a space may have for one page. */
  private flushPage(space: AddressSpace, page: number): void {
    const vpn = Math.floor(page / this.pageSize);
    if (this.model.asidBits > 0) {
      if (space.asid >= 0) this.mmu.tlb.flushPageAsid(vpn, space.asid);
    } else if (this.cur !== null && this.cur.space === space) {
      this.mmu.tlb.flushPage(vpn);
    }
  }

  /** Drops every TLB entry a space may have. */
  private flushSpace(space: AddressSpace): void {
    if (this.model.asidBits > 0) {
      if (space.asid >= 0) this.mmu.tlb.flushAsid(space.asid);
    } else if (this.cur !== null && this.cur.space === space) {
      this.mmu.tlb.flushNonGlobal();
    }
  }

  /** Gives a process the lowest free ASID, or takes one from another process (flushing its entries). */
  private assignAsid(p: Process): void {
    const space = p.space!;
    if (this.model.asidBits === 0) {
      // No ASIDs (x86 32-bit): every space uses 0 and loading the root register flushes the TLB.
      space.asid = 0;
      return;
    }
    const owners = this.asidOwner;
    let asid = owners.indexOf(-1);
    if (asid < 0) {
      // All in use: take one round-robin from a process that is not running.
      do {
        asid = this.asidVictim;
        this.asidVictim = (this.asidVictim + 1) % owners.length;
      } while (this.cur !== null && this.cur.space !== null && this.cur.space.asid === asid && owners.length > 1);
      const victim = this.procs.get(owners[asid]!);
      if (victim !== undefined && victim.space !== null) victim.space.asid = -1;
      this.mmu.tlb.flushAsid(asid);
    }
    owners[asid] = p.pid;
    space.asid = asid;
  }

  private processStats(p: Process): ProcessStats {
    let resident = 0;
    let shared = 0;
    let zeroMapped = 0;
    const space = p.space;
    if (space !== null) {
      space.forEachLeaf((_va, _entryPa, pfn) => {
        if (pfn === this.zeroPfn) zeroMapped++;
        else {
          resident++;
          if (this.frames.refCounts[pfn]! > 1) shared++;
        }
      });
    }
    return {
      pid: p.pid,
      parentPid: p.parentPid,
      state: p.state,
      resident,
      shared,
      zeroMapped,
      pageTables: space === null ? 0 : space.tables,
      regions: space === null ? 0 : space.vmas.count,
    };
  }
}
