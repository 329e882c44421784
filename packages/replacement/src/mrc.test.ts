// The one-pass miss-ratio curves equal a sweep of separate runs at every frame count.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lruMissCurve, optMissCurve, ReplacementArgumentError, simulate } from './index.js';

const TEXTBOOK = Int32Array.of(7, 0, 1, 2, 0, 3, 0, 4, 2, 3, 0, 3, 2, 1, 2, 0, 1, 7, 0, 1);

describe('miss-ratio curves', () => {
  it('the textbook string: LRU 12 and 8, OPT 9 and 8 misses with 3 and 4 frames', () => {
    const lru = lruMissCurve(TEXTBOOK, 8);
    const opt = optMissCurve(TEXTBOOK, 8);
    expect([lru[3], lru[4]]).toEqual([12, 8]);
    expect([opt[3], opt[4]]).toEqual([9, 8]);
    expect(lru[0]).toBe(20);
    // 6 distinct pages: from 6 frames on only the compulsory misses remain.
    expect(lru[6]).toBe(6);
    expect(opt[8]).toBe(6);
  });

  it('equal a sweep of runs at every frame count (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 15 }), { maxLength: 300 }), (pages) => {
        const stream = Int32Array.from(pages);
        const lru = lruMissCurve(stream, 16);
        const opt = optMissCurve(stream, 16);
        for (let c = 1; c <= 16; c++) {
          expect(lru[c]).toBe(simulate('lru', stream, null, { frames: c, pageCount: 16 }).misses);
          expect(opt[c]).toBe(simulate('opt', stream, null, { frames: c, pageCount: 16 }).misses);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('LRU stays exact across slot renumbering (streams much longer than the slots)', () => {
    for (const pages of [3, 16, 300]) {
      const stream = new Int32Array(20000);
      let x = pages;
      for (let i = 0; i < stream.length; i++) {
        x = (Math.imul(x, 1103515245) + 12345) | 0;
        stream[i] = ((x >>> 10) % 7 === 0 ? (x >>> 3) % pages : (x >>> 3) % Math.min(pages, 5));
      }
      const lru = lruMissCurve(stream, pages);
      for (const c of [1, 2, 3, 4, 5, 8, 17, 299]) {
        if (c > pages) continue;
        expect(lru[c], `${pages} pages, ${c} frames`).toBe(simulate('lru', stream, null, { frames: c, pageCount: pages }).misses);
      }
    }
  });

  it('LRU equals a plain move-to-front stack at every frame count: near and far reuses, repeats, many renumberings (property)', () => {
    /** Misses by frame count from a move-to-front list: the distance is the page's position, found by search. */
    const plain = (stream: Int32Array, maxFrames: number): number[] => {
      const stack: number[] = [];
      const histogram = new Array<number>(maxFrames + 2).fill(0);
      for (const p of stream) {
        const at = stack.indexOf(p);
        if (at >= 0) {
          if (at + 1 <= maxFrames) histogram[at + 1]!++;
          stack.splice(at, 1);
        }
        stack.unshift(p);
      }
      const misses = [stream.length];
      for (let c = 1; c <= maxFrames; c++) misses.push(misses[c - 1]! - histogram[c]!);
      return misses;
    };
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 700 }),
        fc.integer({ min: 1, max: 48 }),
        fc.integer({ min: 0, max: 0x7fffffff }),
        fc.integer({ min: 0, max: 6 }),
        (pages, hot, seed, repeatBits) => {
          // Hot pages reused soon (the bitmap path), the rest of `pages` reused far apart (the tree path), and runs
          // of the same page (the distance-1 path); long enough to renumber the slots several times.
          const stream = new Int32Array(12000);
          let x = seed | 1;
          let last = 0;
          for (let i = 0; i < stream.length; i++) {
            x = (Math.imul(x, 1103515245) + 12345) | 0;
            const r = x >>> 8;
            if ((r & 7) < (repeatBits & 7) && i > 0) stream[i] = last;
            else stream[i] = last = (r >>> 3) % 4 === 0 ? (r >>> 5) % pages : (r >>> 5) % Math.min(hot, pages);
          }
          const maxFrames = pages + 2;
          expect(Array.from(lruMissCurve(stream, pages, maxFrames))).toEqual(plain(stream, maxFrames));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('LRU beyond the pages touched: only the compulsory misses, up to any maxFrames', () => {
    const lru = lruMissCurve(TEXTBOOK, 8, 40);
    expect(lru).toHaveLength(41);
    for (let c = 6; c <= 40; c++) expect(lru[c]).toBe(6);
    expect(optMissCurve(TEXTBOOK, 8, 40)[40]).toBe(6);
  });

  it('stop at maxFrames and check their arguments', () => {
    expect(lruMissCurve(TEXTBOOK, 8, 2)).toHaveLength(3);
    expect(() => lruMissCurve(Int32Array.of(9), 8)).toThrow(ReplacementArgumentError);
    expect(() => optMissCurve(TEXTBOOK, 8, -1)).toThrow(ReplacementArgumentError);
  });
});
