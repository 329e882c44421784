// The reverse map kept exact through fault, fork, copy-on-write copy and reuse, shared anonymous and file
// pages, munmap, truncation and exit, on every model (the invariant sweep, on in these machines, compares it
// with the page tables after every operation); and the sweep catching a map that disagrees.

import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, KernelInvariantError } from '../errors.js';
import { O_CREAT, O_RDWR } from '../fs/file-store.js';
import { caught } from '../testing/assertions.js';
import { boot, PAGE, pfnOf, VA } from '../testing/kernel-helpers.js';
import { MODELS } from '../testing/models.js';
import { AddressSpace } from './address-space.js';
import { ReverseMap } from './rmap.js';
import { MAP_ANONYMOUS, MAP_SHARED, PROT_READ, PROT_WRITE } from './vma.js';

const RW = PROT_READ | PROT_WRITE;

describe('ReverseMap', () => {
  const space = {} as AddressSpace;
  const other = {} as AddressSpace;

  it('adds, counts and removes mappings per frame; a mapping not held is not removed', () => {
    const r = new ReverseMap();
    r.add(5, space, 1, 0x1000);
    r.add(5, other, 2, 0x1000);
    r.add(6, space, 1, 0x2000);
    expect(r.size).toBe(3);
    expect(r.frameCount).toBe(2);
    expect(r.count(5)).toBe(2);
    expect(r.remove(5, space, 0x2000)).toBe(false);
    expect(r.remove(7, space, 0x1000)).toBe(false);
    expect(r.remove(5, space, 0x1000)).toBe(true);
    expect(r.mappers(5)).toEqual([{ space: other, pid: 2, va: 0x1000 }]);
    expect(r.remove(5, other, 0x1000)).toBe(true);
    expect(r.count(5)).toBe(0);
    expect(r.frameCount).toBe(1);
    expect(r.size).toBe(1);
  });

  it('mappers() is a copy: removing while iterating it visits every mapping', () => {
    const r = new ReverseMap();
    for (let i = 0; i < 300; i++) r.add(9, space, i, i * PAGE);
    let seen = 0;
    for (const e of r.mappers(9)) {
      expect(r.remove(9, e.space, e.va)).toBe(true);
      seen++;
    }
    expect(seen).toBe(300);
    expect(r.size).toBe(0);
  });

  it('refuses a frame number that is not a non-negative integer', () => {
    const r = new ReverseMap();
    for (const bad of [-1, 1.5, Number.NaN, '3' as unknown as number]) {
      const e = caught(() => r.add(bad, space, 1, 0));
      expect(InvalidArgumentError.isInstance(e)).toBe(true);
    }
    expect(r.size).toBe(0);
  });
});

describe.each(MODELS)('the reverse map on $name', ({ make }) => {
  it('a written page has one mapping; the zero page none', () => {
    const k = boot(make, { reverseMap: true });
    const p = k.spawn();
    k.register(VA);
    k.register(VA + PAGE);
    k.store(VA, 4, 7);
    expect(k.load(VA + PAGE, 4)).toBe(0);
    expect(k.reverseMap(pfnOf(k, VA, p.pid))).toEqual([{ pid: p.pid, va: VA }]);
    expect(pfnOf(k, VA + PAGE, p.pid)).toBe(k.zeroPfn);
    expect(k.reverseMap(k.zeroPfn)).toEqual([]);
  });

  it('fork shares each page in both; a COW copy moves the writer to its new frame; the last sharer reuses', () => {
    const k = boot(make, { reverseMap: true });
    const a = k.spawn();
    k.register(VA);
    k.register(VA + PAGE);
    k.store(VA, 4, 1);
    k.store(VA + PAGE, 4, 2);
    const f0 = pfnOf(k, VA, a.pid);
    const f1 = pfnOf(k, VA + PAGE, a.pid);
    const b = k.fork();
    const c = k.fork(); // a fork of already-COW pages
    const all = [a.pid, b.pid, c.pid].map((pid) => ({ pid, va: VA }));
    expect(k.reverseMap(f0)).toEqual(all);
    k.switchTo(b.pid);
    k.store(VA, 4, 9);
    const copy = pfnOf(k, VA, b.pid);
    expect(copy).not.toBe(f0);
    expect(k.reverseMap(copy)).toEqual([{ pid: b.pid, va: VA }]);
    expect(k.reverseMap(f0)).toEqual([{ pid: a.pid, va: VA }, { pid: c.pid, va: VA }]);
    k.kill(c.pid);
    expect(k.reverseMap(f0)).toEqual([{ pid: a.pid, va: VA }]);
    expect(k.reverseMap(f1)).toEqual([{ pid: a.pid, va: VA + PAGE }, { pid: b.pid, va: VA + PAGE }]);
    k.switchTo(a.pid);
    k.store(VA, 4, 3); // sole owner now: reused in place
    expect(pfnOf(k, VA, a.pid)).toBe(f0);
    expect(k.reverseMap(f0)).toEqual([{ pid: a.pid, va: VA }]);
    k.munmap(VA + PAGE, PAGE);
    expect(k.reverseMap(f1)).toEqual([{ pid: b.pid, va: VA + PAGE }]);
    k.kill(b.pid);
    k.kill(a.pid);
    expect(k.reverseMap(f0)).toEqual([]);
    expect(k.reverseMap(f1)).toEqual([]);
    expect(k['ctx'].rmap.size).toBe(0);
  });

  it('a shared anonymous page lists every mapper, a forked child included', () => {
    const k = boot(make, { reverseMap: true });
    const a = k.spawn();
    const va = k.mmap(0, 2 * PAGE, RW, MAP_SHARED | MAP_ANONYMOUS);
    const b = k.fork();
    k.store(va, 4, 5);
    const f = pfnOf(k, va, a.pid);
    k.switchTo(b.pid);
    expect(k.load(va, 4)).toBe(5);
    expect(k.reverseMap(f)).toEqual([{ pid: a.pid, va }, { pid: b.pid, va }]);
    k.kill(a.pid);
    expect(k.reverseMap(f)).toEqual([{ pid: b.pid, va }]);
  });

  it('a shared file page lists both mappers; truncation and munmap take them out; the cache alone is no mapping', () => {
    const k = boot(make, { reverseMap: true });
    const a = k.spawn();
    k.createFile('f', new Uint8Array(2 * PAGE).fill(1));
    const fd = k.open('f', O_RDWR | O_CREAT);
    const v1 = k.mmap(0, 2 * PAGE, RW, MAP_SHARED, fd, 0);
    const v2 = k.mmap(0, 2 * PAGE, RW, MAP_SHARED, fd, 0);
    expect(k.load(v1, 1)).toBe(1);
    expect(k.load(v2, 1)).toBe(1);
    expect(k.load(v2 + PAGE, 1)).toBe(1);
    const f = pfnOf(k, v1, a.pid);
    expect(pfnOf(k, v2, a.pid)).toBe(f);
    expect(k.reverseMap(f)).toEqual([{ pid: a.pid, va: Math.min(v1, v2) }, { pid: a.pid, va: Math.max(v1, v2) }]);
    k.munmap(v1, 2 * PAGE);
    expect(k.reverseMap(f)).toEqual([{ pid: a.pid, va: v2 }]);
    const tail = pfnOf(k, v2 + PAGE, a.pid);
    k.truncate('f', PAGE);
    expect(k.reverseMap(tail)).toEqual([]);
    expect(k.reverseMap(f)).toEqual([{ pid: a.pid, va: v2 }]);
  });

  it('reverseMap refuses a frame outside RAM', () => {
    const k = boot(make, { reverseMap: true });
    for (const bad of [-1, k.frames.total, 0.5]) expect(InvalidArgumentError.isInstance(caught(() => k.reverseMap(bad)))).toBe(true);
  });

  it('the invariant sweep catches a missing, an extra and a misattributed mapping', () => {
    const k = boot(make, { checkInvariants: false, reverseMap: true });
    const a = k.spawn();
    k.register(VA);
    k.store(VA, 4, 1);
    const b = k.fork();
    k.checkInvariants();
    const f = pfnOf(k, VA, a.pid);
    const rmap = k['ctx'].rmap;
    const spaceA = k.process(a.pid).space!;
    const spaceB = k.process(b.pid).space!;
    const problems = (): string[] => {
      const e = caught(() => k.checkInvariants());
      expect(KernelInvariantError.isInstance(e)).toBe(true);
      return [...(e as KernelInvariantError).problems];
    };
    rmap.remove(f, spaceB, VA);
    expect(problems().some((s) => s.includes(`frame ${f} has 1 mapping(s) recorded, 2`))).toBe(true);
    rmap.add(f, spaceB, b.pid, VA);
    k.checkInvariants();
    rmap.add(f, spaceA, a.pid, VA + PAGE);
    expect(problems().some((s) => s.includes(`names pid ${a.pid} at 0x${(VA + PAGE).toString(16)}`))).toBe(true);
    rmap.remove(f, spaceA, VA + PAGE);
    rmap.remove(f, spaceB, VA);
    rmap.add(f, spaceA, b.pid, VA);
    expect(problems().some((s) => s.includes(`names pid ${b.pid}, which has another`))).toBe(true);
  });
});
