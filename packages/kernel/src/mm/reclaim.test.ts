// Reclaim driven by a replacement policy, on every model: with a machine-wide limit the kernel evicts exactly
// the victims the policy alone names on the same reference string (fifo, lru, clock — the clock reading the
// real Accessed bits), with the same misses and writebacks; COW-shared victims are unmapped everywhere; dirty
// and clean pages (anonymous and file) are written back or dropped; RAM exhaustion reclaims before an
// operation changes anything; unreclaimable victims are set aside; the option is checked.

import fc from 'fast-check';
import { createPolicy, POLICY_NAMES, type PolicyName } from '@vmsim/replacement';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, InvalidOptionError, KernelInvariantError } from '../errors.js';
import type { KernelEvent } from '../events.js';
import { O_CREAT, O_RDWR } from '../fs/file-store.js';
import type { Kernel, KernelOptions } from '../kernel.js';
import { caught } from '../testing/assertions.js';
import { boot, PAGE, pfnOf, VA } from '../testing/kernel-helpers.js';
import { MODELS } from '../testing/models.js';
import type { PagePolicy } from './page-policy.js';
import { MAP_ANONYMOUS, MAP_FIXED, MAP_POPULATE, MAP_PRIVATE, MAP_SHARED, PROT_READ, PROT_WRITE } from './vma.js';

const RW = PROT_READ | PROT_WRITE;
const TEXTBOOK = [7, 0, 1, 2, 0, 3, 0, 4, 2, 3, 0, 3, 2, 1, 2, 0, 1, 7, 0, 1];

/** Records the page (index from VA) of every frame the kernel evicts, from its map and evict events. */
function victimLog(k: Kernel): { victims: number[]; events: KernelEvent[] } {
  const pageOf = new Map<number, number>();
  const victims: number[] = [];
  const events: KernelEvent[] = [];
  k.on((e) => {
    events.push(e);
    if (e.type === 'map') pageOf.set(e.pfn, (e.va - VA) / PAGE);
    if (e.type === 'evict') victims.push(pageOf.get(e.pfn)!);
  });
  return { victims, events };
}

/**
 * Runs `stream` (page indices, `writes[i]` a store) in one process; a page's first reference is made a write
 * (a first read would map the zero page, which is no frame of the policy's).
 */
function replay(k: Kernel, stream: readonly number[], writes: readonly boolean[]): boolean[] {
  const seen = new Set<number>();
  const effective: boolean[] = [];
  stream.forEach((page, i) => {
    const write = writes[i]! || !seen.has(page);
    seen.add(page);
    effective.push(write);
    const va = VA + page * PAGE;
    // Every other reference goes through the word-wise path (it knows the frame without a walk).
    if (write) expect(i % 2 === 0 ? k.store(va, 4, (page * 1000 + i) >>> 0) : k.store64Words(va, page * 1000 + i, 0)).toBe(0);
    else expect(i % 2 === 0 ? k.load(va, 4) : k.load64Words(va)).toBeGreaterThanOrEqual(0);
  });
  return effective;
}

describe.each(MODELS)('reclaim by policy on $name', ({ make }) => {
  const machine = (options: Partial<KernelOptions>): Kernel => boot(make, { swapSlots: 32, ...options });

  describe.each(['fifo', 'lru', 'clock'] as const)('%s with a limit', (name: PolicyName) => {
    const check = (stream: readonly number[], writes: readonly boolean[], limit: number): void => {
      const k = machine({ reclaim: { policy: name, limit } });
      k.spawn();
      k.mmap(VA, 16 * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
      const { victims } = victimLog(k);
      const effective = replay(k, stream, writes);
      const alone = createPolicy(name, { frames: limit, pageCount: 16 });
      const expected: number[] = [];
      stream.forEach((page, i) => {
        alone.access(page, effective[i]!);
        if (alone.lastVictim >= 0) expected.push(alone.lastVictim);
      });
      expect(victims).toEqual(expected);
      const s = k.reclaimStats();
      expect(s.evictions).toBe(alone.evictions);
      expect(s.writebacks).toBe(alone.writebacks);
      expect(k.stats().faults.zeroFill + s.majorFaults).toBe(alone.misses);
      expect(s.resident).toBe(Math.min(limit, new Set(stream).size));
      k.checkInvariants();
    };

    it('the textbook string with 3 frames evicts what the policy alone evicts', () => {
      check(TEXTBOOK, TEXTBOOK.map(() => false), 3);
    });

    it('random strings with random writes agree with the policy alone (property)', () => {
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 60 }),
          fc.array(fc.boolean(), { minLength: 60, maxLength: 60 }),
          fc.integer({ min: 1, max: 5 }),
          (stream, writes, limit) => check(stream, writes, limit),
        ),
        { numRuns: 12 },
      );
    });
  });

  it.each(POLICY_NAMES.filter((n) => n !== 'opt').map((n) => [n]))('%s drives reclaim: every value reads back, the books hold', (name) => {
    const k = machine({ reclaim: { policy: name, limit: 3, period: 4, tau: 6 } });
    const p = k.spawn();
    k.mmap(VA, 10 * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
    const values = new Map<number, number>();
    let x = 12345;
    for (let i = 0; i < 120; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      const page = (x >>> 16) % 10;
      const va = VA + page * PAGE;
      if (!values.has(page) || (x & 3) === 0) {
        expect(k.store(va, 4, i + 1)).toBe(0);
        values.set(page, i + 1);
      } else {
        expect(k.load(va, 4)).toBe(values.get(page));
      }
      expect(k.reclaimStats().resident).toBeLessThanOrEqual(3);
    }
    k.checkInvariants();
    expect(k.reclaimStats().evictions).toBeGreaterThan(0);
    k.kill(p.pid);
    expect(k.swapStats().slotsUsed).toBe(0);
    expect(k.reclaimStats().resident).toBe(0);
  });

  describe.each(['fifo', 'lru', 'clock'] as const)('%s over a shared file mapping (as a trace replay runs)', (name: PolicyName) => {
    it('hits, misses (major faults) and writebacks equal the policy alone, first references read or written (property)', () => {
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: 0, max: 11 }), { minLength: 1, maxLength: 80 }),
          fc.array(fc.boolean(), { minLength: 80, maxLength: 80 }),
          fc.integer({ min: 1, max: 6 }),
          (stream, writes, limit) => {
            const k = boot(make, { reclaim: { policy: name, limit } });
            k.spawn();
            k.createFile('trace', new Uint8Array(12 * PAGE));
            const at = k.mmap(0, 12 * PAGE, RW, MAP_SHARED, k.open('trace', O_RDWR), 0);
            const alone = createPolicy(name, { frames: limit, pageCount: 12 });
            stream.forEach((page, i) => {
              const va = at + page * PAGE + 8 * (i % 16);
              expect(writes[i] ? k.store(va, 4, i + 1) : k.load(va, 4)).toBeGreaterThanOrEqual(0);
              alone.access(page, writes[i]!);
            });
            const s = k.reclaimStats();
            expect(s.majorFaults).toBe(alone.misses);
            expect(s.evictions).toBe(alone.evictions);
            expect(s.writebacks).toBe(alone.writebacks);
            k.checkInvariants();
          },
        ),
        { numRuns: 15 },
      );
    });
  });

  it('a COW-shared victim is unmapped from every process and comes back shared', () => {
    const k = machine({ reclaim: { policy: 'fifo', limit: 2 } });
    const a = k.spawn();
    k.mmap(VA, 4 * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
    k.store(VA, 4, 11);
    const shared = pfnOf(k, VA, a.pid);
    const b = k.fork();
    expect(k.reverseMap(shared)).toHaveLength(2);
    const { events } = victimLog(k);
    k.store(VA + PAGE, 4, 22); // second frame: at the limit now
    k.store(VA + 2 * PAGE, 4, 33); // the oldest (the shared one) goes
    expect(events.filter((e) => e.type === 'evict')).toEqual([{ type: 'evict', pfn: shared, dirty: true, to: 'swap' }]);
    expect(k.translate(VA, a.pid)).toBeNull();
    expect(k.translate(VA, b.pid)).toBeNull();
    expect(k.swapStats().processes).toEqual([{ pid: a.pid, swapPages: 1 }, { pid: b.pid, swapPages: 1 }]);
    expect(k.load(VA, 4)).toBe(11); // a brings it back
    const back = pfnOf(k, VA, a.pid);
    expect(k.copyin(b.pid, VA, 4)).toEqual(Uint8Array.of(11, 0, 0, 0));
    k.switchTo(b.pid);
    expect(k.load(VA, 4)).toBe(11); // b finds it in the swap cache: one frame for both
    expect(pfnOf(k, VA, b.pid)).toBe(back);
    expect(k.swapStats().pswpin).toBe(1);
    expect(k.reclaimStats().resident).toBe(2);
  });

  it('a clean anonymous page with a good swap copy is dropped, a dirty one written', () => {
    const k = machine({ reclaim: { policy: 'fifo', limit: 1 } });
    k.spawn();
    k.mmap(VA, 4 * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
    const { events } = victimLog(k);
    k.store(VA, 4, 1);
    k.store(VA + PAGE, 4, 2); // VA out, written
    expect(k.load(VA, 4)).toBe(1); // VA in (clean), VA + PAGE out, written
    expect(k.load(VA + PAGE, 4)).toBe(2); // VA out clean: no write
    const evicts = events.filter((e) => e.type === 'evict').map((e) => (e.type === 'evict' ? e.dirty : null));
    expect(evicts).toEqual([true, true, false]);
    expect(k.reclaimStats()).toMatchObject({ evictions: 3, writebacks: 2, pswpout: 2, pswpin: 2, majorFaults: 2 });
    expect(k.reclaimStats()).toMatchObject({ minorFaults: 2, oomKills: 0, resident: 1, limit: 1, groups: [] }); // the two zero-fills
  });

  it('file pages: clean dropped, dirty written back to the file, re-read on a major fault', () => {
    const k = machine({ reclaim: { policy: 'fifo', limit: 1 } });
    k.spawn();
    const bytes = new Uint8Array(2 * PAGE);
    bytes[0] = 5;
    bytes[PAGE] = 6;
    k.createFile('f', bytes);
    const fd = k.open('f', O_RDWR | O_CREAT);
    const at = k.mmap(0, 2 * PAGE, RW, MAP_SHARED, fd, 0);
    const { events } = victimLog(k);
    expect(k.load(at, 1)).toBe(5); // page 0 read in (major)
    expect(k.load(at + PAGE, 1)).toBe(6); // page 0 dropped clean; page 1 read in
    expect(k.fileDisk('f')[0]).toBe(5);
    expect(k.store(at + PAGE, 1, 60)).toBe(0);
    expect(k.fileDisk('f')[PAGE]).toBe(6); // not yet written back
    expect(k.load(at, 1)).toBe(5); // page 1 evicted dirty: written back to the file
    expect(k.fileDisk('f')[PAGE]).toBe(60);
    expect(k.load(at + PAGE, 1)).toBe(60); // re-read from the file
    const evicts = events.filter((e) => e.type === 'evict');
    expect(evicts.map((e) => (e.type === 'evict' ? [e.dirty, e.to] : null))).toEqual([[false, 'file'], [true, 'file'], [false, 'file']]);
    expect(k.reclaimStats()).toMatchObject({ evictions: 3, writebacks: 1, majorFaults: 4, pswpout: 0 });
    expect(k.files()).toEqual([{ name: 'f', size: 2 * PAGE, cachedPages: 1, opens: 1 }]);
  });

  it('file pages are reclaimed without any swap', () => {
    const k = boot(make, { reclaim: { policy: 'lru', limit: 2 } });
    k.spawn();
    k.createFile('g', new Uint8Array(4 * PAGE).fill(9));
    const fd = k.open('g', O_RDWR);
    const at = k.mmap(0, 4 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
    for (let i = 0; i < 4; i++) expect(k.load(at + i * PAGE, 1)).toBe(9);
    expect(k.reclaimStats()).toMatchObject({ evictions: 2, writebacks: 0, resident: 2 });
  });

  it('RAM exhaustion reclaims before an operation needs frames (no limit)', () => {
    const k = boot(make, { ramBytes: 24 * PAGE, swapSlots: 64, reclaim: { policy: 'lru' } });
    k.spawn();
    k.mmap(VA, 40 * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
    for (let i = 0; i < 40; i++) expect(k.store(VA + i * PAGE, 4, i + 1)).toBe(0);
    for (let i = 0; i < 40; i++) expect(k.load(VA + i * PAGE, 4)).toBe(i + 1);
    const s = k.reclaimStats();
    expect(s.evictions).toBeGreaterThan(0);
    expect(s.oomKills).toBe(0);
    // a fork needs tables: reclaim makes room for them too
    const child = k.fork();
    expect(k.copyin(child.pid, VA + 39 * PAGE, 1)[0]).toBe(40);
  });

  it('a victim that cannot go now (no swap for an anonymous page) is set aside and the next one goes', () => {
    const k = boot(make, { reclaim: { policy: 'fifo', limit: 2 } });
    k.spawn();
    k.mmap(VA, PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
    k.createFile('h', new Uint8Array(3 * PAGE).fill(3));
    const at = k.mmap(0, 3 * PAGE, PROT_READ, MAP_PRIVATE, k.open('h', O_RDWR), 0);
    const anon = (k.store(VA, 4, 1), pfnOf(k, VA, 0));
    const { events } = victimLog(k);
    expect(k.load(at, 1)).toBe(3); // file page 0
    const f0 = pfnOf(k, at, 0);
    expect(k.load(at + PAGE, 1)).toBe(3); // victim: the anonymous page (no swap: set aside), then file page 0
    const f1 = pfnOf(k, at + PAGE, 0);
    expect(k.load(at + 2 * PAGE, 1)).toBe(3); // the anonymous page came back as newest: file page 1 goes
    expect(events.filter((e) => e.type === 'evict')).toEqual([
      { type: 'evict', pfn: f0, dirty: false, to: 'file' },
      { type: 'evict', pfn: f1, dirty: false, to: 'file' },
    ]);
    expect(k.translate(VA)?.pfn).toBe(anon);
    expect(k.load(VA, 4)).toBe(1);
  });

  it('checks the option', () => {
    expect(caught(() => boot(make, { reclaim: { policy: 'nope' as PolicyName } }))).toBeInstanceOf(InvalidOptionError);
    expect(caught(() => boot(make, { reclaim: { policy: 'opt' } }))).toBeInstanceOf(InvalidOptionError);
    expect(caught(() => boot(make, { reclaim: { policy: 'lru', limit: 0 } }))).toBeInstanceOf(InvalidOptionError);
    expect(caught(() => boot(make, { reclaim: { policy: 'lru', limit: 1e9 } }))).toBeInstanceOf(InvalidOptionError);
    expect(caught(() => boot(make, { reclaim: { policy: 'lru', oomKill: 1 as unknown as boolean } }))).toBeInstanceOf(InvalidOptionError);
    expect(caught(() => boot(make, { reclaim: { policy: 'aging', bits: 99 } }))).toBeInstanceOf(InvalidOptionError);
    expect(caught(() => boot(make, { reverseMap: false, reclaim: { policy: 'lru' } }))).toBeInstanceOf(InvalidOptionError);
    expect(caught(() => boot(make, { reclaim: { policy: { victim: () => -1 } as unknown as PagePolicy } }))).toBeInstanceOf(InvalidOptionError);
    const k = boot(make);
    k.spawn();
    expect(caught(() => k.setMemoryLimit(0, 4))).toBeInstanceOf(InvalidOptionError);
    const r = boot(make, { reclaim: { policy: 'lru' } });
    const p = r.spawn();
    expect(caught(() => r.setMemoryLimit(p.pid, 0))).toBeInstanceOf(InvalidArgumentError);
    expect(caught(() => r.setMemoryLimit(p.pid, 1.5))).toBeInstanceOf(InvalidArgumentError);
  });

  it("a caller's own PagePolicy gets loads, references and removals by pfn", () => {
    const log: string[] = [];
    const held: number[] = [];
    const own: PagePolicy = {
      wantsReferences: true,
      loaded(pfn, write) {
        held.push(pfn);
        log.push(`load ${write ? 'w' : 'r'}`);
      },
      touched(_pfn, write) {
        log.push(`touch ${write ? 'w' : 'r'}`);
      },
      victim() {
        log.push('victim');
        return held.shift() ?? -1;
      },
      removed(pfn) {
        held.splice(held.indexOf(pfn), 1);
        log.push('removed');
      },
    };
    const k = machine({ reclaim: { policy: own, limit: 1 } });
    k.spawn();
    k.mmap(VA, 4 * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
    k.store(VA, 4, 1); // load w (its own access is not reported again)
    k.load(VA, 4); // touch r
    k.store(VA + PAGE, 4, 2); // victim, load w
    k.munmap(VA + PAGE, PAGE); // removed
    expect(log).toEqual(['load w', 'touch r', 'victim', 'load w', 'removed']);
    expect(caught(() => k.setMemoryLimit(0, 2))).toBeInstanceOf(InvalidOptionError);
  });

  it('an access after MAP_POPULATE is a reference; only the access whose own fault loaded the frame is not', () => {
    const log: string[] = [];
    const own: PagePolicy = {
      wantsReferences: true,
      loaded: (pfn) => log.push(`load ${pfn}`),
      touched: (pfn) => log.push(`touch ${pfn}`),
      victim: () => -1,
      removed: (pfn) => log.push(`removed ${pfn}`),
    };
    const k = machine({ reclaim: { policy: own } });
    const p = k.spawn();
    k.mmap(VA, 2 * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_POPULATE);
    const [a, b] = [pfnOf(k, VA, p.pid), pfnOf(k, VA + PAGE, p.pid)];
    expect(k.load(VA, 4)).toBe(0);
    expect(k.load(VA + PAGE, 4)).toBe(0);
    k.write(VA + PAGE - 2, Uint8Array.of(1, 2, 3, 4)); // copyout across both pages
    expect(log).toEqual([`load ${a}`, `load ${b}`, `touch ${a}`, `touch ${b}`, `touch ${a}`, `touch ${b}`]);
  });

  it('a policy that names a frame it was never given is a kernel invariant error', () => {
    const k = machine({ reclaim: { policy: { wantsReferences: false, loaded() {}, touched() {}, victim: () => 0, removed() {} }, limit: 1 } });
    k.spawn();
    k.mmap(VA, 4 * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
    k.store(VA, 4, 1);
    expect(caught(() => k.store(VA + PAGE, 4, 2))).toBeInstanceOf(KernelInvariantError);
  });
});
