// Creating regions (the start of Linux's mm/mmap.c): today the rust-vmem `register`, a private anonymous
// read-write page merged with touching neighbours and mapped to the zero page. mmap/munmap land here.

import { AlreadyMappedError } from '../errors.js';
import { mapZeroPage } from '../fault/anonymous.js';
import type { KernelContext } from '../kernel-context.js';
import { MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE } from './vma.js';

export function registerPage(ctx: KernelContext, va: number, pid: number): void {
  const p = ctx.procs.live(pid);
  ctx.checkVa(va);
  const space = p.space!;
  const page = ctx.pageBase(va);
  if (space.vmas.find(page) !== undefined) throw new AlreadyMappedError(pid, va);
  ctx.requireFrames('register', space.tablesNeeded(page));
  const vma = { start: page, end: page + ctx.pageSize, prot: PROT_READ | PROT_WRITE, flags: MAP_PRIVATE | MAP_ANONYMOUS };
  space.vmas.insert(vma);
  mapZeroPage(ctx, p, page, vma.prot);
  ctx.afterOperation();
}
