// The region listing of /proc/<pid>/maps (Linux's show_map_vma): one line per region with its range,
// rwx and p/s, offset, device, inode and name, plus seed 003's region type. [heap] is the region that meets
// [startBrk, brk] (Linux's rule), [stack] the grows-down region, a shared anonymous region is
// "/dev/zero (deleted)" as Linux shows shmem behind mmap.

import type { AddressSpace } from './address-space.js';
import { MAP_GROWSDOWN, MAP_SHARED, PROT_EXEC, PROT_READ, PROT_WRITE, VM_PFNMAP, type Vma } from './vma.js';

/** Seed 003's memory types. Code, data and device regions are named for completeness; nothing makes them yet. */
export type RegionType = 'anonymous' | 'file-backed' | 'shared' | 'stack' | 'heap' | 'code' | 'data' | 'device';

export interface MapsEntry {
  readonly start: number;
  readonly end: number;
  /** 'rw-p' and the like: read, write, execute, then p(rivate) or s(hared). */
  readonly perms: string;
  readonly offset: number;
  readonly inode: number;
  /** '[heap]', '[stack]', '/dev/zero (deleted)' or ''. */
  readonly name: string;
  readonly type: RegionType;
}

/** The type of one region of `space`. */
export function regionType(space: AddressSpace, vma: Vma): RegionType {
  if ((vma.flags & VM_PFNMAP) !== 0) return 'device';
  if ((vma.flags & MAP_GROWSDOWN) !== 0) return 'stack';
  if (vma.file !== undefined) return 'file-backed';
  if ((vma.flags & MAP_SHARED) !== 0) return 'shared';
  if (vma.start <= space.brk && vma.end >= space.startBrk) return 'heap';
  return 'anonymous';
}

export function mapsOf(space: AddressSpace): MapsEntry[] {
  const out: MapsEntry[] = [];
  for (const vma of space.vmas) {
    const type = regionType(space, vma);
    const perms = `${vma.prot & PROT_READ ? 'r' : '-'}${vma.prot & PROT_WRITE ? 'w' : '-'}${vma.prot & PROT_EXEC ? 'x' : '-'}${vma.flags & MAP_SHARED ? 's' : 'p'}`;
    const file = vma.file;
    const name = file !== undefined ? `${file.name}${file.linked ? '' : ' (deleted)'}`
      : type === 'heap' ? '[heap]' : type === 'stack' ? '[stack]' : type === 'shared' ? '/dev/zero (deleted)' : '';
    const pgoff = vma.pgoff;
    out.push({ start: vma.start, end: vma.end, perms, offset: pgoff === undefined ? 0 : pgoff * 4096, inode: file?.ino ?? 0, name, type });
  }
  return out;
}

/**
 * One line as /proc/<pid>/maps prints it: addresses with at least 8 hex digits, the name padded to column
 * 25 + 6·(pointer bytes) as Linux's seq_pad does (pointer bytes 4 on the 32-bit models, 8 on the wide ones).
 */
export function formatMapsLine(entry: MapsEntry, pointerBytes: 4 | 8 = 8): string {
  const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');
  const head = `${hex(entry.start, 8)}-${hex(entry.end, 8)} ${entry.perms} ${hex(entry.offset, 8)} 00:00 ${entry.inode}`;
  if (entry.name === '') return head;
  return `${head.padEnd(25 + 6 * pointerBytes - 1)} ${entry.name}`;
}
