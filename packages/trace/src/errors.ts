// Typed errors of the trace readers. This package imports nothing of ours, so its base class marks its
// instances with the same Symbol.for keys as hw's VmsimError ('@vmsim/error' and the class's own marker): a
// caller's `VmsimError.isInstance` check recognises them, and each class's own `isInstance` works across copies.

const VMSIM_ERROR = '@vmsim/error';

type ErrorClass = (abstract new (...args: never[]) => TraceError) & { readonly marker: string };

/** The base of this package's errors. */
export class TraceError extends Error {
  static readonly marker: string = '@vmsim/trace/TraceError';
  override readonly name: string = 'TraceError';
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
export class TraceArgumentError extends TraceError {
  static override readonly marker = '@vmsim/trace/TraceArgumentError';
  override readonly name = 'TraceArgumentError' as const;
  declare readonly errno: 'EINVAL';

  constructor(
    readonly argument: string,
    readonly value: unknown,
    readonly expected: string,
  ) {
    super(`${argument} must be ${expected}, got ${typeof value === 'bigint' ? `${value}n` : String(value)}`, 'EINVAL');
  }
}

/** A line of a trace that is not in the trace's format: the line number (from 1) and what is wrong. */
export class TraceFormatError extends TraceError {
  static override readonly marker = '@vmsim/trace/TraceFormatError';
  override readonly name = 'TraceFormatError' as const;

  constructor(
    readonly line: number,
    readonly reason: string,
    /** The line's text, cut to 80 characters. */
    readonly text: string,
  ) {
    super(`line ${line}: ${reason}: ${JSON.stringify(text)}`);
  }
}
