// The OSTEP scripts beyond the golden sweep: optparse's ways of writing options (digests of CPython 3.11's
// output for the same command lines, made as golden.test.ts describes), the known answers the issue names,
// and the argument errors, which become one-line ExerciseArgumentErrors instead of tracebacks or endless loops.

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ExerciseArgumentError } from '../errors.js';
import { ostepScriptNames, runOstep } from './scripts.js';

function digest(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 16);
}

const SPELLINGS: readonly (readonly [string, string, string])[] = [
  ['relocation', '-s0x10 -n1', '2b2fca83e95d2cba'],
  ['relocation', '-s 010 -n 1 -c', '245903d02ff1cf9a'],
  ['relocation', '--se 3 -n 1', '27930b30d9e79a3b'],
  ['relocation', '-cn1', '0aac8eeed9d50b20'],
  ['relocation', '--seed=3 -c -n 2', '9db5b44a165aab3e'],
  ['relocation', '-s 0b101 -c', 'c8e0592e5c9ee2e0'],
  ['relocation', '-s -0 extra positional -c', '8c6727fe3224bc0c'],
  ['relocation', '-s 1 -- -c', 'b816e3df38db3f3e'],
  ['paging-linear-translate', '-s 2 -cv -P 1k -a 4k -p 16k', 'a974661ce5d288a3'],
  ['paging-linear-translate', '-s 3 --used=10 --pag 2k -c', '1d5ecba491b9a843'],
  ['paging-linear-translate', '-s 5 -A 1,2,3 -n 1 -c -v', '192ce960f8af7909'],
  ['segmentation', '-s 4 --b0 10 --l0 100 -c', 'f8c6dd8e1bd95acf'],
  ['segmentation', '-s 4 -B 2000 -L 100 -c', '650f9693f28c045f'],
];

describe('optparse spellings', () => {
  it.each(SPELLINGS)('%s %s prints what CPython prints', (script, args, hash) => {
    expect(digest(runOstep(script, args.split(' ')).stdout)).toBe(hash);
  });
});

describe('known answers', () => {
  it('multilevel seed 0: PDBR 108, first address 0x611c → 0x6bc holding 0x08', () => {
    const out = runOstep('paging-multilevel-translate', ['-s', '0', '-c']).stdout;
    expect(out).toContain('\nPDBR: 108  (decimal) [This means the page directory is held in this page]\n\n');
    expect(out).toContain(
      'Virtual Address 611c:\n' +
        '  --> pde index:0x18 [decimal 24] pde contents:0xa1 (valid 1, pfn 0x21 [decimal 33])\n' +
        '    --> pte index:0x8 [decimal 8] pte contents:0xb5 (valid 1, pfn 0x35 [decimal 53])\n' +
        '      --> Translates to Physical Address 0x6bc --> Value: 08\n',
    );
  });

  it('relocation seed 1 -c: base 0x363c, limit 290, one valid address', () => {
    const out = runOstep('relocation', ['-s', '1', '-c']).stdout;
    expect(out).toContain('  Base   : 0x0000363c (decimal 13884)\n  Limit  : 290\n');
    expect(out).toContain('  VA  1: 0x00000105 (decimal:  261) --> VALID: 0x00003741 (decimal: 14145)\n');
  });

  it('a negative seed gives the same problem as its absolute value', () => {
    const a = runOstep('segmentation', ['-s', '-9', '-c']).stdout;
    const b = runOstep('segmentation', ['-s', '9', '-c']).stdout;
    expect(a.replace('ARG seed -9', 'ARG seed 9')).toBe(b);
  });

  it('accepts the script name with .py and lists the scripts', () => {
    expect(runOstep('relocation.py', ['-s', '1']).stdout).toBe(runOstep('relocation', ['-s', '1']).stdout);
    expect(ostepScriptNames()).toEqual(['relocation', 'segmentation', 'paging-linear-translate', 'paging-multilevel-translate', 'paging-policy']);
  });

  it("script errors are printed as the script prints them, with exit status 1", () => {
    const r = runOstep('relocation', ['-a', '32k', '-p', '16k']);
    expect(r.exitCode).toBe(1);
    expect(r.stdout.endsWith('Error: physical memory size must be GREATER than address space size (for this simulation)\n')).toBe(true);
    const b = runOstep('relocation', ['-b', '16000', '-l', '500']);
    expect(b.exitCode).toBe(1);
    expect(b.stdout.endsWith('Base + Limit: 16500   Psize: 16384\n')).toBe(true);
  });
});

describe('argument errors', () => {
  const cases: readonly (readonly [string, string, string])[] = [
    ['relocation', '-s abc', "option -s: invalid integer value: 'abc'"],
    ['relocation', '-x', 'no such option: -x'],
    ['relocation', '-s', '-s option requires 1 argument'],
    ['relocation', '--compute=1', '--compute option does not take a value'],
    ['relocation', '--a 1k', 'ambiguous option: --a (--addresses, --asize?)'],
    ['relocation', '--seed', '--seed option requires 1 argument'],
    ['relocation', '-a 1q', 'option -a: invalid size "1q" (expected a number, optionally followed by k, m or g)'],
    ['relocation', '-l 20k', 'limit 20480 leaves no room for a base in 16384 bytes of physical memory (the script would loop forever)'],
    ['segmentation', '-A 1,x', 'option -A: invalid address "x" (expected comma-separated decimal integers)'],
    ['segmentation', '-p 64k -b 0 -l 300 -L 64k', 'segment 1 limit 65536 leaves no room beside segment 0 (the script would loop forever)'],
    ['paging-linear-translate', '-c -A 99999', 'option -A: virtual address 99999 is outside the 16384-byte address space'],
    ['paging-multilevel-translate', '-a 100', 'option -a: too many pages: the 128 physical pages run out (the script fails its findFree assertion)'],
    ['paging-multilevel-translate', '-n 99999999', 'option -n: 99999999 is too large (at most 1000000)'],
  ];
  it.each(cases)('%s %s', (script, args, message) => {
    let caught: unknown;
    try {
      runOstep(script, args.split(' '));
    } catch (error) {
      caught = error;
    }
    expect(ExerciseArgumentError.isInstance(caught)).toBe(true);
    expect((caught as ExerciseArgumentError).message).toBe(message);
    expect((caught as ExerciseArgumentError).errno).toBe('EINVAL');
    expect((caught as ExerciseArgumentError).name).toBe('ExerciseArgumentError');
  });

  it('an unknown script names the known ones', () => {
    expect(() => runOstep('nope', [])).toThrow(/unknown script "nope" \(expected relocation, segmentation/);
  });

  it.each([
    ['relocation', '46b1b830671ecad9'],
    ['segmentation', '0b5a94d071484f6e'],
    ['paging-linear-translate', 'f44a03681469c27b'],
    ['paging-multilevel-translate', '8d39cf95177722b1'],
  ])('%s -h prints what optparse prints (COLUMNS unset)', (script, hash) => {
    expect(digest(runOstep(script, ['-h']).stdout)).toBe(hash);
    expect(digest(runOstep(script, ['-s', '3', '--help', '-s', 'x']).stdout)).toBe(hash);
  });

  it('-h prints a help text listing every option', () => {
    const help = runOstep('paging-linear-translate', ['-h']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout.startsWith('Usage: paging-linear-translate.py [options]\n')).toBe(true);
    for (const flag of ['-A', '-s', '-a', '-p', '-P', '-n', '-u', '-v', '-c']) expect(help.stdout).toContain(`  ${flag}`);
    expect(help.stdout).toContain('  -A ADDRESSES, --addresses=ADDRESSES\n                        a set of comma-separated pages to access; -1 means\n                        randomly generate\n');
    expect(() => runOstep('relocation', ['-s', 'x', '-h'])).toThrow("option -s: invalid integer value: 'x'");
  });
});
