// The OPT adapter alone, driven the way a kernel's reclaim drives a page policy (by frame numbers, in the order
// victim → removed → loaded on a fault at the limit, touched on later accesses), against OPT over page ids.

import { OptPolicy } from '@vmsim/replacement';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OptPagePolicy } from './trace-replay-opt.js';

/**
 * A little "kernel": frames handed out from a shuffled free list (so pfns and page ids differ), a page table
 * page → pfn, the limit enforced by asking the policy for a victim. Returns the evicted page ids in order.
 */
function drive(pages: Int32Array, pageCount: number, frames: number, touchAfterLoad: boolean): { misses: number; victims: number[] } {
  const total = frames + 7;
  const policy = new OptPagePolicy({ pages, pageCount }, frames, total);
  const pfnOf = new Int32Array(pageCount).fill(-1);
  const pageOf = new Int32Array(total).fill(-1);
  const free: number[] = Array.from({ length: total }, (_, i) => total - 1 - i);
  let resident = 0;
  let misses = 0;
  const victims: number[] = [];
  for (let i = 0; i < pages.length; i++) {
    policy.cursor = i;
    const page = pages[i]!;
    if (pfnOf[page]! >= 0) {
      policy.touched(pfnOf[page]!, false);
      continue;
    }
    misses++;
    if (resident === frames) {
      const v = policy.victim();
      const vp = pageOf[v]!;
      expect(vp).toBeGreaterThanOrEqual(0);
      victims.push(vp);
      policy.removed(v);
      pfnOf[vp] = -1;
      pageOf[v] = -1;
      free.push(v);
      resident--;
    }
    const pfn = free.shift()!;
    pfnOf[page] = pfn;
    pageOf[pfn] = page;
    resident++;
    policy.loaded(pfn, false);
    if (touchAfterLoad) policy.touched(pfn, false);
  }
  expect(policy.opt.references).toBe(pages.length);
  return { misses, victims };
}

describe('OptPagePolicy', () => {
  it('the textbook string: 3 frames, 9 misses; 4 frames, 8 misses', () => {
    const pages = Int32Array.from([7, 0, 1, 2, 0, 3, 0, 4, 2, 3, 0, 3, 2, 1, 2, 0, 1, 7, 0, 1]);
    expect(drive(pages, 8, 3, false).misses).toBe(9);
    expect(drive(pages, 8, 4, true).misses).toBe(8);
  });

  it('evicts exactly what OPT over page ids evicts, whether or not the access after a fault is reported too', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 11 }), { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 1, max: 8 }),
        fc.boolean(),
        (ids, frames, touchAfterLoad) => {
          const pages = Int32Array.from(ids);
          // Page mode's victims, one per eviction, in order.
          const opt = new OptPolicy({ frames, pageCount: 12, stream: pages });
          const expected: number[] = [];
          for (const page of pages) {
            opt.access(page, false);
            if (opt.lastVictim >= 0) expected.push(opt.lastVictim);
          }
          const got = drive(pages, 12, frames, touchAfterLoad);
          expect(got.misses).toBe(opt.misses);
          expect(got.victims).toEqual(expected);
        },
      ),
    );
  });
});
