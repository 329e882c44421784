import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HwArgumentError, PhysicalAddressError } from './errors.js';
import { INITIAL_COMMIT_BYTES, MAX_RAM_BYTES, PhysicalMemory } from './physical-memory.js';
import { expectArgumentError, thrown } from './testing/argument-errors.js';

// The package compiles without Node's types; reach the host's memory statistics through globalThis.
const host = globalThis as unknown as { process: { memoryUsage(): { rss: number } } };

function expectAddressError(fn: () => unknown, pa: number, length: number, ramSize: number): PhysicalAddressError {
  const error = thrown(fn);
  expect(PhysicalAddressError.isInstance(error)).toBe(true);
  expect(error).toBeInstanceOf(PhysicalAddressError);
  const e = error as PhysicalAddressError;
  expect(e.pa).toBe(pa);
  expect(e.length).toBe(length);
  expect(e.ramSize).toBe(ramSize);
  return e;
}

const KIB = 1024;
const MIB = 1024 * KIB;
const GIB = 1024 * MIB;

describe('PhysicalMemory sizes', () => {
  it('MAX_RAM_BYTES is the 4 GiB of a 32-bit physical address space', () => {
    expect(MAX_RAM_BYTES).toBe(4294967296);
  });

  it('accepts exactly one frame and reports size, frameSize and frameCount', () => {
    const ram = new PhysicalMemory(4096);
    expect(ram.size).toBe(4096);
    expect(ram.frameSize).toBe(4096);
    expect(ram.frameCount).toBe(1);
    expect(ram.isFrameZero(0)).toBe(true);
    ram.commitFrame(0);
    expect(ram.bytes.length).toBe(4096);
    expect(ram.view.byteLength).toBe(4096);
  });

  it('honours a custom power-of-two frame size, down to 1 byte', () => {
    const ram = new PhysicalMemory(1024, { frameSize: 256 });
    expect(ram.frameSize).toBe(256);
    expect(ram.frameCount).toBe(4);
    const tiny = new PhysicalMemory(1, { frameSize: 1 });
    expect(tiny.frameCount).toBe(1);
    tiny.write8(0, 0x5a);
    expect(tiny.read8(0)).toBe(0x5a);
  });

  it('starts zero-filled', () => {
    const ram = new PhysicalMemory(4 * 4096);
    expect(ram.bytes.every((b) => b === 0)).toBe(true);
  });

  it('allocates exactly 4 GiB lazily: RSS grows by far less than 1 GiB after touching both ends', () => {
    const before = host.process.memoryUsage().rss;
    const ram = new PhysicalMemory(MAX_RAM_BYTES);
    expect(ram.size).toBe(2 ** 32);
    expect(ram.frameCount).toBe(2 ** 20);
    ram.write8(0, 0x11);
    ram.write32(4, 0xcafebabe);
    ram.write32(MAX_RAM_BYTES - 4, 0xdeadbeef);
    ram.write64(MAX_RAM_BYTES - 16, -2n);
    ram.write8(MAX_RAM_BYTES - 5, 0x77);
    expect(ram.read8(0)).toBe(0x11);
    expect(ram.read32(4)).toBe(0xcafebabe);
    expect(ram.read32(MAX_RAM_BYTES - 4)).toBe(0xdeadbeef);
    expect(ram.read64(MAX_RAM_BYTES - 16)).toBe(2n ** 64n - 2n);
    expect(ram.read8(MAX_RAM_BYTES - 5)).toBe(0x77);
    expect(ram.read8(MAX_RAM_BYTES / 2)).toBe(0);
    expect(ram.frameAddress(0xfffff)).toBe(0xfffff000);
    expect(ram.isFrameZero(0x80000)).toBe(true);
    // A frame in the upper half still works (addresses above 2^31 must not go negative).
    ram.fillFrame(0xffffe, 0xa5);
    expect(ram.read8(0xffffe000)).toBe(0xa5);
    expect(ram.read8(0xfffff000 - 1)).toBe(0xa5);
    expect(ram.read8(0xfffff000)).toBe(0);
    const after = host.process.memoryUsage().rss;
    expect(after - before).toBeLessThan(GIB / 4);
    expectAddressError(() => ram.read8(MAX_RAM_BYTES), MAX_RAM_BYTES, 1, MAX_RAM_BYTES);
  });

  it.each([
    [0, 0],
    [4095, 4095],
    [4096 + 1, 4097],
    [6144, 6144],
    [4096.5, 4096.5],
    [-4096, -4096],
    [Number.NaN, Number.NaN],
    [MAX_RAM_BYTES + 4096, MAX_RAM_BYTES + 4096],
  ])('rejects RAM size %s with HwArgumentError', (size, value) => {
    const error = expectArgumentError(() => new PhysicalMemory(size), 'RAM size', value);
    if (Number.isInteger(size) && size > 4096 && size <= MAX_RAM_BYTES) expect(error.reason).toContain('multiple');
  });

  it.each([0, 3, 100, 4096 + 4096 / 2, -4096, 1.5, Number.NaN, MAX_RAM_BYTES * 2])(
    'rejects frame size %s with HwArgumentError',
    (frameSize) => {
      const error = expectArgumentError(() => new PhysicalMemory(MAX_RAM_BYTES, { frameSize }), 'frameSize', frameSize);
      if (frameSize === 3 || frameSize === 100 || frameSize === 6144) expect(error.reason).toContain('power of two');
    },
  );

  it('rejects a RAM size smaller than its frame size', () => {
    expectArgumentError(() => new PhysicalMemory(256, { frameSize: 512 }), 'RAM size', 256);
    expectArgumentError(() => new PhysicalMemory(768, { frameSize: 512 }), 'RAM size', 768);
  });
});

describe('PhysicalMemory reads and writes', () => {
  const ram = () => new PhysicalMemory(2 * 4096);

  it('8-bit', () => {
    const m = ram();
    m.write8(10, 0xab);
    expect(m.read8(10)).toBe(0xab);
    expect(m.bytes[10]).toBe(0xab);
    expect(m.read8(9)).toBe(0);
    expect(m.read8(11)).toBe(0);
  });

  it('16-bit little-endian', () => {
    const m = ram();
    m.write16(0x101, 0xbeef);
    expect([...m.bytes.subarray(0x100, 0x104)]).toEqual([0, 0xef, 0xbe, 0]);
    expect(m.read16(0x101)).toBe(0xbeef);
    m.bytes.set([0x34, 0x12], 0x200);
    expect(m.read16(0x200)).toBe(0x1234);
  });

  it('32-bit little-endian, unsigned, negatives stored as two’s complement', () => {
    const m = ram();
    m.write32(0x203, 0x12345678);
    expect([...m.bytes.subarray(0x203, 0x207)]).toEqual([0x78, 0x56, 0x34, 0x12]);
    expect(m.read32(0x203)).toBe(0x12345678);
    m.write32(0x300, 0x80000001);
    expect(m.read32(0x300)).toBe(0x80000001);
    m.write32(0x400, -1);
    expect(m.read32(0x400)).toBe(0xffffffff);
    expect([...m.bytes.subarray(0x400, 0x404)]).toEqual([0xff, 0xff, 0xff, 0xff]);
    m.write32(0x500, -2);
    expect(m.read32(0x500)).toBe(0xfffffffe);
  });

  it('64-bit bigint little-endian; negatives as two’s complement; only the low 64 bits are kept', () => {
    const m = ram();
    m.write64(0x10, 0x0102030405060708n);
    expect([...m.bytes.subarray(0x10, 0x18)]).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);
    expect(m.read64(0x10)).toBe(0x0102030405060708n);
    expect(m.read32(0x10)).toBe(0x05060708);
    expect(m.read32(0x14)).toBe(0x01020304);

    m.write64(0x20, -1n);
    expect(m.read64(0x20)).toBe(0xffffffffffffffffn);
    m.write64(0x28, -2n);
    expect([...m.bytes.subarray(0x28, 0x30)]).toEqual([0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    expect(m.read64(0x28)).toBe(2n ** 64n - 2n);
    m.write64(0x30, -(2n ** 63n));
    expect(m.read64(0x30)).toBe(0x8000000000000000n);

    m.write64(0x40, 2n ** 64n + 5n);
    expect(m.read64(0x40)).toBe(5n);
    m.write64(0x48, 0xffffffffffffffffn);
    expect(m.read64(0x48)).toBe(0xffffffffffffffffn);
    expect(m.read8(0x50)).toBe(0);
  });

  it('f32 little-endian IEEE single', () => {
    const m = ram();
    m.writeF32(0, 1.5);
    expect([...m.bytes.subarray(0, 4)]).toEqual([0x00, 0x00, 0xc0, 0x3f]);
    expect(m.read32(0)).toBe(0x3fc00000);
    expect(m.readF32(0)).toBe(1.5);
    m.writeF32(8, 0.1);
    expect(m.readF32(8)).toBe(Math.fround(0.1));
    m.writeF32(12, -0);
    expect(Object.is(m.readF32(12), -0)).toBe(true);
    expect(m.read32(12)).toBe(0x80000000);
    m.write32(16, 0x7f800000);
    expect(m.readF32(16)).toBe(Number.POSITIVE_INFINITY);
  });

  it('f64 little-endian IEEE double', () => {
    const m = ram();
    m.writeF64(0, 1);
    expect([...m.bytes.subarray(0, 8)]).toEqual([0, 0, 0, 0, 0, 0, 0xf0, 0x3f]);
    expect(m.read64(0)).toBe(0x3ff0000000000000n);
    m.writeF64(8, -2.5);
    expect(m.read64(8)).toBe(0xc004000000000000n);
    expect(m.readF64(8)).toBe(-2.5);
    m.writeF64(16, 0.1);
    expect(m.readF64(16)).toBe(0.1);
    m.writeF64(24, Number.NaN);
    expect(m.readF64(24)).toBeNaN();
  });

  it('bytes: writeBytes copies in, readBytes returns an independent copy', () => {
    const m = ram();
    m.writeBytes(0xffe, Uint8Array.of(1, 2, 3, 4));
    expect(m.read32(0xffe)).toBe(0x04030201);
    const copy = m.readBytes(0xffe, 4);
    expect([...copy]).toEqual([1, 2, 3, 4]);
    copy[0] = 99;
    expect(m.read8(0xffe)).toBe(1);
    expect(m.readBytes(0x123, 0).length).toBe(0);
    expect(m.readBytes(m.size, 0).length).toBe(0);
  });

  it('round-trips arbitrary values at arbitrary (also unaligned) addresses', () => {
    const m = ram();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: m.size - 8 }), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }), (pa, value) => {
        m.write64(pa, value);
        const expected = BigInt.asUintN(64, value);
        expect(m.read64(pa)).toBe(expected);
        expect(m.read32(pa)).toBe(Number(expected & 0xffffffffn));
        expect(m.read32(pa + 4)).toBe(Number(expected >> 32n));
        expect(m.read16(pa + 6)).toBe(Number(expected >> 48n));
        expect(m.read8(pa + 7)).toBe(Number(expected >> 56n));
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: m.size - 4 }), fc.integer({ min: 0, max: 0xffffffff }), (pa, value) => {
        m.write32(pa, value);
        expect(m.read32(pa)).toBe(value);
        expect(m.read8(pa) | (m.read8(pa + 1) << 8) | (m.read16(pa + 2) << 16)).toBe(value | 0);
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: m.size - 8 }), fc.double({ noNaN: true }), (pa, value) => {
        m.writeF64(pa, value);
        expect(Object.is(m.readF64(pa), value)).toBe(true);
        m.writeF32(pa, value);
        expect(Object.is(m.readF32(pa), Math.fround(value))).toBe(true);
      }),
    );
  });
});

describe('PhysicalMemory bounds', () => {
  const SIZE = 4 * 4096;

  type Access = [name: string, width: number, run: (m: PhysicalMemory, pa: number) => unknown];
  const accesses: Access[] = [
    ['read8', 1, (m, pa) => m.read8(pa)],
    ['read16', 2, (m, pa) => m.read16(pa)],
    ['read32', 4, (m, pa) => m.read32(pa)],
    ['read64', 8, (m, pa) => m.read64(pa)],
    ['readF32', 4, (m, pa) => m.readF32(pa)],
    ['readF64', 8, (m, pa) => m.readF64(pa)],
    ['readBytes(3)', 3, (m, pa) => m.readBytes(pa, 3)],
    ['write8', 1, (m, pa) => m.write8(pa, 0xff)],
    ['write16', 2, (m, pa) => m.write16(pa, 0xffff)],
    ['write32', 4, (m, pa) => m.write32(pa, 0xffffffff)],
    ['write64', 8, (m, pa) => m.write64(pa, -1n)],
    ['writeF32', 4, (m, pa) => m.writeF32(pa, -1)],
    ['writeF64', 8, (m, pa) => m.writeF64(pa, -1)],
    ['writeBytes(3)', 3, (m, pa) => m.writeBytes(pa, Uint8Array.of(0xff, 0xff, 0xff))],
  ];

  it.each(accesses)('%s works on the last bytes and throws one byte further, leaving RAM unchanged', (name, width, run) => {
    const m = new PhysicalMemory(SIZE);
    m.fillFrame(3, 0x5c);
    m.fillFrame(0, 0x3a);
    const snapshot = m.bytes.slice();
    // The last in-range position works (on a twin, so `m` keeps its snapshot).
    const twin = new PhysicalMemory(SIZE);
    expect(() => run(twin, SIZE - width)).not.toThrow();
    expect(twin.read8(SIZE - 1) !== 0).toBe(name.startsWith('write'));

    for (const pa of [SIZE - width + 1, SIZE - 1, SIZE, SIZE + 1, 2 ** 32]) {
      if (pa < SIZE - width + 1) continue; // SIZE - 1 is still in range for 1-byte accesses
      expectAddressError(() => run(m, pa), pa, width, SIZE);
    }
    for (const pa of [-1, -width, 0.5, SIZE - width - 0.5, Number.NaN, Number.POSITIVE_INFINITY, -(2 ** 32)]) {
      const error = thrown(() => run(m, pa));
      expect(PhysicalAddressError.isInstance(error)).toBe(true);
      expect(Object.is((error as PhysicalAddressError).pa, pa)).toBe(true);
      expect((error as PhysicalAddressError).length).toBe(width);
    }
    expect(m.bytes).toEqual(snapshot);
  });

  it('read32 at size-3 is refused with pa, length and ramSize (the documented boundary case)', () => {
    const m = new PhysicalMemory(SIZE);
    const error = expectAddressError(() => m.read32(SIZE - 3), SIZE - 3, 4, SIZE);
    expect(error.message).toContain((SIZE - 3).toString(16));
    expect(m.read32(SIZE - 4)).toBe(0);
  });

  it('never wraps around: write8(size) does not reach byte 0, write8(-1) does not reach the last byte', () => {
    const m = new PhysicalMemory(SIZE);
    expect(() => m.write8(SIZE, 1)).toThrow(PhysicalAddressError);
    expect(() => m.write8(-1, 1)).toThrow(PhysicalAddressError);
    expect(() => m.write32(SIZE - 2, 0x01020304)).toThrow(PhysicalAddressError);
    expect(() => m.write8(2 ** 32, 1)).toThrow(PhysicalAddressError);
    expect(() => m.write8(2 ** 32 + 1, 1)).toThrow(PhysicalAddressError);
    expect(m.read8(0)).toBe(0);
    expect(m.read8(1)).toBe(0);
    expect(m.read8(SIZE - 1)).toBe(0);
    expect(m.read8(SIZE - 2)).toBe(0);
    expect(() => m.read8(SIZE)).toThrow(PhysicalAddressError);
    expect(() => m.read8(-1)).toThrow(PhysicalAddressError);
  });

  it('rejects non-integer and non-number addresses and negative or fractional lengths', () => {
    const m = new PhysicalMemory(SIZE);
    expect(() => m.read8(1.5)).toThrow(PhysicalAddressError);
    expect(() => m.read8('4' as unknown as number)).toThrow(PhysicalAddressError);
    expectAddressError(() => m.readBytes(0, -1), 0, -1, SIZE);
    expectAddressError(() => m.readBytes(0, 1.5), 0, 1.5, SIZE);
    expectAddressError(() => m.readBytes(SIZE - 2, 3), SIZE - 2, 3, SIZE);
    expectAddressError(() => m.check(SIZE - 4, 5), SIZE - 4, 5, SIZE);
    expect(() => m.check(SIZE - 4, 4)).not.toThrow();
    expect(() => m.check(SIZE, 0)).not.toThrow();
  });

  it('contains mirrors check for integer ranges', () => {
    const m = new PhysicalMemory(SIZE);
    expect(m.contains(0, SIZE)).toBe(true);
    expect(m.contains(SIZE - 4, 4)).toBe(true);
    expect(m.contains(SIZE - 3, 4)).toBe(false);
    expect(m.contains(-1, 1)).toBe(false);
    expect(m.contains(0, -1)).toBe(false);
    expect(m.contains(SIZE, 1)).toBe(false);
    expect(m.contains(2 ** 34, 4)).toBe(false);
  });
});

describe('PhysicalMemory frame helpers', () => {
  it('frameAddress multiplies by the frame size; bad frame numbers throw', () => {
    const m = new PhysicalMemory(8 * 4096);
    expect(m.frameAddress(0)).toBe(0);
    expect(m.frameAddress(3)).toBe(0x3000);
    expect(m.frameAddress(7)).toBe(0x7000);
    expectAddressError(() => m.frameAddress(8), 0x8000, 4096, 8 * 4096);
    expectAddressError(() => m.frameAddress(-1), -4096, 4096, 8 * 4096);
    expectAddressError(() => m.frameAddress(2 ** 20), 2 ** 32, 4096, 8 * 4096);
    expectArgumentError(() => m.frameAddress(1.5), 'pfn', 1.5);
    expectArgumentError(() => m.frameAddress(Number.NaN), 'pfn', Number.NaN);
    const small = new PhysicalMemory(1024, { frameSize: 256 });
    expect(small.frameAddress(2)).toBe(512);
    expectAddressError(() => small.frameAddress(4), 1024, 256, 1024);
  });

  it('fillFrame fills exactly one frame; isFrameZero sees any non-zero byte; zeroFrame clears it', () => {
    const m = new PhysicalMemory(4 * 4096);
    m.fillFrame(2, 0xab);
    expect(m.read8(0x2000)).toBe(0xab);
    expect(m.read8(0x2fff)).toBe(0xab);
    expect(m.read8(0x1fff)).toBe(0);
    expect(m.read8(0x3000)).toBe(0);
    expect(m.isFrameZero(1)).toBe(true);
    expect(m.isFrameZero(2)).toBe(false);
    expect(m.isFrameZero(3)).toBe(true);

    m.write8(0x1fff, 1);
    expect(m.isFrameZero(1)).toBe(false);
    m.write8(0x1fff, 0);
    m.write8(0x1000, 1);
    expect(m.isFrameZero(1)).toBe(false);

    m.zeroFrame(2);
    expect(m.isFrameZero(2)).toBe(true);
    expect(m.read8(0x1000)).toBe(1);
  });

  it('copyFrame copies a whole frame and leaves the source and neighbours alone', () => {
    const m = new PhysicalMemory(4 * 4096);
    for (let i = 0; i < 4096; i++) m.write8(0x1000 + i, (i * 7 + 3) & 0xff);
    m.copyFrame(3, 1);
    for (let i = 0; i < 4096; i += 97) expect(m.read8(0x3000 + i)).toBe((i * 7 + 3) & 0xff);
    expect(m.read8(0x3fff)).toBe((4095 * 7 + 3) & 0xff);
    expect(m.readBytes(0x3000, 4096)).toEqual(m.readBytes(0x1000, 4096));
    expect(m.isFrameZero(2)).toBe(true);
    expect(m.isFrameZero(0)).toBe(true);
    m.copyFrame(1, 1);
    expect(m.read8(0x1001)).toBe(10);
  });

  it('frame helpers with a bad pfn throw and change nothing', () => {
    const m = new PhysicalMemory(2 * 4096);
    m.fillFrame(1, 0x42);
    const snapshot = m.bytes.slice();
    expect(() => m.zeroFrame(2)).toThrow(PhysicalAddressError);
    expect(() => m.zeroFrame(-1)).toThrow(PhysicalAddressError);
    expect(() => m.fillFrame(2, 1)).toThrow(PhysicalAddressError);
    expect(() => m.isFrameZero(2)).toThrow(PhysicalAddressError);
    expect(() => m.copyFrame(2, 1)).toThrow(PhysicalAddressError);
    expect(() => m.copyFrame(0, 2)).toThrow(PhysicalAddressError);
    expect(() => m.copyFrame(0, 0.5)).toThrow(HwArgumentError);
    expect(() => m.fillFrame(0.5, 1)).toThrow(HwArgumentError);
    expect(m.bytes).toEqual(snapshot);
  });
});

describe('PhysicalMemory committed on demand', () => {
  it('commits nothing when made, then a small first commit of whole frames, whatever its size', () => {
    const first = (ram: PhysicalMemory): number => {
      expect([ram.committedBytes, ram.bytes.length, ram.view.byteLength]).toEqual([0, 0, 0]);
      ram.commitFrame(0);
      expect(ram.bytes.length).toBe(ram.committedBytes);
      expect(ram.view.byteLength).toBe(ram.committedBytes);
      return ram.committedBytes;
    };
    for (const size of [4096, 16 * 4096, MIB, GIB, MAX_RAM_BYTES]) {
      const ram = new PhysicalMemory(size);
      expect(ram.size).toBe(size);
      expect(first(ram)).toBe(Math.min(size, INITIAL_COMMIT_BYTES));
    }
    // A frame larger than the initial commit: one frame, so the committed bytes stay whole frames.
    expect(first(new PhysicalMemory(4 * MIB, { frameSize: MIB }))).toBe(MIB);
    expect(first(new PhysicalMemory(1024, { frameSize: 256 }))).toBe(1024);
  });

  it('reads past the committed bytes return zero and commit nothing; straddling reads combine both', () => {
    const ram = new PhysicalMemory(GIB);
    ram.commitFrame(0);
    const end = ram.committedBytes;
    expect([ram.read8(GIB - 1), ram.read16(GIB - 2), ram.read32(GIB - 4), ram.readF32(GIB - 4), ram.readF64(GIB - 8)]).toEqual([0, 0, 0, 0, 0]);
    expect(ram.read64(GIB - 8)).toBe(0n);
    expect([...ram.readBytes(end - 2, 6)]).toEqual([0, 0, 0, 0, 0, 0]);
    expect(ram.isFrameZero(ram.frameCount - 1)).toBe(true);
    ram.write16(end - 2, 0xbeef);
    expect(ram.read32(end - 2)).toBe(0xbeef);
    expect(ram.read64(end - 4)).toBe(0xbeef0000n);
    expect(ram.read16(end - 1)).toBe(0xbe);
    expect([...ram.readBytes(end - 3, 5)]).toEqual([0, 0xef, 0xbe, 0, 0]);
    expect(ram.committedBytes).toBe(end);
    // Clearing or copying an uncommitted frame, and copying one onto another, commits nothing either.
    const far = ram.frameCount - 1;
    ram.zeroFrame(far);
    ram.fillFrame(far, 0x100); // 0x100 stores as 0
    ram.copyFrame(far, far - 1);
    ram.copyFrame(0, far);
    expect(ram.committedBytes).toBe(end);
    expect(ram.read16(end - 2)).toBe(0xbeef);
  });

  it('a write past the end doubles the commit until it fits, keeping every byte; never past size', () => {
    const ram = new PhysicalMemory(MIB);
    ram.write32(0, 0x11223344);
    ram.write32(INITIAL_COMMIT_BYTES, 0x55667788);
    expect(ram.committedBytes).toBe(2 * INITIAL_COMMIT_BYTES);
    ram.write8(5 * INITIAL_COMMIT_BYTES, 9);
    expect(ram.committedBytes).toBe(8 * INITIAL_COMMIT_BYTES);
    expect([ram.read32(0), ram.read32(INITIAL_COMMIT_BYTES), ram.read8(5 * INITIAL_COMMIT_BYTES)]).toEqual([0x11223344, 0x55667788, 9]);
    ram.writeF64(MIB - 8, 1.5);
    expect(ram.committedBytes).toBe(MIB);
    expect(ram.readF64(MIB - 8)).toBe(1.5);
    // A RAM that is not a power of two commits at most its size.
    const odd = new PhysicalMemory(3 * INITIAL_COMMIT_BYTES);
    odd.write8(3 * INITIAL_COMMIT_BYTES - 1, 1);
    expect(odd.committedBytes).toBe(3 * INITIAL_COMMIT_BYTES);
  });

  it('commitFrame commits through a frame, once; a bad pfn throws and commits nothing', () => {
    const ram = new PhysicalMemory(MIB);
    ram.commitFrame(0);
    expect(ram.committedBytes).toBe(INITIAL_COMMIT_BYTES);
    ram.commitFrame(20);
    expect(ram.committedBytes).toBe(128 * KIB);
    const views = ram.bytes;
    ram.commitFrame(31);
    expect(ram.bytes).toBe(views);
    expectAddressError(() => ram.commitFrame(256), MIB, 4096, MIB);
    expectAddressError(() => ram.commitFrame(-1), -4096, 4096, MIB);
    expectArgumentError(() => ram.commitFrame(2.5), 'pfn', 2.5);
    expect(ram.committedBytes).toBe(128 * KIB);
  });

  it('growth swaps bytes and view together and tells each listener once, until it is removed', () => {
    const ram = new PhysicalMemory(MIB);
    const seen: number[] = [];
    const listener = {
      ramGrew(r: PhysicalMemory) {
        expect(r).toBe(ram);
        expect(r.view.buffer).toBe(r.bytes.buffer);
        seen.push(r.committedBytes);
      },
    };
    ram.addGrowthListener(listener);
    ram.addGrowthListener(listener);
    const before = ram.bytes;
    ram.write8(INITIAL_COMMIT_BYTES, 1);
    expect(ram.bytes).not.toBe(before);
    expect(seen).toEqual([2 * INITIAL_COMMIT_BYTES]);
    ram.write8(1, 1); // no growth, no call
    ram.removeGrowthListener(listener);
    ram.write8(MIB - 1, 1);
    expect(seen).toEqual([2 * INITIAL_COMMIT_BYTES]);
    expectArgumentError(() => ram.addGrowthListener(null as never), 'growth listener');
    expectArgumentError(() => ram.addGrowthListener({} as never), 'growth listener');
  });

  it('a failed write commits nothing', () => {
    const ram = new PhysicalMemory(MIB);
    expect(() => ram.write32(MIB - 2, 1)).toThrow(PhysicalAddressError);
    expect(() => ram.writeBytes(MIB - 1, new Uint8Array(2))).toThrow(PhysicalAddressError);
    expect(() => ram.fillFrame(256, 1)).toThrow(PhysicalAddressError);
    expect(() => ram.copyFrame(255, 256)).toThrow(PhysicalAddressError);
    expect(ram.committedBytes).toBe(0);
  });

  it('behaves as one plain zero-filled byte array under random accesses across the committed end (property)', () => {
    const FRAME = 4096;
    const SIZE = 4 * INITIAL_COMMIT_BYTES; // committed from a quarter of it, in two doublings at most
    const FRAMES = SIZE / FRAME;
    const EDGE = INITIAL_COMMIT_BYTES;
    // Addresses anywhere, and many right at the first and second committed ends.
    const addr = fc.oneof(
      fc.integer({ min: 0, max: SIZE - 8 }),
      fc.integer({ min: EDGE - 12, max: EDGE + 4 }),
      fc.integer({ min: 2 * EDGE - 12, max: 2 * EDGE + 4 }),
    );
    const frame = fc.oneof(fc.integer({ min: 0, max: FRAMES - 1 }), fc.integer({ min: EDGE / FRAME - 2, max: EDGE / FRAME + 1 }));
    const op = fc.oneof(
      fc.record({ t: fc.constant('write' as const), pa: addr, width: fc.constantFrom(1, 2, 4, 8), value: fc.integer({ min: 0, max: 0xffffffff }) }),
      fc.record({ t: fc.constant('read' as const), pa: addr, width: fc.constantFrom(1, 2, 4, 8) }),
      fc.record({ t: fc.constant('bytes' as const), pa: addr, data: fc.uint8Array({ maxLength: 8 }) }),
      fc.record({ t: fc.constant('copy' as const), dst: frame, src: frame }),
      fc.record({ t: fc.constant('fill' as const), pfn: frame, byte: fc.constantFrom(0, 1, 0xa5, 0x100) }),
      fc.record({ t: fc.constant('zero' as const), pfn: frame }),
    );
    /** First index where RAM (committed bytes, zeros past them) and the model differ, or -1. */
    const difference = (ram: PhysicalMemory, model: Uint8Array): number => {
      const bytes = ram.bytes;
      for (let i = 0; i < model.length; i++) if ((i < bytes.length ? bytes[i] : 0) !== model[i]) return i;
      return -1;
    };
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const ram = new PhysicalMemory(SIZE, { frameSize: FRAME });
        const model = new Uint8Array(SIZE);
        const modelView = new DataView(model.buffer);
        let committed = ram.committedBytes;
        for (const o of ops) {
          if (o.t === 'write') {
            const big = BigInt(o.value) * 0x100000001n;
            if (o.width === 1) ram.write8(o.pa, o.value & 0xff);
            else if (o.width === 2) ram.write16(o.pa, o.value & 0xffff);
            else if (o.width === 4) ram.write32(o.pa, o.value);
            else ram.write64(o.pa, big);
            if (o.width === 8) modelView.setBigUint64(o.pa, big, true);
            else for (let i = 0; i < o.width; i++) model[o.pa + i] = (o.value >>> (8 * i)) & 0xff;
            expect(ram.committedBytes).toBeGreaterThanOrEqual(o.pa + o.width);
          } else if (o.t === 'read') {
            const got = o.width === 1 ? ram.read8(o.pa) : o.width === 2 ? ram.read16(o.pa) : o.width === 4 ? ram.read32(o.pa) : ram.read64(o.pa);
            const want = o.width === 1 ? model[o.pa] : o.width === 2 ? modelView.getUint16(o.pa, true) : o.width === 4 ? modelView.getUint32(o.pa, true) : modelView.getBigUint64(o.pa, true);
            expect(got).toBe(want);
            expect(ram.committedBytes).toBe(committed); // reads never commit
          } else if (o.t === 'bytes') {
            ram.writeBytes(o.pa, o.data);
            model.set(o.data, o.pa);
          } else if (o.t === 'copy') {
            ram.copyFrame(o.dst, o.src);
            model.copyWithin(o.dst * FRAME, o.src * FRAME, (o.src + 1) * FRAME);
          } else if (o.t === 'fill') {
            ram.fillFrame(o.pfn, o.byte);
            model.fill(o.byte, o.pfn * FRAME, (o.pfn + 1) * FRAME);
          } else {
            ram.zeroFrame(o.pfn);
            model.fill(0, o.pfn * FRAME, (o.pfn + 1) * FRAME);
          }
          // Never shrinks; nothing, or whole frames: the first commit, a power-of-two multiple of it or all of RAM.
          expect(ram.committedBytes).toBeGreaterThanOrEqual(committed);
          committed = ram.committedBytes;
          expect([0, EDGE, 2 * EDGE, SIZE]).toContain(committed);
          expect(ram.view.buffer).toBe(ram.bytes.buffer);
        }
        expect(difference(ram, model)).toBe(-1);
        const copy = ram.readBytes(0, SIZE);
        expect(copy.findIndex((byte, i) => byte !== model[i])).toBe(-1);
        for (let pfn = 0; pfn < FRAMES; pfn++) {
          expect(ram.isFrameZero(pfn)).toBe(model.subarray(pfn * FRAME, (pfn + 1) * FRAME).every((b) => b === 0));
        }
      }),
      { numRuns: 200 },
    );
  }, 60_000);

  it('a 4 GiB RAM written at both ends costs little host memory until the top is written (RSS)', () => {
    const before = host.process.memoryUsage().rss;
    const rams = Array.from({ length: 16 }, () => new PhysicalMemory(MAX_RAM_BYTES));
    for (const ram of rams) ram.write32(0, 1);
    const after = host.process.memoryUsage().rss;
    // 16 machines of 4 GiB, each with one word written at the bottom: at most a few MiB in all.
    expect(after - before).toBeLessThan(64 * MIB);
    expect(rams.every((r) => r.committedBytes === INITIAL_COMMIT_BYTES)).toBe(true);
  });
});
