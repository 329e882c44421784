// The contract between the generic MMU and one paging architecture. A model knows how many levels its
// tables have, how a virtual address splits into indices, and how its entries pack into bits in RAM.
// Everything above hw speaks the model-independent flags below and lets the model pack them.

import { HwArgumentError } from './errors.js';
import type { LevelName } from './level-names.js';

/*
 * Model-independent PTE flags (what `HardwareModel.flags` returns and `encode` takes):
 *
 *   bit  13   12   11   10   9    8    7   6   5   4   3   2   1   0
 *       SW2  SW1  SW0  PAT  CD   WT   D   A   G   U   X   W   R   V
 *
 * SWn are the bits the architecture leaves to the OS (x86 AVL 9..11, RISC-V RSW 8..9).
 */
export const PTE_V = 1 << 0;
export const PTE_R = 1 << 1;
export const PTE_W = 1 << 2;
export const PTE_X = 1 << 3;
export const PTE_U = 1 << 4;
export const PTE_G = 1 << 5;
export const PTE_A = 1 << 6;
export const PTE_D = 1 << 7;
export const PTE_WT = 1 << 8;
export const PTE_CD = 1 << 9;
export const PTE_PAT = 1 << 10;
export const PTE_SW0 = 1 << 11;
export const PTE_SW1 = 1 << 12;
export const PTE_SW2 = 1 << 13;
export const PTE_SW_SHIFT = 11;

/** Access kinds. */
export const ACCESS_READ = 0;
export const ACCESS_WRITE = 1;
export const ACCESS_EXEC = 2;
export type AccessKind = typeof ACCESS_READ | typeof ACCESS_WRITE | typeof ACCESS_EXEC;

/**
 * Fault kinds. On the access path a fault is returned as the negative kind (-1 … -5); 0 means no fault.
 * - NOT_PRESENT: an entry on the walk is not valid (x86 #PF with P=0; RISC-V page fault, V=0).
 * - PROTECTION: the entries are valid but do not allow this access at this privilege.
 * - RESERVED: an entry is malformed (reserved bits set, W without R, misaligned superpage, no leaf).
 * - BUS: a table or the final frame lies outside RAM (a RISC-V access fault; a bus error elsewhere).
 */
export const FAULT_NONE = 0;
export const FAULT_NOT_PRESENT = 1;
export const FAULT_PROTECTION = 2;
export const FAULT_RESERVED = 3;
export const FAULT_BUS = 4;
/**
 * NON_CANONICAL: a sign-extended address space (x86-64, Sv39) was given an address whose upper bits do not
 * copy its top bit. On x86-64 this is a general-protection fault (#GP), not a page fault; on RISC-V it is a
 * page fault. No table is read.
 */
export const FAULT_NON_CANONICAL = 5;
export type FaultKind = 1 | 2 | 3 | 4 | 5;

export const FAULT_NAMES: readonly string[] = ['none', 'not-present', 'protection', 'reserved', 'bus', 'non-canonical'];
export const ACCESS_NAMES: readonly string[] = ['read', 'write', 'execute'];

/**
 * Control bits of the running machine that change what an access may do (set with `Mmu.setControl`):
 * - WP  (x86 CR0.WP): supervisor writes honour read-only pages. On by default.
 * - SUM (RISC-V sstatus.SUM): supervisor may read and write user pages.
 * - MXR (RISC-V sstatus.MXR): execute-only pages are readable.
 */
export const CTL_WP = 1 << 0;
export const CTL_SUM = 1 << 1;
export const CTL_MXR = 1 << 2;

/**
 * One paging architecture. Entries are read from RAM as two 32-bit little-endian words, `lo` (bits 0..31)
 * and `hi` (bits 32..63, always 0 for 4-byte entries), so 8-byte entries are handled exactly without bigint.
 * Levels are numbered from the root: level 0 is the root table, level `levels - 1` the last.
 */
export interface HardwareModel {
  /** Short name, e.g. "x86-32" or "sv32". */
  readonly name: string;
  /**
   * What the tables of each level and their entries are called, root first (x86-64: PML4, PDPT, PD, PT).
   * Optional for a model of your own: `levelNames(model)` falls back to generic names.
   */
  readonly levelNames?: readonly LevelName[];
  /** Number of table levels. */
  readonly levels: number;
  /** log2 of the base page size (12 for 4 KiB pages). */
  readonly pageShift: number;
  /** Index bits per level, root first (x86 32-bit: [10, 10]). */
  readonly indexBits: readonly number[];
  /** Bytes per table entry: 4 or 8. */
  readonly entryBytes: 4 | 8;
  /** Width of a virtual address in bits. */
  readonly vaBits: number;
  /**
   * Addresses are sign-extended from bit vaBits − 1 (x86-64 canonical addresses, RISC-V Sv39): the upper
   * half is written as negative numbers, [−2^(vaBits−1), 2^(vaBits−1)). Absent or false: [0, 2^vaBits).
   */
  readonly signExtendedVa?: boolean;
  /** Largest frame number an entry can hold. */
  readonly maxPfn: number;
  /** Width of the address-space identifier; 0 when the architecture has none (x86 32-bit). */
  readonly asidBits: number;
  /** How many software-available bits a leaf entry has (mapped to PTE_SW0…). */
  readonly softwareBits: number;
  /** The model-independent flags a leaf entry of this model can hold. */
  readonly supportedFlags: number;
  /** Permissions are combined over every level (x86) rather than taken from the leaf alone (RISC-V). */
  readonly permissionsAtEveryLevel: boolean;
  /** The walker sets Accessed in non-leaf entries it uses (x86), not only in the leaf (RISC-V). */
  readonly accessedOnNonLeaf: boolean;
  /** A global bit in a non-leaf entry makes every page below it global (RISC-V). */
  readonly globalInherits: boolean;
  /** Writing the root register drops non-global TLB entries (x86 MOV CR3); RISC-V needs an explicit fence. */
  readonly rootWriteFlushesTlb: boolean;
  /** Raw bit of Accessed and of Dirty in the low word of a leaf entry (the walker sets them in RAM). */
  readonly rawAccessed: number;
  readonly rawDirty: number;

  /** Is the entry valid (present)? */
  isValid(lo: number, hi: number, level: number): boolean;
  /** Does this valid entry map memory (a leaf) rather than point to the next table? */
  isLeaf(lo: number, hi: number, level: number): boolean;
  /** Is this valid entry malformed (reserved bits or combinations, a misaligned superpage)? */
  isMalformed(lo: number, hi: number, level: number): boolean;
  /** Frame number held by the entry, in base-page units. */
  pfn(lo: number, hi: number, level: number): number;
  /** The entry's model-independent flags. */
  flags(lo: number, hi: number, level: number): number;
  /** Packs an entry: low and high words. A leaf above the last level is a huge page. */
  encodeLo(pfn: number, flags: number, level: number, leaf: boolean): number;
  encodeHi(pfn: number, flags: number, level: number, leaf: boolean): number;
  /** May an access of this kind and privilege use a page whose effective flags are `flags`? */
  permits(flags: number, access: AccessKind, user: boolean, control: number): boolean;
  /** The root register (CR3, satp) for a root table frame and an ASID. */
  encodeRoot(rootPfn: number, asid: number): bigint;
  /** Decodes a root register; null when it does not select this paging mode. */
  decodeRoot(register: bigint): { rootPfn: number; asid: number } | null;
}

/** Bytes covered by one entry at `level` (the page size at the last level). */
export function levelSpanShift(model: HardwareModel, level: number): number {
  let shift = model.pageShift;
  for (let l = level + 1; l < model.levels; l++) shift += model.indexBits[l]!;
  return shift;
}

/**
 * Index of `va` into the table at `level`. Exact for any integer address of magnitude below 2^53, negative
 * (upper-half) addresses of sign-extended spaces included.
 */
export function levelIndex(model: HardwareModel, va: number, level: number): number {
  const shift = levelSpanShift(model, level);
  const mask = 2 ** model.indexBits[level]! - 1;
  return va >>> 0 === va && shift < 32 ? (va >>> shift) & mask : Math.floor(va / 2 ** shift) & mask;
}

/** The lowest and one past the highest virtual address of a model, as numbers. */
export function vaRange(model: HardwareModel): { readonly min: number; readonly end: number } {
  return model.signExtendedVa === true
    ? { min: -(2 ** (model.vaBits - 1)), end: 2 ** (model.vaBits - 1) }
    : { min: 0, end: 2 ** model.vaBits };
}

/**
 * A 64-bit virtual address (e.g. 0xffff800000000000n) as the number vmsim uses for it: for a sign-extended
 * model, a canonical upper-half address becomes negative. Throws HwArgumentError for a non-integer, and when
 * the result would not be a safe integer (|va| >= 2^53), which the MMU would refuse.
 */
export function toVa(model: HardwareModel, address: bigint | number): number {
  if (typeof address === 'number' && !Number.isInteger(address)) {
    throw new HwArgumentError('virtual address', address, 'expected an integer');
  }
  let value = typeof address === 'bigint' ? address : BigInt(address);
  if (model.signExtendedVa === true && value >= 1n << 63n && value < 1n << 64n) value -= 1n << 64n;
  // The MMU takes safe integers only (|va| < 2^53): 2^53 itself is also the rounding of 2^53 + 1.
  if (value <= -(2n ** 53n) || value >= 2n ** 53n) {
    throw new HwArgumentError('virtual address', value, 'cannot be represented exactly as a number (beyond 2^53)');
  }
  return Number(value);
}

/** A virtual address number as the unsigned 64-bit value the hardware sees (for display). */
export function vaToBigInt(va: number): bigint {
  return BigInt.asUintN(64, BigInt(va));
}

/** Checks a model's shape once, so a user-defined model fails early and clearly. */
export function validateModel(model: HardwareModel): string | null {
  if (!Number.isInteger(model.levels) || model.levels < 1) return 'levels must be a positive integer';
  if (model.indexBits.length !== model.levels) return 'indexBits must have one entry per level';
  if (model.entryBytes !== 4 && model.entryBytes !== 8) return 'entryBytes must be 4 or 8';
  if (!Number.isInteger(model.pageShift) || model.pageShift < 4 || model.pageShift > 30) return 'pageShift must be 4..30';
  const total = model.indexBits.reduce((a, b) => a + b, model.pageShift);
  if (total !== model.vaBits) return `pageShift + indexBits must add up to vaBits (${total} != ${model.vaBits})`;
  for (const bits of model.indexBits) {
    if (!Number.isInteger(bits) || bits < 1 || bits > 20) return 'each level needs 1..20 index bits';
    if (2 ** bits * model.entryBytes > 2 ** model.pageShift) return 'a table must fit in one page';
  }
  if (model.vaBits > 52) return 'vaBits must be at most 52 (addresses are numbers, exact below 2^53)';
  const names = model.levelNames;
  if (names !== undefined) {
    if (!Array.isArray(names) || names.length !== model.levels) return 'levelNames, when given, must have one entry per level';
    for (const n of names as readonly unknown[]) {
      const { table, entry } = (n ?? {}) as { table?: unknown; entry?: unknown };
      if (typeof table !== 'string' || typeof entry !== 'string') return 'each of levelNames must be { table: string, entry: string }';
    }
  }
  return null;
}

/**
 * Checks a model factory's options: undefined or an object whose keys are all in `known`, each undefined or
 * of the kind `known` gives it (integer ranges are the factory's). Throws HwArgumentError naming the option.
 */
export function checkModelOptions(model: string, options: unknown, known: Readonly<Record<string, 'boolean' | 'integer'>>): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new HwArgumentError('options', options, `expected an object of ${model} options`);
  }
  const names = Object.keys(known);
  for (const [key, value] of Object.entries(options)) {
    const kind = Object.hasOwn(known, key) ? known[key] : undefined;
    if (kind === undefined) {
      throw new HwArgumentError('option', key, names.length === 0 ? `${model} takes no options` : `${model} takes ${names.join(', ')}`);
    }
    if (value === undefined) continue;
    if (kind === 'boolean' && typeof value !== 'boolean') throw new HwArgumentError(key, value, 'expected true or false');
    if (kind === 'integer' && !Number.isInteger(value)) throw new HwArgumentError(key, value, 'expected an integer');
  }
}
