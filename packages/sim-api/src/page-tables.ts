// Seed 003's page-table API and seed 004's memory maps in the simulator's terms: tables, a manager and a
// virtual memory manager made on a Simulator's machine, the flags by name, and a dump of a table tree level
// by level with every entry's bits decoded (hw's visitPageTables, the one scanner every layer uses).

import {
  formatPageTableFlags, levelNames, readEntry, unpackPageTableFlags, vaToBigInt, visitPageTables,
} from '@vmsim/hw';
import {
  PROT_EXEC, PROT_READ, PROT_WRITE,
  type PageTable, type PageTableManager, type PageTableManagerOptions, type VirtualMemoryManager, type VirtualMemoryMap,
} from '@vmsim/kernel';
import type { Simulator } from './simulator.js';

export {
  checkPageTableFlags, formatPageTableFlags, PAGE_TABLE_FLAG_NAMES, PageTableFlags, parsePageTableFlags, PT_ACCESSED,
  PT_ALL, PT_DIRTY, PT_GLOBAL, PT_HUGE, PT_NO_CACHE, PT_NO_EXECUTE, PT_PRESENT, PT_USER_ACCESSIBLE, PT_WRITABLE,
  PT_WRITE_THROUGH, UnsupportedFlagError, type PageTableFlagName,
} from '@vmsim/hw';
export {
  AlreadyMappedError, areaContains, areaSize, formatArea, FrameInUseError, InvalidAddressError, MemoryMapAlignmentError,
  MemoryMapOverlapError, MemoryMapSizeMismatchError, NOT_ALIGNED_MESSAGE, NotAlignedError, NotMappedError,
  OutOfMemoryError, PageTable, PageTableManager, PROT_EXEC, PROT_NONE, PROT_READ, PROT_WRITE, VirtualMemoryManager,
  type MemoryArea, type PageTableManagerOptions, type PageTableMapping, type TlbCounters, type VirtualMemoryMap,
} from '@vmsim/kernel';

/** Seed 003's `page_table_create()` on the simulator's machine. */
export function createPageTable(sim: Simulator): PageTable {
  return sim.kernel.createPageTable();
}

/** A PageTableManager (several tables, an MMU and TLB of its own) on the simulator's machine. */
export function createPageTableManager(sim: Simulator, options: PageTableManagerOptions = {}): PageTableManager {
  return sim.kernel.pageTableManager(options);
}

/** Seed 004's `VirtualMemoryManager::new()` on the simulator's machine. */
export function createVirtualMemoryManager(sim: Simulator): VirtualMemoryManager {
  return sim.kernel.virtualMemoryManager();
}

const hex = (n: number): string => (n < 0 ? `0x${vaToBigInt(n).toString(16)}` : `0x${n.toString(16)}`);

/** "4 KiB", "2 MiB", "1 GiB". */
function sizeText(bytes: number): string {
  for (const [unit, shift] of [['GiB', 30], ['MiB', 20], ['KiB', 10]] as const) {
    if (bytes >= 2 ** shift && bytes % 2 ** shift === 0) return `${bytes / 2 ** shift} ${unit}`;
  }
  return `${bytes} B`;
}

/**
 * A table tree, level by level, in walk order:
 *
 *   PAGE TABLE TREE <root> (<model>): <n> table(s)
 *   PAGE DIRECTORY #<frame>
 *     PDE #<index> -> PAGE TABLE #<frame>  <flags>  raw 0x<entry>
 *     PAGE TABLE #<frame>
 *       PTE #<index>  va 0x… -> pa 0x… (4 KiB)  <flags>  raw 0x<entry>
 *
 * Each table is indented one step deeper than its level above; only valid entries are listed. Flags are
 * seed 003's names as the model decodes the entry; `raw` is the entry as it sits in RAM.
 */
export function dumpPageTable(table: PageTable): string[] {
  const model = table.model;
  const ram = table.space.ram;
  const names = levelNames(model);
  const pageSize = 2 ** model.pageShift;
  const digits = model.entryBytes * 2;
  const raw = (lo: number, hi: number): string =>
    `0x${(model.entryBytes === 8 ? ((BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0)) : BigInt(lo >>> 0)).toString(16).padStart(digits, '0')}`;
  const indexOf = (entryPa: number): number => (entryPa % pageSize) / model.entryBytes;
  const pad = (level: number): string => '  '.repeat(level);
  const out = [`PAGE TABLE TREE ${table.rootPfn} (${model.name}): ${table.tableCount} table(s)`];
  visitPageTables(ram, model, table.rootPfn, {
    table(pfn, level, entryPa) {
      if (entryPa >= 0) {
        const { lo, hi } = readEntry(ram, model, entryPa);
        const flags = formatPageTableFlags(unpackPageTableFlags(model, lo, hi, level - 1));
        out.push(`${pad(level)}${names[level - 1]!.entry} #${indexOf(entryPa)} -> ${names[level]!.table} #${pfn}  ${flags}  raw ${raw(lo, hi)}`);
      }
      out.push(`${pad(level)}${names[level]!.table} #${pfn}`);
    },
    leaf(va, entryPa, pfn, _flags, level) {
      const { lo, hi } = readEntry(ram, model, entryPa);
      const span = 2 ** (model.pageShift + model.indexBits.slice(level + 1).reduce((a, b) => a + b, 0));
      const flags = formatPageTableFlags(unpackPageTableFlags(model, lo, hi, level));
      out.push(`${pad(level + 1)}${names[level]!.entry} #${indexOf(entryPa)}  va ${hex(va)} -> pa ${hex(pfn * pageSize)} (${sizeText(span)})  ${flags}  raw ${raw(lo, hi)}`);
    },
  });
  return out;
}

/** "rw-" style permissions of a memory map (PROT_* bits). */
export function formatPermissions(permissions: number): string {
  return `${permissions & PROT_READ ? 'r' : '-'}${permissions & PROT_WRITE ? 'w' : '-'}${permissions & PROT_EXEC ? 'x' : '-'}`;
}

/** Parses "rw", "r-x", "---" or "none" into PROT_* bits; undefined for anything else. */
export function parsePermissions(text: string): number | undefined {
  const t = text.toLowerCase();
  if (t === 'none' || /^-+$/.test(t)) return 0;
  if (!/^[rwx-]{1,3}$/.test(t)) return undefined;
  let p = 0;
  for (const c of t) {
    const bit = c === 'r' ? PROT_READ : c === 'w' ? PROT_WRITE : c === 'x' ? PROT_EXEC : 0;
    if (bit !== 0 && (p & bit) !== 0) return undefined;
    p |= bit;
  }
  return p;
}

/** `0x1000..=0x1fff -> 0x10000..=0x10fff rw- private` (ends inclusive, as the seed's areas are). */
export function formatMemoryMap(map: VirtualMemoryMap): string {
  const a = (s: number, e: number): string => `${hex(s)}..=${hex(e)}`;
  return `${a(map.vmarea.start, map.vmarea.end)} -> ${a(map.pmarea.start, map.pmarea.end)} ${formatPermissions(map.permissions)} ${map.isShared ? 'shared' : 'private'}`;
}
