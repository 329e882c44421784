import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HwArgumentError } from './errors.js';
import {
  ACCESS_EXEC, ACCESS_READ, ACCESS_WRITE, CTL_WP, FAULT_BUS, FAULT_NOT_PRESENT, FAULT_PROTECTION, FAULT_RESERVED,
  PTE_A, PTE_CD, PTE_D, PTE_G, PTE_PAT, PTE_R, PTE_SW0, PTE_SW1, PTE_SW2, PTE_U, PTE_V, PTE_W, PTE_WT, PTE_X,
  type AccessKind,
} from './model.js';
import { readEntry, writeEntry } from './page-table.js';
import {
  x86_32, X86_A, X86_AVL_MASK, X86_AVL_SHIFT, X86_D, X86_FRAME_MASK, X86_G, X86_P, X86_PCD, X86_PDE_LARGE_PAT,
  X86_PDE_LARGE_RESERVED, X86_PDE_PS, X86_PTE_PAT, X86_PWT, X86_RW, X86_US,
} from './x86-32.js';
import { expectArgumentError } from './testing/argument-errors.js';
import { access, ENGINES, expectPa, MIB, refWalk, walkHarness } from './testing/walk-harness.js';

/** What P=1 means in model-independent terms: valid, readable, executable (no NX in 32-bit paging). */
const PRESENT = PTE_V | PTE_R | PTE_X;

describe('x86-32 model shape and raw constants (SDM Vol. 3A §4.3, Tables 4-4..4-6)', () => {
  it('has the documented bit positions', () => {
    expect(X86_P).toBe(0x001);
    expect(X86_RW).toBe(0x002);
    expect(X86_US).toBe(0x004);
    expect(X86_PWT).toBe(0x008);
    expect(X86_PCD).toBe(0x010);
    expect(X86_A).toBe(0x020);
    expect(X86_D).toBe(0x040);
    expect(X86_PTE_PAT).toBe(0x080);
    expect(X86_PDE_PS).toBe(0x080);
    expect(X86_G).toBe(0x100);
    expect(X86_AVL_SHIFT).toBe(9);
    expect(X86_AVL_MASK).toBe(0xe00);
    expect(X86_PDE_LARGE_PAT).toBe(0x1000);
    expect(X86_PDE_LARGE_RESERVED).toBe(0x003fe000);
    expect(X86_FRAME_MASK).toBe(0xfffff000);
  });

  it('is a 10|10|12 two-level model with 4-byte entries, 20-bit frames, no ASIDs and 3 AVL bits', () => {
    const m = x86_32();
    expect(m.name).toBe('x86-32');
    expect(m.levels).toBe(2);
    expect(m.pageShift).toBe(12);
    expect(m.indexBits).toEqual([10, 10]);
    expect(m.entryBytes).toBe(4);
    expect(m.vaBits).toBe(32);
    expect(m.maxPfn).toBe(0xfffff);
    expect(m.asidBits).toBe(0);
    expect(m.softwareBits).toBe(3);
    expect(m.permissionsAtEveryLevel).toBe(true);
    expect(m.accessedOnNonLeaf).toBe(true);
    expect(m.globalInherits).toBe(false);
    expect(m.rootWriteFlushesTlb).toBe(true);
    expect(m.rawAccessed).toBe(0x20);
    expect(m.rawDirty).toBe(0x40);
    expect(m.supportedFlags).toBe(
      PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_G | PTE_A | PTE_D | PTE_WT | PTE_CD | PTE_PAT | PTE_SW0 | PTE_SW1 | PTE_SW2,
    );
  });
});

describe('x86-32 PTE (level 1, 4 KiB page): every raw bit both ways', () => {
  const m = x86_32();
  // [raw bits besides P, model-independent flag]
  const bits: [number, number][] = [
    [0x002, PTE_W], // R/W
    [0x004, PTE_U], // U/S
    [0x008, PTE_WT], // PWT
    [0x010, PTE_CD], // PCD
    [0x020, PTE_A],
    [0x040, PTE_D],
    [0x080, PTE_PAT], // bit 7 of a PTE is PAT, not PS
    [0x100, PTE_G], // with CR4.PGE (the default)
    [0x200, PTE_SW0], // AVL bit 9
    [0x400, PTE_SW1], // AVL bit 10
    [0x800, PTE_SW2], // AVL bit 11
  ];

  it('P alone decodes as valid, readable and executable; encodes back to 0x001', () => {
    expect(m.flags(0x001, 0, 1)).toBe(PTE_V | PTE_R | PTE_X);
    expect(m.isValid(0x001, 0, 1)).toBe(true);
    expect(m.isValid(0x000, 0, 1)).toBe(false);
    expect(m.isValid(0xfffffffe, 0, 1)).toBe(false);
    expect(m.encodeLo(0, PTE_V, 1, true)).toBe(0x001);
    expect(m.encodeLo(0, PTE_V | PTE_R | PTE_X, 1, true)).toBe(0x001);
    expect(m.encodeHi(0, PTE_V, 1, true)).toBe(0);
  });

  it.each(bits)('raw bits %d ⇄ flag %d', (raw, flag) => {
    expect(m.flags(X86_P | raw, 0, 1)).toBe(PRESENT | flag);
    expect(m.encodeLo(0, PTE_V | flag, 1, true)).toBe(X86_P | raw);
    expect(m.encodeLo(0, flag, 1, true)).toBe(raw);
    expect(m.isMalformed(X86_P | raw, 0, 1)).toBe(false);
    expect(m.pfn(X86_P | raw, 0, 1)).toBe(0);
  });

  it('all attribute bits at once', () => {
    expect(m.flags(0x00000fff, 0, 1)).toBe(PRESENT | PTE_W | PTE_U | PTE_WT | PTE_CD | PTE_A | PTE_D | PTE_PAT | PTE_G | PTE_SW0 | PTE_SW1 | PTE_SW2);
    expect(m.encodeLo(0, m.supportedFlags, 1, true)).toBe(0x00000fff);
  });

  it('a user RW present PTE for frame 0x12345 is 0x12345007', () => {
    expect(m.encodeLo(0x12345, PTE_V | PTE_R | PTE_W | PTE_X | PTE_U, 1, true)).toBe(0x12345007);
    expect(m.flags(0x12345007, 0, 1)).toBe(PTE_V | PTE_R | PTE_W | PTE_X | PTE_U);
    expect(m.pfn(0x12345007, 0, 1)).toBe(0x12345);
    expect(m.isLeaf(0x12345007, 0, 1)).toBe(true);
  });

  it('frame bits 31:12 carry the full 20-bit pfn, as an unsigned number', () => {
    expect(m.pfn(0xfffff000, 0, 1)).toBe(0xfffff);
    expect(m.pfn(0x80000001, 0, 1)).toBe(0x80000);
    expect(m.pfn(0x00001fff, 0, 1)).toBe(1);
    expect(m.encodeLo(0xfffff, PTE_V, 1, true)).toBe(0xfffff001);
    expect(m.encodeLo(0x80000, PTE_V | PTE_W, 1, true)).toBe(0x80000003);
    expect(m.encodeLo(0xfffff, m.supportedFlags, 1, true)).toBe(0xffffffff);
    for (let bit = 12; bit < 32; bit++) {
      const raw = (2 ** bit + 1) >>> 0;
      expect(m.pfn(raw, 0, 1)).toBe(2 ** (bit - 12));
      expect(m.flags(raw, 0, 1)).toBe(PRESENT);
      expect(m.encodeLo(2 ** (bit - 12), PTE_V, 1, true)).toBe(raw);
    }
  });

  it('G only counts with CR4.PGE: { pge: false } ignores bit 8', () => {
    const noPge = x86_32({ pge: false });
    expect(noPge.flags(0x101, 0, 1)).toBe(PRESENT);
    expect(x86_32({ pge: true }).flags(0x101, 0, 1)).toBe(PRESENT | PTE_G);
    // The raw bit is still stored (the OS may set it; the CPU ignores it).
    expect(noPge.encodeLo(0, PTE_V | PTE_G, 1, true)).toBe(0x101);
  });

  it('bit 7 of a PTE is PAT even with PSE on; a level-1 entry is always a leaf', () => {
    const pse = x86_32({ pse: true });
    expect(pse.flags(0x081, 0, 1)).toBe(PRESENT | PTE_PAT);
    expect(pse.isLeaf(0x081, 0, 1)).toBe(true);
    expect(pse.isLeaf(0x000, 0, 1)).toBe(true);
    expect(m.isLeaf(0x001, 0, 1)).toBe(true);
    // Bits 21:13 are ordinary frame bits in a PTE, never reserved.
    expect(pse.isMalformed(0x003fe081, 0, 1)).toBe(false);
    expect(pse.pfn(0x003fe081, 0, 1)).toBe(0x3fe);
  });

  it('no X bit exists: encoding without X still yields an executable page', () => {
    expect(m.encodeLo(5, PTE_V | PTE_R, 1, true)).toBe(0x5001);
    expect(m.flags(0x5001, 0, 1) & PTE_X).toBe(PTE_X);
  });
});

describe('x86-32 PDE (level 0)', () => {
  const m = x86_32();
  const pse = x86_32({ pse: true });

  it('a PDE pointing to a page table: P, R/W, U/S, PWT, PCD, A and AVL decode; D (6), G (8) and PS/PAT (7) do not', () => {
    expect(m.flags(0x00002007, 0, 0)).toBe(PRESENT | PTE_W | PTE_U);
    expect(m.flags(0x00002009, 0, 0)).toBe(PRESENT | PTE_WT);
    expect(m.flags(0x00002011, 0, 0)).toBe(PRESENT | PTE_CD);
    expect(m.flags(0x00002021, 0, 0)).toBe(PRESENT | PTE_A);
    expect(m.flags(0x00002041, 0, 0)).toBe(PRESENT); // bit 6 ignored in a PDE
    expect(m.flags(0x00002101, 0, 0)).toBe(PRESENT); // bit 8 ignored in a PDE
    expect(m.flags(0x00002081, 0, 0)).toBe(PRESENT); // PS without PSE is ignored
    expect(m.flags(0x00002e01, 0, 0)).toBe(PRESENT | PTE_SW0 | PTE_SW1 | PTE_SW2);
    expect(m.pfn(0x00002fff, 0, 0)).toBe(2);
    expect(m.isLeaf(0x00002007, 0, 0)).toBe(false);
    expect(pse.isLeaf(0x00002007, 0, 0)).toBe(false);
  });

  it('encodes a pointer PDE: 0x12345027 for V|W|U|A, dropping D, G and PAT', () => {
    expect(m.encodeLo(0x12345, PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_A, 0, false)).toBe(0x12345027);
    expect(m.encodeLo(0x12345, PTE_V | PTE_W | PTE_U | PTE_A | PTE_D | PTE_G | PTE_PAT, 0, false)).toBe(0x12345027);
    expect(m.encodeLo(7, PTE_V | PTE_WT | PTE_CD | PTE_SW1, 0, false)).toBe(0x00007419);
    expect(pse.encodeLo(7, PTE_V, 0, false)).toBe(0x00007001); // no PS bit in a pointer
  });

  it('PS (bit 7) makes a leaf only with { pse: true }', () => {
    expect(m.isLeaf(0x00400081, 0, 0)).toBe(false);
    expect(m.pfn(0x00400081, 0, 0)).toBe(0x400);
    expect(pse.isLeaf(0x00400081, 0, 0)).toBe(true);
    expect(pse.isLeaf(0x00400001, 0, 0)).toBe(false);
  });

  it('a 4 MiB PDE: D at bit 6, G at bit 8, PAT at bit 12, frame in 31:22', () => {
    expect(pse.flags(0x00400081, 0, 0)).toBe(PRESENT); // bit 7 is PS here, not PAT
    expect(pse.flags(0x004000c1, 0, 0)).toBe(PRESENT | PTE_D);
    expect(pse.flags(0x00400181, 0, 0)).toBe(PRESENT | PTE_G);
    expect(x86_32({ pse: true, pge: false }).flags(0x00400181, 0, 0)).toBe(PRESENT);
    expect(pse.flags(0x00401081, 0, 0)).toBe(PRESENT | PTE_PAT);
    expect(pse.flags(0x00400fff, 0, 0)).toBe(PRESENT | PTE_W | PTE_U | PTE_WT | PTE_CD | PTE_A | PTE_D | PTE_G | PTE_SW0 | PTE_SW1 | PTE_SW2);
    expect(pse.pfn(0xffc01081, 0, 0)).toBe(0xffc00);
    expect(pse.pfn(0x00401081, 0, 0)).toBe(0x400);

    expect(pse.encodeLo(0x400, PTE_V | PTE_W, 0, true)).toBe(0x00400083);
    expect(pse.encodeLo(0x400, PTE_V | PTE_PAT, 0, true)).toBe(0x00401081);
    expect(pse.encodeLo(0x400, PTE_V | PTE_D, 0, true)).toBe(0x004000c1);
    expect(pse.encodeLo(0x400, PTE_V | PTE_G, 0, true)).toBe(0x00400181);
    expect(pse.encodeLo(0xffc00, pse.supportedFlags, 0, true)).toBe(0xffc01fff);
  });

  it('reserved bits 21:13 of a 4 MiB PDE make it malformed; bit 12 (PAT) and 31:22 do not', () => {
    for (let bit = 13; bit <= 21; bit++) {
      const raw = (0x00400083 | (1 << bit)) >>> 0;
      expect(pse.isMalformed(raw, 0, 0)).toBe(true);
      // Without PSE the entry is a pointer whose bits 21:13 are address bits.
      expect(m.isMalformed(raw, 0, 0)).toBe(false);
    }
    expect(pse.isMalformed(0x00401083, 0, 0)).toBe(false);
    expect(pse.isMalformed(0xffc00083, 0, 0)).toBe(false);
    expect(pse.isMalformed(0x00000083, 0, 0)).toBe(false);
    // A pointer PDE with the same bits is fine.
    expect(pse.isMalformed(0x003fe003, 0, 0)).toBe(false);
  });
});

describe('x86-32 encode errors', () => {
  const m = x86_32();
  const pse = x86_32({ pse: true });

  it.each([0x100000, -1, 1.5, Number.NaN])('rejects pfn %s', (pfn) => {
    const error = expectArgumentError(() => m.encodeLo(pfn, PTE_V, 1, true), 'pfn');
    expect(error.value).toBe(pfn);
  });

  it('rejects a 4 MiB page without PSE', () => {
    const error = expectArgumentError(() => m.encodeLo(0x400, PTE_V, 0, true), 'level');
    expect(error.message).toContain('PSE');
  });

  it('rejects a misaligned 4 MiB page', () => {
    expectArgumentError(() => pse.encodeLo(0x401, PTE_V, 0, true), 'pfn');
    expectArgumentError(() => pse.encodeLo(0x3ff, PTE_V, 0, true), 'pfn');
    for (let bit = 0; bit < 10; bit++) expectArgumentError(() => pse.encodeLo(0x400 | (1 << bit), PTE_V, 0, true), 'pfn');
    expect(pse.encodeLo(0x800, PTE_V, 0, true)).toBe(0x00800081);
  });

  it('rejects a non-leaf at level 1 and levels outside 0..1', () => {
    expectArgumentError(() => m.encodeLo(1, PTE_V, 1, false), 'level');
    expectArgumentError(() => m.encodeLo(1, PTE_V, 2, true), 'level');
    expectArgumentError(() => m.encodeLo(1, PTE_V, -1, false), 'level');
  });
});

describe('x86-32 round trip (property)', () => {
  /** What decoding gives back: P implies R and X; without P neither is reported. */
  function canonical(flags: number, pge: boolean): number {
    let f = flags;
    f = (f & PTE_V) !== 0 ? f | PTE_R | PTE_X : f & ~(PTE_R | PTE_X);
    if (!pge) f &= ~PTE_G;
    return f;
  }

  it('4 KiB leaves: pfn and flags survive encode → decode', () => {
    for (const pge of [true, false]) {
      const m = x86_32({ pge });
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 0xfffff }), fc.integer({ min: 0, max: 0xffff }), (pfn, raw) => {
          const flags = raw & m.supportedFlags;
          const lo = m.encodeLo(pfn, flags, 1, true);
          expect(lo).toBeGreaterThanOrEqual(0);
          expect(lo).toBeLessThanOrEqual(0xffffffff);
          expect(m.pfn(lo, 0, 1)).toBe(pfn);
          expect(m.isValid(lo, 0, 1)).toBe((flags & PTE_V) !== 0);
          expect(m.isLeaf(lo, 0, 1)).toBe(true);
          expect(m.isMalformed(lo, 0, 1)).toBe(false);
          expect(m.flags(lo, 0, 1)).toBe(canonical(flags, pge));
          // Decoding and encoding again is stable.
          expect(m.encodeLo(m.pfn(lo, 0, 1), m.flags(lo, 0, 1), 1, true)).toBe(pge ? lo : (lo & ~X86_G) >>> 0);
        }),
      );
    }
  });

  it('4 MiB leaves (PSE): pfn and flags survive encode → decode', () => {
    const m = x86_32({ pse: true });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0x3ff }), fc.integer({ min: 0, max: 0xffff }), (big, raw) => {
        const pfn = big << 10;
        const flags = (raw & m.supportedFlags) | PTE_V;
        const lo = m.encodeLo(pfn, flags, 0, true);
        expect(m.isLeaf(lo, 0, 0)).toBe(true);
        expect(m.isMalformed(lo, 0, 0)).toBe(false);
        expect(m.pfn(lo, 0, 0)).toBe(pfn);
        expect(m.flags(lo, 0, 0)).toBe(canonical(flags, true));
      }),
    );
  });
});

describe('x86-32 permits (SDM §4.6)', () => {
  const m = x86_32();
  // Allowed accesses ('r', 'w', 'x') per privilege, CR0.WP and the page's U/S and R/W bits.
  const table: Record<'user' | 'supervisor', Record<'wp' | 'nowp', Record<string, string>>> = {
    user: {
      wp: { U0W0: '---', U0W1: '---', U1W0: 'r-x', U1W1: 'rwx' },
      nowp: { U0W0: '---', U0W1: '---', U1W0: 'r-x', U1W1: 'rwx' },
    },
    supervisor: {
      wp: { U0W0: 'r-x', U0W1: 'rwx', U1W0: 'r-x', U1W1: 'rwx' },
      nowp: { U0W0: 'rwx', U0W1: 'rwx', U1W0: 'rwx', U1W1: 'rwx' },
    },
  };
  const cases: [string, string, number, number, number, boolean][] = [];
  for (const priv of ['user', 'supervisor'] as const) {
    for (const wp of ['wp', 'nowp'] as const) {
      for (const u of [0, 1]) {
        for (const w of [0, 1]) {
          const allowed = table[priv][wp][`U${u}W${w}`]!;
          for (const [i, access] of [ACCESS_READ, ACCESS_WRITE, ACCESS_EXEC].entries()) {
            cases.push([priv, wp, u, w, access, allowed[i] !== '-']);
          }
        }
      }
    }
  }

  it.each(cases)('%s %s U=%s W=%s access %s → %s', (priv, wp, u, w, access, expected) => {
    const flags = PRESENT | (u ? PTE_U : 0) | (w ? PTE_W : 0);
    expect(m.permits(flags, access as AccessKind, priv === 'user', wp === 'wp' ? CTL_WP : 0)).toBe(expected);
    // The same answer from the raw PTE decoded by the model.
    const raw = X86_P | (u ? X86_US : 0) | (w ? X86_RW : 0);
    expect(m.permits(m.flags(raw, 0, 1), access as AccessKind, priv === 'user', wp === 'wp' ? CTL_WP : 0)).toBe(expected);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Through the walker: referenceWalk and the MMU on tables built with mapPage.

const { makeWorld, map, expectFault } = walkHarness({
  model: x86_32, ramBytes: MIB, leafLevel: 1, faultMayWritePointers: true, checkFaultRecords: false,
});

const URWX = PTE_V | PTE_R | PTE_W | PTE_X | PTE_U;

describe('x86-32 walks: faults', () => {
  it('NOT_PRESENT at level 0 (empty page directory)', () => {
    const w = makeWorld(x86_32());
    expectFault(w, 0x00400000, ACCESS_READ, true, FAULT_NOT_PRESENT, 0);
    expectFault(w, 0xfffff123, ACCESS_WRITE, false, FAULT_NOT_PRESENT, 0);
  });

  it('NOT_PRESENT at level 1 (PDE present, PTE not), including a PTE whose only missing bit is P', () => {
    const w = makeWorld(x86_32());
    map(w, 0x00401000, 0x50, URWX);
    expectFault(w, 0x00402000, ACCESS_READ, true, FAULT_NOT_PRESENT, 1);
    // Every other bit set, P clear: still not present (software may keep a swap slot there).
    const pte = map(w, 0x00403000, 0x50, URWX);
    writeEntry(w.ram, w.model, pte, 0xfffffffe);
    expectFault(w, 0x00403000, ACCESS_READ, false, FAULT_NOT_PRESENT, 1, pte);
  });

  it('PROTECTION at the leaf: user on a supervisor page, user write to read-only, supervisor write with WP', () => {
    const w = makeWorld(x86_32());
    const sup = map(w, 0x1000, 0x50, PTE_V | PTE_R | PTE_W);
    const ro = map(w, 0x2000, 0x51, PTE_V | PTE_R | PTE_U);
    expectFault(w, 0x1000, ACCESS_READ, true, FAULT_PROTECTION, 1, sup);
    expectFault(w, 0x1004, ACCESS_EXEC, true, FAULT_PROTECTION, 1, sup);
    expectFault(w, 0x2008, ACCESS_WRITE, true, FAULT_PROTECTION, 1, ro);
    expectFault(w, 0x2008, ACCESS_WRITE, false, FAULT_PROTECTION, 1, ro);
    expectPa(w, 0x2008, ACCESS_READ, true, 0x51008);
    expectPa(w, 0x2008, ACCESS_EXEC, true, 0x51008);
    expectPa(w, 0x1000, ACCESS_WRITE, false, 0x50000);
    // CR0.WP=0: the supervisor may write read-only pages (and the write sets D).
    w.mmu.setControl(0);
    expectPa(w, 0x2008, ACCESS_WRITE, false, 0x51008);
    expect(w.ram.read32(ro)).toBe(0x00051065);
    expectFault(w, 0x2008, ACCESS_WRITE, true, FAULT_PROTECTION, 1);
  });

  it('RESERVED for a 4 MiB PDE with bits 21:13 set (pse), but the same PDE is a plain pointer without pse', () => {
    const pse = makeWorld(x86_32({ pse: true }), 8 * MIB);
    writeEntry(pse.ram, pse.model, 0x1000 + 1 * 4, 0x00402083);
    expectFault(pse, 0x00400000, ACCESS_READ, false, FAULT_RESERVED, 0, 0x1004);
    writeEntry(pse.ram, pse.model, 0x1000 + 1 * 4, 0x00401083); // bit 12 is PAT, fine
    expectPa(pse, 0x00400000, ACCESS_READ, false, 0x00400000);

    const plain = makeWorld(x86_32(), 8 * MIB);
    writeEntry(plain.ram, plain.model, 0x1000 + 1 * 4, 0x00402083);
    // A pointer to the (zeroed) table at frame 0x402.
    expectFault(plain, 0x00400000, ACCESS_READ, false, FAULT_NOT_PRESENT, 1);
    writeEntry(plain.ram, plain.model, 0x402000, 0x00050007);
    expectPa(plain, 0x00400abc, ACCESS_READ, false, 0x00050abc); // the PDE lacks U/S
  });

  it('BUS for a page directory, a page table or a frame outside RAM', () => {
    const w = makeWorld(x86_32()); // 1 MiB = 256 frames
    const pte = map(w, 0x00001000, 0x100, URWX); // frame 0x100 is the first beyond RAM
    map(w, 0x00002000, 0xff, URWX);
    expectFault(w, 0x00001000, ACCESS_READ, true, FAULT_BUS, 1, pte);
    expectFault(w, 0x00001fff, ACCESS_WRITE, false, FAULT_BUS, 1, pte);
    expectPa(w, 0x00002fff, ACCESS_READ, true, 0xfffff);
    // A PDE pointing to a table outside RAM.
    writeEntry(w.ram, w.model, 0x1000 + 2 * 4, 0x00200007);
    expectFault(w, 0x00800000, ACCESS_READ, true, FAULT_BUS, 1);
    // Without pse, a PS=1 PDE is a pointer too: to frame 0x400, outside 1 MiB of RAM.
    writeEntry(w.ram, w.model, 0x1000 + 3 * 4, 0x00400083);
    expectFault(w, 0x00c00000, ACCESS_READ, false, FAULT_BUS, 1);
    // A root outside RAM.
    w.mmu.setRoot(0x900);
    expectFault(w, 0x00001000, ACCESS_READ, true, FAULT_BUS, 0);
  });
});

describe('x86-32 walks: rights combine over both levels', () => {
  it('a PDE without U/S makes a user PTE supervisor-only', () => {
    const w = makeWorld(x86_32());
    map(w, 0x00401000, 0x50, URWX);
    writeEntry(w.ram, w.model, 0x1004, 0x00002003); // P | R/W, no U/S
    expectFault(w, 0x00401000, ACCESS_READ, true, FAULT_PROTECTION, 1);
    expectFault(w, 0x00401000, ACCESS_EXEC, true, FAULT_PROTECTION, 1);
    const ref = expectPa(w, 0x00401000, ACCESS_WRITE, false, 0x50000);
    expect(ref.flags & PTE_U).toBe(0);
    expect(ref.flags & PTE_W).toBe(PTE_W);
  });

  it('a PDE without R/W makes a writable PTE read-only (for the supervisor too when WP=1)', () => {
    const w = makeWorld(x86_32());
    map(w, 0x00401000, 0x50, URWX);
    writeEntry(w.ram, w.model, 0x1004, 0x00002005); // P | U/S, no R/W
    expectFault(w, 0x00401000, ACCESS_WRITE, true, FAULT_PROTECTION, 1);
    expectFault(w, 0x00401000, ACCESS_WRITE, false, FAULT_PROTECTION, 1);
    const ref = expectPa(w, 0x00401000, ACCESS_READ, true, 0x50000);
    expect(ref.flags & (PTE_W | PTE_U)).toBe(PTE_U);
    w.mmu.setControl(0);
    expectFault(w, 0x00401000, ACCESS_WRITE, true, FAULT_PROTECTION, 1);
    expectPa(w, 0x00401000, ACCESS_WRITE, false, 0x50000);
  });

  it('a permissive PDE does not widen a restrictive PTE', () => {
    const w = makeWorld(x86_32());
    map(w, 0x00401000, 0x50, PTE_V | PTE_R); // supervisor read-only under a 0x...007 PDE
    expect(w.ram.read32(0x1004)).toBe(0x00002007);
    expectFault(w, 0x00401000, ACCESS_READ, true, FAULT_PROTECTION, 1);
    expectFault(w, 0x00401000, ACCESS_WRITE, false, FAULT_PROTECTION, 1);
  });
});

describe('x86-32 walks: Accessed and Dirty in RAM (SDM §4.8)', () => {
  it.each(ENGINES)('%s: a read sets A in the PDE and the PTE; a write then sets D in the PTE only', (engine) => {
    const w = makeWorld(x86_32());
    const pte = map(w, 0x00401000, 0x50, URWX);
    expect(w.ram.read32(0x1004)).toBe(0x00002007);
    expect(w.ram.read32(pte)).toBe(0x00050007);
    expect(access(w, engine, 0x00401010, ACCESS_READ, true)).toBe(0x50010);
    expect(w.ram.read32(0x1004)).toBe(0x00002027);
    expect(w.ram.read32(pte)).toBe(0x00050027);
    expect(access(w, engine, 0x00401010, ACCESS_WRITE, true)).toBe(0x50010);
    expect(w.ram.read32(0x1004)).toBe(0x00002027); // no D in a PDE
    expect(w.ram.read32(pte)).toBe(0x00050067);
  });

  it.each(ENGINES)('%s: a first access that writes sets A and D together; an exec sets A only', (engine) => {
    const w = makeWorld(x86_32());
    const a = map(w, 0x1000, 0x50, URWX);
    const b = map(w, 0x2000, 0x51, URWX);
    expect(access(w, engine, 0x1000, ACCESS_WRITE, false)).toBe(0x50000);
    expect(w.ram.read32(a)).toBe(0x00050067);
    expect(access(w, engine, 0x2000, ACCESS_EXEC, true)).toBe(0x51000);
    expect(w.ram.read32(b)).toBe(0x00051027);
  });

  it.each(ENGINES)('%s: sets A in the PDE even when the PTE is not present', (engine) => {
    const w = makeWorld(x86_32());
    const pte = map(w, 0x00401000, 0x50, URWX);
    expect(access(w, engine, 0x00402000, ACCESS_READ, true)).toBe(-FAULT_NOT_PRESENT);
    expect(w.ram.read32(0x1004)).toBe(0x00002027);
    expect(w.ram.read32(pte)).toBe(0x00050007);
  });

  it.each(ENGINES)('%s: a faulting access leaves the leaf’s A/D alone (but the PDE it passed gets A)', (engine) => {
    const w = makeWorld(x86_32());
    const pte = map(w, 0x00401000, 0x50, PTE_V | PTE_R); // supervisor, read-only
    expect(access(w, engine, 0x00401000, ACCESS_READ, true)).toBe(-FAULT_PROTECTION);
    expect(access(w, engine, 0x00401000, ACCESS_WRITE, false)).toBe(-FAULT_PROTECTION);
    expect(w.ram.read32(pte)).toBe(0x00050001);
    expect(w.ram.read32(0x1004)).toBe(0x00002027);
  });

  it.each(ENGINES)('%s: a frame outside RAM faults without touching the leaf', (engine) => {
    const w = makeWorld(x86_32());
    const pte = map(w, 0x1000, 0x100, URWX);
    expect(access(w, engine, 0x1000, ACCESS_WRITE, true)).toBe(-FAULT_BUS);
    expect(w.ram.read32(pte)).toBe(0x00100007);
  });

  it('side-effect-free walks change no entry', () => {
    const w = makeWorld(x86_32());
    const pte = map(w, 0x00401000, 0x50, URWX);
    for (const kind of [ACCESS_READ, ACCESS_WRITE, ACCESS_EXEC] as const) {
      expect(w.mmu.translateNoSideEffects(0x00401000, kind, true)).toBe(0x50000);
      const ref = refWalk(w, 0x00401000, kind, true, false);
      expect(ref.ok && ref.flags & (PTE_A | PTE_D)).toBe(0);
    }
    expect(w.ram.read32(0x1004)).toBe(0x00002007);
    expect(w.ram.read32(pte)).toBe(0x00050007);
  });

  it('the reference walk reports the flags as they are after its A/D update', () => {
    const w = makeWorld(x86_32());
    map(w, 0x1000, 0x50, URWX);
    const read = refWalk(w, 0x1000, ACCESS_READ, true, true);
    expect(read.ok && read.flags).toBe(URWX | PTE_A);
    const write = refWalk(w, 0x1000, ACCESS_WRITE, true, true);
    expect(write.ok && write.flags).toBe(URWX | PTE_A | PTE_D);
    expect(write.ok && write.entryPa).toBe(0x2000 + 4);
    expect(write.ok && write.level).toBe(1);
    expect(write.ok && write.pfn).toBe(0x50);
  });
});

describe('x86-32 walks: 4 MiB pages (CR4.PSE)', () => {
  it('translates inside a 4 MiB page with a single PDE and sets A/D in that PDE', () => {
    for (const engine of ENGINES) {
      const w = makeWorld(x86_32({ pse: true }), 6 * MIB);
      const pde = map(w, 0x00c00000, 0x400, PTE_V | PTE_R | PTE_W, 0);
      expect(pde).toBe(0x1000 + 3 * 4);
      expect(w.allocated).toEqual([]);
      expect(w.ram.read32(pde)).toBe(0x00400083);
      const ref = refWalk(w, 0x00c12345, ACCESS_READ, false, false);
      expect(ref).toEqual({ ok: true, pa: 0x00412345, pfn: 0x412, flags: PTE_V | PTE_R | PTE_W | PTE_X, global: false, level: 0, entryPa: pde });
      expect(w.mmu.translateNoSideEffects(0x00c12345, ACCESS_READ, false)).toBe(0x00412345);
      expect(w.ram.read32(pde)).toBe(0x00400083);
      expect(access(w, engine, 0x00c12345, ACCESS_READ, false)).toBe(0x00412345);
      expect(w.ram.read32(pde)).toBe(0x004000a3);
      expect(access(w, engine, 0x00dffffc, ACCESS_WRITE, false)).toBe(0x005ffffc);
      expect(w.ram.read32(pde)).toBe(0x004000e3);
      // The 4 MiB page runs past the end of the 6 MiB RAM: its upper half is a bus error.
      expect(access(w, engine, 0x00e00000, ACCESS_READ, false)).toBe(-FAULT_BUS);
      expectFault(w, 0x00e00000, ACCESS_READ, false, FAULT_BUS, 0, pde);
      // A user access to the supervisor large page.
      expectFault(w, 0x00c00000, ACCESS_READ, true, FAULT_PROTECTION, 0, pde);
    }
  });

  it('mapPage refuses a level-0 leaf when the model has no PSE', () => {
    const w = makeWorld(x86_32(), 8 * MIB);
    expect(() => map(w, 0x00c00000, 0x400, PTE_V | PTE_R, 0)).toThrow(HwArgumentError);
  });
});

describe('x86-32 walks: global pages', () => {
  it('G counts only in the leaf and only with CR4.PGE', () => {
    for (const pge of [true, false]) {
      const w = makeWorld(x86_32({ pge }));
      map(w, 0x1000, 0x50, URWX | PTE_G);
      map(w, 0x2000, 0x51, URWX);
      const g = refWalk(w, 0x1000, ACCESS_READ, true, false);
      expect(g.ok && g.global).toBe(pge);
      const ng = refWalk(w, 0x2000, ACCESS_READ, true, false);
      expect(ng.ok && ng.global).toBe(false);
      w.mmu.translate(0x1000, ACCESS_READ, true);
      const entry = w.mmu.tlb.validEntries().find((e) => e.vpn === 1);
      expect(entry?.global).toBe(pge);
    }
  });

  it('a G bit in a PDE does not make the pages below it global', () => {
    const w = makeWorld(x86_32());
    map(w, 0x00401000, 0x50, URWX);
    writeEntry(w.ram, w.model, 0x1004, 0x00002107);
    const r = refWalk(w, 0x00401000, ACCESS_READ, true, false);
    expect(r.ok && r.global).toBe(false);
  });
});

describe('x86-32 root register (CR3)', () => {
  const m = x86_32();

  it('encodes CR3 as pfn << 12', () => {
    expect(m.encodeRoot(0x12345, 0)).toBe(0x12345000n);
    expect(m.encodeRoot(0, 0)).toBe(0n);
    expect(m.encodeRoot(0xfffff, 0)).toBe(0xfffff000n);
  });

  it('rejects an ASID (there are none in 32-bit paging) and a frame beyond 20 bits', () => {
    expectArgumentError(() => m.encodeRoot(1, 1), 'asid');
    expectArgumentError(() => m.encodeRoot(0x100000, 0), 'root pfn');
    expectArgumentError(() => m.encodeRoot(-1, 0), 'root pfn');
    expectArgumentError(() => m.encodeRoot(1.5, 0), 'root pfn');
  });

  it('decodes CR3, ignoring PWT/PCD and other low bits', () => {
    expect(m.decodeRoot(0x12345000n)).toEqual({ rootPfn: 0x12345, asid: 0 });
    expect(m.decodeRoot(0x12345018n)).toEqual({ rootPfn: 0x12345, asid: 0 });
    expect(m.decodeRoot(0xffffffffn)).toEqual({ rootPfn: 0xfffff, asid: 0 });
    expect(m.decodeRoot(-1n)).toBeNull();
    expect(m.decodeRoot(2n ** 32n)).toBeNull();
  });

  it('the MMU’s root register is the encoded CR3', () => {
    const w = makeWorld(m);
    w.mmu.setRoot(0x42);
    expect(w.mmu.rootRegister()).toBe(0x42000n);
    expect(m.decodeRoot(w.mmu.rootRegister())).toEqual({ rootPfn: 0x42, asid: 0 });
  });
});

describe('x86-32 entries in RAM', () => {
  it('mapPage writes PDE and PTE exactly as the SDM packs them', () => {
    const w = makeWorld(x86_32());
    const pte = map(w, 0xffc03000, 0x12345, URWX);
    // PDE index 0x3ff, PTE index 3, table in the first allocated frame (2).
    expect(w.allocated).toEqual([2]);
    expect(readEntry(w.ram, w.model, 0x1000 + 0x3ff * 4)).toEqual({ lo: 0x00002007, hi: 0 });
    expect(pte).toBe(0x2000 + 3 * 4);
    expect(readEntry(w.ram, w.model, pte)).toEqual({ lo: 0x12345007, hi: 0 });
    // 0x12345 is outside 1 MiB of RAM: the walk reaches the leaf and reports a bus error there.
    expectFault(w, 0xffc03000, ACCESS_READ, true, FAULT_BUS, 1, pte);
  });
});
