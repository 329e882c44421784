// Huge pages in the views: the kernel's scripts never make one, so the test writes a 2 MiB leaf (a PDE with
// PS on x86-64, a level-1 leaf on Sv39) straight into a process's tables with hw's page-table helpers.
import { entryPaIn, PTE_A, PTE_R, PTE_U, PTE_V, PTE_W, writeEntry } from '@vmsim/hw';
import { Kernel } from '@vmsim/kernel';
import { describe, expect, it } from 'vitest';
import { pageTableTree, type EntryView, type TableView } from './page-tables.js';
import { walkView } from './walk.js';

const VA = 0x40000000;
const HUGE_PFN = 512;

function withHugePage(model: 'x86-64' | 'sv39'): Kernel {
  const kernel = new Kernel({ model, ramBytes: 8 << 20 });
  const p = kernel.spawn();
  // Map and touch one page at VA + 4 MiB so the tables down to the level above the last exist, then put a
  // huge leaf beside it, in the same table.
  kernel.register(VA + (4 << 20), p.pid);
  const m = kernel.model;
  const level = m.levels - 2;
  let table = p.space!.rootPfn;
  for (let l = 0; l < level; l++) {
    const pa = entryPaIn(m, table, VA, l);
    const view = kernel.ram.view;
    table = m.pfn(view.getUint32(pa, true), m.entryBytes === 8 ? view.getUint32(pa + 4, true) : 0, l);
  }
  const flags = PTE_V | PTE_R | PTE_W | PTE_U | PTE_A;
  writeEntry(kernel.ram, m, entryPaIn(m, table, VA, level), m.encodeLo(HUGE_PFN, flags, level, true), m.encodeHi(HUGE_PFN, flags, level, true));
  return kernel;
}

function entries(table: TableView): EntryView[] {
  return table.rows.flatMap((r) => (r.kind === 'entry' ? [r, ...(r.child === null ? [] : entries(r.child))] : []));
}

describe('huge pages', () => {
  it.each(['x86-64', 'sv39'] as const)('%s: a 2 MiB leaf above the last level is marked huge and the walk ends there', (model) => {
    const kernel = withHugePage(model);
    const huge = entries(pageTableTree(kernel, 0).root).filter((e) => e.huge);
    expect(huge).toHaveLength(1);
    expect(huge[0]).toMatchObject({ leaf: true, va: VA, span: 2 << 20, pfn: HUGE_PFN });
    if (model === 'x86-64') expect(huge[0]!.bits.find((b) => b.name === 'PS')!.set).toBe(true);
    const walk = walkView(kernel, 0, VA + 0x12345);
    expect(walk.steps.at(-1)).toMatchObject({ leaf: true, level: kernel.model.levels - 2 });
    expect(walk.pa).toBe(HUGE_PFN * 4096 + 0x12345);
  });
});
