// Assertions shared by the kernel's tests and by the layers above (@vmsim/kernel/testing).

import { expect } from 'vitest';
import type { KernelSnapshot } from '../snapshot.js';

/** The error `fn` throws; fails the test when it returns instead. */
export function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

/** The machine is exactly as it was: RAM byte for byte (reported by its first differing byte), the rest with toEqual. */
export function expectSameSnapshot(after: KernelSnapshot, before: KernelSnapshot): void {
  expect(after.ram.length).toBe(before.ram.length);
  const firstDiff = after.ram.findIndex((b, i) => b !== before.ram[i]);
  expect(firstDiff, `RAM differs at byte ${firstDiff}`).toBe(-1);
  expect({ ...after, ram: null }).toEqual({ ...before, ram: null });
}
