// Software's side of the page tables: find, read, write and create entries in RAM exactly as a model packs
// them. This is what an OS (or a test) uses to build the tables the MMU walks; it never touches a TLB.

import { HwArgumentError } from './errors.js';
import { levelIndex, PTE_R, PTE_U, PTE_V, PTE_W, PTE_X, type HardwareModel } from './model.js';
import type { PhysicalMemory } from './physical-memory.js';

/** Flags for an entry that points to the next table: as permissive as the model allows (the leaf decides). */
export const POINTER_FLAGS = PTE_V | PTE_R | PTE_W | PTE_X | PTE_U;

/** An entry as two 32-bit words (hi is 0 for 4-byte entries). */
export interface RawEntry {
  lo: number;
  hi: number;
}

export function readEntry(ram: PhysicalMemory, model: HardwareModel, entryPa: number): RawEntry {
  return { lo: ram.read32(entryPa), hi: model.entryBytes === 8 ? ram.read32(entryPa + 4) : 0 };
}

export function writeEntry(ram: PhysicalMemory, model: HardwareModel, entryPa: number, lo: number, hi = 0): void {
  // Check before writing, so a refused entry leaves RAM as it was.
  if (model.entryBytes !== 8 && hi !== 0) throw new HwArgumentError('entry high word', hi, `${model.name} entries are 4 bytes`);
  ram.write32(entryPa, lo);
  if (model.entryBytes === 8) ram.write32(entryPa + 4, hi);
}

/** Physical address of the entry for `va` in the table at `tablePfn` of level `level`. */
export function entryPaIn(model: HardwareModel, tablePfn: number, va: number, level: number): number {
  return tablePfn * 2 ** model.pageShift + levelIndex(model, va, level) * model.entryBytes;
}

/**
 * Physical address of the entry for `va` at `level` (default: the last level), following valid pointers
 * from the root; -1 when a pointer on the way is missing or a leaf (a huge page) is met above `level`.
 */
export function findEntry(ram: PhysicalMemory, model: HardwareModel, rootPfn: number, va: number, level = model.levels - 1): number {
  let table = rootPfn;
  for (let l = 0; l < level; l++) {
    const { lo, hi } = readEntry(ram, model, entryPaIn(model, table, va, l));
    if (!model.isValid(lo, hi, l) || model.isLeaf(lo, hi, l)) return -1;
    table = model.pfn(lo, hi, l);
  }
  return entryPaIn(model, table, va, level);
}

/** How many tables `mapPage` would have to create to reach `va` at `level`. */
export function missingTables(ram: PhysicalMemory, model: HardwareModel, rootPfn: number, va: number, level = model.levels - 1): number {
  let table = rootPfn;
  for (let l = 0; l < level; l++) {
    const { lo, hi } = readEntry(ram, model, entryPaIn(model, table, va, l));
    if (!model.isValid(lo, hi, l)) return level - l;
    if (model.isLeaf(lo, hi, l)) throw new HwArgumentError('virtual address', va, `is inside a huge page at level ${l}`);
    table = model.pfn(lo, hi, l);
  }
  return 0;
}

/**
 * Maps the page at `va` to frame `pfn` with `flags` as a leaf at `level` (default: the last level), creating
 * the tables on the way with `allocTable`, which must return the number of a zeroed frame. Returns the
 * physical address of the leaf entry. Call `missingTables` first if allocation may fail.
 */
export function mapPage(
  ram: PhysicalMemory,
  model: HardwareModel,
  rootPfn: number,
  va: number,
  pfn: number,
  flags: number,
  allocTable: () => number,
  level = model.levels - 1,
): number {
  // Encode the leaf first: bad arguments then throw before any table is allocated or linked in.
  const leafLo = model.encodeLo(pfn, flags, level, true);
  const leafHi = model.encodeHi(pfn, flags, level, true);
  let table = rootPfn;
  for (let l = 0; l < level; l++) {
    const entryPa = entryPaIn(model, table, va, l);
    const { lo, hi } = readEntry(ram, model, entryPa);
    if (model.isValid(lo, hi, l)) {
      if (model.isLeaf(lo, hi, l)) throw new HwArgumentError('virtual address', va, `is inside a huge page at level ${l}`);
      table = model.pfn(lo, hi, l);
      continue;
    }
    const next = allocTable();
    writeEntry(ram, model, entryPa, model.encodeLo(next, POINTER_FLAGS, l, false), model.encodeHi(next, POINTER_FLAGS, l, false));
    table = next;
  }
  const leafPa = entryPaIn(model, table, va, level);
  writeEntry(ram, model, leafPa, leafLo, leafHi);
  return leafPa;
}
