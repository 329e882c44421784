// What a read asks for: rust-vmem's DataType (UnsignedInt, SignedInt) plus the extra kinds ValueType has.
// A DataType knows how many bytes to load and how to turn the loaded bits into a ValueType of its kind,
// so reading a value written as another kind reinterprets its bits (SignedInt(-2) read unsigned is 2^64 − 2).

import { InvalidArgumentError } from './errors.js';
import { ValueType, valueFromWords, type ValueKind } from './value-type.js';

export type DataKind = Exclude<ValueKind, 'Zero'>;

const DATA_TYPE = Symbol.for('@vmsim/sim-api/DataType');
const scratch = new DataView(new ArrayBuffer(8));

export class DataType<V extends bigint | number = bigint | number> {
  readonly [DATA_TYPE] = true;
  readonly kind: DataKind;
  /** Bytes a read of this type loads. */
  readonly size: 1 | 2 | 4 | 8;
  readonly #decode: (bits: bigint | number) => ValueType<V>;

  private constructor(kind: DataKind, size: 1 | 2 | 4 | 8, decode: (bits: bigint | number) => ValueType<V>) {
    this.kind = kind;
    this.size = size;
    this.#decode = decode;
    Object.freeze(this);
  }

  /** 8 bytes as an unsigned 64-bit integer. */
  static readonly UnsignedInt: DataType<bigint> = new DataType('UnsignedInt', 8, (b) => ValueType.UnsignedInt(b as bigint));
  /** 8 bytes as a two's-complement signed 64-bit integer. */
  static readonly SignedInt: DataType<bigint> = new DataType('SignedInt', 8, (b) => ValueType.SignedInt(BigInt.asIntN(64, b as bigint)));
  static readonly UnsignedInt8: DataType<number> = new DataType('UnsignedInt8', 1, (b) => ValueType.UnsignedInt8(b as number));
  static readonly UnsignedInt16: DataType<number> = new DataType('UnsignedInt16', 2, (b) => ValueType.UnsignedInt16(b as number));
  static readonly UnsignedInt32: DataType<number> = new DataType('UnsignedInt32', 4, (b) => ValueType.UnsignedInt32(b as number));
  static readonly SignedInt8: DataType<number> = new DataType('SignedInt8', 1, (b) => ValueType.SignedInt8(((b as number) << 24) >> 24));
  static readonly SignedInt16: DataType<number> = new DataType('SignedInt16', 2, (b) => ValueType.SignedInt16(((b as number) << 16) >> 16));
  static readonly SignedInt32: DataType<number> = new DataType('SignedInt32', 4, (b) => ValueType.SignedInt32((b as number) | 0));
  static readonly Float32: DataType<number> = new DataType('Float32', 4, (b) => {
    scratch.setUint32(0, b as number, true);
    return ValueType.Float32(scratch.getFloat32(0, true));
  });
  static readonly Float64: DataType<number> = new DataType('Float64', 8, (b) => {
    scratch.setBigUint64(0, b as bigint, true);
    return ValueType.Float64(scratch.getFloat64(0, true));
  });

  /** True for a DataType, even one made by another copy of this package. */
  static isInstance(value: unknown): value is DataType {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[DATA_TYPE] === true;
  }

  /**
   * The value whose stored bits, read as an unsigned little-endian integer, are `bits`: a bigint for 8-byte
   * types, a number for the others. Higher bits than the type has are dropped.
   */
  fromBits(bits: bigint | number): ValueType<V> {
    if (typeof bits === 'number') {
      if (!Number.isInteger(bits)) throw new InvalidArgumentError('bits', bits, 'expected an integer');
      if (this.size === 8) return this.#decode(BigInt.asUintN(64, BigInt(bits)));
    } else if (typeof bits === 'bigint') {
      if (this.size === 8) return this.#decode(BigInt.asUintN(64, bits));
      bits = Number(BigInt.asUintN(32, bits));
    } else {
      throw new InvalidArgumentError('bits', bits, 'expected a number or a bigint');
    }
    const word = bits >>> 0;
    return this.#decode(this.size === 4 ? word : this.size === 2 ? word & 0xffff : word & 0xff);
  }

  /** The value stored in `bytes` (exactly `size` bytes, little-endian). */
  fromBytes(bytes: Uint8Array): ValueType<V> {
    if (!(bytes instanceof Uint8Array) || bytes.length !== this.size) {
      throw new InvalidArgumentError('bytes', bytes, `expected a Uint8Array of ${this.size} byte(s) for ${this.kind}`);
    }
    let bits = 0n;
    for (let i = this.size - 1; i >= 0; i--) bits = (bits << 8n) | BigInt(bytes[i]!);
    return this.fromBits(bits);
  }

  toString(): string {
    return this.kind;
  }
}

/**
 * The value of an 8-byte `type` whose stored pattern is hi·2^32 + lo (two words from 0 to 2^32 − 1), made
 * without a bigint (the value makes its own when asked). Package-internal: the simulator's read path.
 */
export function valueOfWords<V extends bigint | number>(type: DataType<V>, lo: number, hi: number): ValueType<V> {
  const kind = type.kind;
  if (kind === 'UnsignedInt' || kind === 'SignedInt') return valueFromWords(kind, lo, hi) as ValueType<V>;
  if (kind !== 'Float64') throw new InvalidArgumentError('type', kind, 'expected an 8-byte DataType');
  scratch.setUint32(0, lo, true);
  scratch.setUint32(4, hi, true);
  return ValueType.Float64(scratch.getFloat64(0, true)) as ValueType<V>;
}
