// The file system calls on the in-memory store: create, open, close, read, write, truncate, unlink. read
// and write go through the page cache (a cached page is read from and written to its frame, so writes
// through a MAP_SHARED mapping are visible to read(2) at once, and write(2) is visible to every mapping of
// the page); write(2) also writes to disk at once. Truncation removes the cut-off pages from every mapping
// (later accesses are SIGBUS) and from the cache, and zeroes the tail of a partial last page.

import { InvalidArgumentError } from '../errors.js';
import type { KernelContext } from '../kernel-context.js';
import { BadFileDescriptorError, FileExistsError, NoSuchFileError } from './errors.js';
import { forEachMapping, unmapPages } from './file-mapping.js';
import { checkFileName, checkOpenFlags, O_ACCMODE, O_CREAT, O_EXCL, O_TRUNC } from './file-store.js';
import type { MemFile } from './mem-file.js';
import { cacheDrop, cachedPfn, trimPageCache, zeroCachedTail } from './page-cache.js';

/** Files may grow to 1 GiB (the disk bytes are one array). */
export const MAX_FILE_BYTES = 2 ** 30;

/** A file named by a descriptor of `pid` or by its name in the store. */
export type FileTarget = number | string;

export function createFile(ctx: KernelContext, name: unknown, bytes?: unknown): MemFile {
  const n = checkFileName(name);
  if (bytes !== undefined && !(bytes instanceof Uint8Array)) throw new InvalidArgumentError('bytes', bytes, 'expected a Uint8Array');
  if (bytes !== undefined && bytes.length > MAX_FILE_BYTES) throw new InvalidArgumentError('bytes', bytes.length, `expected at most ${MAX_FILE_BYTES} bytes`);
  if (ctx.files.lookup(n) !== undefined) throw new FileExistsError(n);
  const file = ctx.files.create(n);
  if (bytes !== undefined) file.writeDisk(0, bytes);
  return file;
}

/** open(2): the lowest free descriptor of `pid`. ENOENT without O_CREAT, EEXIST with O_CREAT | O_EXCL. */
export function openFile(ctx: KernelContext, pid: number, name: unknown, flags: unknown): number {
  ctx.procs.live(pid);
  const n = checkFileName(name);
  const f = checkOpenFlags(flags);
  let file = ctx.files.lookup(n);
  if (file !== undefined && (f & (O_CREAT | O_EXCL)) === (O_CREAT | O_EXCL)) throw new FileExistsError(n);
  if (file === undefined && (f & O_CREAT) === 0) throw new NoSuchFileError(n);
  const created = file === undefined;
  if (file === undefined) file = ctx.files.create(n);
  let fd: number;
  try {
    fd = ctx.files.install(pid, file, f & O_ACCMODE);
  } catch (error) {
    if (created) ctx.files.unlink(file); // EMFILE: the file open(2) would have created is not left behind
    throw error;
  }
  if ((f & O_TRUNC) !== 0 && file.size > 0) truncateTo(ctx, file, 0);
  ctx.afterOperation();
  return fd;
}

export function closeFile(ctx: KernelContext, pid: number, fd: unknown): void {
  ctx.procs.live(pid);
  const last = ctx.files.close(pid, fd);
  if (last !== null && !last.linked) trimPageCache(ctx);
  ctx.afterOperation();
}

/** unlink(2): the name goes; the file lives on while a descriptor or a mapping refers to it. */
export function unlinkFile(ctx: KernelContext, name: unknown): void {
  const n = checkFileName(name);
  const file = ctx.files.lookup(n);
  if (file === undefined) throw new NoSuchFileError(n);
  ctx.files.unlink(file);
  trimPageCache(ctx);
  ctx.afterOperation();
}

/** The file a target names; `need` says which access a descriptor must have (EBADF otherwise). */
export function resolveTarget(ctx: KernelContext, pid: number, target: unknown, need: 'read' | 'write'): MemFile {
  if (typeof target === 'string') {
    const file = ctx.files.lookup(checkFileName(target));
    if (file === undefined) throw new NoSuchFileError(target);
    return file;
  }
  if (typeof target !== 'number') throw new InvalidArgumentError('file', target, 'expected a descriptor number or a file name');
  ctx.procs.live(pid);
  const open = ctx.files.get(pid, target);
  if (need === 'read' ? !open.readable : !open.writable) throw new BadFileDescriptorError(pid, target, `not open for ${need === 'read' ? 'reading' : 'writing'}`);
  return open.file;
}

function checkOffset(offset: unknown): number {
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
    throw new InvalidArgumentError('offset', offset, 'expected a non-negative integer');
  }
  return offset;
}

/** pread(2): up to `length` bytes from `offset`, fewer at the end of the file (none past it). */
export function readFile(ctx: KernelContext, file: MemFile, offset: unknown, length: unknown): Uint8Array {
  const off = checkOffset(offset);
  if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 0 || length > MAX_FILE_BYTES) {
    throw new InvalidArgumentError('length', length, `expected an integer from 0 to ${MAX_FILE_BYTES}`);
  }
  const n = Math.max(0, Math.min(length, file.size - off));
  const out = new Uint8Array(n);
  const ps = ctx.pageSize;
  let done = 0;
  while (done < n) {
    const at = off + done;
    const index = Math.floor(at / ps);
    const inPage = at % ps;
    const chunk = Math.min(ps - inPage, n - done);
    const pfn = cachedPfn(file, index);
    if (pfn >= 0) {
      const base = pfn * ps + inPage;
      out.set(ctx.ram.bytes.subarray(base, base + chunk), done);
    } else {
      file.readDisk(at, out.subarray(done, done + chunk));
    }
    done += chunk;
  }
  return out;
}

/** pwrite(2): writes `bytes` at `offset`, growing the file (a gap reads as zeros). Returns the count. */
export function writeFile(ctx: KernelContext, file: MemFile, offset: unknown, bytes: unknown): number {
  const off = checkOffset(offset);
  if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError('bytes', bytes, 'expected a Uint8Array');
  if (off + bytes.length > MAX_FILE_BYTES) throw new InvalidArgumentError('offset + length', off + bytes.length, `expected at most ${MAX_FILE_BYTES}`);
  if (off + bytes.length > file.size) growTo(ctx, file, off + bytes.length);
  const ps = ctx.pageSize;
  let done = 0;
  while (done < bytes.length) {
    const at = off + done;
    const index = Math.floor(at / ps);
    const inPage = at % ps;
    const chunk = Math.min(ps - inPage, bytes.length - done);
    const pfn = cachedPfn(file, index);
    if (pfn >= 0) ctx.ram.bytes.set(bytes.subarray(done, done + chunk), pfn * ps + inPage);
    done += chunk;
  }
  file.writeDisk(off, bytes);
  ctx.afterOperation();
  return bytes.length;
}

/** ftruncate(2) / truncate(2). A descriptor must be open for writing (EINVAL otherwise, as Linux answers). */
export function truncateFile(ctx: KernelContext, pid: number, target: unknown, length: unknown): void {
  let file: MemFile;
  if (typeof target === 'number') {
    ctx.procs.live(pid);
    const open = ctx.files.get(pid, target);
    if (!open.writable) throw new InvalidArgumentError('descriptor', target, 'not open for writing (ftruncate)');
    file = open.file;
  } else {
    file = resolveTarget(ctx, pid, target, 'write');
  }
  if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 0 || length > MAX_FILE_BYTES) {
    throw new InvalidArgumentError('length', length, `expected an integer from 0 to ${MAX_FILE_BYTES}`);
  }
  truncateTo(ctx, file, length);
  ctx.afterOperation();
}

function truncateTo(ctx: KernelContext, file: MemFile, length: number): void {
  if (length >= file.size) {
    growTo(ctx, file, length);
    return;
  }
  const ps = ctx.pageSize;
  const keep = Math.ceil(length / ps);
  // unmap_mapping_range(even_cows): every entry past the new last page goes, private copies included.
  forEachMapping(ctx, file, (p, vma) => {
    const from = Math.max(vma.start, vma.start + (keep - (vma.pgoff ?? 0)) * ps);
    if (from < vma.end) unmapPages(ctx, p, from, vma.end);
  });
  for (const [index, pfn] of [...file.cache]) if (index >= keep) cacheDrop(ctx, file, index, pfn);
  zeroCachedTail(ctx, file, length);
  file.resize(length);
}

/** Grows the file to `length`: the new bytes read zero, also in a cached partial last page. */
function growTo(ctx: KernelContext, file: MemFile, length: number): void {
  if (length <= file.size) return;
  zeroCachedTail(ctx, file, file.size);
  file.resize(length);
}
