// RISC-V Sv32 (Privileged spec, "Sv32: Page-Based 32-bit Virtual-Memory Systems"): two levels of 1024 4-byte
// PTEs, 4 KiB pages and 4 MiB megapages, a 22-bit PPN (34-bit physical addresses) and 9-bit ASIDs in satp.

import { HwArgumentError } from './errors.js';
import { LEVEL_PAGE_DIRECTORY, LEVEL_PAGE_TABLE, type LevelName } from './level-names.js';
import type { HardwareModel } from './model.js';
import { RISCV_PPN_SHIFT, riscvIsLeaf, riscvIsMalformedBits, riscvLowBits, RiscvPaging } from './riscv-common.js';

/*
 * Sv32 PTE
 * 31        20 19        10 9   8 7 6 5 4 3 2 1 0
 * |  PPN[1]   |   PPN[0]   | RSW |D|A|G|U|X|W|R|V|
 *
 * Bits 9:0 are those of every RISC-V mode (riscv-common.ts).
 * satp (RV32): bit 31 MODE (1 = Sv32), 30:22 ASID, 21:0 PPN of the root table.
 */
export {
  riscvPermits, SV32_A, SV32_D, SV32_G, SV32_R, SV32_RSW_MASK, SV32_RSW_SHIFT, SV32_U, SV32_V, SV32_W, SV32_X,
} from './riscv-common.js';
export const SV32_PPN_SHIFT = RISCV_PPN_SHIFT;
export const SV32_SATP_MODE = 0x80000000;

/** The original rust-vmem dump's names for the two levels (the spec's level 1 and level 0). */
const LEVEL_NAMES: readonly LevelName[] = Object.freeze([LEVEL_PAGE_DIRECTORY, LEVEL_PAGE_TABLE]);

class Sv32Model extends RiscvPaging implements HardwareModel {
  readonly name = 'sv32';
  readonly levelNames = LEVEL_NAMES;
  readonly levels = 2;
  readonly pageShift = 12;
  readonly indexBits: readonly number[] = [10, 10];
  readonly entryBytes = 4 as const;
  readonly vaBits = 32;
  readonly maxPfn = 0x3fffff;
  readonly asidBits = 9;

  isMalformed(lo: number, _hi: number, level: number): boolean {
    if (riscvIsMalformedBits(lo, level, 1)) return true;
    // A megapage must be aligned: PPN[0] of a level-0 leaf must be zero.
    return level === 0 && riscvIsLeaf(lo) && ((lo >>> SV32_PPN_SHIFT) & 0x3ff) !== 0;
  }

  pfn(lo: number): number {
    return lo >>> SV32_PPN_SHIFT;
  }

  encodeLo(pfn: number, flags: number, level: number, leaf: boolean): number {
    if (!Number.isInteger(pfn) || pfn < 0 || pfn > this.maxPfn) throw new HwArgumentError('pfn', pfn, 'Sv32 frames are 22 bits');
    if (level < 0 || level > 1) throw new HwArgumentError('level', level, 'Sv32 has levels 0 and 1');
    const bits = riscvLowBits(flags, level, 1, leaf, 'Sv32');
    if (leaf && level === 0 && (pfn & 0x3ff) !== 0) throw new HwArgumentError('pfn', pfn, 'a megapage must start on a 4 MiB boundary');
    return (pfn * 1024 + bits) >>> 0;
  }

  encodeHi(): number {
    return 0;
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

/** The RISC-V Sv32 model (10|10|12, 22-bit PPN). */
export function sv32(): HardwareModel {
  return new Sv32Model();
}
