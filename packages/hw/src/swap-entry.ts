// What a not-present page-table entry leaves to software, and the swap entry a kernel packs there (Linux's
// swp_entry_t in a non-present pte). On every model the hardware reads nothing but the present/valid bit of
// a not-present entry (Intel SDM vol. 3 §4.5: "if P = 0 ... software may use the other bits"; RISC-V
// privileged spec §4.3.1: "if V = 0, all other bits in the PTE are don't-cares and may be used freely by
// software"), so the free bits are the ones whose setting alone leaves `model.isValid` false.
//
// The swap entry, on a model whose valid bit is bit 0 and whose other low-word bits are free:
//
//   lo:  31                                         2    1    0
//       +--------------------------------------------+----+----+
//       |            slot bits 0..29                 |SWP | 0  |     SWP = 1: a swap entry (so slot 0 is
//       +--------------------------------------------+----+----+           not the empty entry 0)
//   hi (8-byte entries only):  bits 0..21 hold slot bits 30..51; the rest stay 0.

import { HwArgumentError } from './errors.js';
import type { HardwareModel } from './model.js';

/** Bit 1 of the low word: set in every swap entry, with the present/valid bit (bit 0) clear. */
export const SWP_MARKER = 1 << 1;
/** Where the slot starts in the low word. */
export const SWP_SLOT_SHIFT = 2;
/** Slot bits the low word holds. */
export const SWP_LO_SLOT_BITS = 30;
/** Slot bits the high word of an 8-byte entry holds. */
export const SWP_HI_SLOT_BITS = 22;

/** The bits of a last-level entry that are free for software while the entry is not present, per word. */
export interface NotPresentBits {
  readonly lo: number;
  readonly hi: number;
}

/**
 * The bits of a not-present last-level entry the model leaves to software: every bit which, set alone,
 * leaves the entry not valid (the hardware then reads nothing else). `hi` is 0 for 4-byte entries.
 */
export function notPresentSoftwareBits(model: HardwareModel): NotPresentBits {
  const last = model.levels - 1;
  let lo = 0;
  let hi = 0;
  for (let b = 0; b < 32; b++) {
    if (!model.isValid((1 << b) >>> 0, 0, last)) lo |= 1 << b;
    if (model.entryBytes === 8 && !model.isValid(0, (1 << b) >>> 0, last)) hi |= 1 << b;
  }
  return { lo: lo >>> 0, hi: hi >>> 0 };
}

/**
 * Can the model hold swap entries as laid out above? True when bit 0 is its valid bit (an entry with bit
 * 0 clear is never valid, whatever else is set) and every other bit of the low word (and, for 8-byte
 * entries, the slot bits of the high word) is free for software. True on x86-32, x86-64, Sv32 and Sv39.
 */
export function supportsSwapEntries(model: HardwareModel): boolean {
  const last = model.levels - 1;
  const free = notPresentSoftwareBits(model);
  if (!model.isValid(1, 0, last)) return false;
  if ((free.lo | 1) >>> 0 !== 0xffffffff) return false;
  if (model.entryBytes === 8 && (free.hi & hiSlotMask) !== hiSlotMask) return false;
  // All the bits together, too: a model could read a combination.
  return !model.isValid(0xfffffffe, model.entryBytes === 8 ? hiSlotMask : 0, last);
}

const hiSlotMask = 2 ** SWP_HI_SLOT_BITS - 1;

/** The number of distinct slots a swap entry of `model` can name: 2^30 with 4-byte entries, 2^52 with 8. */
export function maxSwapSlots(model: HardwareModel): number {
  return model.entryBytes === 8 ? 2 ** (SWP_LO_SLOT_BITS + SWP_HI_SLOT_BITS) : 2 ** SWP_LO_SLOT_BITS;
}

/** The low word of the swap entry for `slot` (checked against `maxSwapSlots(model)`). */
export function swapEntryLo(model: HardwareModel, slot: number): number {
  checkSlot(model, slot);
  return (((slot % 2 ** SWP_LO_SLOT_BITS) << SWP_SLOT_SHIFT) | SWP_MARKER) >>> 0;
}

/** The high word of the swap entry for `slot` (0 with 4-byte entries). */
export function swapEntryHi(model: HardwareModel, slot: number): number {
  checkSlot(model, slot);
  return model.entryBytes === 8 ? Math.floor(slot / 2 ** SWP_LO_SLOT_BITS) : 0;
}

/** Is (`lo`, `hi`) a swap entry: not present, the marker set, nothing outside the slot bits? */
export function isSwapEntry(lo: number, hi: number): boolean {
  return (lo & 3) === SWP_MARKER && (hi & ~hiSlotMask) === 0;
}

/** The slot a swap entry names (the caller checked `isSwapEntry`). */
export function swapEntrySlot(lo: number, hi: number): number {
  return (lo >>> SWP_SLOT_SHIFT) + hi * 2 ** SWP_LO_SLOT_BITS;
}

function checkSlot(model: HardwareModel, slot: number): void {
  if (typeof slot !== 'number' || !Number.isInteger(slot) || slot < 0 || slot >= maxSwapSlots(model)) {
    throw new HwArgumentError('swap slot', slot, `expected an integer from 0 to ${maxSwapSlots(model) - 1}`);
  }
}
