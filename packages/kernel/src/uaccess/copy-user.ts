// The kernel's own accesses to a process's memory (xv6's copyout / copyin): all or nothing. A write is
// probed first (regions, protection, frames, room under the memory limits), then takes the same fault path
// as a user write, so a copy-on-write page is copied. Failures throw typed errors; a refused copy writes
// nothing. An unmapped page of a file region reads as the file's page; past the file's end both fail
// (EFAULT, as read(2) does).

import { ACCESS_READ, ACCESS_WRITE, isSwapEntry, PTE_A, PTE_D, PTE_W, swapEntrySlot, type AccessKind } from '@vmsim/hw';
import { ACCESS_LABELS, ERR_OOM_KILLED, SEGV_ACCERR, SEGV_MAPERR, VM_FAULT_OOM, VM_FAULT_SIGBUS } from '../codes.js';
import {
  InvalidArgumentError, KernelInvariantError, NotMappedError, OomKilledError, OutOfMemoryError, PermissionDeniedError,
} from '../errors.js';
import { handleMmFault } from '../fault/handle-mm-fault.js';
import { BeyondEndOfFileError } from '../fs/errors.js';
import { fileIndex } from '../fs/file-mapping.js';
import { peekFilePage } from '../fs/page-cache.js';
import type { KernelContext } from '../kernel-context.js';
import { touchAccess } from '../mm/reclaim.js';
import type { Process } from '../proc/process.js';
import { probeWrite } from './probe.js';

/** Writes `data` at `va` in `p`'s memory, resolving each page's fault. */
export function copyOut(ctx: KernelContext, p: Process, va: number, data: Uint8Array): void {
  if (!(data instanceof Uint8Array)) throw new InvalidArgumentError('data', data, 'expected a Uint8Array');
  checkRange(ctx, va, data.length);
  if (data.length === 0) return; // nothing to write: no page is touched, whatever the alignment of va
  const space = p.space!;
  const probe = probeWrite(ctx, p, va, data.length, false);
  if (probe.code < 0) throw errorFor(ctx, probe.code, p, probe.va, ACCESS_WRITE, 0);
  const needed = probe.code;
  // Room for every frame the write's faults will load, under the memory limits too, before a byte is written:
  // a fault that then found none would leave the pages before it written (a kernel write is all or nothing).
  // (A write that loads more pages than a limit holds must evict its own earlier pages as it goes, and can
  // still fail part-way when one of them cannot go.)
  if (!(probe.loads > 0 ? ctx.roomToLoad(needed, p.pid, -1, probe.loads) : ctx.haveFrames(needed, p.pid))) {
    ctx.counts.oom++;
    if (p.state === 'terminated') throw new OomKilledError('write', p.pid);
    throw new OutOfMemoryError('write', needed, ctx.frames.freeCount);
  }
  let done = 0;
  while (done < data.length) {
    const at = va + done;
    const page = ctx.pageBase(at);
    let leaf = space.leaf(page);
    const faulted = !leaf.valid || (leaf.flags & PTE_W) === 0;
    if (faulted) {
      const r = handleMmFault(ctx, p, at, ACCESS_WRITE);
      if (r < 0) throw errorFor(ctx, r, p, at, ACCESS_WRITE, needed);
      leaf = space.leaf(page);
    }
    if ((leaf.flags & (PTE_A | PTE_D)) !== (PTE_A | PTE_D)) space.setLeaf(leaf.entryPa, leaf.pfn, leaf.flags | PTE_A | PTE_D);
    const offset = at - page;
    const n = Math.min(ctx.pageSize - offset, data.length - done);
    ctx.ram.bytes.set(data.subarray(done, done + n), leaf.pfn * ctx.pageSize + offset);
    if (ctx.touching) touchAccess(ctx, space, at, n, true, faulted);
    done += n;
  }
  ctx.afterOperation();
}

/** Reads `length` bytes at `va` of `p`'s memory. Unpopulated pages of a region read as zeros. */
export function copyIn(ctx: KernelContext, p: Process, va: number, length: number): Uint8Array {
  checkRange(ctx, va, length);
  if (length === 0) return new Uint8Array(0); // nothing to read: no page is touched, whatever the alignment of va
  const space = p.space!;
  const out = new Uint8Array(length);
  for (let page = ctx.pageBase(va); page < va + length; page += ctx.pageSize) {
    const at = Math.max(page, va);
    const vma = space.vmas.find(page);
    if (vma === undefined) throw new NotMappedError(p.pid, at);
    if (!ctx.protPermits(vma.prot, ACCESS_READ)) throw new PermissionDeniedError(p.pid, at, 'read');
    if (vma.file !== undefined && fileIndex(ctx, vma, page) >= vma.file.pageCount(ctx.pageSize) && !space.find(page)) throw new BeyondEndOfFileError(p.pid, at);
  }
  let done = 0;
  while (done < length) {
    const at = va + done;
    const page = ctx.pageBase(at);
    const offset = at - page;
    const n = Math.min(ctx.pageSize - offset, length - done);
    const leaf = space.leaf(page);
    if (leaf.valid) {
      const pa = leaf.pfn * ctx.pageSize + offset;
      out.set(ctx.ram.bytes.subarray(pa, pa + n), done);
    } else {
      // An unmapped page of a file region reads as the file's page (cache or disk), mapping nothing.
      const vma = space.vmas.find(page)!;
      if (vma.file !== undefined) peekFilePage(ctx, vma.file, fileIndex(ctx, vma, page), offset, n, out, done);
      else if (leaf.entryPa >= 0) peekSwappedPage(ctx, leaf.entryPa, offset, n, out, done);
    }
    done += n;
  }
  return out;
}

function checkRange(ctx: KernelContext, va: number, length: number): void {
  ctx.checkVa(va);
  if (!Number.isInteger(length) || length < 0 || va + length > ctx.vaLimit) {
    throw new InvalidArgumentError('length', length, `expected a length that keeps the range below 0x${ctx.vaLimit.toString(16)}`);
  }
}

/** Turns a negative code into the typed error the API edge throws. */
function errorFor(ctx: KernelContext, code: number, p: Process, va: number, access: AccessKind, framesNeeded: number): Error {
  if (code === SEGV_MAPERR) return new NotMappedError(p.pid, va);
  if (code === SEGV_ACCERR) return new PermissionDeniedError(p.pid, va, ACCESS_LABELS[access]);
  if (code === VM_FAULT_OOM) return new OutOfMemoryError(ACCESS_LABELS[access], framesNeeded, ctx.frames.freeCount);
  if (code === ERR_OOM_KILLED) return new OomKilledError(ACCESS_LABELS[access], p.pid);
  if (code === VM_FAULT_SIGBUS) return new BeyondEndOfFileError(p.pid, va);
  return new KernelInvariantError([`unexpected fault code ${code} at 0x${va.toString(16)} in pid ${p.pid}`]);
}

/** A swapped-out page reads as its swap-cache frame or its slot, bringing nothing in. */
function peekSwappedPage(ctx: KernelContext, entryPa: number, offset: number, n: number, out: Uint8Array, at: number): void {
  const lo = ctx.ram.view.getUint32(entryPa, true);
  const hi = ctx.model.entryBytes === 8 ? ctx.ram.view.getUint32(entryPa + 4, true) : 0;
  if (!isSwapEntry(lo, hi)) return;
  const slot = swapEntrySlot(lo, hi);
  const pfn = ctx.swapCache.pfnOf(slot);
  if (pfn >= 0) {
    const pa = pfn * ctx.pageSize + offset;
    out.set(ctx.ram.bytes.subarray(pa, pa + n), at);
  } else {
    ctx.swap.peek(slot, offset, n, out, at);
  }
}
