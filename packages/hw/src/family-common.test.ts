// The family code shared by the x86 models (x86-common.ts) and by the RISC-V models (riscv-common.ts): the
// low entry bits pack and unpack as inverses, and both models of a family answer the family facts alike.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ACCESS_EXEC, ACCESS_READ, ACCESS_WRITE, CTL_MXR, CTL_SUM, CTL_WP, PTE_A, PTE_CD, PTE_D, PTE_G, PTE_PAT, PTE_R, PTE_SW0,
  PTE_SW1, PTE_SW2, PTE_U, PTE_V, PTE_W, PTE_WT, PTE_X,
  type AccessKind,
} from './model.js';
import { riscvFlags, riscvIsMalformedBits, riscvLowBits, riscvPermits, RISCV_SUPPORTED_FLAGS } from './riscv-common.js';
import { sv32 } from './sv32.js';
import { sv39 } from './sv39.js';
import { expectArgumentError } from './testing/argument-errors.js';
import { X86_P, X86_PDE_PS, x86LowBits, x86LowFlags, x86Permits, X86_SUPPORTED_FLAGS } from './x86-common.js';
import { x86_32 } from './x86-32.js';
import { x86_64 } from './x86-64.js';

const FAMILY_FACTS = [
  'softwareBits', 'supportedFlags', 'permissionsAtEveryLevel', 'accessedOnNonLeaf', 'globalInherits', 'rawAccessed', 'rawDirty',
] as const;
const ACCESSES: AccessKind[] = [ACCESS_READ, ACCESS_WRITE, ACCESS_EXEC];

describe('x86-common', () => {
  it('x86-32 and x86-64 answer the family facts alike', () => {
    const a = x86_32();
    const b = x86_64();
    for (const fact of FAMILY_FACTS) expect([fact, a[fact]]).toEqual([fact, b[fact]]);
    expect(a.supportedFlags).toBe(X86_SUPPORTED_FLAGS);
  });

  // Every flag the low word can hold (X is the caller's: no bit on 32-bit paging, bit 63 on x86-64).
  const LOW_FLAGS = PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D | PTE_G | PTE_WT | PTE_CD | PTE_PAT | PTE_SW0 | PTE_SW1 | PTE_SW2;

  it('x86LowFlags undoes x86LowBits for a 4 KiB leaf, a large leaf and a pointer', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0x3fff }), (raw) => {
      const flags = (raw & LOW_FLAGS) | PTE_V | PTE_R; // P means both V and R
      expect(x86LowFlags(x86LowBits(flags, true, false), true, true, true)).toBe(flags);
      expect(x86LowFlags(x86LowBits(flags, true, true), true, false, true)).toBe(flags);
      // A pointer keeps neither D, G nor PAT.
      expect(x86LowFlags(x86LowBits(flags, false, false), false, false, true)).toBe(flags & ~(PTE_D | PTE_G | PTE_PAT));
    }));
  });

  it('x86LowBits sets PS only for a large leaf and puts its PAT at bit 12', () => {
    expect(x86LowBits(PTE_V | PTE_PAT, true, true)).toBe(X86_P | X86_PDE_PS | (1 << 12));
    expect(x86LowBits(PTE_V | PTE_PAT, true, false)).toBe(X86_P | (1 << 7));
    expect(x86LowBits(PTE_V | PTE_PAT, false, false)).toBe(X86_P);
  });

  it('x86LowFlags honours G only with CR4.PGE', () => {
    const lo = x86LowBits(PTE_V | PTE_G, true, false);
    expect(x86LowFlags(lo, true, true, true) & PTE_G).toBe(PTE_G);
    expect(x86LowFlags(lo, true, true, false) & PTE_G).toBe(0);
  });

  it('x86Permits: user needs U (and W to write); supervisor writes honour W only with CR0.WP; exec is not judged', () => {
    for (const access of ACCESSES) {
      for (const user of [false, true]) {
        for (const control of [0, CTL_WP]) {
          for (const flags of [PTE_V, PTE_V | PTE_W, PTE_V | PTE_U, PTE_V | PTE_U | PTE_W]) {
            const expected = user
              ? (flags & PTE_U) !== 0 && (access !== ACCESS_WRITE || (flags & PTE_W) !== 0)
              : access !== ACCESS_WRITE || control === 0 || (flags & PTE_W) !== 0;
            expect(x86Permits(flags, access, user, control)).toBe(expected);
          }
        }
      }
    }
  });
});

describe('riscv-common', () => {
  it('Sv32 and Sv39 answer the family facts alike, and rootWriteFlushesTlb is false for both', () => {
    const a = sv32();
    const b = sv39();
    for (const fact of FAMILY_FACTS) expect([fact, a[fact]]).toEqual([fact, b[fact]]);
    expect(a.supportedFlags).toBe(RISCV_SUPPORTED_FLAGS);
    expect([a.rootWriteFlushesTlb, b.rootWriteFlushesTlb]).toEqual([false, false]);
  });

  it('riscvFlags undoes riscvLowBits for every legal leaf', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0x3fff }), (raw) => {
      let flags = (raw & RISCV_SUPPORTED_FLAGS) | PTE_V;
      if ((flags & (PTE_R | PTE_X)) === 0) flags |= PTE_R;
      if ((flags & (PTE_R | PTE_W)) === PTE_W) flags |= PTE_R;
      expect(riscvFlags(riscvLowBits(flags, 1, 1, true, 'Sv32'))).toBe(flags);
    }));
  });

  it('riscvLowBits keeps only V, G and RSW in a pointer, and refuses what every mode refuses', () => {
    expect(riscvFlags(riscvLowBits(RISCV_SUPPORTED_FLAGS, 0, 1, false, 'Sv32'))).toBe(PTE_V | PTE_G | PTE_SW0 | PTE_SW1);
    expectArgumentError(() => riscvLowBits(PTE_V, 1, 1, false, 'Sv32'), 'level', 1);
    expectArgumentError(() => riscvLowBits(PTE_V | PTE_U, 2, 2, true, 'Sv39'), 'flags');
    const e = expectArgumentError(() => riscvLowBits(PTE_V | PTE_W | PTE_X, 2, 2, true, 'Sv39'), 'flags');
    expect(e.reason).toBe('W without R is reserved in Sv39');
  });

  it('riscvIsMalformedBits: W without R anywhere; a pointer at the last level or with D, A or U', () => {
    expect(riscvIsMalformedBits(0x005, 0, 1)).toBe(true); // V|W
    expect(riscvIsMalformedBits(0x00d, 1, 1)).toBe(true); // V|W|X
    expect(riscvIsMalformedBits(0x001, 1, 1)).toBe(true); // pointer at the last level
    expect(riscvIsMalformedBits(0x001, 1, 2)).toBe(false);
    for (const bit of [0x10, 0x40, 0x80]) expect(riscvIsMalformedBits(0x001 | bit, 0, 2)).toBe(true);
    expect(riscvIsMalformedBits(0x021, 0, 2)).toBe(false); // a global pointer
    expect(riscvIsMalformedBits(0x0fb, 2, 2)).toBe(false); // a leaf: V R X U G A D, no W
  });

  it('riscvPermits: SUM lets the supervisor touch user data but never execute it; MXR reads execute-only pages', () => {
    const userRx = PTE_V | PTE_U | PTE_R | PTE_X;
    expect(riscvPermits(userRx, ACCESS_READ, false, 0)).toBe(false);
    expect(riscvPermits(userRx, ACCESS_READ, false, CTL_SUM)).toBe(true);
    expect(riscvPermits(userRx, ACCESS_EXEC, false, CTL_SUM)).toBe(false);
    expect(riscvPermits(PTE_V | PTE_X, ACCESS_READ, false, 0)).toBe(false);
    expect(riscvPermits(PTE_V | PTE_X, ACCESS_READ, false, CTL_MXR)).toBe(true);
    expect(riscvPermits(PTE_V | PTE_R, ACCESS_READ, true, 0)).toBe(false);
    expect(riscvPermits(PTE_V | PTE_U | PTE_R, ACCESS_WRITE, true, 0)).toBe(false);
  });

  it('the two models decode the same low bits the same way', () => {
    const a = sv32();
    const b = sv39();
    for (let lo = 0; lo < 0x400; lo++) {
      expect(a.flags(lo, 0, 1)).toBe(b.flags(lo, 0, 2));
      expect(a.isValid(lo, 0, 1)).toBe(b.isValid(lo, 0, 2));
      expect(a.isLeaf(lo, 0, 1)).toBe(b.isLeaf(lo, 0, 2));
      // At the last level (no alignment rules there) the reserved combinations are the same too.
      expect(a.isMalformed(lo, 0, 1)).toBe(b.isMalformed(lo, 0, 2));
    }
  });
});
