import { PhysicalMemory } from '@vmsim/hw';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameStateError, InvalidArgumentError } from '../errors.js';
import { FRAME_DATA, FRAME_FREE, FRAME_TABLE, FRAME_ZERO, FrameAllocator, INITIAL_BOOK_FRAMES } from './frame-allocator.js';
import { caught } from '../testing/assertions.js';

const FRAME = 4096;

function allocator(frames: number, poisonFreed = false): FrameAllocator {
  return new FrameAllocator(new PhysicalMemory(frames * FRAME), { poisonFreed });
}

/** Everything the allocator exposes, for before/after comparisons. */
function state(fa: FrameAllocator): unknown {
  return {
    freeCount: fa.freeCount,
    used: fa.used,
    inUse: Array.from(fa.inUse),
    // Through the accessors: the books' arrays cover only frames below their capacity (frames past it are free).
    refCounts: Array.from({ length: fa.total }, (_, pfn) => fa.refCount(pfn)),
    kinds: Array.from({ length: fa.total }, (_, pfn) => fa.kindOf(pfn)),
    freeBits: Array.from({ length: fa.total }, (_, pfn) => fa.isFree(pfn)),
  };
}

describe('FrameAllocator: order', () => {
  it('hands out the lowest free frame first, in ascending order', () => {
    const fa = allocator(70);
    const got = Array.from({ length: 70 }, () => fa.alloc(FRAME_DATA));
    expect(got).toEqual(Array.from({ length: 70 }, (_, i) => i));
    expect(fa.alloc(FRAME_DATA)).toBe(-1);
    expect(fa.freeCount).toBe(0);
    expect(fa.used).toBe(70);
  });

  it('reuses a freed low frame before any higher one, across 32-frame words', () => {
    const fa = allocator(100);
    for (let i = 0; i < 80; i++) fa.alloc(FRAME_DATA);
    fa.unref(70);
    fa.unref(35);
    fa.unref(3);
    expect(fa.alloc(FRAME_DATA)).toBe(3);
    expect(fa.alloc(FRAME_DATA)).toBe(35);
    expect(fa.alloc(FRAME_DATA)).toBe(70);
    expect(fa.alloc(FRAME_DATA)).toBe(80);
  });

  it('is deterministic: the same sequence of calls gives the same frames', () => {
    const run = (): number[] => {
      const fa = allocator(200);
      const out: number[] = [];
      const held: number[] = [];
      let seed = 12345;
      for (let step = 0; step < 2000; step++) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        if (held.length > 0 && seed % 3 === 0) {
          const [pfn] = held.splice(seed % held.length, 1);
          fa.unref(pfn!);
        } else {
          const pfn = fa.alloc(FRAME_DATA);
          out.push(pfn);
          if (pfn >= 0) held.push(pfn);
        }
      }
      return out;
    };
    expect(run()).toEqual(run());
  });

  it('agrees with a naive lowest-free model over a long mixed sequence (frame count not a multiple of 32)', () => {
    const total = 77;
    const fa = allocator(total);
    const used = new Set<number>();
    let seed = 99;
    for (let step = 0; step < 5000; step++) {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      if (used.size > 0 && (seed >>> 8) % 5 < 2) {
        const list = [...used];
        const pfn = list[(seed >>> 3) % list.length]!;
        used.delete(pfn);
        expect(fa.unref(pfn)).toBe(0);
      } else {
        let expected = -1;
        for (let pfn = 0; pfn < total; pfn++) {
          if (!used.has(pfn)) {
            expected = pfn;
            break;
          }
        }
        expect(fa.alloc(FRAME_DATA)).toBe(expected);
        if (expected >= 0) used.add(expected);
      }
      expect(fa.freeCount).toBe(total - used.size);
    }
  });

  it('returns -1 and changes nothing when every frame is in use', () => {
    const fa = allocator(33);
    for (let i = 0; i < 33; i++) expect(fa.alloc(FRAME_TABLE)).toBe(i);
    const before = state(fa);
    expect(fa.alloc(FRAME_DATA)).toBe(-1);
    expect(state(fa)).toEqual(before);
  });
});

describe('FrameAllocator: contents', () => {
  it('hands out frames that are all zeros, even after they held junk', () => {
    const fa = allocator(8);
    const pfn = fa.alloc(FRAME_DATA);
    expect(fa.ram.isFrameZero(pfn)).toBe(true);
    fa.ram.fillFrame(pfn, 0x5c);
    fa.ram.write32(pfn * FRAME + 100, 0xdeadbeef);
    expect(fa.ram.isFrameZero(pfn)).toBe(false);
    fa.unref(pfn);
    expect(fa.alloc(FRAME_TABLE)).toBe(pfn);
    expect(fa.ram.isFrameZero(pfn)).toBe(true);
  });

  it('hands out never-used frames as zeros: committed ones written behind its back, and ones committed only now', () => {
    const ram = new PhysicalMemory(2 ** 30);
    const fa = new FrameAllocator(ram);
    ram.commitFrame(0); // RAM's first commit
    const committedFrames = ram.committedBytes / FRAME;
    // Junk in free frames: inside the first commit, at its last frame, and far past it (which commits RAM
    // up to there, so the frames between are committed and zero, and the junk one is committed and dirty).
    const dirty = [1, committedFrames - 1, 3 * committedFrames + 2];
    for (const pfn of dirty) ram.fillFrame(pfn, 0x3c);
    const committed = ram.committedBytes;
    expect(committed).toBeGreaterThan(dirty[2]! * FRAME);
    const total = committed / FRAME + 2 * committedFrames; // past what was committed: frames RAM commits now
    for (let i = 0; i < total; i++) {
      const pfn = fa.alloc(FRAME_DATA);
      expect(pfn).toBe(i);
      expect(ram.isFrameZero(pfn)).toBe(true);
      ram.fillFrame(pfn, 0x77); // the user writes it; the next frame is unaffected
    }
    expect(ram.committedBytes).toBeGreaterThan(committed);
    // Given back and handed out again: zeroed again.
    fa.unref(5);
    expect(fa.alloc(FRAME_DATA)).toBe(5);
    expect(ram.isFrameZero(5)).toBe(true);
  });

  it('zeroes only the frame it hands out, not its neighbours', () => {
    const fa = allocator(4);
    const a = fa.alloc(FRAME_DATA);
    const b = fa.alloc(FRAME_DATA);
    fa.ram.fillFrame(a, 1);
    fa.ram.fillFrame(b, 2);
    fa.unref(a);
    expect(fa.alloc(FRAME_DATA)).toBe(a);
    expect(fa.ram.isFrameZero(a)).toBe(true);
    expect(fa.ram.read8(b * FRAME + FRAME - 1)).toBe(2);
  });

  it('with poisonFreed, a freed frame reads 0xA5 until it is handed out again (then zeros)', () => {
    const fa = allocator(4, true);
    const pfn = fa.alloc(FRAME_DATA);
    fa.ram.write8(pfn * FRAME + 7, 42);
    fa.unref(pfn);
    const bytes = fa.ram.readBytes(pfn * FRAME, FRAME);
    expect(bytes.every((b) => b === 0xa5)).toBe(true);
    expect(fa.alloc(FRAME_DATA)).toBe(pfn);
    expect(fa.ram.isFrameZero(pfn)).toBe(true);
  });

  it('without poisonFreed, a freed frame keeps its bytes (no hidden work on free)', () => {
    const fa = allocator(4);
    const pfn = fa.alloc(FRAME_DATA);
    fa.ram.write8(pfn * FRAME + 7, 42);
    fa.unref(pfn);
    expect(fa.ram.read8(pfn * FRAME + 7)).toBe(42);
  });
});

describe('FrameAllocator: reference counts', () => {
  it('starts at 1, counts past 255 and 65535 (32-bit counters), and frees only at 0', () => {
    const fa = allocator(4);
    const pfn = fa.alloc(FRAME_DATA);
    expect(fa.refCount(pfn)).toBe(1);
    const n = 70_000;
    for (let i = 1; i <= n; i++) {
      const c = fa.ref(pfn);
      if (i === 255 || i === 65_535) expect(c).toBe(i + 1);
    }
    expect(fa.refCount(pfn)).toBe(n + 1);
    expect(fa.refCounts[pfn]).toBe(n + 1);
    for (let i = n; i >= 1; i--) {
      expect(fa.unref(pfn)).toBe(i);
      expect(fa.isFree(pfn)).toBe(false);
    }
    expect(fa.freeCount).toBe(3);
    expect(fa.unref(pfn)).toBe(0);
    expect(fa.isFree(pfn)).toBe(true);
    expect(fa.kindOf(pfn)).toBe(FRAME_FREE);
    expect(fa.freeCount).toBe(4);
  });

  it('refuses to overflow the 32-bit counter and leaves it at the maximum', () => {
    const fa = allocator(2);
    const pfn = fa.alloc(FRAME_DATA);
    fa.refCounts[pfn] = 0xfffffffe;
    expect(fa.ref(pfn)).toBe(0xffffffff);
    const error = caught(() => fa.ref(pfn));
    expect(FrameStateError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ operation: 'reference overflow', pfn, refCount: 0xffffffff });
    expect(fa.refCount(pfn)).toBe(0xffffffff);
  });

  it('refMapped (fork\'s reference) counts exactly as ref, and refuses what ref refuses with the same error', () => {
    const twin = (): FrameAllocator => {
      const fa = allocator(40);
      for (let i = 0; i < 6; i++) fa.alloc(i % 2 === 0 ? FRAME_DATA : FRAME_TABLE);
      fa.unref(2);
      fa.refCounts[3] = 0xfffffffe;
      return fa;
    };
    const a = twin();
    const b = twin();
    // In use, freed, at the counter's top (twice: the second overflows), never used, past RAM, not integers.
    for (const pfn of [0, 1, 4, 2, 3, 3, 5, 20, 39, 40, -1, 1.5, Number.NaN, 2 ** 32]) {
      const outcome = (fn: () => number): unknown => {
        try {
          return { count: fn() };
        } catch (error) {
          return { name: (error as Error).name, message: (error as Error).message };
        }
      };
      expect(outcome(() => b.refMapped(pfn))).toEqual(outcome(() => a.ref(pfn)));
      expect(state(b)).toEqual(state(a));
    }
    expect(b.refCount(0)).toBe(2);
    expect(b.refCount(3)).toBe(0xffffffff);
  });

  it('a double free throws FrameStateError at once and changes nothing', () => {
    const fa = allocator(8);
    const pfn = fa.alloc(FRAME_DATA);
    fa.alloc(FRAME_DATA);
    fa.unref(pfn);
    const before = state(fa);
    const error = caught(() => fa.unref(pfn));
    expect(error).toBeInstanceOf(FrameStateError);
    expect(FrameStateError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ operation: 'double free', pfn, refCount: 0 });
    expect(state(fa)).toEqual(before);
    // The frame is free exactly once: the next allocation gets it, the one after does not.
    expect(fa.alloc(FRAME_DATA)).toBe(pfn);
    expect(fa.alloc(FRAME_DATA)).toBe(2);
  });

  it('freeing a frame that was never allocated is a double free too', () => {
    const fa = allocator(8);
    const before = state(fa);
    expect(caught(() => fa.unref(5))).toMatchObject({ operation: 'double free', pfn: 5, refCount: 0 });
    expect(state(fa)).toEqual(before);
  });

  it('an in-use frame whose count is already 0 reports a reference underflow', () => {
    const fa = allocator(4);
    const pfn = fa.alloc(FRAME_TABLE);
    fa.refCounts[pfn] = 0; // corrupt the books the way a missing ref() would
    const error = caught(() => fa.unref(pfn));
    expect(FrameStateError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ operation: 'reference underflow', pfn, refCount: 0 });
    expect(fa.isFree(pfn)).toBe(false);
  });

  it('referencing a free frame throws FrameStateError and does not resurrect it', () => {
    const fa = allocator(4);
    const before = state(fa);
    expect(caught(() => fa.ref(2))).toMatchObject({ operation: 'reference', pfn: 2, refCount: 0 });
    expect(state(fa)).toEqual(before);
    expect(fa.isFree(2)).toBe(true);
  });

  it('rejects frame numbers outside RAM or not integers with InvalidArgumentError', () => {
    const fa = allocator(4);
    fa.alloc(FRAME_DATA);
    const before = state(fa);
    for (const bad of [-1, 4, 1.5, Number.NaN, Infinity]) {
      for (const call of [() => fa.ref(bad), () => fa.unref(bad), () => fa.refCount(bad), () => fa.kindOf(bad), () => fa.isFree(bad)]) {
        const error = caught(call);
        expect(InvalidArgumentError.isInstance(error)).toBe(true);
        expect(error).toMatchObject({ argument: 'pfn' });
      }
    }
    expect(state(fa)).toEqual(before);
  });

  it('rejects a frame kind or zero flag of the wrong kind with InvalidArgumentError and changes nothing', () => {
    const fa = allocator(40);
    for (let i = 0; i < 35; i++) fa.alloc(FRAME_DATA);
    fa.unref(3);
    const before = state(fa);
    const badKinds: unknown[] = ['abc', FRAME_FREE, 4, -1, 1.5, Number.NaN, null, undefined, '1', 1n, {}];
    for (const bad of badKinds) {
      const error = caught(() => fa.alloc(bad as typeof FRAME_DATA));
      expect(InvalidArgumentError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ argument: 'frame kind' });
    }
    for (const bad of ['yes', 0, 1, null]) {
      const error = caught(() => fa.alloc(FRAME_DATA, bad as unknown as boolean));
      expect(InvalidArgumentError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ argument: 'zero' });
    }
    expect(state(fa)).toEqual(before);
    // The books are intact: the freed frame comes back first, then the never-used ones in order.
    expect(fa.alloc(FRAME_DATA)).toBe(3);
    expect(fa.alloc(FRAME_DATA)).toBe(35);
  });

  it('rejects a constructor argument that is not RAM, and options of the wrong kind', () => {
    const ram = new PhysicalMemory(4 * FRAME);
    for (const bad of [null, {}, 4096, 'ram']) {
      expect(InvalidArgumentError.isInstance(caught(() => new FrameAllocator(bad as unknown as PhysicalMemory)))).toBe(true);
    }
    expect(InvalidArgumentError.isInstance(caught(() => new FrameAllocator(ram, { poisonFreed: 'yes' as unknown as boolean })))).toBe(true);
    expect(InvalidArgumentError.isInstance(caught(() => new FrameAllocator(ram, null as unknown as object)))).toBe(true);
  });
});

describe('FrameAllocator: start-up independent of RAM size', () => {
  it('counts every frame of a large RAM free at once and hands them out lowest first', () => {
    const ram = new PhysicalMemory(1 << 30);
    const fa = new FrameAllocator(ram);
    expect(fa.total).toBe(262144);
    expect(fa.freeCount).toBe(262144);
    expect(fa.isFree(0)).toBe(true);
    expect(fa.isFree(262143)).toBe(true);
    expect([fa.alloc(FRAME_DATA), fa.alloc(FRAME_TABLE), fa.alloc(FRAME_DATA)]).toEqual([0, 1, 2]);
    fa.unref(1);
    expect(fa.isFree(1)).toBe(true);
    expect(fa.isFree(2)).toBe(false);
    expect(fa.alloc(FRAME_DATA)).toBe(1);
    expect(fa.alloc(FRAME_DATA)).toBe(3);
    expect(fa.freeCount).toBe(262144 - 4);
  });

  it('never hands out a frame twice and always the lowest free one, against a naive model (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 130 }),
        fc.array(fc.tuple(fc.boolean(), fc.nat()), { maxLength: 400 }),
        (total, ops) => {
          const fa = allocator(total);
          const used = new Set<number>();
          for (const [allocate, pick] of ops) {
            if (allocate || used.size === 0) {
              let expected = -1;
              for (let pfn = 0; pfn < total; pfn++) {
                if (!used.has(pfn)) {
                  expected = pfn;
                  break;
                }
              }
              const pfn = fa.alloc(FRAME_DATA);
              expect(pfn).toBe(expected);
              if (pfn >= 0) {
                expect(used.has(pfn)).toBe(false);
                expect(fa.refCount(pfn)).toBe(1);
                used.add(pfn);
              }
            } else {
              const list = [...used];
              const pfn = list[pick % list.length]!;
              used.delete(pfn);
              expect(fa.unref(pfn)).toBe(0);
            }
            expect(fa.freeCount).toBe(total - used.size);
          }
          for (let pfn = 0; pfn < total; pfn++) expect(fa.isFree(pfn)).toBe(!used.has(pfn));
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('FrameAllocator: books and RAM that grow with the frames used', () => {
  it('a 4 GiB RAM starts with small books and little RAM committed; frames never used read free', () => {
    const ram = new PhysicalMemory(2 ** 32);
    const fa = new FrameAllocator(ram);
    expect(fa.total).toBe(2 ** 20);
    expect(fa.highWater).toBe(0);
    expect(fa.kinds.length).toBe(INITIAL_BOOK_FRAMES);
    expect(fa.refCounts.length).toBe(INITIAL_BOOK_FRAMES);
    const last = 2 ** 20 - 1;
    expect([fa.refCount(last), fa.kindOf(last), fa.isFree(last)]).toEqual([0, FRAME_FREE, true]);
    const before = state(fa);
    expect(caught(() => fa.ref(last))).toMatchObject({ name: 'FrameStateError', operation: 'reference', pfn: last, refCount: 0 });
    const error = caught(() => fa.unref(INITIAL_BOOK_FRAMES * 2)) as FrameStateError;
    expect(error).toBeInstanceOf(FrameStateError);
    expect(error.message).toContain('double free');
    expect(state(fa)).toEqual(before);
    expect(ram.committedBytes).toBeLessThanOrEqual(64 * 1024);
  }, 30_000); // walks a 4 GiB allocator's books: ~3 s alone, more on a loaded machine

  it('commits each frame it hands out; the books double past their start and keep every count', () => {
    const ram = new PhysicalMemory(2 ** 30);
    const fa = new FrameAllocator(ram);
    const n = 3 * INITIAL_BOOK_FRAMES + 5;
    for (let i = 0; i < n; i++) {
      const pfn = fa.alloc(i % 3 === 0 ? FRAME_TABLE : FRAME_DATA);
      expect(pfn).toBe(i);
      expect(ram.committedBytes).toBeGreaterThanOrEqual((pfn + 1) * FRAME);
      if (i % 7 === 0) fa.ref(pfn);
      ram.write32(pfn * FRAME, pfn); // code holding ram.bytes may write a frame it was handed
    }
    expect(fa.highWater).toBe(n);
    expect(fa.kinds.length).toBe(4 * INITIAL_BOOK_FRAMES);
    // RAM committed: a power of two of frames, at most twice what is used.
    expect(ram.committedBytes).toBeLessThanOrEqual(2 * n * FRAME);
    for (let pfn = 0; pfn < n; pfn++) {
      expect(fa.refCount(pfn)).toBe(pfn % 7 === 0 ? 2 : 1);
      expect(fa.kindOf(pfn)).toBe(pfn % 3 === 0 ? FRAME_TABLE : FRAME_DATA);
      expect(ram.read32(pfn * FRAME)).toBe(pfn);
    }
    expect(fa.inUse[FRAME_TABLE]! + fa.inUse[FRAME_DATA]!).toBe(n);
    // Freed frames below the high-water mark are found again, lowest first, before any fresh one.
    fa.unref(2 * INITIAL_BOOK_FRAMES + 1);
    fa.unref(7);
    fa.unref(7); // it had two references
    expect([fa.alloc(FRAME_DATA), fa.alloc(FRAME_DATA), fa.alloc(FRAME_DATA)]).toEqual([7, 2 * INITIAL_BOOK_FRAMES + 1, n]);
    expect(ram.read32(7 * FRAME)).toBe(0); // handed out zeroed
  });

  it('never hands out a frame twice and always the lowest free one, across the books\' growth (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: INITIAL_BOOK_FRAMES - 10, max: 4 * INITIAL_BOOK_FRAMES + 10 }),
        fc.array(fc.oneof(fc.record({ alloc: fc.integer({ min: 1, max: 600 }) }), fc.record({ free: fc.nat() })), { maxLength: 40 }),
        (total, ops) => {
          const fa = allocator(total);
          const used = new Uint8Array(total);
          const held: number[] = [];
          let lowest = 0; // no frame below this is free in the model
          for (const o of ops) {
            if ('alloc' in o) {
              for (let i = 0; i < o.alloc; i++) {
                while (lowest < total && used[lowest] === 1) lowest++;
                const pfn = fa.alloc(FRAME_DATA);
                expect(pfn).toBe(lowest < total ? lowest : -1);
                if (pfn < 0) break;
                used[pfn] = 1;
                held.push(pfn);
              }
            } else if (held.length > 0) {
              const [pfn] = held.splice(o.free % held.length, 1);
              expect(fa.unref(pfn!)).toBe(0);
              used[pfn!] = 0;
              if (pfn! < lowest) lowest = pfn!;
            }
            expect(fa.freeCount).toBe(total - held.length);
            expect(fa.kinds.length).toBeLessThanOrEqual(Math.max(INITIAL_BOOK_FRAMES, 2 * fa.highWater));
          }
          for (let pfn = 0; pfn < total; pfn++) {
            const inUse = used[pfn] === 1;
            if (fa.isFree(pfn) === inUse || fa.refCount(pfn) !== (inUse ? 1 : 0) || fa.kindOf(pfn) !== (inUse ? FRAME_DATA : FRAME_FREE)) {
              expect({ pfn, free: fa.isFree(pfn), refs: fa.refCount(pfn) }).toEqual({ pfn, free: !inUse, refs: inUse ? 1 : 0 });
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  }, 60_000);
});

describe('FrameAllocator: counts per kind', () => {
  it('counts frames in use per kind and gives them back to the right kind on free', () => {
    const fa = allocator(16);
    const data = [fa.alloc(FRAME_DATA), fa.alloc(FRAME_DATA), fa.alloc(FRAME_DATA)];
    const tables = [fa.alloc(FRAME_TABLE), fa.alloc(FRAME_TABLE)];
    const zero = fa.alloc(FRAME_ZERO);
    expect(Array.from(fa.inUse)).toEqual([0, 3, 2, 1]);
    expect(fa.used).toBe(6);
    expect(fa.freeCount).toBe(10);
    for (const pfn of data) expect(fa.kindOf(pfn)).toBe(FRAME_DATA);
    for (const pfn of tables) expect(fa.kindOf(pfn)).toBe(FRAME_TABLE);
    expect(fa.kindOf(zero)).toBe(FRAME_ZERO);

    fa.ref(tables[0]!);
    fa.unref(tables[0]!);
    expect(fa.inUse[FRAME_TABLE]).toBe(2); // still referenced once
    fa.unref(tables[0]!);
    fa.unref(data[1]!);
    expect(Array.from(fa.inUse)).toEqual([0, 2, 1, 1]);
    expect(fa.used).toBe(4);
    expect(fa.freeCount).toBe(12);
    expect(fa.used + fa.freeCount).toBe(fa.total);

    // A freed frame comes back with the kind of its new allocation.
    expect(fa.alloc(FRAME_ZERO)).toBe(data[1]);
    expect(fa.kindOf(data[1]!)).toBe(FRAME_ZERO);
    expect(Array.from(fa.inUse)).toEqual([0, 2, 1, 2]);
  });
});
