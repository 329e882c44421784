// nodeIo on stand-in streams: standard output buffered, flushed before standard error, before each awaited
// line of standard input and at the end of `main`, so the order a reader sees is the order of the writes.

import { PassThrough, Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from './main.js';
import { nodeIo } from './node-io.js';

/** A shared log of what reached each stream, in order. */
function streams(input: readonly string[] = []): { log: string[]; stdin: Readable; stdout: Writable; stderr: Writable } {
  const log: string[] = [];
  const sink = (name: string): Writable => new Writable({
    write(chunk: Buffer, _encoding, done) {
      log.push(`${name}:${chunk.toString()}`);
      done();
    },
  });
  const stdin = Readable.from(input.map((line) => `${line}\n`));
  return { log, stdin, stdout: sink('out'), stderr: sink('err') };
}

describe('nodeIo', () => {
  it('holds standard output back until flush, then writes it as one chunk', () => {
    const s = streams();
    const io = nodeIo(s);
    io.stdout('a');
    io.stdout('b');
    expect(s.log).toEqual([]);
    io.flush!();
    expect(s.log).toEqual(['out:a\nb\n']);
  });

  it('flushes standard output before a line goes to standard error', () => {
    const s = streams();
    const io = nodeIo(s);
    io.stdout('before');
    io.stderr('oops');
    io.stdout('after');
    io.flush!();
    expect(s.log).toEqual(['out:before\n', 'err:oops\n', 'out:after\n']);
  });

  it('main flushes at the end: a whole script arrives in one chunk', async () => {
    const s = streams(['echo one', 'echo two', 'echo three']);
    const code = await main(['run', '-'], nodeIo(s));
    expect(code).toBe(0);
    expect(s.log).toEqual(['out:one\ntwo\nthree\n']);
  });

  it('a script error: the output before it, then the error, in that order', async () => {
    const s = streams(['echo one', 'bogus', 'echo not run']);
    expect(await main(['run', '-'], nodeIo(s))).toBe(2);
    expect(s.log).toEqual(['out:one\n', 'err:<stdin>:2: unknown command "bogus" (try help)\n']);
  });

  it('the REPL flushes before it waits for each line, so each answer comes before the next question', async () => {
    const s = streams(['echo one', 'bogus', 'echo two', 'echo three']);
    expect(await main(['repl'], nodeIo(s))).toBe(0);
    expect(s.log).toEqual(['out:one\n', 'err:<repl>:2: unknown command "bogus" (try help)\n', 'out:two\n', 'out:three\n']);
  });

  it('the REPL on a terminal: the prompt comes after the previous output', async () => {
    const s = streams();
    const stdin = Object.assign(new PassThrough(), { isTTY: true });
    const io = nodeIo({ stdin, stdout: s.stdout, stderr: s.stderr });
    const done = main(['repl'], io);
    stdin.write('echo hi\n');
    stdin.end();
    expect(await done).toBe(0);
    const text = s.log.join('');
    // The banner, a prompt, the echoed input and its answer, then the next prompt: in that order.
    expect(text.indexOf('type help')).toBeLessThan(text.indexOf('vmsim> '));
    expect(text.indexOf('out:hi\n')).toBeGreaterThan(text.indexOf('vmsim> '));
    expect(text.lastIndexOf('vmsim> ')).toBeGreaterThan(text.indexOf('out:hi\n'));
  });
});
