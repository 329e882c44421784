// mmap / munmap / mprotect with fork, switch, loads and stores against a plain model of pages, on every
// model: regions (with their merges) after every step, the value or fault code of every access, and the
// kernel's invariants (refcounts, tables, shared objects) checked after every operation.

import { ACCESS_READ } from '@vmsim/hw';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SEGV_ACCERR, SEGV_MAPERR } from '../codes.js';
import { RegionNotFoundError } from '../errors.js';
import { Kernel } from '../kernel.js';
import { MODELS } from '../testing/models.js';
import { MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, MAP_SHARED, PROT_NONE, PROT_READ, PROT_WRITE } from './vma.js';

const P = 4096;
const AREA = 0x4000_0000;
const WINDOW = 24;

/** A page of the model: protection, the shared object it belongs to (0: private), and its bytes. */
interface Page {
  prot: number;
  obj: number;
  data: Uint8Array;
}

type Op =
  | { t: 'mmap'; at: number; len: number; prot: number; shared: boolean }
  | { t: 'munmap'; at: number; len: number }
  | { t: 'mprotect'; at: number; len: number; prot: number }
  | { t: 'store'; page: number; off: number; value: number }
  | { t: 'load'; page: number; off: number }
  | { t: 'fork' }
  | { t: 'switch'; which: number }
  | { t: 'kill' };

const protArb = fc.constantFrom(PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE, PROT_READ | PROT_WRITE);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ t: fc.constant('mmap' as const), at: fc.nat(WINDOW - 1), len: fc.integer({ min: 1, max: 6 }), prot: protArb, shared: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('munmap' as const), at: fc.nat(WINDOW - 1), len: fc.integer({ min: 1, max: 6 }) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('mprotect' as const), at: fc.nat(WINDOW - 1), len: fc.integer({ min: 1, max: 6 }), prot: protArb }) },
  { weight: 6, arbitrary: fc.record({ t: fc.constant('store' as const), page: fc.nat(WINDOW - 1), off: fc.nat(P - 1), value: fc.integer({ min: 1, max: 255 }) }) },
  { weight: 5, arbitrary: fc.record({ t: fc.constant('load' as const), page: fc.nat(WINDOW - 1), off: fc.nat(P - 1) }) },
  { weight: 1, arbitrary: fc.constant<Op>({ t: 'fork' }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('switch' as const), which: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.constant<Op>({ t: 'kill' }) },
);

class Run {
  readonly k: Kernel;
  /** Per live pid: page index in the window → its page. Shared pages of one object share `data`. */
  readonly procs = new Map<number, Map<number, Page>>();
  cur: number;
  nextObj = 1;

  constructor(make: () => import('@vmsim/hw').HardwareModel) {
    this.k = new Kernel({ model: make(), ramBytes: 512 * P, checkInvariants: true });
    this.cur = this.k.spawn().pid;
    this.procs.set(this.cur, new Map());
  }

  get pages(): Map<number, Page> {
    return this.procs.get(this.cur)!;
  }

  run(op: Op): void {
    const k = this.k;
    const end = (at: number, len: number): number => Math.min(WINDOW, at + len);
    switch (op.t) {
      case 'mmap': {
        const e = end(op.at, op.len);
        k.mmap(AREA + op.at * P, (e - op.at) * P, op.prot, (op.shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS | MAP_FIXED);
        const obj = op.shared ? this.nextObj++ : 0;
        for (let i = op.at; i < e; i++) this.pages.set(i, { prot: op.prot, obj, data: new Uint8Array(P) });
        return;
      }
      case 'munmap': {
        const e = end(op.at, op.len);
        k.munmap(AREA + op.at * P, (e - op.at) * P);
        for (let i = op.at; i < e; i++) this.pages.delete(i);
        return;
      }
      case 'mprotect': {
        const e = end(op.at, op.len);
        let hole = -1;
        for (let i = op.at; i < e; i++) if (!this.pages.has(i)) {
          hole = i;
          break;
        }
        const call = (): void => k.mprotect(AREA + op.at * P, (e - op.at) * P, op.prot);
        if (hole < 0) call();
        else {
          let error: unknown = null;
          try {
            call();
          } catch (err) {
            error = err;
          }
          expect(RegionNotFoundError.isInstance(error)).toBe(true);
          expect((error as RegionNotFoundError).va).toBe(AREA + hole * P);
        }
        for (let i = op.at; i < (hole < 0 ? e : hole); i++) this.pages.get(i)!.prot = op.prot;
        return;
      }
      case 'store': {
        const page = this.pages.get(op.page);
        const code = k.store(AREA + op.page * P + op.off, 1, op.value);
        if (page === undefined) expect(code).toBe(SEGV_MAPERR);
        else if ((page.prot & PROT_WRITE) === 0) expect(code).toBe(SEGV_ACCERR);
        else {
          expect(code).toBe(0);
          page.data[op.off] = op.value;
        }
        return;
      }
      case 'load': {
        const page = this.pages.get(op.page);
        const got = k.load(AREA + op.page * P + op.off, 1);
        if (page === undefined) expect(got).toBe(SEGV_MAPERR);
        else if ((page.prot & (PROT_READ | PROT_WRITE)) === 0) expect(got).toBe(SEGV_ACCERR);
        else expect(got).toBe(page.data[op.off]);
        return;
      }
      case 'fork': {
        if (this.procs.size >= 4) return;
        const child = k.fork();
        const copy = new Map<number, Page>();
        for (const [i, page] of this.pages) copy.set(i, { prot: page.prot, obj: page.obj, data: page.obj === 0 ? page.data.slice() : page.data });
        this.procs.set(child.pid, copy);
        return;
      }
      case 'switch': {
        const pids = [...this.procs.keys()];
        this.cur = pids[op.which % pids.length]!;
        k.switchTo(this.cur);
        return;
      }
      case 'kill': {
        if (this.procs.size === 1) return;
        k.kill(this.cur);
        this.procs.delete(this.cur);
        this.cur = [...this.procs.keys()][0]!;
        k.switchTo(this.cur);
        return;
      }
    }
  }

  /** Every live process's regions are the model's runs of equal pages (same protection and object). */
  checkRegions(): void {
    for (const [pid, pages] of this.procs) {
      const want: [number, number, number, boolean][] = [];
      for (let i = 0; i < WINDOW;) {
        const page = pages.get(i);
        if (page === undefined) {
          i++;
          continue;
        }
        let j = i + 1;
        while (j < WINDOW && pages.get(j)?.prot === page.prot && pages.get(j)?.obj === page.obj) j++;
        want.push([i, j, page.prot, page.obj !== 0]);
        i = j;
      }
      const got = this.k.regions(pid).map((v) => [(v.start - AREA) / P, (v.end - AREA) / P, v.prot, (v.flags & MAP_SHARED) !== 0]);
      expect(got).toEqual(want);
    }
  }

  /** At the end: every readable page of every process holds the model's bytes (kernel-side reads). */
  checkContents(): void {
    for (const [pid, pages] of this.procs) {
      for (const [i, page] of pages) {
        if ((page.prot & (PROT_READ | PROT_WRITE)) === 0) continue;
        expect(this.k.handlePageFault(pid, AREA + i * P, ACCESS_READ)).toBeGreaterThan(0);
        expect(Array.from(this.k.copyin(pid, AREA + i * P, P))).toEqual(Array.from(page.data));
      }
    }
  }
}

describe.each(MODELS)('mmap/munmap/mprotect with fork against a page model on $name', ({ make }) => {
  it('regions, values, fault codes and invariants agree after every step', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 20, maxLength: 80 }), (ops) => {
        const run = new Run(make);
        for (const op of ops) {
          run.run(op);
          run.checkRegions();
        }
        run.checkContents();
        for (const pid of [...run.procs.keys()]) run.k.kill(pid);
        expect(run.k.stats().frames).toMatchObject({ data: 0, pageTables: 0 });
      }),
      { numRuns: 40 },
    );
  }, 120_000);
});
