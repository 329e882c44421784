// OSTEP's vm-mechanism/relocation.py: base-and-bounds translation. A random base and limit (or -b/-l), then
// -n random virtual addresses, each valid (base + va) or a segmentation violation; -c prints the answers.
// Output and random draws match the Python script's, seed for seed.

import { PythonRandom } from '@vmsim/replacement';
import { ExerciseArgumentError } from '../errors.js';
import { convertSize, MAX_ADDRESSES, safeInt } from './convert.js';
import { helpText, parseOptions, Printer, type OptionSpec, type ScriptResult } from './optparse.js';
import { pyDec, pyHex } from './python-format.js';

const SCRIPT = 'relocation';

export const RELOCATION_OPTIONS: readonly OptionSpec[] = [
  { short: '-s', long: '--seed', dest: 'seed', kind: 'int', default: 0n, help: 'the random seed' },
  { short: '-a', long: '--asize', dest: 'asize', kind: 'string', default: '1k', help: 'address space size (e.g., 16, 64k, 32m, 1g)' },
  { short: '-p', long: '--physmem', dest: 'psize', kind: 'string', default: '16k', help: 'physical memory size (e.g., 16, 64k, 32m, 1g)' },
  { short: '-n', long: '--addresses', dest: 'num', kind: 'int', default: 5n, help: 'number of virtual addresses to generate' },
  { short: '-b', long: '--b', dest: 'base', kind: 'string', default: '-1', help: 'value of base register' },
  { short: '-l', long: '--l', dest: 'limit', kind: 'string', default: '-1', help: 'value of limit register' },
  { short: '-c', long: '--compute', dest: 'solve', kind: 'flag', default: false, help: 'compute answers for me' },
];

/** Runs relocation.py with these arguments (without the program name). */
export function relocation(argv: readonly string[]): ScriptResult {
  const parsed = parseOptions(SCRIPT, RELOCATION_OPTIONS, argv);
  if (parsed.help) return { stdout: helpText(SCRIPT, RELOCATION_OPTIONS), exitCode: 0 };
  const o = parsed.values;
  const out = new Printer();
  const seed = o.seed as bigint;
  const num = safeInt(SCRIPT, '-n', o.num as bigint, MAX_ADDRESSES);
  const asizeText = o.asize as string;
  const psizeText = o.psize as string;
  out.print('');
  out.print('ARG seed', seed);
  out.print('ARG address space size', asizeText);
  out.print('ARG phys mem size', psizeText);
  out.print('');
  const rng = new PythonRandom(seed);
  const asize = convertSize(SCRIPT, '-a', asizeText);
  const psize = convertSize(SCRIPT, '-p', psizeText);
  if (psize <= 1) {
    out.print('Error: must specify a non-zero physical memory size.');
    return out.result(1);
  }
  if (asize === 0) {
    out.print('Error: must specify a non-zero address-space size.');
    return out.result(1);
  }
  if (psize <= asize) {
    out.print('Error: physical memory size must be GREATER than address space size (for this simulation)');
    return out.result(1);
  }
  let limit = convertSize(SCRIPT, '-l', o.limit as string);
  let base = convertSize(SCRIPT, '-b', o.base as string);
  if (limit === -1) limit = Math.trunc(asize / 4.0 + (asize / 4.0) * rng.random());
  if (base === -1) {
    // The script retries until base + limit < psize; with limit >= psize no base fits and it would spin forever.
    if (limit >= psize) throw new ExerciseArgumentError(SCRIPT, '-l', limit, `limit ${limit} leaves no room for a base in ${psize} bytes of physical memory (the script would loop forever)`);
    do base = Math.trunc(psize * rng.random());
    while (!(base + limit < psize));
  }
  out.print('Base-and-Bounds register information:');
  out.print('');
  out.print(`  Base   : 0x${pyHex(base, 8, true)} (decimal ${pyDec(base)})`);
  out.print(`  Limit  : ${pyDec(limit)}`);
  out.print('');
  if (base + limit > psize) {
    out.print('Error: address space does not fit into physical memory with those base/bounds values.');
    out.print('Base + Limit:', base + limit, '  Psize:', psize);
    return out.result(1);
  }
  out.print('Virtual Address Trace');
  const solve = o.solve === true;
  for (let i = 0; i < num; i++) {
    const va = Math.trunc(asize * rng.random());
    const head = `  VA ${pyDec(i, 2)}: 0x${pyHex(va, 8, true)} (decimal: ${pyDec(va, 4)}) --> `;
    if (!solve) out.print(`${head}PA or segmentation violation?`);
    else if (va >= limit) out.print(`${head}SEGMENTATION VIOLATION`);
    else out.print(`${head}VALID: 0x${pyHex(va + base, 8, true)} (decimal: ${pyDec(va + base, 4)})`);
  }
  out.print('');
  if (!solve) {
    out.print('For each virtual address, either write down the physical address it translates to');
    out.print('OR write down that it is an out-of-bounds address (a segmentation violation). For');
    out.print('this problem, you should assume a simple virtual address space of a given size.');
    out.print('');
  }
  return out.result(0);
}
