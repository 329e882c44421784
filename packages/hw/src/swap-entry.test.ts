// Swap entries in not-present entries: the free bits each model reports, the packing round trip, and the
// walker (and the fast MMU) treating a swap entry as not present, on every model.

import { describe, expect, it } from 'vitest';
import { FAULT_NOT_PRESENT, PTE_R, PTE_U, PTE_V, PTE_W, type HardwareModel } from './model.js';
import { Mmu } from './mmu.js';
import { findEntry, mapPage, readEntry, writeEntry } from './page-table.js';
import { PhysicalMemory } from './physical-memory.js';
import {
  isSwapEntry, maxSwapSlots, notPresentSoftwareBits, supportsSwapEntries, swapEntryHi, swapEntryLo, swapEntrySlot, SWP_MARKER,
} from './swap-entry.js';
import { expectArgumentError } from './testing/argument-errors.js';
import { MODELS } from './testing/models.js';

describe.each(MODELS)('swap entries on $name', ({ make }) => {
  const model = make();
  const last = model.levels - 1;

  it('every bit but the valid bit 0 is free in a not-present entry', () => {
    const free = notPresentSoftwareBits(model);
    expect(free.lo).toBe(0xfffffffe);
    expect(free.hi).toBe(model.entryBytes === 8 ? 0xffffffff : 0);
    expect(supportsSwapEntries(model)).toBe(true);
  });

  it('packs and unpacks every slot width; the entry is never valid and never the empty entry', () => {
    const max = maxSwapSlots(model);
    expect(max).toBe(model.entryBytes === 8 ? 2 ** 52 : 2 ** 30);
    for (const slot of [0, 1, 2, 12345, 2 ** 29, 2 ** 30 - 1, ...(model.entryBytes === 8 ? [2 ** 30, 2 ** 40 + 7, max - 1] : [])]) {
      const lo = swapEntryLo(model, slot);
      const hi = swapEntryHi(model, slot);
      expect(lo & SWP_MARKER).toBe(SWP_MARKER);
      expect((lo | hi) !== 0).toBe(true);
      expect(model.isValid(lo, hi, last)).toBe(false);
      expect(isSwapEntry(lo, hi)).toBe(true);
      expect(swapEntrySlot(lo, hi)).toBe(slot);
    }
  });

  it('an empty entry and a present mapping are not swap entries', () => {
    expect(isSwapEntry(0, 0)).toBe(false);
    const flags = PTE_V | PTE_R | PTE_W | PTE_U;
    expect(isSwapEntry(model.encodeLo(5, flags, last, true), model.encodeHi(5, flags, last, true))).toBe(false);
  });

  it('refuses a slot outside the entry', () => {
    for (const bad of [-1, 0.5, maxSwapSlots(model), Number.NaN]) {
      expectArgumentError(() => swapEntryLo(model, bad), 'swap slot', bad);
      expectArgumentError(() => swapEntryHi(model, bad), 'swap slot', bad);
    }
  });

  it('the walk faults not-present at the last level on a swap entry, sets no bit, and reads the slot back', () => {
    const ram = new PhysicalMemory(64 * 4096);
    let next = 1;
    const va = 0x00403000;
    mapPage(ram, model, 0, va, 40, PTE_V | PTE_R | PTE_W | PTE_U, () => next++);
    const pa = findEntry(ram, model, 0, va);
    const slot = model.entryBytes === 8 ? 2 ** 33 + 9 : 777;
    writeEntry(ram, model, pa, swapEntryLo(model, slot), swapEntryHi(model, slot));
    const mmu = new Mmu(ram, model);
    mmu.setRoot(0, 0);
    expect(mmu.load32(va)).toBe(-FAULT_NOT_PRESENT);
    expect(mmu.faultLevel).toBe(last);
    expect(mmu.store32(va, 1)).toBe(-FAULT_NOT_PRESENT);
    const { lo, hi } = readEntry(ram, model, pa);
    expect(isSwapEntry(lo, hi)).toBe(true);
    expect(swapEntrySlot(lo, hi)).toBe(slot);
  });
});

describe('a model whose valid bit is not bit 0', () => {
  it('reports its own free bits and cannot hold these swap entries', () => {
    const base = MODELS[0]!.make();
    const toy: HardwareModel = Object.create(base, { isValid: { value: (lo: number) => (lo & 8) !== 0 } }) as HardwareModel;
    expect(notPresentSoftwareBits(toy).lo).toBe(0xfffffff7);
    expect(supportsSwapEntries(toy)).toBe(false);
  });
});
