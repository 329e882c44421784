import { modelByName, PTE_A, PTE_D, PTE_G, PTE_R, PTE_U, PTE_V, PTE_W, PTE_X } from '@vmsim/hw';
import { PTE_COW } from '@vmsim/kernel';
import { describe, expect, it } from 'vitest';
import { bitNames, cowBit, decodeEntry, familyOf, rawHex, vaHex } from './bits.js';

function setNames(model: ReturnType<typeof modelByName>, flags: number, level: number, leaf = true, pfn = 5): string[] {
  const lo = model.encodeLo(pfn, flags, level, leaf);
  const hi = model.encodeHi(pfn, flags, level, leaf);
  return decodeEntry(model, lo, hi, level).filter((b) => b.set).map((b) => b.name);
}

describe('decodeEntry', () => {
  it('x86-32: the bits of a user, writable, dirty PTE, and COW in AVL bit 9', () => {
    const m = modelByName('x86-32');
    expect(familyOf(m)).toBe('x86');
    expect(setNames(m, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D, 1)).toEqual(['P', 'R/W', 'U/S', 'A', 'D']);
    expect(setNames(m, PTE_V | PTE_R | PTE_U | PTE_COW, 1)).toEqual(['P', 'U/S', 'COW']);
    expect(cowBit(m)).toBe(9);
    expect(decodeEntry(m, 1 << 9, 0, 1).find((b) => b.name === 'COW')!.set).toBe(true);
    // No NX on 4-byte entries; PS only in the directory.
    expect(bitNames(m, 1)).toEqual(['P', 'R/W', 'U/S', 'A', 'D', 'G', 'COW']);
    expect(bitNames(m, 0)).toEqual(['P', 'R/W', 'U/S', 'A', 'D', 'G', 'PS', 'COW']);
  });

  it('x86-64: NX is bit 63 (set when the page is not executable), PS marks a 2 MiB page, G is bit 8', () => {
    const m = modelByName('x86-64');
    expect(setNames(m, PTE_V | PTE_R | PTE_U, 3)).toEqual(['P', 'U/S', 'NX']);
    expect(setNames(m, PTE_V | PTE_R | PTE_X | PTE_U | PTE_G, 3)).toEqual(['P', 'U/S', 'G']);
    expect(setNames(m, PTE_V | PTE_R | PTE_W | PTE_X | PTE_U, 2, true, 512)).toEqual(['P', 'R/W', 'U/S', 'PS']);
    const nx = decodeEntry(m, 1, 0x80000000 | 0, 3).find((b) => b.name === 'NX')!;
    expect(nx).toEqual({ name: 'NX', bit: 63, set: true });
  });

  it.each(['sv32', 'sv39'])('%s: V R W X U G A D and COW in RSW bit 8', (name) => {
    const m = modelByName(name as 'sv32');
    expect(familyOf(m)).toBe('riscv');
    expect(bitNames(m, 0)).toEqual(['V', 'R', 'W', 'X', 'U', 'G', 'A', 'D', 'COW']);
    expect(setNames(m, PTE_V | PTE_R | PTE_X | PTE_U | PTE_A, m.levels - 1)).toEqual(['V', 'R', 'X', 'U', 'A']);
    expect(setNames(m, PTE_V | PTE_R | PTE_U | PTE_COW, m.levels - 1)).toEqual(['V', 'R', 'U', 'COW']);
    expect(cowBit(m)).toBe(8);
    expect(decodeEntry(m, (1 << 8) | 1, 0, 0).map((b) => [b.bit, b.set])).toEqual([
      [0, true], [1, false], [2, false], [3, false], [4, false], [5, false], [6, false], [7, false], [8, true],
    ]);
  });
});

describe('formatting', () => {
  it('rawHex pads to the entry width', () => {
    expect(rawHex(modelByName('x86-32'), 0x1067, 0)).toBe('00001067');
    expect(rawHex(modelByName('x86-64'), 0x1067, 0x80000000 | 0)).toBe('8000000000001067');
  });
  it('vaHex shows upper-half addresses as the 64-bit value', () => {
    expect(vaHex(0x80000000)).toBe('0x80000000');
    expect(vaHex(-(2 ** 47))).toBe('0xffff800000000000');
  });
});
