// The sample's expected table, computed straight from @vmsim/trace and @vmsim/replacement (no code of the
// page's): the node test checks it equals the committed sample-expected.json, the browser test checks the page's
// table equals that file. Node only (zlib), imported by tests alone.

import { gunzipSync } from 'node:zlib';
import { createPolicy, type PolicyName } from '@vmsim/replacement';
import { readPageTrace } from '@vmsim/trace';

export const SAMPLE_POLICIES: readonly PolicyName[] = ['fifo', 'lru', 'opt'];
export const SAMPLE_FRAMES: readonly number[] = [2, 4, 8, 16, 32];
export const SAMPLE_PAGE_SIZE = 4096;

export interface ExpectedRow {
  policy: string;
  frames: number;
  references: number;
  hits: number;
  misses: number;
  writebacks: number;
}

export function expectedRows(gz: Uint8Array): ExpectedRow[] {
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
