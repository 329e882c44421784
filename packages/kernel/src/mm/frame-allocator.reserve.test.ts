import { PhysicalMemory } from '@vmsim/hw';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FRAME_DATA, FRAME_FREE, FRAME_RESERVED, FrameAllocator } from './frame-allocator.js';

describe('FrameAllocator.reserve (frames a memory map names)', () => {
  it('takes a given free frame out of the free list; alloc keeps handing out the lowest other free frame', () => {
    const fa = new FrameAllocator(new PhysicalMemory(64 * 4096));
    expect(fa.reserve(10)).toBe(true);
    expect(fa.kindOf(10)).toBe(FRAME_RESERVED);
    expect(fa.refCount(10)).toBe(1);
    expect(fa.freeCount).toBe(63);
    expect(fa.reservedCount).toBe(1);
    expect(Array.from(fa.inUse)).toEqual([0, 0, 0, 0]);
    const got = Array.from({ length: 12 }, () => fa.alloc(FRAME_DATA));
    expect(got).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12]);
    expect(fa.reserve(3)).toBe(false);
    expect(fa.reserve(10)).toBe(false);
    expect(fa.refCount(3)).toBe(1);
    expect(fa.unref(10)).toBe(0);
    expect(fa.kindOf(10)).toBe(FRAME_FREE);
    expect(fa.reservedCount).toBe(0);
    expect(fa.alloc(FRAME_DATA)).toBe(10);
  });

  it('reserving far beyond the frames used so far leaves every frame below it free, lowest first', () => {
    const fa = new FrameAllocator(new PhysicalMemory(4096 * 4096));
    expect(fa.reserve(3000)).toBe(true);
    expect(fa.highWater).toBe(3001);
    expect(fa.isFree(2999)).toBe(true);
    expect(fa.alloc(FRAME_DATA)).toBe(0);
    expect(fa.freeCount).toBe(4096 - 2);
    expect(() => fa.reserve(4096)).toThrow();
  });

  it('agrees with a set model over random reserve / alloc / free steps', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.constantFrom('reserve', 'alloc', 'free'), fc.nat(127)), { maxLength: 200 }), (ops) => {
      const fa = new FrameAllocator(new PhysicalMemory(128 * 4096));
      const used = new Set<number>();
      for (const [op, n] of ops) {
        if (op === 'reserve') {
          expect(fa.reserve(n)).toBe(!used.has(n));
          used.add(n);
        } else if (op === 'alloc') {
          let lowest = 0;
          while (used.has(lowest)) lowest++;
          expect(fa.alloc(FRAME_DATA)).toBe(lowest < 128 ? lowest : -1);
          if (lowest < 128) used.add(lowest);
        } else if (used.has(n)) {
          fa.unref(n);
          used.delete(n);
        }
        expect(fa.freeCount).toBe(128 - used.size);
      }
    }));
  });
});
