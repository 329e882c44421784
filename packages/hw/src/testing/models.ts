// The canonical list of hardware models the tests of every layer run on (@vmsim/hw/testing), with the
// helpers that turn a model's shape (levels, address range, ASID bits) into the numbers tests expect.

import { levelSpanShift, vaRange, type HardwareModel } from '../model.js';
import { sv32 } from '../sv32.js';
import { sv39 } from '../sv39.js';
import { x86_32 } from '../x86-32.js';
import { x86_64 } from '../x86-64.js';

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

/** The model with a narrower ASID field (real implementations may have fewer ASID bits than the ISA allows). */
export function withAsidBits(model: HardwareModel, bits: number): HardwareModel {
  if (bits === model.asidBits) return model;
  return Object.create(model, { asidBits: { value: bits, enumerable: true } }) as HardwareModel;
}
