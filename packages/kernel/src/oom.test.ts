// Out of memory at every kind of allocation point: the operation fails with OutOfMemoryError (or the access
// returns VM_FAULT_OOM), the machine is exactly as it was, and once frames are freed the same operation works.
// Memory is made to run out exactly: the free count is driven to 0, or to one less than the operation needs.

import { ACCESS_WRITE, type HardwareModel } from '@vmsim/hw';
import { describe, expect, it } from 'vitest';
import { OutOfMemoryError } from './errors.js';
import type { KernelEvent } from './events.js';
import { VM_FAULT_OOM } from './codes.js';
import { Kernel } from './kernel.js';
import { MODELS, newTablesFor, tablesFor } from './testing/models.js';
import { caught, expectSameSnapshot } from './testing/assertions.js';

const PAGE = 4096;
/** Larger than the span of a last-level table on every model: VA + n * REGION for n > 0 needs a table of its own. */
const REGION = 4 * 1024 * 1024;
const VA = 0x10000000;
/** Where the hog process takes its frames: a region of its own. */
const HOG = 0x40000000;

function boot(makeModel: () => HardwareModel, frames = 48): Kernel {
  return new Kernel({ model: makeModel(), ramBytes: frames * PAGE, checkInvariants: true });
}

/** Spawns a process that takes frames (one per written page) until exactly `leave` frames are free. */
function exhaust(k: Kernel, leave = 0): number {
  expect(k.frames.freeCount).toBeGreaterThan(leave);
  const hog = k.spawn().pid;
  let va = HOG;
  while (k.frames.freeCount > leave) {
    k.register(va, hog); // the first one takes its page tables, the others nothing
    if (k.frames.freeCount > leave) k.copyout(hog, va, new Uint8Array([0x77])); // one data frame
    va += PAGE;
  }
  expect(k.frames.freeCount).toBe(leave);
  return hog;
}

/** Empty processes holding one frame each (their root), to free memory one frame at a time. */
function spares(k: Kernel, n: number): number[] {
  return Array.from({ length: n }, () => k.spawn().pid);
}

/** Runs `op`, which must throw OutOfMemoryError with these fields, and checks that nothing changed. */
function expectOom(k: Kernel, op: () => unknown, fields: { operation: string; framesNeeded: number; framesFree: number }): void {
  const before = k.snapshot();
  const oom = k.stats().faults.oom;
  const error = caught(op);
  expect(OutOfMemoryError.isInstance(error)).toBe(true);
  expect(error).toBeInstanceOf(OutOfMemoryError);
  expect(error).toMatchObject(fields);
  expectSameSnapshot(k.snapshot(), before);
  expect(k.stats().faults.oom).toBe(oom + 1);
  k.checkInvariants();
}

/** Runs an access that must return VM_FAULT_OOM (-3), set `status`, and change nothing. */
function expectOomCode(k: Kernel, access: () => number | bigint): void {
  const before = k.snapshot();
  const oom = k.stats().faults.oom;
  const r = access();
  expect(VM_FAULT_OOM).toBe(-3);
  if (typeof r === 'number') expect(r).toBe(VM_FAULT_OOM);
  expect(k.status).toBe(VM_FAULT_OOM);
  expectSameSnapshot(k.snapshot(), before);
  expect(k.stats().faults.oom).toBe(oom + 1);
  k.checkInvariants();
}

describe.each(MODELS)('out of memory on $name', ({ make: makeModel }) => {
  it('page table: register into a region no last-level table covers with no frame free', () => {
    const k = boot(makeModel);
    const p = k.spawn();
    k.register(VA);
    const needed = newTablesFor(k.model, [VA], VA + REGION);
    expect(needed).toBeGreaterThanOrEqual(1);
    const spare = spares(k, needed);
    const hog = exhaust(k, 0);
    expectOom(k, () => k.register(VA + REGION), { operation: 'register', framesNeeded: needed, framesFree: 0 });
    expect(k.isRegistered(VA + REGION)).toBe(false);
    expect(k.regions(p.pid)).toHaveLength(1);
    // A page whose table exists needs no frame, so it still works.
    k.register(VA + PAGE);
    expect(k.frames.freeCount).toBe(0);
    // Frames back one at a time: one short is still too few, exactly enough works.
    for (const pid of spare.slice(0, -1)) k.kill(pid);
    if (needed > 1) {
      expectOom(k, () => k.register(VA + REGION), { operation: 'register', framesNeeded: needed, framesFree: needed - 1 });
    }
    k.kill(spare.at(-1)!);
    k.register(VA + REGION);
    expect(k.frames.freeCount).toBe(0);
    expect(k.load(VA + REGION, 4)).toBe(0);
    k.kill(hog);
    k.checkInvariants();
  });

  it('root: spawn with no frame free; the pid is not used up', () => {
    const k = boot(makeModel);
    const first = k.spawn();
    const [spare] = spares(k, 1);
    exhaust(k, 0);
    const pidsBefore = k.snapshot().nextPid;
    expectOom(k, () => k.spawn(), { operation: 'spawn', framesNeeded: 1, framesFree: 0 });
    k.kill(spare!);
    const p = k.spawn();
    expect(p.pid).toBe(pidsBefore);
    expect(k.frames.freeCount).toBe(0);
    expect(k.current).toBe(first);
  });

  it('directory/root of the child: fork with no frame free', () => {
    const k = boot(makeModel);
    const p = k.spawn();
    const [spare] = spares(k, 1);
    exhaust(k, 0);
    expectOom(k, () => k.fork(p.pid), { operation: 'fork', framesNeeded: 1, framesFree: 0 });
    k.kill(spare!);
    const c = k.fork(p.pid);
    expect(c.parentPid).toBe(p.pid);
    expect(k.frames.freeCount).toBe(0);
  });

  it('fork: one frame short of the child\'s page tables; the parent is not write-protected', () => {
    const k = boot(makeModel, 64);
    const p = k.spawn();
    const vas = [VA, VA + REGION, VA + 3 * REGION];
    for (const va of vas) {
      k.register(va);
      k.store(va, 4, va >>> 20);
    }
    const tables = k.pageTables(p.pid).length;
    expect(tables).toBe(tablesFor(k.model, vas));
    const [spare] = spares(k, 1);
    const hog = exhaust(k, tables - 1);
    expectOom(k, () => k.fork(), { operation: 'fork', framesNeeded: tables, framesFree: tables - 1 });
    expect(k.mappings(p.pid).every((m) => !m.cow && m.refCount === 1)).toBe(true);
    // Writes go straight through: no COW fault, nothing copied.
    const faults = k.stats().faults;
    for (const va of vas) expect(k.store(va, 4, 1)).toBe(0);
    expect(k.stats().faults).toEqual(faults);
    k.kill(spare!);
    const c = k.fork();
    expect(k.frames.freeCount).toBe(0);
    expect(k.pageTables(c.pid)).toHaveLength(tables);
    k.kill(hog);
  });

  it('zero-fill: a write to a zero-mapped page with no frame free returns VM_FAULT_OOM', () => {
    const k = boot(makeModel);
    const p = k.spawn();
    k.register(VA);
    k.register(VA + PAGE);
    expect(k.load(VA, 4)).toBe(0); // the walk's Accessed bits are set now, not during the failed write
    const [spare] = spares(k, 1);
    exhaust(k, 0);
    const events: KernelEvent[] = [];
    k.on((e) => events.push(e));
    expectOomCode(k, () => k.store(VA, 4, 1));
    expect(events).toEqual([{ type: 'fault', pid: p.pid, va: VA, access: 'write', resolution: 'oom' }]);
    expectOomCode(k, () => k.store(VA + 3, 1, 1));
    expectOomCode(k, () => k.store64(VA + 8, 1n));
    // The process survives: it can still read, and its other memory is intact.
    expect(k.load(VA, 4)).toBe(0);
    expect(k.status).toBe(0);
    expect(k.mappings(p.pid).map((m) => m.zeroPage)).toEqual([true, true]);
    // The handler itself reports the same, for any process.
    const before = k.snapshot();
    expect(k.handlePageFault(p.pid, VA, ACCESS_WRITE)).toBe(VM_FAULT_OOM);
    expectSameSnapshot(k.snapshot(), before);

    k.kill(spare!);
    const zeroFills = k.stats().faults.zeroFill;
    expect(k.store(VA, 4, 0xfeed)).toBe(0);
    expect(k.frames.freeCount).toBe(0);
    expect(k.load(VA, 4)).toBe(0xfeed);
    expect(k.stats().faults.zeroFill).toBe(zeroFills + 1);
  });

  it('zero-fill through write() and copyout(): OutOfMemoryError, nothing written', () => {
    const k = boot(makeModel);
    const p = k.spawn();
    k.register(VA);
    const [spare] = spares(k, 1);
    exhaust(k, 0);
    expectOom(k, () => k.write(VA + 5, new Uint8Array([1, 2])), { operation: 'write', framesNeeded: 1, framesFree: 0 });
    expectOom(k, () => k.copyout(p.pid, VA, new Uint8Array([3])), { operation: 'write', framesNeeded: 1, framesFree: 0 });
    k.kill(spare!);
    k.write(VA + 5, new Uint8Array([1, 2]));
    expect(Array.from(k.read(VA + 4, 4))).toEqual([0, 1, 2, 0]);
  });

  it('COW copy: a write to a shared page with no frame free; the sharer\'s data is untouched', () => {
    const k = boot(makeModel);
    const parent = k.spawn();
    k.register(VA);
    k.store(VA, 4, 0x0badf00d);
    const child = k.fork();
    k.switchTo(child.pid);
    expect(k.load(VA, 4)).toBe(0x0badf00d);
    const [spare] = spares(k, 1);
    exhaust(k, 0);
    expectOomCode(k, () => k.store(VA, 4, 1));
    expectOom(k, () => k.write(VA, new Uint8Array([1])), { operation: 'write', framesNeeded: 1, framesFree: 0 });
    expectOom(k, () => k.copyout(parent.pid, VA, new Uint8Array([1])), { operation: 'write', framesNeeded: 1, framesFree: 0 });
    expect(k.load(VA, 4)).toBe(0x0badf00d);
    expect(Array.from(k.copyin(parent.pid, VA, 4))).toEqual([0x0d, 0xf0, 0xad, 0x0b]);
    k.kill(spare!);
    expect(k.store(VA, 4, 2)).toBe(0);
    expect(k.frames.freeCount).toBe(0);
    expect(k.stats().faults.cowCopy).toBe(1);
    // The parent is the only user left: its write reuses the frame, which needs no free frame at all.
    k.switchTo(parent.pid);
    expect(k.store(VA, 4, 3)).toBe(0);
    expect(k.stats().faults.cowReuse).toBe(1);
    expect(k.load(VA, 4)).toBe(3);
    k.switchTo(child.pid);
    expect(k.load(VA, 4)).toBe(2);
  });

  it('write() spanning two pages with only one frame free writes nothing', () => {
    const k = boot(makeModel);
    k.spawn();
    k.register(VA);
    k.register(VA + PAGE);
    const [spare] = spares(k, 1);
    const hog = exhaust(k, 1);
    expectOom(k, () => k.write(VA + PAGE - 2, new Uint8Array([1, 2, 3, 4])), { operation: 'write', framesNeeded: 2, framesFree: 1 });
    expect(k.mappings().every((m) => m.zeroPage)).toBe(true);
    expect(k.frames.freeCount).toBe(1);
    k.kill(spare!);
    k.write(VA + PAGE - 2, new Uint8Array([1, 2, 3, 4]));
    expect(k.frames.freeCount).toBe(0);
    expect(Array.from(k.read(VA + PAGE - 3, 6))).toEqual([0, 1, 2, 3, 4, 0]);
    k.kill(hog);
  });

  it('a write from a writable page into a zero-mapped one with no frame free writes nothing at all', () => {
    const k = boot(makeModel);
    k.spawn();
    k.register(VA);
    k.register(VA + PAGE);
    k.write(VA, new Uint8Array(PAGE).fill(5));
    // Both translations are in the TLB now, so the failed accesses below cannot even change the TLB.
    expect(k.store(VA + PAGE - 4, 4, 0x05050505)).toBe(0);
    expect(k.load(VA + PAGE, 1)).toBe(0);
    exhaust(k, 0);
    expectOom(k, () => k.write(VA + PAGE - 3, new Uint8Array([9, 9, 9, 9, 9, 9])), { operation: 'write', framesNeeded: 1, framesFree: 0 });
    // The same through the user access path: the first half of the store is not written either.
    expectOomCode(k, () => k.store(VA + PAGE - 2, 4, 0x09090909));
    expectOomCode(k, () => k.store64(VA + PAGE - 4, 0x0909090909090909n));
    expect(k.read(VA, PAGE).every((b) => b === 5)).toBe(true);
  });

  it('copyout spanning two COW pages with one frame free copies nothing', () => {
    const k = boot(makeModel);
    const parent = k.spawn();
    k.register(VA);
    k.register(VA + PAGE);
    k.write(VA, new Uint8Array(2 * PAGE).fill(0x31));
    const child = k.fork();
    const [spare] = spares(k, 1);
    exhaust(k, 1);
    expectOom(k, () => k.copyout(child.pid, VA + PAGE - 1, new Uint8Array([7, 7])), { operation: 'write', framesNeeded: 2, framesFree: 1 });
    expect(k.mappings(child.pid).map((m) => m.refCount)).toEqual([2, 2]);
    k.kill(spare!);
    k.copyout(child.pid, VA + PAGE - 1, new Uint8Array([7, 7]));
    expect(Array.from(k.copyin(child.pid, VA + PAGE - 2, 4))).toEqual([0x31, 7, 7, 0x31]);
    expect(Array.from(k.copyin(parent.pid, VA + PAGE - 2, 4))).toEqual([0x31, 0x31, 0x31, 0x31]);
  });

  it('after OOM the whole machine keeps working: killing the hog gives every frame back', () => {
    const k = boot(makeModel);
    const p = k.spawn();
    k.register(VA);
    const baseline = k.stats().frames;
    const hog = exhaust(k, 0);
    expect(k.store(VA, 4, 1)).toBe(VM_FAULT_OOM);
    expect(OutOfMemoryError.isInstance(caught(() => k.fork()))).toBe(true);
    expect(OutOfMemoryError.isInstance(caught(() => k.spawn()))).toBe(true);
    k.kill(hog);
    expect(k.stats().frames).toEqual(baseline);
    expect(k.store(VA, 4, 1)).toBe(0);
    const c = k.fork(p.pid);
    k.switchTo(c.pid);
    expect(k.load(VA, 4)).toBe(1);
    k.checkInvariants();
  });
});
