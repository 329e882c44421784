// Seed 003's `PageTableFlags`: the flags an OS names when it maps a page (PRESENT, WRITABLE, …, HUGE), and
// how each hardware model packs them into its own entry bits. A flag a model cannot express is an error.

import { HwArgumentError, VmsimError } from './errors.js';
import {
  PTE_A, PTE_CD, PTE_D, PTE_G, PTE_R, PTE_U, PTE_V, PTE_W, PTE_WT, PTE_X,
  type HardwareModel,
} from './model.js';

/*
 * Page-table flags (model independent, as the x86_64 crate names them):
 *
 *   bit   9     8      7     6        5         4              3          2                1         0
 *       HUGE GLOBAL DIRTY ACCESSED NO_CACHE WRITE_THROUGH NO_EXECUTE USER_ACCESSIBLE WRITABLE PRESENT
 *
 * How each model packs them (a dash: the model cannot express the flag, which is an UnsupportedFlagError):
 *
 *   flag            x86-32            x86-64                Sv32 / Sv39
 *   PRESENT         P (bit 0)         P (bit 0)             V|R (bits 0, 1)
 *   WRITABLE        R/W (bit 1)       R/W (bit 1)           W (bit 2)
 *   USER_ACCESSIBLE U/S (bit 2)       U/S (bit 2)           U (bit 4)
 *   NO_EXECUTE      -  (no NX bit)    XD (bit 63, EFER.NXE) X (bit 3) left clear; without it X is set
 *   WRITE_THROUGH   PWT (bit 3)       PWT (bit 3)           -  (no Svpbmt)
 *   NO_CACHE        PCD (bit 4)       PCD (bit 4)           -  (no Svpbmt)
 *   ACCESSED        A (bit 5)         A (bit 5)             A (bit 6)
 *   DIRTY           D (bit 6)         D (bit 6)             D (bit 7)
 *   GLOBAL          G (bit 8, PGE)    G (bit 8, PGE)        G (bit 5)
 *   HUGE            PS (bit 7) in a   PS (bit 7) in a PDE   a leaf (R or X set) above the last level:
 *                   PDE: 4 MiB (PSE)  (2 MiB) or PDPTE (1G) megapage (4 MiB / 2 MiB) or gigapage (1 GiB)
 */
export const PT_PRESENT = 1 << 0;
export const PT_WRITABLE = 1 << 1;
export const PT_USER_ACCESSIBLE = 1 << 2;
export const PT_NO_EXECUTE = 1 << 3;
export const PT_WRITE_THROUGH = 1 << 4;
export const PT_NO_CACHE = 1 << 5;
export const PT_ACCESSED = 1 << 6;
export const PT_DIRTY = 1 << 7;
export const PT_GLOBAL = 1 << 8;
export const PT_HUGE = 1 << 9;
/** Every page-table flag. */
export const PT_ALL = (1 << 10) - 1;

/** The flags by their seed names (`PageTableFlags.PRESENT | PageTableFlags.WRITABLE`). */
export const PageTableFlags = Object.freeze({
  PRESENT: PT_PRESENT,
  WRITABLE: PT_WRITABLE,
  USER_ACCESSIBLE: PT_USER_ACCESSIBLE,
  NO_EXECUTE: PT_NO_EXECUTE,
  WRITE_THROUGH: PT_WRITE_THROUGH,
  NO_CACHE: PT_NO_CACHE,
  ACCESSED: PT_ACCESSED,
  DIRTY: PT_DIRTY,
  GLOBAL: PT_GLOBAL,
  HUGE: PT_HUGE,
});

export type PageTableFlagName = keyof typeof PageTableFlags;

/** Flag names by bit number. */
export const PAGE_TABLE_FLAG_NAMES: readonly PageTableFlagName[] = Object.freeze(
  Object.keys(PageTableFlags) as PageTableFlagName[],
);

/** The model-independent PTE_* bit that carries each page-table flag (NO_EXECUTE: the absence of PTE_X). */
const PTE_OF: readonly number[] = [PTE_V | PTE_R, PTE_W, PTE_U, PTE_X, PTE_WT, PTE_CD, PTE_A, PTE_D, PTE_G];

/** A page-table flag the hardware model cannot express in an entry at that level: EINVAL. */
export class UnsupportedFlagError extends VmsimError {
  static override readonly marker = '@vmsim/hw/UnsupportedFlagError';
  override readonly name = 'UnsupportedFlagError' as const;
  declare readonly errno: 'EINVAL';

  constructor(
    readonly model: string,
    readonly flag: PageTableFlagName,
    readonly level: number,
    readonly reason: string,
  ) {
    super(`${model} cannot express ${flag} in a level-${level} entry: ${reason}`, 'EINVAL');
  }
}

/** Throws HwArgumentError unless `flags` is a set of PT_* bits. */
export function checkPageTableFlags(flags: unknown): number {
  if (typeof flags !== 'number' || !Number.isInteger(flags) || flags < 0 || (flags & ~PT_ALL) !== 0) {
    throw new HwArgumentError('page-table flags', flags, `expected a set of PageTableFlags (0 to 0x${PT_ALL.toString(16)})`);
  }
  return flags;
}

/** "PRESENT | WRITABLE"; "empty" for no flag. */
export function formatPageTableFlags(flags: number): string {
  const names: string[] = [];
  for (let bit = 0; bit < PAGE_TABLE_FLAG_NAMES.length; bit++) if (flags & (1 << bit)) names.push(PAGE_TABLE_FLAG_NAMES[bit]!);
  return names.length === 0 ? 'empty' : names.join(' | ');
}

/**
 * Parses "PRESENT|WRITABLE|USER_ACCESSIBLE" (names separated by `|`, `,` or spaces, any case; also a number).
 * Throws HwArgumentError naming an unknown flag.
 */
export function parsePageTableFlags(text: string): number {
  if (typeof text !== 'string') throw new HwArgumentError('page-table flags', text, 'expected a string of flag names');
  const trimmed = text.trim();
  if (/^(0x[0-9a-f]+|\d+)$/i.test(trimmed)) return checkPageTableFlags(Number(trimmed));
  let flags = 0;
  for (const word of trimmed.split(/[\s|,]+/)) {
    if (word === '') continue;
    const name = word.toUpperCase();
    const bit = PAGE_TABLE_FLAG_NAMES.indexOf(name as PageTableFlagName);
    if (bit < 0) throw new HwArgumentError('page-table flag', word, `expected one of ${PAGE_TABLE_FLAG_NAMES.join(', ')}`);
    flags |= 1 << bit;
  }
  return flags;
}

/**
 * The model-independent PTE_* flags of a leaf at `level` with these page-table flags, after checking that the
 * model expresses every one of them exactly (packed, then decoded by the model itself). PRESENT is required
 * (an entry without it maps nothing); HUGE is required above the last level and refused at it. Throws
 * UnsupportedFlagError for a flag the model cannot express, HwArgumentError for malformed arguments.
 */
export function pageTableFlagsToPte(model: HardwareModel, flags: number, level: number): number {
  checkPageTableFlags(flags);
  const last = model.levels - 1;
  if (!Number.isInteger(level) || level < 0 || level > last) {
    throw new HwArgumentError('level', level, `${model.name} has levels 0 to ${last}`);
  }
  if ((flags & PT_PRESENT) === 0) throw new HwArgumentError('page-table flags', flags, 'PRESENT is missing: such an entry maps nothing');
  if ((flags & PT_HUGE) !== 0 && level === last) {
    throw new UnsupportedFlagError(model.name, 'HUGE', level, 'a last-level entry maps one base page');
  }
  if ((flags & PT_HUGE) === 0 && level < last) {
    throw new HwArgumentError('page-table flags', flags, `a leaf at level ${level} (above the last) is a huge page: HUGE is missing`);
  }
  let pte = 0;
  for (let bit = 0; bit < PTE_OF.length; bit++) {
    const set = (flags & (1 << bit)) !== 0;
    if (bit === 3 ? !set : set) pte |= PTE_OF[bit]!;
  }
  let lo: number;
  let hi: number;
  try {
    lo = model.encodeLo(0, pte, level, true);
    hi = model.encodeHi(0, pte, level, true);
  } catch (error) {
    if (!HwArgumentError.isInstance(error)) throw error;
    // The model refuses a leaf at this level (x86-32 without PSE, a PML4E) or a combination of bits.
    const flag: PageTableFlagName = level < last ? 'HUGE' : 'PRESENT';
    throw new UnsupportedFlagError(model.name, flag, level, error.reason);
  }
  if (!model.isValid(lo, hi, level) || !model.isLeaf(lo, hi, level)) {
    throw new UnsupportedFlagError(model.name, level < last ? 'HUGE' : 'PRESENT', level, 'the packed entry is not a valid leaf');
  }
  const decoded = model.flags(lo, hi, level);
  for (let bit = 0; bit < PTE_OF.length; bit++) {
    const want = pte & PTE_OF[bit]!;
    if ((decoded & PTE_OF[bit]!) === want) continue;
    const name = PAGE_TABLE_FLAG_NAMES[bit]!;
    // NO_EXECUTE is the one flag carried by a bit's absence: either direction of a mismatch is about it.
    const reason = bit === 3
      ? ((flags & PT_NO_EXECUTE) !== 0 ? 'every present page is executable (no execute-disable bit)' : 'a page cannot be made executable')
      : 'the entry has no bit for it';
    throw new UnsupportedFlagError(model.name, name, level, reason);
  }
  return pte;
}

/** A leaf entry's raw words for these flags with frame 0: the model's own bits for each flag. */
export function packPageTableFlags(model: HardwareModel, flags: number, level: number): { readonly lo: number; readonly hi: number } {
  const pte = pageTableFlagsToPte(model, flags, level);
  return { lo: model.encodeLo(0, pte, level, true), hi: model.encodeHi(0, pte, level, true) };
}

/**
 * The page-table flags of a raw entry at `level` as the model decodes it: 0 for an invalid entry; a pointer
 * to the next table gets PRESENT and the rights it passes on (on x86 W and U narrow the leaf's); a leaf
 * above the last level gets HUGE.
 */
export function unpackPageTableFlags(model: HardwareModel, lo: number, hi: number, level: number): number {
  if (!model.isValid(lo, hi, level)) return 0;
  const pte = model.flags(lo, hi, level);
  const leaf = model.isLeaf(lo, hi, level);
  let flags = PT_PRESENT;
  for (let bit = 1; bit < PTE_OF.length; bit++) {
    const set = (pte & PTE_OF[bit]!) !== 0;
    if (bit === 3 ? !set && leaf : set) flags |= 1 << bit;
  }
  if (leaf && level < model.levels - 1) flags |= PT_HUGE;
  return flags;
}
