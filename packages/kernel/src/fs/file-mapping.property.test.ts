// Property test of file mappings against a plain model: one file of whole pages, mapped MAP_SHARED and
// MAP_PRIVATE by a process and by the children it forks; random stores, loads, write(2), read(2), msync,
// truncation (to whole pages), fork and exit. The model keeps the file's bytes as every reader sees them, and
// per process the private copies it has made; after msync the disk must equal that view. The kernel's
// invariant sweep (page-cache references included) runs after every operation.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ERR_NO_PROCESS, VM_FAULT_SIGBUS } from '../codes.js';
import { Kernel } from '../kernel.js';
import { MAP_PRIVATE, MAP_SHARED, PROT_READ, PROT_WRITE } from '../mm/vma.js';
import { mmapAt } from '../testing/file-helpers.js';
import { MODELS } from '../testing/models.js';
import { O_RDWR } from './file-store.js';

const PAGE = 4096;
/** The regions: the file's first MAX_PAGES pages, shared at SHARED, private at PRIVATE. */
const MAX_PAGES = 4;
const SHARED = 0x10000000;
const PRIVATE = 0x10800000;

type Op =
  | { kind: 'store'; proc: number; shared: boolean; page: number; offset: number; value: number }
  | { kind: 'load'; proc: number; shared: boolean; page: number; offset: number }
  | { kind: 'write'; page: number; offset: number; value: number }
  | { kind: 'read'; page: number; offset: number }
  | { kind: 'msync'; proc: number }
  | { kind: 'truncate'; pages: number }
  | { kind: 'fork'; proc: number }
  | { kind: 'exit'; proc: number };

const proc = fc.nat(3);
const page = fc.nat(MAX_PAGES - 1);
const offset = fc.nat(PAGE - 1);
const byte = fc.nat(255);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('store' as const), proc, shared: fc.boolean(), page, offset, value: byte }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('load' as const), proc, shared: fc.boolean(), page, offset }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('write' as const), page, offset, value: byte }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('read' as const), page, offset }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('msync' as const), proc }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), pages: fc.nat(MAX_PAGES) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('fork' as const), proc }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('exit' as const), proc }) },
);

/** A process in the model: its pid and its private copies (page index → bytes). */
interface ModelProc {
  readonly pid: number;
  readonly copies: Map<number, Uint8Array>;
}

function run(make: () => ReturnType<typeof MODELS[number]['make']>, ops: readonly Op[]): void {
  const k = new Kernel({ model: make(), ramBytes: 128 * PAGE, checkInvariants: true });
  const first = k.spawn().pid;
  const initial = new Uint8Array(3 * PAGE).map((_, i) => (i * 7) & 0xff);
  k.createFile('f', initial);
  const fd = k.open('f', O_RDWR);
  mmapAt(k, first, SHARED, MAX_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd);
  mmapAt(k, first, PRIVATE, MAX_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd);
  const framesAfterSetup = k.frames.freeCount;
  let view = initial.slice(); // the file as read(2) and every shared mapping see it
  const procs: ModelProc[] = [{ pid: first, copies: new Map() }];

  const pick = (i: number): ModelProc => procs[i % procs.length]!;
  const expected = (p: ModelProc, shared: boolean, pg: number, off: number): number => {
    if (pg * PAGE >= view.length) return VM_FAULT_SIGBUS;
    const copy = shared ? undefined : p.copies.get(pg);
    return copy !== undefined ? copy[off]! : view[pg * PAGE + off]!;
  };

  for (const o of ops) {
    switch (o.kind) {
      case 'store': {
        const p = pick(o.proc);
        k.switchTo(p.pid);
        const va = (o.shared ? SHARED : PRIVATE) + o.page * PAGE + o.offset;
        const r = k.store(va, 1, o.value);
        if (o.page * PAGE >= view.length) {
          expect(r).toBe(VM_FAULT_SIGBUS);
          break;
        }
        expect(r).toBe(0);
        if (o.shared) view[o.page * PAGE + o.offset] = o.value;
        else {
          let copy = p.copies.get(o.page);
          if (copy === undefined) {
            copy = view.slice(o.page * PAGE, (o.page + 1) * PAGE);
            p.copies.set(o.page, copy);
          }
          copy[o.offset] = o.value;
        }
        break;
      }
      case 'load': {
        const p = pick(o.proc);
        k.switchTo(p.pid);
        expect(k.load((o.shared ? SHARED : PRIVATE) + o.page * PAGE + o.offset, 1)).toBe(expected(p, o.shared, o.page, o.offset));
        break;
      }
      case 'write':
        if (o.page * PAGE >= view.length) break; // whole pages only: no growth by write(2)
        k.writeFile('f', o.page * PAGE + o.offset, new Uint8Array([o.value]));
        view[o.page * PAGE + o.offset] = o.value;
        break;
      case 'read':
        expect(Array.from(k.readFile('f', o.page * PAGE + o.offset, 1))).toEqual(o.page * PAGE < view.length ? [view[o.page * PAGE + o.offset]] : []);
        break;
      case 'msync': {
        const p = pick(o.proc);
        k.msync(SHARED, MAX_PAGES * PAGE, p.pid);
        expect(k.fileDisk('f')).toEqual(view);
        break;
      }
      case 'truncate': {
        k.truncate('f', o.pages * PAGE);
        const grown = new Uint8Array(o.pages * PAGE);
        grown.set(view.subarray(0, Math.min(view.length, grown.length)));
        view = grown;
        for (const p of procs) for (const index of [...p.copies.keys()]) if (index >= o.pages) p.copies.delete(index);
        break;
      }
      case 'fork': {
        if (procs.length >= 4) break;
        const p = pick(o.proc);
        const child = k.fork(p.pid).pid;
        procs.push({ pid: child, copies: new Map([...p.copies].map(([i, c]) => [i, c.slice()])) });
        break;
      }
      case 'exit': {
        if (procs.length === 1) break;
        const i = o.proc % procs.length;
        k.kill(procs[i]!.pid);
        procs.splice(i, 1);
        // Exit writes back this process's dirty pages; other mappers may still hold theirs.
        break;
      }
    }
  }
  // Every process sees what the model says, page by page.
  for (const p of procs) {
    k.switchTo(p.pid);
    for (let pg = 0; pg < MAX_PAGES; pg++) {
      for (const shared of [true, false]) expect(k.load((shared ? SHARED : PRIVATE) + pg * PAGE + 5, 1)).toBe(expected(p, shared, pg, 5));
    }
  }
  // The last exit writes everything back and frees every cached page and private copy.
  for (const p of procs) k.kill(p.pid);
  expect(k.fileDisk('f')).toEqual(view);
  expect(k.files()[0]).toMatchObject({ cachedPages: 0, opens: 0 });
  expect(k.stats().frames.data).toBe(0);
  expect(k.frames.freeCount).toBeGreaterThan(framesAfterSetup);
  expect(k.load(SHARED, 1)).toBe(ERR_NO_PROCESS);
}

describe.each(MODELS)('file mappings against the model on $name', ({ make }) => {
  it('shared, private, write(2), msync, truncate, fork and exit agree with the model', () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 50 }), (ops) => run(make, ops)), { numRuns: 30 });
  }, 120_000);
});
