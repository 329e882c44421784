// The integer expressions of repeat blocks ({i}, {(i + 1) % 4}): compiled once into postfix code by an
// operator-precedence parser with explicit stacks (so any nesting of parentheses or signs takes linear time
// and no call stack), then evaluated per iteration over the loop variables' slots.

import { ScriptError } from './errors.js';
import { isSpace, quote, shorten } from './parse.js';

// Postfix code (a plain array: a typed array per expression costs more to make than it saves): one int per step, the operation in the low 3 bits and an operand (constant index or
// variable slot) above them.
const OP_CONST = 0;
const OP_VAR = 1;
const OP_NEG = 2;
const OP_ADD = 3;
const OP_SUB = 4;
const OP_MUL = 5;
const OP_DIV = 6;
const OP_MOD = 7;
const OP_BITS = 3;

/** Pending-operator markers on the parser's stack (beside OP_NEG .. OP_MOD): an open parenthesis. */
const OPEN = 8;

/** Every value an expression computes (literals, intermediate results) lies strictly between −2^64 and 2^64. */
const LIMIT = 1n << 64n;

/** A compiled expression. `source` is the text between the braces, for messages. */
export interface Expression {
  readonly source: string;
  readonly code: readonly number[];
  readonly constants: readonly bigint[];
}

/** An expression that failed to compile: the error is raised when the line runs (so earlier lines run first). */
export interface ExpressionError {
  readonly source: string;
  readonly why: string;
}

function precedence(op: number): number {
  return op === OP_NEG ? 3 : op >= OP_MUL ? 2 : 1;
}

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || ((c | 0x20) >= 97 && (c | 0x20) <= 102);
}

/**
 * Compiles `source` (the text between braces). `scope` lists the visible loop variables, outermost first;
 * a name resolves to the innermost binding, its slot being its index in `scope`.
 */
export function compileExpression(source: string, scope: readonly string[]): Expression | ExpressionError {
  const code: number[] = [];
  const constants: bigint[] = [];
  const ops: number[] = [];
  const fail = (why: string): ExpressionError => ({ source, why });
  const n = source.length;
  let expectOperand = true;
  let i = 0;
  for (;;) {
    while (i < n && isSpace(source.charCodeAt(i))) i++;
    if (i >= n) break;
    const start = i;
    const c = source.charCodeAt(i);
    if (expectOperand) {
      if (c === 45) {
        ops.push(OP_NEG);
        i++;
      } else if (c === 43) {
        i++;
      } else if (c === 40) {
        ops.push(OPEN);
        i++;
      } else if (c >= 48 && c <= 57) {
        // `0x` followed by a hex digit is hex; otherwise a run of decimal digits.
        const hex = c === 48 && i + 2 < n && (source.charCodeAt(i + 1) | 0x20) === 120 && isHex(source.charCodeAt(i + 2));
        let first = hex ? i + 2 : i;
        i = first;
        while (i < n && (hex ? isHex(source.charCodeAt(i)) : source.charCodeAt(i) >= 48 && source.charCodeAt(i) <= 57)) i++;
        // Past its leading zeros, a literal of more than 20 decimal or 16 hex digits is wider than 64 bits:
        // refused before a bigint of it is built.
        while (first < i - 1 && source.charCodeAt(first) === 48) first++;
        const value = i - first > (hex ? 16 : 20) ? LIMIT : BigInt(source.slice(start, i));
        if (value >= LIMIT) return fail(`number ${shorten(source.slice(start, i))} is wider than 64 bits`);
        code.push((constants.length << OP_BITS) | OP_CONST);
        constants.push(value);
        expectOperand = false;
      } else if (isIdentStart(c)) {
        while (i < n && isIdentPart(source.charCodeAt(i))) i++;
        const name = source.slice(start, i);
        const slot = scope.lastIndexOf(name);
        if (slot < 0) return fail(`unknown variable ${shorten(name)}`);
        code.push((slot << OP_BITS) | OP_VAR);
        expectOperand = false;
      } else {
        return fail(`unexpected ${quote(source.slice(start, i + 1))}`);
      }
      continue;
    }
    // After an operand: a binary operator or a closing parenthesis.
    const op = c === 43 ? OP_ADD : c === 45 ? OP_SUB : c === 42 ? OP_MUL : c === 47 ? OP_DIV : c === 37 ? OP_MOD : -1;
    if (op >= 0) {
      const p = precedence(op);
      while (ops.length > 0 && ops[ops.length - 1] !== OPEN && precedence(ops[ops.length - 1]!) >= p) code.push(ops.pop()!);
      ops.push(op);
      expectOperand = true;
      i++;
    } else if (c === 41) {
      while (ops.length > 0 && ops[ops.length - 1] !== OPEN) code.push(ops.pop()!);
      if (ops.length === 0) return fail('unexpected ")"');
      ops.pop();
      i++;
    } else {
      // Show the whole next token, as a word: `{1 2}` is unexpected "2", `{12abc}` unexpected "abc".
      if (isIdentPart(c)) while (i < n && isIdentPart(source.charCodeAt(i))) i++;
      else i++;
      return fail(`unexpected ${quote(source.slice(start, i))}`);
    }
  }
  if (expectOperand) return fail('unexpected end');
  while (ops.length > 0) {
    const op = ops.pop()!;
    if (op === OPEN) return fail('missing )');
    code.push(op);
  }
  return { source, code, constants };
}

/** The error a failed compile raises when its line runs. */
export function expressionError(error: ExpressionError): ScriptError {
  return new ScriptError(`bad expression {${shorten(error.source)}}: ${error.why}`);
}

/** The evaluation stack, reused by every evaluation (evaluations never nest). */
const stack: bigint[] = [];

/**
 * Evaluates a compiled expression with the loop variables' current values (`slots`, indexed like the scope
 * it was compiled in). `/` truncates toward zero and `%` takes the sign of the dividend, as in C and Rust.
 */
export function evaluateExpression(expression: Expression, slots: readonly bigint[]): bigint {
  const { code, constants } = expression;
  let top = 0;
  for (let k = 0; k < code.length; k++) {
    const step = code[k]!;
    const op = step & 7;
    if (op === OP_CONST) {
      stack[top++] = constants[step >>> OP_BITS]!;
      continue;
    }
    if (op === OP_VAR) {
      stack[top++] = slots[step >>> OP_BITS]!;
      continue;
    }
    if (op === OP_NEG) {
      stack[top - 1] = -stack[top - 1]!;
      continue;
    }
    const r = stack[--top]!;
    const l = stack[top - 1]!;
    let v: bigint;
    if (op === OP_ADD) v = l + r;
    else if (op === OP_SUB) v = l - r;
    else if (op === OP_MUL) v = l * r;
    else {
      if (r === 0n) throw new ScriptError(`bad expression {${shorten(expression.source)}}: division by zero`);
      v = op === OP_DIV ? l / r : l % r;
    }
    if (v >= LIMIT || v <= -LIMIT) {
      throw new ScriptError(`bad expression {${shorten(expression.source)}}: a result is wider than 64 bits`);
    }
    stack[top - 1] = v;
  }
  return stack[0]!;
}
