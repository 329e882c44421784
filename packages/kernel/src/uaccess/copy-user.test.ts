import {
  PTE_A, PTE_D,
} from '@vmsim/hw';
import { describe, expect, it } from 'vitest';
import { MODELS, userEnd } from '../testing/models.js';
import { expectSameSnapshot } from '../testing/assertions.js';
import { PAGE, VA, HOLE, boot, pfnOf } from '../testing/kernel-helpers.js';

describe.each(MODELS)('copyout / copyin on $name', ({ make: makeModel }) => {
  it('a kernel write into a COW page copies it: the parent keeps its data (xv6 filetest)', () => {
    const k = boot(makeModel);
    const parent = k.spawn();
    const buf = VA + 0x10;
    k.register(buf);
    expect(k.store(buf, 1, 99)).toBe(0);
    const frame = pfnOf(k, buf, parent.pid);
    for (let round = 0; round < 4; round++) {
      const child = k.fork();
      const copies = k.stats().faults.cowCopy;
      k.copyout(child.pid, buf, new Uint8Array([round, round + 1]));
      expect(k.stats().faults.cowCopy).toBe(copies + 1);
      expect(Array.from(k.copyin(child.pid, buf, 2))).toEqual([round, round + 1]);
      expect(k.load(buf, 1)).toBe(99);
      expect(pfnOf(k, buf, parent.pid)).toBe(frame);
      expect(pfnOf(k, buf, child.pid)).not.toBe(frame);
      k.kill(child.pid);
    }
    expect(k.ram.read8(frame * PAGE + 0x10)).toBe(99);
  });

  it('write() spans pages and regions, resolving each page\'s fault, and read() returns the same bytes', () => {
    const k = boot(makeModel);
    k.spawn();
    for (let i = 0; i < 3; i++) k.register(VA + i * PAGE);
    const data = new Uint8Array(2 * PAGE + 100).map((_, i) => (i * 7) & 0xff);
    k.write(VA + 50, data);
    expect(k.stats().faults.zeroFill).toBe(3);
    expect(Array.from(k.read(VA + 50, data.length))).toEqual(Array.from(data));
    expect(Array.from(k.read(VA, 50)).every((b) => b === 0)).toBe(true);
    expect(k.read(VA + 50, 0)).toEqual(new Uint8Array(0));
    for (let i = 0; i < 3; i++) expect(k.translate(VA + i * PAGE)!.flags & (PTE_A | PTE_D)).toBe(PTE_A | PTE_D);
  });

  it('a zero-length read or write succeeds anywhere, aligned or not, and changes nothing', () => {
    const k = boot(makeModel);
    const a = k.spawn();
    k.register(VA);
    const before = k.snapshot();
    for (const va of [HOLE, HOLE + 1, VA + 7, 0xffffffff, userEnd(k.model) - 1]) {
      expect(k.read(va, 0)).toEqual(new Uint8Array(0));
      expect(k.copyin(a.pid, va, 0)).toEqual(new Uint8Array(0));
      k.write(va, new Uint8Array(0));
      k.copyout(a.pid, va, new Uint8Array(0));
    }
    expectSameSnapshot(k.snapshot(), before);
    expect(k.stats().faults.segfault).toBe(0);
  });

  it('copyin of a process that is not running reads its own frames', () => {
    const k = boot(makeModel);
    const a = k.spawn();
    k.register(VA);
    k.store(VA, 4, 0x01020304);
    const b = k.spawn();
    k.register(VA, b.pid);
    k.copyout(b.pid, VA, new Uint8Array([9, 9, 9, 9]));
    expect(Array.from(k.copyin(a.pid, VA, 4))).toEqual([4, 3, 2, 1]);
    expect(Array.from(k.copyin(b.pid, VA, 4))).toEqual([9, 9, 9, 9]);
    expect(k.load(VA, 4)).toBe(0x01020304);
  });
});
