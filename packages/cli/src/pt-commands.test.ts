// The page-table and memory-map commands (pt-commands.ts), and the two examples that run the seed snippets:
// examples/page-table.vmsim (seed 003) and examples/memory-maps.vmsim (seed 004's doc example).

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from './main.js';
import { MODELS } from './options.js';
import { fakeIo, runText, SCRIPT } from './testing/fake-io.js';

const EXAMPLES = fileURLToPath(new URL('../../../examples/', import.meta.url));

async function runExample(name: string, options: readonly string[] = []): Promise<{ code: number; out: string[]; err: string[] }> {
  const io = fakeIo();
  io.readFile = (path) => readFileSync(path, 'utf8');
  const code = await main([...options, 'run', `${EXAMPLES}${name}`], io);
  return { code, out: io.out, err: io.err };
}

const LEVELS: Record<string, number> = { 'x86-32': 2, sv32: 2, 'x86-64': 4, sv39: 3 };

describe('examples/page-table.vmsim (seed 003)', () => {
  it('prints the translation, the tree with its decoded bits, and the tree emptied again (x86-32)', async () => {
    const { code, out, err } = await runExample('page-table.vmsim');
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out).toEqual([
      'Virtual VirtAddr(0x1000) -> Physical PhysAddr(0x10000)',
      'page_table:',
      'PAGE TABLE TREE 2 (x86-32): 2 table(s)',
      'PAGE DIRECTORY #2',
      '  PDE #0 -> PAGE TABLE #3  PRESENT | WRITABLE | USER_ACCESSIBLE  raw 0x00003007',
      '  PAGE TABLE #3',
      '    PTE #1  va 0x1000 -> pa 0x10000 (4 KiB)  PRESENT | WRITABLE | USER_ACCESSIBLE  raw 0x00010007',
      'Virtual VirtAddr(0x1000) -> not mapped',
      'page_table:',
      'PAGE TABLE TREE 2 (x86-32): 1 table(s)',
      'PAGE DIRECTORY #2',
    ]);
  });

  it.each(MODELS)('runs with --hw %s: one table per level, then the root alone', async (model) => {
    const { code, out, err } = await runExample('page-table.vmsim', ['--hw', model]);
    expect(err).toEqual([]);
    expect(code).toBe(0);
    const levels = LEVELS[model]!;
    expect(out[0]).toBe('Virtual VirtAddr(0x1000) -> Physical PhysAddr(0x10000)');
    expect(out[2]).toBe(`PAGE TABLE TREE 2 (${model}): ${levels} table(s)`);
    // Headings and pointer entries per level, then the leaf line.
    expect(out.slice(3, 3 + 2 * levels)).toHaveLength(2 * levels);
    expect(out[2 + 2 * levels]).toMatch(/PTE #1 {2}va 0x1000 -> pa 0x10000 \(4 KiB\) {2}PRESENT \| WRITABLE \| USER_ACCESSIBLE {2}raw 0x/);
    expect(out.slice(-4)).toEqual([
      'Virtual VirtAddr(0x1000) -> not mapped', 'page_table:', `PAGE TABLE TREE 2 (${model}): 1 table(s)`, `${out[3]}`,
    ]);
  });
});

const MEMORY_MAPS_ERROR = ':16: vmm-add: Address or size is not aligned to PAGE_SIZE: virtual 0x0..=0x1000 (0x1001 bytes), physical 0x80000000..=0x80001000 (0x1001 bytes), PAGE_SIZE 0x1000; end is inclusive, so one page is start..=start + 0xfff';

describe("examples/memory-maps.vmsim (seed 004's doc example)", () => {
  it.each(MODELS)('finds 0x500 in the one-page map and refuses the doc’s unaligned map with the seed’s error (--hw %s)', async (model) => {
    const { code, out, err } = await runExample('memory-maps.vmsim', ['--hw', model]);
    const hasAsids = model === 'sv32' || model === 'sv39';
    expect(out).toEqual([
      '0x500: memory map 0: 0x0..=0xfff -> 0x80000000..=0x80000fff rw- private',
      '0x500 -> 0x80000500',
      `asid 42, root page table ${hasAsids ? 'none' : '#1'}, 1 memory map(s)`,
      '  0: 0x0..=0xfff -> 0x80000000..=0x80000fff rw- private',
    ]);
    expect(err).toEqual([`${EXAMPLES}memory-maps.vmsim${MEMORY_MAPS_ERROR}`]);
    expect(code).toBe(2);
  });
});

describe('pt-* and vmm-* commands', () => {
  it('a table through the manager: switch, accesses through the TLB, flushes, counters', async () => {
    const { code, out, err } = await runText([
      'pt-create a', 'pt-create b',
      'pt-map a 0x400000 0x800000 PRESENT|WRITABLE|USER_ACCESSIBLE',
      'pt-map b 0x400000 0x900000 PRESENT|USER_ACCESSIBLE',
      'pt-switch a', 'pt-access 0x400010', 'pt-access 0x400010 write', 'pt-tlb',
      'pt-switch b', 'pt-access 0x400010', 'pt-access 0x400010 write', 'pt-flush 0x400000', 'pt-flush', 'pt-tlb',
    ], ['--hw', 'x86-32']);
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out).toEqual([
      'read 0x400010 (user): 0x800010',
      'write 0x400010 (user): 0x800010',
      // Loading CR3 flushed once; the read-filled entry was not dirty, so the write walked again (a miss).
      'tlb: 0 hits, 2 misses, 1 flushes (1 entries)',
      'read 0x400010 (user): 0x900010',
      'write 0x400010 (user): fault (protection)',
      'tlb: 0 hits, 4 misses, 4 flushes (0 entries)',
    ]);
  });

  it('vmm commands on x86-64: add, search, translate, remove, remove-all, list; the page is real', async () => {
    const { code, out, err } = await runText([
      'vmm-add 0x1000 0x2fff 0x100000 0x101fff rw- shared',
      'vmm-add 0x8000 0x8fff 0x200000 0x200fff r--',
      'vmm-search 0x2abc', 'vmm-search 0x5000', 'vmm-translate 0x8010', 'vmm-list',
      'vmm-remove 0', 'vmm-remove 5', 'vmm-remove-all', 'vmm-list',
    ], ['--hw', 'x86-64']);
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out).toEqual([
      '0x2abc: memory map 0: 0x1000..=0x2fff -> 0x100000..=0x101fff rw- shared',
      '0x5000: no memory map',
      '0x8010 -> 0x200010',
      'asid 0, root page table #1, 2 memory map(s)',
      '  0: 0x1000..=0x2fff -> 0x100000..=0x101fff rw- shared',
      '  1: 0x8000..=0x8fff -> 0x200000..=0x200fff r-- private',
      'removed 0x1000..=0x2fff -> 0x100000..=0x101fff rw- shared',
      'no memory map 5',
      'removed 1 memory map(s)',
      'asid 0, root page table #1, 0 memory map(s)',
    ]);
  });

  it('prints JSON records with --json', async () => {
    const { code, out } = await runText(['pt-create t', 'pt-map t 0x1000 0x10000 PRESENT', 'pt-translate t 0x1000', 'vmm-translate 0x1'], ['--json']);
    expect(code).toBe(0);
    expect(out.map((l) => JSON.parse(l) as unknown)).toEqual([
      { type: 'pt-translate', table: 't', va: '0x1000', pa: '0x10000' },
      { type: 'vmm-translate', va: '0x1', pa: null },
    ]);
  });

  it.each([
    ['pt-map x 0x1000 0x1000 PRESENT', "pt-map: unknown page table \"x\" (create it with pt-create x)"],
    ['pt-create 1a', 'pt-create: bad name "1a"'],
    ['pt-map t 0x1000 0x1000 PRESENT|READ', 'pt-map: invalid page-table flag "READ"'],
    ['pt-map t 0x1000 0x1000 PRESENT|NO_EXECUTE', 'pt-map: x86-32 cannot express NO_EXECUTE in a level-1 entry'],
    ['pt-map t 0x1001 0x1000 PRESENT', 'pt-map: virtual address 0x1001 is not aligned to 4096 bytes'],
    ['pt-unmap t 0x5000', 'pt-unmap: page table 2: address 0x5000 is not mapped'],
    ['pt-access 0x1000', 'pt-access: invalid page table null: no table is active: switch to one first'],
    ['pt-access 0x1000 fly', 'pt-access: expected read, write or execute, not "fly"'],
    ['pt-tlb 1', 'pt-tlb: too many arguments'],
    ['vmm-add 0x1000 0x1fff 0x2000 0x3fff', 'vmm-add: memory map sizes differ'],
    ['vmm-add 0x1000 0x1fff 0x2000 0x2fff rwz', 'vmm-add: bad permissions "rwz"'],
    ['vmm-asid 70000', 'vmm-asid 70000 is out of range'],
  ])('%s → %s', async (line, message) => {
    const { code, err } = await runText(['pt-create t', line]);
    expect(code).toBe(2);
    expect(err[0]).toContain(`${SCRIPT}:2: ${message}`);
  });
});
