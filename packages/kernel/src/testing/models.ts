// The hardware models every per-model kernel test runs on, in one place, with the helpers that turn a
// model's shape (levels, index bits) into the numbers the tests expect. For tests only: index.ts does not
// export it, so it is not part of the published bundle.

import { levelSpanShift, sv32, sv39, vaRange, x86_32, x86_64, type HardwareModel } from '@vmsim/hw';

export interface TestModel {
  /** As test titles show it. */
  readonly name: string;
  readonly make: () => HardwareModel;
  /**
   * A user page above 2^32 for the tests of wide addresses (null on the 32-bit models, whose whole space
   * lies below 2^32): 0x7f0000000000 on x86-64, 0x3f00000000 on Sv39.
   */
  readonly highVa: number | null;
}

/** Every model @vmsim/hw ships, with its default options. */
export const MODELS: readonly TestModel[] = [
  { name: 'x86-32', make: () => x86_32(), highVa: null },
  { name: 'sv32', make: () => sv32(), highVa: null },
  { name: 'x86-64', make: () => x86_64(), highVa: 0x7f0000000000 },
  { name: 'sv39', make: () => sv39(), highVa: 0x3f00000000 },
];

/** The same, plus x86-64 with PCIDs (12-bit ASIDs), for the tests where ASIDs matter. */
export const ASID_MODELS: readonly TestModel[] = [
  ...MODELS,
  { name: 'x86-64+pcid', make: () => x86_64({ pcid: true }), highVa: 0x7f0000000000 },
];

/** One past the highest user address: the whole space of a 32-bit model, the lower half of a sign-extended one. */
export function userEnd(model: HardwareModel): number {
  return vaRange(model).end;
}

/** Bytes one entry of the table at `level` covers (at the last level, one page). */
export function levelSpan(model: HardwareModel, level: number): number {
  return 2 ** levelSpanShift(model, level);
}

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

/** The model with a narrower ASID field (real implementations may have fewer ASID bits than the ISA allows). */
export function withAsidBits(model: HardwareModel, bits: number): HardwareModel {
  if (bits === model.asidBits) return model;
  return Object.create(model, { asidBits: { value: bits, enumerable: true } }) as HardwareModel;
}
