// Scenarios from the classic copy-on-write test suites (xv6 cowtest, Pintos cow-simple, the nanvix and
// refcount-overflow pitfalls), replayed on every hardware model with the kernel checking its invariants.

import type { HardwareModel } from '@vmsim/hw';
import { describe, expect, it } from 'vitest';
import { Kernel, type KernelOptions } from './kernel.js';
import { MODELS } from './testing/models.js';

const PAGE = 4096;
/** Where the scenarios' heap starts; on the 64-bit models they run a second time above 2^32 as well. */
const LOW_BASE = 0x00400000;
const CASES = MODELS.flatMap((m) => [
  { name: m.name, make: m.make, base: LOW_BASE },
  ...(m.highVa === null ? [] : [{ name: `${m.name} above 2^32`, make: m.make, base: m.highVa + LOW_BASE }]),
]);

function boot(makeModel: () => HardwareModel, frames: number, options: Partial<KernelOptions> = {}): Kernel {
  return new Kernel({ model: makeModel(), ramBytes: frames * PAGE, checkInvariants: true, ...options });
}

function pfnOf(k: Kernel, va: number, pid: number): number {
  const t = k.translate(va, pid);
  if (t === null) throw new Error(`0x${va.toString(16)} unmapped in pid ${pid}`);
  return t.pfn;
}

describe.each(CASES)('copy-on-write scenarios on $name', ({ make: makeModel, base: BASE }) => {
  /** Registers `pages` consecutive pages at BASE in the running process (the sbrk of the xv6 tests). */
  function sbrk(k: Kernel, pages: number): void {
    for (let i = 0; i < pages; i++) k.register(BASE + i * PAGE);
  }

  it('simpletest (×2): fork with more than half of RAM in use, the child exits, every frame comes back', () => {
    const frames = 256;
    const k = boot(makeModel, frames, { checkInvariants: false });
    const initial = k.stats().frames;
    const pages = Math.floor((frames * 3) / 5); // 153 pages: a full copy could never fit
    const runs: number[][] = [];
    for (let run = 0; run < 2; run++) {
      const parent = k.spawn();
      k.switchTo(parent.pid);
      sbrk(k, pages);
      for (let i = 0; i < pages; i++) expect(k.store(BASE + i * PAGE, 4, run * 1000 + i)).toBe(0);
      const used = k.stats().frames.used;
      expect(used).toBeGreaterThan(frames / 2);
      expect(k.stats().frames.free).toBeLessThan(pages); // an eager copy is impossible
      const beforeFork = k.stats().frames;

      const child = k.fork();
      k.checkInvariants();
      expect(k.stats().frames.data).toBe(beforeFork.data);
      k.switchTo(child.pid);
      for (let i = 0; i < pages; i += 17) expect(k.load(BASE + i * PAGE, 4)).toBe(run * 1000 + i);
      k.kill(child.pid);
      expect(k.stats().frames).toEqual(beforeFork);

      k.switchTo(parent.pid);
      for (let i = 0; i < pages; i++) expect(k.load(BASE + i * PAGE, 4)).toBe(run * 1000 + i);
      runs.push(k.mappings(parent.pid).map((m) => m.pfn));
      k.kill(parent.pid);
      k.checkInvariants();
      expect(k.stats().frames).toEqual(initial);
    }
    // The second run found the same frames free, in the same order.
    expect(runs[1]).toEqual(runs[0]);
  });

  it('threetest (×3): parent → child → grandchild each write their part and read back only their own values', () => {
    const frames = 256;
    const k = boot(makeModel, frames, { checkInvariants: false });
    const pages = frames / 4;
    const initial = k.stats().frames;
    for (let run = 0; run < 3; run++) {
      const parent = k.spawn();
      k.switchTo(parent.pid);
      sbrk(k, pages);
      for (let i = 0; i < pages; i++) k.store(BASE + i * PAGE, 4, 0x1000 + i);
      const beforeFork = k.stats().frames;
      const child = k.fork(parent.pid);
      const grandchild = k.fork(child.pid);
      k.checkInvariants();

      // The grandchild writes its pid into the first 4/5 of the pages, then checks them.
      k.switchTo(grandchild.pid);
      const gEnd = Math.floor((pages * 4) / 5);
      for (let i = 0; i < gEnd; i++) expect(k.store(BASE + i * PAGE, 4, grandchild.pid)).toBe(0);
      // The child writes 9999 into the first half.
      k.switchTo(child.pid);
      for (let i = 0; i < pages / 2; i++) expect(k.store(BASE + i * PAGE, 4, 9999)).toBe(0);
      // The parent writes every page.
      k.switchTo(parent.pid);
      for (let i = 0; i < pages; i++) expect(k.store(BASE + i * PAGE + 4, 4, ~i >>> 0)).toBe(0);
      k.checkInvariants();

      // Each sees only its own writes, over what it inherited.
      k.switchTo(grandchild.pid);
      for (let i = 0; i < pages; i++) {
        expect(k.load(BASE + i * PAGE, 4)).toBe(i < gEnd ? grandchild.pid : 0x1000 + i);
        expect(k.load(BASE + i * PAGE + 4, 4)).toBe(0);
      }
      k.kill(grandchild.pid);
      k.switchTo(child.pid);
      for (let i = 0; i < pages; i++) expect(k.load(BASE + i * PAGE, 4)).toBe(i < pages / 2 ? 9999 : 0x1000 + i);
      k.kill(child.pid);
      k.switchTo(parent.pid);
      for (let i = 0; i < pages; i++) {
        expect(k.load(BASE + i * PAGE, 4)).toBe(0x1000 + i);
        expect(k.load(BASE + i * PAGE + 4, 4)).toBe(~i >>> 0);
      }
      // The copies are freed: only the parent's own frames remain.
      expect(k.stats().frames).toEqual(beforeFork);
      expect(k.mappings(parent.pid).every((m) => m.refCount === 1)).toBe(true);
      k.kill(parent.pid);
      expect(k.stats().frames).toEqual(initial);
    }
    k.checkInvariants();
  });

  it('cow-simple: when the child writes, the parent keeps its original frame and the child gets a new one', () => {
    const k = boot(makeModel, 64);
    const parent = k.spawn();
    sbrk(k, 1);
    const text = new TextEncoder().encode('cow-simple: original');
    k.write(BASE, text);
    const original = pfnOf(k, BASE, parent.pid);
    const child = k.fork();
    expect(pfnOf(k, BASE, child.pid)).toBe(original);
    k.switchTo(child.pid);
    k.write(BASE, new TextEncoder().encode('cow-simple: CHANGED!'));
    expect(pfnOf(k, BASE, parent.pid)).toBe(original);
    const fresh = pfnOf(k, BASE, child.pid);
    expect(fresh).not.toBe(original);
    expect(k.frames.refCount(original)).toBe(1);
    expect(k.frames.refCount(fresh)).toBe(1);
    expect(new TextDecoder().decode(k.copyin(parent.pid, BASE, text.length))).toBe('cow-simple: original');
    expect(new TextDecoder().decode(k.read(BASE, text.length))).toBe('cow-simple: CHANGED!');
  });

  it('cow-reuse: a write after the other sharer died reuses the frame, no copy', () => {
    const k = boot(makeModel, 64);
    const parent = k.spawn();
    sbrk(k, 3);
    for (let i = 0; i < 3; i++) k.store(BASE + i * PAGE, 4, 40 + i);
    const before = k.mappings(parent.pid).map((m) => m.pfn);
    const child = k.fork();
    k.kill(child.pid);
    const s = k.stats();
    for (let i = 0; i < 3; i++) expect(k.store(BASE + i * PAGE, 4, 50 + i)).toBe(0);
    const after = k.stats();
    expect(after.faults.cowReuse).toBe(s.faults.cowReuse + 3);
    expect(after.faults.cowCopy).toBe(s.faults.cowCopy);
    expect(after.frames).toEqual(s.frames);
    expect(k.mappings(parent.pid).map((m) => m.pfn)).toEqual(before);
    for (let i = 0; i < 3; i++) expect(k.load(BASE + i * PAGE, 4)).toBe(50 + i);
  });

  it('the child writes last: it reuses the frame once the parent has its own copy', () => {
    const k = boot(makeModel, 64);
    const parent = k.spawn();
    sbrk(k, 1);
    k.store(BASE, 4, 1);
    const original = pfnOf(k, BASE, parent.pid);
    const child = k.fork();
    expect(k.store(BASE, 4, 2)).toBe(0); // the parent copies
    expect(pfnOf(k, BASE, parent.pid)).not.toBe(original);
    k.switchTo(child.pid);
    const reuse = k.stats().faults.cowReuse;
    expect(k.store(BASE, 4, 3)).toBe(0);
    expect(k.stats().faults.cowReuse).toBe(reuse + 1);
    expect(pfnOf(k, BASE, child.pid)).toBe(original);
    expect(k.load(BASE, 4)).toBe(3);
    expect(Array.from(k.copyin(parent.pid, BASE, 1))).toEqual([2]);
  });

  it('filetest: four rounds of a kernel copyout into the child\'s COW buffer never reach the parent', () => {
    const k = boot(makeModel, 64);
    const parent = k.spawn();
    sbrk(k, 2);
    const buf = BASE + PAGE - 2; // the buffer straddles two pages
    k.write(buf, new Uint8Array([99, 99, 99, 99]));
    for (let round = 0; round < 4; round++) {
      const child = k.fork();
      k.copyout(child.pid, buf, new Uint8Array([round, round, round, round]));
      expect(Array.from(k.copyin(child.pid, buf, 4))).toEqual([round, round, round, round]);
      expect(Array.from(k.read(buf, 4))).toEqual([99, 99, 99, 99]);
      k.kill(child.pid);
    }
    expect(k.load(buf, 1)).toBe(99);
  });

  it('forkforktest: many fork/kill rounds leave the parent\'s bytes intact and no frame leaked', () => {
    const k = boot(makeModel, 1024, { checkInvariants: false });
    const parent = k.spawn();
    const pages = 256;
    sbrk(k, pages);
    for (let i = 0; i < pages; i++) k.write(BASE + i * PAGE, new Uint8Array([27, 27, 27, 27]));
    const baseline = k.stats().frames;
    for (let iter = 0; iter < 100; iter++) {
      const family: number[] = [];
      for (let n = 0; n < 3; n++) {
        const c = k.fork(parent.pid);
        const cc = k.fork(c.pid); // fork();
        family.push(c.pid, cc.pid, k.fork(c.pid).pid, k.fork(cc.pid).pid); // fork();
      }
      // Some of them write, into pages the others still share.
      for (const [j, pid] of family.entries()) {
        if (j % 3 === 0) k.copyout(pid, BASE + ((iter * 7 + j * 13) % pages) * PAGE, new Uint8Array([j, iter & 0xff]));
      }
      if (iter % 25 === 0) k.checkInvariants();
      // Parents die before their children, in an order that varies.
      for (const pid of iter % 2 === 0 ? family : [...family].reverse()) k.kill(pid);
      expect(k.stats().frames).toEqual(baseline);
    }
    for (let i = 0; i < pages; i++) expect(k.load(BASE + i * PAGE, 4)).toBe(0x1b1b1b1b);
    expect(k.mappings(parent.pid).every((m) => m.refCount === 1)).toBe(true);
    k.checkInvariants();
  });

  it('a sharer dies while the others still share: the survivors keep the data and the refcounts follow', () => {
    const k = boot(makeModel, 128);
    const a = k.spawn();
    sbrk(k, 4);
    for (let i = 0; i < 4; i++) k.store(BASE + i * PAGE, 4, 0xa0 + i);
    const frames = k.mappings(a.pid).map((m) => m.pfn);
    const b = k.fork();
    const c = k.fork(b.pid);
    for (const pfn of frames) expect(k.frames.refCount(pfn)).toBe(3);
    k.kill(b.pid);
    for (const pfn of frames) expect(k.frames.refCount(pfn)).toBe(2);
    k.switchTo(c.pid);
    for (let i = 0; i < 4; i++) expect(k.load(BASE + i * PAGE, 4)).toBe(0xa0 + i);
    k.store(BASE, 4, 1);
    k.switchTo(a.pid);
    k.store(BASE, 4, 2); // now the only user of frames[0]
    expect(pfnOf(k, BASE, a.pid)).toBe(frames[0]);
    expect(Array.from(k.copyin(c.pid, BASE, 1))).toEqual([1]);
    expect(k.load(BASE, 4)).toBe(2);
  });

  it('many generations: each forked from the last, each sees its ancestors\' values up to its own fork', () => {
    const k = boot(makeModel, 256);
    const first = k.spawn();
    const generations = 12;
    sbrk(k, generations);
    const chain = [first];
    for (let g = 0; g < generations; g++) {
      const p = chain[g]!;
      k.switchTo(p.pid);
      expect(k.store(BASE + g * PAGE, 4, 1000 + g)).toBe(0);
      chain.push(k.fork(p.pid));
    }
    for (let g = 0; g <= generations; g++) {
      const p = chain[g]!;
      k.switchTo(p.pid);
      for (let page = 0; page < generations; page++) expect(k.load(BASE + page * PAGE, 4)).toBe(page <= g ? 1000 + page : 0);
    }
    // Kill from the middle out; the others keep working.
    for (const g of [6, 0, 12, 3, 9]) k.kill(chain[g]!.pid);
    k.switchTo(chain[7]!.pid);
    for (let page = 0; page < generations; page++) expect(k.load(BASE + page * PAGE, 4)).toBe(page <= 7 ? 1000 + page : 0);
  });
});
