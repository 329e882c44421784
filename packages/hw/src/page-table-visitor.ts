// One depth-first visitor of a page-table tree in RAM, for any hardware model: tables (pre- and post-order)
// and leaves (last-level pages and huge pages) in address order. Used by whole-table scans (stats, exit,
// invariants, dumps); per-level spans are computed once per model, so the loop does no power arithmetic.

import { levelSpanShift, type HardwareModel } from './model.js';
import type { PhysicalMemory } from './physical-memory.js';

/** What a scan wants to hear about. Every callback is optional. */
export interface PageTableVisitor {
  /**
   * A table frame, before its entries (the root first, at level 0), with the physical address of the entry
   * in the level above that points to it (-1 for the root). Tables and leaves of one table are announced
   * in entry order, so a dump can print a table's pointer entries where they stand.
   */
  table?(pfn: number, level: number, entryPa: number): void;
  /** A table frame, after its entries and every table below it (the root last). */
  tableDone?(pfn: number, level: number): void;
  /**
   * A valid leaf entry: the page's first virtual address (negative in the upper half of a sign-extended
   * space), the entry's physical address, its frame, its flags, and its level (a huge page when it is
   * above the last level).
   */
  leaf?(va: number, entryPa: number, pfn: number, flags: number, level: number): void;
}

const spanCache = new WeakMap<HardwareModel, Float64Array>();

/** Bytes covered by one entry at each level of `model` (the page size at the last level), computed once. */
export function levelSpans(model: HardwareModel): Float64Array {
  let spans = spanCache.get(model);
  if (spans === undefined) {
    spans = new Float64Array(model.levels);
    for (let level = 0; level < model.levels; level++) spans[level] = 2 ** levelSpanShift(model, level);
    spanCache.set(model, spans);
  }
  return spans;
}

/**
 * Walks the tree under `rootPfn` depth-first in address order. Table frames must lie in RAM (the kernel
 * allocated them); entries are read straight from RAM's DataView without side effects (no A/D bit is set).
 */
export function visitPageTables(ram: PhysicalMemory, model: HardwareModel, rootPfn: number, visitor: PageTableVisitor): void {
  const spans = levelSpans(model);
  const pageSize = 2 ** model.pageShift;
  // The root index where the upper (negative) half of a sign-extended space starts, or none.
  const upperHalf = model.signExtendedVa === true ? 2 ** (model.vaBits - 1) : Infinity;
  if (visitor.table !== undefined) visitor.table(rootPfn, 0, -1);
  visitTable(ram, model, spans, pageSize, upperHalf, rootPfn, 0, 0, visitor);
  if (visitor.tableDone !== undefined) visitor.tableDone(rootPfn, 0);
}

function visitTable(
  ram: PhysicalMemory,
  model: HardwareModel,
  spans: Float64Array,
  pageSize: number,
  upperHalf: number,
  table: number,
  level: number,
  vaBase: number,
  visitor: PageTableVisitor,
): void {
  const eb = model.entryBytes;
  const entries = 1 << model.indexBits[level]!;
  const span = spans[level]!;
  const last = level === model.levels - 1;
  const base = table * pageSize;
  for (let i = 0; i < entries; i++) {
    const entryPa = base + i * eb;
    // Re-read per entry: a visitor may allocate, and RAM that grows gets new views. Past the committed
    // bytes every entry reads as zero, so nothing further is mapped.
    const view = ram.view;
    if (entryPa + eb > view.byteLength) return;
    const lo = view.getUint32(entryPa, true);
    const hi = eb === 8 ? view.getUint32(entryPa + 4, true) : 0;
    if ((lo | hi) === 0 || !model.isValid(lo, hi, level)) continue;
    let va = vaBase + i * span;
    if (level === 0 && va >= upperHalf) va -= 2 * upperHalf;
    if (last || model.isLeaf(lo, hi, level)) {
      if (visitor.leaf !== undefined) visitor.leaf(va, entryPa, model.pfn(lo, hi, level), model.flags(lo, hi, level), level);
      continue;
    }
    const next = model.pfn(lo, hi, level);
    if (visitor.table !== undefined) visitor.table(next, level + 1, entryPa);
    visitTable(ram, model, spans, pageSize, upperHalf, next, level + 1, va, visitor);
    if (visitor.tableDone !== undefined) visitor.tableDone(next, level + 1);
  }
}
