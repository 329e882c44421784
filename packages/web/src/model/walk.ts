// One access as a view: the virtual address split into its index fields (one per level) and the page
// offset, and the walk a software reader makes through the process's tables: each level's entry read
// (decoded), until an invalid entry or a leaf. Reads RAM only: no Accessed bit is set, the TLB is not used.

import { levelIndex, levelNames, levelSpanShift, type LevelName } from '@vmsim/hw';
import type { Kernel } from '@vmsim/kernel';
import { decodeEntry, rawHex, vaHex, type BitView } from './bits.js';

export interface VaField {
  /** `PDE index`, `PTE index`…, or `offset`. */
  readonly name: string;
  /** Bit positions of the field in the address, high and low (inclusive). */
  readonly high: number;
  readonly low: number;
  readonly value: number;
}

export interface WalkStep {
  readonly level: number;
  readonly name: LevelName;
  readonly tablePfn: number;
  readonly index: number;
  readonly entryPa: number;
  readonly raw: string;
  readonly valid: boolean;
  readonly leaf: boolean;
  readonly pfn: number;
  readonly bits: readonly BitView[];
}

export interface WalkView {
  readonly va: number;
  readonly vaHex: string;
  readonly fields: readonly VaField[];
  readonly steps: readonly WalkStep[];
  /** The physical address the walk reaches, or null when an entry on the way is invalid. */
  readonly pa: number | null;
}

/** The index fields of `va` for the kernel's model, root first, then the offset. */
export function splitVa(kernel: Kernel, va: number): VaField[] {
  const model = kernel.model;
  const names = levelNames(model);
  const fields: VaField[] = [];
  for (let level = 0; level < model.levels; level++) {
    const low = levelSpanShift(model, level);
    fields.push({ name: `${names[level]!.entry} index`, high: low + model.indexBits[level]! - 1, low, value: levelIndex(model, va, level) });
  }
  const pageSize = kernel.pageSize;
  fields.push({ name: 'offset', high: model.pageShift - 1, low: 0, value: ((va % pageSize) + pageSize) % pageSize });
  return fields;
}

/** The walk of `va` through the tables of live process `pid`. */
export function walkView(kernel: Kernel, pid: number, va: number): WalkView {
  const model = kernel.model;
  const names = levelNames(model);
  const space = kernel.process(pid).space;
  if (space === null) throw new RangeError(`process ${pid} has terminated: it has no page tables`);
  const view = kernel.ram.view;
  const steps: WalkStep[] = [];
  let table = space.rootPfn;
  let pa: number | null = null;
  for (let level = 0; level < model.levels; level++) {
    const index = levelIndex(model, va, level);
    const entryPa = table * kernel.pageSize + index * model.entryBytes;
    const inRam = entryPa + model.entryBytes <= view.byteLength;
    const lo = inRam ? view.getUint32(entryPa, true) : 0;
    const hi = inRam && model.entryBytes === 8 ? view.getUint32(entryPa + 4, true) : 0;
    const valid = (lo | hi) !== 0 && model.isValid(lo, hi, level);
    const leaf = valid && (level === model.levels - 1 || model.isLeaf(lo, hi, level));
    const pfn = valid ? model.pfn(lo, hi, level) : 0;
    steps.push({ level, name: names[level]!, tablePfn: table, index, entryPa, raw: rawHex(model, lo, hi), valid, leaf, pfn, bits: valid ? decodeEntry(model, lo, hi, level) : [] });
    if (!valid) break;
    if (leaf) {
      const shift = levelSpanShift(model, level);
      const within = ((va % 2 ** shift) + 2 ** shift) % 2 ** shift;
      pa = pfn * kernel.pageSize + within;
      break;
    }
    table = pfn;
  }
  return { va, vaHex: vaHex(va), fields: splitVa(kernel, va), steps, pa };
}
