// OSTEP's vm-paging/paging-linear-translate.py: a linear page table (valid bit 31, PFN below) filled at
// random (-u percent of pages valid), then -n random (or -A listed) addresses; -c translates each one.
// Draws match the script's, retries included: when the chosen frame is taken it tosses the validity coin
// again. Behaviour is Python 3's (the script's power-of-two and multiple-of checks use true division).

import { PythonRandom } from '@vmsim/replacement';
import { ExerciseArgumentError } from '../errors.js';
import { convertSize, MAX_ADDRESSES, safeInt } from './convert.js';
import { helpText, parseOptions, Printer, type OptionSpec, type ScriptResult } from './optparse.js';
import { pyDec, pyHex, pyInt } from './python-format.js';

const SCRIPT = 'paging-linear-translate';
const GIB = 1024 * 1024 * 1024;

export const PAGING_LINEAR_TRANSLATE_OPTIONS: readonly OptionSpec[] = [
  { short: '-A', long: '--addresses', dest: 'addresses', kind: 'string', default: '-1', help: 'a set of comma-separated pages to access; -1 means randomly generate' },
  { short: '-s', long: '--seed', dest: 'seed', kind: 'int', default: 0n, help: 'the random seed' },
  { short: '-a', long: '--asize', dest: 'asize', kind: 'string', default: '16k', help: 'address space size (e.g., 16, 64k, 32m, 1g)' },
  { short: '-p', long: '--physmem', dest: 'psize', kind: 'string', default: '64k', help: 'physical memory size (e.g., 16, 64k, 32m, 1g)' },
  { short: '-P', long: '--pagesize', dest: 'pagesize', kind: 'string', default: '4k', help: 'page size (e.g., 4k, 8k, whatever)' },
  { short: '-n', long: '--numaddrs', dest: 'num', kind: 'int', default: 5n, help: 'number of virtual addresses to generate' },
  { short: '-u', long: '--used', dest: 'used', kind: 'int', default: 50n, help: 'percent of virtual address space that is used' },
  { short: '-v', dest: 'verbose', kind: 'flag', default: false, help: 'verbose mode' },
  { short: '-c', dest: 'solve', kind: 'flag', default: false, help: 'compute answers for me' },
];

/** Runs paging-linear-translate.py with these arguments (without the program name). */
export function pagingLinearTranslate(argv: readonly string[]): ScriptResult {
  const parsed = parseOptions(SCRIPT, PAGING_LINEAR_TRANSLATE_OPTIONS, argv);
  if (parsed.help) return { stdout: helpText(SCRIPT, PAGING_LINEAR_TRANSLATE_OPTIONS), exitCode: 0 };
  const o = parsed.values;
  const out = new Printer();
  const seed = o.seed as bigint;
  const num = safeInt(SCRIPT, '-n', o.num as bigint, MAX_ADDRESSES);
  const usedPercent = safeInt(SCRIPT, '-u', o.used as bigint);
  const verbose = o.verbose === true;
  const solve = o.solve === true;
  out.print('ARG seed', seed);
  out.print('ARG address space size', o.asize as string);
  out.print('ARG phys mem size', o.psize as string);
  out.print('ARG page size', o.pagesize as string);
  out.print('ARG verbose', verbose);
  out.print('ARG addresses', o.addresses as string);
  out.print('');
  const rng = new PythonRandom(seed);
  const asize = convertSize(SCRIPT, '-a', o.asize as string);
  const psize = convertSize(SCRIPT, '-p', o.psize as string);
  const pagesize = convertSize(SCRIPT, '-P', o.pagesize as string);
  const addresses = o.addresses as string;
  const fail = (message: string): ScriptResult => {
    out.print(message);
    return out.result(1);
  };
  if (psize <= 1) return fail('Error: must specify a non-zero physical memory size.');
  if (asize < 1) return fail('Error: must specify a non-zero address-space size.');
  if (psize <= asize) return fail('Error: physical memory size must be GREATER than address space size (for this simulation)');
  if (psize >= GIB || asize >= GIB) return fail('Error: must use smaller sizes (less than 1 GB) for this simulation.');
  if (pagesize === 0) throw new ExerciseArgumentError(SCRIPT, '-P', o.pagesize, 'option -P: the page size must not be zero');
  if (!isMultiple(asize, pagesize)) return fail('Error in argument: address space must be a multiple of the pagesize');
  if (!isMultiple(psize, pagesize)) return fail('Error in argument: physical memory must be a multiple of the pagesize');
  const pages = Math.trunc(psize / pagesize);
  const vpages = Math.trunc(asize / pagesize);
  const vabits = Math.trunc(Math.log(asize) / Math.log(2.0));
  if (2 ** vabits !== asize) return fail('Error in argument: address space must be a power of 2');
  // The script takes math.log of the page size next, which raises ValueError for a negative one.
  if (pagesize < 0) throw new ExerciseArgumentError(SCRIPT, '-P', o.pagesize, 'option -P: the page size must be positive');
  const pagebits = Math.trunc(Math.log(pagesize) / Math.log(2.0));
  if (2 ** pagebits !== pagesize) return fail('Error in argument: page size must be a power of 2');
  const pagemask = 2 ** pagebits - 1;

  out.print('');
  out.print('The format of the page table is simple:');
  out.print('The high-order (left-most) bit is the VALID bit.');
  out.print('  If the bit is 1, the rest of the entry is the PFN.');
  out.print('  If the bit is 0, the page is not valid.');
  out.print('Use verbose mode (-v) if you want to print the VPN # by');
  out.print('each entry of the page table.');
  out.print('');
  out.print('Page Table (from entry 0 down to the max size)');
  const usedFrames = new Uint8Array(pages);
  const pt = new Int32Array(vpages);
  const threshold = 100.0 - usedPercent;
  for (let vpn = 0; vpn < vpages; vpn++) {
    const prefix = verbose ? `  [${pyDec(vpn, 8)}]  ` : '  ';
    for (;;) {
      if (rng.random() * 100.0 > threshold) {
        const pfn = Math.trunc(pages * rng.random());
        if (usedFrames[pfn] === 0) {
          usedFrames[pfn] = 1;
          out.print(`${prefix}0x${pyHex(0x80000000 + pfn, 8, true)}`);
          pt[vpn] = pfn;
          break;
        }
      } else {
        out.print(`${prefix}0x${pyHex(0, 8, true)}`);
        pt[vpn] = -1;
        break;
      }
    }
  }
  out.print('');

  let list: number[];
  if (addresses === '-1') {
    list = [];
    for (let i = 0; i < num; i++) list.push(Math.trunc(asize * rng.random()));
  } else {
    list = addresses.split(',').map((text) => {
      const n = pyInt(text);
      if (n === null || n < 0n || n > 0xffffffffn) {
        throw new ExerciseArgumentError(SCRIPT, '-A', text, `option -A: invalid address ${JSON.stringify(text)} (expected comma-separated decimal integers from 0 to 0xffffffff)`);
      }
      return Number(n);
    });
  }
  out.print('Virtual Address Trace');
  for (const va of list) {
    const head = `  VA 0x${pyHex(va, 8, true)} (decimal: ${pyDec(va, 8)}) --> `;
    if (!solve) {
      out.print(`${head}PA or invalid address?`);
      continue;
    }
    const vpn = Math.floor(va / 2 ** pagebits);
    if (vpn >= vpages) {
      // The script indexes past its page table here and dies with an IndexError.
      throw new ExerciseArgumentError(SCRIPT, '-A', va, `option -A: virtual address ${va} is outside the ${asize}-byte address space`);
    }
    const pfn = pt[vpn]!;
    if (pfn < 0) {
      out.print(`${head} Invalid (VPN ${pyDec(vpn)} not valid)`);
    } else {
      const pa = pfn * 2 ** pagebits + (va & pagemask);
      out.print(`${head}${pyHex(pa, 8, true)} (decimal ${pyDec(pa, 8)}) [VPN ${pyDec(vpn)}]`);
    }
  }
  out.print('');
  if (!solve) {
    out.print('For each virtual address, write down the physical address it translates to');
    out.print('OR write down that it is an out-of-bounds address (e.g., segfault).');
    out.print('');
  }
  return out.result(0);
}

/** The script's `mustbemultipleof` under Python 3: int(a / b) compared with the true quotient a / b. */
function isMultiple(big: number, n: number): boolean {
  return Math.trunc(big / n) === big / n;
}
