// Seed 004's memory maps: a virtual area mapped linearly onto a physical area of the same size, with
// permissions and a shared flag, and the typed errors of adding one. An area's `end` is INCLUSIVE, as in the
// seed's tests (`{ start: 0x1000, end: 0x1fff }` is one 4 KiB page): size = end − start + 1.

import { VmsimError, type ErrnoName } from '@vmsim/hw';
import { InvalidArgumentError } from '../errors.js';
import { PROT_EXEC, PROT_READ, PROT_WRITE } from '../mm/vma.js';

/** A range of addresses; `end` is the last address inside it (inclusive). */
export interface MemoryArea {
  readonly start: number;
  readonly end: number;
}

/** Seed 004's `VirtualMemoryMap`: `vmarea` maps linearly onto `pmarea`. */
export interface VirtualMemoryMap {
  readonly vmarea: MemoryArea;
  readonly pmarea: MemoryArea;
  /** PROT_READ | PROT_WRITE | PROT_EXEC (0: PROT_NONE, the region exists and every access faults). */
  readonly permissions: number;
  readonly isShared: boolean;
}

/** Bytes in an area: end − start + 1. */
export function areaSize(area: MemoryArea): number {
  return area.end - area.start + 1;
}

/** Does `area` contain `address` (start ≤ address ≤ end)? */
export function areaContains(area: MemoryArea, address: number): boolean {
  return area.start <= address && address <= area.end;
}

const hex = (n: number): string => `0x${n.toString(16)}`;

/** `0x1000..=0x1fff` (Rust's inclusive range, as the seed's areas are). */
export function formatArea(area: MemoryArea): string {
  return `${hex(area.start)}..=${hex(area.end)}`;
}

/** Checks a map's shape (integers, start ≤ end, known permission bits, a boolean); returns a frozen copy. */
export function checkMemoryMap(map: unknown): VirtualMemoryMap {
  if (typeof map !== 'object' || map === null) throw new InvalidArgumentError('memory map', map, 'expected { vmarea, pmarea, permissions, isShared }');
  const m = map as Partial<VirtualMemoryMap>;
  const area = (name: 'vmarea' | 'pmarea'): MemoryArea => {
    const a = m[name];
    if (typeof a !== 'object' || a === null) throw new InvalidArgumentError(name, a, 'expected { start, end }');
    for (const key of ['start', 'end'] as const) {
      const v = a[key];
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new InvalidArgumentError(`${name}.${key}`, v, 'expected a non-negative integer');
    }
    if (a.end < a.start) throw new InvalidArgumentError(name, formatArea(a), 'end (inclusive) lies before start');
    return Object.freeze({ start: a.start, end: a.end });
  };
  const vmarea = area('vmarea');
  const pmarea = area('pmarea');
  const permissions = m.permissions;
  if (typeof permissions !== 'number' || !Number.isInteger(permissions) || (permissions & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) !== 0 || permissions < 0) {
    throw new InvalidArgumentError('permissions', permissions, 'expected PROT_READ | PROT_WRITE | PROT_EXEC bits (0 for none)');
  }
  if (typeof m.isShared !== 'boolean') throw new InvalidArgumentError('isShared', m.isShared, 'expected true or false');
  return Object.freeze({ vmarea, pmarea, permissions, isShared: m.isShared });
}

/** The seed's own error text for an unaligned map, kept word for word. */
export const NOT_ALIGNED_MESSAGE = 'Address or size is not aligned to PAGE_SIZE';

/** A map whose start addresses or sizes are not multiples of the page size (the seed's error). */
export class MemoryMapAlignmentError extends VmsimError {
  static override readonly marker = '@vmsim/kernel/MemoryMapAlignmentError';
  override readonly name = 'MemoryMapAlignmentError' as const;
  declare readonly errno: ErrnoName;
  constructor(readonly map: VirtualMemoryMap, readonly pageSize: number) {
    super(`${NOT_ALIGNED_MESSAGE}: virtual ${formatArea(map.vmarea)} (${hex(areaSize(map.vmarea))} bytes), physical ${formatArea(map.pmarea)} (${hex(areaSize(map.pmarea))} bytes), PAGE_SIZE ${hex(pageSize)}; end is inclusive, so one page is start..=start + 0x${(pageSize - 1).toString(16)}`, 'EINVAL');
  }
}

/** A map whose virtual area overlaps one already in the list: a page has one translation. */
export class MemoryMapOverlapError extends VmsimError {
  static override readonly marker = '@vmsim/kernel/MemoryMapOverlapError';
  override readonly name = 'MemoryMapOverlapError' as const;
  declare readonly errno: ErrnoName;
  constructor(readonly map: VirtualMemoryMap, readonly index: number, readonly other: VirtualMemoryMap) {
    super(`memory map ${formatArea(map.vmarea)} overlaps memory map ${index} (${formatArea(other.vmarea)}): a virtual page has one translation`, 'EEXIST');
  }
}

/** A map whose virtual and physical areas differ in size: a linear map needs them equal. */
export class MemoryMapSizeMismatchError extends VmsimError {
  static override readonly marker = '@vmsim/kernel/MemoryMapSizeMismatchError';
  override readonly name = 'MemoryMapSizeMismatchError' as const;
  declare readonly errno: ErrnoName;
  constructor(readonly map: VirtualMemoryMap) {
    super(`memory map sizes differ: virtual ${formatArea(map.vmarea)} is ${hex(areaSize(map.vmarea))} bytes, physical ${formatArea(map.pmarea)} is ${hex(areaSize(map.pmarea))} bytes`, 'EINVAL');
  }
}

/** A RAM frame a map names is already in use (allocated, or reserved by another memory map). */
export class FrameInUseError extends VmsimError {
  static override readonly marker = '@vmsim/kernel/FrameInUseError';
  override readonly name = 'FrameInUseError' as const;
  declare readonly errno: ErrnoName;
  constructor(readonly map: VirtualMemoryMap, readonly pfn: number, readonly kind: string) {
    super(`memory map ${formatArea(map.pmarea)}: physical frame ${pfn} is in use (${kind}); RAM a memory map names must be free`, 'EBUSY');
  }
}
