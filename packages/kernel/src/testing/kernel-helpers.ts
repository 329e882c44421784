// Helpers shared by the kernel's scenario tests (not part of the published package).

import type { HardwareModel } from '@vmsim/hw';
import { Kernel, type KernelOptions } from '../kernel.js';

export const PAGE = 4096;
/** Larger than the span of a last-level table on every model: VA + n * REGION for n > 0 needs a table of its own. */
export const REGION = 4 * 1024 * 1024;
export const VA = 0x10000000;
export const HOLE = 0x20000000;

export type ModelFactory = () => HardwareModel;

export function boot(makeModel: ModelFactory, options: Partial<KernelOptions> = {}): Kernel {
  return new Kernel({ model: makeModel(), ramBytes: 256 * PAGE, checkInvariants: true, ...options });
}

export function tablesOf(k: Kernel, pid: number): number[] {
  return k.pageTables(pid).map((t) => t.pfn);
}

/** The tables of `pid` below its root, from the top level down (one per level when one page is mapped). */
export function belowRoot(k: Kernel, pid: number): number[] {
  return k.pageTables(pid).filter((t) => t.level > 0).sort((x, y) => x.level - y.level).map((t) => t.pfn);
}

export function pfnOf(k: Kernel, va: number, pid: number): number {
  const t = k.translate(va, pid);
  if (t === null) throw new Error(`0x${va.toString(16)} is not mapped in pid ${pid}`);
  return t.pfn;
}

export function processStats(k: Kernel, pid: number) {
  const s = k.stats().processes.find((p) => p.pid === pid);
  if (s === undefined) throw new Error(`no stats for pid ${pid}`);
  return s;
}
