// Benchmark of translated loads through Mmu.load32 for each hardware model, side by side: the TLB-hit path (a
// working set that fits the TLB) and the TLB-miss path (every access misses and walks the tables in RAM),
// against raw DataView loads. The 64-bit models run at low addresses (below 2^32: the same fast path as the
// 32-bit models), above 4 GiB and in the upper half (negative numbers), which take the wide-address path.
// Each configuration is measured in a child process of its own (same Node flags), so that V8's code for the
// shared load path and walker is specialised for that model alone, as in a simulation that runs one model:
// measured one after another in one process, later models pay for the type feedback of earlier ones (hits up
// to ~17 ns instead of ~10, walks up to ~120 ns instead of ~90 for the 32-bit models). Each child also times
// raw loads before and after its hits, so that hit/raw is a ratio within one process. Without child processes
// (e.g. in a browser) everything runs in-process, hit paths first.
// Run: `npx --yes pnpm@10.34.9 bench mmu` (or import this file and call run()).

import { spawnSync } from 'node:child_process';
import { measure, type BenchRow } from '@vmsim/dev-util/bench';
import { ACCESS_READ, PTE_R, PTE_U, PTE_V, PTE_W, toVa, type HardwareModel } from './model.js';
import { Mmu } from './mmu.js';
import { mapPage } from './page-table.js';
import { PhysicalMemory } from './physical-memory.js';
import { sv32 } from './sv32.js';
import { sv39 } from './sv39.js';
import { x86_32 } from './x86-32.js';
import { x86_64 } from './x86-64.js';

/** Loads per measured call. */
const LOADS = 1_000_000;
/** The TLB-resident working set: 16 pages (64 KiB). */
const SMALL_PAGES = 16;
const SMALL_MASK = SMALL_PAGES * 4096 - 1;
/** Byte stride of the access pattern: word-aligned, never crossing a page, visiting every page. */
const STRIDE = 4 * 1021;
/** The working set for the miss benchmark: 4096 pages (16 MiB of virtual space), 64 times the TLB. */
const LARGE_PAGES = 4096;
/** Loads per measured call on the miss path. */
const MISS_LOADS = 100_000;
/** Virtual base of the mapped area at low addresses (not table index 0, so several levels' indices vary). */
const VA_BASE = 0x10000000;
/** Physical frame of the data (RAM frames 0..63 hold the tables). */
const DATA_PFN = 64;

interface Config {
  /** Model and address range, as printed. */
  readonly name: string;
  readonly make: () => HardwareModel;
  /** Virtual base of the mapped area. */
  readonly base: number;
  /** For a wide-address row: the index of the same model's row below 2^32, to print the ratio of the two. */
  readonly low?: number;
}

const CONFIGS: readonly Config[] = [
  { name: 'x86-32', make: () => x86_32(), base: VA_BASE },
  { name: 'sv32', make: () => sv32(), base: VA_BASE },
  { name: 'x86-64, low (< 2^32)', make: () => x86_64(), base: VA_BASE },
  { name: 'x86-64, above 4 GiB', make: () => x86_64(), base: 0x0000123410000000, low: 2 },
  { name: 'x86-64, upper half', make: () => x86_64(), base: toVa(x86_64(), 0xffffffff90000000n), low: 2 },
  { name: 'sv39, low (< 2^32)', make: () => sv39(), base: VA_BASE },
  { name: 'sv39, above 4 GiB', make: () => sv39(), base: 0x0000001210000000, low: 5 },
  { name: 'sv39, upper half', make: () => sv39(), base: toVa(sv39(), 0xffffffff90000000n), low: 5 },
];

let checksum = 0;

interface Setup {
  readonly ram: PhysicalMemory;
  readonly mmu: Mmu;
}

/** RAM of 4 MiB; root table in frame 1, tables from frame 2; `pages` virtual pages from `base` over SMALL_PAGES data frames. */
function setup(model: HardwareModel, base: number, pages: number): Setup {
  const ram = new PhysicalMemory(4 << 20);
  let nextTable = 2;
  const alloc = (): number => {
    if (nextTable >= DATA_PFN) throw new Error('page tables would overwrite the data frames');
    return nextTable++;
  };
  for (let p = 0; p < pages; p++) {
    mapPage(ram, model, 1, base + p * 4096, DATA_PFN + (p % SMALL_PAGES), PTE_V | PTE_R | PTE_W | PTE_U, alloc);
  }
  // Distinct data in every word so a wrong translation would change the checksum. RAM is committed on demand:
  // commit the data frames before writing them through the raw view.
  ram.commitFrame(DATA_PFN + SMALL_PAGES - 1);
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

/*
 * The floor of any translated load in JavaScript: a direct-mapped table of one tag and one frame address per
 * page (v86's shape) with nothing else: no LRU, no hit counting, no ASID, no rights. It reads the same data
 * as the other rows, so it shows how much of the gap to a raw load is the lookup itself.
 */
const FLOOR_TAG = new Int32Array(1024).fill(-1);
const FLOOR_PA = new Int32Array(1024);

function floorLoad(view: DataView, va: number): number {
  const vpn = va >>> 12;
  const h = vpn & 1023;
  if (FLOOR_TAG[h] === vpn) return view.getUint32(FLOOR_PA[h]! | (va & 4095), true);
  return -1;
}

/** The access pattern of the other rows through one of the floor's loads (each floor runs in its own process, so the call stays monomorphic and inlined). */
function floorLoads(view: DataView, base: number, load: (view: DataView, va: number) => number): number {
  let sum = 0;
  let off = 0;
  for (let i = 0; i < LOADS; i++) {
    sum = (sum + load(view, base + off)) | 0;
    off = (off + STRIDE) & SMALL_MASK;
  }
  return sum;
}

/*
 * The same floor with the one thing an exact TLB cannot drop: a hit counter, one field incremented per load
 * (as the shadow's `fastHits`). Its load-add-store chain runs through memory from one load to the next, which
 * bounds how fast any counted hit path can go on this CPU.
 */
const FLOOR_COUNTER = { hits: 0 };

function floorCountedLoad(view: DataView, va: number): number {
  const vpn = va >>> 12;
  const h = vpn & 1023;
  if (FLOOR_TAG[h] === vpn) {
    FLOOR_COUNTER.hits++;
    return view.getUint32(FLOOR_PA[h]! | (va & 4095), true);
  }
  return -1;
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

/** TLB hits: SMALL_PAGES pages cycled through a 64-entry TLB, after one pass that fills it. */
function measureHits(config: Config, expected: number): BenchRow {
  const small = setup(config.make(), config.base, SMALL_PAGES);
  if (translatedLoads(small.mmu, config.base) !== expected) throw new Error(`${config.name}: translated loads read other data than raw loads`);
  small.mmu.tlb.resetCounters();
  const hit = measure(`${config.name}: TLB hits`, LOADS, () => {
    checksum = (checksum + translatedLoads(small.mmu, config.base)) | 0;
  });
  if (small.mmu.tlb.misses !== 0) throw new Error(`${config.name}: the small working set missed the TLB ${small.mmu.tlb.misses} times`);
  return hit;
}

/** TLB misses: LARGE_PAGES pages in turn, so that every access misses and walks. */
function measureMisses(config: Config): BenchRow {
  const large = setup(config.make(), config.base, LARGE_PAGES);
  if (large.mmu.translate(config.base + (LARGE_PAGES - 1) * 4096, ACCESS_READ, true) < 0) throw new Error(`${config.name}: large working set not mapped`);
  missingLoads(large.mmu, config.base, MISS_LOADS);
  large.mmu.tlb.resetCounters();
  const walks = large.mmu.walks;
  const miss = measure(`${config.name}: TLB misses`, MISS_LOADS, () => {
    checksum = (checksum + missingLoads(large.mmu, config.base, MISS_LOADS)) | 0;
  });
  const { hits, misses } = large.mmu.tlb;
  if (hits !== 0 || misses === 0 || large.mmu.walks - walks !== misses) {
    throw new Error(`${config.name}: expected every access to miss and walk, got ${hits} hits, ${misses} misses, ${large.mmu.walks - walks} walks`);
  }
  return miss;
}

interface Result {
  readonly name: string;
  readonly hit: BenchRow;
  readonly miss: BenchRow;
  /** Raw loads measured in the row's own process (the better of one run before and one after the hits). */
  readonly raw?: BenchRow;
}

const loadsPerSec = (row: BenchRow): string => Math.round(row.opsPerSec).toLocaleString('en-US');
const ns = (row: BenchRow): string => row.nsPerOp.toFixed(row.nsPerOp < 10 ? 2 : 1);

interface FloorRow {
  readonly name: string;
  readonly floor: BenchRow;
  readonly raw: BenchRow;
}

function printResults(raw: BenchRow, floors: readonly FloorRow[], results: readonly Result[]): void {
  const header = ['model, addresses', 'TLB hit loads/s', 'ns/load', 'TLB miss loads/s', 'ns/load', 'hit/raw', 'miss - hit ns', 'hit / low hit'];
  const rows = [
    ['raw DataView.getUint32', loadsPerSec(raw), ns(raw), '', '', '1.00', '', ''],
    ...floors.map((f) => [f.name, loadsPerSec(f.floor), ns(f.floor), '', '', (f.floor.opsPerSec / f.raw.opsPerSec).toFixed(2), '', '']),
    ...results.map((r, i) => {
      const low = CONFIGS[i]!.low;
      return [
        r.name, loadsPerSec(r.hit), ns(r.hit), loadsPerSec(r.miss), ns(r.miss), (r.hit.opsPerSec / (r.raw ?? raw).opsPerSec).toFixed(2),
        (r.miss.nsPerOp - r.hit.nsPerOp).toFixed(1), low === undefined ? '' : (r.hit.nsPerOp / results[low]!.hit.nsPerOp).toFixed(2),
      ];
    }),
  ];
  const widths = header.map((h, col) => Math.max(h.length, ...rows.map((row) => row[col]!.length)));
  const line = (row: readonly string[]) => row.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!))).join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}

/** runOne's indices for the floor rows. */
const FLOOR = -2;
const FLOOR_COUNTED = -3;
const FLOORS = [
  { index: FLOOR, name: 'floor: bare lookup, no LRU/counters/ASID' },
  { index: FLOOR_COUNTED, name: 'floor + one hit counter' },
];

/** Measures one configuration (an index into CONFIGS, -1 for the raw baseline, FLOOR for the floor) and prints it as JSON. */
export function runOne(index: number): void {
  const reference = setup(x86_32(), VA_BASE, SMALL_PAGES);
  const expected = rawLoads(reference.ram.view, DATA_PFN * 4096);
  // Raw loads timed in this process too (the better of a run before and one after the row's own): the
  // machine's speed can change between processes, so ratios to raw are taken within one.
  const rawRow = (): BenchRow => measure('raw DataView.getUint32', LOADS, () => {
    checksum = (checksum + rawLoads(reference.ram.view, DATA_PFN * 4096)) | 0;
  });
  const better = (a: BenchRow, b: BenchRow): BenchRow => (a.nsPerOp <= b.nsPerOp ? a : b);
  if (index === FLOOR || index === FLOOR_COUNTED) {
    for (let p = 0; p < SMALL_PAGES; p++) {
      const vpn = (VA_BASE >>> 12) + p;
      FLOOR_TAG[vpn & 1023] = vpn;
      FLOOR_PA[vpn & 1023] = (DATA_PFN + p) * 4096;
    }
    const load = index === FLOOR ? floorLoad : floorCountedLoad;
    const loads = (view: DataView, base: number): number => floorLoads(view, base, load);
    if (loads(reference.ram.view, VA_BASE) !== expected) throw new Error('floor loads read other data than raw loads');
    const before = rawRow();
    const floor = measure('floor: a bare direct-mapped lookup', LOADS, () => {
      checksum = (checksum + loads(reference.ram.view, VA_BASE)) | 0;
    });
    if (index === FLOOR_COUNTED && FLOOR_COUNTER.hits === 0) throw new Error('the counted floor counted nothing');
    console.log(JSON.stringify({ hit: floor, raw: better(before, rawRow()), checksum }));
    return;
  }
  if (index < 0) {
    const raw = measure('raw DataView.getUint32', LOADS, () => {
      checksum = (checksum + rawLoads(reference.ram.view, DATA_PFN * 4096)) | 0;
    });
    console.log(JSON.stringify({ raw, checksum }));
    return;
  }
  const config = CONFIGS[index]!;
  const before = rawRow();
  const hit = measureHits(config, expected);
  const raw = better(before, rawRow());
  const miss = measureMisses(config);
  console.log(JSON.stringify({ hit, miss, raw, checksum }));
}

/** Runs runOne(index) in a fresh Node process with this process's flags (the tsx loader among them). */
function inChild(index: number): { raw?: BenchRow; hit?: BenchRow; miss?: BenchRow; checksum: number } {
  const script = `const m = await import(${JSON.stringify(import.meta.url)}); m.runOne(${index});`;
  const child = spawnSync(process.execPath, [...process.execArgv, '--input-type=module', '--eval', script], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`bench child ${index} failed: ${child.stderr || child.stdout}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as { raw?: BenchRow; hit?: BenchRow; miss?: BenchRow; checksum: number };
}

export async function run(): Promise<void> {
  let raw: BenchRow;
  const floors: FloorRow[] = [];
  let results: Result[];
  const separate = typeof process !== 'undefined' && typeof process.execPath === 'string';
  if (separate) {
    const base = inChild(-1);
    raw = base.raw!;
    checksum = base.checksum;
    for (const { index, name } of FLOORS) {
      const bare = inChild(index);
      floors.push({ name, floor: bare.hit!, raw: bare.raw! });
      checksum = (checksum + bare.checksum) | 0;
    }
    results = CONFIGS.map((config, i) => {
      const r = inChild(i);
      checksum = (checksum + r.checksum) | 0;
      return { name: config.name, hit: r.hit!, miss: r.miss!, raw: r.raw! };
    });
  } else {
    const reference = setup(x86_32(), VA_BASE, SMALL_PAGES);
    const expected = rawLoads(reference.ram.view, DATA_PFN * 4096);
    raw = measure('raw DataView.getUint32', LOADS, () => {
      checksum = (checksum + rawLoads(reference.ram.view, DATA_PFN * 4096)) | 0;
    });
    const hits = CONFIGS.map((config) => measureHits(config, expected));
    results = CONFIGS.map((config, i) => ({ name: config.name, hit: hits[i]!, miss: measureMisses(config) }));
  }
  printResults(raw, floors, results);
  console.log(
    `(${separate ? 'each row in its own process, hit/raw against raw loads in that process; ' : ''}hit: ${SMALL_PAGES} pages cycled in a 64-entry TLB; ` +
      `miss: ${LARGE_PAGES} pages in turn, each access a full walk; goal hit/raw >= 0.5, wide hits within 2x of the low ones)`,
  );
  console.log(`checksum ${checksum >>> 0}`);
}
