// What the tables of each paging level and their entries are called: Intel's PML4 / PDPT / PD / PT, the
// 32-bit page directory and page table, Linux's middle directory for Sv39. Dumps and inspectors print these.

import type { HardwareModel } from './model.js';

/** The name of one level's tables and of their entries. */
export interface LevelName {
  /** The table, as a heading: `PAGE TABLE`. */
  readonly table: string;
  /** One entry of it, as a label: `PTE`. */
  readonly entry: string;
}

function name(table: string, entry: string): LevelName {
  return Object.freeze({ table, entry });
}

/** A last-level table (x86 PT, the RISC-V level-0 table in the spec's numbering). */
export const LEVEL_PAGE_TABLE = name('PAGE TABLE', 'PTE');
/** The level above it on x86 (PD); the root of both two-level models in the original rust-vmem dump. */
export const LEVEL_PAGE_DIRECTORY = name('PAGE DIRECTORY', 'PDE');
/** x86-64's third level from the leaf (SDM Vol. 3A §4.5). */
export const LEVEL_PDPT = name('PAGE DIRECTORY POINTER TABLE', 'PDPTE');
/** x86-64's 4-level root. */
export const LEVEL_PML4 = name('PML4', 'PML4E');
/** x86-64's 5-level root (LA57). */
export const LEVEL_PML5 = name('PML5', 'PML5E');
/** Linux's name for the middle of three levels (pgd, pmd, pte), used for Sv39. */
export const LEVEL_PAGE_MIDDLE_DIRECTORY = name('PAGE MIDDLE DIRECTORY', 'PMDE');

/** The x86 names counted up from the last level: what a model without names of its own is given. */
const FROM_LAST: readonly LevelName[] = [LEVEL_PAGE_TABLE, LEVEL_PAGE_DIRECTORY, LEVEL_PDPT, LEVEL_PML4, LEVEL_PML5];

/**
 * Generic names for `levels` levels, root first: the x86 names counted up from the last level (page table,
 * page directory, page directory pointer table, PML4, PML5), and `LEVEL <l> TABLE` / `L<l>E` above those.
 */
export function genericLevelNames(levels: number): readonly LevelName[] {
  return Array.from({ length: levels }, (_, level) => FROM_LAST[levels - 1 - level] ?? name(`LEVEL ${level} TABLE`, `L${level}E`));
}

/**
 * The names of a model's levels, root first: its own `levelNames` when it has one name per level, else
 * `genericLevelNames(model.levels)`.
 */
export function levelNames(model: HardwareModel): readonly LevelName[] {
  const own = model.levelNames;
  if (own !== undefined && own.length === model.levels) return own;
  return genericLevelNames(model.levels);
}
