// The `mm` group of `pnpm bench` (`npx --yes pnpm@10.34.9 bench mm`): what the memory calls cost. mmap + first
// touch + munmap of one page; an mprotect that splits a region in three and one that merges it back; and
// 65,530 regions (the default max_map_count) created and removed, which a quadratic region list would not
// survive (the list is chunked: see mm/vma.ts).

import { measure, printTable, type BenchRow } from '@vmsim/dev-util/bench';
import { Kernel } from './kernel.js';
import { MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, PROT_READ, PROT_WRITE } from './mm/vma.js';

const PAGE = 4096;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS;
const RW = PROT_READ | PROT_WRITE;

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`benchmark sanity check failed: ${what}`);
}

export async function run(): Promise<void> {
  const rows: BenchRow[] = [];
  for (const model of ['x86-32', 'x86-64'] as const) {
    const k = new Kernel({ model, ramBytes: 64 * 1024 * 1024 });
    k.spawn();
    rows.push(measure(`${model}: mmap + first write + munmap, one page`, 1, () => {
      const a = k.mmap(0, PAGE, RW, ANON);
      k.store(a, 4, 1);
      k.munmap(a, PAGE);
    }));
    check(k.regions().length === 0 && k.stats().frames.data === 0, 'every page unmapped and freed');

    const base = k.mmap(0x4000_0000, 3 * PAGE, RW, ANON | MAP_FIXED);
    for (let i = 0; i < 3; i++) k.store(base + i * PAGE, 4, i);
    rows.push(measure(`${model}: mprotect split (1 → 3 regions) and merge back`, 2, () => {
      k.mprotect(base + PAGE, PAGE, PROT_READ);
      k.mprotect(base + PAGE, PAGE, RW);
    }));
    check(k.regions().length === 1, 'merged back into one region');

    const n = 65530;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) k.mmap(0, PAGE, i % 2 === 0 ? PROT_READ : RW, ANON);
    check(k.regions().length === n + 1, `${n} regions`);
    const t1 = performance.now();
    for (const vma of k.regions().slice()) k.munmap(vma.start, vma.end - vma.start);
    const t2 = performance.now();
    check(k.regions().length === 0, 'every region removed');
    rows.push({ name: `${model}: ${n} regions created (top-down mmap)`, opsPerSec: (n / (t1 - t0)) * 1000, nsPerOp: ((t1 - t0) * 1e6) / n });
    rows.push({ name: `${model}: ${n + 1} regions removed (munmap)`, opsPerSec: ((n + 1) / (t2 - t1)) * 1000, nsPerOp: ((t2 - t1) * 1e6) / (n + 1) });
  }
  printTable(rows);
}
