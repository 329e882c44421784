import {
  PTE_W,
} from '@vmsim/hw';
import { describe, expect, it } from 'vitest';
import { NoSuchProcessError } from '../errors.js';
import { FRAME_TABLE } from '../mm/frame-allocator.js';
import { ERR_NO_PROCESS } from '../codes.js';
import { PTE_COW } from '../fault/wp-page.js';
import { Kernel } from '../kernel.js';
import { MODELS, tablesFor } from '../testing/models.js';
import { caught } from '../testing/assertions.js';
import { PAGE, REGION, VA, boot, tablesOf, pfnOf, processStats } from '../testing/kernel-helpers.js';

describe.each(MODELS)('processes on $name', ({ make: makeModel }) => {
  it('spawn: the first process runs and owns the MMU; later ones sleep; no parent', () => {
    const k = boot(makeModel);
    expect(k.current).toBeNull();
    const a = k.spawn();
    expect(k.current).toBe(a);
    expect(a.state).toBe('running');
    expect(a.parentPid).toBe(-1);
    expect(k.mmu.rootPfn).toBe(a.space!.rootPfn);
    expect(k.frames.kindOf(a.space!.rootPfn)).toBe(FRAME_TABLE);
    const b = k.spawn();
    expect(b.state).toBe('sleeping');
    expect(k.current).toBe(a);
    expect(b.pid).not.toBe(a.pid);
    expect(b.space!.rootPfn).not.toBe(a.space!.rootPfn);
    expect(k.processes()).toEqual([a, b]);
    expect(k.process(b.pid)).toBe(b);
  });

  it('pids are unique and never reused, whatever is killed', () => {
    const k = boot(makeModel, { checkInvariants: false });
    const seen = new Set<number>();
    const note = (pid: number): void => {
      expect(seen.has(pid)).toBe(false);
      seen.add(pid);
    };
    const first = k.spawn();
    note(first.pid);
    for (let round = 0; round < 20; round++) {
      const c = k.fork(first.pid);
      note(c.pid);
      const g = k.fork(c.pid);
      note(g.pid);
      const s = k.spawn();
      note(s.pid);
      k.kill(c.pid);
      k.kill(s.pid);
      if (round % 2 === 0) k.kill(g.pid);
    }
    expect(seen.size).toBe(61);
    k.checkInvariants();
  });

  it('states: running, sleeping, terminated; sleep stops the access path until the process runs again', () => {
    const k = boot(makeModel);
    const a = k.spawn();
    const b = k.spawn();
    k.register(VA);
    expect(k.store(VA, 4, 5)).toBe(0);
    k.switchTo(b.pid);
    expect([a.state, b.state]).toEqual(['sleeping', 'running']);
    k.switchTo(a.pid);
    expect([a.state, b.state]).toEqual(['running', 'sleeping']);
    k.sleep();
    expect(a.state).toBe('sleeping');
    expect(k.current).toBe(a);
    expect(k.load(VA, 4)).toBe(ERR_NO_PROCESS);
    expect(k.status).toBe(ERR_NO_PROCESS);
    expect(k.store(VA, 4, 1)).toBe(ERR_NO_PROCESS);
    expect(k.load64(VA)).toBe(0n);
    expect(k.status).toBe(ERR_NO_PROCESS);
    expect(k.store64(VA, 1n)).toBe(ERR_NO_PROCESS);
    expect(NoSuchProcessError.isInstance(caught(() => k.read(VA, 1)))).toBe(true);
    expect(NoSuchProcessError.isInstance(caught(() => k.write(VA, new Uint8Array(1))))).toBe(true);
    k.switchTo(a.pid);
    expect(a.state).toBe('running');
    expect(k.load(VA, 4)).toBe(5);
    expect(k.status).toBe(0);
    k.kill(b.pid);
    expect(b.state).toBe('terminated');
    expect(b.space).toBeNull();
    expect(k.processes()).toEqual([a]);
    expect(k.process(b.pid)).toBe(b);
  });

  it('killing the running process leaves none running; the next spawn runs', () => {
    const k = boot(makeModel);
    const a = k.spawn();
    k.register(VA);
    k.store(VA, 4, 1);
    const asid = a.space!.asid;
    expect(k.mmu.tlb.validEntries().some((e) => e.asid === asid)).toBe(true);
    k.kill();
    // No translation of the dead process survives, since its frames are free now.
    expect(k.mmu.tlb.validEntries().filter((e) => e.asid === asid)).toEqual([]);
    expect(a.state).toBe('terminated');
    expect(k.current).toBeNull();
    expect(k.load(VA, 1)).toBe(ERR_NO_PROCESS);
    expect(NoSuchProcessError.isInstance(caught(() => k.fork()))).toBe(true);
    const b = k.spawn();
    expect(k.current).toBe(b);
    expect(b.state).toBe('running');
    expect(k.mmu.rootPfn).toBe(b.space!.rootPfn);
  });

  it('fork links the child to its parent, leaves it sleeping and the parent running', () => {
    const k = boot(makeModel);
    const a = k.spawn();
    const c = k.fork();
    const g = k.fork(c.pid);
    expect(c.parentPid).toBe(a.pid);
    expect(g.parentPid).toBe(c.pid);
    expect(c.state).toBe('sleeping');
    expect(g.state).toBe('sleeping');
    expect(k.current).toBe(a);
    expect(a.state).toBe('running');
    expect(processStats(k, g.pid).parentPid).toBe(c.pid);
  });

  it('fork: own table frames, same data frames, both sides read-only with PTE_COW, refcounts up, nothing copied', () => {
    const k = boot(makeModel);
    const a = k.spawn();
    const written = [VA, VA + PAGE, VA + 5 * REGION];
    for (const va of [...written, VA + 2 * PAGE]) k.register(va);
    for (const va of written) expect(k.store(va, 4, va >>> 12)).toBe(0);
    const before = k.stats().frames;
    const parentTables = tablesOf(k, a.pid);
    const parentMappings = k.mappings(a.pid);
    expect(parentMappings.filter((m) => !m.zeroPage).every((m) => (m.flags & PTE_W) !== 0 && !m.cow)).toBe(true);

    const c = k.fork();
    const after = k.stats().frames;
    const childTables = tablesOf(k, c.pid);
    expect(childTables).toHaveLength(parentTables.length);
    expect(childTables.filter((t) => parentTables.includes(t))).toEqual([]);
    expect(after.pageTables).toBe(before.pageTables + parentTables.length);
    expect(after.free).toBe(before.free - parentTables.length);
    expect(after.data).toBe(before.data);
    for (const t of childTables) expect(k.frames.kindOf(t)).toBe(FRAME_TABLE);

    const pm = k.mappings(a.pid);
    const cm = k.mappings(c.pid);
    expect(cm.map((m) => [m.va, m.pfn])).toEqual(parentMappings.map((m) => [m.va, m.pfn]));
    expect(pm.map((m) => [m.va, m.pfn])).toEqual(parentMappings.map((m) => [m.va, m.pfn]));
    for (const side of [pm, cm]) {
      for (const m of side) {
        expect(m.flags & PTE_W).toBe(0);
        if (m.zeroPage) {
          expect(m.cow).toBe(false);
        } else {
          expect(m.cow).toBe(true);
          expect(m.flags & PTE_COW).toBe(PTE_COW);
          expect(m.refCount).toBe(2);
          expect(k.frames.refCount(m.pfn)).toBe(2);
        }
      }
    }
    // The bytes are the same through both address spaces.
    for (const va of written) expect(Array.from(k.copyin(c.pid, va, 4))).toEqual(Array.from(k.copyin(a.pid, va, 4)));
  });

  it('fork of zero-mapped pages only adds references to the zero page', () => {
    const k = boot(makeModel);
    k.spawn();
    for (let i = 0; i < 5; i++) k.register(VA + i * PAGE);
    const zeroRefs = k.frames.refCount(k.zeroPfn);
    const data = k.stats().frames.data;
    const c = k.fork();
    expect(k.frames.refCount(k.zeroPfn)).toBe(zeroRefs + 5);
    expect(k.stats().frames.data).toBe(data);
    expect(k.mappings(c.pid).every((m) => m.zeroPage && !m.cow && (m.flags & PTE_W) === 0)).toBe(true);
  });

  it('forking a page that is already COW keeps it COW in every sharer; the last writer reuses it', () => {
    const k = boot(makeModel);
    const a = k.spawn();
    k.register(VA);
    k.store(VA, 4, 0xabc);
    const frame = pfnOf(k, VA, a.pid);
    const c1 = k.fork();
    const c2 = k.fork(); // the parent's page is already COW
    const c3 = k.fork(c1.pid); // and so is the child's
    for (const pid of [a.pid, c1.pid, c2.pid, c3.pid]) {
      const [m] = k.mappings(pid);
      expect(m).toMatchObject({ va: VA, pfn: frame, cow: true, refCount: 4 });
      expect(m!.flags & PTE_W).toBe(0);
    }
    const order = [c2, a, c3, c1];
    const copies = k.stats().faults.cowCopy;
    order.forEach((p, i) => {
      k.switchTo(p.pid);
      expect(k.load(VA, 4)).toBe(0xabc);
      expect(k.store(VA, 4, p.pid + 100)).toBe(0);
      const last = i === order.length - 1;
      expect(pfnOf(k, VA, p.pid) === frame).toBe(last);
      expect(k.frames.refCount(frame)).toBe(last ? 1 : 3 - i);
      expect(k.mappings(p.pid)[0]!.cow).toBe(false);
    });
    expect(k.stats().faults.cowCopy).toBe(copies + 3);
    for (const p of order) expect(Array.from(k.copyin(p.pid, VA, 1))).toEqual([p.pid + 100]);
  });

  it('kill returns every frame: data at refcount 0, tables, root; shared frames only lose a reference', () => {
    const k = boot(makeModel);
    const baseline = k.stats().frames;
    const a = k.spawn();
    k.register(VA);
    k.register(VA + 3 * REGION);
    k.store(VA, 4, 1);
    k.store(VA + 3 * REGION, 4, 2);
    const shared = pfnOf(k, VA, a.pid);
    const c = k.fork();
    k.switchTo(c.pid);
    k.store(VA + 3 * REGION, 4, 3); // the child's own copy
    const own = pfnOf(k, VA + 3 * REGION, c.pid);
    const childTables = tablesOf(k, c.pid);
    const withChild = k.stats().frames;
    k.kill(c.pid);
    expect(k.frames.isFree(own)).toBe(true);
    for (const t of childTables) expect(k.frames.isFree(t)).toBe(true);
    expect(k.frames.refCount(shared)).toBe(1);
    expect(k.stats().frames.free).toBe(withChild.free + 1 + childTables.length);
    const parentTables = tablesOf(k, a.pid);
    k.kill(a.pid);
    expect(k.frames.isFree(shared)).toBe(true);
    for (const t of parentTables) expect(k.frames.isFree(t)).toBe(true);
    expect(k.stats().frames).toEqual(baseline);
    expect(k.frames.refCount(k.zeroPfn)).toBe(1);
  });

  it('300 sharers of one frame: refcount 301, then kills and writes bring it back to 1 and free the copies', () => {
    // Each child has tables of its own for VA.
    const k = new Kernel({ model: makeModel(), ramBytes: (301 * tablesFor(makeModel(), [VA]) + 200) * PAGE });
    const a = k.spawn();
    k.register(VA);
    k.store(VA, 4, 0x5eed);
    const frame = pfnOf(k, VA, a.pid);
    const baseline = k.stats().frames;
    const children = Array.from({ length: 300 }, () => k.fork());
    expect(k.frames.refCount(frame)).toBe(301);
    expect(k.mappings(children[299]!.pid)[0]).toMatchObject({ pfn: frame, refCount: 301, cow: true });
    for (const c of children.slice(0, 150)) k.kill(c.pid);
    expect(k.frames.refCount(frame)).toBe(151);
    let refs = 151;
    for (const c of children.slice(150)) {
      k.switchTo(c.pid);
      expect(k.load(VA, 4)).toBe(0x5eed);
      expect(k.store(VA, 4, c.pid)).toBe(0);
      refs--;
      expect(k.frames.refCount(frame)).toBe(refs);
      expect(pfnOf(k, VA, c.pid)).not.toBe(frame);
    }
    expect(refs).toBe(1);
    k.switchTo(a.pid);
    const reuse = k.stats().faults.cowReuse;
    expect(k.store(VA, 4, 1)).toBe(0);
    expect(k.stats().faults.cowReuse).toBe(reuse + 1);
    expect(pfnOf(k, VA, a.pid)).toBe(frame);
    for (const c of children.slice(150)) {
      expect(Array.from(k.copyin(c.pid, VA, 2))).toEqual([c.pid & 0xff, c.pid >>> 8]);
      k.kill(c.pid);
    }
    expect(k.stats().frames).toEqual(baseline);
    k.checkInvariants();
  });
});
