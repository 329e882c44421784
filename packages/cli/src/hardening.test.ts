// Bad input as a user would try it (issue 9, item 9): deep nesting, huge numbers, huge words, stray words
// after `end`, odd spacing in labels, a dump with nothing alive, malformed numbers. Each ends with the right
// result or a one-line `file:line:` error and exit 2, in bounded time, and never with a stack trace.

import { describe, expect, it } from 'vitest';
import { main } from './main.js';
import { fakeIo, runMain, runRepl, runText, SCRIPT, STACK_FRAME } from './testing/fake-io.js';

const DECLARE = ['ptr x', 'register x'];

function noStackTrace(lines: readonly string[]): void {
  for (const line of lines) expect(line).not.toContain(STACK_FRAME);
}

describe('deeply nested expressions', () => {
  it('5,000 nested parentheses evaluate (no recursion, linear time)', async () => {
    const deep = `${'('.repeat(5000)}i + 7${')'.repeat(5000)}`;
    const { code, out, err } = await runText(['repeat 2', `  echo {${deep}}`, 'end']);
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out).toEqual(['7', '8']);
  });

  it('100,000 minus signs evaluate: an even run is the value, an odd one its negation', async () => {
    const { code, out, err } = await runText(['repeat 1', `  echo {${'-'.repeat(100_000)}5} {${'-'.repeat(100_001)}5}`, 'end']);
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out).toEqual(['5 -5']);
  });

  it('5,000 unclosed parentheses: a file:line: error with the expression cut short, exit 2', async () => {
    const { code, out, err } = await runText(['echo before', 'repeat 1', `  echo {${'('.repeat(5000)}1}`, 'end', 'echo NOT RUN']);
    expect(code).toBe(2);
    expect(out).toEqual(['before']);
    expect(err).toEqual([`${SCRIPT}:3: echo: bad expression {${'('.repeat(40)}… (5001 characters)}: missing )`]);
  });

  it('5,000 nested braces: the innermost {…} is the expression, the rest is text', async () => {
    const { code, out } = await runText(['repeat 1', `  echo ${'{'.repeat(5000)}i + 1${'}'.repeat(5000)}`, 'end']);
    expect(code).toBe(0);
    expect(out).toEqual([`${'{'.repeat(4999)}1${'}'.repeat(4999)}`]);
  });

  it('the REPL survives a deep bad expression and goes on', async () => {
    const { code, out, err } = await runRepl(['repeat 1', `echo {${'-'.repeat(100_000)}}`, 'end', 'echo still here']);
    expect(code).toBe(0);
    expect(err).toEqual([`<repl>:2: echo: bad expression {${'-'.repeat(40)}… (100000 characters)}: unexpected end`]);
    expect(out).toEqual(['still here']);
    noStackTrace(err);
  });

  it('values wider than 64 bits are refused, not rounded or grown without bound', async () => {
    const block = (line: string): string[] => ['repeat 1', `  ${line}`, 'end'];
    let r = await runText(block('echo {18446744073709551616}'));
    expect(r.err).toEqual([`${SCRIPT}:2: echo: bad expression {18446744073709551616}: number 18446744073709551616 is wider than 64 bits`]);
    r = await runText(block(`echo {${'9'.repeat(100_000)}}`));
    expect(r.code).toBe(2);
    expect(r.err[0]!.length).toBeLessThan(200);
    r = await runText(block('echo {0xffffffffffffffff * 2}'));
    expect(r.err).toEqual([`${SCRIPT}:2: echo: bad expression {0xffffffffffffffff * 2}: a result is wider than 64 bits`]);
    r = await runText(block('echo {0x0000000000000000000000ffffffffffffffff} {-18446744073709551615 - 0}'));
    expect(r.out).toEqual(['18446744073709551615 -18446744073709551615']);
  });
});

describe('deeply nested repeat blocks', () => {
  it('8,000 nested blocks run in linear time and give the right result', async () => {
    const depth = 8000;
    const script = [...Array.from({ length: depth }, (_, k) => `repeat ${k === 0 ? 2 : 1} v${k}`), 'echo {v0 + v7999}', ...Array.from({ length: depth }, () => 'end')];
    const started = performance.now();
    const { code, out, err } = await runText(script);
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out).toEqual(['0', '1']);
    // Quadratic work (the old reader re-read every inner line at every level) took seconds here.
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('a bad line at the bottom of 8,000 nested blocks names its own line', async () => {
    const depth = 8000;
    const script = [...Array.from({ length: depth }, () => 'repeat 1'), 'frobnicate', ...Array.from({ length: depth }, () => 'end')];
    const { code, err } = await runText(script);
    expect(code).toBe(2);
    expect(err).toEqual([`${SCRIPT}:${depth + 1}: unknown command "frobnicate" (try help)`]);
  });

  it('an unclosed block deep inside: repeat without end on the outermost repeat line', async () => {
    const { code, err } = await runText(['echo a', ...Array.from({ length: 3000 }, () => 'repeat 1'), 'end']);
    expect(code).toBe(2);
    expect(err).toEqual([`${SCRIPT}:2: repeat without end`]);
  });
});

describe('integers above 2^53 stay exact or are refused', () => {
  it('switch 18446744073709551615 is a clear error, not process 18446744073709552000', async () => {
    const { code, out, err } = await runText(['echo start', 'switch 18446744073709551615', 'echo NOT RUN']);
    expect(code).toBe(2);
    expect(out).toEqual(['start']);
    expect(err).toEqual([`${SCRIPT}:2: switch 18446744073709551615 is out of range (-9007199254740991 to 9007199254740991)`]);
  });

  it('switch 2^53 - 1 reaches the simulator exactly', async () => {
    const { code, out } = await runText(['switch 9007199254740991', 'switch 0x1fffffffffffff']);
    expect(code).toBe(0);
    expect(out).toEqual([
      'Cannot switch to process 9007199254740991: the only live process is 0; nothing changed',
      'Cannot switch to process 9007199254740991: the only live process is 0; nothing changed',
    ]);
  });

  it('64-bit values from expressions are exact', async () => {
    const { out } = await runText([...DECLARE, 'repeat 1', '  write x {0xffffffffffffffff - i}', 'end', 'read x', 'write x signed -9223372036854775807', 'read x signed']);
    expect(out).toEqual(['x: 18446744073709551615', 'x: -9223372036854775807']);
  });
});

describe('huge offending words are cut short in messages', () => {
  const huge = 'a'.repeat(10 * 1024 * 1024);
  const cut = `"${'a'.repeat(40)}…" (10485760 characters)`;
  const cases: [string, string][] = [
    [huge, `unknown command ${cut} (try help)`],
    [`ptr 9${huge}`, `ptr: bad name "9${'a'.repeat(39)}…" (10485761 characters) (letters, digits and _, not starting with a digit)`],
    [`write x ${huge.replace(/^a/, '1')}`, `write: bad number "1${'a'.repeat(39)}…" (10485760 characters) for unsigned value (expected decimal or 0x hex)`],
    [`write x u8 ${'9'.repeat(10 * 1024 * 1024)}`, `write: u8 value ${'9'.repeat(40)}… (10485760 characters) is out of range (0 to 255)`],
    [`write x ${huge} 1`, `write: unknown type ${cut} (expected one of unsigned, signed, u8, u16, u32, i8, i16, i32, f32, f64 (and zero for write))`],
    [`read ${huge}`, `read: unknown pointer ${cut} (declare it with ptr ${'a'.repeat(40)}… (10485760 characters))`],
    [`begin ${huge}`, `begin: expected verbose or quiet, not ${cut}`],
    [`repeat 1 9${huge}`, `repeat: bad variable name "9${'a'.repeat(39)}…" (10485761 characters)`],
  ];
  for (const [line, message] of cases) {
    it(message.slice(0, 30), async () => {
      const { code, err } = await runText([...DECLARE, line, 'end']);
      expect(code).toBe(2);
      expect(err).toEqual([`${SCRIPT}:3: ${message}`]);
    });
  }

  it('a word of 40 characters or fewer is shown whole', async () => {
    const { err } = await runText([`${'b'.repeat(40)}`]);
    expect(err).toEqual([`${SCRIPT}:1: unknown command "${'b'.repeat(40)}" (try help)`]);
  });
});

describe('end takes no arguments', () => {
  it('end extra is an error on its line; the block never runs', async () => {
    const { code, out, err } = await runText(['echo a', 'repeat 2', '  echo b', 'end extra', 'echo NOT RUN']);
    expect(code).toBe(2);
    expect(out).toEqual(['a']);
    expect(err).toEqual([`${SCRIPT}:4: end: too many arguments (expected end)`]);
  });

  it('inside a nested block too; a comment after end is fine', async () => {
    let r = await runText(['repeat 2', '  repeat 2', '  end 3', 'end']);
    expect(r.err).toEqual([`${SCRIPT}:3: end: too many arguments (expected end)`]);
    r = await runText(['repeat 2', '  echo b', 'end   # done']);
    expect(r.out).toEqual(['b', 'b']);
  });

  it('in the REPL the bad block is dropped and the session goes on', async () => {
    const { code, out, err } = await runRepl(['repeat 2', 'echo b', 'end now', 'echo after', 'end']);
    expect(code).toBe(0);
    expect(out).toEqual(['after']);
    expect(err).toEqual(['<repl>:3: end: too many arguments (expected end)', '<repl>:5: end without repeat']);
  });
});

describe('dump with no live process', () => {
  it('says so instead of printing an empty line', async () => {
    const { code, out } = await runText(['kill', 'dump', 'echo after']);
    expect(code).toBe(0);
    expect(out).toEqual(['No process is running: dump ignored', 'after']);
  });

  it('as a message record with --json', async () => {
    const { out } = await runText(['kill', 'dump'], ['--json']);
    expect(out.map((line) => JSON.parse(line) as unknown)).toEqual([{ type: 'message', text: 'No process is running: dump ignored' }]);
  });
});

describe('malformed numbers', () => {
  const bad = ['1_', '_1', '0x_ff', '1__0', '0x', '0b2', '0o8', '+', '-', '_', '0x1_', '1_0x', '- 1'];
  for (const word of bad) {
    it(JSON.stringify(word), async () => {
      const { code, err } = await runText([...DECLARE, `write x u32 ${word} `]);
      expect(code).toBe(2);
      const shown = word === '- 1' ? '-' : word;
      expect(err).toEqual([word === '- 1'
        ? `${SCRIPT}:3: write: too many arguments (expected write <name|addr> [type] <value>)`
        : `${SCRIPT}:3: write: bad number ${JSON.stringify(shown)} for u32 value (expected decimal or 0x hex)`]);
    });
  }

  it('separators between digits are fine in every base', async () => {
    const { out, err } = await runText([...DECLARE, 'write x u32 0xdead_beef', 'read x', 'write x 0b1_0', 'read x', 'write x 0o1_7', 'read x', 'write x -0_0', 'read x']);
    expect(err).toEqual([]);
    expect(out).toEqual(['x: 3735928559', 'x: 2', 'x: 15', 'x: 0']);
  });

  it('malformed addresses and switch indexes too', async () => {
    let r = await runText([...DECLARE, 'register 0x_80000000']);
    expect(r.err).toEqual([`${SCRIPT}:3: bad number "0x_80000000" for register address (expected decimal or 0x hex)`]);
    r = await runText(['switch 0_']);
    expect(r.err).toEqual([`${SCRIPT}:1: bad number "0_" for switch (expected decimal or 0x hex)`]);
  });
});

describe('range messages: hex for addresses, decimal for values and counts', () => {
  it('each kind in its own base', async () => {
    let r = await runText([...DECLARE, 'write x u32 0x100000000']);
    expect(r.err).toEqual([`${SCRIPT}:3: write: u32 value 0x100000000 is out of range (0 to 4294967295)`]);
    r = await runText([...DECLARE, 'read 4294967296 u8']);
    expect(r.err).toEqual([`${SCRIPT}:3: read address 4294967296 is out of range (0 to 0xffffffff)`]);
    r = await runText(['repeat 0x10000000', 'end']);
    expect(r.err).toEqual([`${SCRIPT}:1: repeat: count 268435456 is out of range (0 to 100000000)`]);
  });
});

describe('huge words on the command line are cut short too', () => {
  const huge = 'z'.repeat(1_000_000);
  const cases: [string[], string][] = [
    [[`--${huge}`], `vmsim: unknown option --${'z'.repeat(38)}… (1000002 characters) (try vmsim --help)`],
    [[huge], `vmsim: unknown command "${'z'.repeat(40)}…" (1000000 characters) (expected run or repl; try vmsim --help)`],
    [['--hw', huge, 'repl'], `vmsim: unknown --hw "${'z'.repeat(40)}…" (1000000 characters) (expected x86-32, sv32, x86-64 or sv39)`],
    [['--ram', huge, 'repl'], `vmsim: bad size "${'z'.repeat(40)}…" (1000000 characters) (expected e.g. 4096, 128K, 64M, 1G)`],
    [['run', huge], `vmsim: cannot read ${'z'.repeat(40)}… (1000000 characters): no such file`],
  ];
  for (const [argv, message] of cases) {
    it(message.slice(0, 30), async () => {
      const { code, err } = await runMain(argv);
      expect(code).toBe(2);
      expect(err).toEqual([message]);
    });
  }

  it('a system message that repeats the path gets the cut path', async () => {
    const io = fakeIo();
    io.readFile = (path) => {
      throw Object.assign(new Error(`ENAMETOOLONG: name too long, open '${path}'`), { code: 'ENAMETOOLONG' });
    };
    expect(await main(['run', huge], io)).toBe(2);
    expect(io.err).toEqual([`vmsim: cannot read ${'z'.repeat(40)}… (1000000 characters): ENAMETOOLONG: name too long, open '${'z'.repeat(40)}… (1000000 characters)'`]);
  });
});

describe('the structure of a block is checked as it is read', () => {
  it('a bad repeat line inside a block: reported before the block runs', async () => {
    const { code, out, err } = await runText(['echo a', 'repeat 2', '  echo b', '  repeat 2 x y', '  end', 'end']);
    expect(code).toBe(2);
    expect(out).toEqual(['a']);
    expect(err).toEqual([`${SCRIPT}:4: repeat: expected \`repeat <count> [variable]\``]);
  });
});
