// Every error class that hw, kernel and sim-api export from their index, checked the same way: a literal
// `name` (its export name, an own property that a minifier cannot rename), the Linux errno name where Linux
// has one, and `isInstance` that matches its own instances, instances made by a second copy of the packages,
// and nothing of any other class. A class exported without a sample here fails the walk, so a new one is
// checked the day it is added.

import * as hw from '@vmsim/hw';
import * as kernel from '@vmsim/kernel';
import { describe, expect, it, vi } from 'vitest';
import * as api from './index.js';

type Module = Record<string, unknown>;
interface ErrorClass {
  new (...args: never[]): Error;
  readonly marker: string;
  isInstance(value: unknown): boolean;
}

/** A memory map for the samples of the memory-map errors. */
const MAP = { vmarea: { start: 0, end: 0x1000 }, pmarea: { start: 0x2000, end: 0x2fff }, permissions: 0, isShared: false };

/** Per class: arguments to construct a sample with, and its errno (undefined: no Linux errno fits). */
const SAMPLES: Readonly<Record<string, { readonly args: readonly unknown[]; readonly errno: string | undefined }>> = {
  VmsimError: { args: ['something failed'], errno: undefined },
  PhysicalAddressError: { args: [0x10000, 4, 0x10000], errno: 'EFAULT' },
  HwArgumentError: { args: ['levels', 9, 'expected 2 to 5'], errno: 'EINVAL' },
  UnknownModelError: { args: ['arm', hw.MODEL_NAMES], errno: 'EINVAL' },
  InvalidAddressError: { args: [-5, 'negative'], errno: 'EFAULT' },
  NotMappedError: { args: [3, 0x1234], errno: 'EFAULT' },
  PermissionDeniedError: { args: [2, 0x5000, 'execute'], errno: 'EACCES' },
  OutOfMemoryError: { args: ['fork', 7, 3], errno: 'ENOMEM' },
  OomKilledError: { args: ['write', 3], errno: 'ENOMEM' },
  NoSuchProcessError: { args: [42], errno: 'ESRCH' },
  AlreadyMappedError: { args: [1, 0x8000], errno: 'EEXIST' },
  NotAlignedError: { args: ['va', 0x1001, 4096], errno: 'EINVAL' },
  InvalidArgumentError: { args: ['length', 12n, 'too long'], errno: 'EINVAL' },
  InvalidOptionError: { args: ['tlb', null, 'expected an object'], errno: 'EINVAL' },
  FrameStateError: { args: ['double free', 9, 0], errno: 'EINVAL' },
  SwapSlotError: { args: ['double free', 3, 0], errno: 'EINVAL' },
  // A bug in vmsim, not a failure a Linux call reports: no errno.
  KernelInvariantError: { args: [['refcount of frame 3 is 2, 1 mapping']], errno: undefined },
  InvalidValueError: { args: ['UnsignedByte', 256, 'out of range'], errno: 'EINVAL' },
  InvalidSizeError: { args: ['mmap', 0, 'length 0'], errno: 'EINVAL' },
  RegionNotFoundError: { args: [1, 0x5000], errno: 'ENOMEM' },
  MapCountError: { args: [1, 65531, 65530], errno: 'ENOMEM' },
  AddressSpaceError: { args: [1, 0x1000, 'no gap'], errno: 'ENOMEM' },
  OvercommitError: { args: [70000, 4096], errno: 'ENOMEM' },
  NotPermittedError: { args: ['mmap', 0x1000, 'below mmap_min_addr'], errno: 'EPERM' },
  InvalidPointerError: { args: [-1, 'negative'], errno: 'EFAULT' },
  TraceReplayError: { args: [7, 3, 0x40003000, -4, 'ENOMEM'], errno: 'ENOMEM' },
  // The kernel's file store (fs/errors.ts).
  BadFileDescriptorError: { args: [1, 7, 'not an open descriptor'], errno: 'EBADF' },
  NoSuchFileError: { args: ['notes'], errno: 'ENOENT' },
  FileExistsError: { args: ['notes'], errno: 'EEXIST' },
  FileAccessError: { args: [1, 3, 'not open for reading'], errno: 'EACCES' },
  TooManyOpenFilesError: { args: [1, 1024], errno: 'EMFILE' },
  BeyondEndOfFileError: { args: [1, 0x10002000], errno: 'EFAULT' },
  UnmappedRangeError: { args: [1, 0x10002000, 'msync'], errno: 'ENOMEM' },
  UnsupportedFlagError: { args: ['x86-32', 'NO_EXECUTE', 1, 'no execute-disable bit'], errno: 'EINVAL' },
  MemoryMapAlignmentError: { args: [MAP, 4096], errno: 'EINVAL' },
  MemoryMapOverlapError: { args: [MAP, 0, MAP], errno: 'EEXIST' },
  MemoryMapSizeMismatchError: { args: [MAP], errno: 'EINVAL' },
  FrameInUseError: { args: [MAP, 3, 'table frame'], errno: 'EBUSY' },
};

/** The error classes one module exports, by export name. */
function errorClasses(module: Module): [string, ErrorClass][] {
  return Object.entries(module).filter(
    (entry): entry is [string, ErrorClass] => typeof entry[1] === 'function' && (entry[1] === Error || entry[1].prototype instanceof Error),
  );
}

const LAYERS: readonly (readonly [string, Module])[] = [['@vmsim/hw', hw], ['@vmsim/kernel', kernel], ['@vmsim/sim-api', api]];

/** Every distinct class across the layers (a re-export is the same class), by name. */
const ALL = new Map<string, ErrorClass>();
for (const [, module] of LAYERS) for (const [name, cls] of errorClasses(module)) ALL.set(name, cls);

function sample(name: string, cls: ErrorClass): Error {
  const s = SAMPLES[name];
  if (s === undefined) throw new Error(`no sample arguments for ${name}: add it to SAMPLES`);
  return new cls(...(s.args as never[]));
}

describe('the error classes of every layer', () => {
  it('the walk finds every class it should (hw, kernel and sim-api each export some)', () => {
    for (const [layer, module] of LAYERS) expect(errorClasses(module).length, layer).toBeGreaterThan(0);
    expect([...ALL.keys()].sort()).toEqual(Object.keys(SAMPLES).sort());
  });

  describe.each(LAYERS.map(([layer, module]) => ({ layer, module })))('$layer', ({ module }) => {
    it.each(errorClasses(module).map(([name, cls]) => ({ name, cls })))('$name: literal name, errno, marker', ({ name, cls }) => {
      const e = sample(name, cls);
      expect(e).toBeInstanceOf(Error);
      expect(e.name).toBe(name);
      // An own property set at construction (from a literal or the marker string), not the constructor's
      // name, which a consumer's minifier would rename.
      expect(Object.getOwnPropertyDescriptor(e, 'name')?.value).toBe(name);
      expect(cls.marker === '@vmsim/error' ? 'VmsimError' : cls.marker.slice(cls.marker.lastIndexOf('/') + 1)).toBe(name);
      expect((e as { errno?: unknown }).errno).toBe(SAMPLES[name]!.errno);
      if (SAMPLES[name]!.errno !== undefined) expect((e as { errno?: string }).errno).toMatch(/^E[A-Z]+$/);
      expect(e.message.length).toBeGreaterThan(0);
      expect(hw.VmsimError.isInstance(e)).toBe(true);
    });

    it.each(errorClasses(module).map(([name, cls]) => ({ name, cls })))('$name: isInstance matches it and no other class', ({ name, cls }) => {
      const e = sample(name, cls);
      for (const [other, otherCls] of ALL) {
        const expected = otherCls === cls || other === 'VmsimError';
        expect(otherCls.isInstance(e), `${other}.isInstance(new ${name})`).toBe(expected);
      }
      expect(cls.isInstance(new Error(name))).toBe(false);
      expect(cls.isInstance({ name, message: 'look-alike' })).toBe(false);
      expect(cls.isInstance(null)).toBe(false);
    });
  });

  it('one class per meaning: sim-api re-exports the kernel\'s InvalidArgumentError and InvalidOptionError and hw\'s VmsimError', () => {
    expect(api.InvalidArgumentError).toBe(kernel.InvalidArgumentError);
    expect(api.InvalidOptionError).toBe(kernel.InvalidOptionError);
    expect(api.VmsimError).toBe(hw.VmsimError);
  });

  it('isInstance works across copies of the packages (a second load of every module)', async () => {
    vi.resetModules();
    const copies: readonly Module[] = [await import('@vmsim/hw'), await import('@vmsim/kernel'), await import('./index.js')];
    expect(copies[0]!.VmsimError).not.toBe(hw.VmsimError);
    for (const copy of copies) {
      for (const [name, copyCls] of errorClasses(copy)) {
        const here = ALL.get(name)!;
        expect(copyCls, name).not.toBe(here);
        const fromCopy = sample(name, copyCls);
        expect(fromCopy instanceof here, name).toBe(false);
        expect(here.isInstance(fromCopy), `${name} from another copy`).toBe(true);
        expect(copyCls.isInstance(sample(name, here)), `${name} into another copy`).toBe(true);
        expect(hw.VmsimError.isInstance(fromCopy)).toBe(true);
      }
    }
  });
});
