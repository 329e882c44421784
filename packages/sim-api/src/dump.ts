// The memory dump of rust-vmem's `print()`: for each process its page directory, its page tables and its
// data pages, read straight from simulated RAM without side effects. Unlike the original it is deterministic
// (address order), shows real frame numbers, and leaves out invalid entries and all-zero words.

import { PTE_R, PTE_U, PTE_V, readEntry, type HardwareModel } from '@vmsim/hw';
import type { Kernel } from '@vmsim/kernel';

/** How many low bits of an entry's low word hold flags (12 on x86, 10 on Sv32): the bits below the frame number. */
function flagBits(model: HardwareModel): number {
  const flags = PTE_V | PTE_R | PTE_U;
  const last = model.levels - 1;
  try {
    const diff = (model.encodeLo(1, flags, last, true) ^ model.encodeLo(0, flags, last, true)) >>> 0;
    if (diff !== 0) return 31 - Math.clz32(diff & -diff);
  } catch {
    // A model that refuses these flags: fall back to the page offset width.
  }
  return model.pageShift;
}

/**
 * The dump of one process:
 *
 *   PROCESS PID <pid>, "", PAGE DIRECTORY, "", `PDE #<i>\t PTN: <table frame>, Flags: 0x<flags>`…, "",
 *   then per page table: PAGE TABLE #<its frame>, "", `PTE #<j>\t PPN: <frame>, Flags: 0x<flags>`…, "";
 *   then "", then per data frame: PAGE #<frame>, "", `Word #<k>: 0x<u32>`…, "".
 *
 * Flags are the raw low bits of the entry as the hardware model stores them, in lowercase hex. Tables and
 * pages come in address order; a frame shared by several pages is shown once; the zero page is not shown.
 */
export function dumpProcess(kernel: Kernel, pid: number): string[] {
  const model = kernel.model;
  const ram = kernel.ram;
  const pageSize = kernel.pageSize;
  const last = model.levels - 1;
  const flagMask = 2 ** flagBits(model) - 1;
  const root = kernel.pageTables(pid)[0]!.pfn;
  const sections: string[][] = [];
  const pages: number[] = [];
  const seen = new Set<number>();

  const visit = (pfn: number, level: number): void => {
    const entries = 2 ** model.indexBits[level]!;
    const lines = [level === 0 ? 'PAGE DIRECTORY' : `PAGE TABLE #${pfn}`, ''];
    const children: number[] = [];
    for (let i = 0; i < entries; i++) {
      const { lo, hi } = readEntry(ram, model, pfn * pageSize + i * model.entryBytes);
      if (!model.isValid(lo, hi, level)) continue;
      const target = model.pfn(lo, hi, level);
      const leaf = model.isLeaf(lo, hi, level);
      const flags = (lo & flagMask) >>> 0;
      lines.push(`${level === last ? 'PTE' : 'PDE'} #${i}\t ${leaf ? 'PPN' : 'PTN'}: ${target}, Flags: 0x${flags.toString(16)}`);
      if (!leaf) children.push(target);
      else if (level === last && target !== kernel.zeroPfn && !seen.has(target)) {
        seen.add(target);
        pages.push(target);
      }
    }
    lines.push('');
    sections.push(lines);
    for (const child of children) visit(child, level + 1);
  };
  visit(root, 0);

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
