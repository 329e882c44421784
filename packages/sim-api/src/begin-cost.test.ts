// Simulator.begin costs the same whatever the RAM size: RAM is committed and the kernel's frame books grow
// as frames are used (the mechanism, checked directly: wall time on a shared host would be noise).

import { INITIAL_COMMIT_BYTES } from '@vmsim/hw';
import { describe, expect, it } from 'vitest';
import { DataType } from './data-type.js';
import { KERNBASE, Pointer } from './pointer.js';
import { Simulator } from './simulator.js';
import { ValueType } from './value-type.js';

const silent = (): void => {};

describe('Simulator.begin and RAM size', () => {
  it('the default 1 GiB, 1 MiB and 4 GiB machines commit the same RAM and books after begin', () => {
    const footprint = (sim: Simulator) => ({ committed: sim.kernel.ram.committedBytes, used: sim.kernel.frames.used, high: sim.kernel.frames.highWater });
    const byDefault = Simulator.begin(false, { output: silent });
    expect(byDefault.kernel.ram.size).toBe(2 ** 30);
    const small = Simulator.begin(false, { output: silent, ramBytes: 2 ** 20 });
    const big = Simulator.begin(false, { output: silent, ramBytes: 2 ** 32 });
    expect(big.kernel.ram.size).toBe(2 ** 32);
    expect(footprint(byDefault)).toEqual(footprint(small));
    expect(footprint(big)).toEqual(footprint(small));
    expect(footprint(big).committed).toBe(INITIAL_COMMIT_BYTES);
  });

  it('a 4 GiB machine works past its first commit: values written across many pages read back', () => {
    const sim = Simulator.begin(false, { output: silent, ramBytes: 2 ** 32 });
    const pointers = Array.from({ length: 64 }, (_, i) => Pointer.at(KERNBASE + i * 4096));
    for (const p of pointers) sim.register(p);
    pointers.forEach((p, i) => sim.write(p, ValueType.UnsignedInt(i * 7919)));
    expect(sim.kernel.ram.committedBytes).toBeGreaterThan(INITIAL_COMMIT_BYTES);
    pointers.forEach((p, i) => expect(sim.read(p, DataType.UnsignedInt)).toEqual(ValueType.UnsignedInt(i * 7919)));
  });
});
