// Intel x86 32-bit paging (SDM Vol. 3A §4.3): a page directory of 1024 PDEs and page tables of 1024 PTEs,
// 4-byte entries, 4 KiB pages, and 4 MiB pages when CR4.PSE is on. No NX bit and no ASIDs in this mode.

import { HwArgumentError } from './errors.js';
import {
  ACCESS_WRITE, CTL_WP, PTE_A, PTE_CD, PTE_D, PTE_G, PTE_PAT, PTE_R, PTE_SW0, PTE_SW1, PTE_SW2, PTE_SW_SHIFT, PTE_U,
  PTE_V, PTE_W, PTE_WT, PTE_X,
  type AccessKind, type HardwareModel,
} from './model.js';

/*
 * PTE (4 KiB page)                      PDE (page table)                    PDE with PS=1 (4 MiB page, PSE)
 * 31        12 11  9 8 7   6 5 4   3   2  1  0          31        12 11 9 8 7  6 5 4 3 2 1 0      31    22 21  13 12  11 9 8 7  6 5 4 3 2 1 0
 * |   frame   | AVL |G|PAT|D|A|PCD|PWT|U/S|R/W|P|       | table     | AVL|-|PS|-|A|.|.|U|W|P      | frame |reserved|PAT|AVL|G|PS|D|A|.|.|U|W|P
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
/** Bit 7 of a PDE: page size (4 MiB page when CR4.PSE=1). */
export const X86_PDE_PS = 1 << 7;
export const X86_G = 1 << 8;
export const X86_AVL_SHIFT = 9;
export const X86_AVL_MASK = 0x7 << X86_AVL_SHIFT;
/** Bit 12 of a 4 MiB PDE: page attribute table index. */
export const X86_PDE_LARGE_PAT = 1 << 12;
/** Bits 21:13 of a 4 MiB PDE must be zero (no PSE-36 physical bits with a 32-bit physical address space). */
export const X86_PDE_LARGE_RESERVED = 0x003fe000;
export const X86_FRAME_MASK = 0xfffff000;

export interface X86_32Options {
  /** CR4.PSE: PDEs with PS=1 map 4 MiB pages (default false: PS is ignored). */
  readonly pse?: boolean;
  /** CR4.PGE: the G bit makes a leaf global (default true). */
  readonly pge?: boolean;
}

const SUPPORTED = PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_G | PTE_A | PTE_D | PTE_WT | PTE_CD | PTE_PAT
  | PTE_SW0 | PTE_SW1 | PTE_SW2;

class X86_32Model implements HardwareModel {
  readonly name = 'x86-32';
  readonly levels = 2;
  readonly pageShift = 12;
  readonly indexBits: readonly number[] = [10, 10];
  readonly entryBytes = 4 as const;
  readonly vaBits = 32;
  readonly maxPfn = 0xfffff;
  readonly asidBits = 0;
  readonly softwareBits = 3;
  readonly supportedFlags = SUPPORTED;
  readonly permissionsAtEveryLevel = true;
  readonly accessedOnNonLeaf = true;
  readonly globalInherits = false;
  readonly rootWriteFlushesTlb = true;
  readonly rawAccessed = X86_A;
  readonly rawDirty = X86_D;
  readonly pse: boolean;
  readonly pge: boolean;

  constructor(options: X86_32Options) {
    this.pse = options.pse ?? false;
    this.pge = options.pge ?? true;
  }

  isValid(lo: number): boolean {
    return (lo & X86_P) !== 0;
  }

  isLeaf(lo: number, _hi: number, level: number): boolean {
    return level === 1 || (this.pse && (lo & X86_PDE_PS) !== 0);
  }

  isMalformed(lo: number, hi: number, level: number): boolean {
    return level === 0 && this.isLeaf(lo, hi, 0) && (lo & X86_PDE_LARGE_RESERVED) !== 0;
  }

  pfn(lo: number, hi: number, level: number): number {
    if (level === 0 && this.isLeaf(lo, hi, 0)) return (lo & 0xffc00000) >>> 12;
    return lo >>> 12;
  }

  flags(lo: number, hi: number, level: number): number {
    let f = ((lo >>> X86_AVL_SHIFT) & 0x7) << PTE_SW_SHIFT;
    if (lo & X86_P) f |= PTE_V | PTE_R | PTE_X;
    if (lo & X86_RW) f |= PTE_W;
    if (lo & X86_US) f |= PTE_U;
    if (lo & X86_PWT) f |= PTE_WT;
    if (lo & X86_PCD) f |= PTE_CD;
    if (lo & X86_A) f |= PTE_A;
    if (this.isLeaf(lo, hi, level)) {
      if (lo & X86_D) f |= PTE_D;
      if (this.pge && lo & X86_G) f |= PTE_G;
      if (lo & (level === 1 ? X86_PTE_PAT : X86_PDE_LARGE_PAT)) f |= PTE_PAT;
    }
    return f;
  }

  encodeLo(pfn: number, flags: number, level: number, leaf: boolean): number {
    if (!Number.isInteger(pfn) || pfn < 0 || pfn > this.maxPfn) throw new HwArgumentError('pfn', pfn, 'x86-32 frames are 20 bits');
    if (level < 0 || level > 1) throw new HwArgumentError('level', level, 'x86-32 has levels 0 and 1');
    const large = leaf && level === 0;
    if (large) {
      if (!this.pse) throw new HwArgumentError('level', level, 'a 4 MiB page needs CR4.PSE (create the model with { pse: true })');
      if (pfn & 0x3ff) throw new HwArgumentError('pfn', pfn, 'a 4 MiB page must start on a 4 MiB boundary');
    }
    if (!leaf && level === 1) throw new HwArgumentError('level', level, 'a PTE is always a leaf');
    let lo = pfn * 4096 + (((flags >>> PTE_SW_SHIFT) & 0x7) << X86_AVL_SHIFT);
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
    return lo >>> 0;
  }

  encodeHi(): number {
    return 0;
  }

  permits(flags: number, access: AccessKind, user: boolean, control: number): boolean {
    if (user) {
      if ((flags & PTE_U) === 0) return false;
      return access !== ACCESS_WRITE || (flags & PTE_W) !== 0;
    }
    return access !== ACCESS_WRITE || (control & CTL_WP) === 0 || (flags & PTE_W) !== 0;
  }

  encodeRoot(rootPfn: number, asid: number): bigint {
    if (!Number.isInteger(rootPfn) || rootPfn < 0 || rootPfn > this.maxPfn) {
      throw new HwArgumentError('root pfn', rootPfn, 'x86-32 CR3 holds a 20-bit frame number');
    }
    if (asid !== 0) throw new HwArgumentError('asid', asid, 'x86 32-bit paging has no address-space identifiers');
    return BigInt(rootPfn) << 12n;
  }

  decodeRoot(register: bigint): { rootPfn: number; asid: number } | null {
    if (register < 0n || register > 0xffffffffn) return null;
    return { rootPfn: Number(register >> 12n), asid: 0 };
  }
}

/** The x86 32-bit two-level paging model (10|10|12). */
export function x86_32(options: X86_32Options = {}): HardwareModel {
  return new X86_32Model(options);
}
