// Benchmarks of seed 003's page-table API: map, translate and unmap, per base page, through PageTable on every
// model, over 1,024 consecutive pages (one last-level table on the 32-bit models, two on x86-64 and Sv39), so
// unmapping the last page of a table frees it and the next map makes it again. Run: `npx --yes pnpm@10.34.9 bench pt`.

import { PT_PRESENT, PT_USER_ACCESSIBLE, PT_WRITABLE } from '@vmsim/hw';
import { medianOf, printTable, type BenchRow } from '@vmsim/dev-util/bench';
import { Kernel } from '../kernel.js';
import type { ModelName } from '@vmsim/hw';

const PAGES = 1024;
const VA = 0x40000000;
const PA = 0x100000;
const FLAGS = PT_PRESENT | PT_WRITABLE | PT_USER_ACCESSIBLE;
const MODELS: readonly ModelName[] = ['x86-32', 'sv32', 'x86-64', 'sv39'];
const REPS = 41;

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`benchmark sanity check failed: ${what}`);
}

function row(name: string, ms: number): BenchRow {
  return { name, opsPerSec: (PAGES / ms) * 1000, nsPerOp: (ms * 1e6) / PAGES };
}

export async function run(): Promise<void> {
  const rows: BenchRow[] = [];
  for (const model of MODELS) {
    const kernel = new Kernel({ model, ramBytes: 64 << 20 });
    const table = kernel.createPageTable();
    const free = kernel.frames.freeCount;
    const mapAll = (): void => {
      for (let i = 0; i < PAGES; i++) table.map(VA + i * 4096, PA + i * 4096, FLAGS);
    };
    const unmapAll = (): void => {
      for (let i = 0; i < PAGES; i++) table.unmap(VA + i * 4096);
    };
    let sum = 0;
    const map = medianOf(() => {
      const t0 = performance.now();
      mapAll();
      const t = performance.now() - t0;
      unmapAll();
      return t;
    }, REPS);
    mapAll();
    const translate = medianOf(() => {
      const t0 = performance.now();
      for (let i = 0; i < PAGES; i++) sum += table.translate(VA + i * 4096 + 8)!;
      return performance.now() - t0;
    }, REPS);
    unmapAll();
    const unmap = medianOf(() => {
      mapAll();
      const t0 = performance.now();
      unmapAll();
      return performance.now() - t0;
    }, REPS);
    check(sum > 0 && table.translate(VA) === null, 'translations ran and everything was unmapped');
    check(kernel.frames.freeCount === free, 'unmap gave every table back');
    rows.push(row(`${model}: map one page`, map), row(`${model}: translate`, translate), row(`${model}: unmap one page`, unmap));
  }
  printTable(rows);
}
