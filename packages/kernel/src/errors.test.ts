import { HwArgumentError, VmsimError } from '@vmsim/hw';
import { describe, expect, it } from 'vitest';
import {
  AlreadyMappedError, FrameStateError, InvalidAddressError, InvalidArgumentError, KernelInvariantError,
  NoSuchProcessError, NotAlignedError, NotMappedError, OutOfMemoryError, PermissionDeniedError,
} from './errors.js';
import { Kernel } from './kernel.js';
import { MODELS, userEnd } from './testing/models.js';
import { caught, expectSameSnapshot } from './testing/assertions.js';

interface Case {
  readonly cls: { isInstance(value: unknown): boolean; readonly name: string };
  readonly make: () => Error;
  readonly fields: Record<string, unknown>;
  readonly marker: string;
  readonly says: readonly string[];
}

const cases: Case[] = [
  { cls: InvalidAddressError, make: () => new InvalidAddressError(-5, 'negative'), fields: { va: -5, reason: 'negative' }, marker: 'InvalidAddressError', says: ['-5', 'negative'] },
  { cls: NotMappedError, make: () => new NotMappedError(3, 0x1234), fields: { pid: 3, va: 0x1234 }, marker: 'NotMappedError', says: ['process 3', '0x1234'] },
  { cls: PermissionDeniedError, make: () => new PermissionDeniedError(2, 0x5000, 'execute'), fields: { pid: 2, va: 0x5000, access: 'execute' }, marker: 'PermissionDeniedError', says: ['execute', '0x5000'] },
  { cls: OutOfMemoryError, make: () => new OutOfMemoryError('fork', 7, 3), fields: { operation: 'fork', framesNeeded: 7, framesFree: 3 }, marker: 'OutOfMemoryError', says: ['fork', '7', '3'] },
  { cls: NoSuchProcessError, make: () => new NoSuchProcessError(42), fields: { pid: 42 }, marker: 'NoSuchProcessError', says: ['42'] },
  { cls: AlreadyMappedError, make: () => new AlreadyMappedError(1, 0x8000), fields: { pid: 1, va: 0x8000 }, marker: 'AlreadyMappedError', says: ['process 1', '0x8000'] },
  { cls: NotAlignedError, make: () => new NotAlignedError('va', 0x1001, 4096), fields: { argument: 'va', value: 0x1001, alignment: 4096 }, marker: 'NotAlignedError', says: ['0x1001', '4096'] },
  { cls: InvalidArgumentError, make: () => new InvalidArgumentError('length', 12n, 'too long'), fields: { argument: 'length', value: 12n, reason: 'too long' }, marker: 'InvalidArgumentError', says: ['12n', 'too long'] },
  { cls: FrameStateError, make: () => new FrameStateError('double free', 9, 0), fields: { operation: 'double free', pfn: 9, refCount: 0 }, marker: 'FrameStateError', says: ['double free', 'frame 9'] },
  { cls: KernelInvariantError, make: () => new KernelInvariantError(['a', 'b', 'c', 'd', 'e', 'f', 'g']), fields: { problems: ['a', 'b', 'c', 'd', 'e', 'f', 'g'] }, marker: 'KernelInvariantError', says: ['a; b; c; d; e', '+2 more'] },
];

describe('kernel error classes', () => {
  it.each(cases.map((c) => [c.marker, c] as const))('%s carries its fields, its name and a message naming them', (_n, c) => {
    const error = c.make();
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(VmsimError);
    expect(error.name).toBe(c.marker);
    expect(error).toMatchObject(c.fields);
    for (const s of c.says) expect(error.message).toContain(s);
  });

  it.each(cases.map((c) => [c.marker, c] as const))('%s.isInstance recognises only its own kind', (_n, c) => {
    const error = c.make();
    expect(c.cls.isInstance(error)).toBe(true);
    expect(VmsimError.isInstance(error)).toBe(true);
    for (const other of cases) {
      if (other !== c) expect(other.cls.isInstance(error)).toBe(false);
    }
    for (const junk of [null, undefined, 0, 'x', {}, new Error(c.marker), new HwArgumentError('a', 1, 'b')]) {
      expect(c.cls.isInstance(junk)).toBe(false);
    }
  });

  it.each(cases.map((c) => [c.marker, c] as const))('%s.isInstance works across copies of the package (Symbol.for markers)', (_n, c) => {
    const copy = {
      [Symbol.for('@vmsim/error')]: true,
      [Symbol.for(`@vmsim/kernel/${c.marker}`)]: true,
    };
    expect(c.cls.isInstance(copy)).toBe(true);
    // Its own marker without the common vmsim one is not enough.
    expect(c.cls.isInstance({ [Symbol.for(`@vmsim/kernel/${c.marker}`)]: true })).toBe(false);
  });

  it('messages show addresses above 2^32 in full (x86-64 and Sv39 user addresses)', () => {
    expect(new NotMappedError(1, 0x7f0000001234).message).toContain('0x7f0000001234');
    expect(new PermissionDeniedError(1, 0x3f00000000, 'write').message).toContain('0x3f00000000');
    expect(new AlreadyMappedError(1, 0x7ffffffff000).message).toContain('0x7ffffffff000');
    expect(new InvalidAddressError(2 ** 47, 'outside').message).toContain('0x800000000000');
    expect(new NotAlignedError('va', 0x100000001, 4096).message).toContain('0x100000001');
  });

  it('KernelInvariantError lists up to five problems without a count when there are few', () => {
    const e = new KernelInvariantError(['one', 'two']);
    expect(e.message).toContain('one; two');
    expect(e.message).not.toContain('more');
  });
});

describe.each(MODELS)('invalid arguments on $name throw typed errors and change nothing', ({ make: makeModel }) => {
  function machine(): { k: Kernel; va: number } {
    const k = new Kernel({ model: makeModel(), ramBytes: 64 * 4096, checkInvariants: true });
    k.spawn();
    const va = 0x10000;
    k.register(va);
    k.write(va, new Uint8Array([1, 2, 3]));
    k.fork();
    return { k, va };
  }

  function expectUnchanged(k: Kernel, action: () => unknown, check: (error: unknown) => void): void {
    const before = k.snapshot();
    const statsBefore = k.stats();
    const error = caught(action);
    check(error);
    expectSameSnapshot(k.snapshot(), before);
    expect(k.stats().frames).toEqual(statsBefore.frames);
    k.checkInvariants();
  }

  it('bad virtual addresses → InvalidAddressError with the va', () => {
    const { k } = machine();
    const pid = k.current!.pid;
    const end = userEnd(k.model);
    for (const bad of [-1, end, end + 4096, -end, 2 ** 53, 0.5, Number.NaN, Infinity, '4096' as unknown as number]) {
      const isBad = (e: unknown): void => {
        expect(InvalidAddressError.isInstance(e)).toBe(true);
        expect(Object.is((e as InvalidAddressError).va, bad)).toBe(true);
      };
      expectUnchanged(k, () => k.register(bad), isBad);
      expectUnchanged(k, () => k.write(bad, new Uint8Array(1)), isBad);
      expectUnchanged(k, () => k.read(bad, 1), isBad);
      expectUnchanged(k, () => k.copyout(pid, bad, new Uint8Array(1)), isBad);
      expectUnchanged(k, () => k.copyin(pid, bad, 1), isBad);
      expectUnchanged(k, () => k.translate(bad), isBad);
      expectUnchanged(k, () => k.isRegistered(bad), isBad);
      expectUnchanged(k, () => k.handlePageFault(pid, bad, 1), isBad);
    }
  });

  it('bad pids → NoSuchProcessError with the pid (unknown, terminated, not a number)', () => {
    const { k, va } = machine();
    const child = k.processes().at(-1)!.pid;
    k.kill(child);
    for (const bad of [999, -1, child, 1.5, 'x' as unknown as number]) {
      const isBad = (e: unknown): void => {
        expect(NoSuchProcessError.isInstance(e)).toBe(true);
        expect((e as NoSuchProcessError).pid).toBe(bad);
      };
      expectUnchanged(k, () => k.fork(bad), isBad);
      expectUnchanged(k, () => k.kill(bad), isBad);
      expectUnchanged(k, () => k.switchTo(bad), isBad);
      expectUnchanged(k, () => k.sleep(bad), isBad);
      expectUnchanged(k, () => k.register(va + 0x100000, bad), isBad);
      expectUnchanged(k, () => k.copyout(bad, va, new Uint8Array(1)), isBad);
      expectUnchanged(k, () => k.copyin(bad, va, 1), isBad);
      expectUnchanged(k, () => k.mappings(bad), isBad);
      expectUnchanged(k, () => k.pageTables(bad), isBad);
      expectUnchanged(k, () => k.regions(bad), isBad);
      expectUnchanged(k, () => k.handlePageFault(bad, va, 1), isBad);
    }
    // A terminated process is still known to process(), but an unknown pid is not.
    expect(k.process(child).state).toBe('terminated');
    expect(NoSuchProcessError.isInstance(caught(() => k.process(999)))).toBe(true);
  });

  it('lengths out of range → InvalidArgumentError naming the length', () => {
    const { k, va } = machine();
    const end = userEnd(k.model);
    for (const [at, length] of [[va, -1], [va, 1.5], [va, Number.NaN], [end - 0x1000, 0x2000], [va, end], [end - 1, 2]] as const) {
      const isBad = (e: unknown): void => {
        expect(InvalidArgumentError.isInstance(e)).toBe(true);
        expect(e).toMatchObject({ argument: 'length' });
        expect(Object.is((e as InvalidArgumentError).value, length)).toBe(true);
      };
      expectUnchanged(k, () => k.read(at, length), isBad);
      expectUnchanged(k, () => k.copyin(k.current!.pid, at, length), isBad);
    }
  });

  it('data that is not a Uint8Array → InvalidArgumentError naming the data', () => {
    const { k, va } = machine();
    for (const bad of [[1, 2, 3], 'abc', null, new Uint16Array(2), new ArrayBuffer(4)]) {
      const isBad = (e: unknown): void => {
        expect(InvalidArgumentError.isInstance(e)).toBe(true);
        expect(e).toMatchObject({ argument: 'data' });
      };
      expectUnchanged(k, () => k.write(va, bad as unknown as Uint8Array), isBad);
      expectUnchanged(k, () => k.copyout(k.current!.pid, va, bad as unknown as Uint8Array), isBad);
    }
  });

  it('a bad access kind for handlePageFault → InvalidArgumentError', () => {
    const { k, va } = machine();
    for (const bad of [3, -1, 'write']) {
      expectUnchanged(k, () => k.handlePageFault(k.current!.pid, va, bad as unknown as 0), (e) => {
        expect(InvalidArgumentError.isInstance(e)).toBe(true);
        expect(e).toMatchObject({ argument: 'access', value: bad });
      });
    }
  });

  it('a listener that is not a function → InvalidArgumentError', () => {
    const { k } = machine();
    expectUnchanged(k, () => k.on('log' as unknown as () => void), (e) => expect(InvalidArgumentError.isInstance(e)).toBe(true));
  });

  it('bad RAM sizes → InvalidArgumentError at construction', () => {
    for (const ramBytes of [0, 4096, 4096 * 2 + 1, -8192, 8192 + 2048, 2.5]) {
      const e = caught(() => new Kernel({ model: makeModel(), ramBytes }));
      expect(InvalidArgumentError.isInstance(e)).toBe(true);
      expect(e).toMatchObject({ argument: 'ramBytes', value: ramBytes });
    }
  });

  it('accesses to unregistered or forbidden memory → NotMappedError / PermissionDeniedError with pid and va', () => {
    const { k, va } = machine();
    const pid = k.current!.pid;
    const hole = va + 0x5000;
    expectUnchanged(k, () => k.write(hole + 3, new Uint8Array(1)), (e) => {
      expect(NotMappedError.isInstance(e)).toBe(true);
      expect(e).toMatchObject({ pid, va: hole + 3 });
    });
    expectUnchanged(k, () => k.read(hole, 4), (e) => expect(e).toMatchObject({ pid, va: hole }));
    // A write starting in the region and running into the hole fails on the hole's first byte, writing nothing.
    expectUnchanged(k, () => k.write(va + 4090, new Uint8Array(10)), (e) => {
      expect(NotMappedError.isInstance(e)).toBe(true);
      expect(e).toMatchObject({ pid, va: va + 4096 });
    });
    // Nothing was written into the first page either.
    expect(Array.from(k.read(va, 3))).toEqual([1, 2, 3]);
    expect(Array.from(k.read(va + 4090, 6))).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('registering an already registered page → AlreadyMappedError with pid and va', () => {
    const { k, va } = machine();
    const pid = k.current!.pid;
    expectUnchanged(k, () => k.register(va + 77), (e) => {
      expect(AlreadyMappedError.isInstance(e)).toBe(true);
      expect(e).toMatchObject({ pid, va: va + 77 });
    });
  });
});
