import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { checkInteger, HwArgumentError, PhysicalAddressError, UnknownModelError, VmsimError } from './errors.js';
import { thrown } from './testing/argument-errors.js';

const BASE_MARKER = Symbol.for('@vmsim/error');
const PA_MARKER = Symbol.for('@vmsim/hw/PhysicalAddressError');
const ARG_MARKER = Symbol.for('@vmsim/hw/HwArgumentError');

describe('VmsimError', () => {
  it('is an Error whose name is the concrete class name', () => {
    const base = new VmsimError('boom');
    expect(base).toBeInstanceOf(Error);
    expect(base.name).toBe('VmsimError');
    expect(base.message).toBe('boom');
    expect(new PhysicalAddressError(0, 1, 1).name).toBe('PhysicalAddressError');
    expect(new HwArgumentError('x', 1, 'bad').name).toBe('HwArgumentError');
  });

  it('isInstance accepts every vmsim error and rejects everything else', () => {
    expect(VmsimError.isInstance(new VmsimError('a'))).toBe(true);
    expect(VmsimError.isInstance(new PhysicalAddressError(1, 2, 3))).toBe(true);
    expect(VmsimError.isInstance(new HwArgumentError('a', 1, 'b'))).toBe(true);
    for (const other of [new Error('plain'), new TypeError('t'), null, undefined, 0, 'VmsimError', {}, [], () => 1]) {
      expect(VmsimError.isInstance(other)).toBe(false);
    }
  });

  it('isInstance recognises a copy of the class loaded from another bundle by its Symbol.for marker', () => {
    const copy = { [BASE_MARKER]: true, message: 'from another copy' };
    expect(VmsimError.isInstance(copy)).toBe(true);
    // The marker must be exactly `true`.
    expect(VmsimError.isInstance({ [BASE_MARKER]: 1 })).toBe(false);
    expect(VmsimError.isInstance({ [BASE_MARKER]: 'true' })).toBe(false);
    // A private (non-registered) symbol with the same description is not the marker.
    expect(VmsimError.isInstance({ [Symbol('@vmsim/error')]: true })).toBe(false);
  });

  it('the marker is an own property of each instance', () => {
    const error = new VmsimError('x') as unknown as Record<symbol, unknown>;
    expect(error[BASE_MARKER]).toBe(true);
  });
});

describe('PhysicalAddressError', () => {
  it('carries pa, length and ramSize, and names them in its message', () => {
    const error = new PhysicalAddressError(0x1ffd, 4, 0x2000);
    expect(error.pa).toBe(0x1ffd);
    expect(error.length).toBe(4);
    expect(error.ramSize).toBe(0x2000);
    expect(error).toBeInstanceOf(VmsimError);
    expect(error.message).toContain('0x1ffd');
    expect(error.message).toContain('4 byte');
    expect(error.message).toContain('8192');
  });

  it('shows negative and fractional addresses verbatim (not as a misleading hex fraction)', () => {
    expect(new PhysicalAddressError(-1, 1, 4096).message).toContain('-1');
    const fractional = new PhysicalAddressError(1.5, 1, 4096).message;
    expect(fractional).toContain('1.5');
    expect(fractional).not.toContain('0x1.8');
    expect(new PhysicalAddressError(Number.NaN, 1, 4096).message).toContain('NaN');
  });

  it('isInstance needs both markers, so copies work and sibling classes do not match', () => {
    expect(PhysicalAddressError.isInstance(new PhysicalAddressError(0, 1, 1))).toBe(true);
    expect(PhysicalAddressError.isInstance(new HwArgumentError('a', 1, 'b'))).toBe(false);
    expect(PhysicalAddressError.isInstance(new VmsimError('a'))).toBe(false);
    expect(PhysicalAddressError.isInstance(new Error('a'))).toBe(false);
    expect(PhysicalAddressError.isInstance({ [BASE_MARKER]: true, [PA_MARKER]: true })).toBe(true);
    // Without the base marker it is not a vmsim error at all.
    expect(PhysicalAddressError.isInstance({ [PA_MARKER]: true })).toBe(false);
    expect(PhysicalAddressError.isInstance({ [BASE_MARKER]: true })).toBe(false);
    expect(PhysicalAddressError.isInstance(null)).toBe(false);
  });
});

describe('HwArgumentError', () => {
  it('carries argument, value and reason and formats the value in its message', () => {
    const error = new HwArgumentError('pfn', 0x100000, 'x86-32 frames are 20 bits');
    expect(error.argument).toBe('pfn');
    expect(error.value).toBe(0x100000);
    expect(error.reason).toBe('x86-32 frames are 20 bits');
    expect(error.message).toBe('invalid pfn 0x100000: x86-32 frames are 20 bits');
  });

  it.each([
    [255, '0xff'],
    [0, '0x0'],
    [-5, '-5'],
    [1.5, '1.5'],
    [Number.NaN, 'NaN'],
    [255n, '0xff'],
    ['abc', '"abc"'],
    [undefined, 'undefined'],
    [null, 'null'],
    [true, 'true'],
  ])('formats the offending value %s as %s', (value, shown) => {
    expect(new HwArgumentError('thing', value, 'why').message).toBe(`invalid thing ${shown}: why`);
  });

  it('isInstance works for copies and rejects siblings', () => {
    class ForeignCopy extends Error {
      readonly [BASE_MARKER] = true;
      readonly [ARG_MARKER] = true;
    }
    const foreign = new ForeignCopy('other bundle');
    expect(foreign).not.toBeInstanceOf(HwArgumentError);
    expect(HwArgumentError.isInstance(foreign)).toBe(true);
    expect(VmsimError.isInstance(foreign)).toBe(true);
    expect(PhysicalAddressError.isInstance(foreign)).toBe(false);
    expect(HwArgumentError.isInstance(new PhysicalAddressError(0, 1, 1))).toBe(false);
    expect(HwArgumentError.isInstance({ [ARG_MARKER]: true })).toBe(false);
  });
});

describe('checkInteger', () => {
  it('returns an in-range integer, both bounds inclusive', () => {
    expect(checkInteger('n', 3, 3, 9)).toBe(3);
    expect(checkInteger('n', 9, 3, 9)).toBe(9);
    expect(checkInteger('n', 0, -1, 1)).toBe(0);
  });

  it.each([1.5, Number.NaN, Number.POSITIVE_INFINITY, '4', 4n, null, undefined])('rejects the non-integer %s', (value) => {
    const error = thrown(() => checkInteger('widget count', value, 0, 10));
    expect(HwArgumentError.isInstance(error)).toBe(true);
    const e = error as HwArgumentError;
    expect(e.argument).toBe('widget count');
    expect(e.value).toBe(value);
    expect(e.reason).toBe('expected an integer');
    expect(e.message).toContain('widget count');
  });

  it.each([
    [2, 3, 9],
    [10, 3, 9],
    [-1, 0, 9],
  ])('rejects %s outside [%s, %s] and names the range', (value, min, max) => {
    const error = thrown(() => checkInteger('level', value, min, max)) as HwArgumentError;
    expect(HwArgumentError.isInstance(error)).toBe(true);
    expect(error.value).toBe(value);
    expect(error.reason).toBe(`expected a value from ${min} to ${max}`);
    expect(error.message).toContain(String(min));
    expect(error.message).toContain(String(max));
  });
});

describe('name and errno of every hw error class', () => {
  const cases = [
    ['PhysicalAddressError', PhysicalAddressError, () => new PhysicalAddressError(0x2000, 4, 0x2000), 'EFAULT'],
    ['HwArgumentError', HwArgumentError, () => new HwArgumentError('pfn', -1, 'bad'), 'EINVAL'],
    ['UnknownModelError', UnknownModelError, () => new UnknownModelError('toy', ['x86-32']), 'EINVAL'],
  ] as const;

  it.each(cases)('%s has the literal name, its errno, and a marker that ends with its name', (name, cls, make, errno) => {
    const error = make();
    expect(error.name).toBe(name);
    expect(error.errno).toBe(errno);
    expect(cls.marker).toBe(`@vmsim/hw/${name}`);
    expect(String(error)).toBe(`${name}: ${error.message}`);
    // The name is the instance's own, so a minifier renaming the class cannot change it.
    expect(Object.hasOwn(error, 'name')).toBe(true);
  });

  it('VmsimError itself has no errno unless given one', () => {
    expect(new VmsimError('x').errno).toBeUndefined();
    expect(new VmsimError('x', 'ENOMEM').errno).toBe('ENOMEM');
  });

  it('a subclass of another layer that declares no name gets its marker\'s last segment, not its class name', () => {
    class Renamed extends VmsimError {
      static override readonly marker = '@vmsim/kernel/OutOfMemoryError';
      constructor() {
        super('no frames', 'ENOMEM');
      }
    }
    const error = new Renamed();
    expect(Renamed.name).toBe('Renamed');
    expect(error.name).toBe('OutOfMemoryError');
    expect(error.errno).toBe('ENOMEM');
  });

  it('a subclass that declares a literal name keeps it', () => {
    class Mine extends VmsimError {
      static override readonly marker = '@vmsim/test/Whatever';
      override readonly name = 'MineError' as const;
    }
    expect(new Mine('m').name).toBe('MineError');
  });
});

describe('names survive a consumer\'s minifier', () => {
  // Bundle the package's entry with identifiers minified, as an app's production build would, and look at
  // the errors the bundled code throws.
  const bundle = (contents: string): Record<string, unknown> => {
    const result = buildSync({
      stdin: { contents, resolveDir: fileURLToPath(new URL('.', import.meta.url)), loader: 'ts' },
      bundle: true,
      minify: true,
      format: 'iife',
      globalName: '__bundle',
      write: false,
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]!.text;
    expect(code).not.toContain('class HwArgumentError');
    return new Function(`${code}; return __bundle;`)() as Record<string, unknown>;
  };

  it('every hw error thrown by minified code has its literal name and errno', () => {
    const out = bundle(`
      import { HwArgumentError, PhysicalAddressError, PhysicalMemory, UnknownModelError, modelByName, VmsimError } from './index.ts';
      const caught = (fn) => { try { fn(); } catch (error) { return error; } return undefined; };
      export const classNames = [HwArgumentError.name, PhysicalAddressError.name, UnknownModelError.name, VmsimError.name];
      export const errors = [
        caught(() => new PhysicalMemory(8192).read32(8190)),
        caught(() => modelByName('x86-32').encodeLo(-1, 1, 1, true)),
        caught(() => modelByName('toy')),
        new VmsimError('base'),
      ];
    `);
    // The minifier did rename the classes, so a name taken from the constructor would be wrong.
    expect(out.classNames).not.toEqual(['HwArgumentError', 'PhysicalAddressError', 'UnknownModelError', 'VmsimError']);
    const errors = out.errors as { name: string; errno: string | undefined }[];
    expect(errors.map((e) => [e.name, e.errno])).toEqual([
      ['PhysicalAddressError', 'EFAULT'],
      ['HwArgumentError', 'EINVAL'],
      ['UnknownModelError', 'EINVAL'],
      ['VmsimError', undefined],
    ]);
    expect(errors.every((e) => VmsimError.isInstance(e))).toBe(true);
    expect(HwArgumentError.isInstance(errors[1])).toBe(true);
  });

  it('a subclass without a literal name (another layer\'s) is named from its marker after minifying', () => {
    const out = bundle(`
      import { VmsimError } from './errors.ts';
      class NoSuchProcessError extends VmsimError {
        static marker = '@vmsim/kernel/NoSuchProcessError';
        constructor() { super('no such process', 'ESRCH'); }
      }
      export const className = NoSuchProcessError.name;
      export const error = new NoSuchProcessError();
    `);
    expect(out.className).not.toBe('NoSuchProcessError');
    expect(out.error).toMatchObject({ name: 'NoSuchProcessError', errno: 'ESRCH', message: 'no such process' });
  });
});
