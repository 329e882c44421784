import { describe, expect, it } from 'vitest';
import { MAP_ANONYMOUS, MAP_PRIVATE, MAP_SHARED, PROT_EXEC, PROT_READ, PROT_WRITE, VmaList, type Vma } from './vma.js';

const P = 0x1000;
const RW = PROT_READ | PROT_WRITE;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS;

function region(startPage: number, endPage: number, prot = RW, flags = ANON): Vma {
  return { start: startPage * P, end: endPage * P, prot, flags };
}

function list(...vmas: Vma[]): VmaList {
  const l = new VmaList();
  for (const v of vmas) l.insert(v);
  return l;
}

/** Region bounds in pages, for compact expectations. */
function pages(l: VmaList): [number, number][] {
  return l.toArray().map((v) => [v.start / P, v.end / P]);
}

describe('VmaList.find', () => {
  const l = list(region(2, 4), region(10, 11, PROT_READ));

  it('finds the region holding an address, from its first byte to its last', () => {
    expect(l.find(2 * P)).toEqual(region(2, 4));
    expect(l.find(3 * P + 123)).toEqual(region(2, 4));
    expect(l.find(4 * P - 1)).toEqual(region(2, 4));
    expect(l.find(10 * P)).toEqual(region(10, 11, PROT_READ));
  });

  it('finds nothing before, between and after regions, nor at a region end (exclusive)', () => {
    for (const va of [0, 2 * P - 1, 4 * P, 9 * P + 4095, 11 * P, 0xffffffff]) expect(l.find(va)).toBeUndefined();
    expect(new VmaList().find(0)).toBeUndefined();
  });
});

describe('VmaList.overlaps', () => {
  const l = list(region(2, 4), region(8, 9));

  it('is true for any range sharing at least one byte with a region', () => {
    expect(l.overlaps(2 * P, 3 * P)).toBe(true);
    expect(l.overlaps(0, 2 * P + 1)).toBe(true);
    expect(l.overlaps(4 * P - 1, 5 * P)).toBe(true);
    expect(l.overlaps(0, 100 * P)).toBe(true); // covers both
    expect(l.overlaps(5 * P, 8 * P + 1)).toBe(true);
    expect(l.overlaps(3 * P, 3 * P + 1)).toBe(true); // strictly inside
  });

  it('is false for ranges that only touch a region or lie in a gap', () => {
    expect(l.overlaps(0, 2 * P)).toBe(false);
    expect(l.overlaps(4 * P, 8 * P)).toBe(false);
    expect(l.overlaps(9 * P, 20 * P)).toBe(false);
    expect(new VmaList().overlaps(0, 2 ** 32)).toBe(false);
  });
});

describe('VmaList.insert', () => {
  it('keeps regions sorted whatever the insertion order', () => {
    const l = list(region(20, 21), region(0, 1), region(10, 11));
    expect(pages(l)).toEqual([[0, 1], [10, 11], [20, 21]]);
    expect(l.count).toBe(3);
  });

  it('merges with an equal neighbour before, after, or on both sides', () => {
    const l = new VmaList();
    l.insert(region(1, 2));
    expect(l.insert(region(2, 3))).toEqual(region(1, 3)); // after
    expect(pages(l)).toEqual([[1, 3]]);
    expect(l.insert(region(0, 1))).toEqual(region(0, 3)); // before
    l.insert(region(5, 6));
    expect(pages(l)).toEqual([[0, 3], [5, 6]]);
    expect(l.insert(region(3, 5))).toEqual(region(0, 6)); // both
    expect(pages(l)).toEqual([[0, 6]]);
    expect(l.count).toBe(1);
  });

  it('does not merge across a gap', () => {
    const l = list(region(1, 2), region(3, 4));
    expect(pages(l)).toEqual([[1, 2], [3, 4]]);
  });

  it('does not merge neighbours with a different protection or different flags', () => {
    const l = list(region(1, 2, RW), region(2, 3, PROT_READ), region(3, 4, RW, MAP_SHARED | MAP_ANONYMOUS), region(4, 5, RW | PROT_EXEC));
    expect(l.count).toBe(4);
    expect(l.toArray().map((v) => [v.prot, v.flags])).toEqual([
      [RW, ANON], [PROT_READ, ANON], [RW, MAP_SHARED | MAP_ANONYMOUS], [RW | PROT_EXEC, ANON],
    ]);
    // A region equal to its left neighbour only merges on that side.
    expect(l.insert(region(5, 6, RW | PROT_EXEC))).toEqual(region(4, 6, RW | PROT_EXEC));
    expect(l.count).toBe(4);
  });
});

describe('VmaList.remove', () => {
  it('splits a region when a hole is punched in its middle', () => {
    const l = list(region(0, 10, PROT_READ));
    expect(l.remove(3 * P, 5 * P)).toEqual([region(3, 5, PROT_READ)]);
    expect(l.toArray()).toEqual([region(0, 3, PROT_READ), region(5, 10, PROT_READ)]);
  });

  it('trims edges and drops whole regions, across several regions', () => {
    const l = list(region(0, 4), region(6, 8, PROT_READ), region(10, 14));
    const removed = l.remove(2 * P, 12 * P);
    expect(removed).toEqual([region(2, 4), region(6, 8, PROT_READ), region(10, 12)]);
    expect(pages(l)).toEqual([[0, 2], [12, 14]]);
  });

  it('removes nothing (and returns nothing) from a gap or an empty list', () => {
    const l = list(region(0, 2), region(5, 6));
    expect(l.remove(2 * P, 5 * P)).toEqual([]);
    expect(pages(l)).toEqual([[0, 2], [5, 6]]);
    expect(new VmaList().remove(0, P)).toEqual([]);
  });

  it('removing a whole region leaves find() empty there, and a re-insert merges again', () => {
    const l = list(region(0, 3));
    l.remove(P, 2 * P);
    expect(l.find(P)).toBeUndefined();
    expect(l.count).toBe(2);
    l.insert(region(1, 2));
    expect(pages(l)).toEqual([[0, 3]]);
  });
});

describe('VmaList copies', () => {
  it('clone() is independent of the original in both directions', () => {
    const a = list(region(0, 2), region(4, 6));
    const b = a.clone();
    expect(b.toArray()).toEqual(a.toArray());
    b.insert(region(2, 4));
    expect(pages(b)).toEqual([[0, 6]]);
    expect(pages(a)).toEqual([[0, 2], [4, 6]]);
    a.remove(0, 6 * P);
    expect(a.count).toBe(0);
    expect(pages(b)).toEqual([[0, 6]]);
  });

  it('toArray() and iteration give the regions in order, and the array is a copy', () => {
    const l = list(region(8, 9), region(1, 2));
    const arr = l.toArray() as Vma[];
    expect([...l]).toEqual(arr);
    arr.pop();
    arr.push(region(100, 101));
    expect(pages(l)).toEqual([[1, 2], [8, 9]]);
  });
});

describe('VmaList.seq', () => {
  const rw = (start: number, end: number): Vma => ({ start, end, prot: PROT_READ | PROT_WRITE, flags: MAP_PRIVATE | MAP_ANONYMOUS });

  it('moves on with every insert and remove, and stays put for lookups', () => {
    const list = new VmaList();
    const seen = [list.seq];
    list.insert(rw(0x1000, 0x2000));
    seen.push(list.seq);
    list.insert(rw(0x2000, 0x3000)); // merges with its neighbour: still a change
    seen.push(list.seq);
    list.find(0x1800);
    list.overlaps(0, 0x10000);
    list.toArray();
    expect(list.seq).toBe(seen[2]);
    list.remove(0x1000, 0x2000);
    seen.push(list.seq);
    expect(new Set(seen).size).toBe(seen.length);
    expect(list.find(0x1800)).toBeUndefined();
  });

  it('is the list\'s own: a clone changes without moving the original\'s counter', () => {
    const list = new VmaList();
    list.insert(rw(0x1000, 0x2000));
    const before = list.seq;
    const copy = list.clone();
    copy.remove(0x1000, 0x2000);
    expect(list.seq).toBe(before);
    expect(list.find(0x1000)).toBeDefined();
  });
});
