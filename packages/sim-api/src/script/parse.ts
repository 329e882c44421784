// Parsing of the words a user types: integers in decimal or 0x hex (exact over 64 bits, as bigint), floats,
// sizes like 64M, and how an offending word is shown in a message. Hand-written scanners, no regex: these
// run for every number of every script line.

import { ScriptError, UsageError } from './errors.js';

/** Words longer than this are cut in messages: their first SHOWN_CHARS characters, "…" and their length. */
export const SHOWN_CHARS = 40;

/** A word as a message shows it: JSON-quoted, and cut when long (`"aaaa…" (10485760 characters)`). */
export function quote(word: string): string {
  if (word.length <= SHOWN_CHARS) return JSON.stringify(word);
  // Never cut a surrogate pair in half.
  const code = word.charCodeAt(SHOWN_CHARS - 1);
  const end = code >= 0xd800 && code <= 0xdbff ? SHOWN_CHARS - 1 : SHOWN_CHARS;
  return `${JSON.stringify(`${word.slice(0, end)}…`)} (${word.length} characters)`;
}

/** A word shown unquoted (a number as typed, an expression), cut like `quote` when long. */
export function shorten(word: string): string {
  if (word.length <= SHOWN_CHARS) return word;
  const code = word.charCodeAt(SHOWN_CHARS - 1);
  const end = code >= 0xd800 && code <= 0xdbff ? SHOWN_CHARS - 1 : SHOWN_CHARS;
  return `${word.slice(0, end)}… (${word.length} characters)`;
}

/** The whitespace that separates words: what the regex class \s matches. */
export function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** The value of one digit character in `base`, or -1. */
function digitValue(c: number, base: number): number {
  let v = -1;
  if (c >= 48 && c <= 57) v = c - 48;
  else if (c >= 97 && c <= 102) v = c - 87;
  else if (c >= 65 && c <= 70) v = c - 55;
  return v < base ? v : -1;
}

/**
 * Digit strings longer than this (leading zeros not counted) lie outside every range a script uses (the
 * widest is 64 bits: 20 decimal digits, 64 binary ones); they are refused without building a huge bigint.
 */
const MAX_DIGITS = 72;

/**
 * Scans an integer word: an optional sign, then decimal, 0x hex, 0b binary or 0o octal digits, with `_`
 * allowed only between two digits (`1_000`; not `1_`, `_1`, `0x_ff` or `1__0`). Returns the exact value,
 * `null` when the word is not an integer, or `undefined` when it is one too long to lie in any range.
 */
function scanInteger(word: string): bigint | null | undefined {
  const n = word.length;
  let i = 0;
  let negative = false;
  if (n > 0 && (word.charCodeAt(0) === 43 || word.charCodeAt(0) === 45)) {
    negative = word.charCodeAt(0) === 45;
    i = 1;
  }
  let base = 10;
  if (i + 1 < n && word.charCodeAt(i) === 48) {
    const p = word.charCodeAt(i + 1) | 0x20;
    if (p === 120) base = 16;
    else if (p === 98) base = 2;
    else if (p === 111) base = 8;
    if (base !== 10) i += 2;
  }
  const first = i;
  let significant = 0;
  let digits = 0;
  let underscores = false;
  // Small values (the common case) are accumulated exactly in a double, with no string built.
  let small = 0;
  for (; i < n; i++) {
    const c = word.charCodeAt(i);
    if (c === 95) {
      // `_` only between two digits.
      if (i === first || i + 1 >= n || digitValue(word.charCodeAt(i + 1), base) < 0) return null;
      underscores = true;
      continue;
    }
    const v = digitValue(c, base);
    if (v < 0) return null;
    digits++;
    if (significant > 0 || v !== 0) significant++;
    small = small * base + v;
  }
  if (digits === 0) return null;
  if (significant > MAX_DIGITS) return undefined;
  if (small <= Number.MAX_SAFE_INTEGER) return BigInt(negative ? -small : small);
  let text = word.slice(first);
  if (underscores) text = text.split('_').join('');
  const prefix = base === 16 ? '0x' : base === 2 ? '0b' : base === 8 ? '0o' : '';
  const magnitude = BigInt(prefix + text);
  return negative ? -magnitude : magnitude;
}

/** How a range message shows its bounds: hex for addresses, decimal for everything else (values, counts). */
export type Base = 'hex' | 'decimal';

function formatBound(n: bigint, base: Base): string {
  if (base === 'decimal' || n === 0n) return n.toString();
  return n < 0n ? `-0x${(-n).toString(16)}` : `0x${n.toString(16)}`;
}

/**
 * Parses an integer word that must lie in [min, max]; throws ScriptError naming `what` when it is not an
 * integer or lies outside. The word is shown as typed (cut when long), the bounds in `base`.
 */
export function parseRange(word: string, what: string, min: bigint, max: bigint, base: Base): bigint {
  const value = scanInteger(word);
  if (value === null) throw new ScriptError(`bad number ${quote(word)} for ${what} (expected decimal or 0x hex)`);
  if (value === undefined || value < min || value > max) {
    throw new ScriptError(`${what} ${shorten(word)} is out of range (${formatBound(min, base)} to ${formatBound(max, base)})`);
  }
  return value;
}

/**
 * Parses a float word: decimal with an optional fraction and exponent (`1.5`, `-0.25`, `1e300`, `.5`, `5.`),
 * or `inf`, `+inf`, `-inf`, `nan` (any case). Returns undefined when it is not one.
 */
export function scanFloat(word: string): number | undefined {
  const lower = word.toLowerCase();
  if (lower === 'nan') return NaN;
  if (lower === 'inf' || lower === '+inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  const n = word.length;
  let i = 0;
  if (i < n && (word.charCodeAt(i) === 43 || word.charCodeAt(i) === 45)) i++;
  let mantissa = 0;
  while (i < n && word.charCodeAt(i) >= 48 && word.charCodeAt(i) <= 57) (i++, mantissa++);
  if (i < n && word.charCodeAt(i) === 46) {
    i++;
    while (i < n && word.charCodeAt(i) >= 48 && word.charCodeAt(i) <= 57) (i++, mantissa++);
  }
  if (mantissa === 0) return undefined;
  if (i < n && (word.charCodeAt(i) | 0x20) === 101) {
    i++;
    if (i < n && (word.charCodeAt(i) === 43 || word.charCodeAt(i) === 45)) i++;
    let exponent = 0;
    while (i < n && word.charCodeAt(i) >= 48 && word.charCodeAt(i) <= 57) (i++, exponent++);
    if (exponent === 0) return undefined;
  }
  return i === n ? Number(word) : undefined;
}

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** Parses a RAM size such as 4096, 128K, 64M or 1G (binary units; `KB`, `KiB`, `B` work too). */
export function parseSize(word: string): number {
  const text = word.trim();
  let i = 0;
  while (i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
  const unit = text.slice(i).toLowerCase();
  const ok = i > 0 && (unit === '' || unit === 'b' || (unit.length >= 1 && unit.length <= 3 && 'kmg'.includes(unit[0]!) &&
    (unit.length === 1 || unit.slice(1) === 'b' || unit.slice(1) === 'i' || unit.slice(1) === 'ib')));
  if (!ok) throw new UsageError(`bad size ${quote(word)} (expected e.g. 4096, 128K, 64M, 1G)`);
  return Number(text.slice(0, i)) * UNITS[unit.charAt(0)]!;
}
