// The memory dump of rust-vmem's `print()`: for each process its page tables, level by level, and its data
// pages, read straight from simulated RAM without side effects. Unlike the original it is deterministic
// (address order), shows real frame numbers, leaves out invalid entries and all-zero words, and has as many
// levels as the hardware model: the original's page directory and page tables on the 32-bit models, PML4,
// PDPT, PD and PT on x86-64, three levels on Sv39. The tables are walked with hw's `visitPageTables`, the
// one page-table scanner every layer uses.

import { levelNames, PTE_R, PTE_U, PTE_V, readEntry, visitPageTables, type HardwareModel } from '@vmsim/hw';
import type { Kernel } from '@vmsim/kernel';

/**
 * What the dump calls the tables of one level and their entries, and the function that gives a model's
 * names (its own `levelNames`, else generic x86 names counted from the last level): both from @vmsim/hw,
 * re-exported. The section heading is `table` (then ` #<frame>` for every table but the root); the entry
 * label is `entry` (then ` #<index>`).
 */
export { levelNames, type LevelName } from '@vmsim/hw';

/** The bits of an entry that hold no frame number, as masks of its low and high words. */
function flagMasks(model: HardwareModel): { lo: number; hi: number } {
  const flags = PTE_V | PTE_R | PTE_U;
  const last = model.levels - 1;
  let lo = 2 ** model.pageShift - 1;
  let hi = 0;
  try {
    // The frame number starts at the lowest bit that changes between frame 1 and frame 0 (12 on x86, 10 on
    // RISC-V); in the high word of an 8-byte entry, the bits that the largest frame number sets are address.
    const diff = (model.encodeLo(1, flags, last, true) ^ model.encodeLo(0, flags, last, true)) >>> 0;
    if (diff !== 0) lo = 2 ** (31 - Math.clz32(diff & -diff)) - 1;
    if (model.entryBytes === 8) {
      const address = (model.encodeHi(model.maxPfn, flags, last, true) ^ model.encodeHi(0, flags, last, true)) >>> 0;
      hi = ~address >>> 0;
    }
  } catch {
    // A model that refuses these flags: fall back to the page offset width and the low word.
  }
  return { lo, hi };
}

/** The entry's flag bits (every bit that is not frame number), as lowercase hex. */
function flagsHex(lo: number, hi: number, masks: { lo: number; hi: number }): string {
  const high = (hi & masks.hi) >>> 0;
  const low = (lo & masks.lo) >>> 0;
  return high === 0 ? low.toString(16) : ((BigInt(high) << 32n) | BigInt(low)).toString(16);
}

/**
 * The dump of one process:
 *
 *   PROCESS PID <pid>, "", then every table in walk order (each table followed by the tables its entries
 *   point to, in index order): the root as `<ROOT NAME>`, every other table as `<NAME> #<its frame>`, then
 *   "", one line `<ENTRY> #<i>\t PTN: <next table's frame>, Flags: 0x<flags>` per valid entry that points to
 *   a table, or `<ENTRY> #<i>\t PPN: <frame>, Flags: 0x<flags>` per valid leaf, then "";
 *   then "", then per data frame: PAGE #<frame>, "", `Word #<k>: 0x<u32>`…, "".
 *
 * The names come from `levelNames`: PAGE DIRECTORY / PDE and PAGE TABLE / PTE on the 32-bit models (the
 * original's format exactly). Flags are the entry's bits that are not its frame number, as the hardware model
 * stores them, in lowercase hex (on x86-64 that includes bit 63, execute-disable). Tables and pages come in
 * address order; a frame shared by several pages is shown once; the zero page is not shown.
 */
export function dumpProcess(kernel: Kernel, pid: number): string[] {
  const model = kernel.model;
  const ram = kernel.ram;
  const pageSize = kernel.pageSize;
  const eb = model.entryBytes;
  const last = model.levels - 1;
  const names = levelNames(model);
  const masks = flagMasks(model);
  const root = kernel.pageTables(pid)[0]!.pfn;
  // One section per table in walk order (hw's visitor announces tables before their entries, depth first,
  // and a table's entries, pointers and leaves alike, in index order); the open table of each level.
  const sections: string[][] = [];
  const open: string[][] = [];
  const pages: number[] = [];
  const seen = new Set<number>();
  /** The line of one valid entry, into the section of the table that holds it. */
  const entryLine = (entryPa: number, level: number, kind: 'PTN' | 'PPN', target: number): void => {
    const { lo, hi } = readEntry(ram, model, entryPa);
    const index = (entryPa % pageSize) / eb;
    open[level]!.push(`${names[level]!.entry} #${index}\t ${kind}: ${target}, Flags: 0x${flagsHex(lo, hi, masks)}`);
  };

  visitPageTables(ram, model, root, {
    table(pfn, level, entryPa) {
      if (level > 0) entryLine(entryPa, level - 1, 'PTN', pfn);
      const name = names[level]!;
      const lines = [level === 0 ? name.table : `${name.table} #${pfn}`, ''];
      sections.push(lines);
      open[level] = lines;
    },
    tableDone(_pfn, level) {
      open[level]!.push('');
    },
    leaf(_va, entryPa, pfn, _flags, level) {
      entryLine(entryPa, level, 'PPN', pfn);
      if (level === last && pfn !== kernel.zeroPfn && !seen.has(pfn)) {
        seen.add(pfn);
        pages.push(pfn);
      }
    },
  });

  const out = [`PROCESS PID ${pid}`, ''];
  for (const section of sections) out.push(...section);
  out.push('');
  for (const pfn of pages) {
    out.push(`PAGE #${pfn}`, '');
    const base = pfn * pageSize;
    for (let k = 0; k < pageSize / 4; k++) {
      const word = ram.read32(base + 4 * k);
      if (word !== 0) out.push(`Word #${k}: 0x${(word >>> 0).toString(16)}`);
    }
    out.push('');
  }
  return out;
}

/** The dump of every listed process in order, followed by one empty line (as the original's simulator adds). */
export function dumpLines(kernel: Kernel, pids: readonly number[]): string[] {
  const out: string[] = [];
  for (const pid of pids) out.push(...dumpProcess(kernel, pid));
  out.push('');
  return out;
}
