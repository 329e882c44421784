// Simulated virtual addresses, as rust-vmem hands them out: a counter that starts at 0x80000000 (KERNBASE)
// and advances by the size of what each new pointer points at (16 bytes for a ValueType). A Pointer is an
// immutable address; copying it keeps the address, and the host value it was made from is never touched.

import { InvalidArgumentError, InvalidPointerError } from './errors.js';
import { SIZE_OF_VALUE_TYPE, type ValueType } from './value-type.js';

/** Where the pointer counter starts, and the base of the PGZERO/PGCOPY offsets. */
export const KERNBASE = 0x80000000;
/** One past the highest address the pointer counter hands out: it stays 32-bit, as the original's did. */
export const ADDRESS_LIMIT = 2 ** 32;
/**
 * One past the highest address `Pointer.at` accepts: 2^52, the widest virtual address space a HardwareModel
 * can have (vaBits is at most 52), so a pointer can name any user address of any model; the simulator then
 * checks it against its own model's user space (2^32 on the 32-bit models, 2^47 on x86-64, 2^38 on Sv39).
 */
export const POINTER_LIMIT = 2 ** 52;

const POINTER = Symbol.for('@vmsim/sim-api/Pointer');
/** The key Node's console uses to show an object; a plain registered symbol, so browsers are unaffected. */
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/*
 * The counter is shared by every Pointer.new call, as the original's static counter was; Simulator.begin
 * resets it so each run hands out the same addresses (the original never reset it). It lives in a typed
 * array: its values (2^31 and up) are not small integers to the engine, and a plain variable would take a
 * new heap number on every step.
 */
const counter = new Float64Array([KERNBASE]);

function checkAddress(address: unknown): number {
  if (typeof address !== 'number' || !Number.isInteger(address) || address < 0 || address >= POINTER_LIMIT) {
    throw new InvalidPointerError(address, `expected an integer address from 0 to 0x${(POINTER_LIMIT - 1).toString(16)}`);
  }
  return address;
}

export class Pointer {
  // Immutable through a getter-only accessor (cheaper than Object.freeze for a value made in loops).
  readonly #address: number;

  private constructor(address: number) {
    this.#address = address;
  }

  get [POINTER](): true {
    return true;
  }

  /** The simulated virtual address. */
  get address(): number {
    return this.#address;
  }

  /**
   * The next simulated address for a ValueType; advances the counter by 16 bytes, `size_of::<ValueType>()`
   * in the original. The value is only what the pointer points at: it is neither read nor updated.
   */
  static new(value: ValueType): Pointer {
    return Pointer.reserve(SIZE_OF_VALUE_TYPE);
  }

  /**
   * The next simulated address for an object of `size` bytes, advancing the counter by `size` (the original's
   * `Pointer::new` on a u8 steps 1, on a u64 8, on a `[u8; 4096]` 4096, on `()` 0).
   */
  static reserve(size: number): Pointer {
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 0 || size > ADDRESS_LIMIT) {
      throw new InvalidPointerError(counter[0]!, `cannot reserve ${String(size)} bytes: expected an integer from 0 to 2^32`);
    }
    const address = counter[0]!;
    if (address >= ADDRESS_LIMIT) {
      throw new InvalidPointerError(address, 'the pointer counter has run past the end of the 32-bit address space (Simulator.begin resets it)');
    }
    counter[0] = address + size;
    return new Pointer(address);
  }

  /**
   * A pointer at an explicit address from 0 to 2^52 − 1 (POINTER_LIMIT − 1); the counter is not touched.
   * Whether the address lies in user space is the simulator's question: it depends on the hardware model.
   */
  static at(address: number): Pointer {
    return new Pointer(checkAddress(address));
  }

  /** Sets the counter back to 0x80000000. `Simulator.begin` calls this. */
  static reset(): void {
    counter[0] = KERNBASE;
  }

  /** The address the next `Pointer.new` will hand out. */
  static peek(): number {
    return counter[0]!;
  }

  /** True for a Pointer, even one made by another copy of this package. */
  static isInstance(value: unknown): value is Pointer {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[POINTER] === true;
  }

  /** The address, under the original's method name. */
  vaddr(): number {
    return this.address;
  }

  /** A pointer `bytes` further on (negative goes back); the counter is not touched. */
  offset(bytes: number): Pointer {
    if (typeof bytes !== 'number' || !Number.isSafeInteger(bytes)) {
      throw new InvalidArgumentError('bytes', bytes, 'expected an integer number of bytes');
    }
    return Pointer.at(this.address + bytes);
  }

  equals(other: Pointer): boolean {
    return Pointer.isInstance(other) && other.address === this.address;
  }

  /** `0x80000010`. */
  toString(): string {
    return `0x${this.address.toString(16)}`;
  }

  [INSPECT](): string {
    return `Pointer(${this.toString()})`;
  }
}
