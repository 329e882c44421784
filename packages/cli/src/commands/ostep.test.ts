// `vmsim ostep`: the Python scripts' output through the CLI, their exit status, and usage errors as one line.

import { runOstep } from '@vmsim/exercises';
import { describe, expect, it } from 'vitest';
import { runMain } from '../testing/fake-io.js';

describe('vmsim ostep', () => {
  it('prints exactly what the script prints (seed 0 multilevel: PDBR 108, 0x611c → 0x6bc)', async () => {
    const { code, out, err } = await runMain(['ostep', 'paging-multilevel-translate', '-s', '0', '-c']);
    expect(code).toBe(0);
    expect(err).toEqual([]);
    expect(`${out.join('\n')}\n`).toBe(runOstep('paging-multilevel-translate', ['-s', '0', '-c']).stdout);
    expect(out.join('\n')).toContain('PDBR: 108  (decimal)');
    expect(out.join('\n')).toContain('      --> Translates to Physical Address 0x6bc --> Value: 08');
  });

  it('paging-policy -s 4 -n 20 -C 4 gives the hits the issue names: FIFO 7, LRU 7, OPT 10, CLOCK 8, RAND 7', async () => {
    // Known answers from the issue (measured there by running paging-policy.py at ostep-homework 6c6cfc7).
    const hits: Record<string, number> = {};
    for (const policy of ['FIFO', 'LRU', 'OPT', 'CLOCK', 'RAND']) {
      const { code, out, err } = await runMain(['ostep', 'paging-policy', '-s', '4', '-n', '20', '-C', '4', '-p', policy, '-c']);
      expect([code, err]).toEqual([0, []]);
      const stats = /FINALSTATS hits (\d+) +misses (\d+)/.exec(out.join('\n'));
      hits[policy] = Number(stats![1]);
    }
    expect(hits).toEqual({ FIFO: 7, LRU: 7, OPT: 10, CLOCK: 8, RAND: 7 });
  });

  it('paging-policy -f reads its page file through the CLI; an unknown policy exits 1 with its message', async () => {
    const file = await runMain(['ostep', 'paging-policy', '-f', 'nonexistent-trace-file', '-c']);
    expect(file.code).toBe(2);
    expect(file.err).toEqual(['vmsim: ostep paging-policy: cannot read "nonexistent-trace-file" (ENOENT)']);
    const unknown = await runMain(['ostep', 'paging-policy', '-p', 'BOGUS', '-c']);
    expect(unknown.code).toBe(1);
    expect(unknown.out.join('\n')).toMatch(/\nPolicy BOGUS is not yet implemented$/);
    expect(unknown.err).toEqual([]);
  });

  it("exits with the script's status 1 after the script's own error line", async () => {
    const { code, out, err } = await runMain(['ostep', 'relocation', '-a', '32k', '-p', '16k']);
    expect(code).toBe(1);
    expect(err).toEqual([]);
    expect(out.join('\n')).toMatch(/Error: physical memory size must be GREATER than address space size \(for this simulation\)$/);
  });

  it('turns a bad option into one usage line and exit 2', async () => {
    const { code, out, err } = await runMain(['ostep', 'segmentation', '-s', 'abc']);
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err).toEqual(["vmsim: ostep segmentation: option -s: invalid integer value: 'abc'"]);
  });

  it('names the scripts for an unknown or missing script, and prints help for --help', async () => {
    const unknown = await runMain(['ostep', 'lottery']);
    expect(unknown.code).toBe(2);
    expect(unknown.err[0]).toMatch(/^vmsim: ostep lottery: unknown script "lottery" \(expected relocation, segmentation, paging-linear-translate, paging-multilevel-translate/);
    const missing = await runMain(['ostep']);
    expect(missing.code).toBe(2);
    expect(missing.err[0]).toMatch(/^vmsim: ostep: missing script name/);
    const help = await runMain(['ostep', '--help']);
    expect(help.code).toBe(0);
    expect(help.out.join('\n')).toContain('Usage: vmsim ostep <script>');
  });

  it("passes the script's own -h through", async () => {
    const { code, out } = await runMain(['ostep', 'relocation', '-h']);
    expect(code).toBe(0);
    expect(out.join('\n')).toMatch(/^Usage: relocation\.py \[options\]/);
  });
});
