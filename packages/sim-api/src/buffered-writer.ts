// A line writer that gathers lines and hands them on in large chunks: one write of many lines costs about
// what one line costs, so a program that prints thousands of lines is not dominated by its output.

import { InvalidArgumentError } from './errors.js';
import type { LineWriter } from './messages.js';

/**
 * Collects lines (each ended by "\n") and passes them to `sink` in chunks of about `chunkSize` characters;
 * `flush()` passes on what is pending. Lines reach the sink whole and in order. The owner flushes before
 * anything else writes to the same place (an error message, a prompt) and at the end.
 */
export class BufferedWriter implements LineWriter {
  /** Pending characters that trigger a flush: 64 Ki, the size of a Linux pipe buffer. */
  static readonly DEFAULT_CHUNK_SIZE = 65536;

  readonly #sink: (chunk: string) => void;
  readonly #chunkSize: number;
  #pending = '';

  constructor(sink: (chunk: string) => void, chunkSize: number = BufferedWriter.DEFAULT_CHUNK_SIZE) {
    if (typeof sink !== 'function') throw new InvalidArgumentError('sink', sink, 'expected a function (chunk: string) => void');
    if (typeof chunkSize !== 'number' || !Number.isSafeInteger(chunkSize) || chunkSize < 1) {
      throw new InvalidArgumentError('chunkSize', chunkSize, 'expected a positive integer');
    }
    this.#sink = sink;
    this.#chunkSize = chunkSize;
  }

  /** Queues one line; passes the pending chunk on once it reaches the chunk size. */
  writeLine(line: string): void {
    this.#pending += `${line}\n`;
    if (this.#pending.length >= this.#chunkSize) this.flush();
  }

  /** Passes every pending line to the sink (nothing when none is pending). */
  flush(): void {
    if (this.#pending === '') return;
    const chunk = this.#pending;
    // Emptied first: a sink that throws loses this chunk once, never writes it twice.
    this.#pending = '';
    this.#sink(chunk);
  }

  /** The number of characters waiting for the next flush. */
  get pendingLength(): number {
    return this.#pending.length;
  }
}
