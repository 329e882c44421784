// Test support (@vmsim/hw/testing): the walker harness the per-model tests share — a world of
// RAM, model and MMU with a root table, mapPage on it, and checks that referenceWalk, Mmu.translate and
// Mmu.translateNoSideEffects agree on a physical address or on a fault.

import { expect } from 'vitest';
import type { AccessKind, FaultKind, HardwareModel } from '../model.js';
import { levelIndex } from '../model.js';
import { Mmu } from '../mmu.js';
import { mapPage, readEntry } from '../page-table.js';
import { PhysicalMemory } from '../physical-memory.js';
import { referenceWalk } from '../walk.js';

export const MIB = 1024 * 1024;

/** Frame of the root table; page tables are allocated from the frame after it. */
export const ROOT = 1;

export interface World {
  ram: PhysicalMemory;
  model: HardwareModel;
  mmu: Mmu;
  root: number;
  alloc: () => number;
  allocated: number[];
}

export type Engine = 'referenceWalk' | 'Mmu.translate';
export const ENGINES: Engine[] = ['referenceWalk', 'Mmu.translate'];

/** Where the per-model files differ. */
export interface WalkHarnessOptions {
  /** The model `makeWorld` uses when given none. */
  model: () => HardwareModel;
  /** RAM size `makeWorld` uses when given none. */
  ramBytes: number;
  /** Level `map` maps at when given none (the model's last level: a base page). */
  leafLevel: number;
  /** ASID passed to `setRoot` (default 0). */
  asid?: number;
  /** CTL_* bits the MMU starts with (default: the MMU's own default). */
  control?: number;
  /** x86 may set A in pointer entries on a walk that then faults; without this, a faulting walk must leave every
   * byte of RAM as it was (RISC-V). Either way the leaf entry passed to `expectFault` keeps its bits. */
  faultMayWritePointers: boolean;
  /** `expectFault` also checks the fault record translateNoSideEffects leaves (with level sentinel -9 rather than
   * -1), and flushes the TLB before the faulting translate so that it walks the tables. */
  checkFaultRecords: boolean;
}

/** Index of the first byte where `a` and `b` differ, or -1. */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  // RAM is committed on demand: bytes past the end of the shorter array read as zero.
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return i;
  return -1;
}

/** referenceWalk with the world's root and control. */
export function refWalk(w: World, va: number, access: AccessKind, user: boolean, sideEffects: boolean) {
  return referenceWalk(w.ram, w.model, w.mmu.rootPfn, { va, access, user, control: w.mmu.control, sideEffects });
}

/** Physical address of the entry at `level` for `va` in the world's tables (which must exist). */
export function entryAt(w: World, va: number, level: number): number {
  const pageBytes = 2 ** w.model.pageShift;
  let table = w.mmu.rootPfn;
  for (let l = 0; l < level; l++) {
    const { lo, hi } = readEntry(w.ram, w.model, table * pageBytes + levelIndex(w.model, va, l) * w.model.entryBytes);
    table = w.model.pfn(lo, hi, l);
  }
  return table * pageBytes + levelIndex(w.model, va, level) * w.model.entryBytes;
}

/** Both walkers translate `va` to `pa` (the side-effect-free ones first, checking they change nothing). */
export function expectPa(w: World, va: number, access: AccessKind, user: boolean, pa: number) {
  const snapshot = w.ram.bytes.slice();
  const ref = refWalk(w, va, access, user, false);
  expect(ref.ok && ref.pa).toBe(pa);
  expect(w.mmu.translateNoSideEffects(va, access, user)).toBe(pa);
  expect(firstDifference(w.ram.bytes, snapshot)).toBe(-1);
  expect(w.mmu.translate(va, access, user)).toBe(pa);
  expect(w.mmu.status).toBe(0);
  if (!ref.ok) throw new Error('unreachable');
  return ref;
}

/** One access with side effects through one engine: the physical address or -FAULT_*. */
export function access(w: World, engine: Engine, va: number, kind: AccessKind, user: boolean): number {
  if (engine === 'Mmu.translate') return w.mmu.translate(va, kind, user);
  const r = refWalk(w, va, kind, user, true);
  return r.ok ? r.pa : -r.fault;
}

/** The model-specific part of the harness: `makeWorld`, `map` and `expectFault` for one model's options. */
export function walkHarness(options: WalkHarnessOptions) {
  /** RAM (frames from 0), the MMU with its root table in frame ROOT, and tables allocated from frame ROOT + 1. */
  function makeWorld(model: HardwareModel = options.model(), ramBytes = options.ramBytes): World {
    const ram = new PhysicalMemory(ramBytes);
    const mmu = new Mmu(ram, model, options.control === undefined ? {} : { control: options.control });
    mmu.setRoot(ROOT, options.asid);
    let next = ROOT + 1;
    const allocated: number[] = [];
    return {
      ram, model, mmu, root: ROOT, allocated,
      alloc: () => {
        allocated.push(next);
        return next++;
      },
    };
  }

  function map(w: World, va: number, pfn: number, flags: number, level = options.leafLevel): number {
    return mapPage(w.ram, w.model, w.root, va, pfn, flags, w.alloc, level);
  }

  /** Both walkers agree that the access faults with `kind` at `level`; side-effect-free walks change nothing,
   * the fault fields are those of the access, and the leaf entry (if given) keeps its A/D bits even after walks
   * with side effects. */
  function expectFault(w: World, va: number, access: AccessKind, user: boolean, kind: FaultKind, level: number, leafPa?: number): void {
    const sentinel = options.checkFaultRecords ? -9 : -1;
    const snapshot = w.ram.bytes.slice();
    expect(refWalk(w, va, access, user, false)).toEqual({ ok: false, fault: kind, level });
    if (options.checkFaultRecords) w.mmu.faultLevel = sentinel;
    expect(w.mmu.translateNoSideEffects(va, access, user)).toBe(-kind);
    if (options.checkFaultRecords) expect([w.mmu.faultKind, w.mmu.faultLevel, w.mmu.faultVa]).toEqual([kind, level, va]);
    expect(firstDifference(w.ram.bytes, snapshot)).toBe(-1);

    const leafBefore = leafPa === undefined ? 0 : w.ram.read32(leafPa);
    expect(refWalk(w, va, access, user, true)).toEqual({ ok: false, fault: kind, level });
    if (options.checkFaultRecords) w.mmu.tlb.flushAll(); // a walk, not an entry cached before the tables changed
    w.mmu.faultKind = 0;
    w.mmu.faultLevel = sentinel;
    expect(w.mmu.translate(va, access, user)).toBe(-kind);
    expect(w.mmu.status).toBe(-kind);
    expect({ kind: w.mmu.faultKind, level: w.mmu.faultLevel, va: w.mmu.faultVa, access: w.mmu.faultAccess, user: w.mmu.faultUser })
      .toEqual({ kind, level, va, access, user });
    if (!options.faultMayWritePointers) expect(firstDifference(w.ram.bytes, snapshot)).toBe(-1);
    if (leafPa !== undefined) expect(w.ram.read32(leafPa)).toBe(leafBefore);
  }

  return { makeWorld, map, expectFault };
}
