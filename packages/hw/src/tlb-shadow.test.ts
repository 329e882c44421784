// The TLB's shadow (the MMU's one-word hit path) against plain models: what it holds after random fills,
// lookups, flushes and ASID switches, for every page size and shape of TLB; and the MMU's counters, entries and
// LRU order after random loads, stores, switches and flushes at near, high and upper-half addresses, where
// most hits go through the shadow and must still be counted and ordered exactly.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HwArgumentError } from './errors.js';
import { ACCESS_READ, FAULT_NOT_PRESENT, PTE_R, PTE_U, PTE_V, PTE_W, toVa, type HardwareModel } from './model.js';
import { Mmu } from './mmu.js';
import { mapPage } from './page-table.js';
import { PhysicalMemory } from './physical-memory.js';
import { sv39 } from './sv39.js';
import { Tlb } from './tlb.js';
import { x86_32 } from './x86-32.js';
import { x86_64 } from './x86-64.js';

const ALL = 0x3f;
const RW = PTE_V | PTE_R | PTE_W | PTE_U;

describe('Tlb shadow geometry', () => {
  it('holds near words only once something is filled, 2^k of them, with k covering the sets and the tag', () => {
    const tlb = new Tlb({ entries: 64, ways: 4 });
    expect(tlb.near.length).toBe(1);
    tlb.insert(5, 0, 50, ALL, false);
    expect(tlb.near.length).toBe(1); // an insert does not fill
    tlb.lookup(5, 0);
    expect(tlb.near.length).toBe(2 ** 14); // 4 KiB pages: 20 vpn bits, 14 index bits and a 6-bit tag
    expect(tlb.shadowSize).toBe(2 ** 14);
    expect(new Tlb({ entries: 2 ** 16, ways: 1 }).shadowSize).toBe(2 ** 16); // one word per set at least
    expect(new Tlb({}, { pageShift: 10 }).shadowSize).toBe(2 ** 18);
    expect(new Tlb({}, { pageShift: 16 }).shadowSize).toBe(2 ** 6);
    expect(new Tlb({}, { pageShift: 8 }).nearPages).toBe(0); // the tag would not fit: far words only
  });

  it.each([
    ['a page shift below 4', { pageShift: 3 }],
    ['a page shift above 30', { pageShift: 31 }],
    ['a fractional page shift', { pageShift: 12.5 }],
  ])('rejects %s with HwArgumentError', (_name, geometry) => {
    expect(() => new Tlb({}, geometry)).toThrow(HwArgumentError);
  });

  it('rejects a geometry that is not an object', () => {
    expect(() => new Tlb({}, null as never)).toThrow(HwArgumentError);
  });
});

describe('Tlb shadow against a model of what it must hold (property)', () => {
  interface RefEntry { vpn: number; asid: number; pfn: number; perm: number; global: boolean; stamp: number }

  const GEOMETRIES = [
    { pageShift: 12, entries: 8, ways: 1 },
    { pageShift: 12, entries: 8, ways: 2 },
    { pageShift: 12, entries: 8, ways: 8 },
    { pageShift: 12, entries: 64, ways: 4 },
    { pageShift: 10, entries: 8, ways: 4 }, // 1 KiB pages: 18 index bits
    { pageShift: 8, entries: 8, ways: 2 }, // no near words: every page in the far words
    { pageShift: 5, entries: 8, ways: 2 }, // no shadow at all: the set search serves every hit
  ];

  it('holds exactly the most recent entry of each set that a lookup found while visible, near and far pages alike', () => {
    const low = fc.integer({ min: 0, max: 5 });
    const page = fc.oneof(
      low, // near
      low.map((v) => v + 3 * 2 ** 14), // near, sharing a near word with the above
      low.map((v) => 2 ** 20 + v), // the first pages above 4 GiB (4 KiB pages)
      low.map((v) => 2 ** 36 + v), // far above
      low.map((v) => -1 - v), // the upper half
    );
    const pfn = fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.constant(2 ** 24)); // 2^24: too high for some page sizes
    const perm = fc.oneof(fc.constant(ALL), fc.constant(0x9), fc.constant(0));
    const asid = fc.integer({ min: 0, max: 1 });
    const op = fc.oneof(
      fc.record({ kind: fc.constant('insert' as const), vpn: page, asid, global: fc.boolean(), pfn, perm }),
      fc.record({ kind: fc.constant('lookup' as const), vpn: page, asid }),
      fc.record({ kind: fc.constant('lookup' as const), vpn: page, asid }),
      fc.record({ kind: fc.constant('switch' as const), asid }),
      fc.record({ kind: fc.constant('flushPage' as const), vpn: page }),
      fc.record({ kind: fc.constant('flushPageAsid' as const), vpn: page, asid }),
      fc.record({ kind: fc.constant('flushAsid' as const), asid }),
      fc.record({ kind: fc.constant('flushNonGlobal' as const) }),
      fc.record({ kind: fc.constant('flushAll' as const) }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...GEOMETRIES), fc.array(op, { minLength: 10, maxLength: 100, size: 'max' }), (g, ops) => {
        const { pageShift, entries, ways } = g;
        const sets = entries / ways;
        const tlb = new Tlb({ entries, ways }, { pageShift });
        const ref: (RefEntry | null)[] = new Array<RefEntry | null>(entries).fill(null);
        const held = new Array<number>(sets).fill(-1);
        let clock = 0;
        let current = 0;
        const setOf = (vpn: number): number => vpn & (sets - 1);
        const visible = (e: RefEntry): boolean => e.global || e.asid === current;
        // What the shadow can hold: rights, a frame address within 32 bits, and pages of 64 bytes or more.
        const holdable = (e: RefEntry): boolean => e.perm !== 0 && e.pfn < 2 ** (32 - pageShift) && pageShift >= 6;
        const drop = (pred: (e: RefEntry) => boolean): void => {
          for (let i = 0; i < entries; i++) {
            if (ref[i] !== null && pred(ref[i]!)) {
              const set = Math.floor(i / ways);
              if (held[set] === i) held[set] = -1;
              ref[i] = null;
            }
          }
        };
        for (const o of ops) {
          if (o.kind === 'insert') {
            const base = setOf(o.vpn) * ways;
            let victim = -1;
            let empty = -1;
            let oldest = -1;
            for (let i = base; i < base + ways; i++) {
              const e = ref[i];
              if (e && e.vpn === o.vpn && (e.asid === o.asid || e.global || o.global)) {
                victim = i;
                break;
              }
              if (!e) {
                if (empty < 0) empty = i;
              } else if (oldest < 0 || e.stamp < ref[oldest]!.stamp) oldest = i;
            }
            if (victim < 0) victim = empty >= 0 ? empty : oldest;
            ref[victim] = { vpn: o.vpn, asid: o.asid, pfn: o.pfn, perm: o.perm, global: o.global, stamp: ++clock };
            held[setOf(o.vpn)] = -1; // the set's most recent entry is now one no lookup has found
            expect(tlb.insert(o.vpn, o.asid, o.pfn, o.perm, o.global)).toBe(victim);
          } else if (o.kind === 'lookup') {
            const base = setOf(o.vpn) * ways;
            let slot = -1;
            for (let i = base; i < base + ways && slot < 0; i++) {
              const e = ref[i];
              if (e && e.vpn === o.vpn && (e.asid === o.asid || e.global)) slot = i;
            }
            if (slot >= 0) {
              ref[slot]!.stamp = ++clock;
              held[setOf(o.vpn)] = visible(ref[slot]!) && holdable(ref[slot]!) ? slot : -1;
            }
            expect(tlb.lookup(o.vpn, o.asid)).toBe(slot);
          } else if (o.kind === 'switch') {
            current = o.asid;
            for (let set = 0; set < sets; set++) if (held[set]! >= 0 && !visible(ref[held[set]!]!)) held[set] = -1;
            tlb.setAsid(o.asid);
          } else if (o.kind === 'flushPage') {
            drop((e) => e.vpn === o.vpn);
            tlb.flushPage(o.vpn);
          } else if (o.kind === 'flushPageAsid') {
            drop((e) => e.vpn === o.vpn && e.asid === o.asid && !e.global);
            tlb.flushPageAsid(o.vpn, o.asid);
          } else if (o.kind === 'flushAsid') {
            drop((e) => e.asid === o.asid && !e.global);
            tlb.flushAsid(o.asid);
          } else if (o.kind === 'flushNonGlobal') {
            drop((e) => !e.global);
            tlb.flushNonGlobal();
          } else {
            drop(() => true);
            tlb.flushAll();
          }
          // The entries, slot for slot, and their LRU order (no hit bypasses the set search here).
          const expected = ref.flatMap((e, slot) => (e ? [{ slot, vpn: e.vpn, asid: e.asid, pfn: e.pfn, global: e.global, perm: e.perm, span: 0 }] : []));
          expect(tlb.validEntries()).toEqual(expected);
          const order = (stamps: number[]): number[] => expected.map((e) => e.slot).sort((a, b) => stamps[a]! - stamps[b]!);
          expect(order(expected.reduce<number[]>((s, e) => ((s[e.slot] = tlb.stampOfSlot(e.slot)), s), []))).toEqual(
            order(ref.map((e) => (e ? e.stamp : 0))),
          );
          // The shadow: exactly the held entries, each with its frame and rights, and nothing for any other page.
          let count = 0;
          for (const e of expected) {
            const isHeld = held[setOf(e.vpn)] === e.slot;
            const shown = tlb.shadowEntry(e.vpn);
            if (isHeld) {
              count++;
              expect(shown).toEqual({ slot: e.slot, pfn: e.pfn, perm: e.perm });
            } else if (shown !== null) {
              // Another entry of the same page (another ASID) may be the one held.
              expect(shown.slot).not.toBe(e.slot);
              expect(held[setOf(e.vpn)]).toBe(shown.slot);
            }
          }
          expect(tlb.shadowOccupancy()).toBe(count);
          for (const probe of [3 * 2 ** 14 + 99, 2 ** 20 + 99, -99]) expect(tlb.shadowEntry(probe)).toBeNull();
        }
      }),
      { numRuns: 200 },
    );
  }, 60_000);
});

describe('Mmu hit path against a model of the TLB (property)', () => {
  const PAGE = 4096;
  const ENTRIES = 8;

  interface Case {
    readonly name: string;
    readonly make: () => HardwareModel;
    /** Two roots with ASIDs (or asid 0 twice on x86-64 without PCIDs, whose root writes flush). */
    readonly asids: readonly [number, number];
    readonly vas: readonly number[];
  }
  const near = [0x00403000, 0x00404000, 0x00405000, 0x80001000, 0xfffff000];
  const CASES: readonly Case[] = [
    { name: 'x86-32', make: () => x86_32(), asids: [0, 0], vas: near },
    {
      name: 'x86-64 with PCID', make: () => x86_64({ pcid: true }), asids: [1, 2],
      vas: [...near, 0x0000123400403000, 0x0000123400404000, 0x0000123480403000, toVa(x86_64(), 0xffffffff80403000n), toVa(x86_64(), 0xffff800000404000n)],
    },
    {
      name: 'x86-64', make: () => x86_64(), asids: [0, 0],
      vas: [...near, 0x0000123400403000, toVa(x86_64(), 0xffffffff80403000n), toVa(x86_64(), 0xffffffff80404000n)],
    },
    {
      name: 'sv39', make: () => sv39(), asids: [7, 9],
      vas: [0x00403000, 0x00404000, 0x80001000, 0x0000001200403000, 0x0000001200404000, toVa(sv39(), 0xffffffffc0403000n)],
    },
  ];

  interface RefEntry { vpn: number; asid: number; writable: boolean; stamp: number }

  it.each(CASES)('$name: hits, misses, entries, LRU order and data stay exact under random loads, stores, switches and flushes', (c) => {
    const op = fc.oneof(
      { weight: 6, arbitrary: fc.record({ kind: fc.constant('load' as const), page: fc.nat(c.vas.length - 1), offset: fc.nat(PAGE - 8), aligned: fc.boolean() }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('store' as const), page: fc.nat(c.vas.length - 1), offset: fc.nat(PAGE / 4 - 1), value: fc.nat() }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('switch' as const), root: fc.nat(1) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('flushPage' as const), page: fc.nat(c.vas.length - 1) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('flushAll' as const) }) },
    );
    fc.assert(
      fc.property(fc.constantFrom(1, 2, 4), fc.array(op, { minLength: 5, maxLength: 80 }), (ways, ops) => {
        const model = c.make();
        const ram = new PhysicalMemory(4 << 20);
        let next = 16;
        // Root i maps page p to frame 0x200 + 32 i + p; every frame's words hold distinct values.
        for (let root = 0; root < 2; root++) {
          for (const [p, va] of c.vas.entries()) mapPage(ram, model, 1 + root, va, 0x200 + 32 * root + p, RW, () => next++);
        }
        const expectedRam = new Map<number, number>();
        const word = (pa: number): number => expectedRam.get(pa) ?? ((pa * 2654435761) >>> 0);
        ram.commitFrame(0x200 + 64);
        for (let root = 0; root < 2; root++) {
          for (let p = 0; p < c.vas.length; p++) {
            const frame = (0x200 + 32 * root + p) * PAGE;
            for (let pa = frame; pa < frame + PAGE; pa += 4) ram.write32(pa, word(pa));
          }
        }
        const mmu = new Mmu(ram, model, { tlb: { entries: ENTRIES, ways } });
        const sets = ENTRIES / ways;
        const ref: (RefEntry | null)[] = new Array<RefEntry | null>(ENTRIES).fill(null);
        const dirty = [new Set<number>(), new Set<number>()];
        let hits = 0;
        let misses = 0;
        let clock = 0;
        let root = 0;
        mmu.setRoot(1, c.asids[0]);
        const asid = (): number => c.asids[root]!;
        const vpnOf = (va: number): number => Math.floor(va / PAGE);
        const find = (vpn: number): number => {
          const base = (vpn & (sets - 1)) * ways;
          for (let i = base; i < base + ways; i++) if (ref[i] && ref[i]!.vpn === vpn && ref[i]!.asid === asid()) return i;
          return -1;
        };
        const fill = (vpn: number, writable: boolean): void => {
          const base = (vpn & (sets - 1)) * ways;
          let victim = find(vpn);
          if (victim < 0) {
            for (let i = base; i < base + ways; i++) {
              if (ref[i] === null) {
                victim = i;
                break;
              }
              if (victim < 0 || ref[i]!.stamp < ref[victim]!.stamp) victim = i;
            }
          }
          ref[victim] = { vpn, asid: asid(), writable, stamp: ++clock };
        };
        /** The reference TLB's view of one access: a hit, or a miss that walks and fills (the dirty-bit trap included). */
        const access = (page: number, write: boolean): void => {
          const vpn = vpnOf(c.vas[page]!);
          const slot = find(vpn);
          if (slot >= 0) ref[slot]!.stamp = ++clock;
          if (slot >= 0 && (!write || ref[slot]!.writable)) {
            hits++;
            return;
          }
          misses++;
          if (write) dirty[root]!.add(page);
          fill(vpn, dirty[root]!.has(page));
        };
        for (const o of ops) {
          if (o.kind === 'load') {
            const offset = o.aligned ? o.offset & ~3 : o.offset | 1;
            const va = c.vas[o.page]! + offset;
            access(o.page, false);
            const pa = (0x200 + 32 * root + o.page) * PAGE + offset;
            const expected = offset & 3 ? ram.read32(pa) : word(pa);
            expect(mmu.load32(va)).toBe(expected);
            expect(mmu.status).toBe(0);
          } else if (o.kind === 'store') {
            const va = c.vas[o.page]! + o.offset * 4;
            access(o.page, true);
            expect(mmu.store32(va, o.value)).toBe(0);
            expectedRam.set((0x200 + 32 * root + o.page) * PAGE + o.offset * 4, o.value);
          } else if (o.kind === 'switch') {
            root = o.root;
            mmu.setRoot(1 + root, c.asids[root]);
            if (model.rootWriteFlushesTlb) ref.fill(null);
          } else if (o.kind === 'flushPage') {
            const vpn = vpnOf(c.vas[o.page]!);
            for (let i = 0; i < ENTRIES; i++) if (ref[i]?.vpn === vpn) ref[i] = null;
            mmu.flushPage(c.vas[o.page]!);
          } else {
            ref.fill(null);
            mmu.tlb.flushAll();
          }
          expect([mmu.tlb.hits, mmu.tlb.misses]).toEqual([hits, misses]);
          expect(mmu.tlb.validEntries().map((e) => ({ slot: e.slot, vpn: e.vpn, asid: e.asid }))).toEqual(
            ref.flatMap((e, slot) => (e ? [{ slot, vpn: e.vpn, asid: e.asid }] : [])),
          );
          // LRU within each set: the order of the stamps is the model's.
          for (let set = 0; set < sets; set++) {
            const slots = ref.map((e, i) => (e && Math.floor(i / ways) === set ? i : -1)).filter((i) => i >= 0);
            const byTlb = [...slots].sort((a, b) => mmu.tlb.stampOfSlot(a) - mmu.tlb.stampOfSlot(b));
            const byRef = [...slots].sort((a, b) => ref[a]!.stamp - ref[b]!.stamp);
            expect(byTlb).toEqual(byRef);
          }
        }
        for (const [pa, value] of expectedRam) expect(ram.read32(pa)).toBe(value);
      }),
      { numRuns: 100 },
    );
  }, 60_000);
});

describe('Mmu hit path details', () => {
  function machine(model: HardwareModel, vas: readonly number[]) {
    const ram = new PhysicalMemory(4 << 20);
    let next = 16;
    for (const [i, va] of vas.entries()) mapPage(ram, model, 1, va, 0x100 + i, RW, () => next++);
    const mmu = new Mmu(ram, model);
    mmu.setRoot(1);
    return { ram, mmu };
  }

  it('counts hits through the shadow, near and far, and a misaligned access within a page hits too', () => {
    const vas = [0x00403000, 0x0000123400403000, toVa(x86_64(), 0xffffffff80403000n)];
    const { ram, mmu } = machine(x86_64(), vas);
    for (const [i, va] of vas.entries()) {
      ram.write32((0x100 + i) * 4096 + 0x11, 0xabcd0000 + i);
      expect(mmu.load32(va + 0x11)).toBe(0xabcd0000 + i); // miss: walk and fill
      expect(mmu.load32(va + 0x11)).toBe(0xabcd0000 + i); // hit by the set search: the shadow holds it now
      const before = mmu.tlb.hits;
      for (let n = 0; n < 5; n++) expect(mmu.load32(va + 0x11)).toBe(0xabcd0000 + i);
      expect(mmu.load8(va)).toBe(0);
      expect(mmu.tlb.hits - before).toBe(6);
      expect(mmu.tlb.shadowEntry(Math.floor(va / 4096))).toEqual({ slot: mmu.tlb.peek(Math.floor(va / 4096), 0), pfn: 0x100 + i, perm: expect.any(Number) });
    }
    expect(mmu.tlb.misses).toBe(3);
  });

  it('a hit through the shadow after a fault reports status 0', () => {
    const { mmu } = machine(x86_32(), [0x00403000]);
    mmu.load32(0x00403000);
    mmu.load32(0x00403000);
    expect(mmu.load32(0x00800000)).toBe(-FAULT_NOT_PRESENT);
    expect(mmu.status).toBe(-FAULT_NOT_PRESENT);
    const hits = mmu.tlb.hits;
    mmu.load64(0x00403008);
    expect(mmu.tlb.hits).toBe(hits + 1);
    expect(mmu.status).toBe(0);
  });

  it('refuses a fractional or non-number address on a cached page, near or far, with HwArgumentError', () => {
    const vas = [0x00403000, 0x0000123400403000, toVa(x86_64(), 0xffffffff80403000n)];
    const { mmu } = machine(x86_64(), vas);
    for (const va of vas) {
      mmu.load32(va);
      mmu.load32(va);
      const hits = mmu.tlb.hits;
      expect(() => mmu.load32(va + 0.5)).toThrow(HwArgumentError);
      expect(() => mmu.load8(va + 4.25)).toThrow(HwArgumentError);
      expect(() => mmu.load32(String(va) as unknown as number)).toThrow(HwArgumentError);
      expect(mmu.tlb.hits).toBe(hits);
    }
  });

  it('an address 2^32 above a cached near page does not hit it', () => {
    const { mmu } = machine(x86_64(), [0x00403000]);
    mmu.load32(0x00403000);
    mmu.load32(0x00403000);
    expect(mmu.load32(0x00403000 + 2 ** 32)).toBe(-FAULT_NOT_PRESENT);
    expect(mmu.translate(-(2 ** 32) + 0x00403000, ACCESS_READ, true)).toBe(-FAULT_NOT_PRESENT);
  });
});
