// A worker thread of `vmsim trace --jobs N` (see trace-pool.ts): gets the page stream once, in shared memory (no
// copy), says it is ready, then runs the jobs the pool sends one at a time and posts each result back.

import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { runAnyJob } from './trace-machine.js';
import type { PageInput, RunJob, RunResult, RunSettings } from './trace-runs.js';

export interface WorkerData {
  readonly kind: 'vmsim-trace-worker';
  /** Views of SharedArrayBuffers: every worker reads the same memory. */
  readonly pages: Int32Array;
  readonly writes: Uint8Array;
  readonly pageCount: number;
}

export interface WorkerJob {
  readonly index: number;
  readonly job: RunJob;
  readonly settings: RunSettings;
}

export type WorkerReply =
  | { readonly type: 'ready' }
  | { readonly type: 'result'; readonly index: number; readonly result: RunResult }
  | { readonly type: 'error'; readonly index: number; readonly message: string };

const data = workerData as WorkerData | null;
if (!isMainThread && parentPort !== null && data !== null && data.kind === 'vmsim-trace-worker') {
  const port = parentPort;
  const input: PageInput = { pages: data.pages, writes: data.writes, pageCount: data.pageCount };
  port.on('message', (message: WorkerJob) => {
    let reply: WorkerReply;
    try {
      reply = { type: 'result', index: message.index, result: runAnyJob(message.job, input, message.settings) };
    } catch (error) {
      reply = { type: 'error', index: message.index, message: error instanceof Error ? error.message : String(error) };
    }
    port.postMessage(reply);
  });
  port.postMessage({ type: 'ready' } satisfies WorkerReply);
}
