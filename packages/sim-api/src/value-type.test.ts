import { inspect } from 'node:util';
import { thrown } from '@vmsim/hw/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataType } from './data-type.js';
import { InvalidValueError } from './errors.js';
import { I64_MAX, I64_MIN, SIZE_OF_VALUE_TYPE, U64_MAX, ValueType } from './value-type.js';

describe('ValueType', () => {
  it('has the original variants, 8 bytes each, with bigint values', () => {
    const u = ValueType.UnsignedInt(5);
    expect(u.kind).toBe('UnsignedInt');
    expect(u.size).toBe(8);
    expect(u.getValue()).toBe(5n);
    expect(ValueType.SignedInt(-2).getValue()).toBe(-2n);
    expect(ValueType.SignedInt(-2).bits).toBe(U64_MAX - 1n);
    expect(ValueType.Zero.kind).toBe('Zero');
    expect(ValueType.Zero.size).toBe(8);
    expect(ValueType.Zero.getValue()).toBe(0n);
    expect(ValueType.Zero.toBytes()).toEqual(new Uint8Array(8));
    expect(SIZE_OF_VALUE_TYPE).toBe(16);
  });

  it('accepts numbers and bigints over the whole 64-bit range', () => {
    expect(ValueType.UnsignedInt(U64_MAX).getValue()).toBe(2n ** 64n - 1n);
    expect(ValueType.UnsignedInt(0n).getValue()).toBe(0n);
    expect(ValueType.SignedInt(I64_MIN).getValue()).toBe(-(2n ** 63n));
    expect(ValueType.SignedInt(I64_MAX).getValue()).toBe(2n ** 63n - 1n);
    expect(ValueType.SignedInt(Number.MIN_SAFE_INTEGER).getValue()).toBe(BigInt(Number.MIN_SAFE_INTEGER));
    expect(ValueType.UnsignedInt(258).toBytes()).toEqual(new Uint8Array([2, 1, 0, 0, 0, 0, 0, 0]));
    expect(ValueType.SignedInt(I64_MIN).toBytes()).toEqual(new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0x80]));
  });

  it('throws InvalidValueError, with the offending value, for values its type cannot hold exactly', () => {
    const cases: [() => unknown, string, unknown][] = [
      [() => ValueType.UnsignedInt(-1), 'UnsignedInt', -1],
      [() => ValueType.UnsignedInt(2n ** 64n), 'UnsignedInt', 2n ** 64n],
      [() => ValueType.SignedInt(2n ** 63n), 'SignedInt', 2n ** 63n],
      [() => ValueType.SignedInt(-(2n ** 63n) - 1n), 'SignedInt', -(2n ** 63n) - 1n],
      [() => ValueType.UnsignedInt(1.5), 'UnsignedInt', 1.5],
      [() => ValueType.UnsignedInt(Number.NaN), 'UnsignedInt', Number.NaN],
      [() => ValueType.UnsignedInt(2 ** 60), 'UnsignedInt', 2 ** 60],
      [() => ValueType.UnsignedInt('5' as unknown as number), 'UnsignedInt', '5'],
      [() => ValueType.UnsignedInt8(256), 'UnsignedInt8', 256],
      [() => ValueType.SignedInt8(-129), 'SignedInt8', -129],
      [() => ValueType.UnsignedInt16(-1n), 'UnsignedInt16', -1n],
      [() => ValueType.SignedInt16(0x8000), 'SignedInt16', 0x8000],
      [() => ValueType.UnsignedInt32(2 ** 32), 'UnsignedInt32', 2 ** 32],
      [() => ValueType.SignedInt32(2 ** 31), 'SignedInt32', 2 ** 31],
      [() => ValueType.Float64(1n as unknown as number), 'Float64', 1n],
    ];
    for (const [fn, type, value] of cases) {
      const error = thrown(fn);
      expect(InvalidValueError.isInstance(error), `${type}(${String(value)})`).toBe(true);
      expect((error as InvalidValueError).type).toBe(type);
      expect(Object.is((error as InvalidValueError).value, value)).toBe(true);
    }
    expect(InvalidValueError.isInstance(new Error('x'))).toBe(false);
    expect(String(thrown(() => ValueType.UnsignedInt(-1)))).toContain('UnsignedInt(-1): expected an integer from 0 to 2^64 - 1');
  });

  it('has byte, 16- and 32-bit integers and floats with their own sizes, as numbers', () => {
    const sizes: [ValueType, number, number][] = [
      [ValueType.UnsignedInt8(255), 1, 255],
      [ValueType.SignedInt8(-128), 1, -128],
      [ValueType.UnsignedInt16(0xffff), 2, 0xffff],
      [ValueType.SignedInt16(-2), 2, -2],
      [ValueType.UnsignedInt32(0xffffffff), 4, 0xffffffff],
      [ValueType.SignedInt32(-(2 ** 31)), 4, -(2 ** 31)],
      [ValueType.Float32(0.5), 4, 0.5],
      [ValueType.Float64(0.1), 8, 0.1],
    ];
    for (const [value, size, n] of sizes) {
      expect(value.size).toBe(size);
      expect(value.getValue()).toBe(n);
    }
    expect(ValueType.SignedInt16(-2).toBytes()).toEqual(new Uint8Array([0xfe, 0xff]));
    expect(ValueType.UnsignedInt32(0x01020304).toBytes()).toEqual(new Uint8Array([4, 3, 2, 1]));
    expect(ValueType.Float32(0.1).getValue()).toBe(Math.fround(0.1));
    expect(ValueType.UnsignedInt8(7n).getValue()).toBe(7);
  });

  it('is immutable, compares by kind and bits, and prints like the original', () => {
    const v = ValueType.UnsignedInt(5);
    expect(() => {
      (v as unknown as { size: number }).size = 1;
    }).toThrow(TypeError);
    expect(v.equals(ValueType.UnsignedInt(5n))).toBe(true);
    expect(v.equals(ValueType.SignedInt(5))).toBe(false);
    expect(ValueType.Float64(0).equals(ValueType.Float64(-0))).toBe(false);
    expect(ValueType.Float64(Number.NaN).equals(ValueType.Float64(Number.NaN))).toBe(true);
    expect(String(v)).toBe('UnsignedInt(5)');
    expect(String(ValueType.SignedInt(-2))).toBe('SignedInt(-2)');
    expect(String(ValueType.Zero)).toBe('Zero');
    expect(String(ValueType.Float64(-0))).toBe('Float64(-0)');
    expect(inspect(v)).toBe('UnsignedInt(5)');
    expect(ValueType.isInstance(v)).toBe(true);
    expect(ValueType.isInstance({ kind: 'UnsignedInt' })).toBe(false);
  });

  it('round-trips every 64-bit value through its bytes and DataType', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: U64_MAX }), fc.bigInt({ min: I64_MIN, max: I64_MAX }), (u, s) => {
        const uv = ValueType.UnsignedInt(u);
        const sv = ValueType.SignedInt(s);
        expect(DataType.UnsignedInt.fromBytes(uv.toBytes()).getValue()).toBe(u);
        expect(DataType.SignedInt.fromBytes(sv.toBytes()).getValue()).toBe(s);
        // Reinterpretation: the same 8 bytes read as the other kind.
        expect(DataType.UnsignedInt.fromBytes(sv.toBytes()).getValue()).toBe(BigInt.asUintN(64, s));
        expect(DataType.SignedInt.fromBytes(uv.toBytes()).getValue()).toBe(BigInt.asIntN(64, u));
      }),
    );
  });

  it('round-trips floats and small integers through their bits', () => {
    fc.assert(
      fc.property(fc.double(), fc.float(), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (d, f, i) => {
        expect(Object.is(DataType.Float64.fromBits(ValueType.Float64(d).bits).getValue(), d)).toBe(true);
        expect(Object.is(DataType.Float32.fromBits(ValueType.Float32(f).bits).getValue(), f)).toBe(true);
        expect(DataType.SignedInt32.fromBits(ValueType.SignedInt32(i).bits).getValue()).toBe(i);
        expect(DataType.SignedInt16.fromBits(ValueType.SignedInt16((i << 16) >> 16).bits).getValue()).toBe((i << 16) >> 16);
        expect(DataType.UnsignedInt8.fromBits(ValueType.UnsignedInt8(i & 0xff).bits).getValue()).toBe(i & 0xff);
      }),
    );
  });
});

describe('ValueType made from numbers and from bigints (stored words)', () => {
  it('gives the same kind, bits and value either way, over the safe-integer range and its signs', () => {
    for (const n of [0, 1, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 5, 2 ** 53 - 1, 0xdeadbeef * 3]) {
      const a = ValueType.UnsignedInt(n);
      const b = ValueType.UnsignedInt(BigInt(n));
      expect(a.equals(b)).toBe(true);
      expect(a.bits).toBe(BigInt(n));
      expect(a.getValue()).toBe(BigInt(n));
      expect(Array.from(a.toBytes())).toEqual(Array.from(b.toBytes()));
    }
    for (const n of [0, -1, -(2 ** 32), -(2 ** 32) - 1, 2 ** 31, -(2 ** 53) + 1, 2 ** 53 - 1]) {
      const a = ValueType.SignedInt(n);
      const b = ValueType.SignedInt(BigInt(n));
      expect(a.equals(b)).toBe(true);
      expect(a.bits).toBe(BigInt.asUintN(64, BigInt(n)));
      expect(a.getValue()).toBe(BigInt(n));
      expect(a.toString()).toBe(b.toString());
    }
    expect(ValueType.UnsignedInt(-0).getValue()).toBe(0n);
    expect(ValueType.Float64(-1.5).bits).toBe(0xbff8000000000000n);
  });

  it('a bigint anywhere in the 64-bit range carries words that rebuild its pattern and value exactly', () => {
    const same = (a: ValueType<bigint>, n: bigint, bits: bigint): void => {
      expect(a.bits).toBe(bits);
      expect(a.getValue()).toBe(n);
      expect(Array.from(a.toBytes())).toEqual(Array.from(new Uint8Array(new BigUint64Array([bits]).buffer)));
    };
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: U64_MAX }), (n) => {
      same(ValueType.UnsignedInt(n), n, n);
      // Read back from its bits as memory holds them: the words path of a read.
      expect(DataType.UnsignedInt.fromBits(n).equals(ValueType.UnsignedInt(n))).toBe(true);
    }));
    fc.assert(fc.property(fc.bigInt({ min: I64_MIN, max: I64_MAX }), (n) => {
      same(ValueType.SignedInt(n), n, BigInt.asUintN(64, n));
      expect(ValueType.SignedInt(n).equals(DataType.SignedInt.fromBits(BigInt.asUintN(64, n)))).toBe(true);
    }));
    for (const n of [0n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 63n, U64_MAX]) same(ValueType.UnsignedInt(n), n, n);
    for (const n of [I64_MIN, -1n, -(2n ** 53n), I64_MAX]) same(ValueType.SignedInt(n), n, BigInt.asUintN(64, n));
  });

  it('refuses bigints outside the range with the message it always gave', () => {
    expect((thrown(() => ValueType.UnsignedInt(U64_MAX + 1n)) as Error).message).toContain('expected an integer from 0 to 2^64 - 1');
    expect((thrown(() => ValueType.UnsignedInt(-1n)) as Error).message).toContain('expected an integer from 0 to 2^64 - 1');
    expect((thrown(() => ValueType.SignedInt(I64_MAX + 1n)) as Error).message).toContain('expected an integer from -2^63 to 2^63 - 1');
    expect((thrown(() => ValueType.SignedInt(I64_MIN - 1n)) as Error).message).toContain('expected an integer from -2^63 to 2^63 - 1');
    expect(thrown(() => ValueType.UnsignedInt('1' as unknown as bigint))).toBeInstanceOf(InvalidValueError);
  });

  it('still refuses numbers it cannot hold exactly, whichever path they take', () => {
    for (const bad of [-1, 0.5, 2 ** 53, Number.NaN, Infinity]) expect(() => ValueType.UnsignedInt(bad)).toThrow(InvalidValueError);
    for (const bad of [0.5, 2 ** 53, -(2 ** 53), Number.NaN]) expect(() => ValueType.SignedInt(bad)).toThrow(InvalidValueError);
  });
});
