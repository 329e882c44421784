import { describe, expect, it } from 'vitest';
import { levelSpanShift, PTE_R, PTE_U, PTE_V, PTE_W, type HardwareModel } from './model.js';
import { mapPage } from './page-table.js';
import { levelSpans, visitPageTables, type PageTableVisitor } from './page-table-visitor.js';
import { PhysicalMemory } from './physical-memory.js';
import { sv32 } from './sv32.js';
import { sv39 } from './sv39.js';
import { x86_32 } from './x86-32.js';
import { x86_64 } from './x86-64.js';

const LEAF = PTE_V | PTE_R | PTE_W | PTE_U;
const MODELS: readonly (() => HardwareModel)[] = [x86_32, sv32, x86_64, sv39];

/** A RAM with a root table at frame 1 and a bump allocator for the tables under it. */
function machine(model: HardwareModel) {
  const ram = new PhysicalMemory(256 * 4096, { frameSize: 2 ** model.pageShift });
  let next = 2;
  const alloc = () => next++;
  return { ram, alloc, map: (va: number, pfn: number, level = model.levels - 1) => mapPage(ram, model, 1, va, pfn, LEAF, alloc, level) };
}

function record(ram: PhysicalMemory, model: HardwareModel) {
  const log: string[] = [];
  const visitor: PageTableVisitor = {
    table: (pfn, level) => log.push(`table ${pfn}@${level}`),
    tableDone: (pfn, level) => log.push(`done ${pfn}@${level}`),
    leaf: (va, _entryPa, pfn, flags, level) => log.push(`leaf ${va.toString(16)}->${pfn}@${level}${(flags & PTE_W) !== 0 ? ' w' : ''}`),
  };
  visitPageTables(ram, model, 1, visitor);
  return log;
}

describe.each(MODELS.map((make) => ({ make, name: make().name })))('visitPageTables on $name', ({ make }) => {
  it('an empty tree: the root before and after, no leaf', () => {
    const model = make();
    const { ram } = machine(model);
    expect(record(ram, model)).toEqual(['table 1@0', 'done 1@0']);
  });

  it('leaves in address order whatever the mapping order; tables pre-order on the way down, post-order on the way up', () => {
    const model = make();
    const { ram, map } = machine(model);
    const far = 2 ** levelSpanShift(model, 0); // the second root entry
    map(far + 0x3000, 90);
    map(0x1000, 91);
    map(0x2000, 92);
    const log = record(ram, model);
    const leaves = log.filter((l) => l.startsWith('leaf'));
    const last = model.levels - 1;
    expect(leaves).toEqual([`leaf 1000->91@${last} w`, `leaf 2000->92@${last} w`, `leaf ${(far + 0x3000).toString(16)}->90@${last} w`]);
    expect(log[0]).toBe('table 1@0');
    expect(log.at(-1)).toBe('done 1@0');
    // Every table is announced before any of its leaves and finished after them.
    const tables = log.filter((l) => l.startsWith('table')).length;
    expect(log.filter((l) => l.startsWith('done')).length).toBe(tables);
    expect(tables).toBe(1 + 2 * (model.levels - 1));
    const firstLeaf = log.indexOf(leaves[0]!);
    expect(log.slice(0, firstLeaf).every((l) => l.startsWith('table'))).toBe(true);
  });

  it('reads without side effects: RAM is unchanged by a visit', () => {
    const model = make();
    const { ram, map } = machine(model);
    map(0x5000, 40);
    const before = ram.bytes.slice();
    record(ram, model);
    expect(ram.bytes.findIndex((b, i) => b !== before[i])).toBe(-1);
  });

  it('precomputes one span per level, cached per model object', () => {
    const model = make();
    const spans = levelSpans(model);
    expect(Array.from(spans)).toEqual(model.indexBits.map((_, level) => 2 ** levelSpanShift(model, level)));
    expect(levelSpans(model)).toBe(spans);
  });
});

describe('visitPageTables: the entry that points to a table', () => {
  it.each(MODELS.map((make) => ({ make, name: make().name })))('is -1 for the root and the parent entry for every other table ($name)', ({ make }) => {
    const model = make();
    const { ram, map } = machine(model);
    const far = 2 ** levelSpanShift(model, 0);
    map(0x1000, 70);
    map(far + 0x2000, 71);
    const seen: { pfn: number; level: number; entryPa: number }[] = [];
    visitPageTables(ram, model, 1, { table: (pfn, level, entryPa) => seen.push({ pfn, level, entryPa }) });
    expect(seen[0]).toEqual({ pfn: 1, level: 0, entryPa: -1 });
    for (const t of seen.slice(1)) {
      // The entry lies in a table of the level above, and it decodes to this table's frame.
      const parent = Math.floor(t.entryPa / 4096);
      expect(seen.some((p) => p.pfn === parent && p.level === t.level - 1)).toBe(true);
      const lo = ram.view.getUint32(t.entryPa, true);
      const hi = model.entryBytes === 8 ? ram.view.getUint32(t.entryPa + 4, true) : 0;
      expect(model.pfn(lo, hi, t.level - 1)).toBe(t.pfn);
    }
    // The root's entries for the two mappings: index 0 and index 1.
    const fromRoot = seen.filter((t) => t.level === 1).map((t) => (t.entryPa - 4096) / model.entryBytes);
    expect(fromRoot).toEqual([0, 1]);
  });
});

describe('visitPageTables: huge pages and the upper half', () => {
  it('reports a huge page as a leaf at its level and does not descend into it', () => {
    const model = x86_32({ pse: true });
    const { ram, map } = machine(model);
    map(0x400000, 1024, 0); // a 4 MiB page at level 0
    map(0x1000, 50);
    expect(record(ram, model)).toEqual(['table 1@0', 'table 2@1', 'leaf 1000->50@1 w', 'done 2@1', 'leaf 400000->1024@0 w', 'done 1@0']);
  });

  it('gives upper-half leaves of a sign-extended space negative addresses, after the lower half', () => {
    const model = x86_64();
    const { ram, map } = machine(model);
    map(-(2 ** 47), 60);
    map(0x1000, 61);
    const leaves = record(ram, model).filter((l) => l.startsWith('leaf'));
    expect(leaves).toEqual(['leaf 1000->61@3 w', `leaf ${(-(2 ** 47)).toString(16)}->60@3 w`]);
  });
});
