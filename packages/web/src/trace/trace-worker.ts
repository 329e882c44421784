// The trace page's worker: takes a file's bytes and a request, posts progress while it reads and runs, then the
// outcome (or the error's message), so the page stays responsive through a long trace.

import { runTrace } from './run-trace.js';
import type { WorkerReply, WorkerRequest } from './worker-protocol.js';

const scope = self as unknown as { onmessage: ((e: MessageEvent<WorkerRequest>) => void) | null; postMessage(reply: WorkerReply): void };

scope.onmessage = (event) => {
  const { bytes, request } = event.data;
  // Progress at most every 50 ms, so the messages do not flood the page.
  let last = 0;
  runTrace(bytes, request, (progress) => {
    const now = performance.now();
    if (now - last < 50 && progress.done !== progress.total) return;
    last = now;
    scope.postMessage({ type: 'progress', progress });
  }).then(
    (outcome) => scope.postMessage({ type: 'done', outcome }),
    (error: unknown) => scope.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) }),
  );
};
