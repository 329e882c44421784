import { describe, expect, it, vi } from 'vitest';
import { main as processesExample } from '../examples/processes-example.js';
import { main as readmeExample } from '../examples/readme-example.js';
import { MODEL_NAMES, type ModelName } from './simulator.js';

function run(main: (output: (line: string) => void, model?: ModelName) => void, model?: ModelName): string[] {
  const lines: string[] = [];
  main((line) => lines.push(line), model);
  return lines;
}

describe('examples', () => {
  it('the README example (seed 000) prints what the original printed', () => {
    expect(run(readmeExample)).toEqual([
      'Value of x: 5',
      'Mapping already registered for 0x80000010.',
      'Value of y: 6',
      'Invalid address 0x80004000',
    ]);
  });

  it('the processes example (seed 002) prints the listing of the docs, then the pattern it describes through i = 1023', () => {
    const lines = run(processesExample);
    // The listing of docs/processes.md, verbatim.
    expect(lines.slice(0, 19)).toEqual([
      'Value of x: 0',
      'Value of x before write for pid 0: 0',
      'PGZERO: 0x0',
      'Value of x after write for pid 0: 0',
      'Value of x before write for pid 1: 0',
      'PGZERO: 0x0',
      'Value of x after write for pid 1: 1',
      'Value of x before write for pid 2: 0',
      'PGZERO: 0x0',
      'Value of x after write for pid 2: 2',
      'Value of x before write for pid 3: 0',
      'PGZERO: 0x0',
      'Value of x after write for pid 3: 3',
      'Value of x before write for pid 0: 0',
      'Value of x after write for pid 0: 4',
      'Value of x before write for pid 1: 1',
      'Value of x after write for pid 1: 5',
      'Value of x before write for pid 2: 2',
      'Value of x after write for pid 2: 6',
    ]);
    // The rule behind it: each pid sees its own previous value; each of the 4 processes faults once.
    const expected = ['Value of x: 0'];
    for (let i = 0; i < 1024; i++) {
      expected.push(`Value of x before write for pid ${i % 4}: ${i < 4 ? 0 : i - 4}`);
      if (i < 4) expected.push('PGZERO: 0x0');
      expected.push(`Value of x after write for pid ${i % 4}: ${i}`);
    }
    expect(lines).toEqual(expected);
    expect(lines.length).toBe(2053);
    expect(lines.slice(-2)).toEqual(['Value of x before write for pid 3: 1019', 'Value of x after write for pid 3: 1023']);
  });

  it.each(MODEL_NAMES.filter((m) => m !== 'x86-32'))('print the same on %s as on x86-32', (model) => {
    expect(run(readmeExample, model)).toEqual(run(readmeExample));
    expect(run(readmeExample, model)).toHaveLength(4);
    const lines = run(processesExample, model);
    expect(lines).toHaveLength(2053);
    expect(lines).toEqual(run(processesExample));
  });

  it('run only when executed directly, not when imported', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    vi.resetModules();
    await import('../examples/readme-example.js');
    await import('../examples/processes-example.js');
    expect(log).not.toHaveBeenCalled();
    log.mockRestore();
  });
});
