import {
  ACCESS_WRITE, permBit,
} from '@vmsim/hw';
import { describe, expect, it } from 'vitest';
import { Kernel } from '../kernel.js';
import { ASID_MODELS, tablesFor, withAsidBits } from '../testing/models.js';
import { expectSameSnapshot } from '../testing/assertions.js';
import { PAGE, VA, boot, pfnOf } from '../testing/kernel-helpers.js';

describe.each(ASID_MODELS)('switchTo, ASIDs and the TLB on $name', ({ make: makeModel }) => {
  const tagged = makeModel().asidBits > 0;

  it('loads the MMU root and ASID of the process it runs', () => {
    const k = boot(makeModel);
    const procs = [k.spawn(), k.spawn(), k.spawn()];
    const asids: number[] = [];
    for (const p of [...procs, ...procs]) {
      k.switchTo(p.pid);
      expect(k.current).toBe(p);
      expect(k.mmu.rootPfn).toBe(p.space!.rootPfn);
      expect(k.mmu.asid).toBe(p.space!.asid);
      asids.push(k.mmu.asid);
    }
    if (tagged) {
      expect(new Set(asids.slice(0, 3)).size).toBe(3);
      expect(asids.slice(3)).toEqual(asids.slice(0, 3)); // a process keeps its ASID
    } else {
      expect(asids).toEqual([0, 0, 0, 0, 0, 0]);
    }
  });

  it(!tagged ? 'flushes the TLB on every switch (no ASIDs)' : 'keeps other processes\' TLB entries across a switch (ASID-tagged)', () => {
    const k = boot(makeModel);
    const a = k.spawn();
    const b = k.spawn();
    k.register(VA);
    k.store(VA, 4, 1);
    k.load(VA, 4);
    expect(k.mmu.tlb.validEntries().length).toBeGreaterThan(0);
    const flushes = k.mmu.tlb.flushes;
    k.switchTo(b.pid);
    const entries = k.mmu.tlb.validEntries();
    if (!tagged) {
      expect(entries).toEqual([]);
      expect(k.mmu.tlb.flushes).toBeGreaterThan(flushes);
    } else {
      expect(entries.some((e) => e.asid === a.space!.asid && e.vpn === VA / PAGE)).toBe(true);
      expect(k.mmu.tlb.flushes).toBe(flushes);
      // Back in a, the entry is still there: the load hits.
      k.switchTo(a.pid);
      const hits = k.mmu.tlb.hits;
      expect(k.load(VA, 4)).toBe(1);
      expect(k.mmu.tlb.hits).toBe(hits + 1);
    }
  });

  it('switching to the process already running changes nothing', () => {
    const k = boot(makeModel);
    const a = k.spawn();
    k.register(VA);
    k.load(VA, 4);
    const before = k.snapshot();
    const flushes = k.mmu.tlb.flushes;
    k.switchTo(a.pid);
    expectSameSnapshot(k.snapshot(), before);
    expect(k.mmu.tlb.flushes).toBe(flushes);
  });

  it('more processes than ASIDs: every process still sees only its own memory', () => {
    // At most 9 ASID bits (Sv32's width), so that the ASIDs run out: a 12- or 16-bit field is narrowed, as a
    // real implementation may do (satp.ASID is WARL; a CPU may have fewer PCIDs in use than 4096).
    const base = makeModel();
    const model = withAsidBits(base, Math.min(base.asidBits, 9));
    const n = 2 ** model.asidBits + 8; // 520 with 9-bit ASIDs, 9 without ASIDs
    const count = Math.max(n, 40);
    // Each process: its tables for one page, and one data frame.
    const k = new Kernel({ model, ramBytes: (count * (tablesFor(model, [VA]) + 1) + 8) * PAGE, tlb: { entries: 64, ways: 4 } });
    const procs = Array.from({ length: count }, () => k.spawn());
    for (const p of procs) {
      k.switchTo(p.pid);
      k.register(VA);
      expect(k.store(VA, 4, p.pid * 7 + 1)).toBe(0);
      expect(k.load(VA, 4)).toBe(p.pid * 7 + 1);
    }
    for (let round = 0; round < 2; round++) {
      for (const p of round === 0 ? procs : [...procs].reverse()) {
        k.switchTo(p.pid);
        expect(k.load(VA, 4)).toBe(p.pid * 7 + 1);
        expect(k.mmu.asid).toBe(p.space!.asid);
      }
    }
    const assigned = k.snapshot().processes.map((p) => p.asid).filter((asid) => asid >= 0);
    if (tagged) {
      expect(count).toBeGreaterThan(2 ** model.asidBits);
      expect(assigned.every((asid) => asid < 2 ** model.asidBits)).toBe(true);
      expect(new Set(assigned).size).toBe(assigned.length);
    }
    k.checkInvariants();
  });

  it('a killed process\'s TLB entries cannot leak into the next process given its ASID', () => {
    const k = boot(makeModel, { tlb: { entries: 8, ways: 8 } });
    k.spawn();
    k.register(VA);
    k.store(VA, 4, 0xdead);
    expect(k.load(VA, 4)).toBe(0xdead);
    k.kill();
    const b = k.spawn(); // runs at once, with the lowest free ASID: the one just released
    k.register(VA);
    expect(k.load(VA, 4)).toBe(0);
    expect(k.mappings(b.pid)[0]!.zeroPage).toBe(true);
  });

  it('fork flushes the parent\'s writable TLB entry: its next write COW-faults, the child keeps the old data', () => {
    const k = boot(makeModel, { tlb: { entries: 2, ways: 2 } });
    const a = k.spawn();
    k.register(VA);
    expect(k.store(VA, 4, 0x1111)).toBe(0);
    expect(k.store(VA, 4, 0x2222)).toBe(0); // the TLB now caches VA writable
    const slot = k.mmu.tlb.peek(VA / PAGE, k.mmu.asid);
    expect(slot).toBeGreaterThanOrEqual(0);
    expect(k.mmu.tlb.entry(slot)!.perm & permBit(ACCESS_WRITE, true)).not.toBe(0);
    const original = pfnOf(k, VA, a.pid);

    const c = k.fork();
    const stale = k.mmu.tlb.peek(VA / PAGE, k.mmu.asid);
    if (stale >= 0) expect(k.mmu.tlb.entry(stale)!.perm & permBit(ACCESS_WRITE, true)).toBe(0);
    const copies = k.stats().faults.cowCopy;
    expect(k.store(VA, 4, 0x3333)).toBe(0);
    expect(k.stats().faults.cowCopy).toBe(copies + 1);
    expect(pfnOf(k, VA, a.pid)).not.toBe(original);
    expect(pfnOf(k, VA, c.pid)).toBe(original);
    expect(k.load(VA, 4)).toBe(0x3333);
    expect(Array.from(k.copyin(c.pid, VA, 2))).toEqual([0x22, 0x22]);
  });

  it('fork of a process that is not running flushes its entries too (they survive a switch under an ASID)', () => {
    const k = boot(makeModel, { tlb: { entries: 4, ways: 4 } });
    const a = k.spawn();
    const other = k.spawn();
    k.register(VA);
    k.store(VA, 4, 0xaaaa);
    k.store(VA, 4, 0xbbbb);
    k.switchTo(other.pid);
    const c = k.fork(a.pid);
    k.switchTo(a.pid);
    const copies = k.stats().faults.cowCopy;
    expect(k.store(VA, 4, 0xcccc)).toBe(0);
    expect(k.stats().faults.cowCopy).toBe(copies + 1);
    expect(Array.from(k.copyin(c.pid, VA, 2))).toEqual([0xbb, 0xbb]);
  });

  it('a kernel write into a sleeping process replaces its cached zero-page and COW translations', () => {
    const k = boot(makeModel, { tlb: { entries: 8, ways: 8 } });
    const a = k.spawn();
    k.register(VA);
    k.register(VA + PAGE);
    k.store(VA, 1, 9);
    const c = k.fork();
    k.switchTo(c.pid);
    expect(k.load(VA, 1)).toBe(9); // caches the shared frame read-only
    expect(k.load(VA + PAGE, 1)).toBe(0); // caches the zero page
    k.switchTo(a.pid);
    k.copyout(c.pid, VA, new Uint8Array([7]));
    k.copyout(c.pid, VA + PAGE, new Uint8Array([8]));
    expect(k.store(VA, 1, 10)).toBe(0); // the parent, now the only user of the old frame, reuses it
    k.switchTo(c.pid);
    expect(k.load(VA, 1)).toBe(7);
    expect(k.load(VA + PAGE, 1)).toBe(8);
    k.switchTo(a.pid);
    expect(k.load(VA, 1)).toBe(10);
    expect(k.load(VA + PAGE, 1)).toBe(0);
  });
});
