import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HwArgumentError } from './errors.js';
import { PTE_A, PTE_R, PTE_U, PTE_V, PTE_W, PTE_X, type HardwareModel } from './model.js';
import {
  formatPageTableFlags, PAGE_TABLE_FLAG_NAMES, packPageTableFlags, pageTableFlagsToPte, PageTableFlags, parsePageTableFlags,
  PT_ACCESSED, PT_ALL, PT_DIRTY, PT_GLOBAL, PT_HUGE, PT_NO_CACHE, PT_NO_EXECUTE, PT_PRESENT, PT_USER_ACCESSIBLE,
  PT_WRITABLE, PT_WRITE_THROUGH, unpackPageTableFlags, UnsupportedFlagError, type PageTableFlagName,
} from './pte-flags.js';
import { SV32_A, SV32_D, SV32_G, SV32_R, SV32_U, SV32_V, SV32_W, SV32_X } from './riscv-common.js';
import { sv32 } from './sv32.js';
import { sv39 } from './sv39.js';
import { thrown } from './testing/argument-errors.js';
import { X86_A, X86_D, X86_G, X86_P, X86_PCD, X86_PDE_PS, X86_PWT, X86_RW, X86_US } from './x86-common.js';
import { x86_32 } from './x86-32.js';
import { X64_HI_XD, X64_PS, x86_64 } from './x86-64.js';

/** Expected raw words, or the flag named in the UnsupportedFlagError. */
type Expect = { lo: number; hi: number } | PageTableFlagName;

interface Case {
  readonly name: string;
  readonly make: () => HardwareModel;
  /** Expected packing of PRESENT | <flag> at the last level, by flag name (PRESENT: PRESENT alone). */
  readonly base: Readonly<Record<Exclude<PageTableFlagName, 'HUGE'>, Expect>>;
  /** Expected packing of PRESENT | HUGE at each level above the last. */
  readonly huge: readonly Expect[];
}

const x86 = (lo: number, hi = 0): Expect => ({ lo: (X86_P | lo) >>> 0, hi });
const rv = (lo: number): Expect => ({ lo: SV32_V | SV32_R | SV32_X | lo, hi: 0 });

const X86_BASE = {
  PRESENT: x86(0), WRITABLE: x86(X86_RW), USER_ACCESSIBLE: x86(X86_US), WRITE_THROUGH: x86(X86_PWT), NO_CACHE: x86(X86_PCD),
  ACCESSED: x86(X86_A), DIRTY: x86(X86_D), GLOBAL: x86(X86_G),
} as const;
const RV_BASE = {
  PRESENT: rv(0), WRITABLE: rv(SV32_W), USER_ACCESSIBLE: rv(SV32_U), NO_EXECUTE: { lo: SV32_V | SV32_R, hi: 0 },
  WRITE_THROUGH: 'WRITE_THROUGH', NO_CACHE: 'NO_CACHE', ACCESSED: rv(SV32_A), DIRTY: rv(SV32_D), GLOBAL: rv(SV32_G),
} as const;

const CASES: readonly Case[] = [
  { name: 'x86-32', make: () => x86_32(), base: { ...X86_BASE, NO_EXECUTE: 'NO_EXECUTE' }, huge: ['HUGE'] },
  { name: 'x86-32 (PSE)', make: () => x86_32({ pse: true }), base: { ...X86_BASE, NO_EXECUTE: 'NO_EXECUTE' }, huge: [x86(X86_PDE_PS)] },
  {
    name: 'x86-32 (no PGE)', make: () => x86_32({ pge: false }),
    base: { ...X86_BASE, NO_EXECUTE: 'NO_EXECUTE', GLOBAL: 'GLOBAL' }, huge: ['HUGE'],
  },
  {
    name: 'x86-64', make: () => x86_64(), base: { ...X86_BASE, NO_EXECUTE: x86(0, X64_HI_XD >>> 0) },
    huge: ['HUGE', x86(X64_PS), x86(X64_PS)],
  },
  {
    name: 'x86-64 (no NXE)', make: () => x86_64({ nxe: false }), base: { ...X86_BASE, NO_EXECUTE: 'NO_EXECUTE' },
    huge: ['HUGE', x86(X64_PS), x86(X64_PS)],
  },
  { name: 'sv32', make: () => sv32(), base: RV_BASE, huge: [rv(0)] },
  { name: 'sv39', make: () => sv39(), base: RV_BASE, huge: [rv(0), rv(0)] },
];

function check(model: HardwareModel, flags: number, level: number, expected: Expect): void {
  if (typeof expected === 'string') {
    const error = thrown(() => packPageTableFlags(model, flags, level));
    expect(UnsupportedFlagError.isInstance(error)).toBe(true);
    const e = error as UnsupportedFlagError;
    expect(e.flag).toBe(expected);
    expect(e.model).toBe(model.name);
    expect(e.level).toBe(level);
    expect(e.errno).toBe('EINVAL');
    expect(e.name).toBe('UnsupportedFlagError');
    expect(e.message).toContain(expected);
    return;
  }
  const packed = packPageTableFlags(model, flags, level);
  expect({ lo: packed.lo >>> 0, hi: packed.hi >>> 0 }).toEqual(expected);
  // And the model reads back exactly the flags it was given.
  expect(formatPageTableFlags(unpackPageTableFlags(model, packed.lo, packed.hi, level))).toBe(formatPageTableFlags(flags));
}

describe('PageTableFlags', () => {
  it('has the ten seed flags, one bit each, in the documented order', () => {
    expect(PAGE_TABLE_FLAG_NAMES).toEqual([
      'PRESENT', 'WRITABLE', 'USER_ACCESSIBLE', 'NO_EXECUTE', 'WRITE_THROUGH', 'NO_CACHE', 'ACCESSED', 'DIRTY', 'GLOBAL', 'HUGE',
    ]);
    const values = [PT_PRESENT, PT_WRITABLE, PT_USER_ACCESSIBLE, PT_NO_EXECUTE, PT_WRITE_THROUGH, PT_NO_CACHE, PT_ACCESSED, PT_DIRTY, PT_GLOBAL, PT_HUGE];
    expect(values).toEqual(values.map((_, i) => 1 << i));
    expect(Object.values(PageTableFlags)).toEqual(values);
    expect(PT_ALL).toBe(0x3ff);
    expect(Object.isFrozen(PageTableFlags)).toBe(true);
  });

  it('formats and parses flag sets', () => {
    expect(formatPageTableFlags(0)).toBe('empty');
    expect(formatPageTableFlags(PT_PRESENT | PT_WRITABLE | PT_USER_ACCESSIBLE)).toBe('PRESENT | WRITABLE | USER_ACCESSIBLE');
    expect(parsePageTableFlags('PRESENT|WRITABLE|USER_ACCESSIBLE')).toBe(7);
    expect(parsePageTableFlags(' present, huge  no_execute ')).toBe(PT_PRESENT | PT_HUGE | PT_NO_EXECUTE);
    expect(parsePageTableFlags('0x3')).toBe(3);
    expect(parsePageTableFlags('')).toBe(0);
    expect(() => parsePageTableFlags('PRESENT|READ')).toThrow(/READ/);
    expect(() => parsePageTableFlags('0x400')).toThrow(HwArgumentError);
    fc.assert(fc.property(fc.integer({ min: 0, max: PT_ALL }), (f) => {
      expect(parsePageTableFlags(formatPageTableFlags(f).replace('empty', ''))).toBe(f);
    }));
  });
});

describe.each(CASES)('packing on $name', ({ make, base, huge }) => {
  const model = make();
  const last = model.levels - 1;

  it.each(Object.keys(base) as Exclude<PageTableFlagName, 'HUGE'>[])('PRESENT | %s at the last level', (name) => {
    check(model, PT_PRESENT | PageTableFlags[name], last, base[name]);
  });

  it('PRESENT | HUGE at every level above the last, and never at the last', () => {
    huge.forEach((expected, level) => check(model, PT_PRESENT | PT_HUGE, level, expected));
    check(model, PT_PRESENT | PT_HUGE, last, 'HUGE');
  });

  it('round-trips every combination the model can express, and refuses the rest naming a flag it lacks', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: PT_ALL >>> 1 }), fc.integer({ min: 0, max: last }), (extra, level) => {
      const flags = PT_PRESENT | (extra << 1 & ~PT_HUGE) | (level < last ? PT_HUGE : 0);
      let packed: { lo: number; hi: number };
      try {
        packed = packPageTableFlags(model, flags, level);
      } catch (error) {
        expect(UnsupportedFlagError.isInstance(error)).toBe(true);
        const flag = (error as UnsupportedFlagError).flag;
        // The refused flag is one that was asked for (or HUGE, whose level the model cannot hold).
        expect(flag === 'HUGE' || (flags & PageTableFlags[flag]) !== 0).toBe(true);
        return;
      }
      expect(unpackPageTableFlags(model, packed.lo, packed.hi, level)).toBe(flags);
    }));
  });

  it('maps to the model-independent PTE flags: PRESENT is V|R, X unless NO_EXECUTE', () => {
    const flags = PT_PRESENT | PT_WRITABLE | PT_USER_ACCESSIBLE | PT_ACCESSED;
    expect(pageTableFlagsToPte(model, flags, last)).toBe(PTE_V | PTE_R | PTE_W | PTE_U | PTE_X | PTE_A);
  });

  it('refuses malformed arguments with HwArgumentError', () => {
    expect(() => packPageTableFlags(model, 0, last)).toThrow(/PRESENT is missing/);
    expect(() => packPageTableFlags(model, PT_ALL + 1, last)).toThrow(HwArgumentError);
    expect(() => packPageTableFlags(model, 1.5, last)).toThrow(HwArgumentError);
    expect(() => packPageTableFlags(model, -1, last)).toThrow(HwArgumentError);
    expect(() => packPageTableFlags(model, PT_PRESENT, last + 1)).toThrow(HwArgumentError);
    expect(() => packPageTableFlags(model, PT_PRESENT, -1)).toThrow(HwArgumentError);
    if (last > 0) expect(() => packPageTableFlags(model, PT_PRESENT, 0)).toThrow(/HUGE is missing/);
  });

  it('decodes an invalid entry as no flags and a pointer as PRESENT without HUGE', () => {
    expect(unpackPageTableFlags(model, 0, 0, 0)).toBe(0);
    const pointerLo = model.encodeLo(5, PTE_V | PTE_R | PTE_W | PTE_X | PTE_U, 0, false);
    const pointerHi = model.encodeHi(5, PTE_V | PTE_R | PTE_W | PTE_X | PTE_U, 0, false);
    const f = unpackPageTableFlags(model, pointerLo, pointerHi, 0);
    expect(f & PT_PRESENT).toBe(PT_PRESENT);
    expect(f & (PT_HUGE | PT_NO_EXECUTE)).toBe(0);
  });
});

describe('the messages say what is missing', () => {
  it('NO_EXECUTE on x86-32', () => {
    expect(() => packPageTableFlags(x86_32(), PT_PRESENT | PT_NO_EXECUTE, 1))
      .toThrow('x86-32 cannot express NO_EXECUTE in a level-1 entry: every present page is executable (no execute-disable bit)');
  });
  it('HUGE without PSE', () => {
    expect(() => packPageTableFlags(x86_32(), PT_PRESENT | PT_HUGE, 0)).toThrow(/x86-32 cannot express HUGE in a level-0 entry: .*PSE/);
  });
  it('NO_CACHE on Sv39', () => {
    expect(() => packPageTableFlags(sv39(), PT_PRESENT | PT_NO_CACHE, 2)).toThrow('sv39 cannot express NO_CACHE in a level-2 entry: the entry has no bit for it');
  });
});
