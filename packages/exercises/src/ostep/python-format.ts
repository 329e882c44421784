// Python's printf-style formatting (`'%08x' % n`, `'%4d' % n`, `'%.2f' % x`) and its int() parsing, as the
// OSTEP homework scripts use them: negative numbers keep their sign ahead of the zero padding, and `%.Nf`
// rounds the double's exact binary value half-to-even (97/800 → '12.12'), which toFixed does not.

/** `'%<flags><width>d' % n`: decimal, right-aligned in `width` (zero-filled when `zero`). */
export function pyDec(n: number | bigint, width = 0, zero = false): string {
  return pad(BigInt(n) < 0n ? '-' : '', absText(n, 10), width, zero);
}

/** `'%<flags><width>x' % n`: lowercase hex, right-aligned in `width` (zero-filled when `zero`). */
export function pyHex(n: number | bigint, width = 0, zero = false): string {
  return pad(BigInt(n) < 0n ? '-' : '', absText(n, 16), width, zero);
}

function absText(n: number | bigint, radix: number): string {
  const b = BigInt(n);
  return (b < 0n ? -b : b).toString(radix);
}

function pad(sign: string, digits: string, width: number, zero: boolean): string {
  const len = sign.length + digits.length;
  if (len >= width) return sign + digits;
  return zero ? sign + '0'.repeat(width - len) + digits : ' '.repeat(width - len) + sign + digits;
}

/**
 * `'%.<digits>f' % x`: the exact decimal value of the double, rounded half-to-even at `digits` places, as
 * CPython (and C's printf) do.
 */
export function pyFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  const negative = x < 0 || Object.is(x, -0);
  // x = mantissa · 2^exp exactly; scale by 10^digits and round the rational half-to-even.
  const [mantissa, exp] = decompose(Math.abs(x));
  let num = mantissa * 10n ** BigInt(digits);
  let den = 1n;
  if (exp >= 0) num <<= BigInt(exp);
  else den <<= BigInt(-exp);
  let q = num / den;
  const r2 = (num % den) * 2n;
  if (r2 > den || (r2 === den && (q & 1n) === 1n)) q += 1n;
  let text = q.toString().padStart(digits + 1, '0');
  if (digits > 0) text = `${text.slice(0, -digits)}.${text.slice(-digits)}`;
  return (negative ? '-' : '') + text;
}

/** A finite non-negative double as an integer mantissa and a power-of-two exponent. */
function decompose(x: number): [bigint, number] {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  const fraction = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (biased === 0) return [fraction, -1074];
  return [fraction | (1n << 52n), biased - 1075];
}

/** Python's `int(text)` for base 10 (surrounding whitespace, a sign and digit-separating underscores allowed); null where Python raises ValueError. */
export function pyInt(text: string): bigint | null {
  return pyIntRadix(text, 10);
}

const PREFIX: Readonly<Record<number, string>> = { 2: 'b', 8: 'o', 16: 'x' };

/**
 * Python's `int(text, radix)` for radix 2, 8, 10 or 16: whitespace around, an optional sign, the radix's
 * optional '0x'/'0o'/'0b' prefix, digits with single underscores between them (or right after a prefix).
 */
export function pyIntRadix(text: string, radix: 2 | 8 | 10 | 16): bigint | null {
  let t = text.trim();
  let negative = false;
  if (t.startsWith('+') || t.startsWith('-')) {
    negative = t.startsWith('-');
    t = t.slice(1);
  }
  let afterPrefix = false;
  const prefix = PREFIX[radix];
  if (prefix !== undefined && t.length >= 2 && t[0] === '0' && t[1]!.toLowerCase() === prefix) {
    t = t.slice(2);
    afterPrefix = true;
  }
  if (t === '' || t.endsWith('_') || t.includes('__') || (t.startsWith('_') && !afterPrefix)) return null;
  let value = 0n;
  for (const ch of t) {
    if (ch === '_') continue;
    const digit = parseInt(ch, radix);
    if (Number.isNaN(digit)) return null;
    value = value * BigInt(radix) + BigInt(digit);
  }
  return negative ? -value : value;
}

/**
 * optparse's `type='int'` conversion: '0x…' hex, '0b…' binary (prefix cut off first), a leading '0' octal,
 * anything else decimal. Null where Python raises ValueError.
 */
export function pyOptparseInt(text: string): bigint | null {
  const head = text.slice(0, 2).toLowerCase();
  if (head === '0x') return pyIntRadix(text, 16);
  if (head === '0b') return pyIntRadix(text.slice(2) === '' ? '0' : text.slice(2), 2);
  if (text.startsWith('0')) return pyIntRadix(text, 8);
  return pyIntRadix(text, 10);
}

/** Python's `repr()` of a str, as optparse quotes bad values in its messages. */
export function pyRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else out += ch;
  }
  return out + quote;
}
