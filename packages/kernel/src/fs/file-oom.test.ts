// Out of memory in the file paths, at every allocation point: a file fault (the cache frame, the page
// tables, a private copy), a kernel copy into a file mapping (probed first), fork of a space with file
// mappings. Each refusal leaves the machine exactly as it was (the snapshot includes the file store and
// page cache), and the same operation succeeds once frames are free again.

import { describe, expect, it } from 'vitest';
import { VM_FAULT_OOM } from '../codes.js';
import { OutOfMemoryError } from '../errors.js';
import { Kernel } from '../kernel.js';
import { MAP_PRIVATE, MAP_SHARED, PROT_READ, PROT_WRITE } from '../mm/vma.js';
import { caught, expectSameSnapshot } from '../testing/assertions.js';
import { mmapAt } from '../testing/file-helpers.js';
import { PAGE, VA } from '../testing/kernel-helpers.js';
import { MODELS } from '../testing/models.js';
import { O_RDWR } from './file-store.js';

const HOG = 0x40000000;
const RW = PROT_READ | PROT_WRITE;

/** A second process takes frames (one per written page) until exactly `leave` are free; returns its pid. */
function exhaust(k: Kernel, leave: number): number {
  const hog = k.spawn().pid;
  let va = HOG;
  while (k.frames.freeCount > leave) {
    k.register(va, hog);
    if (k.frames.freeCount > leave) k.copyout(hog, va, new Uint8Array([1]));
    va += PAGE;
  }
  expect(k.frames.freeCount).toBe(leave);
  return hog;
}

function setup(make: () => ReturnType<typeof MODELS[number]['make']>, flags: number) {
  const k = new Kernel({ model: make(), ramBytes: 64 * PAGE, checkInvariants: true });
  const pid = k.spawn().pid;
  k.createFile('f', new Uint8Array(3 * PAGE).fill(7));
  const fd = k.open('f', O_RDWR);
  mmapAt(k, pid, VA, 3 * PAGE, RW, flags, fd);
  return { k, pid };
}

function expectOomAccess(k: Kernel, access: () => number): void {
  const before = k.snapshot();
  const oom = k.stats().faults.oom;
  expect(access()).toBe(VM_FAULT_OOM);
  expectSameSnapshot(k.snapshot(), before);
  expect(k.stats().faults.oom).toBe(oom + 1);
  k.checkInvariants();
}

describe.each(MODELS)('out of memory in file mappings on $name', ({ make }) => {
  it('a shared fault: no frame for the page tables, then none for the cache page', () => {
    const { k } = setup(make, MAP_SHARED);
    const hog = exhaust(k, 0);
    expectOomAccess(k, () => k.load(VA, 1));
    k.kill(hog);
    expect(k.load(VA, 1)).toBe(7);
    // The tables exist now; the next page needs only its cache frame.
    const hog2 = exhaust(k, 0);
    expectOomAccess(k, () => k.store(VA + PAGE, 1, 1));
    k.kill(hog2);
    expect(k.store(VA + PAGE, 1, 9)).toBe(0);
    expect(k.readFile('f', PAGE, 1)[0]).toBe(9);
  });

  it('a cached page needs no frame: a second mapper of it faults with none free', () => {
    const { k, pid } = setup(make, MAP_SHARED);
    k.register(VA + 3 * PAGE); // the second mapping shares the tables
    expect(k.load(VA, 1)).toBe(7);
    const fd = k.open('f', O_RDWR);
    mmapAt(k, pid, VA + 4 * PAGE, PAGE, PROT_READ, MAP_SHARED, fd);
    exhaust(k, 0);
    expect(k.load(VA + 4 * PAGE, 1)).toBe(7);
  });

  it('a private write: no frame for the copy (first touch), then none for the copy of a read page', () => {
    const { k } = setup(make, MAP_PRIVATE);
    k.register(VA + 3 * PAGE);
    expect(k.load(VA, 1)).toBe(7); // tables and the cache page of page 0
    const hog = exhaust(k, 0);
    expectOomAccess(k, () => k.store(VA + PAGE, 1, 1)); // do_cow_fault
    expectOomAccess(k, () => k.store(VA, 1, 1)); // wp_page_copy of the cached page
    k.kill(hog);
    expect(k.store(VA, 1, 1)).toBe(0);
    expect(k.store(VA + PAGE, 1, 2)).toBe(0);
    expect(k.readFile('f', 0, 2 * PAGE).every((b) => b === 7)).toBe(true);
  });

  it('a kernel copy into a file mapping is probed first: one frame short, nothing is written', () => {
    const { k } = setup(make, MAP_SHARED);
    k.register(VA + 3 * PAGE);
    expect(k.load(VA, 1)).toBe(7);
    // Pages 1 and 2 need a cache frame each.
    exhaust(k, 1);
    const before = k.snapshot();
    const error = caught(() => k.write(VA + PAGE - 1, new Uint8Array(PAGE + 2).fill(5)));
    expect(error).toBeInstanceOf(OutOfMemoryError);
    expect(error).toMatchObject({ framesNeeded: 2, framesFree: 1 });
    expectSameSnapshot(k.snapshot(), before);
    k.write(VA + PAGE - 1, new Uint8Array(PAGE + 1).fill(5));
    expect(Array.from(k.readFile('f', PAGE - 1, 3))).toEqual([5, 5, 5]);
  });

  it('a page-crossing load into an uncached file page with no frame: refused before either page is touched', () => {
    const { k } = setup(make, MAP_SHARED);
    k.register(VA + 3 * PAGE);
    expect(k.load(VA, 1)).toBe(7);
    exhaust(k, 0);
    expectOomAccess(k, () => k.load(VA + PAGE - 2, 4));
  });
});
