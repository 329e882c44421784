// Typed errors of the kernel, one class per kind, each carrying the offending values. All extend hw's
// VmsimError and name their own marker, so `isInstance` works across copies of the package.

import { VmsimError } from '@vmsim/hw';

/** An address in hex: in full when it is a non-negative integer (wide models reach 2^52), else as 32 bits. */
const hex = (n: number): string => `0x${(Number.isSafeInteger(n) && n >= 0 ? n : n >>> 0).toString(16)}`;

/** A virtual address that is not an integer inside the model's address space. */
export class InvalidAddressError extends VmsimError {
  static override readonly marker = '@vmsim/kernel/InvalidAddressError';
  constructor(readonly va: unknown, readonly reason: string) {
    super(`invalid address ${typeof va === 'number' && Number.isInteger(va) && va >= 0 ? hex(va) : String(va)}: ${reason}`);
  }
}

/** An access to an address that no region of the process covers. */
export class NotMappedError extends VmsimError {
  static override readonly marker = '@vmsim/kernel/NotMappedError';
  constructor(readonly pid: number, readonly va: number) {
    super(`process ${pid}: address ${hex(va)} is not mapped`);
  }
}

/** An access that the region's protection does not allow. */
export class PermissionDeniedError extends VmsimError {
  static override readonly marker = '@vmsim/kernel/PermissionDeniedError';
  constructor(readonly pid: number, readonly va: number, readonly access: 'read' | 'write' | 'execute') {
    super(`process ${pid}: ${access} of ${hex(va)} is not allowed by the region's protection`);
  }
}

/** No free frame for an operation; the machine is left exactly as it was. */
export class OutOfMemoryError extends VmsimError {
  static override readonly marker = '@vmsim/kernel/OutOfMemoryError';
  constructor(readonly operation: string, readonly framesNeeded: number, readonly framesFree: number) {
    super(`out of memory: ${operation} needs ${framesNeeded} frame(s), ${framesFree} free`);
  }
}

/** A pid that names no live process. */
export class NoSuchProcessError extends VmsimError {
  static override readonly marker = '@vmsim/kernel/NoSuchProcessError';
  constructor(readonly pid: unknown) {
    super(`no such process: ${String(pid)}`);
  }
}

/** A request to map an address that a region already covers. */
export class AlreadyMappedError extends VmsimError {
  static override readonly marker = '@vmsim/kernel/AlreadyMappedError';
  constructor(readonly pid: number, readonly va: number) {
    super(`process ${pid}: address ${hex(va)} is already mapped`);
  }
}

/** An address or length that must be a multiple of the page size and is not. */
export class NotAlignedError extends VmsimError {
  static override readonly marker = '@vmsim/kernel/NotAlignedError';
  constructor(readonly argument: string, readonly value: number, readonly alignment: number) {
    super(`${argument} ${hex(value)} is not aligned to ${alignment} bytes`);
  }
}

/** Any other argument the kernel cannot accept. */
export class InvalidArgumentError extends VmsimError {
  static override readonly marker = '@vmsim/kernel/InvalidArgumentError';
  constructor(readonly argument: string, readonly value: unknown, readonly reason: string) {
    super(`invalid ${argument} ${typeof value === 'bigint' ? `${value}n` : JSON.stringify(value) ?? String(value)}: ${reason}`);
  }
}

/** A programmer error on a frame: double free, refcount underflow, reference to a free frame. */
export class FrameStateError extends VmsimError {
  static override readonly marker = '@vmsim/kernel/FrameStateError';
  constructor(readonly operation: string, readonly pfn: number, readonly refCount: number) {
    super(`${operation} of frame ${pfn} with reference count ${refCount}`);
  }
}

/** The kernel's own bookkeeping disagrees with the machine: always a bug in vmsim, never a user mistake. */
export class KernelInvariantError extends VmsimError {
  static override readonly marker = '@vmsim/kernel/KernelInvariantError';
  constructor(readonly problems: readonly string[]) {
    super(`kernel invariant violated: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` (+${problems.length - 5} more)` : ''}`);
  }
}
