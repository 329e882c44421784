// x86-64 4-level paging (Intel SDM Vol. 3A §4.5, Tables 4-15..4-20): entry bits both ways, reserved-bit rules,
// CR3, and walks through referenceWalk and the MMU (faults, canonical addresses, A/D, rights over four levels,
// 2 MiB and 1 GiB pages). Expected raw values are written out from the SDM's tables, never computed by the model.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HwArgumentError } from './errors.js';
import {
  ACCESS_EXEC, ACCESS_READ, ACCESS_WRITE, CTL_MXR, CTL_SUM, CTL_WP, FAULT_BUS, FAULT_NON_CANONICAL, FAULT_NOT_PRESENT,
  FAULT_PROTECTION, FAULT_RESERVED, levelIndex, levelSpanShift, PTE_A, PTE_CD, PTE_D, PTE_G, PTE_PAT, PTE_R, PTE_SW0,
  PTE_SW1, PTE_SW2, PTE_U, PTE_V, PTE_W, PTE_WT, PTE_X, toVa, validateModel, vaRange, vaToBigInt,
  type AccessKind,
} from './model.js';
import { Mmu } from './mmu.js';
import { POINTER_FLAGS, readEntry, writeEntry } from './page-table.js';
import { PhysicalMemory } from './physical-memory.js';
import {
  X64_A, X64_AVL_SHIFT, X64_D, X64_G, X64_HI_PKEY_MASK, X64_HI_XD, X64_LARGE_PAT, X64_P, X64_PCD, X64_PS, X64_PTE_PAT,
  X64_PWT, X64_RW, X64_US, x86_64, type X86_64Options,
} from './x86-64.js';
import { expectArgumentError } from './testing/argument-errors.js';
import { access, entryAt, ENGINES, expectPa, firstDifference, MIB, refWalk, ROOT, walkHarness, type World } from './testing/walk-harness.js';

/** P=1 with XD=0: valid, readable (x86 has no "R" bit) and executable. */
const PRESENT = PTE_V | PTE_R | PTE_X;
/** P=1 with XD=1 (NXE on). */
const PRESENT_NX = PTE_V | PTE_R;
/** High word with only bit 63 (XD) set. */
const XD = 0x80000000;
const URWX = PTE_V | PTE_R | PTE_W | PTE_X | PTE_U;

/** The canonical address with these PML4, PDPT, PD and PT indices and offset (negative in the upper half). */
function vaOf(pml4: number, pdpt: number, pd: number, pt: number, offset = 0): number {
  const n = pml4 * 2 ** 39 + pdpt * 2 ** 30 + pd * 2 ** 21 + pt * 2 ** 12 + offset;
  return n >= 2 ** 47 ? n - 2 ** 48 : n;
}

describe('x86-64 model shape and raw constants', () => {
  it('has the SDM bit positions (bits 0-8 as in 32-bit paging, PAT at 12 in large pages, XD at 63, PKEY 62:59)', () => {
    expect([X64_P, X64_RW, X64_US, X64_PWT, X64_PCD, X64_A, X64_D, X64_PS, X64_PTE_PAT, X64_G])
      .toEqual([0x1, 0x2, 0x4, 0x8, 0x10, 0x20, 0x40, 0x80, 0x80, 0x100]);
    expect(X64_AVL_SHIFT).toBe(9);
    expect(X64_LARGE_PAT).toBe(0x1000);
    expect(X64_HI_XD >>> 0).toBe(0x80000000);
    expect(X64_HI_PKEY_MASK).toBe(0x78000000);
  });

  it('is a 9|9|9|9|12 model with 8-byte entries, 48-bit sign-extended addresses and no ASIDs by default', () => {
    const m = x86_64();
    expect(m.name).toBe('x86-64');
    expect(m.levels).toBe(4);
    expect(m.pageShift).toBe(12);
    expect(m.indexBits).toEqual([9, 9, 9, 9]);
    expect(m.entryBytes).toBe(8);
    expect(m.vaBits).toBe(48);
    expect(m.signExtendedVa).toBe(true);
    expect(m.maxPfn).toBe(2 ** 28 - 1); // MAXPHYADDR 40
    expect(m.asidBits).toBe(0);
    expect(m.rootWriteFlushesTlb).toBe(true);
    expect(m.softwareBits).toBe(3);
    expect(m.permissionsAtEveryLevel).toBe(true);
    expect(m.accessedOnNonLeaf).toBe(true);
    expect(m.globalInherits).toBe(false);
    expect(m.rawAccessed).toBe(0x20);
    expect(m.rawDirty).toBe(0x40);
    expect(m.supportedFlags).toBe(
      PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_G | PTE_A | PTE_D | PTE_WT | PTE_CD | PTE_PAT | PTE_SW0 | PTE_SW1 | PTE_SW2,
    );
    expect(validateModel(m)).toBeNull();
    expect([0, 1, 2, 3].map((l) => levelSpanShift(m, l))).toEqual([39, 30, 21, 12]);
    expect(vaRange(m)).toEqual({ min: -(2 ** 47), end: 2 ** 47 });
  });

  it('with { pcid: true } has 12-bit ASIDs and CR3 loads keep the TLB', () => {
    const m = x86_64({ pcid: true });
    expect(m.asidBits).toBe(12);
    expect(m.rootWriteFlushesTlb).toBe(false);
    expect(x86_64({ pcid: false }).asidBits).toBe(0);
  });

  it('MAXPHYADDR (physBits) sets the largest frame and must be 32 to 52', () => {
    expect(x86_64({ physBits: 32 }).maxPfn).toBe(0xfffff);
    expect(x86_64({ physBits: 36 }).maxPfn).toBe(0xffffff);
    expect(x86_64({ physBits: 52 }).maxPfn).toBe(2 ** 40 - 1);
    for (const bad of [31, 53, 40.5, Number.NaN]) expectArgumentError(() => x86_64({ physBits: bad }), 'physBits');
  });
});

describe('x86-64 virtual addresses as numbers', () => {
  const m = x86_64();

  it('toVa turns canonical 64-bit addresses into numbers, the upper half negative', () => {
    expect(toVa(m, 0xffff800000000000n)).toBe(-(2 ** 47));
    expect(toVa(m, 0xffffffffffffffffn)).toBe(-1);
    expect(toVa(m, 0xffffffff80000000n)).toBe(-(2 ** 31));
    expect(toVa(m, 0x00007fffffffffffn)).toBe(2 ** 47 - 1);
    expect(toVa(m, 0n)).toBe(0);
    expect(toVa(m, 0x1234)).toBe(0x1234);
    // Non-canonical addresses keep their value (the MMU faults on them).
    expect(toVa(m, 0x0000800000000000n)).toBe(2 ** 47);
    expect(toVa(m, 0xffff7fffffffffffn)).toBe(-(2 ** 47) - 1);
    expect(toVa(m, 2n ** 53n - 1n)).toBe(2 ** 53 - 1);
  });

  it('toVa refuses what a number cannot hold exactly, and non-integers', () => {
    for (const bad of [2n ** 53n, -(2n ** 53n), 2n ** 64n, 0x8000000000000000n, 0xffe0000000000000n]) {
      expectArgumentError(() => toVa(m, bad), 'virtual address');
    }
    expectArgumentError(() => toVa(m, 1.5), 'virtual address');
    expectArgumentError(() => toVa(m, Number.NaN), 'virtual address');
  });

  it('vaToBigInt gives the 64-bit value back; round trip over the canonical range', () => {
    expect(vaToBigInt(-(2 ** 47))).toBe(0xffff800000000000n);
    expect(vaToBigInt(-1)).toBe(0xffffffffffffffffn);
    expect(vaToBigInt(2 ** 47 - 1)).toBe(0x00007fffffffffffn);
    fc.assert(fc.property(fc.integer({ min: -(2 ** 47), max: 2 ** 47 - 1 }), (va) => {
      const raw = vaToBigInt(va);
      expect(raw >> 47n === 0n || raw >> 47n === 0x1ffffn).toBe(true); // bits 63:47 all equal
      expect(toVa(m, raw)).toBe(va);
    }));
  });

  it('levelIndex splits upper-half addresses as the hardware splits their 64-bit value', () => {
    const idx = (va: number) => [0, 1, 2, 3].map((l) => levelIndex(m, va, l));
    expect(idx(-1)).toEqual([511, 511, 511, 511]);
    expect(idx(-(2 ** 47))).toEqual([256, 0, 0, 0]);
    expect(idx(toVa(m, 0xffffffff80000000n))).toEqual([511, 510, 0, 0]);
    expect(idx(toVa(m, 0x00007f123456789an))).toEqual([0xfe, 0x48, 0x1a2, 0x167]);
    fc.assert(fc.property(fc.integer({ min: -(2 ** 47), max: 2 ** 47 - 1 }), (va) => {
      const raw = vaToBigInt(va);
      expect(idx(va)).toEqual([39n, 30n, 21n, 12n].map((s) => Number((raw >> s) & 0x1ffn)));
    }));
  });
});

describe('x86-64 PTE (level 3, 4 KiB page): every raw bit both ways', () => {
  const m = x86_64();
  // [raw low-word bits besides P, model-independent flag]
  const bits: [number, number][] = [
    [0x002, PTE_W], // R/W
    [0x004, PTE_U], // U/S
    [0x008, PTE_WT], // PWT
    [0x010, PTE_CD], // PCD
    [0x020, PTE_A],
    [0x040, PTE_D],
    [0x080, PTE_PAT], // bit 7 of a PTE is PAT
    [0x100, PTE_G], // with CR4.PGE (the default)
    [0x200, PTE_SW0], // bits 11:9 ignored by the CPU
    [0x400, PTE_SW1],
    [0x800, PTE_SW2],
  ];

  it('P alone is valid, readable and executable (XD clear); it encodes to lo 0x1, hi 0', () => {
    expect(m.flags(0x1, 0, 3)).toBe(PRESENT);
    expect(m.isValid(0x1, 0, 3)).toBe(true);
    expect(m.isValid(0x0, 0, 3)).toBe(false);
    expect(m.isValid(0xfffffffe, 0xffffffff, 3)).toBe(false);
    expect(m.encodeLo(0, PRESENT, 3, true)).toBe(0x1);
    expect(m.encodeHi(0, PRESENT, 3, true)).toBe(0);
    expect(m.isMalformed(0x1, 0, 3)).toBe(false);
  });

  it.each(bits)('low-word bits %d ⇄ flag %d', (raw, flag) => {
    expect(m.flags(X64_P | raw, 0, 3)).toBe(PRESENT | flag);
    expect(m.encodeLo(0, PRESENT | flag, 3, true)).toBe(X64_P | raw);
    expect(m.encodeHi(0, PRESENT | flag, 3, true)).toBe(0);
    expect(m.encodeLo(0, flag | PTE_X, 3, true)).toBe(raw);
    expect(m.isMalformed(X64_P | raw, 0, 3)).toBe(false);
    expect(m.pfn(X64_P | raw, 0, 3)).toBe(0);
  });

  it('XD (bit 63 = high-word bit 31) takes execute away; a leaf without X gets it', () => {
    expect(m.flags(0x1, XD, 3)).toBe(PRESENT_NX);
    expect(m.flags(0x7, XD, 3)).toBe(PRESENT_NX | PTE_W | PTE_U);
    expect(m.isMalformed(0x1, XD, 3)).toBe(false);
    expect(m.pfn(0x1, XD, 3)).toBe(0);
    expect(m.encodeLo(0, PRESENT_NX, 3, true)).toBe(0x1);
    expect(m.encodeHi(0, PRESENT_NX, 3, true)).toBe(0x80000000);
    expect(m.encodeHi(0x12345, PTE_V | PTE_R | PTE_W | PTE_U, 3, true)).toBe(0x80000000);
  });

  it('with { nxe: false } nothing is execute-disabled and XD is a reserved bit at every level', () => {
    const noNx = x86_64({ nxe: false });
    expect(noNx.flags(0x1, 0, 3)).toBe(PRESENT);
    expect(noNx.flags(0x1, XD, 3)).toBe(PRESENT);
    expect(noNx.encodeHi(0, PRESENT_NX, 3, true)).toBe(0); // no XD written: it would be reserved
    for (let level = 0; level < 4; level++) {
      expect(noNx.isMalformed(0x1, XD, level)).toBe(true);
      expect(noNx.isMalformed(0x1, 0, level)).toBe(false);
      expect(m.isMalformed(0x1, XD, level)).toBe(false);
    }
  });

  it('all low-word attribute bits at once: 0xfff', () => {
    const all = PRESENT | PTE_W | PTE_U | PTE_WT | PTE_CD | PTE_A | PTE_D | PTE_PAT | PTE_G | PTE_SW0 | PTE_SW1 | PTE_SW2;
    expect(m.flags(0xfff, 0, 3)).toBe(all);
    expect(m.encodeLo(0, m.supportedFlags, 3, true)).toBe(0xfff);
    expect(m.encodeHi(0, m.supportedFlags, 3, true)).toBe(0);
  });

  it('a user RWX PTE for frame 0x12345 is lo 0x12345007, hi 0; frame 0xabcdef1 puts 0xab in the high word', () => {
    expect(m.encodeLo(0x12345, URWX, 3, true)).toBe(0x12345007);
    expect(m.encodeHi(0x12345, URWX, 3, true)).toBe(0);
    expect(m.flags(0x12345007, 0, 3)).toBe(URWX);
    expect(m.pfn(0x12345007, 0, 3)).toBe(0x12345);
    expect(m.encodeLo(0xabcdef1, URWX, 3, true)).toBe(0xcdef1007);
    expect(m.encodeHi(0xabcdef1, URWX, 3, true)).toBe(0xab);
    expect(m.encodeHi(0xabcdef1, PTE_V | PTE_R, 3, true)).toBe(0x800000ab);
    expect(m.pfn(0xcdef1007, 0xab, 3)).toBe(0xabcdef1);
    expect(m.pfn(0xcdef1007, 0x800000ab, 3)).toBe(0xabcdef1);
  });

  it('address bits 39:12 each carry one frame bit (MAXPHYADDR 40), in whichever word holds them', () => {
    for (let bit = 12; bit < 40; bit++) {
      const lo = bit < 32 ? (2 ** bit + 1) >>> 0 : 1;
      const hi = bit < 32 ? 0 : 2 ** (bit - 32);
      expect(m.pfn(lo, hi, 3)).toBe(2 ** (bit - 12));
      expect(m.flags(lo, hi, 3)).toBe(PRESENT);
      expect(m.isMalformed(lo, hi, 3)).toBe(false);
      expect([m.encodeLo(2 ** (bit - 12), PRESENT, 3, true), m.encodeHi(2 ** (bit - 12), PRESENT, 3, true)]).toEqual([lo, hi]);
    }
  });

  it('bits 51:M are reserved at every level (M = physBits); below M they are address bits', () => {
    for (let bit = 32; bit <= 51; bit++) {
      const hi = 2 ** (bit - 32);
      for (let level = 0; level < 4; level++) {
        expect(m.isMalformed(0x1, hi, level), `bit ${bit}, M=40, level ${level}`).toBe(bit >= 40);
        expect(x86_64({ physBits: 52 }).isMalformed(0x1, hi, level)).toBe(false);
        expect(x86_64({ physBits: 32 }).isMalformed(0x1, hi, level)).toBe(true);
        expect(x86_64({ physBits: 36 }).isMalformed(0x1, hi, level)).toBe(bit >= 36);
      }
      expect(x86_64({ physBits: 52 }).pfn(0x1, hi, 3)).toBe(2 ** (bit - 12));
    }
    // The whole reserved field at once, M = 40: high-word bits 19:8.
    expect(m.isMalformed(0x1, 0x000fff00, 3)).toBe(true);
    expect(m.isMalformed(0x1, 0x000000ff, 3)).toBe(false);
  });

  it('bits 58:52 (ignored) and 62:59 (protection key, CR4.PKE off) change nothing at any level', () => {
    for (let bit = 52; bit <= 62; bit++) {
      const hi = 2 ** (bit - 32);
      for (let level = 0; level < 4; level++) {
        expect(m.isMalformed(0x1, hi, level)).toBe(false);
        expect(m.flags(0x1, hi, level)).toBe(PRESENT);
        expect(m.pfn(0x1, hi, level)).toBe(0);
      }
    }
    expect(m.flags(0x1, X64_HI_PKEY_MASK | 0x07f00000, 3)).toBe(PRESENT);
  });

  it('G counts only with CR4.PGE ({ pge: false } ignores bit 8, but still stores it)', () => {
    const noPge = x86_64({ pge: false });
    expect(noPge.flags(0x101, 0, 3)).toBe(PRESENT);
    expect(m.flags(0x101, 0, 3)).toBe(PRESENT | PTE_G);
    expect(noPge.encodeLo(0, PRESENT | PTE_G, 3, true)).toBe(0x101);
  });
});

describe('x86-64 PDPTE and PDE (levels 1 and 2)', () => {
  const m = x86_64();

  it.each([1, 2])('level %d pointer: P, R/W, U/S, PWT, PCD, A, AVL decode; D (6), G (8) are ignored; bit 12 is address', (level) => {
    expect(m.flags(0x00002007, 0, level)).toBe(PRESENT | PTE_W | PTE_U);
    expect(m.flags(0x00002009, 0, level)).toBe(PRESENT | PTE_WT);
    expect(m.flags(0x00002011, 0, level)).toBe(PRESENT | PTE_CD);
    expect(m.flags(0x00002021, 0, level)).toBe(PRESENT | PTE_A);
    expect(m.flags(0x00002041, 0, level)).toBe(PRESENT);
    expect(m.flags(0x00002101, 0, level)).toBe(PRESENT);
    expect(m.flags(0x00002e01, 0, level)).toBe(PRESENT | PTE_SW0 | PTE_SW1 | PTE_SW2);
    expect(m.flags(0x00002001, XD, level)).toBe(PRESENT_NX);
    expect(m.isLeaf(0x00002007, 0, level)).toBe(false);
    expect(m.pfn(0x00003001, 0, level)).toBe(3);
    expect(m.pfn(0xfffff001, 0xff, level)).toBe(0xfffffff);
    // Bits 29:13 are address bits in a pointer, never reserved.
    expect(m.isMalformed(0x3fffe001, 0, level)).toBe(false);
  });

  it.each([0, 1, 2])('level %d pointer encoding: lo 0x12345027 for V|W|U|A, D/G/PAT dropped, XD when not X', (level) => {
    expect(m.encodeLo(0x12345, URWX | PTE_A, level, false)).toBe(0x12345027);
    expect(m.encodeLo(0x12345, URWX | PTE_A | PTE_D | PTE_G | PTE_PAT, level, false)).toBe(0x12345027);
    expect(m.encodeHi(0x12345, URWX, level, false)).toBe(0);
    expect(m.encodeHi(0x12345, PTE_V | PTE_R | PTE_W | PTE_U, level, false)).toBe(0x80000000);
    expect(m.encodeLo(7, PTE_V | PTE_WT | PTE_CD | PTE_SW1, level, false)).toBe(0x00007419);
    expect(m.encodeLo(7, POINTER_FLAGS, level, false)).toBe(0x00007007);
  });

  it('a 2 MiB PDE (PS=1): D 6, G 8, PAT 12, frame in 39:21; bits 20:13 reserved', () => {
    expect(m.isLeaf(0x00200081, 0, 2)).toBe(true);
    expect(m.flags(0x00200081, 0, 2)).toBe(PRESENT); // bit 7 is PS here, not PAT
    expect(m.flags(0x002000c1, 0, 2)).toBe(PRESENT | PTE_D);
    expect(m.flags(0x00200181, 0, 2)).toBe(PRESENT | PTE_G);
    expect(m.flags(0x00201081, 0, 2)).toBe(PRESENT | PTE_PAT);
    expect(m.flags(0x00201fff, 0, 2)).toBe(
      PRESENT | PTE_W | PTE_U | PTE_WT | PTE_CD | PTE_A | PTE_D | PTE_G | PTE_PAT | PTE_SW0 | PTE_SW1 | PTE_SW2,
    );
    expect(m.pfn(0x00201081, 0, 2)).toBe(0x200); // PAT is not a frame bit
    expect(m.pfn(0x00201081, 0xab, 2)).toBe(0xab00200);
    expect(m.pfn(0x00600081, 0, 2)).toBe(0x600); // bit 21 is address
    expect(m.encodeLo(0x200, PTE_V | PTE_W, 2, true)).toBe(0x00200083);
    expect(m.encodeLo(0x200, PTE_V | PTE_PAT, 2, true)).toBe(0x00201081);
    expect(m.encodeLo(0x200, PTE_V | PTE_D | PTE_G, 2, true)).toBe(0x002001c1);
    expect(m.encodeLo(0x200, m.supportedFlags, 2, true)).toBe(0x00201fff);
    expect(m.encodeLo(0xab00200, URWX, 2, true)).toBe(0x00200087);
    expect(m.encodeHi(0xab00200, URWX, 2, true)).toBe(0xab);
    for (let bit = 13; bit <= 20; bit++) {
      expect(m.isMalformed((0x00200081 | (1 << bit)) >>> 0, 0, 2), `bit ${bit}`).toBe(true);
      // The same bit in a pointer PDE or in a PTE is an address bit.
      expect(m.isMalformed((0x00200001 | (1 << bit)) >>> 0, 0, 2)).toBe(false);
      expect(m.isMalformed((0x00200081 | (1 << bit)) >>> 0, 0, 3)).toBe(false);
    }
    expect(m.isMalformed(0x00201081, 0, 2)).toBe(false);
    expect(m.isMalformed(0xffe00081, 0xff, 2)).toBe(false);
  });

  it('a 1 GiB PDPTE (PS=1): frame in 39:30; bits 29:13 reserved; PAT at 12', () => {
    expect(m.isLeaf(0x40000081, 0, 1)).toBe(true);
    expect(m.flags(0x40000081, 0, 1)).toBe(PRESENT);
    expect(m.flags(0x400000c1, 0, 1)).toBe(PRESENT | PTE_D);
    expect(m.flags(0x40000181, 0, 1)).toBe(PRESENT | PTE_G);
    expect(m.flags(0x40001081, 0, 1)).toBe(PRESENT | PTE_PAT);
    expect(m.pfn(0x40001081, 0, 1)).toBe(0x40000);
    expect(m.pfn(0xc0000081, 0x3, 1)).toBe(0x3c0000);
    expect(m.encodeLo(0x40000, PTE_V | PTE_W | PTE_U, 1, true)).toBe(0x40000087);
    expect(m.encodeLo(0x3c0000, PTE_V, 1, true)).toBe(0xc0000081);
    expect(m.encodeHi(0x3c0000, PTE_V, 1, true)).toBe(0x80000003);
    expect(m.encodeLo(0x40000, PTE_V | PTE_PAT | PTE_D, 1, true)).toBe(0x400010c1);
    for (let bit = 13; bit <= 29; bit++) {
      expect(m.isMalformed((0x40000081 | (1 << bit)) >>> 0, 0, 1), `bit ${bit}`).toBe(true);
      expect(m.isMalformed((0x40000001 | (1 << bit)) >>> 0, 0, 1)).toBe(false);
    }
    expect(m.isMalformed(0xc0001081, 0xff, 1)).toBe(false);
  });
});

describe('x86-64 PML4E (level 0)', () => {
  const m = x86_64();

  it('PS (bit 7) is reserved: the entry is malformed, never a leaf', () => {
    expect(m.isMalformed(0x00002081, 0, 0)).toBe(true);
    expect(m.isLeaf(0x00002081, 0, 0)).toBe(false);
    expect(m.isMalformed(0x00002001, 0, 0)).toBe(false);
  });

  it('D (bit 6) and G (bit 8) are ignored; bit 12 is address', () => {
    expect(m.flags(0x00001141, 0, 0)).toBe(PRESENT);
    expect(m.pfn(0x00001141, 0, 0)).toBe(1);
    expect(m.flags(0x00002027, 0, 0)).toBe(PRESENT | PTE_W | PTE_U | PTE_A);
  });
});

describe('x86-64 isValid, isLeaf and isMalformed at every level', () => {
  const m = x86_64();
  // [lo, hi, level, valid, leaf, malformed]
  const table: [number, number, number, boolean, boolean, boolean][] = [
    [0x00000000, 0, 0, false, false, false],
    [0x00002007, 0, 0, true, false, false],
    [0x00002087, 0, 0, true, false, true], // PS in a PML4E
    [0x00002007, 0x100, 0, true, false, true], // bit 40
    [0x00002007, 0, 1, true, false, false],
    [0x40000087, 0, 1, true, true, false],
    [0x40002087, 0, 1, true, true, true], // bit 13 of a 1 GiB page
    [0x00002007, 0x80000, 1, true, false, true], // bit 51
    [0x00002007, 0, 2, true, false, false],
    [0x00200087, 0, 2, true, true, false],
    [0x00202087, 0, 2, true, true, true], // bit 13 of a 2 MiB page
    [0x00300087, 0, 2, true, true, true], // bit 20 of a 2 MiB page
    [0x00400087, 0, 2, true, true, false], // bit 22: address
    [0x00002007, 0, 3, true, true, false],
    [0x00002087, 0, 3, true, true, false], // PAT in a PTE
    [0x00000000, 0, 3, false, true, false], // a PTE is a leaf, present or not
    [0xfffffffe, 0xffffffff, 3, false, true, true], // not present: the walker never asks
  ];
  it.each(table)('lo %d hi %d at level %d: valid %s, leaf %s, malformed %s', (lo, hi, level, valid, leaf, malformed) => {
    expect(m.isValid(lo, hi, level)).toBe(valid);
    expect(m.isLeaf(lo, hi, level)).toBe(leaf);
    expect(m.isMalformed(lo, hi, level)).toBe(malformed);
  });
});

describe('x86-64 encode errors', () => {
  const m = x86_64();
  const encoders = (pfn: number, flags: number, level: number, leaf: boolean): (() => number)[] => [
    () => m.encodeLo(pfn, flags, level, leaf),
    () => m.encodeHi(pfn, flags, level, leaf),
  ];

  it.each([2 ** 28, -1, 1.5, Number.NaN, Infinity])('rejects pfn %s (MAXPHYADDR 40)', (pfn) => {
    for (const encode of encoders(pfn, PTE_V, 3, true)) expect(expectArgumentError(encode, 'pfn').value).toBe(pfn);
  });

  it('accepts frames up to MAXPHYADDR', () => {
    expect(m.encodeLo(2 ** 28 - 1, PRESENT, 3, true)).toBe(0xfffff001);
    expect(m.encodeHi(2 ** 28 - 1, PRESENT, 3, true)).toBe(0xff);
    const wide = x86_64({ physBits: 52 });
    expect(wide.encodeHi(2 ** 40 - 1, PRESENT, 3, true)).toBe(0xfffff);
    expectArgumentError(() => wide.encodeLo(2 ** 40, PRESENT, 3, true), 'pfn');
    expectArgumentError(() => x86_64({ physBits: 32 }).encodeLo(0x100000, PRESENT, 3, true), 'pfn');
  });

  it('rejects levels outside 0..3, a leaf PML4E and a PTE that is not a leaf', () => {
    for (const level of [-1, 4, 1.5]) for (const encode of encoders(1, PTE_V, level, false)) expectArgumentError(encode, 'level');
    for (const encode of encoders(0, PTE_V, 0, true)) expectArgumentError(encode, 'level');
    for (const encode of encoders(1, PTE_V, 3, false)) expectArgumentError(encode, 'level');
  });

  it('rejects a misaligned 1 GiB or 2 MiB page', () => {
    for (let bit = 0; bit < 18; bit++) for (const encode of encoders(0x40000 + 2 ** bit, PTE_V, 1, true)) expectArgumentError(encode, 'pfn');
    for (let bit = 0; bit < 9; bit++) for (const encode of encoders(0x200 + 2 ** bit, PTE_V, 2, true)) expectArgumentError(encode, 'pfn');
    expect(m.encodeLo(0x80000, PRESENT, 1, true)).toBe(0x80000081);
    expect(m.encodeLo(0x400, PRESENT, 2, true)).toBe(0x00400081);
    // A pointer at those levels may point anywhere.
    expect(m.encodeLo(0x201, PRESENT, 2, false)).toBe(0x00201001);
  });
});

describe('x86-64 round trips (property)', () => {
  const VARIANTS: [string, X86_64Options][] = [
    ['defaults', {}],
    ['nxe off', { nxe: false }],
    ['pge off', { pge: false }],
    ['physBits 52, pcid', { physBits: 52, pcid: true }],
  ];
  // [level, leaf, frames per entry]
  const SHAPES: [number, boolean, number][] = [
    [3, true, 1], [2, true, 2 ** 9], [1, true, 2 ** 18], [0, false, 1], [1, false, 1], [2, false, 1],
  ];

  /** The flags decoding gives back for `flags` encoded at this shape. */
  function decoded(flags: number, leaf: boolean, options: X86_64Options): number {
    let f = flags;
    if (!leaf) f &= ~(PTE_D | PTE_G | PTE_PAT);
    if (options.pge === false) f &= ~PTE_G;
    if ((f & PTE_V) === 0) return f & ~(PTE_R | PTE_X);
    f |= PTE_R;
    if (options.nxe === false) f |= PTE_X;
    return f;
  }

  for (const [name, options] of VARIANTS) {
    it.each(SHAPES)(`${name}: level %d, leaf %s: pfn and flags survive encode → decode → encode`, (level, leaf, align) => {
      const m = x86_64(options);
      fc.assert(
        fc.property(fc.integer({ min: 0, max: Math.floor(m.maxPfn / align) }), fc.integer({ min: 0, max: 0x3fff }), (big, raw) => {
          const pfn = big * align;
          const flags = raw & m.supportedFlags;
          const lo = m.encodeLo(pfn, flags, level, leaf);
          const hi = m.encodeHi(pfn, flags, level, leaf);
          expect(Number.isInteger(lo) && lo >= 0 && lo <= 0xffffffff).toBe(true);
          expect(Number.isInteger(hi) && hi >= 0 && hi <= 0xffffffff).toBe(true);
          expect(m.pfn(lo, hi, level)).toBe(pfn);
          expect(m.isValid(lo, hi, level)).toBe((flags & PTE_V) !== 0);
          expect(m.isLeaf(lo, hi, level)).toBe(leaf);
          expect(m.isMalformed(lo, hi, level)).toBe(false);
          expect(m.flags(lo, hi, level)).toBe(decoded(flags, leaf, options));
          // XD is bit 63 exactly when NXE is on and X was not asked for.
          expect(hi >>> 31).toBe(options.nxe !== false && (flags & PTE_X) === 0 ? 1 : 0);
          if ((flags & PTE_V) !== 0 && options.pge !== false) {
            const again = m.flags(lo, hi, level);
            expect([m.encodeLo(pfn, again, level, leaf), m.encodeHi(pfn, again, level, leaf)]).toEqual([lo, hi]);
          }
        }),
        { numRuns: 200 },
      );
    });
  }
});

describe('x86-64 permits (SDM §4.6; no SMEP/SMAP, so SUM and MXR change nothing)', () => {
  const m = x86_64();
  // Allowed accesses ('r', 'w', 'x') per privilege and CR0.WP, for the page's U/S, R/W and (not) XD bits.
  const table: Record<'user' | 'supervisor', Record<'wp' | 'nowp', Record<string, string>>> = {
    user: {
      wp: { U0W0X0: '---', U0W0X1: '---', U0W1X0: '---', U0W1X1: '---', U1W0X0: 'r--', U1W0X1: 'r-x', U1W1X0: 'rw-', U1W1X1: 'rwx' },
      nowp: { U0W0X0: '---', U0W0X1: '---', U0W1X0: '---', U0W1X1: '---', U1W0X0: 'r--', U1W0X1: 'r-x', U1W1X0: 'rw-', U1W1X1: 'rwx' },
    },
    supervisor: {
      wp: { U0W0X0: 'r--', U0W0X1: 'r-x', U0W1X0: 'rw-', U0W1X1: 'rwx', U1W0X0: 'r--', U1W0X1: 'r-x', U1W1X0: 'rw-', U1W1X1: 'rwx' },
      nowp: { U0W0X0: 'rw-', U0W0X1: 'rwx', U0W1X0: 'rw-', U0W1X1: 'rwx', U1W0X0: 'rw-', U1W0X1: 'rwx', U1W1X0: 'rw-', U1W1X1: 'rwx' },
    },
  };
  const cases: [string, string, string, string][] = [];
  for (const priv of ['user', 'supervisor'] as const) {
    for (const wp of ['wp', 'nowp'] as const) {
      for (const [key, expected] of Object.entries(table[priv][wp])) cases.push([priv, wp, key, expected]);
    }
  }
  const rights = (permits: (a: AccessKind) => boolean): string =>
    [ACCESS_READ, ACCESS_WRITE, ACCESS_EXEC].map((a) => (permits(a as AccessKind) ? 'rwx'[a] : '-')).join('');

  it.each(cases)('%s %s %s → %s', (priv, wp, key, expected) => {
    const [u, w, x] = [key[1] === '1', key[3] === '1', key[5] === '1'];
    const user = priv === 'user';
    const flags = PTE_V | PTE_R | (u ? PTE_U : 0) | (w ? PTE_W : 0) | (x ? PTE_X : 0);
    const lo = X64_P | (u ? X64_US : 0) | (w ? X64_RW : 0);
    const hi = x ? 0 : XD;
    for (const extra of [0, CTL_SUM, CTL_MXR, CTL_SUM | CTL_MXR]) {
      const control = (wp === 'wp' ? CTL_WP : 0) | extra;
      expect(rights((a) => m.permits(flags, a, user, control))).toBe(expected);
      expect(rights((a) => m.permits(m.flags(lo, hi, 3), a, user, control))).toBe(expected);
    }
  });
});

describe('x86-64 root register (CR3)', () => {
  it('without PCID: CR3 = frame << 12; an ASID is refused; PWT/PCD and other low bits decode to ASID 0', () => {
    const m = x86_64();
    expect(m.encodeRoot(0x12345, 0)).toBe(0x12345000n);
    expect(m.encodeRoot(2 ** 28 - 1, 0)).toBe(0xfffffff000n);
    expectArgumentError(() => m.encodeRoot(1, 1), 'asid');
    expectArgumentError(() => m.encodeRoot(2 ** 28, 0), 'root pfn');
    expectArgumentError(() => m.encodeRoot(-1, 0), 'root pfn');
    expectArgumentError(() => m.encodeRoot(1.5, 0), 'root pfn');
    expect(m.decodeRoot(0x12345000n)).toEqual({ rootPfn: 0x12345, asid: 0 });
    expect(m.decodeRoot(0x12345018n)).toEqual({ rootPfn: 0x12345, asid: 0 });
    expect(m.decodeRoot(0xfffffffff8n)).toEqual({ rootPfn: 0xfffffff, asid: 0 });
  });

  it('with PCID: CR3 bits 11:0 are the PCID (12 bits)', () => {
    const m = x86_64({ pcid: true });
    expect(m.encodeRoot(0x12345, 0xabc)).toBe(0x12345abcn);
    expect(m.encodeRoot(0x12345, 0xfff)).toBe(0x12345fffn);
    expectArgumentError(() => m.encodeRoot(0x12345, 0x1000), 'asid');
    expectArgumentError(() => m.encodeRoot(0x12345, -1), 'asid');
    expect(m.decodeRoot(0x12345abcn)).toEqual({ rootPfn: 0x12345, asid: 0xabc });
    expect(m.decodeRoot(0x12345000n)).toEqual({ rootPfn: 0x12345, asid: 0 });
  });

  it('refuses registers with bits at or above MAXPHYADDR, and negative ones', () => {
    for (const m of [x86_64(), x86_64({ pcid: true })]) {
      expect(m.decodeRoot(2n ** 40n)).toBeNull();
      expect(m.decodeRoot((1n << 63n) | 0x1000n)).toBeNull();
      expect(m.decodeRoot(-1n)).toBeNull();
    }
    expect(x86_64({ physBits: 52 }).decodeRoot(2n ** 40n)).toEqual({ rootPfn: 2 ** 28, asid: 0 });
    expect(x86_64({ physBits: 52 }).encodeRoot(2 ** 40 - 1, 0)).toBe(0xffffffffff000n);
  });

  it('the MMU’s root register is the encoded CR3', () => {
    const mmu = new Mmu(new PhysicalMemory(MIB), x86_64({ pcid: true }));
    mmu.setRoot(0x42, 0x7);
    expect(mmu.rootRegister()).toBe(0x42007n);
    expect(mmu.model.decodeRoot(mmu.rootRegister())).toEqual({ rootPfn: 0x42, asid: 7 });
  });
});

// ---------------------------------------------------------------------------------------------------------
// Through the walkers: referenceWalk, Mmu.translate and Mmu.translateNoSideEffects on tables in RAM.

/** RAM of 4 MiB (frames 0..0x3ff); root table in frame 1; tables allocated from frame 2. */
const { makeWorld, map, expectFault } = walkHarness({
  model: x86_64, ramBytes: 4 * MIB, leafLevel: 3, faultMayWritePointers: true, checkFaultRecords: true,
});

describe('x86-64 walks: the tables mapPage builds', () => {
  it('maps 0xffffffff80000000 through PML4[511], PDPT[510], PD[0], PT[0] with these exact entries', () => {
    const w = makeWorld();
    const va = toVa(w.model, 0xffffffff80000000n);
    const pte = map(w, va, 0x300, URWX);
    expect(w.allocated).toEqual([2, 3, 4]);
    expect(readEntry(w.ram, w.model, 0x1000 + 511 * 8)).toEqual({ lo: 0x00002007, hi: 0 });
    expect(readEntry(w.ram, w.model, 0x2000 + 510 * 8)).toEqual({ lo: 0x00003007, hi: 0 });
    expect(readEntry(w.ram, w.model, 0x3000)).toEqual({ lo: 0x00004007, hi: 0 });
    expect(pte).toBe(0x4000);
    expect(readEntry(w.ram, w.model, pte)).toEqual({ lo: 0x00300007, hi: 0 });
    // A non-executable page gets XD in the high word.
    const nx = map(w, va + 0x1000, 0x301, PTE_V | PTE_R | PTE_W);
    expect(readEntry(w.ram, w.model, nx)).toEqual({ lo: 0x00301003, hi: 0x80000000 });
  });
});

describe('x86-64 walks: faults', () => {
  it('NOT_PRESENT at each of the four levels', () => {
    const w = makeWorld();
    expectFault(w, 0x1000, ACCESS_READ, true, FAULT_NOT_PRESENT, 0);
    expectFault(w, -1, ACCESS_READ, false, FAULT_NOT_PRESENT, 0);
    const leaf = map(w, vaOf(3, 4, 5, 6), 0x300, URWX);
    expectFault(w, vaOf(4, 4, 5, 6), ACCESS_READ, true, FAULT_NOT_PRESENT, 0);
    expectFault(w, vaOf(3, 5, 5, 6), ACCESS_WRITE, true, FAULT_NOT_PRESENT, 1);
    expectFault(w, vaOf(3, 4, 6, 6), ACCESS_EXEC, true, FAULT_NOT_PRESENT, 2);
    expectFault(w, vaOf(3, 4, 5, 7, 0xabc), ACCESS_READ, false, FAULT_NOT_PRESENT, 3);
    // P clear and every other bit set, reserved ones included: still not present (the CPU ignores the rest).
    writeEntry(w.ram, w.model, leaf, 0xfffffffe, 0xffffffff);
    expectFault(w, vaOf(3, 4, 5, 6), ACCESS_READ, true, FAULT_NOT_PRESENT, 3, leaf);
  });

  it('RESERVED at each level: PS in a PML4E, address bits above MAXPHYADDR, large-page bits 29:13 / 20:13', () => {
    const w = makeWorld();
    const va = vaOf(3, 4, 5, 6);
    const leaf = map(w, va, 0x300, URWX);
    const e = [0, 1, 2].map((l) => entryAt(w, va, l));
    const original = e.map((pa) => readEntry(w.ram, w.model, pa));
    const restore = () => e.forEach((pa, l) => writeEntry(w.ram, w.model, pa, original[l]!.lo, original[l]!.hi));

    writeEntry(w.ram, w.model, e[0]!, original[0]!.lo | X64_PS, 0);
    expectFault(w, va, ACCESS_READ, true, FAULT_RESERVED, 0, leaf);
    restore();
    for (let level = 0; level < 3; level++) {
      for (const hi of [0x100, 0x80000]) { // bits 40 and 51
        writeEntry(w.ram, w.model, e[level]!, original[level]!.lo, hi);
        expectFault(w, va, ACCESS_READ, false, FAULT_RESERVED, level, leaf);
        restore();
      }
    }
    writeEntry(w.ram, w.model, leaf, 0x00300007, 0x100);
    expectFault(w, va, ACCESS_READ, true, FAULT_RESERVED, 3, leaf);
    writeEntry(w.ram, w.model, leaf, 0x00300007, 0);
    expectPa(w, va + 5, ACCESS_READ, true, 0x300005);

    // Large pages with a reserved low bit (the pages are otherwise in RAM).
    writeEntry(w.ram, w.model, e[1]!, 0x00002087, 0); // 1 GiB at frame 0, bit 13 set
    expectFault(w, va, ACCESS_READ, true, FAULT_RESERVED, 1, e[1]);
    writeEntry(w.ram, w.model, e[1]!, 0x00000087, 0);
    expectPa(w, vaOf(3, 4, 0, 0x12, 0x34), ACCESS_READ, true, 0x12034);
    restore();
    writeEntry(w.ram, w.model, e[2]!, 0x00100087, 0); // 2 MiB at frame 0, bit 20 set
    expectFault(w, va, ACCESS_READ, true, FAULT_RESERVED, 2, e[2]);
    writeEntry(w.ram, w.model, e[2]!, 0x00200087, 0);
    expectPa(w, vaOf(3, 4, 5, 0x1ff, 0xfff), ACCESS_READ, true, 0x3fffff);
  });

  it('RESERVED for XD at any level when NXE is off', () => {
    const w = makeWorld(x86_64({ nxe: false }));
    const va = vaOf(0, 0, 1, 2);
    const leaf = map(w, va, 0x300, URWX);
    expectPa(w, va, ACCESS_EXEC, true, 0x300000);
    for (let level = 0; level < 4; level++) {
      const pa = entryAt(w, va, level);
      const { lo } = readEntry(w.ram, w.model, pa);
      writeEntry(w.ram, w.model, pa, lo, XD);
      expectFault(w, va, ACCESS_READ, true, FAULT_RESERVED, level, level === 3 ? leaf : undefined);
      writeEntry(w.ram, w.model, pa, lo, 0);
    }
  });

  it('PROTECTION at the leaf: user on supervisor, writes to read-only (WP), execute on XD', () => {
    const w = makeWorld();
    const sup = map(w, 0x1000, 0x50, PTE_V | PTE_R | PTE_W | PTE_X);
    const ro = map(w, 0x2000, 0x51, PTE_V | PTE_R | PTE_U | PTE_X);
    const nx = map(w, 0x3000, 0x52, PTE_V | PTE_R | PTE_W | PTE_U);
    expect(readEntry(w.ram, w.model, nx)).toEqual({ lo: 0x00052007, hi: 0x80000000 });
    expectFault(w, 0x1000, ACCESS_READ, true, FAULT_PROTECTION, 3, sup);
    expectFault(w, 0x1000, ACCESS_EXEC, true, FAULT_PROTECTION, 3, sup);
    expectFault(w, 0x2008, ACCESS_WRITE, true, FAULT_PROTECTION, 3, ro);
    expectFault(w, 0x2008, ACCESS_WRITE, false, FAULT_PROTECTION, 3, ro);
    expectFault(w, 0x3010, ACCESS_EXEC, true, FAULT_PROTECTION, 3, nx);
    expectFault(w, 0x3010, ACCESS_EXEC, false, FAULT_PROTECTION, 3, nx);
    expectPa(w, 0x3010, ACCESS_WRITE, true, 0x52010);
    expectPa(w, 0x2008, ACCESS_EXEC, true, 0x51008);
    expectPa(w, 0x1000, ACCESS_EXEC, false, 0x50000);
    w.mmu.setControl(0); // CR0.WP=0
    expectPa(w, 0x2008, ACCESS_WRITE, false, 0x51008);
    expectFault(w, 0x2008, ACCESS_WRITE, true, FAULT_PROTECTION, 3);
    expectFault(w, 0x3010, ACCESS_EXEC, false, FAULT_PROTECTION, 3); // WP does not touch XD
  });

  it('BUS for a root, a table or a frame outside RAM (4 MiB: frame 0x400 is the first outside)', () => {
    const w = makeWorld();
    const leaf = map(w, 0x1000, 0x400, URWX);
    map(w, 0x2000, 0x3ff, URWX);
    expectFault(w, 0x1000, ACCESS_READ, true, FAULT_BUS, 3, leaf);
    expectFault(w, 0x1fff, ACCESS_WRITE, false, FAULT_BUS, 3, leaf);
    expectPa(w, 0x2fff, ACCESS_READ, true, 0x3fffff);
    // A frame above 4 GiB: the address bits live in the high word.
    writeEntry(w.ram, w.model, leaf, 0x00000007, 0x1);
    expectFault(w, 0x1000, ACCESS_READ, true, FAULT_BUS, 3, leaf);
    // Pointers to tables outside RAM, at each level.
    writeEntry(w.ram, w.model, 0x1000 + 2 * 8, 0x00400007, 0);
    expectFault(w, vaOf(2, 0, 0, 0), ACCESS_READ, true, FAULT_BUS, 1);
    writeEntry(w.ram, w.model, 0x1000 + 3 * 8, 0x00000007, 0x1); // frame 2^20, beyond 4 GiB
    expectFault(w, vaOf(3, 0, 0, 0), ACCESS_READ, true, FAULT_BUS, 1);
    const pdpt = entryAt(w, 0x1000, 1);
    writeEntry(w.ram, w.model, pdpt + 8, 0x00400007, 0);
    expectFault(w, vaOf(0, 1, 0, 0), ACCESS_READ, true, FAULT_BUS, 2);
    const pd = entryAt(w, 0x1000, 2);
    writeEntry(w.ram, w.model, pd + 8, 0x7ffff007, 0);
    expectFault(w, vaOf(0, 0, 1, 0), ACCESS_READ, true, FAULT_BUS, 3);
    // Large pages past the end of RAM.
    writeEntry(w.ram, w.model, pd + 16, 0x00400087, 0);
    expectFault(w, vaOf(0, 0, 2, 0), ACCESS_READ, true, FAULT_BUS, 2, pd + 16);
    writeEntry(w.ram, w.model, pdpt + 16, 0x40000087, 0);
    expectFault(w, vaOf(0, 2, 0, 0), ACCESS_READ, true, FAULT_BUS, 1, pdpt + 16);
    // The root itself outside RAM.
    w.mmu.setRoot(0x400);
    expectFault(w, 0x1000, ACCESS_READ, true, FAULT_BUS, 0);
    w.mmu.setRoot(2 ** 28 - 1);
    expectFault(w, -1, ACCESS_READ, true, FAULT_BUS, 0);
  });
});

describe('x86-64 walks: canonical addresses', () => {
  /**
   * Maps the pages a walker that forgot the canonical check would reach: 2^47 has the indices of -2^47
   * (256, 0, 0, 0) and -2^47 - 1 those of 2^47 - 4096 (255, 511, 511, 511).
   */
  function aliasWorld(): { w: World; leaves: number[] } {
    const w = makeWorld();
    const leaves = [
      map(w, -(2 ** 47), 0x300, URWX),
      map(w, 2 ** 47 - 4096, 0x301, URWX),
      map(w, 0, 0x302, URWX),
      map(w, -4096, 0x303, URWX),
      map(w, 2 ** 47 - 2 ** 32, 0x304, URWX),
    ];
    return { w, leaves };
  }

  const NON_CANONICAL = [
    2 ** 47, -(2 ** 47) - 1, toVa(x86_64(), 0x0000800000000000n), toVa(x86_64(), 0xffff7fffffffffffn), 2 ** 47 + 0x1000,
    2 ** 48, -(2 ** 48), 2 ** 48 - 1, 2 ** 52 + 0x1234, -(2 ** 52), 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 47 + 2 ** 32,
  ];

  it.each(NON_CANONICAL)('%d is non-canonical: a #GP-style fault at level -1, no table read, no A bit', (va) => {
    const { w, leaves } = aliasWorld();
    const before = w.ram.bytes.slice();
    const walks = w.mmu.walks;
    expect(refWalk(w, va, ACCESS_READ, true, true)).toEqual({ ok: false, fault: FAULT_NON_CANONICAL, level: -1 });
    expect(w.mmu.translateNoSideEffects(va, ACCESS_WRITE, false)).toBe(-FAULT_NON_CANONICAL);
    expect([w.mmu.faultKind, w.mmu.faultLevel, w.mmu.faultVa]).toEqual([FAULT_NON_CANONICAL, -1, va]);
    for (const kind of [ACCESS_READ, ACCESS_WRITE, ACCESS_EXEC] as const) {
      for (const user of [true, false]) {
        w.mmu.faultVa = 0;
        expect(w.mmu.translate(va, kind, user)).toBe(-FAULT_NON_CANONICAL);
        expect(w.mmu.status).toBe(-FAULT_NON_CANONICAL);
        expect({ kind: w.mmu.faultKind, level: w.mmu.faultLevel, va: w.mmu.faultVa, access: w.mmu.faultAccess, user: w.mmu.faultUser })
          .toEqual({ kind: FAULT_NON_CANONICAL, level: -1, va, access: kind, user });
      }
    }
    expect(w.mmu.load8(va)).toBe(-FAULT_NON_CANONICAL);
    expect(w.mmu.load32(va)).toBe(-FAULT_NON_CANONICAL);
    expect(w.mmu.load64(va)).toBe(0n);
    expect(w.mmu.status).toBe(-FAULT_NON_CANONICAL);
    expect(Number.isNaN(w.mmu.loadF64(va))).toBe(true);
    expect(w.mmu.fetch32(va)).toBe(-FAULT_NON_CANONICAL);
    expect(w.mmu.store8(va, 1)).toBe(-FAULT_NON_CANONICAL);
    expect(w.mmu.store64(va, -1n, false)).toBe(-FAULT_NON_CANONICAL);
    expect(w.mmu.faultVa).toBe(va);
    expect(w.mmu.walks).toBe(walks);
    expect(w.mmu.tlb.occupancy).toBe(0);
    expect(firstDifference(w.ram.bytes, before)).toBe(-1);
    for (const leaf of leaves) expect(w.ram.read32(leaf) & 0x60).toBe(0);
  });

  it('the last canonical addresses on both sides of the hole translate', () => {
    const { w } = aliasWorld();
    expectPa(w, 2 ** 47 - 1, ACCESS_READ, true, 0x301fff);
    expectPa(w, -(2 ** 47), ACCESS_READ, true, 0x300000);
    expectPa(w, -1, ACCESS_WRITE, true, 0x303fff);
    expectPa(w, 2 ** 47 - 2 ** 32 + 0x10, ACCESS_READ, true, 0x304010);
  });

  it('an access that runs off the top of the lower half faults non-canonical at the first byte past it', () => {
    const { w, leaves } = aliasWorld();
    expect(w.mmu.store32(2 ** 47 - 2, 0xdeadbeef)).toBe(-FAULT_NON_CANONICAL);
    expect([w.mmu.faultVa, w.mmu.faultLevel]).toEqual([2 ** 47, -1]);
    expect(w.ram.read32(0x301ffc)).toBe(0); // nothing written
    expect(w.ram.read32(leaves[1]!) & 0x60).toBe(0); // neither A nor D on the page below the hole
    expect(w.mmu.load32(2 ** 47 - 2)).toBe(-FAULT_NON_CANONICAL);
    expect(w.mmu.faultVa).toBe(2 ** 47);
    expect(w.mmu.load16(2 ** 47 - 2)).toBe(0);
  });

  it('throws HwArgumentError for addresses that are not safe integers', () => {
    const { w } = aliasWorld();
    for (const va of [2 ** 53, -(2 ** 53), 2 ** 64, 1.5, -0.5, Number.NaN, Infinity, -Infinity]) {
      expect(() => w.mmu.load8(va)).toThrow(HwArgumentError);
      expect(() => w.mmu.store32(va, 0)).toThrow(HwArgumentError);
      expect(() => w.mmu.translate(va, ACCESS_READ, true)).toThrow(HwArgumentError);
      expect(() => w.mmu.translateNoSideEffects(va, ACCESS_READ, true)).toThrow(HwArgumentError);
      expect(() => w.mmu.flushPage(va)).toThrow(HwArgumentError);
    }
    expect(w.mmu.tlb.occupancy).toBe(0);
  });
});

describe('x86-64 walks: the upper half (negative addresses)', () => {
  it('loads and stores through 0xffffffff80000000 land in the mapped frame', () => {
    const w = makeWorld();
    const va = toVa(w.model, 0xffffffff80000000n);
    map(w, va, 0x300, URWX);
    map(w, va + 0x1000, 0x302, URWX);
    expectPa(w, va + 0x123, ACCESS_READ, true, 0x300123);
    expect(w.mmu.store32(va + 0x40, 0xcafef00d)).toBe(0);
    expect(w.ram.read32(0x300040)).toBe(0xcafef00d);
    w.ram.write32(0x302ffc, 0x12345678);
    expect(w.mmu.load32(va + 0x1ffc)).toBe(0x12345678);
    // A crossing access spans the two frames.
    expect(w.mmu.store32(va + 0xffe, 0xa1b2c3d4)).toBe(0);
    expect([w.ram.read8(0x300ffe), w.ram.read8(0x300fff), w.ram.read8(0x302000), w.ram.read8(0x302001)]).toEqual([0xd4, 0xc3, 0xb2, 0xa1]);
    expect(w.mmu.load32(va + 0xffe)).toBe(0xa1b2c3d4);
    // A fault there reports the negative address.
    expect(w.mmu.load8(va - 1)).toBe(-FAULT_NOT_PRESENT); // PDPT[509]
    expect([w.mmu.faultVa, w.mmu.faultLevel]).toEqual([va - 1, 1]);
    expect(vaToBigInt(w.mmu.faultVa)).toBe(0xffffffff7fffffffn);
  });

  it('address -1 is the last byte of PML4[511] PDPT[511] PD[511] PT[511]; crossing it goes on at 0 (mod 2^64)', () => {
    const w = makeWorld();
    const top = map(w, -4096, 0x310, URWX);
    expect(top).toBe(entryAt(w, vaOf(511, 511, 511, 511), 3));
    expect(levelIndex(w.model, -4096, 3)).toBe(511);
    map(w, 0, 0x311, URWX);
    expect(w.mmu.store8(-1, 0x5a)).toBe(0);
    expect(w.ram.read8(0x310fff)).toBe(0x5a);
    expect(w.mmu.store16(-1, 0xbeef)).toBe(0);
    expect([w.ram.read8(0x310fff), w.ram.read8(0x311000)]).toEqual([0xef, 0xbe]);
    expect(w.mmu.load16(-1)).toBe(0xbeef);
  });

  it('TLB entries for the upper half are tagged with negative page numbers and hit', () => {
    const w = makeWorld();
    const va = toVa(w.model, 0xffff800000001000n);
    map(w, va, 0x300, URWX);
    expect(w.mmu.load8(va)).toBe(0);
    expect(w.mmu.load8(va + 8)).toBe(0);
    expect([w.mmu.tlb.hits, w.mmu.tlb.misses, w.mmu.walks]).toEqual([1, 1, 1]);
    expect(w.mmu.tlb.validEntries().map((e) => [e.vpn, e.pfn])).toEqual([[va / 4096, 0x300]]);
    expect(va / 4096).toBe(-(2 ** 35) + 1);
    w.mmu.flushPage(va + 0xfff);
    expect(w.mmu.tlb.occupancy).toBe(0);
  });
});

describe('x86-64 walks: Accessed and Dirty in RAM (SDM §4.8)', () => {
  it.each(ENGINES)('%s: a read sets A in all four entries; a write then sets D in the PTE only', (engine) => {
    const w = makeWorld();
    const va = vaOf(0, 0, 0, 1);
    const pte = map(w, va, 0x300, URWX);
    const e = [0, 1, 2].map((l) => entryAt(w, va, l));
    expect(e).toEqual([0x1000, 0x2000, 0x3000]);
    expect(e.map((pa) => w.ram.read32(pa))).toEqual([0x00002007, 0x00003007, 0x00004007]);
    expect(access(w, engine, va + 0x10, ACCESS_READ, true)).toBe(0x300010);
    expect(e.map((pa) => w.ram.read32(pa))).toEqual([0x00002027, 0x00003027, 0x00004027]);
    expect(w.ram.read32(pte)).toBe(0x00300027);
    expect(access(w, engine, va + 0x10, ACCESS_WRITE, true)).toBe(0x300010);
    expect(e.map((pa) => w.ram.read32(pa))).toEqual([0x00002027, 0x00003027, 0x00004027]);
    expect(w.ram.read32(pte)).toBe(0x00300067);
    // High words untouched.
    for (const pa of [...e, pte]) expect(w.ram.read32(pa + 4)).toBe(0);
  });

  it.each(ENGINES)('%s: keeps XD in the high word while setting A and D', (engine) => {
    const w = makeWorld();
    const pte = map(w, 0x5000, 0x300, PTE_V | PTE_R | PTE_W | PTE_U);
    expect(access(w, engine, 0x5000, ACCESS_WRITE, true)).toBe(0x300000);
    expect(readEntry(w.ram, w.model, pte)).toEqual({ lo: 0x00300067, hi: 0x80000000 });
  });

  it.each(ENGINES)('%s: sets A in the three pointers it passed even when the PTE is not present', (engine) => {
    const w = makeWorld();
    const pte = map(w, 0x1000, 0x300, URWX);
    expect(access(w, engine, 0x2000, ACCESS_READ, true)).toBe(-FAULT_NOT_PRESENT);
    expect([0x1000, 0x2000, 0x3000].map((pa) => w.ram.read32(pa))).toEqual([0x00002027, 0x00003027, 0x00004027]);
    expect(w.ram.read32(pte)).toBe(0x00300007);
  });

  it.each(ENGINES)('%s: a faulting access leaves the leaf’s A/D alone; a frame outside RAM too', (engine) => {
    const w = makeWorld();
    const ro = map(w, 0x1000, 0x300, PTE_V | PTE_R | PTE_X);
    const out = map(w, 0x2000, 0x400, URWX);
    expect(access(w, engine, 0x1000, ACCESS_READ, true)).toBe(-FAULT_PROTECTION);
    expect(access(w, engine, 0x1000, ACCESS_WRITE, false)).toBe(-FAULT_PROTECTION);
    expect(access(w, engine, 0x2000, ACCESS_WRITE, true)).toBe(-FAULT_BUS);
    expect(w.ram.read32(ro)).toBe(0x00300001);
    expect(w.ram.read32(out)).toBe(0x00400007);
    expect(w.ram.read32(0x1000)).toBe(0x00002027);
  });

  it.each(ENGINES)('%s: 2 MiB and 1 GiB leaves get A and D; the pointers above them A only', (engine) => {
    const w = makeWorld();
    const pde = map(w, vaOf(0, 0, 1, 0), 0x200, URWX, 2);
    const pdpte = map(w, vaOf(0, 1, 0, 0), 0, URWX, 1);
    expect(w.ram.read32(pde)).toBe(0x00200087);
    expect(w.ram.read32(pdpte)).toBe(0x00000087);
    expect(access(w, engine, vaOf(0, 0, 1, 3, 4), ACCESS_READ, true)).toBe(0x203004);
    expect(w.ram.read32(pde)).toBe(0x002000a7);
    expect(access(w, engine, vaOf(0, 0, 1, 3, 4), ACCESS_WRITE, true)).toBe(0x203004);
    expect(w.ram.read32(pde)).toBe(0x002000e7);
    expect(access(w, engine, vaOf(0, 1, 0, 0x300, 8), ACCESS_WRITE, true)).toBe(0x300008);
    expect(w.ram.read32(pdpte)).toBe(0x000000e7);
    expect(w.ram.read32(0x1000)).toBe(0x00002027); // PML4E: A, never D
    expect(w.ram.read32(0x2000)).toBe(0x00003027); // the PDPTE pointing to the PD
  });

  it('side-effect-free walks change nothing and report flags without A/D', () => {
    const w = makeWorld();
    const pte = map(w, 0x1000, 0x300, URWX);
    for (const kind of [ACCESS_READ, ACCESS_WRITE, ACCESS_EXEC] as const) {
      expect(w.mmu.translateNoSideEffects(0x1000, kind, true)).toBe(0x300000);
      const ref = refWalk(w, 0x1000, kind, true, false);
      expect(ref.ok && ref.flags).toBe(URWX);
    }
    expect(w.ram.read32(0x1000)).toBe(0x00002007);
    expect(w.ram.read32(pte)).toBe(0x00300007);
    const ref = refWalk(w, 0x1000, ACCESS_WRITE, true, true);
    expect(ref).toEqual({ ok: true, pa: 0x300000, pfn: 0x300, flags: URWX | PTE_A | PTE_D, global: false, level: 3, entryPa: pte });
  });
});

describe('x86-64 walks: rights combine over all four levels', () => {
  const VA = vaOf(1, 2, 3, 4);

  function world(): { w: World; e: number[] } {
    const w = makeWorld();
    map(w, VA, 0x300, URWX);
    return { w, e: [0, 1, 2, 3].map((l) => entryAt(w, VA, l)) };
  }

  it.each([0, 1, 2])('a level-%d pointer without U/S makes the page supervisor-only', (level) => {
    const { w, e } = world();
    w.ram.write32(e[level]!, w.ram.read32(e[level]!) & ~X64_US);
    expectFault(w, VA, ACCESS_READ, true, FAULT_PROTECTION, 3, e[3]);
    expectFault(w, VA, ACCESS_EXEC, true, FAULT_PROTECTION, 3);
    const ref = expectPa(w, VA, ACCESS_WRITE, false, 0x300000);
    expect(ref.flags & (PTE_U | PTE_W | PTE_X)).toBe(PTE_W | PTE_X);
  });

  it.each([0, 1, 2])('a level-%d pointer without R/W makes the page read-only (for the supervisor too with WP)', (level) => {
    const { w, e } = world();
    w.ram.write32(e[level]!, w.ram.read32(e[level]!) & ~X64_RW);
    expectFault(w, VA, ACCESS_WRITE, true, FAULT_PROTECTION, 3, e[3]);
    expectFault(w, VA, ACCESS_WRITE, false, FAULT_PROTECTION, 3, e[3]);
    expectPa(w, VA, ACCESS_READ, true, 0x300000);
    w.mmu.setControl(0);
    expectFault(w, VA, ACCESS_WRITE, true, FAULT_PROTECTION, 3);
    expectPa(w, VA, ACCESS_WRITE, false, 0x300000);
  });

  it.each([0, 1, 2, 3])('XD at level %d forbids execution, for user and supervisor, and nothing else', (level) => {
    const { w, e } = world();
    w.ram.write32(e[level]! + 4, XD);
    expectFault(w, VA, ACCESS_EXEC, true, FAULT_PROTECTION, 3, e[3]);
    expectFault(w, VA, ACCESS_EXEC, false, FAULT_PROTECTION, 3, e[3]);
    const ref = expectPa(w, VA, ACCESS_WRITE, true, 0x300000);
    expect(ref.flags & (PTE_U | PTE_W | PTE_X)).toBe(PTE_U | PTE_W);
  });

  it('a permissive path does not widen a restrictive leaf', () => {
    const w = makeWorld();
    const leaf = map(w, VA, 0x300, PTE_V | PTE_R); // supervisor, read-only, XD
    expect(w.ram.read32(0x1000 + 8)).toBe(0x00002007);
    expectFault(w, VA, ACCESS_READ, true, FAULT_PROTECTION, 3, leaf);
    expectFault(w, VA, ACCESS_WRITE, false, FAULT_PROTECTION, 3, leaf);
    expectFault(w, VA, ACCESS_EXEC, false, FAULT_PROTECTION, 3, leaf);
  });

  it('XD in the PML4E forbids execution in a 1 GiB page; no U/S in a PDPTE makes a 2 MiB page supervisor-only', () => {
    const w = makeWorld();
    const giant = vaOf(5, 0, 0, 7);
    const gLeaf = map(w, giant, 0, URWX, 1);
    w.ram.write32(entryAt(w, giant, 0) + 4, XD);
    expectFault(w, giant, ACCESS_EXEC, false, FAULT_PROTECTION, 1, gLeaf);
    expectPa(w, giant, ACCESS_READ, true, 0x7000);
    const big = vaOf(6, 0, 1, 2);
    const bLeaf = map(w, big, 0x200, URWX, 2);
    const pdpte = entryAt(w, big, 1);
    w.ram.write32(pdpte, w.ram.read32(pdpte) & ~X64_US);
    expectFault(w, big, ACCESS_READ, true, FAULT_PROTECTION, 2, bLeaf);
    expectPa(w, big, ACCESS_EXEC, false, 0x202000);
  });
});

describe('x86-64 walks: global pages (CR4.PGE)', () => {
  it('G in the leaf makes a global TLB entry only with PGE; MOV CR3 keeps it', () => {
    for (const pge of [true, false]) {
      const w = makeWorld(x86_64({ pge }));
      map(w, 0x1000, 0x300, URWX | PTE_G);
      map(w, -8192, 0x301, URWX | PTE_G);
      map(w, 0x2000, 0x302, URWX);
      expect(refWalk(w, 0x1000, ACCESS_READ, true, false)).toMatchObject({ ok: true, global: pge });
      expect(refWalk(w, 0x2000, ACCESS_READ, true, false)).toMatchObject({ ok: true, global: false });
      for (const va of [0x1000, -8192, 0x2000]) w.mmu.load8(va);
      const globals = () => w.mmu.tlb.validEntries().filter((e) => e.global).map((e) => e.vpn).sort((a, b) => a - b);
      expect(globals()).toEqual(pge ? [-2, 1] : []);
      w.mmu.setRoot(ROOT);
      expect(w.mmu.tlb.validEntries().map((e) => e.vpn).sort((a, b) => a - b)).toEqual(pge ? [-2, 1] : []);
    }
  });

  it('G in a pointer (bit 8 of a PML4E, PDPTE or PDE) is ignored', () => {
    const w = makeWorld();
    const va = vaOf(0, 0, 0, 1);
    map(w, va, 0x300, URWX);
    for (const pa of [0x1000, 0x2000, 0x3000]) w.ram.write32(pa, w.ram.read32(pa) | X64_G);
    expect(refWalk(w, va, ACCESS_READ, true, false)).toMatchObject({ ok: true, global: false });
    w.mmu.load8(va);
    expect(w.mmu.tlb.validEntries()[0]!.global).toBe(false);
  });

  it('a global 2 MiB page: every piece is global', () => {
    const w = makeWorld();
    map(w, vaOf(0, 0, 1, 0), 0x200, URWX | PTE_G, 2);
    w.mmu.load8(vaOf(0, 0, 1, 0));
    w.mmu.load8(vaOf(0, 0, 1, 0x1ff));
    expect(w.mmu.tlb.validEntries().map((e) => [e.vpn, e.pfn, e.global])).toEqual(
      expect.arrayContaining([[0x200, 0x200, true], [0x3ff, 0x3ff, true]]),
    );
  });
});

describe('x86-64 walks: 2 MiB and 1 GiB pages', () => {
  it('a 2 MiB page maps 512 frames from its base; a 1 GiB page 2^18, bounded by RAM', () => {
    const w = makeWorld();
    const big = toVa(w.model, 0x0000001234600000n); // above 4 GiB, 2 MiB-aligned
    const pde = map(w, big, 0x200, URWX, 2);
    expect(readEntry(w.ram, w.model, pde)).toEqual({ lo: 0x00200087, hi: 0 });
    expectPa(w, big, ACCESS_READ, true, 0x200000);
    expectPa(w, big + 0x12345, ACCESS_WRITE, true, 0x212345);
    expectPa(w, big + 0x1fffff, ACCESS_EXEC, true, 0x3fffff);
    const giant = toVa(w.model, 0xffffffffc0000000n); // the last GiB of the address space
    const pdpte = map(w, giant, 0, URWX, 1);
    expect(readEntry(w.ram, w.model, pdpte)).toEqual({ lo: 0x00000087, hi: 0 });
    expectPa(w, giant + 0x3fffff, ACCESS_READ, true, 0x3fffff);
    expectFault(w, giant + 0x400000, ACCESS_READ, true, FAULT_BUS, 1, pdpte);
    expectFault(w, -1, ACCESS_READ, true, FAULT_BUS, 1, pdpte);
    // Through the MMU's data path.
    expect(w.mmu.store32(big + 0x1ffffc, 0x600dcafe)).toBe(0);
    expect(w.mmu.load32(giant + 0x3ffffc)).toBe(0x600dcafe);
  });
});
