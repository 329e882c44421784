import {
  ACCESS_READ, ACCESS_WRITE, Mmu, PhysicalMemory, PTE_R, PTE_SW0, PTE_U, PTE_V, PTE_W, sv32, x86_32,
  type HardwareModel,
} from '@vmsim/hw';
import { describe, expect, it } from 'vitest';
import { AddressSpace } from './address-space.js';
import { FRAME_DATA, FRAME_TABLE, FrameAllocator } from './frame-allocator.js';
import { MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE, VmaList } from './vma.js';

const PAGE = 4096;
const REGION = 4 * 1024 * 1024; // what one last-level table covers on both 10|10|12 models
const RW = PTE_V | PTE_R | PTE_W | PTE_U;
const RO = PTE_V | PTE_R | PTE_U;

function setup(model: HardwareModel, frames = 64): { ram: PhysicalMemory; fa: FrameAllocator; space: AddressSpace } {
  const ram = new PhysicalMemory(frames * PAGE);
  const fa = new FrameAllocator(ram);
  const root = fa.alloc(FRAME_TABLE);
  return { ram, fa, space: new AddressSpace(ram, model, fa, root) };
}

describe.each([['x86-32', x86_32], ['sv32', sv32]] as const)('AddressSpace on %s', (_name, makeModel) => {
  it('needs one table for a fresh 4 MiB region, none once it exists', () => {
    const { fa, space } = setup(makeModel());
    const va = 3 * REGION + 5 * PAGE;
    expect(space.tablesNeeded(va)).toBe(1);
    expect(space.entryPa(va)).toBe(-1);
    expect(space.leaf(va)).toMatchObject({ entryPa: -1, valid: false });
    const data = fa.alloc(FRAME_DATA);
    const tablesBefore = fa.inUse[FRAME_TABLE]!;
    space.map(va, data, RW);
    expect(space.tables).toBe(2);
    expect(fa.inUse[FRAME_TABLE]).toBe(tablesBefore + 1);
    expect(space.tablesNeeded(va)).toBe(0);
    expect(space.tablesNeeded(3 * REGION + 1023 * PAGE)).toBe(0);
    expect(space.tablesNeeded(4 * REGION)).toBe(1);
    // A second page of the same region allocates nothing more.
    const free = fa.free;
    space.map(va + PAGE, data, RO);
    expect(fa.free).toBe(free);
    expect(space.tables).toBe(2);
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
    const { fa, space } = setup(makeModel());
    const vas = [5 * REGION + 3 * PAGE, 0x1000, 5 * REGION, 2 * REGION + 1023 * PAGE];
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
    expect(tables.at(-1)).toEqual([space.rootPfn, 0]);
    const leafTables = tables.slice(0, -1);
    expect(leafTables.every(([, level]) => level === 1)).toBe(true);
    // One table per distinct 4 MiB region, in address order: region 0, 2, 5.
    const tableOf = (va: number): number => Math.floor(space.entryPa(va) / PAGE);
    expect(leafTables.map(([pfn]) => pfn)).toEqual([tableOf(0x1000), tableOf(2 * REGION), tableOf(5 * REGION)]);
    for (const [pfn] of tables) expect(fa.kindOf(pfn)).toBe(FRAME_TABLE);
  });

  it('cloneTablesInto gives the child fresh tables of the same shape and reports every leaf pair', () => {
    const model = makeModel();
    const { ram, fa, space } = setup(model);
    space.vmas.insert({ start: 0, end: REGION * 8, prot: PROT_READ | PROT_WRITE, flags: MAP_PRIVATE | MAP_ANONYMOUS });
    const vas = [0x2000, 0x3000, 7 * REGION + 9 * PAGE];
    const pfns = vas.map((va) => {
      const pfn = fa.alloc(FRAME_DATA);
      space.map(va, pfn, RW);
      return pfn;
    });
    const child = new AddressSpace(ram, model, fa, fa.alloc(FRAME_TABLE), space.vmas.clone());
    const allocated: number[] = [];
    const pairs: [number, number, number][] = [];
    space.cloneTablesInto(child, () => {
      const t = fa.alloc(FRAME_TABLE);
      allocated.push(t);
      return t;
    }, (va, parentPa, childPa) => {
      pairs.push([va, parentPa, childPa]);
      // The callback decides what the child's leaf holds; copy it read-only.
      const leaf = space.leafAt(parentPa);
      child.setLeaf(childPa, leaf.pfn, RO);
    });
    expect(allocated).toHaveLength(space.tables - 1);
    expect(child.tables).toBe(space.tables);
    expect(pairs.map(([va]) => va)).toEqual(vas);
    for (const [va, parentPa, childPa] of pairs) {
      expect(space.entryPa(va)).toBe(parentPa);
      expect(child.entryPa(va)).toBe(childPa);
      expect(childPa).not.toBe(parentPa);
    }
    const childTables: number[] = [];
    child.forEachTable((pfn) => childTables.push(pfn));
    const parentTables: number[] = [];
    space.forEachTable((pfn) => parentTables.push(pfn));
    expect(childTables.filter((t) => parentTables.includes(t))).toEqual([]);
    expect(vas.map((va) => child.leaf(va).pfn)).toEqual(pfns);
    expect(vas.map((va) => space.leaf(va).flags & PTE_W)).toEqual([PTE_W, PTE_W, PTE_W]);
    expect(vas.map((va) => child.leaf(va).flags & PTE_W)).toEqual([0, 0, 0]);
    // The child's regions are a copy, not the same list.
    child.vmas.remove(0, REGION);
    expect(space.vmas.find(0x2000)).toBeDefined();
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
