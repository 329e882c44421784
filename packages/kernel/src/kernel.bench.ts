// Benchmarks of the kernel: start-up at 1 MiB / 1 GiB / 4 GiB of RAM (it should not depend on the size), what
// fork costs against the number of mapped pages (it should grow with the page tables, i.e. the PTEs to mirror,
// not with the bytes of data, since no data frame is copied), and what one zero-fill fault and one COW fault
// cost, beside the clear and the copy they must make (on frames as cold as theirs) and what they cost beyond
// it. Run: `npx --yes pnpm@10.34.9 bench kernel` (or import and call run()).

import { sv32, x86_32, type HardwareModel } from '@vmsim/hw';
import { printTable, type BenchRow } from '@vmsim/dev-util/bench';
import { FRAME_DATA } from './mm/frame-allocator.js';
import { Kernel } from './kernel.js';

const PAGE = 4096;
/** 2 GiB of simulated RAM: the host commits it lazily, so only the frames written cost real memory. */
const BIG_RAM = 2 ** 31;
const BASE = 0x00400000;
const REGION = 4 * 1024 * 1024;

/**
 * Times `work` alone: `setup` and `teardown` run around each round, outside the clock. After a warm-up (a
 * quarter of the budget, at least two rounds), rounds repeat until the timed part adds up to `minMs` (and at
 * least five rounds); the row reports the median round, so a burst of load on the host does not skew it.
 */
function timed(name: string, opsPerRound: number, setup: () => void, work: () => void, teardown: () => void, minMs = 400): BenchRow {
  const warmUntil = performance.now() + minMs / 4;
  for (let i = 0; i < 2 || performance.now() < warmUntil; i++) {
    setup();
    work();
    teardown();
  }
  const times: number[] = [];
  let elapsed = 0;
  while (elapsed < minMs || times.length < 5) {
    setup();
    const t0 = performance.now();
    work();
    const t = performance.now() - t0;
    teardown();
    times.push(t);
    elapsed += t;
  }
  times.sort((a, b) => a - b);
  const median = times[times.length >> 1]!;
  return { name, opsPerSec: (opsPerRound / median) * 1000, nsPerOp: (median * 1e6) / opsPerRound };
}

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`benchmark sanity check failed: ${what}`);
}

/** A parent process with `pages` registered pages, `stride` bytes apart, written (real data frames) or not. */
function parentWith(k: Kernel, pages: number, written: boolean, stride = PAGE): number {
  const p = k.spawn();
  k.switchTo(p.pid);
  for (let i = 0; i < pages; i++) {
    const va = BASE + i * stride;
    k.register(va);
    if (written && k.store(va, 4, i) !== 0) throw new Error(`store failed at 0x${va.toString(16)}: ${k.status}`);
  }
  return p.pid;
}

/** Times fork (and, separately, killing the child) of a parent with `pages` mapped pages. */
function forkRows(k: Kernel, label: string, pages: number, written: boolean, stride = PAGE): { fork: BenchRow; perPage: BenchRow; kill: BenchRow } {
  const parent = parentWith(k, pages, written, stride);
  const tables = k.pageTables(parent).length;
  const data = k.frames.inUse[FRAME_DATA];
  let child = -1;
  const fork = timed(`fork ${label}`, 1, () => {}, () => {
    child = k.fork(parent).pid;
  }, () => {
    check(k.frames.inUse[FRAME_DATA] === data, 'fork copied no data frame');
    k.kill(child);
  });
  const kill = timed(`kill child ${label}`, 1, () => {
    child = k.fork(parent).pid;
  }, () => k.kill(child), () => {});
  k.kill(parent);
  check(k.frames.inUse[FRAME_DATA] === 0, 'every data frame freed');
  const perPage = { name: `  per mapped page (${tables} tables)`, opsPerSec: fork.opsPerSec * pages, nsPerOp: fork.nsPerOp / pages };
  return { fork, perPage, kill };
}

function faultRows(makeModel: () => HardwareModel): BenchRow[] {
  const n = 4096; // 16 MiB of pages: far more than the TLB holds, in 4 page tables
  const k = new Kernel({ model: makeModel(), ramBytes: 64 << 20 });
  const rows: BenchRow[] = [];
  let pid = -1;

  // One zero-fill fault per store: every page is freshly registered (zero page, read-only).
  rows.push(timed('store → zero-fill fault', n, () => {
    pid = k.spawn().pid;
    k.switchTo(pid);
    for (let i = 0; i < n; i++) k.register(BASE + i * PAGE);
  }, () => {
    for (let i = 0; i < n; i++) k.store(BASE + i * PAGE, 4, i);
  }, () => {
    check(k.stats().processes.find((p) => p.pid === pid)!.resident === n, 'every page zero-filled');
    k.kill(pid);
  }));

  // The same stores to pages already writable: a TLB miss and a page walk each, no fault. The difference
  // to the rows around it is the fault handler itself.
  pid = parentWith(k, n, true);
  rows.push(timed('store, page writable (TLB miss, no fault)', n, () => {}, () => {
    for (let i = 0; i < n; i++) k.store(BASE + i * PAGE, 4, i);
  }, () => {}));

  // One COW copy per store: the child writes pages it shares with the parent.
  let child = -1;
  rows.push(timed('store → COW-copy fault (4 KiB copied)', n, () => {
    child = k.fork(pid).pid;
    k.switchTo(child);
  }, () => {
    for (let i = 0; i < n; i++) k.store(BASE + i * PAGE, 4, ~i >>> 0);
  }, () => {
    check(k.frames.refCount(k.translate(BASE, child)!.pfn) === 1, 'the child has its own copy');
    k.switchTo(pid);
    k.kill(child);
  }));

  // One COW reuse per store: the parent writes its COW pages after the child died (refcount 1, no copy).
  rows.push(timed('store → COW-reuse fault (no copy)', n, () => {
    k.kill(k.fork(pid).pid);
  }, () => {
    for (let i = 0; i < n; i++) k.store(BASE + i * PAGE, 4, i);
  }, () => {}));
  k.kill(pid);

  // The baseline a COW copy is held to: copying 4 KiB into memory not touched since it was allocated.
  const src = new Uint8Array(PAGE).fill(7);
  let fresh = new Uint8Array(n * PAGE);
  rows.push(timed('copy 4 KiB into fresh memory (baseline)', n, () => {
    fresh = new Uint8Array(n * PAGE);
  }, () => {
    for (let i = 0; i < n; i++) fresh.set(src, i * PAGE);
  }, () => check(fresh[(n - 1) * PAGE] === 7, 'the last page copied')));

  // What the faults above must do to memory, as they meet it: the COW fault copies a parent frame not read
  // since it was written (cold) into a frame last used a round ago (cold), and the zero-fill fault clears such
  // a frame. The same 16 MiB of frames each round in a 64 MiB buffer, as in RAM; between rounds 32 MiB of
  // other memory is written so that neither side is left in cache (a shorter budget: that write is slow).
  const ram = new Uint8Array(64 << 20).fill(3);
  const other = new Uint8Array(32 << 20);
  const copyTo = 32 << 20;
  let round = 0;
  const evict = (): void => {
    other.fill(++round & 0xff);
  };
  rows.push(timed('copy 4 KiB, cold frame → cold frame', n, evict, () => {
    for (let i = 0; i < n; i++) ram.copyWithin(copyTo + i * PAGE, i * PAGE, (i + 1) * PAGE);
  }, () => check(ram[copyTo + (n - 1) * PAGE] === 3, 'the last frame copied'), 200));
  rows.push(timed('clear 4 KiB, cold frame', n, evict, () => {
    for (let i = 0; i < n; i++) ram.fill(0, i * PAGE, (i + 1) * PAGE);
  }, () => {
    check(ram[(n - 1) * PAGE] === 0, 'the last frame cleared');
    ram.fill(3, 0, n * PAGE);
  }, 200));
  return rows;
}

/**
 * The fault rows with their memory work taken out: what each fault costs beyond the copy or the clear it
 * must make, beside the COW-reuse fault (the same fault with no frame to allocate, copy or clear).
 */
function faultOverheads(rows: readonly BenchRow[]): string {
  const ns = (name: string): number => rows.find((r) => r.name.startsWith(name))!.nsPerOp;
  const zeroFill = ns('store → zero-fill') - ns('clear 4 KiB, cold');
  const cowCopy = ns('store → COW-copy') - ns('copy 4 KiB, cold');
  const f = (x: number): string => x.toFixed(0);
  return `beyond their memory work: zero-fill ${f(zeroFill)} ns, COW copy ${f(cowCopy)} ns; COW reuse (none) ${f(ns('store → COW-reuse'))} ns; ` +
    `COW copy / baseline copy ${(ns('store → COW-copy') / ns('copy 4 KiB into fresh')).toFixed(2)}x, cold copy / baseline copy ${(ns('copy 4 KiB, cold') / ns('copy 4 KiB into fresh')).toFixed(2)}x`;
}

/** fork and kill of a process with one written page: the cost of the machinery around the tables. */
function forkKillOnePage(makeModel: () => HardwareModel): BenchRow {
  const k = new Kernel({ model: makeModel(), ramBytes: 16 << 20 });
  const parent = parentWith(k, 1, true);
  const rounds = 1000;
  return timed('fork + kill, 1 written page', rounds, () => {}, () => {
    for (let i = 0; i < rounds; i++) k.kill(k.fork(parent).pid);
  }, () => check(k.frames.inUse[FRAME_DATA] === 1, 'only the parent page stays'));
}

/**
 * Start-up against RAM size: `new Kernel`, and `new Kernel` + one process (what Simulator.begin does), at
 * 1 MiB, 1 GiB and 4 GiB. RAM is committed and the frame books grow as frames are used, so the rows should
 * match across sizes; the committed bytes are checked to stay at the first commit.
 */
export function startupRows(makeModel: () => HardwareModel): BenchRow[] {
  const rows: BenchRow[] = [];
  const perRound = 100;
  let made: Kernel[] = [];
  // Warm every variant up first, so the first row is not the one that pays for compilation.
  for (let i = 0; i < 300; i++) new Kernel({ model: makeModel(), ramBytes: 2 ** (20 + (i % 3) * 6) }).spawn();
  for (const [label, ramBytes] of [['1 MiB', 2 ** 20], ['1 GiB', 2 ** 30], ['4 GiB', 2 ** 32]] as const) {
    const model = makeModel();
    const clear = (): void => {
      check(made.length === perRound && made.every((k) => k.ram.committedBytes === made[0]!.ram.committedBytes), 'start-up commits the same RAM');
      made = [];
    };
    rows.push(timed(`new Kernel, ${label} RAM`, perRound, () => {}, () => {
      for (let i = 0; i < perRound; i++) made.push(new Kernel({ model, ramBytes }));
    }, clear, 200));
    rows.push(timed(`new Kernel + spawn (begin), ${label} RAM`, perRound, () => {}, () => {
      for (let i = 0; i < perRound; i++) {
        const k = new Kernel({ model, ramBytes });
        k.spawn();
        made.push(k);
      }
    }, clear, 200));
  }
  return rows;
}

export async function run(): Promise<void> {
  console.log('\n--- x86-32: start-up against RAM size (100 kernels per round)');
  printTable(startupRows(x86_32));
  for (const [name, makeModel] of [['x86-32', x86_32], ['sv32', sv32]] as const) {
    console.log(`\n--- ${name}: fork cost against mapped pages (2 GiB RAM, every page written unless noted)`);
    const k = new Kernel({ model: makeModel(), ramBytes: BIG_RAM });
    const rows: BenchRow[] = [forkKillOnePage(makeModel)];
    const perPte: [string, number][] = [];
    for (const pages of [1024, 16 * 1024, 256 * 1024]) {
      const r = forkRows(k, `${pages / 1024} Ki pages`, pages, true);
      rows.push(r.fork, r.perPage, r.kill);
      perPte.push([`${pages / 1024} Ki`, r.perPage.nsPerOp]);
    }
    // The same number of PTEs, with and without data behind them, measured back to back.
    const written = forkRows(k, '1 Ki pages, written (again)', 1024, true);
    const zero = forkRows(k, '1 Ki pages, zero-mapped only', 1024, false);
    rows.push(written.fork, zero.fork);
    const dense = forkRows(k, '512 pages dense (1 table)', 512, true);
    const sparse = forkRows(k, '512 pages sparse (1 per 4 MiB)', 512, true, REGION);
    rows.push(dense.fork, dense.perPage, sparse.fork, sparse.perPage);
    printTable(rows);
    console.log(`ns per mapped page: ${perPte.map(([n, ns]) => `${n}: ${ns.toFixed(1)}`).join(', ')}`);
    console.log(`zero-mapped / written (1 Ki pages): ${(zero.fork.nsPerOp / written.fork.nsPerOp).toFixed(2)}x; `
      + `sparse / dense (512 pages): ${(sparse.fork.nsPerOp / dense.fork.nsPerOp).toFixed(1)}x`);

    console.log(`\n--- ${name}: cost of one fault (4096 pages per round)`);
    const faults = faultRows(makeModel);
    printTable(faults);
    console.log(faultOverheads(faults));
  }
}
