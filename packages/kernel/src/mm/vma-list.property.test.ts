// VmaList against a plain page-by-page model: random inserts (with merging), removals and gap searches
// answer as the model does, across chunk splits and removals; and 65,530 regions in and out stay fast.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE, VmaList, type Vma } from './vma.js';

const P = 4096;
const PAGES = 1500;

/** The model: the protection of each page, or -1 when free. */
function modelRegions(pages: Int32Array): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (let i = 0; i < pages.length;) {
    if (pages[i]! < 0) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < pages.length && pages[j] === pages[i]) j++;
    out.push([i, j, pages[i]!]);
    i = j;
  }
  return out;
}

function highestModelGap(pages: Int32Array, length: number, low: number, high: number): number {
  for (let s = high - length; s >= low; s--) {
    let free = true;
    for (let i = s; i < s + length; i++) if (pages[i]! >= 0) free = false;
    if (free) return s;
  }
  return -1;
}

const op = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('insert' as const), at: fc.nat(PAGES - 1), len: fc.integer({ min: 1, max: 8 }), prot: fc.integer({ min: 1, max: 3 }) }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('remove' as const), at: fc.nat(PAGES - 1), len: fc.integer({ min: 1, max: 40 }) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('gap' as const), len: fc.integer({ min: 1, max: 12 }), low: fc.nat(PAGES / 2), high: fc.integer({ min: PAGES / 2, max: PAGES }) }), weight: 1 },
);

describe('VmaList against a page model', () => {
  it('inserts merge, removals split, gap searches find the highest fit, over many chunks', () => {
    let most = 0;
    fc.assert(
      fc.property(fc.array(op, { minLength: 100, maxLength: 400 }), (ops) => {
        const list = new VmaList();
        const pages = new Int32Array(PAGES).fill(-1);
        // A start of 300 one-page regions (alternating protections: none merge) spreads the list over chunks.
        for (let i = 0; i < 300; i++) {
          const prot = 1 + (i % 2);
          list.insert({ start: 4 * i * P, end: (4 * i + 1) * P, prot, flags: MAP_PRIVATE | MAP_ANONYMOUS });
          pages[4 * i] = prot;
        }
        expect(list.count).toBe(300);
        for (const o of ops) {
          if (o.kind === 'insert') {
            const end = Math.min(PAGES, o.at + o.len);
            let free = true;
            for (let i = o.at; i < end; i++) if (pages[i]! >= 0) free = false;
            if (!free) continue;
            list.insert({ start: o.at * P, end: end * P, prot: o.prot, flags: MAP_PRIVATE | MAP_ANONYMOUS });
            pages.fill(o.prot, o.at, end);
          } else if (o.kind === 'remove') {
            const end = Math.min(PAGES, o.at + o.len);
            const removed = list.remove(o.at * P, end * P);
            let covered = 0;
            for (let i = o.at; i < end; i++) if (pages[i]! >= 0) covered++;
            expect(removed.reduce((n, v) => n + (v.end - v.start) / P, 0)).toBe(covered);
            pages.fill(-1, o.at, end);
          } else {
            expect(list.highestGap(o.len * P, o.low * P, o.high * P)).toBe(
              ((g) => (g < 0 ? -1 : g * P))(highestModelGap(pages, o.len, o.low, o.high)),
            );
          }
          const want = modelRegions(pages);
          expect(list.toArray().map((v) => [v.start / P, v.end / P, v.prot])).toEqual(want);
          expect(list.count).toBe(want.length);
          most = Math.max(most, list.count);
        }
        for (let i = 0; i < PAGES; i += 7) {
          const v = list.find(i * P + 5);
          expect(v === undefined ? -1 : v.prot).toBe(pages[i]);
        }
      }),
      { numRuns: 12 },
    );
    // The runs reached lists of several chunks (a chunk splits past 128 regions).
    expect(most).toBeGreaterThan(130);
  }, 60_000);
});

describe('VmaList at the default map-count limit', () => {
  it('65,530 regions inserted, found, searched and removed without quadratic cost', () => {
    const list = new VmaList();
    const n = 65530;
    const t0 = performance.now();
    // Alternating protections so that no two neighbours merge.
    for (let i = 0; i < n; i++) {
      const vma: Vma = { start: (2 * i + 1) * P, end: (2 * i + 2) * P, prot: i % 2 === 0 ? PROT_READ : PROT_READ | PROT_WRITE, flags: MAP_PRIVATE };
      list.insert(vma);
    }
    expect(list.count).toBe(n);
    for (let i = 0; i < n; i += 97) expect(list.find((2 * i + 1) * P)!.start).toBe((2 * i + 1) * P);
    expect(list.highestGap(2 * P, 0, (2 * n + 1) * P)).toBe(-1);
    expect(list.highestGap(P, 0, (2 * n + 1) * P)).toBe(2 * n * P);
    expect(list.highestGap(P, 0, (2 * n - 1) * P)).toBe((2 * n - 2) * P);
    expect(list.highestGap(P, 5 * P, 2 * n * P)).toBe((2 * n - 2) * P);
    for (let i = 0; i < n; i++) list.remove((2 * i + 1) * P, (2 * i + 2) * P);
    expect(list.count).toBe(0);
    // Well under a second on an idle machine (the bench's figures); the bound only catches a quadratic list
    // on a loaded one.
    expect(performance.now() - t0).toBeLessThan(30_000);
  }, 60_000);
});
