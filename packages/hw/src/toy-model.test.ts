// A third paging architecture, defined only here, to show that Mmu, Tlb and referenceWalk work for any
// HardwareModel and not just for the two built-in ones.
//
// "toy3": three levels, 1 KiB pages, 4-byte entries.
//   VA (32 bits):  31..26 level-0 index (64 entries) | 25..18 level-1 index (256) | 17..10 level-2 index (256) | 9..0 offset
//   Entry:         31..10 frame | 9..7 reserved (must be 0) | 6 NX | 5 L (leaf above the last level) | 4 D | 3 A | 2 U | 1 W | 0 V
// Rights are combined over every level (W, U, and NX), like x86; A is set in every entry the walker uses and
// D only in the leaf. Leaves above the last level are huge pages: 256 KiB at level 1, 64 MiB at level 0, and
// their frame must be aligned to their size. The root register holds a 22-bit frame and a 4-bit ASID.

import { describe, expect, it } from 'vitest';
import { HwArgumentError } from './errors.js';
import {
  ACCESS_EXEC, ACCESS_READ, ACCESS_WRITE, FAULT_BUS, FAULT_NOT_PRESENT, FAULT_PROTECTION, FAULT_RESERVED, levelIndex,
  levelSpanShift, PTE_A, PTE_D, PTE_R, PTE_U, PTE_V, PTE_W, PTE_X, validateModel,
  type AccessKind, type HardwareModel,
} from './model.js';
import { Mmu } from './mmu.js';
import { mapPage } from './page-table.js';
import {
  packPageTableFlags, PT_ACCESSED, PT_DIRTY, PT_GLOBAL, PT_HUGE, PT_NO_CACHE, PT_NO_EXECUTE, PT_PRESENT, PT_USER_ACCESSIBLE,
  PT_WRITABLE, PT_WRITE_THROUGH, unpackPageTableFlags, UnsupportedFlagError,
} from './pte-flags.js';
import { PhysicalMemory } from './physical-memory.js';
import { referenceWalk } from './walk.js';

const T_V = 1 << 0;
const T_W = 1 << 1;
const T_U = 1 << 2;
const T_A = 1 << 3;
const T_D = 1 << 4;
const T_L = 1 << 5;
const T_NX = 1 << 6;
const T_RESERVED = 0x7 << 7;

class Toy3 implements HardwareModel {
  readonly name: string = 'toy3';
  readonly levels: number = 3;
  readonly pageShift = 10;
  readonly indexBits: readonly number[] = [6, 8, 8];
  readonly entryBytes = 4 as const;
  readonly vaBits: number = 32;
  readonly maxPfn = 0x3fffff;
  readonly asidBits = 4;
  readonly softwareBits = 0;
  readonly supportedFlags = PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D;
  readonly permissionsAtEveryLevel = true;
  readonly accessedOnNonLeaf = true;
  readonly globalInherits = false;
  readonly rootWriteFlushesTlb = false;
  readonly rawAccessed = T_A;
  readonly rawDirty = T_D;

  isValid(lo: number): boolean {
    return (lo & T_V) !== 0;
  }
  isLeaf(lo: number, _hi: number, level: number): boolean {
    return level === this.levels - 1 || (lo & T_L) !== 0;
  }
  isMalformed(lo: number, hi: number, level: number): boolean {
    if ((lo & T_RESERVED) !== 0) return true;
    const last = this.levels - 1;
    if (level === last) return (lo & T_L) !== 0; // L is reserved in last-level entries
    if (!this.isLeaf(lo, hi, level)) return (lo & T_D) !== 0; // no D in pointers
    const pagesInLeaf = 2 ** (levelSpanShift(this, level) - this.pageShift);
    return this.pfn(lo) % pagesInLeaf !== 0; // misaligned huge page
  }
  pfn(lo: number): number {
    return lo >>> 10;
  }
  flags(lo: number, hi: number, level: number): number {
    let f = 0;
    if (lo & T_V) f |= PTE_V | PTE_R;
    if (lo & T_W) f |= PTE_W;
    if (lo & T_U) f |= PTE_U;
    if ((lo & T_NX) === 0) f |= PTE_X;
    if (lo & T_A) f |= PTE_A;
    if (lo & T_D && this.isLeaf(lo, hi, level)) f |= PTE_D;
    return f;
  }
  encodeLo(pfn: number, flags: number, level: number, leaf: boolean): number {
    if (!Number.isInteger(pfn) || pfn < 0 || pfn > this.maxPfn) throw new HwArgumentError('pfn', pfn, 'toy3 frames are 22 bits');
    if (level < 0 || level >= this.levels) throw new HwArgumentError('level', level, 'toy3 has levels 0..2');
    const last = level === this.levels - 1;
    if (!leaf && last) throw new HwArgumentError('level', level, 'a last-level entry is always a leaf');
    let lo = pfn * 1024;
    if (flags & PTE_V) lo |= T_V;
    if (flags & PTE_W) lo |= T_W;
    if (flags & PTE_U) lo |= T_U;
    if ((flags & PTE_X) === 0) lo |= T_NX;
    if (flags & PTE_A) lo |= T_A;
    if (leaf && flags & PTE_D) lo |= T_D;
    if (leaf && !last) lo |= T_L;
    return lo >>> 0;
  }
  encodeHi(): number {
    return 0;
  }
  permits(flags: number, access: AccessKind, user: boolean): boolean {
    if (user && (flags & PTE_U) === 0) return false;
    if (access === ACCESS_WRITE) return (flags & PTE_W) !== 0;
    if (access === ACCESS_EXEC) return (flags & PTE_X) !== 0;
    return (flags & PTE_R) !== 0;
  }
  encodeRoot(rootPfn: number, asid: number): bigint {
    return (BigInt(asid) << 22n) | BigInt(rootPfn);
  }
  decodeRoot(register: bigint): { rootPfn: number; asid: number } | null {
    if (register < 0n || register >= 1n << 26n) return null;
    return { rootPfn: Number(register & 0x3fffffn), asid: Number(register >> 22n) };
  }
}

/** The same entry format with two levels only ([4, 8], 1 KiB pages): a 22-bit virtual address space. */
class Toy2 extends Toy3 {
  override readonly name = 'toy2';
  override readonly levels = 2;
  override readonly indexBits: readonly number[] = [4, 8];
  override readonly vaBits = 22;
}

const RWXU = PTE_V | PTE_R | PTE_W | PTE_X | PTE_U;
const ROOT = 1;
const PAGE = 1024;

function setup(model: HardwareModel = new Toy3()) {
  const ram = new PhysicalMemory(1 << 20, { frameSize: PAGE }); // 1024 frames of 1 KiB
  let next = 2;
  const allocated: number[] = [];
  const alloc = (): number => {
    allocated.push(next);
    return next++;
  };
  const mmu = new Mmu(ram, model, { tlb: { entries: 16, ways: 2 } });
  mmu.setRoot(ROOT);
  const map = (va: number, pfn: number, flags: number, level?: number, root = ROOT): number =>
    mapPage(ram, model, root, va, pfn, flags, alloc, level);
  return { model, ram, mmu, map, allocated };
}

/** Physical address of the entry for `va` at `level`, following the tables from the root. */
function entryAt(ram: PhysicalMemory, model: HardwareModel, va: number, level: number, root = ROOT): number {
  let table = root;
  for (let l = 0; l < level; l++) table = model.pfn(ram.read32(table * PAGE + levelIndex(model, va, l) * 4), 0, l);
  return table * PAGE + levelIndex(model, va, level) * 4;
}

describe('toy3, a user-defined three-level model', () => {
  it('is a valid model with the expected geometry', () => {
    const model = new Toy3();
    expect(validateModel(model)).toBeNull();
    expect([0, 1, 2].map((l) => levelSpanShift(model, l))).toEqual([26, 18, 10]);
    const va = (37 << 26) | (201 << 18) | (99 << 10) | 0x155;
    expect([0, 1, 2].map((l) => levelIndex(model, va >>> 0, l))).toEqual([37, 201, 99]);
  });

  it('builds its tables with mapPage and round-trips loads and stores through them', () => {
    const { ram, mmu, map, allocated } = setup();
    const va = 0x87654000;
    map(va, 0x200, RWXU);
    expect(allocated).toHaveLength(2); // a level-1 and a level-2 table
    map(va + PAGE, 0x300, RWXU);
    expect(allocated).toHaveLength(2); // same tables
    map(va + (1 << 18), 0x301, RWXU);
    expect(allocated).toHaveLength(3); // a new level-2 table only

    expect(mmu.store32(va + 0x10, 0x01020304)).toBe(0);
    expect([...ram.readBytes(0x200 * PAGE + 0x10, 4)]).toEqual([4, 3, 2, 1]);
    expect(mmu.load32(va + 0x10)).toBe(0x01020304);
    expect(mmu.store64(va + 0x3fc, 0x1122334455667788n)).toBe(0); // crosses into frame 0x300
    expect([...ram.readBytes(0x200 * PAGE + 0x3fc, 4)]).toEqual([0x88, 0x77, 0x66, 0x55]);
    expect([...ram.readBytes(0x300 * PAGE, 4)]).toEqual([0x44, 0x33, 0x22, 0x11]);
    expect(mmu.load64(va + 0x3fc)).toBe(0x1122334455667788n);
    expect(mmu.storeF64(va + (1 << 18) + 8, 2.5)).toBe(0);
    expect(ram.readF64(0x301 * PAGE + 8)).toBe(2.5);
    expect(mmu.translate(va + 0x3ff, ACCESS_READ, true)).toBe(0x200 * PAGE + 0x3ff);
  });

  it('faults NOT_PRESENT at each of the three levels', () => {
    const { mmu, map } = setup();
    expect(mmu.load8(0x40000000)).toBe(-FAULT_NOT_PRESENT);
    expect(mmu.faultLevel).toBe(0);
    map(0x40000000, 0x200, RWXU);
    expect(mmu.load8(0x40000000 + (5 << 18))).toBe(-FAULT_NOT_PRESENT);
    expect(mmu.faultLevel).toBe(1);
    expect(mmu.load8(0x40000000 + 7 * PAGE)).toBe(-FAULT_NOT_PRESENT);
    expect(mmu.faultLevel).toBe(2);
    expect([mmu.faultKind, mmu.faultVa, mmu.faultAccess, mmu.faultUser]).toEqual([FAULT_NOT_PRESENT, 0x40001c00, ACCESS_READ, true]);
  });

  it('faults RESERVED at each of the three levels', () => {
    const { ram, model, mmu, map } = setup();
    const va = 0x0c0c0c00;
    map(va, 0x200, RWXU);
    const [e0, e1, e2] = [0, 1, 2].map((l) => entryAt(ram, model, va, l));
    const word = [e0, e1, e2].map((e) => ram.read32(e!));
    ram.write32(e2!, word[2]! | T_L);
    expect(mmu.load8(va)).toBe(-FAULT_RESERVED);
    expect(mmu.faultLevel).toBe(2);
    ram.write32(e1!, word[1]! | T_D);
    expect(mmu.load8(va)).toBe(-FAULT_RESERVED);
    expect(mmu.faultLevel).toBe(1);
    ram.write32(e0!, word[0]! | (1 << 8));
    expect(mmu.load8(va)).toBe(-FAULT_RESERVED);
    expect(mmu.faultLevel).toBe(0);
    // A misaligned 256 KiB page at level 1.
    ram.write32(e0!, word[0]!);
    ram.write32(e1!, (0x101 << 10) | T_L | T_U | T_W | T_V);
    expect(mmu.load8(va)).toBe(-FAULT_RESERVED);
    expect(mmu.faultLevel).toBe(1);
  });

  it('combines W, U and NX over every level and reports protection at the leaf', () => {
    const { ram, model, mmu, map } = setup();
    const va = 0x12345400;
    map(va, 0x200, RWXU);
    const e1 = entryAt(ram, model, va, 1);
    const pointer = ram.read32(e1);
    expect(mmu.fetch32(va)).toBe(0);
    ram.write32(e1, pointer | T_NX);
    mmu.flushPage(va);
    expect(mmu.fetch32(va)).toBe(-FAULT_PROTECTION);
    expect([mmu.faultLevel, mmu.faultAccess]).toEqual([2, ACCESS_EXEC]);
    expect(mmu.load8(va)).toBe(0);
    ram.write32(e1, pointer & ~T_W);
    mmu.flushPage(va);
    expect(mmu.store8(va, 1)).toBe(-FAULT_PROTECTION);
    ram.write32(e1, pointer & ~T_U);
    mmu.flushPage(va);
    expect(mmu.load8(va, true)).toBe(-FAULT_PROTECTION);
    expect(mmu.store8(va, 1, false)).toBe(0);
  });

  it('faults BUS on a table or a frame outside RAM', () => {
    const { ram, model, mmu, map } = setup();
    const va = 0x55555400;
    map(va, 0x200, RWXU);
    const e2 = entryAt(ram, model, va, 2);
    ram.write32(e2, (2000 << 10) | T_U | T_W | T_V); // frame 2000 of a 1024-frame RAM
    expect(mmu.load8(va)).toBe(-FAULT_BUS);
    expect(mmu.faultLevel).toBe(2);
    const e0 = entryAt(ram, model, va, 0);
    ram.write32(e0, (5000 << 10) | T_U | T_W | T_V); // the level-1 table lies outside RAM
    expect(mmu.load8(va)).toBe(-FAULT_BUS);
    expect(mmu.faultLevel).toBe(1);
  });

  it('sets A in every entry it uses and D only in the leaf; a read-filled entry makes the first write walk', () => {
    const { ram, model, mmu, map } = setup();
    const va = 0x23456800;
    map(va, 0x200, RWXU);
    const entries = [0, 1, 2].map((l) => entryAt(ram, model, va, l));
    const ad = (): number[] => entries.map((e) => ram.read32(e) & (T_A | T_D));
    expect(ad()).toEqual([0, 0, 0]);
    mmu.load8(va);
    expect(ad()).toEqual([T_A, T_A, T_A]);
    expect(mmu.tlb.misses).toBe(1);
    mmu.store8(va, 1);
    expect(ad()).toEqual([T_A, T_A, T_A | T_D]);
    expect(mmu.tlb.misses).toBe(2);
    mmu.store8(va + 1, 2);
    expect([mmu.tlb.hits, mmu.tlb.misses]).toEqual([1, 2]);
  });

  it('maps 256 KiB huge pages at level 1 and flushes all their pieces together', () => {
    const { ram, model, mmu, map } = setup();
    const va = 0x08040000; // level-1 aligned
    const leaf = map(va, 256, RWXU, 1);
    expect(leaf).toBe(entryAt(ram, model, va, 1));
    expect(mmu.translate(va + 0x2a0ff, ACCESS_WRITE, true)).toBe(256 * PAGE + 0x2a0ff);
    expect(ram.read32(leaf) & (T_A | T_D)).toBe(T_A | T_D);
    mmu.load8(va + 5 * PAGE);
    expect(mmu.tlb.occupancy).toBe(2);
    ram.write32(leaf, 0);
    mmu.flushPage(va + 0x3ffff);
    expect(mmu.tlb.occupancy).toBe(0);
    expect(mmu.load8(va + 5 * PAGE)).toBe(-FAULT_NOT_PRESENT);
  });

  it('keeps address spaces apart with its 4-bit ASIDs', () => {
    const { ram, mmu, map } = setup();
    const va = 0x00100000;
    map(va, 0x200, RWXU, undefined, ROOT);
    map(va, 0x201, RWXU, undefined, 0x3ff);
    ram.write8(0x200 * PAGE, 0xaa);
    ram.write8(0x201 * PAGE, 0xbb);
    mmu.setRoot(ROOT, 3);
    expect(mmu.load8(va)).toBe(0xaa);
    mmu.setRoot(0x3ff, 15);
    expect(mmu.load8(va)).toBe(0xbb);
    const walks = mmu.walks;
    mmu.setRoot(ROOT, 3);
    expect(mmu.load8(va)).toBe(0xaa);
    expect(mmu.walks).toBe(walks);
    expect(() => mmu.setRoot(ROOT, 16)).toThrow(HwArgumentError);
    expect(mmu.rootRegister()).toBe((3n << 22n) | 1n);
  });

  it('agrees with referenceWalk on every access kind over mapped, unmapped, huge and broken pages', () => {
    const { ram, model, mmu, map } = setup();
    map(0x00000000, 0x200, RWXU);
    map(0x00000400, 0x201, PTE_V | PTE_R | PTE_U); // read-only, no execute
    map(0x00000800, 0x202, PTE_V | PTE_R | PTE_W | PTE_X); // supervisor
    map(0x04000000, 512, RWXU, 1); // 256 KiB
    map(0x80000000, 0, RWXU, 0); // 64 MiB, mostly outside RAM
    map(0xfffffc00, 0x203, RWXU);
    ram.write32(entryAt(ram, model, 0xfffffc00, 2) - 4, (0x204 << 10) | T_L | T_V); // malformed neighbour
    const vas = [0x0, 0x3ff, 0x400, 0x7ff, 0x800, 0xc00, 0x04000000, 0x0403ffff, 0x04040000, 0x80000000, 0x800fffff,
      0x80100000, 0x83ffffff, 0xfffffbff, 0xfffffc00, 0xffffffff, 0x40000000];
    let agreed = 0;
    for (const va of vas) {
      for (const access of [ACCESS_READ, ACCESS_WRITE, ACCESS_EXEC] as const) {
        for (const user of [false, true]) {
          const ref = referenceWalk(ram, model, ROOT, { va, access, user, control: mmu.control, sideEffects: false });
          const got = mmu.translateNoSideEffects(va, access, user);
          if (ref.ok) expect(got).toBe(ref.pa);
          else expect([got, mmu.faultLevel]).toEqual([-ref.fault, ref.level]);

          // With side effects, on two copies of RAM.
          const ramA = copyRam(ram);
          const ramB = copyRam(ram);
          const mmuA = new Mmu(ramA, model);
          mmuA.setRoot(ROOT);
          const refB = referenceWalk(ramB, model, ROOT, { va, access, user, control: mmuA.control, sideEffects: true });
          const gotA = mmuA.translate(va, access, user);
          expect(gotA).toBe(refB.ok ? refB.pa : -refB.fault);
          expect(firstDifference(ramA.bytes, ramB.bytes)).toBe(-1);
          agreed++;
        }
      }
    }
    expect(agreed).toBe(vas.length * 6);
  });

  it('is rejected by Mmu when its geometry does not add up', () => {
    class Broken extends Toy3 {
      override readonly vaBits = 31;
    }
    const ram = new PhysicalMemory(1 << 20, { frameSize: PAGE });
    expect(() => new Mmu(ram, new Broken())).toThrow(HwArgumentError);
  });
});

describe('toy2, a model with a 22-bit virtual address space', () => {
  it('rejects virtual addresses beyond 2^22 - 1 instead of aliasing them', () => {
    const { mmu, map } = setup(new Toy2());
    map(0x000400, 0x200, RWXU);
    expect(mmu.store8(0x000400, 7)).toBe(0);
    expect(mmu.load8(0x3fffff)).toBe(-FAULT_NOT_PRESENT);
    expect(() => mmu.load8(0x400400)).toThrow(HwArgumentError);
    expect(() => mmu.translate(1 << 22, ACCESS_READ, true)).toThrow(HwArgumentError);
    expect(() => mmu.flushPage(0x80000400)).toThrow(HwArgumentError);
    expect(() => mmu.translateNoSideEffects(0xffffffff, ACCESS_READ, true)).toThrow(HwArgumentError);
  });

  it('wraps a crossing access at the top of its address space to address 0', () => {
    const { ram, mmu, map } = setup(new Toy2());
    map(0x3ffc00, 0x200, RWXU);
    map(0x000000, 0x201, RWXU);
    expect(mmu.store32(0x3ffffe, 0xa1b2c3d4)).toBe(0);
    expect([...ram.readBytes(0x200 * PAGE + 0x3fe, 2)]).toEqual([0xd4, 0xc3]);
    expect([...ram.readBytes(0x201 * PAGE, 2)]).toEqual([0xb2, 0xa1]);
    expect(mmu.load32(0x3ffffe)).toBe(0xa1b2c3d4);
  });
});

function copyRam(ram: PhysicalMemory): PhysicalMemory {
  const copy = new PhysicalMemory(ram.size, { frameSize: ram.frameSize });
  copy.writeBytes(0, ram.bytes); // commits as much as `ram` has
  return copy;
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  // RAM is committed on demand: bytes past the end of the shorter array read as zero.
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return i;
  return -1;
}

describe('seed 003 PageTableFlags on a model of your own (toy3)', () => {
  const toy = new Toy3();
  it('packs each flag into toy3 bits, NO_EXECUTE as NX and HUGE as L above the last level', () => {
    const lo = (flags: number, level = 2): number => packPageTableFlags(toy, flags, level).lo;
    expect(lo(PT_PRESENT)).toBe(T_V);
    expect(lo(PT_PRESENT | PT_WRITABLE)).toBe(T_V | T_W);
    expect(lo(PT_PRESENT | PT_USER_ACCESSIBLE)).toBe(T_V | T_U);
    expect(lo(PT_PRESENT | PT_NO_EXECUTE)).toBe(T_V | T_NX);
    expect(lo(PT_PRESENT | PT_ACCESSED)).toBe(T_V | T_A);
    expect(lo(PT_PRESENT | PT_DIRTY)).toBe(T_V | T_D);
    expect(lo(PT_PRESENT | PT_HUGE, 1)).toBe(T_V | T_L);
    expect(lo(PT_PRESENT | PT_HUGE, 0)).toBe(T_V | T_L);
    expect(unpackPageTableFlags(toy, T_V | T_L | T_NX, 0, 1)).toBe(PT_PRESENT | PT_HUGE | PT_NO_EXECUTE);
  });
  it.each([
    ['GLOBAL', PT_GLOBAL], ['WRITE_THROUGH', PT_WRITE_THROUGH], ['NO_CACHE', PT_NO_CACHE],
  ] as const)('refuses %s, which toy3 has no bit for', (name, flag) => {
    let error: unknown;
    try {
      packPageTableFlags(toy, PT_PRESENT | flag, 2);
    } catch (e) {
      error = e;
    }
    expect(UnsupportedFlagError.isInstance(error)).toBe(true);
    expect((error as UnsupportedFlagError).flag).toBe(name);
    expect((error as UnsupportedFlagError).model).toBe('toy3');
  });
});
