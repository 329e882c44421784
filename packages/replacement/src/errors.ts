// Typed errors of the replacement layer. This package imports nothing of ours, so its base class marks its
// instances with the same Symbol.for keys as hw's VmsimError ('@vmsim/error' and the class's own marker): a
// caller's `VmsimError.isInstance` check recognises them, and each class's own `isInstance` works across copies.

const VMSIM_ERROR = '@vmsim/error';

type ErrorClass = (abstract new (...args: never[]) => ReplacementError) & { readonly marker: string };

/** The base of this package's errors. */
export class ReplacementError extends Error {
  static readonly marker: string = '@vmsim/replacement/ReplacementError';
  override readonly name: string = 'ReplacementError';
  /** The Linux errno name of this kind of failure, where one fits. */
  readonly errno: `E${string}` | undefined;

  constructor(message: string, errno?: `E${string}`) {
    super(message);
    this.errno = errno;
    const marks = this as unknown as Record<symbol, boolean>;
    marks[Symbol.for(VMSIM_ERROR)] = true;
    // Every class from this one up to the base, so a base class's isInstance recognises its subclasses too.
    for (let c = new.target as unknown as ErrorClass | null; c !== null && typeof c.marker === 'string'; c = Object.getPrototypeOf(c) as ErrorClass | null) {
      marks[Symbol.for(c.marker)] = true;
    }
  }

  /** True for an instance of this class or a subclass, even one made by another copy of this package. */
  static isInstance<T extends ErrorClass>(this: T, value: unknown): value is InstanceType<T> {
    if (typeof value !== 'object' || value === null) return false;
    const marks = value as Record<symbol, unknown>;
    return marks[Symbol.for(VMSIM_ERROR)] === true && marks[Symbol.for(this.marker)] === true;
  }
}

/** An argument outside what a function accepts: EINVAL, with the argument's name and value. */
export class ReplacementArgumentError extends ReplacementError {
  static override readonly marker = '@vmsim/replacement/ReplacementArgumentError';
  override readonly name = 'ReplacementArgumentError' as const;
  declare readonly errno: 'EINVAL';

  constructor(
    readonly argument: string,
    readonly value: unknown,
    readonly expected: string,
  ) {
    super(`${argument} must be ${expected}, got ${typeof value === 'bigint' ? `${value}n` : String(value)}`, 'EINVAL');
  }
}
