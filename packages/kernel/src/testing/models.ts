// The hardware models every per-model kernel test runs on: @vmsim/hw/testing's canonical list and shape
// helpers, plus the page-table counts a kernel that never frees a table early must reach.

import type { HardwareModel } from '@vmsim/hw';
import { levelSpan } from '@vmsim/hw/testing';

export { ASID_MODELS, levelSpan, MODELS, userEnd, withAsidBits, type TestModel } from '@vmsim/hw/testing';

/** Bytes one last-level page table covers: 4 MiB on the 10|10|12 models, 2 MiB on x86-64 and Sv39. */
export function lastTableSpan(model: HardwareModel): number {
  return levelSpan(model, model.levels - 2);
}

/**
 * How many page tables, the root included, a space needs to map every page in `vas`: the root, plus one
 * table at each level below it for every distinct address range an entry of the level above covers.
 */
export function tablesFor(model: HardwareModel, vas: Iterable<number>): number {
  const list = [...vas];
  let tables = 1;
  for (let level = 1; level < model.levels; level++) {
    const span = levelSpan(model, level - 1);
    tables += new Set(list.map((va) => Math.floor(va / span))).size;
  }
  return tables;
}

/** Tables that mapping `va` creates in a space that already maps `mapped` (0 when a last-level table covers it). */
export function newTablesFor(model: HardwareModel, mapped: Iterable<number>, va: number): number {
  const list = [...mapped];
  return tablesFor(model, [...list, va]) - tablesFor(model, list);
}
