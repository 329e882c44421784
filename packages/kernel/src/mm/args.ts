// Argument checks shared by the memory calls (mmap, munmap, mprotect, brk): each throws the typed error
// Linux's errno calls for, before anything changes.

import { InvalidArgumentError, InvalidSizeError, NotAlignedError } from '../errors.js';
import type { KernelContext } from '../kernel-context.js';

/** A safe integer ≥ 0, else InvalidArgumentError (EINVAL). */
export function checkUnsigned(argument: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidArgumentError(argument, value, 'expected an integer ≥ 0');
  }
  return value;
}

/** Any safe integer (fd, flags), else InvalidArgumentError (EINVAL). */
export function checkInteger(argument: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new InvalidArgumentError(argument, value, 'expected an integer');
  return value;
}

/** A length: an integer ≥ 0, else InvalidSizeError (EINVAL). */
export function checkLength(operation: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidSizeError(operation, value, 'expected an integer ≥ 0');
  }
  return value;
}

/** A page-aligned address, else NotAlignedError (EINVAL). */
export function checkAligned(ctx: KernelContext, argument: string, value: number): void {
  if (value % ctx.pageSize !== 0) throw new NotAlignedError(argument, value, ctx.pageSize);
}

/** `length` rounded up to whole pages (Linux's PAGE_ALIGN). */
export function pageAlign(ctx: KernelContext, length: number): number {
  return Math.ceil(length / ctx.pageSize) * ctx.pageSize;
}
