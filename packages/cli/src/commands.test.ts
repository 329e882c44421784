// Every script command, run through main(['run', file]) with a fake Io: begin, ptr, register, write, read
// (every type, the 64-bit extremes, hex, labels), fork/switch/kill, stats, dump, echo, repeat blocks with
// {expressions}, comments and blank lines.

import { DataType, Pointer, Simulator, ValueType } from '@vmsim/sim-api';
import { describe, expect, it } from 'vitest';
import { formatStats } from '@vmsim/sim-api/script';
import { runText, SCRIPT } from './testing/fake-io.js';

/** Runs a script that must succeed; returns its stdout lines. */
async function ok(script: readonly string[], options: readonly string[] = []): Promise<string[]> {
  const { code, out, err } = await runText(script, options);
  expect(err).toEqual([]);
  expect(code).toBe(0);
  return out;
}

describe('begin', () => {
  it('begin verbose prints the faults, begin quiet does not', async () => {
    expect(await ok(['begin verbose', 'ptr x', 'register x', 'write x 1'])).toEqual(['PGZERO: 0x0']);
    expect(await ok(['begin quiet', 'ptr x', 'register x', 'write x 1'])).toEqual([]);
    expect(await ok(['BEGIN Verbose', 'ptr x', 'register x', 'write x 1'])).toEqual(['PGZERO: 0x0']);
  });

  it('starts a fresh machine: pointers are forgotten, addresses start again at 0x80000000', async () => {
    const out = await ok(['ptr a', 'ptr b', 'register a', 'write a 9', 'begin', 'ptr c', 'register c', 'register c', 'read c']);
    expect(out).toEqual(['Mapping already registered for 0x80000000.', 'c: 0']);
    const { code, err } = await runText(['ptr a', 'begin', 'read a']);
    expect(code).toBe(2);
    expect(err).toEqual(['test.vmsim:3: read: unknown pointer "a" (declare it with ptr a)']);
  });
});

describe('ptr', () => {
  it('hands out addresses 16 bytes apart from 0x80000000, like Pointer.new', async () => {
    const out = await ok(['ptr a', 'ptr b', 'ptr c', 'register a', 'register a', 'register b', 'register c']);
    expect(out).toEqual([
      'Mapping already registered for 0x80000000.',
      'Mapping already registered for 0x80000010.',
      'Mapping already registered for 0x80000020.',
    ]);
  });

  it('without a type declares an unsigned pointer', async () => {
    expect(await ok(['ptr x', 'register x', 'write x 18446744073709551615', 'read x'])).toEqual(['x: 18446744073709551615']);
    const { code, err } = await runText(['ptr x', 'register x', 'write x -1']);
    expect(code).toBe(2);
    expect(err).toEqual(['test.vmsim:3: write: unsigned value -1 is out of range (0 to 18446744073709551615)']);
  });

  it('with a type makes it the default of read and write', async () => {
    const out = await ok([
      'ptr s signed', 'ptr b u8', 'ptr f f64', 'ptr w i64', 'ptr u U64',
      'register s',
      'write s -5', 'read s',
      'write b 255', 'read b',
      'write f 0.25', 'read f',
      'write w -7', 'read w',
      'write u 7', 'read u',
      'read s unsigned',
    ]);
    expect(out).toEqual(['s: -5', 'b: 255', 'f: 0.25', 'w: -7', 'u: 7', 's: 18446744073709551611']);
  });

  it('redeclaring a name points it at a new address', async () => {
    const out = await ok(['ptr x', 'ptr x', 'register x', 'register 0x80000010']);
    expect(out).toEqual(['Mapping already registered for 0x80000010.']);
  });
});

describe('register', () => {
  it('by name and by address, in hex or decimal; a second time says so with the full address', async () => {
    const out = await ok([
      'ptr x', 'ptr y',
      'register x',
      'register y',
      'register 0x80000010',
      'register 2147483664',
      'register 0x80000FFF',
      'register 0x80001000',
      'register 0x80001000',
    ]);
    expect(out).toEqual([
      'Mapping already registered for 0x80000010.',
      'Mapping already registered for 0x80000010.',
      'Mapping already registered for 0x80000010.',
      'Mapping already registered for 0x80000fff.',
      'Mapping already registered for 0x80001000.',
    ]);
  });

  it('any address below 2^32 works, not only pointer addresses', async () => {
    expect(await ok(['register 0', 'write 0 u8 1', 'read 0 u8', 'register 0xfffff000', 'write 0xfffffff8 unsigned 2', 'read 0xfffffff8 unsigned']))
      .toEqual(['0: 1', '0xfffffff8: 2']);
  });
});

describe('write and read', () => {
  // [type, value written, value read back]
  const cases: [string, string, string][] = [
    ['unsigned', '0', '0'],
    ['unsigned', '5', '5'],
    ['unsigned', '18446744073709551615', '18446744073709551615'],
    ['unsigned', '0xffffffffffffffff', '18446744073709551615'],
    ['unsigned', '0x8000000000000000', '9223372036854775808'],
    ['u64', '12345678901234567890', '12345678901234567890'],
    ['signed', '0', '0'],
    ['signed', '-1', '-1'],
    ['signed', '-9223372036854775808', '-9223372036854775808'],
    ['signed', '9223372036854775807', '9223372036854775807'],
    ['signed', '-0x10', '-16'],
    ['i64', '-42', '-42'],
    ['u8', '0', '0'],
    ['u8', '255', '255'],
    ['u8', '0xff', '255'],
    ['u16', '65535', '65535'],
    ['u32', '4294967295', '4294967295'],
    ['u32', '0xdeadbeef', '3735928559'],
    ['i8', '-128', '-128'],
    ['i8', '127', '127'],
    ['i16', '-32768', '-32768'],
    ['i16', '32767', '32767'],
    ['i32', '-2147483648', '-2147483648'],
    ['i32', '2147483647', '2147483647'],
    ['f32', '1.5', '1.5'],
    ['f32', '0.1', '0.10000000149011612'],
    ['f32', '-inf', '-Infinity'],
    ['f64', '0.1', '0.1'],
    ['f64', '-2.5', '-2.5'],
    ['f64', '1e300', '1e+300'],
    ['f64', '.5', '0.5'],
    ['f64', 'inf', 'Infinity'],
    ['f64', 'NaN', 'NaN'],
  ];
  for (const [type, written, read] of cases) {
    it(`${type} ${written} reads back as ${read}`, async () => {
      expect(await ok(['ptr x', 'register x', `write x ${type} ${written}`, `read x ${type}`])).toEqual([`x: ${read}`]);
    });
  }

  it('-2 written signed reads unsigned as 2^64 - 2, and back', async () => {
    expect(await ok(['ptr x', 'register x', 'write x signed -2', 'read x unsigned', 'read x signed'])).toEqual([
      'x: 18446744073709551614',
      'x: -2',
    ]);
  });

  it('the 64-bit extremes reinterpret between signed and unsigned', async () => {
    expect(await ok([
      'ptr x', 'register x',
      'write x unsigned 18446744073709551615', 'read x signed',
      'write x signed -9223372036854775808', 'read x unsigned',
    ])).toEqual(['x: -1', 'x: 9223372036854775808']);
  });

  it('values are stored little-endian: a narrower read sees the low bytes', async () => {
    expect(await ok(['ptr x', 'register x', 'write x u32 0xdeadbeef', 'read x u8', 'read x u16', 'read x i32', 'read x i8', 'read 0x80000003 u8']))
      .toEqual(['x: 239', 'x: 48879', 'x: -559038737', 'x: -17', '0x80000003: 222']);
  });

  it('write zero clears all 8 bytes; a registered page never written reads 0', async () => {
    expect(await ok(['ptr x', 'register x', 'read x', 'write x 0xffffffffffffffff', 'write x zero', 'read x', 'read x signed']))
      .toEqual(['x: 0', 'x: 0', 'x: 0']);
  });

  it('numbers: decimal, 0x hex (any case), 0b, 0o, _ separators and a sign', async () => {
    expect(await ok([
      'ptr x', 'register x',
      'write x 0X1F', 'read x',
      'write x 1_000_000', 'read x',
      'write x 0b101', 'read x',
      'write x 0o17', 'read x',
      'write x +5', 'read x',
      'write x signed -0x8000000000000000', 'read x signed',
    ])).toEqual(['x: 31', 'x: 1000000', 'x: 5', 'x: 15', 'x: 5', 'x: -9223372036854775808']);
  });

  it('by address: hex or decimal, the type is required', async () => {
    expect(await ok(['register 0x80000000', 'write 0x80000000 unsigned 5', 'read 2147483648 unsigned', 'write 2147483656 signed -3', 'read 0x80000008 signed']))
      .toEqual(['2147483648: 5', '0x80000008: -3']);
  });

  it('labels: the rest of the line after the type, its spaces and tabs as written; the target by default', async () => {
    expect(await ok([
      'ptr x', 'register x', 'write x 5',
      'read x',
      'read x unsigned Value of x',
      'read x unsigned Value  of   x',
      'read x unsigned \tcolumns\t\tand  tabs\t  # the comment goes, the inner spacing stays',
      'read x signed the value: signed',
      'read 0x80000000 u8 low byte',
    ])).toEqual(['x: 5', 'Value of x: 5', 'Value  of   x: 5', 'columns\t\tand  tabs: 5', 'the value: signed: 5', 'low byte: 5']);
  });

  it('a label needs the type before it, so a mistyped type is an error, not a label', async () => {
    const r = await runText(['ptr x', 'register x', 'read x unsinged']);
    expect(r.code).toBe(2);
    expect(r.err).toEqual([`${SCRIPT}:3: read: unknown type "unsinged" (expected one of unsigned, signed, u8, u16, u32, i8, i16, i32, f32, f64 (and zero for write))`]);
  });

  it('an unregistered page: the simulator says so; a failed read prints no value line', async () => {
    expect(await ok(['ptr x', 'write x 1', 'read x', 'read 0x90000123 unsigned', 'register x', 'write x 2', 'read x']))
      .toEqual(['Invalid address 0x80000000', 'Invalid address 0x80000000', 'Invalid address 0x90000000', 'x: 2']);
  });

  it('a value running past the end of the address space: the simulator message', async () => {
    expect(await ok(['register 0xfffff000', 'write 0xfffffffc unsigned 1']))
      .toEqual(['Invalid address 0xfffffffc: a value of 8 bytes there runs past the end of the 32-bit virtual address space']);
  });

  it('command names and type names are case-insensitive', async () => {
    expect(await ok(['PTR x', 'Register x', 'WRITE x SIGNED -1', 'Read x Signed'])).toEqual(['x: -1']);
  });
});

describe('fork, switch and kill', () => {
  it('a child sees its parent memory; writes stay in the process that made them', async () => {
    const out = await ok([
      'ptr x', 'register x', 'write x 1',
      'fork', 'read x unsigned child', 'write x 2', 'read x unsigned child',
      'switch 0', 'read x unsigned parent',
      'switch 1', 'read x unsigned child again',
      'kill', 'read x unsigned parent after kill',
    ], ['--verbose']);
    expect(out).toEqual([
      'PGZERO: 0x0', 'child: 1', 'PGCOPY: 0x0', 'child: 2', 'parent: 1', 'child again: 2', 'parent after kill: 1',
    ]);
  });

  it('switch accepts hex and a leading +', async () => {
    expect(await ok(['ptr x', 'register x', 'fork', 'write x 3', 'switch 0x0', 'read x', 'switch +1', 'read x'])).toEqual(['x: 0', 'x: 3']);
  });

  it('a bad switch index prints the simulator message and changes nothing', async () => {
    const out = await ok(['ptr x', 'register x', 'switch 1', 'fork', 'write x 2', 'switch 2', 'switch -1', 'read x', 'kill', 'kill', 'switch 0', 'kill', 'read x', 'fork']);
    expect(out).toEqual([
      'Cannot switch to process 1: the only live process is 0; nothing changed',
      'Cannot switch to process 2: expected an index from 0 to 1; nothing changed',
      'Cannot switch to process -1: expected an index from 0 to 1; nothing changed',
      'x: 2',
      'Cannot switch to process 0: no process is alive; nothing changed',
      'No process is running: kill ignored',
      'No process is running: read of 0x80000000 ignored',
      'No process is running: fork ignored',
    ]);
  });
});

describe('stats', () => {
  it('prints the statistics as sim-api gathers them', async () => {
    const script = ['ptr x', 'register x', 'write x 4', 'fork', 'register 0x80400000', 'stats'];
    const out = await ok(script);
    // The same calls straight on sim-api.
    const sim = Simulator.begin(false, { output: () => {} });
    const x = Pointer.new(ValueType.Zero);
    sim.register(x);
    sim.write(x, ValueType.UnsignedInt(4));
    sim.fork();
    sim.register(Pointer.at(0x80400000));
    expect(out).toEqual(formatStats(sim.stats()));
    expect(out[0]).toBe('machine: x86-32, 2 levels, 4096-byte pages');
    expect(out[2]).toBe('faults: 1 zero-fill, 0 cow-copy, 0 cow-reuse, 0 zero-map, 0 spurious, 0 segfault, 0 sigbus, 0 out-of-memory');
    expect(out.slice(-2)).toEqual([
      'process 0: sleeping, 1 resident (1 shared, 0 private), 0 zero-mapped, 2 page tables',
      'process 1: running, 1 resident (1 shared, 0 private), 1 zero-mapped, 3 page tables',
    ]);
  });

  it('killed processes are not listed', async () => {
    const out = await ok(['fork', 'kill', 'stats']);
    expect(out.filter((line) => line.startsWith('process '))).toEqual(['process 0: running, 0 resident (0 shared, 0 private), 0 zero-mapped, 1 page tables']);
  });
});

describe('dump', () => {
  it('prints the lines sim-api dumps', async () => {
    const out = await ok(['ptr x', 'register x', 'write x 5', 'fork', 'write x 6', 'dump']);
    const sim = Simulator.begin(false, { output: () => {} });
    const x = Pointer.new(ValueType.Zero);
    sim.register(x);
    sim.write(x, ValueType.UnsignedInt(5));
    sim.fork();
    sim.write(x, ValueType.UnsignedInt(6));
    expect(sim.read(x, DataType.UnsignedInt)?.getValue()).toBe(6n);
    expect(out).toEqual(sim.dump());
    expect(out).toContain('PROCESS PID 0');
    expect(out).toContain('PROCESS PID 1');
    expect(out).toContain('Word #0: 0x5');
    expect(out).toContain('Word #0: 0x6');
  });
});

describe('echo', () => {
  it('prints the text after `echo ` as it is (inner and leading spacing kept), comments stripped', async () => {
    expect(await ok(['echo hello world', 'echo a  b   # not this', 'echo   indented', 'echo', 'echo a#b', 'ECHO Loud']))
      .toEqual(['hello world', 'a  b', '  indented', '', 'a#b', 'Loud']);
  });

  it('braces are text outside a repeat block', async () => {
    expect(await ok(['echo {1+1}'])).toEqual(['{1+1}']);
  });
});

describe('repeat', () => {
  it('runs its lines count times with i = 0, 1, ...', async () => {
    expect(await ok(['repeat 3', '  echo pass {i}', 'end'])).toEqual(['pass 0', 'pass 1', 'pass 2']);
  });

  it('a named variable, nested blocks, and counts from expressions', async () => {
    const out = await ok([
      'repeat 2 outer',
      '  repeat {outer + 2} inner',
      '    echo {outer}.{inner} -> {outer * 10 + inner}',
      '  end',
      'end',
    ]);
    expect(out).toEqual(['0.0 -> 0', '0.1 -> 1', '1.0 -> 10', '1.1 -> 11', '1.2 -> 12']);
  });

  it('expressions: + - * / % ( ), unary minus, hex; / truncates and % keeps the dividend sign', async () => {
    const out = await ok([
      'repeat 1',
      '  echo {1 + 2 * 3} {(1 + 2) * 3} {-7 / 2} {-7 % 3} {7 % -3} {0x10 + 1} {-(2 - 5)} {10 - 2 - 3} {2 * -3}',
      'end',
    ]);
    expect(out).toEqual(['7 9 -3 -1 1 17 3 5 -6']);
  });

  it('values from expressions go to the simulator, 64-bit exact', async () => {
    const out = await ok([
      'ptr x', 'register x',
      'repeat 2',
      '  write x {18446744073709551614 + i}',
      '  read x unsigned x{i}',
      'end',
    ]);
    expect(out).toEqual(['x0: 18446744073709551614', 'x1: 18446744073709551615']);
  });

  it('repeat 0 runs nothing; REPEAT and END are case-insensitive; the blocks may hold comments and blank lines', async () => {
    expect(await ok(['repeat 0', '  echo never', 'end', 'REPEAT 2   # twice', '', '  # a comment', '  echo {i}', 'END', 'echo done'])).toEqual(['0', '1', 'done']);
  });

  it('a loop variable shadows an outer one of the same name', async () => {
    expect(await ok(['repeat 2', '  repeat 2', '    echo {i}', '  end', 'end'])).toEqual(['0', '1', '0', '1']);
  });

  it('ptr in a loop only moves the address counter on', async () => {
    expect(await ok(['repeat 256', '  ptr pad', 'end', 'ptr x', 'register x', 'register x'])).toEqual(['Mapping already registered for 0x80001000.']);
  });
});

describe('comments and blank lines', () => {
  it('are ignored wherever they are', async () => {
    const out = await ok([
      '# a comment',
      '',
      '   ',
      '\t# an indented comment',
      'ptr x   # trailing comment',
      'register x	# a tab before the #',
      'write x 5 # five',
      'read x',
      '#',
    ]);
    expect(out).toEqual(['x: 5']);
  });

  it('a # inside a word is part of it', async () => {
    const { code, err } = await runText(['ptr x#y']);
    expect(code).toBe(2);
    expect(err).toEqual(['test.vmsim:1: ptr: bad name "x#y" (letters, digits and _, not starting with a digit)']);
  });
});
