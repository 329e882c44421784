import {
  ACCESS_EXEC, ACCESS_READ, ACCESS_WRITE, permBit, PTE_A, PTE_D, PTE_R, PTE_U, PTE_V, PTE_W,
  type HardwareModel,
} from '@vmsim/hw';
import { describe, expect, it } from 'vitest';
import {
  AlreadyMappedError, InvalidAddressError, InvalidArgumentError, KernelInvariantError, NoSuchProcessError, NotMappedError,
} from './errors.js';
import type { KernelEvent } from './events.js';
import { FRAME_DATA, FRAME_TABLE, FRAME_ZERO } from './frame-allocator.js';
import {
  ERR_NO_PROCESS, Kernel, PTE_COW, SEGV_ACCERR, SEGV_MAPERR, VM_FAULT_COW_COPY, VM_FAULT_COW_REUSE, VM_FAULT_SPURIOUS,
  VM_FAULT_ZERO_FILL, type KernelOptions,
} from './kernel.js';
import { ASID_MODELS, lastTableSpan, levelSpan, MODELS, newTablesFor, tablesFor, userEnd, withAsidBits } from './testing/models.js';
import { MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE } from './vma.js';
import { caught, expectSameSnapshot } from './testing/assertions.js';

const PAGE = 4096;
/** Larger than the span of a last-level table on every model: VA + n * REGION for n > 0 needs a table of its own. */
const REGION = 4 * 1024 * 1024;
const VA = 0x10000000;
const HOLE = 0x20000000;

type ModelFactory = () => HardwareModel;

function boot(makeModel: ModelFactory, options: Partial<KernelOptions> = {}): Kernel {
  return new Kernel({ model: makeModel(), ramBytes: 256 * PAGE, checkInvariants: true, ...options });
}

function tablesOf(k: Kernel, pid: number): number[] {
  return k.pageTables(pid).map((t) => t.pfn);
}

/** The tables of `pid` below its root, from the top level down (one per level when one page is mapped). */
function belowRoot(k: Kernel, pid: number): number[] {
  return k.pageTables(pid).filter((t) => t.level > 0).sort((x, y) => x.level - y.level).map((t) => t.pfn);
}

function pfnOf(k: Kernel, va: number, pid: number): number {
  const t = k.translate(va, pid);
  if (t === null) throw new Error(`0x${va.toString(16)} is not mapped in pid ${pid}`);
  return t.pfn;
}

function processStats(k: Kernel, pid: number) {
  const s = k.stats().processes.find((p) => p.pid === pid);
  if (s === undefined) throw new Error(`no stats for pid ${pid}`);
  return s;
}

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

describe.each(ASID_MODELS)('switchTo, ASIDs and the TLB on $name', ({ make: makeModel }) => {
  const tagged = makeModel().asidBits > 0;

  it('loads the MMU root and ASID of the process it runs', () => {
    const k = boot(makeModel);
    const procs = [k.spawn(), k.spawn(), k.spawn()];
    const asids: number[] = [];
    for (const p of [...procs, ...procs]) {
      k.switchTo(p.pid);
      expect(k.current).toBe(p);
      expect(k.mmu.rootPfn).toBe(p.space!.rootPfn);
      expect(k.mmu.asid).toBe(p.space!.asid);
      asids.push(k.mmu.asid);
    }
    if (tagged) {
      expect(new Set(asids.slice(0, 3)).size).toBe(3);
      expect(asids.slice(3)).toEqual(asids.slice(0, 3)); // a process keeps its ASID
    } else {
      expect(asids).toEqual([0, 0, 0, 0, 0, 0]);
    }
  });

  it(!tagged ? 'flushes the TLB on every switch (no ASIDs)' : 'keeps other processes\' TLB entries across a switch (ASID-tagged)', () => {
    const k = boot(makeModel);
    const a = k.spawn();
    const b = k.spawn();
    k.register(VA);
    k.store(VA, 4, 1);
    k.load(VA, 4);
    expect(k.mmu.tlb.validEntries().length).toBeGreaterThan(0);
    const flushes = k.mmu.tlb.flushes;
    k.switchTo(b.pid);
    const entries = k.mmu.tlb.validEntries();
    if (!tagged) {
      expect(entries).toEqual([]);
      expect(k.mmu.tlb.flushes).toBeGreaterThan(flushes);
    } else {
      expect(entries.some((e) => e.asid === a.space!.asid && e.vpn === VA / PAGE)).toBe(true);
      expect(k.mmu.tlb.flushes).toBe(flushes);
      // Back in a, the entry is still there: the load hits.
      k.switchTo(a.pid);
      const hits = k.mmu.tlb.hits;
      expect(k.load(VA, 4)).toBe(1);
      expect(k.mmu.tlb.hits).toBe(hits + 1);
    }
  });

  it('switching to the process already running changes nothing', () => {
    const k = boot(makeModel);
    const a = k.spawn();
    k.register(VA);
    k.load(VA, 4);
    const before = k.snapshot();
    const flushes = k.mmu.tlb.flushes;
    k.switchTo(a.pid);
    expectSameSnapshot(k.snapshot(), before);
    expect(k.mmu.tlb.flushes).toBe(flushes);
  });

  it('more processes than ASIDs: every process still sees only its own memory', () => {
    // At most 9 ASID bits (Sv32's width), so that the ASIDs run out: a 12- or 16-bit field is narrowed, as a
    // real implementation may do (satp.ASID is WARL; a CPU may have fewer PCIDs in use than 4096).
    const base = makeModel();
    const model = withAsidBits(base, Math.min(base.asidBits, 9));
    const n = 2 ** model.asidBits + 8; // 520 with 9-bit ASIDs, 9 without ASIDs
    const count = Math.max(n, 40);
    // Each process: its tables for one page, and one data frame.
    const k = new Kernel({ model, ramBytes: (count * (tablesFor(model, [VA]) + 1) + 8) * PAGE, tlb: { entries: 64, ways: 4 } });
    const procs = Array.from({ length: count }, () => k.spawn());
    for (const p of procs) {
      k.switchTo(p.pid);
      k.register(VA);
      expect(k.store(VA, 4, p.pid * 7 + 1)).toBe(0);
      expect(k.load(VA, 4)).toBe(p.pid * 7 + 1);
    }
    for (let round = 0; round < 2; round++) {
      for (const p of round === 0 ? procs : [...procs].reverse()) {
        k.switchTo(p.pid);
        expect(k.load(VA, 4)).toBe(p.pid * 7 + 1);
        expect(k.mmu.asid).toBe(p.space!.asid);
      }
    }
    const assigned = k.snapshot().processes.map((p) => p.asid).filter((asid) => asid >= 0);
    if (tagged) {
      expect(count).toBeGreaterThan(2 ** model.asidBits);
      expect(assigned.every((asid) => asid < 2 ** model.asidBits)).toBe(true);
      expect(new Set(assigned).size).toBe(assigned.length);
    }
    k.checkInvariants();
  });

  it('a killed process\'s TLB entries cannot leak into the next process given its ASID', () => {
    const k = boot(makeModel, { tlb: { entries: 8, ways: 8 } });
    k.spawn();
    k.register(VA);
    k.store(VA, 4, 0xdead);
    expect(k.load(VA, 4)).toBe(0xdead);
    k.kill();
    const b = k.spawn(); // runs at once, with the lowest free ASID: the one just released
    k.register(VA);
    expect(k.load(VA, 4)).toBe(0);
    expect(k.mappings(b.pid)[0]!.zeroPage).toBe(true);
  });

  it('fork flushes the parent\'s writable TLB entry: its next write COW-faults, the child keeps the old data', () => {
    const k = boot(makeModel, { tlb: { entries: 2, ways: 2 } });
    const a = k.spawn();
    k.register(VA);
    expect(k.store(VA, 4, 0x1111)).toBe(0);
    expect(k.store(VA, 4, 0x2222)).toBe(0); // the TLB now caches VA writable
    const slot = k.mmu.tlb.peek(VA / PAGE, k.mmu.asid);
    expect(slot).toBeGreaterThanOrEqual(0);
    expect(k.mmu.tlb.perm[slot]! & permBit(ACCESS_WRITE, true)).not.toBe(0);
    const original = pfnOf(k, VA, a.pid);

    const c = k.fork();
    const stale = k.mmu.tlb.peek(VA / PAGE, k.mmu.asid);
    if (stale >= 0) expect(k.mmu.tlb.perm[stale]! & permBit(ACCESS_WRITE, true)).toBe(0);
    const copies = k.stats().faults.cowCopy;
    expect(k.store(VA, 4, 0x3333)).toBe(0);
    expect(k.stats().faults.cowCopy).toBe(copies + 1);
    expect(pfnOf(k, VA, a.pid)).not.toBe(original);
    expect(pfnOf(k, VA, c.pid)).toBe(original);
    expect(k.load(VA, 4)).toBe(0x3333);
    expect(Array.from(k.copyin(c.pid, VA, 2))).toEqual([0x22, 0x22]);
  });

  it('fork of a process that is not running flushes its entries too (they survive a switch under an ASID)', () => {
    const k = boot(makeModel, { tlb: { entries: 4, ways: 4 } });
    const a = k.spawn();
    const other = k.spawn();
    k.register(VA);
    k.store(VA, 4, 0xaaaa);
    k.store(VA, 4, 0xbbbb);
    k.switchTo(other.pid);
    const c = k.fork(a.pid);
    k.switchTo(a.pid);
    const copies = k.stats().faults.cowCopy;
    expect(k.store(VA, 4, 0xcccc)).toBe(0);
    expect(k.stats().faults.cowCopy).toBe(copies + 1);
    expect(Array.from(k.copyin(c.pid, VA, 2))).toEqual([0xbb, 0xbb]);
  });

  it('a kernel write into a sleeping process replaces its cached zero-page and COW translations', () => {
    const k = boot(makeModel, { tlb: { entries: 8, ways: 8 } });
    const a = k.spawn();
    k.register(VA);
    k.register(VA + PAGE);
    k.store(VA, 1, 9);
    const c = k.fork();
    k.switchTo(c.pid);
    expect(k.load(VA, 1)).toBe(9); // caches the shared frame read-only
    expect(k.load(VA + PAGE, 1)).toBe(0); // caches the zero page
    k.switchTo(a.pid);
    k.copyout(c.pid, VA, new Uint8Array([7]));
    k.copyout(c.pid, VA + PAGE, new Uint8Array([8]));
    expect(k.store(VA, 1, 10)).toBe(0); // the parent, now the only user of the old frame, reuses it
    k.switchTo(c.pid);
    expect(k.load(VA, 1)).toBe(7);
    expect(k.load(VA + PAGE, 1)).toBe(8);
    k.switchTo(a.pid);
    expect(k.load(VA, 1)).toBe(10);
    expect(k.load(VA + PAGE, 1)).toBe(0);
  });
});

describe.each(MODELS)('register on $name', ({ make: makeModel }) => {
  const anonRw = { prot: PROT_READ | PROT_WRITE, flags: MAP_PRIVATE | MAP_ANONYMOUS };

  it('maps the page holding va private, anonymous, read-write, to the zero page read-only', () => {
    const k = boot(makeModel);
    const a = k.spawn();
    k.register(VA + 123);
    expect(k.regions()).toEqual([{ start: VA, end: VA + PAGE, ...anonRw }]);
    expect(k.isRegistered(VA)).toBe(true);
    expect(k.isRegistered(VA + PAGE - 1)).toBe(true);
    expect(k.isRegistered(VA + PAGE)).toBe(false);
    expect(k.isRegistered(VA - 1)).toBe(false);
    const [m] = k.mappings(a.pid);
    expect(m).toMatchObject({ va: VA, pfn: k.zeroPfn, zeroPage: true, cow: false });
    expect(m!.flags & (PTE_V | PTE_R | PTE_U)).toBe(PTE_V | PTE_R | PTE_U);
    expect(m!.flags & PTE_W).toBe(0);
  });

  it('merges with neighbours: adjacent → one region, a gap → two, filling the gap → one', () => {
    const k = boot(makeModel);
    k.spawn();
    k.register(VA);
    k.register(VA + PAGE);
    expect(k.regions()).toEqual([{ start: VA, end: VA + 2 * PAGE, ...anonRw }]);
    k.register(VA + 3 * PAGE);
    expect(k.regions()).toEqual([{ start: VA, end: VA + 2 * PAGE, ...anonRw }, { start: VA + 3 * PAGE, end: VA + 4 * PAGE, ...anonRw }]);
    k.register(VA + 2 * PAGE);
    expect(k.regions()).toEqual([{ start: VA, end: VA + 4 * PAGE, ...anonRw }]);
    k.register(VA - PAGE);
    expect(k.regions()).toEqual([{ start: VA - PAGE, end: VA + 4 * PAGE, ...anonRw }]);
    expect(processStats(k, k.current!.pid).regions).toBe(1);
  });

  it('an already registered page throws AlreadyMappedError with pid and va and changes nothing', () => {
    const k = boot(makeModel);
    const a = k.spawn();
    k.register(VA);
    k.register(VA + PAGE);
    const before = k.snapshot();
    for (const va of [VA, VA + 4095, VA + PAGE + 8]) {
      const e = caught(() => k.register(va));
      expect(AlreadyMappedError.isInstance(e)).toBe(true);
      expect(e).toMatchObject({ pid: a.pid, va });
    }
    expectSameSnapshot(k.snapshot(), before);
  });

  it('a page no table covers gets the tables its levels need; a page under an existing last-level table, none', () => {
    const model = makeModel();
    const span = lastTableSpan(model);
    const k = boot(makeModel);
    const a = k.spawn();
    const s0 = k.stats().frames;
    // The first page of an empty space needs a table at every level below the root.
    expect(newTablesFor(model, [], VA)).toBe(model.levels - 1);
    k.register(VA);
    const s1 = k.stats().frames;
    expect(s1.pageTables).toBe(s0.pageTables + model.levels - 1);
    expect(s1.free).toBe(s0.free - (model.levels - 1));
    expect(s1.data).toBe(s0.data);
    // The last page the same last-level table covers: nothing new.
    k.register(VA + span - PAGE);
    expect(k.stats().frames).toEqual(s1);
    // The next page after it: a new last-level table (and more when it crosses a higher boundary).
    const registered = [VA, VA + span - PAGE];
    const next = newTablesFor(model, registered, VA + span);
    expect(next).toBeGreaterThanOrEqual(1);
    k.register(VA + span);
    registered.push(VA + span);
    expect(k.stats().frames.pageTables).toBe(s1.pageTables + next);
    // A page under another entry of the root: a new table at every level below the root again.
    const far = VA + 2 * levelSpan(model, 0);
    expect(newTablesFor(model, registered, far)).toBe(model.levels - 1);
    k.register(far);
    registered.push(far);
    const tables = tablesFor(model, registered);
    expect(k.stats().frames.pageTables).toBe(tables); // the only process: its tables are all there are
    expect(tablesOf(k, a.pid)).toHaveLength(tables);
    expect(processStats(k, a.pid).pageTables).toBe(tables);
  });

  it('registers into another process by pid, leaving the running one alone', () => {
    const k = boot(makeModel);
    const a = k.spawn();
    const b = k.spawn();
    k.register(VA, b.pid);
    expect(k.isRegistered(VA, b.pid)).toBe(true);
    expect(k.isRegistered(VA, a.pid)).toBe(false);
    expect(k.store(VA, 4, 1)).toBe(SEGV_MAPERR);
    k.switchTo(b.pid);
    expect(k.store(VA, 4, 1)).toBe(0);
  });
});

describe.each(MODELS)('the zero page on $name', ({ make: makeModel }) => {
  it('is a pinned frame of its own kind, all zeros', () => {
    const k = boot(makeModel);
    expect(k.frames.kindOf(k.zeroPfn)).toBe(FRAME_ZERO);
    expect(k.frames.refCount(k.zeroPfn)).toBe(1);
    expect(k.ram.isFrameZero(k.zeroPfn)).toBe(true);
    expect(k.stats().frames).toMatchObject({ zero: 1, used: 1, data: 0, pageTables: 0 });
  });

  it('registered pages read 0 through every access size and allocate nothing', () => {
    const k = boot(makeModel);
    k.spawn();
    for (let i = 0; i < 8; i++) k.register(VA + i * PAGE);
    const free = k.frames.freeCount;
    const zeroRefs = k.frames.refCount(k.zeroPfn);
    for (let i = 0; i < 8; i++) {
      const va = VA + i * PAGE;
      expect(k.load(va, 1)).toBe(0);
      expect(k.load(va + 2, 2)).toBe(0);
      expect(k.load(va + PAGE - 4, 4)).toBe(0);
      expect(k.load64(va + 8)).toBe(0n);
    }
    expect(k.load(VA + PAGE - 2, 4)).toBe(0); // crosses into the next zero-mapped page
    expect(k.read(VA, 8 * PAGE).every((b) => b === 0)).toBe(true);
    expect(k.frames.freeCount).toBe(free);
    expect(k.frames.refCount(k.zeroPfn)).toBe(zeroRefs);
    expect(k.stats().faults.zeroFill).toBe(0);
  });

  it('is never written: a write gets a fresh zeroed frame (zero-fill), even one that held junk before', () => {
    const k = boot(makeModel);
    const junk = k.spawn();
    k.register(VA);
    k.write(VA, new Uint8Array(PAGE).fill(0xee));
    const junkFrame = pfnOf(k, VA, junk.pid);
    k.kill();
    const a = k.spawn();
    k.register(VA + 2 * PAGE);
    const events: KernelEvent[] = [];
    k.on((e) => events.push(e));
    const data = k.stats().frames.data;
    expect(k.store(VA + 2 * PAGE + 100, 2, 0xbeef)).toBe(0);
    const frame = pfnOf(k, VA + 2 * PAGE, a.pid);
    expect(frame).not.toBe(k.zeroPfn);
    expect(frame).toBe(junkFrame); // lowest free frame first: the recycled one
    expect(k.stats().frames.data).toBe(data + 1);
    expect(events.filter((e) => e.type === 'fault')).toEqual([
      { type: 'fault', pid: a.pid, va: VA + 2 * PAGE + 100, access: 'write', resolution: 'zero-fill' },
    ]);
    const page = k.read(VA + 2 * PAGE, PAGE);
    expect(page[100]).toBe(0xef);
    expect(page[101]).toBe(0xbe);
    page[100] = 0;
    page[101] = 0;
    expect(page.every((b) => b === 0)).toBe(true);
    expect(k.ram.isFrameZero(k.zeroPfn)).toBe(true);
    const m = k.mappings(a.pid)[0]!;
    expect(m).toMatchObject({ zeroPage: false, cow: false, refCount: 1 });
    expect(m.flags & PTE_W).toBe(PTE_W);
  });

  it('counts one reference per mapping plus a pin, and is never freed', () => {
    const k = boot(makeModel);
    const a = k.spawn();
    for (let i = 0; i < 4; i++) k.register(VA + i * PAGE);
    expect(k.frames.refCount(k.zeroPfn)).toBe(5);
    const c = k.fork();
    expect(k.frames.refCount(k.zeroPfn)).toBe(9);
    expect(k.store(VA, 1, 1)).toBe(0);
    expect(k.frames.refCount(k.zeroPfn)).toBe(8);
    k.kill(c.pid);
    k.kill(a.pid);
    expect(k.frames.refCount(k.zeroPfn)).toBe(1);
    expect(k.frames.kindOf(k.zeroPfn)).toBe(FRAME_ZERO);
    expect(k.frames.isFree(k.zeroPfn)).toBe(false);
    expect(k.stats().frames).toMatchObject({ zero: 1, used: 1 });
  });
});

describe.each(MODELS)('the fault handler on $name', ({ make: makeModel }) => {
  it('COW write with refcount > 1 copies the page (all of it) and drops one reference', () => {
    const k = boot(makeModel);
    const a = k.spawn();
    k.register(VA);
    const content = new Uint8Array(PAGE).map((_, i) => (i * 31 + 7) & 0xff);
    k.write(VA, content);
    const frame = pfnOf(k, VA, a.pid);
    const c = k.fork();
    k.switchTo(c.pid);
    const s = k.stats();
    expect(k.store(VA + 4, 1, 0)).toBe(0);
    const copy = pfnOf(k, VA, c.pid);
    expect(copy).not.toBe(frame);
    expect(k.frames.refCount(frame)).toBe(1);
    expect(k.frames.refCount(copy)).toBe(1);
    expect(k.stats().faults.cowCopy).toBe(s.faults.cowCopy + 1);
    expect(k.stats().frames.data).toBe(s.frames.data + 1);
    const expected = content.slice();
    expected[4] = 0;
    expect(Array.from(k.read(VA, PAGE))).toEqual(Array.from(expected));
    expect(Array.from(k.copyin(a.pid, VA, PAGE))).toEqual(Array.from(content));
    const m = k.mappings(c.pid)[0]!;
    expect(m.cow).toBe(false);
    expect(m.flags & PTE_W).toBe(PTE_W);
    // The parent's side is still marked COW (read-only) until it writes.
    expect(k.mappings(a.pid)[0]).toMatchObject({ pfn: frame, cow: true, refCount: 1 });
  });

  it('COW write with refcount 1 makes the page writable in place: same frame, no copy (COW reuse)', () => {
    const k = boot(makeModel);
    const a = k.spawn();
    k.register(VA);
    k.store(VA, 4, 0x12345678);
    const frame = pfnOf(k, VA, a.pid);
    const c = k.fork();
    k.kill(c.pid);
    expect(k.mappings(a.pid)[0]).toMatchObject({ pfn: frame, cow: true, refCount: 1 });
    const s = k.stats();
    expect(k.store(VA + 4, 4, 0x9abcdef0)).toBe(0);
    expect(pfnOf(k, VA, a.pid)).toBe(frame);
    expect(k.stats().faults.cowReuse).toBe(s.faults.cowReuse + 1);
    expect(k.stats().faults.cowCopy).toBe(s.faults.cowCopy);
    expect(k.stats().frames).toEqual(s.frames);
    expect(k.load(VA, 4)).toBe(0x12345678);
    expect(k.load(VA + 4, 4)).toBe(0x9abcdef0);
    const m = k.mappings(a.pid)[0]!;
    expect(m.cow).toBe(false);
    expect(m.flags & PTE_W).toBe(PTE_W);
    // A second write does not fault at all.
    expect(k.store(VA, 4, 1)).toBe(0);
    expect(k.stats().faults).toEqual({ ...s.faults, cowReuse: s.faults.cowReuse + 1 });
  });

  it('an access outside every region is SEGV_MAPERR (-1): counted, nothing allocated, nothing written', () => {
    const k = boot(makeModel);
    k.spawn();
    k.register(VA);
    const before = k.snapshot();
    const segv = k.stats().faults.segfault;
    expect(SEGV_MAPERR).toBe(-1);
    expect(k.store(HOLE, 4, 1)).toBe(SEGV_MAPERR);
    expect(k.status).toBe(SEGV_MAPERR);
    expect(k.store64(HOLE + 8, 1n)).toBe(SEGV_MAPERR);
    expect(k.load(HOLE, 1)).toBe(SEGV_MAPERR);
    expect(k.load64(HOLE)).toBe(0n);
    expect(k.status).toBe(SEGV_MAPERR);
    expect(k.stats().faults.segfault).toBe(segv + 4);
    expect(k.load(VA, 4)).toBe(0);
    expect(k.status).toBe(0);
    expect(k.stats().frames.data).toBe(0);
    expect(k.snapshot().freeFrames).toBe(before.freeFrames);
    // A store that runs off the end of the region fails and writes no byte, not even in the first page
    // (whose fault may have been resolved first, as on real hardware).
    expect(k.store(VA + PAGE - 2, 4, 0xffffffff)).toBe(SEGV_MAPERR);
    expect(k.stats().faults.segfault).toBe(segv + 5);
    expect(k.read(VA, PAGE).every((b) => b === 0)).toBe(true);
  });

  it('an address outside the user space is SEGV_MAPERR on the access path, never an exception', () => {
    const k = boot(makeModel);
    k.spawn();
    k.register(VA);
    const end = userEnd(k.model);
    // The user limit and beyond, the upper (kernel) half of a sign-extended space, negative numbers,
    // non-integers, and numbers too large to be exact.
    for (const va of [-4, end, end + VA, end * 2 - PAGE, -end, -PAGE, 0.5, 2 ** 53, 2 ** 64, Number.NaN]) {
      expect(k.load(va, 4)).toBe(SEGV_MAPERR);
      expect(k.store(va, 4, 1)).toBe(SEGV_MAPERR);
      expect(k.load64(va)).toBe(0n);
      expect(k.status).toBe(SEGV_MAPERR);
      expect(k.store64(va, 1n)).toBe(SEGV_MAPERR);
    }
    expect(k.load(VA, 4)).toBe(0);
  });

  it('handlePageFault: codes for every case, for any live process', () => {
    const k = boot(makeModel);
    const a = k.spawn();
    const b = k.spawn();
    k.register(VA, b.pid);
    k.register(VA + PAGE, b.pid);
    expect(k.handlePageFault(b.pid, HOLE, ACCESS_READ)).toBe(SEGV_MAPERR);
    expect(k.handlePageFault(b.pid, VA, ACCESS_EXEC)).toBe(SEGV_ACCERR);
    expect(k.handlePageFault(b.pid, VA, ACCESS_WRITE)).toBe(VM_FAULT_ZERO_FILL);
    expect(k.handlePageFault(b.pid, VA, ACCESS_WRITE)).toBe(VM_FAULT_SPURIOUS); // already writable
    expect(k.handlePageFault(b.pid, VA + PAGE, ACCESS_READ)).toBe(VM_FAULT_SPURIOUS); // the zero page is readable
    const c = k.fork(b.pid);
    expect(k.handlePageFault(c.pid, VA + 8, ACCESS_WRITE)).toBe(VM_FAULT_COW_COPY);
    expect(k.handlePageFault(b.pid, VA + 8, ACCESS_WRITE)).toBe(VM_FAULT_COW_REUSE);
    expect(k.stats().faults).toMatchObject({ zeroFill: 1, cowCopy: 1, cowReuse: 1, spurious: 2, segfault: 2, oom: 0 });
    expect(k.current).toBe(a);
    expect(k.mappings(c.pid)[0]!.flags & PTE_W).toBe(PTE_W);
    expect(k.mappings(b.pid)[0]!.flags & PTE_W).toBe(PTE_W);
    expect(pfnOf(k, VA, b.pid)).not.toBe(pfnOf(k, VA, c.pid));
  });

  it('a spurious fault drops the page\'s TLB entry', () => {
    const k = boot(makeModel);
    const a = k.spawn();
    k.register(VA);
    k.load(VA, 4);
    expect(k.mmu.tlb.peek(VA / PAGE, k.mmu.asid)).toBeGreaterThanOrEqual(0);
    expect(k.handlePageFault(a.pid, VA, ACCESS_READ)).toBe(VM_FAULT_SPURIOUS);
    expect(k.mmu.tlb.peek(VA / PAGE, k.mmu.asid)).toBe(-1);
  });

  it('an access that crosses a page boundary faults once per page and stores every byte', () => {
    const k = boot(makeModel);
    const a = k.spawn();
    k.register(VA);
    k.register(VA + PAGE);
    expect(k.store(VA + PAGE - 2, 4, 0x44332211)).toBe(0);
    expect(k.stats().faults.zeroFill).toBe(2);
    expect(k.load(VA + PAGE - 2, 4)).toBe(0x44332211);
    expect(Array.from(k.copyin(a.pid, VA + PAGE - 2, 4))).toEqual([0x11, 0x22, 0x33, 0x44]);
    expect(k.store64(VA + PAGE - 3, 0x0102030405060708n)).toBe(0);
    expect(k.load64(VA + PAGE - 3)).toBe(0x0102030405060708n);
    expect(k.load(VA + PAGE - 3, 2)).toBe(0x0708);
  });

  it('the MMU sets Accessed and Dirty in the PTE of a written page', () => {
    const k = boot(makeModel);
    const a = k.spawn();
    k.register(VA);
    k.store(VA, 1, 1);
    const t = k.translate(VA, a.pid)!;
    expect(t.flags & (PTE_A | PTE_D)).toBe(PTE_A | PTE_D);
    expect(t.pa).toBe(t.pfn * PAGE);
    expect(k.translate(VA + 5, a.pid)!.pa).toBe(t.pfn * PAGE + 5);
    expect(k.translate(HOLE, a.pid)).toBeNull();
  });
});

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

describe.each(MODELS)('copyout / copyin on $name', ({ make: makeModel }) => {
  it('a kernel write into a COW page copies it: the parent keeps its data (xv6 filetest)', () => {
    const k = boot(makeModel);
    const parent = k.spawn();
    const buf = VA + 0x10;
    k.register(buf);
    expect(k.store(buf, 1, 99)).toBe(0);
    const frame = pfnOf(k, buf, parent.pid);
    for (let round = 0; round < 4; round++) {
      const child = k.fork();
      const copies = k.stats().faults.cowCopy;
      k.copyout(child.pid, buf, new Uint8Array([round, round + 1]));
      expect(k.stats().faults.cowCopy).toBe(copies + 1);
      expect(Array.from(k.copyin(child.pid, buf, 2))).toEqual([round, round + 1]);
      expect(k.load(buf, 1)).toBe(99);
      expect(pfnOf(k, buf, parent.pid)).toBe(frame);
      expect(pfnOf(k, buf, child.pid)).not.toBe(frame);
      k.kill(child.pid);
    }
    expect(k.ram.read8(frame * PAGE + 0x10)).toBe(99);
  });

  it('write() spans pages and regions, resolving each page\'s fault, and read() returns the same bytes', () => {
    const k = boot(makeModel);
    k.spawn();
    for (let i = 0; i < 3; i++) k.register(VA + i * PAGE);
    const data = new Uint8Array(2 * PAGE + 100).map((_, i) => (i * 7) & 0xff);
    k.write(VA + 50, data);
    expect(k.stats().faults.zeroFill).toBe(3);
    expect(Array.from(k.read(VA + 50, data.length))).toEqual(Array.from(data));
    expect(Array.from(k.read(VA, 50)).every((b) => b === 0)).toBe(true);
    expect(k.read(VA + 50, 0)).toEqual(new Uint8Array(0));
    for (let i = 0; i < 3; i++) expect(k.translate(VA + i * PAGE)!.flags & (PTE_A | PTE_D)).toBe(PTE_A | PTE_D);
  });

  it('a zero-length read or write succeeds anywhere, aligned or not, and changes nothing', () => {
    const k = boot(makeModel);
    const a = k.spawn();
    k.register(VA);
    const before = k.snapshot();
    for (const va of [HOLE, HOLE + 1, VA + 7, 0xffffffff, userEnd(k.model) - 1]) {
      expect(k.read(va, 0)).toEqual(new Uint8Array(0));
      expect(k.copyin(a.pid, va, 0)).toEqual(new Uint8Array(0));
      k.write(va, new Uint8Array(0));
      k.copyout(a.pid, va, new Uint8Array(0));
    }
    expectSameSnapshot(k.snapshot(), before);
    expect(k.stats().faults.segfault).toBe(0);
  });

  it('copyin of a process that is not running reads its own frames', () => {
    const k = boot(makeModel);
    const a = k.spawn();
    k.register(VA);
    k.store(VA, 4, 0x01020304);
    const b = k.spawn();
    k.register(VA, b.pid);
    k.copyout(b.pid, VA, new Uint8Array([9, 9, 9, 9]));
    expect(Array.from(k.copyin(a.pid, VA, 4))).toEqual([4, 3, 2, 1]);
    expect(Array.from(k.copyin(b.pid, VA, 4))).toEqual([9, 9, 9, 9]);
    expect(k.load(VA, 4)).toBe(0x01020304);
  });
});

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
    });
    const c = k.fork();
    expect(processStats(k, a.pid)).toMatchObject({ resident: 3, shared: 3, zeroMapped: 2 });
    expect(processStats(k, c.pid)).toEqual({
      pid: c.pid, parentPid: a.pid, state: 'sleeping', resident: 3, shared: 3, zeroMapped: 2, pageTables: tables, regions: 1,
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
    expect(f0).toEqual({ zeroFill: 0, cowCopy: 0, cowReuse: 0, demandZero: 0, spurious: 0, segfault: 0, oom: 0 });
    k.store(VA, 1, 1);
    k.store(VA + PAGE, 1, 1);
    const c = k.fork();
    k.store(VA, 1, 2); // copy: the child still shares
    k.kill(c.pid);
    k.store(VA + PAGE, 1, 2); // reuse: the child is gone
    k.store(HOLE, 1, 1);
    k.load(HOLE, 1);
    k.handlePageFault(a.pid, VA, ACCESS_READ);
    expect(k.stats().faults).toEqual({ zeroFill: 2, cowCopy: 1, cowReuse: 1, demandZero: 0, spurious: 1, segfault: 2, oom: 0 });
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

describe.each(MODELS)('events on $name', ({ make: makeModel }) => {
  it('a small scenario emits every event type, in order', () => {
    const k = boot(makeModel, { ramBytes: 64 * PAGE });
    const events: KernelEvent[] = [];
    k.on((e) => events.push(e));
    const expected: KernelEvent[] = [];

    const p = k.spawn();
    const [root] = tablesOf(k, p.pid);
    expected.push({ type: 'alloc', pfn: root!, kind: 'table' }, { type: 'switch', from: -1, to: p.pid });
    expect(events).toEqual(expected);

    k.register(VA);
    // One new table per level below the root, allocated from the top down.
    const tables = belowRoot(k, p.pid);
    expect(tables).toHaveLength(k.model.levels - 1);
    for (const pfn of tables) expected.push({ type: 'alloc', pfn, kind: 'table' });
    expected.push({ type: 'map', pid: p.pid, va: VA, pfn: k.zeroPfn, writable: false });
    expect(events).toEqual(expected);

    expect(k.load(VA, 4)).toBe(0); // the zero page: no event
    expect(events).toEqual(expected);

    k.store(VA + 4, 4, 7);
    const a = pfnOf(k, VA, p.pid);
    expected.push(
      { type: 'alloc', pfn: a, kind: 'data' },
      { type: 'unmap', pid: p.pid, va: VA, pfn: k.zeroPfn },
      { type: 'map', pid: p.pid, va: VA, pfn: a, writable: true },
      { type: 'fault', pid: p.pid, va: VA + 4, access: 'write', resolution: 'zero-fill' },
    );
    expect(events).toEqual(expected);

    const c = k.fork();
    const [croot] = tablesOf(k, c.pid);
    const ctables = belowRoot(k, c.pid);
    expected.push(
      { type: 'alloc', pfn: croot!, kind: 'table' },
      ...ctables.map((pfn): KernelEvent => ({ type: 'alloc', pfn, kind: 'table' })),
      { type: 'map', pid: p.pid, va: VA, pfn: a, writable: false }, // the parent's page becomes copy-on-write
      { type: 'map', pid: c.pid, va: VA, pfn: a, writable: false },
      { type: 'fork', parent: p.pid, child: c.pid },
    );
    expect(events).toEqual(expected);

    k.switchTo(c.pid);
    expected.push({ type: 'switch', from: p.pid, to: c.pid });
    k.store(VA + 8, 4, 9);
    const b = pfnOf(k, VA, c.pid);
    expected.push(
      { type: 'alloc', pfn: b, kind: 'data' },
      { type: 'unmap', pid: c.pid, va: VA, pfn: a },
      { type: 'map', pid: c.pid, va: VA, pfn: b, writable: true },
      { type: 'fault', pid: c.pid, va: VA + 8, access: 'write', resolution: 'cow-copy' },
    );
    k.load(HOLE + 3, 1);
    expected.push({ type: 'fault', pid: c.pid, va: HOLE + 3, access: 'read', resolution: 'segv' });
    expect(events).toEqual(expected);

    k.kill(c.pid);
    expected.push(
      { type: 'unmap', pid: c.pid, va: VA, pfn: b },
      { type: 'free', pfn: b },
      // Tables are freed from the bottom up, the root last.
      ...[...ctables].reverse().map((pfn): KernelEvent => ({ type: 'free', pfn })),
      { type: 'free', pfn: croot! },
      { type: 'kill', pid: c.pid },
    );
    expect(events).toEqual(expected);

    k.switchTo(p.pid);
    k.store(VA, 4, 1);
    expected.push(
      { type: 'switch', from: -1, to: p.pid },
      { type: 'map', pid: p.pid, va: VA, pfn: a, writable: true }, // the last sharer keeps the frame
      { type: 'fault', pid: p.pid, va: VA, access: 'write', resolution: 'cow-reuse' },
    );
    expect(events).toEqual(expected);

    k.kill(p.pid);
    expected.push(
      { type: 'unmap', pid: p.pid, va: VA, pfn: a },
      { type: 'free', pfn: a },
      ...[...tables].reverse().map((pfn): KernelEvent => ({ type: 'free', pfn })),
      { type: 'free', pfn: root! },
      { type: 'kill', pid: p.pid },
    );
    expect(events).toEqual(expected);
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(['fault', 'alloc', 'free', 'fork', 'kill', 'switch', 'map', 'unmap']));
    // Every frame allocated was freed, and the other way round.
    const allocs = events.filter((e) => e.type === 'alloc').map((e) => (e as { pfn: number }).pfn).sort();
    const frees = events.filter((e) => e.type === 'free').map((e) => (e as { pfn: number }).pfn).sort();
    expect(frees).toEqual(allocs);
  });

  it('an OOM fault is reported as such', () => {
    // The zero page, the tables for VA, and one frame for data: that frame is the last.
    const k = boot(makeModel, { ramBytes: (1 + tablesFor(makeModel(), [VA]) + 1) * PAGE });
    const p = k.spawn();
    k.register(VA);
    k.register(VA + PAGE);
    expect(k.store(VA, 1, 1)).toBe(0);
    const events: KernelEvent[] = [];
    k.on((e) => events.push(e));
    k.store(VA + PAGE, 1, 1);
    expect(events).toEqual([{ type: 'fault', pid: p.pid, va: VA + PAGE, access: 'write', resolution: 'oom' }]);
  });

  it('every listener gets every event; unsubscribing stops only that one', () => {
    const k = boot(makeModel);
    const one: string[] = [];
    const two: string[] = [];
    const off1 = k.on((e) => one.push(e.type));
    const off2 = k.on((e) => two.push(e.type));
    k.spawn();
    expect(one).toEqual(['alloc', 'switch']);
    expect(two).toEqual(one);
    off1();
    k.register(VA);
    expect(one).toEqual(['alloc', 'switch']);
    const tableAllocs: string[] = Array(k.model.levels - 1).fill('alloc');
    expect(two).toEqual(['alloc', 'switch', ...tableAllocs, 'map']);
    off1(); // twice is harmless
    off2();
    k.store(VA, 4, 1);
    k.kill();
    expect(two).toHaveLength(3 + tableAllocs.length);
  });

  it('with no subscriber nothing is emitted and the machine behaves exactly the same', () => {
    const script = (k: Kernel): void => {
      const p = k.spawn();
      k.register(VA);
      k.register(VA + PAGE);
      k.store(VA, 4, 1);
      const c = k.fork();
      k.switchTo(c.pid);
      k.store(VA, 4, 2);
      k.store(HOLE, 4, 2);
      k.switchTo(p.pid);
      k.kill(c.pid);
      k.store(VA + PAGE, 4, 3);
    };
    const quiet = boot(makeModel);
    script(quiet);
    const loud = boot(makeModel);
    let heard = 0;
    loud.on(() => heard++);
    script(loud);
    expect(heard).toBeGreaterThan(10);
    expectSameSnapshot(quiet.snapshot(), loud.snapshot());
    expect(quiet.stats()).toEqual(loud.stats());
  });
});

describe.each(MODELS)('checkInvariants on $name', ({ make: makeModel }) => {
  function machine(): { k: Kernel; frame: number } {
    const k = boot(makeModel, { checkInvariants: false });
    const a = k.spawn();
    k.register(VA);
    k.store(VA, 4, 1);
    k.fork();
    k.checkInvariants();
    return { k, frame: pfnOf(k, VA, a.pid) };
  }

  const problem = (k: Kernel): string[] => {
    const e = caught(() => k.checkInvariants());
    expect(KernelInvariantError.isInstance(e)).toBe(true);
    return (e as KernelInvariantError).problems as string[];
  };

  it('catches a reference count that disagrees with the mappings', () => {
    const { k, frame } = machine();
    k.frames.refCounts[frame] = 3;
    expect(problem(k).some((s) => s.includes(`data frame ${frame}`))).toBe(true);
  });

  it('catches a written zero page', () => {
    const { k } = machine();
    k.ram.write8(k.zeroPfn * PAGE + 9, 1);
    expect(problem(k)).toContain('the zero page is not all zeros');
  });

  it('catches a shared private page mapped writable', () => {
    const { k, frame } = machine();
    const space = k.current!.space!;
    const leaf = space.leaf(VA);
    space.setLeaf(leaf.entryPa, frame, leaf.flags | PTE_W);
    expect(problem(k).some((s) => s.includes(`shared frame ${frame} writable`))).toBe(true);
  });

  it('catches a mapping outside every region and a table count that is off', () => {
    const { k } = machine();
    k.current!.space!.vmas.remove(VA, VA + PAGE);
    k.current!.space!.tables++;
    const problems = problem(k);
    expect(problems.some((s) => s.includes('outside every region'))).toBe(true);
    expect(problems.some((s) => s.includes('tables but has'))).toBe(true);
  });

  it('with the option on, a corrupted state is reported by the next operation', () => {
    const k = boot(makeModel);
    k.spawn();
    k.register(VA);
    k.frames.refCounts[k.zeroPfn] = 7;
    expect(KernelInvariantError.isInstance(caught(() => k.register(VA + PAGE)))).toBe(true);
  });

  it('a frame of kind data is what every written page maps', () => {
    const { k, frame } = machine();
    expect(k.frames.kindOf(frame)).toBe(FRAME_DATA);
  });
});
