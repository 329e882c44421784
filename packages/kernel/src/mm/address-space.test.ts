import {
  ACCESS_READ, ACCESS_WRITE, Mmu, PhysicalMemory, PTE_A, PTE_D, PTE_R, PTE_SW0, PTE_U, PTE_V, PTE_W, x86_32,
  type HardwareModel,
} from '@vmsim/hw';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AddressSpace } from './address-space.js';
import { FRAME_DATA, FRAME_TABLE, FrameAllocator } from './frame-allocator.js';
import { lastTableSpan, levelSpan, MODELS, newTablesFor, tablesFor } from '../testing/models.js';
import { MAP_ANONYMOUS, MAP_PRIVATE, MAP_SHARED, PROT_READ, PROT_WRITE, VmaList } from './vma.js';
import { copyPageRange, isCowMapping } from './copy-page-range.js';
import { PTE_COW } from '../fault/wp-page.js';

const PAGE = 4096;
const RW = PTE_V | PTE_R | PTE_W | PTE_U;
const RO = PTE_V | PTE_R | PTE_U;

function setup(model: HardwareModel, frames = 64): { ram: PhysicalMemory; fa: FrameAllocator; space: AddressSpace } {
  const ram = new PhysicalMemory(frames * PAGE);
  const fa = new FrameAllocator(ram);
  const root = fa.alloc(FRAME_TABLE);
  return { ram, fa, space: new AddressSpace(ram, model, fa, root) };
}

describe.each(MODELS)('AddressSpace on $name', ({ make: makeModel }) => {
  it('needs a table per level below the root for a fresh region, none once its last-level table exists', () => {
    const model = makeModel();
    const REGION = lastTableSpan(model);
    const { fa, space } = setup(model);
    const va = 3 * REGION + 5 * PAGE;
    expect(space.tablesNeeded(va)).toBe(model.levels - 1);
    expect(space.entryPa(va)).toBe(-1);
    expect(space.leaf(va)).toMatchObject({ entryPa: -1, valid: false });
    const data = fa.alloc(FRAME_DATA);
    const tablesBefore = fa.inUse[FRAME_TABLE]!;
    space.map(va, data, RW);
    expect(space.tables).toBe(model.levels);
    expect(fa.inUse[FRAME_TABLE]).toBe(tablesBefore + model.levels - 1);
    expect(space.tablesNeeded(va)).toBe(0);
    expect(space.tablesNeeded(4 * REGION - PAGE)).toBe(0);
    // The next last-level region: as many tables as the shape says (1 where the levels above it exist).
    expect(space.tablesNeeded(4 * REGION)).toBe(newTablesFor(model, [va], 4 * REGION));
    expect(space.tablesNeeded(4 * REGION)).toBe(1);
    // Under another root entry: a table per level below the root again.
    expect(space.tablesNeeded(va + 2 * levelSpan(model, 0))).toBe(model.levels - 1);
    // A second page of the same region allocates nothing more.
    const free = fa.freeCount;
    space.map(va + PAGE, data, RO);
    expect(fa.freeCount).toBe(free);
    expect(space.tables).toBe(model.levels);
  });

  it('writes leaves the MMU can walk, with the flags and frame it was given', () => {
    const model = makeModel();
    const { ram, fa, space } = setup(model);
    const va = 0x40001000;
    const pfn = fa.alloc(FRAME_DATA);
    const entryPa = space.map(va, pfn, RW | PTE_SW0);
    expect(space.entryPa(va)).toBe(entryPa);
    const leaf = space.leaf(va + 17);
    expect(leaf).toEqual({ entryPa, valid: true, pfn, flags: expect.any(Number) });
    expect(leaf.flags & (RW | PTE_SW0)).toBe(RW | PTE_SW0);
    expect(space.leafAt(entryPa)).toEqual(leaf);

    const mmu = new Mmu(ram, model);
    mmu.setRoot(space.rootPfn, 0);
    expect(mmu.translateNoSideEffects(va + 17, ACCESS_WRITE, true)).toBe(pfn * PAGE + 17);
    // Neighbouring pages of the region are not mapped.
    expect(mmu.translateNoSideEffects(va + PAGE, ACCESS_READ, true)).toBeLessThan(0);
  });

  it('setLeaf rewrites an entry in place and clearLeaf invalidates it', () => {
    const model = makeModel();
    const { ram, fa, space } = setup(model);
    const va = 0x00800000;
    const a = fa.alloc(FRAME_DATA);
    const b = fa.alloc(FRAME_DATA);
    const entryPa = space.map(va, a, RW);
    space.setLeaf(entryPa, b, RO);
    expect(space.leaf(va)).toMatchObject({ valid: true, pfn: b });
    expect(space.leaf(va).flags & PTE_W).toBe(0);
    const mmu = new Mmu(ram, model);
    mmu.setRoot(space.rootPfn, 0);
    expect(mmu.translateNoSideEffects(va, ACCESS_READ, true)).toBe(b * PAGE);
    expect(mmu.translateNoSideEffects(va, ACCESS_WRITE, true)).toBeLessThan(0);
    space.clearLeaf(entryPa);
    expect(space.leaf(va)).toMatchObject({ entryPa, valid: false, pfn: 0 });
    expect(mmu.translateNoSideEffects(va, ACCESS_READ, true)).toBeLessThan(0);
  });

  it('visits leaves in address order and tables children first, root last', () => {
    const model = makeModel();
    const REGION = lastTableSpan(model);
    const { fa, space } = setup(model);
    const vas = [5 * REGION + 3 * PAGE, 0x1000, 5 * REGION, 3 * REGION - PAGE];
    for (const va of vas) space.map(va, fa.alloc(FRAME_DATA), RW);
    const seen: number[] = [];
    space.forEachLeaf((va, entryPa) => {
      expect(space.entryPa(va)).toBe(entryPa);
      seen.push(va);
    });
    expect(seen).toEqual([...vas].sort((x, y) => x - y));

    const tables: [number, number][] = [];
    space.forEachTable((pfn, level) => tables.push([pfn, level]));
    expect(tables).toHaveLength(space.tables);
    expect(tables).toHaveLength(tablesFor(model, vas));
    expect(tables.at(-1)).toEqual([space.rootPfn, 0]);
    // Every level below the root has tables; every table comes after its children (post-order).
    for (let level = 1; level < model.levels; level++) expect(tables.some(([, l]) => l === level)).toBe(true);
    tables.forEach(([pfn, level], i) => {
      if (level > 0) expect(tables.slice(i + 1).some(([, l]) => l === level - 1), `table ${pfn} before its parent`).toBe(true);
    });
    // One last-level table per distinct last-level region, in address order: regions 0, 2, 5.
    const leafTables = tables.filter(([, level]) => level === model.levels - 1);
    const tableOf = (va: number): number => Math.floor(space.entryPa(va) / PAGE);
    expect(leafTables.map(([pfn]) => pfn)).toEqual([tableOf(0x1000), tableOf(2 * REGION), tableOf(5 * REGION)]);
    for (const [pfn] of tables) expect(fa.kindOf(pfn)).toBe(FRAME_TABLE);
  });

  it('copyPageRange gives the child fresh tables of the same shape and reports every entry copied', () => {
    const model = makeModel();
    const REGION = lastTableSpan(model);
    const { ram, fa, space } = setup(model);
    const vma = { start: 0, end: REGION * 8, prot: PROT_READ | PROT_WRITE, flags: MAP_PRIVATE | MAP_ANONYMOUS };
    space.vmas.insert(vma);
    const vas = [0x2000, 0x3000, 7 * REGION + 9 * PAGE];
    const pfns = vas.map((va) => {
      const pfn = fa.alloc(FRAME_DATA);
      space.map(va, pfn, RW | PTE_A | PTE_D);
      return pfn;
    });
    const child = new AddressSpace(ram, model, fa, fa.alloc(FRAME_TABLE), space.vmas.clone());
    const allocated: number[] = [];
    const copied: [number, number, boolean, boolean][] = [];
    const downgraded = copyPageRange(space, child, vma, fa, () => {
      const t = fa.alloc(FRAME_TABLE);
      allocated.push(t);
      return t;
    }, (va, pfn, childWritable, parentDowngraded) => copied.push([va, pfn, childWritable, parentDowngraded]));
    expect(downgraded).toBe(true);
    expect(allocated).toHaveLength(space.tables - 1);
    expect(child.tables).toBe(space.tables);
    expect(copied).toEqual(vas.map((va, i) => [va, pfns[i], false, true]));
    for (const va of vas) expect(child.entryPa(va)).not.toBe(space.entryPa(va));
    const childTables: number[] = [];
    child.forEachTable((pfn) => childTables.push(pfn));
    const parentTables: number[] = [];
    space.forEachTable((pfn) => parentTables.push(pfn));
    expect(childTables.filter((t) => parentTables.includes(t))).toEqual([]);
    expect(vas.map((va) => child.leaf(va).pfn)).toEqual(pfns);
    expect(vas.map((va) => fa.refCount(child.leaf(va).pfn))).toEqual([2, 2, 2]);
    // Private writable: copy-on-write on both sides; the child's entries start old, the parent keeps A and D.
    expect(vas.map((va) => space.leaf(va).flags & (PTE_W | PTE_COW | PTE_A | PTE_D))).toEqual(vas.map(() => PTE_COW | PTE_A | PTE_D));
    expect(vas.map((va) => child.leaf(va).flags & (PTE_W | PTE_COW | PTE_A | PTE_D))).toEqual(vas.map(() => PTE_COW | PTE_D));
    // The child's regions are a copy, not the same list.
    child.vmas.remove(0, REGION);
    expect(space.vmas.find(0x2000)).toBeDefined();
  });

  it('copyPageRange of a shared mapping keeps W and gives the child clean, old entries; regions sharing a table reuse the child\'s', () => {
    const model = makeModel();
    const { ram, fa, space } = setup(model);
    const shared = { start: 0x1000, end: 0x2000, prot: PROT_READ | PROT_WRITE, flags: MAP_SHARED | MAP_ANONYMOUS };
    const priv = { start: 0x2000, end: 0x3000, prot: PROT_READ | PROT_WRITE, flags: MAP_PRIVATE | MAP_ANONYMOUS };
    space.vmas.insert(shared);
    space.vmas.insert(priv);
    const a = fa.alloc(FRAME_DATA);
    const b = fa.alloc(FRAME_DATA);
    space.map(0x1000, a, RW | PTE_A | PTE_D);
    space.map(0x2000, b, RO | PTE_A);
    const child = new AddressSpace(ram, model, fa, fa.alloc(FRAME_TABLE), space.vmas.clone());
    const alloc = () => fa.alloc(FRAME_TABLE);
    expect(copyPageRange(space, child, shared, fa, alloc, null)).toBe(false);
    expect(copyPageRange(space, child, priv, fa, alloc, null)).toBe(false); // read-only: nothing to downgrade
    expect(child.tables).toBe(space.tables);
    expect(space.leaf(0x1000).flags & (PTE_W | PTE_A | PTE_D | PTE_COW)).toBe(PTE_W | PTE_A | PTE_D);
    expect(child.leaf(0x1000).flags & (PTE_W | PTE_A | PTE_D | PTE_COW)).toBe(PTE_W);
    expect(child.leaf(0x2000).flags & (PTE_W | PTE_A | PTE_D | PTE_COW)).toBe(0);
    expect(isCowMapping(shared)).toBe(false);
    expect(isCowMapping(priv)).toBe(true);
    expect(isCowMapping({ ...priv, prot: PROT_READ })).toBe(false);
  });
});

describe.each(MODELS.filter((m) => m.highVa !== null))('AddressSpace with addresses above 2^32 on $name', ({ make: makeModel, highVa }) => {
  it('maps, finds, visits and clones pages above 2^32 at their own addresses', () => {
    const model = makeModel();
    const { ram, fa, space } = setup(model);
    const high = highVa!;
    const vas = [0x1000, high + 0x1000, high + lastTableSpan(model)];
    const pfns = vas.map((va) => {
      const pfn = fa.alloc(FRAME_DATA);
      space.map(va, pfn, RW);
      return pfn;
    });
    expect(space.tables).toBe(tablesFor(model, vas));
    expect(vas.map((va) => space.leaf(va + 5).pfn)).toEqual(pfns);
    // The low page with the same low 32 bits as a high one is not mapped.
    expect(space.leaf((high + 0x1000) % 2 ** 32 + PAGE).valid).toBe(false);
    const seen: number[] = [];
    space.forEachLeaf((va) => seen.push(va));
    expect(seen).toEqual(vas);
    const mmu = new Mmu(ram, model);
    mmu.setRoot(space.rootPfn, 0);
    expect(mmu.translateNoSideEffects(high + 0x1000 + 17, ACCESS_WRITE, true)).toBe(pfns[1]! * PAGE + 17);
    space.vmas.insert({ start: 0, end: high + 2 * lastTableSpan(model), prot: PROT_READ | PROT_WRITE, flags: MAP_PRIVATE | MAP_ANONYMOUS });
    const child = new AddressSpace(ram, model, fa, fa.alloc(FRAME_TABLE));
    const cloned: number[] = [];
    for (const vma of space.vmas) copyPageRange(space, child, vma, fa, () => fa.alloc(FRAME_TABLE), (va) => cloned.push(va));
    expect(cloned).toEqual(vas);
    expect(child.tables).toBe(space.tables);
    expect(vas.map((va) => child.leaf(va).pfn)).toEqual(pfns);
  });
});

describe('AddressSpace basics', () => {
  it('starts with no ASID, one table (its root) and the regions it was given', () => {
    const vmas = new VmaList();
    vmas.insert({ start: 0, end: PAGE, prot: PROT_READ, flags: MAP_PRIVATE });
    const { ram, fa } = setup(x86_32());
    const space = new AddressSpace(ram, x86_32(), fa, fa.alloc(FRAME_TABLE), vmas);
    expect(space.asid).toBe(-1);
    expect(space.tables).toBe(1);
    expect(space.vmas).toBe(vmas);
    let leaves = 0;
    space.forEachLeaf(() => leaves++);
    expect(leaves).toBe(0);
  });
});

describe('AddressSpace.findVma (the fault path\'s remembered region)', () => {
  it('answers exactly as the region list does through any sequence of inserts, removes and lookups (property)', () => {
    const PAGES = 48;
    const op = fc.oneof(
      fc.record({ kind: fc.constant('insert' as const), page: fc.nat(PAGES - 1), pages: fc.integer({ min: 1, max: 6 }), prot: fc.constantFrom(PROT_READ, PROT_READ | PROT_WRITE) }),
      fc.record({ kind: fc.constant('remove' as const), page: fc.nat(PAGES - 1), pages: fc.integer({ min: 1, max: 6 }) }),
      fc.record({ kind: fc.constant('find' as const), va: fc.integer({ min: -PAGE, max: (PAGES + 1) * PAGE }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 80 }), (ops) => {
        const { space } = setup(x86_32());
        for (const o of ops) {
          if (o.kind === 'insert') {
            const start = o.page * PAGE;
            const end = Math.min(PAGES, o.page + o.pages) * PAGE;
            if (!space.vmas.overlaps(start, end)) space.vmas.insert({ start, end, prot: o.prot, flags: MAP_PRIVATE | MAP_ANONYMOUS });
          } else if (o.kind === 'remove') {
            space.vmas.remove(o.page * PAGE, (o.page + o.pages) * PAGE);
          } else {
            expect(space.findVma(o.va)).toBe(space.vmas.find(o.va));
            // Asked again at once (the remembered answer) and at the page's neighbours.
            expect(space.findVma(o.va)).toBe(space.vmas.find(o.va));
            expect(space.findVma(o.va + PAGE)).toBe(space.vmas.find(o.va + PAGE));
            expect(space.findVma(o.va - 1)).toBe(space.vmas.find(o.va - 1));
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('does not give a region again after it was split, merged or removed', () => {
    const { space } = setup(x86_32());
    space.vmas.insert({ start: 0, end: 4 * PAGE, prot: PROT_READ | PROT_WRITE, flags: MAP_PRIVATE | MAP_ANONYMOUS });
    const whole = space.findVma(PAGE)!;
    expect(whole).toMatchObject({ start: 0, end: 4 * PAGE });
    space.vmas.remove(2 * PAGE, 3 * PAGE);
    expect(space.findVma(PAGE)).toMatchObject({ start: 0, end: 2 * PAGE });
    expect(space.findVma(2 * PAGE)).toBeUndefined();
    expect(space.findVma(3 * PAGE)).toMatchObject({ start: 3 * PAGE, end: 4 * PAGE });
    space.vmas.insert({ start: 2 * PAGE, end: 3 * PAGE, prot: PROT_READ | PROT_WRITE, flags: MAP_PRIVATE | MAP_ANONYMOUS });
    expect(space.findVma(3 * PAGE)).toMatchObject({ start: 0, end: 4 * PAGE });
    space.vmas.remove(0, 4 * PAGE);
    expect(space.findVma(3 * PAGE)).toBeUndefined();
  });
});
