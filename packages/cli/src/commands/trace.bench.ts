// Page mode end to end, as `vmsim trace` runs it: a lackey file on disk (the /bin/true trace repeated to about
// 16 MB) read as a stream → records → page stream → one policy run, for fifo, lru and clock; and `--jobs 2` against
// one thread on the same set of runs (every policy at 8, 16, 32 and 64 frames; from source each worker also
// starts tsx, which the built binary does not). Run: `pnpm bench trace`.

import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { medianOf, printTable, type BenchRow } from '@vmsim/dev-util/bench';
import { createPolicy, POLICY_NAMES } from '@vmsim/replacement';
import { readPageTraceAsync } from '@vmsim/trace';
import { TRUE_LACKEY_GZ } from '@vmsim/trace/testing';
import { runInWorkers } from './trace-pool.js';
import { runJob, type RunJob } from './trace-runs.js';

export async function run(): Promise<void> {
  const one = gunzipSync(readFileSync(TRUE_LACKEY_GZ));
  const copies = Math.ceil((16 << 20) / one.length);
  const dir = mkdtempSync(join(tmpdir(), 'vmsim-bench-'));
  const file = join(dir, 'trace.lackey');
  writeFileSync(file, Buffer.concat(Array.from({ length: copies }, () => one)));
  try {
    const rows: BenchRow[] = [];
    let records = 0;
    for (const name of ['fifo', 'lru', 'clock'] as const) {
      const times: number[] = [];
      for (let rep = 0; rep < 4; rep++) {
        const t = performance.now();
        const trace = await readPageTraceAsync(createReadStream(file, { highWaterMark: 1 << 20 }));
        const policy = createPolicy(name, { frames: 32, pageCount: trace.pageCount });
        policy.run(trace.pages, trace.writes);
        times.push(performance.now() - t);
        records = trace.records;
      }
      times.sort((a, b) => a - b);
      const ms = times[1]!;
      rows.push({ name: `lackey file → ${name} (32 frames)`, opsPerSec: (records / ms) * 1000, nsPerOp: (ms * 1e6) / records });
    }
    console.log(`page mode end to end, ${(copies * one.length / 1e6).toFixed(1)} MB lackey file on disk (ops = records)`);
    printTable(rows);

    const trace = await readPageTraceAsync(createReadStream(file, { highWaterMark: 1 << 20 }));
    const input = { pages: trace.pages, writes: trace.writes, pageCount: trace.pageCount };
    const settings = { seed: 0, bits: undefined, period: undefined, tau: undefined };
    const jobs: { index: number; job: RunJob }[] = [];
    for (const policy of POLICY_NAMES) for (const frames of [8, 16, 32, 64]) jobs.push({ index: jobs.length, job: { policy, frames } });
    const single = medianOf(() => {
      const t = performance.now();
      for (const { job } of jobs) runJob(job, input, settings);
      return performance.now() - t;
    }, 3, 1);
    const t = performance.now();
    await runInWorkers(jobs, input, settings, 2, () => {});
    const two = performance.now() - t;
    console.log(`\n${jobs.length} runs: one thread ${single.toFixed(0)} ms, --jobs 2 ${two.toFixed(0)} ms (speed-up ${(single / two).toFixed(2)}×, worker start-up included)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
