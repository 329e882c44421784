// Intel x86-64 4-level paging (SDM Vol. 3A §4.5): PML4, PDPT, PD and PT of 512 8-byte entries, 48-bit
// virtual addresses that must be canonical, 4 KiB pages, 2 MiB pages (PS in a PDE) and 1 GiB pages (PS in a
// PDPTE), the execute-disable bit and reserved-bit checks. Physical memory stays the 32-bit RAM.

import { HwArgumentError } from './errors.js';
import {
  LEVEL_PAGE_DIRECTORY, LEVEL_PAGE_TABLE, LEVEL_PDPT, LEVEL_PML4, type LevelName,
} from './level-names.js';
import {
  ACCESS_EXEC, checkModelOptions, PTE_X, type AccessKind, type HardwareModel,
} from './model.js';
import {
  X86_A, X86_AVL_SHIFT, X86_D, X86_G, X86_P, X86_PCD, X86_PDE_LARGE_PAT, X86_PDE_PS, X86_PTE_PAT, X86_PWT, X86_RW, X86_US,
  x86LowBits, x86LowFlags, X86Paging, x86Permits,
} from './x86-common.js';

/*
 * 64-bit entry, as two words (bit 63..32 = hi, 31..0 = lo); M = physical-address width (physBits):
 *
 *  63  62   59 58   52 51   M M-1        12 11  9 8 7      6 5 4   3   2   1   0
 * |XD| PKEY  | ignored|reserved| address   | AVL |G|PS/PAT|D|A|PCD|PWT|U/S|R/W|P|
 *
 * PS=1 in a PDPTE maps 1 GiB (address bits 29:13 reserved, PAT at bit 12); in a PDE 2 MiB (20:13 reserved,
 * PAT at 12). PS is reserved in a PML4E. In a PTE, bit 7 is PAT. D and G count in leaves only.
 */
// Bits 0..12 of the low word are those of every x86 mode (x86-common.ts), named here as x86-64's.
export const X64_P = X86_P;
export const X64_RW = X86_RW;
export const X64_US = X86_US;
export const X64_PWT = X86_PWT;
export const X64_PCD = X86_PCD;
export const X64_A = X86_A;
export const X64_D = X86_D;
/** Bit 7: page size in a PDPTE or PDE, PAT in a PTE. */
export const X64_PS = X86_PDE_PS;
export const X64_PTE_PAT = X86_PTE_PAT;
export const X64_G = X86_G;
export const X64_AVL_SHIFT = X86_AVL_SHIFT;
/** Bit 12 of a 1 GiB or 2 MiB leaf: PAT. */
export const X64_LARGE_PAT = X86_PDE_LARGE_PAT;
/** Bit 63 (bit 31 of the high word): execute disable. */
export const X64_HI_XD = 0x80000000 | 0;
/** Bits 62:59 (high-word bits 30:27): the protection key of a leaf (ignored: CR4.PKE is off here). */
export const X64_HI_PKEY_MASK = 0x78000000;

export interface X86_64Options {
  /** IA32_EFER.NXE: bit 63 disables execution (default true); when off, bit 63 is reserved. */
  readonly nxe?: boolean;
  /** CR4.PGE: the G bit makes a leaf global (default true). */
  readonly pge?: boolean;
  /**
   * CR4.PCIDE: 12-bit process-context identifiers act as ASIDs, and loading CR3 (with bit 63 set, as
   * kernels do) keeps the TLB (default false: no ASIDs, and loading CR3 drops the non-global entries).
   */
  readonly pcid?: boolean;
  /** MAXPHYADDR: physical-address bits, 32 to 52 (default 40); address bits above it are reserved. */
  readonly physBits?: number;
}

const TWO_20 = 2 ** 20;
/** Intel's names (SDM Vol. 3A §4.5). */
const LEVEL_NAMES: readonly LevelName[] = Object.freeze([LEVEL_PML4, LEVEL_PDPT, LEVEL_PAGE_DIRECTORY, LEVEL_PAGE_TABLE]);

class X86_64Model extends X86Paging implements HardwareModel {
  readonly name = 'x86-64';
  readonly levelNames = LEVEL_NAMES;
  readonly levels = 4;
  readonly pageShift = 12;
  readonly indexBits: readonly number[] = [9, 9, 9, 9];
  readonly entryBytes = 8 as const;
  readonly vaBits = 48;
  readonly signExtendedVa = true;
  readonly maxPfn: number;
  readonly asidBits: number;
  readonly rootWriteFlushesTlb: boolean;
  readonly nxe: boolean;
  readonly pge: boolean;
  readonly physBits: number;
  /** Address bits of the high word (bits 32..M-1). */
  private readonly hiAddrMask: number;
  /** Reserved bits of the high word (bits M..51), plus XD when NXE is off. */
  private readonly hiReserved: number;

  constructor(options: X86_64Options) {
    super();
    this.nxe = options.nxe ?? true;
    this.pge = options.pge ?? true;
    const pcid = options.pcid ?? false;
    this.asidBits = pcid ? 12 : 0;
    this.rootWriteFlushesTlb = !pcid;
    const physBits = options.physBits ?? 40;
    if (!Number.isInteger(physBits) || physBits < 32 || physBits > 52) {
      throw new HwArgumentError('physBits', physBits, 'MAXPHYADDR must be 32 to 52');
    }
    this.physBits = physBits;
    this.maxPfn = 2 ** (physBits - 12) - 1;
    this.hiAddrMask = 2 ** (physBits - 32) - 1;
    this.hiReserved = (0xfffff & ~this.hiAddrMask) | (this.nxe ? 0 : X64_HI_XD);
  }

  isLeaf(lo: number, _hi: number, level: number): boolean {
    return level === 3 || ((level === 1 || level === 2) && (lo & X64_PS) !== 0);
  }

  isMalformed(lo: number, hi: number, level: number): boolean {
    if ((hi & this.hiReserved) !== 0) return true;
    if (level === 0) return (lo & X64_PS) !== 0;
    if (level === 1 && (lo & X64_PS) !== 0) return (lo & 0x3fffe000) !== 0;
    if (level === 2 && (lo & X64_PS) !== 0) return (lo & 0x001fe000) !== 0;
    return false;
  }

  pfn(lo: number, hi: number, level: number): number {
    let low = lo >>> 12;
    if (level === 1 && (lo & X64_PS) !== 0) low &= ~0x3ffff; // 1 GiB: address bits 29:12 are not address
    else if (level === 2 && (lo & X64_PS) !== 0) low &= ~0x1ff; // 2 MiB: bits 20:12
    return (hi & this.hiAddrMask) * TWO_20 + low;
  }

  flags(lo: number, hi: number, level: number): number {
    const f = x86LowFlags(lo, this.isLeaf(lo, hi, level), level === 3, this.pge);
    // Present and not execute-disabled (XD counts only with EFER.NXE): executable.
    return lo & X64_P && (!this.nxe || (hi & X64_HI_XD) === 0) ? f | PTE_X : f;
  }

  encodeLo(pfn: number, flags: number, level: number, leaf: boolean): number {
    this.checkEncode(pfn, level, leaf);
    return ((pfn % TWO_20) * 4096 + x86LowBits(flags, leaf, leaf && level < 3)) >>> 0;
  }

  encodeHi(pfn: number, flags: number, level: number, leaf: boolean): number {
    this.checkEncode(pfn, level, leaf);
    let hi = Math.floor(pfn / TWO_20);
    if (this.nxe && (flags & PTE_X) === 0) hi |= X64_HI_XD;
    return hi >>> 0;
  }

  permits(flags: number, access: AccessKind, user: boolean, control: number): boolean {
    if (access === ACCESS_EXEC && (flags & PTE_X) === 0) return false;
    return x86Permits(flags, access, user, control);
  }

  encodeRoot(rootPfn: number, asid: number): bigint {
    if (!Number.isInteger(rootPfn) || rootPfn < 0 || rootPfn > this.maxPfn) {
      throw new HwArgumentError('root pfn', rootPfn, `CR3 holds a frame number below 2^${this.physBits - 12}`);
    }
    if (!Number.isInteger(asid) || asid < 0 || asid >= 2 ** this.asidBits) {
      throw new HwArgumentError('asid', asid, this.asidBits === 0 ? 'x86-64 without PCID has no address-space identifiers' : 'PCIDs are 12 bits');
    }
    return (BigInt(rootPfn) << 12n) | BigInt(asid);
  }

  decodeRoot(register: bigint): { rootPfn: number; asid: number } | null {
    if (register < 0n || register >= 1n << BigInt(this.physBits)) return null;
    return { rootPfn: Number(register >> 12n), asid: this.asidBits === 0 ? 0 : Number(register & 0xfffn) };
  }

  private checkEncode(pfn: number, level: number, leaf: boolean): void {
    if (!Number.isInteger(pfn) || pfn < 0 || pfn > this.maxPfn) throw new HwArgumentError('pfn', pfn, `frame numbers are below 2^${this.physBits - 12}`);
    if (!Number.isInteger(level) || level < 0 || level > 3) throw new HwArgumentError('level', level, 'x86-64 has levels 0 (PML4) to 3 (PT)');
    if (leaf && level === 0) throw new HwArgumentError('level', level, 'a PML4 entry cannot map a page');
    if (!leaf && level === 3) throw new HwArgumentError('level', level, 'a PTE is always a leaf');
    if (leaf && level === 1 && pfn % 2 ** 18 !== 0) throw new HwArgumentError('pfn', pfn, 'a 1 GiB page must start on a 1 GiB boundary');
    if (leaf && level === 2 && pfn % 2 ** 9 !== 0) throw new HwArgumentError('pfn', pfn, 'a 2 MiB page must start on a 2 MiB boundary');
  }
}

const X86_64_OPTIONS = { nxe: 'boolean', pge: 'boolean', pcid: 'boolean', physBits: 'integer' } as const;

/** The x86-64 4-level paging model (9|9|9|9|12, 48-bit canonical addresses). */
export function x86_64(options: X86_64Options = {}): HardwareModel {
  checkModelOptions('x86-64', options, X86_64_OPTIONS);
  return new X86_64Model(options);
}
