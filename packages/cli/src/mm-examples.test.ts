// Seed 003's usage snippets, one runnable file each under examples/ (mm-*.vmsim), and issue 10's fork with
// shared and private regions: their whole output on every model. What differs between models is the
// maps padding (8 or 16 hex digits of address width), the statistics' levels and page tables, and the TLB
// counters (x86 flushes on every CR3 load, RISC-V with ASIDs does not).

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from './main.js';
import { fakeIo } from './testing/fake-io.js';

const EXAMPLES = fileURLToPath(new URL('../../../examples/', import.meta.url));
const MODELS = ['x86-32', 'sv32', 'x86-64', 'sv39'] as const;
type Model = (typeof MODELS)[number];
const LEVELS: Record<Model, number> = { 'x86-32': 2, sv32: 2, 'x86-64': 4, sv39: 3 };
/** /proc/<pid>/maps pads the path column after 8-digit addresses by 10, after 16-digit ones by 34. */
const pad = (hw: Model): string => ' '.repeat(hw === 'x86-64' || hw === 'sv39' ? 34 : 10);
const TLB_LINE = /^tlb: \d+ hits, \d+ misses, \d+ flushes \(64 entries\)$/;

async function run(name: string, hw: Model): Promise<string[]> {
  const io = fakeIo();
  io.readFile = (path) => readFileSync(path, 'utf8');
  expect(await main(['--hw', hw, 'run', `${EXAMPLES}${name}`], io)).toBe(0);
  expect(io.err).toEqual([]);
  return io.out;
}

describe.each(MODELS)('seed 003 snippets as examples/mm-*.vmsim on %s', (hw) => {
  it('mm-anonymous.vmsim: 4 KB anonymous private, write 42, read it, unmap; the page is gone', async () => {
    expect(await run('mm-anonymous.vmsim', hw)).toEqual([
      'ptr = mmap → 0x7ffff000',
      '*ptr: 42',
      'munmap → 0',
      'SIGSEGV (SEGV_MAPERR) at 0x7ffff000: process 0 continues (caught)',
    ]);
  });

  it('mm-mprotect.vmsim: read-only after mprotect; the data stays; a write is SEGV_ACCERR and changes nothing', async () => {
    expect(await run('mm-mprotect.vmsim', hw)).toEqual([
      'addr = mmap → 0x7ffff000',
      'mprotect → 0',
      '7ffff000-80000000 r--p 00000000 00:00 0',
      'addr: 7',
      'SIGSEGV (SEGV_ACCERR) at 0x7ffff000: process 0 continues (caught)',
      'addr: 7',
    ]);
  });

  it('mm-brk.vmsim: brk(0) queries, then the heap grows by 8 KB and holds data', async () => {
    expect(await run('mm-brk.vmsim', hw)).toEqual([
      'current_brk = brk → 0x10000000',
      'brk → 0x10002000',
      'current_brk+16: 7',
      `10000000-10002000 rw-p 00000000 00:00 0${pad(hw)}[heap]`,
    ]);
  });

  it('mm-sbrk.vmsim: sbrk +8192 then −4096 answer the old breaks; the released page is unmapped', async () => {
    expect(await run('mm-sbrk.vmsim', hw)).toEqual([
      'old_brk = sbrk → 0x10000000',
      'restored = sbrk → 0x10002000',
      'brk → 0x10001000',
      `10000000-10001000 rw-p 00000000 00:00 0${pad(hw)}[heap]`,
      'SIGSEGV (SEGV_MAPERR) at 0x10001000: process 0 continues (caught)',
    ]);
  });

  it('mm-thread-stack.vmsim: a 1 MB stack, written at its top, costs one frame and one page table per level', async () => {
    const levels = LEVELS[hw];
    const out = await run('mm-thread-stack.vmsim', hw);
    expect(out.slice(0, 5)).toEqual([
      'stack_ptr = mmap → 0x7ff00000',
      'top: 51966',
      'bottom: 0',
      '7ff00000-80000000 rw-p 00000000 00:00 0',
      `machine: ${hw}, ${levels} levels, 4096-byte pages`,
    ]);
    expect(out[5]).toBe(`frames: 262144 total, ${262144 - levels - 2} free, ${levels + 2} used (${levels} page tables, 1 data, 1 zero page)`);
    expect(out[6]).toBe('faults: 1 zero-fill, 0 cow-copy, 0 cow-reuse, 1 zero-map, 0 spurious, 0 segfault, 0 sigbus, 0 out-of-memory');
    expect(out[7]).toMatch(TLB_LINE);
    expect(out.slice(8)).toEqual([
      'memory: 1048576 bytes allocated, 1 regions, 2 mapped pages',
      `process 0: running, 1 resident (0 shared, 1 private), 1 zero-mapped, ${levels} page tables`,
    ]);
  });

  it('mm-fork.vmsim: private writes invisible both ways, shared ones visible both ways, the child\'s munmap stays in the child', async () => {
    expect(await run('mm-fork.vmsim', hw)).toEqual([
      'shared = mmap → 0x7ffff000',
      'private = mmap → 0x7fffe000',
      'parent_shared: 2',
      'parent_private: 1',
      'child_shared: 3',
      'child_private: 2',
      'munmap → 0',
      '7fffe000-7ffff000 rw-p 00000000 00:00 0',
      'parent_shared_after_child_munmap: 3',
      '7fffe000-7ffff000 rw-p 00000000 00:00 0',
      `7ffff000-80000000 rw-s 00000000 00:00 0${pad(hw)}/dev/zero (deleted)`,
    ]);
  });

  it('mm-stats.vmsim: seed 003\'s statistics (allocated bytes, regions, mapped pages) and RSS, shared, private, tables per process', async () => {
    const levels = LEVELS[hw];
    // Per process: the root, and below it one table per level for each of the two places used (the heap
    // at 0x1000_0000 and the mapping below 0x8000_0000), sharing the levels whose entry covers both.
    const tables = { 'x86-32': 3, sv32: 3, 'x86-64': 6, sv39: 5 }[hw];
    const out = await run('mm-stats.vmsim', hw);
    expect(out.slice(0, 4)).toEqual([
      'data = mmap → 0x7fffc000',
      'data+8192: 0',
      'heap = sbrk → 0x10000000',
      `machine: ${hw}, ${levels} levels, 4096-byte pages`,
    ]);
    // Data frames: data+0 (the parent's, then the child's COW copy), data+4096 and heap+0 shared.
    expect(out[4]).toBe(`frames: 262144 total, ${262144 - 2 * tables - 5} free, ${2 * tables + 5} used (${2 * tables} page tables, 4 data, 1 zero page)`);
    expect(out[5]).toBe('faults: 3 zero-fill, 1 cow-copy, 0 cow-reuse, 1 zero-map, 0 spurious, 0 segfault, 0 sigbus, 0 out-of-memory');
    expect(out[6]).toMatch(TLB_LINE);
    expect(out.slice(7)).toEqual([
      // Two processes × (4 + 2 pages) of regions; each maps 3 frames and the zero page.
      'memory: 49152 bytes allocated, 4 regions, 8 mapped pages',
      `process 0: sleeping, 3 resident (2 shared, 1 private), 1 zero-mapped, ${tables} page tables`,
      `process 1: running, 3 resident (2 shared, 1 private), 1 zero-mapped, ${tables} page tables`,
    ]);
  });
});

describe('examples/mm-*.vmsim with --json --stats', () => {
  it('every line is one JSON record, the statistics record carrying seed 003\'s memory figures', async () => {
    for (const name of ['mm-anonymous', 'mm-mprotect', 'mm-brk', 'mm-sbrk', 'mm-thread-stack', 'mm-fork', 'mm-stats']) {
      const io = fakeIo();
      io.readFile = (path) => readFileSync(path, 'utf8');
      expect(await main(['--json', '--stats', 'run', `${EXAMPLES}${name}.vmsim`], io)).toBe(0);
      expect(io.err).toEqual([]);
      const records = io.out.map((line) => JSON.parse(line) as { type: string; stats?: { memory: Record<string, number> } });
      const stats = records.filter((r) => r.type === 'stats').at(-1)!;
      expect(Object.keys(stats.stats!.memory).sort()).toEqual(['mappedPages', 'regionCount', 'totalAllocated']);
    }
  });
});
