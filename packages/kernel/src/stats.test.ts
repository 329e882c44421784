import {
  ACCESS_READ,
} from '@vmsim/hw';
import { describe, expect, it } from 'vitest';
import { HEAP_START } from './mm/layout.js';
import { MODELS, tablesFor } from './testing/models.js';
import { PAGE, REGION, VA, HOLE, boot, processStats } from './testing/kernel-helpers.js';

describe.each(MODELS)('stats on $name', ({ make: makeModel }) => {
  it('frames: total, free, used, pageTables, data and zero follow every operation', () => {
    const k = boot(makeModel);
    const tables = tablesFor(k.model, [VA, VA + REGION]);
    const check = (): void => {
      const f = k.stats().frames;
      expect(f.total).toBe(256);
      expect(f.used + f.free).toBe(f.total);
      expect(f.used).toBe(f.pageTables + f.data + f.zero);
      expect(f.free).toBe(k.frames.freeCount);
      let tables = 0;
      for (const p of k.processes()) tables += k.pageTables(p.pid).length;
      expect(f.pageTables).toBe(tables);
      const dataFrames = new Set<number>();
      for (const p of k.processes()) for (const m of k.mappings(p.pid)) if (!m.zeroPage) dataFrames.add(m.pfn);
      expect(f.data).toBe(dataFrames.size);
      expect(f.zero).toBe(1);
    };
    check();
    const a = k.spawn();
    check();
    expect(k.stats().frames).toMatchObject({ pageTables: 1, data: 0 });
    k.register(VA);
    k.register(VA + REGION);
    check();
    expect(k.stats().frames).toMatchObject({ pageTables: tables, data: 0 });
    k.store(VA, 4, 1);
    check();
    expect(k.stats().frames.data).toBe(1);
    const c = k.fork();
    check();
    expect(k.stats().frames).toMatchObject({ pageTables: 2 * tables, data: 1 });
    k.switchTo(c.pid);
    k.store(VA, 4, 2);
    k.store(VA + REGION, 4, 2);
    check();
    expect(k.stats().frames.data).toBe(3);
    k.kill(a.pid);
    check();
    expect(k.stats().frames).toMatchObject({ pageTables: tables, data: 2 });
  });

  it('per process: resident, shared, zeroMapped, pageTables, regions, state', () => {
    const k = boot(makeModel);
    const a = k.spawn();
    const pages = Array.from({ length: 5 }, (_, i) => VA + i * PAGE);
    const tables = tablesFor(k.model, pages);
    expect(tables).toBe(k.model.levels);
    for (const va of pages) k.register(va);
    for (let i = 0; i < 3; i++) k.store(VA + i * PAGE, 1, 1);
    expect(processStats(k, a.pid)).toEqual({
      pid: a.pid, parentPid: -1, state: 'running', resident: 3, shared: 0, zeroMapped: 2, pageTables: tables, regions: 1,
      private: 3, virtualBytes: 5 * PAGE, brk: HEAP_START, startBrk: HEAP_START,
    });
    const c = k.fork();
    expect(processStats(k, a.pid)).toMatchObject({ resident: 3, shared: 3, zeroMapped: 2 });
    expect(processStats(k, c.pid)).toEqual({
      pid: c.pid, parentPid: a.pid, state: 'sleeping', resident: 3, shared: 3, zeroMapped: 2, pageTables: tables, regions: 1,
      private: 0, virtualBytes: 5 * PAGE, brk: HEAP_START, startBrk: HEAP_START,
    });
    k.switchTo(c.pid);
    k.store(VA, 1, 2); // COW copy
    k.store(VA + 4 * PAGE, 1, 2); // zero-fill
    expect(processStats(k, c.pid)).toMatchObject({ resident: 4, shared: 2, zeroMapped: 1, state: 'running' });
    expect(processStats(k, a.pid)).toMatchObject({ resident: 3, shared: 2, zeroMapped: 2, state: 'sleeping' });
    k.kill(c.pid);
    expect(processStats(k, c.pid)).toMatchObject({ state: 'terminated', resident: 0, shared: 0, zeroMapped: 0, pageTables: 0, regions: 0 });
    expect(processStats(k, a.pid)).toMatchObject({ resident: 3, shared: 0 });
  });

  it('faults by kind', () => {
    const k = boot(makeModel);
    const a = k.spawn();
    k.register(VA);
    k.register(VA + PAGE);
    const f0 = k.stats().faults;
    expect(f0).toEqual({ zeroFill: 0, zeroMap: 0, cowCopy: 0, cowReuse: 0, sharedWrite: 0, sharedMap: 0, spurious: 0, segfault: 0, sigbus: 0, oom: 0, fileMap: 0, fileCopy: 0 });
    k.store(VA, 1, 1);
    k.store(VA + PAGE, 1, 1);
    const c = k.fork();
    k.store(VA, 1, 2); // copy: the child still shares
    k.kill(c.pid);
    k.store(VA + PAGE, 1, 2); // reuse: the child is gone
    k.store(HOLE, 1, 1);
    k.load(HOLE, 1);
    k.handlePageFault(a.pid, VA, ACCESS_READ);
    expect(k.stats().faults).toEqual({ zeroFill: 2, zeroMap: 0, cowCopy: 1, cowReuse: 1, sharedWrite: 0, sharedMap: 0, spurious: 1, segfault: 2, sigbus: 0, oom: 0, fileMap: 0, fileCopy: 0 });
  });

  it('TLB: a repeated load hits, a new page misses, flushes are counted', () => {
    const k = boot(makeModel);
    const a = k.spawn();
    const b = k.spawn();
    k.register(VA);
    k.register(VA + PAGE);
    k.load(VA, 4);
    const t0 = k.stats().tlb;
    k.load(VA + 4, 4);
    k.load(VA + 8, 4);
    const t1 = k.stats().tlb;
    expect(t1.hits).toBe(t0.hits + 2);
    expect(t1.misses).toBe(t0.misses);
    k.load(VA + PAGE, 4);
    const t2 = k.stats().tlb;
    expect(t2.misses).toBe(t1.misses + 1);
    expect(t2.hits).toBe(t1.hits);
    expect(t2.entries).toBe(k.mmu.tlb.entries);
    k.store(VA, 4, 1);
    k.fork(a.pid); // downgrades a's written page: a flush
    expect(k.stats().tlb.flushes).toBeGreaterThan(t2.flushes);
    const t3 = k.stats().tlb;
    k.kill(b.pid);
    k.switchTo(a.pid);
    expect(k.stats().tlb.flushes).toBeGreaterThanOrEqual(t3.flushes);
  });

  it('reports the model', () => {
    const k = boot(makeModel);
    const s = k.stats();
    const model = makeModel();
    expect(s.model).toBe(model.name);
    expect(s.levels).toBe(model.levels);
    expect(s.levels).toBe(model.indexBits.length);
    expect(s.pageSize).toBe(PAGE);
    expect(s.processes).toEqual([]);
  });
});
