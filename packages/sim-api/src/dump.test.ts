import { readFileSync } from 'node:fs';
import { sv32, sv39, x86_32, x86_64, type HardwareModel } from '@vmsim/hw';
import { describe, expect, it } from 'vitest';
import { DataType } from './data-type.js';
import { dumpLines, dumpProcess, levelNames } from './dump.js';
import { Pointer } from './pointer.js';
import { MODEL_NAMES, Simulator, type ModelName } from './simulator.js';
import { ValueType } from './value-type.js';

/**
 * The original's demo program (src/main.rs), plus a page registered by the child under another last-level
 * table (a second 4 MiB region on the 32-bit models, a second 2 MiB one on x86-64 and Sv39).
 */
function demo(model: ModelName = 'x86-32'): { sim: Simulator; lines: string[] } {
  const lines: string[] = [];
  const sim = Simulator.begin(true, { frames: 16, model, output: (line) => lines.push(line) });
  const x = Pointer.new(ValueType.Zero);
  const y = Pointer.new(ValueType.Zero);
  sim.register(x);
  sim.write(x, ValueType.SignedInt(-2));
  sim.write(y, ValueType.UnsignedInt(2));
  lines.push(`Value of x: ${sim.read(x, DataType.SignedInt)?.getValue()}`);
  sim.fork();
  sim.write(x, ValueType.UnsignedInt(3));
  sim.register(Pointer.at(0x80401000));
  return { sim, lines };
}

describe('dump', () => {
  it("follows the original's format, in address order, with real frame numbers and only valid entries", () => {
    const { sim, lines } = demo();
    sim.print();
    expect(lines).toEqual([
      'PGZERO: 0x0',
      'Value of x: -2',
      'PGCOPY: 0x0',
      'PROCESS PID 0',
      '',
      'PAGE DIRECTORY',
      '',
      'PDE #512\t PTN: 2, Flags: 0x27', // x86 P|RW|US|A
      '',
      'PAGE TABLE #2',
      '',
      'PTE #0\t PPN: 3, Flags: 0x265', // P|US|A|D and the copy-on-write bit (AVL bit 9): read-only since the fork
      '',
      '',
      'PAGE #3',
      '',
      'Word #0: 0xfffffffe',
      'Word #1: 0xffffffff',
      'Word #4: 0x2',
      '',
      'PROCESS PID 1',
      '',
      'PAGE DIRECTORY',
      '',
      'PDE #512\t PTN: 5, Flags: 0x27',
      'PDE #513\t PTN: 7, Flags: 0x7',
      '',
      'PAGE TABLE #5',
      '',
      'PTE #0\t PPN: 6, Flags: 0x67', // its own copy, written: P|RW|US|A|D
      '',
      'PAGE TABLE #7',
      '',
      'PTE #1\t PPN: 0, Flags: 0x5', // registered, never touched: the zero page, read-only, not shown below
      '',
      '',
      'PAGE #6',
      '',
      'Word #0: 0x3',
      'Word #4: 0x2',
      '',
      '',
    ]);
    expect(sim.dump()).toEqual(lines.slice(3));
  });

  it('shows a frame shared after a fork under every process that maps it, once per process', () => {
    const lines: string[] = [];
    const sim = Simulator.begin(true, { frames: 16, output: (line) => lines.push(line) });
    for (const va of [0x80000000, 0x80001000]) {
      sim.register(Pointer.at(va));
      sim.write(Pointer.at(va), ValueType.UnsignedInt32(0xcafe));
    }
    sim.fork();
    const dump = sim.dump();
    expect(dump.filter((l) => l.startsWith('PAGE #'))).toEqual(['PAGE #3', 'PAGE #4', 'PAGE #3', 'PAGE #4']);
    expect(dump.filter((l) => l.startsWith('Word'))).toEqual(Array(4).fill('Word #0: 0xcafe'));
    expect(dumpProcess(sim.kernel, 1)).toEqual(dump.slice(dump.indexOf('PROCESS PID 1'), -1));
    expect(dumpLines(sim.kernel, [0, 1])).toEqual(dump);
  });

  it('shows raw flags as the hardware model stores them (Sv32: the low 10 bits)', () => {
    const { sim } = demo('sv32');
    const dump = sim.dump();
    // Sv32 pointer entries hold V only; leaves hold V R U A D, W once private, and RSW bit 8 (0x100) for COW.
    expect(dump.filter((l) => l.startsWith('PDE') || l.startsWith('PTE'))).toEqual([
      'PDE #512\t PTN: 2, Flags: 0x1',
      'PTE #0\t PPN: 3, Flags: 0x1d3',
      'PDE #512\t PTN: 5, Flags: 0x1',
      'PDE #513\t PTN: 7, Flags: 0x1',
      'PTE #0\t PPN: 6, Flags: 0xd7',
      'PTE #1\t PPN: 0, Flags: 0x13',
    ]);
  });
});

describe('dump on the 64-bit models', () => {
  it('x86-64: PML4, page directory pointer table, page directory and page table, flags with bit 63 (XD)', () => {
    const { sim } = demo('x86-64');
    expect(sim.dump()).toEqual([
      'PROCESS PID 0',
      '',
      'PML4',
      '',
      'PML4E #0\t PTN: 2, Flags: 0x27', // P|RW|US|A: tables are as permissive as the model allows
      '',
      'PAGE DIRECTORY POINTER TABLE #2',
      '',
      'PDPTE #2\t PTN: 3, Flags: 0x27', // 0x80000000 is in the third 1 GiB
      '',
      'PAGE DIRECTORY #3',
      '',
      'PDE #0\t PTN: 4, Flags: 0x27',
      '',
      'PAGE TABLE #4',
      '',
      'PTE #0\t PPN: 5, Flags: 0x8000000000000265', // XD (data is not executable), COW (AVL bit 9), A, US, P
      '',
      '',
      'PAGE #5',
      '',
      'Word #0: 0xfffffffe',
      'Word #1: 0xffffffff',
      'Word #4: 0x2',
      '',
      'PROCESS PID 1',
      '',
      'PML4',
      '',
      'PML4E #0\t PTN: 7, Flags: 0x27',
      '',
      'PAGE DIRECTORY POINTER TABLE #7',
      '',
      'PDPTE #2\t PTN: 8, Flags: 0x27',
      '',
      'PAGE DIRECTORY #8',
      '',
      'PDE #0\t PTN: 9, Flags: 0x27',
      'PDE #2\t PTN: 11, Flags: 0x7', // 0x80401000 is in the third 2 MiB; no walk has used it yet (no A)
      '',
      'PAGE TABLE #9',
      '',
      'PTE #0\t PPN: 10, Flags: 0x8000000000000067', // its own copy, written: XD, D, A, US, RW, P
      '',
      'PAGE TABLE #11',
      '',
      'PTE #1\t PPN: 0, Flags: 0x8000000000000005', // the zero page, read-only
      '',
      '',
      'PAGE #10',
      '',
      'Word #0: 0x3',
      'Word #4: 0x2',
      '',
      '',
    ]);
  });

  it('sv39: page directory, page middle directory and page table, with the raw low 10 bits', () => {
    const { sim } = demo('sv39');
    expect(sim.dump().filter((l) => l !== '' && !l.startsWith('Word'))).toEqual([
      'PROCESS PID 0',
      'PAGE DIRECTORY',
      'PDE #2\t PTN: 2, Flags: 0x1', // pointer entries hold V only
      'PAGE MIDDLE DIRECTORY #2',
      'PMDE #0\t PTN: 3, Flags: 0x1',
      'PAGE TABLE #3',
      'PTE #0\t PPN: 4, Flags: 0x1d3', // RSW bit 8 (COW), D, A, U, R, V
      'PAGE #4',
      'PROCESS PID 1',
      'PAGE DIRECTORY',
      'PDE #2\t PTN: 6, Flags: 0x1',
      'PAGE MIDDLE DIRECTORY #6',
      'PMDE #0\t PTN: 7, Flags: 0x1',
      'PMDE #2\t PTN: 9, Flags: 0x1',
      'PAGE TABLE #7',
      'PTE #0\t PPN: 8, Flags: 0xd7',
      'PAGE TABLE #9',
      'PTE #1\t PPN: 0, Flags: 0x13',
      'PAGE #8',
    ]);
  });
});

describe.each(MODEL_NAMES)('the level structure of the dump on %s', (name) => {
  const model = { 'x86-32': x86_32, sv32, 'x86-64': x86_64, sv39 }[name]();

  it('has one section per table, a level below its parent, reached by the PTN of an entry one level up', () => {
    const { sim } = demo(name);
    const names = levelNames(model);
    expect(names).toHaveLength(model.levels);
    for (const pid of [0, 1]) {
      const dump = dumpProcess(sim.kernel, pid);
      // [level, frame] of every table section, in order, and the PTN of every pointer entry.
      const sections: [number, number][] = [];
      const pointers: [number, number][] = [];
      let level = -1;
      for (const line of dump) {
        const heading = names.findIndex((n, l) => (l === 0 ? line === n.table : line.startsWith(`${n.table} #`)));
        if (heading >= 0 && !line.includes('\t')) {
          level = heading;
          sections.push([level, level === 0 ? sim.kernel.pageTables(pid)[0]!.pfn : Number(line.slice(names[level]!.table.length + 2))]);
          continue;
        }
        const entry = /^(\S+) #(\d+)\t (PTN|PPN): (\d+), Flags: 0x[0-9a-f]+$/.exec(line);
        if (entry === null) continue;
        // Each entry carries its level's label; pointers above the last level, leaves at it.
        expect(entry[1]).toBe(names[level]!.entry);
        expect(entry[3]).toBe(level === model.levels - 1 ? 'PPN' : 'PTN');
        if (entry[3] === 'PTN') pointers.push([level + 1, Number(entry[4])]);
      }
      // Every level is there; the root first; every other table is what a pointer one level up names.
      expect(sections[0]![0]).toBe(0);
      expect(new Set(sections.map(([l]) => l))).toEqual(new Set(Array.from({ length: model.levels }, (_, l) => l)));
      expect(sections.slice(1)).toEqual(pointers);
      // The kernel's own list of tables, with their levels.
      const tables = sim.kernel.pageTables(pid).map((t) => [t.level, t.pfn]);
      expect([...sections].sort()).toEqual([...tables].sort());
    }
  });

  it('shows the same data pages and words as on x86-32', () => {
    const words = (m: ModelName): string[] => demo(m).sim.dump().filter((l) => l.startsWith('Word'));
    expect(words(name)).toEqual(words('x86-32'));
  });
});

describe('levelNames', () => {
  it('names each model\'s levels, root first', () => {
    const show = (model: HardwareModel): string[] => levelNames(model).map((n) => `${n.table}/${n.entry}`);
    expect(show(x86_32())).toEqual(['PAGE DIRECTORY/PDE', 'PAGE TABLE/PTE']);
    expect(show(sv32())).toEqual(['PAGE DIRECTORY/PDE', 'PAGE TABLE/PTE']);
    expect(show(x86_64({ pcid: true }))).toEqual(['PML4/PML4E', 'PAGE DIRECTORY POINTER TABLE/PDPTE', 'PAGE DIRECTORY/PDE', 'PAGE TABLE/PTE']);
    expect(show(sv39())).toEqual(['PAGE DIRECTORY/PDE', 'PAGE MIDDLE DIRECTORY/PMDE', 'PAGE TABLE/PTE']);
  });

  it('falls back to the x86 names counted from the last level, then to numbered levels', () => {
    const shaped = (name: string, levels: number): HardwareModel => ({ name, levels }) as HardwareModel;
    const show = (model: HardwareModel): string[] => levelNames(model).map((n) => `${n.table}/${n.entry}`);
    expect(show(shaped('toy', 1))).toEqual(['PAGE TABLE/PTE']);
    expect(show(shaped('toy', 3))).toEqual(['PAGE DIRECTORY POINTER TABLE/PDPTE', 'PAGE DIRECTORY/PDE', 'PAGE TABLE/PTE']);
    // A model called sv39 with another shape is not named as Sv39.
    expect(show(shaped('sv39', 2))).toEqual(['PAGE DIRECTORY/PDE', 'PAGE TABLE/PTE']);
    expect(show(shaped('x86-57', 6))).toEqual([
      'LEVEL 0 TABLE/L0E', 'PML5/PML5E', 'PML4/PML4E', 'PAGE DIRECTORY POINTER TABLE/PDPTE', 'PAGE DIRECTORY/PDE', 'PAGE TABLE/PTE',
    ]);
  });
});

describe('the README', () => {
  it('shows the x86-64 dump of one written page exactly as the simulator prints it', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const shown = /An x86-64 process with one written page at 0x80000000:\n\n```text\n([\s\S]*?)```/.exec(readme)![1]!.split('\n').slice(0, -1);
    const sim = Simulator.begin(false, { frames: 16, model: 'x86-64', output: () => {} });
    sim.register(Pointer.at(0x80000000));
    sim.write(Pointer.at(0x80000000), ValueType.UnsignedInt(5));
    expect(sim.dump().slice(0, -1)).toEqual(shown);
  });
});
