// Benchmarks of the trace readers: the /bin/true lackey trace (repeated to about 8 MB in memory) parsed into
// records, and into the page stream, in 1 MiB chunks. Run: `pnpm bench trace`.

import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { medianOf, printTable, type BenchRow } from '@vmsim/dev-util/bench';
import { PageStream, TraceReader } from './index.js';
import { TRUE_LACKEY_GZ } from './testing/index.js';

export async function run(): Promise<void> {
  const one = gunzipSync(readFileSync(TRUE_LACKEY_GZ));
  const copies = Math.max(1, Math.ceil((8 << 20) / one.length));
  const text = new Uint8Array(one.length * copies);
  for (let i = 0; i < copies; i++) text.set(one, i * one.length);
  const CHUNK = 1 << 20;
  let records = 0;
  const parse = medianOf(() => {
    const t = performance.now();
    const reader = new TraceReader({ format: 'lackey', onBatch: () => {} });
    for (let at = 0; at < text.length; at += CHUNK) reader.push(text.subarray(at, at + CHUNK));
    reader.end();
    records = reader.records;
    return performance.now() - t;
  }, 5, 1);
  const pages = medianOf(() => {
    const t = performance.now();
    const stream = new PageStream();
    const reader = new TraceReader({ onBatch: (b) => stream.add(b) });
    for (let at = 0; at < text.length; at += CHUNK) reader.push(text.subarray(at, at + CHUNK));
    reader.end();
    return performance.now() - t;
  }, 5, 1);
  const rows: BenchRow[] = [
    { name: `lackey → records (${(text.length / 1e6).toFixed(1)} MB)`, opsPerSec: (records / parse) * 1000, nsPerOp: (parse * 1e6) / records },
    { name: 'lackey → page stream (auto-detect, dense ids)', opsPerSec: (records / pages) * 1000, nsPerOp: (pages * 1e6) / records },
  ];
  console.log('trace readers (ops = records)');
  printTable(rows);
}
