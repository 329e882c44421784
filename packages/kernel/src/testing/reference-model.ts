// A plain reference model of what user-visible memory should hold, for property-based tests of the kernel.
// No frames, no page tables, no copy-on-write: every live process owns a map from page address to a private
// copy of the page's bytes. fork copies the whole map, so no process can ever see another process's data.
// On a 32-bit space a user access that runs past the last byte wraps into page 0, as the hardware does.

/** A process as the model sees it: the pages it registered and their contents. */
interface ModelProcess {
  readonly pid: number;
  readonly pages: Map<number, Uint8Array>;
}

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

  constructor(pageSize: number, tableSpans: readonly number[], wrapAt: number | null = null) {
    this.pageSize = pageSize;
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
    this.add(pid, new Map());
    if (this.cur === null) this.switchTo(pid);
  }

  /** The child gets its own copy of every page of the parent. */
  fork(parent: number, child: number): void {
    const pages = new Map<number, Uint8Array>();
    for (const [va, bytes] of this.get(parent).pages) pages.set(va, bytes.slice());
    this.add(child, pages);
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

  /** The content of one registered page (the model's own array: do not modify). */
  pageContent(pid: number, page: number): Uint8Array {
    const bytes = this.get(pid).pages.get(page);
    if (bytes === undefined) throw new Error(`reference model: page 0x${page.toString(16)} not registered in ${pid}`);
    return bytes;
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
    const pages = [...this.get(pid).pages.keys()];
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

  private pageOf(va: number): number {
    return va - (va % this.pageSize);
  }

  private add(pid: number, pages: Map<number, Uint8Array>): void {
    if (this.procs.has(pid)) throw new Error(`reference model: pid ${pid} already live`);
    this.procs.set(pid, { pid, pages });
  }

  private get(pid: number): ModelProcess {
    const p = this.procs.get(pid);
    if (p === undefined) throw new Error(`reference model: no live pid ${pid}`);
    return p;
  }
}
