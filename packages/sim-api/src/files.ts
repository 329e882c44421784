// The simulator's file store: files in the kernel's in-memory store, opened by the current process, read
// and written by name or descriptor, truncated, mapped (through the kernel) and synced back with msync.
// A thin layer over @vmsim/kernel's file calls: the kernel's typed errors (EBADF, ENOENT, EEXIST, EACCES,
// EINVAL, EMFILE, ENOMEM) reach the caller as they are.

import { NoSuchProcessError, O_CREAT, O_EXCL, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY, InvalidArgumentError } from '@vmsim/kernel';
import type { Simulator } from './simulator.js';

/** How `open` may be asked: fopen-like words, or the kernel's O_* flags. */
export type OpenMode = 'r' | 'w' | 'rw' | number;

/** Open flags in a readable form: O_RDONLY … O_TRUNC, as the kernel numbers them (Linux's values). */
export const OpenFlags = Object.freeze({ O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_TRUNC });

const MODES: Record<string, number> = { r: O_RDONLY, w: O_WRONLY, rw: O_RDWR };

/** Bytes from a string (UTF-8) or a Uint8Array as it is. */
function toBytes(data: string | Uint8Array, argument: string): Uint8Array {
  if (typeof data === 'string') return new TextEncoder().encode(data);
  if (data instanceof Uint8Array) return data;
  throw new InvalidArgumentError(argument, data, 'expected a string or a Uint8Array');
}

export class Files {
  constructor(private readonly sim: Simulator) {}

  /** Creates a file holding `data` (a string is stored as UTF-8); EEXIST when the name is taken. */
  create(name: string, data: string | Uint8Array = new Uint8Array(0)): void {
    this.sim.kernel.createFile(name, toBytes(data, 'data'));
  }

  /** Opens `name` in the current process: 'r', 'w', 'rw' or O_* flags (O_CREAT to create). The descriptor. */
  open(name: string, mode: OpenMode): number {
    const flags = typeof mode === 'string' && Object.hasOwn(MODES, mode) ? MODES[mode]! : mode;
    if (typeof flags !== 'number') throw new InvalidArgumentError('mode', mode, "expected 'r', 'w', 'rw' or O_* flags");
    return this.sim.kernel.open(name, flags, this.pid('open'));
  }

  close(fd: number): void {
    this.sim.kernel.close(fd, this.pid('close'));
  }

  /** Up to `length` bytes from `offset` of a file (by name) or of a descriptor of the current process. */
  read(file: string | number, offset: number, length: number): Uint8Array {
    return this.sim.kernel.readFile(file, offset, length, typeof file === 'number' ? this.pid('read') : undefined);
  }

  /** The same as text (UTF-8). */
  readText(file: string | number, offset = 0, length = 1 << 20): string {
    return new TextDecoder().decode(this.read(file, offset, length));
  }

  /** Writes `data` at `offset`; the byte count. Every mapping of the pages sees it at once. */
  write(file: string | number, offset: number, data: string | Uint8Array): number {
    return this.sim.kernel.writeFile(file, offset, toBytes(data, 'data'), typeof file === 'number' ? this.pid('write') : undefined);
  }

  truncate(file: string | number, length: number): void {
    this.sim.kernel.truncate(file, length, typeof file === 'number' ? this.pid('truncate') : undefined);
  }

  unlink(name: string): void {
    this.sim.kernel.unlink(name);
  }

  /** msync(2) in the current process: dirty file pages of [addr, addr + length) are written to the file. */
  msync(addr: number, length: number): void {
    this.sim.kernel.msync(addr, length, this.pid('msync'));
  }

  /** The files, by name: size, cached pages, open descriptions. */
  list(): { name: string; size: number; cachedPages: number; opens: number }[] {
    return this.sim.kernel.files();
  }

  /** The descriptors of the current process. */
  descriptors(): { fd: number; name: string; access: number }[] {
    return this.sim.kernel.descriptors(this.pid('descriptors'));
  }

  private pid(operation: string): number {
    const pid = this.sim.pid;
    if (pid === undefined) throw new NoSuchProcessError(`none running (${operation})`);
    return pid;
  }
}
