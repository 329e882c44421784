// OPT for the kernel's reclaim (machine-mode trace replay): the kernel names frames (pfns) but Belady's policy
// knows the future in the trace's page ids. This adapter keeps pfn ↔ page id (a page is loaded by the fault of
// the reference the driver is replaying, so its id is that reference's) and drives an OptPolicy of
// @vmsim/replacement over the trace's pages, each reference fed to it exactly once, in order.

import { OptPolicy } from '@vmsim/replacement';

/** The pages of one replay: the reference stream (dense page ids) and how many pages it touches. */
export interface OptTrace {
  readonly pages: Int32Array;
  readonly pageCount: number;
}

export class OptPagePolicy {
  /** OPT must see every reference, hits included: its clock is the position in the stream. */
  readonly wantsReferences = true;
  readonly opt: OptPolicy;
  /** The reference being replayed: the driver sets it before each access. */
  cursor = 0;
  private readonly pages: Int32Array;
  /** pfn → the page id it holds, -1 for none. */
  private readonly pageOfPfn: Int32Array;
  /** page id → the frame holding it, -1 when not resident. */
  private readonly pfnOfPage: Int32Array;

  constructor(trace: OptTrace, frames: number, totalFrames: number) {
    this.pages = trace.pages;
    this.opt = new OptPolicy({ frames, pageCount: Math.max(1, trace.pageCount), stream: trace.pages });
    this.pageOfPfn = new Int32Array(totalFrames).fill(-1);
    this.pfnOfPage = new Int32Array(Math.max(1, trace.pageCount)).fill(-1);
  }

  /** The page of the current reference came into frame `pfn` (a fault read it in). */
  loaded(pfn: number, write: boolean): void {
    const page = this.pages[this.cursor]!;
    this.pageOfPfn[pfn] = page;
    this.pfnOfPage[page] = pfn;
    this.feed(page, write);
  }

  /** The current reference touched frame `pfn` (a hit, or the access after its fault). */
  touched(pfn: number, write: boolean): void {
    const page = this.pageOfPfn[pfn]!;
    if (page >= 0) this.feed(page, write);
  }

  /** The frame OPT evicts next: the resident page used farthest in the future. */
  victim(): number {
    const page = this.opt.victim();
    return page < 0 ? -1 : this.pfnOfPage[page]!;
  }

  /** Frame `pfn` left memory (the kernel reclaimed it). */
  removed(pfn: number): void {
    const page = this.pageOfPfn[pfn]!;
    if (page < 0) return;
    this.pageOfPfn[pfn] = -1;
    this.pfnOfPage[page] = -1;
    this.opt.remove(page);
  }

  /** The current reference goes to OPT once: the fault's load and the retried access are one reference. */
  private feed(page: number, write: boolean): void {
    if (this.opt.references > this.cursor) return;
    this.opt.access(page, write);
  }
}
