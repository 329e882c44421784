// A streaming trace reader: bytes arrive in Uint8Array chunks of any size (a file, a gunzip stream, a fetch body);
// complete lines are parsed in place, a line split across chunks is carried over, and records leave in batches of
// typed arrays. The format is given or detected from the first record line. A malformed line throws a
// TraceFormatError with its line number, or in lenient mode is skipped and counted; nothing is silently misread.

import { TraceArgumentError, TraceFormatError } from './errors.js';
import {
  detectFormat,
  KIND_I,
  KIND_L,
  KIND_M,
  KIND_S,
  LINE_IGNORED,
  LINE_MALFORMED,
  LINE_PARSERS,
  LINE_RECORD,
  LineResult,
  TRACE_FORMATS,
  type TraceFormat,
} from './format.js';

const NEWLINE = 0x0a;

/** Byte → its hex digit's value, or -1. */
const HEX_VALUE = new Int8Array(256).fill(-1);
for (let c = 0; c < 10; c++) HEX_VALUE[0x30 + c] = c;
for (let c = 0; c < 6; c++) HEX_VALUE[0x41 + c] = HEX_VALUE[0x61 + c] = 10 + c;
/** Byte → the lackey record kind its letter names (I, L, S, M), or -1. */
const LACKEY_KIND = new Int8Array(256).fill(-1);
LACKEY_KIND[0x49] = KIND_I;
LACKEY_KIND[0x4c] = KIND_L;
LACKEY_KIND[0x53] = KIND_S;
LACKEY_KIND[0x4d] = KIND_M;
/** The first two bytes of a lackey line as valgrind writes it (`I ` or ` L`, ` S`, ` M`) → its kind, or -1. */
const LACKEY_KIND_PAIR = new Int8Array(65536).fill(-1);
LACKEY_KIND_PAIR[0x4920] = KIND_I;
LACKEY_KIND_PAIR[0x204c] = KIND_L;
LACKEY_KIND_PAIR[0x2053] = KIND_S;
LACKEY_KIND_PAIR[0x204d] = KIND_M;
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
   * The lackey fast path, for the line shapes valgrind writes (`I  hex,size` and ` L hex,size`, the address with
   * at least eight digits, no suffix, '\n' right after the size): the kind from the first two bytes by one table
   * lookup, the first eight hex digits read at fixed offsets and checked together, so the common line costs few
   * branches. Lines near the end of the chunk, with fewer digits or extra spaces take a byte loop; any other line
   * (banner, suffix, '\r', an error) goes to parseLine, which knows every case. Counts stay in locals and are
   * written back before parseLine or a batch flush.
   */
  private lackeyLines(buf: Uint8Array, start: number, last: number): void {
    const kinds = this.kind;
    const addrs = this.addr;
    const sizes = this.size;
    const capacity = kinds.length;
    const hex = HEX_VALUE;
    let n = this.count;
    let records = 0;
    // A fixed-offset line reads at most 33 bytes from its start: stay that far from the chunk's last '\n'.
    const fixedEnd = last - 33;
    let i = start;
    while (i <= last) {
      if (i <= fixedEnd) {
        const kind = LACKEY_KIND_PAIR[(buf[i]! << 8) | buf[i + 1]!]!;
        if (kind >= 0 && buf[i + 2] === 0x20) {
          const d0 = hex[buf[i + 3]!]!;
          const d1 = hex[buf[i + 4]!]!;
          const d2 = hex[buf[i + 5]!]!;
          const d3 = hex[buf[i + 6]!]!;
          const d4 = hex[buf[i + 7]!]!;
          const d5 = hex[buf[i + 8]!]!;
          const d6 = hex[buf[i + 9]!]!;
          const d7 = hex[buf[i + 10]!]!;
          if ((d0 | d1 | d2 | d3 | d4 | d5 | d6 | d7) >= 0) {
            // Eight digits: the low 32 bits; up to five more shift them into `hi` (13 digits at most, < 2^52).
            let lo = ((d0 << 28) | (d1 << 24) | (d2 << 20) | (d3 << 16) | (d4 << 12) | (d5 << 8) | (d6 << 4) | d7) >>> 0;
            let hi = 0;
            let j = i + 11;
            let c = buf[j]!;
            while (c !== 0x2c && j < i + 16) {
              const d = hex[c]!;
              if (d < 0) break;
              hi = (hi << 4) | (lo >>> 28);
              lo = ((lo << 4) | d) >>> 0;
              c = buf[++j]!;
            }
            if (c === 0x2c) {
              // A size of one or two decimal digits, then '\n'.
              const s0 = buf[j + 1]! - 0x30;
              const e1 = buf[j + 2]!;
              let size = -1;
              if (s0 >= 0 && s0 <= 9) {
                if (e1 === NEWLINE) {
                  size = s0;
                  j += 2;
                } else if (e1 >= 0x30 && e1 <= 0x39 && buf[j + 3] === NEWLINE) {
                  size = s0 * 10 + (e1 - 0x30);
                  j += 3;
                }
              }
              if (size >= 0) {
                kinds[n] = kind;
                addrs[n] = hi * 4294967296 + lo;
                sizes[n] = size;
                records++;
                if (++n === capacity) {
                  n = this.flushFrom(n, records);
                  records = 0;
                }
                i = j + 1;
                continue;
              }
            }
          }
        }
      }
      const lineStart = i;
      let c = buf[i]!;
      while (c === 0x20) c = buf[++i]!;
      const kind = LACKEY_KIND[c]!;
      if (kind >= 0 && buf[i + 1] === 0x20) {
        i += 2;
        c = buf[i]!;
        while (c === 0x20) c = buf[++i]!;
        let addr = 0;
        const hexStart = i;
        let d = hex[c]!;
        while (d >= 0) {
          addr = addr * 16 + d;
          c = buf[++i]!;
          d = hex[c]!;
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
            kinds[n] = kind;
            addrs[n] = addr;
            sizes[n] = size;
            records++;
            if (++n === capacity) {
              n = this.flushFrom(n, records);
              records = 0;
            }
            i++;
            continue;
          }
        }
      }
      let nl = i;
      while (buf[nl] !== NEWLINE) nl++;
      this.count = n;
      this.lines += records;
      this.records += records;
      records = 0;
      this.parseLine(buf, lineStart, nl);
      n = this.count;
      i = nl + 1;
    }
    this.count = n;
    this.lines += records;
    this.records += records;
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

  /** The fast path's batch is full: its local counts written back, the batch delivered; the new count (0). */
  private flushFrom(count: number, records: number): number {
    this.count = count;
    this.lines += records;
    this.records += records;
    this.flush();
    return this.count;
  }

  private flush(): void {
    if (this.count === 0 || this.format === null) return;
    const count = this.count;
    this.count = 0;
    this.onBatch({ format: this.format, count, kind: this.kind, addr: this.addr, size: this.size });
  }
}
