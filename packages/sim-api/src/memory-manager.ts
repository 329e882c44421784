// Seed 003's memory manager in TypeScript form, over a Simulator's current process: ProtectionFlags,
// MmapFlags.anonymousPrivate() and friends, vm_mmap / vm_munmap / vm_mprotect / vm_brk / vm_sbrk as
// mmap / munmap / mprotect / brk / sbrk returning a VmResult (seed 003's Result<T, VmError>), memory statistics,
// the /proc maps listing, and reads and writes at any address with the signal a refused access sends.

import {
  ERR_OOM_KILLED, MAP_ANONYMOUS, MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_NORESERVE, MAP_POPULATE, MAP_PRIVATE, MAP_SHARED, NoSuchProcessError, formatMapsLine,
  type MapsEntry, type SigInfo,
} from '@vmsim/kernel';
import { VmsimError } from '@vmsim/hw';
import type { DataType } from './data-type.js';
import { InvalidArgumentError } from './errors.js';
import type { Simulator } from './simulator.js';
import type { ValueType } from './value-type.js';

/** POSIX-style protections (seed 003's ProtectionFlags); the bits are the kernel's PROT_*. */
export const ProtectionFlags = {
  NONE: 0,
  READ: 1,
  WRITE: 2,
  EXECUTE: 4,
  READ_WRITE: 3,
  READ_EXEC: 5,
  READ_WRITE_EXEC: 7,
} as const;

/** Mapping flags (seed 003's MmapFlags: fixed, shared, private, anonymous), plus Linux's noreserve and populate. */
export class MmapFlags {
  constructor(
    readonly shared: boolean,
    readonly anonymous = true,
    readonly fixed = false,
    readonly fixedNoReplace = false,
    readonly noReserve = false,
    readonly populate = false,
  ) {}

  static anonymousPrivate(): MmapFlags {
    return new MmapFlags(false);
  }

  static anonymousShared(): MmapFlags {
    return new MmapFlags(true);
  }

  get private(): boolean {
    return !this.shared;
  }

  withFixed(): MmapFlags {
    return new MmapFlags(this.shared, this.anonymous, true, false, this.noReserve, this.populate);
  }

  withFixedNoReplace(): MmapFlags {
    return new MmapFlags(this.shared, this.anonymous, false, true, this.noReserve, this.populate);
  }

  withNoReserve(): MmapFlags {
    return new MmapFlags(this.shared, this.anonymous, this.fixed, this.fixedNoReplace, true, this.populate);
  }

  withPopulate(): MmapFlags {
    return new MmapFlags(this.shared, this.anonymous, this.fixed, this.fixedNoReplace, this.noReserve, true);
  }

  /** The kernel's MAP_* bits. */
  get bits(): number {
    return (this.shared ? MAP_SHARED : MAP_PRIVATE) | (this.anonymous ? MAP_ANONYMOUS : 0) | (this.fixed ? MAP_FIXED : 0) |
      (this.fixedNoReplace ? MAP_FIXED_NOREPLACE : 0) | (this.noReserve ? MAP_NORESERVE : 0) | (this.populate ? MAP_POPULATE : 0);
  }
}

/**
 * Seed 003's VmError kinds. Linux answers some cases with an errno seed 003 has no kind for: a wrong kind of
 * argument (EINVAL) is InvalidArgument and a bad descriptor (EBADF) BadFileDescriptor.
 */
export type VmErrorKind =
  | 'InvalidAddress' | 'InvalidSize' | 'OutOfMemory' | 'PermissionDenied' | 'RegionNotFound' | 'AlreadyMapped' | 'NotAligned'
  | 'InvalidArgument' | 'BadFileDescriptor';

export interface VmError {
  readonly kind: VmErrorKind;
  readonly errno: string;
  readonly message: string;
  /** The kernel's typed error, or the signal of a refused access. */
  readonly cause: VmsimError | SigInfo;
}

export type VmResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: VmError };

/** Seed 003's memory statistics, with the current process's pages. */
export interface MemoryStats {
  /** Bytes the regions of every live process cover. */
  readonly totalAllocated: number;
  readonly regionCount: number;
  /** Pages mapped in page tables (the zero page included). */
  readonly mappedPages: number;
  readonly process: { readonly rss: number; readonly shared: number; readonly private: number; readonly pageTables: number } | null;
}

const KIND_OF_ERROR: Readonly<Record<string, VmErrorKind>> = {
  InvalidAddressError: 'InvalidAddress',
  InvalidSizeError: 'InvalidSize',
  OutOfMemoryError: 'OutOfMemory',
  MapCountError: 'OutOfMemory',
  AddressSpaceError: 'OutOfMemory',
  OvercommitError: 'OutOfMemory',
  PermissionDeniedError: 'PermissionDenied',
  NotPermittedError: 'PermissionDenied',
  RegionNotFoundError: 'RegionNotFound',
  AlreadyMappedError: 'AlreadyMapped',
  NotAlignedError: 'NotAligned',
  BadFileDescriptorError: 'BadFileDescriptor',
  NoSuchProcessError: 'InvalidArgument',
  InvalidArgumentError: 'InvalidArgument',
};

function failure<T>(error: VmsimError): VmResult<T> {
  return { ok: false, error: { kind: KIND_OF_ERROR[error.name] ?? 'InvalidArgument', errno: error.errno ?? 'EINVAL', message: error.message, cause: error } };
}

/** Runs a kernel call; a vmsim error becomes a failed VmResult, anything else is rethrown. */
function attempt<T>(fn: () => T): VmResult<T> {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    if (VmsimError.isInstance(error)) return failure(error);
    throw error;
  }
}

/** What a refused access sends, as seed 003's kinds: SEGV_MAPERR an InvalidAddress, SEGV_ACCERR a PermissionDenied. */
function signalFailure<T>(info: SigInfo): VmResult<T> {
  const kind: VmErrorKind = info.code === 'SEGV_ACCERR' ? 'PermissionDenied' : 'InvalidAddress';
  const where = Number.isNaN(info.va) ? 'NaN' : `0x${info.va.toString(16)}`;
  return { ok: false, error: { kind, errno: 'EFAULT', message: `${info.signal} (${info.code}) on ${info.access} of ${where}`, cause: info } };
}

/**
 * The memory calls of seed 003 on `sim`'s current process. `signals` says what a refused access does:
 * 'terminate' (the default action of SIGSEGV: the process is killed, as `sim.kill()` does) or 'catch' (the
 * failure is returned and the process goes on).
 */
export class MemoryManager {
  signals: 'terminate' | 'catch' = 'terminate';

  constructor(readonly sim: Simulator) {}

  #pid(): number | null {
    const pid = this.sim.pid;
    return pid === undefined ? null : pid;
  }

  #noProcess<T>(): VmResult<T> {
    return failure(new NoSuchProcessError('none running'));
  }

  mmap(addr: number, length: number, prot: number, flags: MmapFlags, fd = -1, offset = 0): VmResult<number> {
    if (!(flags instanceof MmapFlags)) throw new InvalidArgumentError('flags', flags, 'expected MmapFlags');
    const pid = this.#pid();
    if (pid === null) return this.#noProcess();
    return attempt(() => this.sim.kernel.mmap(addr, length, prot, flags.bits, fd, offset, pid));
  }

  munmap(addr: number, length: number): VmResult<void> {
    const pid = this.#pid();
    if (pid === null) return this.#noProcess();
    return attempt(() => this.sim.kernel.munmap(addr, length, pid));
  }

  mprotect(addr: number, length: number, prot: number): VmResult<void> {
    const pid = this.#pid();
    if (pid === null) return this.#noProcess();
    return attempt(() => this.sim.kernel.mprotect(addr, length, prot, pid));
  }

  /** brk as seed 003 has it: brk(0) gives the break; a refused move is OutOfMemory (ENOMEM), as glibc reports it. */
  brk(addr: number): VmResult<number> {
    const pid = this.#pid();
    if (pid === null) return this.#noProcess();
    const r = attempt(() => this.sim.kernel.brk(addr, pid));
    if (!r.ok || addr === 0 || r.value === addr) return r;
    return { ok: false, error: { kind: 'OutOfMemory', errno: 'ENOMEM', message: `brk 0x${addr.toString(16)} refused; the break stays at 0x${r.value.toString(16)}`, cause: new VmsimError('brk refused', 'ENOMEM') } };
  }

  /** sbrk (a library function over brk): moves the break by `increment` bytes and returns the previous break. */
  sbrk(increment: number): VmResult<number> {
    if (typeof increment !== 'number' || !Number.isSafeInteger(increment)) throw new InvalidArgumentError('increment', increment, 'expected an integer');
    const current = this.brk(0);
    if (!current.ok || increment === 0) return current;
    const old = current.value;
    if (old + increment < 0) return { ok: false, error: { kind: 'OutOfMemory', errno: 'ENOMEM', message: `sbrk ${increment} would move the break below 0`, cause: new VmsimError('sbrk wraps', 'ENOMEM') } };
    const moved = this.brk(old + increment);
    return moved.ok ? { ok: true, value: old } : moved;
  }

  /** Writes `value` at `addr` as the current process: a user store, with the signal of a refused one. */
  write(addr: number, value: ValueType): VmResult<void> {
    const pid = this.#pid();
    if (pid === null) return this.#noProcess();
    const kernel = this.sim.kernel;
    const size = value.size;
    const code = size === 8 ? kernel.store64(addr, BigInt.asUintN(64, BigInt(value.bits))) : kernel.store(addr, size as 1 | 2 | 4, Number(value.bits));
    return code === 0 ? { ok: true, value: undefined } : this.#refused(pid, code);
  }

  /** Reads a `type` at `addr` as the current process: a user load, with the signal of a refused one. */
  read<V extends bigint | number>(addr: number, type: DataType<V>): VmResult<ValueType<V>> {
    const pid = this.#pid();
    if (pid === null) return this.#noProcess();
    const kernel = this.sim.kernel;
    if (type.size === 8) {
      const bits = kernel.load64(addr);
      return kernel.status === 0 ? { ok: true, value: type.fromBits(bits) } : this.#refused(pid, kernel.status);
    }
    const bits = kernel.load(addr, type.size);
    return bits >= 0 ? { ok: true, value: type.fromBits(bits) } : this.#refused(pid, bits);
  }

  #refused<T>(pid: number, code: number): VmResult<T> {
    // The kernel's OOM killer took the process itself: it is gone, there is no signal to take.
    if (code === ERR_OOM_KILLED) {
      const message = `out of memory: the OOM killer killed process ${pid}`;
      return { ok: false, error: { kind: 'OutOfMemory', errno: 'ENOMEM', message, cause: new VmsimError(message, 'ENOMEM') } };
    }
    const info = this.sim.kernel.takeSignal(pid);
    if (info === null) {
      return { ok: false, error: { kind: 'OutOfMemory', errno: 'ENOMEM', message: `the access failed with code ${code}`, cause: new VmsimError('access failed', 'ENOMEM') } };
    }
    if (this.signals === 'terminate') this.sim.kill();
    return signalFailure(info);
  }

  /** /proc/<pid>/maps of the current process: entries, and the lines with `lines()`. */
  maps(): MapsEntry[] {
    const pid = this.#pid();
    return pid === null ? [] : this.sim.kernel.maps(pid);
  }

  lines(): string[] {
    const pointerBytes = this.sim.kernel.model.signExtendedVa === true ? 8 : 4;
    return this.maps().map((e) => formatMapsLine(e, pointerBytes));
  }

  /** Seed 003's get_memory_stats, with the current process's resident, shared and private pages and its tables. */
  stats(): MemoryStats {
    const s = this.sim.kernel.stats();
    const pid = this.#pid();
    const p = s.processes.find((q) => q.pid === pid);
    return {
      ...s.memory,
      process: p === undefined ? null : { rss: p.resident, shared: p.shared, private: p.private, pageTables: p.pageTables },
    };
  }
}
