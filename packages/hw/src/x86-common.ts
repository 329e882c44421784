// What every x86 paging mode shares (Intel SDM Vol. 3A §4.3 and §4.5): bits 0..12 of an entry's low word,
// their translation to and from the model-independent flags, and the U/S and R/W rights with CR0.WP.
// x86-32.ts and x86-64.ts add their own frame fields, reserved bits and (64-bit) execute-disable.

import {
  ACCESS_WRITE, CTL_WP, PTE_A, PTE_CD, PTE_D, PTE_G, PTE_PAT, PTE_R, PTE_SW0, PTE_SW1, PTE_SW2, PTE_SW_SHIFT, PTE_U, PTE_V,
  PTE_W, PTE_WT, PTE_X,
  type AccessKind,
} from './model.js';

/*
 * Low bits of every x86 entry (32-bit PTE/PDE, 64-bit PML4E/PDPTE/PDE/PTE):
 *
 *   12         11  9  8   7       6   5   4    3    2    1    0
 * | PAT(large)| AVL | G | PS/PAT | D | A | PCD | PWT | U/S | R/W | P |
 *
 * Bit 7 is PS in an entry above the last level (a large page when set) and PAT in a last-level PTE; a large
 * page's PAT moves to bit 12. D and G count in leaves only.
 */
export const X86_P = 1 << 0;
export const X86_RW = 1 << 1;
export const X86_US = 1 << 2;
export const X86_PWT = 1 << 3;
export const X86_PCD = 1 << 4;
export const X86_A = 1 << 5;
export const X86_D = 1 << 6;
/** Bit 7 of a PTE: page attribute table index. */
export const X86_PTE_PAT = 1 << 7;
/** Bit 7 of a PDE (or 64-bit PDPTE): page size, a large page when set. */
export const X86_PDE_PS = 1 << 7;
export const X86_G = 1 << 8;
export const X86_AVL_SHIFT = 9;
export const X86_AVL_MASK = 0x7 << X86_AVL_SHIFT;
/** Bit 12 of a large-page entry: page attribute table index. */
export const X86_PDE_LARGE_PAT = 1 << 12;

/**
 * The model-independent flags of an entry's low word, without X (32-bit paging has no NX bit and x86-64
 * takes it from bit 63): P gives V and R; D, G (honoured only with CR4.PGE) and PAT count in leaves only,
 * PAT at bit 7 for a last-level PTE (`pteLevel`) and at bit 12 for a large page.
 */
export function x86LowFlags(lo: number, leaf: boolean, pteLevel: boolean, pge: boolean): number {
  let f = ((lo >>> X86_AVL_SHIFT) & 0x7) << PTE_SW_SHIFT;
  if (lo & X86_P) f |= PTE_V | PTE_R;
  if (lo & X86_RW) f |= PTE_W;
  if (lo & X86_US) f |= PTE_U;
  if (lo & X86_PWT) f |= PTE_WT;
  if (lo & X86_PCD) f |= PTE_CD;
  if (lo & X86_A) f |= PTE_A;
  if (leaf) {
    if (lo & X86_D) f |= PTE_D;
    if (pge && lo & X86_G) f |= PTE_G;
    if (lo & (pteLevel ? X86_PTE_PAT : X86_PDE_LARGE_PAT)) f |= PTE_PAT;
  }
  return f;
}

/**
 * Bits 0..12 of an entry for `flags` (the frame field is the caller's): the inverse of `x86LowFlags`. A large
 * leaf gets PS and keeps PAT at bit 12.
 */
export function x86LowBits(flags: number, leaf: boolean, large: boolean): number {
  let lo = ((flags >>> PTE_SW_SHIFT) & 0x7) << X86_AVL_SHIFT;
  if (flags & PTE_V) lo |= X86_P;
  if (flags & PTE_W) lo |= X86_RW;
  if (flags & PTE_U) lo |= X86_US;
  if (flags & PTE_WT) lo |= X86_PWT;
  if (flags & PTE_CD) lo |= X86_PCD;
  if (flags & PTE_A) lo |= X86_A;
  if (leaf) {
    if (flags & PTE_D) lo |= X86_D;
    if (flags & PTE_G) lo |= X86_G;
    if (flags & PTE_PAT) lo |= large ? X86_PDE_LARGE_PAT : X86_PTE_PAT;
    if (large) lo |= X86_PDE_PS;
  }
  return lo;
}

/**
 * The x86 rights on flags combined over every level: a user access needs U/S and, to write, R/W; a
 * supervisor write to a read-only page is refused only while CR0.WP is set. Execution is the caller's.
 */
export function x86Permits(flags: number, access: AccessKind, user: boolean, control: number): boolean {
  if (user) {
    if ((flags & PTE_U) === 0) return false;
    return access !== ACCESS_WRITE || (flags & PTE_W) !== 0;
  }
  return access !== ACCESS_WRITE || (control & CTL_WP) === 0 || (flags & PTE_W) !== 0;
}

/** The leaf flags every x86 mode can hold (X through NX on x86-64, always on 32-bit paging). */
export const X86_SUPPORTED_FLAGS = PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_G | PTE_A | PTE_D | PTE_WT | PTE_CD | PTE_PAT
  | PTE_SW0 | PTE_SW1 | PTE_SW2;

/**
 * The family half of an x86 model: what 32-bit paging and 4-level paging answer alike. Rights are combined
 * over every level; the walker sets A in every entry it uses; there is no inherited global bit; three AVL bits
 * are the software's.
 */
export abstract class X86Paging {
  readonly softwareBits = 3;
  readonly supportedFlags = X86_SUPPORTED_FLAGS;
  readonly permissionsAtEveryLevel = true;
  readonly accessedOnNonLeaf = true;
  readonly globalInherits = false;
  readonly rawAccessed = X86_A;
  readonly rawDirty = X86_D;

  isValid(lo: number): boolean {
    return (lo & X86_P) !== 0;
  }
}
