// Typed errors of the friendly API. They are thrown only for a mistake made while building something
// (a value out of range, a bad pointer address, bad options); simulator calls print messages instead.
// Each extends hw's VmsimError and carries its own Symbol.for marker, so `isInstance` works across copies.

import { VmsimError } from '@vmsim/hw';

function hasMarker(value: unknown, marker: symbol): boolean {
  return VmsimError.isInstance(value) && (value as unknown as Record<symbol, unknown>)[marker] === true;
}

function show(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  return Object.prototype.toString.call(value);
}

const INVALID_VALUE = Symbol.for('@vmsim/sim-api/InvalidValueError');
/** A ValueType built from a value its type cannot hold exactly (out of range, not an integer, lossy). */
export class InvalidValueError extends VmsimError {
  readonly [INVALID_VALUE] = true;
  constructor(readonly type: string, readonly value: unknown, readonly reason: string) {
    super(`${type}(${show(value)}): ${reason}`);
  }
  static override isInstance(value: unknown): value is InvalidValueError {
    return hasMarker(value, INVALID_VALUE);
  }
}

const INVALID_POINTER = Symbol.for('@vmsim/sim-api/InvalidPointerError');
/** A pointer address that is not an integer from 0 to 2^52 − 1, or a pointer counter that ran out. */
export class InvalidPointerError extends VmsimError {
  readonly [INVALID_POINTER] = true;
  constructor(readonly address: unknown, readonly reason: string) {
    super(`invalid pointer ${typeof address === 'number' && Number.isInteger(address) && address >= 0 ? `0x${address.toString(16)}` : show(address)}: ${reason}`);
  }
  static override isInstance(value: unknown): value is InvalidPointerError {
    return hasMarker(value, INVALID_POINTER);
  }
}

const INVALID_OPTION = Symbol.for('@vmsim/sim-api/InvalidOptionError');
/** A `Simulator.begin` argument it cannot accept. */
export class InvalidOptionError extends VmsimError {
  readonly [INVALID_OPTION] = true;
  constructor(readonly option: string, readonly value: unknown, readonly reason: string) {
    super(`invalid option ${option} = ${show(value)}: ${reason}`);
  }
  static override isInstance(value: unknown): value is InvalidOptionError {
    return hasMarker(value, INVALID_OPTION);
  }
}

const INVALID_ARGUMENT = Symbol.for('@vmsim/sim-api/InvalidArgumentError');
/** A simulator call given something of the wrong kind (not a Pointer, not a ValueType, not a DataType). */
export class InvalidArgumentError extends VmsimError {
  readonly [INVALID_ARGUMENT] = true;
  constructor(readonly argument: string, readonly value: unknown, readonly reason: string) {
    super(`invalid ${argument} ${show(value)}: ${reason}`);
  }
  static override isInstance(value: unknown): value is InvalidArgumentError {
    return hasMarker(value, INVALID_ARGUMENT);
  }
}
