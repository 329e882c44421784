// The trace formats the readers know, the record kinds they produce, and the byte-level parsers of one line of
// each. A line is bytes [s, e) of a buffer without its '\n' (a trailing '\r' is tolerated).
//
//   lackey   valgrind --tool=lackey --trace-mem=yes: `I  0023c790,2`, ` L be80199c,4`, ` S …`, ` M …` (one or more
//            spaces after the kind, hex address without 0x, decimal size, an optional `,…` suffix such as USC's
//            `,core`); lines starting `==` (valgrind's banner) or `--` are not records
//   din      Dinero: `LABEL ADDRESS [more fields]`, label 0 read, 1 write, 2 instruction fetch, 3 escape and 4 flush
//            (not references), address in hex with an optional 0x
//   hex-rw   `<hex address> R|W` (memsim/vmsim assignments), an optional 0x, R/W in either case
//   pages    one decimal page number per line (OSTEP paging-policy.py -f)

/** The formats, in the order auto-detection tries them. */
export const TRACE_FORMATS = ['lackey', 'din', 'hex-rw', 'pages'] as const;
export type TraceFormat = (typeof TRACE_FORMATS)[number];

/** Record kinds: instruction fetch, load, store, modify (load then store of the same bytes). */
export const KIND_I = 0;
export const KIND_L = 1;
export const KIND_S = 2;
export const KIND_M = 3;
export const KIND_LETTERS = 'ILSM';

/** What parsing one line gave. */
export const LINE_RECORD = 0;
export const LINE_IGNORED = 1;
export const LINE_MALFORMED = 2;

const SPACE = 0x20;
const TAB = 0x09;
const CR = 0x0d;
const COMMA = 0x2c;
/** 2^53: addresses and page numbers must stay below it to be exact. */
const LIMIT = 9007199254740992;

/** The fields of the last record a line parser produced, and the reason of the last malformed line. */
export class LineResult {
  kind = 0;
  addr = 0;
  size = 0;
  reason = '';
}

function isSpace(c: number): boolean {
  return c === SPACE || c === TAB;
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

/** End of the line without trailing spaces and '\r'. */
function trimEnd(buf: Uint8Array, s: number, e: number): number {
  while (e > s && (isSpace(buf[e - 1]!) || buf[e - 1] === CR)) e--;
  return e;
}

function bad(out: LineResult, reason: string): number {
  out.reason = reason;
  return LINE_MALFORMED;
}

/** Parses a hex number at i (an optional 0x if `prefix`); sets out.addr, returns the index after it or -1. */
function parseHex(buf: Uint8Array, i: number, e: number, out: LineResult, prefix: boolean): number {
  if (prefix && i + 1 < e && buf[i] === 0x30 && (buf[i + 1]! | 0x20) === 0x78) i += 2;
  const start = i;
  let v = 0;
  for (; i < e; i++) {
    const d = hexDigit(buf[i]!);
    if (d < 0) break;
    v = v * 16 + d;
  }
  if (i === start) return -1;
  if (v >= LIMIT) return -2;
  out.addr = v;
  return i;
}

export function parseLackeyLine(buf: Uint8Array, s: number, e: number, out: LineResult): number {
  e = trimEnd(buf, s, e);
  let i = s;
  while (i < e && isSpace(buf[i]!)) i++;
  if (i === e) return LINE_IGNORED;
  const c = buf[i]!;
  if ((c === 0x3d || c === 0x2d) && buf[i + 1] === c) return LINE_IGNORED; // '==' or '--'
  if (c === 0x49) out.kind = KIND_I;
  else if (c === 0x4c) out.kind = KIND_L;
  else if (c === 0x53) out.kind = KIND_S;
  else if (c === 0x4d) out.kind = KIND_M;
  else return bad(out, 'expected I, L, S or M');
  i++;
  if (i >= e || !isSpace(buf[i]!)) return bad(out, 'expected a space after the kind');
  while (i < e && isSpace(buf[i]!)) i++;
  i = parseHex(buf, i, e, out, false);
  if (i === -1) return bad(out, 'expected a hex address');
  if (i === -2) return bad(out, 'address too large');
  if (i >= e || buf[i] !== COMMA) return bad(out, 'expected a comma after the address');
  i++;
  const start = i;
  let size = 0;
  for (; i < e; i++) {
    const d = buf[i]! - 0x30;
    if (d < 0 || d > 9) break;
    size = size * 10 + d;
  }
  if (i === start) return bad(out, 'expected a decimal size');
  if (size > 0x7fffffff) return bad(out, 'size too large');
  if (i < e && buf[i] !== COMMA) return bad(out, 'unexpected text after the size');
  out.size = size;
  return LINE_RECORD;
}

export function parseDinLine(buf: Uint8Array, s: number, e: number, out: LineResult): number {
  e = trimEnd(buf, s, e);
  let i = s;
  while (i < e && isSpace(buf[i]!)) i++;
  if (i === e) return LINE_IGNORED;
  const label = buf[i]! - 0x30;
  if (label < 0 || label > 4 || (i + 1 < e && !isSpace(buf[i + 1]!))) return bad(out, 'expected a label 0 to 4');
  i++;
  if (i >= e) return bad(out, 'expected an address after the label');
  while (i < e && isSpace(buf[i]!)) i++;
  i = parseHex(buf, i, e, out, true);
  if (i === -1) return bad(out, 'expected a hex address');
  if (i === -2) return bad(out, 'address too large');
  if (i < e && !isSpace(buf[i]!)) return bad(out, 'unexpected text after the address');
  if (label >= 3) return LINE_IGNORED;
  out.kind = label === 0 ? KIND_L : label === 1 ? KIND_S : KIND_I;
  out.size = 1;
  return LINE_RECORD;
}

export function parseHexRwLine(buf: Uint8Array, s: number, e: number, out: LineResult): number {
  e = trimEnd(buf, s, e);
  let i = s;
  while (i < e && isSpace(buf[i]!)) i++;
  if (i === e) return LINE_IGNORED;
  i = parseHex(buf, i, e, out, true);
  if (i === -1) return bad(out, 'expected a hex address');
  if (i === -2) return bad(out, 'address too large');
  if (i >= e || !isSpace(buf[i]!)) return bad(out, 'expected a space and R or W after the address');
  while (i < e && isSpace(buf[i]!)) i++;
  const rw = i < e ? buf[i]! | 0x20 : 0;
  if ((rw !== 0x72 && rw !== 0x77) || i + 1 !== e) return bad(out, 'expected R or W');
  out.kind = rw === 0x77 ? KIND_S : KIND_L;
  out.size = 1;
  return LINE_RECORD;
}

export function parsePagesLine(buf: Uint8Array, s: number, e: number, out: LineResult): number {
  e = trimEnd(buf, s, e);
  let i = s;
  while (i < e && isSpace(buf[i]!)) i++;
  if (i === e) return LINE_IGNORED;
  let v = 0;
  const start = i;
  for (; i < e; i++) {
    const d = buf[i]! - 0x30;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
  }
  if (i === start || i !== e) return bad(out, 'expected one decimal page number');
  if (v >= LIMIT) return bad(out, 'page number too large');
  out.kind = KIND_L;
  out.addr = v;
  out.size = 1;
  return LINE_RECORD;
}

export const LINE_PARSERS: Record<TraceFormat, (buf: Uint8Array, s: number, e: number, out: LineResult) => number> = {
  lackey: parseLackeyLine,
  din: parseDinLine,
  'hex-rw': parseHexRwLine,
  pages: parsePagesLine,
};

/**
 * The format of a trace judged from one line that is a record (the first one that is not blank and not a
 * `==`/`--` line): the first format whose parser accepts it, or null.
 */
export function detectFormat(buf: Uint8Array, s: number, e: number): TraceFormat | null {
  const out = new LineResult();
  for (const format of TRACE_FORMATS) {
    if (LINE_PARSERS[format](buf, s, e, out) === LINE_RECORD) return format;
  }
  return null;
}
