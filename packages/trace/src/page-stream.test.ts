// Records → page references: page numbers, crossings, writes, kinds, dedupe, dense ids.

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
