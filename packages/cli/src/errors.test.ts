// Script errors: the first bad line prints `file:line: message` on stderr, naming the command and what was
// wrong, and the run exits with code 2; the lines before it have run and the lines after it have not. No
// user mistake ever prints a stack trace.

import { afterAll, describe, expect, it } from 'vitest';
import { VmsimError } from '@vmsim/sim-api';
import { runMain, runText, SCRIPT, STACK_FRAME } from './testing/fake-io.js';

/** Every line any test in this file saw, checked for stack traces at the end. */
const seen: string[] = [];

/**
 * Runs `before`, then the bad line, then a line that must not run; expects exactly `message` on stderr for
 * the bad line's number, exit code 2, and the output of `before` (`expected`) on stdout.
 */
async function fails(before: readonly string[], bad: string, message: string, expected: readonly string[] = []): Promise<void> {
  const script = ['echo start', ...before, bad, 'echo NOT RUN'];
  const { code, out, err } = await runText(script);
  seen.push(...out, ...err);
  expect(err).toEqual([`${SCRIPT}:${before.length + 2}: ${message}`]);
  expect(code).toBe(2);
  expect(out).toEqual(['start', ...expected]);
}

/** Runs a whole script that must fail at `line` with `message` after printing `expected`. */
async function failsAt(script: readonly string[], line: number, message: string, expected: readonly string[] = []): Promise<void> {
  const { code, out, err } = await runText(script);
  seen.push(...out, ...err);
  expect(err).toEqual([`${SCRIPT}:${line}: ${message}`]);
  expect(code).toBe(2);
  expect(out).toEqual(expected);
}

const DECLARE = ['ptr x', 'register x'];

afterAll(() => {
  expect(seen.length).toBeGreaterThan(50);
  for (const line of seen) expect(line).not.toContain(STACK_FRAME);
});

describe('the run stops at the first bad line', () => {
  it('earlier lines ran (their output is there), later lines did not', async () => {
    await failsAt(['ptr x', 'register x', 'write x 5', 'read x', 'frobnicate x', 'write x 6', 'read x'], 5, 'unknown command "frobnicate" (try help)', ['x: 5']);
  });

  it('the line number counts comments and blank lines', async () => {
    await failsAt(['# comment', '', 'echo one', '   ', '# another', 'nope'], 6, 'unknown command "nope" (try help)', ['one']);
  });

  it('only the first error is reported', async () => {
    await failsAt(['bad1', 'bad2'], 1, 'unknown command "bad1" (try help)');
  });
});

describe('unknown command', () => {
  it('names the word', async () => {
    await fails([], 'jump 5', 'unknown command "jump" (try help)');
    await fails([], 'Stats2', 'unknown command "Stats2" (try help)');
  });
});

describe('missing argument', () => {
  const cases: [string, string][] = [
    ['ptr', 'ptr: missing argument (expected ptr <name> [type])'],
    ['register', 'register: missing argument (expected register <name|addr>)'],
    ['write', 'write: missing argument (expected write <name|addr> [type] <value>)'],
    ['write x', 'write: missing argument (expected write <name|addr> [type] <value>)'],
    ['read', 'read: missing argument (expected read <name|addr> [type] [label])'],
    ['switch', 'switch: missing argument (expected switch <n>)'],
  ];
  for (const [line, message] of cases) it(line, () => fails(DECLARE, line, message));

  it('a type for an address (which has none declared)', async () => {
    await fails(DECLARE, 'read 0x80000000', 'read: missing type (an address has no declared type; one of unsigned, signed, u8, u16, u32, i8, i16, i32, f32, f64 (and zero for write))');
    await fails(DECLARE, 'write 0x80000000 5', 'write: missing type (an address has no declared type; one of unsigned, signed, u8, u16, u32, i8, i16, i32, f32, f64 (and zero for write))');
  });
});

describe('too many arguments', () => {
  const cases: [string, string][] = [
    ['ptr x unsigned 5', 'ptr: too many arguments (expected ptr <name> [type])'],
    ['register x y', 'register: too many arguments (expected register <name|addr>)'],
    ['write x unsigned 5 6', 'write: too many arguments (expected write <name|addr> [type] <value>)'],
    ['fork now', 'fork: too many arguments (expected fork)'],
    ['switch 0 1', 'switch: too many arguments (expected switch <n>)'],
    ['kill 0', 'kill: too many arguments (expected kill)'],
    ['stats all', 'stats: too many arguments (expected stats)'],
    ['dump 0', 'dump: too many arguments (expected dump)'],
    ['begin verbose now', 'begin: unexpected "now" (expected begin [verbose|quiet] [swap N] [reclaim POLICY [limit N]])'],
  ];
  for (const [line, message] of cases) it(line, () => fails(DECLARE, line, message));

  // On the 64-bit models an address may go up to the end of user space, and the message names that end.
  const wide: [string, string, string][] = [
    ['x86-64', 'read 0x800000000000 unsigned', 'read address 0x800000000000 is out of range (0 to 0x7fffffffffff)'],
    ['x86-64', 'register 140737488355328', 'register address 140737488355328 is out of range (0 to 0x7fffffffffff)'],
    ['x86-64', 'write 0xffff800000000000 u8 1', 'write address 0xffff800000000000 is out of range (0 to 0x7fffffffffff)'],
    ['sv39', 'read 0x4000000000 u8', 'read address 0x4000000000 is out of range (0 to 0x3fffffffff)'],
    ['sv39', 'register -1', 'register address -1 is out of range (0 to 0x3fffffffff)'],
    ['sv32', 'register 0x100000000', 'register address 0x100000000 is out of range (0 to 0xffffffff)'],
  ];
  for (const [model, line, message] of wide) {
    it(`--hw ${model}: ${line}`, async () => {
      const { code, out, err } = await runText(['echo start', ...DECLARE, line, 'echo NOT RUN'], ['--hw', model]);
      seen.push(...out, ...err);
      expect(err).toEqual([`${SCRIPT}:4: ${message}`]);
      expect(code).toBe(2);
      expect(out).toEqual(['start']);
    });
  }
});

describe('bad number', () => {
  const cases: [string, string][] = [
    ['write x abc', 'write: bad number "abc" for unsigned value (expected decimal or 0x hex)'],
    ['write x 12abc', 'write: bad number "12abc" for unsigned value (expected decimal or 0x hex)'],
    ['write x 0x', 'write: bad number "0x" for unsigned value (expected decimal or 0x hex)'],
    ['write x 1.5', 'write: bad number "1.5" for unsigned value (expected decimal or 0x hex)'],
    ['write x signed --1', 'write: bad number "--1" for signed value (expected decimal or 0x hex)'],
    ['write x u8 0xg', 'write: bad number "0xg" for u8 value (expected decimal or 0x hex)'],
    ['write x f64 abc', 'write: bad number "abc" for a float value'],
    ['write x f32 1.2.3', 'write: bad number "1.2.3" for a float value'],
    ['read 12abc unsigned', 'bad number "12abc" for read address (expected decimal or 0x hex)'],
    ['register 0xZZ', 'bad number "0xZZ" for register address (expected decimal or 0x hex)'],
    ['switch abc', 'bad number "abc" for switch (expected decimal or 0x hex)'],
    ['switch 1.0', 'bad number "1.0" for switch (expected decimal or 0x hex)'],
  ];
  for (const [line, message] of cases) it(line, () => fails(DECLARE, line, message));

  it('a {expression} outside a repeat block is not evaluated, so it is a bad number', async () => {
    await fails(DECLARE, 'write x {1+1}', 'write: bad number "{1+1}" for unsigned value (expected decimal or 0x hex)');
  });
});

describe('bad type', () => {
  const TYPES = 'unsigned, signed, u8, u16, u32, i8, i16, i32, f32, f64 (and zero for write)';
  it('in write', () => fails(DECLARE, 'write x float 1', `write: unknown type "float" (expected one of ${TYPES})`));
  it('in ptr', () => fails([], 'ptr x int', `ptr: unknown type "int" (expected one of ${TYPES})`));
  it('zero is not a ptr type', () => fails([], 'ptr x zero', `ptr: unknown type "zero" (expected one of ${TYPES})`));
  it('zero takes no type before it: the type wants a number', () =>
    fails(DECLARE, 'write x unsigned zero', 'write: bad number "zero" for unsigned value (expected decimal or 0x hex)'));
  it('in begin', () => fails([], 'begin loud', 'begin: expected verbose or quiet, not "loud"'));
});

// Bounds of values and counts are decimal, of addresses hex (the offending word is shown as typed).
describe('value out of range, for each type', () => {
  const cases: [string, string, string][] = [
    ['unsigned', '-1', '0 to 18446744073709551615'],
    ['unsigned', '18446744073709551616', '0 to 18446744073709551615'],
    ['unsigned', '0x10000000000000000', '0 to 18446744073709551615'],
    ['signed', '9223372036854775808', '-9223372036854775808 to 9223372036854775807'],
    ['signed', '-9223372036854775809', '-9223372036854775808 to 9223372036854775807'],
    ['u8', '256', '0 to 255'],
    ['u8', '-1', '0 to 255'],
    ['u16', '65536', '0 to 65535'],
    ['u32', '4294967296', '0 to 4294967295'],
    ['i8', '128', '-128 to 127'],
    ['i8', '-129', '-128 to 127'],
    ['i16', '32768', '-32768 to 32767'],
    ['i16', '-32769', '-32768 to 32767'],
    ['i32', '2147483648', '-2147483648 to 2147483647'],
    ['i32', '-2147483649', '-2147483648 to 2147483647'],
  ];
  for (const [type, value, range] of cases) {
    it(`${type} ${value}`, () => fails(DECLARE, `write x ${type} ${value}`, `write: ${type} value ${value} is out of range (${range})`));
  }

  it('the declared type of a ptr is checked too', async () => {
    await fails(['ptr b u8', 'register b'], 'write b 300', 'write: u8 value 300 is out of range (0 to 255)');
  });
});

describe('address out of range', () => {
  const cases: [string, string][] = [
    ['read 0x100000000 unsigned', 'read address 0x100000000 is out of range (0 to 0xffffffff)'],
    ['write 0x100000000 unsigned 1', 'write address 0x100000000 is out of range (0 to 0xffffffff)'],
    ['register 4294967296', 'register address 4294967296 is out of range (0 to 0xffffffff)'],
    ['register -1', 'register address -1 is out of range (0 to 0xffffffff)'],
    ['read 0xffffffffffffffffffff u8', 'read address 0xffffffffffffffffffff is out of range (0 to 0xffffffff)'],
  ];
  for (const [line, message] of cases) it(line, () => fails(DECLARE, line, message));
});

describe('pointer names', () => {
  it('an unknown name', async () => {
    await fails(DECLARE, 'read y', 'read: unknown pointer "y" (declare it with ptr y)');
    await fails(DECLARE, 'write y 1', 'write: unknown pointer "y" (declare it with ptr y)');
    await fails(DECLARE, 'register y', 'register: unknown pointer "y" (declare it with ptr y)');
  });

  it('a bad name', async () => {
    await fails([], 'ptr 9lives', 'ptr: bad name "9lives" (letters, digits and _, not starting with a digit)');
    await fails([], 'ptr a-b', 'ptr: bad name "a-b" (letters, digits and _, not starting with a digit)');
  });
});

describe('repeat blocks', () => {
  it('end without repeat', () => fails([], 'end', 'end without repeat'));

  it('end without repeat after a closed block', async () => {
    await failsAt(['repeat 1', '  echo in', 'end', 'end', 'echo NOT RUN'], 4, 'end without repeat', ['in']);
  });

  it('repeat without end is reported on the repeat line, after everything before it ran', async () => {
    await failsAt(['echo a', 'repeat 2', '  echo b', 'echo c'], 2, 'repeat without end', ['a']);
  });

  it('an unclosed inner block is reported on the outer repeat line', async () => {
    await failsAt(['echo a', 'repeat 2', '  repeat 2', '    echo b', 'end'], 2, 'repeat without end', ['a']);
  });

  it('a bad line inside a block: its own line number, after the earlier iterations ran', async () => {
    await failsAt(
      ['ptr x', 'register x', 'repeat 3', '  echo pass {i}', '  write x {10 / (2 - i)}', '  read x', 'end', 'echo NOT RUN'],
      5,
      'write: bad expression {10 / (2 - i)}: division by zero',
      ['pass 0', 'x: 5', 'pass 1', 'x: 10', 'pass 2'],
    );
  });

  it('a bad line inside a nested block: its own line number', async () => {
    await failsAt(
      ['repeat 2', '  echo outer {i}', '  repeat 2 j', '    echo inner {j}', '    switch {j - i}x', '  end', 'end'],
      5,
      'bad number "0x" for switch (expected decimal or 0x hex)',
      ['outer 0', 'inner 0'],
    );
  });

  it('a simulator-level mistake inside a block: the line in the block', async () => {
    await failsAt(['ptr x', 'register x', 'repeat 4', '  write x u8 {i * 100}', 'end'], 4, 'write: u8 value 300 is out of range (0 to 255)');
  });

  it('bad expressions', async () => {
    const block = (line: string): string[] => ['repeat 1', `  ${line}`, 'end'];
    await failsAt(block('echo {i +}'), 2, 'echo: bad expression {i +}: unexpected end');
    await failsAt(block('echo {j}'), 2, 'echo: bad expression {j}: unknown variable j');
    await failsAt(block('echo {(i + 1}'), 2, 'echo: bad expression {(i + 1}: missing )');
    await failsAt(block('echo {i % 0}'), 2, 'echo: bad expression {i % 0}: division by zero');
    await failsAt(block('echo {2 ^ 3}'), 2, 'echo: bad expression {2 ^ 3}: unexpected "^"');
    await failsAt(block('echo {}'), 2, 'echo: bad expression {}: unexpected end');
    await failsAt(block('echo {1 2}'), 2, 'echo: bad expression {1 2}: unexpected "2"');
  });

  it('a bad repeat line', async () => {
    await failsAt(['repeat', 'end'], 1, 'repeat: expected `repeat <count> [variable]`');
    await failsAt(['repeat 2 i j', 'end'], 1, 'repeat: expected `repeat <count> [variable]`');
    await failsAt(['repeat 2 9i', 'end'], 1, 'repeat: bad variable name "9i"');
    await failsAt(['repeat n', 'end'], 1, 'repeat: bad expression {n}: unknown variable n');
    await failsAt(['repeat {2 *}', 'end'], 1, 'repeat: bad expression {2 *}: unexpected end');
    await failsAt(['repeat -1', 'end'], 1, 'repeat: count -1 is out of range (0 to 100000000)');
    await failsAt(['repeat 100000001', 'end'], 1, 'repeat: count 100000001 is out of range (0 to 100000000)');
  });
});

describe('errors from `run -` and the REPL use their own names', () => {
  it('<stdin>', async () => {
    const { code, err } = await runMain(['run', '-'], { stdin: ['echo ok', 'write'] });
    seen.push(...err);
    expect(code).toBe(2);
    expect(err).toEqual(['<stdin>:2: write: missing argument (expected write <name|addr> [type] <value>)']);
  });

  it('<repl>', async () => {
    const { code, err } = await runMain(['repl'], { stdin: ['echo ok', 'write'] });
    seen.push(...err);
    expect(code).toBe(0);
    expect(err).toEqual(['<repl>:2: write: missing argument (expected write <name|addr> [type] <value>)']);
  });
});

describe('the error classes the CLI exports', () => {
  it('every one is a VmsimError with a literal name, errno EINVAL and an isInstance of its own', async () => {
    const cli = (await import('./index.js')) as Record<string, unknown>;
    const classes = Object.entries(cli).filter(([, v]) => typeof v === 'function' && (v as { prototype: unknown }).prototype instanceof Error);
    expect(classes.map(([name]) => name).sort()).toEqual(['ScriptError', 'UsageError']);
    for (const [name, value] of classes) {
      const cls = value as { new (message: string): Error; isInstance(v: unknown): boolean; marker: string };
      const e = new cls('bad input');
      expect(e.name).toBe(name);
      expect(Object.getOwnPropertyDescriptor(e, 'name')?.value).toBe(name);
      expect(cls.marker).toBe(`@vmsim/cli/${name}`);
      expect(e).toMatchObject({ errno: 'EINVAL', message: 'bad input' });
      expect(VmsimError.isInstance(e)).toBe(true);
      expect(cls.isInstance(e)).toBe(true);
      for (const [other, otherValue] of classes) {
        if (other !== name) expect((otherValue as typeof cls).isInstance(e), `${other}.isInstance(new ${name})`).toBe(false);
      }
      expect(cls.isInstance(new Error('bad input'))).toBe(false);
    }
  });

  it('an error of the layers below is reported once, not wrapped twice, when a script line fails', async () => {
    const { code, err } = await runText(['ptr x', 'register x', 'write x u8 256']);
    expect(code).toBe(2);
    expect(err).toHaveLength(1);
    expect(err[0]).not.toMatch(/write: write:/);
  });
});
