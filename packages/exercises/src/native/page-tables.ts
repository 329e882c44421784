// A small machine for the table exercises: one of hw's paging models, RAM of 1024 frames, and a process's
// page tables built with hw's mapPage at seeded virtual pages in seeded frames. `dumpTables` prints every
// table frame's valid entries as raw hex, the way a student would read them out of RAM.

import {
  levelIndex, levelNames, mapPage, modelByName, PhysicalMemory, PTE_R, PTE_U, PTE_V, PTE_W, readEntry, vaToBigInt,
  visitPageTables, type HardwareModel, type ModelName,
} from '@vmsim/hw';
import type { Draw } from './draw.js';

export const RAM_FRAMES = 1024;

/** How a model's entries and addresses are laid out, for the statement. */
const LAYOUT: Readonly<Record<ModelName, readonly string[]>> = {
  'x86-32': [
    'Entries are 4 bytes: bit 0 P (present), 1 R/W, 2 U/S, 5 A (accessed), 6 D (dirty), 7 PS (large page);',
    'bits 12..31 hold the frame number. The root register (CR3) holds the page directory\'s frame.',
  ],
  sv32: [
    'Entries are 4 bytes: bit 0 V, 1 R, 2 W, 3 X, 4 U, 5 G, 6 A, 7 D; bits 10..31 hold the PPN.',
    'A valid entry with R = W = X = 0 points to the next table; otherwise it is a leaf. satp holds the root\'s PPN.',
  ],
  'x86-64': [
    'Entries are 8 bytes: bit 0 P (present), 1 R/W, 2 U/S, 5 A (accessed), 6 D (dirty), 7 PS (large page),',
    '63 XD; bits 12..51 hold the frame number. CR3 holds the PML4\'s frame. Addresses must be canonical',
    '(bits 63..47 all equal), else the access faults before any table is read.',
  ],
  sv39: [
    'Entries are 8 bytes: bit 0 V, 1 R, 2 W, 3 X, 4 U, 5 G, 6 A, 7 D; bits 10..53 hold the PPN.',
    'A valid entry with R = W = X = 0 points to the next table; otherwise it is a leaf. satp holds the root\'s PPN.',
    'Addresses must be canonical (bits 63..38 all equal), else the access faults before any table is read.',
  ],
};

/** A user page as mapped: its virtual page number, frame and whether it is writable. */
export interface MappedPage {
  readonly vpn: number;
  readonly pfn: number;
  readonly writable: boolean;
}

export class TableMachine {
  readonly model: HardwareModel;
  readonly ram: PhysicalMemory;
  readonly rootPfn: number;
  readonly pages: MappedPage[] = [];
  private readonly takenFrames = new Set<number>();

  constructor(
    readonly hw: ModelName,
    private readonly draw: Draw,
  ) {
    this.model = modelByName(hw);
    this.ram = new PhysicalMemory(RAM_FRAMES * 2 ** this.model.pageShift);
    this.takenFrames.add(0);
    this.rootPfn = this.frame();
  }

  get pageSize(): number {
    return 2 ** this.model.pageShift;
  }

  /** A fresh frame number, at random. */
  frame(): number {
    return this.draw.fresh(1, RAM_FRAMES - 1, this.takenFrames);
  }

  /** The virtual page numbers of the user half of the space (lower half on sign-extended models). */
  get vpnLimit(): number {
    const bits = this.model.signExtendedVa === true ? this.model.vaBits - 1 : this.model.vaBits;
    return 2 ** (bits - this.model.pageShift);
  }

  /**
   * Maps `count` user pages in `clusters` groups: each group a random page, its members a few pages apart, so
   * that they share last-level tables and the groups do not.
   */
  mapRandom(count: number, clusters: number, readOnlyChance: number): void {
    const used = new Set<number>(this.pages.map((p) => p.vpn));
    const bases: number[] = [];
    for (let c = 0; c < clusters; c++) bases.push(this.draw.int(0, this.vpnLimit - 64));
    for (let i = 0; i < count; i++) {
      const base = bases[i % clusters]!;
      let vpn = base + this.draw.int(0, 15);
      while (used.has(vpn)) vpn = base + this.draw.int(0, 15);
      used.add(vpn);
      this.map(vpn, !this.draw.chance(readOnlyChance));
    }
  }

  /** Maps one user page (readable, writable or not) to a fresh frame. */
  map(vpn: number, writable: boolean): MappedPage {
    const pfn = this.frame();
    const flags = PTE_V | PTE_R | PTE_U | (writable ? PTE_W : 0);
    mapPage(this.ram, this.model, this.rootPfn, vpn * this.pageSize, pfn, flags, () => this.frame());
    const page = { vpn, pfn, writable };
    this.pages.push(page);
    return page;
  }

  /** The address-format lines of the statement. */
  describe(): string[] {
    const m = this.model;
    const names = levelNames(m);
    const split = m.indexBits.map((bits, level) => `${names[level]!.entry} index ${bits} bits`).join(' | ');
    return [
      `Hardware: ${m.name}, ${m.levels} levels, ${this.pageSize}-byte pages, ${m.vaBits}-bit virtual addresses.`,
      `A virtual address splits into: ${split} | offset ${m.pageShift} bits.`,
      ...LAYOUT[this.hw],
      `Root table: frame 0x${this.rootPfn.toString(16)}.`,
    ];
  }

  /** Every table frame with its valid entries, root first then depth-first in address order. */
  dumpTables(): string[] {
    const m = this.model;
    const names = levelNames(m);
    const width = m.entryBytes * 2;
    const tables: { pfn: number; level: number }[] = [];
    visitPageTables(this.ram, m, this.rootPfn, {
      table(pfn: number, level: number) {
        tables.push({ pfn, level });
      },
    });
    const out: string[] = [];
    for (const { pfn, level } of tables) {
      out.push(`frame 0x${pfn.toString(16)}: ${names[level]!.table} (level ${level})`);
      const entries = 2 ** m.indexBits[level]!;
      for (let i = 0; i < entries; i++) {
        const { lo, hi } = readEntry(this.ram, m, pfn * this.pageSize + i * m.entryBytes);
        if (lo === 0 && hi === 0) continue;
        const raw = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
        out.push(`  [${String(i).padStart(3)}] 0x${raw.toString(16).padStart(width, '0')}`);
      }
    }
    return out;
  }

  /** A virtual address as the hardware writes it: 8 hex digits for 32-bit models, 16 for 64-bit ones. */
  formatVa(va: number): string {
    const digits = this.model.vaBits > 32 ? 16 : 8;
    return `0x${vaToBigInt(va).toString(16).padStart(digits, '0')}`;
  }

  /** The index of `va` at every level, for worked solutions. */
  indexes(va: number): number[] {
    return this.model.indexBits.map((_, level) => levelIndex(this.model, va, level));
  }
}
