import { describe, expect, it } from 'vitest';
import { compileScript } from './compile.js';

describe('compileScript', () => {
  it('one step per command, with its line; comments and blank lines give none', () => {
    const steps = compileScript('# a comment\nptr a\n\nregister a   # trailing comment\n');
    expect(steps.map((s) => [s.line, s.text])).toEqual([[2, 'ptr a'], [4, 'register a']]);
    expect(steps.map((s) => s.index)).toEqual([0, 1]);
  });

  it('expands repeat blocks with their {expressions}, each command tagged with the block lines', () => {
    const steps = compileScript('ptr x\nrepeat 3 i\n  write x unsigned {i * 2}\n  repeat 2 j\n    echo {i}.{j}\n  end\nend\necho done');
    expect(steps.map((s) => s.text)).toEqual([
      'ptr x',
      'write x unsigned 0', 'echo 0.0', 'echo 0.1',
      'write x unsigned 2', 'echo 1.0', 'echo 1.1',
      'write x unsigned 4', 'echo 2.0', 'echo 2.1',
      'echo done',
    ]);
    expect(steps[1]).toMatchObject({ line: 2, endLine: 7 });
    expect(steps.at(-1)).toMatchObject({ line: 8, endLine: 8 });
  });

  it('a reader mistake becomes a last step carrying the message and its line', () => {
    const steps = compileScript('ptr a\nend\nptr b');
    expect(steps).toHaveLength(2);
    expect(steps[1]).toMatchObject({ line: 2, text: '', error: 'end without repeat' });
    const open = compileScript('ptr a\nrepeat 2\necho x');
    expect(open.at(-1)).toMatchObject({ line: 2, error: 'repeat without end' });
  });

  it('refuses a script that expands past the limit, keeping the steps before it', () => {
    const steps = compileScript('repeat 100 i\necho {i}\nend', 10);
    expect(steps).toHaveLength(11);
    expect(steps[10]!.error).toMatch(/more than 10 commands/);
  });
});
