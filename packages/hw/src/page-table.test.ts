import { describe, expect, it } from 'vitest';
import { HwArgumentError, PhysicalAddressError } from './errors.js';
import { PTE_A, PTE_D, PTE_G, PTE_R, PTE_U, PTE_V, PTE_W, PTE_X, type HardwareModel } from './model.js';
import {
  entryPaIn, findEntry, mapPage, missingTables, POINTER_FLAGS, readEntry, writeEntry,
} from './page-table.js';
import { PhysicalMemory } from './physical-memory.js';
import { sv32 } from './sv32.js';
import { x86_32 } from './x86-32.js';
import { thrown } from './testing/argument-errors.js';

const MIB = 1024 * 1024;
const ROOT = 1;

/** A bump allocator handing out frames from `first`, recording each call. */
function allocator(first: number) {
  const calls: number[] = [];
  let next = first;
  const alloc = () => {
    calls.push(next);
    return next++;
  };
  return { alloc, calls };
}

/** Only the fields writeEntry/readEntry look at, for an 8-byte-entry model. */
const EIGHT_BYTE = { name: 'fake-64', entryBytes: 8 } as unknown as HardwareModel;

describe('POINTER_FLAGS', () => {
  it('is V R W X U: as permissive as possible, so the leaf decides', () => {
    expect(POINTER_FLAGS).toBe(PTE_V | PTE_R | PTE_W | PTE_X | PTE_U);
    expect(POINTER_FLAGS).toBe(0x1f);
  });
});

describe('entryPaIn', () => {
  it('indexes a table by the VA bits of the level, 4 bytes per entry', () => {
    const m = x86_32();
    expect(entryPaIn(m, 3, 0x00000000, 0)).toBe(0x3000);
    expect(entryPaIn(m, 3, 0xffffffff, 0)).toBe(0x3000 + 0x3ff * 4);
    expect(entryPaIn(m, 3, 0x00400000, 0)).toBe(0x3004);
    expect(entryPaIn(m, 3, 0x003ff000, 0)).toBe(0x3000);
    expect(entryPaIn(m, 3, 0x003ff000, 1)).toBe(0x3000 + 0x3ff * 4);
    expect(entryPaIn(m, 3, 0x00001fff, 1)).toBe(0x3004);
    expect(entryPaIn(sv32(), 0x3fffff, 0xffffffff, 1)).toBe(0x3fffff * 4096 + 0xffc);
  });
});

describe('readEntry / writeEntry', () => {
  it('round-trip little-endian 4-byte entries with hi always 0', () => {
    const ram = new PhysicalMemory(2 * 4096);
    const m = sv32();
    writeEntry(ram, m, 0x1010, 0xdeadbeef);
    expect(readEntry(ram, m, 0x1010)).toEqual({ lo: 0xdeadbeef, hi: 0 });
    expect([...ram.bytes.subarray(0x1010, 0x1018)]).toEqual([0xef, 0xbe, 0xad, 0xde, 0, 0, 0, 0]);
    writeEntry(ram, m, 0x1014, 7, 0);
    expect(readEntry(ram, m, 0x1014)).toEqual({ lo: 7, hi: 0 });
  });

  it('refuses a high word on a 4-byte model, without writing anything', () => {
    const ram = new PhysicalMemory(2 * 4096);
    const m = x86_32();
    writeEntry(ram, m, 0x1000, 0x00005007);
    const error = thrown(() => writeEntry(ram, m, 0x1000, 0x12345007, 1));
    expect(HwArgumentError.isInstance(error)).toBe(true);
    expect((error as HwArgumentError).argument).toBe('entry high word');
    expect((error as HwArgumentError).value).toBe(1);
    expect((error as HwArgumentError).message).toContain('x86-32');
    expect(ram.read32(0x1000)).toBe(0x00005007);
    expect(ram.read32(0x1004)).toBe(0);
  });

  it('writes and reads both words of an 8-byte entry', () => {
    const ram = new PhysicalMemory(4096);
    writeEntry(ram, EIGHT_BYTE, 0x18, 0x00001003, 0x80000001);
    expect(ram.read64(0x18)).toBe(0x8000000100001003n);
    expect(readEntry(ram, EIGHT_BYTE, 0x18)).toEqual({ lo: 0x00001003, hi: 0x80000001 });
  });

  it('an entry outside RAM throws PhysicalAddressError', () => {
    const ram = new PhysicalMemory(4096);
    expect(() => readEntry(ram, sv32(), 4094)).toThrow(PhysicalAddressError);
    expect(() => writeEntry(ram, sv32(), 4096, 1)).toThrow(PhysicalAddressError);
    expect(() => readEntry(ram, EIGHT_BYTE, 4092)).toThrow(PhysicalAddressError);
  });
});

describe.each([
  ['x86-32', x86_32(), 0x00000007, 0x12345007],
  ['sv32', sv32(), 0x00000001, 0x048d1417],
] as [string, HardwareModel, number, number][])('mapPage / findEntry / missingTables on %s', (_name, model, pointerLowBits, leafRaw) => {
  const LEAF_FLAGS = PTE_V | PTE_R | PTE_W | PTE_U | (model.name === 'x86-32' ? PTE_X : 0);
  /** The pointer entry to table `pfn` as each model packs it. */
  const pointer = (pfn: number) => (model.name === 'x86-32' ? pfn * 4096 : pfn * 1024) + pointerLowBits;

  it('creates the missing table through the callback, then reuses it', () => {
    const ram = new PhysicalMemory(MIB);
    const { alloc, calls } = allocator(7);
    expect(missingTables(ram, model, ROOT, 0x00403000)).toBe(1);
    expect(findEntry(ram, model, ROOT, 0x00403000)).toBe(-1);

    const leafPa = mapPage(ram, model, ROOT, 0x00403000, 0x12345, LEAF_FLAGS, alloc);
    expect(calls).toEqual([7]);
    expect(leafPa).toBe(0x7000 + 3 * 4);
    expect(ram.read32(0x1000 + 1 * 4)).toBe(pointer(7));
    expect(ram.read32(leafPa)).toBe(leafRaw);
    expect(findEntry(ram, model, ROOT, 0x00403000)).toBe(leafPa);
    expect(findEntry(ram, model, ROOT, 0x00403fff)).toBe(leafPa);
    expect(findEntry(ram, model, ROOT, 0x00403000, 0)).toBe(0x1004);
    expect(missingTables(ram, model, ROOT, 0x00403000)).toBe(0);
    expect(missingTables(ram, model, ROOT, 0x00403000, 0)).toBe(0);

    // Another page in the same 4 MiB region: no new table.
    const second = mapPage(ram, model, ROOT, 0x007ff000, 0x22, LEAF_FLAGS, alloc);
    expect(calls).toEqual([7]);
    expect(second).toBe(0x7000 + 0x3ff * 4);
    // An unmapped page in a region with a table: the entry exists, it is just empty.
    expect(findEntry(ram, model, ROOT, 0x00404000)).toBe(0x7000 + 4 * 4);
    expect(ram.read32(0x7000 + 4 * 4)).toBe(0);

    // A page in a new region: a new table.
    expect(missingTables(ram, model, ROOT, 0x00800000)).toBe(1);
    const third = mapPage(ram, model, ROOT, 0x00800000, 0x23, LEAF_FLAGS, alloc);
    expect(calls).toEqual([7, 8]);
    expect(third).toBe(0x8000);
    expect(ram.read32(0x1008)).toBe(pointer(8));
  });

  it('remapping an existing page overwrites the leaf in place', () => {
    const ram = new PhysicalMemory(MIB);
    const { alloc } = allocator(7);
    const first = mapPage(ram, model, ROOT, 0x5000, 0x10, LEAF_FLAGS, alloc);
    const again = mapPage(ram, model, ROOT, 0x5000, 0x11, PTE_V | PTE_R | PTE_A | PTE_D | PTE_G, alloc);
    expect(again).toBe(first);
    expect(model.pfn(ram.read32(first), 0, 1)).toBe(0x11);
    expect(model.flags(ram.read32(first), 0, 1) & (PTE_W | PTE_U | PTE_A | PTE_D | PTE_G)).toBe(PTE_A | PTE_D | PTE_G);
  });

  it('rejects bad leaf arguments before allocating or writing anything', () => {
    const ram = new PhysicalMemory(MIB);
    const { alloc, calls } = allocator(7);
    expect(() => mapPage(ram, model, ROOT, 0x00403000, model.maxPfn + 1, LEAF_FLAGS, alloc)).toThrow(HwArgumentError);
    expect(() => mapPage(ram, model, ROOT, 0x00403000, -1, LEAF_FLAGS, alloc)).toThrow(HwArgumentError);
    expect(calls).toEqual([]);
    expect(ram.read32(0x1004)).toBe(0);
    expect(missingTables(ram, model, ROOT, 0x00403000)).toBe(1);
  });

  it('a table outside RAM is a PhysicalAddressError', () => {
    const ram = new PhysicalMemory(MIB);
    expect(() => mapPage(ram, model, 0x100, 0x1000, 1, LEAF_FLAGS, () => 2)).toThrow(PhysicalAddressError);
    expect(() => findEntry(ram, model, 0x100, 0x1000)).toThrow(PhysicalAddressError);
  });
});

describe('page-table helpers and huge pages', () => {
  it('x86 with PSE: a 4 MiB PDE stops findEntry, missingTables and mapPage below it', () => {
    const model = x86_32({ pse: true });
    const ram = new PhysicalMemory(MIB);
    const { alloc, calls } = allocator(7);
    const pde = mapPage(ram, model, ROOT, 0x00800000, 0x400, PTE_V | PTE_R | PTE_W, alloc, 0);
    expect(pde).toBe(0x1008);
    expect(calls).toEqual([]);
    expect(ram.read32(pde)).toBe(0x00400083);
    expect(findEntry(ram, model, ROOT, 0x00801000)).toBe(-1);
    expect(findEntry(ram, model, ROOT, 0x00801000, 0)).toBe(0x1008);
    expect(() => missingTables(ram, model, ROOT, 0x00801000)).toThrow(HwArgumentError);
    expect(missingTables(ram, model, ROOT, 0x00801000, 0)).toBe(0);
    const error = thrown(() => mapPage(ram, model, ROOT, 0x00801000, 5, PTE_V | PTE_R, alloc));
    expect(HwArgumentError.isInstance(error)).toBe(true);
    expect((error as HwArgumentError).argument).toBe('virtual address');
    expect((error as HwArgumentError).message).toContain('level 0');
    expect(ram.read32(pde)).toBe(0x00400083);
    expect(calls).toEqual([]);
  });

  it('x86 without PSE: the same PDE is a pointer, so the helpers descend through it', () => {
    const model = x86_32();
    const ram = new PhysicalMemory(8 * MIB);
    ram.write32(0x1008, 0x00400083);
    expect(findEntry(ram, model, ROOT, 0x00801000)).toBe(0x400000 + 4);
    expect(missingTables(ram, model, ROOT, 0x00801000)).toBe(0);
  });

  it('Sv32 megapage entries are found at level 0', () => {
    const model = sv32();
    const ram = new PhysicalMemory(MIB);
    const pte = mapPage(ram, model, ROOT, 0xffc00000, 0x3ffc00, PTE_V | PTE_R | PTE_X, () => 9, 0);
    expect(pte).toBe(0x1ffc);
    expect(ram.read32(pte)).toBe(0xfff0000b);
    expect(findEntry(ram, model, ROOT, 0xffc00000)).toBe(-1);
    expect(findEntry(ram, model, ROOT, 0xffc00000, 0)).toBe(0x1ffc);
  });

  it('missingTables counts from the level where the walk stops', () => {
    const model = sv32();
    const ram = new PhysicalMemory(MIB);
    expect(missingTables(ram, model, ROOT, 0x1000, 0)).toBe(0);
    expect(missingTables(ram, model, ROOT, 0x1000, 1)).toBe(1);
    expect(missingTables(ram, model, ROOT, 0x1000)).toBe(1);
  });
});
