import { sv32, sv39, x86_32, x86_64 } from '@vmsim/hw';
import { Kernel } from '@vmsim/kernel';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DataType } from './data-type.js';
import { InvalidArgumentError, InvalidOptionError } from './errors.js';
import { KERNBASE, Pointer } from './pointer.js';
import { MODEL_NAMES, Simulator, type ModelName, type SimulatorOptions } from './simulator.js';
import { ValueType } from './value-type.js';

const PAGE = 4096;
const page = (n: number): Pointer => Pointer.at(KERNBASE + n * PAGE);

/** A simulator whose messages are collected in `lines` (small RAM unless the test says otherwise). */
function start(verbose = false, options: SimulatorOptions = {}): { sim: Simulator; lines: string[] } {
  const lines: string[] = [];
  const sim = Simulator.begin(verbose, { frames: 512, output: (line) => lines.push(line), ...options });
  return { sim, lines };
}

function u64(sim: Simulator, ptr: Pointer): bigint | undefined {
  return sim.read(ptr, DataType.UnsignedInt)?.getValue();
}

/** Runs `fn` and checks that the whole machine (RAM, frames, processes, TLB) is exactly as before. */
function expectNoChange(sim: Simulator, fn: () => void): void {
  const { ram: ramBefore, ...before } = sim.kernel.snapshot();
  const processes = sim.processes();
  fn();
  const { ram: ramAfter, ...after } = sim.kernel.snapshot();
  expect(after).toEqual(before);
  expect(firstDifference(ramAfter, ramBefore)).toBe(-1);
  expect(sim.processes()).toEqual(processes);
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('Simulator.begin', () => {
  it('starts process 0 running on an x86 32-bit machine with 1 GiB of RAM by default', () => {
    const sim = Simulator.begin(false, { output: () => {} });
    expect(sim.pid).toBe(0);
    expect(sim.processes()).toEqual([{ pid: 0, parentPid: -1, state: 'running', current: true }]);
    expect(sim.verbose).toBe(false);
    expect(sim.kernel).toBeInstanceOf(Kernel);
    const stats = sim.stats();
    expect(stats).toEqual(sim.kernel.stats());
    expect(stats.model).toBe('x86-32');
    expect(stats.frames.total).toBe(262144);
    expect(Simulator.DEFAULT_RAM_BYTES).toBe(2 ** 30);
  });

  it('takes the RAM size in bytes or frames, and the hardware model', () => {
    expect(Simulator.begin(false, { frames: 64 }).stats().frames.total).toBe(64);
    expect(Simulator.begin(false, { ramBytes: 1 << 20 }).stats().frames.total).toBe(256);
    expect(Simulator.begin(false, { frames: 64, model: 'x86-32' }).stats().model).toBe('x86-32');
    expect(Simulator.begin(false, { frames: 64, model: 'sv32' }).stats().model).toBe('sv32');
    expect(Simulator.begin(false, { frames: 64, model: 'x86-64' }).stats().model).toBe('x86-64');
    expect(Simulator.begin(false, { frames: 64, model: 'sv39' }).stats().model).toBe('sv39');
    expect(Simulator.begin(false, { frames: 64, model: x86_64({ pcid: true }) }).stats().model).toBe('x86-64');
    expect(Simulator.begin(false, { frames: 64, model: x86_32({ pse: true }) }).stats().model).toBe('x86-32');
    expect(Simulator.begin(false, { frames: 64, tlb: { entries: 8, ways: 2 } }).stats().tlb.entries).toBeGreaterThanOrEqual(0);
    expect(Simulator.begin(false, { frames: 2 }).stats().frames.free).toBe(0);
  });

  it('runs the same program on Sv32', () => {
    const { sim, lines } = start(true, { model: sv32() });
    const x = Pointer.new(ValueType.Zero);
    sim.register(x);
    sim.write(x, ValueType.SignedInt(-2));
    sim.fork();
    sim.write(x, ValueType.UnsignedInt(3));
    expect(u64(sim, x)).toBe(3n);
    sim.switch(0);
    expect(sim.read(x, DataType.SignedInt)?.getValue()).toBe(-2n);
    expect(lines).toEqual(['PGZERO: 0x0', 'PGCOPY: 0x0']);
  });

  it('throws InvalidOptionError, naming the option and its value, for options it cannot use', () => {
    const cases: [unknown, unknown, string, unknown][] = [
      [false, { ramBytes: 1000 }, 'ramBytes', 1000],
      [false, { ramBytes: 4096 }, 'ramBytes', 4096],
      [false, { frames: 1 }, 'frames', 1],
      [false, { frames: 2.5 }, 'frames', 2.5],
      [false, { frames: 2 ** 21 }, 'frames', 2 ** 21],
      [false, { frames: 8, ramBytes: 32768 }, 'frames', 8],
      [false, { model: 'arm' }, 'model', 'arm'],
      [false, { model: 'X86-64' }, 'model', 'X86-64'],
      [false, { model: 'sv48' }, 'model', 'sv48'],
      [false, { model: { ...x86_32(), indexBits: [10, 9] } }, 'model', 'x86-32'],
      [false, { output: 'console' }, 'output', 'console'],
      [false, { verbose: true }, 'verbose', true],
      [false, { frames: 8, tlb: { entries: 3, ways: 2 } }, 'tlb', { entries: 3, ways: 2 }],
      ['yes', {}, 'verbose', 'yes'],
      [false, null, 'options', null],
    ];
    for (const [verbose, options, option, value] of cases) {
      let error: unknown;
      try {
        Simulator.begin(verbose as boolean, options as SimulatorOptions);
      } catch (e) {
        error = e;
      }
      expect(InvalidOptionError.isInstance(error), `${option} ${JSON.stringify(options)}`).toBe(true);
      expect((error as InvalidOptionError).option).toBe(option);
      expect((error as InvalidOptionError).value).toEqual(value);
    }
  });

  it.each([null, 'abc', -1, 0, true, 4n])('a tlb option that is not an object (%o) → InvalidOptionError naming tlb, and nothing is reset', (tlb) => {
    Pointer.reset();
    Pointer.new(ValueType.Zero);
    let error: unknown;
    try {
      Simulator.begin(false, { frames: 8, tlb } as unknown as SimulatorOptions);
    } catch (e) {
      error = e;
    }
    expect(InvalidOptionError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ name: 'InvalidOptionError', errno: 'EINVAL', option: 'tlb', value: tlb });
    expect(error).not.toBeInstanceOf(TypeError);
    // A refused begin does not reset the pointer counter (only a machine that starts does).
    expect(Pointer.peek()).toBe(KERNBASE + 16);
  });

  it.each([{ entries: -1 }, { ways: 1.5 }, { entries: 'many' }])('bad tlb sizes (%o) → InvalidOptionError', (tlb) => {
    let error: unknown;
    try {
      Simulator.begin(false, { frames: 8, tlb } as unknown as SimulatorOptions);
    } catch (e) {
      error = e;
    }
    expect(InvalidOptionError.isInstance(error)).toBe(true);
    expect((error as InvalidOptionError).option).toMatch(/^tlb/);
  });

  it('prints to console.log by default, and the sink can be replaced', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const sim = Simulator.begin(false, { frames: 8 });
    sim.register(Pointer.at(KERNBASE));
    sim.register(Pointer.at(KERNBASE + 8));
    expect(log.mock.calls).toEqual([['Mapping already registered for 0x80000008.']]);
    const lines: string[] = [];
    sim.output = (line) => lines.push(line);
    sim.register(Pointer.at(KERNBASE + 16));
    expect(lines).toEqual(['Mapping already registered for 0x80000010.']);
    expect(log).toHaveBeenCalledTimes(1);
    expect(() => {
      sim.output = 5 as unknown as (line: string) => void;
    }).toThrow(InvalidArgumentError);
  });
});

describe('register', () => {
  it('makes the whole page valid, and says so when the page is already registered', () => {
    const { sim, lines } = start();
    const x = Pointer.new(ValueType.UnsignedInt(0));
    const y = Pointer.new(ValueType.UnsignedInt(1));
    sim.register(x);
    sim.register(y);
    sim.register(x);
    sim.write(y, ValueType.UnsignedInt(6));
    expect(u64(sim, y)).toBe(6n);
    expect(u64(sim, Pointer.at(0x80000ff8))).toBe(0n);
    expect(lines).toEqual(['Mapping already registered for 0x80000010.', 'Mapping already registered for 0x80000000.']);
  });

  it('maps the zero page: a page never written reads 0 as whatever type is asked for', () => {
    const { sim, lines } = start(true);
    const x = Pointer.new(ValueType.Zero);
    sim.register(x);
    const signed = sim.read(x, DataType.SignedInt);
    expect(signed?.kind).toBe('SignedInt');
    expect(signed?.getValue()).toBe(0n);
    expect(sim.read(x, DataType.UnsignedInt)?.kind).toBe('UnsignedInt');
    expect(sim.read(x, DataType.Float64)?.getValue()).toBe(0);
    expect(sim.read(x, DataType.SignedInt8)?.kind).toBe('SignedInt8');
    expect(sim.stats().frames.data).toBe(0);
    expect(lines).toEqual([]);
  });

  it('refuses a page that does not fit in the address space', () => {
    const { sim, lines } = start();
    sim.register(Pointer.at(0xffffffff));
    sim.write(Pointer.at(0xfffffffc), ValueType.UnsignedInt(1));
    sim.write(Pointer.at(0xfffffff8), ValueType.UnsignedInt(1));
    expect(u64(sim, Pointer.at(0xfffffff8))).toBe(1n);
    expect(sim.read(Pointer.at(0xfffffffd), DataType.UnsignedInt32)).toBeUndefined();
    expect(lines).toEqual([
      'Invalid address 0xfffffffc: a value of 8 bytes there runs past the end of the 32-bit virtual address space',
      'Invalid address 0xfffffffd: a value of 4 bytes there runs past the end of the 32-bit virtual address space',
    ]);
  });
});

describe('write and read', () => {
  it('warns about an unregistered page (page-aligned address) and writes nothing', () => {
    const { sim, lines } = start();
    const z = Pointer.at(0x80004020);
    sim.write(z, ValueType.SignedInt(-1));
    expect(sim.read(z, DataType.SignedInt)).toBeUndefined();
    expect(lines).toEqual(['Invalid address 0x80004000', 'Invalid address 0x80004000']);
    sim.register(z);
    expect(sim.read(z, DataType.SignedInt)?.getValue()).toBe(0n);
  });

  it('stores 64-bit values exactly at their extremes, in 8 little-endian bytes', () => {
    const { sim } = start();
    const [a, b, c, d] = [0, 1, 2, 3].map(() => Pointer.new(ValueType.Zero)) as [Pointer, Pointer, Pointer, Pointer];
    sim.register(a);
    sim.write(a, ValueType.UnsignedInt(2n ** 64n - 1n));
    sim.write(b, ValueType.SignedInt(-(2n ** 63n)));
    sim.write(c, ValueType.SignedInt(-2));
    sim.write(d, ValueType.SignedInt(2n ** 63n - 1n));
    expect(u64(sim, a)).toBe(18446744073709551615n);
    expect(sim.read(a, DataType.SignedInt)?.getValue()).toBe(-1n);
    expect(sim.read(b, DataType.SignedInt)?.getValue()).toBe(-9223372036854775808n);
    expect(u64(sim, b)).toBe(2n ** 63n);
    expect(u64(sim, c)).toBe(18446744073709551614n);
    expect(sim.read(c, DataType.SignedInt)?.getValue()).toBe(-2n);
    expect(sim.read(d, DataType.SignedInt)?.getValue()).toBe(9223372036854775807n);
    const bytes = sim.kernel.read(c.address, 8);
    expect([...bytes]).toEqual([0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
  });

  it('clears the whole value when Zero is written (the original cleared one byte)', () => {
    const { sim } = start();
    const x = Pointer.new(ValueType.Zero);
    sim.register(x);
    sim.write(x, ValueType.UnsignedInt(0x1ff));
    sim.write(x, ValueType.Zero);
    expect(u64(sim, x)).toBe(0n);
    sim.write(x, ValueType.UnsignedInt(0xaabbccdd11223344n));
    sim.write(x, ValueType.Zero);
    expect(u64(sim, x)).toBe(0n);
  });

  it('stores smaller types in their own size at their exact address, so neighbours do not alias', () => {
    const { sim } = start();
    Pointer.reset();
    const a = Pointer.reserve(4);
    const b = Pointer.reserve(4);
    sim.register(a);
    sim.write(a, ValueType.UnsignedInt32(111));
    sim.write(b, ValueType.UnsignedInt32(222));
    expect(sim.read(a, DataType.UnsignedInt32)?.getValue()).toBe(111);
    expect(sim.read(b, DataType.UnsignedInt32)?.getValue()).toBe(222);
    expect(u64(sim, a)).toBe((222n << 32n) | 111n);

    const w = Pointer.at(0x80000100);
    sim.write(w, ValueType.UnsignedInt(0x0102030405060708n));
    expect(sim.read(w, DataType.UnsignedInt8)?.getValue()).toBe(8);
    expect(sim.read(w.offset(7), DataType.UnsignedInt8)?.getValue()).toBe(1);
    expect(sim.read(w.offset(2), DataType.UnsignedInt16)?.getValue()).toBe(0x0506);
    sim.write(w.offset(1), ValueType.SignedInt8(-1));
    expect(u64(sim, w)).toBe(0x010203040506ff08n);
    sim.write(w, ValueType.SignedInt16(-2));
    expect(sim.read(w, DataType.SignedInt16)?.getValue()).toBe(-2);
    sim.write(w, ValueType.SignedInt32(-5));
    expect(sim.read(w, DataType.SignedInt32)?.getValue()).toBe(-5);
    sim.write(w, ValueType.UnsignedInt16(0xbeef));
    expect(sim.read(w, DataType.UnsignedInt16)?.getValue()).toBe(0xbeef);
    sim.write(w, ValueType.Float32(1.5));
    expect(sim.read(w, DataType.Float32)?.getValue()).toBe(1.5);
    sim.write(w, ValueType.Float64(-0.1));
    expect(sim.read(w, DataType.Float64)?.getValue()).toBe(-0.1);
    expect(sim.read(w, DataType.Float64)?.kind).toBe('Float64');
  });

  it('stores a value that spans two pages only when both are registered', () => {
    const { sim, lines } = start(true);
    const p = Pointer.at(0x80000ffc);
    sim.register(p);
    sim.write(p, ValueType.UnsignedInt(0x1122334455667788n));
    expect(u64(sim, p)).toBeUndefined();
    sim.register(Pointer.at(0x80001000));
    sim.write(p, ValueType.UnsignedInt(0x1122334455667788n));
    expect(u64(sim, p)).toBe(0x1122334455667788n);
    expect(sim.read(Pointer.at(0x80001000), DataType.UnsignedInt32)?.getValue()).toBe(0x11223344);
    sim.fork();
    sim.write(p, ValueType.UnsignedInt(1));
    expect(u64(sim, p)).toBe(1n);
    sim.switch(0);
    expect(u64(sim, p)).toBe(0x1122334455667788n);
    expect(lines).toEqual([
      'Invalid address 0x80001000',
      'Invalid address 0x80001000',
      'PGZERO: 0x0',
      'PGZERO: 0x1000',
      'PGCOPY: 0x0',
      'PGCOPY: 0x1000',
    ]);
  });

  it('throws InvalidArgumentError for arguments of the wrong kind', () => {
    const { sim } = start();
    const x = Pointer.new(ValueType.Zero);
    sim.register(x);
    expect(() => sim.register(0x80000000 as unknown as Pointer)).toThrow(InvalidArgumentError);
    expect(() => sim.write(x, 5 as unknown as ValueType)).toThrow(InvalidArgumentError);
    expect(() => sim.read(x, 'UnsignedInt' as unknown as DataType<bigint>)).toThrow(InvalidArgumentError);
  });
});

describe('the remembered region of the last access', () => {
  it('notices a region removed behind its back (through the kernel) and refuses the next access', () => {
    const { sim, lines } = start();
    const x = Pointer.new(ValueType.Zero);
    sim.register(x);
    sim.write(x, ValueType.UnsignedInt(5));
    expect(u64(sim, x)).toBe(5n);
    const space = sim.kernel.process(sim.pid!).space!;
    space.vmas.remove(KERNBASE, KERNBASE + PAGE);
    expect(sim.read(x, DataType.UnsignedInt)).toBeUndefined();
    sim.write(x, ValueType.UnsignedInt(6));
    expect(lines).toEqual(['Invalid address 0x80000000', 'Invalid address 0x80000000']);
  });

  it('is per address space: after a fork or a switch each process is checked against its own regions', () => {
    const { sim, lines } = start();
    const x = page(0);
    const y = page(1);
    sim.register(x);
    sim.write(x, ValueType.UnsignedInt(1));
    sim.fork(); // the child (pid 1) runs
    sim.register(y);
    sim.write(y, ValueType.UnsignedInt(2));
    sim.switch(0);
    expect(u64(sim, x)).toBe(1n);
    expect(sim.read(y, DataType.UnsignedInt)).toBeUndefined(); // registered in the child only
    sim.switch(1);
    expect(u64(sim, y)).toBe(2n);
    expect(lines).toEqual(['Invalid address 0x80001000']);
  });

  it('is kept per process: round-robin accesses after the first in each process do not ask the kernel again', () => {
    const { sim } = start();
    const x = page(0);
    sim.register(x);
    sim.fork();
    sim.fork();
    for (let n = 0; n < 3; n++) {
      sim.switch(n);
      sim.write(x, ValueType.UnsignedInt(n));
    }
    const asked = vi.spyOn(sim.kernel, 'isRegistered');
    for (let i = 0; i < 30; i++) {
      sim.switch(i % 3);
      expect(u64(sim, x)).toBe(BigInt(i % 3));
    }
    expect(asked).not.toHaveBeenCalled();
    asked.mockRestore();
  });

  it('notices a region removed from a sleeping process when that process runs again', () => {
    const { sim, lines } = start();
    const x = page(0);
    sim.register(x);
    sim.write(x, ValueType.UnsignedInt(7));
    sim.fork(); // pid 1 runs; pid 0 remembers x's region
    expect(u64(sim, x)).toBe(7n);
    sim.kernel.munmap(KERNBASE, PAGE, 0);
    expect(u64(sim, x)).toBe(7n); // the child keeps its page
    sim.switch(0);
    expect(sim.read(x, DataType.UnsignedInt)).toBeUndefined();
    sim.write(x, ValueType.UnsignedInt(8));
    sim.switch(1);
    expect(u64(sim, x)).toBe(7n);
    expect(lines).toEqual(['Invalid address 0x80000000', 'Invalid address 0x80000000']);
  });

  it('covers only accesses wholly inside the region: one running past its end is still refused', () => {
    const { sim, lines } = start();
    const last = Pointer.at(KERNBASE + PAGE - 8);
    sim.register(last);
    sim.write(last, ValueType.UnsignedInt(3));
    sim.write(Pointer.at(KERNBASE + PAGE - 4), ValueType.UnsignedInt(4));
    expect(sim.read(Pointer.at(KERNBASE + PAGE - 2), DataType.UnsignedInt32)).toBeUndefined();
    expect(u64(sim, last)).toBe(3n);
    expect(lines).toEqual(['Invalid address 0x80001000', 'Invalid address 0x80001000']);
  });

  it('a foreign pointer with a fractional address inside the remembered region is refused as before', () => {
    const cold = start();
    const warm = start();
    const x = Pointer.at(KERNBASE);
    for (const { sim } of [cold, warm]) sim.register(x);
    warm.sim.write(x, ValueType.UnsignedInt(1)); // remembers the region
    const fake = { [Symbol.for('@vmsim/sim-api/Pointer')]: true, address: KERNBASE + 8.5 } as unknown as Pointer;
    const errors = [cold, warm].map(({ sim }) => {
      try {
        sim.write(fake, ValueType.UnsignedInt(2));
        return null;
      } catch (error) {
        return error;
      }
    });
    expect(errors[0]).not.toBeNull();
    expect((errors[1] as Error).name).toBe((errors[0] as Error).name);
    expect((errors[1] as Error).message).toBe((errors[0] as Error).message);
  });
});

describe('verbose messages', () => {
  it('prints PGZERO on the first write to each page, with its offset from 0x80000000', () => {
    const { sim, lines } = start(true);
    for (const n of [0, 1, 0x10]) {
      sim.register(page(n));
      sim.write(page(n), ValueType.UnsignedInt(n));
      sim.write(page(n).offset(8), ValueType.UnsignedInt(n));
    }
    expect(lines).toEqual(['PGZERO: 0x0', 'PGZERO: 0x1000', 'PGZERO: 0x10000']);
  });

  it('prints a negative offset for pages below 0x80000000', () => {
    const { sim, lines } = start(true);
    const low = Pointer.at(0x1010);
    sim.register(low);
    sim.write(low, ValueType.UnsignedInt(1));
    expect(lines).toEqual(['PGZERO: -0x7ffff000']);
    expect(u64(sim, low)).toBe(1n);
  });

  it('prints PGCOPY when a write copies a shared page, and nothing when the last sharer writes in place', () => {
    const { sim, lines } = start(true);
    const x = page(0);
    sim.register(x);
    sim.write(x, ValueType.UnsignedInt(1));
    sim.fork();
    sim.write(x, ValueType.UnsignedInt(2)); // child: shared, so copied
    sim.switch(0);
    sim.write(x, ValueType.UnsignedInt(3)); // parent: the only one left on its frame, so reused
    expect(lines).toEqual(['PGZERO: 0x0', 'PGCOPY: 0x0']);
    expect(sim.stats().faults).toMatchObject({ zeroFill: 1, cowCopy: 1, cowReuse: 1 });
  });

  it('prints none of them when not verbose', () => {
    const { sim, lines } = start(false);
    const x = page(0);
    sim.register(x);
    sim.write(x, ValueType.UnsignedInt(1));
    sim.fork();
    sim.write(x, ValueType.UnsignedInt(2));
    sim.print();
    expect(lines).toEqual([]);
    expect(sim.stats().faults).toMatchObject({ zeroFill: 1, cowCopy: 1 });
  });
});

describe('processes', () => {
  it('fork yields to the child: appended, current and running; the parent sleeps', () => {
    const { sim } = start();
    const x = page(0);
    sim.register(x);
    sim.write(x, ValueType.UnsignedInt(100));
    sim.fork();
    expect(sim.pid).toBe(1);
    expect(sim.processes()).toEqual([
      { pid: 0, parentPid: -1, state: 'sleeping', current: false },
      { pid: 1, parentPid: 0, state: 'running', current: true },
    ]);
    expect(u64(sim, x)).toBe(100n);
    sim.write(x, ValueType.UnsignedInt(101));
    sim.switch(0);
    expect(sim.processes().map((p) => p.state)).toEqual(['running', 'sleeping']);
    expect(u64(sim, x)).toBe(100n);
    sim.write(x, ValueType.UnsignedInt(102));
    sim.switch(1);
    expect(u64(sim, x)).toBe(101n);
  });

  it('forks in a chain: each fork forks the child, and every process keeps what it saw at its fork', () => {
    const { sim } = start();
    const x = page(0);
    sim.register(x);
    for (let i = 0; i < 5; i++) {
      sim.write(x, ValueType.UnsignedInt(i));
      sim.fork();
    }
    expect(sim.processes().map((p) => [p.pid, p.parentPid])).toEqual([[0, -1], [1, 0], [2, 1], [3, 2], [4, 3], [5, 4]]);
    for (let n = 0; n < 6; n++) {
      sim.switch(n);
      expect(u64(sim, x)).toBe(BigInt(Math.min(n, 4)));
    }
    sim.kernel.checkInvariants();
  });

  it('switch(n) runs the n-th live process; switching to the current one is harmless', () => {
    const { sim } = start();
    sim.fork();
    sim.fork();
    sim.switch(1);
    expect(sim.pid).toBe(1);
    sim.switch(1);
    expect(sim.processes().map((p) => p.state)).toEqual(['sleeping', 'running', 'sleeping']);
  });

  it('a bad switch index prints a message and changes nothing', () => {
    const { sim, lines } = start();
    sim.fork();
    sim.fork();
    sim.switch(1);
    for (const n of [-1, 3, 4, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '1' as unknown as number, 1n as unknown as number]) {
      expectNoChange(sim, () => sim.switch(n));
    }
    expect(sim.pid).toBe(1);
    expect(lines).toEqual([
      'Cannot switch to process -1: expected an index from 0 to 2; nothing changed',
      'Cannot switch to process 3: expected an index from 0 to 2; nothing changed',
      'Cannot switch to process 4: expected an index from 0 to 2; nothing changed',
      'Cannot switch to process 1.5: expected an index from 0 to 2; nothing changed',
      'Cannot switch to process NaN: expected an index from 0 to 2; nothing changed',
      'Cannot switch to process Infinity: expected an index from 0 to 2; nothing changed',
      'Cannot switch to process "1": expected an index from 0 to 2; nothing changed',
      'Cannot switch to process 1n: expected an index from 0 to 2; nothing changed',
    ]);
  });

  it('kill of the first process runs the new first process', () => {
    const { sim, lines } = start();
    const x = page(0);
    sim.register(x);
    sim.write(x, ValueType.UnsignedInt(100));
    sim.fork();
    sim.write(x, ValueType.UnsignedInt(101));
    sim.switch(0);
    sim.kill();
    expect(sim.processes()).toEqual([{ pid: 1, parentPid: 0, state: 'running', current: true }]);
    expect(u64(sim, x)).toBe(101n); // the original left it sleeping: ZOMBIE 1
    expect(lines).toEqual([]);
  });

  it('kill runs the parent while it lives, even when it is not just before in the list', () => {
    const { sim } = start();
    const x = page(0);
    sim.register(x);
    sim.write(x, ValueType.UnsignedInt(100));
    sim.fork(); // pid 1
    sim.write(x, ValueType.UnsignedInt(101));
    sim.switch(0);
    sim.fork(); // pid 2, child of 0
    sim.kill(); // the original ran pid 1 here (the list predecessor)
    expect(sim.pid).toBe(0);
    expect(u64(sim, x)).toBe(100n);

    sim.fork(); // pid 3, child of 0: list 0 1 3
    sim.switch(0);
    sim.fork(); // pid 4: list 0 1 3 4
    sim.switch(2); // pid 3, a middle process
    sim.kill();
    expect(sim.pid).toBe(0);
    expect(sim.processes().map((p) => p.pid)).toEqual([0, 1, 4]);
  });

  it('kill runs the process before it when the parent is dead', () => {
    const { sim } = start();
    sim.fork(); // pid 1, child of 0
    sim.switch(0);
    sim.fork(); // pid 2, child of 0
    sim.switch(1);
    sim.fork(); // pid 3, child of 1: list 0 1 2 3
    sim.switch(1);
    sim.kill(); // pid 1 dies; its parent 0 runs
    expect(sim.pid).toBe(0);
    expect(sim.processes().map((p) => p.pid)).toEqual([0, 2, 3]);
    sim.switch(2); // pid 3, whose parent is dead
    sim.kill();
    expect(sim.pid).toBe(2);
    expect(sim.processes().map((p) => [p.pid, p.state])).toEqual([[0, 'sleeping'], [2, 'running']]);
  });

  it('kill of the last process leaves none: every later call prints a message and does nothing', () => {
    const { sim, lines } = start(true);
    const x = page(0);
    sim.register(x);
    sim.write(x, ValueType.UnsignedInt(7));
    sim.fork();
    sim.kill();
    expect(sim.pid).toBe(0);
    sim.kill();
    expect(sim.pid).toBeUndefined();
    expect(sim.processes()).toEqual([]);
    expect(sim.stats().frames.used).toBe(1); // only the zero page
    lines.length = 0;
    sim.register(x);
    sim.write(x, ValueType.UnsignedInt(1));
    expect(sim.read(x, DataType.UnsignedInt)).toBeUndefined();
    sim.fork();
    sim.kill();
    sim.switch(0);
    expect(sim.dump()).toEqual(['']);
    expect(lines).toEqual([
      'No process is running: register 0x80000000 ignored',
      'No process is running: write to 0x80000000 ignored',
      'No process is running: read of 0x80000000 ignored',
      'No process is running: fork ignored',
      'No process is running: kill ignored',
      'Cannot switch to process 0: no process is alive; nothing changed',
    ]);
  });

  it('never reuses a pid after a kill (the original reused the list length)', () => {
    const { sim } = start();
    sim.fork();
    sim.kill();
    sim.fork();
    expect(sim.processes().map((p) => p.pid)).toEqual([0, 2]);
  });

  it('prints ZOMBIE <pid> for a read or write by a current process that is not running', () => {
    const { sim, lines } = start();
    const x = page(0);
    sim.register(x);
    sim.write(x, ValueType.UnsignedInt(5));
    sim.kernel.sleep();
    expect(u64(sim, x)).toBeUndefined();
    sim.write(x, ValueType.UnsignedInt(6));
    expect(lines).toEqual(['ZOMBIE 0', 'ZOMBIE 0']);
    // As in the original, register and fork still work on a sleeping current process.
    sim.register(page(1));
    sim.fork();
    expect(u64(sim, x)).toBe(5n);
    sim.switch(0);
    expect(u64(sim, x)).toBe(5n);
    expect(sim.kernel.isRegistered(page(1).address, 0)).toBe(true);

    lines.length = 0;
    sim.kernel.switchTo(1); // the kernel driven by hand: the simulator's current process 0 now sleeps
    expect(u64(sim, x)).toBeUndefined();
    expect(lines).toEqual(['ZOMBIE 0']);
  });

  it('forgets processes killed through the kernel directly', () => {
    const { sim, lines } = start();
    sim.fork();
    sim.kernel.kill(0);
    expect(sim.processes().map((p) => p.pid)).toEqual([1]);
    sim.kernel.kill(1);
    expect(sim.read(page(0), DataType.UnsignedInt)).toBeUndefined();
    sim.write(page(0), ValueType.Zero);
    expect(sim.pid).toBeUndefined();
    expect(lines).toEqual(['No process is running: read of 0x80000000 ignored', 'No process is running: write to 0x80000000 ignored']);
  });
});

describe('memory', () => {
  it('reuses the page after the sharer died: no copy', () => {
    const { sim, lines } = start(true);
    const x = page(0);
    sim.register(x);
    sim.write(x, ValueType.UnsignedInt(1));
    sim.fork();
    sim.kill(); // the child dies without writing
    sim.write(x, ValueType.UnsignedInt(2));
    expect(u64(sim, x)).toBe(2n);
    sim.fork();
    sim.write(x, ValueType.UnsignedInt(3));
    sim.kill(); // the child copied, then died; the parent's frame is its own again
    sim.write(x, ValueType.UnsignedInt(4));
    expect(u64(sim, x)).toBe(4n);
    expect(lines).toEqual(['PGZERO: 0x0', 'PGCOPY: 0x0']);
    expect(sim.stats().faults).toMatchObject({ zeroFill: 1, cowCopy: 1, cowReuse: 2 });
    expect(sim.stats().frames.data).toBe(1);
    sim.kernel.checkInvariants();
  });

  it('out of memory on a first write: a message, the value is not written, nothing changes', () => {
    const { sim, lines } = start(true, { frames: 8 }); // zero page, directory, table, then 5 data frames
    for (let n = 0; n < 6; n++) sim.register(page(n));
    for (let n = 0; n < 5; n++) sim.write(page(n), ValueType.UnsignedInt(n + 1));
    lines.length = 0;
    expectNoChange(sim, () => sim.write(page(5), ValueType.UnsignedInt(6)));
    expect(lines).toEqual(['Out of memory: cannot write to 0x80005000 (needs 1 frame, 0 free); nothing changed']);
    expect(u64(sim, page(5))).toBe(0n);
    for (let n = 0; n < 5; n++) expect(u64(sim, page(n))).toBe(BigInt(n + 1));
  });

  it('out of memory on register and fork: a message and nothing changes', () => {
    const { sim, lines } = start(false, { frames: 4 }); // zero page, directory, table, 1 data frame
    sim.register(page(0));
    sim.write(page(0), ValueType.UnsignedInt(1));
    expectNoChange(sim, () => sim.register(Pointer.at(0x80400000)));
    expectNoChange(sim, () => sim.fork());
    expect(lines).toEqual([
      'Out of memory: cannot register 0x80400000 (needs 1 frame, 0 free); nothing changed',
      'Out of memory: cannot fork process 0 (needs 2 frames, 0 free); nothing changed',
    ]);
    expect(sim.read(Pointer.at(0x80400000), DataType.UnsignedInt)).toBeUndefined();
    expect(sim.pid).toBe(0);
  });

  it('out of memory on a copy-on-write: a message, never a silently lost write', () => {
    const { sim, lines } = start(true, { frames: 6 });
    const x = page(0);
    sim.register(x);
    sim.write(x, ValueType.UnsignedInt(1013));
    sim.fork(); // takes the last two frames
    lines.length = 0;
    expectNoChange(sim, () => sim.write(x, ValueType.UnsignedInt(3000)));
    expect(u64(sim, x)).toBe(1013n);
    sim.switch(0);
    expectNoChange(sim, () => sim.write(x, ValueType.UnsignedInt(4000)));
    expect(lines).toEqual([
      'Out of memory: cannot write to 0x80000000 (needs 1 frame, 0 free); nothing changed',
      'Out of memory: cannot write to 0x80000000 (needs 1 frame, 0 free); nothing changed',
    ]);
    sim.kill(); // the parent dies: the child is the last sharer and writes in place
    expect(sim.pid).toBe(1);
    sim.write(x, ValueType.UnsignedInt(3000));
    expect(u64(sim, x)).toBe(3000n);
    expect(lines.length).toBe(2);
  });

  it('out of memory on a write across two pages: all or nothing', () => {
    const { sim, lines } = start(false, { frames: 5 });
    for (let n = 0; n < 3; n++) sim.register(page(n));
    sim.write(page(2), ValueType.UnsignedInt(1));
    expectNoChange(sim, () => sim.write(Pointer.at(0x80000ffc), ValueType.UnsignedInt(2n ** 64n - 1n)));
    expect(lines).toEqual(['Out of memory: cannot write to 0x80000ffc (needs 2 frames, 1 free); nothing changed']);
    expect(u64(sim, Pointer.at(0x80000ffc))).toBe(0n);
  });

  it('a process writes 100 pages with the default RAM (the original died at the 30th)', () => {
    const { sim, lines } = start(false, { frames: undefined });
    for (let n = 0; n < 100; n++) {
      sim.register(page(n));
      sim.write(page(n), ValueType.UnsignedInt(1000 + n));
    }
    for (let n = 0; n < 100; n++) expect(u64(sim, page(n))).toBe(BigInt(1000 + n));
    expect(lines).toEqual([]);
  });

  it('a process registers 40 regions of 4 MiB (the original died at the 31st)', () => {
    const { sim, lines } = start(false, { frames: undefined });
    for (let r = 0; r < 40; r++) {
      const p = Pointer.at(KERNBASE + r * 0x400000);
      sim.register(p);
      sim.write(p, ValueType.UnsignedInt(r));
    }
    for (let r = 0; r < 40; r++) expect(u64(sim, Pointer.at(KERNBASE + r * 0x400000))).toBe(BigInt(r));
    expect(sim.stats().processes[0]).toMatchObject({ pageTables: 41, resident: 40 });
    expect(lines).toEqual([]);
  });

  it('forks 20 times in a chain and 40 times from pid 0 (the original died at the 15th and the 31st)', () => {
    const { sim, lines } = start(false, { frames: undefined });
    const x = page(0);
    sim.register(x);
    sim.write(x, ValueType.UnsignedInt(7));
    for (let i = 0; i < 20; i++) {
      sim.fork();
      expect(u64(sim, x)).toBe(7n);
    }
    for (let i = 0; i < 40; i++) {
      sim.switch(0);
      sim.fork();
    }
    expect(sim.processes().length).toBe(61);
    expect(sim.stats().frames.data).toBe(1);
    expect(lines).toEqual([]);
    sim.kernel.checkInvariants();
  });

  it('fork, child writes, kill, parent writes: runs forever without leaking (the original died at cycle 28)', () => {
    const { sim, lines } = start(true, { frames: 32 });
    const x = page(0);
    sim.register(x);
    sim.write(x, ValueType.UnsignedInt(0));
    const used = sim.stats().frames.used;
    for (let cycle = 1; cycle <= 200; cycle++) {
      sim.fork();
      sim.write(x, ValueType.UnsignedInt(cycle * 2));
      expect(u64(sim, x)).toBe(BigInt(cycle * 2));
      sim.kill();
      sim.write(x, ValueType.UnsignedInt(cycle * 2 + 1));
      expect(u64(sim, x)).toBe(BigInt(cycle * 2 + 1));
      expect(sim.stats().frames.used).toBe(used);
    }
    expect(lines.filter((l) => l === 'PGCOPY: 0x0').length).toBe(200);
    expect(lines.length).toBe(201);
  }, 30_000);

  it("fork, child writes, kill: the child's write is never lost (the original lost it from cycle 53)", () => {
    const { sim } = start(false, { frames: 32 });
    const x = page(0);
    sim.register(x);
    sim.write(x, ValueType.UnsignedInt(1));
    for (let cycle = 1; cycle <= 999; cycle++) {
      sim.fork();
      sim.write(x, ValueType.UnsignedInt(cycle));
      expect(u64(sim, x)).toBe(BigInt(cycle));
      sim.kill();
    }
    expect(u64(sim, x)).toBe(1n);
    expect(sim.stats().frames.used).toBe(4);
  }, 30_000);

  it('both sides failing to copy, then both killed: no double free (the original panicked)', () => {
    const { sim, lines } = start(false, { frames: 32 });
    for (let n = 0; n < 27; n++) {
      sim.register(page(n));
      sim.write(page(n), ValueType.UnsignedInt(n));
    }
    sim.fork();
    expect(sim.stats().frames.free).toBe(0);
    sim.write(page(26), ValueType.UnsignedInt(1));
    sim.switch(0);
    sim.write(page(26), ValueType.UnsignedInt(2));
    expect(lines.length).toBe(2);
    sim.switch(1);
    sim.kill();
    expect(sim.pid).toBe(0);
    sim.write(page(26), ValueType.UnsignedInt(3));
    expect(u64(sim, page(26))).toBe(3n);
    sim.kill();
    expect(sim.stats().frames.free).toBe(31);
    sim.kernel.checkInvariants();
  });
});

describe('dump and print', () => {
  it('print() writes the dump through the sink only when verbose', () => {
    const quiet = start(false);
    quiet.sim.print();
    expect(quiet.lines).toEqual([]);
    expect(quiet.sim.dump().length).toBeGreaterThan(0);
    const loud = start(true);
    loud.sim.print();
    expect(loud.lines).toEqual(loud.sim.dump());
  });
});

/** A user address above 2^32 on each 64-bit model. */
const HIGH: Partial<Record<ModelName, number>> = { 'x86-64': 0x7f0000000000, sv39: 0x3f00000000 };

describe.each(MODEL_NAMES)('on %s', (name) => {
  const make = { 'x86-32': x86_32, sv32, 'x86-64': x86_64, sv39 }[name];

  it('begins on the model it is named after, with its levels in the statistics', () => {
    const { sim } = start(false, { model: name });
    const stats = sim.stats();
    expect(stats.model).toBe(name);
    expect(stats.levels).toBe(make().levels);
    expect(stats.levels).toBe({ 'x86-32': 2, sv32: 2, 'x86-64': 4, sv39: 3 }[name]);
    expect(stats.pageSize).toBe(PAGE);
    expect(sim.addressLimit).toBe({ 'x86-32': 2 ** 32, sv32: 2 ** 32, 'x86-64': 2 ** 47, sv39: 2 ** 38 }[name]);
    // The first page takes one table per level below the root.
    sim.register(page(0));
    expect(sim.stats().frames.pageTables).toBe(stats.levels);
    expect(sim.stats().processes[0]!.pageTables).toBe(stats.levels);
  });

  it('runs the original\'s demo with the same messages and values', () => {
    const { sim, lines } = start(true, { model: name });
    const x = Pointer.new(ValueType.Zero);
    const y = Pointer.new(ValueType.Zero);
    sim.register(x);
    sim.register(y);
    sim.write(x, ValueType.SignedInt(-2));
    sim.write(y, ValueType.UnsignedInt(2));
    sim.fork();
    sim.write(x, ValueType.UnsignedInt(3));
    expect(u64(sim, x)).toBe(3n);
    sim.switch(0);
    expect(sim.read(x, DataType.SignedInt)?.getValue()).toBe(-2n);
    sim.write(page(4), ValueType.UnsignedInt(1));
    sim.switch(7);
    expect(lines).toEqual([
      'Mapping already registered for 0x80000010.',
      'PGZERO: 0x0',
      'PGCOPY: 0x0',
      'Invalid address 0x80004000',
      'Cannot switch to process 7: expected an index from 0 to 1; nothing changed',
    ]);
    sim.kernel.checkInvariants();
  });

  it('refuses addresses at and past the end of user space with a message naming its width', () => {
    const { sim, lines } = start(false, { model: name });
    const end = sim.addressLimit;
    const bits = Math.log2(end);
    const space = name === 'x86-64' || name === 'sv39' ? 'user' : 'virtual';
    sim.register(Pointer.at(end - 1));
    sim.write(Pointer.at(end - 8), ValueType.UnsignedInt(7));
    expect(u64(sim, Pointer.at(end - 8))).toBe(7n);
    expectNoChange(sim, () => {
      sim.register(Pointer.at(end));
      sim.write(Pointer.at(end - 4), ValueType.UnsignedInt(1));
      sim.read(Pointer.at(end + PAGE), DataType.UnsignedInt8);
    });
    expect(lines).toEqual([
      `Invalid address 0x${end.toString(16)}: outside the ${bits}-bit ${space} address space`,
      `Invalid address 0x${(end - 4).toString(16)}: a value of 8 bytes there runs past the end of the ${bits}-bit ${space} address space`,
      `Invalid address 0x${(end + PAGE).toString(16)}: outside the ${bits}-bit ${space} address space`,
    ]);
  });
});

describe.each(Object.entries(HIGH))('above 2^32 on %s', (name, high) => {
  it('registers, writes, reads, forks and copies on write at a high address', () => {
    const { sim, lines } = start(true, { model: name as ModelName });
    const x = Pointer.at(high);
    const y = x.offset(PAGE - 4); // a 8-byte value across two pages
    sim.register(x);
    sim.register(x.offset(PAGE));
    sim.write(x, ValueType.UnsignedInt(0x1122334455667788n));
    sim.write(y, ValueType.SignedInt(-5));
    // The low address with the same low 32 bits is another page, not registered.
    sim.write(Pointer.at(high % 2 ** 32), ValueType.UnsignedInt(1));
    sim.fork();
    expect(u64(sim, x)).toBe(0x1122334455667788n);
    sim.write(x, ValueType.UnsignedInt(9));
    sim.switch(0);
    expect(u64(sim, x)).toBe(0x1122334455667788n);
    expect(sim.read(y, DataType.SignedInt)?.getValue()).toBe(-5n);
    sim.write(x, ValueType.UnsignedInt(10));
    sim.switch(1);
    expect(u64(sim, x)).toBe(9n);
    const offset = (va: number): string => `0x${(va - KERNBASE).toString(16)}`;
    expect(lines).toEqual([
      `PGZERO: ${offset(high)}`,
      `PGZERO: ${offset(high + PAGE)}`,
      'Invalid address 0x0',
      `PGCOPY: ${offset(high)}`,
    ]);
    expect(sim.stats().faults).toMatchObject({ zeroFill: 2, cowCopy: 1, cowReuse: 1 });
    const mappings = sim.kernel.mappings(sim.pid);
    expect(mappings.map((m) => m.va)).toEqual([high, high + PAGE]);
    sim.kernel.checkInvariants();
  });
});
