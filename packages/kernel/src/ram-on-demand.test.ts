// Start-up independent of RAM size: a kernel commits RAM and grows its frame books as frames are used, so
// 1 MiB, 1 GiB and 4 GiB machines cost the same to make; snapshots compare RAM logically.

import { INITIAL_COMMIT_BYTES, x86_32 } from '@vmsim/hw';
import { describe, expect, it } from 'vitest';
import { FRAME_DATA, INITIAL_BOOK_FRAMES } from './mm/frame-allocator.js';
import { Kernel } from './kernel.js';
import { caught, expectSameSnapshot } from './testing/assertions.js';
import { MODELS } from './testing/models.js';
import { PAGE, REGION, VA } from './testing/kernel-helpers.js';

const MIB = 2 ** 20;
// The package compiles without Node's types; reach the host's memory statistics through globalThis.
const host = globalThis as unknown as { process: { memoryUsage(): { rss: number } } };

/** What a new kernel with one process has committed: RAM bytes and frame-book entries. */
function startupFootprint(makeModel: () => ReturnType<typeof x86_32>, ramBytes: number) {
  const k = new Kernel({ model: makeModel(), ramBytes });
  k.spawn();
  return { committed: k.ram.committedBytes, books: k.frames.kinds.length, used: k.frames.used, size: k.ram.size };
}

describe.each(MODELS)('RAM committed on demand on $name', ({ make: makeModel }) => {
  it('a new kernel with one process commits the same for 1 MiB, 1 GiB and 4 GiB of RAM', () => {
    const small = startupFootprint(makeModel, MIB);
    const big = startupFootprint(makeModel, 2 ** 30);
    const biggest = startupFootprint(makeModel, 2 ** 32);
    expect([small.size, big.size, biggest.size]).toEqual([MIB, 2 ** 30, 2 ** 32]);
    expect([small.committed, big.committed, biggest.committed]).toEqual([INITIAL_COMMIT_BYTES, INITIAL_COMMIT_BYTES, INITIAL_COMMIT_BYTES]);
    expect([small.used, big.used]).toEqual([biggest.used, biggest.used]);
    // The books start at INITIAL_BOOK_FRAMES entries (fewer than the 256 frames of even a 1 MiB RAM).
    expect([small.books, big.books, biggest.books]).toEqual([INITIAL_BOOK_FRAMES, INITIAL_BOOK_FRAMES, INITIAL_BOOK_FRAMES]);
  });

  it('RAM and books grow with the frames used, and what was written survives every growth', () => {
    const k = new Kernel({ model: makeModel(), ramBytes: 2 ** 32, checkInvariants: false });
    k.spawn();
    const pages = 600; // enough frames (data and tables) to grow RAM several times
    for (let i = 0; i < pages; i++) {
      const va = VA + (i % 8) * REGION + Math.floor(i / 8) * PAGE;
      k.register(va);
      expect(k.store(va, 4, i * 2654435761 >>> 0)).toBe(0);
    }
    k.checkInvariants();
    const high = k.frames.highWater;
    expect(k.ram.committedBytes).toBeGreaterThanOrEqual(high * PAGE);
    expect(k.ram.committedBytes).toBeLessThanOrEqual(Math.max(INITIAL_COMMIT_BYTES, 2 * high * PAGE));
    expect(k.frames.kinds.length).toBeLessThanOrEqual(Math.max(INITIAL_BOOK_FRAMES, 2 * high));
    const child = k.fork();
    k.switchTo(child.pid);
    for (let i = 0; i < pages; i++) {
      const va = VA + (i % 8) * REGION + Math.floor(i / 8) * PAGE;
      expect(k.load(va, 4)).toBe(i * 2654435761 >>> 0);
    }
    expect(k.current!.pid).toBe(child.pid);
  });

  it('a mapping whose page tables grow RAM lands in the grown RAM (register only, no write after it)', () => {
    // Each register at a new REGION needs tables of its own, and the allocations past the first commit grow
    // RAM while map() is linking them in: the leaf must be written to the new buffer, not the old one.
    const k = new Kernel({ model: makeModel(), ramBytes: 2 ** 30, checkInvariants: true });
    k.spawn();
    const regions = (2 * INITIAL_COMMIT_BYTES) / PAGE;
    for (let i = 0; i < regions; i++) k.register(VA + i * REGION);
    expect(k.ram.committedBytes).toBeGreaterThan(INITIAL_COMMIT_BYTES);
    expect(k.mappings().length).toBe(regions);
    for (let i = 0; i < regions; i++) expect(k.translate(VA + i * REGION)?.pfn).toBe(k.zeroPfn);
  });

  it('snapshots compare RAM and books logically: committed but zero RAM and books grown but free leave no trace', () => {
    const fresh = new Kernel({ model: makeModel(), ramBytes: 2 ** 30 });
    fresh.spawn();
    const k = new Kernel({ model: makeModel(), ramBytes: 2 ** 30 });
    k.spawn();
    // Frames handed out and given back untouched: RAM committed and books grown, every byte still zero.
    const held = Array.from({ length: 3 * INITIAL_BOOK_FRAMES }, () => k.frames.alloc(FRAME_DATA));
    for (const pfn of held) k.frames.unref(pfn);
    k.ram.commitFrame(1023); // 4 MiB
    expect(k.ram.committedBytes).toBeGreaterThan(fresh.ram.committedBytes);
    expect(k.frames.kinds.length).toBeGreaterThan(fresh.frames.kinds.length);
    expectSameSnapshot(k.snapshot(), fresh.snapshot());
    // A non-zero byte anywhere shows: the snapshot reaches to the end of its frame, and no further.
    k.ram.write8(MIB + 5, 1);
    const marked = k.snapshot();
    expect(marked.ram.length).toBe(MIB + PAGE);
    expect(marked.ram[MIB + 5]).toBe(1);
    expect(caught(() => expectSameSnapshot(marked, fresh.snapshot()))).toBeInstanceOf(Error);
    // So does a frame in use past the fresh kernel's: its count and kind are in the books.
    k.ram.write8(MIB + 5, 0);
    const pfn = k.frames.alloc(FRAME_DATA);
    expect(k.snapshot().refCounts.length).toBe(pfn + 1);
    expect(caught(() => expectSameSnapshot(k.snapshot(), fresh.snapshot()))).toBeInstanceOf(Error);
  });
});

describe('RAM committed on demand: host memory', () => {
  it('twenty 4 GiB kernels with a process each cost a few MiB of host memory (RSS)', () => {
    const before = host.process.memoryUsage().rss;
    const kernels = Array.from({ length: 20 }, () => {
      const k = new Kernel({ model: x86_32(), ramBytes: 2 ** 32 });
      k.spawn();
      k.register(VA);
      k.store(VA, 4, 1);
      return k;
    });
    const after = host.process.memoryUsage().rss;
    expect(kernels.every((k) => k.ram.committedBytes === INITIAL_COMMIT_BYTES)).toBe(true);
    expect(after - before).toBeLessThan(64 * MIB);
  });
});
