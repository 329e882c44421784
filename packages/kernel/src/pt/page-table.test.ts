import {
  ACCESS_READ, CTL_MXR, CTL_SUM, FAULT_BUS, levelSpanShift, Mmu, PT_GLOBAL, PT_HUGE, PT_NO_EXECUTE, PT_PRESENT, PT_USER_ACCESSIBLE,
  PT_WRITABLE, UnsupportedFlagError, vaRange, x86_32,
  type HardwareModel,
} from '@vmsim/hw';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AlreadyMappedError, InvalidAddressError, InvalidArgumentError, NotAlignedError, NotMappedError, OutOfMemoryError,
} from '../errors.js';
import { Kernel } from '../kernel.js';
import { caught, expectSameSnapshot } from '../testing/assertions.js';
import { MODELS, tablesFor } from '../testing/models.js';
import { PageTable } from './page-table.js';

const PWU = PT_PRESENT | PT_WRITABLE | PT_USER_ACCESSIBLE;

/** Every model, plus x86-32 with 4 MiB pages. */
const ALL = [...MODELS, { name: 'x86-32+pse', make: () => x86_32({ pse: true }), highVa: null }];

/** Levels above the last at which `model` maps huge pages (probed through the API on a scratch kernel). */
function hugeLevels(model: HardwareModel): number[] {
  const out: number[] = [];
  const k = new Kernel({ model, ramBytes: 1 << 20 });
  const t = k.createPageTable();
  for (let l = 0; l < model.levels - 1; l++) {
    const size = 2 ** levelSpanShift(model, l);
    try {
      t.map(0, 0, PT_PRESENT | PT_HUGE, size);
      t.unmap(0);
      out.push(l);
    } catch (error) {
      if (!UnsupportedFlagError.isInstance(error)) throw error;
    }
  }
  return out;
}

/** What the MMU's own walk (supervisor read, SUM and MXR on, so any present leaf is readable) gives for `va`. */
function mmuWalk(mmu: Mmu, table: PageTable, va: number): number | null {
  mmu.setRoot(table.rootPfn, 0);
  const pa = mmu.translateNoSideEffects(va, ACCESS_READ, false);
  return pa < 0 ? null : pa;
}

describe("seed 003's snippet", () => {
  it('create, map 0x1000 → 0x10000 PRESENT|WRITABLE|USER_ACCESSIBLE, translate, unmap', () => {
    const kernel = new Kernel({ checkInvariants: true });
    const free = kernel.frames.freeCount;
    const table = PageTable.create(kernel);
    expect(kernel.frames.freeCount).toBe(free - 1);
    table.map(0x1000, 0x10000, PWU);
    expect(table.translate(0x1000)).toBe(0x10000);
    expect(table.translate(0x1abc)).toBe(0x10abc);
    expect(table.translate(0x2000)).toBeNull();
    expect(table.flagsOf(0x1000)).toBe(PWU);
    expect(table.tableCount).toBe(2);
    expect(table.unmap(0x1000)).toBe(0x10000);
    expect(table.translate(0x1000)).toBeNull();
    expect(table.tableCount).toBe(1);
    expect(kernel.frames.freeCount).toBe(free - 1);
    table.destroy();
    expect(kernel.frames.freeCount).toBe(free);
    expect(table.destroyed).toBe(true);
    expect(caught(() => table.translate(0x1000))).toBeInstanceOf(InvalidArgumentError);
  });
});

describe.each(ALL)('PageTable on $name', ({ make }) => {
  const model = make();
  const last = model.levels - 1;
  const page = 2 ** model.pageShift;
  const newKernel = (ramBytes = 16 << 20): Kernel => new Kernel({ model: make(), ramBytes, checkInvariants: true });

  it('maps, translates and unmaps base pages, freeing every table it made', () => {
    const kernel = newKernel();
    const free = kernel.frames.freeCount;
    const t = kernel.createPageTable();
    t.map(0x40000000, 0x123000, PWU);
    t.map(0x40001000, 0x5000, PT_PRESENT);
    expect(t.tableCount).toBe(model.levels);
    expect(t.mappings().map((m) => [m.va, m.pa, m.size, m.level])).toEqual([[0x40000000, 0x123000, page, last], [0x40001000, 0x5000, page, last]]);
    expect(t.translate(0x40000ffc)).toBe(0x123ffc);
    t.unmap(0x40000000);
    expect(t.tableCount).toBe(model.levels);
    t.unmap(0x40001000);
    expect(t.tableCount).toBe(1);
    expect(kernel.frames.freeCount).toBe(free - 1);
  });

  const huge = hugeLevels(model);
  it.skipIf(huge.length === 0)('maps huge pages at every level the model has them, and translates inside them', () => {
    const kernel = newKernel();
    const t = kernel.createPageTable();
    for (const level of huge) {
      const size = 2 ** levelSpanShift(model, level);
      const va = size * 3;
      t.map(va, size, PT_PRESENT | PT_HUGE | PT_WRITABLE, size);
      expect(t.translate(va + size - 8)).toBe(2 * size - 8);
      expect(t.flagsOf(va + 5)).toBe(PT_PRESENT | PT_HUGE | PT_WRITABLE);
      expect(t.mappings()).toEqual([{ va, pa: size, size, flags: PT_PRESENT | PT_HUGE | PT_WRITABLE, level }]);
      // A base page inside it, or the huge page again: already mapped. Unmapping from its middle: not aligned.
      expect(caught(() => t.map(va + size / 2, 0, PT_PRESENT))).toBeInstanceOf(AlreadyMappedError);
      expect(caught(() => t.map(va, 0, PT_PRESENT | PT_HUGE, size))).toBeInstanceOf(AlreadyMappedError);
      expect(caught(() => t.unmap(va + page))).toBeInstanceOf(NotAlignedError);
      expect(t.unmap(va)).toBe(size);
      expect(t.tableCount).toBe(1);
      // A huge page over smaller mappings: already mapped.
      t.map(va + page, 0, PT_PRESENT);
      expect(caught(() => t.map(va, 0, PT_PRESENT | PT_HUGE, size))).toBeInstanceOf(AlreadyMappedError);
      t.unmap(va + page);
      expect(caught(() => t.map(va + page, 0, PT_PRESENT | PT_HUGE, size))).toBeInstanceOf(NotAlignedError);
      expect(caught(() => t.map(va, page, PT_PRESENT | PT_HUGE, size))).toBeInstanceOf(NotAlignedError);
    }
    expect(t.tableCount).toBe(1);
  });

  it('refuses bad requests with typed errors, changing nothing', () => {
    const kernel = newKernel();
    const t = kernel.createPageTable();
    t.map(0x2000, 0x3000, PWU);
    const before = kernel.snapshot();
    const range = vaRange(model);
    const cases: [() => unknown, new (...a: never[]) => Error][] = [
      [() => t.map(0x2000, 0x4000, PWU), AlreadyMappedError],
      [() => t.map(0x2001, 0x4000, PWU), NotAlignedError],
      [() => t.map(0x5000, 0x4001, PWU), NotAlignedError],
      [() => t.map(range.end, 0x4000, PWU), InvalidAddressError],
      [() => t.map(range.min - page, 0x4000, PWU), InvalidAddressError],
      [() => t.map(1.5, 0x4000, PWU), InvalidAddressError],
      [() => t.map(0x5000, -page, PWU), InvalidAddressError],
      [() => t.map(0x5000, (model.maxPfn + 1) * page, PWU), InvalidAddressError],
      [() => t.map(0x5000, 0x4000, 0), InvalidArgumentError],
      [() => t.map(0x5000, 0x4000, 1 << 12), InvalidArgumentError],
      [() => t.map(0x5000, 0x4000, PWU, 12345), InvalidArgumentError],
      [() => t.unmap(0x5000), NotMappedError],
      [() => t.unmap(0x2800), NotAlignedError],
      [() => t.translate(range.end), InvalidAddressError],
    ];
    if (model.name === 'x86-32') cases.push([() => t.map(0x5000, 0x4000, PWU | PT_NO_EXECUTE), UnsupportedFlagError]);
    for (const [fn, cls] of cases) {
      const error = caught(fn);
      expect(error, String(fn)).toBeInstanceOf(cls);
    }
    expect((caught(() => t.map(0x2000, 0, PWU)) as Error).message).toBe(`page table ${t.rootPfn}: address 0x2000 is already mapped`);
    expect((caught(() => t.unmap(0x7000)) as Error).message).toBe(`page table ${t.rootPfn}: address 0x7000 is not mapped`);
    expectSameSnapshot(kernel.snapshot(), before);
  });

  it('runs out of memory for a table with nothing changed, and for the root', () => {
    const kernel = newKernel(8 * page);
    const t = kernel.createPageTable();
    // Take every free frame through other tables.
    const hogs: PageTable[] = [];
    while (kernel.frames.freeCount > 0) hogs.push(kernel.createPageTable());
    const before = kernel.snapshot();
    const error = caught(() => t.map(0x1000, 0x1000, PWU));
    expect(error).toBeInstanceOf(OutOfMemoryError);
    expect((error as OutOfMemoryError).framesNeeded).toBe(last);
    expectSameSnapshot(kernel.snapshot(), before);
    expect(caught(() => kernel.createPageTable())).toBeInstanceOf(OutOfMemoryError);
    hogs.pop()!.destroy();
    if (last > 1) expect(caught(() => t.map(0x1000, 0x1000, PWU))).toBeInstanceOf(OutOfMemoryError);
    for (const h of hogs) h.destroy();
    t.map(0x1000, 0x1000, PWU);
    expect(t.translate(0x1000)).toBe(0x1000);
  });

  it('translate agrees with the MMU walk for every address (property)', () => {
    const kernel = new Kernel({ model: make(), ramBytes: 64 << 20 });
    const mmu = new Mmu(kernel.ram, kernel.model, { control: CTL_SUM | CTL_MXR });
    const ramPages = kernel.ram.size / page;
    const range = vaRange(model);
    // Addresses clustered in a few windows (so tables are shared) anywhere in the space, both halves.
    const windows = [0, 0x40000000, range.end - 2 ** 24, range.min === 0 ? 2 ** 31 : range.min];
    const vaArb = fc.tuple(fc.constantFrom(...windows), fc.integer({ min: 0, max: 2 ** 24 - 1 })).map(([w, off]) => w + off);
    const step = fc.record({
      va: vaArb,
      pfn: fc.integer({ min: 0, max: ramPages - 1 }),
      huge: fc.boolean(),
      flags: fc.constantFrom(PT_PRESENT, PWU, PT_PRESENT | PT_WRITABLE, PT_PRESENT | PT_GLOBAL),
    });
    fc.assert(fc.property(fc.array(step, { maxLength: 40 }), fc.array(vaArb, { maxLength: 40 }), (steps, probes) => {
      const t = kernel.createPageTable();
      const vas: number[] = [];
      for (const s of steps) {
        const level = s.huge && huge.length > 0 ? huge[huge.length - 1]! : last;
        const size = 2 ** levelSpanShift(model, level);
        const va = Math.floor(s.va / size) * size;
        const pa = (Math.floor((s.pfn * page) / size) * size) % kernel.ram.size;
        try {
          t.map(va, pa, s.flags | (level < last ? PT_HUGE : 0), size);
          vas.push(va);
        } catch (error) {
          expect(error).toBeInstanceOf(AlreadyMappedError);
        }
      }
      for (const va of vas) expect(t.translate(va)).not.toBeNull();
      for (const va of [...probes, ...vas, ...vas.map((v) => v + page - 1)]) {
        expect(t.translate(va)).toBe(mmuWalk(mmu, t, va));
      }
      t.destroy();
    }), { numRuns: 60 });
    // Everything was given back.
    expect(kernel.frames.freeCount).toBe(kernel.frames.total - 1);
  });

  it('leaks no frame over 10,000 random map/unmap steps (checked against the frame allocator)', () => {
    const kernel = new Kernel({ model: make(), ramBytes: 16 << 20 });
    const t = kernel.createPageTable();
    const free = kernel.frames.freeCount;
    const mapped = new Map<number, number>();
    // 64 pages spread over four last-level tables' ranges in two upper-level ranges, so tables come and go.
    const tableSpan = 2 ** levelSpanShift(model, last - 1);
    const upperSpan = model.levels > 2 ? 2 ** levelSpanShift(model, last - 2) : tableSpan * 16;
    const slots = Array.from({ length: 64 }, (_, i) => (i >> 5) * upperSpan + ((i >> 4) & 1) * tableSpan + (i & 15) * page);
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(63), fc.nat(4000)), { minLength: 10_000, maxLength: 10_000 }), (ops) => {
      for (const [slot, pfn] of ops) {
        const va = slots[slot]!;
        if (mapped.has(va)) {
          expect(t.unmap(va)).toBe(mapped.get(va)! * page);
          mapped.delete(va);
        } else {
          t.map(va, pfn * page, PWU);
          mapped.set(va, pfn);
        }
        const tables = tablesFor(model, mapped.keys());
        expect(t.tableCount).toBe(tables);
        expect(kernel.frames.freeCount).toBe(free - (tables - 1));
      }
      kernel.checkInvariants();
      for (const va of [...mapped.keys()]) {
        t.unmap(va);
        mapped.delete(va);
      }
      expect(kernel.frames.freeCount).toBe(free);
    }), { numRuns: 1 });
  });
});

describe('PageTable naming physical memory beyond RAM', () => {
  it('translate gives the address; the MMU walk faults with a bus error there, as device memory does', () => {
    const kernel = new Kernel({ model: 'x86-64', ramBytes: 1 << 20 });
    const t = kernel.createPageTable();
    t.map(0x1000, 1 << 30, PWU);
    expect(t.translate(0x1008)).toBe((1 << 30) + 8);
    const mmu = new Mmu(kernel.ram, kernel.model);
    mmu.setRoot(t.rootPfn, 0);
    expect(mmu.translateNoSideEffects(0x1008, ACCESS_READ, false)).toBe(-FAULT_BUS);
  });
});

describe('PageTable beside processes', () => {
  it('keeps the kernel invariants: its tables are owned once, its leaves hold no references', () => {
    const kernel = new Kernel({ model: 'x86-64', checkInvariants: true });
    const p = kernel.spawn();
    kernel.register(0x1000);
    kernel.store(0x1000, 4, 7);
    const t = kernel.createPageTable();
    const frame = kernel.translate(0x1000, p.pid)!.pfn;
    t.map(0x7000, frame * kernel.pageSize, PWU);
    kernel.checkInvariants();
    expect(kernel.stats().frames.pageTables).toBe(4 + 4);
    kernel.kill(p.pid);
    t.destroy();
    kernel.checkInvariants();
    expect(kernel.stats().frames.pageTables).toBe(0);
  });

  it('reports its table frames as alloc and free events', () => {
    const kernel = new Kernel({ model: 'sv39' });
    const events: string[] = [];
    kernel.on((e) => {
      if (e.type === 'alloc' || e.type === 'free') events.push(`${e.type} ${e.pfn}`);
    });
    const t = kernel.createPageTable();
    t.map(0, 0, PT_PRESENT);
    t.unmap(0);
    t.destroy();
    expect(events).toEqual(['alloc 1', 'alloc 2', 'alloc 3', 'free 3', 'free 2', 'free 1']);
  });
});
