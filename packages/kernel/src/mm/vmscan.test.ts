// Reclaim and swap-in on every model: dirty vs clean write-back, COW-shared victims unmapped everywhere and
// swapped back in shared, fork/munmap/exit of swap entries, copyin of a swapped page, refusals that change
// nothing; every machine checks its invariants (slots, swap cache and reverse map included) after each step.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, InvalidOptionError } from '../errors.js';
import { O_CREAT, O_RDWR } from '../fs/file-store.js';
import type { Kernel } from '../kernel.js';
import { caught, expectSameSnapshot } from '../testing/assertions.js';
import { boot, PAGE, pfnOf, VA } from '../testing/kernel-helpers.js';
import { MODELS } from '../testing/models.js';
import { MAP_ANONYMOUS, MAP_SHARED, PROT_READ, PROT_WRITE } from './vma.js';

const RW = PROT_READ | PROT_WRITE;

describe.each(MODELS)('reclaim and swap on $name', ({ make }) => {
  const machine = (swapSlots = 8): Kernel => boot(make, { swapSlots });

  it('a dirty page is written to its slot and read back on a major fault', () => {
    const k = machine();
    const p = k.spawn();
    k.register(VA);
    k.store(VA, 4, 0xcafe);
    const f = pfnOf(k, VA, p.pid);
    const free = k.stats().frames.free;
    expect(k.reclaim(f)).toBe(true);
    expect(k.translate(VA)).toBeNull();
    expect(k.stats().frames.free).toBe(free + 1);
    expect(k.swapStats()).toMatchObject({ pswpout: 1, writebacks: 1, slotsUsed: 1, reclaimed: 1, swapCached: 0 });
    expect(k.load(VA, 4)).toBe(0xcafe);
    expect(k.swapStats()).toMatchObject({ pswpin: 1, majorFaults: 1, slotsUsed: 1, swapCached: 1 });
  });

  it('a clean page whose slot copy is good is dropped without a write; a written one is written again', () => {
    const k = machine();
    const p = k.spawn();
    k.register(VA);
    k.store(VA, 4, 1);
    k.reclaim(pfnOf(k, VA, p.pid));
    expect(k.load(VA, 4)).toBe(1); // swapped in by a read: clean, still in the swap cache
    expect(k.reclaim(pfnOf(k, VA, p.pid))).toBe(true);
    expect(k.swapStats()).toMatchObject({ pswpout: 1, writebacks: 1, reclaimed: 2 });
    expect(k.load(VA, 4)).toBe(1);
    k.store(VA, 4, 2); // the hardware sets D
    expect(k.reclaim(pfnOf(k, VA, p.pid))).toBe(true);
    expect(k.swapStats()).toMatchObject({ pswpout: 2, writebacks: 2 });
    expect(k.load(VA, 4)).toBe(2);
    k.store(VA + 4, 4, 3);
    expect(k.load(VA, 4)).toBe(2);
  });

  it('a write fault swap-in leaves nothing in the swap cache and frees the slot', () => {
    const k = machine();
    const p = k.spawn();
    k.register(VA);
    k.store(VA, 4, 5);
    k.reclaim(pfnOf(k, VA, p.pid));
    k.store(VA + 8, 4, 6);
    expect(k.swapStats()).toMatchObject({ slotsUsed: 0, swapCached: 0, pswpin: 1 });
    expect(k.load(VA, 4)).toBe(5);
    expect(k.mappings()[0]!.refCount).toBe(1);
  });

  it('a COW-shared victim is unmapped from every process and comes back as one shared frame', () => {
    const k = machine();
    const a = k.spawn();
    k.register(VA);
    k.store(VA, 4, 41);
    const b = k.fork();
    const f = pfnOf(k, VA, a.pid);
    expect(k.reverseMap(f)).toHaveLength(2);
    expect(k.reclaim(f)).toBe(true);
    expect(k.reverseMap(f)).toEqual([]);
    expect(k.translate(VA, a.pid)).toBeNull();
    expect(k.translate(VA, b.pid)).toBeNull();
    expect(k.swapStats().slotsUsed).toBe(1);
    k.switchTo(b.pid);
    expect(k.load(VA, 4)).toBe(41);
    k.switchTo(a.pid);
    expect(k.load(VA, 4)).toBe(41);
    const g = pfnOf(k, VA, a.pid);
    expect(pfnOf(k, VA, b.pid)).toBe(g);
    expect(k.swapStats().pswpin).toBe(1); // the second came from the swap cache
    expect(k.reverseMap(g)).toEqual([{ pid: a.pid, va: VA }, { pid: b.pid, va: VA }]);
    expect(k.frames.refCount(g)).toBe(3); // two mappings and the swap cache
    // Still copy-on-write: each side's write stays its own.
    k.store(VA, 4, 1);
    k.switchTo(b.pid);
    expect(k.load(VA, 4)).toBe(41);
    k.store(VA, 4, 2);
    k.switchTo(a.pid);
    expect(k.load(VA, 4)).toBe(1);
    expect(k.swapStats()).toMatchObject({ slotsUsed: 0, swapCached: 0 });
  });

  // Linux's do_swap_page returns VM_FAULT_MAJOR (and counts pgmajfault) only when it had to read the page; a
  // page found in the swap cache is a minor fault.
  it('a swap-in that reads its slot is a major fault; one found in the swap cache is a minor fault', () => {
    const k = machine();
    const a = k.spawn();
    k.register(VA);
    k.store(VA, 4, 7);
    const b = k.fork();
    k.reclaim(pfnOf(k, VA, a.pid));
    const before = k.reclaimStats();
    k.switchTo(b.pid);
    expect(k.load(VA, 4)).toBe(7); // read from the slot
    const read = k.reclaimStats();
    expect(k.swapStats()).toMatchObject({ pswpin: 1, majorFaults: 1, swapCacheHits: 0 });
    expect([read.majorFaults - before.majorFaults, read.minorFaults - before.minorFaults]).toEqual([1, 0]);
    k.switchTo(a.pid);
    expect(k.load(VA, 4)).toBe(7); // the same slot: the page is in the swap cache
    const cached = k.reclaimStats();
    expect(k.swapStats()).toMatchObject({ pswpin: 1, majorFaults: 1, swapCacheHits: 1 });
    expect([cached.majorFaults - read.majorFaults, cached.minorFaults - read.minorFaults]).toEqual([0, 1]);
    k.checkInvariants();
  });

  it('reclaim(pfn) of a page-cache frame: unmapped everywhere, written back if dirty, re-read on the next access', () => {
    const k = machine();
    const a = k.spawn();
    const bytes = new Uint8Array(2 * PAGE);
    bytes[0] = 5;
    bytes[PAGE] = 6;
    k.createFile('f', bytes);
    const at = k.mmap(0, 2 * PAGE, RW, MAP_SHARED, k.open('f', O_RDWR), 0);
    const b = k.fork();
    k.switchTo(b.pid);
    expect(k.load(at, 1)).toBe(5); // b maps page 0 from the cache
    k.switchTo(a.pid);
    expect(k.store(at, 1, 50)).toBe(0); // a maps it too, and dirties it
    expect(k.load(at + PAGE, 1)).toBe(6);
    const log: string[] = [];
    k.on((e) => {
      if (e.type === 'evict' || e.type === 'unmap') log.push(`${e.type} ${e.pfn}`);
    });
    const dirty = pfnOf(k, at, a.pid);
    const clean = pfnOf(k, at + PAGE, a.pid);
    expect(pfnOf(k, at, b.pid)).toBe(dirty);
    expect(k.reclaim(dirty)).toBe(true);
    expect(k.translate(at, a.pid)).toBeNull();
    expect(k.translate(at, b.pid)).toBeNull();
    expect(k.fileDisk('f')[0]).toBe(50); // written back: a D bit was set
    expect(k.reclaim(clean)).toBe(true);
    expect(log).toEqual([`unmap ${dirty}`, `unmap ${dirty}`, `evict ${dirty}`, `unmap ${clean}`, `evict ${clean}`]);
    expect(k.reclaimStats()).toMatchObject({ evictions: 2, writebacks: 1 });
    expect(k.files()).toEqual([{ name: 'f', size: 2 * PAGE, cachedPages: 0, opens: 1 }]); // one open file description, shared after fork
    expect(k.load(at, 1)).toBe(50); // read from the file again
    k.switchTo(b.pid);
    expect(k.load(at + PAGE, 1)).toBe(6);
    k.checkInvariants();
  });

  it('reclaim(pfn) leaves a mapped page-cache frame alone without the reverse map to find its entries', () => {
    const k = boot(make, { reverseMap: false });
    k.spawn();
    k.createFile('f', new Uint8Array(PAGE).fill(9));
    const at = k.mmap(0, PAGE, RW, MAP_SHARED, k.open('f', O_RDWR), 0);
    expect(k.load(at, 1)).toBe(9);
    const before = k.snapshot();
    expect(k.reclaim(pfnOf(k, at, 0))).toBe(false);
    expectSameSnapshot(k.snapshot(), before);
  });

  it('fork copies a swap entry; munmap and exit give the slots back', () => {
    const k = machine();
    const a = k.spawn();
    k.register(VA);
    k.register(VA + PAGE);
    k.store(VA, 4, 7);
    k.store(VA + PAGE, 4, 8);
    k.reclaim(pfnOf(k, VA, a.pid));
    k.reclaim(pfnOf(k, VA + PAGE, a.pid));
    const b = k.fork();
    expect(k.swapStats().slotsUsed).toBe(2);
    expect(k.swapStats().processes).toEqual([{ pid: a.pid, swapPages: 2 }, { pid: b.pid, swapPages: 2 }]);
    k.switchTo(b.pid);
    expect(k.load(VA, 4)).toBe(7);
    k.munmap(VA + PAGE, PAGE);
    expect(k.swapStats().processes).toEqual([{ pid: a.pid, swapPages: 2 }, { pid: b.pid, swapPages: 0 }]);
    k.kill(b.pid);
    k.switchTo(a.pid);
    expect(k.load(VA + PAGE, 4)).toBe(8);
    expect(k.swapStats().processes).toEqual([{ pid: a.pid, swapPages: 1 }]);
    k.kill(a.pid);
    expect(k.swapStats()).toMatchObject({ slotsUsed: 0, swapCached: 0 });
    expect(k.stats().frames.data).toBe(0);
  });

  it('copyin reads a swapped page without bringing it in', () => {
    const k = machine();
    const a = k.spawn();
    k.register(VA);
    k.store(VA + 12, 4, 0x01020304);
    k.reclaim(pfnOf(k, VA, a.pid));
    const bytes = k.copyin(a.pid, VA + 12, 4);
    expect(Array.from(bytes)).toEqual([4, 3, 2, 1]);
    expect(k.translate(VA)).toBeNull();
    expect(k.swapStats().pswpin).toBe(0);
  });

  it('refuses what reclaim must never take, and a full swap area, changing nothing', () => {
    const k = machine(1);
    const a = k.spawn();
    k.register(VA);
    k.register(VA + PAGE);
    k.store(VA, 4, 1);
    k.store(VA + PAGE, 4, 2);
    k.register(VA + 2 * PAGE);
    expect(k.load(VA + 2 * PAGE, 4)).toBe(0); // the zero page
    const shm = k.mmap(0, PAGE, RW, MAP_SHARED | MAP_ANONYMOUS);
    k.store(shm, 4, 3);
    k.reclaim(pfnOf(k, VA, a.pid)); // takes the only slot
    const before = k.snapshot();
    const table = k.pageTables(a.pid)[0]!.pfn;
    // (A page-cache frame is reclaimable by hand: see the tests above.)
    for (const pfn of [k.zeroPfn, pfnOf(k, shm, a.pid), table, pfnOf(k, VA + PAGE, a.pid), k.frames.total - 1]) {
      expect(k.reclaim(pfn)).toBe(false);
    }
    expectSameSnapshot(k.snapshot(), before);
    for (const bad of [-1, 0.5, k.frames.total]) expect(InvalidArgumentError.isInstance(caught(() => k.reclaim(bad)))).toBe(true);
  });

  it('a swap-in with no free frame is refused as out of memory and changes nothing', () => {
    const k = boot(make, { swapSlots: 4, ramBytes: 24 * PAGE });
    const a = k.spawn();
    let pages = 0;
    for (; ; pages++) {
      k.register(VA + pages * PAGE);
      if (k.store(VA + pages * PAGE, 4, pages + 1) !== 0) break;
    }
    k.munmap(VA + pages * PAGE, PAGE);
    expect(k.reclaim(pfnOf(k, VA, a.pid))).toBe(true);
    k.register(VA + pages * PAGE);
    expect(k.store(VA + pages * PAGE, 4, 9)).toBe(0); // takes the frame reclaim freed
    expect(k.stats().frames.free).toBe(0);
    const before = k.snapshot();
    const swapBefore = k.swapStats();
    expect(k.load(VA, 4)).toBeLessThan(0);
    expectSameSnapshot(k.snapshot(), before);
    expect(k.swapStats()).toEqual(swapBefore);
    k.munmap(VA + pages * PAGE, PAGE);
    expect(k.load(VA, 4)).toBe(1);
  });

  it('the swapSlots option is checked', () => {
    for (const bad of [-1, 1.5, 2 ** 31, '4']) {
      expect(InvalidOptionError.isInstance(caught(() => boot(make, { swapSlots: bad as number })))).toBe(true);
    }
    expect(boot(make).swapStats().slots).toBe(0);
    expect(boot(make).reclaim(1)).toBe(false);
  });

  it('the reverse map is kept with swap (default) or when asked; without, reverseMap() and accessedBits() say so', () => {
    const plain = boot(make);
    plain.spawn();
    plain.register(VA);
    expect(plain.store(VA, 4, 1)).toBe(0);
    expect(caught(() => plain.reverseMap(pfnOf(plain, VA, plain.current!.pid)))).toMatchObject({ name: 'InvalidOptionError', option: 'reverseMap' });
    expect(caught(() => plain.accessedBits())).toMatchObject({ name: 'InvalidOptionError', option: 'reverseMap' });
    for (const k of [boot(make, { swapSlots: 2 }), boot(make, { reverseMap: true })]) {
      const p = k.spawn();
      k.register(VA);
      expect(k.store(VA, 4, 1)).toBe(0);
      expect(k.reverseMap(pfnOf(k, VA, p.pid))).toEqual([{ pid: p.pid, va: VA }]);
    }
    expect(InvalidOptionError.isInstance(caught(() => boot(make, { swapSlots: 2, reverseMap: false })))).toBe(true);
    expect(InvalidOptionError.isInstance(caught(() => boot(make, { reverseMap: 'yes' as unknown as boolean })))).toBe(true);
  });

  it('property: random writes, reads, forks, exits, munmaps and reclaims keep every invariant and leak nothing', () => {
    const op = fc.oneof(
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('store' as const), page: fc.nat(3), value: fc.nat(0xffff) }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('load' as const), page: fc.nat(3) }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('reclaim' as const), page: fc.nat(3) }) },
      fc.record({ kind: fc.constant('fork' as const) }),
      fc.record({ kind: fc.constant('switch' as const), which: fc.nat(7) }),
      fc.record({ kind: fc.constant('kill' as const), which: fc.nat(7) }),
      fc.record({ kind: fc.constant('munmap' as const), page: fc.nat(5) }),
    );
    let reclaimed = 0;
    let swappedIn = 0;
    fc.assert(
      fc.property(fc.array(op, { minLength: 5, maxLength: 40 }), (ops) => {
        const k = boot(make, { swapSlots: 6 });
        const first = k.spawn();
        for (let i = 0; i < 6; i++) k.register(VA + i * PAGE);
        // What each live process should read: a model of its memory.
        const memory = new Map<number, Map<number, number>>([[first.pid, new Map()]]);
        const live = (): number[] => [...memory.keys()];
        let cur = first.pid;
        for (const o of ops) {
          const mem = memory.get(cur)!;
          const va = VA + ('page' in o ? o.page : 0) * PAGE;
          switch (o.kind) {
            case 'store':
              if (!k.isRegistered(va)) break;
              expect(k.store(va, 4, o.value)).toBe(0);
              mem.set(va, o.value);
              break;
            case 'load':
              if (!k.isRegistered(va)) break;
              expect(k.load(va, 4)).toBe(mem.get(va) ?? 0);
              break;
            case 'reclaim': {
              const t = k.translate(va);
              if (t !== null) k.reclaim(t.pfn);
              break;
            }
            case 'fork': {
              const child = k.fork();
              memory.set(child.pid, new Map(mem));
              break;
            }
            case 'switch':
              cur = live()[o.which % live().length]!;
              k.switchTo(cur);
              break;
            case 'kill': {
              if (live().length === 1) break;
              const victim = live()[o.which % live().length]!;
              k.kill(victim);
              memory.delete(victim);
              if (victim === cur) {
                cur = live()[0]!;
                k.switchTo(cur);
              }
              break;
            }
            case 'munmap':
              if (!k.isRegistered(va)) break;
              k.munmap(va, PAGE);
              mem.delete(va);
              break;
          }
        }
        for (const pid of live()) {
          k.switchTo(pid);
          for (const [va, value] of memory.get(pid)!) expect(k.load(va, 4)).toBe(value);
        }
        reclaimed += k.swapStats().reclaimed;
        swappedIn += k.swapStats().pswpin;
        for (const pid of live()) k.kill(pid);
        expect(k.swapStats()).toMatchObject({ slotsUsed: 0, swapCached: 0 });
        expect(k.stats().frames.data).toBe(0);
        expect(k['ctx'].rmap.size).toBe(0);
      }),
      { numRuns: 60 },
    );
    expect(reclaimed).toBeGreaterThan(10);
    expect(swappedIn).toBeGreaterThan(10);
  });

  it('events: every eviction and swap-in is reported, in order', () => {
    const k = machine();
    const a = k.spawn();
    k.register(VA);
    k.store(VA, 4, 1);
    const b = k.fork();
    const f = pfnOf(k, VA, a.pid);
    const seen: string[] = [];
    k.on((e) => {
      if (e.type === 'swap-out') seen.push(`out ${e.pfn} ${e.slot} ${e.written} ${e.mappings}`);
      if (e.type === 'swap-in') seen.push(`in ${e.pid} ${e.slot} ${e.fromCache}`);
      if (e.type === 'fault') seen.push(`fault ${e.resolution}`);
    });
    k.reclaim(f);
    k.load(VA, 4);
    k.switchTo(b.pid);
    k.load(VA, 4);
    expect(seen).toEqual([`out ${f} 0 true 2`, `in ${a.pid} 0 false`, 'fault swap-in', `in ${b.pid} 0 true`, 'fault swap-in']);
  });
});
