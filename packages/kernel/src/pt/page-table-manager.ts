// Seed 003's `PageTableManager` ("manages multiple page tables and TLB"): several PageTables, one of them
// active in the root register of an MMU of its own over the kernel's RAM (a second hart beside the one the
// kernel's processes run on), with the model's TLB rules: loading CR3 flushes on x86 without PCIDs; with
// ASIDs (PCIDs, RISC-V) each table gets its own tag and switching flushes nothing.

import {
  ACCESS_EXEC, ACCESS_READ, ACCESS_WRITE, FAULT_NAMES, Mmu,
  type AccessKind, type HardwareModel, type TlbConfig,
} from '@vmsim/hw';
import { InvalidAddressError, InvalidArgumentError } from '../errors.js';
import type { Kernel } from '../kernel.js';
import { PageTable, type UnmapListener } from './page-table.js';

export interface PageTableManagerOptions {
  /** The TLB of the manager's MMU (default: hw's default geometry). */
  readonly tlb?: TlbConfig;
  /** CTL_* bits of the manager's MMU (default: hw's, CR0.WP on). */
  readonly control?: number;
}

/** The TLB's counters, as `tlbStats()` reports them. */
export interface TlbCounters {
  readonly hits: number;
  readonly misses: number;
  readonly flushes: number;
  readonly entries: number;
}

export class PageTableManager implements UnmapListener {
  readonly model: HardwareModel;
  /** The MMU whose root register the manager loads; its `tlb` is the TLB the manager flushes. */
  readonly mmu: Mmu;
  private readonly kernel: Kernel;
  private readonly held: PageTable[] = [];
  /** ASID per held table (models with ASIDs); a table without one gets one when it is switched to. */
  private readonly asidOf = new Map<PageTable, number>();
  /** The table owning each ASID, or null. */
  private readonly owners: (PageTable | null)[];
  private victim = 0;
  private current: PageTable | null = null;

  constructor(kernel: Kernel, options: PageTableManagerOptions = {}) {
    if (typeof kernel !== 'object' || kernel === null || typeof kernel.createPageTable !== 'function') {
      throw new InvalidArgumentError('kernel', kernel, 'expected a Kernel');
    }
    if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options', options, 'expected an object');
    this.kernel = kernel;
    this.model = kernel.model;
    this.mmu = new Mmu(kernel.ram, kernel.model, {
      ...(options.tlb === undefined ? {} : { tlb: options.tlb }),
      ...(options.control === undefined ? {} : { control: options.control }),
    });
    this.owners = new Array<PageTable | null>(kernel.model.asidBits > 0 ? 2 ** kernel.model.asidBits : 0).fill(null);
  }

  /** The tables held, in the order they were added. */
  get tables(): readonly PageTable[] {
    return this.held.slice();
  }

  /** The table in the root register, or null. */
  get active(): PageTable | null {
    return this.current;
  }

  /** The ASID (PCID, satp.ASID) a held table is tagged with, or -1 (no ASIDs, or none given yet). */
  asidOfTable(table: PageTable): number {
    return this.asidOf.get(table) ?? -1;
  }

  /** Creates a table (PageTable.create on the manager's kernel) and holds it. */
  create(): PageTable {
    const table = this.kernel.createPageTable();
    this.add(table);
    return table;
  }

  /** Holds an existing table of the same kernel, so that its unmaps flush this manager's TLB. */
  add(table: PageTable): void {
    this.checkTable(table, false);
    if (table.listener !== null) throw new InvalidArgumentError('page table', table.rootPfn, 'another manager holds it');
    table.listener = this;
    this.held.push(table);
  }

  /** Lets go of a table (not destroyed): its TLB entries are dropped, and it is no longer active. */
  remove(table: PageTable): void {
    this.checkTable(table, true);
    this.release(table);
    table.listener = null;
  }

  /**
   * Makes `table` active: the root register gets its root frame and ASID. On a model without ASIDs that
   * writes CR3 with its flush of every non-global entry (or, where writing the root register flushes
   * nothing, an explicit flush); with ASIDs the entries of other tables stay, tagged with theirs.
   */
  switchTo(table: PageTable): void {
    this.checkTable(table, true);
    if (this.model.asidBits > 0 && !this.asidOf.has(table)) this.assignAsid(table);
    this.mmu.setRoot(table.rootPfn, this.asidOf.get(table) ?? 0);
    if (this.model.asidBits === 0 && !this.model.rootWriteFlushesTlb) this.mmu.tlb.flushNonGlobal();
    this.current = table;
  }

  /**
   * Translates `va` through the TLB and, on a miss, a walk of the active table (setting Accessed and, for a
   * write, Dirty bits in RAM, as the hardware does): the physical address, or null on a fault (`lastFault`
   * names it). `access` is 'read', 'write' or 'execute'; `user` says the access comes from user mode.
   */
  translate(va: number, access: 'read' | 'write' | 'execute' = 'read', user = false): number | null {
    if (this.current === null) throw new InvalidArgumentError('page table', null, 'no table is active: switch to one first');
    const kind = Object.hasOwn(ACCESS_KINDS, access) ? ACCESS_KINDS[access] : undefined;
    if (kind === undefined) throw new InvalidArgumentError('access', access, "expected 'read', 'write' or 'execute'");
    if (typeof user !== 'boolean') throw new InvalidArgumentError('user', user, 'expected true or false');
    if (typeof va !== 'number' || !Number.isSafeInteger(va)) throw new InvalidAddressError(va, 'expected an integer');
    const pa = this.mmu.translate(va, kind, user);
    return pa < 0 ? null : pa;
  }

  /** The kind of the last fault `translate` met ('not-present', 'protection', …), or 'none'. */
  get lastFault(): string {
    return FAULT_NAMES[-this.mmu.status] ?? 'none';
  }

  /** Drops the TLB entries of the page holding `va`, in every ASID and global ones too (INVLPG, SFENCE.VMA va). */
  flushPage(va: number): void {
    if (typeof va !== 'number' || !Number.isSafeInteger(va)) throw new InvalidAddressError(va, 'expected an integer');
    this.mmu.flushPage(va);
  }

  /** Drops every TLB entry. */
  flushAll(): void {
    this.mmu.tlb.flushAll();
  }

  /** The TLB's counters: hits, misses, flushes, and valid entries now. */
  tlbStats(): TlbCounters {
    const tlb = this.mmu.tlb;
    return { hits: tlb.hits, misses: tlb.misses, flushes: tlb.flushes, entries: tlb.validEntries().length };
  }

  /** @internal UnmapListener: a leaf of `table` went away; its cached translation must too. */
  unmapped(table: PageTable, va: number, _size: number): void {
    // The TLB caches a huge page's pieces tagged with its span, so one page flush drops all of them.
    const vpn = Math.floor(va / 2 ** this.model.pageShift);
    const asid = this.asidOf.get(table);
    if (asid !== undefined) this.mmu.tlb.flushPageAsid(vpn, asid);
    else if (table === this.current) this.mmu.tlb.flushPage(vpn);
  }

  /** @internal UnmapListener: `table` was destroyed. */
  destroyed(table: PageTable): void {
    this.release(table);
  }

  private release(table: PageTable): void {
    const asid = this.asidOf.get(table);
    if (asid !== undefined) {
      this.mmu.tlb.flushAsid(asid);
      this.owners[asid] = null;
      this.asidOf.delete(table);
    } else if (table === this.current) {
      this.mmu.tlb.flushNonGlobal();
    }
    if (table === this.current) this.current = null;
    this.held.splice(this.held.indexOf(table), 1);
  }

  /** The lowest free ASID, or one taken round-robin from a table that is not active (its entries flushed). */
  private assignAsid(table: PageTable): void {
    const owners = this.owners;
    let asid = owners.indexOf(null);
    if (asid < 0) {
      do {
        asid = this.victim;
        this.victim = (this.victim + 1) % owners.length;
      } while (owners[asid] === this.current && owners.length > 1);
      this.asidOf.delete(owners[asid]!);
      this.mmu.tlb.flushAsid(asid);
    }
    owners[asid] = table;
    this.asidOf.set(table, asid);
  }

  private checkTable(table: PageTable, held: boolean): void {
    if (!(table instanceof PageTable)) throw new InvalidArgumentError('page table', table, 'expected a PageTable');
    if (table.destroyed) throw new InvalidArgumentError('page table', table.rootPfn, 'it has been destroyed');
    if (table.space.ram !== this.kernel.ram) throw new InvalidArgumentError('page table', table.rootPfn, "it belongs to another kernel");
    if (held !== this.held.includes(table)) {
      throw new InvalidArgumentError('page table', table.rootPfn, held ? 'this manager does not hold it' : 'this manager already holds it');
    }
  }
}

const ACCESS_KINDS: Readonly<Record<string, AccessKind>> = { read: ACCESS_READ, write: ACCESS_WRITE, execute: ACCESS_EXEC };
