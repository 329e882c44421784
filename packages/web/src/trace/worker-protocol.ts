// The messages between the trace page and its worker.

import type { TraceOutcome } from './run-trace.js';
import type { TraceProgress, TraceRequest } from './trace-model.js';

export interface WorkerRequest {
  readonly bytes: Uint8Array;
  readonly request: TraceRequest;
}

export type WorkerReply =
  | { readonly type: 'progress'; readonly progress: TraceProgress }
  | { readonly type: 'done'; readonly outcome: TraceOutcome }
  | { readonly type: 'error'; readonly message: string };
