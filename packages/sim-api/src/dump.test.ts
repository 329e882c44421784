import { describe, expect, it } from 'vitest';
import { DataType } from './data-type.js';
import { dumpLines, dumpProcess } from './dump.js';
import { Pointer } from './pointer.js';
import { Simulator } from './simulator.js';
import { ValueType } from './value-type.js';

/** The original's demo program (src/main.rs), plus a page registered in a second 4 MiB region by the child. */
function demo(model: 'x86-32' | 'sv32' = 'x86-32'): { sim: Simulator; lines: string[] } {
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
