// The command line itself: --help, --version, option and subcommand errors, the shared options (--hw, --ram,
// --verbose, --stats) and `run -`. Everything runs in-process through main(argv, io) with a fake Io.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { main } from './main.js';
import { COMMAND_HELP } from '@vmsim/sim-api/script';
import { fakeIo, runMain, runText, SCRIPT, STACK_FRAME } from './testing/fake-io.js';

const PACKAGE = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

/** A script that registers, writes, forks and writes again: one zero-fill fault and one COW copy. */
const FORK_SCRIPT = ['ptr x', 'register x', 'write x 5', 'fork', 'write x 6', 'read x'];

describe('--help', () => {
  for (const flag of ['--help', '-h']) {
    it(`${flag} prints the usage on stdout and exits 0`, async () => {
      const { code, out, err } = await runMain([flag]);
      expect(code).toBe(0);
      expect(err).toEqual([]);
      const text = out.join('\n');
      expect(text).toMatch(/^vmsim \S+: a virtual-memory simulator\n/);
      expect(text).toContain('vmsim run <file|->');
      expect(text).toContain('vmsim repl');
      for (const option of ['--hw <model>', '--ram <size>', '--verbose', '--json', '--stats', '--help', '--version']) {
        expect(text).toContain(option);
      }
      expect(text).toContain('x86-32, sv32, x86-64, sv39');
      expect(text).toContain('Exit codes: 0 success, 2 a usage or script error');
      for (const line of COMMAND_HELP) expect(text).toContain(line);
    });
  }

  it('wins over a command and other options', async () => {
    const { code, out, err } = await runMain(['run', 'missing.vmsim', '--hw', 'nonsense', '--help']);
    expect(code).toBe(0);
    expect(err).toEqual([]);
    expect(out.join('\n')).toContain('Usage:');
  });
});

describe('--version', () => {
  for (const flag of ['--version', '-V']) {
    it(`${flag} prints the package.json version and exits 0`, async () => {
      const { code, out, err } = await runMain([flag]);
      expect(code).toBe(0);
      expect(err).toEqual([]);
      expect(out).toEqual([PACKAGE.version]);
      expect(PACKAGE.version).toMatch(/^\d+\.\d+\.\d+/);
    });
  }

  it('--help names the same version', async () => {
    const { out } = await runMain(['--help']);
    expect(out[0]).toContain(`vmsim ${PACKAGE.version}:`);
  });
});

describe('usage errors: one line on stderr, exit code 2, nothing on stdout', () => {
  const cases: [string, string[], string][] = [
    ['an unknown long option', ['--bogus', 'run', 'x'], 'vmsim: unknown option --bogus (try vmsim --help)'],
    ['an unknown short option', ['-x'], 'vmsim: unknown option -x (try vmsim --help)'],
    ['an option without its value', ['run', SCRIPT, '--hw'], "vmsim: Option '--hw <value>' argument missing"],
    ['a value given to a flag', ['--verbose=yes', 'run', SCRIPT], "vmsim: Option '--verbose' does not take an argument"],
    ['no command', [], 'vmsim: missing command (try vmsim --help)'],
    ['no command, only options', ['--stats', '--json'], 'vmsim: missing command (try vmsim --help)'],
    ['an unknown command', ['frob'], 'vmsim: unknown command "frob" (expected run or repl; try vmsim --help)'],
    ['run without a file', ['run'], 'vmsim: run: missing script file (or - for standard input)'],
    ['run with two files', ['run', 'a.vmsim', 'b.vmsim'], 'vmsim: run: expected one script file'],
    ['repl with an argument', ['repl', 'x'], 'vmsim: repl: takes no arguments'],
    ['a missing script file', ['run', 'nope.vmsim'], 'vmsim: cannot read nope.vmsim: no such file'],
    ['a bad --hw', ['--hw', 'arm64', 'run', SCRIPT], 'vmsim: unknown --hw "arm64" (expected x86-32, sv32, x86-64 or sv39)'],
    ['a bad --ram', ['--ram', '12Q', 'run', SCRIPT], 'vmsim: bad size "12Q" (expected e.g. 4096, 128K, 64M, 1G)'],
    ['a negative --ram', ['--ram=-4K', 'run', SCRIPT], 'vmsim: bad size "-4K" (expected e.g. 4096, 128K, 64M, 1G)'],
  ];
  for (const [what, argv, message] of cases) {
    it(`${what}: ${JSON.stringify(argv)}`, async () => {
      const { code, out, err } = await runMain(argv, { files: { [SCRIPT]: 'echo ran' } });
      expect(err).toEqual([message]);
      expect(code).toBe(2);
      expect(out).toEqual([]);
    });
  }

  it('a script path that is a directory, or unreadable for another reason', async () => {
    const io = fakeIo();
    io.readFile = (path) => {
      throw Object.assign(new Error(`EISDIR: illegal operation on a directory, read '${path}'`), { code: path === 'dir' ? 'EISDIR' : 'EACCES' });
    };
    expect(await main(['run', 'dir'], io)).toBe(2);
    expect(await main(['run', 'secret.vmsim'], io)).toBe(2);
    expect(io.err).toEqual([
      'vmsim: cannot read dir: it is a directory',
      "vmsim: cannot read secret.vmsim: EISDIR: illegal operation on a directory, read 'secret.vmsim'",
    ]);
    expect(io.out).toEqual([]);
  });
});

describe('an internal error (a bug, not a user mistake)', () => {
  it('exits with code 1 and says so', async () => {
    const io = fakeIo({ files: { [SCRIPT]: 'echo hi' } });
    io.stdout = () => {
      throw new TypeError('the terminal caught fire');
    };
    expect(await main(['run', SCRIPT], io)).toBe(1);
    expect(io.err[0]).toMatch(/^vmsim: internal error: TypeError: the terminal caught fire/);
  });
});

describe('--hw', () => {
  it('defaults to x86-32', async () => {
    const { code, out } = await runText(['stats'], []);
    expect(code).toBe(0);
    expect(out[0]).toBe('machine: x86-32, 2 levels, 4096-byte pages');
  });

  it('x86-32 and sv32 build different page-table entries', async () => {
    const script = ['ptr x', 'register x', 'write x 5', 'read x', 'dump', 'stats'];
    const x86 = await runText(script, ['--hw', 'x86-32']);
    const sv32 = await runText(script, ['--hw', 'sv32']);
    expect(x86.code).toBe(0);
    expect(sv32.code).toBe(0);
    expect(x86.out[0]).toBe('x: 5');
    expect(sv32.out[0]).toBe('x: 5');
    expect(x86.out).toContain('machine: x86-32, 2 levels, 4096-byte pages');
    expect(sv32.out).toContain('machine: sv32, 2 levels, 4096-byte pages');
    // x86 PDE: present, writable, user, accessed; Sv32: a non-leaf entry is V only.
    expect(x86.out).toContain('PDE #512\t PTN: 2, Flags: 0x27');
    expect(sv32.out).toContain('PDE #512\t PTN: 2, Flags: 0x1');
  });

  it.each([['x86-32', 2], ['sv32', 2], ['x86-64', 4], ['sv39', 3]] as const)('--hw %s: the statistics show its %i levels', async (model, levels) => {
    const { code, out, err } = await runText(['ptr x', 'register x', 'write x 5', 'read x', 'stats'], ['--hw', model]);
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out[0]).toBe('x: 5');
    expect(out[1]).toBe(`machine: ${model}, ${levels} levels, 4096-byte pages`);
    // The root and one table per level below it for the one page, the zero page, one data frame.
    expect(out[2]).toMatch(new RegExp(`^frames: \\d+ total, \\d+ free, ${levels + 2} used \\(${levels} page tables, 1 data, 1 zero page\\)$`));
    expect(out.at(-1)).toBe(`process 0: running, 1 resident (0 shared, 1 private), 0 zero-mapped, ${levels} page tables`);
  });

  it('--hw sv39: dump shows three levels of tables', async () => {
    const { code, out } = await runText(['ptr x', 'register x', 'write x 5', 'dump'], ['--hw', 'sv39']);
    expect(code).toBe(0);
    expect(out.filter((line) => line !== '' && !line.startsWith('Word'))).toEqual([
      'PROCESS PID 0',
      'PAGE DIRECTORY',
      'PDE #2\t PTN: 2, Flags: 0x1',
      'PAGE MIDDLE DIRECTORY #2',
      'PMDE #0\t PTN: 3, Flags: 0x1',
      'PAGE TABLE #3',
      'PTE #0\t PPN: 4, Flags: 0xd7',
      'PAGE #4',
    ]);
    expect(out).toContain('Word #0: 0x5');
  });

  it('--hw x86-64: dump shows four levels of tables', async () => {
    const { code, out } = await runText(['ptr x', 'register x', 'write x 5', 'dump'], ['--hw', 'x86-64']);
    expect(code).toBe(0);
    expect(out.filter((line) => /^(PML4$|PAGE |PROCESS)/.test(line))).toEqual([
      'PROCESS PID 0', 'PML4', 'PAGE DIRECTORY POINTER TABLE #2', 'PAGE DIRECTORY #3', 'PAGE TABLE #4', 'PAGE #5',
    ]);
    expect(out).toContain('PTE #0\t PPN: 5, Flags: 0x8000000000000067');
  });

  it.each([['x86-64', '0x7f0000000000'], ['sv39', '0x3f00000000']] as const)('--hw %s: addresses above 2^32 work up to the end of user space', async (model, high) => {
    const end = model === 'x86-64' ? '0x7ffffffffff8' : '0x3ffffffff8';
    const script = [
      'begin verbose',
      `register ${high}`,
      `write ${high} unsigned 7`,
      `register ${end}`,
      `write ${end} signed -1`,
      'fork',
      `write ${high} unsigned 8`,
      `read ${high} unsigned child`,
      'switch 0',
      `read ${high} unsigned parent`,
      `read ${end} signed last`,
      `write 0x${(Number(high) + 0x1000).toString(16)} u8 1`,
    ];
    const { code, out, err } = await runText(script, ['--hw', model]);
    expect(err).toEqual([]);
    expect(code).toBe(0);
    const offset = (va: string | number): string => `0x${(Number(va) - 0x80000000).toString(16)}`;
    expect(out).toEqual([
      `PGZERO: ${offset(high)}`,
      `PGZERO: ${offset(Number(end) - 0xff8)}`,
      `PGCOPY: ${offset(high)}`,
      'child: 8',
      'parent: 7',
      'last: -1',
      `Invalid address 0x${(Number(high) + 0x1000).toString(16)}`,
    ]);
  });

  it('--hw=sv32 works too, and the option may follow the command', async () => {
    const io = fakeIo({ files: { [SCRIPT]: 'stats' } });
    expect(await main(['run', SCRIPT, '--hw=sv32'], io)).toBe(0);
    expect(io.out[0]).toBe('machine: sv32, 2 levels, 4096-byte pages');
  });
});

describe('--ram', () => {
  const framesLine = async (ram: string): Promise<string | undefined> => {
    const { code, out, err } = await runText(['stats'], ['--ram', ram]);
    expect(err).toEqual([]);
    expect(code).toBe(0);
    return out.find((line) => line.startsWith('frames: '));
  };

  it('sizes the simulated RAM in binary units', async () => {
    expect(await framesLine('128K')).toMatch(/^frames: 32 total, /);
    expect(await framesLine('64M')).toMatch(/^frames: 16384 total, /);
    expect(await framesLine('1G')).toMatch(/^frames: 262144 total, /);
    expect(await framesLine('8192')).toMatch(/^frames: 2 total, /);
    expect(await framesLine('64k')).toMatch(/^frames: 16 total, /);
    expect(await framesLine('1MiB')).toMatch(/^frames: 256 total, /);
  });

  it('defaults to 1 GiB', async () => {
    const { out } = await runText(['stats']);
    expect(out[1]).toMatch(/^frames: 262144 total, /);
  });

  it('a size the simulator refuses is a usage error with its reason, not a stack trace', async () => {
    const cases: [string, string][] = [
      ['4K', "vmsim: invalid option ramBytes = 4096: expected at least 2 frames: the zero page and the first process's page directory"],
      ['0', "vmsim: invalid option ramBytes = 0: expected at least 2 frames: the zero page and the first process's page directory"],
      ['1000', 'vmsim: invalid option ramBytes = 1000: expected a multiple of the page size (4096)'],
      ['8G', 'vmsim: invalid option ramBytes = 8589934592: expected at most 4 GiB of RAM'],
    ];
    for (const [ram, message] of cases) {
      for (const command of ['run', 'repl']) {
        const { code, out, err } = await runMain(['--ram', ram, command, ...(command === 'run' ? [SCRIPT] : [])], {
          files: { [SCRIPT]: 'echo never' },
          stdin: ['echo never'],
        });
        expect(err).toEqual([message]);
        expect(code).toBe(2);
        expect(out).toEqual([]);
        expect(err.join('\n')).not.toContain(STACK_FRAME);
      }
    }
  });

  it('a machine that runs out of frames prints the simulator message and goes on', async () => {
    // 16K = 4 frames: the zero page, the directory, a page table, one data frame; a fork needs 2 more.
    const { code, out } = await runText(['ptr a', 'register a', 'write a 1', 'fork', 'read a'], ['--ram', '16K']);
    expect(code).toBe(0);
    expect(out).toEqual(['Out of memory: cannot fork process 0 (needs 2 frames, 0 free); nothing changed', 'a: 1']);
  });
});

describe('--stats', () => {
  it('prints the statistics after the script output', async () => {
    const { code, out, err } = await runText(FORK_SCRIPT, ['--stats']);
    expect(code).toBe(0);
    expect(err).toEqual([]);
    expect(out[0]).toBe('x: 6');
    expect(out.slice(1, 4)).toEqual([
      'machine: x86-32, 2 levels, 4096-byte pages',
      'frames: 262144 total, 262137 free, 7 used (4 page tables, 2 data, 1 zero page)',
      'faults: 1 zero-fill, 1 cow-copy, 0 cow-reuse, 0 zero-map, 0 spurious, 0 segfault, 0 sigbus, 0 out-of-memory',
    ]);
    expect(out[4]).toMatch(/^tlb: \d+ hits, \d+ misses, \d+ flushes \(64 entries\)$/);
    expect(out.slice(5)).toEqual([
      'memory: 8192 bytes allocated, 2 regions, 2 mapped pages',
      'process 0: sleeping, 1 resident (0 shared, 1 private), 0 zero-mapped, 2 page tables',
      'process 1: running, 1 resident (0 shared, 1 private), 0 zero-mapped, 2 page tables',
    ]);
  });

  it('prints nothing more without it', async () => {
    const { out } = await runText(FORK_SCRIPT);
    expect(out).toEqual(['x: 6']);
  });

  it('is not printed when the script fails', async () => {
    const { code, out } = await runText(['echo a', 'bogus'], ['--stats']);
    expect(code).toBe(2);
    expect(out).toEqual(['a']);
  });
});

describe('--verbose', () => {
  it('shows the PGZERO and PGCOPY faults', async () => {
    const { code, out } = await runText(FORK_SCRIPT, ['--verbose']);
    expect(code).toBe(0);
    expect(out).toEqual(['PGZERO: 0x0', 'PGCOPY: 0x0', 'x: 6']);
  });

  it('the fault messages name the page offset from 0x80000000', async () => {
    const { out } = await runText(['register 0x80005008', 'write 0x80005008 u8 1'], ['--verbose']);
    expect(out).toEqual(['PGZERO: 0x5000']);
  });

  it('without it there are no fault messages', async () => {
    const { out } = await runText(FORK_SCRIPT);
    expect(out.some((line) => line.startsWith('PG'))).toBe(false);
  });

  it('is what a bare `begin` restarts with', async () => {
    const { out } = await runText(['begin', 'ptr x', 'register x', 'write x 1', 'begin quiet', 'ptr x', 'register x', 'write x 1'], ['--verbose']);
    expect(out).toEqual(['PGZERO: 0x0']);
  });
});

describe('run -', () => {
  it('reads the script from standard input and names it <stdin>', async () => {
    const { code, out, err, io } = await runMain(['run', '-'], { stdin: ['ptr x', 'register x', 'write x 7', 'read x', 'oops'] });
    expect(out).toEqual(['x: 7']);
    expect(err).toEqual(['<stdin>:5: unknown command "oops" (try help)']);
    expect(code).toBe(2);
    expect(io.prompts).toEqual([undefined]);
  });

  it('an empty standard input is an empty script', async () => {
    const { code, out, err } = await runMain(['--stats', 'run', '-'], { stdin: [] });
    expect(code).toBe(0);
    expect(err).toEqual([]);
    expect(out[0]).toBe('machine: x86-32, 2 levels, 4096-byte pages');
  });
});

describe('script files', () => {
  it('CRLF line endings and a missing final newline are fine', async () => {
    const { code, out } = await runText('ptr x\r\nregister x\r\nwrite x 3\r\nread x');
    expect(code).toBe(0);
    expect(out).toEqual(['x: 3']);
  });

  it('an empty file runs nothing and succeeds', async () => {
    const { code, out, err } = await runText('');
    expect([code, out, err]).toEqual([0, [], []]);
  });
});
