// Parsing of the words a user types: integers in decimal or 0x hex (exact over 64 bits, as bigint), sizes
// like 64M, and the small integer expressions of `repeat` blocks ({i}, {(i+1)%4}).

import { ScriptError, UsageError } from './errors.js';

const INTEGER = /^([+-]?)(0x[0-9a-f]+|0b[01]+|0o[0-7]+|[0-9]+)$/i;

/** Parses an integer word exactly; throws ScriptError naming `what` when it is not one. */
export function parseBigInt(word: string, what: string): bigint {
  const text = word.replace(/_/g, '');
  const m = INTEGER.exec(text);
  if (m === null) throw new ScriptError(`bad number ${JSON.stringify(word)} for ${what} (expected decimal or 0x hex)`);
  const magnitude = BigInt(m[2]!.toLowerCase());
  return m[1] === '-' ? -magnitude : magnitude;
}

/** Parses an integer that must lie in [min, max]. */
export function parseRange(word: string, what: string, min: bigint, max: bigint): bigint {
  const value = parseBigInt(word, what);
  if (value < min || value > max) {
    throw new ScriptError(`${what} ${word} is out of range (${formatBound(min)} to ${formatBound(max)})`);
  }
  return value;
}

/** Small bounds in decimal, large ones in hex, by magnitude (so -0x80000000 to 0x7fffffff, not a mix). */
function formatBound(n: bigint): string {
  const magnitude = n < 0n ? -n : n;
  return magnitude > 0xffffn ? `${n < 0n ? '-' : ''}0x${magnitude.toString(16)}` : n.toString();
}

const SIZE = /^([0-9]+)([kmg]i?b?|b)?$/i;
const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** Parses a RAM size such as 4096, 128K, 64M or 1G (binary units). */
export function parseSize(word: string): number {
  const m = SIZE.exec(word.trim());
  if (m === null) throw new UsageError(`bad size ${JSON.stringify(word)} (expected e.g. 4096, 128K, 64M, 1G)`);
  const unit = (m[2] ?? '').toLowerCase().charAt(0);
  return Number(m[1]) * UNITS[unit === 'b' ? 'b' : unit]!;
}

/**
 * Evaluates an integer expression over variables: + - * / % ( ), unary minus, decimal and 0x literals.
 * Division truncates toward zero; % takes the sign of the dividend (as in C and Rust).
 */
export function evaluate(expression: string, vars: ReadonlyMap<string, bigint>): bigint {
  const tokens = expression.match(/0x[0-9a-f]+|[0-9]+|[a-z_][a-z0-9_]*|[-+*/%()]|\S/gi) ?? [];
  let pos = 0;
  const peek = (): string | undefined => tokens[pos];
  const fail = (why: string): never => {
    throw new ScriptError(`bad expression {${expression}}: ${why}`);
  };
  const primary = (): bigint => {
    const t = tokens[pos++];
    if (t === undefined) return fail('unexpected end');
    if (t === '(') {
      const v = sum();
      if (tokens[pos++] !== ')') fail('missing )');
      return v;
    }
    if (t === '-') return -primary();
    if (t === '+') return primary();
    if (/^(0x[0-9a-f]+|[0-9]+)$/i.test(t)) return BigInt(t);
    if (/^[a-z_]/i.test(t)) {
      const v = vars.get(t);
      if (v === undefined) fail(`unknown variable ${t}`);
      return v!;
    }
    return fail(`unexpected ${JSON.stringify(t)}`);
  };
  const product = (): bigint => {
    let v = primary();
    for (let op = peek(); op === '*' || op === '/' || op === '%'; op = peek()) {
      pos++;
      const r = primary();
      if (op !== '*' && r === 0n) fail('division by zero');
      v = op === '*' ? v * r : op === '/' ? v / r : v % r;
    }
    return v;
  };
  const sum = (): bigint => {
    let v = product();
    for (let op = peek(); op === '+' || op === '-'; op = peek()) {
      pos++;
      v = op === '+' ? v + product() : v - product();
    }
    return v;
  };
  const result = sum();
  if (pos !== tokens.length) fail(`unexpected ${JSON.stringify(tokens[pos])}`);
  return result;
}

/** Replaces every {expression} in `text` by its value. */
export function interpolate(text: string, vars: ReadonlyMap<string, bigint>): string {
  return text.replace(/\{([^{}]*)\}/g, (_m, expression: string) => evaluate(expression, vars).toString());
}
