// RISC-V Sv39 (Privileged spec, "Sv39"): three levels of 512 8-byte PTEs, 39-bit virtual addresses whose
// bits 63:39 must equal bit 38, 4 KiB pages, 2 MiB and 1 GiB megapages, a 44-bit PPN and 16-bit ASIDs.

import { HwArgumentError } from './errors.js';
import {
  PTE_A, PTE_D, PTE_G, PTE_R, PTE_SW0, PTE_SW1, PTE_SW_SHIFT, PTE_U, PTE_V, PTE_W, PTE_X,
  type AccessKind, type HardwareModel,
} from './model.js';
import { riscvPermits, SV32_A, SV32_D, SV32_R, SV32_RSW_SHIFT, SV32_U, SV32_V, SV32_W, SV32_X } from './sv32.js';

/*
 * Sv39 PTE, as two words (bit 63..32 = hi, 31..0 = lo)
 *
 *  63  62 61  60    54 53      28 27      19 18      10 9   8 7 6 5 4 3 2 1 0
 * | N | PBMT | reserved|  PPN[2]  |  PPN[1]  |  PPN[0]  | RSW |D|A|G|U|X|W|R|V|
 *
 * Bits 9:0 are as in Sv32. Without the Svnapot and Svpbmt extensions, N, PBMT and bits 60:54 must be zero.
 * satp (RV64): MODE 63:60 (8 = Sv39), ASID 59:44, PPN 43:0.
 */
export const SV39_PPN_SHIFT = 10;
/** High-word bits 31:22 (PTE bits 63:54): N, PBMT and reserved; all must be zero here. */
export const SV39_HI_RESERVED = 0xffc00000 | 0;
/** High-word bits 21:0: PPN[2] bits 25:4. */
export const SV39_HI_PPN_MASK = 0x3fffff;
export const SV39_SATP_MODE = 8n;

const SUPPORTED = PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_G | PTE_A | PTE_D | PTE_SW0 | PTE_SW1;
const TWO_22 = 2 ** 22;

class Sv39Model implements HardwareModel {
  readonly name = 'sv39';
  readonly levels = 3;
  readonly pageShift = 12;
  readonly indexBits: readonly number[] = [9, 9, 9];
  readonly entryBytes = 8 as const;
  readonly vaBits = 39;
  readonly signExtendedVa = true;
  readonly maxPfn = 2 ** 44 - 1;
  readonly asidBits = 16;
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

  isMalformed(lo: number, hi: number, level: number): boolean {
    if ((hi & SV39_HI_RESERVED) !== 0) return true;
    if ((lo & (SV32_R | SV32_W)) === SV32_W) return true;
    if (this.isLeaf(lo)) {
      // A megapage must be aligned: the PPN fields below its level must be zero.
      if (level === 0) return this.pfn(lo, hi) % 2 ** 18 !== 0;
      if (level === 1) return this.pfn(lo, hi) % 2 ** 9 !== 0;
      return false;
    }
    return level === 2 || (lo & (SV32_D | SV32_A | SV32_U)) !== 0;
  }

  pfn(lo: number, hi: number): number {
    return (hi & SV39_HI_PPN_MASK) * TWO_22 + (lo >>> SV39_PPN_SHIFT);
  }

  flags(lo: number): number {
    return (lo & 0xff) | (((lo >>> SV32_RSW_SHIFT) & 0x3) << PTE_SW_SHIFT);
  }

  encodeLo(pfn: number, flags: number, level: number, leaf: boolean): number {
    this.checkEncode(pfn, flags, level, leaf);
    const sw = ((flags >>> PTE_SW_SHIFT) & 0x3) << SV32_RSW_SHIFT;
    const bits = leaf ? flags & 0xff : flags & (PTE_V | PTE_G);
    return ((pfn % TWO_22) * 1024 + sw + bits) >>> 0;
  }

  encodeHi(pfn: number, flags: number, level: number, leaf: boolean): number {
    this.checkEncode(pfn, flags, level, leaf);
    return Math.floor(pfn / TWO_22);
  }

  permits(flags: number, access: AccessKind, user: boolean, control: number): boolean {
    return riscvPermits(flags, access, user, control);
  }

  encodeRoot(rootPfn: number, asid: number): bigint {
    if (!Number.isInteger(rootPfn) || rootPfn < 0 || rootPfn > this.maxPfn) throw new HwArgumentError('root pfn', rootPfn, 'satp holds a 44-bit PPN');
    if (!Number.isInteger(asid) || asid < 0 || asid > 0xffff) throw new HwArgumentError('asid', asid, 'Sv39 ASIDs are 16 bits');
    return (SV39_SATP_MODE << 60n) | (BigInt(asid) << 44n) | BigInt(rootPfn);
  }

  decodeRoot(register: bigint): { rootPfn: number; asid: number } | null {
    if (register < 0n || register >= 1n << 64n || register >> 60n !== SV39_SATP_MODE) return null;
    return { rootPfn: Number(register & 0xfffffffffffn), asid: Number((register >> 44n) & 0xffffn) };
  }

  private checkEncode(pfn: number, flags: number, level: number, leaf: boolean): void {
    if (!Number.isInteger(pfn) || pfn < 0 || pfn > this.maxPfn) throw new HwArgumentError('pfn', pfn, 'Sv39 frames are 44 bits');
    if (!Number.isInteger(level) || level < 0 || level > 2) throw new HwArgumentError('level', level, 'Sv39 has levels 0 to 2');
    if (!leaf) {
      if (level === 2) throw new HwArgumentError('level', level, 'a last-level Sv39 PTE must be a leaf');
      return;
    }
    if ((flags & (PTE_R | PTE_X)) === 0) throw new HwArgumentError('flags', flags, 'an Sv39 leaf needs R or X');
    if ((flags & (PTE_R | PTE_W)) === PTE_W) throw new HwArgumentError('flags', flags, 'W without R is reserved in Sv39');
    if (level === 0 && pfn % 2 ** 18 !== 0) throw new HwArgumentError('pfn', pfn, 'a gigapage must start on a 1 GiB boundary');
    if (level === 1 && pfn % 2 ** 9 !== 0) throw new HwArgumentError('pfn', pfn, 'a megapage must start on a 2 MiB boundary');
  }
}

/** The RISC-V Sv39 model (9|9|9|12, 39-bit sign-extended addresses, 44-bit PPN). */
export function sv39(): HardwareModel {
  return new Sv39Model();
}
