// The stack region (Linux's VM_GROWSDOWN vma): made at the top of user space, it grows down when a fault
// lands below it (expand_stack), up to the stack limit (RLIMIT_STACK, 8 MiB by default) and never closer
// than the guard gap (256 pages) to the region below. The growth stays even if the fault then fails, as on Linux.

import { AddressSpaceError, AlreadyMappedError, InvalidSizeError } from '../errors.js';
import type { KernelContext } from '../kernel-context.js';
import type { AddressSpace } from './address-space.js';
import { pageAlign } from './args.js';
import { STACK_GUARD_GAP_PAGES, STACK_LIMIT } from './layout.js';
import { MAP_ANONYMOUS, MAP_GROWSDOWN, MAP_PRIVATE, PROT_READ, PROT_WRITE, type Vma } from './vma.js';

/** The end of the stack region: the top of user space. */
export function stackTop(ctx: KernelContext): number {
  return ctx.vaLimit;
}

/** Makes `pid`'s stack region of `size` bytes (rounded up to pages) ending at the top of user space; returns its start. */
export function mapStack(ctx: KernelContext, pid: number, size: number): number {
  const p = ctx.procs.live(pid);
  const space = p.space!;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size <= 0) throw new InvalidSizeError('stack', size, 'expected a positive integer');
  const length = pageAlign(ctx, size);
  if (length > STACK_LIMIT) throw new AddressSpaceError(pid, length, `larger than the stack limit (${STACK_LIMIT} bytes)`);
  const end = stackTop(ctx);
  const start = end - length;
  if (space.vmas.overlaps(start, end)) throw new AlreadyMappedError(pid, start);
  space.vmas.insert({ start, end, prot: PROT_READ | PROT_WRITE, flags: MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN });
  ctx.afterOperation();
  return start;
}

/**
 * A fault at `va` that no region holds: if the region just above is a stack that may grow down to `va`'s
 * page (within the limit, the guard gap kept to the region below), it is grown and returned; else undefined.
 */
export function expandStack(ctx: KernelContext, space: AddressSpace, va: number): Vma | undefined {
  if (typeof va !== 'number' || !Number.isFinite(va)) return undefined;
  const stack = space.vmas.after(va);
  if (stack === undefined || (stack.flags & MAP_GROWSDOWN) === 0) return undefined;
  const start = ctx.pageBase(va);
  if (stack.end - start > STACK_LIMIT) return undefined;
  const below = space.vmas.before(start + 1);
  if (below !== undefined && below !== stack && below.end + STACK_GUARD_GAP_PAGES * ctx.pageSize > start) return undefined;
  space.vmas.remove(stack.start, stack.end);
  return space.vmas.insert({ ...stack, start });
}
