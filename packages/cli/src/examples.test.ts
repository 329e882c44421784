// The seed examples as scripts (examples/*.vmsim at the workspace root) print the seed documents' output.
// The scripts are read from disk, through main, with an Io whose readFile is node's.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from './main.js';
import { MODELS } from './options.js';
import { fakeIo, STACK_FRAME } from './testing/fake-io.js';

/** Levels of page tables of each model `--hw` names. */
const LEVELS: Record<string, number> = { 'x86-32': 2, sv32: 2, 'x86-64': 4, sv39: 3 };

const EXAMPLES = fileURLToPath(new URL('../../../examples/', import.meta.url));

/** Runs `vmsim [...options] run examples/<name>` on the real file. */
async function runExample(name: string, options: readonly string[] = []): Promise<{ code: number; out: string[]; err: string[] }> {
  const io = fakeIo();
  io.readFile = (path) => readFileSync(path, 'utf8');
  const code = await main([...options, 'run', `${EXAMPLES}${name}`], io);
  return { code, out: io.out, err: io.err };
}

/** The output printed under the example of the seed README (000_ab7be23014a52665.txt). */
const SEED_README_OUTPUT = ['Value of x: 5', 'Mapping already registered for 0x80000010.', 'Value of y: 6', 'Invalid address 0x80004000'];

/** The listing the seed processes document (002_778ff3e0e324284c.txt) prints, up to its "...". */
const SEED_PROCESSES_LISTING = `Value of x: 0
Value of x before write for pid 0: 0
PGZERO: 0x0
Value of x after write for pid 0: 0
Value of x before write for pid 1: 0
PGZERO: 0x0
Value of x after write for pid 1: 1
Value of x before write for pid 2: 0
PGZERO: 0x0
Value of x after write for pid 2: 2
Value of x before write for pid 3: 0
PGZERO: 0x0
Value of x after write for pid 3: 3
Value of x before write for pid 0: 0
Value of x after write for pid 0: 4
Value of x before write for pid 1: 1
Value of x after write for pid 1: 5
Value of x before write for pid 2: 2
Value of x after write for pid 2: 6`.split('\n');

/**
 * The whole output by the document's rule: x starts at 0; on turn i, pid i % 4 reads its own previous value,
 * writes i (its first write faults in a zeroed page: PGZERO at offset 0), reads i back.
 */
function processesOutput(): string[] {
  const lines = ['Value of x: 0'];
  const last = [0, 0, 0, 0];
  for (let i = 0; i < 1024; i++) {
    const pid = i % 4;
    lines.push(`Value of x before write for pid ${pid}: ${last[pid]}`);
    if (i < 4) lines.push('PGZERO: 0x0');
    lines.push(`Value of x after write for pid ${pid}: ${i}`);
    last[pid] = i;
  }
  return lines;
}

describe('examples/readme.vmsim', () => {
  it('prints exactly the 4 lines of the seed README example', async () => {
    const { code, out, err } = await runExample('readme.vmsim');
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out).toEqual(SEED_README_OUTPUT);
  });

  it.each(MODELS)('prints the same with --hw %s', async (model) => {
    const { code, out, err } = await runExample('readme.vmsim', ['--hw', model]);
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out).toEqual(SEED_README_OUTPUT);
  });
});

describe('examples/processes.vmsim', () => {
  it('prints the 2,053 lines the seed processes document describes', async () => {
    const { code, out, err } = await runExample('processes.vmsim');
    expect(err).toEqual([]);
    expect(code).toBe(0);
    const expected = processesOutput();
    expect(expected).toHaveLength(2053);
    expect(out).toHaveLength(2053);
    expect(out).toEqual(expected);
  });

  it('begins with the literal listing of the seed document', async () => {
    const { out } = await runExample('processes.vmsim');
    expect(out.slice(0, SEED_PROCESSES_LISTING.length)).toEqual(SEED_PROCESSES_LISTING);
    expect(processesOutput().slice(0, SEED_PROCESSES_LISTING.length)).toEqual(SEED_PROCESSES_LISTING);
  });

  it.each(MODELS)('prints the same 2,053 lines with --hw %s', async (model) => {
    const { code, out, err } = await runExample('processes.vmsim', ['--hw', model]);
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out).toEqual(processesOutput());
  });

  it('ends with pid 3 writing 1023', async () => {
    const { out } = await runExample('processes.vmsim');
    expect(out.slice(-2)).toEqual(['Value of x before write for pid 3: 1019', 'Value of x after write for pid 3: 1023']);
  });

  it('as JSON: one record per line, the same texts', async () => {
    const { code, out } = await runExample('processes.vmsim', ['--json']);
    expect(code).toBe(0);
    const records = out.map((line) => JSON.parse(line) as { type: string; text?: string; label?: string; value?: string });
    const texts = records.map((r) => (r.type === 'message' ? r.text : `${r.label}: ${r.value}`));
    expect(texts).toEqual(processesOutput());
  });
});

describe('examples/cow-tour.vmsim', () => {
  it('tours the zero page, fork, a COW copy and a COW reuse, then prints the statistics', async () => {
    const { code, out, err } = await runExample('cow-tour.vmsim');
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out.slice(0, 11)).toEqual([
      'a before any write (the zero page): 0',
      'PGZERO: 0x0',
      "-- process 0 forks; the child runs and sees the parent's values",
      'a in the child: 41',
      'PGCOPY: 0x0',
      'a in the child after its write: 42',
      'a in the parent (unchanged): 41',
      'a in the parent after its write: 43',
      'a in the parent after the child exited: 43',
      '-- statistics',
      'machine: x86-32, 2 levels, 4096-byte pages',
    ]);
    expect(out.slice(11, 13)).toEqual([
      'frames: 262144 total, 262140 free, 4 used (2 page tables, 1 data, 1 zero page)',
      'faults: 1 zero-fill, 1 cow-copy, 1 cow-reuse, 0 zero-map, 0 spurious, 0 segfault, 0 sigbus, 0 out-of-memory',
    ]);
    expect(out[13]).toMatch(/^tlb: \d+ hits, \d+ misses, \d+ flushes \(64 entries\)$/);
    expect(out.slice(14)).toEqual([
      'memory: 4096 bytes allocated, 1 regions, 1 mapped pages',
      'process 0: running, 1 resident (0 shared, 1 private), 0 zero-mapped, 2 page tables',
    ]);
  });

  it.each(MODELS)('with --hw %s: the same tour, and statistics with the model\'s levels and tables', async (model) => {
    const x86 = await runExample('cow-tour.vmsim');
    const { code, out, err } = await runExample('cow-tour.vmsim', ['--hw', model]);
    expect(err).toEqual([]);
    expect(code).toBe(0);
    const levels = LEVELS[model]!;
    expect(out.slice(0, 10)).toEqual(x86.out.slice(0, 10));
    expect(out[10]).toBe(`machine: ${model}, ${levels} levels, 4096-byte pages`);
    // One process with one page: its root and one table per level below it.
    expect(out[11]).toBe(`frames: 262144 total, ${262144 - levels - 2} free, ${levels + 2} used (${levels} page tables, 1 data, 1 zero page)`);
    expect(out[12]).toBe(x86.out[12]);
    expect(out.slice(14)).toEqual([
      'memory: 4096 bytes allocated, 1 regions, 1 mapped pages',
      `process 0: running, 1 resident (0 shared, 1 private), 0 zero-mapped, ${levels} page tables`,
    ]);
  });
});

describe('every example script', () => {
  it('runs without an error and without a stack trace, in text and JSON', async () => {
    for (const name of ['readme.vmsim', 'processes.vmsim', 'cow-tour.vmsim', 'swap.vmsim']) {
      for (const options of [[], ['--json', '--stats'], ...MODELS.map((model) => ['--hw', model, '--stats'])]) {
        const { code, out, err } = await runExample(name, options);
        expect(code).toBe(0);
        expect(err).toEqual([]);
        expect(out.join('\n')).not.toContain(STACK_FRAME);
      }
    }
  });
});

describe('examples/swap.vmsim', () => {
  /** The frame numbers of EVICT lines, which depend on how many page-table frames the model took first. */
  const withoutPfns = (lines: string[]): string[] => lines.map((line) => line.replace(/^EVICT: pfn 0x[0-9a-f]+ /, 'EVICT: pfn _ '));

  it('evicts to swap, reads every value back, then the OOM killer kills the largest process; the statistics', async () => {
    const { code, out, err } = await runExample('swap.vmsim');
    expect(err).toEqual([]);
    expect(code).toBe(0);
    const stats = out.indexOf('-- statistics');
    expect(out.slice(0, stats)).toEqual([
      '-- process 0 writes five pages; the three frames fill, then the oldest pages go to swap',
      'PGZERO: 0x0', 'PGZERO: 0x1000', 'PGZERO: 0x2000',
      'EVICT: pfn 0x3 to swap, written', 'PGZERO: 0x3000',
      'EVICT: pfn 0x4 to swap, written', 'PGZERO: 0x4000',
      '-- every value reads back: the swapped pages come back in (SWAPIN), others go out for them',
      'EVICT: pfn 0x5 to swap, written', 'SWAPIN: 0x0 from slot 0', 'page 0: 100',
      'EVICT: pfn 0x3 to swap, written', 'SWAPIN: 0x1000 from slot 1', 'page 1: 101',
      'EVICT: pfn 0x4 to swap, written', 'SWAPIN: 0x2000 from slot 2', 'page 2: 102',
      'EVICT: pfn 0x5 to swap, clean', 'SWAPIN: 0x3000 from slot 3', 'page 3: 103',
      'EVICT: pfn 0x3 to swap, clean', 'SWAPIN: 0x4000 from slot 4', 'page 4: 104',
      '-- process 0 forks; the parent writes three more pages: 8 pages on 3 frames and 6 slots',
      'EVICT: pfn 0x4 to swap, clean', 'PGZERO: 0x5000',
      'EVICT: pfn 0x5 to swap, clean', 'PGZERO: 0x6000',
      'EVICT: pfn 0x3 to swap, clean', 'PGZERO: 0x7000',
      '-- the child writes two new pages: the second finds swap full, and the parent (the largest) is killed',
      'EVICT: pfn 0x4 to swap, written', 'PGZERO: 0xa000',
      'Out of memory: killed process 0 (rss 2 pages, swap 6 pages)',
      'PGZERO: 0xb000',
      '-- the child goes on: its pages, shared with the parent before, are intact',
      'SWAPIN: 0x0 from slot 0', 'page 0: 100',
      'EVICT: pfn 0x4 to swap, written', 'SWAPIN: 0x1000 from slot 1', 'page 1: 101',
      'EVICT: pfn 0x2 to swap, clean', 'SWAPIN: 0x2000 from slot 2', 'page 2: 102',
      'EVICT: pfn 0x3 to swap, clean', 'SWAPIN: 0x3000 from slot 3', 'page 3: 103',
      'EVICT: pfn 0x2 to swap, clean', 'SWAPIN: 0x4000 from slot 4', 'page 4: 104',
      'EVICT: pfn 0x3 to swap, clean', 'SWAPIN: 0xa000 from slot 5', 'page 10: 110',
      'page 11: 111',
    ]);
    expect(out.slice(stats + 1, stats + 4)).toEqual([
      'machine: x86-32, 2 levels, 4096-byte pages',
      'frames: 262144 total, 262138 free, 6 used (2 page tables, 3 data, 1 zero page)',
      'faults: 10 zero-fill, 0 cow-copy, 0 cow-reuse, 0 zero-map, 0 spurious, 0 segfault, 0 sigbus, 0 out-of-memory',
    ]);
    expect(out[stats + 4]).toMatch(/^tlb: \d+ hits, \d+ misses, \d+ flushes \(64 entries\)$/);
    expect(out.slice(stats + 5)).toEqual([
      'memory: 28672 bytes allocated, 2 regions, 3 mapped pages',
      'process 1: running, 3 resident (2 shared, 1 private), 0 zero-mapped, 2 page tables',
      'swap: 6 of 6 slots used, 11 pswpin, 7 pswpout, 2 in swap cache (process 1: 4)',
      'reclaim: lru, 3 frames held (limit 3), 16 evictions, 7 writebacks, 11 major faults, 10 minor faults, 1 OOM kills',
    ]);
  });

  it.each(MODELS)('with --hw %s: the same evictions, swap-ins, values and OOM kill; the model\'s tables', async (model) => {
    const x86 = await runExample('swap.vmsim');
    const { code, out, err } = await runExample('swap.vmsim', ['--hw', model]);
    expect(err).toEqual([]);
    expect(code).toBe(0);
    const stats = out.indexOf('-- statistics');
    expect(stats).toBe(x86.out.indexOf('-- statistics'));
    expect(withoutPfns(out.slice(0, stats + 1))).toEqual(withoutPfns(x86.out.slice(0, stats + 1)));
    const levels = LEVELS[model]!;
    expect(out[stats + 1]).toBe(`machine: ${model}, ${levels} levels, 4096-byte pages`);
    expect(out[stats + 2]).toBe(`frames: 262144 total, ${262144 - levels - 4} free, ${levels + 4} used (${levels} page tables, 3 data, 1 zero page)`);
    expect(out.slice(stats + 5, stats + 6)).toEqual(['memory: 28672 bytes allocated, 2 regions, 3 mapped pages']);
    expect(out[stats + 6]).toBe(`process 1: running, 3 resident (2 shared, 1 private), 0 zero-mapped, ${levels} page tables`);
    expect(out.slice(stats + 7)).toEqual(x86.out.slice(stats + 7));
  });

  it('as JSON: the OOM kill is a message record, and the stats record carries swap and reclaim', async () => {
    const { code, out } = await runExample('swap.vmsim', ['--json']);
    expect(code).toBe(0);
    const records = out.map((line) => JSON.parse(line) as { type: string; text?: string; swap?: { slotsUsed: number }; reclaim?: { policy: string; oomKills: number } });
    expect(records.filter((r) => r.type === 'message' && r.text!.startsWith('Out of memory')).map((r) => r.text))
      .toEqual(['Out of memory: killed process 0 (rss 2 pages, swap 6 pages)']);
    const stats = records.find((r) => r.type === 'stats')!;
    expect(stats.swap?.slotsUsed).toBe(6);
    expect([stats.reclaim?.policy, stats.reclaim?.oomKills]).toEqual(['lru', 1]);
  });
});
