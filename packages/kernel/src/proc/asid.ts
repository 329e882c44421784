// Address-space identifiers: which process owns each ASID (PCID on x86-64, satp.ASID on RISC-V), handed
// out lowest-free first and, when all are taken, taken round-robin from a process that is not running.

import type { Tlb } from '@vmsim/hw';
import type { Process } from './process.js';
import type { ProcessTable } from './process-table.js';

export class AsidAllocator {
  /** The pid owning each ASID, -1 when free. */
  private readonly owner: Int32Array;
  private victim = 0;

  constructor(readonly asidBits: number) {
    this.owner = new Int32Array(2 ** asidBits).fill(-1);
  }

  /** Gives `p` the lowest free ASID, or takes one from another process (flushing its TLB entries). */
  assign(p: Process, procs: ProcessTable, tlb: Tlb): void {
    const space = p.space!;
    if (this.asidBits === 0) {
      // No ASIDs (x86 32-bit): every space uses 0 and loading the root register flushes the TLB.
      space.asid = 0;
      return;
    }
    const owners = this.owner;
    let asid = owners.indexOf(-1);
    if (asid < 0) {
      const cur = procs.current;
      do {
        asid = this.victim;
        this.victim = (this.victim + 1) % owners.length;
      } while (cur !== null && cur.space !== null && cur.space.asid === asid && owners.length > 1);
      const taken = procs.find(owners[asid]!);
      if (taken !== undefined && taken.space !== null) taken.space.asid = -1;
      tlb.flushAsid(asid);
    }
    owners[asid] = p.pid;
    space.asid = asid;
  }

  /** A process gives its ASID back (on exit). */
  release(asid: number): void {
    if (this.asidBits > 0 && asid >= 0) this.owner[asid] = -1;
  }
}
