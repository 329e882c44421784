// The trace page's view model in node: the form's frames text, the request checks, the rows (equal to the
// policies' own runs and to the one-pass LRU/OPT curves), the table's cells, and a whole run from gzip bytes.

import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { createPolicy, lruMissCurve, missRatioSpec, optMissCurve, type PolicyName } from '@vmsim/replacement';
import { readPageTrace } from '@vmsim/trace';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runTrace } from './run-trace.js';
import {
  checkRequest,
  computeRows,
  curveTitle,
  isGzip,
  MAX_FRAME_COUNTS,
  parseFrames,
  progressText,
  rowCells,
  TraceSetupError,
  type TraceProgress,
  type TraceRequest,
} from './trace-model.js';

// The sample's expected table, straight from @vmsim/trace and @vmsim/replacement (no code of the page's): it
// must equal the committed sample-expected.json, which the browser test compares with the page's table.

const SAMPLE_POLICIES: readonly PolicyName[] = ['fifo', 'lru', 'opt'];
const SAMPLE_FRAMES: readonly number[] = [2, 4, 8, 16, 32];
const SAMPLE_PAGE_SIZE = 4096;

interface ExpectedRow {
  policy: string;
  frames: number;
  references: number;
  hits: number;
  misses: number;
  writebacks: number;
}

function expectedRows(gz: Uint8Array): ExpectedRow[] {
  const trace = readPageTrace(new Uint8Array(gunzipSync(gz)), { pageSize: SAMPLE_PAGE_SIZE });
  const rows: ExpectedRow[] = [];
  for (const policy of SAMPLE_POLICIES) {
    for (const frames of SAMPLE_FRAMES) {
      const p = createPolicy(policy, { frames, pageCount: trace.pageCount, stream: trace.pages });
      p.run(trace.pages, trace.writes);
      rows.push({ policy, frames, references: p.references, hits: p.hits, misses: p.misses, writebacks: p.writebacks });
    }
  }
  return rows;
}

const sample = new Uint8Array(readFileSync(new URL('./sample.lackey.gz', import.meta.url)));
const expected = JSON.parse(readFileSync(new URL('./sample-expected.json', import.meta.url), 'utf8')) as unknown;
const request: TraceRequest = { policies: SAMPLE_POLICIES, frames: SAMPLE_FRAMES, pageSize: SAMPLE_PAGE_SIZE, format: 'auto', seed: 0 };

describe('parseFrames', () => {
  it('reads lists, ranges and stepped ranges, sorted and distinct', () => {
    expect(parseFrames('8,16,32')).toEqual([8, 16, 32]);
    expect(parseFrames(' 32, 8 ,8')).toEqual([8, 32]);
    expect(parseFrames('1-4')).toEqual([1, 2, 3, 4]);
    expect(parseFrames('8-32/8, 2')).toEqual([2, 8, 16, 24, 32]);
  });

  it('rejects what is not a frame list with a TraceSetupError naming the item', () => {
    for (const bad of ['', ',', 'x', '0', '4-2', '1-8/0', '-3', '1.5', `1-${1 << 21}`]) {
      expect(() => parseFrames(bad), bad).toThrow(TraceSetupError);
    }
    const e = (() => { try { parseFrames('3,x'); } catch (error) { return error as TraceSetupError; } return null; })();
    expect(e?.field).toBe('frames');
    expect(e?.value).toBe('x');
    expect(e?.errno).toBe('EINVAL');
    expect(e?.name).toBe('TraceSetupError');
    expect(() => parseFrames(`1-${MAX_FRAME_COUNTS + 1}`)).toThrow(/at most/);
    expect(parseFrames(`1-${MAX_FRAME_COUNTS}`)).toHaveLength(MAX_FRAME_COUNTS);
  });

  it('gives ascending distinct counts for any list of counts (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 50 }), (counts) => {
        const out = parseFrames(counts.join(','));
        expect(out).toEqual([...new Set(counts)].sort((a, b) => a - b));
      }),
    );
  });
});

describe('checkRequest', () => {
  it('sorts and dedupes the frames and keeps the rest', () => {
    expect(checkRequest({ ...request, frames: [8, 2, 8] })).toEqual({ ...request, policies: [...SAMPLE_POLICIES], frames: [2, 8] });
  });

  it('rejects each bad field', () => {
    const bad: Partial<TraceRequest>[] = [
      { policies: [] },
      { policies: ['lru', 'nope' as never] },
      { policies: ['lru', 'lru'] },
      { frames: [] },
      { frames: [0] },
      { frames: [1.5] },
      { pageSize: 3000 },
      { pageSize: 0 },
      { format: 'csv' as never },
      { seed: -1 },
    ];
    for (const b of bad) expect(() => checkRequest({ ...request, ...b }), JSON.stringify(b)).toThrow(TraceSetupError);
    expect(() => checkRequest(null as never)).toThrow(TraceSetupError);
  });
});

describe('rows of the sample', () => {
  it('the committed expected table is what @vmsim/replacement computes for the sample', () => {
    expect(expectedRows(sample)).toEqual(expected);
  });

  it('a whole run from the gzip bytes (DecompressionStream) gives that table, with progress', async () => {
    const seen: TraceProgress[] = [];
    const outcome = await runTrace(sample, request, (p) => seen.push(p));
    expect(outcome.rows).toEqual(expected);
    expect(outcome.format).toBe('lackey');
    expect(outcome.lines).toBe(40000);
    expect(outcome.references).toBe(40000);
    expect(seen.some((p) => p.phase === 'read')).toBe(true);
    expect(seen.filter((p) => p.phase === 'run').map((p) => p.done)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    expect(seen.at(-1)).toEqual({ phase: 'run', done: 15, total: 15 });
  });

  it('plain bytes give the same table as gzip bytes', async () => {
    const plain = new Uint8Array(gunzipSync(sample));
    expect(isGzip(plain)).toBe(false);
    expect(isGzip(sample)).toBe(true);
    expect((await runTrace(plain, request)).rows).toEqual(expected);
  });

  it('LRU and OPT rows agree with the one-pass stack-distance curves', async () => {
    const t = readPageTrace(new Uint8Array(gunzipSync(sample)));
    const rows = computeRows(t, { ...request, policies: ['lru', 'opt'], frames: [1, 2, 3, 5, 7, 11, 13] });
    const lru = lruMissCurve(t.pages, t.pageCount, 13);
    const opt = optMissCurve(t.pages, t.pageCount, 13);
    for (const r of rows) expect(r.misses).toBe((r.policy === 'lru' ? lru : opt)[r.frames]);
    for (const r of rows) expect(r.hits + r.misses).toBe(r.references);
  });

  it('a trace the reader rejects fails the run with its message', async () => {
    await expect(runTrace(new TextEncoder().encode('not a trace at all\n'), { ...request, format: 'lackey' })).rejects.toThrow();
  });
});

describe('cells, titles, progress', () => {
  it('shows a row as the table does, miss% to two places', () => {
    expect(rowCells({ policy: 'lru', frames: 8, references: 40000, hits: 39945, misses: 55, writebacks: 8 })).toEqual([
      'lru', '8', '40000', '39945', '55', '0.14', '8',
    ]);
    expect(rowCells({ policy: 'fifo', frames: 1, references: 0, hits: 0, misses: 0, writebacks: 0 })[5]).toBe('0.00');
  });

  it('titles the chart as the cli does, and the chart spec carries the rows', () => {
    const title = curveTitle('sample.lackey.gz', 4096);
    expect(title).toBe('sample.lackey.gz: miss ratio by frames (4096-byte pages)');
    const spec = missRatioSpec(expected as never, title);
    expect(spec.data.values).toHaveLength(15);
  });

  it('says how far a run is', () => {
    expect(progressText({ phase: 'read', done: 50, total: 200 })).toBe('reading 25%');
    expect(progressText({ phase: 'read', done: 0, total: 0 })).toBe('reading 100%');
    expect(progressText({ phase: 'run', done: 3, total: 9 })).toBe('running 3 of 9');
  });
});
