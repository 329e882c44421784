// Typed errors of the friendly API. They are thrown only for a mistake made while building something
// (a value out of range, a bad pointer address, bad options); simulator calls print messages instead.
// Each extends hw's VmsimError and names its own marker, a literal `name` and an errno, so `isInstance`
// works across copies and the name survives a minifier.

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
  override readonly name = 'InvalidValueError' as const;
  declare readonly errno: 'EINVAL';
  constructor(readonly type: string, readonly value: unknown, readonly reason: string) {
    super(`${type}(${show(value)}): ${reason}`, 'EINVAL');
  }
}

/**
 * A pointer address that is not an integer from 0 to 2^52 − 1, or a pointer counter that ran out: EFAULT,
 * Linux's answer to a bad user pointer.
 */
export class InvalidPointerError extends VmsimError {
  static override readonly marker = '@vmsim/sim-api/InvalidPointerError';
  override readonly name = 'InvalidPointerError' as const;
  declare readonly errno: 'EFAULT';
  constructor(readonly address: unknown, readonly reason: string) {
    super(`invalid pointer ${typeof address === 'number' && Number.isInteger(address) && address >= 0 ? `0x${address.toString(16)}` : show(address)}: ${reason}`, 'EFAULT');
  }
}

// One class per meaning across the layers: the kernel's InvalidOptionError (a `Simulator.begin` or `Kernel`
// option) and InvalidArgumentError (a call given something of the wrong kind), re-exported, so `isInstance`
// of either matches errors thrown by both packages.
export { InvalidArgumentError, InvalidOptionError } from '@vmsim/kernel';

// The base of every vmsim error (hw's), so that a consumer of this package alone (the CLI) can tell a vmsim
// error from any other with `VmsimError.isInstance`.
export { VmsimError, type ErrnoName } from '@vmsim/hw';

/**
 * A machine-mode trace replay (trace-replay.ts) whose kernel refused a reference: out of memory with swap full
 * (ENOMEM, VM_FAULT_OOM), or a signal (EFAULT). The replay stops before that reference.
 */
export class TraceReplayError extends VmsimError {
  static override readonly marker = '@vmsim/sim-api/TraceReplayError';
  override readonly name = 'TraceReplayError' as const;
  declare readonly errno: 'ENOMEM' | 'EFAULT';
  constructor(
    /** The reference's position in the stream. */
    readonly reference: number,
    /** Its page id. */
    readonly page: number,
    readonly va: number,
    /** The kernel's code (VM_FAULT_OOM, SEGV_MAPERR …). */
    readonly code: number,
    errno: 'ENOMEM' | 'EFAULT',
  ) {
    super(`reference ${reference} (page ${page} at 0x${va.toString(16)}) refused by the kernel: code ${code}`, errno);
  }
}
