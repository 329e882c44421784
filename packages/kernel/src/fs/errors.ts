// Typed errors of the in-memory file store and its descriptors, one class per kind, with Linux's errno
// names (EBADF, ENOENT, EEXIST, EACCES, EMFILE). Arguments that are simply wrong use the kernel's
// InvalidArgumentError / NotAlignedError (EINVAL).

import { VmsimError } from '@vmsim/hw';

/** A descriptor that is not open in the process, or not open for the operation asked (read on O_WRONLY …). */
export class BadFileDescriptorError extends VmsimError {
  static override readonly marker = '@vmsim/kernel/BadFileDescriptorError';
  override readonly name = 'BadFileDescriptorError' as const;
  override readonly errno = 'EBADF' as const;
  constructor(readonly pid: number, readonly fd: unknown, readonly reason: string) {
    super(`process ${pid}: bad file descriptor ${String(fd)}: ${reason}`);
  }
}

/** A name the file store does not hold (open without O_CREAT, read by name, unlink). */
export class NoSuchFileError extends VmsimError {
  static override readonly marker = '@vmsim/kernel/NoSuchFileError';
  override readonly name = 'NoSuchFileError' as const;
  override readonly errno = 'ENOENT' as const;
  constructor(readonly fileName: string) {
    super(`no such file: ${JSON.stringify(fileName)}`);
  }
}

/** createFile, or open with O_CREAT | O_EXCL, of a name that exists. */
export class FileExistsError extends VmsimError {
  static override readonly marker = '@vmsim/kernel/FileExistsError';
  override readonly name = 'FileExistsError' as const;
  override readonly errno = 'EEXIST' as const;
  constructor(readonly fileName: string) {
    super(`file exists: ${JSON.stringify(fileName)}`);
  }
}

/**
 * A mapping the descriptor's access mode does not allow (mmap(2): MAP_SHARED with PROT_WRITE on a descriptor
 * not open for writing, or any mapping of a descriptor not open for reading).
 */
export class FileAccessError extends VmsimError {
  static override readonly marker = '@vmsim/kernel/FileAccessError';
  override readonly name = 'FileAccessError' as const;
  override readonly errno = 'EACCES' as const;
  constructor(readonly pid: number, readonly fd: number, readonly reason: string) {
    super(`process ${pid}: descriptor ${fd}: ${reason}`);
  }
}

/** The process already has the most descriptors it may open (RLIMIT_NOFILE). */
export class TooManyOpenFilesError extends VmsimError {
  static override readonly marker = '@vmsim/kernel/TooManyOpenFilesError';
  override readonly name = 'TooManyOpenFilesError' as const;
  override readonly errno = 'EMFILE' as const;
  constructor(readonly pid: number, readonly limit: number) {
    super(`process ${pid}: too many open files (limit ${limit})`);
  }
}

/**
 * A kernel copy (copyin / copyout) that reaches a page of a file mapping past the file's last page: a user
 * access there is SIGBUS; read(2) and write(2) with such a buffer fail with EFAULT and copy nothing.
 */
export class BeyondEndOfFileError extends VmsimError {
  static override readonly marker = '@vmsim/kernel/BeyondEndOfFileError';
  override readonly name = 'BeyondEndOfFileError' as const;
  override readonly errno = 'EFAULT' as const;
  constructor(readonly pid: number, readonly va: number) {
    super(`process ${pid}: address 0x${va.toString(16)} lies past the end of the mapped file (SIGBUS)`);
  }
}

/** msync(2) over a range with a page no region covers (Linux: ENOMEM, "not mapped"). */
export class UnmappedRangeError extends VmsimError {
  static override readonly marker = '@vmsim/kernel/UnmappedRangeError';
  override readonly name = 'UnmappedRangeError' as const;
  override readonly errno = 'ENOMEM' as const;
  constructor(readonly pid: number, readonly va: number, readonly operation: string) {
    super(`${operation}: process ${pid}: address 0x${va.toString(16)} is not mapped`);
  }
}
