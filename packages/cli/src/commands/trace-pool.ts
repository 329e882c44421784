// `--jobs N`: a pool of N long-lived worker threads over ONE parse of the trace. The page stream goes to the
// workers once, in shared memory (no copy per worker, none per job); then jobs go out from a queue, the costliest
// first, so a long OPT run neither holds up the rest nor is left to run alone at the end, and two at a time per
// worker, so a worker never waits for the main thread between jobs.

import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { WorkerData, WorkerReply } from './trace-worker.js';
import { jobCost, type PageInput, type RunJob, type RunResult, type RunSettings } from './trace-runs.js';

/**
 * The worker's entry: the built trace-worker.js beside this file, or, when running from source (tests, `pnpm
 * vmsim`), a bootstrap that registers tsx in the worker and imports trace-worker.ts with the @vmsim/source condition.
 */
function workerEntry(): { entry: string | URL; eval: boolean; execArgv: string[] | undefined } {
  if (!import.meta.url.endsWith('.ts')) return { entry: new URL('./trace-worker.js', import.meta.url), eval: false, execArgv: undefined };
  // tsx's ESM entry (the require condition names its .cjs twin, which cannot register from a worker).
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const worker = new URL('./trace-worker.ts', import.meta.url).href;
  const code = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(worker)}); });`;
  return { entry: code, eval: true, execArgv: ['--conditions=@vmsim/source'] };
}

/** `input`'s arrays in shared memory: themselves if they already are, else one copy. */
export function sharedInput(input: PageInput): { pages: Int32Array; writes: Uint8Array } {
  const length = input.pages.length;
  if (input.writes.length !== length) throw new RangeError(`pages (${length}) and writes (${input.writes.length}) differ in length`);
  const isShared = (a: ArrayBufferView) => typeof SharedArrayBuffer !== 'undefined' && a.buffer instanceof SharedArrayBuffer;
  let pages = input.pages;
  if (!isShared(pages)) {
    pages = new Int32Array(new SharedArrayBuffer(Math.max(4, length * 4)), 0, length);
    pages.set(input.pages);
  }
  let writes = input.writes;
  if (!isShared(writes)) {
    writes = new Uint8Array(new SharedArrayBuffer(Math.max(1, length)), 0, length);
    writes.set(input.writes);
  }
  return { pages, writes };
}

/** The order in which jobs go out: the costliest first (longest-processing-time-first), ties in their given order. */
export function dispatchOrder(jobs: readonly { index: number; job: RunJob }[]): number[] {
  const order = jobs.map((_, i) => i);
  const cost = jobs.map((j) => jobCost(j.job));
  return order.sort((a, b) => cost[b]! - cost[a]! || a - b);
}

/** Jobs queued at each worker at a time (see run()). */
const JOBS_AHEAD = 2;

type Pending = {
  readonly jobs: readonly { index: number; job: RunJob }[];
  readonly order: readonly number[];
  readonly settings: RunSettings;
  readonly onResult: (index: number, result: RunResult) => void;
  next: number;
  inFlight: number;
  resolve: () => void;
  reject: (error: Error) => void;
};

/**
 * N worker threads holding one page stream. start() resolves once every worker has loaded and holds the stream;
 * run() can then be called any number of times (one at a time); close() ends the threads.
 */
export class TracePool {
  /** Milliseconds from start() until every worker was ready. */
  startMs = 0;
  private readonly workers: readonly Worker[];
  /** Workers that said they are ready. */
  private readyCount = 0;
  private readonly ready: Promise<void>;
  private pending: Pending | null = null;
  private failure: Error | null = null;
  private closed = false;
  private onReady: () => void = () => {};
  private onStartFailed: (error: Error) => void = () => {};

  private constructor(workers: readonly Worker[]) {
    this.workers = workers;
    this.ready = new Promise<void>((resolve, reject) => {
      this.onReady = resolve;
      this.onStartFailed = reject;
    });
    for (const worker of workers) {
      worker.on('message', (reply: WorkerReply) => this.onReply(worker, reply));
      worker.on('error', (error: Error) => this.fail(error));
      worker.on('exit', (code) => {
        if (!this.closed) this.fail(new Error(`worker thread exited (code ${code}) with the pool still open`));
      });
    }
  }

  /** Starts `threads` workers holding `input` (copied once into shared memory unless it is there already). */
  static async start(threads: number, input: PageInput): Promise<TracePool> {
    if (!Number.isInteger(threads) || threads < 1 || threads > 256) throw new RangeError(`threads: ${String(threads)} is not an integer in 1..256`);
    const began = performance.now();
    const { pages, writes } = sharedInput(input);
    const data: WorkerData = { kind: 'vmsim-trace-worker', pages, writes, pageCount: input.pageCount };
    const { entry, eval: isCode, execArgv } = workerEntry();
    const workers = Array.from(
      { length: threads },
      () => new Worker(entry, { workerData: data, eval: isCode, ...(execArgv === undefined ? {} : { execArgv }) }),
    );
    const pool = new TracePool(workers);
    try {
      await pool.ready;
    } catch (error) {
      await pool.close();
      throw error;
    }
    pool.startMs = performance.now() - began;
    return pool;
  }

  get threads(): number {
    return this.workers.length;
  }

  /** Runs `jobs` over the pool's stream; onResult gets each result as it arrives (in any order). */
  run(
    jobs: readonly { index: number; job: RunJob }[],
    settings: RunSettings,
    onResult: (index: number, result: RunResult) => void,
  ): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the pool is closed'));
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.pending !== null) return Promise.reject(new Error('the pool is already running jobs'));
    if (jobs.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.pending = { jobs, order: dispatchOrder(jobs), settings, onResult, next: 0, inFlight: 0, resolve, reject };
      // Each worker gets JOBS_AHEAD jobs at once: when it finishes one, the next is already in its queue, and it
      // does not wait for this thread to read the result and answer.
      for (let k = 0; k < JOBS_AHEAD; k++) for (const worker of this.workers) this.dispatch(worker);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  /** Sends `worker` the next job, if any is left. */
  private dispatch(worker: Worker): void {
    const p = this.pending;
    if (p === null || p.next === p.order.length) return;
    const at = p.order[p.next++]!;
    p.inFlight++;
    worker.postMessage({ index: p.jobs[at]!.index, job: p.jobs[at]!.job, settings: p.settings });
  }

  private onReply(worker: Worker, reply: WorkerReply): void {
    if (reply.type === 'ready') {
      if (++this.readyCount === this.workers.length) this.onReady();
      return;
    }
    const p = this.pending;
    if (p === null) return;
    p.inFlight--;
    if (reply.type === 'error') {
      // The options were checked before the jobs went out: a failure here is a bug.
      this.fail(new Error(`worker: ${reply.message}`));
      return;
    }
    p.onResult(reply.index, reply.result);
    this.dispatch(worker);
    if (p.inFlight === 0 && p.next === p.order.length) {
      this.pending = null;
      p.resolve();
    }
  }

  private fail(error: Error): void {
    if (this.failure === null) this.failure = error;
    this.onStartFailed(error);
    const p = this.pending;
    this.pending = null;
    p?.reject(error);
  }
}

/** One pool for one set of jobs: starts `threads` workers (at most one per job), runs the jobs, ends the workers. */
export async function runInWorkers(
  jobs: readonly { index: number; job: RunJob }[],
  input: PageInput,
  settings: RunSettings,
  threads: number,
  onResult: (index: number, result: RunResult) => void,
): Promise<void> {
  if (jobs.length === 0) return;
  const pool = await TracePool.start(Math.min(threads, jobs.length), input);
  try {
    await pool.run(jobs, settings, onResult);
  } finally {
    await pool.close();
  }
}
