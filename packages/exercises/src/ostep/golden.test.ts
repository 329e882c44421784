// Golden tests: vmsim's OSTEP scripts against the Python originals, byte for byte.
//
// How the golden files were made: the code index holds no copy of remzi-arpacidusseau/ostep-homework at commit
// 6c6cfc7, so we took the newest stored version of each script that runs under Python 3:
// vm-mechanism/relocation.py at 4b15aad, vm-segmentation/segmentation.py at 8f29804,
// vm-paging/paging-linear-translate.py at 2e94adc and vm-smalltables/paging-multilevel-translate.py at 047e6f0
// (the 4b15aad copy of the last one divides with `/` and fails under Python 3; 047e6f0 uses `//`, same output
// under Python 2). The scripts were saved
// in a scratch folder outside the repository and run with CPython 3.11.7 as
//   python3 <script>.py -s <seed> <combo> [-c]
// for seeds 0..19, -7, 2^32+1 and 2^40+5, each combination listed in the .sha256 files, with and without -c.
// Each line of <script>.sha256 is "<first 16 hex digits of the SHA-256 of stdout> <exit status> <arguments>";
// <script>.examples.txt holds a few complete outputs (separated by NUL lines) so a failure shows a real diff.
// CPython 2.7.18 printed the same bytes for every run except `paging-linear-translate -P 3k`, where Python 2's
// integer division lets a page size that does not divide the address space through; vmsim follows Python 3.
//
// golden/edge-cases.jsonl: 298 command lines drawn at random (Python's random.Random(778)) from odd values
// (zero, negative and non-power-of-two sizes, limits and bases given by hand, bad -A lists, hex and octal
// -n values, too many multilevel pages), run the same way with a 5-second timeout. Each line holds the
// script, its arguments, the stdout digest and exit status, or "usage-error" where Python died with a
// traceback or looped forever: there vmsim must throw an ExerciseArgumentError (a clean usage error).

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ExerciseArgumentError } from '../errors.js';
import { runOstep } from './scripts.js';

const SCRIPTS = ['relocation', 'segmentation', 'paging-linear-translate', 'paging-multilevel-translate'] as const;

function golden(name: string): string {
  return readFileSync(new URL(`./golden/${name}`, import.meta.url), 'utf8');
}

function digest(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 16);
}

describe.each(SCRIPTS)('%s matches the Python script', (script) => {
  const runs = golden(`${script}.sha256`).trimEnd().split('\n').map((line) => {
    const [hash, code, ...args] = line.split(' ');
    return { hash: hash!, code: Number(code), args };
  });

  it('covers at least 20 seeds, with and without -c', () => {
    const seeds = new Set(runs.map((r) => r.args[1]));
    expect(seeds.size).toBeGreaterThanOrEqual(20);
    expect(runs.some((r) => r.args.includes('-c'))).toBe(true);
    expect(runs.some((r) => !r.args.includes('-c'))).toBe(true);
  });

  it(`prints the same bytes and exit status for every golden run`, () => {
    const mismatches: string[] = [];
    for (const run of runs) {
      const result = runOstep(script, run.args);
      if (digest(result.stdout) !== run.hash || result.exitCode !== run.code) mismatches.push(run.args.join(' '));
    }
    expect(mismatches).toEqual([]);
    expect(runs.length).toBeGreaterThanOrEqual(40);
  });

  it('prints the complete example outputs exactly', () => {
    const examples = golden(`${script}.examples.txt`).split('\0\n').filter((e) => e !== '');
    expect(examples.length).toBeGreaterThan(0);
    for (const example of examples) {
      const newline = example.indexOf('\n');
      const args = example.slice(0, newline).split(' ').slice(2);
      expect(runOstep(script, args).stdout).toBe(example.slice(newline + 1));
    }
  });
});

describe('edge cases drawn at random', () => {
  const cases = golden('edge-cases.jsonl').trimEnd().split('\n').map((line) => JSON.parse(line) as { script: string; args: string[]; sha256: string | null; exit: number | 'usage-error' });

  it('print what Python prints, or refuse cleanly where Python crashes or hangs', () => {
    expect(cases.length).toBeGreaterThan(250);
    const mismatches: string[] = [];
    for (const c of cases) {
      let result;
      try {
        result = runOstep(c.script, c.args);
      } catch (error) {
        if (c.exit !== 'usage-error' || !ExerciseArgumentError.isInstance(error)) mismatches.push(`${c.script} ${c.args.join(' ')}: ${String(error)}`);
        continue;
      }
      if (c.exit === 'usage-error' || digest(result.stdout) !== c.sha256 || result.exitCode !== c.exit) mismatches.push(`${c.script} ${c.args.join(' ')}`);
    }
    expect(mismatches).toEqual([]);
    expect(cases.filter((c) => c.exit === 'usage-error').length).toBeGreaterThan(20);
    expect(cases.filter((c) => c.exit === 1).length).toBeGreaterThan(20);
  });
});
