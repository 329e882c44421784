// pagingPolicy against OSTEP's paging-policy.py itself. How the expected outputs were made: the script
// (remzi-arpacidusseau/ostep-homework, vm-beyondphys-policy/paging-policy.py) was run under python3 outside this
// repository for 20 seeds × 12 option sets (every policy, -b, -C, -n, -m, -N, without -c, long options) and for 13
// hand-picked argument lists (-a, -f, negative pages and cache sizes, clustered short options, an unknown policy,
// 0x/0 -b values); paging-policy.golden.json keeps the sha256 of each stdout (the hand-picked ones whole) and the
// exit status.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PagingPolicyError, pagingPolicy } from './paging-policy.js';

interface Golden {
  hashed: { args: string[]; sha256: string; status: number }[];
  full: { args: string[]; stdout: string; status: number }[];
}

const golden = JSON.parse(readFileSync(new URL('./paging-policy.golden.json', import.meta.url), 'utf8')) as Golden;
const files = { 'pages.txt': '3\n7\n3\n1\n9\n7\n3\n2\n' } as Record<string, string>;
const readFile = (path: string): string => {
  const text = files[path];
  if (text === undefined) throw new Error(`no file ${path}`);
  return text;
};

function run(args: readonly string[]): { stdout: string; status: number } {
  try {
    return { stdout: pagingPolicy(args, { readFile }), status: 0 };
  } catch (error) {
    if (!PagingPolicyError.isInstance(error)) throw error;
    return { stdout: error.output, status: error.status };
  }
}

describe('pagingPolicy prints what paging-policy.py prints', () => {
  it.each(golden.full.map((c) => [c.args.join(' '), c] as const))('%s', (_, c) => {
    expect(run(c.args)).toEqual({ stdout: c.stdout, status: c.status });
  });

  it.each(golden.hashed.map((c) => [c.args.join(' '), c] as const))('%s', (_, c) => {
    const { stdout, status } = run(c.args);
    expect(status).toBe(c.status);
    expect(createHash('sha256').update(stdout).digest('hex')).toBe(c.sha256);
  });

  it('covers at least 20 seeds and every policy', () => {
    const seeds = new Set(golden.hashed.map((c) => c.args[c.args.indexOf('-s') + 1]));
    expect(seeds.size).toBeGreaterThanOrEqual(20);
    const text = golden.hashed.map((c) => c.args.join(' ')).join(' ');
    for (const p of ['LRU', 'MRU', 'OPT', 'UNOPT', 'RAND', 'CLOCK', 'FIFO']) expect(text).toContain(p);
  });
});

describe('errors', () => {
  it('optparse errors: status 2 and its message', () => {
    for (const [args, message] of [
      [['-x'], 'no such option: -x'],
      [['-b', 'two'], "option -b: invalid integer value: 'two'"],
      [['-a'], '-a option requires an argument'],
      [['--comp=1'], '--compute option does not take a value'],
    ] as const) {
      try {
        pagingPolicy(args);
        expect.unreachable();
      } catch (error) {
        expect(PagingPolicyError.isInstance(error)).toBe(true);
        expect((error as PagingPolicyError).status).toBe(2);
        expect((error as PagingPolicyError).message).toContain(message);
      }
    }
  });

  it('Python exceptions: status 1 with the output printed before them', () => {
    const zero = run(['-C', '0', '-c', '-a', '1']);
    expect(zero.status).toBe(1);
    expect(zero.stdout).toContain('Solving...');
    expect(() => pagingPolicy(['-f', 'x.txt', '-c'])).toThrow(/no readFile/);
    expect(() => pagingPolicy(['-n', 'ten'])).toThrow(/invalid literal for int\(\) with base 10: 'ten'/);
    expect(() => pagingPolicy(['-a', '', '-c'])).toThrow(PagingPolicyError);
  });
});
