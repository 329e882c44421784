// A streaming trace reader: bytes arrive in Uint8Array chunks of any size (a file, a gunzip stream, a fetch body);
// complete lines are parsed in place, a line split across chunks is carried over, and records leave in batches of
// typed arrays. The format is given or detected from the first record line. A malformed line throws a
// TraceFormatError with its line number, or in lenient mode is skipped and counted; nothing is silently misread.

import { TraceArgumentError, TraceFormatError } from './errors.js';
import {
  detectFormat,
  LINE_IGNORED,
  LINE_MALFORMED,
  LINE_PARSERS,
  LINE_RECORD,
  LineResult,
  TRACE_FORMATS,
  type TraceFormat,
} from './format.js';

const NEWLINE = 0x0a;
/** A line longer than this is malformed (it cannot be a trace record). */
export const MAX_LINE = 4096;

/** Records of one batch: entries [0, count) are valid; the arrays are reused for the next batch. */
export interface TraceBatch {
  readonly format: TraceFormat;
  readonly count: number;
  /** KIND_I, KIND_L, KIND_S or KIND_M. */
  readonly kind: Uint8Array;
  /** Byte address (for the pages format: the page number). */
  readonly addr: Float64Array;
  /** Access size in bytes. */
  readonly size: Uint32Array;
}

export interface TraceReaderOptions {
  /** The format, or 'auto' (default) to detect it from the first record line. */
  readonly format?: TraceFormat | 'auto';
  /** Skip and count malformed lines instead of throwing (default false). */
  readonly lenient?: boolean;
  /** Records per batch (default 65536). */
  readonly batchSize?: number;
  /** Receives every full batch, and the last one at end(). */
  readonly onBatch: (batch: TraceBatch) => void;
}

/** How many malformed lines a lenient reader keeps as examples. */
export const KEPT_ERRORS = 10;

export class TraceReader {
  /** The format, once known. */
  format: TraceFormat | null;
  readonly lenient: boolean;
  /** Lines seen so far (complete ones). */
  lines = 0;
  /** Records produced. */
  records = 0;
  /** Blank lines, valgrind banner lines and Dinero escape/flush records. */
  ignored = 0;
  /** Malformed lines skipped (lenient mode). */
  skipped = 0;
  /** The first KEPT_ERRORS malformed lines skipped (lenient mode). */
  readonly errors: TraceFormatError[] = [];
  private readonly onBatch: (batch: TraceBatch) => void;
  private readonly kind: Uint8Array;
  private readonly addr: Float64Array;
  private readonly size: Uint32Array;
  private count = 0;
  private carry = new Uint8Array(256);
  private carryLength = 0;
  private readonly line = new LineResult();
  private overlong = false;
  private failure: TraceFormatError | null = null;
  private ended = false;

  constructor(options: TraceReaderOptions) {
    if (typeof options !== 'object' || options === null) throw new TraceArgumentError('options', options, 'an object');
    const format = options.format ?? 'auto';
    if (format !== 'auto' && !(TRACE_FORMATS as readonly string[]).includes(format)) {
      throw new TraceArgumentError('format', format, `auto or one of ${TRACE_FORMATS.join(', ')}`);
    }
    if (typeof options.onBatch !== 'function') throw new TraceArgumentError('onBatch', options.onBatch, 'a function');
    const batchSize = options.batchSize ?? 65536;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 1 << 24) {
      throw new TraceArgumentError('batchSize', batchSize, 'an integer in [1, 16777216]');
    }
    this.format = format === 'auto' ? null : format;
    this.lenient = options.lenient ?? false;
    this.onBatch = options.onBatch;
    this.kind = new Uint8Array(batchSize);
    this.addr = new Float64Array(batchSize);
    this.size = new Uint32Array(batchSize);
  }

  /** Parses a chunk; a partial last line waits for the next chunk or end(). */
  push(chunk: Uint8Array): void {
    this.checkUsable();
    if (!(chunk instanceof Uint8Array)) throw new TraceArgumentError('chunk', chunk, 'a Uint8Array');
    let start = 0;
    if (this.carryLength > 0) {
      const nl = chunk.indexOf(NEWLINE);
      if (nl < 0) {
        this.append(chunk, 0, chunk.length);
        return;
      }
      this.append(chunk, 0, nl);
      start = nl + 1;
      this.finishCarry();
    }
    const last = chunk.lastIndexOf(NEWLINE);
    if (last >= start) {
      this.parseLines(chunk, start, last);
      start = last + 1;
    }
    if (start < chunk.length) this.append(chunk, start, chunk.length);
  }

  /** Parses the last line (if it has no '\n') and delivers the last batch. */
  end(): void {
    this.checkUsable();
    if (this.carryLength > 0 || this.overlong) this.finishCarry();
    this.flush();
    this.ended = true;
  }

  private checkUsable(): void {
    if (this.failure !== null) throw this.failure;
    if (this.ended) throw new TraceArgumentError('reader', 'ended', 'a reader before end()');
  }

  private append(chunk: Uint8Array, from: number, to: number): void {
    if (this.overlong) return;
    const n = to - from;
    if (this.carryLength + n > MAX_LINE) {
      // The line is malformed whatever follows: keep its start for the message, drop the rest up to its '\n'.
      this.overlong = true;
      to = from + Math.max(0, Math.min(n, 80 - this.carryLength));
    }
    const need = this.carryLength + (to - from);
    if (need > this.carry.length) {
      const bigger = new Uint8Array(Math.max(this.carry.length * 2, need));
      bigger.set(this.carry.subarray(0, this.carryLength));
      this.carry = bigger;
    }
    this.carry.set(chunk.subarray(from, to), this.carryLength);
    this.carryLength = need;
  }

  /** Parses the carried line, now complete. */
  private finishCarry(): void {
    const length = this.carryLength;
    this.carryLength = 0;
    if (this.overlong) {
      this.overlong = false;
      this.lines++;
      this.malformed(this.carry, 0, length, `line longer than ${MAX_LINE} bytes`);
      return;
    }
    this.parseLine(this.carry, 0, length);
  }

  /** The format is lackey (read through a call: parseLine may just have set it). */
  private lackeyKnown(): boolean {
    return this.format === 'lackey';
  }

  /** Parses the complete lines of buf[start, last] (buf[last] is the last '\n'). */
  private parseLines(buf: Uint8Array, start: number, last: number): void {
    if (this.format === 'lackey') {
      this.lackeyLines(buf, start, last);
      return;
    }
    let s = start;
    while (s <= last) {
      let nl = s;
      while (buf[nl] !== NEWLINE) nl++;
      this.parseLine(buf, s, nl);
      s = nl + 1;
      // The first record line has just told the format: the rest of the chunk takes the fast path.
      if (this.lackeyKnown() && s <= last) {
        this.lackeyLines(buf, s, last);
        return;
      }
    }
  }

  /**
   * The lackey fast path: the common line shapes (`I  hex,size`, ` L hex,size`, no suffix, '\n' right after the
   * size) parsed in one loop straight into the batch; any other line (banner, suffix, '\r', error) goes to
   * parseLine, which knows every case.
   */
  private lackeyLines(buf: Uint8Array, start: number, last: number): void {
    const kinds = this.kind;
    const addrs = this.addr;
    const sizes = this.size;
    const capacity = kinds.length;
    let i = start;
    while (i <= last) {
      const lineStart = i;
      let c = buf[i]!;
      while (c === 0x20) c = buf[++i]!;
      const kind = c === 0x49 ? 0 : c === 0x4c ? 1 : c === 0x53 ? 2 : c === 0x4d ? 3 : -1;
      if (kind >= 0 && buf[i + 1] === 0x20) {
        i += 2;
        c = buf[i]!;
        while (c === 0x20) c = buf[++i]!;
        let addr = 0;
        const hexStart = i;
        for (;;) {
          let d = c - 0x30;
          if (d > 9) {
            d = (c | 0x20) - 0x57;
            if (d < 10 || d > 15) break;
          } else if (d < 0) {
            break;
          }
          addr = addr * 16 + d;
          c = buf[++i]!;
        }
        const hexDigits = i - hexStart;
        if (c === 0x2c && hexDigits > 0 && hexDigits <= 13) {
          c = buf[++i]!;
          let size = 0;
          const sizeStart = i;
          while (c >= 0x30 && c <= 0x39) {
            size = size * 10 + (c - 0x30);
            c = buf[++i]!;
          }
          const sizeDigits = i - sizeStart;
          if (c === NEWLINE && sizeDigits > 0 && sizeDigits <= 9 && i - lineStart <= MAX_LINE) {
            this.lines++;
            const n = this.count;
            kinds[n] = kind;
            addrs[n] = addr;
            sizes[n] = size;
            this.records++;
            if ((this.count = n + 1) === capacity) this.flush();
            i++;
            continue;
          }
        }
      }
      let nl = i;
      while (buf[nl] !== NEWLINE) nl++;
      this.parseLine(buf, lineStart, nl);
      i = nl + 1;
    }
  }

  private parseLine(buf: Uint8Array, s: number, e: number): void {
    this.lines++;
    if (e - s > MAX_LINE) {
      this.malformed(buf, s, e, `line longer than ${MAX_LINE} bytes`);
      return;
    }
    let format = this.format;
    const out = this.line;
    if (format === null) {
      format = detectFormat(buf, s, e);
      if (format === null) {
        // Blank and banner lines before the first record say nothing about the format.
        if (LINE_PARSERS.lackey(buf, s, e, out) === LINE_IGNORED) {
          this.ignored++;
          return;
        }
        this.malformed(buf, s, e, `not a line of any known trace format (${TRACE_FORMATS.join(', ')})`);
        return;
      }
      this.format = format;
    }
    const r = LINE_PARSERS[format](buf, s, e, out);
    if (r === LINE_RECORD) {
      const i = this.count;
      this.kind[i] = out.kind;
      this.addr[i] = out.addr;
      this.size[i] = out.size;
      this.records++;
      if (++this.count === this.kind.length) this.flush();
    } else if (r === LINE_IGNORED) {
      this.ignored++;
    } else if (r === LINE_MALFORMED) {
      this.malformed(buf, s, e, `${format}: ${out.reason}`);
    }
  }

  private malformed(buf: Uint8Array, s: number, e: number, reason: string): void {
    let text = '';
    const end = Math.min(e, s + 80);
    for (let i = s; i < end; i++) text += String.fromCharCode(buf[i]!);
    const error = new TraceFormatError(this.lines, reason, text.replace(/\r$/, ''));
    if (!this.lenient) {
      this.failure = error;
      throw error;
    }
    this.skipped++;
    if (this.errors.length < KEPT_ERRORS) this.errors.push(error);
  }

  private flush(): void {
    if (this.count === 0 || this.format === null) return;
    const count = this.count;
    this.count = 0;
    this.onBatch({ format: this.format, count, kind: this.kind, addr: this.addr, size: this.size });
  }
}
