import {
  PTE_W,
} from '@vmsim/hw';
import { describe, expect, it } from 'vitest';
import { type KernelEvent } from '../events.js';
import { FRAME_ZERO } from '../mm/frame-allocator.js';
import { MODELS } from '../testing/models.js';
import { PAGE, VA, boot, pfnOf } from '../testing/kernel-helpers.js';

describe.each(MODELS)('the zero page on $name', ({ make: makeModel }) => {
  it('is a pinned frame of its own kind, all zeros', () => {
    const k = boot(makeModel);
    expect(k.frames.kindOf(k.zeroPfn)).toBe(FRAME_ZERO);
    expect(k.frames.refCount(k.zeroPfn)).toBe(1);
    expect(k.ram.isFrameZero(k.zeroPfn)).toBe(true);
    expect(k.stats().frames).toMatchObject({ zero: 1, used: 1, data: 0, pageTables: 0 });
  });

  it('registered pages read 0 through every access size and allocate nothing', () => {
    const k = boot(makeModel);
    k.spawn();
    for (let i = 0; i < 8; i++) k.register(VA + i * PAGE);
    const free = k.frames.freeCount;
    const zeroRefs = k.frames.refCount(k.zeroPfn);
    for (let i = 0; i < 8; i++) {
      const va = VA + i * PAGE;
      expect(k.load(va, 1)).toBe(0);
      expect(k.load(va + 2, 2)).toBe(0);
      expect(k.load(va + PAGE - 4, 4)).toBe(0);
      expect(k.load64(va + 8)).toBe(0n);
    }
    expect(k.load(VA + PAGE - 2, 4)).toBe(0); // crosses into the next zero-mapped page
    expect(k.read(VA, 8 * PAGE).every((b) => b === 0)).toBe(true);
    expect(k.frames.freeCount).toBe(free);
    expect(k.frames.refCount(k.zeroPfn)).toBe(zeroRefs);
    expect(k.stats().faults.zeroFill).toBe(0);
  });

  it('is never written: a write gets a fresh zeroed frame (zero-fill), even one that held junk before', () => {
    const k = boot(makeModel);
    const junk = k.spawn();
    k.register(VA);
    k.write(VA, new Uint8Array(PAGE).fill(0xee));
    const junkFrame = pfnOf(k, VA, junk.pid);
    k.kill();
    const a = k.spawn();
    k.register(VA + 2 * PAGE);
    const events: KernelEvent[] = [];
    k.on((e) => events.push(e));
    const data = k.stats().frames.data;
    expect(k.store(VA + 2 * PAGE + 100, 2, 0xbeef)).toBe(0);
    const frame = pfnOf(k, VA + 2 * PAGE, a.pid);
    expect(frame).not.toBe(k.zeroPfn);
    expect(frame).toBe(junkFrame); // lowest free frame first: the recycled one
    expect(k.stats().frames.data).toBe(data + 1);
    expect(events.filter((e) => e.type === 'fault')).toEqual([
      { type: 'fault', pid: a.pid, va: VA + 2 * PAGE + 100, access: 'write', resolution: 'zero-fill' },
    ]);
    const page = k.read(VA + 2 * PAGE, PAGE);
    expect(page[100]).toBe(0xef);
    expect(page[101]).toBe(0xbe);
    page[100] = 0;
    page[101] = 0;
    expect(page.every((b) => b === 0)).toBe(true);
    expect(k.ram.isFrameZero(k.zeroPfn)).toBe(true);
    const m = k.mappings(a.pid)[0]!;
    expect(m).toMatchObject({ zeroPage: false, cow: false, refCount: 1 });
    expect(m.flags & PTE_W).toBe(PTE_W);
  });

  it('counts one reference per mapping plus a pin, and is never freed', () => {
    const k = boot(makeModel);
    const a = k.spawn();
    for (let i = 0; i < 4; i++) k.register(VA + i * PAGE);
    expect(k.frames.refCount(k.zeroPfn)).toBe(5);
    const c = k.fork();
    expect(k.frames.refCount(k.zeroPfn)).toBe(9);
    expect(k.store(VA, 1, 1)).toBe(0);
    expect(k.frames.refCount(k.zeroPfn)).toBe(8);
    k.kill(c.pid);
    k.kill(a.pid);
    expect(k.frames.refCount(k.zeroPfn)).toBe(1);
    expect(k.frames.kindOf(k.zeroPfn)).toBe(FRAME_ZERO);
    expect(k.frames.isFree(k.zeroPfn)).toBe(false);
    expect(k.stats().frames).toMatchObject({ zero: 1, used: 1 });
  });
});
