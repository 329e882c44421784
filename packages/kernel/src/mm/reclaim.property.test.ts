// Property test of reclaim: random fork, write, read, munmap, mmap, exit and spawn over anonymous pages and a
// shared file mapping, with a small machine-wide limit and a small swap area, under several policies: after every
// step the invariant sweep holds (reclaim's books included) and every byte read equals a plain reference model;
// OOM kills (swap full, nothing evictable) remove the process from the model; at the end, with every process
// gone, no frame, slot, swap-cache entry or tracked frame is left, and the file holds what the model says.

import fc from 'fast-check';
import type { PolicyName } from '@vmsim/replacement';
import { describe, expect, it } from 'vitest';
import { ERR_OOM_KILLED } from '../codes.js';
import { OomKilledError } from '../errors.js';
import { O_CREAT, O_RDWR } from '../fs/file-store.js';
import { boot, PAGE, VA } from '../testing/kernel-helpers.js';
import { MODELS } from '../testing/models.js';
import { MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, MAP_SHARED, PROT_READ, PROT_WRITE } from './vma.js';

const RW = PROT_READ | PROT_WRITE;
const ANON_PAGES = 6;
const FILE_PAGES = 2;
const FVA = VA + 0x100000;

type Op =
  | { kind: 'write'; who: number; file: boolean; page: number; slot: number; value: number }
  | { kind: 'read'; who: number; file: boolean; page: number; slot: number }
  | { kind: 'fork'; who: number }
  | { kind: 'exit'; who: number }
  | { kind: 'munmap'; who: number; page: number }
  | { kind: 'mmap'; who: number; page: number }
  | { kind: 'spawn' };

const who = fc.integer({ min: 0, max: 7 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('write' as const), who, file: fc.boolean(), page: fc.integer({ min: 0, max: ANON_PAGES - 1 }), slot: fc.integer({ min: 0, max: 3 }), value: fc.integer({ min: 1, max: 0x7fffffff }) }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('read' as const), who, file: fc.boolean(), page: fc.integer({ min: 0, max: ANON_PAGES - 1 }), slot: fc.integer({ min: 0, max: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('fork' as const), who }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('exit' as const), who }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('munmap' as const), who, page: fc.integer({ min: 0, max: ANON_PAGES - 1 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('mmap' as const), who, page: fc.integer({ min: 0, max: ANON_PAGES - 1 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'spawn' as const }) },
);

// Always run first (fast-check `examples`), so the coverage checks at the end cannot depend on the random draw: at a
// limit of one page and two swap slots it evicts an anonymous page (1), swaps it back in (2), evicts a dirty file
// page (4) and, with both slots taken and only one page resident, OOM-kills the only process (6), whatever the policy.
const COVERING: Op[] = [
  { kind: 'write', who: 0, file: false, page: 0, slot: 0, value: 11 },
  { kind: 'write', who: 0, file: false, page: 1, slot: 1, value: 22 },
  { kind: 'read', who: 0, file: false, page: 0, slot: 0 },
  { kind: 'write', who: 0, file: true, page: 0, slot: 2, value: 33 },
  { kind: 'read', who: 0, file: true, page: 1, slot: 3 },
  { kind: 'write', who: 0, file: false, page: 2, slot: 0, value: 44 },
  { kind: 'write', who: 0, file: false, page: 3, slot: 0, value: 55 },
];

interface ModelProcess {
  /** Anonymous words by address (absent: zero). */
  anon: Map<number, number>;
  /** Anonymous pages mapped. */
  mapped: Set<number>;
}

describe.each(MODELS)('reclaim under random operations on $name', ({ make }) => {
  it.each(['fifo', 'lru', 'clock', 'arc', 'random'] as const)('%s: invariants, contents and no leaks (property)', (policy: PolicyName) => {
    // What the runs went through, so the property is known to have exercised eviction, swap-in and OOM kills.
    const seen = { evictions: 0, fileEvictions: 0, swapIns: 0, oomKills: 0 };
    fc.assert(
      fc.property(fc.array(op, { minLength: 10, maxLength: 60, size: 'max' }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 5 }), (ops, limit, swapSlots) => {
        const k = boot(make, { swapSlots, reclaim: { policy, limit } });
        const model = new Map<number, ModelProcess>();
        const file = new Map<number, number>();
        k.on((e) => {
          if (e.type === 'oom-kill') model.delete(e.pid);
          if (e.type === 'evict') seen[e.to === 'file' ? 'fileEvictions' : 'evictions']++;
          if (e.type === 'swap-in') seen.swapIns++;
          if (e.type === 'oom-kill') seen.oomKills++;
        });
        k.createFile('f', new Uint8Array(FILE_PAGES * PAGE));
        const spawn = (): void => {
          const p = k.spawn();
          k.switchTo(p.pid);
          k.mmap(VA, ANON_PAGES * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
          k.mmap(FVA, FILE_PAGES * PAGE, RW, MAP_SHARED | MAP_FIXED, k.open('f', O_RDWR | O_CREAT), 0);
          model.set(p.pid, { anon: new Map(), mapped: new Set(Array.from({ length: ANON_PAGES }, (_, i) => i)) });
        };
        spawn();
        const pick = (n: number): number | undefined => {
          const pids = [...model.keys()].sort((a, b) => a - b);
          return pids.length === 0 ? undefined : pids[n % pids.length];
        };
        for (const o of ops) {
          if (o.kind === 'spawn') {
            spawn();
            k.checkInvariants();
            continue;
          }
          const pid = pick(o.who);
          if (pid === undefined) continue;
          const m = model.get(pid)!;
          if (o.kind === 'write' || o.kind === 'read') {
            const page = o.file ? o.page % FILE_PAGES : o.page;
            const va = (o.file ? FVA : VA) + page * PAGE + o.slot * 4;
            k.switchTo(pid);
            if (!o.file && !m.mapped.has(page)) {
              expect(o.kind === 'write' ? k.store(va, 4, 1) : k.load(va, 4)).toBe(-1); // SEGV_MAPERR
              k.takeSignal(pid);
            } else if (o.kind === 'write') {
              const r = k.store(va, 4, o.value);
              if (r === ERR_OOM_KILLED) {
                expect(model.has(pid)).toBe(false);
              } else {
                expect(r).toBe(0);
                (o.file ? file : m.anon).set(va, o.value);
              }
            } else {
              const r = k.load(va, 4);
              if (r === ERR_OOM_KILLED) expect(model.has(pid)).toBe(false);
              else expect(r).toBe((o.file ? file : m.anon).get(va) ?? 0);
            }
          } else if (o.kind === 'fork') {
            try {
              const child = k.fork(pid);
              model.set(child.pid, { anon: new Map(m.anon), mapped: new Set(m.mapped) });
            } catch (e) {
              expect(e).toBeInstanceOf(OomKilledError);
              expect(model.has(pid)).toBe(false);
            }
          } else if (o.kind === 'exit') {
            k.kill(pid);
            model.delete(pid);
          } else if (o.kind === 'munmap') {
            k.munmap(VA + o.page * PAGE, PAGE, pid);
            m.mapped.delete(o.page);
            for (const va of [...m.anon.keys()]) if (va >= VA + o.page * PAGE && va < VA + (o.page + 1) * PAGE) m.anon.delete(va);
          } else {
            k.mmap(VA + o.page * PAGE, PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0, pid);
            m.mapped.add(o.page);
            for (const va of [...m.anon.keys()]) if (va >= VA + o.page * PAGE && va < VA + (o.page + 1) * PAGE) m.anon.delete(va);
          }
          k.checkInvariants();
          // every live process of the model is live in the kernel, with the same contents
          expect(k.processes().map((p) => p.pid).sort((a, b) => a - b)).toEqual([...model.keys()].sort((a, b) => a - b));
          expect(k.reclaimStats().resident).toBeLessThanOrEqual(limit);
        }
        for (const [pid, m] of model) {
          for (const [va, value] of m.anon) expect(k.copyin(pid, va, 4)).toEqual(Uint8Array.of(value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, value >>> 24));
        }
        for (const p of k.processes()) k.kill(p.pid);
        k.checkInvariants();
        expect(k.stats().frames).toMatchObject({ used: 1, data: 0, pageTables: 0 });
        expect(k.swapStats()).toMatchObject({ slotsUsed: 0, swapCached: 0 });
        expect(k.reclaimStats().resident).toBe(0);
        const disk = k.fileDisk('f');
        const view = new DataView(disk.buffer, disk.byteOffset, disk.byteLength);
        for (const [va, value] of file) expect(view.getUint32(va - FVA, true)).toBe(value);
      }),
      { numRuns: 20, examples: [[COVERING, 1, 2]] },
    );
    expect(seen.evictions).toBeGreaterThan(0);
    expect(seen.fileEvictions).toBeGreaterThan(0);
    expect(seen.swapIns).toBeGreaterThan(0);
    expect(seen.oomKills).toBeGreaterThan(0);
  });
});
