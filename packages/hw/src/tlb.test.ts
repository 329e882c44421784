import { describe, expect, it } from 'vitest';
import { HwArgumentError } from './errors.js';
import fc from 'fast-check';
import { permBit, Tlb, TLB_VALID, type TlbEntry } from './tlb.js';

const ALL = 0x3f;

/** Slots that hold `vpn` for `asid`, without touching LRU order. */
function has(tlb: Tlb, vpn: number, asid = 0): boolean {
  return tlb.peek(vpn, asid) >= 0;
}

function pfnOf(tlb: Tlb, vpn: number, asid = 0): number {
  const slot = tlb.peek(vpn, asid);
  return slot < 0 ? -1 : tlb.validEntries().find((e) => e.slot === slot)!.pfn;
}

describe('Tlb configuration', () => {
  it('defaults to 64 entries in 16 sets of 4 ways', () => {
    const tlb = new Tlb();
    expect([tlb.entries, tlb.ways, tlb.sets, tlb.setMask]).toEqual([64, 4, 16, 15]);
    expect(tlb.occupancy).toBe(0);
    expect(tlb.validEntries()).toEqual([]);
  });

  it('is fully associative when ways === entries: any 8 pages fit, the 9th evicts', () => {
    const tlb = new Tlb({ entries: 8, ways: 8 });
    expect([tlb.sets, tlb.setMask]).toEqual([1, 0]);
    // Pages that would all collide in any set-indexed TLB.
    const vpns = [0, 8, 16, 64, 1024, 4096, 0x7ffff, 0xfffff];
    vpns.forEach((vpn, i) => tlb.insert(vpn, 0, 100 + i, ALL, false));
    expect(tlb.occupancy).toBe(8);
    for (const vpn of vpns) expect(has(tlb, vpn)).toBe(true);
    tlb.insert(12345, 0, 1, ALL, false);
    expect(tlb.occupancy).toBe(8);
    expect(has(tlb, 0)).toBe(false); // the oldest
    expect(has(tlb, 12345)).toBe(true);
  });

  it('is direct-mapped when ways === 1: pages with the same set index evict each other', () => {
    const tlb = new Tlb({ entries: 8, ways: 1 });
    expect([tlb.sets, tlb.setMask]).toEqual([8, 7]);
    tlb.insert(3, 0, 30, ALL, false);
    tlb.insert(4, 0, 40, ALL, false);
    tlb.insert(11, 0, 110, ALL, false); // set 3 again
    expect(has(tlb, 3)).toBe(false);
    expect(has(tlb, 11)).toBe(true);
    expect(has(tlb, 4)).toBe(true);
    expect(tlb.occupancy).toBe(2);
  });

  it('is set-associative in between: 16 entries of 2 ways make 8 sets', () => {
    const tlb = new Tlb({ entries: 16, ways: 2 });
    expect([tlb.sets, tlb.setMask]).toEqual([8, 7]);
    tlb.insert(5, 0, 1, ALL, false);
    tlb.insert(13, 0, 2, ALL, false);
    expect(has(tlb, 5) && has(tlb, 13)).toBe(true);
    tlb.insert(21, 0, 3, ALL, false); // third page of set 5
    expect(has(tlb, 5)).toBe(false);
    expect(has(tlb, 13) && has(tlb, 21)).toBe(true);
    // Entries of a set sit in that set's ways.
    for (const e of tlb.validEntries()) expect(Math.floor(e.slot / tlb.ways)).toBe(e.vpn & tlb.setMask);
  });

  it('defaults ways to min(4, entries)', () => {
    expect(new Tlb({ entries: 2 }).ways).toBe(2);
    expect(new Tlb({ entries: 1 }).sets).toBe(1);
    expect(new Tlb({ entries: 32 }).ways).toBe(4);
  });

  it.each([
    ['zero entries', { entries: 0 }],
    ['zero ways', { entries: 8, ways: 0 }],
    ['negative entries', { entries: -4 }],
    ['fractional entries', { entries: 6.5, ways: 1 }],
    ['more ways than entries', { entries: 8, ways: 16 }],
    ['ways that do not divide entries', { entries: 8, ways: 3 }],
    ['a set count that is not a power of two (12 / 4 = 3)', { entries: 12, ways: 4 }],
    ['a set count that is not a power of two (6 / 1 = 6)', { entries: 6, ways: 1 }],
  ])('rejects %s with HwArgumentError', (_name, config) => {
    expect(() => new Tlb(config)).toThrow(HwArgumentError);
  });
});

describe('Tlb LRU replacement', () => {
  // 16 entries, 4 ways: 4 sets; pages 1, 5, 9, 13, 17, 21 all map to set 1.
  const fill = (): Tlb => {
    const tlb = new Tlb({ entries: 16, ways: 4 });
    tlb.insert(2, 0, 2, ALL, false); // set 2, a bystander
    for (const vpn of [1, 5, 9, 13]) tlb.insert(vpn, 0, 100 + vpn, ALL, false);
    return tlb;
  };

  it('evicts the least recently used entry of the set', () => {
    const tlb = fill();
    expect(tlb.lookup(1, 0)).toBeGreaterThanOrEqual(0);
    expect(tlb.lookup(9, 0)).toBeGreaterThanOrEqual(0);
    tlb.insert(17, 0, 117, ALL, false); // LRU order now 5, 13, 1, 9
    expect(has(tlb, 5)).toBe(false);
    expect([1, 9, 13, 17].every((v) => has(tlb, v))).toBe(true);
    tlb.insert(21, 0, 121, ALL, false);
    expect(has(tlb, 13)).toBe(false);
    tlb.lookup(1, 0);
    tlb.insert(25, 0, 125, ALL, false); // 9 is now the oldest
    expect(has(tlb, 9)).toBe(false);
    expect([1, 17, 21, 25].every((v) => has(tlb, v))).toBe(true);
    // Other sets are untouched.
    expect(pfnOf(tlb, 2)).toBe(2);
    expect(tlb.occupancy).toBe(5);
  });

  it('without touches, evicts in insertion order', () => {
    const tlb = fill();
    tlb.insert(17, 0, 0, ALL, false);
    expect(has(tlb, 1)).toBe(false);
    tlb.insert(21, 0, 0, ALL, false);
    expect(has(tlb, 5)).toBe(false);
  });

  it('peek does not change the LRU order; lookup does', () => {
    const peeked = fill();
    for (let i = 0; i < 5; i++) expect(peeked.peek(1, 0)).toBeGreaterThanOrEqual(0);
    peeked.insert(17, 0, 0, ALL, false);
    expect(has(peeked, 1)).toBe(false);

    const looked = fill();
    looked.lookup(1, 0);
    looked.insert(17, 0, 0, ALL, false);
    expect(has(looked, 1)).toBe(true);
    expect(has(looked, 5)).toBe(false);
  });

  it('re-inserting a cached page replaces its entry in place (no eviction, no duplicate)', () => {
    const tlb = fill();
    const slot = tlb.peek(5, 0);
    expect(tlb.insert(5, 0, 555, ALL, false)).toBe(slot);
    expect(tlb.occupancy).toBe(5);
    expect(pfnOf(tlb, 5)).toBe(555);
    expect(tlb.validEntries().filter((e) => e.vpn === 5)).toHaveLength(1);
    // The refreshed entry is now the most recently used.
    tlb.insert(17, 0, 0, ALL, false);
    expect(has(tlb, 1)).toBe(false);
    expect(has(tlb, 5)).toBe(true);
  });

  it('replaces a global entry of the page instead of adding a second entry for it', () => {
    const tlb = new Tlb({ entries: 8, ways: 4 });
    tlb.insert(5, 1, 50, ALL, true);
    tlb.insert(5, 2, 51, ALL, false);
    expect(tlb.occupancy).toBe(1);
    expect(pfnOf(tlb, 5, 2)).toBe(51);
    expect(tlb.peek(5, 1)).toBe(-1);
    // And a global insert replaces a non-global entry of the page.
    tlb.insert(5, 3, 52, ALL, true);
    expect(tlb.occupancy).toBe(1);
    expect(pfnOf(tlb, 5, 7)).toBe(52);
  });

  it('refills a flushed way before evicting anything', () => {
    const tlb = fill();
    tlb.flushPage(9);
    tlb.insert(17, 0, 0, ALL, false);
    expect([1, 5, 13, 17].every((v) => has(tlb, v))).toBe(true);
  });
});

describe('Tlb ASIDs and global entries', () => {
  it('keeps the same page of two address spaces apart', () => {
    const tlb = new Tlb({ entries: 8, ways: 2 });
    tlb.insert(7, 1, 100, ALL, false);
    tlb.insert(7, 2, 200, ALL, false);
    expect(tlb.occupancy).toBe(2);
    expect(pfnOf(tlb, 7, 1)).toBe(100);
    expect(pfnOf(tlb, 7, 2)).toBe(200);
    expect(tlb.lookup(7, 3)).toBe(-1);
    expect(tlb.peek(7, 0)).toBe(-1);
  });

  it('lets a global entry hit for every ASID', () => {
    const tlb = new Tlb();
    tlb.insert(8, 1, 300, ALL, true);
    for (const asid of [0, 1, 2, 511]) {
      const slot = tlb.lookup(8, asid);
      expect(slot).toBeGreaterThanOrEqual(0);
      expect(tlb.entry(slot)!.pfn).toBe(300);
    }
    expect(tlb.validEntries()[0]).toMatchObject({ vpn: 8, asid: 1, pfn: 300, global: true });
  });
});

describe('Tlb flushes', () => {
  // Page 4 cached for ASIDs 1 and 2, and globally (inserted under ASID 1); page 6 for ASID 1 and 2; page 9 global.
  const populate = (): Tlb => {
    const tlb = new Tlb({ entries: 32, ways: 4 });
    tlb.insert(4, 1, 41, ALL, false);
    tlb.insert(4, 2, 42, ALL, false);
    tlb.insert(4 + 8, 1, 43, ALL, true); // same set as 4, global
    tlb.insert(6, 1, 61, ALL, false);
    tlb.insert(6, 2, 62, ALL, false);
    tlb.insert(9, 2, 90, ALL, true);
    return tlb;
  };
  const snapshot = (tlb: Tlb): string[] =>
    tlb.validEntries().map((e) => `${e.vpn}/${e.asid}${e.global ? 'g' : ''}`).sort();

  it('flushPage drops the page in every ASID, global entries included', () => {
    const tlb = populate();
    tlb.insert(9 + 8, 1, 0, ALL, false);
    tlb.flushPage(9);
    expect(snapshot(tlb)).toEqual(['12/1g', '17/1', '4/1', '4/2', '6/1', '6/2']);
    tlb.flushPage(4);
    expect(snapshot(tlb)).toEqual(['12/1g', '17/1', '6/1', '6/2']);
    expect(tlb.flushes).toBe(2);
    expect(tlb.flushedEntries).toBe(3);
  });

  it('flushPageAsid drops only the non-global entry of that ASID', () => {
    const tlb = populate();
    tlb.flushPageAsid(4, 1);
    expect(snapshot(tlb)).toEqual(['12/1g', '4/2', '6/1', '6/2', '9/2g']);
    tlb.flushPageAsid(12, 1); // global: kept
    tlb.flushPageAsid(9, 2); // global: kept
    expect(snapshot(tlb)).toEqual(['12/1g', '4/2', '6/1', '6/2', '9/2g']);
    expect(tlb.flushes).toBe(3);
    expect(tlb.flushedEntries).toBe(1);
  });

  it('flushAsid drops every non-global entry of one ASID', () => {
    const tlb = populate();
    tlb.flushAsid(1);
    expect(snapshot(tlb)).toEqual(['12/1g', '4/2', '6/2', '9/2g']);
    expect(tlb.flushedEntries).toBe(2);
    tlb.flushAsid(2);
    expect(snapshot(tlb)).toEqual(['12/1g', '9/2g']);
    expect(tlb.flushedEntries).toBe(4);
  });

  it('flushNonGlobal keeps only the global entries', () => {
    const tlb = populate();
    tlb.flushNonGlobal();
    expect(snapshot(tlb)).toEqual(['12/1g', '9/2g']);
    expect(tlb.flushedEntries).toBe(4);
    expect(tlb.flushes).toBe(1);
  });

  it('flushAll drops everything', () => {
    const tlb = populate();
    tlb.flushAll();
    expect(tlb.occupancy).toBe(0);
    expect(tlb.validEntries()).toEqual([]);
    expect(tlb.peek(9, 2)).toBe(-1);
    expect(tlb.lookup(12, 7)).toBe(-1);
    expect(tlb.flushedEntries).toBe(6);
    // A flush that finds nothing still counts as a flush, but drops nothing.
    tlb.flushAll();
    expect(tlb.flushes).toBe(2);
    expect(tlb.flushedEntries).toBe(6);
  });

  it('resetCounters zeroes every counter but keeps the entries', () => {
    const tlb = populate();
    tlb.hits = 5;
    tlb.misses = 7;
    tlb.flushPage(6);
    tlb.resetCounters();
    expect([tlb.hits, tlb.misses, tlb.flushes, tlb.flushedEntries]).toEqual([0, 0, 0, 0]);
    expect(tlb.occupancy).toBe(4);
  });
});

describe('Tlb entries cut from huge pages', () => {
  // Pieces (base pages) of two 4 MiB pages (span 10): vpns 0x400.. and 0x800.., plus a base page at 0x401 + 0x800.
  const populate = (): Tlb => {
    const tlb = new Tlb({ entries: 16, ways: 2 });
    tlb.insert(0x400, 1, 0x1000, ALL, false, 10);
    tlb.insert(0x5ff, 1, 0x11ff, ALL, false, 10);
    tlb.insert(0x7ff, 2, 0x13ff, ALL, false, 10);
    tlb.insert(0x800, 1, 0x2000, ALL, false, 10);
    tlb.insert(0x803, 1, 0x2003, ALL, false, 10);
    tlb.insert(0xc01, 1, 0x77, ALL, false);
    return tlb;
  };
  const vpns = (tlb: Tlb): number[] => tlb.validEntries().map((e) => e.vpn).sort((a, b) => a - b);

  it('flushPage of any page of a huge page drops every piece of it, in every set, and nothing else', () => {
    const tlb = populate();
    tlb.flushPage(0x6a5); // not cached itself
    expect(vpns(tlb)).toEqual([0x800, 0x803, 0xc01]);
    expect(tlb.flushedEntries).toBe(3);
    tlb.flushPage(0xc00); // a base page next to a cached base page: nothing to drop
    expect(vpns(tlb)).toEqual([0x800, 0x803, 0xc01]);
    tlb.flushPage(0x800);
    expect(vpns(tlb)).toEqual([0xc01]);
    expect(tlb.flushedEntries).toBe(5);
  });

  it('flushPageAsid drops the pieces of that ASID only, and keeps global pieces', () => {
    const tlb = populate();
    tlb.insert(0x500, 1, 0x1100, ALL, true, 10);
    tlb.flushPageAsid(0x400, 1);
    expect(vpns(tlb)).toEqual([0x500, 0x7ff, 0x800, 0x803, 0xc01]);
    tlb.flushPageAsid(0x401, 2);
    expect(vpns(tlb)).toEqual([0x500, 0x800, 0x803, 0xc01]);
  });

  it('forgets pieces once they are evicted or flushed', () => {
    const tlb = new Tlb({ entries: 2, ways: 1 });
    tlb.insert(0x400, 0, 0x1000, ALL, false, 10);
    tlb.insert(0x402, 0, 0x55, ALL, false); // evicts the piece from set 0
    tlb.insert(0x7ff, 0, 0x66, ALL, false);
    tlb.flushPage(0x401);
    expect(vpns(tlb)).toEqual([0x402, 0x7ff]);
  });
});

describe('Tlb inspection', () => {
  it('lookup and peek leave hits and misses to the caller', () => {
    const tlb = new Tlb();
    tlb.insert(1, 0, 1, ALL, false);
    tlb.lookup(1, 0);
    tlb.lookup(2, 0);
    tlb.peek(1, 0);
    expect([tlb.hits, tlb.misses]).toEqual([0, 0]);
  });

  it('validEntries reports slot, tags, frame, global and the permissions without the valid bit', () => {
    const tlb = new Tlb({ entries: 8, ways: 2 });
    const perm = permBit(0, true) | permBit(1, true);
    const slot = tlb.insert(0x12345, 3, 0x777, perm, false);
    expect(tlb.validEntries()).toEqual([{ slot, vpn: 0x12345, asid: 3, pfn: 0x777, global: false, perm, span: 0 }]);
    expect(tlb.entry(slot)).toEqual({ slot, vpn: 0x12345, asid: 3, pfn: 0x777, global: false, perm, span: 0 });
    expect(tlb.entry(slot)!.perm & TLB_VALID).toBe(0);
    expect(tlb.occupancy).toBe(1);
  });

  it('lists entries in slot order and counts occupancy', () => {
    const tlb = new Tlb({ entries: 8, ways: 2 });
    for (const vpn of [3, 0, 2, 7, 4]) tlb.insert(vpn, 0, vpn, ALL, false);
    const slots = tlb.validEntries().map((e) => e.slot);
    expect(slots).toEqual([...slots].sort((a, b) => a - b));
    expect(tlb.occupancy).toBe(5);
  });

  it('permBit gives one bit per access kind and privilege', () => {
    expect([permBit(0, false), permBit(1, false), permBit(2, false)]).toEqual([1, 2, 4]);
    expect([permBit(0, true), permBit(1, true), permBit(2, true)]).toEqual([8, 16, 32]);
  });
});

describe('Tlb shadow (the hit path of the MMU)', () => {
  /** A plain model of the TLB: slots with tags and LRU stamps, searched linearly. */
  interface RefEntry { vpn: number; asid: number; pfn: number; perm: number; global: boolean; stamp: number }

  /**
   * Checks the shadow against the entries: every filled index holds a valid entry visible in `asid`, with that
   * entry's page, frame and rights (so a shadow hit answers exactly what the set search would), no entry of
   * another address space is shadowed, and no index is filled without an entry behind it.
   */
  function expectShadowExact(tlb: Tlb, asid: number): void {
    let shadowed = 0;
    for (const e of tlb.validEntries()) {
      const held = tlb.shadowEntry(e.vpn);
      const visible = e.global || e.asid === asid;
      if (visible && held !== null) {
        expect(held).toEqual({ slot: e.slot, pfn: e.pfn, perm: e.perm });
        shadowed++;
      }
      if (!visible && held !== null) expect(held.slot).not.toBe(e.slot);
    }
    expect(tlb.shadowOccupancy()).toBe(shadowed);
  }

  const op = fc.oneof(
    fc.record({ kind: fc.constant('insert' as const), vpn: fc.integer({ min: 0, max: 11 }), far: fc.boolean(), asid: fc.integer({ min: 0, max: 2 }), global: fc.boolean(), pfn: fc.integer({ min: 0, max: 1000 }) }),
    fc.record({ kind: fc.constant('lookup' as const), vpn: fc.integer({ min: 0, max: 11 }), far: fc.boolean(), asid: fc.integer({ min: 0, max: 2 }) }),
    fc.record({ kind: fc.constant('switch' as const), asid: fc.integer({ min: 0, max: 2 }) }),
    fc.record({ kind: fc.constant('flushPage' as const), vpn: fc.integer({ min: 0, max: 11 }), far: fc.boolean() }),
    fc.record({ kind: fc.constant('flushPageAsid' as const), vpn: fc.integer({ min: 0, max: 11 }), far: fc.boolean(), asid: fc.integer({ min: 0, max: 2 }) }),
    fc.record({ kind: fc.constant('flushAsid' as const), asid: fc.integer({ min: 0, max: 2 }) }),
    fc.record({ kind: fc.constant('flushNonGlobal' as const) }),
    fc.record({ kind: fc.constant('flushAll' as const) }),
  );

  it('after random fills, lookups, flushes and ASID switches, mirrors the entries and keeps LRU exact (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(1, 2, 4, 8), fc.array(op, { maxLength: 120 }), (ways, ops) => {
        const tlb = new Tlb({ entries: 8, ways });
        // `far` pages equal a near one modulo the shadow size (and land in its set): they share an index.
        const page = (vpn: number, far: boolean): number => (far ? vpn + tlb.shadowSize * 3 : vpn);
        const ref: (RefEntry | null)[] = new Array<RefEntry | null>(8).fill(null);
        let clock = 0;
        let current = 0;
        const refLookup = (vpn: number, asid: number): number =>
          ref.findIndex((e, i) => e !== null && e.vpn === vpn && (e.asid === asid || e.global) && Math.floor(i / ways) === vpn % (8 / ways));
        const drop = (pred: (e: RefEntry) => boolean): void => {
          for (let i = 0; i < 8; i++) if (ref[i] !== null && pred(ref[i]!)) ref[i] = null;
        };
        for (const o of ops) {
          if (o.kind === 'insert') {
            const vpn = page(o.vpn, o.far);
            const base = (vpn % (8 / ways)) * ways;
            let victim = -1;
            let empty = -1;
            let oldest = -1;
            for (let i = base; i < base + ways; i++) {
              const e = ref[i];
              if (e && e.vpn === vpn && (e.asid === o.asid || e.global || o.global)) {
                victim = i;
                break;
              }
              if (!e) {
                if (empty < 0) empty = i;
              } else if (oldest < 0 || e.stamp < ref[oldest]!.stamp) oldest = i;
            }
            if (victim < 0) victim = empty >= 0 ? empty : oldest;
            ref[victim] = { vpn, asid: o.asid, pfn: o.pfn, perm: ALL, global: o.global, stamp: ++clock };
            expect(tlb.insert(vpn, o.asid, o.pfn, ALL, o.global)).toBe(victim);
          } else if (o.kind === 'lookup') {
            const vpn = page(o.vpn, o.far);
            const slot = refLookup(vpn, o.asid);
            if (slot >= 0) ref[slot]!.stamp = ++clock;
            expect(tlb.lookup(vpn, o.asid)).toBe(slot);
            // A visible entry the set search found is in the shadow from now on (lazy fill).
            if (slot >= 0 && (ref[slot]!.global || ref[slot]!.asid === current)) {
              expect(tlb.shadowEntry(vpn)).toEqual({ slot, pfn: ref[slot]!.pfn, perm: ALL });
            }
          } else if (o.kind === 'switch') {
            current = o.asid;
            tlb.setAsid(o.asid);
          } else if (o.kind === 'flushPage') {
            const vpn = page(o.vpn, o.far);
            drop((e) => e.vpn === vpn);
            tlb.flushPage(vpn);
          } else if (o.kind === 'flushPageAsid') {
            const vpn = page(o.vpn, o.far);
            drop((e) => e.vpn === vpn && e.asid === o.asid && !e.global);
            tlb.flushPageAsid(vpn, o.asid);
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
          const expected = ref.flatMap((e, slot) => (e ? [{ slot, vpn: e.vpn, asid: e.asid, pfn: e.pfn, global: e.global, perm: ALL, span: 0 }] : []));
          expect(tlb.validEntries()).toEqual(expected);
          // LRU order: the stamps of the valid slots rank them as the model's do.
          const order = (stamps: number[]): number[] => expected.map((e) => e.slot).sort((a, b) => stamps[a]! - stamps[b]!);
          expect(order(expected.reduce<number[]>((s, e) => ((s[e.slot] = tlb.stampOfSlot(e.slot)), s), []))).toEqual(
            order(ref.map((e) => (e ? e.stamp : 0))),
          );
          expectShadowExact(tlb, current);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('fills an index at the set search\'s hit, gives a shared index to the later hit, and empties it on a drop or a switch', () => {
    const tlb = new Tlb({ entries: 8, ways: 4 });
    const far = 5 + tlb.shadowSize;
    const a = tlb.insert(5, 0, 50, ALL, false);
    expect(tlb.shadowEntry(5)).toBeNull(); // an insert does not fill
    expect(tlb.lookup(5, 0)).toBe(a);
    expect(tlb.shadowEntry(5)).toEqual({ slot: a, pfn: 50, perm: ALL });
    const b = tlb.insert(far, 0, 60, ALL, false);
    expect(tlb.lookup(far, 0)).toBe(b);
    expect(tlb.shadowEntry(far)).toEqual({ slot: b, pfn: 60, perm: ALL });
    expect(tlb.shadowEntry(5)).toBeNull(); // same index: the later hit holds it; 5 takes the set search
    expect(tlb.stampOfSlot(a)).toBeLessThan(tlb.stampOfSlot(b)); // a's stamp went back to its slot, intact
    tlb.flushPage(far);
    expect(tlb.shadowOccupancy()).toBe(0);
    // An entry of another address space is never shadowed while another space is current.
    const c = tlb.insert(7, 1, 70, ALL, false);
    expect(tlb.lookup(7, 1)).toBe(c);
    expect(tlb.shadowEntry(7)).toBeNull();
    tlb.setAsid(1);
    expect(tlb.lookup(7, 1)).toBe(c);
    expect(tlb.shadowEntry(7)).toEqual({ slot: c, pfn: 70, perm: ALL });
    tlb.setAsid(0);
    expect(tlb.shadowEntry(7)).toBeNull(); // switching away takes space 1's entries out
    expect(tlb.shadowOccupancy()).toBe(0);
  });
});
