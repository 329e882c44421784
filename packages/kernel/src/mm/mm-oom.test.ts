// Out of memory at every allocation point of mmap(MAP_POPULATE), munmap, mprotect and brk, on every model.
// mmap, munmap, mprotect and brk allocate no frame themselves (mm-calls.test.ts runs them with none free);
// their points of failure are (1) the faults MAP_POPULATE takes, one per page, each needing the missing
// page tables (one per level) and a data, zero-page or shmem frame, and (2) the ENOMEM refusals that stand
// for a failed vm_area_struct allocation: the map-count limit and the overcommit charge.
// (1) Linux's populate is best effort (mmap succeeds, __mm_populate's error is ignored), so a populate that
// runs out of frames must leave the machine byte-identical to the same mmap without MAP_POPULATE followed by
// the faults that fit: tested at every frame budget from none to enough, so every table level and every
// data frame is the one missing once. (2) Each refusal leaves the machine byte-identical.

import { ACCESS_READ, ACCESS_WRITE } from '@vmsim/hw';
import { describe, expect, it } from 'vitest';
import { MapCountError, OvercommitError, RegionNotFoundError } from '../errors.js';
import type { Kernel } from '../kernel.js';
import { caught, expectSameSnapshot } from '../testing/assertions.js';
import { PAGE, boot } from '../testing/kernel-helpers.js';
import { MODELS, lastTableSpan, newTablesFor } from '../testing/models.js';
import { HEAP_START } from './layout.js';
import { MAP_ANONYMOUS, MAP_FIXED, MAP_NORESERVE, MAP_POPULATE, MAP_PRIVATE, MAP_SHARED, PROT_READ, PROT_WRITE } from './vma.js';

const RW = PROT_READ | PROT_WRITE;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS;
/** The hog's pages: they take every frame, then `budget` of them are given back one by one. */
const HOG = HEAP_START;
const HOG_PAGES = 320;

interface Scenario {
  readonly name: string;
  readonly prot: number;
  readonly flags: number;
  /** Populate faults are writes for private writable mappings, reads otherwise (shmem frames come on a read). */
  readonly write: boolean;
  /** Frames a populated page takes besides its tables. */
  readonly dataFrames: number;
  /** A mapping of the range populated before the frames run out, which MAP_FIXED replaces. */
  readonly replaces: boolean;
}

const SCENARIOS: readonly Scenario[] = [
  { name: 'private read-write (tables and zero-filled frames)', prot: RW, flags: ANON, write: true, dataFrames: 1, replaces: false },
  { name: 'private read-only (tables and the zero page)', prot: PROT_READ, flags: ANON, write: false, dataFrames: 0, replaces: false },
  { name: 'shared anonymous (tables and shmem frames)', prot: RW, flags: MAP_SHARED | MAP_ANONYMOUS, write: false, dataFrames: 1, replaces: false },
  { name: 'MAP_FIXED over a populated mapping (its frames freed first)', prot: RW, flags: ANON, write: true, dataFrames: 1, replaces: true },
];

describe.each(MODELS)('MAP_POPULATE out of memory at every allocation point on $name', ({ make }) => {
  const model = make();
  // Three pages across a last-level table boundary in a stretch of its own (0x4000_0000): the first page
  // needs tables at every level the hog does not share, the second a last-level table, the third nothing.
  const target = 0x4000_0000 + lastTableSpan(model) - PAGE;
  const pages = [target, target + PAGE, target + 2 * PAGE];
  const hogPages = Array.from({ length: HOG_PAGES }, (_, i) => HOG + i * PAGE);

  /** A machine whose hog holds every frame but `budget`; the scenario's old mapping made first when it has one. */
  function machine(s: Scenario, budget: number): Kernel {
    const k = boot(make, { ramBytes: 192 * PAGE });
    const p = k.spawn();
    if (s.replaces) {
      k.mmap(target, 3 * PAGE, RW, ANON | MAP_FIXED);
      for (const va of pages) expect(k.store(va, 4, 0xdead)).toBe(0);
    }
    k.mmap(HOG, HOG_PAGES * PAGE, RW, ANON | MAP_FIXED | MAP_NORESERVE);
    let n = 0;
    while (k.frames.freeCount > 0) expect(k.store(HOG + n++ * PAGE, 1, 1)).toBe(0);
    // Give back single pages from the middle of the hog: their tables stay, so exactly `budget` frames are free.
    for (let i = 0; i < budget; i++) k.munmap(HOG + (2 + 2 * i) * PAGE, PAGE);
    expect(k.frames.freeCount).toBe(budget);
    expect(p.pid).toBe(k.current!.pid);
    return k;
  }

  it.each(SCENARIOS)('$name', (s) => {
    // What each page of the range costs in order, computed from the layout alone (the replaced mapping's
    // tables stay: MAP_FIXED's new region reaches them).
    const mapped = s.replaces ? [...hogPages, ...pages] : [...hogPages];
    const costs = pages.map((va, i) => (s.replaces ? 0 : newTablesFor(model, [...mapped, ...pages.slice(0, i)], va)) + s.dataFrames);
    const total = costs.reduce((a, b) => a + b, 0);
    const freed = s.replaces ? 3 : 0;
    for (let budget = 0; budget <= total + 1; budget++) {
      const k = machine(s, budget);
      const addr = k.mmap(target, 3 * PAGE, s.prot, s.flags | MAP_FIXED | MAP_POPULATE);
      expect(addr).toBe(target);
      // The mapping stands whatever the budget; the pages that fit are populated, in order, and no more.
      expect(k.regions().some((v) => v.start <= target && v.end >= target + 3 * PAGE)).toBe(true);
      let left = budget + freed;
      let fit = 0;
      while (fit < 3 && costs[fit]! <= left) left -= costs[fit++]!;
      const present = pages.filter((va) => k.translate(va) !== null).length;
      expect(present, `budget ${budget}`).toBe(fit);
      expect(k.frames.freeCount, `budget ${budget}`).toBe(left);
      k.checkInvariants();

      // Byte for byte the same machine as the plain mmap followed by the faults that could complete.
      const twin = machine(s, budget);
      twin.mmap(target, 3 * PAGE, s.prot, s.flags | MAP_FIXED);
      for (const va of pages) if (twin.handlePageFault(twin.current!.pid, va, s.write ? ACCESS_WRITE : ACCESS_READ) < 0) break;
      expectSameSnapshot(k.snapshot(), twin.snapshot());
    }
  });

  it('with no frame free MAP_POPULATE maps nothing: the machine is the plain mmap\'s', () => {
    for (const s of SCENARIOS.filter((x) => !x.replaces)) {
      const k = machine(s, 0);
      const twin = machine(s, 0);
      k.mmap(target, 3 * PAGE, s.prot, s.flags | MAP_FIXED | MAP_POPULATE);
      twin.mmap(target, 3 * PAGE, s.prot, s.flags | MAP_FIXED);
      // The one refused fault is counted (stats.faults.oom) and changes nothing else.
      expect(k.stats().faults.oom).toBe(twin.stats().faults.oom + 1);
      const { faults: _a, ...restK } = k.stats();
      const { faults: _b, ...restTwin } = twin.stats();
      expect(restK).toEqual(restTwin);
      expect(pages.some((va) => k.translate(va) !== null)).toBe(false);
    }
  });
});

describe.each(MODELS)('the ENOMEM refusals of munmap, mprotect and brk leave the machine byte-identical on $name', ({ make }) => {
  function refusedUnchanged(k: Kernel, fn: () => unknown, cls: { isInstance(e: unknown): boolean }): void {
    const before = k.snapshot();
    const e = caught(fn);
    expect(cls.isInstance(e), String(e)).toBe(true);
    expect((e as { errno: string }).errno).toBe('ENOMEM');
    expectSameSnapshot(k.snapshot(), before);
  }

  it('brk: growth refused at the map-count limit and by the overcommit charge returns the old break, nothing changed', () => {
    const k = boot(make, { maxMapCount: 2 });
    k.spawn();
    expect(k.brk(HEAP_START + PAGE)).toBe(HEAP_START + PAGE);
    k.store(HEAP_START, 4, 5);
    k.mmap(0x4000_0000, PAGE, PROT_READ, ANON | MAP_FIXED);
    k.mmap(0x4100_0000, PAGE, RW, ANON | MAP_FIXED);
    expect(k.regions()).toHaveLength(3); // above the limit: brk's growth is a new region's worth
    let before = k.snapshot();
    expect(k.brk(HEAP_START + 3 * PAGE)).toBe(HEAP_START + PAGE);
    expectSameSnapshot(k.snapshot(), before);
    k.maxMapCount = 100;
    // More pages than RAM (256 frames) in one growth: not charged, refused.
    before = k.snapshot();
    expect(k.brk(HEAP_START + PAGE + 257 * PAGE)).toBe(HEAP_START + PAGE);
    expectSameSnapshot(k.snapshot(), before);
    expect(k.brk(HEAP_START + 3 * PAGE)).toBe(HEAP_START + 3 * PAGE);
    expect(k.load(HEAP_START, 4)).toBe(5);
  });

  it('mprotect: the overcommit charge of making a large private region writable refuses with ENOMEM, nothing changed', () => {
    const k = boot(make);
    k.spawn();
    const a = k.mmap(0x4000_0000, 300 * PAGE, PROT_READ, ANON | MAP_FIXED);
    k.load(a, 4);
    refusedUnchanged(k, () => k.mprotect(a, 300 * PAGE, RW), OvercommitError);
    // A piece that fits is charged and changed.
    k.mprotect(a, 8 * PAGE, RW);
    expect(k.store(a, 4, 1)).toBe(0);
  });

  it('mprotect and munmap: a split at the limit and a hole at the start refuse with ENOMEM, nothing changed', () => {
    const k = boot(make, { maxMapCount: 1 });
    k.spawn();
    const a = k.mmap(0x4000_0000, 4 * PAGE, RW, ANON | MAP_FIXED);
    for (let i = 0; i < 4; i++) k.store(a + i * PAGE, 4, i + 1);
    refusedUnchanged(k, () => k.munmap(a + PAGE, PAGE), MapCountError);
    refusedUnchanged(k, () => k.mprotect(a + PAGE, PAGE, PROT_READ), MapCountError);
    refusedUnchanged(k, () => k.mprotect(a - PAGE, 2 * PAGE, PROT_READ), RegionNotFoundError);
    refusedUnchanged(k, () => k.mmap(a + PAGE, PAGE, PROT_READ, ANON | MAP_FIXED), MapCountError);
    for (let i = 0; i < 4; i++) expect(k.load(a + i * PAGE, 4)).toBe(i + 1);
  });
});
