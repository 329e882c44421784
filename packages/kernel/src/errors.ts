// Typed errors of the kernel, one class per kind, each carrying the offending values, a Linux `errno` name
// where Linux has one, and a literal `name` (class names do not survive a minifier). All extend hw's
// VmsimError and name their own marker, so `isInstance` works across copies of the package.

import { VmsimError } from '@vmsim/hw';

/** The errno names the kernel's errors carry (Linux's `include/uapi/asm-generic/errno-base.h`). */
export type Errno = 'EINVAL' | 'ENOMEM' | 'EEXIST' | 'EACCES' | 'EFAULT' | 'ESRCH' | 'EBADF' | 'EPERM';

/** An address in hex: in full when it is a non-negative integer (wide models reach 2^52), else as 32 bits. */
const hex = (n: number): string => `0x${(Number.isSafeInteger(n) && n >= 0 ? n : n >>> 0).toString(16)}`;

/** Any value as a message shows it: never throws (a Symbol, a cyclic object, a bigint inside an object). */
export function showValue(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return value.toString();
  return Object.prototype.toString.call(value);
}

/** A virtual address that is not an integer inside the model's address space. */
export class InvalidAddressError extends VmsimError {
  static override readonly marker = '@vmsim/kernel/InvalidAddressError';
  override readonly name = 'InvalidAddressError' as const;
  override readonly errno: Errno;
  /** `errno` EFAULT for an access; the memory calls pass EINVAL (munmap past the user space) or ENOMEM. */
  constructor(readonly va: unknown, readonly reason: string, errno: Errno = 'EFAULT') {
    super(`invalid address ${typeof va === 'number' && Number.isInteger(va) && va >= 0 ? hex(va) : showValue(va)}: ${reason}`);
    this.errno = errno;
  }
}

/** An access to an address that no region of the process covers (SIGSEGV, SEGV_MAPERR). */
export class NotMappedError extends VmsimError {
  static override readonly marker = '@vmsim/kernel/NotMappedError';
  override readonly name = 'NotMappedError' as const;
  override readonly errno: Errno = 'EFAULT';
  /** `owner` names what is not mapping `va` when it is not a process (a page table: pid is then -1). */
  constructor(readonly pid: number, readonly va: number, owner = `process ${pid}`) {
    super(`${owner}: address ${hex(va)} is not mapped`);
  }
}

/** An access that the region's protection does not allow (SIGSEGV, SEGV_ACCERR). */
export class PermissionDeniedError extends VmsimError {
  static override readonly marker = '@vmsim/kernel/PermissionDeniedError';
  override readonly name = 'PermissionDeniedError' as const;
  override readonly errno: Errno = 'EACCES';
  constructor(readonly pid: number, readonly va: number, readonly access: 'read' | 'write' | 'execute') {
    super(`process ${pid}: ${access} of ${hex(va)} is not allowed by the region's protection`);
  }
}

/** No free frame for an operation; the machine is left as it was (see the README on Accessed bits). */
export class OutOfMemoryError extends VmsimError {
  static override readonly marker = '@vmsim/kernel/OutOfMemoryError';
  override readonly name = 'OutOfMemoryError' as const;
  override readonly errno: Errno = 'ENOMEM';
  constructor(readonly operation: string, readonly framesNeeded: number, readonly framesFree: number) {
    super(`out of memory: ${operation} needs ${framesNeeded} frame(s), ${framesFree} free`);
  }
}

/**
 * Reclaim could not free what an operation needed and the OOM killer chose the very process the operation was
 * for (mm/reclaim.ts): the process is gone, the operation did not happen.
 */
export class OomKilledError extends VmsimError {
  static override readonly marker = '@vmsim/kernel/OomKilledError';
  override readonly name = 'OomKilledError' as const;
  override readonly errno: Errno = 'ENOMEM';
  constructor(readonly operation: string, readonly pid: number) {
    super(`out of memory: ${operation} of process ${pid} could not be served, and the OOM killer killed process ${pid}`);
  }
}

/** A pid that names no live process. */
export class NoSuchProcessError extends VmsimError {
  static override readonly marker = '@vmsim/kernel/NoSuchProcessError';
  override readonly name = 'NoSuchProcessError' as const;
  override readonly errno: Errno = 'ESRCH';
  constructor(readonly pid: unknown) {
    super(`no such process: ${typeof pid === 'string' ? pid : showValue(pid)}`);
  }
}

/** A request to map an address that a region already covers. */
export class AlreadyMappedError extends VmsimError {
  static override readonly marker = '@vmsim/kernel/AlreadyMappedError';
  override readonly name = 'AlreadyMappedError' as const;
  override readonly errno: Errno = 'EEXIST';
  /** `owner` names what already maps `va` when it is not a process (a page table: pid is then -1). */
  constructor(readonly pid: number, readonly va: number, owner = `process ${pid}`) {
    super(`${owner}: address ${hex(va)} is already mapped`);
  }
}

/** An address or length that must be a multiple of the page size and is not. */
export class NotAlignedError extends VmsimError {
  static override readonly marker = '@vmsim/kernel/NotAlignedError';
  override readonly name = 'NotAlignedError' as const;
  override readonly errno: Errno = 'EINVAL';
  constructor(readonly argument: string, readonly value: number, readonly alignment: number) {
    super(`${argument} ${hex(value)} is not aligned to ${alignment} bytes`);
  }
}

/** Any other argument a function cannot accept. sim-api re-exports this class: one per meaning. */
export class InvalidArgumentError extends VmsimError {
  static override readonly marker = '@vmsim/kernel/InvalidArgumentError';
  override readonly name = 'InvalidArgumentError' as const;
  override readonly errno: Errno = 'EINVAL';
  constructor(readonly argument: string, readonly value: unknown, readonly reason: string) {
    super(`invalid ${argument} ${showValue(value)}: ${reason}`);
  }
}

/** A constructor option (of `Kernel`, of sim-api's `Simulator.begin`) that cannot be accepted. */
export class InvalidOptionError extends VmsimError {
  static override readonly marker = '@vmsim/kernel/InvalidOptionError';
  override readonly name = 'InvalidOptionError' as const;
  override readonly errno: Errno = 'EINVAL';
  constructor(readonly option: string, readonly value: unknown, readonly expected: string) {
    super(`invalid option ${option} = ${showValue(value)}: ${expected}`);
  }

  /** What was wrong, as sim-api's earlier InvalidOptionError named it. */
  get reason(): string {
    return this.expected;
  }
}

/** A programmer error on a frame: double free, refcount underflow, reference to a free frame. */
export class FrameStateError extends VmsimError {
  static override readonly marker = '@vmsim/kernel/FrameStateError';
  override readonly name = 'FrameStateError' as const;
  override readonly errno: Errno = 'EINVAL';
  constructor(readonly operation: string, readonly pfn: number, readonly refCount: number) {
    super(`${operation} of frame ${pfn} with reference count ${refCount}`);
  }
}

/**
 * The kernel's own bookkeeping disagrees with the machine: always a bug in vmsim, never a user mistake.
 * Linux would BUG() here rather than return an errno, so `errno` is undefined.
 */
export class KernelInvariantError extends VmsimError {
  static override readonly marker = '@vmsim/kernel/KernelInvariantError';
  override readonly name = 'KernelInvariantError' as const;
  override readonly errno = undefined;
  constructor(readonly problems: readonly string[]) {
    super(`kernel invariant violated: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` (+${problems.length - 5} more)` : ''}`);
  }
}

// ---------------------------------------------------------------- the memory calls (mmap, munmap, mprotect, brk)

/** A length of zero, or one that cannot be a mapping's (seed 003's InvalidSize; EINVAL as Linux answers). */
export class InvalidSizeError extends VmsimError {
  static override readonly marker = '@vmsim/kernel/InvalidSizeError';
  override readonly name = 'InvalidSizeError' as const;
  override readonly errno: Errno = 'EINVAL';
  constructor(readonly operation: string, readonly length: unknown, readonly reason: string) {
    super(`${operation}: invalid length ${showValue(length)}: ${reason}`);
  }
}

/** mprotect over a page no region covers (seed 003's RegionNotFound; ENOMEM as Linux answers). */
export class RegionNotFoundError extends VmsimError {
  static override readonly marker = '@vmsim/kernel/RegionNotFoundError';
  override readonly name = 'RegionNotFoundError' as const;
  override readonly errno: Errno = 'ENOMEM';
  constructor(readonly pid: number, readonly va: number) {
    super(`process ${pid}: no region at ${hex(va)}`);
  }
}

/** The call would make more regions than the limit allows (vm.max_map_count; ENOMEM). */
export class MapCountError extends VmsimError {
  static override readonly marker = '@vmsim/kernel/MapCountError';
  override readonly name = 'MapCountError' as const;
  override readonly errno: Errno = 'ENOMEM';
  constructor(readonly pid: number, readonly count: number, readonly limit: number) {
    super(`process ${pid}: ${count} regions, the limit is ${limit} (max_map_count)`);
  }
}

/** No free range of the address space fits, or the range runs past the user space (ENOMEM). */
export class AddressSpaceError extends VmsimError {
  static override readonly marker = '@vmsim/kernel/AddressSpaceError';
  override readonly name = 'AddressSpaceError' as const;
  override readonly errno: Errno = 'ENOMEM';
  constructor(readonly pid: number, readonly length: number, readonly reason: string) {
    super(`process ${pid}: no room for ${hex(length)} bytes: ${reason}`);
  }
}

/** The overcommit heuristic refuses the charge: more pages than RAM and swap hold (ENOMEM). */
export class OvercommitError extends VmsimError {
  static override readonly marker = '@vmsim/kernel/OvercommitError';
  override readonly name = 'OvercommitError' as const;
  override readonly errno: Errno = 'ENOMEM';
  constructor(readonly pages: number, readonly limitPages: number) {
    super(`cannot commit ${pages} pages: RAM and swap hold ${limitPages}`);
  }
}

/** A fixed mapping below the lowest address user mappings may take (vm.mmap_min_addr; EPERM). */
export class NotPermittedError extends VmsimError {
  static override readonly marker = '@vmsim/kernel/NotPermittedError';
  override readonly name = 'NotPermittedError' as const;
  override readonly errno: Errno = 'EPERM';
  constructor(readonly operation: string, readonly va: number, readonly reason: string) {
    super(`${operation} at ${hex(va)}: ${reason}`);
  }
}
