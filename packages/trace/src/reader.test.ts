// The readers: each format's lines, detection, malformed lines (strict and lenient), and chunking that does not
// change what is read.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KIND_I, KIND_L, KIND_M, KIND_S, TraceArgumentError, TraceFormatError, TraceReader, type TraceFormat } from './index.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

interface Rec {
  kind: number;
  addr: number;
  size: number;
}

function read(chunks: readonly Uint8Array[], format: TraceFormat | 'auto' = 'auto', lenient = false, batchSize = 3) {
  const records: Rec[] = [];
  const reader = new TraceReader({
    format,
    lenient,
    batchSize,
    onBatch: (b) => {
      for (let i = 0; i < b.count; i++) records.push({ kind: b.kind[i]!, addr: b.addr[i]!, size: b.size[i]! });
    },
  });
  for (const c of chunks) reader.push(c);
  reader.end();
  return { records, reader };
}

const LACKEY = `==29300== Lackey, an example Valgrind tool
==29300== Command: /bin/true
I  0401ab70,3
 S 1fff000688,8
 L be80199c,4
 M 0025747c,1
I 0400d7d4,8
I  04000000,2,core
--29300-- some note

==29300== total
`;

describe('lackey', () => {
  it('reads I, L, S, M with one or more spaces, skips banner and blank lines, takes 64-bit addresses', () => {
    const { records, reader } = read([bytes(LACKEY)]);
    expect(reader.format).toBe('lackey');
    expect(records).toEqual([
      { kind: KIND_I, addr: 0x0401ab70, size: 3 },
      { kind: KIND_S, addr: 0x1fff000688, size: 8 },
      { kind: KIND_L, addr: 0xbe80199c, size: 4 },
      { kind: KIND_M, addr: 0x0025747c, size: 1 },
      { kind: KIND_I, addr: 0x0400d7d4, size: 8 },
      { kind: KIND_I, addr: 0x04000000, size: 2 },
    ]);
    expect([reader.lines, reader.records, reader.ignored, reader.skipped]).toEqual([11, 6, 5, 0]);
  });

  it('a malformed line is an error with its line number; nothing after it is read', () => {
    const text = 'I  0401ab70,3\n L 12zz,4\n S 10,4\n';
    try {
      read([bytes(text)]);
      expect.unreachable();
    } catch (error) {
      expect(TraceFormatError.isInstance(error)).toBe(true);
      const e = error as TraceFormatError;
      expect(e.line).toBe(2);
      expect(e.text).toBe(' L 12zz,4');
      expect(e.message).toMatch(/^line 2: lackey: expected a comma after the address/);
    }
  });

  it.each([
    [' X 10,4', 'expected I, L, S or M'],
    [' L10,4', 'expected a space after the kind'],
    [' L ,4', 'expected a hex address'],
    [' L 10', 'expected a comma after the address'],
    [' L 10,', 'expected a decimal size'],
    [' L 10,4x', 'unexpected text after the size'],
    [' L 1ffffffffffffffff,4', 'address too large'],
  ])('%j: %s', (line, reason) => {
    expect(() => read([bytes(`I  10,1\n${line}\n`)])).toThrow(reason);
  });

  it('lenient mode skips and counts malformed lines and keeps the first ones', () => {
    const { records, reader } = read([bytes('I  10,1\nhello world\n L 20,4\n S zz\n')], 'auto', true);
    expect(records.map((r) => r.addr)).toEqual([0x10, 0x20]);
    expect(reader.skipped).toBe(2);
    expect(reader.errors.map((e) => e.line)).toEqual([2, 4]);
  });

  it('a line longer than MAX_LINE is malformed, whichever chunks it arrives in', () => {
    const long = 'I  ' + '0'.repeat(5000) + ',1';
    const text = `I  10,1\n${long}\n L 20,4\n`;
    for (const split of [1, 100, 4097, 6000]) {
      const b = bytes(text);
      const { records, reader } = read([b.subarray(0, split), b.subarray(split)], 'auto', true);
      expect(records.map((r) => r.addr)).toEqual([0x10, 0x20]);
      expect(reader.skipped).toBe(1);
      expect(reader.errors[0]!.line).toBe(2);
      expect(reader.lines).toBe(3);
    }
  });
});

describe('din, hex R|W, page numbers', () => {
  it('din: labels 0 read, 1 write, 2 fetch; 3 and 4 are not references', () => {
    const { records, reader } = read([bytes('2 400\n0 0x1000\n1 2000 4\n3 0\n4 0\n')]);
    expect(reader.format).toBe('din');
    expect(records).toEqual([
      { kind: KIND_I, addr: 0x400, size: 1 },
      { kind: KIND_L, addr: 0x1000, size: 1 },
      { kind: KIND_S, addr: 0x2000, size: 1 },
    ]);
    expect(reader.ignored).toBe(2);
    expect(() => read([bytes('0 10\n7 10\n')])).toThrow(/line 2: din: expected a label 0 to 4/);
  });

  it('hex R|W', () => {
    const { records, reader } = read([bytes('0041f7a0 R\n0x13f5e2c0 w\r\n')]);
    expect(reader.format).toBe('hex-rw');
    expect(records).toEqual([
      { kind: KIND_L, addr: 0x0041f7a0, size: 1 },
      { kind: KIND_S, addr: 0x13f5e2c0, size: 1 },
    ]);
    expect(() => read([bytes('10 R\n10 X\n')])).toThrow(/line 2: hex-rw: expected R or W/);
  });

  it('one page number per line', () => {
    const { records, reader } = read([bytes('3\n17\n0\n')]);
    expect(reader.format).toBe('pages');
    expect(records.map((r) => r.addr)).toEqual([3, 17, 0]);
    expect(() => read([bytes('3\n1.5\n')])).toThrow(/line 2: pages: expected one decimal page number/);
  });

  it('a forced format reads its own lines only', () => {
    expect(() => read([bytes('3\n')], 'lackey')).toThrow(TraceFormatError);
    expect(read([bytes('12\n')], 'hex-rw', true).reader.skipped).toBe(1);
  });

  it('an undetectable first line is an error', () => {
    expect(() => read([bytes('==1== banner\nfoo bar baz\n')])).toThrow(/line 2: not a line of any known trace format/);
  });
});

describe('the reader object', () => {
  it('checks its arguments and refuses input after an error or after end()', () => {
    expect(() => new TraceReader({ onBatch: 1 } as never)).toThrow(TraceArgumentError);
    expect(() => new TraceReader({ format: 'csv' as never, onBatch: () => {} })).toThrow(TraceArgumentError);
    const reader = new TraceReader({ onBatch: () => {} });
    expect(() => reader.push('I  10,1\n' as never)).toThrow(TraceArgumentError);
    expect(() => reader.push(bytes('nonsense here\n'))).toThrow(TraceFormatError);
    expect(() => reader.push(bytes('I  10,1\n'))).toThrow(TraceFormatError);
    const done = new TraceReader({ onBatch: () => {} });
    done.end();
    expect(() => done.push(bytes('I  10,1\n'))).toThrow(TraceArgumentError);
  });

  it('the same records whatever the chunk boundaries and batch size (property)', () => {
    const whole = bytes(LACKEY + 'I  7ff0005c8,4\n L 1000,8');
    const expected = read([whole]).records;
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: whole.length }), { maxLength: 12 }),
        fc.integer({ min: 1, max: 9 }),
        (cuts, batch) => {
          const points = [0, ...[...cuts].sort((a, b) => a - b), whole.length];
          const chunks = points.slice(1).map((p, i) => whole.subarray(points[i]!, p));
          expect(read(chunks, 'auto', false, batch).records).toEqual(expected);
        },
      ),
    );
  });
});

describe('the lackey fast path', () => {
  it('reads exactly what the line parser reads, line by line (property)', async () => {
    const { parseLackeyLine, LineResult, LINE_RECORD, LINE_MALFORMED } = await import('./format.js');
    const hex = fc.stringMatching(/^[0-9a-fA-F]{0,16}$/);
    const line = fc.oneof(
      fc.tuple(fc.constantFrom('I  ', ' L ', ' S ', ' M ', 'I ', ' L\t', '  M  ', ' X '), hex, fc.constantFrom(',', ';'), fc.nat({ max: 99999 }), fc.constantFrom('', '\r', ',core', ' ', 'x')).map(
        ([k, a, comma, n, tail]) => `${k}${a}${comma}${n}${tail}`,
      ),
      fc.constantFrom('==1== banner', '--1-- note', '', '   '),
    );
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 40 }), (lines) => {
        const text = bytes(lines.join('\n') + '\n');
        const expected: Rec[] = [];
        let malformed = 0;
        const out = new LineResult();
        for (const l of lines) {
          const b = bytes(l);
          const r = parseLackeyLine(b, 0, b.length, out);
          if (r === LINE_RECORD) expected.push({ kind: out.kind, addr: out.addr, size: out.size });
          if (r === LINE_MALFORMED) malformed++;
        }
        const { records, reader } = read([text], 'lackey', true, 5);
        expect(records).toEqual(expected);
        expect(reader.skipped).toBe(malformed);
        expect(reader.lines).toBe(lines.length);
      }),
      { numRuns: 300 },
    );
  });

  it('valgrind-shaped lines (8 to 14 digits, sizes 0 to 120) in long runs: the same records in any chunks (property)', async () => {
    const { parseLackeyLine, LineResult, LINE_RECORD } = await import('./format.js');
    const line = fc
      .tuple(
        fc.constantFrom('I  ', ' L ', ' S ', ' M ', 'I ', ' L  '),
        fc.stringMatching(/^[0-9a-fA-F]{8,14}$/),
        fc.integer({ min: 0, max: 120 }),
        fc.constantFrom('', '', '', '', '\r', ',core'),
      )
      .map(([k, a, n, tail]) => `${k}${a},${n}${tail}`);
    fc.assert(
      fc.property(
        fc.array(line, { minLength: 1, maxLength: 300 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.integer({ min: 1, max: 64 }),
        (lines, cutSeeds, batch) => {
          const text = bytes(lines.join('\n') + '\n');
          const expected: Rec[] = [];
          const out = new LineResult();
          for (const l of lines) {
            const b = bytes(l);
            if (parseLackeyLine(b, 0, b.length, out) === LINE_RECORD) expected.push({ kind: out.kind, addr: out.addr, size: out.size });
          }
          const points = [0, ...cutSeeds.map((c) => c % (text.length + 1)).sort((a, b) => a - b), text.length];
          const chunks = points.slice(1).map((p, i) => text.subarray(points[i]!, p));
          const { records, reader } = read(chunks, 'lackey', true, batch);
          expect(records).toEqual(expected);
          expect(reader.lines).toBe(lines.length);
          expect(reader.records).toBe(expected.length);
          expect(reader.skipped).toBe(lines.length - expected.length);
        },
      ),
      { numRuns: 200 },
    );
  });
});
