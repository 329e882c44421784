// Benchmarks of the friendly API on workloads the original rust-vmem could not run (its 32 frames ran out at
// 29 pages or 14 forks): 100,000 values one per page, and a 256-page process forked 8 times in a chain.
// Each workload checks its own results and fails on any message, so a fast wrong answer cannot pass.

import { measure, printTable, type BenchRow } from '@vmsim/dev-util/bench';
import { DataType } from './data-type.js';
import { KERNBASE, Pointer } from './pointer.js';
import { Simulator } from './simulator.js';
import { ValueType } from './value-type.js';

const PAGE = 4096;
const VALUES = 100_000;
const CHAIN_PAGES = 256;
const CHAIN_FORKS = 8;

const silent = (line: string): void => {
  throw new Error(`unexpected message: ${line}`);
};

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`wrong result: ${what}`);
}

/** A distinct 64-bit value per index, using the high bits too. */
const valueOf = (i: number): bigint => (BigInt(i) * 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn;

const pagePointers = Array.from({ length: VALUES }, (_, i) => Pointer.at(KERNBASE + i * PAGE));

/** 100,000 distinct values, one register per page, written then read back. Returns the phase times in ms. */
function manyPages(): { register: number; write: number; read: number } {
  const sim = Simulator.begin(false, { output: silent });
  const t0 = performance.now();
  for (let i = 0; i < VALUES; i++) sim.register(pagePointers[i]!);
  const t1 = performance.now();
  for (let i = 0; i < VALUES; i++) sim.write(pagePointers[i]!, ValueType.UnsignedInt(valueOf(i)));
  const t2 = performance.now();
  for (let i = 0; i < VALUES; i++) {
    const value = sim.read(pagePointers[i]!, DataType.UnsignedInt);
    check(value !== undefined && value.getValue() === valueOf(i), `value ${i}`);
  }
  const t3 = performance.now();
  check(sim.stats().frames.data === VALUES, 'one data frame per value');
  return { register: t1 - t0, write: t2 - t1, read: t3 - t2 };
}

/** A process with 256 written pages forked 8 times in a chain; each child rewrites every page; all checked. */
function forkChain(): { build: number; forks: number; check: number } {
  const sim = Simulator.begin(false, { output: silent });
  const t0 = performance.now();
  for (let p = 0; p < CHAIN_PAGES; p++) {
    sim.register(pagePointers[p]!);
    sim.write(pagePointers[p]!, ValueType.UnsignedInt(p));
  }
  const t1 = performance.now();
  for (let generation = 1; generation <= CHAIN_FORKS; generation++) {
    sim.fork();
    for (let p = 0; p < CHAIN_PAGES; p++) sim.write(pagePointers[p]!, ValueType.UnsignedInt(generation * 1000 + p));
  }
  const t2 = performance.now();
  for (let n = 0; n <= CHAIN_FORKS; n++) {
    sim.switch(n);
    for (let p = 0; p < CHAIN_PAGES; p++) {
      const value = sim.read(pagePointers[p]!, DataType.UnsignedInt);
      check(value !== undefined && value.getValue() === BigInt(n * 1000 + p), `process ${n} page ${p}`);
    }
  }
  const t3 = performance.now();
  const stats = sim.stats();
  check(stats.faults.cowCopy === CHAIN_FORKS * CHAIN_PAGES && stats.frames.data === (CHAIN_FORKS + 1) * CHAIN_PAGES, 'one copy per page per child');
  return { build: t1 - t0, forks: t2 - t1, check: t3 - t2 };
}

/** The loop of the docs/processes.md example without its output: 4 processes, 1024 rounds. */
function processesLoop(): void {
  const sim = Simulator.begin(false, { output: silent, frames: 64 });
  const x = Pointer.new(ValueType.Zero);
  sim.register(x);
  sim.fork();
  sim.fork();
  sim.fork();
  sim.switch(0);
  for (let i = 0; i < 1024; i++) {
    const before = sim.read(x, DataType.UnsignedInt)!.getValue();
    check(before === (i < 4 ? 0n : BigInt(i - 4)), `round ${i}`);
    sim.write(x, ValueType.UnsignedInt(i));
    sim.switch((i + 1) % 4);
  }
}

function best<K extends string>(runs: Record<K, number>[]): Record<K, number> {
  const out = { ...runs[0]! };
  for (const run of runs) for (const key of Object.keys(out) as K[]) if (run[key] < out[key]) out[key] = run[key];
  return out;
}

const ms = (n: number): string => `${n.toFixed(1)} ms`;

export async function run(): Promise<void> {
  const rows: BenchRow[] = [];

  // Whole workloads: one op is one simulator call (register, write, read, fork or switch).
  rows.push(measure('100k pages: register + write + read (per call)', 3 * VALUES, () => void manyPages(), { minMs: 3000 }));
  rows.push(
    measure('256 pages x 8 chained forks (per call)', CHAIN_PAGES * 2 + CHAIN_FORKS * (CHAIN_PAGES + 1) + (CHAIN_FORKS + 1) * (CHAIN_PAGES + 1), () => void forkChain(), { minMs: 1000 }),
  );
  rows.push(measure('docs example loop, 4 processes (per call)', 1024 * 3, processesLoop, { minMs: 500 }));

  // Start-up: begin with the default 1 GiB of RAM, and with 4 GiB (RAM is committed as it is used).
  for (const [label, ramBytes] of [['1 GiB (default)', undefined], ['4 GiB', 2 ** 32]] as const) {
    rows.push(measure(`Simulator.begin, ${label} RAM`, 1, () => {
      const s = Simulator.begin(false, ramBytes === undefined ? { output: silent } : { output: silent, ramBytes });
      check(s.kernel.ram.committedBytes <= 64 * 1024, 'begin commits one small buffer');
    }, { minMs: 300 }));
  }

  // The hot path on a resident page.
  const sim = Simulator.begin(false, { output: silent, frames: 64 });
  const x = Pointer.new(ValueType.Zero);
  sim.register(x);
  const value = ValueType.UnsignedInt(0xdeadbeefcafef00dn);
  rows.push(measure('write UnsignedInt, resident page', 1000, () => {
    for (let i = 0; i < 1000; i++) sim.write(x, value);
  }));
  rows.push(measure('read UnsignedInt, resident page', 1000, () => {
    for (let i = 0; i < 1000; i++) sim.read(x, DataType.UnsignedInt);
  }));
  printTable(rows);

  // Phase times: best of 3 runs each.
  const pages = best([manyPages(), manyPages(), manyPages()]);
  const chain = best([forkChain(), forkChain(), forkChain()]);
  const pagesTotal = pages.register + pages.write + pages.read;
  const chainTotal = chain.build + chain.forks + chain.check;
  console.log('');
  console.log(`100,000 values, one page each (best of 3): ${ms(pagesTotal)} in all; register ${ms(pages.register)}, write ${ms(pages.write)} (a zero-fill fault each), read back ${ms(pages.read)}`);
  console.log(`256 pages, 8 chained forks (best of 3): ${ms(chainTotal)} in all; build ${ms(chain.build)}, 8 forks + 2,048 copy-on-write writes ${ms(chain.forks)}, 2,304 checked reads ${ms(chain.check)}`);
}
