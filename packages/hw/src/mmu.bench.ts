// Benchmark of the MMU fast path: raw DataView loads against translated loads through Mmu.load32 with a
// TLB-resident working set, and the cost of an access that misses the TLB and walks the tables in RAM.
// Run: `npx --yes pnpm@10.34.9 bench mmu` (or import this file and call run()).

import { measure, printTable, type BenchRow } from '../../../scripts/bench-util.js';
import { ACCESS_READ, PTE_R, PTE_U, PTE_V, PTE_W, type HardwareModel } from './model.js';
import { Mmu } from './mmu.js';
import { mapPage } from './page-table.js';
import { PhysicalMemory } from './physical-memory.js';
import { sv32 } from './sv32.js';
import { x86_32 } from './x86-32.js';

/** Loads per measured call. */
const LOADS = 1_000_000;
/** The TLB-resident working set: 16 pages (64 KiB). */
const SMALL_PAGES = 16;
const SMALL_MASK = SMALL_PAGES * 4096 - 1;
/** Byte stride of the access pattern: word-aligned, never crossing a page, visiting every page. */
const STRIDE = 4 * 1021;
/** The working set for the miss benchmark: 4096 pages (16 MiB of virtual space), 64 times the TLB. */
const LARGE_PAGES = 4096;
/** Virtual base of the mapped area (not page-table-index 0, so both levels' indices vary). */
const VA_BASE = 0x10000000;
/** Physical frame of the data (RAM frames 0..63 hold the tables). */
const DATA_PFN = 64;

let checksum = 0;

interface Setup {
  readonly ram: PhysicalMemory;
  readonly mmu: Mmu;
}

/** RAM of 4 MiB; root table in frame 1, tables from frame 2; `pages` virtual pages over SMALL_PAGES data frames. */
function setup(model: HardwareModel, pages: number): Setup {
  const ram = new PhysicalMemory(4 << 20);
  let nextTable = 2;
  const alloc = (): number => nextTable++;
  for (let p = 0; p < pages; p++) {
    mapPage(ram, model, 1, VA_BASE + p * 4096, DATA_PFN + (p % SMALL_PAGES), PTE_V | PTE_R | PTE_W | PTE_U, alloc);
  }
  // Distinct data in every word so a wrong translation would change the checksum.
  for (let i = 0; i < SMALL_PAGES * 1024; i++) ram.view.setUint32(DATA_PFN * 4096 + i * 4, (i * 2654435761) >>> 0, true);
  const mmu = new Mmu(ram, model, { tlb: { entries: 64, ways: 4 } });
  mmu.setRoot(1);
  return { ram, mmu };
}

function rawLoads(view: DataView, base: number): number {
  let sum = 0;
  let off = 0;
  for (let i = 0; i < LOADS; i++) {
    sum = (sum + view.getUint32(base + off, true)) | 0;
    off = (off + STRIDE) & SMALL_MASK;
  }
  return sum;
}

function translatedLoads(mmu: Mmu, base: number): number {
  let sum = 0;
  let off = 0;
  for (let i = 0; i < LOADS; i++) {
    sum = (sum + mmu.load32(base + off, true)) | 0;
    off = (off + STRIDE) & SMALL_MASK;
  }
  return sum;
}

/** Walks page after page through LARGE_PAGES pages, so with LRU every access misses a 64-entry TLB. */
function missingLoads(mmu: Mmu, base: number, count: number): number {
  let sum = 0;
  let page = 0;
  for (let i = 0; i < count; i++) {
    sum = (sum + mmu.load32(base + page * 4096 + ((i * 4) & 0xffc), true)) | 0;
    page = (page + 1) & (LARGE_PAGES - 1);
  }
  return sum;
}

export async function run(): Promise<void> {
  const rows: BenchRow[] = [];

  const x86Small = setup(x86_32(), SMALL_PAGES);
  const expected = rawLoads(x86Small.ram.view, DATA_PFN * 4096);
  rows.push(measure('raw DataView.getUint32', LOADS, () => {
    checksum = (checksum + rawLoads(x86Small.ram.view, DATA_PFN * 4096)) | 0;
  }));

  const hitRows: Record<string, BenchRow> = {};
  for (const [name, s] of [['x86-32', x86Small], ['sv32', setup(sv32(), SMALL_PAGES)]] as const) {
    if (translatedLoads(s.mmu, VA_BASE) !== expected) throw new Error(`${name}: translated loads read other data than raw loads`);
    s.mmu.tlb.resetCounters();
    const row = measure(`${name} mmu.load32, TLB hits`, LOADS, () => {
      checksum = (checksum + translatedLoads(s.mmu, VA_BASE)) | 0;
    });
    if (s.mmu.tlb.misses !== 0) throw new Error(`${name}: the small working set missed the TLB ${s.mmu.tlb.misses} times`);
    hitRows[name] = row;
    rows.push(row);
  }

  const missCount = 100_000;
  const missRows: Record<string, BenchRow> = {};
  for (const [name, model] of [['x86-32', x86_32()], ['sv32', sv32()]] as const) {
    const s = setup(model, LARGE_PAGES);
    if (s.mmu.translate(VA_BASE, ACCESS_READ, true) < 0) throw new Error(`${name}: large working set not mapped`);
    missingLoads(s.mmu, VA_BASE, missCount);
    s.mmu.tlb.resetCounters();
    const row = measure(`${name} mmu.load32, every access misses (full walk)`, missCount, () => {
      checksum = (checksum + missingLoads(s.mmu, VA_BASE, missCount)) | 0;
    });
    const { hits, misses } = s.mmu.tlb;
    if (hits !== 0 || misses === 0) throw new Error(`${name}: expected only misses, got ${hits} hits and ${misses} misses`);
    missRows[name] = row;
    rows.push(row);
  }

  printTable(rows);
  const raw = rows[0]!;
  for (const name of ['x86-32', 'sv32']) {
    const hit = hitRows[name]!;
    const miss = missRows[name]!;
    console.log(
      `${name}: translated/raw = ${(hit.opsPerSec / raw.opsPerSec).toFixed(2)} (goal >= 0.5); ` +
        `TLB miss + full walk costs ${miss.nsPerOp.toFixed(1)} ns/access (${(miss.nsPerOp - hit.nsPerOp).toFixed(1)} ns over a hit)`,
    );
  }
  console.log(`checksum ${checksum >>> 0}`);
}
