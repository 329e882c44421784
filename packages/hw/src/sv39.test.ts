// RISC-V Sv39 (Privileged spec, "Sv39"; PTE and satp bitfields from sv39pte / rv64satp): PTE bits both ways,
// reserved bits 63:54, the Sv32 permission rules, satp, and walks through referenceWalk and the MMU (faults,
// sign-extended addresses, A/D in the leaf only, global pointers, megapages and gigapages, misalignment).
// Expected raw values are written out from the spec's layouts, never computed by the model.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HwArgumentError } from './errors.js';
import {
  ACCESS_EXEC, ACCESS_READ, ACCESS_WRITE, CTL_MXR, CTL_SUM, CTL_WP, FAULT_BUS, FAULT_NON_CANONICAL, FAULT_NOT_PRESENT,
  FAULT_PROTECTION, FAULT_RESERVED, levelIndex, levelSpanShift, PTE_A, PTE_D, PTE_G, PTE_R, PTE_SW0, PTE_SW1, PTE_U,
  PTE_V, PTE_W, PTE_X, toVa, validateModel, vaRange, vaToBigInt,
  type AccessKind,
} from './model.js';
import { Mmu } from './mmu.js';
import { POINTER_FLAGS, readEntry, writeEntry } from './page-table.js';
import { PhysicalMemory } from './physical-memory.js';
import { SV39_HI_PPN_MASK, SV39_HI_RESERVED, SV39_PPN_SHIFT, SV39_SATP_MODE, sv39 } from './sv39.js';
import { expectArgumentError } from './testing/argument-errors.js';
import { access, entryAt, ENGINES, expectPa, firstDifference, MIB, refWalk, walkHarness, type World } from './testing/walk-harness.js';

const URWX = PTE_V | PTE_R | PTE_W | PTE_X | PTE_U;

/** The canonical Sv39 address with these VPN[2], VPN[1], VPN[0] and offset (negative in the upper half). */
function vaOf(vpn2: number, vpn1: number, vpn0: number, offset = 0): number {
  const n = vpn2 * 2 ** 30 + vpn1 * 2 ** 21 + vpn0 * 2 ** 12 + offset;
  return n >= 2 ** 38 ? n - 2 ** 39 : n;
}

describe('Sv39 model shape and raw constants', () => {
  it('has the spec’s field positions', () => {
    expect(SV39_PPN_SHIFT).toBe(10);
    expect(SV39_HI_RESERVED >>> 0).toBe(0xffc00000); // PTE bits 63:54
    expect(SV39_HI_PPN_MASK).toBe(0x3fffff); // PTE bits 53:32 = PPN bits 43:22
    expect(SV39_SATP_MODE).toBe(8n);
  });

  it('is a 9|9|9|12 model with 8-byte PTEs, 39-bit sign-extended addresses, a 44-bit PPN and 16-bit ASIDs', () => {
    const m = sv39();
    expect(m.name).toBe('sv39');
    expect(m.levels).toBe(3);
    expect(m.pageShift).toBe(12);
    expect(m.indexBits).toEqual([9, 9, 9]);
    expect(m.entryBytes).toBe(8);
    expect(m.vaBits).toBe(39);
    expect(m.signExtendedVa).toBe(true);
    expect(m.maxPfn).toBe(2 ** 44 - 1);
    expect(m.asidBits).toBe(16);
    expect(m.softwareBits).toBe(2);
    expect(m.permissionsAtEveryLevel).toBe(false);
    expect(m.accessedOnNonLeaf).toBe(false);
    expect(m.globalInherits).toBe(true);
    expect(m.rootWriteFlushesTlb).toBe(false);
    expect(m.rawAccessed).toBe(0x40);
    expect(m.rawDirty).toBe(0x80);
    expect(m.supportedFlags).toBe(PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_G | PTE_A | PTE_D | PTE_SW0 | PTE_SW1);
    expect(validateModel(m)).toBeNull();
    expect([0, 1, 2].map((l) => levelSpanShift(m, l))).toEqual([30, 21, 12]);
    expect(vaRange(m)).toEqual({ min: -(2 ** 38), end: 2 ** 38 });
  });
});

describe('Sv39 virtual addresses as numbers', () => {
  const m = sv39();

  it('toVa sign-extends from bit 38: the upper half is negative', () => {
    expect(toVa(m, 0xffffffc000000000n)).toBe(-(2 ** 38));
    expect(toVa(m, 0xffffffffc0000000n)).toBe(-(2 ** 30));
    expect(toVa(m, 0xffffffffffffffffn)).toBe(-1);
    expect(toVa(m, 0x0000003fffffffffn)).toBe(2 ** 38 - 1);
    // Not canonical for Sv39 (kept as numbers; the MMU faults on them).
    expect(toVa(m, 0x0000004000000000n)).toBe(2 ** 38);
    expect(toVa(m, 0xffffffbfffffffffn)).toBe(-(2 ** 38) - 1);
    expect(toVa(m, 0xffff800000000000n)).toBe(-(2 ** 47));
  });

  it('levelIndex splits upper-half addresses as the hardware splits their 64-bit value', () => {
    const idx = (va: number) => [0, 1, 2].map((l) => levelIndex(m, va, l));
    expect(idx(-1)).toEqual([511, 511, 511]);
    expect(idx(-(2 ** 38))).toEqual([256, 0, 0]);
    expect(idx(-(2 ** 30))).toEqual([511, 0, 0]);
    expect(idx(0x3456789abc)).toEqual([0xd1, 0xb3, 0x189]);
    fc.assert(fc.property(fc.integer({ min: -(2 ** 38), max: 2 ** 38 - 1 }), (va) => {
      const raw = vaToBigInt(va);
      expect(raw >> 38n === 0n || raw >> 38n === 0x3ffffffn).toBe(true);
      expect(toVa(m, raw)).toBe(va);
      expect(idx(va)).toEqual([30n, 21n, 12n].map((s) => Number((raw >> s) & 0x1ffn)));
    }));
  });
});

describe('Sv39 PTE: every bit both ways', () => {
  const m = sv39();
  // [raw bit, flag]; a leaf needs R or X, so each is checked on top of V|R (V|X for R itself).
  const bits: [number, number][] = [
    [0x002, PTE_R],
    [0x004, PTE_W],
    [0x008, PTE_X],
    [0x010, PTE_U],
    [0x020, PTE_G],
    [0x040, PTE_A],
    [0x080, PTE_D],
    [0x100, PTE_SW0], // RSW, bit 8
    [0x200, PTE_SW1], // RSW, bit 9
  ];

  it.each(bits)('raw bit %d ⇄ flag %d, at every level', (raw, flag) => {
    const base = raw === 0x002 ? 0x9 : 0x3; // V|X or V|R
    const baseFlags = raw === 0x002 ? PTE_V | PTE_X : PTE_V | PTE_R;
    for (let level = 0; level < 3; level++) {
      expect(m.flags(base | raw, 0, level)).toBe(baseFlags | flag);
      expect(m.encodeLo(0, baseFlags | flag, level, true)).toBe(base | raw);
      expect(m.encodeHi(0, baseFlags | flag, level, true)).toBe(0);
      expect(m.isLeaf(base | raw, 0, level)).toBe(true);
      expect(m.isMalformed(base | raw, 0, level)).toBe(false);
      expect(m.pfn(base | raw, 0, level)).toBe(0);
    }
  });

  it('V alone is a valid pointer; V clear is invalid whatever else is set', () => {
    expect(m.flags(0x1, 0, 0)).toBe(PTE_V);
    expect(m.isValid(0x1, 0, 0)).toBe(true);
    expect(m.isLeaf(0x1, 0, 0)).toBe(false);
    expect(m.isValid(0x0, 0, 2)).toBe(false);
    expect(m.isValid(0xfffffffe, 0xffffffff, 2)).toBe(false);
    expect(m.flags(0x3fe, 0, 2)).toBe(PTE_R | PTE_W | PTE_X | PTE_U | PTE_G | PTE_A | PTE_D | PTE_SW0 | PTE_SW1);
  });

  it('all ten low bits: 0x3ff; PPN bits are not flags', () => {
    expect(m.flags(0x3ff, 0, 2)).toBe(m.supportedFlags);
    expect(m.encodeLo(0, m.supportedFlags, 2, true)).toBe(0x3ff);
    expect(m.flags(0xfffffc03, 0x3fffff, 2)).toBe(PTE_V | PTE_R);
  });

  it('a user RWX leaf for PPN 0x12345 is lo 0x048d141f; PPN 0x123456789ab spills 0x48d15 into the high word', () => {
    expect(m.encodeLo(0x12345, URWX, 2, true)).toBe(0x048d141f);
    expect(m.encodeHi(0x12345, URWX, 2, true)).toBe(0);
    expect(m.pfn(0x048d141f, 0, 2)).toBe(0x12345);
    expect(m.flags(0x048d141f, 0, 2)).toBe(URWX);
    expect(m.encodeLo(0x123456789ab, URWX, 2, true)).toBe(0x9e26ac1f);
    expect(m.encodeHi(0x123456789ab, URWX, 2, true)).toBe(0x48d15);
    expect(m.pfn(0x9e26ac1f, 0x48d15, 2)).toBe(0x123456789ab);
  });

  it('PPN bits 43:0 sit in PTE bits 53:10, one by one', () => {
    for (let bit = 0; bit < 44; bit++) {
      const lo = bit < 22 ? (2 ** (bit + 10) + 0x3) >>> 0 : 0x3;
      const hi = bit < 22 ? 0 : 2 ** (bit - 22);
      expect(m.pfn(lo, hi, 2)).toBe(2 ** bit);
      expect(m.flags(lo, hi, 2)).toBe(PTE_V | PTE_R);
      expect(m.isMalformed(lo, hi, 2)).toBe(false);
      expect([m.encodeLo(2 ** bit, PTE_V | PTE_R, 2, true), m.encodeHi(2 ** bit, PTE_V | PTE_R, 2, true)]).toEqual([lo, hi]);
    }
  });

  it('bits 63:54 (N, PBMT, reserved) must be zero in every PTE, leaf or pointer, at every level', () => {
    for (let bit = 54; bit < 64; bit++) {
      const hi = 2 ** (bit - 32);
      for (let level = 0; level < 3; level++) {
        expect(m.isMalformed(0x7, hi, level), `bit ${bit} leaf level ${level}`).toBe(true);
        if (level < 2) expect(m.isMalformed(0x1, hi, level), `bit ${bit} pointer level ${level}`).toBe(true);
      }
    }
    for (let bit = 32; bit < 54; bit++) expect(m.isMalformed(0x7, 2 ** (bit - 32), 2)).toBe(false);
  });

  it('W without R is reserved at every level, leaf (X|W) or not (W alone)', () => {
    for (let level = 0; level < 3; level++) {
      expect(m.isMalformed(0x5, 0, level)).toBe(true); // V|W
      expect(m.isMalformed(0xd, 0, level)).toBe(true); // V|W|X
      expect(m.isMalformed(0xf, 0, level)).toBe(false); // V|R|W|X
    }
    expect(m.isMalformed(0x7, 0, 2)).toBe(false);
  });

  it('a pointer (R=W=X=0) is reserved at the last level, and with D, A or U; G and RSW are fine', () => {
    expect(m.isMalformed(0x801, 0, 2)).toBe(true);
    for (const level of [0, 1]) {
      expect(m.isMalformed(0x801, 0, level)).toBe(false);
      expect(m.isMalformed(0x821, 0, level)).toBe(false); // G
      expect(m.isMalformed(0xb01, 0, level)).toBe(false); // RSW
      expect(m.isMalformed(0x811, 0, level)).toBe(true); // U
      expect(m.isMalformed(0x841, 0, level)).toBe(true); // A
      expect(m.isMalformed(0x881, 0, level)).toBe(true); // D
      expect(m.pfn(0x801, 0, level)).toBe(2);
      expect(m.flags(0x821, 0, level)).toBe(PTE_V | PTE_G);
    }
  });

  it('a megapage (leaf at level 1) needs PPN[0] = 0; a gigapage (level 0) PPN[1] = PPN[0] = 0', () => {
    expect(m.isLeaf(0x0008000f, 0, 1)).toBe(true);
    expect(m.isMalformed(0x0008000f, 0, 1)).toBe(false); // PPN 0x200
    expect(m.isMalformed(0x1000000f, 0, 0)).toBe(false); // PPN 0x40000
    expect(m.isMalformed(0x0000000f, 0x1, 0)).toBe(false); // PPN 2^22
    expect(m.isMalformed(0x0008000f, 0, 0)).toBe(true); // PPN 0x200 is no gigapage
    for (let bit = 0; bit < 9; bit++) {
      const lo = (0x0008000f + 2 ** (bit + 10)) >>> 0;
      expect(m.isMalformed(lo, 0, 1), `PPN bit ${bit}`).toBe(true);
      expect(m.isMalformed(lo, 0, 2)).toBe(false);
    }
    for (let bit = 0; bit < 18; bit++) {
      const lo = (0x1000000f + 2 ** (bit + 10)) >>> 0;
      expect(m.isMalformed(lo, 0, 0), `PPN bit ${bit}`).toBe(true);
      expect(m.isMalformed(lo, 0, 1)).toBe(bit < 9);
    }
  });

  it('pointer encoding keeps only V, G and RSW', () => {
    for (const level of [0, 1]) {
      expect(m.encodeLo(2, POINTER_FLAGS, level, false)).toBe(0x801);
      expect(m.encodeLo(2, PTE_V | PTE_G | PTE_A | PTE_D | PTE_U, level, false)).toBe(0x821);
      expect(m.encodeLo(2, PTE_V | PTE_SW1, level, false)).toBe(0xa01);
      expect(m.encodeHi(2, POINTER_FLAGS, level, false)).toBe(0);
      expect(m.encodeLo(0x123456789ab, PTE_V, level, false)).toBe(0x9e26ac01);
      expect(m.encodeHi(0x123456789ab, PTE_V, level, false)).toBe(0x48d15);
    }
  });
});

describe('Sv39 encode errors', () => {
  const m = sv39();
  const encoders = (pfn: number, flags: number, level: number, leaf: boolean): (() => number)[] => [
    () => m.encodeLo(pfn, flags, level, leaf),
    () => m.encodeHi(pfn, flags, level, leaf),
  ];

  it.each([2 ** 44, -1, 1.5, Number.NaN])('rejects pfn %s', (pfn) => {
    for (const encode of encoders(pfn, PTE_V | PTE_R, 2, true)) expect(expectArgumentError(encode, 'pfn').value).toBe(pfn);
  });

  it('rejects levels outside 0..2 and a pointer at the last level', () => {
    for (const level of [-1, 3, 0.5]) for (const encode of encoders(1, PTE_V | PTE_R, level, true)) expectArgumentError(encode, 'level');
    for (const encode of encoders(1, PTE_V, 2, false)) expectArgumentError(encode, 'level');
  });

  it('rejects a leaf without R or X, and W without R', () => {
    for (const flags of [PTE_V, PTE_V | PTE_W | PTE_U, PTE_V | PTE_W | PTE_X]) {
      for (const encode of encoders(1, flags, 2, true)) expectArgumentError(encode, 'flags');
    }
  });

  it('rejects misaligned megapages and gigapages', () => {
    for (let bit = 0; bit < 9; bit++) for (const encode of encoders(0x200 + 2 ** bit, PTE_V | PTE_R, 1, true)) expectArgumentError(encode, 'pfn');
    for (let bit = 0; bit < 18; bit++) for (const encode of encoders(0x40000 + 2 ** bit, PTE_V | PTE_R, 0, true)) expectArgumentError(encode, 'pfn');
    expect(m.encodeLo(0x200, PTE_V | PTE_R, 1, true)).toBe(0x00080003);
    expect(m.encodeLo(0x40000, PTE_V | PTE_R, 0, true)).toBe(0x10000003);
    expect(m.encodeHi(2 ** 43, PTE_V | PTE_R, 0, true)).toBe(0x200000);
  });
});

describe('Sv39 round trips (property)', () => {
  const m = sv39();
  const SHAPES: [number, boolean, number][] = [[2, true, 1], [1, true, 2 ** 9], [0, true, 2 ** 18], [0, false, 1], [1, false, 1]];

  it.each(SHAPES)('level %d, leaf %s: pfn and flags survive encode → decode → encode', (level, leaf, align) => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Math.floor(m.maxPfn / align) }), fc.integer({ min: 0, max: 0x3fff }), (big, raw) => {
        const pfn = big * align;
        let flags = raw & m.supportedFlags;
        if (leaf && (flags & (PTE_R | PTE_X)) === 0) flags |= PTE_R;
        if (leaf && (flags & (PTE_R | PTE_W)) === PTE_W) flags |= PTE_R;
        const lo = m.encodeLo(pfn, flags, level, leaf);
        const hi = m.encodeHi(pfn, flags, level, leaf);
        expect(Number.isInteger(lo) && lo >= 0 && lo <= 0xffffffff).toBe(true);
        expect(hi >= 0 && hi <= 0x3fffff).toBe(true);
        expect(m.pfn(lo, hi, level)).toBe(pfn);
        expect(m.isValid(lo, hi, level)).toBe((flags & PTE_V) !== 0);
        expect(m.isLeaf(lo, hi, level)).toBe(leaf);
        expect(m.isMalformed(lo, hi, level)).toBe(false);
        const expected = leaf ? flags : flags & (PTE_V | PTE_G | PTE_SW0 | PTE_SW1);
        expect(m.flags(lo, hi, level)).toBe(expected);
        expect([m.encodeLo(pfn, expected, level, leaf), m.encodeHi(pfn, expected, level, leaf)]).toEqual([lo, hi]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('Sv39 permits (the Sv32 rules: U, SUM, MXR; no WP)', () => {
  const m = sv39();
  // Allowed accesses ('r', 'w', 'x') for a leaf's R/W/X, [MXR off, MXR on].
  const BASE: Record<string, [string, string]> = {
    R: ['r--', 'r--'], RW: ['rw-', 'rw-'], X: ['--x', 'r-x'], RX: ['r-x', 'r-x'], RWX: ['rwx', 'rwx'],
  };
  // Per privilege, the page's U bit and SUM: what is left of BASE ('all', 'none', or 'no x').
  const cases: [string, boolean, boolean, boolean, boolean, string][] = [];
  for (const [rwx, [plain, mxr]] of Object.entries(BASE)) {
    for (const withMxr of [false, true]) {
      const base = withMxr ? mxr : plain;
      for (const sum of [false, true]) {
        cases.push([rwx, true, true, sum, withMxr, base]); // user on a user page
        cases.push([rwx, true, false, sum, withMxr, '---']); // user on a supervisor page
        cases.push([rwx, false, false, sum, withMxr, base]); // supervisor on a supervisor page
        cases.push([rwx, false, true, sum, withMxr, sum ? `${base.slice(0, 2)}-` : '---']); // never executes user pages
      }
    }
  }

  it.each(cases)('%s user %s U %s SUM %s MXR %s → %s', (rwx, user, u, sum, mxr, expected) => {
    const flags = PTE_V | (rwx.includes('R') ? PTE_R : 0) | (rwx.includes('W') ? PTE_W : 0) | (rwx.includes('X') ? PTE_X : 0)
      | (u ? PTE_U : 0);
    for (const wp of [0, CTL_WP]) {
      const control = (sum ? CTL_SUM : 0) | (mxr ? CTL_MXR : 0) | wp;
      const got = [ACCESS_READ, ACCESS_WRITE, ACCESS_EXEC].map((a) => (m.permits(flags, a as AccessKind, user, control) ? 'rwx'[a] : '-')).join('');
      expect(got).toBe(expected);
    }
  });
});

describe('Sv39 root register (satp, RV64)', () => {
  const m = sv39();

  it('encodes MODE 8 in 63:60, the ASID in 59:44 and the PPN in 43:0', () => {
    expect(m.encodeRoot(0x12345, 0xabcd)).toBe(0x8abcd00000012345n);
    expect(m.encodeRoot(0, 0)).toBe(0x8000000000000000n);
    expect(m.encodeRoot(2 ** 44 - 1, 0xffff)).toBe(0x8fffffffffffffffn);
    expectArgumentError(() => m.encodeRoot(1, 0x10000), 'asid');
    expectArgumentError(() => m.encodeRoot(1, -1), 'asid');
    expectArgumentError(() => m.encodeRoot(1, 1.5), 'asid');
    expectArgumentError(() => m.encodeRoot(2 ** 44, 0), 'root pfn');
    expectArgumentError(() => m.encodeRoot(-1, 0), 'root pfn');
  });

  it('decodes Sv39 registers only: Bare (MODE 0) and other modes give null', () => {
    expect(m.decodeRoot(0x8abcd00000012345n)).toEqual({ rootPfn: 0x12345, asid: 0xabcd });
    expect(m.decodeRoot(0x8fffffffffffffffn)).toEqual({ rootPfn: 2 ** 44 - 1, asid: 0xffff });
    expect(m.decodeRoot(0n)).toBeNull(); // Bare
    expect(m.decodeRoot(0x0abcd00000012345n)).toBeNull();
    expect(m.decodeRoot(0x9000000000000001n)).toBeNull(); // Sv48
    expect(m.decodeRoot(0x1000000000000001n)).toBeNull();
    expect(m.decodeRoot(-1n)).toBeNull();
    expect(m.decodeRoot(2n ** 64n)).toBeNull();
    expect(m.decodeRoot(0x80000001n)).toBeNull(); // an Sv32 satp is no Sv39 one
  });

  it('the MMU’s root register is the encoded satp', () => {
    const mmu = new Mmu(new PhysicalMemory(MIB), m);
    mmu.setRoot(0x42, 0x1234);
    expect(mmu.rootRegister()).toBe(0x8123400000000042n);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Through the walkers.

// RISC-V sets A/D only on success, and never in pointers: a fault changes no byte of RAM.
/** RAM of 4 MiB (frames 0..0x3ff); root table in frame 1; tables allocated from frame 2. */
const { makeWorld, map, expectFault } = walkHarness({
  model: sv39, ramBytes: 4 * MIB, leafLevel: 2, faultMayWritePointers: false, checkFaultRecords: true,
});

describe('Sv39 walks: the tables mapPage builds', () => {
  it('maps 0xffffffffc0000000 through VPN[2]=511, VPN[1]=0, VPN[0]=0 with these exact PTEs', () => {
    const w = makeWorld();
    const va = toVa(w.model, 0xffffffffc0000000n);
    const leaf = map(w, va, 0x300, URWX);
    expect(w.allocated).toEqual([2, 3]);
    expect(readEntry(w.ram, w.model, 0x1000 + 511 * 8)).toEqual({ lo: 0x00000801, hi: 0 });
    expect(readEntry(w.ram, w.model, 0x2000)).toEqual({ lo: 0x00000c01, hi: 0 });
    expect(leaf).toBe(0x3000);
    expect(readEntry(w.ram, w.model, leaf)).toEqual({ lo: 0x000c001f, hi: 0 });
  });
});

describe('Sv39 walks: faults', () => {
  it('NOT_PRESENT at each of the three levels', () => {
    const w = makeWorld();
    expectFault(w, 0x1000, ACCESS_READ, true, FAULT_NOT_PRESENT, 0);
    expectFault(w, -1, ACCESS_EXEC, false, FAULT_NOT_PRESENT, 0);
    const leaf = map(w, vaOf(3, 4, 5), 0x300, URWX);
    expectFault(w, vaOf(4, 4, 5), ACCESS_READ, true, FAULT_NOT_PRESENT, 0);
    expectFault(w, vaOf(3, 5, 5), ACCESS_WRITE, true, FAULT_NOT_PRESENT, 1);
    expectFault(w, vaOf(3, 4, 6, 0x123), ACCESS_READ, false, FAULT_NOT_PRESENT, 2);
    writeEntry(w.ram, w.model, leaf, 0xfffffffe, 0xffffffff); // V clear: nothing else counts
    expectFault(w, vaOf(3, 4, 5), ACCESS_READ, true, FAULT_NOT_PRESENT, 2, leaf);
  });

  it('RESERVED: bits 63:54, W without R, D/A/U in a pointer, a pointer at the last level', () => {
    const w = makeWorld();
    const va = vaOf(3, 4, 5);
    const leaf = map(w, va, 0x300, URWX);
    const e = [0, 1, 2].map((l) => entryAt(w, va, l));
    const original = e.map((pa) => readEntry(w.ram, w.model, pa));
    const restore = () => e.forEach((pa, l) => writeEntry(w.ram, w.model, pa, original[l]!.lo, original[l]!.hi));
    expect(original.map((x) => x.lo)).toEqual([0x801, 0xc01, 0xc001f]);
    for (let level = 0; level < 3; level++) {
      for (let bit = 54; bit < 64; bit++) {
        writeEntry(w.ram, w.model, e[level]!, original[level]!.lo, 2 ** (bit - 32));
        expectFault(w, va, ACCESS_READ, true, FAULT_RESERVED, level, leaf);
        restore();
      }
      writeEntry(w.ram, w.model, e[level]!, (original[level]!.lo & ~0x3ff) | 0x5, 0); // V|W
      expectFault(w, va, ACCESS_READ, true, FAULT_RESERVED, level, leaf);
      restore();
    }
    for (const level of [0, 1]) {
      for (const bit of [0x10, 0x40, 0x80]) {
        writeEntry(w.ram, w.model, e[level]!, original[level]!.lo | bit, 0);
        expectFault(w, va, ACCESS_READ, true, FAULT_RESERVED, level, leaf);
        restore();
      }
      writeEntry(w.ram, w.model, e[level]!, original[level]!.lo | 0x320, 0); // G and RSW are fine
      expectPa(w, va + 7, ACCESS_READ, true, 0x300007);
      restore();
    }
    writeEntry(w.ram, w.model, leaf, 0x000c0001, 0); // a pointer where a leaf must be
    expectFault(w, va, ACCESS_READ, true, FAULT_RESERVED, 2, leaf);
    restore();
    // High-word bits 21:0 are PPN bits, not reserved ones: this leaf is fine, but its frame is far outside RAM.
    writeEntry(w.ram, w.model, leaf, 0x000c001f, 0x003fffff);
    expectFault(w, va, ACCESS_READ, true, FAULT_BUS, 2, leaf);
  });

  it('RESERVED for misaligned megapages and gigapages (checked before the rights, unlike the spec’s order)', () => {
    // The spec checks the rights (step 5) before alignment (step 6); both raise the same page fault, and
    // vmsim reports the malformed entry as RESERVED whatever the access.
    const w = makeWorld();
    map(w, vaOf(0, 0, 1), 0x300, URWX); // creates the tables at VPN[2]=0
    const l1 = entryAt(w, vaOf(0, 1, 0), 1);
    for (let bit = 0; bit < 9; bit++) {
      writeEntry(w.ram, w.model, l1, ((0x200 + 2 ** bit) * 1024 + 0x1f) >>> 0, 0);
      expectFault(w, vaOf(0, 1, 3), ACCESS_READ, true, FAULT_RESERVED, 1, l1);
      expectFault(w, vaOf(0, 1, 3), ACCESS_READ, false, FAULT_RESERVED, 1, l1); // no SUM: rights would fail too
    }
    writeEntry(w.ram, w.model, l1, 0x0008001f, 0);
    expectPa(w, vaOf(0, 1, 3, 9), ACCESS_READ, true, 0x203009);
    const l0 = 0x1000 + 2 * 8;
    for (const ppn of [0x200, 0x1, 0x20000, 0x40200]) {
      writeEntry(w.ram, w.model, l0, (ppn * 1024 + 0x1f) >>> 0, 0);
      expectFault(w, vaOf(2, 0, 0), ACCESS_EXEC, true, FAULT_RESERVED, 0, l0);
    }
    writeEntry(w.ram, w.model, l0, 0x0000001f, 0);
    expectPa(w, vaOf(2, 1, 2, 3), ACCESS_EXEC, true, 0x202003);
  });

  it('PROTECTION at the leaf: U, SUM, MXR, X, W', () => {
    const w = makeWorld();
    const user = map(w, 0x1000, 0x50, URWX);
    const sup = map(w, 0x2000, 0x51, PTE_V | PTE_R | PTE_W | PTE_X);
    const xo = map(w, 0x3000, 0x52, PTE_V | PTE_X | PTE_U);
    const ro = map(w, 0x4000, 0x53, PTE_V | PTE_R | PTE_U);
    expectFault(w, 0x2000, ACCESS_READ, true, FAULT_PROTECTION, 2, sup);
    expectFault(w, 0x1000, ACCESS_READ, false, FAULT_PROTECTION, 2, user); // no SUM
    expectFault(w, 0x1000, ACCESS_EXEC, false, FAULT_PROTECTION, 2, user);
    expectFault(w, 0x3000, ACCESS_READ, true, FAULT_PROTECTION, 2, xo); // no MXR
    expectFault(w, 0x4000, ACCESS_EXEC, true, FAULT_PROTECTION, 2, ro);
    expectFault(w, 0x4000, ACCESS_WRITE, true, FAULT_PROTECTION, 2, ro);
    w.mmu.setControl(0); // no WP switch on RISC-V
    expectFault(w, 0x4000, ACCESS_WRITE, false, FAULT_PROTECTION, 2, ro);
    w.mmu.setControl(CTL_SUM | CTL_MXR);
    expectPa(w, 0x1010, ACCESS_WRITE, false, 0x50010);
    expectFault(w, 0x1000, ACCESS_EXEC, false, FAULT_PROTECTION, 2); // SUM never allows execution
    expectPa(w, 0x3010, ACCESS_READ, true, 0x52010);
    expectPa(w, 0x2010, ACCESS_EXEC, false, 0x51010);
  });

  it('BUS for a root, a table or a frame outside RAM (4 MiB: frame 0x400 is the first outside)', () => {
    const w = makeWorld();
    const leaf = map(w, 0x1000, 0x400, URWX);
    map(w, 0x2000, 0x3ff, URWX);
    expectFault(w, 0x1000, ACCESS_READ, true, FAULT_BUS, 2, leaf);
    expectPa(w, 0x2fff, ACCESS_READ, true, 0x3fffff);
    writeEntry(w.ram, w.model, leaf, 0x0000001f, 0x1); // PPN 2^22: 16 GiB
    expectFault(w, 0x1000, ACCESS_WRITE, true, FAULT_BUS, 2, leaf);
    writeEntry(w.ram, w.model, 0x1000 + 2 * 8, 0x00100001, 0); // root entry → table at frame 0x400
    expectFault(w, vaOf(2, 0, 0), ACCESS_READ, true, FAULT_BUS, 1);
    writeEntry(w.ram, w.model, 0x1000 + 3 * 8, 0x00000001, 0x200000); // PPN 2^43
    expectFault(w, vaOf(3, 0, 0), ACCESS_READ, true, FAULT_BUS, 1);
    const l1 = entryAt(w, 0x1000, 1);
    writeEntry(w.ram, w.model, l1 + 8, 0x00100001, 0);
    expectFault(w, vaOf(0, 1, 0), ACCESS_READ, true, FAULT_BUS, 2);
    writeEntry(w.ram, w.model, l1 + 16, 0x0010001f, 0); // megapage at frame 0x400
    expectFault(w, vaOf(0, 2, 0), ACCESS_READ, true, FAULT_BUS, 1, l1 + 16);
    writeEntry(w.ram, w.model, 0x1000 + 4 * 8, 0x0000001f, 0); // gigapage at frame 0
    expectPa(w, vaOf(4, 1, 0x1ff, 0xfff), ACCESS_READ, true, 0x3fffff);
    expectFault(w, vaOf(4, 2, 0), ACCESS_READ, true, FAULT_BUS, 0, 0x1000 + 4 * 8);
    w.mmu.setRoot(0x400);
    expectFault(w, 0x1000, ACCESS_READ, true, FAULT_BUS, 0);
    w.mmu.setRoot(2 ** 44 - 1);
    expectFault(w, -1, ACCESS_READ, true, FAULT_BUS, 0);
  });
});

describe('Sv39 walks: sign-extended addresses', () => {
  /** Maps the pages a walker that ignored bits 63:39 would reach for the non-canonical addresses below. */
  function aliasWorld(): { w: World; leaves: number[] } {
    const w = makeWorld();
    const leaves = [
      map(w, -(2 ** 38), 0x300, URWX), // indices of 2^38
      map(w, 2 ** 38 - 4096, 0x301, URWX), // of -2^38 - 1
      map(w, 0, 0x302, URWX), // of 2^39, -2^39, 2^47, -2^47
      map(w, -4096, 0x303, URWX), // of 2^53 - 1
      map(w, -(2 ** 38) + 2 ** 32, 0x304, URWX), // of 2^38 + 2^32
    ];
    return { w, leaves };
  }

  const NON_CANONICAL = [
    2 ** 38, -(2 ** 38) - 1, toVa(sv39(), 0x0000004000000000n), toVa(sv39(), 0xffffffbfffffffffn), 2 ** 39, -(2 ** 39),
    2 ** 47, -(2 ** 47), toVa(sv39(), 0xffff800000000000n), 2 ** 38 + 2 ** 32, 2 ** 53 - 1, -(2 ** 53 - 1),
  ];

  it.each(NON_CANONICAL)('%d is not sign-extended from bit 38: a fault at level -1, no table read, no A bit', (va) => {
    const { w, leaves } = aliasWorld();
    const before = w.ram.bytes.slice();
    const walks = w.mmu.walks;
    expect(refWalk(w, va, ACCESS_READ, true, true)).toEqual({ ok: false, fault: FAULT_NON_CANONICAL, level: -1 });
    expect(w.mmu.translateNoSideEffects(va, ACCESS_READ, true)).toBe(-FAULT_NON_CANONICAL);
    expect([w.mmu.faultKind, w.mmu.faultLevel, w.mmu.faultVa]).toEqual([FAULT_NON_CANONICAL, -1, va]);
    for (const kind of [ACCESS_READ, ACCESS_WRITE, ACCESS_EXEC] as const) {
      for (const user of [true, false]) {
        w.mmu.faultVa = 0;
        expect(w.mmu.translate(va, kind, user)).toBe(-FAULT_NON_CANONICAL);
        expect({ kind: w.mmu.faultKind, level: w.mmu.faultLevel, va: w.mmu.faultVa, access: w.mmu.faultAccess, user: w.mmu.faultUser })
          .toEqual({ kind: FAULT_NON_CANONICAL, level: -1, va, access: kind, user });
      }
    }
    expect(w.mmu.load32(va)).toBe(-FAULT_NON_CANONICAL);
    expect(w.mmu.fetch32(va)).toBe(-FAULT_NON_CANONICAL);
    expect(w.mmu.store32(va, 1)).toBe(-FAULT_NON_CANONICAL);
    expect(w.mmu.status).toBe(-FAULT_NON_CANONICAL);
    expect(w.mmu.walks).toBe(walks);
    expect(w.mmu.tlb.occupancy).toBe(0);
    expect(firstDifference(w.ram.bytes, before)).toBe(-1);
    for (const leaf of leaves) expect(w.ram.read32(leaf) & 0xc0).toBe(0);
  });

  it('the aliases themselves translate, on both sides of the hole', () => {
    const { w } = aliasWorld();
    expectPa(w, -(2 ** 38), ACCESS_READ, true, 0x300000);
    expectPa(w, 2 ** 38 - 1, ACCESS_READ, true, 0x301fff);
    expectPa(w, -1, ACCESS_WRITE, true, 0x303fff);
    expectPa(w, -(2 ** 38) + 2 ** 32 + 0x44, ACCESS_EXEC, true, 0x304044);
  });

  it('upper-half loads and stores land in the mapped frame; a crossing store runs from -1 on to 0', () => {
    const { w } = aliasWorld();
    expect(w.mmu.store32(-(2 ** 38) + 0x40, 0xcafef00d)).toBe(0);
    expect(w.ram.read32(0x300040)).toBe(0xcafef00d);
    expect(w.mmu.load32(-(2 ** 38) + 0x40)).toBe(0xcafef00d);
    expect(w.mmu.store32(-2, 0xa1b2c3d4)).toBe(0);
    expect([w.ram.read8(0x303ffe), w.ram.read8(0x303fff), w.ram.read8(0x302000), w.ram.read8(0x302001)]).toEqual([0xd4, 0xc3, 0xb2, 0xa1]);
    expect(w.mmu.load32(-2)).toBe(0xa1b2c3d4);
    // Off the top of the lower half: faults at 2^38 and writes nothing.
    expect(w.mmu.store32(2 ** 38 - 2, 0x11223344)).toBe(-FAULT_NON_CANONICAL);
    expect(w.mmu.faultVa).toBe(2 ** 38);
    expect(w.ram.read32(0x301ffc)).toBe(0);
  });

  it('throws HwArgumentError for addresses that are not safe integers', () => {
    const { w } = aliasWorld();
    for (const va of [2 ** 53, -(2 ** 53), 0.5, Number.NaN, Infinity]) {
      expect(() => w.mmu.load32(va)).toThrow(HwArgumentError);
      expect(() => w.mmu.translateNoSideEffects(va, ACCESS_READ, true)).toThrow(HwArgumentError);
      expect(() => w.mmu.flushPage(va)).toThrow(HwArgumentError);
    }
  });
});

describe('Sv39 walks: Accessed and Dirty in the leaf only', () => {
  it.each(ENGINES)('%s: a read sets A in the leaf, a write D; pointers never change', (engine) => {
    const w = makeWorld();
    const va = vaOf(1, 2, 3);
    const leaf = map(w, va, 0x300, URWX);
    const e = [0, 1].map((l) => entryAt(w, va, l));
    expect(e.map((pa) => w.ram.read32(pa))).toEqual([0x801, 0xc01]);
    expect(access(w, engine, va + 0x10, ACCESS_READ, true)).toBe(0x300010);
    expect(w.ram.read32(leaf)).toBe(0x000c005f);
    expect(access(w, engine, va + 0x10, ACCESS_WRITE, true)).toBe(0x300010);
    expect(w.ram.read32(leaf)).toBe(0x000c00df);
    expect(e.map((pa) => w.ram.read32(pa))).toEqual([0x801, 0xc01]);
    for (const pa of [...e, leaf]) expect(w.ram.read32(pa + 4)).toBe(0);
  });

  it.each(ENGINES)('%s: an exec sets A only; a faulting access sets nothing', (engine) => {
    const w = makeWorld();
    const x = map(w, 0x1000, 0x300, PTE_V | PTE_X | PTE_U);
    expect(access(w, engine, 0x1000, ACCESS_EXEC, true)).toBe(0x300000);
    expect(w.ram.read32(x)).toBe(0x000c0059);
    expect(access(w, engine, 0x1000, ACCESS_WRITE, true)).toBe(-FAULT_PROTECTION);
    expect(w.ram.read32(x)).toBe(0x000c0059);
  });

  it.each(ENGINES)('%s: megapage and gigapage leaves get A and D', (engine) => {
    const w = makeWorld();
    const mega = map(w, vaOf(0, 1, 0), 0x200, URWX, 1);
    const giga = map(w, vaOf(1, 0, 0), 0, URWX, 0);
    expect([w.ram.read32(mega), w.ram.read32(giga)]).toEqual([0x0008001f, 0x0000001f]);
    expect(access(w, engine, vaOf(0, 1, 7, 4), ACCESS_READ, true)).toBe(0x207004);
    expect(w.ram.read32(mega)).toBe(0x0008005f);
    expect(access(w, engine, vaOf(0, 1, 7, 4), ACCESS_WRITE, true)).toBe(0x207004);
    expect(w.ram.read32(mega)).toBe(0x000800df);
    expect(access(w, engine, vaOf(1, 1, 0x100, 8), ACCESS_WRITE, true)).toBe(0x300008);
    expect(w.ram.read32(giga)).toBe(0x000000df);
    expect(w.ram.read32(0x1000)).toBe(0x801); // the root entry pointing to the megapage’s table
  });
});

describe('Sv39 walks: global pages', () => {
  it('G in a leaf makes a global TLB entry; G in a pointer at level 0 or 1 makes every page below it global', () => {
    const w = makeWorld();
    map(w, vaOf(0, 0, 1), 0x300, URWX | PTE_G);
    map(w, vaOf(0, 0, 2), 0x301, URWX);
    map(w, vaOf(1, 0, 1), 0x302, URWX);
    map(w, vaOf(2, 3, 1), 0x303, URWX);
    w.ram.write32(0x1000 + 8, w.ram.read32(0x1000 + 8) | 0x20); // root entry 1
    const l1 = entryAt(w, vaOf(2, 3, 1), 1);
    w.ram.write32(l1, w.ram.read32(l1) | 0x20);
    const globalOf = (va: number) => {
      const r = refWalk(w, va, ACCESS_READ, true, false);
      return r.ok && r.global;
    };
    expect([vaOf(0, 0, 1), vaOf(0, 0, 2), vaOf(1, 0, 1), vaOf(2, 3, 1)].map(globalOf)).toEqual([true, false, true, true]);
    for (const va of [vaOf(0, 0, 1), vaOf(0, 0, 2), vaOf(1, 0, 1), vaOf(2, 3, 1)]) w.mmu.load8(va);
    expect(w.mmu.tlb.validEntries().filter((e) => e.global).map((e) => e.vpn).sort((a, b) => a - b))
      .toEqual([vaOf(0, 0, 1) / 4096, vaOf(1, 0, 1) / 4096, vaOf(2, 3, 1) / 4096]);
  });
});

describe('Sv39 walks: megapages and gigapages', () => {
  it('a 2 MiB leaf maps 512 frames from its base, a 1 GiB leaf 2^18 (bounded by RAM); upper half too', () => {
    const w = makeWorld();
    const mega = toVa(w.model, 0xffffffffffe00000n); // the last 2 MiB
    const mLeaf = map(w, mega, 0x200, URWX, 1);
    expect(readEntry(w.ram, w.model, mLeaf)).toEqual({ lo: 0x0008001f, hi: 0 });
    expectPa(w, mega, ACCESS_READ, true, 0x200000);
    expectPa(w, mega + 0x12345, ACCESS_WRITE, true, 0x212345);
    expectPa(w, -1, ACCESS_EXEC, true, 0x3fffff);
    const giga = 2 ** 32; // VPN[2] = 4
    const gLeaf = map(w, giga, 0, URWX, 0);
    expect(gLeaf).toBe(0x1000 + 4 * 8);
    expectPa(w, giga + 0x3ffffc, ACCESS_READ, true, 0x3ffffc);
    expectFault(w, giga + 0x400000, ACCESS_READ, true, FAULT_BUS, 0, gLeaf);
    expectFault(w, giga + 2 ** 30 - 1, ACCESS_READ, true, FAULT_BUS, 0, gLeaf);
    expect(w.mmu.store32(-4, 0x600dcafe)).toBe(0);
    expect(w.mmu.load32(giga + 0x3ffffc)).toBe(0x600dcafe);
  });
});
