// Records → page references: page numbers, crossings, writes, kinds, dedupe, dense ids.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PageIdTable, PageStream, parseKinds, readPageTrace, TraceArgumentError } from './index.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('the page stream', () => {
  it('one reference per record; a crossing access gives two; S and M write; ids in first-use order', () => {
    const t = readPageTrace(bytes('I  1000,4\n L 1ffe,4\n S 3000,8\n M 1000,1\n L 5fff,1\n'));
    // pages: 1; 1 and 2 (crossing); 3; 1; 5
    expect(Array.from(t.pageNumbers)).toEqual([1, 2, 3, 5]);
    expect(Array.from(t.pages)).toEqual([0, 0, 1, 2, 0, 3]);
    expect(Array.from(t.writes)).toEqual([0, 0, 0, 1, 1, 0]);
    expect([t.records, t.crossings, t.pageCount]).toEqual([5, 1, 4]);
  });

  it('--kinds filters records; the page size divides addresses', () => {
    const text = bytes('I  1000,4\n L 2000,4\n S 3000,8\n M 4000,1\n');
    const t = readPageTrace(text, { kinds: 'SM', pageSize: 8192 });
    expect(Array.from(t.pageNumbers)).toEqual([1, 2]);
    expect([t.records, t.filtered]).toEqual([2, 2]);
    expect(Array.from(t.writes)).toEqual([1, 1]);
    expect(() => readPageTrace(text, { kinds: 'X' })).toThrow(TraceArgumentError);
    expect(() => readPageTrace(text, { pageSize: 3000 })).toThrow(TraceArgumentError);
    expect(parseKinds('lm')).toBe(0b1010);
  });

  it('dedupe drops repeats of the same page and direction only when asked', () => {
    const text = bytes('I  1000,4\nI  1004,4\n S 1008,4\n S 1010,4\nI  1014,4\n');
    expect(readPageTrace(text).pages).toHaveLength(5);
    const t = readPageTrace(text, { dedupe: true });
    expect(Array.from(t.writes)).toEqual([0, 1, 0]);
  });

  it('readPageTrace gives the stream in shared memory when asked, and checks the option', () => {
    const text = bytes('I  1000,4\n L 1ffe,4\n S 3000,8\n');
    const plain = readPageTrace(text);
    const shared = readPageTrace(text, { shared: true });
    expect(plain.pages.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    expect(shared.pages.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Array.from(shared.pages)).toEqual(Array.from(plain.pages));
    expect(Array.from(shared.writes)).toEqual(Array.from(plain.writes));
    expect(() => readPageTrace(text, { shared: 'yes' as never })).toThrow(TraceArgumentError);
    expect(() => new PageStream().finish({ shared: 1 as never })).toThrow(TraceArgumentError);
  });

  it('the pages format takes the numbers as pages', () => {
    const t = readPageTrace(bytes('7\n0\n7\n123456789012\n'));
    expect(Array.from(t.pageNumbers)).toEqual([7, 0, 123456789012]);
    expect(Array.from(t.pages)).toEqual([0, 1, 0, 2]);
  });

  it('grows past its first buffer', () => {
    const lines: string[] = [];
    for (let i = 0; i < 70000; i++) lines.push(` L ${(i * 8192 + 4094).toString(16)},4`);
    const t = readPageTrace(bytes(lines.join('\n')));
    expect(t.pages.length).toBe(140000);
    expect(t.pageCount).toBe(140000);
    expect(t.crossings).toBe(70000);
    const stream = new PageStream();
    expect(stream.finish().pages.length).toBe(0);
  });
});

describe('the page stream against a plain model (property)', () => {
  it('any records, page size, kinds filter and dedupe, in any batches: the same references, ids and counts', () => {
    const record = fc.record({
      kind: fc.integer({ min: 0, max: 3 }),
      addr: fc.oneof(fc.integer({ min: 0, max: 1 << 16 }), fc.integer({ min: 0, max: 2 ** 44 }), fc.constant(2 ** 52 - 64)),
      size: fc.oneof(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 70 })),
    });
    fc.assert(
      fc.property(
        fc.array(record, { maxLength: 200 }),
        fc.constantFrom(1, 2, 16, 4096),
        fc.constantFrom('ILSM', 'LSM', 'I', 'SM'),
        fc.boolean(),
        fc.integer({ min: 1, max: 50 }),
        (records, pageSize, kinds, dedupe, batchSize) => {
          // The model: the definition, one record at a time, with a Map for the ids.
          const mask = parseKinds(kinds);
          const ids = new Map<number, number>();
          const pages: number[] = [];
          const writes: number[] = [];
          let kept = 0;
          let crossings = 0;
          for (const r of records) {
            if (((mask >> r.kind) & 1) === 0) continue;
            kept++;
            const w = r.kind >= 2 ? 1 : 0;
            const first = Math.floor(r.addr / pageSize);
            const last = r.size <= 1 ? first : Math.floor((r.addr + r.size - 1) / pageSize);
            if (last !== first) crossings++;
            for (let p = first; p <= last; p++) {
              if (!ids.has(p)) ids.set(p, ids.size);
              const id = ids.get(p)!;
              if (dedupe && pages.length > 0 && pages[pages.length - 1] === id && writes[writes.length - 1] === w) continue;
              pages.push(id);
              writes.push(w);
            }
          }
          const stream = new PageStream({ pageSize, kinds, dedupe });
          for (let at = 0; at < records.length; at += batchSize) {
            const part = records.slice(at, at + batchSize);
            stream.add({
              format: 'lackey',
              count: part.length,
              kind: Uint8Array.from(part, (r) => r.kind),
              addr: Float64Array.from(part, (r) => r.addr),
              size: Uint32Array.from(part, (r) => r.size),
            });
          }
          const t = stream.finish();
          expect(Array.from(t.pages)).toEqual(pages);
          expect(Array.from(t.writes)).toEqual(writes);
          expect(Array.from(t.pageNumbers)).toEqual([...ids.keys()]);
          expect([t.records, t.filtered, t.crossings, t.pageCount]).toEqual([kept, records.length - kept, crossings, ids.size]);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('an access over many pages grows the buffers in the middle of a batch', () => {
    const stream = new PageStream({ pageSize: 1 });
    const count = 40000;
    const batch = { format: 'lackey' as const, count, kind: new Uint8Array(count), addr: new Float64Array(count), size: new Uint32Array(count) };
    for (let i = 0; i < count; i++) {
      batch.addr[i] = i * 100;
      batch.size[i] = i === 7 ? 300000 : 1;
    }
    stream.add(batch);
    const t = stream.finish();
    expect(t.pages.length).toBe(count - 1 + 300000);
    expect([t.records, t.crossings]).toEqual([count, 1]);
    // Record 7 covers bytes 700..300699: the pages of records 8.. (800, 900, …) were already numbered within it.
    expect(t.pageCount).toBe(7 + 300000 + (count - 1 - 3006));
    expect(t.pages[7 + 300000]).toBe(t.pages[7 + 100]);
  });
});

describe('the page stream in blocks', () => {
  it('joins its blocks in order, and into shared memory when asked', () => {
    const stream = new PageStream();
    const total = 700001;
    const size = 3001;
    const expected = new Int32Array(total);
    const expectedWrites = new Uint8Array(total);
    let x = 7;
    for (let at = 0; at < total; at += size) {
      const count = Math.min(size, total - at);
      const batch = { format: 'lackey' as const, count, kind: new Uint8Array(count), addr: new Float64Array(count), size: new Uint32Array(count).fill(4) };
      for (let i = 0; i < count; i++) {
        x = (Math.imul(x, 1103515245) + 12345) | 0;
        const page = (x >>> 8) % 1000;
        batch.addr[i] = page * 4096 + 16;
        batch.kind[i] = (x >>> 4) & 3;
        // Ids are given in order of first use: the model's are its own first-use numbering.
        expected[at + i] = page;
        expectedWrites[at + i] = batch.kind[i]! >= 2 ? 1 : 0;
      }
      stream.add(batch);
      expect(stream.length).toBe(at + count);
    }
    const order = new Map<number, number>();
    const ids = Int32Array.from(expected, (p) => {
      if (!order.has(p)) order.set(p, order.size);
      return order.get(p)!;
    });
    /** The first index where two arrays differ, or -1 (toEqual on 700,000 elements is slow). */
    const difference = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
      if (a.length !== b.length) return Math.min(a.length, b.length);
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
      return -1;
    };
    const t = stream.finish();
    expect(t.pages.length).toBe(total);
    expect(difference(t.pages, ids)).toBe(-1);
    expect(difference(t.writes, expectedWrites)).toBe(-1);
    const shared = stream.finish({ shared: true });
    expect(shared.pages.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(shared.writes.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(difference(shared.pages, ids)).toBe(-1);
    expect(difference(shared.writes, expectedWrites)).toBe(-1);
  });
});

describe('PageIdTable', () => {
  it('gives dense ids, keeps them through growth, and maps back', () => {
    const table = new PageIdTable(4);
    const numbers = Array.from({ length: 5000 }, (_, i) => (i % 2 === 0 ? i * 4294967296 + 7 : i * 31));
    const ids = numbers.map((n) => table.id(n));
    expect(ids).toEqual(numbers.map((_, i) => i));
    expect(numbers.map((n) => table.id(n))).toEqual(ids);
    expect(table.size).toBe(5000);
    expect(table.pageNumber(4999)).toBe(numbers[4999]);
    expect(table.pageNumber(5000)).toBe(-1);
  });
});
