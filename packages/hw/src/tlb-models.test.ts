// The TLB with each of the four models: ASID widths (none on x86 without PCID, 9 bits on Sv32, 12-bit PCIDs on
// x86-64 with { pcid: true }, 16 bits on Sv39), global pages, what loading the root register does (x86 MOV CR3
// drops the non-global entries unless PCIDs are on; writing satp drops nothing), and stale translations that
// survive until a flush. The 64-bit models are also exercised above 4 GiB and in the upper half.

import { describe, expect, it } from 'vitest';
import { HwArgumentError } from './errors.js';
import { ACCESS_READ, FAULT_NOT_PRESENT, FAULT_PROTECTION, PTE_A, PTE_D, PTE_G, PTE_R, PTE_U, PTE_V, PTE_W, toVa, type HardwareModel } from './model.js';
import { Mmu } from './mmu.js';
import { findEntry, mapPage, writeEntry } from './page-table.js';
import { PhysicalMemory } from './physical-memory.js';
import { sv32 } from './sv32.js';
import { sv39 } from './sv39.js';
import type { TlbConfig } from './tlb.js';
import { x86_32 } from './x86-32.js';
import { x86_64 } from './x86-64.js';

const RW = PTE_V | PTE_R | PTE_W | PTE_U;
const RO = PTE_V | PTE_R | PTE_U;

interface ModelCase {
  readonly name: string;
  readonly make: () => HardwareModel;
  /** Largest ASID setRoot accepts. */
  readonly maxAsid: number;
  /** Does setRoot (MOV CR3 / write satp) drop the non-global entries? */
  readonly rootWriteFlushes: boolean;
  /** Addresses to test at: always a low one; on the 64-bit models also above 4 GiB and in the upper half. */
  readonly vas: readonly number[];
}

const CASES: readonly ModelCase[] = [
  { name: 'x86-32', make: () => x86_32(), maxAsid: 0, rootWriteFlushes: true, vas: [0x00403000] },
  { name: 'sv32', make: () => sv32(), maxAsid: 511, rootWriteFlushes: false, vas: [0x00403000] },
  {
    name: 'x86-64', make: () => x86_64(), maxAsid: 0, rootWriteFlushes: true,
    vas: [0x00403000, 0x0000123400403000, toVa(x86_64(), 0xffffffff80403000n)],
  },
  {
    name: 'x86-64 with PCID', make: () => x86_64({ pcid: true }), maxAsid: 4095, rootWriteFlushes: false,
    vas: [0x00403000, 0x0000123400403000, toVa(x86_64(), 0xffff800000403000n)],
  },
  {
    name: 'sv39', make: () => sv39(), maxAsid: 65535, rootWriteFlushes: false,
    vas: [0x00403000, 0x0000001200403000, toVa(sv39(), 0xffffffffc0403000n)],
  },
];

interface Env {
  readonly model: HardwareModel;
  readonly ram: PhysicalMemory;
  readonly mmu: Mmu;
  /** Maps `va` under root frame `root` (1 or 2), tables from frame 16 up. */
  map(va: number, pfn: number, flags: number, root?: number): number;
}

/** RAM of 8 MiB, root tables in frames 1 and 2, a TLB of 64 entries (default: 16 sets of 4 ways). */
function env(make: () => HardwareModel, tlb?: TlbConfig): Env {
  const model = make();
  const ram = new PhysicalMemory(8 << 20);
  const mmu = new Mmu(ram, model, tlb === undefined ? {} : { tlb });
  mmu.setRoot(1);
  let next = 16;
  return { model, ram, mmu, map: (va, pfn, flags, root = 1) => mapPage(ram, model, root, va, pfn, flags, () => next++) };
}

describe.each(CASES)('TLB with $name', (c) => {
  it(`accepts ASIDs 0..${c.maxAsid} and refuses the next one`, () => {
    const { mmu } = env(c.make);
    mmu.setRoot(1, c.maxAsid);
    expect(mmu.asid).toBe(c.maxAsid);
    expect(() => mmu.setRoot(1, c.maxAsid + 1)).toThrow(HwArgumentError);
    expect(() => mmu.setRoot(1, -1)).toThrow(HwArgumentError);
    expect(mmu.asid).toBe(c.maxAsid);
  });

  it(`setRoot ${c.rootWriteFlushes ? 'drops the non-global entries and keeps the global ones' : 'drops nothing'}`, () => {
    const { mmu, map } = env(c.make);
    for (const [i, va] of c.vas.entries()) {
      map(va, 0x100 + i, RW);
      map(va + 0x1000, 0x110 + i, RW | PTE_G);
      mmu.load8(va);
      mmu.load8(va + 0x1000);
    }
    const flushes = mmu.tlb.flushes;
    mmu.setRoot(1, 0);
    expect(mmu.tlb.flushes).toBe(flushes + (c.rootWriteFlushes ? 1 : 0));
    const cached = mmu.tlb.validEntries();
    expect(cached.length).toBe(c.vas.length * (c.rootWriteFlushes ? 1 : 2));
    expect(cached.filter((e) => e.global).map((e) => e.vpn).sort((a, b) => a - b))
      .toEqual(c.vas.map((va) => Math.floor(va / 4096) + 1).sort((a, b) => a - b));
    // What is still cached hits without a walk; what was dropped walks again.
    const walks = mmu.walks;
    for (const va of c.vas) expect(mmu.load8(va + 0x1000)).toBe(0);
    expect(mmu.walks).toBe(walks);
    for (const va of c.vas) mmu.load8(va);
    expect(mmu.walks).toBe(walks + (c.rootWriteFlushes ? c.vas.length : 0));
  });

  it('a stale translation survives a remap in RAM until the page is flushed (and a CR3 load, where it flushes)', () => {
    const { ram, model, mmu, map } = env(c.make);
    for (const [i, va] of c.vas.entries()) {
      const oldPfn = 0x200 + 2 * i;
      const newPfn = oldPfn + 1;
      ram.write32(oldPfn * 4096 + 0x10, 0xaaaa0000 + i);
      ram.write32(newPfn * 4096 + 0x10, 0xbbbb0000 + i);
      map(va, oldPfn, RW);
      expect(mmu.load32(va + 0x10)).toBe(0xaaaa0000 + i);
      map(va, newPfn, RW); // rewrites the leaf, no flush
      expect(mmu.load32(va + 0x10)).toBe(0xaaaa0000 + i);
      expect(mmu.translate(va + 0x10, ACCESS_READ, true)).toBe(oldPfn * 4096 + 0x10);
      expect(mmu.translateNoSideEffects(va + 0x10, ACCESS_READ, true)).toBe(newPfn * 4096 + 0x10);
      mmu.setRoot(1, 0);
      expect(mmu.load32(va + 0x10)).toBe(c.rootWriteFlushes ? 0xbbbb0000 + i : 0xaaaa0000 + i);
      mmu.flushPage(va + 0xfff);
      expect(mmu.load32(va + 0x10)).toBe(0xbbbb0000 + i);
      // Permissions too: made read-only in RAM, the page still takes stores until it is flushed.
      const leaf = findEntry(ram, model, 1, va);
      expect(mmu.store32(va, 1)).toBe(0);
      writeEntry(ram, model, leaf, model.encodeLo(newPfn, RO | PTE_A | PTE_D, model.levels - 1, true), model.encodeHi(newPfn, RO | PTE_A | PTE_D, model.levels - 1, true));
      expect(mmu.store32(va, 2)).toBe(0);
      expect(ram.read32(newPfn * 4096)).toBe(2);
      mmu.flushPage(va);
      expect(mmu.store32(va, 3)).toBe(-FAULT_PROTECTION);
      expect(ram.read32(newPfn * 4096)).toBe(2);
    }
  });

  it('pages whose addresses differ only above bit 31 (or in sign) have separate TLB entries', () => {
    const { ram, mmu, map } = env(c.make);
    const vas = c.vas.length === 1 ? [0x00403000] : [0x00403000, 0x00403000 + 2 ** 32, 0x00403000 - 2 ** 32, 0x00403000 + 2 ** 36];
    for (const [i, va] of vas.entries()) {
      map(va, 0x300 + i, RW);
      ram.write32((0x300 + i) * 4096, 0xc0de0000 + i);
    }
    for (let round = 0; round < 3; round++) {
      for (const [i, va] of vas.entries()) expect(mmu.load32(va)).toBe(0xc0de0000 + i);
    }
    expect(mmu.tlb.misses).toBe(vas.length);
    expect(mmu.tlb.hits).toBe(vas.length * 2);
    expect(mmu.tlb.validEntries().map((e) => [e.vpn, e.pfn]).sort((a, b) => a[0]! - b[0]!))
      .toEqual(vas.map((va, i) => [Math.floor(va / 4096), 0x300 + i]).sort((a, b) => a[0]! - b[0]!));
    // All of them share one set of the default 16-set TLB; flushing one keeps the others.
    mmu.flushPage(vas[0]!);
    expect(mmu.tlb.occupancy).toBe(vas.length - 1);
  });

  if (c.maxAsid > 0) {
    it('keeps address spaces apart by ASID: switching back and forth hits without walking', () => {
      // 8 ways: the test addresses share their low 32 bits, so all six entries land in one set.
      const { ram, mmu, map } = env(c.make, { entries: 64, ways: 8 });
      const asids = [1, c.maxAsid];
      for (const [i, va] of c.vas.entries()) {
        map(va, 0x100 + i, RW, 1);
        map(va, 0x180 + i, RW, 2);
        ram.write32((0x100 + i) * 4096, 1000 + i);
        ram.write32((0x180 + i) * 4096, 2000 + i);
      }
      const check = () => {
        mmu.setRoot(1, asids[0]);
        for (const [i, va] of c.vas.entries()) expect(mmu.load32(va)).toBe(1000 + i);
        mmu.setRoot(2, asids[1]);
        for (const [i, va] of c.vas.entries()) expect(mmu.load32(va)).toBe(2000 + i);
      };
      check();
      const walks = mmu.walks;
      for (let round = 0; round < 3; round++) check();
      expect(mmu.walks).toBe(walks);
      const tags = mmu.tlb.validEntries().map((e) => `${e.vpn}/${e.asid}/${e.pfn}`).sort();
      const expected = c.vas.flatMap((va, i) => [`${Math.floor(va / 4096)}/${asids[0]}/${0x100 + i}`, `${Math.floor(va / 4096)}/${asids[1]}/${0x180 + i}`]);
      expect(tags).toEqual(expected.sort());
      // flushAsid (SFENCE.VMA x0, asid) drops one address space only; flushPage every ASID's entry of the page.
      mmu.tlb.flushAsid(asids[0]!);
      expect(mmu.tlb.validEntries().every((e) => e.asid === asids[1])).toBe(true);
      mmu.flushPage(c.vas[0]!);
      expect(mmu.tlb.occupancy).toBe(c.vas.length - 1);
    });

    it('reusing an ASID for another root without a fence sees the old translation', () => {
      const { ram, mmu, map } = env(c.make);
      const va = c.vas[c.vas.length - 1]!;
      map(va, 0x100, RW, 1);
      map(va, 0x101, RW, 2);
      ram.write32(0x100000, 111);
      ram.write32(0x101000, 222);
      mmu.setRoot(1, 5);
      expect(mmu.load32(va)).toBe(111);
      const flushes = mmu.tlb.flushes;
      mmu.setRoot(2, 5);
      expect(mmu.tlb.flushes).toBe(flushes);
      expect(mmu.load32(va)).toBe(111); // stale, as on hardware
      mmu.tlb.flushAsid(5);
      expect(mmu.load32(va)).toBe(222);
    });

    it('a global page hits in every address space until a full flush', () => {
      const { ram, mmu, map } = env(c.make);
      for (const [i, va] of c.vas.entries()) {
        map(va, 0x100 + i, RW | PTE_G, 1);
        ram.write32((0x100 + i) * 4096, 7 + i);
      }
      mmu.setRoot(1, 1);
      for (const [i, va] of c.vas.entries()) expect(mmu.load32(va)).toBe(7 + i);
      mmu.setRoot(2, 2); // root 2 maps nothing
      const walks = mmu.walks;
      for (const [i, va] of c.vas.entries()) expect(mmu.load32(va)).toBe(7 + i);
      mmu.tlb.flushAsid(1);
      mmu.tlb.flushNonGlobal();
      for (const [i, va] of c.vas.entries()) expect(mmu.load32(va)).toBe(7 + i);
      expect(mmu.walks).toBe(walks);
      mmu.tlb.flushAll();
      for (const va of c.vas) expect(mmu.load32(va)).toBe(-FAULT_NOT_PRESENT);
    });
  } else {
    it('has no ASIDs: a CR3 load to another root drops its translations, global pages stay', () => {
      const { ram, mmu, map } = env(c.make);
      for (const [i, va] of c.vas.entries()) {
        map(va, 0x100 + i, RW, 1);
        map(va, 0x180 + i, RW, 2);
        map(va + 0x1000, 0x1c0 + i, RW | PTE_G, 1);
        ram.write32((0x100 + i) * 4096, 1000 + i);
        ram.write32((0x180 + i) * 4096, 2000 + i);
        ram.write32((0x1c0 + i) * 4096, 3000 + i);
      }
      for (let round = 0; round < 2; round++) {
        mmu.setRoot(1);
        for (const [i, va] of c.vas.entries()) expect([mmu.load32(va), mmu.load32(va + 0x1000)]).toEqual([1000 + i, 3000 + i]);
        mmu.setRoot(2); // root 2 does not map va + 0x1000: the global entry still serves it
        for (const [i, va] of c.vas.entries()) expect([mmu.load32(va), mmu.load32(va + 0x1000)]).toEqual([2000 + i, 3000 + i]);
      }
      expect(mmu.tlb.validEntries().every((e) => e.asid === 0)).toBe(true);
      mmu.tlb.flushAll();
      for (const va of c.vas) expect(mmu.load32(va + 0x1000)).toBe(-FAULT_NOT_PRESENT);
    });
  }
});
