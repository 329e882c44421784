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

  it('stop at maxFrames and check their arguments', () => {
    expect(lruMissCurve(TEXTBOOK, 8, 2)).toHaveLength(3);
    expect(() => lruMissCurve(Int32Array.of(9), 8)).toThrow(ReplacementArgumentError);
    expect(() => optMissCurve(TEXTBOOK, 8, -1)).toThrow(ReplacementArgumentError);
  });
});
