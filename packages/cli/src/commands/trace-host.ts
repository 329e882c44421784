// What `vmsim trace` needs of the machine beyond the CLI's Io: a trace's bytes as a stream (a file or standard
// input, gunzipped on the fly when it starts with gzip's magic bytes), its size for the progress bar, a progress
// line on standard error, and writing the plot file. Tests pass their own.

import { createReadStream, statSync, writeFileSync } from 'node:fs';
import { createGunzip } from 'node:zlib';

export interface TraceHost {
  /** The bytes of `path` ('-' is standard input), gunzipped if they are gzip. */
  open(path: string): AsyncIterable<Uint8Array>;
  /** The size in bytes of `path` on disk, or undefined (standard input, a pipe). */
  size(path: string): number | undefined;
  /** Standard error is a terminal (progress bars go there only then). */
  readonly stderrIsTTY: boolean;
  /** Rewrites the progress line on standard error ('' clears it). */
  progress(text: string): void;
  writeFile(path: string, text: string): void;
}

/** Chunks of `source`, gunzipped when the first two bytes are 1f 8b. */
export async function* maybeGunzip(source: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  const it = source[Symbol.asyncIterator]();
  let first = await it.next();
  while (first.done !== true && first.value.length < 2) {
    // Too short to tell: join with the next chunk.
    const next = await it.next();
    if (next.done === true) break;
    const joined = new Uint8Array(first.value.length + next.value.length);
    joined.set(first.value);
    joined.set(next.value, first.value.length);
    first = { done: false, value: joined };
  }
  if (first.done === true) return;
  const head = first.value;
  if (head[0] !== 0x1f || head[1] !== 0x8b) {
    yield head;
    for (let r = await it.next(); r.done !== true; r = await it.next()) yield r.value;
    return;
  }
  const gunzip = createGunzip({ chunkSize: 1 << 20 });
  const feed = (async () => {
    try {
      gunzip.write(head);
      for (let r = await it.next(); r.done !== true; r = await it.next()) {
        if (!gunzip.write(r.value)) await new Promise((resolve) => gunzip.once('drain', resolve));
      }
      gunzip.end();
    } catch (error) {
      gunzip.destroy(error as Error);
    }
  })();
  for await (const chunk of gunzip) yield chunk as Uint8Array;
  await feed;
}

export function nodeTraceHost(): TraceHost {
  return {
    open(path) {
      const source = path === '-' ? process.stdin : createReadStream(path, { highWaterMark: 1 << 20 });
      return maybeGunzip(source as AsyncIterable<Uint8Array>);
    },
    size(path) {
      if (path === '-') return undefined;
      try {
        const stat = statSync(path);
        return stat.isFile() ? stat.size : undefined;
      } catch {
        return undefined;
      }
    },
    stderrIsTTY: process.stderr.isTTY === true,
    progress(text) {
      process.stderr.write(text === '' ? '\r\x1b[K' : `\r\x1b[K${text}`);
    },
    writeFile(path, text) {
      writeFileSync(path, text);
    },
  };
}
