// Huge pages on all four models: x86 32-bit 4 MiB pages (CR4.PSE), x86-64 2 MiB and 1 GiB pages, Sv32 4 MiB
// megapages, Sv39 2 MiB megapages and 1 GiB gigapages. Each is mapped at low addresses and, on the 64-bit
// models, above 4 GiB and in the upper half.
//
// What "the TLB caches a huge page" means here: the TLB holds base-page (4 KiB) entries only. A walk that ends
// at a huge leaf caches the one base page it translated, as a piece tagged with its own page number and the
// matching frame inside the huge page, and marked with the huge page's size (`Tlb.span`: log2 of the base
// pages in the leaf). Another base page of the same huge page is therefore a TLB miss and walks again (a walk
// that stops at the huge leaf); every piece, once cached, hits. Because pieces know their huge page, flushing
// any address inside it (even of a base page never cached) drops every piece, as INVLPG and SFENCE.VMA do.

import { describe, expect, it } from 'vitest';
import {
  ACCESS_EXEC, ACCESS_READ, ACCESS_WRITE, FAULT_BUS, FAULT_NOT_PRESENT, FAULT_RESERVED, levelSpanShift, PTE_A, PTE_D, PTE_R,
  PTE_U, PTE_V, PTE_W, PTE_X, toVa, vaRange,
  type HardwareModel,
} from './model.js';
import { Mmu } from './mmu.js';
import { mapPage, readEntry, writeEntry } from './page-table.js';
import { PhysicalMemory } from './physical-memory.js';
import { sv32 } from './sv32.js';
import { sv39 } from './sv39.js';
import { referenceWalk } from './walk.js';
import { x86_32 } from './x86-32.js';
import { x86_64 } from './x86-64.js';

const URWX = PTE_V | PTE_R | PTE_W | PTE_X | PTE_U;
const MIB = 1024 * 1024;
const ROOT = 1;

interface HugeCase {
  readonly name: string;
  readonly make: () => HardwareModel;
  /** Level of the huge leaf. */
  readonly level: number;
  /** Base pages in the huge page, and log2 of that (the TLB span). */
  readonly pages: number;
  readonly span: number;
  /** Aligned first frame of the huge page (inside RAM). */
  readonly pfn: number;
  readonly ramBytes: number;
  /** Virtual addresses (aligned) to map it at. */
  readonly vas: readonly number[];
  /** RISC-V: a leaf with low PPN bits set is a misaligned superpage (x86: those bits are reserved or PAT). */
  readonly riscv: boolean;
}

const CASES: readonly HugeCase[] = [
  {
    name: 'x86-32 PSE, 4 MiB', make: () => x86_32({ pse: true }), level: 0, pages: 1024, span: 10, pfn: 0x400, ramBytes: 8 * MIB,
    vas: [0x00c00000, 0xffc00000], riscv: false,
  },
  {
    name: 'sv32, 4 MiB', make: () => sv32(), level: 0, pages: 1024, span: 10, pfn: 0x400, ramBytes: 8 * MIB,
    vas: [0x00c00000, 0xffc00000], riscv: true,
  },
  {
    name: 'x86-64, 2 MiB', make: () => x86_64(), level: 2, pages: 512, span: 9, pfn: 0x200, ramBytes: 4 * MIB,
    vas: [0x00600000, 0x1234600000, toVa(x86_64(), 0xffffffff80200000n)], riscv: false,
  },
  {
    name: 'x86-64, 1 GiB', make: () => x86_64(), level: 1, pages: 2 ** 18, span: 18, pfn: 0, ramBytes: 1024 * MIB,
    vas: [0x40000000, 2 ** 39 + 2 ** 30, -(2 ** 30)], riscv: false,
  },
  {
    name: 'sv39, 2 MiB', make: () => sv39(), level: 1, pages: 512, span: 9, pfn: 0x200, ramBytes: 4 * MIB,
    vas: [0x00600000, 0x1234600000, -(2 ** 21)], riscv: true,
  },
  {
    name: 'sv39, 1 GiB', make: () => sv39(), level: 0, pages: 2 ** 18, span: 18, pfn: 0, ramBytes: 1024 * MIB,
    vas: [0x40000000, 2 ** 32, -(2 ** 30)], riscv: true,
  },
];

interface World {
  readonly ram: PhysicalMemory;
  readonly model: HardwareModel;
  readonly mmu: Mmu;
  map(va: number, pfn: number, flags: number, level?: number): number;
}

function world(c: HugeCase, ramBytes = c.ramBytes): World {
  const model = c.make();
  const ram = new PhysicalMemory(ramBytes);
  const mmu = new Mmu(ram, model);
  mmu.setRoot(ROOT);
  let next = 2;
  return { ram, model, mmu, map: (va, pfn, flags, level = model.levels - 1) => mapPage(ram, model, ROOT, va, pfn, flags, () => next++, level) };
}

/** Base pages at which data is loaded and stored: the ends, neighbours, the middle, and some in between. */
function samplePages(c: HugeCase): number[] {
  const last = c.pages - 1;
  return [...new Set([0, 1, 2, 7, c.pages >>> 1, last - 1, last, Math.floor(c.pages / 3), Math.floor((c.pages * 5) / 7)])];
}

/** Frames the tables live in (the 1 GiB pages at frame 0 cover them): the data tests keep off them. */
const TABLE_FRAMES = 16;

function flagsAt(w: World, entryPa: number, level: number): number {
  const { lo, hi } = readEntry(w.ram, w.model, entryPa);
  return w.model.flags(lo, hi, level);
}

describe.each(CASES)('huge page: $name', (c) => {
  it('the model and the walkers agree on its size', () => {
    const model = c.make();
    expect(levelSpanShift(model, c.level)).toBe(12 + c.span);
    expect(2 ** c.span).toBe(c.pages);
  });

  it.each(c.vas)('at %d: every base page translates to the matching frame (no side effects)', (base) => {
    const w = world(c);
    const leaf = w.map(base, c.pfn, URWX, c.level);
    const before = readEntry(w.ram, w.model, leaf);
    const step = c.pages > 4096 ? 97 : 1;
    for (let p = 0; p < c.pages; p++) {
      const offset = (p * 0x11) & 0xfff;
      const pa = (c.pfn + p) * 4096 + offset;
      const got = w.mmu.translateNoSideEffects(base + p * 4096 + offset, ACCESS_READ, true);
      if (got !== pa) expect({ page: p, got }).toEqual({ page: p, got: pa });
      if (p % step === 0 || p === c.pages - 1) {
        const ref = referenceWalk(w.ram, w.model, ROOT, { va: base + p * 4096 + 0xfff, access: ACCESS_WRITE, user: true, control: w.mmu.control, sideEffects: false });
        expect(ref).toMatchObject({ ok: true, pa: (c.pfn + p) * 4096 + 0xfff, pfn: c.pfn + p, level: c.level, entryPa: leaf });
      }
    }
    // The base pages either side of the huge page are not part of it.
    expect(w.mmu.translateNoSideEffects(base - 4096, ACCESS_READ, true)).toBe(-FAULT_NOT_PRESENT);
    if (base + c.pages * 4096 < vaRange(w.model).end) {
      expect(w.mmu.translateNoSideEffects(base + c.pages * 4096, ACCESS_READ, true)).toBe(-FAULT_NOT_PRESENT);
    }
    expect(readEntry(w.ram, w.model, leaf)).toEqual(before);
    expect(w.mmu.tlb.occupancy).toBe(0);
  });

  it.each(c.vas)('at %d: loads and stores through it land in the right frames', (base) => {
    const w = world(c);
    w.map(base, c.pfn, URWX, c.level);
    for (const p of samplePages(c)) {
      if (c.pfn + p < TABLE_FRAMES) continue;
      const va = base + p * 4096;
      const pa = (c.pfn + p) * 4096;
      expect(w.mmu.store32(va + 0x10, 0xa5000000 + p)).toBe(0);
      expect(w.ram.read32(pa + 0x10)).toBe(0xa5000000 + p);
      w.ram.write32(pa + 0xffc, p ^ 0x5a5a5a5a);
      expect(w.mmu.load32(va + 0xffc)).toBe(p ^ 0x5a5a5a5a);
      expect(w.mmu.store8(va + 0x7ff, 0x77)).toBe(0);
      expect(w.ram.read8(pa + 0x7ff)).toBe(0x77);
    }
    // A store that crosses from one base page into the next stays inside the huge page's frames.
    const p = c.pages >>> 1;
    expect(w.mmu.store32(base + p * 4096 - 2, 0xddccbbaa)).toBe(0);
    expect(w.ram.read32((c.pfn + p) * 4096 - 2)).toBe(0xddccbbaa);
    expect(w.mmu.status).toBe(0);
  });

  it.each(c.vas)('at %d: A is set in the huge leaf by a read, D by a write (and, on x86, A in the pointers above)', (base) => {
    const w = world(c);
    const leaf = w.map(base, c.pfn, URWX, c.level);
    const pointers = Array.from({ length: c.level }, (_, l) => {
      let table = ROOT;
      for (let k = 0; k < l; k++) {
        const { lo, hi } = readEntry(w.ram, w.model, table * 4096 + levelIndexOf(w.model, base, k) * w.model.entryBytes);
        table = w.model.pfn(lo, hi, k);
      }
      return table * 4096 + levelIndexOf(w.model, base, l) * w.model.entryBytes;
    });
    const pointerWords = () => pointers.map((pa) => w.ram.read32(pa));
    const initial = pointerWords();
    expect(flagsAt(w, leaf, c.level) & (PTE_A | PTE_D)).toBe(0);
    const p = c.pages - 1;
    expect(w.mmu.load8(base + p * 4096)).toBe(0);
    expect(flagsAt(w, leaf, c.level) & (PTE_A | PTE_D)).toBe(PTE_A);
    if (w.model.accessedOnNonLeaf) {
      expect(pointerWords()).toEqual(initial.map((x) => (x | w.model.rawAccessed) >>> 0));
    } else {
      expect(pointerWords()).toEqual(initial);
    }
    expect(w.mmu.store8(base + 5 * 4096 + 1, 9)).toBe(0);
    expect(flagsAt(w, leaf, c.level) & (PTE_A | PTE_D)).toBe(PTE_A | PTE_D);
    // The leaf's own raw bits, besides A and D, did not move.
    const { lo } = readEntry(w.ram, w.model, leaf);
    expect((lo & ~(w.model.rawAccessed | w.model.rawDirty)) >>> 0).toBe(w.model.encodeLo(c.pfn, URWX, c.level, true));
  });

  it.each(c.vas)('at %d: the TLB caches the base pages used, each as a piece of the huge page, and they hit', (base) => {
    const w = world(c);
    w.map(base, c.pfn, URWX | PTE_A | PTE_D, c.level);
    const tlb = w.mmu.tlb;
    const p1 = 3;
    const p2 = c.pages - 2;
    expect(w.mmu.load32(base + p1 * 4096)).toBe(0);
    expect([tlb.hits, tlb.misses, w.mmu.walks]).toEqual([0, 1, 1]);
    expect(w.mmu.load32(base + p1 * 4096 + 0x800)).toBe(0);
    expect([tlb.hits, tlb.misses, w.mmu.walks]).toEqual([1, 1, 1]);
    // Another base page of the same huge page: a miss, and one more (short) walk.
    expect(w.mmu.load32(base + p2 * 4096 + 4)).toBe(0);
    expect([tlb.hits, tlb.misses, w.mmu.walks]).toEqual([1, 2, 2]);
    for (let i = 0; i < 3; i++) {
      w.mmu.load32(base + p1 * 4096 + 8 * i);
      w.mmu.store32(base + p2 * 4096 + 8 * i, i);
    }
    expect([tlb.hits, tlb.misses, w.mmu.walks]).toEqual([7, 2, 2]);
    const pieces = tlb.validEntries().map((e) => ({ vpn: e.vpn, pfn: e.pfn, span: e.span }));
    expect(pieces.sort((a, b) => a.vpn - b.vpn)).toEqual([
      { vpn: Math.floor(base / 4096) + p1, pfn: c.pfn + p1, span: c.span },
      { vpn: Math.floor(base / 4096) + p2, pfn: c.pfn + p2, span: c.span },
    ]);
  });

  it.each(c.vas)('at %d: flushing any address inside it drops every cached piece, and nothing else', (base) => {
    const w = world(c);
    const leaf = w.map(base, c.pfn, URWX, c.level);
    // A base page just below the huge page, mapped to frame 0x3f0, stays cached.
    const other = base - 4096;
    w.map(other, 0x3f0, URWX);
    const tlb = w.mmu.tlb;
    const used = [0, 1, 2, 3, 17, c.pages - 1];
    const fill = () => {
      for (const p of used) w.mmu.load8(base + p * 4096);
      w.mmu.load8(other);
      expect(tlb.occupancy).toBe(used.length + 1);
    };
    const cachedVpns = () => tlb.validEntries().map((e) => e.vpn);
    for (const p of [5, 0, c.pages - 1, c.pages >>> 1]) { // 5 and pages/2 were never cached
      fill();
      w.mmu.flushPage(base + p * 4096 + 0x123);
      expect(cachedVpns()).toEqual([Math.floor(other / 4096)]);
      w.mmu.tlb.flushAll();
    }
    // Another huge page whose address differs only in bits far above the TLB's set index (bit 30, or 37 and
    // 44 on the 64-bit models, beyond 32-bit page-number arithmetic) keeps its pieces.
    const partner = partnerOf(w.model, base, c.pages * 4096);
    w.map(partner, c.pfn, URWX, c.level);
    fill();
    for (const p of used) w.mmu.load8(partner + p * 4096);
    expect(tlb.occupancy).toBe(2 * used.length + 1);
    w.mmu.flushPage(base + 9 * 4096);
    expect(cachedVpns().sort((a, b) => a - b)).toEqual([Math.floor(other / 4096), ...used.map((p) => Math.floor(partner / 4096) + p)].sort((a, b) => a - b));
    w.mmu.flushPage(partner + 9 * 4096);
    expect(cachedVpns()).toEqual([Math.floor(other / 4096)]);
    tlb.flushAll();
    // Unmapping the huge leaf and invalidating one of its addresses takes effect for all of its pages.
    fill();
    writeEntry(w.ram, w.model, leaf, 0, 0);
    w.ram.write8((c.pfn + c.pages - 1) * 4096, 0x42);
    expect(w.mmu.load8(base + (c.pages - 1) * 4096)).toBe(0x42); // stale until the flush
    w.mmu.flushPage(base + 4096);
    for (const p of used) expect(w.mmu.load8(base + p * 4096)).toBe(-FAULT_NOT_PRESENT);
    expect(w.mmu.faultLevel).toBe(c.level);
    // The same through the ASID-aware page flush (SFENCE.VMA va, asid), for the models with ASIDs.
    if (w.model.asidBits > 0) {
      w.map(base, c.pfn, URWX, c.level);
      w.mmu.setRoot(ROOT, 3);
      tlb.flushAll();
      for (const p of used) w.mmu.load8(base + p * 4096);
      tlb.flushPageAsid(Math.floor((base + 9 * 4096) / 4096), 4); // another address space: nothing
      expect(tlb.occupancy).toBe(used.length);
      tlb.flushPageAsid(Math.floor((base + 9 * 4096) / 4096), 3);
      expect(tlb.occupancy).toBe(0);
    }
  });

  it('misaligned or reserved low frame bits in the huge leaf', () => {
    const w = world(c);
    const base = c.vas[0]!;
    const leaf = w.map(base, c.pfn, URWX, c.level);
    const { lo, hi } = readEntry(w.ram, w.model, leaf);
    const shift = c.riscv ? 10 : 12; // where PPN / frame bit 0 sits in the low word
    for (let bit = 0; bit < c.span; bit++) {
      w.mmu.tlb.flushAll();
      writeEntry(w.ram, w.model, leaf, (lo + 2 ** (shift + bit)) >>> 0, hi);
      const got = w.mmu.translate(base + 0x3000, ACCESS_READ, true);
      if (c.riscv || bit > 0) {
        // RISC-V: a misaligned superpage (a page fault); x86: bits above PAT (bit 12) are reserved.
        expect(got, `bit ${bit}`).toBe(-FAULT_RESERVED);
        expect(w.mmu.faultLevel).toBe(c.level);
        expect(referenceWalk(w.ram, w.model, ROOT, { va: base, access: ACCESS_EXEC, user: true, control: w.mmu.control, sideEffects: false }))
          .toEqual({ ok: false, fault: FAULT_RESERVED, level: c.level });
      } else {
        // x86: bit 12 of a large-page entry is PAT; the frame stays aligned.
        expect(got).toBe((c.pfn + 3) * 4096);
      }
    }
    writeEntry(w.ram, w.model, leaf, lo, hi);
    w.mmu.tlb.flushAll();
    expect(w.mmu.translate(base + 0x3000, ACCESS_READ, true)).toBe((c.pfn + 3) * 4096);
  });

  it('a huge page running past the end of RAM: the pages beyond are bus faults at the leaf level', () => {
    // RAM ends in the middle of the huge page at frame `pfn` (for 1 GiB pages: 4 MiB of RAM, the page at 0).
    const small = c.pages <= 1024;
    const pfn = small ? c.pages : 0;
    const ramFrames = small ? c.pages + c.pages / 2 : 1024;
    const w = world(c, ramFrames * 4096);
    const base = c.vas[c.vas.length - 1]!;
    const leaf = w.map(base, pfn, URWX, c.level);
    const lastInRam = ramFrames - 1 - pfn;
    expect(w.mmu.translate(base + lastInRam * 4096 + 0xfff, ACCESS_READ, true)).toBe(ramFrames * 4096 - 1);
    expect(w.mmu.translate(base + (lastInRam + 1) * 4096, ACCESS_READ, true)).toBe(-FAULT_BUS);
    expect(w.mmu.faultLevel).toBe(c.level);
    expect(w.mmu.translate(base + (c.pages - 1) * 4096, ACCESS_WRITE, true)).toBe(-FAULT_BUS);
    expect(flagsAt(w, leaf, c.level) & PTE_D).toBe(0);
    // Wholly past RAM: the first aligned frame after it.
    const past = Math.ceil(ramFrames / c.pages) * c.pages;
    writeEntry(w.ram, w.model, leaf, w.model.encodeLo(past, URWX, c.level, true), w.model.encodeHi(past, URWX, c.level, true));
    w.mmu.tlb.flushAll();
    expect(w.mmu.translate(base, ACCESS_READ, true)).toBe(-FAULT_BUS);
    expect(w.mmu.faultLevel).toBe(c.level);
    expect(flagsAt(w, leaf, c.level) & PTE_A).toBe(0);
  });
});

/** A second address for a huge page like the one at `base`: far from it, in the same space. */
function partnerOf(model: HardwareModel, base: number, size: number): number {
  const { min, end } = vaRange(model);
  const delta = model.vaBits === 48 ? 2 ** 44 : model.vaBits === 39 ? 2 ** 37 : 2 ** 30;
  const up = base + delta;
  const partner = up + size <= end ? up : base - delta;
  if (partner < min) throw new Error('no room for a partner huge page');
  return partner;
}

/** Table index of `va` at `level` (a local copy, so the A/D test does not lean on the code it checks). */
function levelIndexOf(model: HardwareModel, va: number, level: number): number {
  let shift = model.pageShift;
  for (let l = level + 1; l < model.levels; l++) shift += model.indexBits[l]!;
  const index = Math.floor(va / 2 ** shift) % 2 ** model.indexBits[level]!;
  return index < 0 ? index + 2 ** model.indexBits[level]! : index;
}
