import { describe, expect, it } from 'vitest';
import { checkInteger, HwArgumentError, PhysicalAddressError, VmsimError } from './errors.js';
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
