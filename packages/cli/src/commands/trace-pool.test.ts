// The worker pool of `vmsim trace --jobs N`: one shared copy of the stream, results equal to this thread's, the
// pool reusable across runs, the costliest jobs first, and a failing job or a misuse reported, not hung.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POLICY_NAMES } from '@vmsim/replacement';
import { dispatchOrder, runInWorkers, sharedInput, TracePool } from './trace-pool.js';
import { jobCost, runJob, type PageInput, type RunJob, type RunResult, type RunSettings } from './trace-runs.js';

const SETTINGS: RunSettings = { seed: 3, bits: undefined, period: undefined, tau: undefined };

function stream(n: number, pages: number): PageInput {
  const out = new Int32Array(n);
  const writes = new Uint8Array(n);
  let x = 12345;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) | 0;
    out[i] = (x >>> 9) % 8 < 6 ? (x >>> 3) % 7 : (x >>> 3) % pages;
    writes[i] = (x >>> 20) & 1;
  }
  return { pages: out, writes, pageCount: pages };
}

function withoutTime(r: RunResult): Omit<RunResult, 'seconds'> {
  const { seconds: _, ...rest } = r;
  return rest;
}

const input = stream(20000, 40);
const jobs: { index: number; job: RunJob }[] = [];
for (const policy of POLICY_NAMES) for (const frames of [3, 9]) jobs.push({ index: jobs.length, job: { policy, frames } });

describe('TracePool', () => {
  let pool: TracePool;
  beforeAll(async () => {
    pool = await TracePool.start(2, input);
  }, 60000);
  afterAll(async () => {
    await pool.close();
  });

  it('gives every job the result this thread gives, and can run again', async () => {
    expect(pool.threads).toBe(2);
    expect(pool.startMs).toBeGreaterThan(0);
    const expected = jobs.map(({ job }) => withoutTime(runJob(job, input, SETTINGS)));
    for (let round = 0; round < 2; round++) {
      const got: (RunResult | undefined)[] = new Array(jobs.length);
      await pool.run(jobs, SETTINGS, (index, result) => {
        expect(got[index]).toBeUndefined();
        got[index] = result;
      });
      expect(got.map((r) => (r === undefined ? undefined : withoutTime(r)))).toEqual(expected);
    }
  });

  it('takes its settings per run (the seed reaches random)', async () => {
    const random = [{ index: 7, job: { policy: 'random', frames: 5 } as RunJob }];
    for (const seed of [1, 2]) {
      const settings = { ...SETTINGS, seed };
      let got: RunResult | undefined;
      await pool.run(random, settings, (index, result) => {
        expect(index).toBe(7);
        got = result;
      });
      expect(got === undefined ? undefined : withoutTime(got)).toEqual(withoutTime(runJob(random[0]!.job, input, settings)));
    }
  });

  it('refuses a second run while one is going, and an empty run is done at once', async () => {
    const first = pool.run(jobs, SETTINGS, () => {});
    await expect(pool.run(jobs, SETTINGS, () => {})).rejects.toThrow(/already running/);
    await first;
    await expect(pool.run([], SETTINGS, () => {})).resolves.toBeUndefined();
  });
});

describe('the pool on failures', () => {
  it('rejects a run whose job fails in a worker, and then every later run', async () => {
    const pool = await TracePool.start(1, input);
    try {
      const bad = [{ index: 0, job: { policy: 'no-such-policy', frames: 4 } as unknown as RunJob }];
      await expect(pool.run(bad, SETTINGS, () => {})).rejects.toThrow(/^worker: /);
      await expect(pool.run(jobs, SETTINGS, () => {})).rejects.toThrow(/^worker: /);
    } finally {
      await pool.close();
    }
    await expect(pool.run(jobs, SETTINGS, () => {})).rejects.toThrow(/closed/);
  }, 60000);

  it('checks the thread count', async () => {
    await expect(TracePool.start(0, input)).rejects.toThrow(RangeError);
    await expect(TracePool.start(1.5, input)).rejects.toThrow(RangeError);
  });

  it('runInWorkers: one pool for one set of jobs, nothing started for none', async () => {
    const got: number[] = [];
    await runInWorkers(jobs.slice(0, 3), input, SETTINGS, 8, (index) => got.push(index));
    expect(got.sort()).toEqual([0, 1, 2]);
    await runInWorkers([], input, SETTINGS, 2, () => {
      throw new Error('no job, no result');
    });
  }, 60000);
});

describe('sharedInput and dispatchOrder', () => {
  it('copies a plain stream once into shared memory, and keeps one that is shared already', () => {
    const shared = sharedInput(input);
    expect(shared.pages.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(shared.writes.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(shared.pages).toEqual(input.pages);
    expect(shared.writes).toEqual(input.writes);
    const again = sharedInput({ ...shared, pageCount: input.pageCount });
    expect(again.pages).toBe(shared.pages);
    expect(again.writes).toBe(shared.writes);
    expect(() => sharedInput({ pages: new Int32Array(3), writes: new Uint8Array(2), pageCount: 1 })).toThrow(RangeError);
  });

  it('sends the costliest jobs first, ties in their given order', () => {
    const order = dispatchOrder(jobs);
    expect([...order].sort((a, b) => a - b)).toEqual(jobs.map((_, i) => i));
    for (let k = 1; k < order.length; k++) {
      const before = jobCost(jobs[order[k - 1]!]!.job);
      const after = jobCost(jobs[order[k]!]!.job);
      expect(before).toBeGreaterThanOrEqual(after);
      if (before === after) expect(order[k - 1]!).toBeLessThan(order[k]!);
    }
    expect(jobs[order[0]!]!.job.policy).toBe('aging');
    expect(jobs[order[order.length - 1]!]!.job.policy).toBe('fifo');
  });
});
