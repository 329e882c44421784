// Typed errors of the hardware layer. Every vmsim error extends VmsimError, which marks each instance with
// Symbol.for(<its class's marker>) and Symbol.for('@vmsim/error'), so `isInstance` works even when two
// copies of a package are loaded. A subclass only names its marker: `static override readonly marker`.

const VMSIM_ERROR = '@vmsim/error';

type ErrorClass = (abstract new (...args: never[]) => VmsimError) & { readonly marker: string };

export class VmsimError extends Error {
  /** The Symbol.for key that marks instances of this class; every subclass names its own. */
  static readonly marker: string = VMSIM_ERROR;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
    const marks = this as unknown as Record<symbol, boolean>;
    marks[Symbol.for(VMSIM_ERROR)] = true;
    marks[Symbol.for((new.target as unknown as ErrorClass).marker)] = true;
  }

  /** True for an instance of this class, even one made by another copy of its package. */
  static isInstance<T extends ErrorClass>(this: T, value: unknown): value is InstanceType<T> {
    if (typeof value !== 'object' || value === null) return false;
    const marks = value as Record<symbol, unknown>;
    return marks[Symbol.for(VMSIM_ERROR)] === true && marks[Symbol.for(this.marker)] === true;
  }
}

/** A physical access that falls outside RAM (never a silent wrap). */
export class PhysicalAddressError extends VmsimError {
  static override readonly marker = '@vmsim/hw/PhysicalAddressError';

  constructor(
    readonly pa: number,
    readonly length: number,
    readonly ramSize: number,
  ) {
    super(`physical access of ${length} byte(s) at ${formatValue(pa)} is outside RAM of ${ramSize} bytes`);
  }
}

/** A hardware-layer function was called with an argument it cannot accept. */
export class HwArgumentError extends VmsimError {
  static override readonly marker = '@vmsim/hw/HwArgumentError';

  constructor(
    readonly argument: string,
    readonly value: unknown,
    readonly reason: string,
  ) {
    super(`invalid ${argument} ${formatValue(value)}: ${reason}`);
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
