import {
  ACCESS_READ,
} from '@vmsim/hw';
import { describe, expect, it } from 'vitest';
import { AlreadyMappedError, InvalidAddressError, InvalidArgumentError, NotMappedError } from '../errors.js';
import { type KernelEvent } from '../events.js';
import { SEGV_MAPERR } from '../codes.js';
import { MODELS, tablesFor, userEnd } from '../testing/models.js';
import { MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE } from '../mm/vma.js';
import { caught, expectSameSnapshot } from '../testing/assertions.js';
import { PAGE, REGION, VA, boot, pfnOf } from '../testing/kernel-helpers.js';

describe.each(MODELS.filter((m) => m.highVa !== null))('user addresses above 2^32 on $name', ({ make: makeModel, highVa }) => {
  const HIGH = highVa!;
  const anonRw = { prot: PROT_READ | PROT_WRITE, flags: MAP_PRIVATE | MAP_ANONYMOUS };

  it('a high page works like a low one, and never aliases the low page with the same low 32 bits', () => {
    const k = boot(makeModel);
    const a = k.spawn();
    const high = HIGH + VA;
    expect(high % 2 ** 32).toBe(VA);
    k.register(high);
    k.register(VA);
    k.register(high + PAGE);
    expect(k.regions()).toEqual([{ start: VA, end: VA + PAGE, ...anonRw }, { start: high, end: high + 2 * PAGE, ...anonRw }]);
    expect(k.isRegistered(high + PAGE + 17)).toBe(true);
    expect(k.isRegistered(high + 2 * PAGE)).toBe(false);
    expect(k.load(high, 4)).toBe(0);
    expect(k.store(high, 4, 0x11111111)).toBe(0);
    expect(k.store(VA, 4, 0x22222222)).toBe(0);
    expect(k.load(high, 4)).toBe(0x11111111);
    expect(k.load(VA, 4)).toBe(0x22222222);
    expect(k.store64(high + 8, 0x0102030405060708n)).toBe(0);
    expect(k.load64(high + 8)).toBe(0x0102030405060708n);
    expect(k.load(high + 8, 2)).toBe(0x0708);
    // Across the page boundary, through both paths.
    expect(k.store(high + PAGE - 2, 4, 0x44332211)).toBe(0);
    expect(k.load(high + PAGE - 2, 4)).toBe(0x44332211);
    k.write(high + PAGE - 3, new Uint8Array([9, 8, 7, 6, 5]));
    expect(Array.from(k.read(high + PAGE - 3, 5))).toEqual([9, 8, 7, 6, 5]);
    expect(Array.from(k.copyin(a.pid, VA, 4))).toEqual([0x22, 0x22, 0x22, 0x22]);

    const maps = k.mappings(a.pid);
    expect(maps.map((m) => m.va)).toEqual([VA, high, high + PAGE]);
    expect(new Set(maps.map((m) => m.pfn)).size).toBe(3);
    expect(k.translate(high + 5)!.pa).toBe(maps[1]!.pfn * PAGE + 5);
    expect(k.mmu.tlb.peek((high + PAGE) / PAGE, k.mmu.asid)).toBeGreaterThanOrEqual(0);
    // The high pages sit under another root entry: a chain of tables of their own.
    const tables = tablesFor(k.model, [VA, high, high + PAGE]);
    expect(tables).toBe(1 + 2 * (k.model.levels - 1));
    expect(k.pageTables(a.pid)).toHaveLength(tables);
    expect(k.stats().processes[0]).toMatchObject({ resident: 3, zeroMapped: 0, pageTables: tables, regions: 2 });
  });

  it('fork shares a high page copy-on-write: the child\'s write copies it, the parent\'s then reuses it', () => {
    const k = boot(makeModel);
    const parent = k.spawn();
    k.register(HIGH);
    k.write(HIGH, new TextEncoder().encode('high original'));
    const frame = k.translate(HIGH)!.pfn;
    const child = k.fork();
    expect(k.mappings(child.pid)[0]).toMatchObject({ va: HIGH, pfn: frame, cow: true, refCount: 2 });
    expect(k.mappings(parent.pid)[0]).toMatchObject({ va: HIGH, pfn: frame, cow: true, refCount: 2 });
    expect(k.pageTables(child.pid)).toHaveLength(k.model.levels);
    const events: KernelEvent[] = [];
    k.on((e) => events.push(e));
    k.switchTo(child.pid);
    k.write(HIGH, new TextEncoder().encode('HIGH'));
    const copy = pfnOf(k, HIGH, child.pid);
    expect(copy).not.toBe(frame);
    expect(new TextDecoder().decode(k.read(HIGH, 13))).toBe('HIGH original');
    expect(new TextDecoder().decode(k.copyin(parent.pid, HIGH, 13))).toBe('high original');
    k.switchTo(parent.pid);
    expect(k.store(HIGH + 4, 1, 0x21)).toBe(0);
    expect(pfnOf(k, HIGH, parent.pid)).toBe(frame);
    expect(events.filter((e) => e.type === 'fault')).toEqual([
      { type: 'fault', pid: child.pid, va: HIGH, access: 'write', resolution: 'cow-copy' },
      { type: 'fault', pid: parent.pid, va: HIGH + 4, access: 'write', resolution: 'cow-reuse' },
    ]);
    expect(events).toContainEqual({ type: 'map', pid: child.pid, va: HIGH, pfn: copy, writable: true });
    expect(k.stats().faults).toMatchObject({ cowCopy: 1, cowReuse: 1 });
    k.kill(child.pid);
    expect(k.frames.isFree(copy)).toBe(true);
  });

  it('kill frees the tables of every level and every frame of high pages', () => {
    const k = boot(makeModel);
    const baseline = k.stats().frames;
    const a = k.spawn();
    for (const va of [HIGH, HIGH + REGION, VA]) {
      k.register(va);
      expect(k.store(va, 4, 1)).toBe(0);
    }
    const c = k.fork();
    k.switchTo(c.pid);
    expect(k.store(HIGH + REGION, 4, 2)).toBe(0);
    k.kill(c.pid);
    k.kill(a.pid);
    expect(k.stats().frames).toEqual(baseline);
  });

  it('the last user page works; an access running past the user limit fails and changes nothing', () => {
    const k = boot(makeModel);
    const a = k.spawn();
    const end = userEnd(k.model);
    const last = end - PAGE;
    k.register(last);
    expect(k.regions()).toEqual([{ start: last, end, ...anonRw }]);
    expect(k.store(end - 4, 4, 0xabcdef01)).toBe(0);
    expect(k.load(end - 4, 4)).toBe(0xabcdef01);
    expect(k.store64(end - 8, 7n)).toBe(0);
    k.write(end - 2, new Uint8Array([1, 2]));
    expect(Array.from(k.read(end - 3, 3))).toEqual([0, 1, 2]);
    const before = k.snapshot();
    const segv = k.stats().faults.segfault;
    expect(k.store(end - 2, 4, 1)).toBe(SEGV_MAPERR);
    expect(k.store64(end - 4, 1n)).toBe(SEGV_MAPERR);
    expectSameSnapshot(k.snapshot(), before);
    expect(k.load(end - 2, 4)).toBe(SEGV_MAPERR);
    expect(k.load64(end - 1)).toBe(0n);
    expect(k.status).toBe(SEGV_MAPERR);
    expect(k.stats().faults.segfault).toBe(segv + 4);
    for (const [va, length] of [[end - 2, 4], [end - 1, 2], [last, PAGE + 1]] as const) {
      const isBadLength = (e: unknown): void => {
        expect(InvalidArgumentError.isInstance(e)).toBe(true);
        expect(e).toMatchObject({ argument: 'length', value: length });
        expect((e as Error).message).toContain(`0x${end.toString(16)}`);
      };
      isBadLength(caught(() => k.read(va, length)));
      isBadLength(caught(() => k.write(va, new Uint8Array(length))));
      isBadLength(caught(() => k.copyin(a.pid, va, length)));
    }
    expect(Array.from(k.read(last, PAGE)).slice(-4)).toEqual([0, 0, 1, 2]);
  });

  it('an address at or above the user limit (or in the upper half) is SEGV_MAPERR on the access path and InvalidAddressError elsewhere', () => {
    const k = boot(makeModel);
    const a = k.spawn();
    k.register(HIGH);
    const end = userEnd(k.model);
    const events: KernelEvent[] = [];
    k.on((e) => events.push(e));
    const before = k.snapshot();
    for (const va of [end, end + PAGE, 2 * end - PAGE, -PAGE, -end]) {
      expect(k.load(va, 1)).toBe(SEGV_MAPERR);
      expect(k.store(va, 4, 1)).toBe(SEGV_MAPERR);
      expect(k.load64(va)).toBe(0n);
      expect(k.status).toBe(SEGV_MAPERR);
      expect(k.store64(va, 1n)).toBe(SEGV_MAPERR);
      const isBad = (e: unknown): void => {
        expect(InvalidAddressError.isInstance(e)).toBe(true);
        expect((e as InvalidAddressError).va).toBe(va);
        // The message shows the address in full and names the limit.
        expect((e as Error).message).toContain(va < 0 ? String(va) : `0x${va.toString(16)}`);
        expect((e as Error).message).toContain(`0x${(end - 1).toString(16)}`);
      };
      isBad(caught(() => k.register(va)));
      isBad(caught(() => k.read(va, 1)));
      isBad(caught(() => k.write(va, new Uint8Array(1))));
      isBad(caught(() => k.translate(va)));
      isBad(caught(() => k.isRegistered(va)));
      isBad(caught(() => k.handlePageFault(a.pid, va, ACCESS_READ)));
    }
    expectSameSnapshot(k.snapshot(), before);
    expect(events.every((e) => e.type === 'fault' && e.resolution === 'segv')).toBe(true);
    expect(events).toContainEqual({ type: 'fault', pid: a.pid, va: end + PAGE, access: 'write', resolution: 'segv' });
  });

  it('errors name high addresses in full', () => {
    const k = boot(makeModel);
    const a = k.spawn();
    k.register(HIGH);
    const unmapped = caught(() => k.write(HIGH + 3 * PAGE + 5, new Uint8Array(1)));
    expect(NotMappedError.isInstance(unmapped)).toBe(true);
    expect(unmapped).toMatchObject({ pid: a.pid, va: HIGH + 3 * PAGE + 5 });
    expect((unmapped as Error).message).toContain(`0x${(HIGH + 3 * PAGE + 5).toString(16)}`);
    const again = caught(() => k.register(HIGH + 8));
    expect(AlreadyMappedError.isInstance(again)).toBe(true);
    expect((again as Error).message).toContain(`0x${(HIGH + 8).toString(16)}`);
  });
});

describe.each(MODELS)('word-wise 64-bit access (load64Words / store64Words) on $name', ({ make: makeModel }) => {
  it('agrees with the bigint path in one page and across a page boundary', () => {
    const k = boot(makeModel);
    k.spawn();
    k.register(VA);
    k.register(VA + PAGE);
    for (const va of [VA + 8, VA + PAGE - 3]) {
      expect(k.store64Words(va, 0x05060708, 0x01020304)).toBe(0);
      expect(k.load64(va)).toBe(0x0102030405060708n);
      expect(k.store64(va, 0xfffffffe_80000001n)).toBe(0);
      expect(k.load64Words(va)).toBe(0x80000001);
      expect(k.high).toBe(0xfffffffe);
      expect(k.status).toBe(0);
    }
  });

  it('resolves faults like store64: zero-fill on the first write, copy-on-write after a fork', () => {
    const k = boot(makeModel);
    const parent = k.spawn();
    k.register(VA);
    expect(k.load64Words(VA)).toBe(0);
    expect(k.high).toBe(0);
    expect(k.store64Words(VA, 7, 9)).toBe(0);
    const child = k.fork();
    k.switchTo(child.pid);
    expect(k.store64Words(VA, 1, 2)).toBe(0);
    expect(pfnOf(k, VA, child.pid)).not.toBe(pfnOf(k, VA, parent.pid));
    k.switchTo(parent.pid);
    expect(k.load64Words(VA)).toBe(7);
    expect(k.high).toBe(9);
  });

  it('refuses an unregistered page with SEGV_MAPERR and changes nothing; bad words throw before any change', () => {
    const k = boot(makeModel);
    k.spawn();
    k.register(VA);
    expect(k.store64Words(VA, 0x11223344, 0x55667788)).toBe(0);
    const free = k.frames.freeCount;
    expect(k.store64Words(VA + PAGE, 1, 2)).toBe(SEGV_MAPERR);
    expect(k.load64Words(VA + PAGE)).toBe(SEGV_MAPERR);
    expect(k.status).toBe(SEGV_MAPERR);
    for (const [lo, hi] of [[-1, 0], [0, 2 ** 32], [0.5, 0], [0, Number.NaN]] as const) {
      expect(caught(() => k.store64Words(VA, lo, hi))).toBeInstanceOf(InvalidArgumentError);
    }
    expect(caught(() => k.store64Words(VA, '1' as unknown as number, 0))).toBeInstanceOf(InvalidArgumentError);
    expect(k.frames.freeCount).toBe(free);
    expect(k.load64(VA)).toBe(0x5566778811223344n);
  });
});

describe.each(MODELS)('the prechecked word-wise entries (store64WordsPrechecked / load64WordsPrechecked) on $name', ({ make: makeModel }) => {
  /** The same program through the checked and the prechecked entries: results, events, stats and machine. */
  function run(prechecked: boolean): { results: number[]; events: KernelEvent[]; k: ReturnType<typeof boot> } {
    const k = boot(makeModel);
    const events: KernelEvent[] = [];
    k.on((e) => events.push(e));
    const store = (va: number, lo: number, hi: number): number => (prechecked ? k.store64WordsPrechecked(va, lo, hi) : k.store64Words(va, lo, hi));
    const load = (va: number): number => (prechecked ? k.load64WordsPrechecked(va) : k.load64Words(va));
    const results: number[] = [];
    const parent = k.spawn();
    k.register(VA);
    k.register(VA + PAGE);
    results.push(load(VA + 8), k.high); // zero page
    results.push(store(VA + 8, 0x89abcdef, 0x01234567)); // zero-fill
    results.push(load(VA + 8), k.high);
    const child = k.fork();
    k.switchTo(child.pid);
    results.push(load(VA + 8), k.high); // shared, read-only
    results.push(store(VA + 8, 5, 6)); // COW copy
    results.push(store(VA + PAGE + 16, 0xffffffff, 0xffffffff)); // zero-fill of the second page
    k.switchTo(parent.pid);
    results.push(load(VA + 8), k.high, store(VA + 8, 7, 8)); // the parent's frame, now its alone: reuse
    results.push(k.status);
    return { results, events, k };
  }

  it('resolve, count and report every fault exactly as the checked entries do', () => {
    const checked = run(false);
    const fast = run(true);
    expect(fast.results).toEqual(checked.results);
    expect(fast.events).toEqual(checked.events);
    expect(fast.k.stats()).toEqual(checked.k.stats());
    expectSameSnapshot(fast.k.snapshot(), checked.k.snapshot());
    expect(fast.events.filter((e) => e.type === 'fault').map((e) => e.type === 'fault' && e.resolution))
      .toEqual(['zero-fill', 'cow-copy', 'zero-fill', 'cow-reuse']);
  });

  it('store the words where load64 finds them, and read back what store64 wrote', () => {
    const k = boot(makeModel);
    k.spawn();
    k.register(VA);
    expect(k.store64WordsPrechecked(VA + 24, 0x05060708, 0x01020304)).toBe(0);
    expect(k.load64(VA + 24)).toBe(0x0102030405060708n);
    expect(k.store64(VA + 32, 0xfffffffe_80000001n)).toBe(0);
    expect(k.load64WordsPrechecked(VA + 32)).toBe(0x80000001);
    expect(k.high).toBe(0xfffffffe);
    expect(k.status).toBe(0);
  });
});
