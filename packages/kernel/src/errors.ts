// Typed errors of the kernel, one class per kind, each carrying the offending values. All extend hw's
// VmsimError and carry their own Symbol.for marker, so `isInstance` works across copies of the package.

import { VmsimError } from '@vmsim/hw';

function hasMarker(value: unknown, marker: symbol): boolean {
  return VmsimError.isInstance(value) && (value as unknown as Record<symbol, unknown>)[marker] === true;
}

/** An address in hex: in full when it is a non-negative integer (wide models reach 2^52), else as 32 bits. */
const hex = (n: number): string => `0x${(Number.isSafeInteger(n) && n >= 0 ? n : n >>> 0).toString(16)}`;

const INVALID_ADDRESS = Symbol.for('@vmsim/kernel/InvalidAddressError');
/** A virtual address that is not an integer inside the model's address space. */
export class InvalidAddressError extends VmsimError {
  readonly [INVALID_ADDRESS] = true;
  constructor(readonly va: unknown, readonly reason: string) {
    super(`invalid address ${typeof va === 'number' && Number.isInteger(va) && va >= 0 ? hex(va) : String(va)}: ${reason}`);
  }
  static override isInstance(value: unknown): value is InvalidAddressError {
    return hasMarker(value, INVALID_ADDRESS);
  }
}

const NOT_MAPPED = Symbol.for('@vmsim/kernel/NotMappedError');
/** An access to an address that no region of the process covers. */
export class NotMappedError extends VmsimError {
  readonly [NOT_MAPPED] = true;
  constructor(readonly pid: number, readonly va: number) {
    super(`process ${pid}: address ${hex(va)} is not mapped`);
  }
  static override isInstance(value: unknown): value is NotMappedError {
    return hasMarker(value, NOT_MAPPED);
  }
}

const PERMISSION_DENIED = Symbol.for('@vmsim/kernel/PermissionDeniedError');
/** An access that the region's protection does not allow. */
export class PermissionDeniedError extends VmsimError {
  readonly [PERMISSION_DENIED] = true;
  constructor(readonly pid: number, readonly va: number, readonly access: 'read' | 'write' | 'execute') {
    super(`process ${pid}: ${access} of ${hex(va)} is not allowed by the region's protection`);
  }
  static override isInstance(value: unknown): value is PermissionDeniedError {
    return hasMarker(value, PERMISSION_DENIED);
  }
}

const OUT_OF_MEMORY = Symbol.for('@vmsim/kernel/OutOfMemoryError');
/** No free frame for an operation; the machine is left exactly as it was. */
export class OutOfMemoryError extends VmsimError {
  readonly [OUT_OF_MEMORY] = true;
  constructor(readonly operation: string, readonly framesNeeded: number, readonly framesFree: number) {
    super(`out of memory: ${operation} needs ${framesNeeded} frame(s), ${framesFree} free`);
  }
  static override isInstance(value: unknown): value is OutOfMemoryError {
    return hasMarker(value, OUT_OF_MEMORY);
  }
}

const NO_SUCH_PROCESS = Symbol.for('@vmsim/kernel/NoSuchProcessError');
/** A pid that names no live process. */
export class NoSuchProcessError extends VmsimError {
  readonly [NO_SUCH_PROCESS] = true;
  constructor(readonly pid: unknown) {
    super(`no such process: ${String(pid)}`);
  }
  static override isInstance(value: unknown): value is NoSuchProcessError {
    return hasMarker(value, NO_SUCH_PROCESS);
  }
}

const ALREADY_MAPPED = Symbol.for('@vmsim/kernel/AlreadyMappedError');
/** A request to map an address that a region already covers. */
export class AlreadyMappedError extends VmsimError {
  readonly [ALREADY_MAPPED] = true;
  constructor(readonly pid: number, readonly va: number) {
    super(`process ${pid}: address ${hex(va)} is already mapped`);
  }
  static override isInstance(value: unknown): value is AlreadyMappedError {
    return hasMarker(value, ALREADY_MAPPED);
  }
}

const NOT_ALIGNED = Symbol.for('@vmsim/kernel/NotAlignedError');
/** An address or length that must be a multiple of the page size and is not. */
export class NotAlignedError extends VmsimError {
  readonly [NOT_ALIGNED] = true;
  constructor(readonly argument: string, readonly value: number, readonly alignment: number) {
    super(`${argument} ${hex(value)} is not aligned to ${alignment} bytes`);
  }
  static override isInstance(value: unknown): value is NotAlignedError {
    return hasMarker(value, NOT_ALIGNED);
  }
}

const INVALID_ARGUMENT = Symbol.for('@vmsim/kernel/InvalidArgumentError');
/** Any other argument the kernel cannot accept. */
export class InvalidArgumentError extends VmsimError {
  readonly [INVALID_ARGUMENT] = true;
  constructor(readonly argument: string, readonly value: unknown, readonly reason: string) {
    super(`invalid ${argument} ${typeof value === 'bigint' ? `${value}n` : JSON.stringify(value) ?? String(value)}: ${reason}`);
  }
  static override isInstance(value: unknown): value is InvalidArgumentError {
    return hasMarker(value, INVALID_ARGUMENT);
  }
}

const FRAME_STATE = Symbol.for('@vmsim/kernel/FrameStateError');
/** A programmer error on a frame: double free, refcount underflow, reference to a free frame. */
export class FrameStateError extends VmsimError {
  readonly [FRAME_STATE] = true;
  constructor(readonly operation: string, readonly pfn: number, readonly refCount: number) {
    super(`${operation} of frame ${pfn} with reference count ${refCount}`);
  }
  static override isInstance(value: unknown): value is FrameStateError {
    return hasMarker(value, FRAME_STATE);
  }
}

const INVARIANT = Symbol.for('@vmsim/kernel/KernelInvariantError');
/** The kernel's own bookkeeping disagrees with the machine: always a bug in vmsim, never a user mistake. */
export class KernelInvariantError extends VmsimError {
  readonly [INVARIANT] = true;
  constructor(readonly problems: readonly string[]) {
    super(`kernel invariant violated: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` (+${problems.length - 5} more)` : ''}`);
  }
  static override isInstance(value: unknown): value is KernelInvariantError {
    return hasMarker(value, INVARIANT);
  }
}
