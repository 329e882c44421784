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

const TWO_32 = 4294967296;

/**
 * The 64-bit pattern hi·2^32 + lo as an unsigned bigint, made by the scratch DataView: one bigint, and
 * cheaper than BigInt(number) (the engine inlines DataView's 64-bit loads).
 */
function wordsToBigInt(lo: number, hi: number): bigint {
  scratch.setUint32(0, lo, true);
  scratch.setUint32(4, hi, true);
  return scratch.getBigUint64(0, true);
}

/*
 * Module-internal access to a value's stored words, for the simulator's bigint-free path (not exported from
 * the package's index). Set by the class's static block, which alone may read its private fields.
 */
let lowWord: (v: ValueType) => number;
let highWord: (v: ValueType) => number;
let fromWords: (kind: 'UnsignedInt' | 'SignedInt', lo: number, hi: number) => ValueType<bigint>;

/**
 * A value to write into simulated memory, or one read back. Immutable. `getValue()` gives a bigint for the
 * 64-bit integer kinds (UnsignedInt, SignedInt, Zero) and a number for every other kind.
 */
export class ValueType<V extends bigint | number = bigint | number> {
  /*
   * Immutable through getter-only accessors over private fields rather than Object.freeze, which would cost
   * more than the rest of a read: a value is made on every read and usually on every write.
   *
   * The stored bit pattern is kept as two 32-bit words (#lo, #hi) for every 8-byte kind (made from a number,
   * from a bigint, or read from memory), so writing or reading it needs no bigint arithmetic; #words is false
   * for none (then #bits holds the pattern). The words are held as int32 (`| 0`, read back with `>>> 0`): small
   * integers to the engine, where a word of 2^31 or more would otherwise take a heap number of its own. The bigint value and pattern of an 8-byte kind made from words are made
   * the first time they are asked for.
   */
  readonly #kind: ValueKind;
  readonly #size: 1 | 2 | 4 | 8;
  #bits: bigint | number | undefined;
  #value: V | undefined;
  readonly #words: boolean;
  readonly #lo: number;
  readonly #hi: number;

  static {
    lowWord = (v) => (v.#words ? v.#lo >>> 0 : -1);
    highWord = (v) => v.#hi >>> 0;
    fromWords = (kind, lo, hi) => new ValueType<bigint>(kind, undefined, 8, undefined, lo, hi);
  }

  private constructor(kind: ValueKind, value: V | undefined, size: 1 | 2 | 4 | 8, bits: bigint | number | undefined, lo: number, hi: number) {
    this.#kind = kind;
    this.#size = size;
    this.#bits = bits;
    this.#value = value;
    // lo is -1 for no words; otherwise lo and hi are integers from 0 to 2^32 − 1.
    this.#words = lo >= 0;
    this.#lo = lo | 0;
    this.#hi = hi | 0;
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
    let bits = this.#bits;
    if (bits === undefined) this.#bits = bits = wordsToBigInt(this.#lo >>> 0, this.#hi >>> 0);
    return bits;
  }

  /** An unsigned 64-bit integer, 0 to 2^64 − 1 (8 bytes). */
  static UnsignedInt(n: number | bigint): ValueType<bigint> {
    if (typeof n === 'number' && n >= 0 && n <= Number.MAX_SAFE_INTEGER && Number.isInteger(n)) {
      // One word without `%` (a call into C for a double divisor); wider values split by it.
      if (n < TWO_32) return new ValueType<bigint>('UnsignedInt', undefined, 8, undefined, n, 0);
      const lo = n % TWO_32;
      return new ValueType<bigint>('UnsignedInt', undefined, 8, undefined, lo, (n - lo) / TWO_32);
    }
    if (typeof n === 'bigint' && n >= 0n && n <= U64_MAX) {
      // Its two words through the scratch DataView (far cheaper than Number() or bigint shifts), so writing
      // it needs no bigint arithmetic.
      scratch.setBigUint64(0, n, true);
      return new ValueType('UnsignedInt', n, 8, n, scratch.getUint32(0, true), scratch.getUint32(4, true));
    }
    // Every value in range was taken above: a non-integer gets toBigInt's message, the rest is out of range.
    toBigInt('UnsignedInt', n);
    throw new InvalidValueError('UnsignedInt', n, 'expected an integer from 0 to 2^64 - 1');
  }

  /** A signed 64-bit integer, −2^63 to 2^63 − 1, stored in two's complement (8 bytes). */
  static SignedInt(n: number | bigint): ValueType<bigint> {
    if (typeof n === 'number' && Number.isSafeInteger(n)) {
      const high = Math.floor(n / TWO_32);
      return new ValueType<bigint>('SignedInt', undefined, 8, undefined, n - high * TWO_32, high >>> 0);
    }
    if (typeof n === 'bigint' && n >= I64_MIN && n <= I64_MAX) {
      // As in UnsignedInt: its two's-complement words through the scratch DataView; the pattern is made when
      // asked for.
      scratch.setBigInt64(0, n, true);
      return new ValueType('SignedInt', n, 8, undefined, scratch.getUint32(0, true), scratch.getUint32(4, true));
    }
    toBigInt('SignedInt', n);
    throw new InvalidValueError('SignedInt', n, 'expected an integer from -2^63 to 2^63 - 1');
  }

  /** Zero: writing it clears all 8 bytes (the original cleared only the lowest one). */
  static readonly Zero: ValueType<bigint> = new ValueType<bigint>('Zero', 0n, 8, 0n, 0, 0);

  /** An unsigned byte, 0 to 255. */
  static UnsignedInt8(n: number | bigint): ValueType<number> {
    const v = toInt('UnsignedInt8', n, 0, 0xff);
    return new ValueType('UnsignedInt8', v, 1, v, v, 0);
  }

  static UnsignedInt16(n: number | bigint): ValueType<number> {
    const v = toInt('UnsignedInt16', n, 0, 0xffff);
    return new ValueType('UnsignedInt16', v, 2, v, v, 0);
  }

  static UnsignedInt32(n: number | bigint): ValueType<number> {
    const v = toInt('UnsignedInt32', n, 0, 0xffffffff);
    return new ValueType('UnsignedInt32', v, 4, v, v, 0);
  }

  /** A signed byte, −128 to 127. */
  static SignedInt8(n: number | bigint): ValueType<number> {
    const v = toInt('SignedInt8', n, -0x80, 0x7f);
    return new ValueType('SignedInt8', v, 1, v & 0xff, v & 0xff, 0);
  }

  static SignedInt16(n: number | bigint): ValueType<number> {
    const v = toInt('SignedInt16', n, -0x8000, 0x7fff);
    return new ValueType('SignedInt16', v, 2, v & 0xffff, v & 0xffff, 0);
  }

  static SignedInt32(n: number | bigint): ValueType<number> {
    const v = toInt('SignedInt32', n, -0x80000000, 0x7fffffff);
    return new ValueType('SignedInt32', v, 4, v >>> 0, v >>> 0, 0);
  }

  /** An IEEE 754 single: the number is rounded to single precision here, so it reads back unchanged. */
  static Float32(n: number): ValueType<number> {
    const v = Math.fround(toFloat('Float32', n));
    scratch.setFloat32(0, v, true);
    const word = scratch.getUint32(0, true);
    return new ValueType('Float32', v, 4, word, word, 0);
  }

  /** An IEEE 754 double (8 bytes). */
  static Float64(n: number): ValueType<number> {
    const v = toFloat('Float64', n);
    scratch.setFloat64(0, v, true);
    return new ValueType('Float64', v, 8, undefined, scratch.getUint32(0, true), scratch.getUint32(4, true));
  }

  /** True for a ValueType, even one made by another copy of this package. */
  static isInstance(value: unknown): value is ValueType {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[VALUE_TYPE] === true;
  }

  /** The value: a bigint for UnsignedInt, SignedInt and Zero, a number for the other kinds. */
  getValue(): V {
    let value = this.#value;
    if (value === undefined) {
      // Only the 64-bit integer kinds are made without their value: it is the pattern, signed for SignedInt.
      const bits = this.bits as bigint;
      this.#value = value = (this.#kind === 'SignedInt' ? BigInt.asIntN(64, bits) : bits) as V;
    }
    return value;
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
    const v = this.getValue();
    return `${this.kind}(${Object.is(v, -0) ? '-0' : String(v)})`;
  }

  [INSPECT](): string {
    return this.toString();
  }
}

/** The low stored word of `value`, or -1 when it was made from a bigint (then use `bits`). Package-internal. */
export function storedLowWord(value: ValueType): number {
  return lowWord(value);
}

/** The high stored word of `value` (meaningful when storedLowWord is not -1). Package-internal. */
export function storedHighWord(value: ValueType): number {
  return highWord(value);
}

/** An UnsignedInt or SignedInt read from memory as two words; its bigint is made when asked for. Package-internal. */
export function valueFromWords(kind: 'UnsignedInt' | 'SignedInt', lo: number, hi: number): ValueType<bigint> {
  return fromWords(kind, lo, hi);
}
