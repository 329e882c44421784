// The swap area's slots (lowest first, reference counts, bytes kept only once written) and the swap cache.

import { PhysicalMemory } from '@vmsim/hw';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import { caught } from '../testing/assertions.js';
import { SwapArea, SwapCache } from './swap.js';
import { SwapSlotError } from './swap-errors.js';

const PAGE = 4096;

describe('SwapArea', () => {
  it('hands out the lowest free slot, counts references and frees at zero', () => {
    const swap = new SwapArea(4, PAGE);
    expect([swap.alloc(), swap.alloc(), swap.alloc()]).toEqual([0, 1, 2]);
    expect(swap.dup(1)).toBe(2);
    expect(swap.free(1)).toBe(1);
    expect(swap.free(0)).toBe(0);
    expect(swap.freeCount).toBe(2);
    expect(swap.alloc()).toBe(0); // the lowest again
    expect(swap.alloc()).toBe(3);
    expect(swap.alloc()).toBe(-1); // full
    expect(swap.used).toBe(4);
    expect(swap.inUse()).toEqual([[0, 1], [1, 1], [2, 1], [3, 1]]);
  });

  it('size 0 is no swap: nothing to allocate, every slot refused', () => {
    const swap = new SwapArea(0, PAGE);
    expect(swap.alloc()).toBe(-1);
    expect(InvalidArgumentError.isInstance(caught(() => swap.refCount(0)))).toBe(true);
  });

  it('writes a frame to a slot and reads it back into another; an unwritten slot reads zeros; a freed slot forgets', () => {
    const ram = new PhysicalMemory(8 * PAGE);
    const swap = new SwapArea(2, PAGE);
    for (let i = 0; i < PAGE; i += 97) ram.write8(PAGE + i, (i * 7) & 0xff);
    const s = swap.alloc();
    expect(swap.isWritten(s)).toBe(false);
    swap.writePage(s, ram, 1);
    expect(swap.isWritten(s)).toBe(true);
    swap.readPage(s, ram, 3);
    expect(ram.readBytes(3 * PAGE, PAGE)).toEqual(ram.readBytes(PAGE, PAGE));
    const t = swap.alloc();
    ram.writeBytes(5 * PAGE, new Uint8Array(PAGE).fill(9));
    swap.readPage(t, ram, 5);
    expect(ram.readBytes(5 * PAGE, PAGE).every((b) => b === 0)).toBe(true);
    swap.free(s);
    expect(swap.alloc()).toBe(s);
    expect(swap.isWritten(s)).toBe(false);
  });

  it('refuses misuse with SwapSlotError and bad arguments with InvalidArgumentError, changing nothing', () => {
    const ram = new PhysicalMemory(4 * PAGE);
    const swap = new SwapArea(3, PAGE);
    const s = swap.alloc();
    for (const [fn, op] of [
      [() => swap.free(1), 'double free'],
      [() => swap.dup(2), 'reference'],
      [() => swap.writePage(1, ram, 0), 'write'],
      [() => swap.readPage(2, ram, 0), 'read'],
    ] as const) {
      const e = caught(fn);
      expect(SwapSlotError.isInstance(e)).toBe(true);
      expect((e as SwapSlotError).operation).toBe(op);
      expect((e as SwapSlotError).errno).toBe('EINVAL');
    }
    for (const bad of [-1, 3, 0.5, Number.NaN]) expect(InvalidArgumentError.isInstance(caught(() => swap.free(bad)))).toBe(true);
    for (const bad of [-1, 1.5, 2 ** 31]) expect(InvalidArgumentError.isInstance(caught(() => new SwapArea(bad, PAGE)))).toBe(true);
    expect(InvalidArgumentError.isInstance(caught(() => new SwapArea(1, 0)))).toBe(true);
    expect(swap.inUse()).toEqual([[s, 1]]);
  });
});

describe('SwapCache', () => {
  it('maps slots to frames and back; one entry per slot and per frame', () => {
    const cache = new SwapCache();
    cache.add(4, 10);
    cache.add(1, 11);
    expect(cache.pfnOf(4)).toBe(10);
    expect(cache.slotOf(11)).toBe(1);
    expect(cache.pfnOf(2)).toBe(-1);
    expect(cache.slotOf(12)).toBe(-1);
    expect(SwapSlotError.isInstance(caught(() => cache.add(4, 12)))).toBe(true);
    expect(InvalidArgumentError.isInstance(caught(() => cache.add(5, 10)))).toBe(true);
    expect(cache.entries()).toEqual([[1, 11], [4, 10]]);
    expect(cache.removeSlot(4)).toBe(10);
    expect(cache.removeSlot(4)).toBe(-1);
    expect(cache.slotOf(10)).toBe(-1);
    expect(cache.size).toBe(1);
  });
});
