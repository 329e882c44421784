// The buffered writer: whole lines, in order, in chunks; flushed on demand; accepted as the simulator's output.

import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BufferedWriter } from './buffered-writer.js';
import { InvalidArgumentError, InvalidOptionError } from './errors.js';
import { Pointer } from './pointer.js';
import { Simulator } from './simulator.js';
import { fencedBlock, runExample } from './testing/readme-example.js';
import { ValueType } from './value-type.js';

describe('BufferedWriter', () => {
  it('holds lines until flush, then writes them in one chunk, each ended by a newline', () => {
    const chunks: string[] = [];
    const out = new BufferedWriter((chunk) => chunks.push(chunk));
    out.writeLine('one');
    out.writeLine('');
    out.writeLine('three');
    expect(chunks).toEqual([]);
    expect(out.pendingLength).toBe(11);
    out.flush();
    expect(chunks).toEqual(['one\n\nthree\n']);
    out.flush();
    expect(chunks).toHaveLength(1);
    expect(out.pendingLength).toBe(0);
  });

  it('passes a chunk on as soon as the pending text reaches the chunk size, lines whole', () => {
    const chunks: string[] = [];
    const out = new BufferedWriter((chunk) => chunks.push(chunk), 8);
    out.writeLine('abc'); // 4 pending
    expect(chunks).toEqual([]);
    out.writeLine('defg'); // 9 pending: flushed
    expect(chunks).toEqual(['abc\ndefg\n']);
    out.writeLine('a very long line');
    expect(chunks).toEqual(['abc\ndefg\n', 'a very long line\n']);
  });

  it('whatever the chunk size and lines, the chunks joined are the lines in order', () => {
    fc.assert(fc.property(fc.array(fc.string({ maxLength: 20 }), { maxLength: 60 }), fc.integer({ min: 1, max: 50 }), (lines, size) => {
      const chunks: string[] = [];
      const out = new BufferedWriter((chunk) => chunks.push(chunk), size);
      for (const line of lines) out.writeLine(line);
      out.flush();
      expect(chunks.join('')).toBe(lines.map((line) => `${line}\n`).join(''));
      for (const chunk of chunks) expect(chunk.endsWith('\n')).toBe(true);
    }));
  });

  it('a sink that throws loses that chunk once; the writer goes on', () => {
    const chunks: string[] = [];
    let fail = true;
    const out = new BufferedWriter((chunk) => {
      if (fail) throw new Error('EPIPE');
      chunks.push(chunk);
    });
    out.writeLine('lost');
    expect(() => out.flush()).toThrow('EPIPE');
    fail = false;
    out.writeLine('kept');
    out.flush();
    expect(chunks).toEqual(['kept\n']);
  });

  it('refuses a sink that is not a function and a chunk size that is not a positive integer', () => {
    expect(() => new BufferedWriter('stdout' as unknown as (chunk: string) => void)).toThrow(InvalidArgumentError);
    for (const size of [0, -1, 1.5, NaN, '64' as unknown as number]) {
      expect(() => new BufferedWriter(() => undefined, size)).toThrow(InvalidArgumentError);
    }
  });
});

describe('the output option and sim.output take a line writer', () => {
  it('messages go to the writer, in order with the lines the program writes itself', () => {
    const chunks: string[] = [];
    const out = new BufferedWriter((chunk) => chunks.push(chunk));
    const sim = Simulator.begin(true, { output: out, frames: 16 });
    const x = Pointer.new(ValueType.Zero);
    sim.register(x);
    sim.register(x);
    out.writeLine('mine');
    sim.switch(3);
    expect(chunks).toEqual([]);
    out.flush();
    expect(chunks).toEqual([
      'Mapping already registered for 0x80000000.\nmine\nCannot switch to process 3: the only live process is 0; nothing changed\n',
    ]);
  });

  it('any object with writeLine works, and sim.output can be switched between a function and a writer', () => {
    const lines: string[] = [];
    const writer = { writeLine: (line: string) => lines.push(`w:${line}`) };
    const sim = Simulator.begin(false, { output: writer, frames: 16 });
    expect(sim.output).toBe(writer);
    sim.switch(1);
    sim.output = (line) => lines.push(`f:${line}`);
    sim.switch(2);
    sim.output = writer;
    sim.switch(3);
    expect(lines.map((line) => line.slice(0, 27))).toEqual(['w:Cannot switch to process ', 'f:Cannot switch to process ', 'w:Cannot switch to process ']);
  });

  it('refuses an object without writeLine, with the offending value', () => {
    for (const output of [{}, { write: () => undefined }, { writeLine: 'no' }, 5, null]) {
      expect(() => Simulator.begin(false, { output: output as never, frames: 16 })).toThrow(InvalidOptionError);
    }
    const sim = Simulator.begin(false, { frames: 16 });
    expect(() => {
      sim.output = { write: () => undefined } as never;
    }).toThrow(InvalidArgumentError);
  });
});

describe('README: Buffered output', () => {
  it('runs the example as written, with process.stdout.write captured, and writes what it shows in one chunk', async () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const code = fencedBlock(readme, '```ts buffered');
    const shown = fencedBlock(readme, '```text buffered');
    const written: string[] = [];
    const fakeProcess = { stdout: { write: (chunk: string) => written.push(chunk) } };
    await runExample(code, { process: fakeProcess });
    expect(written).toEqual([shown]);
  });
});
