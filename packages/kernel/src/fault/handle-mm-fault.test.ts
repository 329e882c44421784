import {
  ACCESS_EXEC, ACCESS_READ, ACCESS_WRITE, PTE_A, PTE_D, PTE_W,
} from '@vmsim/hw';
import { describe, expect, it } from 'vitest';
import { SEGV_ACCERR, SEGV_MAPERR, PG_COW_COPY, PG_COW_REUSE, PG_SPURIOUS, PG_ZERO_FILL } from '../codes.js';
import { MODELS, userEnd } from '../testing/models.js';
import { PAGE, VA, HOLE, boot, pfnOf } from '../testing/kernel-helpers.js';

describe.each(MODELS)('the fault handler on $name', ({ make: makeModel }) => {
  it('COW write with refcount > 1 copies the page (all of it) and drops one reference', () => {
    const k = boot(makeModel);
    const a = k.spawn();
    k.register(VA);
    const content = new Uint8Array(PAGE).map((_, i) => (i * 31 + 7) & 0xff);
    k.write(VA, content);
    const frame = pfnOf(k, VA, a.pid);
    const c = k.fork();
    k.switchTo(c.pid);
    const s = k.stats();
    expect(k.store(VA + 4, 1, 0)).toBe(0);
    const copy = pfnOf(k, VA, c.pid);
    expect(copy).not.toBe(frame);
    expect(k.frames.refCount(frame)).toBe(1);
    expect(k.frames.refCount(copy)).toBe(1);
    expect(k.stats().faults.cowCopy).toBe(s.faults.cowCopy + 1);
    expect(k.stats().frames.data).toBe(s.frames.data + 1);
    const expected = content.slice();
    expected[4] = 0;
    expect(Array.from(k.read(VA, PAGE))).toEqual(Array.from(expected));
    expect(Array.from(k.copyin(a.pid, VA, PAGE))).toEqual(Array.from(content));
    const m = k.mappings(c.pid)[0]!;
    expect(m.cow).toBe(false);
    expect(m.flags & PTE_W).toBe(PTE_W);
    // The parent's side is still marked COW (read-only) until it writes.
    expect(k.mappings(a.pid)[0]).toMatchObject({ pfn: frame, cow: true, refCount: 1 });
  });

  it('COW write with refcount 1 makes the page writable in place: same frame, no copy (COW reuse)', () => {
    const k = boot(makeModel);
    const a = k.spawn();
    k.register(VA);
    k.store(VA, 4, 0x12345678);
    const frame = pfnOf(k, VA, a.pid);
    const c = k.fork();
    k.kill(c.pid);
    expect(k.mappings(a.pid)[0]).toMatchObject({ pfn: frame, cow: true, refCount: 1 });
    const s = k.stats();
    expect(k.store(VA + 4, 4, 0x9abcdef0)).toBe(0);
    expect(pfnOf(k, VA, a.pid)).toBe(frame);
    expect(k.stats().faults.cowReuse).toBe(s.faults.cowReuse + 1);
    expect(k.stats().faults.cowCopy).toBe(s.faults.cowCopy);
    expect(k.stats().frames).toEqual(s.frames);
    expect(k.load(VA, 4)).toBe(0x12345678);
    expect(k.load(VA + 4, 4)).toBe(0x9abcdef0);
    const m = k.mappings(a.pid)[0]!;
    expect(m.cow).toBe(false);
    expect(m.flags & PTE_W).toBe(PTE_W);
    // A second write does not fault at all.
    expect(k.store(VA, 4, 1)).toBe(0);
    expect(k.stats().faults).toEqual({ ...s.faults, cowReuse: s.faults.cowReuse + 1 });
  });

  it('an access outside every region is SEGV_MAPERR (-1): counted, nothing allocated, nothing written', () => {
    const k = boot(makeModel);
    k.spawn();
    k.register(VA);
    const before = k.snapshot();
    const segv = k.stats().faults.segfault;
    expect(SEGV_MAPERR).toBe(-1);
    expect(k.store(HOLE, 4, 1)).toBe(SEGV_MAPERR);
    expect(k.status).toBe(SEGV_MAPERR);
    expect(k.store64(HOLE + 8, 1n)).toBe(SEGV_MAPERR);
    expect(k.load(HOLE, 1)).toBe(SEGV_MAPERR);
    expect(k.load64(HOLE)).toBe(0n);
    expect(k.status).toBe(SEGV_MAPERR);
    expect(k.stats().faults.segfault).toBe(segv + 4);
    expect(k.load(VA, 4)).toBe(0);
    expect(k.status).toBe(0);
    expect(k.stats().frames.data).toBe(0);
    expect(k.snapshot().freeFrames).toBe(before.freeFrames);
    // A store that runs off the end of the region fails and writes no byte, not even in the first page
    // (whose fault may have been resolved first, as on real hardware).
    expect(k.store(VA + PAGE - 2, 4, 0xffffffff)).toBe(SEGV_MAPERR);
    expect(k.stats().faults.segfault).toBe(segv + 5);
    expect(k.read(VA, PAGE).every((b) => b === 0)).toBe(true);
  });

  it('an address outside the user space is SEGV_MAPERR on the access path, never an exception', () => {
    const k = boot(makeModel);
    k.spawn();
    k.register(VA);
    const end = userEnd(k.model);
    // The user limit and beyond, the upper (kernel) half of a sign-extended space, negative numbers,
    // non-integers, and numbers too large to be exact.
    for (const va of [-4, end, end + VA, end * 2 - PAGE, -end, -PAGE, 0.5, 2 ** 53, 2 ** 64, Number.NaN]) {
      expect(k.load(va, 4)).toBe(SEGV_MAPERR);
      expect(k.store(va, 4, 1)).toBe(SEGV_MAPERR);
      expect(k.load64(va)).toBe(0n);
      expect(k.status).toBe(SEGV_MAPERR);
      expect(k.store64(va, 1n)).toBe(SEGV_MAPERR);
    }
    expect(k.load(VA, 4)).toBe(0);
  });

  it('handlePageFault: codes for every case, for any live process', () => {
    const k = boot(makeModel);
    const a = k.spawn();
    const b = k.spawn();
    k.register(VA, b.pid);
    k.register(VA + PAGE, b.pid);
    expect(k.handlePageFault(b.pid, HOLE, ACCESS_READ)).toBe(SEGV_MAPERR);
    // No PROT_EXEC: refused where the hardware has execute-disable; x86-32 paging has none, so (as on
    // i386 Linux) the already-present page simply executes: the fault was a stale TLB entry.
    const noNx = k.model.name === 'x86-32';
    expect(k.handlePageFault(b.pid, VA, ACCESS_EXEC)).toBe(noNx ? PG_SPURIOUS : SEGV_ACCERR);
    expect(k.handlePageFault(b.pid, VA, ACCESS_WRITE)).toBe(PG_ZERO_FILL);
    expect(k.handlePageFault(b.pid, VA, ACCESS_WRITE)).toBe(PG_SPURIOUS); // already writable
    expect(k.handlePageFault(b.pid, VA + PAGE, ACCESS_READ)).toBe(PG_SPURIOUS); // the zero page is readable
    const c = k.fork(b.pid);
    expect(k.handlePageFault(c.pid, VA + 8, ACCESS_WRITE)).toBe(PG_COW_COPY);
    expect(k.handlePageFault(b.pid, VA + 8, ACCESS_WRITE)).toBe(PG_COW_REUSE);
    expect(k.stats().faults).toMatchObject({ zeroFill: 1, cowCopy: 1, cowReuse: 1, spurious: noNx ? 3 : 2, segfault: noNx ? 1 : 2, oom: 0 });
    expect(k.current).toBe(a);
    expect(k.mappings(c.pid)[0]!.flags & PTE_W).toBe(PTE_W);
    expect(k.mappings(b.pid)[0]!.flags & PTE_W).toBe(PTE_W);
    expect(pfnOf(k, VA, b.pid)).not.toBe(pfnOf(k, VA, c.pid));
  });

  it('a spurious fault drops the page\'s TLB entry', () => {
    const k = boot(makeModel);
    const a = k.spawn();
    k.register(VA);
    k.load(VA, 4);
    expect(k.mmu.tlb.peek(VA / PAGE, k.mmu.asid)).toBeGreaterThanOrEqual(0);
    expect(k.handlePageFault(a.pid, VA, ACCESS_READ)).toBe(PG_SPURIOUS);
    expect(k.mmu.tlb.peek(VA / PAGE, k.mmu.asid)).toBe(-1);
  });

  it('an access that crosses a page boundary faults once per page and stores every byte', () => {
    const k = boot(makeModel);
    const a = k.spawn();
    k.register(VA);
    k.register(VA + PAGE);
    expect(k.store(VA + PAGE - 2, 4, 0x44332211)).toBe(0);
    expect(k.stats().faults.zeroFill).toBe(2);
    expect(k.load(VA + PAGE - 2, 4)).toBe(0x44332211);
    expect(Array.from(k.copyin(a.pid, VA + PAGE - 2, 4))).toEqual([0x11, 0x22, 0x33, 0x44]);
    expect(k.store64(VA + PAGE - 3, 0x0102030405060708n)).toBe(0);
    expect(k.load64(VA + PAGE - 3)).toBe(0x0102030405060708n);
    expect(k.load(VA + PAGE - 3, 2)).toBe(0x0708);
  });

  it('the MMU sets Accessed and Dirty in the PTE of a written page', () => {
    const k = boot(makeModel);
    const a = k.spawn();
    k.register(VA);
    k.store(VA, 1, 1);
    const t = k.translate(VA, a.pid)!;
    expect(t.flags & (PTE_A | PTE_D)).toBe(PTE_A | PTE_D);
    expect(t.pa).toBe(t.pfn * PAGE);
    expect(k.translate(VA + 5, a.pid)!.pa).toBe(t.pfn * PAGE + 5);
    expect(k.translate(HOLE, a.pid)).toBeNull();
  });
});
