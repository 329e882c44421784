// A fault on a page of an anonymous region that has no entry yet (Linux's do_anonymous_page): a read maps
// the shared zero page read-only (zero-map: nothing allocated), a write gets a zeroed frame (zero-fill).

import { ACCESS_WRITE } from '@vmsim/hw';
import { PG_ZERO_FILL, PG_ZERO_MAP, VM_FAULT_OOM } from '../codes.js';
import type { KernelContext } from '../kernel-context.js';
import { FRAME_DATA } from '../mm/frame-allocator.js';
import type { Process } from '../proc/process.js';
import type { VmFault } from './vm-fault.js';

export function doAnonymousPage(ctx: KernelContext, vmf: VmFault): number {
  const { space, page, vma } = vmf;
  const write = vmf.access === ACCESS_WRITE;
  const pid = vmf.process.pid;
  const tables = space.tablesNeeded(page);
  if (!(write ? ctx.roomToLoad(tables + 1, pid) : ctx.haveFrames(tables, pid))) return VM_FAULT_OOM;
  if (!write) {
    mapZeroPage(ctx, vmf.process, page, vma.prot);
    return PG_ZERO_MAP;
  }
  const pfn = ctx.allocFrame(FRAME_DATA);
  space.map(page, pfn, ctx.leafFlags(vma.prot, true), ctx.allocTable);
  ctx.rmapAdd(pfn, space, vmf.process.pid, page);
  if (ctx.reclaim !== null) ctx.reclaim.loadedAnon(pfn, pid, vma, true);
  if (ctx.listening) ctx.emit({ type: 'map', pid: vmf.process.pid, va: page, pfn, writable: true });
  return PG_ZERO_FILL;
}

/** Maps `page` of `p` to the zero page, read-only (the caller checked the frames its tables need). */
export function mapZeroPage(ctx: KernelContext, p: Process, page: number, prot: number): void {
  p.space!.map(page, ctx.zeroPfn, ctx.leafFlags(prot, false), ctx.allocTable);
  ctx.frames.ref(ctx.zeroPfn);
  if (ctx.listening) ctx.emit({ type: 'map', pid: p.pid, va: page, pfn: ctx.zeroPfn, writable: false });
}
