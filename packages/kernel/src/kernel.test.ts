// The facade's options: a hardware model given by object or by its name in @vmsim/hw's registry.

import { MODEL_NAMES, modelByName, sv39, UnknownModelError } from '@vmsim/hw';
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from './errors.js';
import { Kernel } from './kernel.js';
import { caught } from './testing/assertions.js';

describe('new Kernel({ model }) by name', () => {
  it.each([...MODEL_NAMES])('%s: the registry\'s model with its default options', (name) => {
    const k = new Kernel({ model: name, ramBytes: 64 * 4096 });
    const want = modelByName(name);
    expect(k.model.name).toBe(name);
    expect({ levels: k.model.levels, vaBits: k.model.vaBits, asidBits: k.model.asidBits, entryBytes: k.model.entryBytes })
      .toEqual({ levels: want.levels, vaBits: want.vaBits, asidBits: want.asidBits, entryBytes: want.entryBytes });
    // And it runs: a page of its own, written and read back.
    k.spawn();
    k.register(0x80000000);
    expect(k.store(0x80000004, 4, 0xcafe)).toBe(0);
    expect(k.load(0x80000004, 4)).toBe(0xcafe);
  });

  it('a name and the object it names give the same machine', () => {
    const byName = new Kernel({ model: 'sv39', ramBytes: 32 * 4096 });
    const byObject = new Kernel({ model: sv39(), ramBytes: 32 * 4096 });
    for (const k of [byName, byObject]) {
      k.spawn();
      k.register(0x3f00000000);
      k.store64(0x3f00000000, 0x1122334455667788n);
    }
    expect(byName.pageTables()).toEqual(byObject.pageTables());
    expect(byName.snapshot()).toEqual(byObject.snapshot());
  });

  it.each(['x86-65', 'X86-64', 'x86_64', '', 'sv48'])('an unknown name %j → InvalidOptionError listing the known names', (name) => {
    const e = caught(() => new Kernel({ model: name as never }));
    expect(InvalidOptionError.isInstance(e)).toBe(true);
    expect(UnknownModelError.isInstance(e)).toBe(false);
    expect(e).toMatchObject({ name: 'InvalidOptionError', errno: 'EINVAL', option: 'model', value: name });
    for (const known of MODEL_NAMES) expect((e as Error).message).toContain(`'${known}'`);
  });

  it.each([42, null, true, 10n, {}, ['x86-64']])('a model that is neither a name nor a HardwareModel (%o) → InvalidOptionError', (model) => {
    const e = caught(() => new Kernel({ model: model as never }));
    expect(InvalidOptionError.isInstance(e)).toBe(true);
    expect(e).toMatchObject({ option: 'model' });
  });
});
