// RISC-V Sv32 (Privileged spec, "Sv32: Page-Based 32-bit Virtual-Memory Systems"): two levels of 1024 4-byte
// PTEs, 4 KiB pages and 4 MiB megapages, a 22-bit PPN (34-bit physical addresses) and 9-bit ASIDs in satp.

import { HwArgumentError } from './errors.js';
import {
  ACCESS_EXEC, ACCESS_READ, CTL_MXR, CTL_SUM, PTE_A, PTE_D, PTE_G, PTE_R, PTE_SW0, PTE_SW1, PTE_SW_SHIFT, PTE_U, PTE_V,
  PTE_W, PTE_X,
  type AccessKind, type HardwareModel,
} from './model.js';

/*
 * Sv32 PTE
 * 31        20 19        10 9   8 7 6 5 4 3 2 1 0
 * |  PPN[1]   |   PPN[0]   | RSW |D|A|G|U|X|W|R|V|
 *
 * satp (RV32): bit 31 MODE (1 = Sv32), 30:22 ASID, 21:0 PPN of the root table.
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
export const SV32_PPN_SHIFT = 10;
export const SV32_SATP_MODE = 0x80000000;

const SUPPORTED = PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_G | PTE_A | PTE_D | PTE_SW0 | PTE_SW1;

class Sv32Model implements HardwareModel {
  readonly name = 'sv32';
  readonly levels = 2;
  readonly pageShift = 12;
  readonly indexBits: readonly number[] = [10, 10];
  readonly entryBytes = 4 as const;
  readonly vaBits = 32;
  readonly maxPfn = 0x3fffff;
  readonly asidBits = 9;
  readonly softwareBits = 2;
  readonly supportedFlags = SUPPORTED;
  readonly permissionsAtEveryLevel = false;
  readonly accessedOnNonLeaf = false;
  readonly globalInherits = true;
  readonly rootWriteFlushesTlb = false;
  readonly rawAccessed = SV32_A;
  readonly rawDirty = SV32_D;

  isValid(lo: number): boolean {
    return (lo & SV32_V) !== 0;
  }

  isLeaf(lo: number): boolean {
    return (lo & (SV32_R | SV32_X)) !== 0;
  }

  isMalformed(lo: number, _hi: number, level: number): boolean {
    // W without R is reserved, whatever the level.
    if ((lo & (SV32_R | SV32_W)) === SV32_W) return true;
    if (this.isLeaf(lo)) {
      // A megapage must be aligned: PPN[0] of a level-0 leaf must be zero.
      return level === 0 && ((lo >>> SV32_PPN_SHIFT) & 0x3ff) !== 0;
    }
    // A pointer at the last level has nowhere to go; D, A and U are reserved in pointers.
    return level === 1 || (lo & (SV32_D | SV32_A | SV32_U)) !== 0;
  }

  pfn(lo: number): number {
    return lo >>> SV32_PPN_SHIFT;
  }

  flags(lo: number): number {
    // V R W X U G A D occupy the same positions as the model-independent flags.
    return (lo & 0xff) | (((lo >>> SV32_RSW_SHIFT) & 0x3) << PTE_SW_SHIFT);
  }

  encodeLo(pfn: number, flags: number, level: number, leaf: boolean): number {
    if (!Number.isInteger(pfn) || pfn < 0 || pfn > this.maxPfn) throw new HwArgumentError('pfn', pfn, 'Sv32 frames are 22 bits');
    if (level < 0 || level > 1) throw new HwArgumentError('level', level, 'Sv32 has levels 0 and 1');
    const sw = ((flags >>> PTE_SW_SHIFT) & 0x3) << SV32_RSW_SHIFT;
    let bits: number;
    if (leaf) {
      if ((flags & (PTE_R | PTE_X)) === 0) throw new HwArgumentError('flags', flags, 'an Sv32 leaf needs R or X');
      if ((flags & (PTE_R | PTE_W)) === PTE_W) throw new HwArgumentError('flags', flags, 'W without R is reserved in Sv32');
      if (level === 0 && (pfn & 0x3ff) !== 0) throw new HwArgumentError('pfn', pfn, 'a megapage must start on a 4 MiB boundary');
      bits = flags & 0xff;
    } else {
      if (level === 1) throw new HwArgumentError('level', level, 'a last-level Sv32 PTE must be a leaf');
      // Pointers carry only V and G (R, W, X, U, A and D are reserved or mean "leaf").
      bits = flags & (PTE_V | PTE_G);
    }
    return (pfn * 1024 + sw + bits) >>> 0;
  }

  encodeHi(): number {
    return 0;
  }

  permits(flags: number, access: AccessKind, user: boolean, control: number): boolean {
    return riscvPermits(flags, access, user, control);
  }

  encodeRoot(rootPfn: number, asid: number): bigint {
    if (!Number.isInteger(rootPfn) || rootPfn < 0 || rootPfn > this.maxPfn) {
      throw new HwArgumentError('root pfn', rootPfn, 'satp holds a 22-bit PPN');
    }
    if (!Number.isInteger(asid) || asid < 0 || asid > 0x1ff) throw new HwArgumentError('asid', asid, 'Sv32 ASIDs are 9 bits');
    return BigInt((SV32_SATP_MODE | (asid << 22) | rootPfn) >>> 0);
  }

  decodeRoot(register: bigint): { rootPfn: number; asid: number } | null {
    if (register < 0n || register > 0xffffffffn) return null;
    const reg = Number(register);
    if ((reg & SV32_SATP_MODE) === 0) return null;
    return { rootPfn: reg & 0x3fffff, asid: (reg >>> 22) & 0x1ff };
  }
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

/** The RISC-V Sv32 model (10|10|12, 22-bit PPN). */
export function sv32(): HardwareModel {
  return new Sv32Model();
}
