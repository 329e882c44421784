// Values as a simulated program stores them: rust-vmem's ValueType (UnsignedInt, SignedInt, Zero) plus 8-,
// 16- and 32-bit integers and floats. Each value knows its size in simulated memory and the little-endian
// bit pattern it is stored as; 64-bit integers are bigints so the whole range is exact.

import { InvalidValueError } from './errors.js';

export type ValueKind =
  | 'UnsignedInt' | 'SignedInt' | 'Zero'
  | 'UnsignedInt8' | 'UnsignedInt16' | 'UnsignedInt32'
  | 'SignedInt8' | 'SignedInt16' | 'SignedInt32'
  | 'Float32' | 'Float64';

/**
 * `size_of::<ValueType>()` of the original on a 64-bit host: the step by which `Pointer.new` advances the
 * simulated address counter (so 256 ValueType pointers share one 4 KiB page).
 */
export const SIZE_OF_VALUE_TYPE = 16;

export const U64_MAX = (1n << 64n) - 1n;
export const I64_MIN = -(1n << 63n);
export const I64_MAX = (1n << 63n) - 1n;

const VALUE_TYPE = Symbol.for('@vmsim/sim-api/ValueType');
/** The key Node's console uses to show an object; a plain registered symbol, so browsers are unaffected. */
const INSPECT = Symbol.for('nodejs.util.inspect.custom');
const scratch = new DataView(new ArrayBuffer(8));

/** An exact bigint from a bigint or a safe-integer number; anything else is a construction mistake. */
function toBigInt(type: string, n: unknown): bigint {
  if (typeof n === 'bigint') return n;
  if (typeof n !== 'number') throw new InvalidValueError(type, n, 'expected a number or a bigint');
  if (!Number.isInteger(n)) throw new InvalidValueError(type, n, 'expected an integer');
  if (!Number.isSafeInteger(n)) throw new InvalidValueError(type, n, 'a number beyond 2^53 - 1 may already have lost bits; pass a bigint');
  return BigInt(n);
}

/** A number in [min, max] from an integer number or bigint. */
function toInt(type: string, n: unknown, min: number, max: number): number {
  let v: number;
  if (typeof n === 'bigint') {
    if (n < BigInt(min) || n > BigInt(max)) throw new InvalidValueError(type, n, `expected an integer from ${min} to ${max}`);
    v = Number(n);
  } else if (typeof n === 'number') {
    if (!Number.isInteger(n)) throw new InvalidValueError(type, n, 'expected an integer');
    if (n < min || n > max) throw new InvalidValueError(type, n, `expected an integer from ${min} to ${max}`);
    v = n;
  } else {
    throw new InvalidValueError(type, n, 'expected a number or a bigint');
  }
  return v === 0 ? 0 : v; // no -0 for integers
}

function toFloat(type: string, n: unknown): number {
  if (typeof n !== 'number') throw new InvalidValueError(type, n, 'expected a number');
  return n;
}

/**
 * A value to write into simulated memory, or one read back. Immutable. `getValue()` gives a bigint for the
 * 64-bit integer kinds (UnsignedInt, SignedInt, Zero) and a number for every other kind.
 */
export class ValueType<V extends bigint | number = bigint | number> {
  /*
   * Immutable through getter-only accessors over private fields rather than Object.freeze, which would cost
   * more than the rest of a read: a value is made on every read and usually on every write.
   */
  readonly #kind: ValueKind;
  readonly #size: 1 | 2 | 4 | 8;
  readonly #bits: bigint | number;
  readonly #value: V;

  private constructor(kind: ValueKind, value: V, size: 1 | 2 | 4 | 8, bits: bigint | number) {
    this.#kind = kind;
    this.#size = size;
    this.#bits = bits;
    this.#value = value;
  }

  get [VALUE_TYPE](): true {
    return true;
  }

  get kind(): ValueKind {
    return this.#kind;
  }

  /** Bytes the value occupies in simulated memory. */
  get size(): 1 | 2 | 4 | 8 {
    return this.#size;
  }

  /** The bit pattern stored in memory, read as an unsigned integer: a bigint for 8 bytes, else a number. */
  get bits(): bigint | number {
    return this.#bits;
  }

  /** An unsigned 64-bit integer, 0 to 2^64 − 1 (8 bytes). */
  static UnsignedInt(n: number | bigint): ValueType<bigint> {
    const v = toBigInt('UnsignedInt', n);
    if (v < 0n || v > U64_MAX) throw new InvalidValueError('UnsignedInt', n, 'expected an integer from 0 to 2^64 - 1');
    return new ValueType('UnsignedInt', v, 8, v);
  }

  /** A signed 64-bit integer, −2^63 to 2^63 − 1, stored in two's complement (8 bytes). */
  static SignedInt(n: number | bigint): ValueType<bigint> {
    const v = toBigInt('SignedInt', n);
    if (v < I64_MIN || v > I64_MAX) throw new InvalidValueError('SignedInt', n, 'expected an integer from -2^63 to 2^63 - 1');
    return new ValueType('SignedInt', v, 8, BigInt.asUintN(64, v));
  }

  /** Zero: writing it clears all 8 bytes (the original cleared only the lowest one). */
  static readonly Zero: ValueType<bigint> = new ValueType<bigint>('Zero', 0n, 8, 0n);

  /** An unsigned byte, 0 to 255. */
  static UnsignedInt8(n: number | bigint): ValueType<number> {
    const v = toInt('UnsignedInt8', n, 0, 0xff);
    return new ValueType('UnsignedInt8', v, 1, v);
  }

  static UnsignedInt16(n: number | bigint): ValueType<number> {
    const v = toInt('UnsignedInt16', n, 0, 0xffff);
    return new ValueType('UnsignedInt16', v, 2, v);
  }

  static UnsignedInt32(n: number | bigint): ValueType<number> {
    const v = toInt('UnsignedInt32', n, 0, 0xffffffff);
    return new ValueType('UnsignedInt32', v, 4, v);
  }

  /** A signed byte, −128 to 127. */
  static SignedInt8(n: number | bigint): ValueType<number> {
    const v = toInt('SignedInt8', n, -0x80, 0x7f);
    return new ValueType('SignedInt8', v, 1, v & 0xff);
  }

  static SignedInt16(n: number | bigint): ValueType<number> {
    const v = toInt('SignedInt16', n, -0x8000, 0x7fff);
    return new ValueType('SignedInt16', v, 2, v & 0xffff);
  }

  static SignedInt32(n: number | bigint): ValueType<number> {
    const v = toInt('SignedInt32', n, -0x80000000, 0x7fffffff);
    return new ValueType('SignedInt32', v, 4, v >>> 0);
  }

  /** An IEEE 754 single: the number is rounded to single precision here, so it reads back unchanged. */
  static Float32(n: number): ValueType<number> {
    const v = Math.fround(toFloat('Float32', n));
    scratch.setFloat32(0, v, true);
    return new ValueType('Float32', v, 4, scratch.getUint32(0, true));
  }

  /** An IEEE 754 double (8 bytes). */
  static Float64(n: number): ValueType<number> {
    const v = toFloat('Float64', n);
    scratch.setFloat64(0, v, true);
    return new ValueType('Float64', v, 8, scratch.getBigUint64(0, true));
  }

  /** True for a ValueType, even one made by another copy of this package. */
  static isInstance(value: unknown): value is ValueType {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[VALUE_TYPE] === true;
  }

  /** The value: a bigint for UnsignedInt, SignedInt and Zero, a number for the other kinds. */
  getValue(): V {
    return this.#value;
  }

  /** The bytes stored in simulated memory, little-endian. */
  toBytes(): Uint8Array {
    const bytes = new Uint8Array(this.size);
    if (typeof this.bits === 'bigint') new DataView(bytes.buffer).setBigUint64(0, this.bits, true);
    else for (let i = 0; i < this.size; i++) bytes[i] = (this.bits >>> (8 * i)) & 0xff;
    return bytes;
  }

  /** Same kind and same bits (so NaN equals NaN with the same payload, and 0 differs from -0 for floats). */
  equals(other: ValueType): boolean {
    return ValueType.isInstance(other) && other.kind === this.kind && other.bits === this.bits;
  }

  /** `UnsignedInt(5)`, `SignedInt(-2)`, `Zero`, `Float64(0.5)`. */
  toString(): string {
    if (this.kind === 'Zero') return 'Zero';
    const v = this.#value;
    return `${this.kind}(${Object.is(v, -0) ? '-0' : String(v)})`;
  }

  [INSPECT](): string {
    return this.toString();
  }
}
