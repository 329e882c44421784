// Typed errors of the hardware layer. Every vmsim error extends VmsimError and carries a marker
// symbol, so `isInstance` works even when two copies of a package are loaded.

const VMSIM_ERROR = Symbol.for('@vmsim/error');

export class VmsimError extends Error {
  readonly [VMSIM_ERROR] = true;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }

  static isInstance(value: unknown): value is VmsimError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[VMSIM_ERROR] === true;
  }
}

const PHYSICAL_ADDRESS_ERROR = Symbol.for('@vmsim/hw/PhysicalAddressError');

/** A physical access that falls outside RAM (never a silent wrap). */
export class PhysicalAddressError extends VmsimError {
  readonly [PHYSICAL_ADDRESS_ERROR] = true;

  constructor(
    readonly pa: number,
    readonly length: number,
    readonly ramSize: number,
  ) {
    super(`physical access of ${length} byte(s) at ${formatValue(pa)} is outside RAM of ${ramSize} bytes`);
  }

  static override isInstance(value: unknown): value is PhysicalAddressError {
    return VmsimError.isInstance(value) && (value as unknown as Record<symbol, unknown>)[PHYSICAL_ADDRESS_ERROR] === true;
  }
}

const HW_ARGUMENT_ERROR = Symbol.for('@vmsim/hw/HwArgumentError');

/** A hardware-layer function was called with an argument it cannot accept. */
export class HwArgumentError extends VmsimError {
  readonly [HW_ARGUMENT_ERROR] = true;

  constructor(
    readonly argument: string,
    readonly value: unknown,
    readonly reason: string,
  ) {
    super(`invalid ${argument} ${formatValue(value)}: ${reason}`);
  }

  static override isInstance(value: unknown): value is HwArgumentError {
    return VmsimError.isInstance(value) && (value as unknown as Record<symbol, unknown>)[HW_ARGUMENT_ERROR] === true;
  }
}

function formatValue(value: unknown): string {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return `0x${value.toString(16)}`;
  if (typeof value === 'bigint') return `0x${value.toString(16)}`;
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}

/** Throws HwArgumentError unless `value` is an integer in [min, max]. */
export function checkInteger(argument: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new HwArgumentError(argument, value, 'expected an integer');
  }
  if (value < min || value > max) {
    throw new HwArgumentError(argument, value, `expected a value from ${min} to ${max}`);
  }
  return value;
}
