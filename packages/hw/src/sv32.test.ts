import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HwArgumentError } from './errors.js';
import {
  ACCESS_EXEC, ACCESS_READ, ACCESS_WRITE, CTL_MXR, CTL_SUM, CTL_WP, FAULT_BUS, FAULT_NOT_PRESENT, FAULT_PROTECTION,
  FAULT_RESERVED, PTE_A, PTE_CD, PTE_D, PTE_G, PTE_PAT, PTE_R, PTE_SW0, PTE_SW1, PTE_SW2, PTE_U, PTE_V, PTE_W, PTE_WT,
  PTE_X,
  type AccessKind, type HardwareModel,
} from './model.js';
import { POINTER_FLAGS, readEntry, writeEntry } from './page-table.js';
import {
  sv32, SV32_A, SV32_D, SV32_G, SV32_PPN_SHIFT, SV32_R, SV32_RSW_MASK, SV32_RSW_SHIFT, SV32_SATP_MODE, SV32_U, SV32_V,
  SV32_W, SV32_X,
} from './sv32.js';
import { expectArgumentError } from './testing/argument-errors.js';
import { access, ENGINES, expectPa, MIB, refWalk, walkHarness } from './testing/walk-harness.js';

describe('Sv32 model shape and raw constants (Privileged spec, Sv32)', () => {
  it('has the documented bit positions', () => {
    expect(SV32_V).toBe(0x001);
    expect(SV32_R).toBe(0x002);
    expect(SV32_W).toBe(0x004);
    expect(SV32_X).toBe(0x008);
    expect(SV32_U).toBe(0x010);
    expect(SV32_G).toBe(0x020);
    expect(SV32_A).toBe(0x040);
    expect(SV32_D).toBe(0x080);
    expect(SV32_RSW_SHIFT).toBe(8);
    expect(SV32_RSW_MASK).toBe(0x300);
    expect(SV32_PPN_SHIFT).toBe(10);
    expect(SV32_SATP_MODE).toBe(0x80000000);
  });

  it('is a 10|10|12 model with a 22-bit PPN, 9-bit ASIDs and 2 RSW bits', () => {
    const m = sv32();
    expect(m.name).toBe('sv32');
    expect(m.levels).toBe(2);
    expect(m.pageShift).toBe(12);
    expect(m.indexBits).toEqual([10, 10]);
    expect(m.entryBytes).toBe(4);
    expect(m.vaBits).toBe(32);
    expect(m.maxPfn).toBe(0x3fffff);
    expect(m.asidBits).toBe(9);
    expect(m.softwareBits).toBe(2);
    expect(m.permissionsAtEveryLevel).toBe(false);
    expect(m.accessedOnNonLeaf).toBe(false);
    expect(m.globalInherits).toBe(true);
    expect(m.rootWriteFlushesTlb).toBe(false);
    expect(m.rawAccessed).toBe(0x40);
    expect(m.rawDirty).toBe(0x80);
    expect(m.supportedFlags).toBe(PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_G | PTE_A | PTE_D | PTE_SW0 | PTE_SW1);
  });
});

describe('Sv32 PTE bits both ways', () => {
  const m = sv32();
  const bits: [number, number][] = [
    [0x001, PTE_V],
    [0x002, PTE_R],
    [0x004, PTE_W],
    [0x008, PTE_X],
    [0x010, PTE_U],
    [0x020, PTE_G],
    [0x040, PTE_A],
    [0x080, PTE_D],
    [0x100, PTE_SW0], // RSW bit 8
    [0x200, PTE_SW1], // RSW bit 9
  ];

  it.each(bits)('raw bit %d ⇄ flag %d', (raw, flag) => {
    for (const level of [0, 1]) expect(m.flags(raw, 0, level)).toBe(flag);
    // A leaf needs R (or X); add R so every bit can be encoded on its own.
    expect(m.encodeLo(0, PTE_R | flag, 1, true)).toBe(SV32_R | raw);
    expect(m.pfn(raw, 0, 1)).toBe(0);
  });

  it('every low bit at once, and the unsupported x86-only flags are dropped', () => {
    expect(m.flags(0x3ff, 0, 1)).toBe(m.supportedFlags);
    expect(m.encodeLo(0, m.supportedFlags, 1, true)).toBe(0x3ff);
    expect(m.encodeLo(0, PTE_V | PTE_R | PTE_WT | PTE_CD | PTE_PAT | PTE_SW2, 1, true)).toBe(0x003);
  });

  it('a user RW page for PPN 0x12345 is 0x048d1417 (PPN << 10 | D A G U X W R V)', () => {
    expect(m.encodeLo(0x12345, PTE_V | PTE_R | PTE_W | PTE_U, 1, true)).toBe(0x048d1417);
    expect(m.encodeLo(0x12345, PTE_V | PTE_R | PTE_W | PTE_X | PTE_U, 1, true)).toBe(0x048d141f);
    expect(m.flags(0x048d1417, 0, 1)).toBe(PTE_V | PTE_R | PTE_W | PTE_U);
    expect(m.pfn(0x048d1417, 0, 1)).toBe(0x12345);
    expect(m.encodeHi(0x12345, PTE_V | PTE_R, 1, true)).toBe(0);
  });

  it('PPN[0] is bits 19:10, PPN[1] bits 31:20: a 22-bit PPN, read unsigned', () => {
    expect(m.pfn(0x00000400, 0, 1)).toBe(0x1); // PPN[0] bit 0
    expect(m.pfn(0x000ffc00, 0, 1)).toBe(0x3ff); // all of PPN[0]
    expect(m.pfn(0x00100000, 0, 1)).toBe(0x400); // PPN[1] bit 0
    expect(m.pfn(0xfff00000, 0, 1)).toBe(0x3ffc00); // all of PPN[1]
    expect(m.pfn(0xfffffc00, 0, 1)).toBe(0x3fffff);
    expect(m.pfn(0xffffffff, 0, 1)).toBe(0x3fffff);
    expect(m.encodeLo(0x3fffff, PTE_V | PTE_R, 1, true)).toBe(0xfffffc03);
    expect(m.encodeLo(0x200000, PTE_V | PTE_X, 1, true)).toBe(0x80000009);
    for (let bit = 10; bit < 32; bit++) {
      const raw = (2 ** bit + 0x3) >>> 0;
      expect(m.pfn(raw, 0, 1)).toBe(2 ** (bit - 10));
      expect(m.encodeLo(2 ** (bit - 10), PTE_V | PTE_R, 1, true)).toBe(raw);
    }
  });

  it('pointers carry V and G (and RSW) only; R, W, X, U, A and D are not written', () => {
    expect(m.encodeLo(2, POINTER_FLAGS, 0, false)).toBe(0x00000801);
    expect(m.encodeLo(2, POINTER_FLAGS | PTE_G | PTE_A | PTE_D | PTE_SW0, 0, false)).toBe(0x00000921);
    expect(m.encodeLo(0x3fffff, PTE_V, 0, false)).toBe(0xfffffc01);
  });

  it('a megapage leaf at level 0', () => {
    expect(m.encodeLo(0x400, PTE_V | PTE_R | PTE_W | PTE_X, 0, true)).toBe(0x0010000f);
    expect(m.isLeaf(0x0010000f, 0, 0)).toBe(true);
    expect(m.isMalformed(0x0010000f, 0, 0)).toBe(false);
    expect(m.pfn(0x0010000f, 0, 0)).toBe(0x400);
  });
});

describe('Sv32 isValid / isLeaf / isMalformed', () => {
  const m = sv32();

  it('V decides validity', () => {
    expect(m.isValid(0x001, 0, 0)).toBe(true);
    expect(m.isValid(0x0fffffe, 0, 1)).toBe(false);
    expect(m.isValid(0xfffffffe, 0, 1)).toBe(false);
  });

  it('a leaf has R or X; R=W=X=0 is a pointer', () => {
    expect(m.isLeaf(0x003, 0, 1)).toBe(true); // R
    expect(m.isLeaf(0x009, 0, 1)).toBe(true); // X
    expect(m.isLeaf(0x00b, 0, 0)).toBe(true); // R X
    expect(m.isLeaf(0x001, 0, 0)).toBe(false);
    expect(m.isLeaf(0x0f1, 0, 0)).toBe(false); // U G A D do not make a leaf
    expect(m.isLeaf(0x005, 0, 1)).toBe(false); // W alone is not a leaf (and is reserved)
  });

  it.each([
    // [raw, level, malformed, why]
    [0x005, 1, true, 'W without R (leaf level)'],
    [0x005, 0, true, 'W without R (root level)'],
    [0x00d, 1, true, 'W without R, with X'],
    [0x0f5, 1, true, 'W without R, with U G A D'],
    [0x007, 1, false, 'R W'],
    [0x00f, 0, false, 'R W X megapage, aligned'],
    [0x00000403, 0, true, 'misaligned megapage (PPN[0] = 1)'],
    [0x000ffc09, 0, true, 'misaligned megapage (PPN[0] = 0x3ff)'],
    [0x00100009, 0, false, 'aligned megapage'],
    [0x00000403, 1, false, 'the same entry at the last level is a 4 KiB page'],
    [0x001, 1, true, 'pointer at the last level'],
    [0x021, 1, true, 'pointer (with G) at the last level'],
    [0x001, 0, false, 'pointer at the root'],
    [0x021, 0, false, 'pointer with G'],
    [0x301, 0, false, 'pointer with RSW'],
    [0x011, 0, true, 'pointer with U'],
    [0x041, 0, true, 'pointer with A'],
    [0x081, 0, true, 'pointer with D'],
    [0x0d3, 1, false, 'leaf with D A U'],
    [0x0d3, 0, false, 'megapage with D A U'],
  ] as [number, number, boolean, string][])('0x%s at level %d → %s (%s)', (raw, level, malformed) => {
    expect(m.isMalformed(raw, 0, level)).toBe(malformed);
  });
});

describe('Sv32 encode errors', () => {
  const m = sv32();

  it.each([0x400000, -1, 2.5, Number.NaN])('rejects pfn %s', (pfn) => {
    expect(expectArgumentError(() => m.encodeLo(pfn, PTE_V | PTE_R, 1, true), 'pfn').value).toBe(pfn);
  });

  it('rejects a leaf without R or X', () => {
    expectArgumentError(() => m.encodeLo(1, PTE_V, 1, true), 'flags');
    expectArgumentError(() => m.encodeLo(1, PTE_V | PTE_U | PTE_A | PTE_D, 1, true), 'flags');
    expectArgumentError(() => m.encodeLo(0x400, PTE_V, 0, true), 'flags');
  });

  it('rejects W without R, even with X', () => {
    expectArgumentError(() => m.encodeLo(1, PTE_V | PTE_W | PTE_X, 1, true), 'flags');
    expect(m.encodeLo(1, PTE_V | PTE_R | PTE_W | PTE_X, 1, true)).toBe(0x40f);
  });

  it('rejects a misaligned megapage', () => {
    expectArgumentError(() => m.encodeLo(0x401, PTE_V | PTE_R, 0, true), 'pfn');
    expectArgumentError(() => m.encodeLo(0x1, PTE_V | PTE_R, 0, true), 'pfn');
    for (let bit = 0; bit < 10; bit++) {
      expectArgumentError(() => m.encodeLo(0x400 | (1 << bit), PTE_V | PTE_R, 0, true), 'pfn');
      expect(m.isMalformed((((0x400 | (1 << bit)) << 10) | 0x3) >>> 0, 0, 0)).toBe(true);
    }
    expect(m.encodeLo(0x3ffc00, PTE_V | PTE_R, 0, true)).toBe(0xfff00003);
  });

  it('rejects a pointer at the last level and levels outside 0..1', () => {
    expectArgumentError(() => m.encodeLo(1, PTE_V, 1, false), 'level');
    expectArgumentError(() => m.encodeLo(1, PTE_V | PTE_R, 2, true), 'level');
    expectArgumentError(() => m.encodeLo(1, PTE_V, -1, false), 'level');
  });
});

describe('Sv32 round trip (property)', () => {
  /** A legal leaf: R or X present, and no W without R. */
  function legalLeaf(raw: number, m: HardwareModel): number {
    let flags = raw & m.supportedFlags;
    if ((flags & (PTE_R | PTE_X)) === 0) flags |= PTE_X;
    if ((flags & PTE_W) !== 0) flags |= PTE_R;
    return flags;
  }

  it('4 KiB leaves: pfn and flags survive encode → decode', () => {
    const m = sv32();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0x3fffff }), fc.integer({ min: 0, max: 0xffff }), (pfn, raw) => {
        const flags = legalLeaf(raw, m);
        const lo = m.encodeLo(pfn, flags, 1, true);
        expect(lo).toBeGreaterThanOrEqual(0);
        expect(lo).toBeLessThanOrEqual(0xffffffff);
        expect(m.pfn(lo, 0, 1)).toBe(pfn);
        expect(m.flags(lo, 0, 1)).toBe(flags);
        expect(m.isLeaf(lo, 0, 1)).toBe(true);
        expect(m.isMalformed(lo, 0, 1)).toBe(false);
        expect(m.isValid(lo, 0, 1)).toBe((flags & PTE_V) !== 0);
      }),
    );
  });

  it('megapages: pfn and flags survive encode → decode', () => {
    const m = sv32();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xfff }), fc.integer({ min: 0, max: 0xffff }), (ppn1, raw) => {
        const pfn = ppn1 * 1024;
        const flags = legalLeaf(raw, m);
        const lo = m.encodeLo(pfn, flags, 0, true);
        expect(m.pfn(lo, 0, 0)).toBe(pfn);
        expect(m.flags(lo, 0, 0)).toBe(flags);
        expect(m.isMalformed(lo, 0, 0)).toBe(false);
      }),
    );
  });

  it('pointers: pfn, V, G and RSW survive', () => {
    const m = sv32();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0x3fffff }), fc.integer({ min: 0, max: 0xffff }), (pfn, raw) => {
        const lo = m.encodeLo(pfn, raw, 0, false);
        expect(m.pfn(lo, 0, 0)).toBe(pfn);
        expect(m.flags(lo, 0, 0)).toBe(raw & (PTE_V | PTE_G | PTE_SW0 | PTE_SW1));
        expect(m.isLeaf(lo, 0, 0)).toBe(false);
        expect(m.isMalformed(lo, 0, 0)).toBe(false);
      }),
    );
  });
});

describe('Sv32 permits (U, SUM, MXR)', () => {
  const m = sv32();
  // What a page allows by its R/W/X bits alone, without and with MXR.
  const pages: Record<string, [flags: number, plain: string, mxr: string]> = {
    R: [PTE_R, 'r--', 'r--'],
    RW: [PTE_R | PTE_W, 'rw-', 'rw-'],
    X: [PTE_X, '--x', 'r-x'],
    RX: [PTE_R | PTE_X, 'r-x', 'r-x'],
    RWX: [PTE_R | PTE_W | PTE_X, 'rwx', 'rwx'],
  };
  // What the privilege may do on the page given its U bit and SUM.
  function privilegeMask(user: boolean, u: boolean, sum: boolean): string {
    if (user) return u ? 'rwx' : '---';
    if (!u) return 'rwx';
    return sum ? 'rw-' : '---'; // S-mode never executes U pages
  }

  const cases: [string, boolean, boolean, boolean, boolean, number, boolean][] = [];
  for (const [name, [, plain, mxrAllowed]] of Object.entries(pages)) {
    for (const user of [false, true]) {
      for (const u of [false, true]) {
        for (const sum of [false, true]) {
          for (const mxr of [false, true]) {
            const page = mxr ? mxrAllowed : plain;
            const mask = privilegeMask(user, u, sum);
            for (const [i, access] of [ACCESS_READ, ACCESS_WRITE, ACCESS_EXEC].entries()) {
              cases.push([name, user, u, sum, mxr, access, page[i] !== '-' && mask[i] !== '-']);
            }
          }
        }
      }
    }
  }

  it('covers 240 combinations', () => {
    expect(cases.length).toBe(5 * 2 * 2 * 2 * 2 * 3);
  });

  it.each(cases)('%s user=%s U=%s SUM=%s MXR=%s access %d → %s', (name, user, u, sum, mxr, access, expected) => {
    const flags = PTE_V | pages[name]![0] | (u ? PTE_U : 0) | PTE_A | PTE_D;
    const control = (sum ? CTL_SUM : 0) | (mxr ? CTL_MXR : 0);
    expect(m.permits(flags, access as AccessKind, user, control)).toBe(expected);
    // CTL_WP is an x86 bit and changes nothing here.
    expect(m.permits(flags, access as AccessKind, user, control | CTL_WP)).toBe(expected);
  });

  it('spot checks from the spec text', () => {
    const userPage = PTE_V | PTE_R | PTE_W | PTE_X | PTE_U;
    expect(m.permits(userPage, ACCESS_EXEC, false, CTL_SUM)).toBe(false);
    expect(m.permits(userPage, ACCESS_READ, false, 0)).toBe(false);
    expect(m.permits(userPage, ACCESS_READ, false, CTL_SUM)).toBe(true);
    expect(m.permits(PTE_V | PTE_X, ACCESS_READ, false, 0)).toBe(false);
    expect(m.permits(PTE_V | PTE_X, ACCESS_READ, false, CTL_MXR)).toBe(true);
    expect(m.permits(PTE_V | PTE_X | PTE_U, ACCESS_READ, true, CTL_MXR)).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Through the walker.

// Sv32 sets nothing on a faulting walk: no pointer A bits either.
const { makeWorld, map, expectFault } = walkHarness({
  model: sv32, ramBytes: MIB, leafLevel: 1, asid: 3, control: 0, faultMayWritePointers: false, checkFaultRecords: false,
});

const URWX = PTE_V | PTE_R | PTE_W | PTE_X | PTE_U;
const SRWX = PTE_V | PTE_R | PTE_W | PTE_X;

describe('Sv32 walks: faults', () => {
  it('NOT_PRESENT at level 0 and at level 1', () => {
    const w = makeWorld();
    expectFault(w, 0x00400000, ACCESS_READ, true, FAULT_NOT_PRESENT, 0);
    const leaf = map(w, 0x00401000, 0x50, URWX);
    expectFault(w, 0x00402000, ACCESS_WRITE, true, FAULT_NOT_PRESENT, 1);
    // V=0 with every other bit set is still invalid.
    writeEntry(w.ram, w.model, leaf, 0xfffffffe);
    expectFault(w, 0x00401000, ACCESS_READ, false, FAULT_NOT_PRESENT, 1, leaf);
  });

  it('PROTECTION: user on a supervisor page; supervisor on a user page without SUM, and never executing it', () => {
    const w = makeWorld();
    const sup = map(w, 0x1000, 0x50, SRWX);
    const usr = map(w, 0x2000, 0x51, URWX);
    const ro = map(w, 0x3000, 0x52, PTE_V | PTE_R | PTE_U);
    const xo = map(w, 0x4000, 0x53, PTE_V | PTE_X | PTE_U);
    expectFault(w, 0x1000, ACCESS_READ, true, FAULT_PROTECTION, 1, sup);
    expectPa(w, 0x1000, ACCESS_EXEC, false, 0x50000);
    expectFault(w, 0x2000, ACCESS_READ, false, FAULT_PROTECTION, 1, usr);
    expectFault(w, 0x2000, ACCESS_WRITE, false, FAULT_PROTECTION, 1, usr);
    expectFault(w, 0x2000, ACCESS_EXEC, false, FAULT_PROTECTION, 1, usr);
    expectPa(w, 0x2000, ACCESS_EXEC, true, 0x51000);
    expectFault(w, 0x3000, ACCESS_WRITE, true, FAULT_PROTECTION, 1, ro);
    expectFault(w, 0x3000, ACCESS_EXEC, true, FAULT_PROTECTION, 1, ro);
    expectFault(w, 0x4000, ACCESS_READ, true, FAULT_PROTECTION, 1, xo);

    w.mmu.setControl(CTL_SUM);
    expectPa(w, 0x2004, ACCESS_READ, false, 0x51004);
    expectPa(w, 0x2004, ACCESS_WRITE, false, 0x51004);
    expectFault(w, 0x2004, ACCESS_EXEC, false, FAULT_PROTECTION, 1);
    expectFault(w, 0x3000, ACCESS_WRITE, false, FAULT_PROTECTION, 1, ro);

    w.mmu.setControl(CTL_MXR);
    expectPa(w, 0x4008, ACCESS_READ, true, 0x53008);
    expectFault(w, 0x4008, ACCESS_WRITE, true, FAULT_PROTECTION, 1, xo);
    expectFault(w, 0x4008, ACCESS_READ, false, FAULT_PROTECTION, 1, xo); // U page, no SUM
  });

  it('rights come from the leaf alone', () => {
    const w = makeWorld();
    const leaf = map(w, 0x00401000, 0x50, PTE_V | PTE_R | PTE_W | PTE_U);
    // The pointer made by mapPage holds only V: no R/W/X/U for it to combine.
    expect(w.ram.read32(0x1004)).toBe(0x00000801);
    const ref = expectPa(w, 0x00401000, ACCESS_WRITE, true, 0x50000);
    expect(ref.flags).toBe(PTE_V | PTE_R | PTE_W | PTE_U);
    expect(ref.level).toBe(1);
    expect(ref.entryPa).toBe(leaf);
    // A G bit on the pointer changes globality, not rights.
    writeEntry(w.ram, w.model, 0x1004, 0x00000821);
    const ref2 = expectPa(w, 0x00401000, ACCESS_READ, true, 0x50000);
    expect(ref2.flags & (PTE_R | PTE_W | PTE_X | PTE_U)).toBe(PTE_R | PTE_W | PTE_U);
  });

  it('RESERVED: W without R at either level', () => {
    const w = makeWorld();
    const leaf = map(w, 0x00401000, 0x50, URWX);
    writeEntry(w.ram, w.model, leaf, (0x50 << 10) | 0x15); // V W U
    expectFault(w, 0x00401000, ACCESS_READ, true, FAULT_RESERVED, 1, leaf);
    writeEntry(w.ram, w.model, leaf, (0x50 << 10) | 0x1d); // V W X U
    expectFault(w, 0x00401000, ACCESS_EXEC, true, FAULT_RESERVED, 1, leaf);
    writeEntry(w.ram, w.model, 0x1000 + 2 * 4, 0x00000805); // V W at the root
    expectFault(w, 0x00800000, ACCESS_READ, false, FAULT_RESERVED, 0, 0x1008);
  });

  it('RESERVED: a misaligned megapage', () => {
    const w = makeWorld(sv32(), 8 * MIB);
    writeEntry(w.ram, w.model, 0x1000 + 2 * 4, (0x401 << 10) | 0x0f);
    expectFault(w, 0x00800000, ACCESS_READ, false, FAULT_RESERVED, 0, 0x1008);
    writeEntry(w.ram, w.model, 0x1000 + 2 * 4, (0x400 << 10) | 0x0f);
    expectPa(w, 0x00800000, ACCESS_READ, false, 0x00400000);
  });

  it('RESERVED: a pointer at the last level', () => {
    const w = makeWorld();
    const leaf = map(w, 0x00401000, 0x50, URWX);
    writeEntry(w.ram, w.model, leaf, (0x03 << 10) | 0x01); // V only: a pointer to frame 3
    expectFault(w, 0x00401000, ACCESS_READ, false, FAULT_RESERVED, 1, leaf);
    writeEntry(w.ram, w.model, leaf, (0x03 << 10) | 0x21);
    expectFault(w, 0x00401000, ACCESS_READ, false, FAULT_RESERVED, 1, leaf);
  });

  it.each([
    [0x10, 'U'],
    [0x40, 'A'],
    [0x80, 'D'],
  ])('RESERVED: a pointer with %s set', (bit) => {
    const w = makeWorld();
    map(w, 0x00401000, 0x50, URWX);
    expectPa(w, 0x00401000, ACCESS_READ, true, 0x50000);
    writeEntry(w.ram, w.model, 0x1004, 0x00000801 | bit);
    w.mmu.tlb.flushAll();
    expectFault(w, 0x00401000, ACCESS_READ, true, FAULT_RESERVED, 0, 0x1004);
  });

  it('BUS: a PPN beyond RAM (including above 4 GiB), a table beyond RAM, a root beyond RAM', () => {
    const w = makeWorld(); // 1 MiB
    const high = map(w, 0x1000, 0x3fffff, URWX); // the last 4 KiB of the 34-bit space
    const at4g = map(w, 0x2000, 0x100000, URWX); // exactly 4 GiB
    const past = map(w, 0x3000, 0x100, URWX); // the first frame past 1 MiB
    const last = map(w, 0x4000, 0xff, URWX); // the last frame in RAM
    expectFault(w, 0x1000, ACCESS_READ, true, FAULT_BUS, 1, high);
    expectFault(w, 0x2000, ACCESS_WRITE, true, FAULT_BUS, 1, at4g);
    expectFault(w, 0x3fff, ACCESS_READ, true, FAULT_BUS, 1, past);
    expectPa(w, 0x4fff, ACCESS_READ, true, 0xfffff);
    expect(w.ram.read32(last)).toBe((0xff << 10) | 0x5f);
    // Protection is checked before the frame: a forbidden access to a frame outside RAM is a page fault.
    expectFault(w, 0x1000, ACCESS_READ, false, FAULT_PROTECTION, 1, high);

    writeEntry(w.ram, w.model, 0x1000 + 4, (0x300000 << 10) | 0x01); // a pointer to a table at 12 GiB
    expectFault(w, 0x00400000, ACCESS_READ, true, FAULT_BUS, 1);
    w.mmu.setRoot(0x3fffff, 3);
    expectFault(w, 0x1000, ACCESS_READ, true, FAULT_BUS, 0);
  });
});

describe('Sv32 walks: A and D only in the leaf', () => {
  it.each(ENGINES)('%s: a read sets A in the leaf; a write sets D; pointers are never touched', (engine) => {
    const w = makeWorld();
    const leaf = map(w, 0x00401000, 0x50, URWX);
    expect(w.ram.read32(0x1004)).toBe(0x00000801);
    expect(w.ram.read32(leaf)).toBe(0x0001401f);
    expect(access(w, engine, 0x00401abc, ACCESS_READ, true)).toBe(0x50abc);
    expect(w.ram.read32(leaf)).toBe(0x0001405f);
    expect(w.ram.read32(0x1004)).toBe(0x00000801);
    expect(access(w, engine, 0x00401abc, ACCESS_WRITE, true)).toBe(0x50abc);
    expect(w.ram.read32(leaf)).toBe(0x000140df);
    expect(w.ram.read32(0x1004)).toBe(0x00000801);
  });

  it.each(ENGINES)('%s: a first write sets A and D together; a fetch sets A only', (engine) => {
    const w = makeWorld();
    const a = map(w, 0x1000, 0x50, URWX);
    const b = map(w, 0x2000, 0x51, PTE_V | PTE_X | PTE_U);
    expect(access(w, engine, 0x1000, ACCESS_WRITE, true)).toBe(0x50000);
    expect(w.ram.read32(a)).toBe(0x000140df);
    expect(access(w, engine, 0x2000, ACCESS_EXEC, true)).toBe(0x51000);
    expect(w.ram.read32(b)).toBe(0x00014459);
  });

  it.each(ENGINES)('%s: faulting accesses leave A/D alone', (engine) => {
    const w = makeWorld();
    const leaf = map(w, 0x1000, 0x50, PTE_V | PTE_R | PTE_U);
    expect(access(w, engine, 0x1000, ACCESS_WRITE, true)).toBe(-FAULT_PROTECTION);
    expect(access(w, engine, 0x1000, ACCESS_READ, false)).toBe(-FAULT_PROTECTION);
    expect(access(w, engine, 0x2000, ACCESS_READ, true)).toBe(-FAULT_NOT_PRESENT);
    expect(w.ram.read32(leaf)).toBe(0x00014013);
    expect(w.ram.read32(0x1000)).toBe(0x00000801);
  });

  it('side-effect-free walks change nothing', () => {
    const w = makeWorld();
    const leaf = map(w, 0x1000, 0x50, URWX);
    for (const kind of [ACCESS_READ, ACCESS_WRITE, ACCESS_EXEC] as const) {
      expect(w.mmu.translateNoSideEffects(0x1000, kind, true)).toBe(0x50000);
      const r = refWalk(w, 0x1000, kind, true, false);
      expect(r.ok && r.flags).toBe(URWX);
    }
    expect(w.ram.read32(leaf)).toBe(0x0001401f);
  });
});

describe('Sv32 walks: megapages', () => {
  it.each(ENGINES)('%s: a level-0 leaf maps 4 MiB; A/D are set in it', (engine) => {
    const w = makeWorld(sv32(), 8 * MIB);
    const pte = map(w, 0x00800000, 0x400, SRWX, 0);
    expect(pte).toBe(0x1008);
    expect(w.allocated).toEqual([]);
    expect(w.ram.read32(pte)).toBe(0x0010000f);
    const ref = refWalk(w, 0x00812345, ACCESS_READ, false, false);
    expect(ref).toEqual({ ok: true, pa: 0x00412345, pfn: 0x412, flags: SRWX, global: false, level: 0, entryPa: 0x1008 });
    expect(w.mmu.translateNoSideEffects(0x00812345, ACCESS_READ, false)).toBe(0x00412345);
    expect(access(w, engine, 0x00812345, ACCESS_READ, false)).toBe(0x00412345);
    expect(w.ram.read32(pte)).toBe(0x0010004f);
    expect(access(w, engine, 0x00bffffc, ACCESS_WRITE, false)).toBe(0x007ffffc);
    expect(w.ram.read32(pte)).toBe(0x001000cf);
    expectFault(w, 0x00800000, ACCESS_READ, true, FAULT_PROTECTION, 0, pte);
  });

  it('mapPage refuses a misaligned megapage and a 4 KiB mapping inside a megapage', () => {
    const w = makeWorld(sv32(), 8 * MIB);
    expect(() => map(w, 0x00800000, 0x401, SRWX, 0)).toThrow(HwArgumentError);
    map(w, 0x00800000, 0x400, SRWX, 0);
    expect(() => map(w, 0x00801000, 0x50, SRWX)).toThrow(HwArgumentError);
  });
});

describe('Sv32 walks: global inheritance', () => {
  it('a G bit in a pointer makes every page below it global; otherwise the leaf decides', () => {
    const w = makeWorld();
    map(w, 0x00401000, 0x50, URWX);
    map(w, 0x00802000, 0x51, URWX | PTE_G);
    map(w, 0x00c03000, 0x52, URWX);

    const plain = refWalk(w, 0x00401000, ACCESS_READ, true, false);
    expect(plain.ok && plain.global).toBe(false);
    const leafG = refWalk(w, 0x00802000, ACCESS_READ, true, false);
    expect(leafG.ok && leafG.global).toBe(true);

    writeEntry(w.ram, w.model, 0x1000 + 3 * 4, w.ram.read32(0x100c) | SV32_G);
    const inherited = refWalk(w, 0x00c03000, ACCESS_READ, true, false);
    expect(inherited.ok && inherited.global).toBe(true);
    // The leaf's own flags still have no G; globality comes from the pointer.
    expect(inherited.ok && inherited.flags & PTE_G).toBe(0);

    w.mmu.translate(0x00c03000, ACCESS_READ, true);
    w.mmu.translate(0x00401000, ACCESS_READ, true);
    const entries = w.mmu.tlb.validEntries();
    expect(entries.find((e) => e.vpn === 0xc03)?.global).toBe(true);
    expect(entries.find((e) => e.vpn === 0x401)?.global).toBe(false);
  });
});

describe('Sv32 root register (satp)', () => {
  const m = sv32();

  it('encodes MODE (bit 31) | ASID (30:22) | PPN (21:0)', () => {
    expect(m.encodeRoot(0x12345, 0x1ab)).toBe(0xeac12345n);
    expect(m.encodeRoot(0, 0)).toBe(0x80000000n);
    expect(m.encodeRoot(0x3fffff, 0x1ff)).toBe(0xffffffffn);
    expect(m.encodeRoot(1, 1)).toBe(0x80400001n);
  });

  it('rejects a PPN beyond 22 bits and an ASID beyond 9 bits', () => {
    expectArgumentError(() => m.encodeRoot(0x400000, 0), 'root pfn');
    expectArgumentError(() => m.encodeRoot(-1, 0), 'root pfn');
    expectArgumentError(() => m.encodeRoot(0, 0x200), 'asid');
    expectArgumentError(() => m.encodeRoot(0, -1), 'asid');
    expectArgumentError(() => m.encodeRoot(0, 1.5), 'asid');
  });

  it('decodes satp; Bare mode (MODE=0) and out-of-range values decode to null', () => {
    expect(m.decodeRoot(0xeac12345n)).toEqual({ rootPfn: 0x12345, asid: 0x1ab });
    expect(m.decodeRoot(0xffffffffn)).toEqual({ rootPfn: 0x3fffff, asid: 0x1ff });
    expect(m.decodeRoot(0x80000000n)).toEqual({ rootPfn: 0, asid: 0 });
    expect(m.decodeRoot(0n)).toBeNull();
    expect(m.decodeRoot(0x7fffffffn)).toBeNull();
    expect(m.decodeRoot(0x12345n)).toBeNull();
    expect(m.decodeRoot(-1n)).toBeNull();
    expect(m.decodeRoot(2n ** 32n)).toBeNull();
  });

  it('round-trips every ASID and random PPNs', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0x3fffff }), fc.integer({ min: 0, max: 0x1ff }), (ppn, asid) => {
        const satp = m.encodeRoot(ppn, asid);
        expect(satp >> 31n).toBe(1n);
        expect(m.decodeRoot(satp)).toEqual({ rootPfn: ppn, asid });
      }),
    );
  });

  it('the MMU’s root register is the encoded satp', () => {
    const w = makeWorld();
    w.mmu.setRoot(0x42, 0x17);
    expect(w.mmu.rootRegister()).toBe(0x85c00042n);
  });
});

describe('Sv32 entries in RAM', () => {
  it('mapPage writes the pointer and leaf exactly as the spec packs them', () => {
    const w = makeWorld();
    const leaf = map(w, 0xffc03000, 0x12345, PTE_V | PTE_R | PTE_W | PTE_U);
    expect(w.allocated).toEqual([2]);
    expect(readEntry(w.ram, w.model, 0x1000 + 0x3ff * 4)).toEqual({ lo: 0x00000801, hi: 0 });
    expect(leaf).toBe(0x2000 + 3 * 4);
    expect(readEntry(w.ram, w.model, leaf)).toEqual({ lo: 0x048d1417, hi: 0 });
  });
});
