// A plain reference model of what user-visible memory should hold, for property-based tests of the kernel.
// No frames, no page tables, no copy-on-write: every live process owns a map from page address to a private
// copy of the page's bytes. fork copies the whole map, so no process can ever see another process's data.
// On a 32-bit space a user access that runs past the last byte wraps into page 0, as the hardware does.
// Besides registered pages (mapped at once), a process has mmap/brk pages: a protection and the bytes they
// read (zeros until written), with no statement on whether a frame or a table backs them yet (the kernel
// maps them lazily and frees tables no region reaches); munmap drops them, mprotect changes their
// protection page by page up to the first hole, and brk follows Linux's rules for the break.

/** An mmap or brk page: its protection (PROT_* bits) and content. Private: fork copies it. */
export interface MappedPage {
  prot: number;
  readonly bytes: Uint8Array;
}

/** A process as the model sees it: the pages it registered and their contents. */
interface ModelProcess {
  readonly pid: number;
  readonly pages: Map<number, Uint8Array>;
  readonly mapped: Map<number, MappedPage>;
  startBrk: number;
  brk: number;
}

const PROT_RW = 3;

export class ReferenceModel {
  readonly pageSize: number;
  /**
   * For each level below the root, the bytes one table of that level covers, top level first: [4 MiB] on
   * the two-level 32-bit models, [512 GiB, 1 GiB, 2 MiB] on x86-64, [1 GiB, 2 MiB] on Sv39. The model counts
   * page tables from these alone, the way a kernel that never frees a table early must have them.
   */
  readonly tableSpans: readonly number[];
  /**
   * Where user accesses wrap to address 0 (2^32 on the 32-bit models, whose MMU carries no bit 32), or null
   * where they do not (the sign-extended 64-bit spaces, whose kernel refuses the access instead).
   */
  readonly wrapAt: number | null;
  private readonly procs = new Map<number, ModelProcess>();
  private cur: number | null = null;
  private isRunning = false;

  /** Where a spawned process's break starts. */
  readonly heapStart: number;

  constructor(pageSize: number, tableSpans: readonly number[], wrapAt: number | null = null, heapStart = 0x1000_0000) {
    this.pageSize = pageSize;
    this.heapStart = heapStart;
    this.tableSpans = [...tableSpans];
    this.wrapAt = wrapAt;
  }

  /** Live pids in increasing order. */
  get pids(): number[] {
    return [...this.procs.keys()].sort((a, b) => a - b);
  }

  /** The current process (running or put to sleep), or null. */
  get current(): number | null {
    return this.cur;
  }

  /** Does the current process run, so that user accesses reach memory? */
  get running(): boolean {
    return this.cur !== null && this.isRunning;
  }

  isLive(pid: number): boolean {
    return this.procs.has(pid);
  }

  /** A new empty process; it becomes current and runs when nothing is current. */
  spawn(pid: number): void {
    this.add(pid, new Map(), new Map(), this.heapStart, this.heapStart);
    if (this.cur === null) this.switchTo(pid);
  }

  /** The child gets its own copy of every page of the parent. */
  fork(parent: number, child: number): void {
    const pages = new Map<number, Uint8Array>();
    const from = this.get(parent);
    for (const [va, bytes] of from.pages) pages.set(va, bytes.slice());
    const mapped = new Map<number, MappedPage>();
    for (const [va, page] of from.mapped) mapped.set(va, { prot: page.prot, bytes: page.bytes.slice() });
    this.add(child, pages, mapped, from.startBrk, from.brk);
  }

  kill(pid: number): void {
    this.get(pid);
    this.procs.delete(pid);
    if (this.cur === pid) {
      this.cur = null;
      this.isRunning = false;
    }
  }

  switchTo(pid: number): void {
    this.get(pid);
    this.cur = pid;
    this.isRunning = true;
  }

  /** The current process stops running but stays current. */
  sleep(): void {
    if (this.cur === null) throw new Error('reference model: nothing to put to sleep');
    this.isRunning = false;
  }

  /** Registers the page holding `va`: it reads as zeros until written. */
  register(pid: number, va: number): void {
    const page = this.pageOf(va);
    const p = this.get(pid);
    if (p.pages.has(page)) throw new Error(`reference model: page 0x${page.toString(16)} already registered in ${pid}`);
    p.pages.set(page, new Uint8Array(this.pageSize));
  }

  isRegistered(pid: number, va: number): boolean {
    return this.get(pid).pages.has(this.pageOf(va));
  }

  /** Registered page addresses of `pid`, in increasing order. */
  registeredPages(pid: number): number[] {
    return [...this.get(pid).pages.keys()].sort((a, b) => a - b);
  }

  /** The content of one registered (or mmap/brk) page (the model's own array: do not modify). */
  pageContent(pid: number, page: number): Uint8Array {
    const p = this.get(pid);
    const bytes = p.pages.get(page) ?? p.mapped.get(page)?.bytes;
    if (bytes === undefined) throw new Error(`reference model: page 0x${page.toString(16)} not registered in ${pid}`);
    return bytes;
  }

  // ------------------------------------------------------------ mmap, munmap, mprotect, brk

  /** The mmap/brk page at `page` of `pid`, or undefined. */
  mappedPage(pid: number, page: number): MappedPage | undefined {
    return this.get(pid).mapped.get(page);
  }

  /** mmap/brk page addresses of `pid`, in increasing order. */
  mappedPages(pid: number): number[] {
    return [...this.get(pid).mapped.keys()].sort((a, b) => a - b);
  }

  /** Is the page holding `va` registered or mapped by mmap/brk? */
  isInRegion(pid: number, va: number): boolean {
    const p = this.get(pid);
    const page = this.pageOf(va);
    return p.pages.has(page) || p.mapped.has(page);
  }

  /** mmap(MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS): `count` pages from `start` read zero with `prot`, replacing what was there. */
  mmapFixed(pid: number, start: number, count: number, prot: number): void {
    const p = this.get(pid);
    for (let i = 0; i < count; i++) {
      const page = start + i * this.pageSize;
      if (p.pages.has(page)) throw new Error(`reference model: mmap over registered page 0x${page.toString(16)}`);
      p.mapped.set(page, { prot, bytes: new Uint8Array(this.pageSize) });
    }
  }

  /** munmap: the pages go (nothing mapped there is fine). */
  munmap(pid: number, start: number, count: number): void {
    const p = this.get(pid);
    for (let i = 0; i < count; i++) p.mapped.delete(start + i * this.pageSize);
  }

  /** mprotect: page by page up to the first unmapped one; false (ENOMEM) when there is one, the pages before it changed. */
  mprotect(pid: number, start: number, count: number, prot: number): boolean {
    const p = this.get(pid);
    for (let i = 0; i < count; i++) {
      const page = p.mapped.get(start + i * this.pageSize);
      if (page === undefined) return false;
      page.prot = prot;
    }
    return true;
  }

  /** The current break of `pid`. */
  currentBrk(pid: number): number {
    return this.get(pid).brk;
  }

  /**
   * The brk system call: below the start refused; shrinking always succeeds and drops the released pages
   * (whoever mapped them); growing needs [old aligned break, new aligned break + one page) unmapped and
   * maps zero pages read-write from the old aligned break, unless that grows it by more than `commitPages`
   * (the overcommit heuristic: RAM plus swap). The new break, or the current one when refused.
   */
  brk(pid: number, addr: number, commitPages = Infinity): number {
    const p = this.get(pid);
    const orig = p.brk;
    if (addr < p.startBrk) return orig;
    const newTop = this.pageUp(addr);
    const oldTop = this.pageUp(orig);
    if (newTop === oldTop) {
      p.brk = addr;
      return addr;
    }
    if (addr <= orig) {
      for (let page = newTop; page < oldTop; page += this.pageSize) {
        if (p.pages.has(page)) throw new Error(`reference model: brk over registered page 0x${page.toString(16)}`);
        p.mapped.delete(page);
      }
      p.brk = addr;
      return addr;
    }
    for (let page = oldTop; page < newTop + this.pageSize; page += this.pageSize) {
      if (p.pages.has(page) || p.mapped.has(page)) return orig;
    }
    if ((newTop - oldTop) / this.pageSize > commitPages) return orig;
    for (let page = oldTop; page < newTop; page += this.pageSize) p.mapped.set(page, { prot: PROT_RW, bytes: new Uint8Array(this.pageSize) });
    p.brk = addr;
    return addr;
  }

  /**
   * Page addresses that [va, va + length) touches, in the order an access meets them: increasing, except that
   * past the top of a wrapping space the next page is page 0.
   */
  pagesSpanned(va: number, length: number): number[] {
    const out: number[] = [];
    if (length <= 0) return out;
    for (let page = this.pageOf(va); page < va + length; page += this.pageSize) out.push(this.wrap(page));
    return out;
  }

  /** The first page of [va, va + length) that `pid` has not registered, or null when all are registered. */
  firstUnregistered(pid: number, va: number, length: number): number | null {
    for (const page of this.pagesSpanned(va, length)) if (!this.isRegistered(pid, page)) return page;
    return null;
  }

  /** Page tables that registering `va` in `pid` needs: one per level whose table for `va` no registered page has. */
  tablesMissing(pid: number, va: number): number {
    const pages = [...this.get(pid).pages.keys()];
    let missing = 0;
    for (const span of this.tableSpans) {
      const region = Math.floor(va / span);
      if (!pages.some((page) => Math.floor(page / span) === region)) missing++;
    }
    return missing;
  }

  /** Page tables `pid` has: its root, and at each level one per distinct region its pages fall in. */
  tableCount(pid: number): number {
    return this.tablesFor([...this.get(pid).pages.keys()]);
  }

  /** Page tables that mapping every page of `pages` needs: the root, and at each level one per distinct region. */
  tablesFor(pages: readonly number[]): number {
    let tables = 1;
    for (const span of this.tableSpans) tables += new Set(pages.map((page) => Math.floor(page / span))).size;
    return tables;
  }

  /** Writes bytes (wrapping at the top of a 32-bit space); every page they touch must be registered. */
  write(pid: number, va: number, data: Uint8Array): void {
    let done = 0;
    while (done < data.length) {
      const at = this.wrap(va + done);
      const page = this.pageOf(at);
      const offset = at - page;
      const n = Math.min(this.pageSize - offset, data.length - done);
      this.pageContent(pid, page).set(data.subarray(done, done + n), offset);
      done += n;
    }
  }

  /** Reads bytes (wrapping at the top of a 32-bit space); every page they touch must be registered. */
  read(pid: number, va: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const at = this.wrap(va + done);
      const page = this.pageOf(at);
      const offset = at - page;
      const n = Math.min(this.pageSize - offset, length - done);
      out.set(this.pageContent(pid, page).subarray(offset, offset + n), done);
      done += n;
    }
    return out;
  }

  /** `va` as the hardware sees it: reduced modulo the wrapping point, if the space has one. */
  private wrap(va: number): number {
    return this.wrapAt !== null && va >= this.wrapAt ? va - this.wrapAt : va;
  }

  private pageUp(va: number): number {
    return Math.ceil(va / this.pageSize) * this.pageSize;
  }

  private pageOf(va: number): number {
    return va - (va % this.pageSize);
  }

  private add(pid: number, pages: Map<number, Uint8Array>, mapped: Map<number, MappedPage>, startBrk: number, brk: number): void {
    if (this.procs.has(pid)) throw new Error(`reference model: pid ${pid} already live`);
    this.procs.set(pid, { pid, pages, mapped, startBrk, brk });
  }

  private get(pid: number): ModelProcess {
    const p = this.procs.get(pid);
    if (p === undefined) throw new Error(`reference model: no live pid ${pid}`);
    return p;
  }
}
