// The kernel's Accessed bits as @vmsim/replacement's clock reads them: set by the MMU's walk, read and
// cleared through the reverse map in every entry of a frame (COW sharers included), the TLB entry flushed so
// the next access sets the bit again; and a ClockPolicy whose hand reads them.

import { PTE_A } from '@vmsim/hw';
import { ClockPolicy } from '@vmsim/replacement';
import { describe, expect, it } from 'vitest';
import { boot, PAGE, pfnOf, VA } from '../testing/kernel-helpers.js';
import { MODELS } from '../testing/models.js';

describe.each(MODELS)('Accessed bits through the reverse map on $name', ({ make }) => {
  it('reads and clears A in every entry of a frame; the next access (through the TLB) sets it again', () => {
    const k = boot(make, { reverseMap: true });
    const a = k.spawn();
    k.register(VA);
    k.store(VA, 4, 1);
    const b = k.fork();
    const f = pfnOf(k, VA, a.pid);
    const bits = k.accessedBits();
    k.switchTo(b.pid);
    expect(k.load(VA, 4)).toBe(1); // the child's entry starts old; this walk sets A
    expect(bits.testAndClearAccessed(f)).toBe(true);
    expect(k.translate(VA, a.pid)!.flags & PTE_A).toBe(0);
    expect(k.translate(VA, b.pid)!.flags & PTE_A).toBe(0);
    expect(bits.testAndClearAccessed(f)).toBe(false);
    expect(k.load(VA, 4)).toBe(1); // its TLB entry was flushed: the walk sets A again
    expect(k.translate(VA, b.pid)!.flags & PTE_A).not.toBe(0);
    expect(k.translate(VA, a.pid)!.flags & PTE_A).toBe(0);
    expect(bits.testAndClearAccessed(f)).toBe(true);
    expect(bits.testAndClearAccessed(k.zeroPfn)).toBe(false);
    k.checkInvariants();
  });

  it('a clock over frames gives a second chance to the frame the MMU referenced', () => {
    const k = boot(make, { reverseMap: true });
    k.spawn();
    const pfns: number[] = [];
    for (let i = 0; i < 4; i++) {
      k.register(VA + i * PAGE);
      k.store(VA + i * PAGE, 4, i);
      pfns.push(pfnOf(k, VA + i * PAGE, k.current!.pid));
    }
    const bits = k.accessedBits();
    for (const pfn of pfns) bits.testAndClearAccessed(pfn); // every entry old
    const clock = new ClockPolicy({ frames: 3, pageCount: k.frames.total, accessed: bits, insertRef: false });
    for (const pfn of pfns.slice(0, 3)) clock.access(pfn, false);
    expect(k.load(VA, 4)).toBe(0); // the hardware references the first frame only
    clock.access(pfns[3]!, false);
    expect(clock.lastVictim).toBe(pfns[1]); // the first had its A bit: skipped, and cleared
    expect(k.translate(VA)!.flags & PTE_A).toBe(0);
  });
});
