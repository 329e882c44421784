// One whole run of the trace page: the file's bytes (gunzipped by the platform's DecompressionStream when they
// open with gzip's magic number) → @vmsim/trace's reader and page stream → every policy at every frame count.
// Runs in the page's worker (trace-worker.ts), or on the main thread where no worker can start.

import { readPageTraceAsync, type TraceFormat } from '@vmsim/trace';
import { computeRows, checkRequest, isGzip, type TraceProgress, type TraceRequest, type TraceRow } from './trace-model.js';

/** What a run found: the trace's counts and the table's rows. */
export interface TraceOutcome {
  readonly format: TraceFormat | null;
  readonly lines: number;
  readonly references: number;
  readonly pageCount: number;
  readonly rows: readonly TraceRow[];
}

/** Bytes per chunk handed to the reader (and between two progress reports). */
const CHUNK = 1 << 18;

async function* chunksOf(bytes: Uint8Array, onBytes: (n: number) => void): AsyncGenerator<Uint8Array> {
  if (isGzip(bytes)) {
    // The compressed bytes fed in chunks, so progress follows the compressed file.
    const input = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < bytes.length; at += CHUNK) controller.enqueue(bytes.subarray(at, at + CHUNK));
        controller.close();
      },
    });
    let fed = 0;
    const counted = input.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          fed += chunk.length;
          onBytes(fed);
          controller.enqueue(chunk);
        },
      }),
    );
    const reader = counted.pipeThrough(new DecompressionStream('gzip') as unknown as ReadableWritablePair<Uint8Array, Uint8Array>).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  }
  for (let at = 0; at < bytes.length; at += CHUNK) {
    yield bytes.subarray(at, at + CHUNK);
    onBytes(Math.min(bytes.length, at + CHUNK));
  }
}

/** Reads the trace in `bytes` and runs `request` over it, reporting progress as it goes. */
export async function runTrace(bytes: Uint8Array, request: TraceRequest, onProgress: (p: TraceProgress) => void = () => {}): Promise<TraceOutcome> {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array');
  const checked = checkRequest(request);
  const total = bytes.length;
  const trace = await readPageTraceAsync(
    chunksOf(bytes, (done) => onProgress({ phase: 'read', done, total })),
    { format: checked.format, pageSize: checked.pageSize },
  );
  const rows = computeRows(trace, checked, (done, all) => onProgress({ phase: 'run', done, total: all }));
  return { format: trace.format, lines: trace.lines, references: trace.pages.length, pageCount: trace.pageCount, rows };
}
