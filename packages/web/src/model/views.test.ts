import { levelNames, modelByName } from '@vmsim/hw';
import { describe, expect, it } from 'vitest';
import { StepEngine } from '../engine/step-engine.js';
import { DEFAULT_EXAMPLE } from '../examples.js';
import { framesView } from './frames.js';
import { pageTableTree, readTableEntry, type EntryView, type TableView } from './page-tables.js';
import { tlbView } from './tlb.js';
import { splitVa, walkView } from './walk.js';

/** The COW tour run up to just after the command starting with `prefix`. */
function tourAfter(prefix: string, model: 'x86-32' | 'sv32' | 'x86-64' | 'sv39' = 'x86-32'): StepEngine {
  const engine = new StepEngine({ script: DEFAULT_EXAMPLE.text, model });
  engine.runTo(engine.steps.findIndex((s) => s.text.startsWith(prefix)) + 1);
  return engine;
}

function leafOf(table: TableView): EntryView {
  const entry = table.rows.find((r): r is EntryView => r.kind === 'entry')!;
  return entry.child === null ? entry : leafOf(entry.child);
}

const setBits = (e: EntryView) => e.bits.filter((b) => b.set).map((b) => b.name);

describe('pageTableTree', () => {
  it('x86-32 after fork: one PDE at index 512, one PTE, empty runs collapsed, COW in both', () => {
    const { kernel } = tourAfter('fork').simulator;
    for (const pid of [0, 1]) {
      const tree = pageTableTree(kernel, pid);
      expect(tree.levels.map((l) => l.table)).toEqual(['PAGE DIRECTORY', 'PAGE TABLE']);
      expect(tree.tables).toHaveLength(2);
      expect(tree.root.size).toBe(1024);
      expect(tree.root.rows.map((r) => (r.kind === 'gap' ? [r.from, r.to] : r.index))).toEqual([[0, 511], 512, [513, 1023]]);
      const pde = tree.root.rows[1] as EntryView;
      expect(pde).toMatchObject({ leaf: false, huge: false, va: 0x80000000, span: 4 << 20 });
      expect(pde.child).toBe(tree.tables[1]);
      const pte = leafOf(tree.root);
      expect(pte).toMatchObject({ index: 0, leaf: true, huge: false, cow: true, va: 0x80000000, span: 4096 });
      expect(setBits(pte)).not.toContain('R/W');
      expect(setBits(pte)).toContain('COW');
      expect(pte.raw).toMatch(/^[0-9a-f]{8}$/);
      expect(readTableEntry(kernel, tree.tables[1]!, 0)).toMatchObject({ valid: true, raw: pte.raw });
      expect(readTableEntry(kernel, tree.tables[1]!, 1)).toEqual({ lo: 0, hi: 0, valid: false, raw: '00000000' });
    }
  });

  it.each([['x86-64', ['PML4', 'PAGE DIRECTORY POINTER TABLE', 'PAGE DIRECTORY', 'PAGE TABLE'], 512], ['sv39', ['PAGE DIRECTORY', 'PAGE MIDDLE DIRECTORY', 'PAGE TABLE'], 512], ['sv32', ['PAGE DIRECTORY', 'PAGE TABLE'], 1024]] as const)(
    '%s: one table per level on the way to the page, named per model', (model, names, size) => {
      const { kernel } = tourAfter('write a unsigned 41', model).simulator;
      const tree = pageTableTree(kernel, 0);
      expect(tree.tables.map((t) => t.name.table)).toEqual(names);
      expect(tree.tables.every((t) => t.size === size && t.valid === 1)).toBe(true);
      const leaf = leafOf(tree.root);
      expect(leaf.va).toBe(0x80000000);
      expect(setBits(leaf)).toContain('D');
      expect(leaf.cow).toBe(false);
    });

  it('refuses a process that has terminated', () => {
    const { kernel } = tourAfter('kill').simulator;
    expect(() => pageTableTree(kernel, 1)).toThrow(RangeError);
  });
});

describe('framesView', () => {
  it('after fork the data frame is shared by both processes with refcount 2; the copy splits it', () => {
    let frames = framesView(tourAfter('fork').simulator.kernel);
    const data = frames.frames.filter((f) => f.kind === 'data');
    expect(data).toHaveLength(1);
    expect(data[0]).toMatchObject({ refCount: 2, shared: true });
    expect(data[0]!.mappedBy.map((u) => [u.pid, u.cow, u.writable])).toEqual([[0, true, false], [1, true, false]]);
    expect(frames.frames[0]).toMatchObject({ pfn: 0, kind: 'zero' });
    const tables = frames.frames.filter((f) => f.kind === 'table');
    expect(tables.map((t) => t.tableOf)).toEqual([{ pid: 0, level: 0 }, { pid: 0, level: 1 }, { pid: 1, level: 0 }, { pid: 1, level: 1 }]);

    frames = framesView(tourAfter('write a unsigned 42').simulator.kernel);
    const after = frames.frames.filter((f) => f.kind === 'data');
    expect(after.map((f) => [f.refCount, f.shared, f.mappedBy.map((u) => [u.pid, u.cow, u.writable])])).toEqual([
      [1, false, [[0, true, false]]],
      [1, false, [[1, false, true]]],
    ]);
    expect(frames.free).toBe(frames.total - frames.frames.filter((f) => f.kind !== 'free').length);
  });

  it('after kill the child frames are free again', () => {
    const frames = framesView(tourAfter('kill').simulator.kernel);
    expect(frames.frames.filter((f) => f.kind === 'free').length).toBeGreaterThan(0);
    expect(frames.frames.every((f) => f.mappedBy.every((u) => u.pid === 0))).toBe(true);
  });
});

describe('tlbView', () => {
  it('sets × ways with the cached page, its ASID, rights and LRU rank; counters as the TLB has them', () => {
    const engine = tourAfter('write b unsigned 1');
    const { kernel } = engine.simulator;
    const view = tlbView(kernel);
    expect([view.sets, view.ways, view.rows.length, view.rows[0]!.length]).toEqual([16, 4, 16, 4]);
    const valid = view.rows.flat().filter((w) => w.valid);
    expect(valid).toHaveLength(1);
    expect(valid[0]).toMatchObject({ page: '0x80000000', asid: 0, global: false, rights: 'rwx', lru: 0, span: 0 });
    expect(view.hits).toBe(kernel.mmu.tlb.hits);
    expect(view.misses).toBe(kernel.mmu.tlb.misses);
    expect(view.hits).toBeGreaterThan(0);
    expect(view.asid).toBe(0);
    // Every way of a set appears once, in slot order.
    expect(view.rows.flat().map((w) => w.slot)).toEqual([...Array(64).keys()]);
  });

  it('sv32 tags entries with ASIDs; LRU ranks count from the most recent', () => {
    const engine = tourAfter('read a unsigned a in the parent (unchanged)', 'sv32');
    const view = tlbView(engine.simulator.kernel);
    const valid = view.rows.flat().filter((w) => w.valid);
    expect(new Set(valid.map((w) => w.asid)).size).toBe(2);
    const set = view.rows.find((ways) => ways.filter((w) => w.valid).length > 1)!;
    expect(set.filter((w) => w.valid).map((w) => w.lru).sort()).toEqual([0, 1]);
  });
});

describe('walkView', () => {
  it('splits the address into each level index and the offset', () => {
    const { kernel } = tourAfter('fork').simulator;
    expect(splitVa(kernel, 0x80001234)).toEqual([
      { name: 'PDE index', high: 31, low: 22, value: 512 },
      { name: 'PTE index', high: 21, low: 12, value: 1 },
      { name: 'offset', high: 11, low: 0, value: 0x234 },
    ]);
    const x64 = tourAfter('fork', 'x86-64').simulator.kernel;
    expect(splitVa(x64, 0x80000000).map((f) => [f.name, f.high, f.low, f.value])).toEqual([
      ['PML4E index', 47, 39, 0], ['PDPTE index', 38, 30, 2], ['PDE index', 29, 21, 0], ['PTE index', 20, 12, 0], ['offset', 11, 0, 0],
    ]);
    expect(levelNames(modelByName('x86-64')).length).toBe(4);
  });

  it('reads each level until the leaf, and stops at the first invalid entry', () => {
    const { kernel } = tourAfter('write a unsigned 41').simulator;
    const walk = walkView(kernel, 0, 0x80000008);
    expect(walk.steps.map((s) => [s.name.entry, s.index, s.valid, s.leaf])).toEqual([['PDE', 512, true, false], ['PTE', 0, true, true]]);
    expect(walk.pa).toBe(walk.steps[1]!.pfn * 4096 + 8);
    const missing = walkView(kernel, 0, 0x1000);
    expect(missing.steps.map((s) => [s.index, s.valid])).toEqual([[0, false]]);
    expect(missing.pa).toBeNull();
  });
});
