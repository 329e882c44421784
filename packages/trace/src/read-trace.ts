// The whole path in one call: chunks of bytes (sync or async) → TraceReader → PageStream → a PageTrace, with the
// reader's counts (lines, records, ignored and skipped lines) alongside.

import { TraceArgumentError, type TraceFormatError } from './errors.js';
import type { TraceFormat } from './format.js';
import { PageStream, type PageStreamOptions, type PageTrace } from './page-stream.js';
import { TraceReader } from './reader.js';

export interface ReadTraceOptions extends PageStreamOptions {
  readonly format?: TraceFormat | 'auto';
  readonly lenient?: boolean;
  /** The page stream in SharedArrayBuffers, for worker threads to read without a copy (default false). */
  readonly shared?: boolean;
}

export interface ReadTraceResult extends PageTrace {
  readonly format: TraceFormat | null;
  readonly lines: number;
  readonly ignored: number;
  readonly skipped: number;
  readonly errors: readonly TraceFormatError[];
}

function start(options: ReadTraceOptions): { reader: TraceReader; stream: PageStream } {
  if (options.shared !== undefined && typeof options.shared !== 'boolean') throw new TraceArgumentError('shared', options.shared, 'a boolean');
  const stream = new PageStream(options);
  const reader = new TraceReader({
    format: options.format ?? 'auto',
    lenient: options.lenient ?? false,
    onBatch: (batch) => stream.add(batch),
  });
  return { reader, stream };
}

function result(reader: TraceReader, stream: PageStream, shared: boolean): ReadTraceResult {
  return {
    ...stream.finish({ shared }),
    format: reader.format,
    lines: reader.lines,
    ignored: reader.ignored,
    skipped: reader.skipped,
    errors: reader.errors,
  };
}

/** Reads a trace from chunks (a Uint8Array is one chunk). */
export function readPageTrace(chunks: Uint8Array | Iterable<Uint8Array>, options: ReadTraceOptions = {}): ReadTraceResult {
  const { reader, stream } = start(options);
  if (chunks instanceof Uint8Array) reader.push(chunks);
  else if (chunks !== null && typeof chunks === 'object' && Symbol.iterator in chunks) for (const chunk of chunks) reader.push(chunk);
  else throw new TraceArgumentError('chunks', chunks, 'a Uint8Array or an iterable of them');
  reader.end();
  return result(reader, stream, options.shared === true);
}

/** Reads a trace from an async stream of chunks (a Node Readable, a web ReadableStream's iterator). */
export async function readPageTraceAsync(
  chunks: AsyncIterable<Uint8Array>,
  options: ReadTraceOptions = {},
  onProgress?: (bytes: number) => void,
): Promise<ReadTraceResult> {
  if (chunks === null || typeof chunks !== 'object' || !(Symbol.asyncIterator in chunks)) {
    throw new TraceArgumentError('chunks', chunks, 'an async iterable of Uint8Array');
  }
  const { reader, stream } = start(options);
  let bytes = 0;
  for await (const chunk of chunks) {
    reader.push(chunk);
    bytes += chunk.length;
    onProgress?.(bytes);
  }
  reader.end();
  return result(reader, stream, options.shared === true);
}
