// RISC-V Sv39 (Privileged spec, "Sv39"): three levels of 512 8-byte PTEs, 39-bit virtual addresses whose
// bits 63:39 must equal bit 38, 4 KiB pages, 2 MiB and 1 GiB megapages, a 44-bit PPN and 16-bit ASIDs.

import { HwArgumentError } from './errors.js';
import { LEVEL_PAGE_DIRECTORY, LEVEL_PAGE_MIDDLE_DIRECTORY, LEVEL_PAGE_TABLE, type LevelName } from './level-names.js';
import type { HardwareModel } from './model.js';
import { RISCV_PPN_SHIFT, riscvIsLeaf, riscvIsMalformedBits, riscvLowBits, RiscvPaging } from './riscv-common.js';

/*
 * Sv39 PTE, as two words (bit 63..32 = hi, 31..0 = lo)
 *
 *  63  62 61  60    54 53      28 27      19 18      10 9   8 7 6 5 4 3 2 1 0
 * | N | PBMT | reserved|  PPN[2]  |  PPN[1]  |  PPN[0]  | RSW |D|A|G|U|X|W|R|V|
 *
 * Bits 9:0 are those of every RISC-V mode (riscv-common.ts). Without the Svnapot and Svpbmt extensions, N,
 * PBMT and bits 60:54 must be zero.
 * satp (RV64): MODE 63:60 (8 = Sv39), ASID 59:44, PPN 43:0.
 */
export const SV39_PPN_SHIFT = RISCV_PPN_SHIFT;
/** High-word bits 31:22 (PTE bits 63:54): N, PBMT and reserved; all must be zero here. */
export const SV39_HI_RESERVED = 0xffc00000 | 0;
/** High-word bits 21:0: PPN[2] bits 25:4. */
export const SV39_HI_PPN_MASK = 0x3fffff;
export const SV39_SATP_MODE = 8n;

const TWO_22 = 2 ** 22;
/**
 * Linux's names for three levels (pgd, pmd, pte), the root called a page directory as on Sv32; the spec
 * numbers them level 2, 1 and 0.
 */
const LEVEL_NAMES: readonly LevelName[] = Object.freeze([LEVEL_PAGE_DIRECTORY, LEVEL_PAGE_MIDDLE_DIRECTORY, LEVEL_PAGE_TABLE]);

class Sv39Model extends RiscvPaging implements HardwareModel {
  readonly name = 'sv39';
  readonly levelNames = LEVEL_NAMES;
  readonly levels = 3;
  readonly pageShift = 12;
  readonly indexBits: readonly number[] = [9, 9, 9];
  readonly entryBytes = 8 as const;
  readonly vaBits = 39;
  readonly signExtendedVa = true;
  readonly maxPfn = 2 ** 44 - 1;
  readonly asidBits = 16;

  isMalformed(lo: number, hi: number, level: number): boolean {
    if ((hi & SV39_HI_RESERVED) !== 0 || riscvIsMalformedBits(lo, level, 2)) return true;
    if (level === 2 || !riscvIsLeaf(lo)) return false;
    // A megapage or gigapage must be aligned: the PPN fields below its level must be zero.
    return this.pfn(lo, hi) % (level === 0 ? 2 ** 18 : 2 ** 9) !== 0;
  }

  pfn(lo: number, hi: number): number {
    return (hi & SV39_HI_PPN_MASK) * TWO_22 + (lo >>> SV39_PPN_SHIFT);
  }

  encodeLo(pfn: number, flags: number, level: number, leaf: boolean): number {
    const bits = this.checkEncode(pfn, flags, level, leaf);
    return ((pfn % TWO_22) * 1024 + bits) >>> 0;
  }

  encodeHi(pfn: number, flags: number, level: number, leaf: boolean): number {
    this.checkEncode(pfn, flags, level, leaf);
    return Math.floor(pfn / TWO_22);
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

  /** Checks an entry's fields and returns its bits 0..9. */
  private checkEncode(pfn: number, flags: number, level: number, leaf: boolean): number {
    if (!Number.isInteger(pfn) || pfn < 0 || pfn > this.maxPfn) throw new HwArgumentError('pfn', pfn, 'Sv39 frames are 44 bits');
    if (!Number.isInteger(level) || level < 0 || level > 2) throw new HwArgumentError('level', level, 'Sv39 has levels 0 to 2');
    const bits = riscvLowBits(flags, level, 2, leaf, 'Sv39');
    if (leaf && level === 0 && pfn % 2 ** 18 !== 0) throw new HwArgumentError('pfn', pfn, 'a gigapage must start on a 1 GiB boundary');
    if (leaf && level === 1 && pfn % 2 ** 9 !== 0) throw new HwArgumentError('pfn', pfn, 'a megapage must start on a 2 MiB boundary');
    return bits;
  }
}

/** The RISC-V Sv39 model (9|9|9|12, 39-bit sign-extended addresses, 44-bit PPN). */
export function sv39(): HardwareModel {
  return new Sv39Model();
}
