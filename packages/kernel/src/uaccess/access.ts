// The user access path of the running process (the part of a CPU's load/store a kernel sees): try the MMU,
// and on a fault call handleMmFault and retry. It returns codes and never throws for an address (a
// non-number address is SEGV_MAPERR); a bad size or value is a programmer error and throws before anything
// changes. An access that crosses a page is probed first, so a refused one resolves no fault of either page.

import { ACCESS_READ, ACCESS_WRITE, type AccessKind } from '@vmsim/hw';
import { ERR_NO_PROCESS, MAX_FAULT_RETRIES, SEGV_MAPERR, VM_FAULT_SIGBUS } from '../codes.js';
import { InvalidArgumentError } from '../errors.js';
import { faultFailed, handleMmFault } from '../fault/handle-mm-fault.js';
import type { KernelContext } from '../kernel-context.js';
import { touchAccess, touchFrame } from '../mm/reclaim.js';
import type { Process } from '../proc/process.js';
import { probeRead, probeWrite } from './probe.js';

/** 1, 2 or 4 bytes at `va`: the unsigned value, or a negative code (also in `ctx.status`). */
export function userLoad(ctx: KernelContext, va: number, size: number): number {
  if (size !== 1 && size !== 2 && size !== 4) throw new InvalidArgumentError('size', size, 'expected 1, 2 or 4');
  const p = ctx.procs.current;
  if (p === null || p.state !== 'running') return (ctx.status = ERR_NO_PROCESS);
  const refused = refuseAddress(ctx, p, va, size, ACCESS_READ);
  if (refused < 0) return (ctx.status = refused);
  const mmu = ctx.mmu;
  for (let attempt = 0; attempt < MAX_FAULT_RETRIES; attempt++) {
    const value = size === 4 ? mmu.load32(va) : size === 1 ? mmu.load8(va) : mmu.load16(va);
    if (value >= 0) {
      if (ctx.touching) touchAccess(ctx, p.space!, va, size, false, attempt > 0);
      ctx.status = 0;
      return value;
    }
    const r = handleMmFault(ctx, p, mmu.faultVa, ACCESS_READ);
    if (r < 0) return (ctx.status = r);
  }
  return (ctx.status = VM_FAULT_SIGBUS);
}

/** 8 bytes at `va`; on failure 0n with the code in `ctx.status`. */
export function userLoad64(ctx: KernelContext, va: number): bigint {
  const p = ctx.procs.current;
  if (p === null || p.state !== 'running') {
    ctx.status = ERR_NO_PROCESS;
    return 0n;
  }
  const refused = refuseAddress(ctx, p, va, 8, ACCESS_READ);
  if (refused < 0) {
    ctx.status = refused;
    return 0n;
  }
  const mmu = ctx.mmu;
  for (let attempt = 0; attempt < MAX_FAULT_RETRIES; attempt++) {
    const value = mmu.load64(va);
    if (mmu.status === 0) {
      if (ctx.touching) touchAccess(ctx, p.space!, va, 8, false, attempt > 0);
      ctx.status = 0;
      return value;
    }
    const r = handleMmFault(ctx, p, mmu.faultVa, ACCESS_READ);
    if (r < 0) {
      ctx.status = r;
      return 0n;
    }
  }
  ctx.status = VM_FAULT_SIGBUS;
  return 0n;
}

/** Stores 1, 2 or 4 bytes: `value` an integer from 0 to 2^(8·size) − 1. 0 or a negative code. */
export function userStore(ctx: KernelContext, va: number, size: number, value: number): number {
  if (size !== 1 && size !== 2 && size !== 4) throw new InvalidArgumentError('size', size, 'expected 1, 2 or 4');
  // One integer test per size that refuses NaN, fractions, negatives, non-numbers and values too wide.
  if (typeof value !== 'number' || (size === 4 ? value >>> 0 !== value : size === 1 ? (value & 0xff) !== value : (value & 0xffff) !== value)) {
    throw new InvalidArgumentError('value', value, `expected an integer from 0 to 0x${(2 ** (8 * size) - 1).toString(16)}`);
  }
  const p = ctx.procs.current;
  if (p === null || p.state !== 'running') return (ctx.status = ERR_NO_PROCESS);
  const refused = refuseAddress(ctx, p, va, size, ACCESS_WRITE);
  if (refused < 0) return (ctx.status = refused);
  const mmu = ctx.mmu;
  for (let attempt = 0; attempt < MAX_FAULT_RETRIES; attempt++) {
    const r = size === 4 ? mmu.store32(va, value) : size === 1 ? mmu.store8(va, value) : mmu.store16(va, value);
    if (r === 0) {
      if (ctx.touching) touchAccess(ctx, p.space!, va, size, true, attempt > 0);
      return (ctx.status = 0);
    }
    const h = handleMmFault(ctx, p, mmu.faultVa, ACCESS_WRITE);
    if (h < 0) return (ctx.status = h);
  }
  return (ctx.status = VM_FAULT_SIGBUS);
}

/** Stores the low 64 bits of the bigint `value`. 0 or a negative code. */
export function userStore64(ctx: KernelContext, va: number, value: bigint): number {
  if (typeof value !== 'bigint') throw new InvalidArgumentError('value', value, 'expected a bigint');
  const p = ctx.procs.current;
  if (p === null || p.state !== 'running') return (ctx.status = ERR_NO_PROCESS);
  const refused = refuseAddress(ctx, p, va, 8, ACCESS_WRITE);
  if (refused < 0) return (ctx.status = refused);
  const mmu = ctx.mmu;
  for (let attempt = 0; attempt < MAX_FAULT_RETRIES; attempt++) {
    const r = mmu.store64(va, value);
    if (r === 0) {
      if (ctx.touching) touchAccess(ctx, p.space!, va, 8, true, attempt > 0);
      return (ctx.status = 0);
    }
    const h = handleMmFault(ctx, p, mmu.faultVa, ACCESS_WRITE);
    if (h < 0) return (ctx.status = h);
  }
  return (ctx.status = VM_FAULT_SIGBUS);
}

/**
 * The low word of the 8 bytes at `va` (a number from 0 to 2^32 − 1) with the high word in `ctx.high`, or a
 * negative code (also in `ctx.status`). No bigint: within one page the MMU translates and the two words are
 * read from RAM's DataView; across a page the MMU stages the bytes.
 */
export function userLoad64Words(ctx: KernelContext, va: number): number {
  const p = ctx.procs.current;
  if (p === null || p.state !== 'running') return (ctx.status = ERR_NO_PROCESS);
  const refused = refuseAddress(ctx, p, va, 8, ACCESS_READ);
  if (refused < 0) return (ctx.status = refused);
  if ((va & (ctx.pageSize - 1)) + 8 <= ctx.pageSize) return loadWordsInPage(ctx, p, va);
  const mmu = ctx.mmu;
  for (let attempt = 0; attempt < MAX_FAULT_RETRIES; attempt++) {
    // Across a page: the MMU's staged load translates every byte, as load64 does.
    const value = mmu.load64(va);
    if (mmu.status === 0) {
      if (ctx.touching) touchAccess(ctx, p.space!, va, 8, false, attempt > 0);
      ctx.high = Number(value >> 32n);
      ctx.status = 0;
      return Number(value & 0xffffffffn);
    }
    const r = handleMmFault(ctx, p, mmu.faultVa, ACCESS_READ);
    if (r < 0) return (ctx.status = r);
  }
  return (ctx.status = VM_FAULT_SIGBUS);
}

/**
 * The body of userLoad64Words once its checks are made: `p` is the running process and `va` an integer user
 * address whose 8 bytes lie in one page. The low word with the high word in `ctx.high`, or a negative code.
 * For a caller that has made the same checks itself (the Kernel's load64WordsPrechecked).
 */
export function loadWordsInPage(ctx: KernelContext, p: Process, va: number): number {
  const mmu = ctx.mmu;
  for (let attempt = 0; attempt < MAX_FAULT_RETRIES; attempt++) {
    const pa = mmu.translate(va, ACCESS_READ, true);
    if (pa >= 0) {
      if (ctx.touching) touchFrame(ctx, Math.floor(pa / ctx.pageSize), false, attempt > 0);
      const view = ctx.ram.view;
      ctx.high = view.getUint32(pa + 4, true);
      ctx.status = 0;
      return view.getUint32(pa, true);
    }
    const r = handleMmFault(ctx, p, mmu.faultVa, ACCESS_READ);
    if (r < 0) return (ctx.status = r);
  }
  return (ctx.status = VM_FAULT_SIGBUS);
}

/**
 * Stores the 64-bit value `hi`·2^32 + `lo` (each word an integer from 0 to 2^32 − 1) at `va`: the bigint-free
 * form of userStore64. 0 or a negative code (nothing written).
 */
export function userStore64Words(ctx: KernelContext, va: number, lo: number, hi: number): number {
  if (typeof lo !== 'number' || lo >>> 0 !== lo) throw new InvalidArgumentError('lo', lo, 'expected an integer from 0 to 0xffffffff');
  if (typeof hi !== 'number' || hi >>> 0 !== hi) throw new InvalidArgumentError('hi', hi, 'expected an integer from 0 to 0xffffffff');
  const p = ctx.procs.current;
  if (p === null || p.state !== 'running') return (ctx.status = ERR_NO_PROCESS);
  const refused = refuseAddress(ctx, p, va, 8, ACCESS_WRITE);
  if (refused < 0) return (ctx.status = refused);
  if ((va & (ctx.pageSize - 1)) + 8 > ctx.pageSize) {
    // Across a page: the MMU's staged store checks both pages before it writes a byte.
    return userStore64(ctx, va, (BigInt(hi) << 32n) | BigInt(lo));
  }
  return storeWordsInPage(ctx, p, va, lo, hi);
}

/**
 * The body of userStore64Words once its checks are made: `p` is the running process, `va` an integer user
 * address whose 8 bytes lie in one page, `lo` and `hi` integers from 0 to 2^32 − 1. Translates (resolving
 * faults) and writes the two words; 0, or a negative code and nothing written. For a caller that has made
 * the same checks itself (the Kernel's store64WordsPrechecked, which sim-api's write uses).
 */
export function storeWordsInPage(ctx: KernelContext, p: Process, va: number, lo: number, hi: number): number {
  const mmu = ctx.mmu;
  for (let attempt = 0; attempt < MAX_FAULT_RETRIES; attempt++) {
    const pa = mmu.translate(va, ACCESS_WRITE, true);
    if (pa >= 0) {
      const view = ctx.ram.view;
      view.setUint32(pa, lo, true);
      view.setUint32(pa + 4, hi, true);
      if (ctx.touching) touchFrame(ctx, Math.floor(pa / ctx.pageSize), true, attempt > 0);
      return (ctx.status = 0);
    }
    const h = handleMmFault(ctx, p, mmu.faultVa, ACCESS_WRITE);
    if (h < 0) return (ctx.status = h);
  }
  return (ctx.status = VM_FAULT_SIGBUS);
}

/**
 * 0 when the MMU may try the access; else the code it ends with, counted as a refused fault. Refuses an
 * address that is not a number (NaN in the event), not a safe integer, or outside user space; probes an
 * access that crosses a page (wrapping at the top of a 32-bit space, as the hardware does).
 */
function refuseAddress(ctx: KernelContext, p: Process, va: number, size: number, access: AccessKind): number {
  if (typeof va !== 'number') return faultFailed(ctx, p, Number.NaN, access, SEGV_MAPERR);
  if (va >>> 0 !== va ? !(Number.isSafeInteger(va) && va >= 0 && va < ctx.vaLimit) : va >= ctx.vaLimit) {
    return faultFailed(ctx, p, va, access, SEGV_MAPERR);
  }
  // The offset in the page by a mask, not `%`: va is a non-negative safe integer here, and above 2^31 it is a
  // double, for which `%` is a call into the C library; `&` keeps its low 32 bits exactly.
  if ((va & (ctx.pageSize - 1)) + size <= ctx.pageSize) return 0;
  const probe = access === ACCESS_WRITE ? probeWrite(ctx, p, va, size, true) : probeRead(ctx, p, va, size);
  return probe.code < 0 ? faultFailed(ctx, p, probe.va, access, probe.code) : 0;
}
