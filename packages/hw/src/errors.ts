// Typed errors of the hardware layer, and VmsimError, the base of every vmsim error. VmsimError marks each
// instance with Symbol.for(<its class's marker>) and Symbol.for('@vmsim/error'), so `isInstance` works even
// when two copies of a package are loaded. A subclass names its marker (`static override readonly marker`),
// its `name` as a literal and, where Linux has one, its errno name.

const VMSIM_ERROR = '@vmsim/error';

type ErrorClass = (abstract new (...args: never[]) => VmsimError) & { readonly marker: string };

/** A Linux errno name (`EINVAL`, `ENOMEM`, `EFAULT`, …), as `errno(3)` lists them. */
export type ErrnoName = `E${string}`;

/** The class name a marker ends with: `@vmsim/hw/HwArgumentError` → `HwArgumentError`. */
function nameOfMarker(marker: string): string {
  return marker === VMSIM_ERROR ? 'VmsimError' : marker.slice(marker.lastIndexOf('/') + 1);
}

export class VmsimError extends Error {
  /** The Symbol.for key that marks instances of this class; every subclass names its own. */
  static readonly marker: string = VMSIM_ERROR;

  /**
   * The class name. A literal, never `constructor.name` (which a consumer's minifier renames): subclasses
   * declare theirs, and one that does not gets the last segment of its marker.
   */
  override readonly name: string;
  /** The Linux errno name of this kind of failure (EINVAL, EFAULT, ENOMEM, …); undefined where none fits. */
  readonly errno: ErrnoName | undefined;

  constructor(message: string, errno?: ErrnoName) {
    super(message);
    const marker = (new.target as unknown as ErrorClass).marker;
    this.name = nameOfMarker(marker);
    this.errno = errno;
    const marks = this as unknown as Record<symbol, boolean>;
    marks[Symbol.for(VMSIM_ERROR)] = true;
    marks[Symbol.for(marker)] = true;
  }

  /** True for an instance of this class, even one made by another copy of its package. */
  static isInstance<T extends ErrorClass>(this: T, value: unknown): value is InstanceType<T> {
    if (typeof value !== 'object' || value === null) return false;
    const marks = value as Record<symbol, unknown>;
    return marks[Symbol.for(VMSIM_ERROR)] === true && marks[Symbol.for(this.marker)] === true;
  }
}

/** A physical access that falls outside RAM (never a silent wrap): EFAULT, a bad address. */
export class PhysicalAddressError extends VmsimError {
  static override readonly marker = '@vmsim/hw/PhysicalAddressError';
  override readonly name = 'PhysicalAddressError' as const;
  declare readonly errno: 'EFAULT';

  constructor(
    readonly pa: number,
    readonly length: number,
    readonly ramSize: number,
  ) {
    super(`physical access of ${length} byte(s) at ${formatValue(pa)} is outside RAM of ${ramSize} bytes`, 'EFAULT');
  }
}

/** A hardware-layer function was called with an argument it cannot accept: EINVAL. */
export class HwArgumentError extends VmsimError {
  static override readonly marker = '@vmsim/hw/HwArgumentError';
  override readonly name = 'HwArgumentError' as const;
  declare readonly errno: 'EINVAL';

  constructor(
    readonly argument: string,
    readonly value: unknown,
    readonly reason: string,
  ) {
    super(`invalid ${argument} ${formatValue(value)}: ${reason}`, 'EINVAL');
  }
}

/** A hardware model asked for by a name the registry does not know: EINVAL. `known` lists the names it does. */
export class UnknownModelError extends VmsimError {
  static override readonly marker = '@vmsim/hw/UnknownModelError';
  override readonly name = 'UnknownModelError' as const;
  declare readonly errno: 'EINVAL';

  constructor(
    readonly model: unknown,
    readonly known: readonly string[],
  ) {
    super(`unknown hardware model ${formatValue(model)}: expected one of ${known.join(', ')}`, 'EINVAL');
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
