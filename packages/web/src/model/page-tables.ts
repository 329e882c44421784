// The page-table tree of one process as a view: level by level, each table with its valid entries decoded
// (pointer entries leading to the next table, leaves mapping a page, huge pages marked) and the runs of
// empty entries between them collapsed into one row. Built with hw's visitPageTables, reading RAM only.

import { levelNames, levelSpans, visitPageTables, type HardwareModel, type LevelName } from '@vmsim/hw';
import type { Kernel } from '@vmsim/kernel';
import { decodeEntry, rawHex, type BitView } from './bits.js';

export interface EntryView {
  readonly kind: 'entry';
  readonly index: number;
  /** Physical address of the entry in its table. */
  readonly entryPa: number;
  readonly lo: number;
  readonly hi: number;
  readonly raw: string;
  readonly pfn: number;
  /** First virtual address the entry covers, and how many bytes. */
  readonly va: number;
  readonly span: number;
  /** Maps memory (rather than pointing to a table); `huge` when that happens above the last level. */
  readonly leaf: boolean;
  readonly huge: boolean;
  readonly cow: boolean;
  readonly bits: readonly BitView[];
  /** The table it points to (pointer entries only). */
  readonly child: TableView | null;
}

/** A run of empty (invalid) entries, first and last index. */
export interface GapView {
  readonly kind: 'gap';
  readonly from: number;
  readonly to: number;
}

export interface TableView {
  readonly pfn: number;
  readonly level: number;
  readonly name: LevelName;
  /** Entries per table at this level (512, 1,024…). */
  readonly size: number;
  /** First virtual address the table covers. */
  readonly va: number;
  readonly rows: readonly (EntryView | GapView)[];
  readonly valid: number;
}

export interface TreeView {
  readonly pid: number;
  readonly levels: readonly LevelName[];
  readonly root: TableView;
  /** Every table, root first then depth first in address order. */
  readonly tables: readonly TableView[];
}

interface Building {
  pfn: number;
  level: number;
  va: number;
  entries: EntryView[];
  view: TableView | null;
}

/** The page-table tree of live process `pid`. */
export function pageTableTree(kernel: Kernel, pid: number): TreeView {
  const model = kernel.model;
  const space = kernel.process(pid).space;
  if (space === null) throw new RangeError(`process ${pid} has terminated: it has no page tables`);
  const names = levelNames(model);
  const spans = levelSpans(model);
  const pageSize = kernel.pageSize;
  const view = kernel.ram.view;
  const stack: Building[] = [];
  const tables: TableView[] = [];
  const order: Building[] = [];

  const entryAt = (table: Building, entryPa: number, child: TableView | null, pfn: number, va: number, leaf: boolean): EntryView => {
    const index = (entryPa - table.pfn * pageSize) / model.entryBytes;
    const lo = view.getUint32(entryPa, true);
    const hi = model.entryBytes === 8 ? view.getUint32(entryPa + 4, true) : 0;
    const level = table.level;
    const bits = decodeEntry(model, lo, hi, level);
    return {
      kind: 'entry', index, entryPa, lo, hi, raw: rawHex(model, lo, hi), pfn, va, span: spans[level]!, leaf,
      huge: leaf && level < model.levels - 1, cow: leaf && bits.some((b) => b.name === 'COW' && b.set), bits, child,
    };
  };

  visitPageTables(kernel.ram, model, space.rootPfn, {
    table(pfn, level, entryPa) {
      const parent = stack[level - 1];
      const va = parent === undefined ? 0 : vaOfEntry(model, parent, entryPa, pageSize, spans);
      const building: Building = { pfn, level, va, entries: [], view: null };
      stack[level] = building;
      order.push(building);
      if (parent !== undefined) parent.entries.push(entryAt(parent, entryPa, null, pfn, va, false));
    },
    tableDone(_pfn, level) {
      const building = stack[level]!;
      building.view = finish(model, names, building);
      const parent = stack[level - 1];
      if (parent !== undefined) {
        // The pointer entry was pushed when the table began; give it the finished child.
        const last = parent.entries.length - 1;
        parent.entries[last] = { ...parent.entries[last]!, child: building.view };
      }
    },
    leaf(va, entryPa, pfn, _flags, level) {
      const table = stack[level]!;
      table.entries.push(entryAt(table, entryPa, null, pfn, va, true));
    },
  });
  for (const b of order) tables.push(b.view!);
  return { pid, levels: names, root: tables[0]!, tables };
}

function vaOfEntry(model: HardwareModel, table: Building, entryPa: number, pageSize: number, spans: Float64Array): number {
  const index = (entryPa - table.pfn * pageSize) / model.entryBytes;
  let va = table.va + index * spans[table.level]!;
  if (table.level === 0 && model.signExtendedVa === true && va >= 2 ** (model.vaBits - 1)) va -= 2 ** model.vaBits;
  return va;
}

function finish(model: HardwareModel, names: readonly LevelName[], b: Building): TableView {
  const size = 2 ** model.indexBits[b.level]!;
  const rows: (EntryView | GapView)[] = [];
  let next = 0;
  for (const entry of b.entries) {
    if (entry.index > next) rows.push({ kind: 'gap', from: next, to: entry.index - 1 });
    rows.push(entry);
    next = entry.index + 1;
  }
  if (next < size) rows.push({ kind: 'gap', from: next, to: size - 1 });
  return { pfn: b.pfn, level: b.level, name: names[b.level]!, size, va: b.va, rows, valid: b.entries.length };
}

/** One raw entry of a table, valid or not, for the full-table view (which shows only the rows in sight). */
export function readTableEntry(kernel: Kernel, table: { pfn: number; level: number }, index: number): { lo: number; hi: number; valid: boolean; raw: string } {
  const model = kernel.model;
  const pa = table.pfn * kernel.pageSize + index * model.entryBytes;
  const view = kernel.ram.view;
  const lo = pa + 4 <= view.byteLength ? view.getUint32(pa, true) : 0;
  const hi = model.entryBytes === 8 && pa + 8 <= view.byteLength ? view.getUint32(pa + 4, true) : 0;
  return { lo, hi, valid: (lo | hi) !== 0 && model.isValid(lo, hi, table.level), raw: rawHex(model, lo, hi) };
}
