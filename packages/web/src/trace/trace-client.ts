// Starts a trace run in a Web Worker (inlined into the bundle, so the built single file works offline), and
// falls back to the main thread where workers cannot start. Cancelling terminates the worker.

import { runTrace, type TraceOutcome } from './run-trace.js';
import type { TraceProgress, TraceRequest } from './trace-model.js';
import TraceWorker from './trace-worker.ts?worker&inline';
import type { WorkerReply, WorkerRequest } from './worker-protocol.js';

export interface TraceRun {
  readonly outcome: Promise<TraceOutcome>;
  /** True when the run went to a worker. */
  readonly inWorker: boolean;
  cancel(): void;
}

export function startTraceRun(bytes: Uint8Array, request: TraceRequest, onProgress: (p: TraceProgress) => void): TraceRun {
  let worker: Worker;
  try {
    worker = new TraceWorker();
  } catch {
    return { outcome: runTrace(bytes, request, onProgress), inWorker: false, cancel: () => {} };
  }
  let reject: (e: Error) => void = () => {};
  const outcome = new Promise<TraceOutcome>((resolve, fail) => {
    reject = fail;
    worker.onmessage = (event: MessageEvent<WorkerReply>) => {
      const reply = event.data;
      if (reply.type === 'progress') onProgress(reply.progress);
      else {
        worker.terminate();
        if (reply.type === 'done') resolve(reply.outcome);
        else fail(new Error(reply.message));
      }
    };
    worker.onerror = (event) => {
      worker.terminate();
      fail(new Error(event.message || 'the trace worker failed'));
    };
  });
  // A copy: the caller keeps its bytes to run again.
  const copy = bytes.slice();
  const message: WorkerRequest = { bytes: copy, request };
  worker.postMessage(message, [copy.buffer]);
  return {
    outcome,
    inWorker: true,
    cancel: () => {
      worker.terminate();
      reject(new Error('cancelled'));
    },
  };
}
