// OSTEP's vm-smalltables/paging-multilevel-translate.py: a two-level page table in a 4 KiB physical memory of
// 128 pages of 32 bytes. A 15-bit virtual address is pde index (5) | pte index (5) | offset (5); a PDE or PTE
// is one byte, valid bit 7 and a 7-bit PFN, 0x7f meaning empty. The script maps -a random virtual pages
// (frame for the data page first, then for a page-table page if one is needed, then 32 random bytes of data),
// dumps all of memory and asks for -n addresses. Draws and output match the Python script's.

import { PythonRandom } from '@vmsim/replacement';
import { ExerciseArgumentError } from '../errors.js';
import { MAX_ADDRESSES, safeInt } from './convert.js';
import { helpText, parseOptions, Printer, type OptionSpec, type ScriptResult } from './optparse.js';
import { pyDec, pyHex } from './python-format.js';

const SCRIPT = 'paging-multilevel-translate';

const PAGE_SIZE = 32;
const PAGE_BITS = 5;
const PHYS_PAGES = 128;
const VA_PAGES = 1024;
const PDE_MASK = 0x7c00;
const PDE_SHIFT = 10;
const PTE_MASK = 0x03e0;
const PTE_SHIFT = 5;
const OFFSET_MASK = 0x1f;
const ENTRY_VALID = 0x80;
const ENTRY_PFN = 0x7f;

export const PAGING_MULTILEVEL_TRANSLATE_OPTIONS: readonly OptionSpec[] = [
  { short: '-s', long: '--seed', dest: 'seed', kind: 'int', default: 0n, help: 'the random seed' },
  { short: '-a', long: '--allocated', dest: 'allocated', kind: 'int', default: 64n, help: 'number of virtual pages allocated' },
  { short: '-n', long: '--addresses', dest: 'num', kind: 'int', default: 10n, help: 'number of virtual addresses to generate' },
  { short: '-c', long: '--solve', dest: 'solve', kind: 'flag', default: false, help: 'compute answers for me' },
];

/** The simulated machine: physical memory as bytes, which frames are taken, and the process's PDBR. */
class TinyMachine {
  readonly memory = new Uint8Array(PAGE_SIZE * PHYS_PAGES);
  private readonly usedFrames = new Uint8Array(PHYS_PAGES);
  private usedCount = 0;
  pdbr = 0;

  constructor(private readonly rng: PythonRandom) {}

  /** A free frame chosen by rejection sampling, as the script's findFree does. */
  findFree(): number {
    if (this.usedCount >= PHYS_PAGES) {
      throw new ExerciseArgumentError(SCRIPT, '-a', undefined, 'option -a: too many pages: the 128 physical pages run out (the script fails its findFree assertion)');
    }
    let look = Math.trunc(this.rng.random() * PHYS_PAGES);
    while (this.usedFrames[look] === 1) look = Math.trunc(this.rng.random() * PHYS_PAGES);
    this.usedCount++;
    this.usedFrames[look] = 1;
    return look;
  }

  /** Marks every entry of a directory or table page empty (0x7f). */
  initTablePage(pfn: number): void {
    this.memory.fill(ENTRY_PFN, pfn << PAGE_BITS, (pfn + 1) << PAGE_BITS);
  }

  /** Maps virtual page vpn to frame pfn, taking a new page-table page when its PDE is empty. */
  mapPage(vpn: number, pfn: number): void {
    const va = vpn << PAGE_BITS;
    const pdeAddr = (this.pdbr << PAGE_BITS) | ((va & PDE_MASK) >> PDE_SHIFT);
    let ptPfn: number;
    if ((this.memory[pdeAddr]! & ENTRY_VALID) === 0) {
      ptPfn = this.findFree();
      this.memory[pdeAddr] = ENTRY_VALID | ptPfn;
      this.initTablePage(ptPfn);
    } else {
      ptPfn = this.memory[pdeAddr]! & ENTRY_PFN;
    }
    this.memory[(ptPfn << PAGE_BITS) | ((va & PTE_MASK) >> PTE_SHIFT)] = ENTRY_VALID | pfn;
  }

  /** Fills a data page with bytes 0..30. */
  fillPage(pfn: number): void {
    for (let j = 0; j < PAGE_SIZE; j++) this.memory[pfn * PAGE_SIZE + j] = Math.trunc(this.rng.random() * 31);
  }
}

/** Runs paging-multilevel-translate.py with these arguments (without the program name). */
export function pagingMultilevelTranslate(argv: readonly string[]): ScriptResult {
  const parsed = parseOptions(SCRIPT, PAGING_MULTILEVEL_TRANSLATE_OPTIONS, argv);
  if (parsed.help) return { stdout: helpText(SCRIPT, PAGING_MULTILEVEL_TRANSLATE_OPTIONS), exitCode: 0 };
  const o = parsed.values;
  const seed = o.seed as bigint;
  const allocated = safeInt(SCRIPT, '-a', o.allocated as bigint);
  const num = safeInt(SCRIPT, '-n', o.num as bigint, MAX_ADDRESSES);
  const solve = o.solve === true;
  const out = new Printer();
  out.print('ARG seed', seed);
  out.print('ARG allocated', allocated);
  out.print('ARG num', num);
  out.print('');

  const rng = new PythonRandom(seed);
  const m = new TinyMachine(rng);
  m.pdbr = m.findFree();
  m.initTablePage(m.pdbr);
  const usedVpn = new Uint8Array(VA_PAGES);
  const vpns: number[] = [];
  for (let k = 0; k < allocated; k++) {
    // With every virtual page taken the script would draw forever; physical pages always run out first.
    let vpn = Math.trunc(rng.random() * VA_PAGES);
    while (usedVpn[vpn] === 1) vpn = Math.trunc(rng.random() * VA_PAGES);
    usedVpn[vpn] = 1;
    vpns.push(vpn);
    const pfn = m.findFree();
    m.mapPage(vpn, pfn);
    m.fillPage(pfn);
  }

  for (let pfn = 0; pfn < PHYS_PAGES; pfn++) {
    let line = `page ${pyDec(pfn, 3)}:`;
    for (let j = 0; j < PAGE_SIZE; j++) line += pyHex(m.memory[pfn * PAGE_SIZE + j]!, 2, true);
    out.print(line);
  }
  out.print(`\nPDBR: ${m.pdbr}  (decimal) [This means the page directory is held in this page]\n`);

  for (let i = 0; i < num; i++) {
    let va: number;
    if (rng.random() * 100 > 50.0 || i >= vpns.length) va = Math.trunc(rng.random() * 1024 * 32);
    else va = (vpns[i]! << 5) | Math.trunc(rng.random() * 32);
    if (!solve) {
      out.print(`Virtual Address ${pyHex(va, 4, true)}: Translates To What Physical Address (And Fetches what Value)? Or Fault?`);
      continue;
    }
    out.print(`Virtual Address ${pyHex(va, 4, true)}:`);
    const pdeIndex = (va & PDE_MASK) >> PDE_SHIFT;
    const pde = m.memory[(m.pdbr << PAGE_BITS) | pdeIndex]!;
    out.print(`  --> pde index:0x${pyHex(pdeIndex)} [decimal ${pdeIndex}] pde contents:0x${pyHex(pde)} (valid ${pde >> 7}, pfn 0x${pyHex(pde & ENTRY_PFN, 2, true)} [decimal ${pde & ENTRY_PFN}])`);
    if ((pde & ENTRY_VALID) === 0) {
      out.print('      --> Fault (page directory entry not valid)');
      continue;
    }
    const pteIndex = (va & PTE_MASK) >> PTE_SHIFT;
    const pte = m.memory[((pde & ENTRY_PFN) << PAGE_BITS) | pteIndex]!;
    out.print(`    --> pte index:0x${pyHex(pteIndex)} [decimal ${pteIndex}] pte contents:0x${pyHex(pte)} (valid ${pte >> 7}, pfn 0x${pyHex(pte & ENTRY_PFN, 2, true)} [decimal ${pte & ENTRY_PFN}])`);
    if ((pte & ENTRY_VALID) === 0) {
      out.print('      --> Fault (page table entry not valid)');
      continue;
    }
    const pa = ((pte & ENTRY_PFN) << PAGE_BITS) | (va & OFFSET_MASK);
    out.print(`      --> Translates to Physical Address 0x${pyHex(pa, 3, true)} --> Value: ${pyHex(m.memory[pa]!, 2, true)}`);
  }
  out.print('');
  return out.result(0);
}
