// An entry's packed bits as the hardware lays them out, decoded per model family: x86's P, R/W, U/S, A, D,
// G, PS and NX, RISC-V's V, R, W, X, U, G, A, D, and the kernel's copy-on-write software bit (x86 AVL bit 9,
// RISC-V RSW bit 8). The raw words come straight from RAM; nothing here changes the machine.

import {
  PTE_SW0, SV32_A, SV32_D, SV32_G, SV32_R, SV32_U, SV32_V, SV32_W, SV32_X, X64_HI_XD, X86_A, X86_AVL_SHIFT, X86_D,
  X86_G, X86_P, X86_PDE_PS, X86_RW, X86_US, type HardwareModel,
} from '@vmsim/hw';
import { PTE_COW } from '@vmsim/kernel';

/** One named bit of an entry: its position in the 64-bit entry and whether it is set. */
export interface BitView {
  readonly name: string;
  readonly bit: number;
  readonly set: boolean;
}

export type ModelFamily = 'x86' | 'riscv';

/** The family whose entry layout a model uses (every model the registry ships is one of the two). */
export function familyOf(model: HardwareModel): ModelFamily {
  return model.name.startsWith('sv') ? 'riscv' : 'x86';
}

/** The position of a single-bit mask (0..31). */
function position(mask: number): number {
  return 31 - Math.clz32(mask);
}

function bit(name: string, mask: number, lo: number): BitView {
  return { name, bit: position(mask), set: (lo & mask) !== 0 };
}

/**
 * The named bits of one valid entry at `level`. x86: PS only above the last level (at the last level bit 7 is
 * PAT), NX only with 8-byte entries (x86-64). RISC-V: the same eight bits at every level. COW is read through
 * the model's own unpacking (`flags`), so it is the kernel's marker whatever bit the model gives it.
 */
export function decodeEntry(model: HardwareModel, lo: number, hi: number, level: number): BitView[] {
  const cow: BitView = { name: 'COW', bit: cowBit(model), set: (model.flags(lo, hi, level) & PTE_COW) !== 0 };
  if (familyOf(model) === 'riscv') {
    return [
      bit('V', SV32_V, lo), bit('R', SV32_R, lo), bit('W', SV32_W, lo), bit('X', SV32_X, lo), bit('U', SV32_U, lo),
      bit('G', SV32_G, lo), bit('A', SV32_A, lo), bit('D', SV32_D, lo), cow,
    ];
  }
  const bits = [bit('P', X86_P, lo), bit('R/W', X86_RW, lo), bit('U/S', X86_US, lo), bit('A', X86_A, lo), bit('D', X86_D, lo), bit('G', X86_G, lo)];
  if (level < model.levels - 1) bits.push(bit('PS', X86_PDE_PS, lo));
  if (model.entryBytes === 8) bits.push({ name: 'NX', bit: 63, set: (hi & X64_HI_XD) !== 0 });
  bits.push(cow);
  return bits;
}

/** Where the kernel's COW marker (the first software bit) sits in this model's entries. */
export function cowBit(model: HardwareModel): number {
  return familyOf(model) === 'riscv' ? 8 : X86_AVL_SHIFT + position(PTE_COW / PTE_SW0);
}

/** The names of the bits `decodeEntry` gives for `level`, in order (column headings). */
export function bitNames(model: HardwareModel, level: number): string[] {
  return decodeEntry(model, 0, 0, level).map((b) => b.name);
}

/** An entry's raw value as hex, 8 or 16 digits as the entry is 4 or 8 bytes wide. */
export function rawHex(model: HardwareModel, lo: number, hi: number): string {
  const low = (lo >>> 0).toString(16).padStart(8, '0');
  return model.entryBytes === 8 ? `${(hi >>> 0).toString(16).padStart(8, '0')}${low}` : low;
}

/** A virtual address (negative in the upper half of a sign-extended space) as the hardware's hex. */
export function vaHex(va: number): string {
  if (va >= 0) return `0x${va.toString(16)}`;
  return `0x${BigInt.asUintN(64, BigInt(va)).toString(16)}`;
}
