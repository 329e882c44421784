import { describe, expect, it } from 'vitest';
import { pageTables as pt, Simulator } from './index.js';

const PWU = pt.PT_PRESENT | pt.PT_WRITABLE | pt.PT_USER_ACCESSIBLE;

describe('page tables in the simulator’s terms', () => {
  it("runs seed 003's snippet on the simulator's machine and dumps the tree level by level", () => {
    const sim = Simulator.begin(false, { output: () => {} });
    const table = pt.createPageTable(sim);
    table.map(0x1000, 0x10000, pt.PageTableFlags.PRESENT | pt.PageTableFlags.WRITABLE | pt.PageTableFlags.USER_ACCESSIBLE);
    expect(table.translate(0x1000)).toBe(0x10000);
    const root = table.rootPfn;
    expect(pt.dumpPageTable(table)).toEqual([
      `PAGE TABLE TREE ${root} (x86-32): 2 table(s)`,
      `PAGE DIRECTORY #${root}`,
      `  PDE #0 -> PAGE TABLE #${root + 1}  PRESENT | WRITABLE | USER_ACCESSIBLE  raw 0x${((root + 1) * 0x1000 + 7).toString(16).padStart(8, '0')}`,
      `  PAGE TABLE #${root + 1}`,
      '    PTE #1  va 0x1000 -> pa 0x10000 (4 KiB)  PRESENT | WRITABLE | USER_ACCESSIBLE  raw 0x00010007',
    ]);
    table.unmap(0x1000);
    expect(pt.dumpPageTable(table)).toEqual([`PAGE TABLE TREE ${root} (x86-32): 1 table(s)`, `PAGE DIRECTORY #${root}`]);
  });

  it('dumps huge pages and upper-half addresses on x86-64 with their 8-byte entries', () => {
    const sim = Simulator.begin(false, { output: () => {}, model: 'x86-64' });
    const table = pt.createPageTable(sim);
    table.map(0x200000, 0x400000, pt.PT_PRESENT | pt.PT_HUGE | pt.PT_NO_EXECUTE);
    table.map(-(2 ** 47), 0x5000, pt.PT_PRESENT | pt.PT_GLOBAL);
    const lines = pt.dumpPageTable(table);
    expect(lines).toContain('      PDE #1  va 0x200000 -> pa 0x400000 (2 MiB)  PRESENT | NO_EXECUTE | HUGE  raw 0x8000000000400081');
    expect(lines.at(-1)).toBe('        PTE #0  va 0xffff800000000000 -> pa 0x5000 (4 KiB)  PRESENT | GLOBAL  raw 0x0000000000005101');
    expect(lines.filter((l) => l.trim().startsWith('PML4E')).length).toBe(2);
  });

  it('formats memory maps and permissions, and makes managers on the simulator’s machine', () => {
    const sim = Simulator.begin(false, { output: () => {}, model: 'sv39' });
    const vmm = pt.createVirtualMemoryManager(sim);
    expect(vmm.getAsid()).toBe(0);
    vmm.addMemoryMap({ vmarea: { start: 0x1000, end: 0x1fff }, pmarea: { start: 0x200000, end: 0x200fff }, permissions: pt.PROT_READ | pt.PROT_WRITE, isShared: false });
    expect(pt.formatMemoryMap(vmm.getMemoryMap(0)!)).toBe('0x1000..=0x1fff -> 0x200000..=0x200fff rw- private');
    expect(pt.parsePermissions('r-x')).toBe(pt.PROT_READ | pt.PROT_EXEC);
    expect(pt.parsePermissions('none')).toBe(0);
    expect(pt.parsePermissions('rr')).toBeUndefined();
    expect(pt.parsePermissions('q')).toBeUndefined();
    const m = pt.createPageTableManager(sim);
    const t = m.create();
    t.map(0x1000, 0x2000, PWU);
    m.switchTo(t);
    expect(m.translate(0x1004, 'read', true)).toBe(0x2004);
    expect(m.tlbStats().misses).toBe(1);
  });
});
