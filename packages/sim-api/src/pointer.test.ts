import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, InvalidPointerError } from './errors.js';
import { ADDRESS_LIMIT, KERNBASE, Pointer, POINTER_LIMIT } from './pointer.js';
import { Simulator } from './simulator.js';
import { ValueType } from './value-type.js';

describe('Pointer', () => {
  it('hands out addresses from 0x80000000 in steps of 16, 256 per page', () => {
    Pointer.reset();
    const a = Pointer.new(ValueType.UnsignedInt(0));
    const b = Pointer.new(ValueType.UnsignedInt(1));
    expect(a.address).toBe(KERNBASE);
    expect(b.address).toBe(0x80000010);
    expect(b.vaddr()).toBe(0x80000010);
    for (let i = 2; i < 256; i++) Pointer.new(ValueType.Zero);
    expect(Pointer.new(ValueType.Zero).address).toBe(0x80001000);
    expect(Pointer.peek()).toBe(0x80001010);
  });

  it('steps by the size of what it points at with reserve, like Pointer::new on other Rust types', () => {
    Pointer.reset();
    const steps = [1, 4, 8, 0, 0, 4096, 16].map((size) => Pointer.reserve(size).address);
    // The original's measured addresses: u8, u32, u64, (), (), [u8; 4096], ValueType.
    expect(steps).toEqual([0x80000000, 0x80000001, 0x80000005, 0x8000000d, 0x8000000d, 0x8000000d, 0x8000100d]);
  });

  it('is reset by Simulator.begin, so every run hands out the same addresses', () => {
    Pointer.new(ValueType.Zero);
    Pointer.new(ValueType.Zero);
    Simulator.begin(false, { frames: 8 });
    expect(Pointer.new(ValueType.Zero).address).toBe(KERNBASE);
  });

  it('can be made at an explicit address without touching the counter', () => {
    Pointer.reset();
    const p = Pointer.at(0x1234);
    expect(p.address).toBe(0x1234);
    expect(Pointer.peek()).toBe(KERNBASE);
    expect(Pointer.at(0xffffffff).address).toBe(0xffffffff);
    // Any address a model's user space may hold: above 2^32 for the 64-bit models, up to 2^52 − 1.
    expect(Pointer.at(0x7f0000000000).address).toBe(0x7f0000000000);
    expect(Pointer.at(0x3f00000000).offset(8).toString()).toBe('0x3f00000008');
    expect(Pointer.at(POINTER_LIMIT - 1).address).toBe(2 ** 52 - 1);
    expect(p.offset(0x10).address).toBe(0x1244);
    expect(p.offset(-0x34).address).toBe(0x1200);
    expect(Pointer.peek()).toBe(KERNBASE);
  });

  it('is an immutable value: copies keep the address', () => {
    const p = Pointer.at(0x80000020);
    const copy = p;
    expect(() => {
      (p as unknown as { address: number }).address = 0;
    }).toThrow(TypeError);
    expect(copy.equals(Pointer.at(0x80000020))).toBe(true);
    expect(p.equals(Pointer.at(0x80000030))).toBe(false);
    expect(String(p)).toBe('0x80000020');
    expect(inspect(p)).toBe('Pointer(0x80000020)');
    expect(Pointer.isInstance(p)).toBe(true);
    expect(Pointer.isInstance({ address: 1 })).toBe(false);
  });

  it('throws InvalidPointerError for addresses outside [0, 2^52) and when the 32-bit counter runs out', () => {
    expect(POINTER_LIMIT).toBe(2 ** 52);
    for (const bad of [-1, POINTER_LIMIT, 2 ** 64, 1.5, Number.NaN, Infinity, '0x10' as unknown as number]) {
      let error: unknown;
      try {
        Pointer.at(bad);
      } catch (e) {
        error = e;
      }
      expect(InvalidPointerError.isInstance(error)).toBe(true);
      expect(Object.is((error as InvalidPointerError).address, bad)).toBe(true);
    }
    expect(() => Pointer.at(0x10).offset(-0x11)).toThrow(InvalidPointerError);
    expect(() => Pointer.at(POINTER_LIMIT - 8).offset(8)).toThrow(/from 0 to 0xfffffffffffff/);
    expect(() => Pointer.reserve(-1)).toThrow(InvalidPointerError);
    Pointer.reset();
    Pointer.reserve(ADDRESS_LIMIT - KERNBASE - 16);
    expect(Pointer.new(ValueType.Zero).address).toBe(0xfffffff0);
    expect(() => Pointer.new(ValueType.Zero)).toThrow(/pointer counter has run past the end/);
    Pointer.reset();
  });

  it.each([1n, '1', 1.5, Number.NaN, Infinity, 2 ** 53, null, undefined])('offset(%o): a typed InvalidArgumentError, not a TypeError', (bytes) => {
    let error: unknown;
    try {
      Pointer.at(0x1000).offset(bytes as number);
    } catch (e) {
      error = e;
    }
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect(error).not.toBeInstanceOf(TypeError);
    expect(error).toMatchObject({ name: 'InvalidArgumentError', errno: 'EINVAL', argument: 'bytes' });
    expect(Object.is((error as InvalidArgumentError).value, bytes)).toBe(true);
  });
});
