// Page mode end to end, as `vmsim trace` runs it: a lackey file on disk (the /bin/true trace repeated to about
// 16 MB) read as a stream → records → page stream → one policy run, for fifo, lru and clock; and `--jobs 2` against
// one thread on the same set of runs (every policy at 8, 16, 32 and 64 frames) over one parse, rounds in turn on
// warm threads, with the pool's start-up apart (from source each worker also loads tsx, the built binary does
// not), beside a machine check in the same rounds (what two threads give over one on a pure loop right now, the
// ceiling of --jobs 2 on a shared machine). Run: `pnpm bench trace`.

import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { gunzipSync } from 'node:zlib';
import { printTable, type BenchRow } from '@vmsim/dev-util/bench';
import { createPolicy, POLICY_NAMES } from '@vmsim/replacement';
import { readPageTraceAsync } from '@vmsim/trace';
import { TRUE_LACKEY_GZ } from '@vmsim/trace/testing';
import { runInWorkers, TracePool } from './trace-pool.js';
import { runJob, type RunJob } from './trace-runs.js';

/** An integer loop of `n` steps (the machine check: pure CPU, no memory). */
const SPIN = 'function spin(n) { let x = 1; for (let i = 0; i < n; i++) x = (Math.imul(x, 1103515245) + 12345) | 0; return x; }';

/**
 * What two threads give over one on this machine right now: the same loop, whole on one worker, then halved on two.
 * On two idle cores about 2; with the cores shared by other work, less, and --jobs 2 cannot do better than this.
 */
async function machineSpeedUp(rounds: number): Promise<number[]> {
  const code = `const { parentPort } = require('node:worker_threads'); ${SPIN} parentPort.on('message', (n) => parentPort.postMessage(spin(n)));`;
  const workers = [new Worker(code, { eval: true }), new Worker(code, { eval: true })];
  const spinOn = (w: Worker, n: number) => new Promise<void>((resolve) => {
    w.once('message', () => resolve());
    w.postMessage(n);
  });
  try {
    const steps = 100_000_000;
    await Promise.all(workers.map((w) => spinOn(w, 1000)));
    const out: number[] = [];
    for (let r = 0; r < rounds; r++) {
      let t = performance.now();
      await spinOn(workers[0]!, steps);
      const one = performance.now() - t;
      t = performance.now();
      await Promise.all(workers.map((w) => spinOn(w, steps / 2)));
      out.push(one / (performance.now() - t));
    }
    return out;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

export async function run(): Promise<void> {
  const one = gunzipSync(readFileSync(TRUE_LACKEY_GZ));
  const copies = Math.ceil((16 << 20) / one.length);
  const dir = mkdtempSync(join(tmpdir(), 'vmsim-bench-'));
  const file = join(dir, 'trace.lackey');
  writeFileSync(file, Buffer.concat(Array.from({ length: copies }, () => one)));
  try {
    const rows: BenchRow[] = [];
    let records = 0;
    // One untimed pass per policy first, so the row measured first does not also pay for compiling the reader.
    for (const name of ['fifo', 'lru', 'clock'] as const) {
      const trace = await readPageTraceAsync(createReadStream(file, { highWaterMark: 1 << 20 }));
      createPolicy(name, { frames: 32, pageCount: trace.pageCount }).run(trace.pages, trace.writes);
    }
    for (const name of ['fifo', 'lru', 'clock'] as const) {
      const times: number[] = [];
      for (let rep = 0; rep < 7; rep++) {
        const t = performance.now();
        const trace = await readPageTraceAsync(createReadStream(file, { highWaterMark: 1 << 20 }));
        const policy = createPolicy(name, { frames: 32, pageCount: trace.pageCount });
        policy.run(trace.pages, trace.writes);
        times.push(performance.now() - t);
        records = trace.records;
      }
      times.sort((a, b) => a - b);
      const ms = times[3]!; // the median of 7
      rows.push({ name: `lackey file → ${name} (32 frames)`, opsPerSec: (records / ms) * 1000, nsPerOp: (ms * 1e6) / records });
    }
    console.log(`page mode end to end, ${(copies * one.length / 1e6).toFixed(1)} MB lackey file on disk (ops = records)`);
    printTable(rows);

    // As `vmsim trace --jobs N` reads it: into shared memory, which the workers read without a copy.
    const trace = await readPageTraceAsync(createReadStream(file, { highWaterMark: 1 << 20 }), { shared: true });
    const input = { pages: trace.pages, writes: trace.writes, pageCount: trace.pageCount };
    const settings = { seed: 0, bits: undefined, period: undefined, tau: undefined };
    const jobs: { index: number; job: RunJob }[] = [];
    for (const policy of POLICY_NAMES) for (const frames of [8, 16, 32, 64]) jobs.push({ index: jobs.length, job: { policy, frames } });
    const onThread = (): number => {
      const t = performance.now();
      for (const { job } of jobs) runJob(job, input, settings);
      return performance.now() - t;
    };
    /** Per pool round: the jobs' own run times summed (ms) and the round's wall time, to see how busy the threads were. */
    const busy: { work: number; wall: number }[] = [];
    const onPool = async (pool: TracePool): Promise<number> => {
      let work = 0;
      const t = performance.now();
      await pool.run(jobs, settings, (_, result) => {
        work += (result.seconds ?? 0) * 1000;
      });
      const wall = performance.now() - t;
      if (pool.threads === 2) busy.push({ work, wall });
      return wall;
    };
    const cold = performance.now();
    await runInWorkers(jobs, input, settings, 2, () => {});
    const coldMs = performance.now() - cold;
    const solo = await TracePool.start(1, input);
    const two = await TracePool.start(2, input);
    try {
      // One warm-up round each (the JIT of every policy in every thread), then rounds taken in turn, so that a
      // change of machine speed falls on all three alike.
      onThread();
      await onPool(solo);
      await onPool(two);
      const single: number[] = [];
      const pool1: number[] = [];
      const pool2: number[] = [];
      const machine: number[] = [];
      for (let rep = 0; rep < 5; rep++) {
        single.push(onThread());
        pool1.push(await onPool(solo));
        pool2.push(await onPool(two));
        machine.push(...(await machineSpeedUp(1)));
      }
      const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
      const ratios = single.map((s, i) => (s / pool2[i]!).toFixed(2)).join(', ');
      console.log(
        `\n${jobs.length} runs (every policy at 8, 16, 32, 64 frames) over one parse, ${input.pages.length.toLocaleString('en-US')} references:`,
      );
      console.log(`  --jobs 1 (this thread)        median ${median(single).toFixed(0)} ms`);
      console.log(`  a pool of 1 worker thread     median ${median(pool1).toFixed(0)} ms`);
      console.log(`  --jobs 2 (a pool of 2)        median ${median(pool2).toFixed(0)} ms`);
      const best = (xs: number[]): number => Math.min(...xs);
      console.log(
        `  speed-up of --jobs 2 over --jobs 1: ${(median(single) / median(pool2)).toFixed(2)}× (medians; best rounds ` +
          `${(best(single) / best(pool2)).toFixed(2)}×; each round: ${ratios})`,
      );
      console.log(
        `  machine check, in the same rounds: a pure integer loop on two threads ran ${median(machine).toFixed(2)}× one ` +
          `(median; each round: ${machine.map((m) => m.toFixed(2)).join(', ')}) — the most --jobs 2 could give right now`,
      );
      const last = busy.slice(-pool2.length);
      const share = last.map((b) => ((100 * b.work) / (2 * b.wall)).toFixed(0)).join(', ');
      console.log(`  the two workers were busy running policies ${share}% of each --jobs 2 round (the rest: messages, waits)`);
      console.log(`  pool start-up: ${two.startMs.toFixed(0)} ms for 2 workers (from source each also loads tsx); cold --jobs 2 with start-up ${coldMs.toFixed(0)} ms`);
    } finally {
      await solo.close();
      await two.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
