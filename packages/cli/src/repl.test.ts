// `vmsim repl` driven by piped input: the script commands one line at a time, help, history, exit, errors
// that do not end the session, and repeat blocks typed over several lines.

import { describe, expect, it } from 'vitest';
import { REPL_HELP } from './commands/repl.js';
import { COMMAND_HELP } from '@vmsim/sim-api/script';
import { runRepl, STACK_FRAME } from './testing/fake-io.js';

describe('vmsim repl with piped input', () => {
  it('runs the commands as they come', async () => {
    const { code, out, err, io } = await runRepl(['ptr x', 'register x', 'write x 5', 'read x', 'register x', 'read 0x90000000 u8']);
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out).toEqual(['x: 5', 'Mapping already registered for 0x80000000.', 'Invalid address 0x90000000']);
    // Standard input is read with the prompt (shown only on a terminal), and once.
    expect(io.prompts).toEqual(['vmsim> ']);
  });

  it('prints no banner when standard input is not a terminal, one when it is', async () => {
    expect((await runRepl(['echo hi'])).out).toEqual(['hi']);
    const { out } = await runRepl(['echo hi'], [], true);
    expect(out).toHaveLength(2);
    expect(out[0]).toMatch(/^vmsim \S+ on x86-32: type help for the commands, exit to leave$/);
    expect(out[1]).toBe('hi');
    expect((await runRepl([], ['--hw', 'sv32'], true)).out[0]).toContain(' on sv32: ');
  });

  it('help lists every script command and the REPL commands', async () => {
    const { code, out } = await runRepl(['help']);
    expect(code).toBe(0);
    expect(out).toEqual([...REPL_HELP]);
    expect(out.slice(0, COMMAND_HELP.length)).toEqual([...COMMAND_HELP]);
    for (const command of ['begin', 'ptr', 'register', 'write', 'read', 'fork', 'switch', 'kill', 'stats', 'dump', 'echo', 'repeat', 'help', 'history', 'exit']) {
      expect(out.some((line) => line.startsWith(`${command} `))).toBe(true);
    }
  });

  it('help, history and exit are case-insensitive and may carry spaces and a comment', async () => {
    const { out } = await runRepl(['  HELP  # show me', 'echo after help', 'Exit # bye', 'echo not run']);
    expect(out).toEqual([...REPL_HELP, 'after help']);
  });

  it('history lists the commands typed so far, numbered, without help and history themselves', async () => {
    const { out } = await runRepl(['ptr x', '', '# just a comment', 'help', 'register   x  ', 'oops', 'history', 'echo later']);
    expect(out.slice(REPL_HELP.length)).toEqual(['   1  ptr x', '   2  register   x', '   3  oops', 'later']);
  });

  it('an error prints <repl>:N: message on stderr and the session goes on', async () => {
    const { code, out, err } = await runRepl(['ptr x', 'register x', 'write x u8 300', 'write x u8 200', 'bogus', 'read x u8', 'switch nope', 'read x u8']);
    expect(code).toBe(0);
    expect(err).toEqual([
      '<repl>:3: write: u8 value 300 is out of range (0 to 255)',
      '<repl>:5: unknown command "bogus" (try help)',
      '<repl>:7: bad number "nope" for switch (expected decimal or 0x hex)',
    ]);
    expect(out).toEqual(['x: 200', 'x: 200']);
    expect([...out, ...err].join('\n')).not.toContain(STACK_FRAME);
  });

  it('the line numbers count every line typed, help and blank lines included', async () => {
    const { err } = await runRepl(['help', '', 'history', 'nope']);
    expect(err).toEqual(['<repl>:4: unknown command "nope" (try help)']);
  });

  it('exit (or quit) ends the session; the lines after it are not run', async () => {
    for (const word of ['exit', 'quit']) {
      const { code, out } = await runRepl(['echo one', word, 'echo two']);
      expect(code).toBe(0);
      expect(out).toEqual(['one']);
    }
  });

  it('the end of the input ends the session with exit code 0', async () => {
    const { code, out, err } = await runRepl(['echo last']);
    expect([code, out, err]).toEqual([0, ['last'], []]);
    expect((await runRepl([])).code).toBe(0);
  });

  it('a repeat block typed over several lines runs at its end', async () => {
    const { code, out, err } = await runRepl([
      'ptr x', 'register x',
      'repeat 3',
      '  write x {i * 10}',
      '  repeat 2 j',
      '    read x unsigned x{i}.{j}',
      '  end',
      'end',
      'echo done',
    ]);
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out).toEqual(['x0.0: 0', 'x0.1: 0', 'x1.0: 10', 'x1.1: 10', 'x2.0: 20', 'x2.1: 20', 'done']);
  });

  it('inside an open block, help and history are lines of the block, not commands', async () => {
    const { out, err } = await runRepl(['repeat 1', 'history', 'end']);
    expect(out).toEqual([]);
    expect(err).toEqual(['<repl>:2: unknown command "history" (try help)']);
  });

  it('an error inside a typed block drops the block; the session goes on', async () => {
    const { out, err } = await runRepl(['repeat 3', '  echo {i}', '  echo {1 / (1 - i)}', 'end', 'echo after', 'end']);
    expect(out).toEqual(['0', '1', '1', 'after']);
    expect(err).toEqual(['<repl>:3: echo: bad expression {1 / (1 - i)}: division by zero', '<repl>:6: end without repeat']);
  });

  it('a block still open at the end of the input is reported on its repeat line', async () => {
    const { code, out, err } = await runRepl(['echo a', 'repeat 2', '  echo b']);
    expect(code).toBe(0);
    expect(out).toEqual(['a']);
    expect(err).toEqual(['<repl>:2: repeat without end']);
  });

  it('--stats prints the statistics when the session ends, --verbose shows the faults', async () => {
    const { out } = await runRepl(['ptr x', 'register x', 'write x 1', 'exit'], ['--stats', '--verbose']);
    expect(out[0]).toBe('PGZERO: 0x0');
    expect(out[1]).toBe('machine: x86-32, 2 levels, 4096-byte pages');
    expect(out).toContain('process 0: running, 1 resident (0 shared, 1 private), 0 zero-mapped, 2 page tables');
  });

  it('begin restarts the machine in the middle of a session', async () => {
    const { out, err } = await runRepl(['ptr x', 'register x', 'write x 1', 'begin', 'read x', 'ptr y', 'register y', 'read y']);
    expect(err).toEqual(['<repl>:5: read: unknown pointer "x" (declare it with ptr x)']);
    expect(out).toEqual(['y: 0']);
  });
});
