// The record of one page fault being handled (Linux's struct vm_fault): who faulted, where, how, in which
// region, and the leaf entry found there. Made once per fault; the handlers read it and change the tables.

import type { AccessKind } from '@vmsim/hw';
import type { AddressSpace } from '../mm/address-space.js';
import type { Vma } from '../mm/vma.js';
import type { Process } from '../proc/process.js';

export class VmFault {
  constructor(
    readonly process: Process,
    readonly space: AddressSpace,
    readonly vma: Vma,
    /** The faulting address, as the MMU reported it. */
    readonly va: number,
    /** The first address of its page. */
    readonly page: number,
    readonly access: AccessKind,
    /** The leaf entry's physical address, or -1 when a table on the way is missing. */
    readonly entryPa: number,
    readonly present: boolean,
    readonly pfn: number,
    readonly flags: number,
  ) {}
}
