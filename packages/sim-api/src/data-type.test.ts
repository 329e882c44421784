import { describe, expect, it } from 'vitest';
import { DataType } from './data-type.js';
import { InvalidArgumentError } from './errors.js';
import { ValueType } from './value-type.js';

describe('DataType', () => {
  it('has the original two kinds, 8 bytes each, and the extra kinds with their sizes', () => {
    const sizes: [DataType, string, number][] = [
      [DataType.UnsignedInt, 'UnsignedInt', 8],
      [DataType.SignedInt, 'SignedInt', 8],
      [DataType.UnsignedInt8, 'UnsignedInt8', 1],
      [DataType.UnsignedInt16, 'UnsignedInt16', 2],
      [DataType.UnsignedInt32, 'UnsignedInt32', 4],
      [DataType.SignedInt8, 'SignedInt8', 1],
      [DataType.SignedInt16, 'SignedInt16', 2],
      [DataType.SignedInt32, 'SignedInt32', 4],
      [DataType.Float32, 'Float32', 4],
      [DataType.Float64, 'Float64', 8],
    ];
    for (const [type, kind, size] of sizes) {
      expect(type.kind).toBe(kind);
      expect(type.size).toBe(size);
      expect(String(type)).toBe(kind);
      expect(DataType.isInstance(type)).toBe(true);
      expect(Object.isFrozen(type)).toBe(true);
    }
    expect(DataType.isInstance('UnsignedInt')).toBe(false);
  });

  it('reinterprets bits as the requested kind', () => {
    expect(DataType.UnsignedInt.fromBits(2n ** 64n - 2n).getValue()).toBe(18446744073709551614n);
    expect(DataType.SignedInt.fromBits(2n ** 64n - 2n).getValue()).toBe(-2n);
    expect(DataType.SignedInt.fromBits(2n ** 63n).getValue()).toBe(-(2n ** 63n));
    expect(DataType.SignedInt8.fromBits(0xff).getValue()).toBe(-1);
    expect(DataType.SignedInt16.fromBits(0x8000).getValue()).toBe(-0x8000);
    expect(DataType.SignedInt32.fromBits(0xffffffff).getValue()).toBe(-1);
    expect(DataType.UnsignedInt32.fromBits(0xffffffff).getValue()).toBe(0xffffffff);
    expect(DataType.UnsignedInt8.fromBits(0x1ff).getValue()).toBe(0xff);
    expect(DataType.UnsignedInt16.fromBits(0x12345n).getValue()).toBe(0x2345);
    expect(DataType.UnsignedInt.fromBits(7).getValue()).toBe(7n);
    expect(DataType.Float32.fromBits(0x3f800000).getValue()).toBe(1);
    expect(DataType.Float64.fromBits(0x3ff0000000000000n).getValue()).toBe(1);
    expect(DataType.SignedInt.fromBits(0n).kind).toBe('SignedInt');
  });

  it('decodes little-endian bytes and refuses the wrong length or kind of input', () => {
    expect(DataType.UnsignedInt.fromBytes(new Uint8Array([8, 7, 6, 5, 4, 3, 2, 1])).getValue()).toBe(0x0102030405060708n);
    expect(DataType.UnsignedInt16.fromBytes(new Uint8Array([0x34, 0x12])).getValue()).toBe(0x1234);
    expect(DataType.Float64.fromBytes(ValueType.Float64(-1.5).toBytes()).getValue()).toBe(-1.5);
    expect(() => DataType.UnsignedInt.fromBytes(new Uint8Array(4))).toThrow(InvalidArgumentError);
    expect(() => DataType.UnsignedInt8.fromBits(1.5)).toThrow(InvalidArgumentError);
    expect(() => DataType.UnsignedInt8.fromBits('1' as unknown as number)).toThrow(InvalidArgumentError);
  });
});
