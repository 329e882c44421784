// Typed errors of the friendly API. They are thrown only for a mistake made while building something
// (a value out of range, a bad pointer address, bad options); simulator calls print messages instead.
// Each extends hw's VmsimError and names its own marker, so `isInstance` works across copies.

import { VmsimError } from '@vmsim/hw';

function show(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  return Object.prototype.toString.call(value);
}

/** A ValueType built from a value its type cannot hold exactly (out of range, not an integer, lossy). */
export class InvalidValueError extends VmsimError {
  static override readonly marker = '@vmsim/sim-api/InvalidValueError';
  constructor(readonly type: string, readonly value: unknown, readonly reason: string) {
    super(`${type}(${show(value)}): ${reason}`);
  }
}

/** A pointer address that is not an integer from 0 to 2^52 − 1, or a pointer counter that ran out. */
export class InvalidPointerError extends VmsimError {
  static override readonly marker = '@vmsim/sim-api/InvalidPointerError';
  constructor(readonly address: unknown, readonly reason: string) {
    super(`invalid pointer ${typeof address === 'number' && Number.isInteger(address) && address >= 0 ? `0x${address.toString(16)}` : show(address)}: ${reason}`);
  }
}

// One class per meaning across the layers: the kernel's InvalidOptionError (a `Simulator.begin` or `Kernel`
// option) and InvalidArgumentError (a call given something of the wrong kind), re-exported, so `isInstance`
// of either matches errors thrown by both packages.
export { InvalidArgumentError, InvalidOptionError } from '@vmsim/kernel';
