// Intel x86 32-bit paging (SDM Vol. 3A §4.3): a page directory of 1024 PDEs and page tables of 1024 PTEs,
// 4-byte entries, 4 KiB pages, and 4 MiB pages when CR4.PSE is on. No NX bit and no ASIDs in this mode.

import { HwArgumentError } from './errors.js';
import { LEVEL_PAGE_DIRECTORY, LEVEL_PAGE_TABLE, type LevelName } from './level-names.js';
import { checkModelOptions, PTE_X, type AccessKind, type HardwareModel } from './model.js';
import { X86_P, X86_PDE_PS, x86LowBits, x86LowFlags, X86Paging, x86Permits } from './x86-common.js';

/*
 * PTE (4 KiB page)                      PDE (page table)                    PDE with PS=1 (4 MiB page, PSE)
 * 31        12 11  9 8 7   6 5 4   3   2  1  0          31        12 11 9 8 7  6 5 4 3 2 1 0      31    22 21  13 12  11 9 8 7  6 5 4 3 2 1 0
 * |   frame   | AVL |G|PAT|D|A|PCD|PWT|U/S|R/W|P|       | table     | AVL|-|PS|-|A|.|.|U|W|P      | frame |reserved|PAT|AVL|G|PS|D|A|.|.|U|W|P
 *
 * Bits 0..12 are those of every x86 mode (x86-common.ts); this file adds the 20-bit frame field and the
 * reserved bits of a 4 MiB page.
 */
export {
  X86_A, X86_AVL_MASK, X86_AVL_SHIFT, X86_D, X86_G, X86_P, X86_PCD, X86_PDE_LARGE_PAT, X86_PDE_PS, X86_PTE_PAT, X86_PWT,
  X86_RW, X86_US,
} from './x86-common.js';
/** Bits 21:13 of a 4 MiB PDE must be zero (no PSE-36 physical bits with a 32-bit physical address space). */
export const X86_PDE_LARGE_RESERVED = 0x003fe000;
export const X86_FRAME_MASK = 0xfffff000;

export interface X86_32Options {
  /** CR4.PSE: PDEs with PS=1 map 4 MiB pages (default false: PS is ignored). */
  readonly pse?: boolean;
  /** CR4.PGE: the G bit makes a leaf global (default true). */
  readonly pge?: boolean;
}

/** Intel's names for 32-bit paging, which are also the original rust-vmem dump's. */
const LEVEL_NAMES: readonly LevelName[] = Object.freeze([LEVEL_PAGE_DIRECTORY, LEVEL_PAGE_TABLE]);

class X86_32Model extends X86Paging implements HardwareModel {
  readonly name = 'x86-32';
  readonly levelNames = LEVEL_NAMES;
  readonly levels = 2;
  readonly pageShift = 12;
  readonly indexBits: readonly number[] = [10, 10];
  readonly entryBytes = 4 as const;
  readonly vaBits = 32;
  readonly maxPfn = 0xfffff;
  readonly asidBits = 0;
  readonly rootWriteFlushesTlb = true;
  readonly pse: boolean;
  readonly pge: boolean;

  constructor(options: X86_32Options) {
    super();
    this.pse = options.pse ?? false;
    this.pge = options.pge ?? true;
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
    // 32-bit paging has no NX: whatever is present is executable.
    const f = x86LowFlags(lo, this.isLeaf(lo, hi, level), level === 1, this.pge);
    return lo & X86_P ? f | PTE_X : f;
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
    return (pfn * 4096 + x86LowBits(flags, leaf, large)) >>> 0;
  }

  encodeHi(): number {
    return 0;
  }

  permits(flags: number, access: AccessKind, user: boolean, control: number): boolean {
    return x86Permits(flags, access, user, control);
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

const X86_32_OPTIONS = { pse: 'boolean', pge: 'boolean' } as const;

/** The x86 32-bit two-level paging model (10|10|12). */
export function x86_32(options: X86_32Options = {}): HardwareModel {
  checkModelOptions('x86-32', options, X86_32_OPTIONS);
  return new X86_32Model(options);
}
