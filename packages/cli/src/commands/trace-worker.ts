// A worker thread of `vmsim trace --jobs N`: gets the page stream once (shared memory, no copy), then runs the
// jobs the main thread sends one at a time and posts each result back.

import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { runAnyJob } from './trace-machine.js';
import { runJob, type PageInput, type RunJob, type RunSettings } from './trace-runs.js';

export interface WorkerData {
  readonly kind: 'vmsim-trace-worker';
  readonly pages: SharedArrayBuffer;
  readonly writes: SharedArrayBuffer;
  readonly length: number;
  readonly pageCount: number;
  readonly settings: RunSettings;
}

export type WorkerReply =
  | { readonly ok: true; readonly index: number; readonly result: ReturnType<typeof runJob> }
  | { readonly ok: false; readonly index: number; readonly message: string };

const data = workerData as WorkerData | null;
if (!isMainThread && parentPort !== null && data !== null && data.kind === 'vmsim-trace-worker') {
  const port = parentPort;
  const input: PageInput = {
    pages: new Int32Array(data.pages, 0, data.length),
    writes: new Uint8Array(data.writes, 0, data.length),
    pageCount: data.pageCount,
  };
  port.on('message', (message: { index: number; job: RunJob }) => {
    let reply: WorkerReply;
    try {
      reply = { ok: true, index: message.index, result: runAnyJob(message.job, input, data.settings) };
    } catch (error) {
      reply = { ok: false, index: message.index, message: error instanceof Error ? error.message : String(error) };
    }
    port.postMessage(reply);
  });
}
