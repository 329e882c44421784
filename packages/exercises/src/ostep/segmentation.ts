// OSTEP's vm-segmentation/segmentation.py: two segments, seg 0 growing up from its base and seg 1 growing
// down from its base; the top half of the address space is seg 1. Random (or -b/-l/-B/-L) registers, then
// -n random (or -A listed) addresses; -c prints each one's segment and physical address or violation.
// Output and random draws match the Python script's (under Python 3, where asize / 2 is a true division).

import { PythonRandom } from '@vmsim/replacement';
import { ExerciseArgumentError } from '../errors.js';
import { convertSize, MAX_ADDRESSES, safeInt } from './convert.js';
import { helpText, parseOptions, Printer, type OptionSpec, type ScriptResult } from './optparse.js';
import { pyDec, pyHex, pyInt } from './python-format.js';

const SCRIPT = 'segmentation';

export const SEGMENTATION_OPTIONS: readonly OptionSpec[] = [
  { short: '-s', long: '--seed', dest: 'seed', kind: 'int', default: 0n, help: 'the random seed' },
  { short: '-A', long: '--addresses', dest: 'addresses', kind: 'string', default: '-1', help: 'a set of comma-separated pages to access; -1 means randomly generate' },
  { short: '-a', long: '--asize', dest: 'asize', kind: 'string', default: '1k', help: 'address space size (e.g., 16, 64k, 32m, 1g)' },
  { short: '-p', long: '--physmem', dest: 'psize', kind: 'string', default: '16k', help: 'physical memory size (e.g., 16, 64k, 32m, 1g)' },
  { short: '-n', long: '--numaddrs', dest: 'num', kind: 'int', default: 5n, help: 'number of virtual addresses to generate' },
  { short: '-b', long: '--b0', dest: 'base0', kind: 'string', default: '-1', help: 'value of segment 0 base register' },
  { short: '-l', long: '--l0', dest: 'len0', kind: 'string', default: '-1', help: 'value of segment 0 limit register' },
  { short: '-B', long: '--b1', dest: 'base1', kind: 'string', default: '-1', help: 'value of segment 1 base register' },
  { short: '-L', long: '--l1', dest: 'len1', kind: 'string', default: '-1', help: 'value of segment 1 limit register' },
  { short: '-c', dest: 'solve', kind: 'flag', default: false, help: 'compute answers for me' },
];

/** Runs segmentation.py with these arguments (without the program name). */
export function segmentation(argv: readonly string[]): ScriptResult {
  const parsed = parseOptions(SCRIPT, SEGMENTATION_OPTIONS, argv);
  if (parsed.help) return { stdout: helpText(SCRIPT, SEGMENTATION_OPTIONS), exitCode: 0 };
  const o = parsed.values;
  const out = new Printer();
  const seed = o.seed as bigint;
  const num = safeInt(SCRIPT, '-n', o.num as bigint, MAX_ADDRESSES);
  out.print('ARG seed', seed);
  out.print('ARG address space size', o.asize as string);
  out.print('ARG phys mem size', o.psize as string);
  out.print('');
  const rng = new PythonRandom(seed);
  const asize = convertSize(SCRIPT, '-a', o.asize as string);
  const psize = convertSize(SCRIPT, '-p', o.psize as string);
  const addresses = o.addresses as string;
  const abort = (message: string): ScriptResult => {
    out.print('Error:', message);
    return out.result(1);
  };
  if (psize <= 4) return abort('must specify a bigger physical memory size');
  if (asize === 0) return abort('must specify a non-zero address-space size');
  if (psize <= asize) return abort('physical memory size > address space size (for this simulation)');

  let len0 = convertSize(SCRIPT, '-l', o.len0 as string);
  let len1 = convertSize(SCRIPT, '-L', o.len1 as string);
  let base0 = convertSize(SCRIPT, '-b', o.base0 as string);
  let base1 = convertSize(SCRIPT, '-B', o.base1 as string);
  if (len0 === -1) len0 = Math.trunc(asize / 4.0 + (asize / 4.0) * rng.random());
  if (len1 === -1) len1 = Math.trunc(asize / 4.0 + (asize / 4.0) * rng.random());
  if ((base0 === -1 || base1 === -1) && psize <= 2 * asize) {
    return abort('physical memory must be 2x GREATER than address space size (if randomly generating base registers)');
  }
  if (base0 === -1) {
    if (len0 >= psize) throw endless('-l', len0, `segment 0 limit ${len0} leaves no room for a base`);
    do base0 = Math.trunc(psize * rng.random());
    while (!(base0 + len0 < psize));
  }
  // Internally base1 is seg 1's low end (base1 + len1 its top, which is what -B gives).
  if (base1 === -1) {
    if (!seg1Fits(psize, base0, len0, len1)) throw endless('-L', len1, `segment 1 limit ${len1} leaves no room beside segment 0`);
    for (;;) {
      base1 = Math.trunc(psize * rng.random());
      if (base1 + len1 < psize && (base1 > base0 + len0 || base1 + len1 < base0)) break;
    }
  } else {
    base1 -= len1;
  }
  if (psize < base0 + len0 - 1) return abort('seg0 is not in physical memory');
  if (psize < base1) return abort('seg1 is not in physical memory');
  if (len0 > asize / 2.0) return abort('length0 register is too large for this address space');
  if (len1 > asize / 2.0) return abort('length1 register is too large for this address space');

  out.print('Segment register information:');
  out.print('');
  out.print(`  Segment 0 base  (grows positive) : 0x${pyHex(base0, 8, true)} (decimal ${pyDec(base0)})`);
  out.print(`  Segment 0 limit                  : ${pyDec(len0)}`);
  out.print('');
  out.print(`  Segment 1 base  (grows negative) : 0x${pyHex(base1 + len1, 8, true)} (decimal ${pyDec(base1 + len1)})`);
  out.print(`  Segment 1 limit                  : ${pyDec(len1)}`);
  out.print('');
  const top1 = base1 + len1;
  if (len0 + base0 > base1 && base1 > base0) return abort('segments overlap in physical memory');

  let list: number[];
  if (addresses === '-1') {
    list = [];
    for (let i = 0; i < num; i++) list.push(Math.trunc(asize * rng.random()));
  } else {
    list = addresses.split(',').map((text) => {
      const n = pyInt(text);
      if (n === null || n > BigInt(Number.MAX_SAFE_INTEGER) || n < -BigInt(Number.MAX_SAFE_INTEGER)) {
        throw new ExerciseArgumentError(SCRIPT, '-A', text, `option -A: invalid address ${JSON.stringify(text)} (expected comma-separated decimal integers)`);
      }
      return Number(n);
    });
  }

  out.print('Virtual Address Trace');
  const solve = o.solve === true;
  for (let i = 0; i < list.length; i++) {
    const va = list[i]!;
    if (va < 0 || va >= asize) {
      out.print(`Error: virtual address ${pyDec(va)} cannot be generated in an address space of size ${pyDec(asize)}`);
      return out.result(1);
    }
    const head = `  VA ${pyDec(i, 2)}: 0x${pyHex(va, 8, true)} (decimal: ${pyDec(va, 4)}) --> `;
    if (!solve) {
      out.print(`${head}PA or segmentation violation?`);
    } else if (va >= asize / 2) {
      const pa = top1 + (va - asize);
      if (pa < base1) out.print(`${head}SEGMENTATION VIOLATION (SEG1)`);
      else out.print(`${head}VALID in SEG1: 0x${pyHex(pa, 8, true)} (decimal: ${pyDec(pa, 4)})`);
    } else if (va >= len0) {
      out.print(`${head}SEGMENTATION VIOLATION (SEG0)`);
    } else {
      out.print(`${head}VALID in SEG0: 0x${pyHex(va + base0, 8, true)} (decimal: ${pyDec(va + base0, 4)})`);
    }
  }
  out.print('');
  if (!solve) {
    out.print('For each virtual address, either write down the physical address it translates to');
    out.print('OR write down that it is an out-of-bounds address (a segmentation violation). For');
    out.print('this problem, you should assume a simple address space with two segments: the top');
    out.print('bit of the virtual address can thus be used to check whether the virtual address');
    out.print('is in segment 0 (topbit=0) or segment 1 (topbit=1). Note that the base/limit pairs');
    out.print('given to you grow in different directions, depending on the segment, i.e., segment 0');
    out.print('grows in the positive direction, whereas segment 1 in the negative. ');
    out.print('');
  }
  return out.result(0);
}

/** Whether some base1 in [0, psize) satisfies the script's retry condition (else it would never stop drawing). */
function seg1Fits(psize: number, base0: number, len0: number, len1: number): boolean {
  const hi = Math.min(psize - 1, psize - len1 - 1);
  const above = Math.max(0, base0 + len0 + 1) <= hi;
  const below = Math.min(hi, base0 - len1 - 1) >= 0;
  return above || below;
}

function endless(option: string, value: number, why: string): ExerciseArgumentError {
  return new ExerciseArgumentError(SCRIPT, option, value, `${why} (the script would loop forever)`);
}
