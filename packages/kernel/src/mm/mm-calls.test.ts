// mmap, munmap, mprotect and brk on every model, rule by rule, from the man pages and the measurements in
// linux-semantics.md (Linux 6.18, x86-64). Values measured on this machine with a small C program
// (mmap/munmap/mprotect/brk on anonymous memory, printing addresses relative to each other) are marked.

import { PTE_W } from '@vmsim/hw';
import { describe, expect, it } from 'vitest';
import { PG_SHARED_MAP, SEGV_ACCERR, SEGV_MAPERR } from '../codes.js';
import {
  AddressSpaceError, AlreadyMappedError, InvalidAddressError, InvalidArgumentError, InvalidSizeError,
  InvalidOptionError, MapCountError, NotAlignedError, NotPermittedError, OvercommitError, RegionNotFoundError,
} from '../errors.js';
import { BadFileDescriptorError } from '../fs/errors.js';
import { Kernel } from '../kernel.js';
import { caught, expectSameSnapshot } from '../testing/assertions.js';
import { PAGE, boot, pfnOf } from '../testing/kernel-helpers.js';
import { MODELS } from '../testing/models.js';
import { HEAP_START, MMAP_BASE, MMAP_MIN_ADDR, THP_ALIGN } from './layout.js';
import { formatMapsLine } from './maps.js';
import {
  MAP_ANONYMOUS, MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_NORESERVE, MAP_POPULATE, MAP_PRIVATE, MAP_SHARED, PROT_EXEC, PROT_NONE,
  PROT_READ, PROT_WRITE,
} from './vma.js';

const RW = PROT_READ | PROT_WRITE;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS;
const SHARED = MAP_SHARED | MAP_ANONYMOUS;
/** A free stretch well inside the mmap area for fixed mappings. */
const AREA = 0x4000_0000;

function regions(k: Kernel): [number, number, number][] {
  return k.regions().map((v) => [(v.start - AREA) / PAGE, (v.end - AREA) / PAGE, v.prot]);
}

/** Expects `fn` to throw an error of class `cls` with `errno`, the machine unchanged. */
function refused(k: Kernel, fn: () => unknown, cls: { isInstance(e: unknown): boolean }, errno: string): unknown {
  const before = k.snapshot();
  const e = caught(fn);
  expect(cls.isInstance(e), String(e)).toBe(true);
  expect((e as { errno: string }).errno).toBe(errno);
  expectSameSnapshot(k.snapshot(), before);
  return e;
}

describe.each(MODELS)('mmap on $name', ({ make }) => {
  it('places NULL-hint mappings top-down below MMAP_BASE; equal neighbours merge into one region', () => {
    const k = boot(make);
    k.spawn();
    // Measured: successive NULL-hint mmaps land just below each other (b − a = −4096, c − b = −12288).
    const a = k.mmap(0, PAGE, RW, ANON);
    const b = k.mmap(0, PAGE, RW, ANON);
    const c = k.mmap(0, 3 * PAGE, RW, ANON);
    expect(a).toBe(MMAP_BASE - PAGE);
    expect(b - a).toBe(-PAGE);
    expect(c - b).toBe(-3 * PAGE);
    expect(k.regions()).toEqual([{ start: c, end: MMAP_BASE, prot: RW, flags: ANON }]);
    // A different protection does not merge.
    const d = k.mmap(0, PAGE, PROT_READ, ANON);
    expect(d).toBe(c - PAGE);
    expect(k.regions()).toHaveLength(2);
  });

  it('a length that is not a page multiple is rounded up; the memory reads as zero through the zero page', () => {
    const k = boot(make);
    k.spawn();
    const a = k.mmap(0, 100, RW, ANON);
    expect(k.regions()[0]).toMatchObject({ start: a, end: a + PAGE });
    expect(k.load(a + PAGE - 4, 4)).toBe(0);
    expect(k.mappings()[0]!.zeroPage).toBe(true);
    expect(k.stats().frames.data).toBe(0);
    expect(k.store(a, 4, 42)).toBe(0);
    expect(k.load(a, 4)).toBe(42);
    expect(k.stats().frames.data).toBe(1);
  });

  it('hints: a free one is used rounded down to a page, below 64 KiB it is raised, an occupied one falls back', () => {
    const k = boot(make);
    k.spawn();
    // Measured: hint base + 0x10 gives base; hint 0x1000 gives 0x10000; an occupied hint goes top-down.
    expect(k.mmap(AREA + 0x10, PAGE, RW, ANON)).toBe(AREA);
    expect(k.mmap(0x1000, PAGE, RW, ANON)).toBe(MMAP_MIN_ADDR);
    expect(k.mmap(0x10, PAGE, RW, ANON)).toBe(MMAP_BASE - PAGE); // 0x10 rounds to NULL: no hint
    expect(k.mmap(AREA, PAGE, RW, ANON)).toBe(MMAP_BASE - 2 * PAGE);
    // A hint whose range is only partly free falls back too.
    expect(k.mmap(AREA - PAGE, 2 * PAGE, RW, ANON)).toBe(MMAP_BASE - 4 * PAGE);
  });

  it('the top-down search takes the highest gap that fits, skipping smaller ones', () => {
    const k = boot(make);
    k.spawn();
    const top = MMAP_BASE;
    k.mmap(top - PAGE, PAGE, RW, ANON | MAP_FIXED);
    k.mmap(top - 3 * PAGE, PAGE, PROT_READ, ANON | MAP_FIXED); // a one-page gap at top − 2 pages
    k.mmap(top - 6 * PAGE, PAGE, RW, ANON | MAP_FIXED); // a two-page gap at top − 5 pages
    expect(k.mmap(0, 2 * PAGE, PROT_EXEC, ANON)).toBe(top - 5 * PAGE);
    expect(k.mmap(0, PAGE, PROT_EXEC, ANON)).toBe(top - 2 * PAGE);
    expect(k.mmap(0, 2 * PAGE, PROT_EXEC, ANON)).toBe(top - 8 * PAGE);
  });

  it('bad arguments: the errno of each, and nothing changes', () => {
    const k = boot(make);
    k.spawn();
    k.mmap(AREA, PAGE, RW, ANON | MAP_FIXED);
    refused(k, () => k.mmap(0, 0, RW, ANON), InvalidSizeError, 'EINVAL');
    refused(k, () => k.mmap(0, PAGE, RW, ANON, -1, 100), NotAlignedError, 'EINVAL');
    refused(k, () => k.mmap(0, PAGE, RW, MAP_PRIVATE), BadFileDescriptorError, 'EBADF');
    refused(k, () => k.mmap(0, PAGE, RW, MAP_ANONYMOUS), InvalidArgumentError, 'EINVAL');
    refused(k, () => k.mmap(0, PAGE, RW, MAP_ANONYMOUS | MAP_PRIVATE | MAP_SHARED), InvalidArgumentError, 'EINVAL');
    refused(k, () => k.mmap(AREA + 1, PAGE, RW, ANON | MAP_FIXED), NotAlignedError, 'EINVAL');
    refused(k, () => k.mmap(AREA + 1, PAGE, RW, ANON | MAP_FIXED_NOREPLACE), NotAlignedError, 'EINVAL');
    refused(k, () => k.mmap(AREA, PAGE, RW, ANON | MAP_FIXED_NOREPLACE), AlreadyMappedError, 'EEXIST');
    refused(k, () => k.mmap(AREA - PAGE, 2 * PAGE, RW, ANON | MAP_FIXED_NOREPLACE), AlreadyMappedError, 'EEXIST');
    refused(k, () => k.mmap(0x1000, PAGE, RW, ANON | MAP_FIXED), NotPermittedError, 'EPERM');
    refused(k, () => k.mmap(0, 2 ** 52, PROT_NONE, ANON | MAP_NORESERVE), AddressSpaceError, 'ENOMEM');
    refused(k, () => k.mmap(-PAGE, PAGE, RW, ANON), InvalidArgumentError, 'EINVAL');
    refused(k, () => k.mmap(0, 1.5, RW, ANON), InvalidSizeError, 'EINVAL');
    refused(k, () => k.mmap(0, PAGE, RW, Number.NaN), InvalidArgumentError, 'EINVAL');
  });

  it('MAP_FIXED past the end of user space is ENOMEM; unknown prot bits are ignored by mmap', () => {
    const k = boot(make);
    k.spawn();
    const limit = k.model.signExtendedVa === true ? 2 ** (k.model.vaBits - 1) : 2 ** 32;
    refused(k, () => k.mmap(limit - PAGE, 2 * PAGE, RW, ANON | MAP_FIXED), AddressSpaceError, 'ENOMEM');
    const a = k.mmap(0, PAGE, RW | 0x100, ANON);
    expect(k.regions()[0]).toMatchObject({ start: a, prot: RW });
  });

  it('MAP_FIXED over several regions replaces them, splitting the ends, dropping their pages and frames', () => {
    const k = boot(make);
    k.spawn();
    k.mmap(AREA, 4 * PAGE, RW, ANON | MAP_FIXED);
    k.mmap(AREA + 4 * PAGE, 2 * PAGE, PROT_READ, ANON | MAP_FIXED);
    k.mmap(AREA + 6 * PAGE, 4 * PAGE, RW, SHARED | MAP_FIXED);
    for (const page of [0, 1, 2, 3, 6, 7, 8, 9]) k.store(AREA + page * PAGE, 4, 0x100 + page);
    expect(k.load(AREA + 5 * PAGE, 4)).toBe(0);
    const data = k.stats().frames.data;
    expect(data).toBe(8);
    // Replace pages 2 … 7: region 1 keeps 0–1, region 2 goes, region 3 keeps 8–9.
    expect(k.mmap(AREA + 2 * PAGE, 6 * PAGE, PROT_READ | PROT_EXEC, ANON | MAP_FIXED)).toBe(AREA + 2 * PAGE);
    expect(regions(k)).toEqual([[0, 2, RW], [2, 8, PROT_READ | PROT_EXEC], [8, 10, RW]]);
    // Pages 2, 3 were private frames: freed. Pages 6, 7 stay in the shared object (it still has 8–9).
    expect(k.stats().frames.data).toBe(data - 2);
    expect(k.load(AREA + 2 * PAGE, 4)).toBe(0);
    expect(k.load(AREA + 7 * PAGE, 4)).toBe(0);
    expect(k.load(AREA + PAGE, 4)).toBe(0x101);
    expect(k.load(AREA + 8 * PAGE, 4)).toBe(0x108);
    // The last region of the shared object goes: its frames go with it.
    k.munmap(AREA + 8 * PAGE, 2 * PAGE);
    expect(k.stats().frames.data).toBe(2);
  });

  it('private anonymous memory is the zero page for reads; shared anonymous memory never is', () => {
    const k = boot(make);
    k.spawn();
    const p = k.mmap(0, PAGE, RW, ANON);
    const s = k.mmap(0, PAGE, RW, SHARED);
    expect(k.load(p, 4)).toBe(0);
    expect(k.load(s, 4)).toBe(0);
    expect(pfnOf(k, p, k.current!.pid)).toBe(k.zeroPfn);
    expect(pfnOf(k, s, k.current!.pid)).not.toBe(k.zeroPfn);
    expect(k.regions().map((v) => v.flags)).toEqual([SHARED, ANON]);
    expect(k.maps().map((e) => e.perms)).toEqual(['rw-s', 'rw-p']);
  });

  it('fork: shared anonymous stays shared both ways (also for pages first touched after fork); private is copy-on-write', () => {
    const k = boot(make);
    const parent = k.spawn();
    const s = k.mmap(0, 2 * PAGE, RW, SHARED);
    const p = k.mmap(0, PAGE, RW, ANON);
    k.store(s, 4, 1);
    k.store(p, 4, 1);
    const child = k.fork();
    k.switchTo(child.pid);
    expect(k.load(s, 4)).toBe(1);
    k.store(s, 4, 2);
    k.store(p, 4, 2);
    k.store(s + PAGE, 4, 3); // never touched before the fork
    k.switchTo(parent.pid);
    expect(k.load(s, 4)).toBe(2);
    expect(k.load(p, 4)).toBe(1);
    expect(k.stats().faults.sharedMap).toBe(0);
    expect(k.handlePageFault(parent.pid, s + PAGE, 0)).toBe(PG_SHARED_MAP);
    expect(k.load(s + PAGE, 4)).toBe(3);
    k.store(s + PAGE, 4, 4);
    k.store(p, 4, 5);
    expect(k.copyin(child.pid, s + PAGE, 4)[0]).toBe(4);
    expect(k.copyin(child.pid, p, 4)[0]).toBe(2);
    // The child's munmap does not reach the parent.
    k.munmap(s, 2 * PAGE, child.pid);
    k.munmap(p, PAGE, child.pid);
    expect(k.regions(child.pid)).toEqual([]);
    expect(k.load(s + PAGE, 4)).toBe(4);
    expect(k.load(p, 4)).toBe(5);
    // Killing the parent frees the last of the shared object.
    k.kill(parent.pid);
    expect(k.stats().frames.data).toBe(0);
  });

  it('MAP_POPULATE faults every page in; 2 MiB NULL-hint private mappings are 2 MiB aligned on the 64-bit models', () => {
    const k = boot(make);
    k.spawn();
    const a = k.mmap(0, 3 * PAGE, RW, ANON | MAP_POPULATE);
    expect(k.mappings().filter((m) => !m.zeroPage)).toHaveLength(3);
    const r = k.mmap(0, 2 * PAGE, PROT_READ, ANON | MAP_POPULATE);
    expect(k.mappings().filter((m) => m.zeroPage).map((m) => m.va)).toEqual([r, r + PAGE]);
    const big = k.mmap(0, THP_ALIGN, PROT_NONE, ANON);
    if (k.model.signExtendedVa === true) {
      // Measured: aligned, leaving a gap that a later small mapping fills (t − prev < 0).
      expect(big % THP_ALIGN).toBe(0);
      expect(k.mmap(0, PAGE, PROT_NONE, ANON)).toBeGreaterThan(big);
    } else {
      expect(big).toBe(r - THP_ALIGN);
    }
    expect(a).toBe(MMAP_BASE - 3 * PAGE);
  });

  it('overcommit: charged mappings larger than RAM are ENOMEM unless MAP_NORESERVE or not charged', () => {
    const k = boot(make);
    k.spawn();
    const ram = k.stats().frames.total * PAGE;
    refused(k, () => k.mmap(0, ram + PAGE, RW, ANON), OvercommitError, 'ENOMEM');
    refused(k, () => k.mmap(0, ram + PAGE, PROT_READ, SHARED), OvercommitError, 'ENOMEM');
    const a = k.mmap(0, ram + PAGE, RW, ANON | MAP_NORESERVE);
    const b = k.mmap(0, ram + PAGE, PROT_READ, ANON);
    expect(k.regions().map((v) => v.start)).toEqual([b, a]);
    // MAP_NORESERVE is a region flag: no merge with an ordinary neighbour.
    k.mmap(a - PAGE, PAGE, RW, ANON | MAP_FIXED);
    expect(k.regions()).toHaveLength(3);
    k.mmap(0, ram, RW, ANON); // exactly RAM is allowed
  });
});

describe.each(MODELS)('munmap on $name', ({ make }) => {
  it('errno for bad arguments; an unmapped range is success', () => {
    const k = boot(make);
    k.spawn();
    k.mmap(AREA, PAGE, RW, ANON | MAP_FIXED);
    refused(k, () => k.munmap(AREA + 1, PAGE), NotAlignedError, 'EINVAL');
    refused(k, () => k.munmap(AREA, 0), InvalidSizeError, 'EINVAL');
    refused(k, () => k.munmap(AREA, 2 ** 53), InvalidSizeError, 'EINVAL');
    refused(k, () => k.munmap(AREA, 2 ** 52), InvalidAddressError, 'EINVAL');
    const before = k.snapshot();
    k.munmap(AREA + 16 * PAGE, PAGE);
    k.munmap(0, PAGE);
    expectSameSnapshot(k.snapshot(), before);
  });

  it('a hole in the middle splits the region; the hole faults SEGV_MAPERR; a length not a page multiple rounds up', () => {
    const k = boot(make);
    k.spawn();
    k.mmap(AREA, 5 * PAGE, RW, ANON | MAP_FIXED);
    for (let i = 0; i < 5; i++) k.store(AREA + i * PAGE, 4, i + 1);
    k.munmap(AREA + 2 * PAGE, 1);
    expect(regions(k)).toEqual([[0, 2, RW], [3, 5, RW]]);
    expect(k.load(AREA + 2 * PAGE, 4)).toBe(SEGV_MAPERR);
    expect(k.stats().frames.data).toBe(4);
    k.munmap(AREA, PAGE);
    expect(regions(k)).toEqual([[1, 2, RW], [3, 5, RW]]);
    k.munmap(AREA, 10 * PAGE); // over both and the gaps
    expect(k.regions()).toEqual([]);
    expect(k.stats().frames.data).toBe(0);
    // Every table below the root went with the last region.
    expect(k.pageTables()).toHaveLength(1);
  });

  it('flushes the TLB entry of every unmapped page and of nothing else', () => {
    const k = boot(make);
    k.spawn();
    k.mmap(AREA, 3 * PAGE, RW, ANON | MAP_FIXED);
    for (let i = 0; i < 3; i++) k.load(AREA + i * PAGE, 4);
    const tlb = k.mmu.tlb;
    const vpn = (i: number): number => (AREA + i * PAGE) / PAGE;
    for (let i = 0; i < 3; i++) expect(tlb.peek(vpn(i), k.mmu.asid)).toBeGreaterThanOrEqual(0);
    const flushes = tlb.flushes;
    k.munmap(AREA + PAGE, PAGE);
    expect(tlb.peek(vpn(1), k.mmu.asid)).toBe(-1);
    expect(tlb.peek(vpn(0), k.mmu.asid)).toBeGreaterThanOrEqual(0);
    expect(tlb.peek(vpn(2), k.mmu.asid)).toBeGreaterThanOrEqual(0);
    expect(tlb.flushes - flushes).toBe(1);
    // A page never touched has no entry and costs no flush.
    k.mmap(AREA + 8 * PAGE, PAGE, RW, ANON | MAP_FIXED);
    const f2 = tlb.flushes;
    k.munmap(AREA + 8 * PAGE, PAGE);
    expect(tlb.flushes).toBe(f2);
  });
});

describe.each(MODELS)('mprotect on $name', ({ make }) => {
  it('errno for bad arguments; length 0 is success', () => {
    const k = boot(make);
    k.spawn();
    k.mmap(AREA, 2 * PAGE, RW, ANON | MAP_FIXED);
    refused(k, () => k.mprotect(AREA + 1, PAGE, PROT_READ), NotAlignedError, 'EINVAL');
    refused(k, () => k.mprotect(AREA + 1, 0, PROT_READ), NotAlignedError, 'EINVAL');
    refused(k, () => k.mprotect(AREA, PAGE, 0x100), InvalidArgumentError, 'EINVAL');
    refused(k, () => k.mprotect(AREA - PAGE, 2 * PAGE, PROT_READ), RegionNotFoundError, 'ENOMEM');
    refused(k, () => k.mprotect(AREA + 4 * PAGE, PAGE, PROT_READ), RegionNotFoundError, 'ENOMEM');
    const before = k.snapshot();
    k.mprotect(AREA, 0, PROT_READ);
    expectSameSnapshot(k.snapshot(), before);
  });

  it('one read-only page inside a read-write region makes three regions; restoring merges them back', () => {
    const k = boot(make);
    k.spawn();
    k.mmap(AREA, 3 * PAGE, RW, ANON | MAP_FIXED);
    for (let i = 0; i < 3; i++) k.store(AREA + i * PAGE, 4, 7);
    k.mprotect(AREA + PAGE, PAGE, PROT_READ);
    expect(regions(k)).toEqual([[0, 1, RW], [1, 2, PROT_READ], [2, 3, RW]]);
    expect(k.store(AREA + PAGE, 4, 1)).toBe(SEGV_ACCERR);
    expect(k.load(AREA + PAGE, 4)).toBe(7);
    expect(k.translate(AREA + PAGE)!.flags & PTE_W).toBe(0);
    k.mprotect(AREA + PAGE, PAGE, RW);
    expect(regions(k)).toEqual([[0, 3, RW]]);
    expect(k.store(AREA + PAGE, 4, 8)).toBe(0);
    expect(k.load(AREA + PAGE, 4)).toBe(8);
  });

  it('PROT_NONE refuses every access and keeps the data; giving the rights back shows it again', () => {
    const k = boot(make);
    k.spawn();
    const a = k.mmap(0, 2 * PAGE, RW, ANON);
    k.store(a, 4, 99);
    k.mprotect(a, 2 * PAGE, PROT_NONE);
    expect(k.load(a, 4)).toBe(SEGV_ACCERR);
    expect(k.store(a, 4, 1)).toBe(SEGV_ACCERR);
    expect(k.maps()[0]!.perms).toBe('---p');
    k.mprotect(a, 2 * PAGE, PROT_READ);
    expect(k.load(a, 4)).toBe(99);
    expect(k.store(a, 4, 1)).toBe(SEGV_ACCERR);
  });

  it('an edge merges with an equal neighbour; a hole ends it with ENOMEM after the regions before it changed', () => {
    const k = boot(make);
    k.spawn();
    k.mmap(AREA, 2 * PAGE, PROT_READ, ANON | MAP_FIXED);
    k.mmap(AREA + 2 * PAGE, 2 * PAGE, RW, ANON | MAP_FIXED);
    k.mprotect(AREA + 2 * PAGE, PAGE, PROT_READ);
    expect(regions(k)).toEqual([[0, 3, PROT_READ], [3, 4, RW]]);
    k.mmap(AREA + 6 * PAGE, PAGE, RW, ANON | MAP_FIXED);
    // Measured on Linux: the part before the hole is changed, then ENOMEM.
    const e = caught(() => k.mprotect(AREA + 3 * PAGE, 4 * PAGE, PROT_EXEC));
    expect(RegionNotFoundError.isInstance(e)).toBe(true);
    expect(e).toMatchObject({ va: AREA + 4 * PAGE, errno: 'ENOMEM' });
    expect(regions(k)).toEqual([[0, 3, PROT_READ], [3, 4, PROT_EXEC], [6, 7, RW]]);
  });

  it('flushes the TLB only for entries that changed', () => {
    const k = boot(make);
    k.spawn();
    k.mmap(AREA, 2 * PAGE, RW, ANON | MAP_FIXED);
    k.store(AREA, 4, 1);
    const tlb = k.mmu.tlb;
    const f = tlb.flushes;
    k.mprotect(AREA, 2 * PAGE, PROT_READ);
    expect(tlb.flushes - f).toBe(1); // page 1 has no entry
    const f2 = tlb.flushes;
    k.mprotect(AREA, 2 * PAGE, RW); // the entry stays read-only: the next write reuses the frame
    expect(tlb.flushes).toBe(f2);
    expect(k.store(AREA, 4, 2)).toBe(0);
    expect(k.stats().faults.cowReuse).toBe(1);
  });
});

describe.each(MODELS)('the map-count limit on $name', ({ make }) => {
  it('mmap fails only above the limit; munmap and MAP_FIXED refuse only a middle split at it; mprotect any split', () => {
    const k = boot(make, { maxMapCount: 3 });
    k.spawn();
    const at = (i: number): number => AREA + i * 4 * PAGE;
    for (let i = 0; i < 4; i++) k.mmap(at(i), 3 * PAGE, i % 2 === 0 ? RW : PROT_READ, ANON | MAP_FIXED);
    expect(k.regions()).toHaveLength(4); // limit + 1 is reachable
    refused(k, () => k.mmap(0, PAGE, RW, ANON), MapCountError, 'ENOMEM');
    k.munmap(at(3), 3 * PAGE);
    refused(k, () => k.munmap(at(0) + PAGE, PAGE), MapCountError, 'ENOMEM');
    refused(k, () => k.mmap(at(0) + PAGE, PAGE, PROT_EXEC, ANON | MAP_FIXED), MapCountError, 'ENOMEM');
    refused(k, () => k.mprotect(at(0), PAGE, PROT_EXEC), MapCountError, 'ENOMEM');
    k.munmap(at(0), PAGE); // an edge trim is allowed
    expect(k.regions()).toHaveLength(3);
    k.mprotect(at(0) + PAGE, 2 * PAGE, PROT_EXEC); // a whole region: no split
    expect(() => (k.maxMapCount = 0)).toThrow(InvalidArgumentError);
    k.maxMapCount = 10;
    k.munmap(at(2) + PAGE, PAGE);
    expect(k.regions()).toHaveLength(4);
  });
});

describe.each(MODELS)('brk on $name', ({ make }) => {
  it('brk(0) queries; growing maps zero pages from the old break; the byte value is kept; shrinking unmaps', () => {
    const k = boot(make);
    k.spawn();
    expect(k.brk(0)).toBe(HEAP_START);
    expect(k.brk(HEAP_START + 8192)).toBe(HEAP_START + 8192);
    expect(k.maps().map((e) => formatMapsLine(e))).toEqual([
      `10000000-10002000 rw-p 00000000 00:00 0${' '.repeat(34)}[heap]`,
    ]);
    k.store(HEAP_START + 16, 4, 7);
    expect(k.brk(HEAP_START + 8192 + 5)).toBe(HEAP_START + 8197);
    expect(k.regions()[0]).toMatchObject({ start: HEAP_START, end: HEAP_START + 3 * PAGE });
    expect(k.brk(HEAP_START + 3 * PAGE)).toBe(HEAP_START + 3 * PAGE); // same pages: only the byte value moves
    k.store(HEAP_START + PAGE, 4, 9);
    expect(k.brk(HEAP_START + 4)).toBe(HEAP_START + 4);
    expect(k.regions()[0]).toMatchObject({ start: HEAP_START, end: HEAP_START + PAGE });
    expect(k.stats().frames.data).toBe(1);
    expect(k.load(HEAP_START + PAGE, 4)).toBe(SEGV_MAPERR);
    expect(k.brk(HEAP_START + 2 * PAGE)).toBe(HEAP_START + 2 * PAGE);
    expect(k.load(HEAP_START + PAGE, 4)).toBe(0); // regrown pages read zero
    expect(k.load(HEAP_START + 16, 4)).toBe(7);
    expect(k.brk(HEAP_START - 1)).toBe(HEAP_START + 2 * PAGE); // below the start: refused, the current break
  });

  it('growing needs a free page above the new break; shrinking unmaps foreign mappings in the released range', () => {
    const k = boot(make);
    k.spawn();
    k.mmap(HEAP_START + 4 * PAGE, PAGE, PROT_READ, ANON | MAP_FIXED);
    const before = k.snapshot();
    expect(k.brk(HEAP_START + 4 * PAGE)).toBe(HEAP_START); // no free page would be left
    expectSameSnapshot(k.snapshot(), before);
    expect(k.brk(HEAP_START + 3 * PAGE)).toBe(HEAP_START + 3 * PAGE);
    // A foreign mapping placed inside the heap's range goes when the break shrinks past it.
    k.munmap(HEAP_START + 2 * PAGE, PAGE);
    k.mmap(HEAP_START + 2 * PAGE, PAGE, PROT_EXEC, ANON | MAP_FIXED);
    expect(k.brk(HEAP_START + PAGE)).toBe(HEAP_START + PAGE);
    expect(k.regions().map((v) => [v.start - HEAP_START, v.end - HEAP_START])).toEqual([[0, PAGE], [4 * PAGE, 5 * PAGE]]);
  });

  it('fork copies the break; the child moves its own', () => {
    const k = boot(make);
    const a = k.spawn();
    k.brk(HEAP_START + PAGE);
    const c = k.fork();
    expect(k.brk(0, c.pid)).toBe(HEAP_START + PAGE);
    k.brk(HEAP_START + 2 * PAGE, c.pid);
    expect(k.brk(0, a.pid)).toBe(HEAP_START + PAGE);
    expect(k.stats().processes.map((p) => p.brk)).toEqual([HEAP_START + PAGE, HEAP_START + 2 * PAGE]);
  });
});

describe.each(MODELS)('maps and statistics on $name', ({ make }) => {
  it('lists regions with their types; stats count regions, bytes and mapped pages', () => {
    const k = boot(make);
    k.spawn();
    k.brk(HEAP_START + PAGE);
    const s = k.mmap(0, PAGE, PROT_READ, SHARED);
    const p = k.mmap(0, 2 * PAGE, RW, ANON);
    k.load(s, 4);
    k.store(p, 4, 1);
    k.load(p + PAGE, 4);
    expect(k.maps().map((e) => [e.start, e.perms, e.type, e.name])).toEqual([
      [HEAP_START, 'rw-p', 'heap', '[heap]'],
      [p, 'rw-p', 'anonymous', ''],
      [s, 'r--s', 'shared', '/dev/zero (deleted)'],
    ]);
    expect(formatMapsLine(k.maps()[1]!, 4)).toBe(`${p.toString(16)}-${(p + 2 * PAGE).toString(16)} rw-p 00000000 00:00 0`);
    expect(k.stats().memory).toEqual({ totalAllocated: 4 * PAGE, regionCount: 3, mappedPages: 3 });
    expect(k.stats().processes[0]).toMatchObject({ resident: 2, shared: 1, private: 1, zeroMapped: 1, virtualBytes: 4 * PAGE });
  });
});

describe.each(MODELS)('out of memory around the memory calls on $name', ({ make }) => {
  /** Fills every free frame with private pages of a region at AREA + 64 pages; returns how many it took. */
  function exhaust(k: Kernel): number {
    const free = k.frames.freeCount;
    const base = AREA + 64 * PAGE;
    k.mmap(base, 256 * PAGE, RW, ANON | MAP_FIXED);
    let n = 0;
    while (k.frames.freeCount > 0 && k.store(base + n * PAGE, 1, 1) === 0) n++;
    expect(k.frames.freeCount).toBe(0);
    return free;
  }

  it('mmap, munmap, mprotect and brk need no frame: they work with none free', () => {
    const k = boot(make);
    k.spawn();
    exhaust(k);
    const a = k.mmap(0, 4 * PAGE, RW, ANON);
    k.mprotect(a, PAGE, PROT_READ);
    expect(k.brk(HEAP_START + 2 * PAGE)).toBe(HEAP_START + 2 * PAGE);
    k.munmap(a, 4 * PAGE);
    expect(k.brk(HEAP_START)).toBe(HEAP_START);
  });

  it('a first touch of shared or private anonymous memory with no frame free is VM_FAULT_OOM and changes nothing', () => {
    const k = boot(make);
    k.spawn();
    const s = k.mmap(0, PAGE, RW, SHARED);
    const p = k.mmap(0, PAGE, RW, ANON);
    exhaust(k);
    for (const [va, write] of [[s, false], [s, true], [p, true]] as const) {
      const before = k.snapshot();
      expect(write ? k.store(va, 4, 1) : k.load(va, 4)).toBe(-3);
      expectSameSnapshot(k.snapshot(), before);
    }
    // MAP_POPULATE is best effort, as on Linux: the mapping stands, unpopulated.
    const q = k.mmap(0, 2 * PAGE, RW, ANON | MAP_POPULATE);
    expect(k.mappings().some((m) => m.va === q)).toBe(false);
    // Freed frames make the same touches work.
    k.munmap(AREA + 64 * PAGE, 256 * PAGE);
    expect(k.load(s, 4)).toBe(0);
    expect(k.store(p, 4, 1)).toBe(0);
  });
});

describe.each(MODELS)('faults send signals on $name', ({ make }) => {
  it('no region: SIGSEGV SEGV_MAPERR; protection: SEGV_ACCERR; the record is taken once; the default kills', () => {
    const k = boot(make);
    const a = k.spawn();
    const r = k.mmap(0, PAGE, PROT_READ, ANON);
    expect(k.takeSignal()).toBeNull();
    expect(k.store(r, 4, 1)).toBe(SEGV_ACCERR);
    expect(k.takeSignal()).toEqual({ signal: 'SIGSEGV', code: 'SEGV_ACCERR', va: r, access: 'write' });
    expect(k.takeSignal()).toBeNull();
    expect(k.load(r - PAGE, 4)).toBe(SEGV_MAPERR);
    const info = k.takeSignal(a.pid);
    expect(info).toMatchObject({ signal: 'SIGSEGV', code: 'SEGV_MAPERR', va: r - PAGE, access: 'read' });
    // The default action: terminate. A caught signal lets the process go on (it still runs here).
    k.kill(a.pid);
    expect(k.process(a.pid).state).toBe('terminated');
  });
});

describe.each(MODELS)('the stack region on $name', ({ make }) => {
  it('grows down on a fault below it, up to 8 MiB, keeping the guard gap to the region below', () => {
    const k = boot(make);
    k.spawn();
    const top = k.model.signExtendedVa === true ? 2 ** (k.model.vaBits - 1) : 2 ** 32;
    const start = k.mapStack();
    expect(start).toBe(top - PAGE);
    expect(k.maps()).toEqual([expect.objectContaining({ start, end: top, perms: 'rw-p', type: 'stack', name: '[stack]' })]);
    // A push 3 pages below grows the region to that page.
    expect(k.store(top - 3 * PAGE - 8, 4, 5)).toBe(0);
    expect(k.regions()[0]).toMatchObject({ start: top - 4 * PAGE, end: top });
    expect(k.load(top - 3 * PAGE - 8, 4)).toBe(5);
    // Beyond the 8 MiB limit: SIGSEGV, nothing grows.
    expect(k.load(top - 8 * 1024 * 1024 - PAGE, 4)).toBe(SEGV_MAPERR);
    expect(k.regions()).toHaveLength(1);
    // A mapping just below the limit: growth stops 256 pages (the guard gap) above it.
    const low = top - 8 * 1024 * 1024;
    k.mmap(low, PAGE, PROT_READ, ANON | MAP_FIXED);
    expect(k.load(low + PAGE + 255 * PAGE - 4, 4)).toBe(SEGV_MAPERR);
    expect(k.load(low + PAGE + 256 * PAGE, 4)).toBe(0);
    expect(k.regions()[1]).toMatchObject({ start: low + 257 * PAGE, end: top });
    // brk and the stack: refused errno for a second stack.
    refused(k, () => k.mapStack(), AlreadyMappedError, 'EEXIST');
    refused(k, () => k.mapStack(0), InvalidSizeError, 'EINVAL');
  });
});

describe('memory-call options and events', () => {
  it('maxMapCount: the option and the setter take positive integers only', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, '10']) {
      expect(InvalidOptionError.isInstance(caught(() => new Kernel({ maxMapCount: bad as number })))).toBe(true);
    }
    const k = new Kernel({ maxMapCount: 7 });
    expect(k.maxMapCount).toBe(7);
    expect(new Kernel().maxMapCount).toBe(65530);
  });

  it('a shared page another process brought in is reported as a shared-map fault', () => {
    const k = new Kernel({ ramBytes: 64 * PAGE, checkInvariants: true });
    const a = k.spawn();
    const s = k.mmap(0, PAGE, RW, SHARED);
    const c = k.fork();
    k.switchTo(c.pid);
    k.store(s, 4, 9);
    k.switchTo(a.pid);
    const events: unknown[] = [];
    k.on((e) => events.push(e));
    expect(k.load(s, 4)).toBe(9);
    expect(events).toContainEqual({ type: 'fault', pid: a.pid, va: s, access: 'read', resolution: 'shared-map' });
    expect(k.stats().faults.sharedMap).toBe(1);
  });
});
