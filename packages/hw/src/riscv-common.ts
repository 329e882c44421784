// What the RISC-V paging modes share (Privileged spec, Sv32 / Sv39): bits 0..9 of a PTE, the rules that make
// an entry a leaf or reserved, the leaf's flags, and the permission check with SUM and MXR. sv32.ts and
// sv39.ts add their PPN fields, superpage alignment and satp.

import { HwArgumentError } from './errors.js';
import {
  ACCESS_EXEC, ACCESS_READ, CTL_MXR, CTL_SUM, PTE_A, PTE_D, PTE_G, PTE_R, PTE_SW0, PTE_SW1, PTE_SW_SHIFT, PTE_U, PTE_V,
  PTE_W, PTE_X,
  type AccessKind,
} from './model.js';

/*
 * Low ten bits of every RISC-V PTE (drawn first for Sv32, hence the names):
 *
 *   9   8   7   6   5   4   3   2   1   0
 * | RSW  | D | A | G | U | X | W | R | V |
 *
 * V R W X U G A D sit where the model-independent flags PTE_V … PTE_D sit, so a leaf's flags are its low byte.
 * R = W = X = 0 makes a valid entry a pointer to the next table; W without R is reserved.
 */
export const SV32_V = 1 << 0;
export const SV32_R = 1 << 1;
export const SV32_W = 1 << 2;
export const SV32_X = 1 << 3;
export const SV32_U = 1 << 4;
export const SV32_G = 1 << 5;
export const SV32_A = 1 << 6;
export const SV32_D = 1 << 7;
export const SV32_RSW_SHIFT = 8;
export const SV32_RSW_MASK = 0x3 << SV32_RSW_SHIFT;
/** The PPN starts at bit 10 in every mode. */
export const RISCV_PPN_SHIFT = 10;

/** Is the entry valid? */
export function riscvIsValid(lo: number): boolean {
  return (lo & SV32_V) !== 0;
}

/** Does the valid entry map memory (R or X set) rather than point to a table? */
export function riscvIsLeaf(lo: number): boolean {
  return (lo & (SV32_R | SV32_X)) !== 0;
}

/**
 * Is the entry reserved apart from superpage alignment (the caller's, from its PPN widths)? W without R, at
 * any level; for a pointer: sitting at the last level (it has nowhere to go), or D, A or U set.
 */
export function riscvIsMalformedBits(lo: number, level: number, lastLevel: number): boolean {
  if ((lo & (SV32_R | SV32_W)) === SV32_W) return true;
  if (riscvIsLeaf(lo)) return false;
  return level === lastLevel || (lo & (SV32_D | SV32_A | SV32_U)) !== 0;
}

/** The entry's model-independent flags: its low byte, and RSW as PTE_SW0 and PTE_SW1. */
export function riscvFlags(lo: number): number {
  return (lo & 0xff) | (((lo >>> SV32_RSW_SHIFT) & 0x3) << PTE_SW_SHIFT);
}

/**
 * Bits 0..9 of an entry for `flags` (the PPN is the caller's), after checking what any RISC-V mode refuses:
 * a leaf without R or X, W without R, a pointer at the last level. A pointer keeps only V and G (R, W, X
 * would make it a leaf, and U, A, D are reserved in it). `mode` names the model in messages.
 */
export function riscvLowBits(flags: number, level: number, lastLevel: number, leaf: boolean, mode: string): number {
  const sw = ((flags >>> PTE_SW_SHIFT) & 0x3) << SV32_RSW_SHIFT;
  if (!leaf) {
    if (level === lastLevel) throw new HwArgumentError('level', level, `a last-level ${mode} PTE must be a leaf`);
    return sw | (flags & (PTE_V | PTE_G));
  }
  if ((flags & (PTE_R | PTE_X)) === 0) throw new HwArgumentError('flags', flags, `an ${mode} leaf needs R or X`);
  if ((flags & (PTE_R | PTE_W)) === PTE_W) throw new HwArgumentError('flags', flags, `W without R is reserved in ${mode}`);
  return sw | (flags & 0xff);
}

/** The RISC-V permission rules on a leaf's flags (shared by Sv32 and Sv39). */
export function riscvPermits(flags: number, access: AccessKind, user: boolean, control: number): boolean {
  if (user) {
    if ((flags & PTE_U) === 0) return false;
  } else if (flags & PTE_U) {
    // Supervisor mode never executes user pages and touches their data only with SUM.
    if (access === ACCESS_EXEC || (control & CTL_SUM) === 0) return false;
  }
  if (access === ACCESS_READ) return (flags & PTE_R) !== 0 || ((control & CTL_MXR) !== 0 && (flags & PTE_X) !== 0);
  if (access === ACCESS_EXEC) return (flags & PTE_X) !== 0;
  return (flags & PTE_W) !== 0;
}

/** The leaf flags every RISC-V mode can hold: V R W X U G A D and the two RSW bits. */
export const RISCV_SUPPORTED_FLAGS = PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_G | PTE_A | PTE_D | PTE_SW0 | PTE_SW1;

/**
 * The family half of a RISC-V model: what Sv32 and Sv39 answer alike. Rights come from the leaf alone; the
 * walker sets A and D in the leaf only; G in a pointer makes everything below it global; writing satp does
 * not flush the TLB (sfence.vma does).
 */
export abstract class RiscvPaging {
  readonly softwareBits = 2;
  readonly supportedFlags = RISCV_SUPPORTED_FLAGS;
  readonly permissionsAtEveryLevel = false;
  readonly accessedOnNonLeaf = false;
  readonly globalInherits = true;
  readonly rootWriteFlushesTlb = false;
  readonly rawAccessed = SV32_A;
  readonly rawDirty = SV32_D;

  isValid(lo: number): boolean {
    return riscvIsValid(lo);
  }

  isLeaf(lo: number): boolean {
    return riscvIsLeaf(lo);
  }

  flags(lo: number): number {
    return riscvFlags(lo);
  }

  permits(flags: number, access: AccessKind, user: boolean, control: number): boolean {
    return riscvPermits(flags, access, user, control);
  }
}
