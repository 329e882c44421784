// The debug-only invariant sweep (on with `checkInvariants: true`, as in tests): the kernel's books checked
// against the page tables in RAM, every problem listed in one KernelInvariantError.

import { isSwapEntry, PTE_W, swapEntrySlot } from '@vmsim/hw';
import { KernelInvariantError } from './errors.js';
import type { KernelContext } from './kernel-context.js';
import { FRAME_DATA, FRAME_FREE, FRAME_KIND_NAMES, FRAME_RESERVED, FRAME_TABLE, FRAME_ZERO } from './mm/frame-allocator.js';
import type { AddressSpace } from './mm/address-space.js';
import { sharedAnonHolds } from './mm/shmem.js';
import { MAP_SHARED, VM_PFNMAP } from './mm/vma.js';

/**
 * Each frame's refcount equals the mappings of it (plus one pin for the zero page), no frame is both free
 * and mapped, table frames belong to exactly one table tree, the zero page is all zeros, no private page is
 * writable while shared, every mapping lies inside a region. The page cache's reference counts like a
 * mapping, and a page of a shared file region maps the cached frame of its file page.
 */
export function checkInvariants(ctx: KernelContext): void {
  const problems: string[] = [];
  const { frames, zeroPfn } = ctx;
  const total = frames.total;
  // The books cover the frames below the high-water mark; every frame above it is free and never used, so
  // a table or mapping of one is counted apart (these arrays grow with the frames used, not with RAM).
  const known = frames.highWater;
  const mapped = new Uint32Array(known);
  const tableOwners = new Uint32Array(known);
  const beyond = new Set<number>();
  const note = (counts: Uint32Array, pfn: number): void => {
    if (pfn < known) counts[pfn]!++;
    else beyond.add(pfn);
  };
  for (const p of ctx.procs.all()) {
    const space = p.space;
    if (p.state === 'terminated') {
      if (space !== null) problems.push(`terminated pid ${p.pid} still has an address space`);
      continue;
    }
    if (space === null) {
      problems.push(`live pid ${p.pid} has no address space`);
      continue;
    }
    let tables = 0;
    space.visit({
      table(pfn) {
        tables++;
        note(tableOwners, pfn);
      },
      leaf(va, _entryPa, pfn, flags) {
        const vma = space.vmas.find(va);
        // A device/linear region's leaves name the memory map's frames and hold no references.
        if (vma !== undefined && (vma.flags & VM_PFNMAP) !== 0) return;
        note(mapped, pfn);
        if (vma === undefined) problems.push(`pid ${p.pid} maps 0x${va.toString(16)} outside every region`);
        if ((flags & PTE_W) !== 0 && pfn === zeroPfn) problems.push(`pid ${p.pid} maps the zero page writable at 0x${va.toString(16)}`);
        if ((flags & PTE_W) !== 0 && vma !== undefined && (vma.flags & MAP_SHARED) === 0 && pfn < known && frames.refCounts[pfn]! - (ctx.swapCache.slotOf(pfn) >= 0 ? 1 : 0) > 1) {
          problems.push(`pid ${p.pid} maps shared frame ${pfn} writable at 0x${va.toString(16)}`);
        }
        if (vma !== undefined && vma.file !== undefined && (vma.flags & MAP_SHARED) !== 0) {
          const index = (vma.pgoff ?? 0) + (va - vma.start) / ctx.pageSize;
          if (vma.file.cache.get(index) !== pfn) problems.push(`pid ${p.pid} maps frame ${pfn} at 0x${va.toString(16)}, not the cached page ${index} of file ${vma.file.ino}`);
        }
      },
    });
    if (tables !== space.tables) problems.push(`pid ${p.pid} counts ${space.tables} tables but has ${tables}`);
  }
  // A shared anonymous object's reference on each of its frames counts as one mapping.
  for (const pfn of sharedAnonHolds(ctx)) note(mapped, pfn);
  // The page cache holds one reference on each of its frames, like a mapping (fs/page-cache.ts).
  if (ctx.rmapOn) checkReverseMap(ctx, problems);
  // The swap cache holds one reference on each of its frames, like a mapping (mm/swap.ts).
  for (const [slot, pfn] of ctx.swapCache.entries()) {
    note(mapped, pfn);
    if (pfn >= known || frames.kinds[pfn] !== FRAME_DATA) problems.push(`swap cache: slot ${slot}'s frame ${pfn} is not a data frame`);
    if (ctx.rmap.count(pfn) === 0) problems.push(`swap cache: slot ${slot}'s frame ${pfn} is mapped by no entry`);
  }
  checkSwapSlots(ctx, problems);
  const cacheFrames = new Set<number>();
  for (const file of ctx.files.cached) {
    if (file.cache.size === 0) problems.push(`file ${file.ino} is listed as cached but caches nothing`);
    for (const [index, pfn] of file.cache) {
      note(mapped, pfn);
      cacheFrames.add(pfn);
      if (pfn >= known || frames.kinds[pfn] !== FRAME_DATA) problems.push(`file ${file.ino} page ${index}: cache frame ${pfn} is not a data frame`);
    }
  }
  if (cacheFrames.size !== ctx.files.cacheFrames.size || [...cacheFrames].some((pfn) => !ctx.files.cacheFrames.has(pfn))) {
    problems.push('the page cache\'s frame set disagrees with the files\' caches');
  }
  for (const space of ctx.detachedSpaces) {
    let tables = 0;
    space.visit({
      table(pfn) {
        tables++;
        note(tableOwners, pfn);
      },
    });
    if (tables !== space.tables) problems.push(`page table at frame ${space.rootPfn} counts ${space.tables} tables but has ${tables}`);
  }
  const inUse = [total - known, 0, 0, 0];
  let reserved = 0;
  for (const pfn of [...beyond].sort((a, b) => a - b)) {
    problems.push(pfn < total ? `frame ${pfn} is free and mapped` : `frame ${pfn} is mapped but lies outside RAM (${total} frames)`);
  }
  for (let pfn = 0; pfn < known; pfn++) {
    const kind = frames.kinds[pfn]!;
    const refs = frames.refCounts[pfn]!;
    const free = frames.isFree(pfn);
    if (kind === FRAME_RESERVED) reserved++;
    else inUse[kind]!++;
    if (free !== (kind === FRAME_FREE)) problems.push(`frame ${pfn} is ${FRAME_KIND_NAMES[kind]} but ${free ? '' : 'not '}on the free list`);
    if (free && (mapped[pfn]! > 0 || tableOwners[pfn]! > 0)) problems.push(`frame ${pfn} is free and mapped`);
    if (free && refs !== 0) problems.push(`free frame ${pfn} has refcount ${refs}`);
    if (kind === FRAME_TABLE && (refs !== 1 || tableOwners[pfn] !== 1 || mapped[pfn] !== 0)) {
      problems.push(`table frame ${pfn}: refcount ${refs}, in ${tableOwners[pfn]} table tree(s), mapped ${mapped[pfn]} time(s)`);
    }
    if (kind === FRAME_RESERVED && (refs !== 1 || tableOwners[pfn] !== 0 || mapped[pfn] !== 0)) {
      problems.push(`reserved frame ${pfn}: refcount ${refs}, in ${tableOwners[pfn]} table tree(s), mapped ${mapped[pfn]} time(s) outside memory maps`);
    }
    if (kind === FRAME_DATA && refs !== mapped[pfn]) problems.push(`data frame ${pfn}: refcount ${refs} but ${mapped[pfn]} mapping(s)`);
    if (kind === FRAME_ZERO && refs !== mapped[pfn]! + 1) problems.push(`zero page: refcount ${refs} but ${mapped[pfn]} mapping(s) + 1 pin`);
  }
  if (reserved !== frames.reservedCount) problems.push(`reserved frames: counted ${reserved}, books say ${frames.reservedCount}`);
  for (let k = 1; k < 4; k++) {
    if (inUse[k] !== frames.inUse[k]) problems.push(`${FRAME_KIND_NAMES[k]} frames: counted ${inUse[k]}, books say ${frames.inUse[k]}`);
  }
  if (inUse[FRAME_FREE] !== frames.freeCount) problems.push(`free frames: counted ${inUse[FRAME_FREE]}, books say ${frames.freeCount}`);
  if (!ctx.ram.isFrameZero(zeroPfn)) problems.push('the zero page is not all zeros');
  if (ctx.reclaim !== null) ctx.reclaim.check(problems);
  if (problems.length > 0) throw new KernelInvariantError(problems);
}

/**
 * The reverse map holds exactly the leaves of live processes that hold a reference (the zero page and
 * VM_PFNMAP regions aside): every such (pid, page) under its frame, and nothing else.
 */
function checkReverseMap(ctx: KernelContext, problems: string[]): void {
  const expected = new Map<number, Set<string>>();
  const spaces = new Map<number, AddressSpace>();
  for (const p of ctx.procs.all()) {
    const space = p.space;
    if (p.state === 'terminated' || space === null) continue;
    spaces.set(p.pid, space);
    space.visit({
      leaf(va, _entryPa, pfn) {
        if (pfn === ctx.zeroPfn) return;
        const vma = space.vmas.find(va);
        if (vma !== undefined && (vma.flags & VM_PFNMAP) !== 0) return;
        let set = expected.get(pfn);
        if (set === undefined) expected.set(pfn, (set = new Set()));
        set.add(`${p.pid}:${va}`);
      },
    });
  }
  let held = 0;
  for (const [pfn, entries] of ctx.rmap.frames()) {
    const want = expected.get(pfn);
    for (const e of entries) {
      held++;
      const key = `${e.pid}:${e.va}`;
      if (spaces.get(e.pid) !== e.space) problems.push(`reverse map: frame ${pfn} names pid ${e.pid}, which has another or no address space`);
      else if (want === undefined || !want.has(key)) problems.push(`reverse map: frame ${pfn} names pid ${e.pid} at 0x${e.va.toString(16)}, which does not map it`);
    }
  }
  let mappings = 0;
  for (const [pfn, want] of expected) {
    mappings += want.size;
    if (ctx.rmap.count(pfn) !== want.size) problems.push(`reverse map: frame ${pfn} has ${ctx.rmap.count(pfn)} mapping(s) recorded, ${want.size} in the page tables`);
  }
  if (held !== mappings) problems.push(`reverse map: ${held} mapping(s) recorded, ${mappings} in the page tables`);
}

/** Each slot in use is named by exactly its reference count of swap entries (plus one while the swap cache holds it). */
function checkSwapSlots(ctx: KernelContext, problems: string[]): void {
  const expected = new Map<number, number>();
  for (const [slot] of ctx.swapCache.entries()) expected.set(slot, 1);
  const model = ctx.model;
  const last = model.levels - 1;
  const entries = 2 ** model.indexBits[last]!;
  const view = (): DataView => ctx.ram.view;
  for (const p of ctx.procs.all()) {
    const space = p.space;
    if (p.state === 'terminated' || space === null) continue;
    space.visit({
      table(pfn, level) {
        if (level !== last) return;
        const base = pfn * ctx.pageSize;
        for (let i = 0; i < entries; i++) {
          const pa = base + i * model.entryBytes;
          const lo = view().getUint32(pa, true);
          const hi = model.entryBytes === 8 ? view().getUint32(pa + 4, true) : 0;
          if (!isSwapEntry(lo, hi)) continue;
          const slot = swapEntrySlot(lo, hi);
          if (slot >= ctx.swap.slots) problems.push(`pid ${p.pid} holds a swap entry for slot ${slot}, past the ${ctx.swap.slots} slots`);
          else expected.set(slot, (expected.get(slot) ?? 0) + 1);
        }
      },
    });
  }
  const inUse = ctx.swap.inUse();
  for (const [slot, refs] of inUse) {
    const want = expected.get(slot) ?? 0;
    if (refs !== want) problems.push(`swap slot ${slot}: reference count ${refs} but ${want} holder(s)`);
    expected.delete(slot);
  }
  for (const [slot, want] of expected) problems.push(`swap slot ${slot} is free but has ${want} holder(s)`);
}
