// The kernel's in-memory file store: names → files, and per process the descriptor table (fd → open file
// description, the lowest free number first, as open(2) hands them out). Fork copies the table so parent
// and child share the descriptions (Linux's dup_fd); exit closes every descriptor. Pure bookkeeping: what
// touches frames or page tables (truncation, the page cache) is in file-ops.ts and page-cache.ts.

import { InvalidArgumentError } from '../errors.js';
import { BadFileDescriptorError, TooManyOpenFilesError } from './errors.js';
import { MemFile } from './mem-file.js';

export const O_RDONLY = 0;
export const O_WRONLY = 1;
export const O_RDWR = 2;
export const O_ACCMODE = 3;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_TRUNC = 0o1000;
const KNOWN_FLAGS = O_ACCMODE | O_CREAT | O_EXCL | O_TRUNC;

/** Descriptors a process may hold (Linux's default RLIMIT_NOFILE soft limit). */
export const MAX_OPEN_FILES = 1024;

/** An open file description (Linux's struct file): the file and the access mode it was opened with. */
export class OpenFile {
  /** Descriptors referring to this description, in every process. */
  refs = 1;
  constructor(readonly file: MemFile, readonly access: number) {}

  get readable(): boolean {
    return this.access !== O_WRONLY;
  }

  get writable(): boolean {
    return this.access !== O_RDONLY;
  }
}

export interface FileState {
  readonly ino: number;
  readonly name: string;
  readonly linked: boolean;
  readonly opens: number;
  readonly size: number;
  readonly disk: readonly number[];
  /** [page index, pfn] pairs. */
  readonly cache: readonly (readonly [number, number])[];
}

export interface FileStoreSnapshot {
  readonly files: readonly FileState[];
  readonly cached: readonly FileState[];
  readonly descriptors: readonly { pid: number; fds: readonly ({ ino: number; access: number; refs: number } | null)[] }[];
}

export class FileStore {
  private readonly names = new Map<string, MemFile>();
  private readonly tables = new Map<number, (OpenFile | null)[]>();
  /** Files with at least one cached page, linked or not: what a page-cache sweep looks at. */
  readonly cached = new Set<MemFile>();
  /** Every frame the page cache holds (one reference each). */
  readonly cacheFrames = new Set<number>();
  private nextIno = 1;

  /** Files by name, in name order. */
  list(): MemFile[] {
    return [...this.names.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  lookup(name: string): MemFile | undefined {
    return this.names.get(name);
  }

  create(name: string): MemFile {
    const file = new MemFile(this.nextIno++, name);
    this.names.set(name, file);
    return file;
  }

  unlink(file: MemFile): void {
    this.names.delete(file.name);
    file.linked = false;
  }

  /** The open file description behind `fd` of `pid`; EBADF when there is none. */
  get(pid: number, fd: unknown): OpenFile {
    const table = this.tables.get(pid);
    const entry = typeof fd === 'number' && Number.isInteger(fd) && fd >= 0 && table !== undefined ? table[fd] : undefined;
    if (entry === undefined || entry === null) throw new BadFileDescriptorError(pid, fd, 'not an open descriptor');
    return entry;
  }

  /** Installs a new description at the lowest free descriptor of `pid`. */
  install(pid: number, file: MemFile, access: number): number {
    let table = this.tables.get(pid);
    if (table === undefined) {
      table = [];
      this.tables.set(pid, table);
    }
    let fd = table.indexOf(null);
    if (fd < 0) fd = table.length;
    if (fd >= MAX_OPEN_FILES) throw new TooManyOpenFilesError(pid, MAX_OPEN_FILES);
    table[fd] = new OpenFile(file, access);
    file.opens++;
    return fd;
  }

  /** Closes `fd` of `pid` (EBADF if not open); returns the file when its last description went. */
  close(pid: number, fd: unknown): MemFile | null {
    const entry = this.get(pid, fd);
    const table = this.tables.get(pid)!;
    table[fd as number] = null;
    while (table.length > 0 && table[table.length - 1] === null) table.pop();
    return this.drop(entry);
  }

  /** Closes every descriptor of `pid` (exit); returns the files whose last description went. */
  closeAll(pid: number): MemFile[] {
    const table = this.tables.get(pid);
    this.tables.delete(pid);
    const closed: MemFile[] = [];
    for (const entry of table ?? []) {
      if (entry === null) continue;
      const file = this.drop(entry);
      if (file !== null) closed.push(file);
    }
    return closed;
  }

  /** The child of a fork gets the parent's descriptors, sharing their descriptions. */
  forkTable(parentPid: number, childPid: number): void {
    const table = this.tables.get(parentPid);
    if (table === undefined) return;
    for (const entry of table) if (entry !== null) entry.refs++;
    this.tables.set(childPid, table.slice());
  }

  /** The open descriptors of `pid`: fd, file name, access mode. */
  descriptors(pid: number): { fd: number; name: string; access: number }[] {
    const out: { fd: number; name: string; access: number }[] = [];
    (this.tables.get(pid) ?? []).forEach((entry, fd) => {
      if (entry !== null) out.push({ fd, name: entry.file.name, access: entry.access });
    });
    return out;
  }

  /** The store's state for a machine snapshot: files by name, cached files, descriptor tables. */
  snapshot(): FileStoreSnapshot {
    const fileState = (f: MemFile) => ({ ino: f.ino, name: f.name, linked: f.linked, opens: f.opens, size: f.size, disk: Array.from(f.diskBytes()), cache: [...f.cache].sort((a, b) => a[0] - b[0]) });
    return {
      files: this.list().map(fileState),
      cached: [...this.cached].sort((a, b) => a.ino - b.ino).map(fileState),
      descriptors: [...this.tables.keys()].sort((a, b) => a - b).map((pid) => ({
        pid,
        fds: this.tables.get(pid)!.map((e) => (e === null ? null : { ino: e.file.ino, access: e.access, refs: e.refs })),
      })),
    };
  }

  private drop(entry: OpenFile): MemFile | null {
    entry.refs--;
    if (entry.refs > 0) return null;
    entry.file.opens--;
    return entry.file;
  }
}

/** Validates open(2) flags: an access mode and, optionally, O_CREAT, O_EXCL, O_TRUNC. */
export function checkOpenFlags(flags: unknown): number {
  if (typeof flags !== 'number' || !Number.isInteger(flags) || flags < 0 || (flags & ~KNOWN_FLAGS) !== 0 || (flags & O_ACCMODE) === O_ACCMODE) {
    throw new InvalidArgumentError('open flags', flags, 'expected O_RDONLY, O_WRONLY or O_RDWR, optionally with O_CREAT, O_EXCL, O_TRUNC');
  }
  return flags;
}

/** Validates a file name: a non-empty string of at most 255 characters without '/' or NUL. */
export function checkFileName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0 || name.length > 255 || name.includes('/') || name.includes('\0')) {
    throw new InvalidArgumentError('file name', name, "expected 1 to 255 characters without '/' or NUL");
  }
  return name;
}
